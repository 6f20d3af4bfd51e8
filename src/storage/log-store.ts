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
    'INSERT INTO log_line (experiment_id, pod, n, ts, text) VALUES ($id, $pod, $n, $ts, $text)',
  )
  const pods = db.query<{ pod: string }, { id: string }>('SELECT pod FROM log_source WHERE experiment_id = $id')
  const lines = db.query<{ text: string }, { id: string; pod: string }>(
    'SELECT text FROM log_line WHERE experiment_id = $id AND pod = $pod ORDER BY n',
  )
  const tail = db.query<{ text: string }, { id: string; pod: string; count: number }>(
    'SELECT text FROM ' +
      '(SELECT n, text FROM log_line WHERE experiment_id = $id AND pod = $pod ORDER BY n DESC LIMIT $count) ORDER BY n',
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
    for (const line of batch) {
      insertLine.run({ id, pod, n, ts: line.ts, text: line.text })
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
    *lines(id: string, pod: string, tailLines?: number): Generator<string> {
      const rows = tailLines === undefined ? lines.iterate({ id, pod }) : tail.iterate({ id, pod, count: tailLines })
      for (const row of rows) yield row.text
    },
    remove(id: string): void {
      db.transaction(() => {
        removeLines.run({ id })
        removeSources.run({ id })
      })()
    },
  }
}
