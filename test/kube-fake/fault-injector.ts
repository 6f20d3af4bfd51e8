/**
 * Test-controlled misbehaviour: canned failures for the next matching requests, RBAC refusals,
 * admission-webhook denials and the watch-connect 410 switch.
 * @module
 */
import { type ApiError, genericError } from './api-error.ts'

/** Which requests a canned failure applies to; every given field must match. */
export interface RequestMatch {
  /** HTTP method, case-insensitive. */
  method?: string
  /** A substring of the path plus query string, e.g. `/tfjobs` or `watch=true`. */
  pathIncludes?: string
}

interface PendingFailure {
  match: RequestMatch
  code: number
  remaining: number
}

/** Holds every injected fault of one fake server. */
export class FaultInjector {
  #failures: PendingFailure[] = []
  #hangs: Array<{ match: RequestMatch; remaining: number }> = []
  #forbidden = new Set<string>()
  #webhookDenials = new Map<string, string>()
  /** When on, every watch connect is answered with HTTP 410 Expired. */
  watchConnect410 = false

  /** Fails the next `times` matching requests with a real Status body for `code`. */
  failNext(match: RequestMatch, code: number, times = 1): void {
    this.#failures.push({ match, code, remaining: times })
  }

  /** Accepts the next `times` matching requests and never answers them (until the fake stops). */
  hangNext(match: RequestMatch, times = 1): void {
    this.#hangs.push({ match, remaining: times })
  }

  /** True when this request is to be left unanswered, consuming one use. */
  takeHang(method: string, pathAndQuery: string): boolean {
    const hit = this.#hangs.find((h) => h.remaining > 0 && matches(h.match, method, pathAndQuery))
    if (!hit) return false
    hit.remaining--
    this.#hangs = this.#hangs.filter((h) => h.remaining > 0)
    return true
  }

  /** The canned failure for this request, consuming one use, if any. */
  take(method: string, pathAndQuery: string): ApiError | undefined {
    const hit = this.#failures.find(
      (f) =>
        f.remaining > 0 &&
        (f.match.method === undefined || f.match.method.toUpperCase() === method.toUpperCase()) &&
        (f.match.pathIncludes === undefined || pathAndQuery.includes(f.match.pathIncludes)),
    )
    if (!hit) return undefined
    hit.remaining--
    this.#failures = this.#failures.filter((f) => f.remaining > 0)
    return genericError(hit.code)
  }

  /** Refuses a verb on a resource (`tfjobs`, `pods/log`, `*` for every verb). */
  forbid(verb: string, resource: string): void {
    this.#forbidden.add(`${verb.toLowerCase()} ${resource}`)
  }

  /** True when RBAC refuses this verb on this resource. */
  isForbidden(verb: string, resource: string): boolean {
    return this.#forbidden.has(`${verb} ${resource}`) || this.#forbidden.has(`* ${resource}`)
  }

  /** Makes the validating webhook deny every create/update of a kind with this message. */
  denyWebhook(kind: string, message: string): void {
    this.#webhookDenials.set(kind.toLowerCase(), message)
  }

  /** The injected webhook denial for a kind (`TFJob`), if any. */
  webhookDenial(kind: string): string | undefined {
    return this.#webhookDenials.get(kind.toLowerCase())
  }

  /** Removes every injected fault. */
  clear(): void {
    this.#failures = []
    this.#hangs = []
    this.#forbidden.clear()
    this.#webhookDenials.clear()
    this.watchConnect410 = false
  }
}

function matches(match: RequestMatch, method: string, pathAndQuery: string): boolean {
  return (
    (match.method === undefined || match.method.toUpperCase() === method.toUpperCase()) &&
    (match.pathIncludes === undefined || pathAndQuery.includes(match.pathIncludes))
  )
}
