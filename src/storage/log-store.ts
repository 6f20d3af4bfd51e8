/**
 * @module
 * The durable log store: every replica's lines, appended as they arrive, read
 * back one row at a time. Logs outlive the replicas, the runtime and restarts.
 *
 * With a byte limit per replica, a replica's oldest lines are dropped as new ones
 * arrive and one cut line takes the place of the last dropped one (its `seq`, its
 * time): a follower whose cursor is inside the dropped part reads the cut line, then
 * the first kept line; one past it never sees the cut line.
 */
import type { Database } from 'bun:sqlite'
import type { LogCursor, LogLine } from '../runtime/runtime.ts'

interface SourceRow {
  lines: number
  last_ts: string | null
  at_last_ts: number
  bytes: number
  dropped_lines: number
  dropped_bytes: number
  cut_seq: number | null
}

/** Rows a trim deletes at most when it runs on its own (the retention pass): a few ms of work. */
export const TRIM_ROWS = 5000

/** A stored line's size as the limit counts it: its UTF-8 bytes and a newline. */
export const lineBytes = (text: string): number => Buffer.byteLength(text, 'utf8') + 1

/** The text of the line that marks where a replica's log was cut. */
export function cutLineText(droppedLines: number, droppedBytes: number, maxBytes: number): string {
  return (
    `[periscope] ${droppedLines} earlier lines (${droppedBytes} bytes) of this replica's log were dropped ` +
    `to keep it within --max-log-bytes-per-replica (${maxBytes} bytes)`
  )
}

/** One stored line; `seq` numbers an experiment's lines across its pods, in the order stored (the follow cursor). */
export interface StoredLine {
  pod: string
  seq: number
  ts: string
  text: string
}

export type LogStore = ReturnType<typeof createLogStore>

export interface LogStoreOptions {
  /** Bytes kept of each replica's log (its end, whole lines; the newest line always); unlimited when absent. */
  maxBytesPerReplica?: number
}

