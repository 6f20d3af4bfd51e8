/**
 * @module
 * Group commit: waiting until what has been committed is on disk, one fsync shared by
 * everyone who asked while the previous one ran.
 *
 * Why not `PRAGMA synchronous = FULL`: it fsyncs the WAL inside every commit, on the one
 * JS thread, so every log batch and status write of the runtimes would pay for it and
 * concurrent requests could never share one. `synchronous` is a setting of the
 * connection, not of a transaction. Instead the connection stays `NORMAL` (a commit
 * survives a crash of the process, not a power cut) and what must survive a power cut
 * (an acknowledged create, patch or delete) waits for {@link DurableCommits.durable}: an
 * fsync of the WAL file, off the JS thread. SQLite appends commits to the WAL in order
 * and a checkpoint in `NORMAL` mode syncs the WAL before copying it and the database
 * after, so one completed fsync makes every commit made before it started durable, log
 * lines and status writes included.
 */
import { closeSync, existsSync, fsync, fsyncSync, openSync } from 'node:fs'
import { dirname } from 'node:path'

/** Waits for durability. */
export interface DurableCommits {
  /** Resolves once everything committed before the call is durable against power loss. */
  durable(): Promise<void>
  /** How many syncs ran (each covers every caller that was waiting when it started). */
  readonly syncs: number
}

/**
 * A group-commit barrier over `sync` (which makes every write before it durable). A call
 * made while a sync runs waits for the next one: the running sync may have started
 * before the caller's commit.
 */
export function createDurableCommits(sync: () => Promise<void>): DurableCommits {
  let requested = 0
  let synced = 0
  let syncs = 0
  let running = false
  const waiters: Array<{ ticket: number; resolve: () => void; reject: (err: unknown) => void }> = []

  async function drain(): Promise<void> {
    try {
      while (synced < requested) {
        const upTo = requested
        syncs++
        try {
          await sync()
          synced = upTo
          settle(upTo, null)
        } catch (err) {
          // The callers this sync was for learn it failed; later callers get a new attempt.
          settle(upTo, err)
          synced = upTo
        }
      }
    } finally {
      running = false
    }
  }
  function settle(upTo: number, err: unknown): void {
    for (let i = 0; i < waiters.length; ) {
      const w = waiters[i]!
      if (w.ticket > upTo) {
        i++
        continue
      }
      waiters.splice(i, 1)
      if (err === null) w.resolve()
      else w.reject(err)
    }
  }

  return {
    durable() {
      const ticket = ++requested
      const done = new Promise<void>((resolve, reject) => waiters.push({ ticket, resolve, reject }))
      if (!running) {
        running = true
        // Started after this tick: callers in the same tick (requests answered together) share the sync.
        queueMicrotask(() => void drain())
      }
      return done
    },
    get syncs() {
      return syncs
    },
  }
}

/**
 * The sync of a WAL-mode database at `dbPath`: an fsync of its `-wal` file (opened when
 * first needed and kept; SQLite keeps that file while a connection is open). Before the
 * first sync, the database file and its directory are synced once, so the new files'
 * directory entries survive a power cut too.
 */
export function walSync(dbPath: string): { sync(): Promise<void>; close(): void } {
  let fd: number | null = null
  return {
    async sync() {
      if (fd === null) {
        const wal = `${dbPath}-wal`
        for (const path of [dbPath, dirname(dbPath)]) syncPath(path)
        if (!existsSync(wal)) return // no WAL yet: every commit so far is in the database file, just synced
        fd = openSync(wal, 'r')
      }
      const open = fd
      // The callback form runs on libuv's thread pool: the JS thread serves requests meanwhile.
      await new Promise<void>((resolve, reject) => fsync(open, (err) => (err ? reject(err) : resolve())))
    },
    close() {
      if (fd !== null) closeSync(fd)
      fd = null
    },
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
