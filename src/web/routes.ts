/**
 * @module
 * The web page: each page address answers the same HTML document (so deep links and
 * reloads work) under a strict Content-Security-Policy; `/ui/<file>` serves the bundled
 * script and style, gzipped when the browser takes it, cached by content hash.
 */
import { Hono } from 'hono'
import { NotFoundError } from '../errors.ts'
import { webAssets } from './assets.ts'
import { pageHtml } from './page-html.ts'

/** The page addresses (the browser code's routes); anything else stays the API's 404. */
export const PAGE_PATHS = ['/', '/experiments', '/experiments/:id', '/create', '/environments'] as const

/** The policy the page runs under: nothing inline, nothing from elsewhere, never framed. */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; frame-ancestors 'none'"

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
}

/** What the page routes read. */
export interface WebRouteDeps {
  version: string
  /** The newest stored event's sequence (0 when none). */
  lastEventSeq(): number
}

/** The page routes. */
export function webRoutes(deps: WebRouteDeps): Hono {
  const app = new Hono({ strict: false })
  for (const path of PAGE_PATHS) {
    app.get(path, async () => {
      const html = pageHtml(await webAssets(), deps.version, deps.lastEventSeq())
      return new Response(html, { headers: PAGE_HEADERS })
    })
  }
  app.get('/ui/:file', async (c) => {
    const file = (await webAssets()).get(c.req.param('file'))
    if (!file)
      throw new NotFoundError(
        'ROUTE_NOT_FOUND',
        `No such page file: ${c.req.path}; the page has app.js, app.css and icon.svg`,
      )
    const headers: Record<string, string> = {
      'content-type': file.type,
      etag: file.etag,
      vary: 'accept-encoding',
      'x-content-type-options': 'nosniff',
      // Links carry ?v=<hash>: a changed file has a new address, so a cached one may be kept.
      'cache-control': c.req.query('v') === file.etag.slice(1, -1) ? 'public, max-age=31536000, immutable' : 'no-cache',
    }
    if (c.req.header('if-none-match') === file.etag) return new Response(null, { status: 304, headers })
    if (/\bgzip\b/.test(c.req.header('accept-encoding') ?? ''))
      return new Response(file.gzip, { headers: { ...headers, 'content-encoding': 'gzip' } })
    return new Response(file.body, { headers })
  })
  return app
}
