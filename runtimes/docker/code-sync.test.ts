import { expect, test } from 'bun:test'
import { describeCodeSyncContract } from '../code-sync-contract.ts'
import { startGitServer } from '../testing/git-server.ts'
import { jobSpec } from '../testing/job-spec.ts'
import { MemorySink } from '../testing/memory-sink.ts'
import { waitFor } from '../testing/wait-for.ts'
import { codeVolumeName } from './backend-spec.ts'
import { createDockerRuntime } from './index.ts'
import {
  describeWithDocker,
  findTestEngine,
  removeAll,
  TEST_IMAGE,
  testInstanceId,
  testOptions,
} from './testing/test-engine.ts'

const engine = await findTestEngine()
// The host's git clones; the test image has none.
const gitEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME }

describeWithDocker('docker runtime', engine, ({ host, client }) => {
  const instanceId = testInstanceId()
  describeCodeSyncContract('docker', async () => ({
    create: async () => createDockerRuntime(testOptions(host, instanceId, { env: gitEnv })),
    image: TEST_IMAGE,
    namespace: 'default',
    timeoutMs: 30_000,
    dispose: () => removeAll(host, instanceId),
  }))

  test('replicas share one filled volume, kept across a server restart and removed with the job', async () => {
    const git = await startGitServer()
    const id = testInstanceId()
    const sink = new MemorySink()
    let runtime = createDockerRuntime(testOptions(host, id, { env: gitEnv }))
    await runtime.start(sink)
    try {
      const j = jobSpec({
        image: TEST_IMAGE,
        replicas: [{ type: 'Worker', replicas: 2 }],
        command: 'cat hello.txt; ls -a /code; sleep 600',
        code: { url: git.gitUrl, branch: 'feature', username: null, password: null, trustCerts: false },
      })
      await runtime.submit(j)
      const pods = [`${j.id}-worker-0`, `${j.id}-worker-1`]
      await waitFor('both replicas to print', () => pods.every((p) => sink.text(j.id, p).length >= 3), 30_000, 50)
      for (const p of pods) expect(sink.text(j.id, p)[0]).toBe(git.content.feature)
      // A restarted server finds the volume filled: the git server may be gone by then.
      await git.stop()
      await runtime.dispose()
      runtime = createDockerRuntime(testOptions(host, id, { env: gitEnv }))
      await runtime.start(sink)
      expect((await client.inspectContainer(pods[0]!))?.running).toBe(true)
      expect(await client.pathExists(pods[0]!, '/code/current/hello.txt')).toBe(true)
      await runtime.delete(j.id)
      expect(await client.inspectContainer(pods[0]!)).toBeNull()
      // Removed with the job: a new fill would be needed (and would fail with no server).
      expect(await client.createVolume({ Name: codeVolumeName(j.id), Labels: {} })).toBe('created')
      await client.removeVolume(codeVolumeName(j.id))
    } finally {
      await runtime.dispose()
      await removeAll(host, id)
    }
  }, 120_000)
})
