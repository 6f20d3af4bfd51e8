/**
 * @module
 * The only importer of @kubernetes/client-node: loads the cluster configuration
 * (kubeconfig file or text, context, or the pod's service account) and implements
 * the {@link KubePort} over it.
 *
 * Requests go through Bun's `fetch` with the cluster's TLS material passed as Bun's
 * `tls` option. client-node hands TLS settings to undici as a `dispatcher`, which
 * Bun's built-in `undici` ignores: with the library's own transport, every cluster
 * with a private CA (in-cluster included) fails with "self signed certificate".
 * Authentication still comes from client-node (`applySecurityAuthentication`: tokens,
 * token files, exec and OIDC plugins). Custom objects use the generated
 * `CustomObjectsApi` over that transport; watches and pod logs are streamed directly
 * so that errors keep their `Status` body (client-node's `Log` drops it).
 */
import {
  bufferFromFileOrString,
  CustomObjectsApi,
  createConfiguration,
  HttpMethod,
  KubeConfig,
  PatchStrategy,
  RequestContext,
  ResponseContext,
  ServerConfiguration,
  setHeaderOptions,
  wrapHttpLibrary,
} from '@kubernetes/client-node'
import { errorText } from '../../src/errors.ts'
import { readLines } from '../common/line-splitter.ts'
import type { KubePort, PodLogOptions, ResourceRef, WatchOptions } from './backend-port.ts'
import { KubeApiError, KubeTimeoutError, kubeFailure, parseStatus } from './errors.ts'
import type { KubeflowJobObject, KubeList, KubeObject, WatchEvent } from './kube-types.ts'

/** Longest watch event line accepted; longer ones would be cut and fail to parse. */
const WATCH_EVENT_MAX_BYTES = 16 << 20

/** Where the cluster configuration comes from (parsed at the edge, see `options.ts`). */
export interface KubeConnection {
  /** Kubeconfig path, or several joined with `:` as in `KUBECONFIG` (merged, first file wins). */
  kubeconfig?: string
  /** Kubeconfig contents (tests, or a config passed in without a file). */
  kubeconfigYaml?: string
  /** Context to use instead of the kubeconfig's current-context. */
  context?: string
  /** Use the pod's service account (`/var/run/secrets/kubernetes.io/serviceaccount`). */
  inCluster?: boolean
  /**
   * Limit for each call, in ms (default {@link DEFAULT_REQUEST_TIMEOUT_MS}): a whole answer for
   * the plain verbs, the response headers for watches and log follows (which then stream).
   */
  requestTimeoutMs?: number
}

/** Default of {@link KubeConnection.requestTimeoutMs}. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000

/**
 * Loads the configuration. In-cluster loading is client-node's `loadFromCluster`, which
 * reads `KUBERNETES_SERVICE_HOST`/`_PORT` itself (the library's boundary, not ours).
 * @throws Error naming what is wrong (missing file, unknown context, no cluster)
 */
export function loadKubeConfig(connection: KubeConnection): KubeConfig {
  const kc = new KubeConfig()
  try {
    if (connection.kubeconfigYaml !== undefined) {
      kc.loadFromString(connection.kubeconfigYaml)
    } else if (connection.kubeconfig) {
      const [first, ...rest] = connection.kubeconfig.split(':').filter((p) => p !== '')
      kc.loadFromFile(first!)
      // As kubectl merges KUBECONFIG: the first file that names a cluster, user or context wins.
      for (const path of rest) {
        const more = new KubeConfig()
        more.loadFromFile(path)
        for (const c of more.getClusters()) if (!kc.getCluster(c.name)) kc.addCluster(c)
        for (const u of more.getUsers()) if (!kc.getUser(u.name)) kc.addUser(u)
        for (const c of more.getContexts()) if (!kc.getContextObject(c.name)) kc.addContext(c)
        if (!kc.getCurrentContext()) kc.setCurrentContext(more.getCurrentContext())
      }
    } else if (connection.inCluster) {
      kc.loadFromCluster()
    } else {
      throw new Error(
        'no cluster configured: pass --kubeconfig (or set KUBECONFIG), or run in a pod with a service account',
      )
    }
  } catch (err) {
    throw new Error(`kubernetes runtime: cannot load the cluster configuration: ${errorText(err)}`, { cause: err })
  }
  if (connection.context) {
    if (!kc.getContextObject(connection.context)) {
      throw new Error(
        `kubernetes runtime: context "${connection.context}" is not in the kubeconfig (known: ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        })`,
      )
    }
    kc.setCurrentContext(connection.context)
  }
  if (!kc.getCurrentCluster())
    throw new Error('kubernetes runtime: the kubeconfig has no current cluster (set current-context or pass --context)')
  return kc
}

