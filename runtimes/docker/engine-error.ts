/**
 * @module
 * One error type for everything the engine answers or fails to answer, so the
 * runtime decides on a kind (unreachable, not found, conflict, rejected) and
 * never on dockerode's or Node's error shapes.
 */

/** `server`: the engine answered 5xx (its own failure, or a container that cannot start). */
export type EngineErrorKind = 'unreachable' | 'server' | 'not-found' | 'conflict' | 'rejected' | 'not-modified'

/** An engine call failed. `message` is the engine's own words when it gave any. */
export class EngineError extends Error {
  constructor(
    readonly kind: EngineErrorKind,
    message: string,
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'EngineError'
  }
}

/** Classifies what dockerode (or the HTTP layer under it) threw; `what` names the call for the message. */
export function engineError(err: unknown, what: string): EngineError {
  if (err instanceof EngineError) return err
  const e = (err ?? {}) as {
    statusCode?: number
    json?: unknown
    code?: string
    name?: string
    message?: string
    errno?: string
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : null
  if (status !== null) {
    const message = engineMessage(e.json) ?? e.message ?? `HTTP ${status}`
    const kind: EngineErrorKind =
      status === 304
        ? 'not-modified'
        : status === 404
          ? 'not-found'
          : status === 409
            ? 'conflict'
            : status >= 500
              ? 'server'
              : 'rejected'
    return new EngineError(kind, message.trim(), status, { cause: err })
  }
  const text = e.message ?? String(err)
  const reason =
    e.name === 'AbortError' || e.name === 'TimeoutError'
      ? 'no answer in time'
      : e.code && !text.includes(e.code)
        ? `${e.code}: ${text}`
        : text
  return new EngineError('unreachable', `${what}: ${reason}`, null, { cause: err })
}

function engineMessage(json: unknown): string | null {
  if (json && typeof json === 'object' && 'message' in json && typeof json.message === 'string') return json.message
  if (typeof json === 'string' && json.trim()) {
    try {
      return engineMessage(JSON.parse(json))
    } catch {
      return json
    }
  }
  if (json instanceof Uint8Array) return engineMessage(Buffer.from(json).toString('utf8'))
  return null
}
