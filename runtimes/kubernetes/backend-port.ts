/**
 * @module
 * The subset of the Kubernetes API this runtime needs, as a narrow port.
 * `backend-client.ts` implements it over @kubernetes/client-node; nothing else in the
 * runtime knows the client library. Every method rejects with a
 * {@link KubeApiError} for an HTTP error (carrying the `Status` body) or with the
 * transport's error when the API server could not be reached.
 */
import type { KubeflowJobObject, KubeList, KubeObject, PodObject, WatchEvent } from './kube-types.ts'

/** A namespaced collection: `{group}/{version}` `{plural}` in `{namespace}`; group `''` is the core API. */
export interface ResourceRef {
  group: string
  version: string
  plural: string
  namespace: string
}

export interface WatchOptions {
  labelSelector: string
  /** Resume point; the list's or the last event's resourceVersion. */
  resourceVersion: string
  /** Server-side stream lifetime. */
  timeoutSeconds: number
}

export interface PodLogOptions {
  container: string
  follow: boolean
  /** Prefix every line with its RFC3339Nano time. */
  timestamps: boolean
  /** Only lines at or after this time (RFC 3339). */
  sinceTime?: string
  /** The previous, terminated instance of the container. */
  previous?: boolean
}

/** What the runtime asks of the API server. */
export interface KubePort {
  /** The API server's address, for messages. */
  readonly server: string
  /** POST with `fieldValidation=Strict`, so an unknown field is an error rather than silently pruned. */
  create(ref: ResourceRef, body: object): Promise<KubeObject>
  get(ref: ResourceRef, name: string): Promise<KubeflowJobObject>
  list(ref: ResourceRef, labelSelector: string): Promise<KubeList>
  /** `application/merge-patch+json` (RFC 7386). */
  mergePatch(ref: ResourceRef, name: string, patch: object): Promise<KubeObject>
  delete(ref: ResourceRef, name: string): Promise<void>
  /**
   * Streams watch events until the server ends the stream (resolves), the signal
   * aborts (resolves) or the connection fails (rejects). An HTTP error at connect
   * rejects with a KubeApiError; an in-stream error arrives as an `ERROR` event.
   * `onOpen` is called once the server has accepted the watch.
   */
  watch(
    ref: ResourceRef,
    options: WatchOptions,
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
    onOpen?: () => void,
  ): Promise<void>
  /** Opens a pod's log; the stream ends when a followed container instance exits. */
  podLog(
    namespace: string,
    pod: string,
    options: PodLogOptions,
    signal: AbortSignal,
  ): Promise<ReadableStream<Uint8Array>>
}

/** Pods in a namespace, as a {@link ResourceRef}. */
export function podsRef(namespace: string): ResourceRef {
  return { group: '', version: 'v1', plural: 'pods', namespace }
}

/** Narrows a list of the core API to pods. */
export type PodList = KubeList<PodObject>
