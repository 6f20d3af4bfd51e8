import type { Database } from 'bun:sqlite'
import { expect, test } from 'bun:test'
import { join } from 'node:path'
import { tempDir } from '../../test/helpers/temp-dir.ts'
import { openDatabase } from './database.ts'
import { createDurableCommits, walSync } from './durable-commits.ts'

/** A real WAL sync of a real database, counted, that can be held open to see who waits. */
function heldSync() {
  const path = join(tempDir(), 'periscope.db')
  const db: Database = openDatabase(path)
  const wal = walSync(path)
  let gate: PromiseWithResolvers<void> | null = null
  let started = 0
  const sync = async () => {
    started++
    await gate?.promise
    wal.sync()
  }
  return {
    db,
    sync,
    get started() {
      return started
    },
    hold() {
      gate = Promise.withResolvers<void>()
    },
    release() {
      gate?.resolve()
      gate = null
    },
    close() {
      wal.close()
      db.close()
    },
  }
}

test('callers waiting together share one fsync', async () => {
  const s = heldSync()
  const commits = createDurableCommits(s.sync)
  s.db.run("INSERT INTO meta (key, value) VALUES ('a', '1')")
  await Promise.all(Array.from({ length: 20 }, () => commits.durable()))
  expect(commits.syncs).toBe(1)
  s.close()
})

test('a caller arriving while a sync runs waits for the next one, which starts after it', async () => {
  const s = heldSync()
  const commits = createDurableCommits(s.sync)
  s.hold()
  let firstDone = false
  let secondDone = false
  const first = commits.durable().then(() => {
    firstDone = true
  })
  await Bun.sleep(0)
  expect(s.started).toBe(1)
  // Committed after the running sync started: that sync may not cover it.
  s.db.run("INSERT INTO meta (key, value) VALUES ('b', '2')")
  const second = commits.durable().then(() => {
    secondDone = true
  })
  s.release()
  await first
  expect(firstDone).toBe(true)
  expect(secondDone).toBe(false)
  await second
  expect(s.started).toBe(2)
  expect(commits.syncs).toBe(2)
  s.close()
})

test('a failed sync rejects the callers it was for; the next caller gets a new attempt', async () => {
  let fail = true
  const commits = createDurableCommits(async () => {
    if (fail) throw new Error('EIO: i/o error, fsync')
  })
  await expect(commits.durable()).rejects.toThrow('EIO')
  fail = false
  await commits.durable()
  expect(commits.syncs).toBe(2)
})
