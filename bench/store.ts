/**
 * Measures list/get/logs at scale through the real app (SQLite file, process
 * runtime idle): `bun bench/store.ts [experiments=100000] [logLines=1000000]`.
 * Prints one line per figure.
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createProcessRuntime } from '../runtimes/process/index.ts'
import { startServer } from '../src/server.ts'
import { createLogStore } from '../src/storage/log-store.ts'
import { insertExperiments } from './lib/seed.ts'

const N = Number(process.argv[2] ?? 100_000)
const LINES = Number(process.argv[3] ?? 1_000_000)
const dataDir = mkdtempSync(join(tmpdir(), 'periscope-bench-'))
const server = await startServer({
  config: Object.freeze({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    runtime: 'process',
    namespace: 'default',
    restartBackoffMs: 10_000,
    eventRetentionMs: 7 * 86_400_000,
    heartbeatMs: 15_000,
    auth: 'auto',
    corsOrigins: [],
    publicHosts: [],
    retentionIntervalMs: 600_000,
    requestTimeoutS: 60,
    maxStreams: 1000,
  }),
  version: 'bench',
  log: () => {},
  makeRuntime: async (instanceId) =>
    createProcessRuntime({ dataDir, baseEnv: {}, namespace: 'default', instanceId, restartBackoffMs: 10_000 }),
})
const { db, app } = server
const logs = createLogStore(db)
let t = performance.now()
const ids = insertExperiments(db, N)
db.run(`UPDATE experiment SET status = 'Running' WHERE seq % 10 = 0`)
console.log(`insert ${N} experiments: ${(performance.now() - t).toFixed(0)} ms`)

const timeit = async (label: string, path: string, times: number) => {
  const samples: number[] = []
  let bytes = 0
  for (let i = 0; i < times; i++) {
    const p = path.replace('{id}', ids[Math.floor(Math.random() * ids.length)]!)
    const s = performance.now()
    const res = await app.request(`http://localhost${p}`)
    bytes = (await res.arrayBuffer()).byteLength
    if (res.status !== 200) throw new Error(`${p}: ${res.status}`)
    samples.push(performance.now() - s)
  }
  samples.sort((a, b) => a - b)
  const q = (f: number) => samples[Math.min(samples.length - 1, Math.floor(f * samples.length))]!.toFixed(2)
  console.log(`${label}: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms over ${times} requests (${bytes} bytes)`)
}

await timeit('GET /api/v1/experiment/{id}', '/api/v1/experiment/{id}', 2000)
await timeit('GET /api/v1/experiment?limit=100', '/api/v1/experiment?limit=100', 200)
await timeit('GET /api/v1/experiment?limit=100&offset=90000', `/api/v1/experiment?limit=100&offset=${N - 10_000}`, 200)
await timeit(
  'GET /api/v1/experiment?after={90000th id}&limit=100',
  `/api/v1/experiment?after=${ids[N - 10_000]}&limit=100`,
  200,
)
await timeit('GET /api/v1/experiment?status=running&limit=100', '/api/v1/experiment?status=running&limit=100', 200)
await timeit('GET /api/v1/experiment/logs/{id}', '/api/v1/experiment/logs/{id}', 2000)

const rss = () => process.memoryUsage().rss / 2 ** 20
Bun.gc(true)
let before = rss()
let peak = before
const sampler = setInterval(() => (peak = Math.max(peak, rss())), 5)
t = performance.now()
let res = await app.request('http://localhost/api/v1/experiment')
let size = 0
for await (const chunk of res.body!) {
  size += chunk.byteLength
  peak = Math.max(peak, rss())
}
clearInterval(sampler)
console.log(
  `GET /api/v1/experiment (all ${N}): ${(performance.now() - t).toFixed(0)} ms, ` +
    `${(size / 2 ** 20).toFixed(0)} MiB streamed, RSS +${(peak - before).toFixed(0)} MiB`,
)

Bun.gc(true)
before = rss()
peak = before
const sampler3 = setInterval(() => (peak = Math.max(peak, rss())), 5)
t = performance.now()
res = await app.request('http://localhost/api/v1/experiment/logs')
size = 0
for await (const chunk of res.body!) {
  size += chunk.byteLength
  peak = Math.max(peak, rss())
}
clearInterval(sampler3)
console.log(
  `GET /api/v1/experiment/logs (all ${N}): ${(performance.now() - t).toFixed(0)} ms, ` +
    `${(size / 2 ** 20).toFixed(0)} MiB streamed, RSS +${(peak - before).toFixed(0)} MiB`,
)

const id = ids[0]!
t = performance.now()
const batch = 10_000
for (let i = 0; i < LINES; i += batch) {
  logs.append(
    id,
    `${id}-worker-0`,
    Array.from({ length: Math.min(batch, LINES - i) }, (_, j) => ({
      ts: new Date().toISOString(),
      text: `Accuracy at step ${i + j}: 0.9${(i + j) % 1000}`,
    })),
  )
}
console.log(`append ${LINES} log lines in batches of ${batch}: ${(performance.now() - t).toFixed(0)} ms`)
Bun.gc(true)
before = rss()
peak = before
const sampler2 = setInterval(() => (peak = Math.max(peak, rss())), 5)
t = performance.now()
res = await app.request(`http://localhost/api/v1/experiment/logs/${id}`)
size = 0
for await (const chunk of res.body!) {
  size += chunk.byteLength
  peak = Math.max(peak, rss())
}
clearInterval(sampler2)
console.log(
  `GET /api/v1/experiment/logs/{id} (${LINES} lines): ${(performance.now() - t).toFixed(0)} ms, ` +
    `${(size / 2 ** 20).toFixed(0)} MiB streamed, RSS +${(peak - before).toFixed(0)} MiB`,
)

await server.stop()
rmSync(dataDir, { recursive: true, force: true })
