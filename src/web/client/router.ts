/**
 * @module
 * Moving between the page's views with the History API, so that back, forward and
 * reload all land on the same view (`routes.ts` maps addresses to views).
 */
import { useEffect, useState } from 'preact/hooks'
import { type Route, routeOf } from './routes.ts'

export { detailHref, listHref, type Route, routeOf } from './routes.ts'

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
