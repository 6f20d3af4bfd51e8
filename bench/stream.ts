/**
 * Live logs and the event stream, measured against real `periscope serve` child
 * processes (process runtime; Docker runtime too when an engine answers):
 *
 *   bun bench/stream.ts            500 timed lines, 1,000,000-line ingest, 100 idle followers
 *   bun bench/stream.ts --short    100 timed lines, 100,000-line ingest (CI)
 *
 * Each figure is printed beside an anchor measured in the same run:
 * (a) print → delivered to an NDJSON follower, p50/p99 (goal p50 ≤ 10 ms, p99 ≤ 50 ms).
 *     Process runtime: each line is the replica's own `date +%s%N`. Docker: busybox's
 *     `date` has no `%N`, so the line's time is the engine's own timestamp of the write.
 *     Anchor: the same loop's lines read straight from its stdout pipe.
 * (b) ingest: one replica printing N lines (`seq 1 N`) until the last is stored (goal ≥
 *     100,000 lines/s). Anchors: `seq 1 N > file`; the same lines appended straight to a LogStore.
 * (c) the server's RSS while the N-line log streams to three followers at once (flat);
 *     delivered lines/s beside the same lines read straight from SQLite.
 * (d) the RSS cost of 100 idle followers of one experiment (goal ≤ 50 MB), beside the
 *     idle server's RSS.
 * (e) transition → event delivered to a subscriber (goal ≤ 50 ms), beside a ping round trip.
 */
import { Database } from 'bun:sqlite'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { lineMillis } from '../src/experiments/line-time.ts'
import { openDatabase } from '../src/storage/database.ts'
import { createLogStore } from '../src/storage/log-store.ts'
import { spawnServer } from '../test/helpers/server-process.ts'

const short = process.argv.includes('--short')
const TIMED = short ? 100 : 500
const INGEST = short ? 100_000 : 1_000_000
const IDLE = 100
const EVENT_JOBS = short ? 10 : 30
const temps: string[] = []
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'periscope-stream-'))
  temps.push(dir)
  return dir
}
const now = () => performance.timeOrigin + performance.now()
const ms = (n: number) => `${n.toFixed(1)} ms`
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN
}
const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024
/** RFC 3339 with any precision, in fractional epoch ms. */
const preciseMillis = (ts: string) => lineMillis(ts) + Number(`0.${/\.\d{3}(\d+)/.exec(ts)?.[1] ?? '0'}`)

interface Served {
  url: string
  pid: number
  stop(): Promise<void>
}
async function serve(runtime: 'process' | 'docker'): Promise<Served> {
  const env: Record<string, string> = runtime === 'docker' ? { DOCKER_HOST: process.env.DOCKER_HOST ?? '' } : {}
  const s = await spawnServer(temp(), ['--runtime', runtime], env)
  return { url: s.url, pid: s.proc.pid, stop: () => s.stop() }
}

