/**
 * @module
 * Splitting a byte stream into text lines as it arrives, holding at most one
 * partial line, which is cut at {@link MAX_LINE_BYTES} so that one endless line
 * cannot fill memory. Lines are split on bytes, so a UTF-8 character split
 * across chunks is decoded whole.
 */

/** A line longer than this is emitted in pieces of this size. */
export const MAX_LINE_BYTES = 1 << 20

/** Incremental splitter: `push` chunks, then `end` once the stream is over. */
export class LineSplitter {
  #parts: Uint8Array[] = []
  #size = 0

  constructor(private readonly maxLineBytes = MAX_LINE_BYTES) {}

  /** Bytes of the unterminated line held so far. */
  get buffered(): number {
    return this.#size
  }

  /** The lines this chunk completes, without their `\n` (a `\r` before it is kept). */
  push(chunk: Uint8Array): string[] {
    const lines: string[] = []
    let start = 0
    for (;;) {
      const nl = chunk.indexOf(0x0a, start)
      const end = nl < 0 ? chunk.length : nl
      let from = start
      // Cut an overlong line into pieces, whether or not it ends in this chunk.
      while (this.#size + (end - from) > this.maxLineBytes) {
        const take = this.maxLineBytes - this.#size
        this.#hold(chunk.subarray(from, from + take))
        lines.push(this.#take())
        from += take
      }
      if (nl < 0) {
        this.#hold(chunk.subarray(from))
        return lines
      }
      this.#hold(chunk.subarray(from, nl))
      lines.push(this.#take())
      start = nl + 1
      if (start === chunk.length) return lines
    }
  }

  /** The unterminated last line, if any: the stream has ended, so it is complete. */
  end(): string[] {
    return this.#size > 0 ? [this.#take()] : []
  }

  #hold(bytes: Uint8Array): void {
    if (bytes.length === 0) return
    this.#parts.push(bytes.slice())
    this.#size += bytes.length
  }

  #take(): string {
    const text = Buffer.concat(this.#parts, this.#size).toString('utf8')
    this.#parts = []
    this.#size = 0
    return text
  }
}

/**
 * Yields the lines of each chunk of a stream as it arrives, then the unterminated rest,
 * if any, once the stream ends cleanly (a broken stream's half line is never yielded).
 * Cancels the stream when the consumer stops early.
 */
export async function* readLines(
  stream: ReadableStream<Uint8Array>,
  maxLineBytes = MAX_LINE_BYTES,
): AsyncGenerator<string[]> {
  const reader = stream.getReader()
  const splitter = new LineSplitter(maxLineBytes)
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      const lines = splitter.push(value)
      if (lines.length > 0) yield lines
    }
    const rest = splitter.end()
    if (rest.length > 0) yield rest
  } finally {
    reader.cancel().catch(() => {})
    reader.releaseLock()
  }
}
