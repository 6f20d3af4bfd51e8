/**
 * @module
 * Waiting for a condition in tests, instead of sleeping for a guessed time.
 */

/** Polls `check` every `intervalMs` until it returns a truthy value, which it resolves with; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await Bun.sleep(intervalMs)
  }
}
