/**
 * @module
 * `?follow=true` on an experiment's logs: the lines stored after a cursor, then each
 * line as it is stored, until the experiment has finished and every line is delivered.
 *
 * Each pull reads the experiment's status, then its lines after the cursor: runtimes
 * store a replica's last lines before the status that says the job ended, so a read
 * that finds no line after a terminal status has seen them all, and the stream ends
 * with one `end` record. A follower holds one batch at most, whatever the log's size.
 */
import type { Experiment } from '../experiments/experiment.ts'
import { lineMillis } from '../experiments/line-time.ts'
import type { Producer } from '../http/pull-stream.ts'
import { frame, heartbeat, type StreamFormat } from '../http/stream-format.ts'
import type { StoredLine } from '../storage/log-store.ts'
import { type Signals, signalKey } from './signals.ts'

/** Lines read from SQLite per pull (~100 KB of JSON for typical lines). */
const BATCH = 1000

/** What a log follower reads. */
export interface LogFollowSource {
  /** The stored status; `Deleted` when the experiment is gone. */
  statusOf(id: string): Experiment['status']
  /** True while a stop is still being carried out: its replicas may print yet, so a follow does not end. */
  stopping(id: string): boolean
  /** Up to `limit` lines after `cursor` (of `pod` only, if given), in stored order. */
  linesAfter(id: string, cursor: number, limit: number, pod?: string): StoredLine[]
  signals: Signals
  /** Longest silence before a heartbeat. */
  heartbeatMs: number
}

/** One follow: which lines, from where, in which form. */
export interface LogFollowRequest {
  experimentId: string
  pod?: string
  /** Lines with a larger cursor are sent. */
  cursor: number
  /** Only lines written at or after this time (epoch ms). */
  sinceMs?: number
  /** Prefix each line's text with its time, as `kubectl logs --timestamps` does. */
  timestamps: boolean
  format: StreamFormat
}

/** One line as a follower receives it. */
export interface LogRecord {
  podName: string
  line: string
  time: string
  cursor: string
}

/** The last record of a follow. */
export interface LogEnd {
  end: true
  status: Experiment['status']
  cursor: string
}

const TERMINAL = new Set<Experiment['status']>(['Succeeded', 'Failed', 'Deleted'])

/** The producer of one follow's text. */
export function logFollowProducer(source: LogFollowSource, req: LogFollowRequest): Producer {
  const { experimentId: id, format } = req
  let cursor = req.cursor
  let ended = false
  return async (signal) => {
    while (!ended && !signal.aborted) {
      // Armed before reading: a line stored between the read and the wait wakes us.
      const armed = source.signals.arm(signalKey.experiment(id))
      const status = source.statusOf(id)
      const rows = source.linesAfter(id, cursor, BATCH, req.pod)
      if (rows.length > 0) {
        armed.disarm()
        cursor = rows.at(-1)!.seq
        const text = rows.map((row) => recordText(req, row)).join('')
        if (text) return text
        continue // every line of the batch was before sinceTime
      }
      if (TERMINAL.has(status) && !source.stopping(id)) {
        armed.disarm()
        ended = true
        const end: LogEnd = { end: true, status, cursor: String(cursor) }
        return frame(format, end, String(cursor), 'end')
      }
      if (!(await armed.wait(source.heartbeatMs, signal)) && !signal.aborted) return heartbeat(format)
    }
    return null
  }
}

function recordText(req: LogFollowRequest, row: StoredLine): string {
  if (req.sinceMs !== undefined && lineMillis(row.ts) < req.sinceMs) return ''
  const cursor = String(row.seq)
  const record: LogRecord = {
    podName: row.pod,
    line: req.timestamps ? `${row.ts} ${row.text}` : row.text,
    time: row.ts,
    cursor,
  }
  return frame(req.format, record, cursor)
}
