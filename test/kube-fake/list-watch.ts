/**
 * `GET` on a collection: a list (`kind: <Kind>List`, `metadata.resourceVersion`, optional
 * `limit`/`continue`) or, with `watch=true|1`, a watch stream. Label and field selectors apply to
 * both.
 * @module
 */
import { badRequest, expired, jsonResponse } from './api-error.ts'
import type { ResourceInfo } from './kinds.ts'
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts'
import type { ServerContext } from './server-context.ts'
import type { KubeObject } from './types.ts'
import { watchResponse } from './watch-stream.ts'

function encodeContinue(rv: number, after: string): string {
  return Buffer.from(JSON.stringify({ rv, start: after })).toString('base64url')
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
    if (typeof parsed?.start === 'string' && typeof parsed?.rv === 'number') return parsed
  } catch {
    // fall through
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)')
}

function itemKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`
}

/** Serves a list or watch of one resource in one namespace (or all when undefined). */
export function listOrWatch(
  ctx: ServerContext,
  info: ResourceInfo,
  namespace: string | undefined,
  url: URL,
  signal: AbortSignal,
): Response {
  const q = url.searchParams
  const custom = info.group !== ''
  const labels = parseLabelSelector(q.get('labelSelector') ?? '')
  const fields = parseFieldSelector(q.get('fieldSelector') ?? '', info.plural, custom)
  const matches = (o: KubeObject) =>
    (namespace === undefined || o.metadata.namespace === namespace) &&
    matchesLabels(labels, o.metadata.labels) &&
    matchesFields(fields, info.plural, o)

  const watch = q.get('watch')
  if (watch === 'true' || watch === '1') {
    const rv = q.get('resourceVersion') ?? undefined
    if (rv !== undefined && rv !== '' && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${rv}`)
    if (ctx.faults.watchConnect410) throw expired(rv ?? '0', ctx.store.resourceVersion)
    const timeout = q.get('timeoutSeconds')
    return watchResponse({
      store: ctx.store,
      info,
      matches,
      resourceVersion: rv,
      timeoutSeconds: timeout ? Number(timeout) : undefined,
      bookmarkIntervalMs: q.get('allowWatchBookmarks') === 'true' ? ctx.bookmarkIntervalMs : undefined,
      registry: ctx.watches,
      signal,
    })
  }

  const rv = ctx.store.resourceVersion
  let items = ctx.store.list(info.plural, namespace).filter(matches)
  const token = q.get('continue')
  if (token) {
    const { start } = decodeContinue(token)
    items = items.filter((o) => itemKey(o) > start)
  }
  const limit = Number(q.get('limit') ?? 0)
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) }
  if (limit > 0 && items.length > limit) {
    metadata.continue = encodeContinue(rv, itemKey(items[limit - 1] as KubeObject))
    metadata.remainingItemCount = items.length - limit
    items = items.slice(0, limit)
  }
  // Typed core lists omit each item's kind and apiVersion; unstructured custom-resource lists keep them.
  const out = custom ? items : items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest)
  return jsonResponse({ apiVersion: info.apiVersion, kind: info.listKind, metadata, items: out })
}
