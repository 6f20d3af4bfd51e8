/**
 * @module
 * The data dir is private to the server's user: the directory 0700, every file directly
 * in it (the database, its `-wal` and `-shm` files, token files) 0600. Specs hold
 * credentials and the database holds specs, so other local users must not read it.
 */
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

export const PRIVATE_DIR_MODE = 0o700
export const PRIVATE_FILE_MODE = 0o600

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`

/**
 * Creates `dir` (0700) if needed, and tightens it and every regular file directly in it
 * that other users could read or write; each change is logged once.
 */
export function securePrivateDir(dir: string, log: (message: string) => void): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  tighten(dir, PRIVATE_DIR_MODE, log)
  for (const entry of readdirSync(dir, { withFileTypes: true }))
    if (entry.isFile()) tighten(join(dir, entry.name), PRIVATE_FILE_MODE, log)
}

/** Sets `path`'s mode to `mode` when group or others have any access; logs what changed. */
function tighten(path: string, mode: number, log: (message: string) => void): void {
  const current = statSync(path).mode & 0o777
  if ((current & 0o077) === 0) return
  chmodSync(path, mode)
  log(`tightened ${path} from ${octal(current)} to ${octal(mode)}: other users could read it`)
}

/**
 * Makes sure `path` exists as a 0600 file (empty if it is new), so that what opens it
 * next (SQLite, which gives its `-wal` and `-shm` files the database's mode) never
 * creates it readable by others.
 */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE))
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, PRIVATE_FILE_MODE)
}
