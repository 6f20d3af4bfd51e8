/**
 * Builders and client helpers shared by the kube-fake tests.
 * @module
 */
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node'
import type { FakeKube } from './fake-kube.ts'

/** One replica type of a test job. */
export interface ReplicaFixture {
  replicas?: number
  /** Shell command run through `sh -c`, as the runtime under test sends it. */
  command?: string
  restartPolicy?: string
  labels?: Record<string, string>
}

/** A TFJob body with `tensorflow` containers running `sh -c <command>`. */
export function tfJob(
  name: string,
  replicas: Record<string, ReplicaFixture>,
  spec: Record<string, unknown> = {},
): Record<string, unknown> {
  return jobBody('TFJob', 'tfReplicaSpecs', 'tensorflow', name, replicas, spec)
}

/** A PyTorchJob body with `pytorch` containers. */
export function pytorchJob(
  name: string,
  replicas: Record<string, ReplicaFixture>,
  spec: Record<string, unknown> = {},
): Record<string, unknown> {
  return jobBody('PyTorchJob', 'pytorchReplicaSpecs', 'pytorch', name, replicas, spec)
}

/** An XGBoostJob body with `xgboost` containers. */
export function xgboostJob(
  name: string,
  replicas: Record<string, ReplicaFixture>,
  spec: Record<string, unknown> = {},
): Record<string, unknown> {
  return jobBody('XGBoostJob', 'xgbReplicaSpecs', 'xgboost', name, replicas, spec)
}

function jobBody(
  kind: string,
  field: string,
  container: string,
  name: string,
  replicas: Record<string, ReplicaFixture>,
  spec: Record<string, unknown>,
): Record<string, unknown> {
  const specs: Record<string, unknown> = {}
  for (const [type, r] of Object.entries(replicas)) {
    specs[type] = {
      replicas: r.replicas ?? 1,
      ...(r.restartPolicy ? { restartPolicy: r.restartPolicy } : {}),
      template: {
        ...(r.labels ? { metadata: { labels: r.labels } } : {}),
        spec: { containers: [{ name: container, image: 'busybox:1.36', command: ['sh', '-c', r.command ?? 'true'] }] },
      },
    }
  }
  return { apiVersion: 'kubeflow.org/v1', kind, metadata: { name }, spec: { [field]: specs, ...spec } }
}

/** Clients wired to a fake. */
export interface Clients {
  kc: KubeConfig
  custom: CustomObjectsApi
  core: CoreV1Api
}

/** Builds real client-node clients from the fake's kubeconfig. */
export function clientsFor(fake: FakeKube): Clients {
  const kc = new KubeConfig()
  kc.loadFromString(fake.kubeconfig())
  return { kc, custom: kc.makeApiClient(CustomObjectsApi), core: kc.makeApiClient(CoreV1Api) }
}

/** Parameters addressing a job collection. */
export function tfjobs(namespace = 'default'): { group: string; version: string; namespace: string; plural: string } {
  return { group: 'kubeflow.org', version: 'v1', namespace, plural: 'tfjobs' }
}

/** The error a client call rejects with, with its Status body parsed (client-node keeps it as text). */
export async function apiError(
  call: Promise<unknown>,
): Promise<{ code: number; status: any; headers: Record<string, string> }> {
  try {
    await call
  } catch (err) {
    if (!(err instanceof ApiException)) throw err
    const body = (err as ApiException<unknown>).body
    return {
      code: err.code,
      status: typeof body === 'string' && body !== '' ? JSON.parse(body) : body,
      headers: (err as ApiException<unknown>).headers,
    }
  }
  throw new Error('expected the call to fail')
}

/** A running client-node watch and everything it delivered. */
export interface WatchRecording {
  events: { type: string; object: any }[]
  /** Resolves with the error (or null) client-node passed to `done`. */
  done: Promise<any>
  abort(): void
}

/** Starts a real client-node `Watch` and records its events. */
export async function recordWatch(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined> = {},
): Promise<WatchRecording> {
  const events: { type: string; object: any }[] = []
  let resolveDone: (err: any) => void = () => {}
  const done = new Promise<any>((resolve) => {
    resolveDone = resolve
  })
  const controller = await new Watch(kc).watch(
    path,
    query,
    (type, object) => events.push({ type, object }),
    (err) => resolveDone(err ?? null),
  )
  return { events, done, abort: () => controller.abort() }
}
