/**
 * @module
 * Submarine's ids: `experiment-<13-digit server start ms>-<counter ≥ 4 digits>` and
 * `environment_<ms>_<nnnn>` (templates: `experimentTemplate_<ms>_<nnnn>`). The counter lives
 * in SQLite and is taken in an immediate transaction, so ids are never reused: not across
 * restarts, not by concurrent creates, not by two servers started in the same millisecond on
 * one data dir.
 */
import type { Database } from 'bun:sqlite'

/** Allocates ids with one start time. */
export function createIdAllocator(db: Database, startMs: number) {
  const bump = db.query<{ last: number }, { prefix: string }>(
    `INSERT INTO id_counter (prefix, last) VALUES ($prefix, 1)
       ON CONFLICT (prefix) DO UPDATE SET last = last + 1 RETURNING last`,
  )
  const next = (prefix: string): number => db.transaction(() => bump.get({ prefix })!.last).immediate()
  return {
    experiment(): string {
      const prefix = `experiment-${startMs}`
      return `${prefix}-${String(next(prefix)).padStart(4, '0')}`
    },
    environment(): string {
      const prefix = `environment_${startMs}`
      return `${prefix}_${String(next(prefix)).padStart(4, '0')}`
    },
    /** A template id: Submarine's object form and the stored text `experimentTemplate_<ms>_<nnnn>`. */
    template(): { id: number; serverTimestamp: number; text: string } {
      const prefix = `experimentTemplate_${startMs}`
      const n = next(prefix)
      return { id: n, serverTimestamp: startMs, text: `${prefix}_${String(n).padStart(4, '0')}` }
    },
  }
}

/** This data dir's instance id, made once and kept in the database. */
export function instanceId(db: Database): string {
  return db.transaction(() => {
    const row = db
      .query<{ value: string }, Record<string, never>>(`SELECT value FROM meta WHERE key = 'instance_id'`)
      .get({})
    if (row) return row.value
    const id = crypto.randomUUID().slice(0, 8)
    db.query(`INSERT INTO meta (key, value) VALUES ('instance_id', $id)`).run({ id })
    return id
  })()
}