/** Creates the port for a configuration. */
export function createKubeClient(connection: KubeConnection | KubeConfig): KubePort {
  if (connection instanceof KubeConfig) return new ClientNodePort(connection, DEFAULT_REQUEST_TIMEOUT_MS)
  return new ClientNodePort(loadKubeConfig(connection), connection.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)
}

type FetchInit = RequestInit & { tls?: Record<string, unknown>; proxy?: string }

class ClientNodePort implements KubePort {
  readonly server: string
  readonly #kc: KubeConfig
  readonly #api: CustomObjectsApi
  readonly #init: Pick<FetchInit, 'tls' | 'proxy'>
  readonly #timeoutMs: number

  constructor(kc: KubeConfig, timeoutMs: number) {
    this.#timeoutMs = timeoutMs
    const cluster = kc.getCurrentCluster()!
    const user = kc.getCurrentUser()
    this.#kc = kc
    this.server = cluster.server.replace(/\/+$/, '')
    const tls: Record<string, unknown> = {}
    const ca = bufferFromFileOrString(cluster.caFile, cluster.caData)
    if (ca) tls.ca = ca.toString()
    const cert = user && bufferFromFileOrString(user.certFile, user.certData)
    const key = user && bufferFromFileOrString(user.keyFile, user.keyData)
    if (cert) tls.cert = cert.toString()
    if (key) tls.key = key.toString()
    if (cluster.skipTLSVerify) tls.rejectUnauthorized = false
    if (cluster.tlsServerName) tls.serverName = cluster.tlsServerName
    this.#init = {
      ...(Object.keys(tls).length > 0 ? { tls } : {}),
      ...(cluster.proxyUrl?.startsWith('http') ? { proxy: cluster.proxyUrl } : {}),
    }
    const httpApi = wrapHttpLibrary({ send: (request) => this.#send(request) })
    this.#api = new CustomObjectsApi(
      createConfiguration({
        baseServer: new ServerConfiguration(this.server, {}),
        authMethods: { default: kc },
        httpApi,
      }),
    )
  }

