/**
 * `startFakeKube`: a protocol-faithful Kubernetes API server on a loopback port, with a simulated
 * Kubeflow training operator and kubelet, for testing code that uses the real
 * `@kubernetes/client-node`.
 * @module
 */
import { rfc3339 } from './clock.ts'
import { LogRegistry } from './container-logs.ts'
import { CRD_DIRS } from './crd-schema.ts'
import { EventRecorder } from './event-recorder.ts'
import { FaultInjector, type RequestMatch } from './fault-injector.ts'
import { GarbageCollector } from './garbage-collector.ts'
import { serveFetch } from './http-server.ts'
import { JOB_KINDS } from './kinds.ts'
import { kubeconfigYaml } from './kubeconfig.ts'
import { Kubelet } from './kubelet.ts'
import { ObjectStore } from './object-store.ts'
import { createFetchHandler } from './request-router.ts'
import type { OpenLogFollow, RecordedRequest, ServerContext } from './server-context.ts'
import { TrainingOperator } from './training-operator.ts'
import type { KubeObject } from './types.ts'
import type { OpenWatch } from './watch-stream.ts'

/** Options of {@link startFakeKube}. */
export interface FakeKubeOptions {
  /** Namespace of the kubeconfig context and of the RBAC user. Default `default`. */
  namespace?: string
  /** Serve tfjobs, pytorchjobs and xgboostjobs. Default true; false → 404 for kubeflow.org paths. */
  installCrds?: boolean
  /** Kubelet CrashLoopBackOff base delay (doubles per restart, capped at 30×). Default 50. */
  restartBackoffMs?: number
  /** Really run containers' commands as local processes. Default true. */
  runPods?: boolean
  /** Period of BOOKMARK events on watches with `allowWatchBookmarks=true`. Default 1000. */
  bookmarkIntervalMs?: number
  /** How long new pods wait in ContainerCreating before their containers start. Default 0. */
  podStartDelayMs?: number
  /** History kept for watches, in events (all resources share one ring). Default 1000. */
  historySize?: number
  /** Folders searched for the Kubeflow CRD YAML files. */
  crdDirs?: readonly string[]
  /** What an image's entrypoint runs as a local process, for containers that give no command. */
  images?: Readonly<Record<string, readonly string[]>>
}

/** A running fake API server. */
export interface FakeKube {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** A kubeconfig YAML (http server, insecure, bearer-token user) for `KubeConfig.loadFromString`. */
  kubeconfig(): string
  /** Stops the server, kills every container process, closes every stream. Safe to call twice. */
  stop(): Promise<void>
  /** A copy of one stored object (`plural` e.g. `tfjobs`, `pods`), or undefined. */
  getObject(plural: string, namespace: string, name: string): any | undefined
  /** Copies of stored objects of a resource, optionally in one namespace. */
  listObjects(plural: string, namespace?: string): any[]
  /**
   * Every request received so far, in arrival order (a copy). With `clearRequests`, a request
   * counter: `method path`, arrival time, and whether it is a watch or a log follow.
   */
  requests(): RecordedRequest[]
  /** Forgets the requests received so far. */
  clearRequests(): void
  /** The current global resourceVersion. */
  resourceVersion(): string
  /**
   * Fails the next `times` (default 1) matching requests with a real Status for `status`
   * (429/503 carry Retry-After).
   */
  failNext(match: RequestMatch, status: number, times?: number): void
  /** Accepts the next `times` (default 1) matching requests and never answers them. */
  hangNext(match: RequestMatch, times?: number): void
  /** RBAC refusal of a verb (`create`, `list`, `watch`, `*`…) on a resource (`tfjobs`, `pods/log`…). */
  forbid(verb: string, plural: string): void
  /** Makes the validating webhook deny every create/update of a kind (`TFJob`) with this message. */
  denyWebhook(kind: string, message: string): void
  /** Removes every injected fault (failNext, hangNext, forbid, denyWebhook, connect 410). */
  clearFaults(): void
  /** Cuts every open watch stream mid-stream. */
  dropWatches(): void
  /**
   * Ends every open log follow while its container runs on: `'end'` closes the response cleanly
   * (the kubelet behind the API server restarted), `'reset'` cuts the connection.
   */
  cutLogFollows(how: 'end' | 'reset'): void
  /** Forgets all watch history: a watch from an older resourceVersion gets an in-stream 410 Expired. */
  expireWatches(): void
  /** When on, every watch connect is answered with HTTP 410 Expired. */
  setWatchConnect410(on: boolean): void
  /** Installs or uninstalls the Kubeflow CRDs (uninstalling deletes every job, cascading). */
  setInstalled(on: boolean): void
  /** Appends a line to the current instance of a container's log. */
  appendLog(namespace: string, pod: string, container: string, line: string): void
  /** Makes the running instance of a container exit with a code (its process is killed). */
  exitContainer(namespace: string, pod: string, container: string, code: number): void
}

