/**
 * @module
 * Turns the bytes of `GET /containers/{id}/logs?timestamps=1` into log lines.
 * Pure and incremental: frames and lines may be split anywhere across chunks.
 * Docker multiplexes stdout and stderr in frames (8-byte header: stream, 0, 0, 0,
 * big-endian length); each frame is one message starting with its RFC 3339 time.
 * A message cut by Docker (lines over 16 KiB) continues in the next frame of the
 * same stream with a new timestamp, which is dropped so the line is whole again.
 */
import type { LogCursor, LogLine } from '../../src/runtime/runtime.ts'
import { LineSplitter } from '../common/line-splitter.ts'
import { LogResume } from '../common/log-resume.ts'

const TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d) /

/** Decodes one log response; `cursor` (from the sink) drops lines already stored. */
export class LogDecoder {
  #buffer: Buffer = Buffer.alloc(0)
  #raw = false
  /** One splitter per stream (stdout, stderr): a frame of one may cut a line of the other. */
  #streams = new Map<number, LineSplitter>()
  #lastTs: string | null = null
  readonly #resume: LogResume | null

  constructor(cursor: LogCursor | null = null) {
    this.#resume = cursor ? new LogResume(cursor) : null
  }

  /** Lines completed by this chunk, in order, minus those the cursor says are stored. */
  push(chunk: Uint8Array): LogLine[] {
    const out: LogLine[] = []
    if (this.#raw) {
      this.#feed(1, Buffer.from(chunk), false, out)
      return out
    }
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : Buffer.from(chunk)
    while (this.#buffer.length >= 8) {
      const type = this.#buffer[0]!
      if (type > 2 || this.#buffer[1] !== 0 || this.#buffer[2] !== 0 || this.#buffer[3] !== 0) {
        // Not multiplexed (a TTY container): the rest is plain text.
        this.#raw = true
        const rest = this.#buffer
        this.#buffer = Buffer.alloc(0)
        this.#feed(1, rest, false, out)
        return out
      }
      const length = this.#buffer.readUInt32BE(4)
      if (this.#buffer.length < 8 + length) break
      this.#feed(type, this.#buffer.subarray(8, 8 + length), true, out)
      this.#buffer = this.#buffer.subarray(8 + length)
    }
    return out
  }

  /** The stream ended: unterminated last lines are complete now. */
  end(): LogLine[] {
    const out: LogLine[] = []
    if (this.#buffer.length && !this.#raw) {
      // A truncated frame: keep its text rather than lose it.
      this.#raw = true
      this.#feed(1, this.#buffer.subarray(Math.min(8, this.#buffer.length)), false, out)
      this.#buffer = Buffer.alloc(0)
    }
    for (const splitter of this.#streams.values()) for (const text of splitter.end()) this.#emit(text, out)
    return out
  }

  #feed(type: number, data: Buffer, frameStart: boolean, out: LogLine[]): void {
    let splitter = this.#streams.get(type)
    if (!splitter) this.#streams.set(type, (splitter = new LineSplitter()))
    if (frameStart && splitter.buffered > 0) {
      // Continuation of a message Docker cut in parts: its own timestamp is not text.
      const m = TS.exec(data.subarray(0, 48).toString('latin1'))
      if (m) data = data.subarray(m[0].length)
    }
    for (const text of splitter.push(data)) this.#emit(text, out)
  }

  #emit(text: string, out: LogLine[]): void {
    const m = TS.exec(text.slice(0, 48))
    const ts = m ? m[0].slice(0, -1) : (this.#lastTs ?? new Date().toISOString())
    const line = { ts, text: m ? text.slice(m[0].length) : text }
    this.#lastTs = ts
    if (!this.#resume || this.#resume.accept(line)) out.push(line)
  }
}
