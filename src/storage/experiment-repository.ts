/**
 * @module
 * Experiment rows: prepared statements and the one row ↔ domain mapping.
 */
import type { Database } from 'bun:sqlite'
import type { Experiment, ExperimentSpec, ExperimentStatus } from '../experiments/experiment.ts'
import type { StoredStatus } from '../experiments/experiment-status.ts'
import type { JobObservation } from '../runtime/job-status.ts'

interface Row {
  seq: number
  id: string
  uid: string
  status: string
  spec: string
  accepted_time: string | null
  created_time: string | null
  running_time: string | null
  finished_time: string | null
  submitted: number
  status_message: string | null
  observation: string | null
  stopped_time: string | null
  stop_pending: number
}

/** A stored experiment with the bookkeeping the API does not show. */
export interface ExperimentRecord {
  experiment: Experiment
  /** The stored status and times (an experiment in the store is never `Deleted`). */
  status: StoredStatus
  submitted: boolean
  observation: JobObservation | null
  /** When a user stopped it, or null. */
  stoppedTime: string | null
  /** Stopped, and the runtime has still to stop and remove its job. */
  stopPending: boolean
}

function fromRow(row: Row): ExperimentRecord {
  const stored = JSON.parse(row.spec) as ExperimentSpec
  // Rebuilt in the answer's key order: rows stored before experimentHandlerSpec existed lack it.
  const spec: ExperimentSpec = {
    meta: stored.meta,
    environment: stored.environment,
    spec: stored.spec,
    experimentHandlerSpec: null,
    code: stored.code,
  }
  spec.meta.experimentId = row.id
  const status = row.status as ExperimentStatus
  return {
    status: { status, createdTime: row.created_time, runningTime: row.running_time, finishedTime: row.finished_time },
    experiment: {
      experimentId: row.id,
      uid: row.uid,
      status,
      acceptedTime: row.accepted_time,
      createdTime: row.created_time,
      runningTime: row.running_time,
      finishedTime: row.finished_time,
      spec,
      statusMessage: row.status_message,
    },
    submitted: row.submitted === 1,
    observation: row.observation ? (JSON.parse(row.observation) as JobObservation) : null,
    stoppedTime: row.stopped_time,
    stopPending: row.stop_pending === 1,
  }
}

/** Options for listing. */
export interface ListOptions {
  /** Only this status; `Deleted` matches nothing (deleted experiments leave the store). */
  status?: ExperimentStatus | 'Deleted'
  /** Only experiments created after the one at this position (see `position`). */
  after?: number
  limit?: number
  offset?: number
  /** Only experiments whose `meta.name` contains this (ASCII letters in any case). */
  name?: string
}

export type ExperimentRepository = ReturnType<typeof createExperimentRepository>

