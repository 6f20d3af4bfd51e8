import { expect, test } from 'bun:test'
import { startFakeKube } from '../../test/kube-fake/index.ts'
import { describeCodeSyncContract } from '../code-sync-contract.ts'
import { jobSpec } from '../testing/job-spec.ts'
import { MemorySink } from '../testing/memory-sink.ts'
import { waitFor } from '../testing/wait-for.ts'
import { createKubeClient } from './backend-client.ts'
import { createKubernetesRuntime } from './index.ts'
import { FAST } from './testing/fast-tuning.ts'

const NAMESPACE = 'periscope-test'
const GIT_IMAGE = 'periscope-test/git-sync:3'

/**
 * The fake kubelet runs the init container's image as this host command: git-sync's one-time
 * clone into `$GIT_SYNC_ROOT/$GIT_SYNC_DEST`, driven by the GIT_SYNC_* variables alone, with
 * the host's git. Its stderr is the container's log, so a failure's termination message is git's.
 */
const GIT_SYNC = [
  'sh',
  '-c',
  'export GIT_TERMINAL_PROMPT=0 LC_ALL=C; ' +
    'helper=\'!f() { test "$1" = get || exit 0; echo ' +
    '"username=$GIT_SYNC_USERNAME"; echo "password=$GIT_SYNC_PASSWORD"; }; f\'; ' +
    'exec git -c credential.helper= -c "credential.helper=$helper" clone --quiet ' +
    '--depth "$GIT_SYNC_DEPTH" --branch "$GIT_SYNC_BRANCH" -- "$GIT_SYNC_REPO" "$GIT_SYNC_ROOT/$GIT_SYNC_DEST"',
]

describeCodeSyncContract('kubernetes', async () => {
  const fake = await startFakeKube({ namespace: NAMESPACE, restartBackoffMs: 30, images: { [GIT_IMAGE]: GIT_SYNC } })
  const instanceId = `codesync-${crypto.randomUUID().slice(0, 8)}`
  const options = {
    namespace: NAMESPACE,
    instanceId,
    restartBackoffMs: 30,
    kubeconfigYaml: fake.kubeconfig(),
    tuning: FAST,
    gitImage: GIT_IMAGE,
  }
  return {
    create: async () => createKubernetesRuntime(options, createKubeClient(options)),
    image: 'busybox:1.36',
    namespace: NAMESPACE,
    timeoutMs: 30_000,
    dispose: () => fake.stop(),
  }
})

test('a failed clone suspends the job: its pods are deleted, the init container is not restarted forever', async () => {
  const fake = await startFakeKube({ namespace: NAMESPACE, restartBackoffMs: 30, images: { [GIT_IMAGE]: GIT_SYNC } })
  const options = {
    namespace: NAMESPACE,
    instanceId: `codesync-${crypto.randomUUID().slice(0, 8)}`,
    restartBackoffMs: 30,
    kubeconfigYaml: fake.kubeconfig(),
    tuning: FAST,
    gitImage: GIT_IMAGE,
  }
  const runtime = createKubernetesRuntime(options, createKubeClient(options))
  const sink = new MemorySink()
  await runtime.start(sink)
  try {
    const j = jobSpec({
      namespace: NAMESPACE,
      image: 'busybox:1.36',
      code: { url: 'git://127.0.0.1:1/nothing.git', branch: 'main', username: null, password: null, trustCerts: false },
    })
    await runtime.submit(j)
    await waitFor('the job to fail', () => sink.lastStatus(j.id)?.message?.startsWith('Failed: code sync'), 20_000, 20)
    const cr = await waitFor('the job to be suspended', () => {
      const o = fake.getObject('tfjobs', NAMESPACE, j.id)
      return o?.spec?.runPolicy?.suspend === true && o
    })
    expect(JSON.parse(cr.metadata.annotations['periscope.io/code-sync-failed']).message).toBe(
      sink.lastStatus(j.id)!.message!.replace(/^Failed: /, ''),
    )
    await waitFor('its pod to be gone', () => !fake.getObject('pods', NAMESPACE, `${j.id}-worker-0`), 10_000, 20)
    await waitFor('its replica to read as Failed', () => sink.lastStatus(j.id)?.replicas[0]?.phase === 'Failed')
  } finally {
    await runtime.dispose()
    await fake.stop()
  }
}, 60_000)
