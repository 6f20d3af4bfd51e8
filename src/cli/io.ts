/**
 * @module
 * Where a client command writes and reads: the process's streams, with
 * back-pressure, so nothing written is lost when the process exits.
 */

/** A command's input and output. */
export interface Io {
  /** Writes to stdout; resolves once the text is handed to the OS. */
  out(text: string): Promise<void>
  /** Writes to stderr. */
  err(text: string): Promise<void>
  /** All of stdin, as text. */
  readStdin(): Promise<string>
  /** How wide the terminal behind stderr is, if it is one. */
  errColumns(): number | undefined
  /** The clock, in epoch milliseconds. */
  now(): number
}

type Writable = NodeJS.WriteStream

/** The process's own streams. A closed stdout (`periscope list | head -1`) ends the process quietly. */
export function processIo(): Io {
  for (const s of [process.stdout, process.stderr])
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(0)
      throw err
    })
  return {
    out: (text) => write(process.stdout, text),
    err: (text) => write(process.stderr, text),
    readStdin: () => new Response(Bun.stdin.stream()).text(),
    errColumns: () => process.stderr.columns || undefined,
    now: () => Date.now(),
  }
}

function write(stream: Writable, text: string): Promise<void> {
  if (text === '') return Promise.resolve()
  return new Promise((resolve) => {
    if (stream.write(text)) resolve()
    else stream.once('drain', resolve)
  })
}

/**
 * Collects small writes (log lines) into one: written once 64 KiB is pending or when
 * the event loop next turns, so a burst costs one write and a quiet stream shows each
 * line at once.
 */
export class BufferedWriter {
  private pending = ''
  private scheduled: Promise<void> | undefined

  constructor(private readonly write: (text: string) => Promise<void>) {}

  /** Adds text; resolves when it may be written more (back-pressure). */
  async add(text: string): Promise<void> {
    this.pending += text
    if (this.pending.length >= 65_536) return this.flush()
    this.scheduled ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush())
  }

  /** Writes whatever is pending. */
  async flush(): Promise<void> {
    this.scheduled = undefined
    const text = this.pending
    this.pending = ''
    if (text) await this.write(text)
  }
}
