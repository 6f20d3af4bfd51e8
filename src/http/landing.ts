/**
 * @module
 * The answer to `GET /` for clients other than browsers: what this server is and where its API
 * and document are, in Submarine's envelope. A browser gets the web page (`src/web/`).
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

/** The envelope for a client that asks for JSON; `null` for a browser, which gets the web page. */
export function landing(version: string, accept: string | undefined): Response | null {
  if (/\btext\/html\b/i.test(accept ?? '')) return null
  return ok(landingFacts(version))
}
