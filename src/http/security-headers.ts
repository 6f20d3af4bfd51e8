/**
 * @module
 * Headers on every answer: no MIME sniffing, no Referer leaving the API, no framing.
 * Pages (HTML) get {@link PAGE_CSP}; everything else a CSP that allows nothing, so an
 * answer opened in a browser can never run script.
 */
import type { Context } from 'hono'

/** The Content-Security-Policy of HTML pages this server serves: its own scripts and styles, no framing. */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/** The Content-Security-Policy of every other answer (JSON, streams). */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'"

/** The security headers of a JSON answer, for answers made with them (see {@link secured}). */
export const API_SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': API_CSP,
} as const

const madeSecure = new WeakSet<Response>()

/**
 * Marks a response made with {@link API_SECURITY_HEADERS}, which {@link addSecurityHeaders}
 * then leaves alone (setting five headers on every answer was a tenth of a kept read's time).
 */
export function secured(res: Response): Response {
  madeSecure.add(res)
  return res
}

/** Adds the security headers to whatever the app answered, errors included (an `AnswerFinish`). */
export function addSecurityHeaders(c: Context): void {
  if (madeSecure.has(c.res)) return
  const headers = c.res.headers
  headers.set('x-content-type-options', 'nosniff')
  headers.set('referrer-policy', 'no-referrer')
  headers.set('x-frame-options', 'DENY')
  if (!headers.has('content-security-policy')) {
    const html = (headers.get('content-type') ?? '').toLowerCase().startsWith('text/html')
    headers.set('content-security-policy', html ? PAGE_CSP : API_CSP)
  }
}
