/**
 * Create throughput, measured against a real `periscope serve --runtime process` child
 * process over its socket:
 *
 *   bun bench/creates.ts [--seconds 10] [--clients 8] [binary]
 *
 * `--clients` concurrent clients POST a one-replica experiment running `true` back to back
 * for `--seconds`; it prints the creates answered 200 per second and their latency. The
 * anchors, measured in the same run on the same disk: bare `bun:sqlite` inserts of the same
 * spec into a fresh database opened by `openDatabase` (the server's pragmas), one
 * autocommit each, (a) as they are and (b) each followed by an fdatasync of the WAL (as the
 * server's group commit), the cost of making one commit durable on this machine.
 */
import type { Database } from 'bun:sqlite'
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../runtimes/process/ports.ts'
import { openDatabase } from '../src/storage/database.ts'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const SECONDS = arg('--seconds', 10)
const CLIENTS = arg('--clients', 8)
const binary = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'))

const SPEC = {
  meta: { name: 'bench-create', framework: 'TensorFlow', cmd: 'true', envVars: { ENV_1: 'ENV1' } },
  environment: { image: 'ignored' },
  spec: { Worker: { replicas: 1, resources: 'cpu=1,memory=64M' } },
}

const dirs: string[] = []
const temp = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  dirs.push(dir)
  return dir
}

/** Bare inserts for `seconds`, one autocommit each; `durable` adds an fdatasync of the WAL after each. */
function bareInserts(seconds: number, durable: boolean): number {
  const path = join(temp('periscope-bench-bare-'), 'periscope.db')
  const db: Database = openDatabase(path)
  const insert = db.query(
    'INSERT INTO experiment (id, uid, status, spec, accepted_time, submitted) ' +
      "VALUES ($id, $uid, 'Accepted', $spec, $at, 0)",
  )
  const text = JSON.stringify(SPEC)
  const wal = durable ? openSync(`${path}-wal`, 'r') : -1
  const end = performance.now() + seconds * 1000
  let n = 0
  while (performance.now() < end) {
    insert.run({ id: `experiment-${n}`, uid: crypto.randomUUID(), spec: text, at: new Date().toISOString() })
    if (durable) fdatasyncSync(wal)
    n++
  }
  if (durable) closeSync(wal)
  db.close()
  return n / seconds
}

/** The server's CPU so far, ms: its own (user, system) and its reaped replicas' (user, system); null off Linux. */
function cpuOf(pid: number): number[] | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return [11, 12, 13, 14].map((i) => (Number(fields[i]) * 1000) / 100) // clock ticks of 10 ms
  } catch {
    return null
  }
}

const port = freePort()
const url = `http://127.0.0.1:${port}`
const dataDir = temp('periscope-bench-creates-')
const command = binary ? [binary] : [process.execPath, join(import.meta.dir, '../src/main.ts')]
const proc = Bun.spawn([...command, 'serve', '--runtime', 'process', '--port', String(port), '--data-dir', dataDir], {
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  stdout: 'ignore',
  stderr: 'ignore',
})

try {
  for (let i = 0; ; i++) {
    const up = await fetch(`${url}/api/v1/experiment/ping`).then(
      (r) => r.ok,
      () => false,
    )
    if (up) break
    if (i > 400) throw new Error('the server did not answer within 20 s')
    await Bun.sleep(50)
  }
  const body = JSON.stringify(SPEC)
  const latencies: number[] = []
  let failed = 0
  const end = performance.now() + SECONDS * 1000
  const client = async () => {
    while (performance.now() < end) {
      const t = performance.now()
      const res = await fetch(`${url}/api/v1/experiment`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      await res.arrayBuffer()
      if (res.status === 200) latencies.push(performance.now() - t)
      else failed++
    }
  }
  const cpuBefore = cpuOf(proc.pid)
  const started = performance.now()
  await Promise.all(Array.from({ length: CLIENTS }, client))
  const elapsed = (performance.now() - started) / 1000
  const cpuAfter = cpuOf(proc.pid)
  proc.kill('SIGTERM')
  await proc.exited

  const sorted = latencies.sort((a, b) => a - b)
  const q = (f: number) => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))]!.toFixed(1)
  const rate = latencies.length / elapsed
  const bare = bareInserts(Math.min(SECONDS, 3), false)
  const bareDurable = bareInserts(Math.min(SECONDS, 3), true)
  console.log(
    `server creates (${CLIENTS} clients, ${SECONDS} s): ${rate.toFixed(0)}/s, ` +
      `latency p50 ${q(0.5)} ms, p99 ${q(0.99)} ms${failed ? `, ${failed} not 200` : ''}`,
  )
  if (cpuBefore && cpuAfter) {
    const per = cpuAfter.map((v, i) => ((v - cpuBefore[i]!) / latencies.length).toFixed(2))
    console.log(
      `CPU per create: the server ${per[0]} ms user + ${per[1]} ms system (one thread does the work), ` +
        `its replicas' shells ${per[2]} + ${per[3]} ms`,
    )
  }
  console.log(
    `anchor (a) bare inserts:                ${bare.toFixed(0)}/s  (server = ${(rate / bare).toFixed(4)} of it)`,
  )
  console.log(
    `anchor (b) bare inserts + WAL fdatasync: ${bareDurable.toFixed(0)}/s  ` +
      `(server = ${(rate / bareDurable).toFixed(3)} of it)`,
  )
} finally {
  proc.kill('SIGKILL')
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
}
