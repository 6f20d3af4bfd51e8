/**
 * @module
 * Forward-only migrations, embedded in the binary (the SQL is imported as text).
 * `PRAGMA user_version` records how far a database has come.
 */
import type { Database } from 'bun:sqlite'
import init from './migrations/0001_init.sql' with { type: 'text' }
import streams from './migrations/0002_streams.sql' with { type: 'text' }
import apiToken from './migrations/0003_api_token.sql' with { type: 'text' }
import retention from './migrations/0004_retention.sql' with { type: 'text' }
import templates from './migrations/0005_templates.sql' with { type: 'text' }
import lifecycle from './migrations/0006_lifecycle.sql' with { type: 'text' }

/** Every migration, in order; `version` is the `user_version` after it. */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  { version: 1, name: '0001_init', sql: init },
  { version: 2, name: '0002_streams', sql: streams },
  { version: 3, name: '0003_api_token', sql: apiToken },
  { version: 4, name: '0004_retention', sql: retention },
  { version: 5, name: '0005_templates', sql: templates },
  { version: 6, name: '0006_lifecycle', sql: lifecycle },
]

/** Applies pending migrations, each in its own transaction. Returns the names applied. */
export function migrate(db: Database): string[] {
  const current = (db.query('PRAGMA user_version').get() as { user_version: number }).user_version
  const latest = MIGRATIONS.at(-1)?.version ?? 0
  if (current > latest) {
    throw new Error(
      `the database is at schema version ${current}, newer than this binary knows (${latest}); use a newer periscope`,
    )
  }
  const applied: string[] = []
  for (const m of MIGRATIONS.filter((m) => m.version > current)) {
    db.transaction(() => {
      db.run(m.sql)
      db.run(`PRAGMA user_version = ${m.version}`)
    }).immediate()
    applied.push(m.name)
  }
  return applied
}
