/**
 * What the token check costs per request, through the real app (`app.request`, SQLite file,
 * process runtime idle): `bun bench/auth.ts [requests=20000]`. The anchor is the same request
 * to the same kind of server with auth off, measured in the same run and interleaved with it;
 * each figure is printed beside it as a ratio. With auth on every request asks SQLite whether
 * another connection changed the database (so a revoke is seen at once) and compares every
 * token in constant time: one token, then 100 (added from another connection, as the CLI does).
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createProcessRuntime } from '../runtimes/process/index.ts'
import { hashesOf, newTokenSecret } from '../src/auth/token-secret.ts'
import { type Config, parseServeConfig } from '../src/config.ts'
import { type Server, startServer } from '../src/server.ts'
import { openDatabase } from '../src/storage/database.ts'
import { createTokenRepository } from '../src/storage/token-repository.ts'

const REQUESTS = Number(process.argv[2] ?? 20_000)
const dirs: string[] = []

async function start(auth: Config['auth']): Promise<Server & { dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'periscope-bench-auth-'))
  dirs.push(dataDir)
  const config = parseServeConfig(['--port', '0', '--data-dir', dataDir, '--runtime', 'process', '--auth', auth], {})
  const server = await startServer({
    config,
    version: 'bench',
    log: () => {},
    makeRuntime: async (instanceId) =>
      createProcessRuntime({ dataDir, baseEnv: {}, namespace: 'default', instanceId, restartBackoffMs: 10_000 }),
  })
  return { ...server, dataDir }
}

const off = await start('none')
const on = await start('token')
const token = readFileSync(join(on.dataDir, 'token'), 'utf8').trim()

/** Mean microseconds per `GET /api/v1/environment` (a small answer: the check is most of the work). */
async function measure(server: Server, headers: Record<string, string>): Promise<number> {
  const started = performance.now()
  for (let i = 0; i < REQUESTS; i++) {
    const res = await server.app.request('http://127.0.0.1/api/v1/environment', { headers })
    if (res.status !== 200) throw new Error(`answered ${res.status}`)
    await res.arrayBuffer()
  }
  return ((performance.now() - started) * 1000) / REQUESTS
}

/** Anchor and subject alternately, five rounds each; the medians. */
async function compare(label: string, headers: Record<string, string>): Promise<void> {
  const anchor: number[] = []
  const subject: number[] = []
  await measure(off, {})
  await measure(on, headers)
  for (let round = 0; round < 5; round++) {
    anchor.push(await measure(off, {}))
    subject.push(await measure(on, headers))
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[2]!
  const [a, s] = [median(anchor), median(subject)]
  console.log(
    `${label}: ${s.toFixed(1)} µs/request; auth off (anchor): ${a.toFixed(1)} µs/request; ` +
      `ratio ${(s / a).toFixed(2)} (+${(s - a).toFixed(1)} µs)`,
  )
}

await compare('auth on, 1 stored token', { authorization: `Bearer ${token}` })
const cli = openDatabase(join(on.dataDir, 'periscope.db'))
const tokens = createTokenRepository(cli)
const last = newTokenSecret()
for (let i = 0; i < 98; i++) tokens.insert(`bench-${i}`, false, hashesOf(newTokenSecret()))
tokens.insert('bench-last', false, hashesOf(last))
cli.close()
// The newest token: it answers 200 only if the server saw the other connection's inserts.
await compare('auth on, 100 stored tokens', { authorization: `Bearer ${last}` })

await off.stop()
await on.stop()
for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
