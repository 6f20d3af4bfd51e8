/**
 * @module
 * Group commit: waiting until what has been committed is on disk, one fsync shared by
 * everyone who asked while the previous one ran.
 *
 * Why not `PRAGMA synchronous = FULL`: it syncs the WAL inside every commit, so every log
 * batch and status write of the runtimes would pay for it and concurrent requests could
 * never share one. `synchronous` is a setting of the connection, not of a transaction.
 * Instead the connection stays `NORMAL` (a commit survives a crash of the process, not a
 * power cut) and what must survive a power cut (an acknowledged create, patch or delete)
 * waits for {@link DurableCommits.durable}: one sync of the WAL file per turn of the event
 * loop, for every change answered in that turn. SQLite appends commits to the WAL in
 * order and a checkpoint in `NORMAL` mode syncs the WAL before copying it and the
 * database after, so one completed sync makes every commit made before it started
 * durable, log lines and status writes included.
 *
 * The sync runs on the JS thread, as SQLite's own would: measured under load, handing it
 * to a thread pool cost 10-20 ms per sync in waiting for the callback (the syscall
 * itself ~0.3 ms), which halved create throughput; blocking for it did not.
 */
import { closeSync, existsSync, fdatasyncSync, fsyncSync, openSync } from 'node:fs'
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
export function createDurableCommits(sync: () => void | Promise<void>): DurableCommits {
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
        // Started after this turn of the event loop: the requests answered in it share the sync.
        setImmediate(() => void drain())
      }
      return done
    },
    get syncs() {
      return syncs
    },
  }
}

/**
 * The sync of a WAL-mode database at `dbPath`: an fdatasync of its `-wal` file (opened when
 * first needed and kept; SQLite keeps that file while a connection is open). Before the
 * first sync, the database file and its directory are synced once, so the new files'
 * directory entries survive a power cut too.
 */
export function walSync(dbPath: string): { sync(): void; close(): void } {
  let fd: number | null = null
  return {
    sync() {
      if (fd === null) {
        const wal = `${dbPath}-wal`
        for (const path of [dbPath, dirname(dbPath)]) syncPath(path)
        if (!existsSync(wal)) return // no WAL yet: every commit so far is in the database file, just synced
        fd = openSync(wal, 'r')
      }
      // fdatasync, as SQLite's own syncs on Linux: the data and the size, not the times; once
      // the WAL has grown to its working size (it is rewritten from the start after a
      // checkpoint) no journal commit is needed, which would flush other files' data too.
      fdatasyncSync(fd)
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
