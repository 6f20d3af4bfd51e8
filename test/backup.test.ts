/**
 * `periscope backup FILE` while a server process writes: the copy opens, passes SQLite's
 * integrity check and holds every experiment acknowledged before the backup began.
 */
import { Database } from 'bun:sqlite'
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { singleBody } from './api/fixtures.ts'
import { postExperiment, type ServerProcess, spawnServer } from './helpers/server-process.ts'
import { tempDir } from './helpers/temp-dir.ts'

const main = join(import.meta.dir, '../src/main.ts')
const dataDir = tempDir()
let server: ServerProcess

beforeAll(async () => {
  server = await spawnServer(dataDir, ['--runtime', 'process'])
})
afterAll(() => server?.stop())

const backup = (...args: string[]) => {
  const r = Bun.spawnSync([process.execPath, main, 'backup', ...args], { stdout: 'pipe', stderr: 'pipe' })
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() }
}

test('a backup taken while the server creates experiments is consistent and has every acknowledged one', async () => {
  const acknowledged: string[] = []
  for (let i = 0; i < 20; i++)
    acknowledged.push((await postExperiment(server.url, singleBody(`b-${i}`, 'true'))).result.experimentId)
  // Creates keep arriving while the backup runs.
  let writing = true
  const writer = (async () => {
    while (writing) await postExperiment(server.url, singleBody('during', 'echo during'))
  })()
  const file = join(tempDir(), 'periscope-backup.db')
  const r = Bun.spawn([process.execPath, main, 'backup', file, '--data-dir', dataDir], {
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [code, out, err] = await Promise.all([r.exited, new Response(r.stdout).text(), new Response(r.stderr).text()])
  writing = false
  await writer
  expect({ code, err }).toEqual({ code: 0, err: '' })
  expect(out).toMatch(new RegExp(`^backed up \\d+ experiments \\(schema version \\d+, \\d+ bytes\\) to ${file}\\n$`))
  expect(statSync(file).mode & 0o777).toBe(0o600)

  const copy = new Database(file, { readonly: true })
  try {
    expect(copy.query('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }])
    const ids = new Set((copy.query('SELECT id FROM experiment').all() as { id: string }[]).map((row) => row.id))
    for (const id of acknowledged) expect(ids.has(id)).toBe(true)
    expect(Number(out.match(/backed up (\d+)/)![1])).toBe(ids.size)
  } finally {
    copy.close()
  }
}, 60_000)

test('backup refuses an existing file, a missing database and a missing FILE, with one clear line', () => {
  const file = join(tempDir(), 'exists.db')
  writeFileSync(file, 'keep me')
  expect(backup(file, '--data-dir', dataDir)).toEqual({
    code: 1,
    out: '',
    err: `periscope backup: ${file} exists; choose a new file or remove it first\n`,
  })
  const empty = tempDir()
  expect(backup(join(empty, 'b.db'), '--data-dir', empty)).toMatchObject({
    code: 1,
    err: `periscope backup: no database at ${join(empty, 'periscope.db')}; is --data-dir serve's data dir?\n`,
  })
  const none = backup('--data-dir', dataDir)
  expect(none.code).toBe(2)
  expect(none.err).toStartWith('periscope backup: expected one FILE to write, got 0\nUsage: periscope backup FILE')
})
