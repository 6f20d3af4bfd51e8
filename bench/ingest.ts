/**
 * How fast and how soon one process-runtime replica's output reaches the log store,
 * driving the runtime directly with a sink over a real SQLite file (the server's pragmas):
 *
 *   bun bench/ingest.ts                 throughput: a replica runs `seq 1 1000000` (then exits, or sleeps)
 *   bun bench/ingest.ts --latency       latency: a replica prints `date +%s%N` every 10 ms
 *   bun bench/ingest.ts --lines 200000  a smaller throughput run (CI)
 *
 * Throughput prints lines/s from submit to the last line stored, once for a replica that
 * exits at once (its output is read by the exit flush) and once for one that stays (read
 * by the watch in slices), beside two anchors from the same run: the same lines appended
 * straight into the log store in the watch's batches (the store's own ceiling), and
 * `seq 1 N > file` (the replica alone).
 * Latency prints p50/p99/max of (stored − printed) beside the goal (p50 ≤ 10 ms, p99 ≤ 50 ms)
 * and beside an anchor run at the same time: the same loop's lines read straight from a pipe
 * (what the machine's scheduling alone costs).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readLines } from '../runtimes/common/line-splitter.ts'
import { createProcessRuntime } from '../runtimes/process/index.ts'
import { jobSpec } from '../runtimes/testing/job-spec.ts'
import type { JobObservation } from '../src/runtime/job-status.ts'
import type { LogLine, Runtime, RuntimeSink } from '../src/runtime/runtime.ts'
import { openDatabase } from '../src/storage/database.ts'
import { createLogStore } from '../src/storage/log-store.ts'

const args = process.argv.slice(2)
const latency = args.includes('--latency')
const lineArg = args.indexOf('--lines')
const LINES = lineArg >= 0 ? Number(args[lineArg + 1]) : 1_000_000
const SAMPLES = 500

const dir = mkdtempSync(join(tmpdir(), 'periscope-ingest-'))
const db = openDatabase(join(dir, 'periscope.db'))
const logs = createLogStore(db)
const wallMs = () => performance.timeOrigin + performance.now()

/** The store, plus when each batch arrived and how big it was. */
class BenchSink implements RuntimeSink {
  readonly statuses = new Map<string, JobObservation>()
  readonly batches: number[] = []
  onLog: (lines: readonly LogLine[], at: number) => void = () => {}
  status(o: JobObservation): void {
    this.statuses.set(o.jobId, o)
  }
  lastStatus(jobId: string): JobObservation | null {
    return this.statuses.get(jobId) ?? null
  }
  log(jobId: string, pod: string, lines: readonly LogLine[]): void {
    logs.append(jobId, pod, lines)
    this.batches.push(lines.length)
    this.onLog(lines, wallMs())
  }
  logCursor(jobId: string, pod: string) {
    return logs.cursor(jobId, pod)
  }
}

const sink = new BenchSink()
const runtime: Runtime = createProcessRuntime({
  dataDir: join(dir, 'data'),
  baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  namespace: 'default',
  instanceId: 'bench',
  restartBackoffMs: 10_000,
})
await runtime.start(sink)

const finished = (id: string) =>
  new Promise<void>((resolve) => {
    const t = setInterval(() => {
      const c = sink.lastStatus(id)?.status.conditions.at(-1)?.type
      if (c === 'Succeeded' || c === 'Failed') {
        clearInterval(t)
        resolve()
      }
    }, 5)
  })

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const q = (xs: number[], f: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(f * xs.length))]!

/** Runs `command` as one replica until all its LINES lines are stored; seconds from submit to the last line. */
async function throughput(command: string): Promise<{ seconds: number; batches: number[] }> {
  const job = jobSpec({ command })
  const pod = `${job.id}-worker-0`
  let stored = 0
  let lastAt = 0
  const first = sink.batches.length
  const done = Promise.withResolvers<void>()
  sink.onLog = (lines, at) => {
    stored += lines.length
    lastAt = at
    if (stored >= LINES) done.resolve()
  }
  const start = wallMs()
  await runtime.submit(job)
  await done.promise
  const seconds = (lastAt - start) / 1000
  await runtime.delete(job.id)
  const last = [...logs.lines(job.id, pod, 1)]
  if (stored !== LINES || last[0]?.text !== String(LINES))
    throw new Error(`stored ${stored} lines ending ${last[0]?.text}`)
  return { seconds, batches: sink.batches.slice(first) }
}

