/**
 * Core endpoints the training workflow reads: pods (list/watch/get/delete, log), services and
 * events (list/watch/get; services can be deleted).
 * @module
 */
import { ApiError, badRequest, jsonResponse, methodNotAllowed, notFound } from './api-error.ts'
import type { ResourceInfo } from './kinds.ts'
import { listOrWatch } from './list-watch.ts'
import { podLog } from './pod-log.ts'
import type { ServerContext } from './server-context.ts'
import type { Json } from './types.ts'

async function deleteOptions(req: Request): Promise<Json> {
  const text = await req.text()
  if (text.trim() === '') return {}
  try {
    return JSON.parse(text)
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`)
  }
}

/** Routes a request on a core resource. */
export async function handleCoreResource(
  ctx: ServerContext,
  req: Request,
  url: URL,
  info: ResourceInfo,
  namespace: string | undefined,
  name?: string,
  sub?: string,
): Promise<Response> {
  if (name === undefined) {
    if (req.method === 'GET') return listOrWatch(ctx, info, namespace, url, req.signal)
    throw methodNotAllowed(req.method)
  }
  if (namespace === undefined)
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {})
  if (sub === 'log' && info.plural === 'pods' && req.method === 'GET')
    return podLog(ctx, namespace, name, url, req.signal)
  if (sub !== undefined) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {})
  if (req.method === 'GET') {
    const obj = ctx.store.get(info.plural, namespace, name)
    if (!obj) throw notFound(info, name)
    return jsonResponse(obj)
  }
  if (req.method === 'DELETE' && info.plural === 'pods') {
    const options = await deleteOptions(req)
    const grace = options.gracePeriodSeconds ?? url.searchParams.get('gracePeriodSeconds') ?? undefined
    if (!ctx.store.get('pods', namespace, name)) throw notFound(info, name)
    const deleting = ctx.deletePod(namespace, name, grace === undefined ? undefined : Number(grace))
    return jsonResponse(deleting)
  }
  if (req.method === 'DELETE' && info.plural === 'services') {
    await deleteOptions(req)
    const current = ctx.store.get('services', namespace, name)
    if (!current) throw notFound(info, name)
    ctx.deleteObject('services', namespace, name)
    return jsonResponse({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, kind: 'services', uid: current.metadata.uid },
    })
  }
  throw methodNotAllowed(req.method)
}