/** Experiment storage over one database. */
export function createExperimentRepository(db: Database) {
  const insert = db.query(
    'INSERT INTO experiment (id, uid, status, spec, accepted_time, submitted) ' +
      "VALUES ($id, $uid, 'Accepted', $spec, $acceptedTime, 0)",
  )
  const byId = db.query<Row, { id: string }>('SELECT * FROM experiment WHERE id = $id')
  type Page = { after: number; limit: number; offset: number }
  const all = db.query<Row, Page>(
    'SELECT * FROM experiment WHERE seq > $after ORDER BY seq LIMIT $limit OFFSET $offset',
  )
  const byStatus = db.query<Row, Page & { status: string }>(
    'SELECT * FROM experiment WHERE status = $status AND seq > $after ORDER BY seq LIMIT $limit OFFSET $offset',
  )
  // The name test reads the stored spec of each row it passes: a scan, fine for a search box.
  const NAME = "instr(lower(json_extract(spec, '$.meta.name')), $name) > 0"
  const byName = db.query<Row, Page & { name: string }>(
    `SELECT * FROM experiment WHERE ${NAME} AND seq > $after ORDER BY seq LIMIT $limit OFFSET $offset`,
  )
  const byStatusName = db.query<Row, Page & { status: string; name: string }>(
    `SELECT * FROM experiment WHERE status = $status AND ${NAME} ` +
      'AND seq > $after ORDER BY seq LIMIT $limit OFFSET $offset',
  )
  const seqOf = db.query<{ seq: number }, { id: string }>('SELECT seq FROM experiment WHERE id = $id')
  const unsubmitted = db.query<Row, Record<string, never>>(
    'SELECT * FROM experiment WHERE submitted = 0 AND stopped_time IS NULL ORDER BY seq',
  )
  const stopPending = db.query<{ id: string }, Record<string, never>>(
    'SELECT id FROM experiment WHERE stop_pending = 1 ORDER BY seq',
  )
  const setStopped = db.query(
    `UPDATE experiment SET status = 'Failed', finished_time = $finishedTime, status_message = $message,
       stopped_time = $stoppedTime, stop_pending = $pending WHERE id = $id`,
  )
  const setStopPending = db.query('UPDATE experiment SET stop_pending = $pending WHERE id = $id')
  const isStopPending = db.query<{ one: number }, { id: string }>(
    'SELECT 1 AS one FROM experiment WHERE id = $id AND stop_pending = 1',
  )
  const unfinished = db.query<Row, Record<string, never>>(
    `SELECT * FROM experiment WHERE status IN ('Accepted', 'Created', 'Running') ORDER BY seq`,
  )
  const exists = db.query<{ one: number }, { id: string }>('SELECT 1 AS one FROM experiment WHERE id = $id')
  const statusOf = db.query<{ status: string }, { id: string }>('SELECT status FROM experiment WHERE id = $id')
  const setSpec = db.query('UPDATE experiment SET spec = $spec WHERE id = $id')
  const setStatus = db.query(
    `UPDATE experiment SET status = $status, created_time = $createdTime, running_time = $runningTime,
       finished_time = $finishedTime, status_message = $message, observation = $observation WHERE id = $id`,
  )
  // Submarine 0.8 reads createdTime back as soon as the job exists; the runtime's own Created time never replaces it.
  const setSubmitted = db.query(
    'UPDATE experiment SET submitted = 1, status_message = NULL, ' +
      'created_time = COALESCE(created_time, $now) WHERE id = $id',
  )
  const setMessage = db.query('UPDATE experiment SET status_message = $message WHERE id = $id')
  const remove = db.query('DELETE FROM experiment WHERE id = $id')
  const take = db.query<Row, { id: string }>('DELETE FROM experiment WHERE id = $id RETURNING *')
  // The finished ones, oldest first, through the partial index experiment_finished (0004_retention.sql),
  // named: without statistics SQLite would read experiment_by_status and sort every finished row.
  const FINISHED = `status IN ('Succeeded', 'Failed')`
  const takeFinished = db.query<Row, { id: string }>(
    `DELETE FROM experiment WHERE id = $id AND ${FINISHED} RETURNING *`,
  )
  const finishedCount = db.query<{ n: number }, Record<string, never>>(
    `SELECT count(*) AS n FROM experiment WHERE ${FINISHED}`,
  )
  const oldestFinished = db.query<{ id: string }, { limit: number }>(
    'SELECT id FROM experiment INDEXED BY experiment_finished ' +
      `WHERE ${FINISHED} ORDER BY finished_time, seq LIMIT $limit`,
  )
  const finishedBefore = db.query<{ id: string }, { before: string; limit: number }>(
    `SELECT id FROM experiment INDEXED BY experiment_finished WHERE ${FINISHED} ` +
      'AND finished_time < $before ORDER BY finished_time, seq LIMIT $limit',
  )
  const MAX = Number.MAX_SAFE_INTEGER
  /** Bumped by every write: answers rendered from rows are kept while it stays the same. */
  let version = 0

  return {
    /**
     * A number that changes whenever a row is written through this repository (the server's
     * only writer of experiments), so anything rendered from rows can be kept until it does.
     */
    version(): number {
      return version
    },
    insert(e: { id: string; uid: string; spec: ExperimentSpec; acceptedTime: string }): void {
      version++
      insert.run({ id: e.id, uid: e.uid, spec: JSON.stringify(e.spec), acceptedTime: e.acceptedTime })
    },
    get(id: string): ExperimentRecord | null {
      const row = byId.get({ id })
      return row ? fromRow(row) : null
    },
    /** Where an experiment stands in creation order (for `after` cursors), or null. */
    position(id: string): number | null {
      return seqOf.get({ id })?.seq ?? null
    },
    /** Rows in creation order, one at a time (never all in memory). */
    *iterate(opts: ListOptions = {}): Generator<ExperimentRecord> {
      const page = { after: opts.after ?? 0, limit: opts.limit ?? MAX, offset: opts.offset ?? 0 }
      const name = opts.name?.toLowerCase()
      const rows =
        name !== undefined
          ? opts.status
            ? byStatusName.iterate({ status: opts.status, name, ...page })
            : byName.iterate({ name, ...page })
          : opts.status
            ? byStatus.iterate({ status: opts.status, ...page })
            : all.iterate(page)
      for (const row of rows) yield fromRow(row)
    },
    has(id: string): boolean {
      return exists.get({ id }) !== null
    },
    /** The stored status alone (cheap: a follower asks once per read), or null when there is no such experiment. */
    status(id: string): ExperimentStatus | null {
      return (statusOf.get({ id })?.status as ExperimentStatus | undefined) ?? null
    },
    unsubmitted(): ExperimentRecord[] {
      return unsubmitted.all({}).map(fromRow)
    },
    /** Ids of stopped experiments whose jobs the runtime has still to stop, in creation order. */
    stopPending(): string[] {
      return stopPending.all({}).map((r) => r.id)
    },
    /** Marks an experiment stopped by the user: Failed, finished at `finishedTime`, with `message`. */
    setStopped(id: string, s: { finishedTime: string; message: string; stoppedTime: string; pending: boolean }): void {
      version++
      setStopped.run({
        id,
        finishedTime: s.finishedTime,
        message: s.message,
        stoppedTime: s.stoppedTime,
        pending: s.pending ? 1 : 0,
      })
    },
    /** Whether the runtime has still to carry out the stop of an experiment. */
    setStopPending(id: string, pending: boolean): void {
      version++
      setStopPending.run({ id, pending: pending ? 1 : 0 })
    },
    /** True while the runtime has still to carry out the experiment's stop. */
    isStopPending(id: string): boolean {
      return isStopPending.get({ id }) !== null
    },
    unfinished(): ExperimentRecord[] {
      return unfinished.all({}).map(fromRow)
    },
    updateSpec(id: string, spec: ExperimentSpec): void {
      version++
      setSpec.run({ id, spec: JSON.stringify(spec) })
    },
    /** The runtime accepted the job at `now`: `createdTime` is set then, unless the runtime already reported one. */
    markSubmitted(id: string, now: string): void {
      version++
      setSubmitted.run({ id, now })
    },
    setMessage(id: string, message: string | null): void {
      version++
      setMessage.run({ id, message })
    },
    /** Stores a merged status, the message to show and the observation it came from. */
    setStatus(id: string, s: StoredStatus, message: string | null, observation: JobObservation | null): void {
      version++
      setStatus.run({
        id,
        status: s.status,
        createdTime: s.createdTime,
        runningTime: s.runningTime,
        finishedTime: s.finishedTime,
        message,
        observation: observation ? JSON.stringify(observation) : null,
      })
    },
    remove(id: string): boolean {
      version++
      return remove.run({ id }).changes > 0
    },
    /** Deletes a row and returns it, in one statement: of two concurrent takes only one gets it. */
    take(id: string): ExperimentRecord | null {
      version++
      const row = take.get({ id })
      return row ? fromRow(row) : null
    },
    /** {@link take}, only if the experiment has finished (Succeeded or Failed). */
    takeFinished(id: string): ExperimentRecord | null {
      version++
      const row = takeFinished.get({ id })
      return row ? fromRow(row) : null
    },
    /** How many experiments have finished. */
    finishedCount(): number {
      return finishedCount.get({})?.n ?? 0
    },
    /** Ids of the `limit` experiments that finished first (finished before `before`, RFC 3339, if given). */
    oldestFinished(limit: number, before?: string): string[] {
      const rows = before === undefined ? oldestFinished.all({ limit }) : finishedBefore.all({ before, limit })
      return rows.map((r) => r.id)
    },
  }
}
