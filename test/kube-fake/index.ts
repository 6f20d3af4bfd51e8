/**
 * A protocol-faithful fake Kubernetes API server with a simulated Kubeflow training operator and
 * kubelet, in-process on a loopback port, for testing the Kubernetes runtime against the real
 * `@kubernetes/client-node`.
 * @module
 */
export { type FakeKube, type FakeKubeOptions, startFakeKube } from './fake-kube.ts'
export type { RequestMatch } from './fault-injector.ts'
export type { RecordedRequest } from './server-context.ts'