/** Log storage over one database. */
export function createLogStore(db: Database, options: LogStoreOptions = {}) {
  const maxBytes = options.maxBytesPerReplica
  const source = db.query<SourceRow, { id: string; pod: string }>(
    'SELECT lines, last_ts, at_last_ts, bytes, dropped_lines, dropped_bytes, cut_seq FROM log_source ' +
      'WHERE experiment_id = $id AND pod = $pod',
  )
  const upsertSource = db.query(
    'INSERT INTO log_source (experiment_id, pod, lines, last_ts, at_last_ts, bytes) ' +
      `VALUES ($id, $pod, $lines, $lastTs, $atLastTs, $bytes)
       ON CONFLICT (experiment_id, pod) DO UPDATE SET lines = $lines, last_ts = $lastTs, at_last_ts = $atLastTs,
         bytes = bytes + $bytes`,
  )
  const head = db.query<
    { seq: number; ts: string; size: number },
    { id: string; pod: string; after: number; limit: number }
  >(
    'SELECT seq, ts, length(CAST(text AS BLOB)) + 1 AS size FROM log_line ' +
      'WHERE experiment_id = $id AND pod = $pod AND seq > $after ORDER BY seq LIMIT $limit',
  )
  const lastSeqOfPod = db.query<{ seq: number | null }, { id: string; pod: string }>(
    'SELECT max(seq) AS seq FROM log_line WHERE experiment_id = $id AND pod = $pod',
  )
  const dropHead = db.query('DELETE FROM log_line WHERE experiment_id = $id AND pod = $pod AND seq <= $through')
  const recordCut = db.query(
    `UPDATE log_source SET bytes = bytes - $bytes, dropped_lines = dropped_lines + $lines,
       dropped_bytes = dropped_bytes + $bytes, cut_seq = $seq WHERE experiment_id = $id AND pod = $pod`,
  )
  const oversized = db.query<{ experiment_id: string; pod: string }, { max: number; limit: number }>(
    'SELECT experiment_id, pod FROM log_source WHERE bytes > $max ORDER BY bytes DESC LIMIT $limit',
  )
  const firstSeqs = db.query<{ seq: number }, { id: string; skip: number }>(
    'SELECT seq FROM log_line WHERE experiment_id = $id ORDER BY seq LIMIT 1 OFFSET $skip',
  )
  const removeThrough = db.query('DELETE FROM log_line WHERE experiment_id = $id AND seq <= $through')
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
    'SELECT pod, seq, ts, text FROM (SELECT * FROM log_line WHERE ' +
      'experiment_id = $id AND pod = $pod ORDER BY seq DESC LIMIT $count) ORDER BY seq',
  )
  type Page = { id: string; after: number; limit: number }
  const afterAll = db.query<StoredLine, Page>(
    'SELECT pod, seq, ts, text FROM log_line WHERE experiment_id = $id AND seq > $after ORDER BY seq LIMIT $limit',
  )
  const afterPod = db.query<StoredLine, Page & { pod: string }>(
    'SELECT pod, seq, ts, text FROM log_line WHERE experiment_id = ' +
      '$id AND pod = $pod AND seq > $after ORDER BY seq LIMIT $limit',
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

  /**
   * Drops the oldest lines of one replica (at most `budget` rows) until its log fits the limit,
   * keeping its newest line, and moves the cut line to the last dropped line's place.
   * @returns how many lines were dropped
   */
  const trim = (id: string, pod: string, budget: number): number => {
    const src = source.get({ id, pod })
    if (maxBytes === undefined || !src || src.bytes <= maxBytes) return 0
    const newest = lastSeqOfPod.get({ id, pod })?.seq ?? 0
    const need = src.bytes - maxBytes
    let bytes = 0
    let lines = 0
    let last: { seq: number; ts: string } | null = null
    // The cut line (at cut_seq) is the replica's first row: counting starts after it.
    for (const row of head.iterate({ id, pod, after: src.cut_seq ?? 0, limit: budget })) {
      if (row.seq === newest) break
      bytes += row.size
      lines += 1
      last = row
      if (bytes >= need) break
    }
    if (last === null) return 0
    dropHead.run({ id, pod, through: last.seq })
    const text = cutLineText(src.dropped_lines + lines, src.dropped_bytes + bytes, maxBytes)
    insertLine.run({ id, pod, seq: last.seq, ts: last.ts, text })
    recordCut.run({ id, pod, bytes, lines, seq: last.seq })
    return lines
  }

  const append = db.transaction((id: string, pod: string, batch: readonly LogLine[]) => {
    let { lines: n, lastTs, atLastTs } = cursor(id, pod)
    // Inside the write transaction: two servers on one data dir never hand out the same seq.
    let seq = lastSeq.get({ id })?.seq ?? 0
    let bytes = 0
    for (const line of batch) {
      seq += 1
      insertLine.run({ id, pod, seq, ts: line.ts, text: line.text })
      n += 1
      bytes += lineBytes(line.text)
      atLastTs = line.ts === lastTs ? atLastTs + 1 : 1
      lastTs = line.ts
    }
    upsertSource.run({ id, pod, lines: n, lastTs, atLastTs, bytes })
    // Dropping a little more than arrived: a log over a limit set after it grew shrinks to it over
    // a few appends, and no append stalls on a huge delete (the retention pass trims the rest).
    if (maxBytes !== undefined) trim(id, pod, batch.length + TRIM_ROWS)
  })
  const trimNow = db.transaction(trim)

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
    /**
     * Trims up to `limit` replica logs that are over the limit, each by at most {@link TRIM_ROWS} rows
     * (a log over a newly set limit that gets no more lines is trimmed here).
     * @returns how many logs were trimmed (0: none is over the limit, or none can be trimmed further)
     */
    trimOversized(limit: number): number {
      if (maxBytes === undefined) return 0
      let trimmed = 0
      for (const { experiment_id, pod } of oversized.all({ max: maxBytes, limit })) {
        if (trimNow.immediate(experiment_id, pod, TRIM_ROWS) > 0) trimmed += 1
      }
      return trimmed
    },
    /**
     * Deletes an experiment's first `count` lines (of every pod), so that removing a huge log is a
     * series of short deletes. Lines alone: `remove` takes the rest with the replicas' rows.
     * @returns whether `count` lines were deleted (more may remain)
     */
    removeFirst(id: string, count: number): boolean {
      const row = firstSeqs.get({ id, skip: count - 1 })
      if (!row) return false
      removeThrough.run({ id, through: row.seq })
      return true
    },
    remove(id: string): void {
      db.transaction(() => {
        removeLines.run({ id })
        removeSources.run({ id })
      })()
    },
  }
}
