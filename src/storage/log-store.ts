/**
 * @module
 * The durable log store: every replica's lines, appended as they arrive, read
 * back one row at a time. Logs outlive the replicas, the runtime and restarts.
 */
import type { Database } from 'bun:sqlite'
import type { LogCursor, LogLine } from '../runtime/runtime.ts'

interface SourceRow {
  lines: number
  last_ts: string | null
  at_last_ts: number
}

/** One stored line; `seq` numbers an experiment's lines across its pods, in the order stored (the follow cursor). */
export interface StoredLine {
  pod: string
  seq: number
  ts: string
  text: string
}

export type LogStore = ReturnType<typeof createLogStore>

/** Log storage over one database. */
export function createLogStore(db: Database) {
  const source = db.query<SourceRow, { id: string; pod: string }>(
    'SELECT lines, last_ts, at_last_ts FROM log_source WHERE experiment_id = $id AND pod = $pod',
  )
  const upsertSource = db.query(
    'INSERT INTO log_source (experiment_id, pod, lines, last_ts, at_last_ts) ' +
      `VALUES ($id, $pod, $lines, $lastTs, $atLastTs)
       ON CONFLICT (experiment_id, pod) DO UPDATE SET lines = $lines, last_ts = $lastTs, at_last_ts = $atLastTs`,
  )
  const insertLine = db.query(
    'INSERT INTO log_line (experiment_id, pod, seq, ts, text) VALUES ($id, $pod, $seq, $ts, $text)',
  )
  const lastSeq = db.query<{ seq: number | null }, { id: string }>(
    'SELECT max(seq) AS seq FROM log_line WHERE experiment_id = $id',
  )
  const pods = db.query<{ pod: string }, { id: string }>('SELECT pod FROM log_source WHERE experiment_id = $id')
  const lines = db.query<StoredLine, { id: string; pod: string }>(
    'SELECT pod, seq, ts, text FROM log_line WHERE experiment_id = $id AND pod = $pod ORDER BY seq',
  )
  const tail = db.query<StoredLine, { id: string; pod: string; count: number }>(
    `SELECT pod, seq, ts, text FROM (SELECT * FROM log_line WHERE experiment_id = $id AND pod = $pod ORDER BY seq DESC LIMIT $count) ORDER BY seq`,
  )
  type Page = { id: string; after: number; limit: number }
  const afterAll = db.query<StoredLine, Page>(
    'SELECT pod, seq, ts, text FROM log_line WHERE experiment_id = $id AND seq > $after ORDER BY seq LIMIT $limit',
  )
  const afterPod = db.query<StoredLine, Page & { pod: string }>(
    'SELECT pod, seq, ts, text FROM log_line WHERE experiment_id = $id AND pod = $pod AND seq > $after ORDER BY seq LIMIT $limit',
  )
  const nthLastAll = db.query<{ seq: number }, { id: string; skip: number }>(
    'SELECT seq FROM log_line WHERE experiment_id = $id ORDER BY seq DESC LIMIT 1 OFFSET $skip',
  )
  const nthLastPod = db.query<{ seq: number }, { id: string; pod: string; skip: number }>(
    'SELECT seq FROM log_line WHERE experiment_id = $id AND pod = $pod ORDER BY seq DESC LIMIT 1 OFFSET $skip',
  )
  const removeLines = db.query('DELETE FROM log_line WHERE experiment_id = $id')
  const removeSources = db.query('DELETE FROM log_source WHERE experiment_id = $id')

  const cursor = (id: string, pod: string): LogCursor => {
    const row = source.get({ id, pod })
    return row
      ? { lines: row.lines, lastTs: row.last_ts, atLastTs: row.at_last_ts }
      : { lines: 0, lastTs: null, atLastTs: 0 }
  }

  const append = db.transaction((id: string, pod: string, batch: readonly LogLine[]) => {
    let { lines: n, lastTs, atLastTs } = cursor(id, pod)
    // Inside the write transaction: two servers on one data dir never hand out the same seq.
    let seq = lastSeq.get({ id })?.seq ?? 0
    for (const line of batch) {
      seq += 1
      insertLine.run({ id, pod, seq, ts: line.ts, text: line.text })
      n += 1
      atLastTs = line.ts === lastTs ? atLastTs + 1 : 1
      lastTs = line.ts
    }
    upsertSource.run({ id, pod, lines: n, lastTs, atLastTs })
  })

  return {
    cursor,
    /** Appends lines of one pod in one transaction. */
    append(id: string, pod: string, batch: readonly LogLine[]): void {
      if (batch.length > 0) append.immediate(id, pod, batch)
    },
    /** Pods that have stored lines. */
    pods(id: string): string[] {
      return pods.all({ id }).map((r) => r.pod)
    },
    /** One pod's lines (the last `tailLines` only, if given), in order, one row at a time. */
    *lines(id: string, pod: string, tailLines?: number): Generator<StoredLine> {
      const rows = tailLines === undefined ? lines.iterate({ id, pod }) : tail.iterate({ id, pod, count: tailLines })
      for (const row of rows) yield row
    },
    /** Up to `limit` lines stored after cursor `after` (every pod's, or `pod`'s), in stored order. */
    after(id: string, after: number, limit: number, pod?: string): StoredLine[] {
      return pod === undefined ? afterAll.all({ id, after, limit }) : afterPod.all({ id, pod, after, limit })
    },
    /** The cursor before the last `count` lines (of `pod`, or of every pod): where a follow with `tailLines` starts. */
    beforeLast(id: string, count: number, pod?: string): number {
      if (count === 0) return lastSeq.get({ id })?.seq ?? 0
      const skip = count - 1
      const row = pod === undefined ? nthLastAll.get({ id, skip }) : nthLastPod.get({ id, pod, skip })
      return row ? row.seq - 1 : 0
    },
    remove(id: string): void {
      db.transaction(() => {
        removeLines.run({ id })
        removeSources.run({ id })
      })()
    },
  }
}
