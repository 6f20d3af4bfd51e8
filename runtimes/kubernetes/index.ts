/**
 * @module
 * The Kubernetes runtime: jobs run as Kubeflow training-operator custom resources
 * (TFJob, PyTorchJob, XGBoostJob) on a cluster reached through a kubeconfig or the
 * pod's service account.
 */
import type { Runtime } from '../../src/runtime/runtime.ts'
import { createKubeClient } from './backend-client.ts'
import type { KubePort } from './backend-port.ts'
import { KubernetesRuntime } from './kubernetes-runtime.ts'
import type { KubernetesRuntimeOptions } from './options.ts'

export type { KubePort } from './backend-port.ts'
export {
  detectInCluster,
  type KubernetesRuntimeOptions,
  type KubernetesTuning,
  SERVICE_ACCOUNT_TOKEN_PATH,
} from './options.ts'

/**
 * Creates the runtime. Loads the cluster configuration at once (nothing connects
 * until `start`); pass `client` to use another port (tests).
 * @throws Error when the configuration cannot be loaded (missing file, unknown context)
 * @example
 * const runtime = createKubernetesRuntime({
 *   namespace: 'default',
 *   instanceId,
 *   restartBackoffMs: 10_000,
 *   kubeconfig: '/home/me/.kube/config',
 * })
 */
export function createKubernetesRuntime(options: KubernetesRuntimeOptions, client?: KubePort): Runtime {
  const port = client ?? createKubeClient(options)
  return new KubernetesRuntime(port, {
    namespace: options.namespace,
    instanceId: options.instanceId,
    gitImage: options.gitImage,
    tuning: options.tuning,
  })
}
