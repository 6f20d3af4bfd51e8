/**
 * @module
 * The page's addresses (pure): which view a path shows, and the addresses of views.
 */

/** A view and what its address says. */
export type Route =
  | { view: 'list'; status: string; name: string; after: string }
  | { view: 'detail'; id: string }
  | { view: 'create' }
  | { view: 'environments' }
  | { view: 'missing'; path: string }

/** The view an address shows. */
export function routeOf(pathname: string, search: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/'
  const q = new URLSearchParams(search)
  if (path === '/' || path === '/experiments')
    return { view: 'list', status: q.get('status') ?? '', name: q.get('name') ?? '', after: q.get('after') ?? '' }
  const detail = /^\/experiments\/([^/]+)$/.exec(path)
  if (detail) return { view: 'detail', id: decodeURIComponent(detail[1]!) }
  if (path === '/create') return { view: 'create' }
  if (path === '/environments') return { view: 'environments' }
  return { view: 'missing', path }
}

/** The list's address for a filter and page. */
export function listHref(status: string, name: string, after: string): string {
  const q = new URLSearchParams()
  if (status) q.set('status', status)
  if (name) q.set('name', name)
  if (after) q.set('after', after)
  const s = q.toString()
  return s ? `/experiments?${s}` : '/experiments'
}

/** A detail page's address. */
export const detailHref = (id: string): string => `/experiments/${encodeURIComponent(id)}`
