/**
 * @module
 * The API token: kept in sessionStorage (this tab, until it closes), asked for when
 * the server answers 401, sent as `Authorization: Bearer <token>`.
 */

const KEY = 'periscope.token'

/** The token this tab holds, or null. */
export function currentToken(): string | null {
  try {
    return sessionStorage.getItem(KEY)
  } catch {
    return null
  }
}

/** What the token dialog shows while a request waits for a token. */
export interface TokenRequest {
  /** Why it asks: no token yet, or the one given was refused. */
  message: string
}

let waiting: { request: TokenRequest; resolve: () => void; promise: Promise<void> } | null = null
const listeners = new Set<(request: TokenRequest | null) => void>()

/** Calls `listener` whenever the page starts or stops asking for a token. */
export function onTokenRequest(listener: (request: TokenRequest | null) => void): () => void {
  listeners.add(listener)
  listener(waiting?.request ?? null)
  return () => listeners.delete(listener)
}

/** Resolves once the user has given a token (every request refused meanwhile waits for the same one). */
export function askForToken(serverMessage: string | null): Promise<void> {
  if (!waiting) {
    const refused = authorization() !== null
    const message = refused
      ? `The server refused the token${serverMessage ? `: ${serverMessage}` : ''}. Enter another one.`
      : `This server needs an API token${serverMessage ? ` (${serverMessage})` : ''}.`
    let resolve!: () => void
    const promise = new Promise<void>((r) => (resolve = r))
    waiting = { request: { message }, resolve, promise }
    for (const l of listeners) l(waiting.request)
  }
  return waiting.promise
}

/** Stores the token the user typed and lets the waiting requests try again. */
export function giveToken(token: string): void {
  try {
    sessionStorage.setItem(KEY, token)
  } catch {
    // Storage refused (private mode): the token still goes with this tab's requests below.
  }
  memoryToken = token
  const w = waiting
  waiting = null
  for (const l of listeners) l(null)
  w?.resolve()
}

let memoryToken: string | null = null

/** The header value to send, if any. */
export function authorization(): string | null {
  const token = currentToken() ?? memoryToken
  return token ? `Bearer ${token}` : null
}