/** Delays (ms) from each `date +%s%N` line printed by `command` to its arrival through a plain pipe. */
async function pipeDelays(command: string): Promise<number[]> {
  const child = Bun.spawn(['sh', '-c', command], { stdout: 'pipe', stderr: 'ignore' })
  const delays: number[] = []
  for await (const lines of readLines(child.stdout)) {
    const at = wallMs()
    for (const l of lines) delays.push(at - Number(l) / 1e6)
  }
  await child.exited
  return delays
}

try {
  if (latency) {
    const command = `i=0; while [ $i -lt ${SAMPLES} ]; do date +%s%N; sleep 0.01; i=$((i+1)); done`
    const job = jobSpec({ command })
    const delays: number[] = []
    sink.onLog = (lines, at) => {
      for (const l of lines) delays.push(at - Number(l.text) / 1e6)
    }
    await runtime.submit(job)
    // Anchor, at the same time (so under the same load): the same loop read straight from a pipe, no runtime, no store.
    const piped = pipeDelays(command)
    await finished(job.id)
    const anchor = (await piped).slice(10)
    const skip = delays.slice(10) // the first lines race the replica's start-up
    const fig = (f: number) => `${q(skip, f).toFixed(2)} ms  (anchor ${q(anchor, f).toFixed(2)} ms)`
    console.log(
      `latency print → store over ${skip.length} lines, one every ~10 ms ` +
        `(${sink.batches.length} batches); anchor: the same loop read from a pipe, concurrently:`,
    )
    console.log(`  p50 ${fig(0.5)}   goal ≤ 10 ms`)
    console.log(`  p99 ${fig(0.99)}   goal ≤ 50 ms`)
    console.log(`  max ${fig(1)}`)
  } else {
    // Exiting at once, the replica's whole output is read by the exit flush; staying alive, by the watch's slices.
    const exits = await throughput(`seq 1 ${LINES}`)
    const stays = await throughput(`seq 1 ${LINES}; sleep 30`)

    // Anchor 1: the same lines straight into the store, in the batches the runtime used.
    const ts = new Date().toISOString()
    let n = 1
    const t0 = wallMs()
    for (const size of stays.batches) {
      const batch: LogLine[] = []
      for (let i = 0; i < size; i++) batch.push({ ts, text: String(n++) })
      logs.append('anchor', 'anchor-worker-0', batch)
    }
    const storeS = (wallMs() - t0) / 1000

    // Anchor 2: the replica alone, writing a file.
    const t1 = wallMs()
    const seq = Bun.spawn(['sh', '-c', `seq 1 ${LINES} > "$1"`, 'sh', join(dir, 'seq.out')])
    await seq.exited
    const seqS = (wallMs() - t1) / 1000

    const row = (what: string, s: number, batches: number) =>
      console.log(
        `  ${what}  ${fmt(LINES / s)} lines/s  (${s.toFixed(2)} s, ` +
          `${batches} batches; ${(storeS / s).toFixed(2)} × the store anchor)`,
      )
    console.log(`${fmt(LINES)} lines from one replica into the store (goal ≥ 100,000 lines/s):`)
    row(`\`seq 1 ${LINES}\`, read by the exit flush      `, exits.seconds, exits.batches.length)
    row(`\`seq 1 ${LINES}; sleep 30\`, read by the watch`, stays.seconds, stays.batches.length)
    console.log(
      `  anchor: straight into the store (watch's batches)   ${fmt(LINES / storeS)} lines/s  (${storeS.toFixed(2)} s)`,
    )
    console.log(
      `  anchor: seq > file                                  ${fmt(LINES / seqS)} lines/s  (${seqS.toFixed(2)} s)`,
    )
  }
} finally {
  await runtime.dispose()
  db.close()
  rmSync(dir, { recursive: true, force: true })
}
