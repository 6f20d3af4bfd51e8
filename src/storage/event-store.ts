/**
 * @module
 * Stored status transitions (`/api/v1/experiment/events`): appended with a sequence
 * that is never reused, read after a sequence, pruned by age.
 */
import type { Database } from 'bun:sqlite'

/** A transition as the API shows it; `replica` is null for the experiment itself. */
export interface StatusEvent {
  seq: number
  /** When the server stored it (RFC 3339, UTC, milliseconds). */
  time: string
  experimentId: string
  replica: string | null
  status: string
  reason: string | null
  message: string | null
}

/** A transition to store: the store gives it its `seq` and `time`. */
export type NewEvent = Omit<StatusEvent, 'seq' | 'time'>

interface Row {
  seq: number
  time: string
  experiment_id: string
  replica: string | null
  status: string
  reason: string | null
  message: string | null
}

const fromRow = (r: Row): StatusEvent => ({
  seq: r.seq,
  time: r.time,
  experimentId: r.experiment_id,
  replica: r.replica,
  status: r.status,
  reason: r.reason,
  message: r.message,
})

export type EventStore = ReturnType<typeof createEventStore>

/** Event storage over one database. */
export function createEventStore(db: Database) {
  const insert = db.query(
    `INSERT INTO event (time, experiment_id, replica, status, reason, message)
       VALUES ($time, $experimentId, $replica, $status, $reason, $message)`,
  )
  type Page = { after: number; limit: number }
  const after = db.query<Row, Page>('SELECT * FROM event WHERE seq > $after ORDER BY seq LIMIT $limit')
  const afterOf = db.query<Row, Page & { id: string }>(
    'SELECT * FROM event WHERE experiment_id = $id AND seq > $after ORDER BY seq LIMIT $limit',
  )
  const last = db.query<{ seq: number | null }, Record<string, never>>('SELECT MAX(seq) AS seq FROM event')
  const prune = db.query<Record<string, never>, { before: string }>('DELETE FROM event WHERE time < $before')
  const removeOf = db.query<Record<string, never>, { id: string }>('DELETE FROM event WHERE experiment_id = $id')
  const append = db.transaction((events: readonly NewEvent[], time: string) => {
    for (const e of events) insert.run({ time, ...e })
  })
  return {
    /** Stores `events` in order, stamped `time`, in one transaction (or the caller's). */
    append(events: readonly NewEvent[], time: string): void {
      if (events.length > 0) append(events, time)
    },
    /** Up to `limit` events after `seq` (of one experiment, if given), in order. */
    after(seq: number, limit: number, experimentId?: string): StatusEvent[] {
      const rows =
        experimentId === undefined
          ? after.all({ after: seq, limit })
          : afterOf.all({ id: experimentId, after: seq, limit })
      return rows.map(fromRow)
    },
    /** The newest event's sequence, 0 when there is none. */
    lastSeq(): number {
      return last.get({})?.seq ?? 0
    },
    /** Deletes events stored before `before` (RFC 3339); returns how many. */
    prune(before: string): number {
      return prune.run({ before }).changes
    },
    /** Deletes every event of one experiment (retention removes its history with it). */
    removeOf(experimentId: string): void {
      removeOf.run({ id: experimentId })
    },
  }
}
