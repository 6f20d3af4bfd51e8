/** @jsxImportSource preact */
/**
 * @module
 * The browser entry: draws the page into `#app`.
 */
import { render } from 'preact'
import { App } from './app.tsx'
import { prefetchList } from './pages/experiment-list.tsx'
import { routeOf } from './router.ts'

const route = routeOf(location.pathname, location.search)
if (route.view === 'list') prefetchList(route.status, route.name, route.after)

const root = document.getElementById('app')
if (root) {
  root.textContent = ''
  render(<App />, root)
}