  async create(ref: ResourceRef, body: object): Promise<KubeObject> {
    return call(() => this.#api.createNamespacedCustomObject({ ...crd(ref), body, fieldValidation: 'Strict' }))
  }

  async get(ref: ResourceRef, name: string): Promise<KubeflowJobObject> {
    return call(() => this.#api.getNamespacedCustomObject({ ...crd(ref), name }))
  }

  async list(ref: ResourceRef, labelSelector: string): Promise<KubeList> {
    if (ref.group !== '') return call(() => this.#api.listNamespacedCustomObject({ ...crd(ref), labelSelector }))
    const limit = AbortSignal.timeout(this.#timeoutMs)
    try {
      const response = await this.#request(collectionPath(ref), { labelSelector }, limit)
      if (!response.ok) throw await apiError(response)
      return (await response.json()) as KubeList
    } catch (err) {
      throw limit.aborted ? this.#timedOut() : err
    }
  }

  async mergePatch(ref: ResourceRef, name: string, patch: object): Promise<KubeObject> {
    return call(() =>
      this.#api.patchNamespacedCustomObject(
        { ...crd(ref), name, body: patch },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    )
  }

  async delete(ref: ResourceRef, name: string): Promise<void> {
    await call(() => this.#api.deleteNamespacedCustomObject({ ...crd(ref), name, propagationPolicy: 'Background' }))
  }

  async watch(
    ref: ResourceRef,
    options: WatchOptions,
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
    onOpen?: () => void,
  ): Promise<void> {
    // A stream that stays silent past the server's own timeout is a dead connection.
    const idle = new AbortController()
    const idleMs = (options.timeoutSeconds + 30) * 1000
    let timer = setTimeout(() => idle.abort(), idleMs)
    const both = AbortSignal.any([signal, idle.signal])
    try {
      const response = await this.#request(
        collectionPath(ref),
        {
          watch: 'true',
          labelSelector: options.labelSelector,
          resourceVersion: options.resourceVersion,
          allowWatchBookmarks: 'true',
          timeoutSeconds: String(options.timeoutSeconds),
        },
        both,
      )
      if (response.status !== 200) throw await apiError(response)
      onOpen?.()
      if (!response.body) return
      // An event carries a whole object, which the API server allows up to about 1.5 MiB (etcd's limit).
      for await (const lines of readLines(response.body, WATCH_EVENT_MAX_BYTES)) {
        clearTimeout(timer)
        timer = setTimeout(() => idle.abort(), idleMs)
        for (const line of lines) {
          if (line.trim() === '') continue
          let event: WatchEvent
          try {
            event = JSON.parse(line) as WatchEvent
          } catch {
            continue
          }
          if (event && typeof event.type === 'string' && event.object) onEvent(event)
        }
      }
    } catch (err) {
      if (both.aborted) return
      throw err
    } finally {
      clearTimeout(timer)
    }
  }

  async podLog(
    namespace: string,
    pod: string,
    options: PodLogOptions,
    signal: AbortSignal,
  ): Promise<ReadableStream<Uint8Array>> {
    const query: Record<string, string> = {
      container: options.container,
      follow: String(options.follow),
      timestamps: String(options.timestamps),
    }
    if (options.sinceTime) query.sinceTime = options.sinceTime
    if (options.previous) query.previous = 'true'
    const response = await this.#request(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
      query,
      signal,
    )
    if (response.status !== 200) throw await apiError(response)
    return response.body ?? new ReadableStream({ start: (c) => c.close() })
  }

  /**
   * A GET with this configuration's authentication and TLS. The response headers must arrive
   * within the limit (a stream may then stay open); `signal` ends the request at any time.
   * @throws KubeTimeoutError when no headers came in time
   */
  async #request(path: string, query: Record<string, string>, signal?: AbortSignal): Promise<Response> {
    const url = new URL(this.server + path)
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v)
    const ctx = new RequestContext(url.toString(), HttpMethod.GET)
    await this.#kc.applySecurityAuthentication(ctx)
    const headers = new AbortController()
    const timer = setTimeout(() => headers.abort(), this.#timeoutMs)
    try {
      const both = signal ? AbortSignal.any([signal, headers.signal]) : headers.signal
      return await fetch(url, { method: 'GET', headers: ctx.getHeaders(), signal: both, ...this.#init } as FetchInit)
    } catch (err) {
      throw headers.signal.aborted && !signal?.aborted ? this.#timedOut() : err
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * client-node's HTTP library, over Bun's fetch (see the module comment);
   * the whole answer must come within the limit.
   */
  async #send(request: RequestContext): Promise<ResponseContext> {
    const limit = AbortSignal.timeout(this.#timeoutMs)
    const caller = request.getSignal()
    let response: Response
    let body: Buffer
    try {
      response = await fetch(request.getUrl(), {
        method: request.getHttpMethod(),
        headers: request.getHeaders(),
        body: request.getBody(),
        signal: caller ? AbortSignal.any([caller as AbortSignal, limit]) : limit,
        ...this.#init,
      } as FetchInit)
      body = Buffer.from(await response.arrayBuffer())
    } catch (err) {
      throw limit.aborted ? this.#timedOut() : err
    }
    const headers: Record<string, string> = {}
    response.headers.forEach((value, name) => {
      headers[name] = value
    })
    return new ResponseContext(response.status, headers, {
      text: async () => body.toString('utf8'),
      binary: async () => body,
      stream: () => null,
    })
  }

  #timedOut(): KubeTimeoutError {
    return new KubeTimeoutError(
      `timed out after ${this.#timeoutMs} ms talking to the Kubernetes API server at ${this.server}`,
    )
  }
}

function crd(ref: ResourceRef) {
  return { group: ref.group, version: ref.version, namespace: ref.namespace, plural: ref.plural }
}

function collectionPath(ref: ResourceRef): string {
  const ns = `namespaces/${encodeURIComponent(ref.namespace)}/${ref.plural}`
  return ref.group === '' ? `/api/${ref.version}/${ns}` : `/apis/${ref.group}/${ref.version}/${ns}`
}

/** Runs a generated-client call, turning its ApiException into a KubeApiError with the Status body. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    const f = kubeFailure(err)
    if (f.code === null) throw err
    throw new KubeApiError(f.code, f.status, f.message)
  }
}

async function apiError(response: Response): Promise<KubeApiError> {
  const text = await response.text().catch(() => '')
  const status = parseStatus(text)
  return new KubeApiError(response.status, status, status?.message || `${response.status} ${response.statusText}`)
}
