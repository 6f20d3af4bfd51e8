import { expect, test } from 'bun:test'
import { type FakeKube, startFakeKube } from '../../test/kube-fake/index.ts'
import { describeRuntimeContract } from '../contract.ts'
import { createKubeClient } from './backend-client.ts'
import { createKubernetesRuntime } from './index.ts'
import { REQUIRED_RULES } from './permissions.ts'
import { FAST } from './testing/fast-tuning.ts'
import { grantedPermissions, recordingPort } from './testing/recording-port.ts'

const NAMESPACE = 'periscope-test'

let fake: FakeKube | undefined
const used = new Set<string>()

// Known fake issue: 'restarts a failing replica in place…' needs the last attempt's log, but
// test/kube-fake removes a deleted pod and drops its logs in the same tick as the operator deletes
// it at the backoff limit (the attempt lives < 1 ms), so the read usually loses the race. With the
// fake keeping deleted pods until its next "sync" (~100 ms, as a kubelet does), it passes 10/10;
// kubernetes-faults.test.ts tests the same behaviour with attempts that live 300 ms.
describeRuntimeContract('kubernetes', async () => {
  fake = await startFakeKube({ namespace: NAMESPACE, restartBackoffMs: 30 })
  const instanceId = `contract-${crypto.randomUUID().slice(0, 8)}`
  const kubeconfigYaml = fake.kubeconfig()
  return {
    create: async () => {
      const options = { namespace: NAMESPACE, instanceId, restartBackoffMs: 30, kubeconfigYaml, tuning: FAST }
      return createKubernetesRuntime(options, recordingPort(createKubeClient(options), used))
    },
    image: 'busybox:1.36',
    namespace: NAMESPACE,
    timeoutMs: 30_000,
    dispose: async () => {
      await fake?.stop()
    },
  }
})

// Registered after the contract suite, so it runs once the suite has exercised the runtime.
test('the contract run uses exactly the permissions of the deployment Role', () => {
  const granted = grantedPermissions(REQUIRED_RULES)
  expect([...used].filter((p) => !granted.has(p))).toEqual([])
  // Per verb, whatever the job kind (the suite runs no XGBoost job).
  const collapse = (p: string) => p.replace(/(tfjobs|pytorchjobs|xgboostjobs)$/, 'jobs')
  const usedVerbs = new Set([...used].map(collapse))
  expect([...new Set([...granted].map(collapse))].filter((p) => !usedVerbs.has(p))).toEqual([])
})
