/**
 * What every route handler of the fake API server can reach.
 * @module
 */
import type { LogRegistry } from './container-logs.ts'
import type { FaultInjector } from './fault-injector.ts'
import type { ObjectStore } from './object-store.ts'
import type { KubeObject } from './types.ts'
import type { OpenWatch } from './watch-stream.ts'

/** One request the fake received, in arrival order (see `FakeKube.requests`). */
export interface RecordedRequest {
  /** `Date.now()` on arrival. */
  at: number
  method: string
  /** Path and query, e.g. `/api/v1/namespaces/default/pods?watch=true`. */
  path: string
  /** A watch (`watch=true` or `watch=1`). */
  watch: boolean
  /** A log follow (`follow=true` on `pods/log`). */
  follow: boolean
}

/** An open `follow=true` log response the fake can end or cut. */
export interface OpenLogFollow {
  /**
   * Ends the response cleanly while the container runs on: what a client sees when the kubelet
   * behind the API server restarts (the API server ends the proxied stream).
   */
  end(): void
  /** Cuts the connection mid-stream (the client sees a reset, as when the API server restarts). */
  drop(): void
}

/** Shared state and actions of one fake server. */
export interface ServerContext {
  store: ObjectStore
  logs: LogRegistry
  faults: FaultInjector
  /** Every request received, in order (appended before routing, faults included). */
  requests: RecordedRequest[]
  /** Open watch streams, for `dropWatches`. */
  watches: Set<OpenWatch>
  /** Open log follows, for `cutLogFollows`. */
  logFollows: Set<OpenLogFollow>
  /** The user RBAC messages name. */
  user: string
  /** The bearer token requests must carry. */
  token: string
  /** BOOKMARK period for watches that ask for bookmarks. */
  bookmarkIntervalMs: number
  /** `host:port` the server listens on (discovery). */
  address: () => string
  /** Whether the Kubeflow CRDs are installed right now. */
  installed: () => boolean
  /** CRD folders to read schemas from. */
  crdDirs: readonly string[]
  /** Graceful pod deletion: sets deletionTimestamp; the kubelet stops the pod and removes it. */
  deletePod: (namespace: string, name: string, graceSeconds?: number) => KubeObject | undefined
  /** Removes any object; dependents follow through ownerReferences unless orphaned. */
  deleteObject: (plural: string, namespace: string, name: string, orphan?: boolean) => KubeObject | undefined
}
