/**
 * @module
 * The page's addresses: which view a path shows (pure), and moving between them with
 * the History API so that back, forward and reload all land on the same view.
 */
import { useEffect, useState } from 'preact/hooks'

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

const CHANGE = 'periscope:navigate'

/** Goes to `href` in the page (a history entry unless `replace`). */
export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href)
  else history.pushState(null, '', href)
  dispatchEvent(new Event(CHANGE))
}

/** The current route, updated on navigation and on back/forward. */
export function useRoute(): Route {
  const read = () => routeOf(location.pathname, location.search)
  const [route, setRoute] = useState(read)
  useEffect(() => {
    const update = () => setRoute(read())
    addEventListener('popstate', update)
    addEventListener(CHANGE, update)
    return () => {
      removeEventListener('popstate', update)
      removeEventListener(CHANGE, update)
    }
  }, [])
  return route
}

/** A click on a link that the page handles itself (not a new tab or window). */
export function isPlainClick(e: MouseEvent): boolean {
  return e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey && !e.defaultPrevented
}
