/**
 * The data dir is private: created 0700 with the database and its WAL/SHM files 0600,
 * and a data dir left readable by others is tightened at start, saying so in the log.
 */
import { expect, test } from 'bun:test'
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { EXPERIMENTS, shutdown, singleBody } from './api/fixtures.ts'
import { tempDir } from './helpers/temp-dir.ts'
import { startTestServer } from './helpers/test-server.ts'

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8)
/** Modes of the dir and of every file directly in it. */
const modes = (dir: string) =>
  Object.fromEntries([
    ['.', mode(dir)],
    ...readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => [e.name, mode(join(dir, e.name))]),
  ])

test('a new data dir is 0700 and the database, WAL and SHM files 0600', async () => {
  const dataDir = join(tempDir(), 'new', 'data')
  const server = await startTestServer({ dataDir })
  try {
    expect((await server.json('POST', EXPERIMENTS, singleBody('modes', 'true'))).http).toBe(200)
    expect(modes(dataDir)).toEqual({
      '.': '700',
      'periscope.db': '600',
      'periscope.db-wal': '600',
      'periscope.db-shm': '600',
    })
  } finally {
    await shutdown(server)
  }
})

test('a data dir readable by others is tightened at start, each change logged', async () => {
  const dataDir = join(tempDir(), 'old')
  const first = await startTestServer({ dataDir })
  await first.json('POST', EXPERIMENTS, singleBody('before', 'true'))
  await first.stop() // the experiment stays stored
  // As an older periscope left it: 0755 and 0644.
  mkdirSync(dataDir, { recursive: true })
  chmodSync(dataDir, 0o755)
  for (const f of readdirSync(dataDir)) if (f.startsWith('periscope.db')) chmodSync(join(dataDir, f), 0o644)
  writeFileSync(join(dataDir, 'token'), 'secret', { mode: 0o644 })
  chmodSync(join(dataDir, 'token'), 0o644)

  const server = await startTestServer({ dataDir })
  try {
    expect(modes(dataDir)).toMatchObject({ '.': '700', 'periscope.db': '600', token: '600' })
    expect(Object.values(modes(dataDir)).every((m) => m === '600' || m === '700')).toBe(true)
    expect(server.logged).toContain(`tightened ${dataDir} from 0755 to 0700: other users could read it`)
    expect(server.logged).toContain(
      `tightened ${join(dataDir, 'periscope.db')} from 0644 to 0600: other users could read it`,
    )
    expect(server.logged).toContain(`tightened ${join(dataDir, 'token')} from 0644 to 0600: other users could read it`)
    expect((await server.json('GET', EXPERIMENTS)).body.result).toHaveLength(1)
  } finally {
    await shutdown(server)
  }
})
