/**
 * @module
 * `periscope backup FILE [--data-dir DIR]`: a consistent copy of the database, taken
 * while a server runs on it.
 *
 * `VACUUM INTO` reads the database in one read transaction (a snapshot: writers carry
 * on, in WAL mode they are not blocked) and writes a compact copy. The copy is written
 * 0600 beside FILE, fsynced, checked (`PRAGMA integrity_check`) and only then renamed to
 * FILE, so FILE is either absent or a whole, durable backup.
 */
import { Database } from 'bun:sqlite'
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { SERVE_FLAGS } from '../config.ts'
import { errorText } from '../errors.ts'
import { ensurePrivateFile } from '../storage/private-files.ts'

const USAGE = `Usage: periscope backup FILE [--data-dir DIR]

Writes a consistent copy of DIR/periscope.db to FILE (a new file, mode 0600) while the
server may run. DIR is serve's data dir (env ${SERVE_FLAGS.dataDir.env}, default ${SERVE_FLAGS.dataDir.default}).
To restore: stop the server, remove DIR/periscope.db-wal and DIR/periscope.db-shm,
copy FILE to DIR/periscope.db (mode 0600), start the server.
`

/** What a backup wrote. */
export interface BackupResult {
  file: string
  bytes: number
  experiments: number
  schemaVersion: number
}

/** A refusal to take the backup, said in one line. */
export class BackupError extends Error {
  override name = 'BackupError'
}

/**
 * Copies the database of `dataDir` to `file` (which must not exist).
 * @throws BackupError when there is no database, `file` exists, or the copy is not sound
 */
export function backupDatabase(dataDir: string, file: string): BackupResult {
  const source = join(dataDir, 'periscope.db')
  if (!existsSync(source)) throw new BackupError(`no database at ${source}; is --data-dir serve's data dir?`)
  const target = resolve(file)
  if (existsSync(target)) throw new BackupError(`${target} exists; choose a new file or remove it first`)
  if (!existsSync(dirname(target))) throw new BackupError(`the directory ${dirname(target)} does not exist`)
  const partial = `${target}.partial-${process.pid}`
  try {
    const db = new Database(source, { readwrite: true, create: false })
    try {
      db.run('PRAGMA busy_timeout = 10000')
      ensurePrivateFile(partial) // VACUUM INTO takes an empty file, and keeps its mode
      db.run('VACUUM INTO ?', [partial])
    } finally {
      db.close()
    }
    syncPath(partial)
    const copy = new Database(partial, { readonly: true })
    let result: Omit<BackupResult, 'file' | 'bytes'>
    try {
      const check = copy.query<{ integrity_check: string }, []>('PRAGMA integrity_check').all()
      if (check.length !== 1 || check[0]!.integrity_check !== 'ok')
        throw new BackupError(`the copy failed its integrity check: ${check.map((r) => r.integrity_check).join('; ')}`)
      result = {
        experiments: copy.query<{ n: number }, []>('SELECT count(*) AS n FROM experiment').get()!.n,
        schemaVersion: copy.query<{ user_version: number }, []>('PRAGMA user_version').get()!.user_version,
      }
    } finally {
      copy.close()
    }
    renameSync(partial, target)
    syncPath(dirname(target))
    return { file: target, bytes: statSync(target).size, ...result }
  } catch (err) {
    rmSync(partial, { force: true })
    if (err instanceof BackupError) throw err
    throw new BackupError(`could not back up ${source}: ${errorText(err)}`)
  }
}

function syncPath(path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** The `backup` command: arguments after the word `backup`; returns the exit code. */
export function runBackup(args: string[], env: Record<string, string | undefined>): number {
  let values: { 'data-dir'?: string | boolean; help?: string | boolean }
  let positionals: string[]
  try {
    ;({ values, positionals } = parseArgs({
      args,
      options: { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }))
  } catch (err) {
    process.stderr.write(`periscope backup: ${errorText(err).split('\n')[0]}\n${USAGE}`)
    return 2
  }
  if (values.help) {
    process.stdout.write(USAGE)
    return 0
  }
  if (positionals.length !== 1) {
    process.stderr.write(`periscope backup: expected one FILE to write, got ${positionals.length}\n${USAGE}`)
    return 2
  }
  const dataDir =
    (values['data-dir'] as string | undefined) ?? env[SERVE_FLAGS.dataDir.env] ?? SERVE_FLAGS.dataDir.default
  try {
    const r = backupDatabase(dataDir, positionals[0]!)
    process.stdout.write(
      `backed up ${r.experiments} experiments (schema version ${r.schemaVersion}, ${r.bytes} bytes) to ${r.file}\n`,
    )
    return 0
  } catch (err) {
    process.stderr.write(`periscope backup: ${errorText(err)}\n`)
    return 1
  }
}