async function create(url: string, cmd: string, image = 'busybox:1.36'): Promise<string> {
  const body = {
    meta: { name: 'bench', namespace: 'default', framework: 'TensorFlow', cmd, envVars: {} },
    environment: { image },
    spec: { Worker: { replicas: 1, resources: 'cpu=1,memory=256M' } },
  }
  const res = await fetch(`${url}/api/v1/experiment`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const json = (await res.json()) as any
  if (!json.success) throw new Error(`create failed: ${JSON.stringify(json)}`)
  return json.result.experimentId
}

/** Follows `id` as NDJSON, calling `onLine` for each line record with its arrival time; resolves at the end. */
async function follow(url: string, id: string, onLine?: (rec: any, at: number) => void): Promise<number> {
  const res = await fetch(`${url}/api/v1/experiment/logs/${id}?follow=true`, {
    headers: { accept: 'application/x-ndjson' },
  })
  const decoder = new TextDecoder()
  let buffer = ''
  let count = 0
  for await (const chunk of res.body!) {
    const at = now()
    buffer += decoder.decode(chunk, { stream: true })
    let nl = buffer.indexOf('\n')
    while (nl >= 0) {
      const line = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
      if (line && !line.startsWith('{"end"')) {
        count += 1
        onLine?.(JSON.parse(line), at)
      }
      nl = buffer.indexOf('\n')
    }
  }
  return count
}

/** (a) print → delivered, and its anchor. */
async function latency(s: Served, runtime: 'process' | 'docker'): Promise<void> {
  const loop =
    runtime === 'process'
      ? `sleep 1; i=0; while [ $i -lt ${TIMED} ]; do date +%s%N; i=$((i+1)); sleep 0.01; done`
      : `sleep 2; i=0; while [ $i -lt ${TIMED} ]; do echo x; i=$((i+1)); usleep 10000; done`
  const id = await create(s.url, loop, 'periscope-test/busybox:latest')
  const lat: number[] = []
  const stored: number[] = []
  await follow(s.url, id, (rec, at) => {
    const printed = runtime === 'process' ? Number(BigInt(rec.line) / 1000n) / 1000 : preciseMillis(rec.time)
    lat.push(at - printed)
    if (runtime === 'process') stored.push(at - preciseMillis(rec.time))
  })
  console.log(
    `${runtime}: print → delivered to a follower (${lat.length} lines): p50 ` +
      `${ms(pct(lat, 50))}, p99 ${ms(pct(lat, 99))} (goal p50 ≤ 10 ms, p99 ≤ 50 ms)`,
  )
  if (stored.length)
    console.log(
      `${runtime}:   of which stored → delivered: p50 ${ms(pct(stored, 50))}, ` +
        `p99 ${ms(pct(stored, 99))} (the rest is the runtime's ingestion)`,
    )
}

async function pipeAnchor(): Promise<void> {
  const proc = Bun.spawn(['sh', '-c', `i=0; while [ $i -lt ${TIMED} ]; do date +%s%N; i=$((i+1)); sleep 0.01; done`], {
    stdout: 'pipe',
  })
  const lat: number[] = []
  const decoder = new TextDecoder()
  let buffer = ''
  for await (const chunk of proc.stdout) {
    const at = now()
    buffer += decoder.decode(chunk, { stream: true })
    const lines = buffer.split('\n')
    buffer = lines.pop()!
    for (const l of lines) lat.push(at - Number(BigInt(l) / 1000n) / 1000)
  }
  console.log(
    `anchor: the same loop read straight from its stdout pipe: p50 ${ms(pct(lat, 50))}, p99 ${ms(pct(lat, 99))}`,
  )
}

/** (b) ingest, (c) three followers of the whole log. */
async function ingestAndFanOut(s: Served, dataDir: string): Promise<void> {
  const t0 = now()
  const id = await create(s.url, `seq 1 ${INGEST}`)
  for (;;) {
    const res = (await (await fetch(`${s.url}/api/v1/experiment/logs/${id}?tailLines=1`)).json()) as any
    if (res.result?.logContent?.[0]?.podLog?.[0] === String(INGEST)) break
    await Bun.sleep(20)
  }
  const ingestS = (now() - t0) / 1000
  const file = join(temp(), 'lines.txt')
  const f0 = now()
  Bun.spawnSync(['sh', '-c', `seq 1 ${INGEST} > ${file}`])
  const fileS = (now() - f0) / 1000
  const store = createLogStore(openDatabase(join(temp(), 'anchor.db')))
  const lines = Array.from({ length: INGEST }, (_, i) => ({ ts: new Date().toISOString(), text: String(i + 1) }))
  const d0 = now()
  for (let i = 0; i < INGEST; i += 1000) store.append('anchor', 'pod', lines.slice(i, i + 1000))
  const directS = (now() - d0) / 1000
  const rate = (n: number, sec: number) => `${Math.round(n / sec).toLocaleString('en')} lines/s`
  console.log(
    `process: ingest of ${INGEST.toLocaleString('en')} lines from ` +
      `one replica: ${rate(INGEST, ingestS)} (goal ≥ 100,000 lines/s)`,
  )
  console.log(
    `anchor: seq ${INGEST} > file: ${rate(INGEST, fileS)}; appended ` +
      `straight to a LogStore in 1,000-line batches: ${rate(INGEST, directS)}`,
  )

  // (c) Three followers at once, the server's RSS sampled meanwhile.
  const before = rss(s.pid)
  const samples: number[] = []
  const sampler = setInterval(() => samples.push(rss(s.pid)), 50)
  const r0 = now()
  const counts = await Promise.all([0, 1, 2].map(() => follow(s.url, id)))
  const followS = (now() - r0) / 1000
  clearInterval(sampler)
  const after = rss(s.pid)
  const peak = Math.max(before, ...samples)
  const quarters = [0.25, 0.5, 0.75].map((q) => mb(samples[Math.floor(q * samples.length)] ?? Number.NaN))
  const db = new Database(join(dataDir, 'periscope.db'), { readonly: true })
  const q0 = now()
  let read = 0
  for (const _ of db.query('SELECT pod, seq, ts, text FROM log_line WHERE experiment_id = ? ORDER BY seq').iterate(id))
    read += 1
  const sqlS = (now() - q0) / 1000
  db.close()
  console.log(
    `process: 3 followers of the ${INGEST.toLocaleString('en')}-line log: ${counts.join(', ')} ` +
      `lines, ${rate(INGEST, followS)} each; server RSS ${mb(before)} before, ${quarters.join(' / ')} ` +
      `at 1/4, 1/2, 3/4 of the run, ${mb(peak)} peak, ${mb(after)} after (goal: flat)`,
  )
  console.log(`anchor: the same ${read.toLocaleString('en')} lines read straight from SQLite: ${rate(read, sqlS)}`)
  await fetch(`${s.url}/api/v1/experiment/${id}`, { method: 'DELETE' })
}

/** (d) 100 idle followers. */
async function idleFollowers(s: Served): Promise<void> {
  const id = await create(s.url, 'echo up; sleep 600')
  const base = rss(s.pid)
  const aborts = Array.from({ length: IDLE }, () => new AbortController())
  await Promise.all(
    aborts.map((a) =>
      fetch(`${s.url}/api/v1/experiment/logs/${id}?follow=true`, {
        headers: { accept: 'application/x-ndjson' },
        signal: a.signal,
      }).then((r) => r.body!.getReader().read()),
    ),
  )
  await Bun.sleep(500) // a window for the server to settle; nothing is asserted
  Bun.gc(true)
  const held = rss(s.pid)
  for (const a of aborts) a.abort()
  console.log(
    `process: ${IDLE} idle followers of one experiment ` + `cost ${mb(held - base)} of server RSS (goal ≤ 50 MB)`,
  )
  console.log(`anchor: the idle server's RSS: ${mb(base)}`)
  await fetch(`${s.url}/api/v1/experiment/${id}`, { method: 'DELETE' })
}

/** (e) transition → event delivered. */
async function eventLatency(s: Served): Promise<void> {
  const abort = new AbortController()
  const res = await fetch(`${s.url}/api/v1/experiment/events`, {
    headers: { accept: 'application/x-ndjson' },
    signal: abort.signal,
  })
  const lat: number[] = []
  const mine = new Set<string>()
  const reading = (async () => {
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of res.body!) {
        const at = Date.now()
        buffer += decoder.decode(chunk, { stream: true })
        const lines = buffer.split('\n')
        buffer = lines.pop()!
        for (const l of lines) {
          const e = l ? JSON.parse(l) : null
          // Only experiments made after subscribing: older events are history, not latency.
          if (e && mine.has(e.experimentId)) lat.push(at - Date.parse(e.time))
        }
      }
    } catch {
      // aborted
    }
  })()
  for (let i = 0; i < EVENT_JOBS; i++) mine.add(await create(s.url, 'echo hi'))
  const deadline = Date.now() + 30_000
  while (lat.length < EVENT_JOBS * 6 && Date.now() < deadline) await Bun.sleep(50)
  abort.abort()
  await reading
  const pings: number[] = []
  for (let i = 0; i < 50; i++) {
    const t = now()
    await fetch(`${s.url}/api/v1/experiment/ping`).then((r) => r.text())
    pings.push(now() - t)
  }
  console.log(
    `process: transition stored → event delivered (${lat.length} events): p50 ` +
      `${ms(pct(lat, 50))}, p99 ${ms(pct(lat, 99))} (ms clock; goal ≤ 50 ms)`,
  )
  console.log(`anchor: GET /api/v1/experiment/ping round trip: p50 ${ms(pct(pings, 50))}, p99 ${ms(pct(pings, 99))}`)
}

async function dockerAnswers(): Promise<boolean> {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'
  if (!host.startsWith('unix://')) return false
  return fetch('http://localhost/_ping', { unix: host.slice('unix://'.length) } as RequestInit).then(
    (r) => r.ok,
    () => false,
  )
}

try {
  const proc = await serve('process')
  try {
    await pipeAnchor()
    await latency(proc, 'process')
    await eventLatency(proc)
    await idleFollowers(proc)
    const dataDir = temps[0]!
    await ingestAndFanOut(proc, dataDir)
  } finally {
    await proc.stop()
  }
  if (await dockerAnswers()) {
    const docker = await serve('docker')
    try {
      await latency(docker, 'docker')
    } finally {
      await docker.stop()
    }
  } else {
    console.log('docker: skipped, no Docker engine answered (set DOCKER_HOST)')
  }
} finally {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true })
}
