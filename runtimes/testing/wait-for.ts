/**
 * @module
 * Waiting for a condition in tests, instead of sleeping for a guessed time.
 */

/** What a truthy check returned. */
export type Truthy<T> = Exclude<T, null | undefined | false | 0 | ''>

/**
 * Polls `check` every `intervalMs` until it returns a truthy value, which it resolves with;
 * throws after `timeoutMs`, naming `what` and the last value seen.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  intervalMs = 20,
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as Truthy<T>
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last value: ${lastValue(value)})`)
    await Bun.sleep(intervalMs)
  }
}

function lastValue(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
