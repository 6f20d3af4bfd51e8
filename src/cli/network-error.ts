/**
 * @module
 * A failed `fetch` in words: `cannot reach http://127.0.0.1:32080: connection refused`.
 */
import { errorText } from '../errors.ts'

const CAUSES = new Map<string, string>([
  ['ECONNREFUSED', 'connection refused'],
  ['ConnectionRefused', 'connection refused'],
  ['ENOTFOUND', 'host not found'],
  ['EAI_AGAIN', 'host name lookup failed'],
  ['ECONNRESET', 'connection reset'],
  ['ConnectionClosed', 'connection closed'],
  ['EHOSTUNREACH', 'host unreachable'],
  ['ENETUNREACH', 'network unreachable'],
  ['ETIMEDOUT', 'connection timed out'],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'TLS certificate not trusted'],
  ['DEPTH_ZERO_SELF_SIGNED_CERT', 'TLS certificate is self-signed'],
  ['CERT_HAS_EXPIRED', 'TLS certificate has expired'],
])

/** Why a request to `server` failed, as one line. */
export function unreachable(server: string, err: unknown): string {
  const e = err as { code?: unknown; name?: unknown }
  const code = typeof e?.code === 'string' ? e.code : undefined
  const cause =
    (code && CAUSES.get(code)) ??
    (e?.name === 'TimeoutError' ? 'no answer in time' : (code ?? errorText(err).split('\n')[0]))
  return `cannot reach ${server}: ${cause}`
}
