/**
 * @module
 * The answer to `GET /`: what this server is and where its API and document are. A
 * browser gets a tiny HTML page, anything else Submarine's envelope around the same facts.
 */
import { ok } from './envelope.ts'

/** The facts the landing answer gives. */
export function landingFacts(version: string) {
  return {
    name: 'periscope' as const,
    description: "Apache Submarine's Experiment REST API",
    version,
    api: '/api/v1',
    openapi: '/openapi.json',
  }
}

/** HTML for a browser (its Accept names text/html), else the envelope. */
export function landing(version: string, accept: string | undefined): Response {
  const facts = landingFacts(version)
  if (!/\btext\/html\b/i.test(accept ?? '')) return ok(facts)
  // The version is the package's own text, but it is escaped like any text put into HTML.
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>periscope</title></head>
<body><h1>periscope ${escapeHtml(version)}</h1>
<p>${facts.description}: <code>${facts.api}/experiment</code>, <code>${facts.api}/environment</code>, <code>${facts.api}/template</code>.</p>
<p>The OpenAPI document: <a href="${facts.openapi}">${facts.openapi}</a>.</p>
</body></html>
`
  return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8' } })
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
