/**
 * @module
 * Progress while a command waits for an experiment. On a terminal: one line on
 * stderr, rewritten in place (and its clock ticking); elsewhere: one plain line per
 * status change, so a CI log still shows how the experiment went.
 */
import type { Experiment } from '../experiments/experiment.ts'
import { isFinal, runDuration } from './experiment-view.ts'
import type { ExperimentEvent } from './experiment-watch.ts'
import type { Io } from './io.ts'
import { type Style, statusColour } from './style.ts'

/** Return to the start of the line and erase it. */
const ERASE_LINE = '\r\x1b[2K'
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const

/** `experiment-… Succeeded 3m12s: message`, the status coloured. */
export function describe(e: Experiment, now: number, style: Style): string {
  const colour = statusColour(e.status)
  const status = colour ? style.paint(colour, e.status) : e.status
  const took = runDuration(e, now)
  const message = e.statusMessage ? `: ${e.statusMessage.replace(/\s*[\r\n]+\s*/g, ' ')}` : ''
  return `${e.experimentId} ${status}${took === '-' ? '' : ` ${took}`}${message}`
}

/** The progress display of one wait. */
export class StatusLine {
  private last: Experiment | undefined
  private note = ''
  private printedStatus = ''
  private frame = 0
  private ticker: ReturnType<typeof setInterval> | undefined
  private drawn = false

  constructor(
    private readonly io: Io,
    private readonly style: Style,
    /** True on a terminal: rewrite one line in place. */
    private readonly live: boolean,
  ) {}

  /** Shows the experiment (and the event that told of it, if any). */
  async update(e: Experiment, event?: ExperimentEvent): Promise<void> {
    this.last = e
    if (event?.replica && event.status) this.note = `${event.replica} ${event.status}`
    if (this.live) {
      this.ticker ??= setInterval(() => void this.draw(), 1000)
      return this.draw()
    }
    // The final status is not printed here: the caller ends with it.
    if (e.status !== this.printedStatus && !isFinal(e.status)) {
      this.printedStatus = e.status
      await this.io.err(`${describe(e, this.io.now(), this.style)}\n`)
    }
  }

  /** Stops the display, leaving the terminal's line empty. */
  async stop(): Promise<void> {
    clearInterval(this.ticker)
    this.ticker = undefined
    if (this.live && this.drawn) await this.io.err(ERASE_LINE)
    this.drawn = false
  }

  private draw(): Promise<void> {
    if (!this.last) return Promise.resolve()
    const spin = this.style.paint('cyan', SPINNER[this.frame++ % SPINNER.length]!)
    const note = this.note ? this.style.paint('dim', ` (${this.note})`) : ''
    this.drawn = true
    const text = `${spin} ${describe(this.last, this.io.now(), this.style)}${note}`
    // A line longer than the terminal wraps, and `\r` would then rewrite only its last row.
    const width = this.io.errColumns()
    const fitted = width && Bun.stringWidth(text) >= width ? Bun.sliceAnsi(text, 0, width - 1, '…') : text
    return this.io.err(`${ERASE_LINE}${fitted}`)
  }
}
