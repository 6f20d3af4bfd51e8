/**
 * @module
 * Calls to periscope's API from the page: Submarine's envelope unwrapped, its error
 * message and `attributes.reason` kept, a 401 answered by asking for a token and trying again.
 */
import { askForToken, authorization } from './auth.ts'

/** An answer that was not a success, or no answer at all (`status` 0). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string | null,
  ) {
    super(message)
  }
}

/** A request body: its text and content type (JSON or YAML). */
export interface Body {
  text: string
  type: 'application/json' | 'application/yaml'
}

/** The fetch every call makes: the token attached, a 401 asked about and retried. */
export async function authorizedFetch(path: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    const headers = new Headers(init.headers)
    const auth = authorization()
    if (auth) headers.set('authorization', auth)
    let res: Response
    try {
      res = await fetch(path, { ...init, headers })
    } catch (err) {
      if (init.signal?.aborted) throw err
      throw new ApiError(`The server did not answer (${err instanceof Error ? err.message : String(err)})`, 0, null)
    }
    if (res.status !== 401) return res
    const envelope = await res.json().catch(() => null)
    await askForToken(typeof envelope?.message === 'string' ? envelope.message : null)
  }
}

/** The error an unsuccessful answer carries. */
export async function errorOf(res: Response): Promise<ApiError> {
  const envelope = await res.json().catch(() => null)
  const message =
    typeof envelope?.message === 'string' && envelope.message
      ? envelope.message
      : `The server answered ${res.status} ${res.statusText}`
  const reason = typeof envelope?.attributes?.reason === 'string' ? envelope.attributes.reason : null
  return new ApiError(message, res.status, reason)
}

/** Calls the API; resolves with the envelope's `result`, rejects with an {@link ApiError}. */
export async function api<T>(method: string, path: string, body?: Body, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body) headers['content-type'] = body.type
  const res = await authorizedFetch(path, { method, headers, body: body?.text, signal })
  if (!res.ok) throw await errorOf(res)
  const envelope = await res.json().catch(() => null)
  if (envelope?.success !== true)
    throw new ApiError(
      envelope?.message ?? 'The server answered something that is not the API envelope',
      res.status,
      null,
    )
  return envelope.result as T
}

/** A JSON body. */
export const json = (value: unknown): Body => ({ text: JSON.stringify(value), type: 'application/json' })

/** Spec text as the user wrote it: JSON when it starts like JSON, else YAML (the server parses both). */
export const specBody = (text: string): Body => ({
  text,
  type: /^\s*[[{]/.test(text) ? 'application/json' : 'application/yaml',
})
