/**
 * @module
 * A Kubernetes runtime started against a fresh fake API server (`test/kube-fake`), with a
 * memory sink: what the tests that count the runtime's requests need.
 */
import { startFakeKube } from '../../../test/kube-fake/index.ts'
import { MemorySink } from '../../testing/memory-sink.ts'
import { createKubernetesRuntime } from '../index.ts'
import { FAST } from './fast-tuning.ts'

/** Starts the fake and the runtime on it; `stop` ends both. */
export async function runtimeOnFake(namespace: string, instanceId: string) {
  const fake = await startFakeKube({ namespace, restartBackoffMs: 30 })
  const runtime = createKubernetesRuntime({
    namespace,
    instanceId,
    restartBackoffMs: 30,
    kubeconfigYaml: fake.kubeconfig(),
    tuning: FAST,
  })
  const sink = new MemorySink()
  await runtime.start(sink)
  return {
    fake,
    runtime,
    sink,
    async stop() {
      await runtime.dispose()
      await fake.stop()
    },
  }
}
