/**
 * @module
 * HTTP to the periscope (Submarine) API: one request per call, the envelope's
 * `result` back, and every failure as a {@link CliError} that reads as one line.
 */
import { ApiError, CliError } from './cli-errors.ts'
import type { ClientConfig } from './client-config.ts'
import { unreachable } from './network-error.ts'

/** Query parameters; undefined ones are left out. */
export type Query = Readonly<Record<string, string | number | boolean | undefined>>

/** How long a plain request may take before it counts as unanswered. */
const REQUEST_TIMEOUT_MS = 30_000

/** Media types of the API's newline-delimited JSON streams. */
export const NDJSON = 'application/x-ndjson'

/** True when a response is a newline-delimited JSON stream. */
export function isNdjson(res: Response): boolean {
  return (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase() === NDJSON
}

/** A client for one server. */
export class ApiClient {
  constructor(private readonly config: Pick<ClientConfig, 'server' | 'token'>) {}

  /** The server's base URL (for messages). */
  get server(): string {
    return this.config.server
  }

  /**
   * Sends a request and returns the envelope's `result`.
   * @param subject names what the call is about in an error (`experiment-…`, a file), or nothing.
   */
  async call<T>(
    method: string,
    path: string,
    opts: {
      query?: Query
      body?: unknown
      subject?: string
      signal?: AbortSignal
      headers?: Record<string, string>
    } = {},
  ): Promise<T> {
    const signal = opts.signal
      ? AbortSignal.any([opts.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)])
      : AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    const res = await this.open(method, path, {
      query: opts.query,
      body: opts.body,
      subject: opts.subject,
      signal,
      accept: 'application/json',
      headers: opts.headers,
    })
    return (await this.envelope(res, signal)).result as T
  }

  /**
   * Sends a request and returns the response once its status is a success, its body
   * unread (for streams). An error status throws {@link ApiError} with the API's message.
   */
  async open(
    method: string,
    path: string,
    opts: {
      query?: Query
      body?: unknown
      subject?: string
      signal?: AbortSignal
      accept: string
      headers?: Record<string, string>
    },
  ): Promise<Response> {
    const url = new URL(this.config.server + path)
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v))
    const headers = new Headers({ ...opts.headers, accept: opts.accept })
    if (this.config.token) headers.set('authorization', `Bearer ${this.config.token}`)
    if (opts.body !== undefined) headers.set('content-type', 'application/json')
    let res: Response
    try {
      res = await fetch(url, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
        redirect: 'follow',
      })
    } catch (err) {
      if (opts.signal?.aborted && (opts.signal.reason as Error)?.name === 'AbortError') throw err
      throw new CliError(unreachable(this.config.server, err))
    }
    if (res.ok) return res
    const body = await this.envelope(res, opts.signal).catch((err) => {
      if (err instanceof ApiError) throw err
      return undefined
    })
    throw new ApiError(
      prefixed(opts.subject, body?.message || `${method} ${url.pathname} answered HTTP ${res.status}`),
      res.status,
      body?.attributes?.reason,
    )
  }

  /** The parsed envelope of a response; a body that is not one is a {@link CliError}. */
  private async envelope(res: Response, signal: AbortSignal | undefined): Promise<Envelope> {
    let text: string
    try {
      text = await res.text()
    } catch (err) {
      if (signal?.aborted) throw err
      throw new CliError(unreachable(this.config.server, err))
    }
    try {
      const body = JSON.parse(text) as Envelope
      if (body && typeof body === 'object' && 'result' in body) return body
    } catch {}
    throw new CliError(
      `${this.config.server} answered HTTP ${res.status} with something ` +
        `that is not the periscope API (${JSON.stringify(text.slice(0, 60))})`,
    )
  }
}

interface Envelope {
  message?: string | null
  result: unknown
  attributes?: { reason?: string }
}

function prefixed(subject: string | undefined, message: string): string {
  return subject ? `${subject}: ${message}` : message
}
