/**
 * The fake API server's single `fetch` handler: fault injection, bearer-token auth, path routing,
 * CRD installation, RBAC refusals, then the resource handlers. Every error leaves as a `Status`.
 * @module
 */
import { ApiError, forbidden, resourceNotServed, unauthorized } from './api-error.ts'
import { handleCoreResource } from './core-resources.ts'
import { handleCustomResource } from './custom-resources.ts'
import { discovery } from './discovery.ts'
import { CORE_KINDS, JOB_KINDS, KUBEFLOW_GROUP, type ResourceInfo } from './kinds.ts'
import type { ServerContext } from './server-context.ts'

/** A parsed resource path. */
export interface ResourcePath {
  group: string
  version: string
  namespace?: string
  plural: string
  name?: string
  subresource?: string
}

/** Parses `/api/v1/...` and `/apis/{group}/{version}/...` resource paths. */
export function parseResourcePath(pathname: string): ResourcePath | undefined {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent)
  let group: string
  let version: string
  let rest: string[]
  if (parts[0] === 'api' && parts.length >= 3) {
    group = ''
    version = parts[1] as string
    rest = parts.slice(2)
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] as string
    version = parts[2] as string
    rest = parts.slice(3)
  } else return undefined
  let namespace: string | undefined
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]
    rest = rest.slice(2)
  }
  if (rest.length < 1 || rest.length > 3) return undefined
  const [plural, name, subresource] = rest as [string, string | undefined, string | undefined]
  return { group, version, namespace, plural, name, subresource }
}

/** The RBAC verb of a request. */
export function requestVerb(method: string, path: ResourcePath, url: URL): string {
  const watch = url.searchParams.get('watch')
  switch (method) {
    case 'GET':
      if (path.name !== undefined) return 'get'
      return watch === 'true' || watch === '1' ? 'watch' : 'list'
    case 'POST':
      return 'create'
    case 'PUT':
      return 'update'
    case 'PATCH':
      return 'patch'
    case 'DELETE':
      return path.name !== undefined ? 'delete' : 'deletecollection'
    default:
      return method.toLowerCase()
  }
}

function resolve(path: ResourcePath): ResourceInfo | undefined {
  if (path.group === '' && path.version === 'v1') return CORE_KINDS[path.plural]
  if (path.group === KUBEFLOW_GROUP && path.version === 'v1') return JOB_KINDS[path.plural]
  return undefined
}

const isTrue = (v: string | null) => v === 'true' || v === '1'

async function route(ctx: ServerContext, req: Request): Promise<Response> {
  const url = new URL(req.url)
  ctx.requests.push({
    at: Date.now(),
    method: req.method,
    path: url.pathname + url.search,
    watch: isTrue(url.searchParams.get('watch')),
    follow: url.pathname.endsWith('/log') && isTrue(url.searchParams.get('follow')),
  })
  // Accepted and never answered: the connection stays open and silent until the client gives up.
  if (ctx.faults.takeHang(req.method, url.pathname + url.search)) return new Promise<Response>(() => {})
  const injected = ctx.faults.take(req.method, url.pathname + url.search)
  if (injected) throw injected
  if (req.headers.get('authorization') !== `Bearer ${ctx.token}`) throw unauthorized()
  const served = discovery(ctx, req.method, url.pathname)
  if (served) return served
  const path = parseResourcePath(url.pathname)
  if (!path) throw resourceNotServed()
  if (path.group === KUBEFLOW_GROUP && !ctx.installed()) throw resourceNotServed()
  const info = resolve(path)
  if (!info) throw resourceNotServed()
  const verb = requestVerb(req.method, path, url)
  const rbacResource = path.subresource ? `${path.plural}/${path.subresource}` : path.plural
  if (ctx.faults.isForbidden(verb, rbacResource))
    throw forbidden(info, verb, rbacResource, ctx.user, path.namespace, path.name)
  if (JOB_KINDS[info.plural]) {
    return handleCustomResource(
      ctx,
      req,
      url,
      JOB_KINDS[info.plural] as (typeof JOB_KINDS)[string],
      path.namespace,
      path.name,
      path.subresource,
    )
  }
  return handleCoreResource(ctx, req, url, info, path.namespace, path.name, path.subresource)
}

/** Builds the server's fetch handler. */
export function createFetchHandler(ctx: ServerContext): (req: Request) => Promise<Response> {
  return async function handleRequest(req: Request): Promise<Response> {
    try {
      return await route(ctx, req)
    } catch (err) {
      if (err instanceof ApiError) return err.toResponse()
      console.error('kube-fake: internal error', err)
      return new ApiError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`, {}).toResponse()
    }
  }
}
