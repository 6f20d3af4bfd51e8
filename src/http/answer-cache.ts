/**
 * @module
 * Answers kept as bytes until what they were rendered from changes. A read of a stored
 * experiment or a page of the list is rendered once (row → masked JSON → envelope bytes)
 * and then answered from memory until the store's version moves; a busy dashboard then
 * costs no SQLite read, no JSON work and no encoding per request.
 *
 * Only whole answers up to {@link MAX_ANSWER_BYTES} are kept, at most {@link MAX_ENTRIES}
 * and {@link MAX_TOTAL_BYTES} in all, the oldest forgotten first.
 */

/** The largest answer kept. */
export const MAX_ANSWER_BYTES = 1024 * 1024
/** Most answers kept. */
export const MAX_ENTRIES = 4096
/** Most bytes kept in all. */
export const MAX_TOTAL_BYTES = 32 * 1024 * 1024

/** Kept answers, by a key naming what was asked. */
export interface AnswerCache {
  /** The bytes kept for `key` at the current version, or undefined. */
  get(key: string): Uint8Array | undefined
  /** Keeps `bytes` for `key` at the current version (unless too large). */
  set(key: string, bytes: Uint8Array): void
}

/** A cache whose entries last while `version()` returns the same number. */
export function createAnswerCache(version: () => number): AnswerCache {
  let keptAt = version()
  const kept = new Map<string, Uint8Array>()
  let total = 0
  const current = () => {
    const now = version()
    if (now !== keptAt) {
      kept.clear()
      total = 0
      keptAt = now
    }
    return kept
  }
  return {
    get: (key) => current().get(key),
    set(key, bytes) {
      const map = current()
      if (bytes.byteLength > MAX_ANSWER_BYTES) return
      const old = map.get(key)
      if (old) {
        total -= old.byteLength
        map.delete(key)
      }
      map.set(key, bytes)
      total += bytes.byteLength
      for (const [oldest, b] of map) {
        if (map.size <= MAX_ENTRIES && total <= MAX_TOTAL_BYTES) break
        map.delete(oldest)
        total -= b.byteLength
      }
    },
  }
}
