/**
 * @module
 * Opens the SQLite database: WAL, strict parameter binding, a busy timeout so
 * two servers on one data dir wait for each other instead of failing.
 *
 * `synchronous = NORMAL`: a commit survives a crash of the process but not a power cut.
 * What must survive a power cut (an acknowledged change) also waits for an fsync of the
 * WAL, shared by concurrent requests (`durable-commits.ts`).
 */
import { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { migrate } from './migrate.ts'
import { ensurePrivateFile, PRIVATE_DIR_MODE } from './private-files.ts'

/** Opens (creating if needed) and migrates the database at `path` (or `:memory:`). */
export function openDatabase(path: string): Database {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE })
    // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database's mode.
    ensurePrivateFile(path)
  }
  const db = new Database(path, { create: true, strict: true })
  db.run('PRAGMA busy_timeout = 10000')
  db.run('PRAGMA journal_mode = WAL')
  db.run('PRAGMA synchronous = NORMAL')
  db.run('PRAGMA foreign_keys = ON')
  migrate(db)
  return db
}
