/**
 * Polling helper for tests against the fake, whose operator and kubelet work asynchronously.
 * @module
 */

/**
 * Resolves with the first truthy value `probe` returns, polling every `intervalMs`; rejects with
 * `message` (and the last value seen) after `timeoutMs`.
 * @example const job = await waitFor(() => fake.getObject('tfjobs', 'default', 'dist')?.status?.completionTime && fake.getObject('tfjobs', 'default', 'dist'))
 */
export async function waitFor<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, options: { timeoutMs?: number; intervalMs?: number; message?: string } = {}): Promise<T> {
  const { timeoutMs = 5000, intervalMs = 10, message = 'condition not met' } = options
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    last = await probe()
    if (last) return last as T
    if (Date.now() > deadline) throw new Error(`waitFor timed out after ${timeoutMs} ms: ${message} (last value: ${JSON.stringify(last)})`)
    await Bun.sleep(intervalMs)
  }
}