/**
 * Starts a fake Kubernetes API server with a simulated training operator and kubelet.
 * @example
 * const fake = await startFakeKube()
 * const kc = new KubeConfig()
 * kc.loadFromString(fake.kubeconfig())
 * const api = kc.makeApiClient(CustomObjectsApi)
 * // …
 * await fake.stop()
 */
export async function startFakeKube(opts: FakeKubeOptions = {}): Promise<FakeKube> {
  const namespace = opts.namespace ?? 'default'
  const store = new ObjectStore(opts.historySize ?? 1000)
  const logs = new LogRegistry()
  const faults = new FaultInjector()
  const watches = new Set<OpenWatch>()
  const logFollows = new Set<OpenLogFollow>()
  const requests: RecordedRequest[] = []
  const events = new EventRecorder(store)
  const token = `kube-fake-${crypto.randomUUID()}`
  let installed = opts.installCrds ?? true

  const deletePod = (ns: string, name: string, graceSeconds?: number): KubeObject | undefined => {
    const pod = store.get('pods', ns, name)
    if (!pod || pod.metadata.deletionTimestamp) return pod
    pod.metadata.deletionTimestamp = rfc3339()
    pod.metadata.deletionGracePeriodSeconds = graceSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30
    return store.update('pods', pod)
  }
  const gc = new GarbageCollector(store, (ns, name) => deletePod(ns, name), Object.keys(JOB_KINDS))
  const deleteObject = (plural: string, ns: string, name: string, orphan = false): KubeObject | undefined => {
    const current = store.get(plural, ns, name)
    if (!current) return undefined
    if (orphan) gc.orphanOnDelete(current.metadata.uid as string)
    if (plural === 'pods') return deletePod(ns, name)
    return store.remove(plural, ns, name)
  }
  const kubelet = new Kubelet(store, logs, {
    runPods: opts.runPods ?? true,
    restartBackoffMs: opts.restartBackoffMs ?? 50,
    startDelayMs: opts.podStartDelayMs ?? 0,
    images: opts.images,
  })
  const operator = new TrainingOperator({
    store,
    events,
    deletePod: (ns, name) => deletePod(ns, name),
    deleteJob: (p, ns, name) => deleteObject(p, ns, name),
  })
  gc.start()
  kubelet.start()
  operator.start()

  let address = ''
  const ctx: ServerContext = {
    store,
    logs,
    faults,
    requests,
    watches,
    logFollows,
    user: `system:serviceaccount:${namespace}:periscope`,
    token,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 1000,
    address: () => address,
    installed: () => installed,
    crdDirs: opts.crdDirs ?? CRD_DIRS,
    deletePod,
    deleteObject,
  }
  const server = await serveFetch(createFetchHandler(ctx))
  address = `127.0.0.1:${server.port}`
  const url = `http://${address}`
  let stopped: Promise<void> | undefined

  return {
    url,
    kubeconfig: () => kubeconfigYaml(url, token, namespace),
    stop() {
      stopped ??= (async () => {
        operator.stop()
        for (const w of [...watches]) w.close()
        await kubelet.stop()
        gc.stop()
        await server.close()
      })()
      return stopped
    },
    getObject: (plural, ns, name) => store.get(plural, ns, name),
    listObjects: (plural, ns) => store.list(plural, ns),
    requests: () => requests.map((r) => ({ ...r })),
    clearRequests() {
      requests.length = 0
    },
    resourceVersion: () => String(store.resourceVersion),
    failNext: (match, status, times) => faults.failNext(match, status, times),
    hangNext: (match, times) => faults.hangNext(match, times),
    forbid: (verb, plural) => faults.forbid(verb, plural),
    denyWebhook: (kind, message) => faults.denyWebhook(kind, message),
    clearFaults: () => faults.clear(),
    dropWatches() {
      for (const w of [...watches]) w.drop()
    },
    cutLogFollows(how) {
      for (const f of [...logFollows]) {
        if (how === 'end') f.end()
        else f.drop()
      }
    },
    expireWatches: () => store.compact(),
    setWatchConnect410(on) {
      faults.watchConnect410 = on
    },
    setInstalled(on) {
      if (installed === on) return
      installed = on
      if (on) return
      // Removing a CRD removes its objects (and, through the garbage collector, their pods) and ends its watches.
      for (const plural of Object.keys(JOB_KINDS)) {
        for (const job of store.list(plural)) deleteObject(plural, job.metadata.namespace as string, job.metadata.name)
      }
      for (const w of [...watches]) if (JOB_KINDS[w.plural]) w.close()
    },
    appendLog: (ns, pod, container, line) => kubelet.appendLog(ns, pod, container, line),
    exitContainer: (ns, pod, container, code) => kubelet.exitContainer(ns, pod, container, code),
  }
}
