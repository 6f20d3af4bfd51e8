/**
 * @module
 * Follows one replica's log file into the sink, line by line, without reading
 * the file whole. Its position is kept beside the file together with the number
 * of lines the sink had then, so a restarted server resumes exactly: no line
 * lost, none repeated. Reads are driven by the replica's writes (`log-watch.ts`), in
 * slices, and by the runtime's slow safety-net poll.
 */
import { closeSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs'
import type { RuntimeSink } from '../../src/runtime/runtime.ts'
import { LineSplitter } from '../common/line-splitter.ts'

const CHUNK = 1 << 20

/** A follower of one log file. */
export class LogTail {
  /** Bytes of the file already read. */
  #offset: number
  /** Holds the bytes read after the last newline. */
  #lines = new LineSplitter()
  /** Lines to drop because the sink already has them (a crash between the sink and the state write). */
  #skip: number

  constructor(
    private readonly jobId: string,
    private readonly pod: string,
    private readonly logPath: string,
    private readonly statePath: string,
    private readonly sink: RuntimeSink,
  ) {
    const state = readState(statePath)
    this.#offset = state.offset
    this.#skip = Math.max(0, sink.logCursor(jobId, pod).lines - state.lines)
  }

  /**
   * Reads what was appended since the last call, at most `maxBytes` of it; `final` also
   * emits an unterminated last line once the end is reached.
   * @returns true when it read to the end of the file
   */
  poll(final = false, maxBytes = Number.POSITIVE_INFINITY): boolean {
    const size = statSync(this.logPath, { throwIfNoEntry: false })?.size ?? 0
    const end = Math.min(size, this.#offset + maxBytes)
    if (end > this.#offset) {
      const fd = openSync(this.logPath, 'r')
      try {
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, end - this.#offset))
        while (this.#offset < end) {
          const n = readSync(fd, buf, 0, Math.min(buf.length, end - this.#offset), this.#offset)
          if (n <= 0) break
          this.#offset += n
          this.#deliver(this.#lines.push(buf.subarray(0, n)))
        }
      } finally {
        closeSync(fd)
      }
    }
    const atEnd = this.#offset >= size
    if (final && atEnd) this.#deliver(this.#lines.end())
    return atEnd
  }

  #deliver(lines: string[]): void {
    if (lines.length === 0) return
    const skipped = Math.min(this.#skip, lines.length)
    this.#skip -= skipped
    const fresh = lines.slice(skipped)
    if (fresh.length > 0) {
      const ts = new Date().toISOString()
      this.sink.log(
        this.jobId,
        this.pod,
        fresh.map((line) => ({ ts, text: line.endsWith('\r') ? line.slice(0, -1) : line })),
      )
    }
    const state = {
      offset: this.#offset - this.#lines.buffered,
      lines: this.sink.logCursor(this.jobId, this.pod).lines,
    }
    writeFileSync(this.statePath, JSON.stringify(state))
  }
}

function readState(path: string): { offset: number; lines: number } {
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as { offset: number; lines: number }
    return { offset: state.offset, lines: state.lines }
  } catch {
    return { offset: 0, lines: 0 }
  }
}
