/**
 * @module
 * Splits a byte stream into text lines as they arrive, without buffering more than
 * one partial line.
 */

/**
 * Yields the `\n`-terminated lines of each chunk as it arrives (without the newline; a
 * trailing `\r` is kept as the writer wrote it), then the unterminated rest, if any,
 * once the stream ends cleanly (a broken stream's half line is never yielded).
 * Cancels the stream when the consumer stops early.
 */
export async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string[]> {
  const reader = stream.getReader()
  const decoder = new TextDecoder()
  let partial = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      const text = partial + decoder.decode(value, { stream: true })
      const parts = text.split('\n')
      partial = parts.pop() ?? ''
      if (parts.length > 0) yield parts
    }
    const rest = partial + decoder.decode()
    if (rest !== '') yield [rest]
  } finally {
    reader.cancel().catch(() => {})
    reader.releaseLock()
  }
}
