/**
 * Request latency while a retention pass removes most of a large store, against a real
 * `periscope serve` child process (process runtime):
 *
 *   bun bench/retention.ts            100,000 finished experiments, 95,000 removed
 *   bun bench/retention.ts --short    20,000 finished experiments, 19,000 removed (CI)
 *
 * The data dir is built straight through the server's own store modules: each experiment
 * finished, with 5 log lines and 4 events. (No unfinished ones: without their run dirs the
 * supervisor would fail them at start; test/retention.test.ts shows they are never removed.)
 * A client samples `GET /api/v1/experiment/ping` and `GET /api/v1/experiment?limit=50`
 * back to back (p50/p99/max), first against the server with retention off (the anchor),
 * then against one started with `--retention-max-experiments` at 5 % of them, from its
 * start until the pass at start has finished. Goal: no p99 over 50 ms during the pass.
 */
import { Database } from 'bun:sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { normalizeSpec } from '../src/experiments/normalize-spec.ts'
import { openDatabase } from '../src/storage/database.ts'
import { createEventStore } from '../src/storage/event-store.ts'
import { createExperimentRepository } from '../src/storage/experiment-repository.ts'
import { createLogStore } from '../src/storage/log-store.ts'
import { spawnServer } from '../test/helpers/server-process.ts'

const short = process.argv.includes('--short')
const FINISHED = short ? 20_000 : 100_000
const KEEP = FINISHED / 20
const LINES = 5
const ANCHOR_MS = short ? 2_000 : 5_000

const dataDir = mkdtempSync(join(tmpdir(), 'periscope-retention-'))
const dbFile = join(dataDir, 'periscope.db')
const ms = (n: number) => `${n.toFixed(1)} ms`
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN
}

/** Builds the store: FINISHED finished experiments, finished in creation order. */
function build(): void {
  const db = openDatabase(dbFile)
  const repo = createExperimentRepository(db)
  const logs = createLogStore(db)
  const events = createEventStore(db)
  const spec = normalizeSpec(
    {
      meta: { name: 'retention-bench', framework: 'TensorFlow', cmd: 'echo hi', envVars: { ENV_1: 'ENV1' } },
      environment: { image: 'busybox:1.36' },
      spec: { Worker: { replicas: 1, resources: 'cpu=1,memory=1024M' } },
    },
    { namespace: 'default', findEnvironment: () => null, lowerCaseName: true },
  )
  const t0 = Date.now() - FINISHED - 60_000
  const at = (i: number) => new Date(t0 + i).toISOString()
  const recent = new Date().toISOString()
  db.transaction(() => {
    for (let i = 1; i <= FINISHED; i++) {
      const id = `experiment-1700000000000-${String(i).padStart(6, '0')}`
      repo.insert({
        id,
        uid: crypto.randomUUID(),
        spec: { ...spec, meta: { ...spec.meta, experimentId: id } },
        acceptedTime: at(i),
      })
      repo.markSubmitted(id, at(i))
      repo.setStatus(
        id,
        { status: 'Succeeded', createdTime: at(i), runningTime: at(i), finishedTime: at(i) },
        null,
        null,
      )
      const pod = `${id}-worker-0`
      logs.append(
        id,
        pod,
        Array.from({ length: LINES }, (_, n) => ({ ts: at(i), text: `step ${n} loss=0.${n}${i}` })),
      )
      events.append(
        ['Accepted', 'Created', 'Running', 'Succeeded'].map((status) => ({
          experimentId: id,
          replica: null,
          status,
          reason: null,
          message: null,
        })),
        recent,
      )
    }
  })()
  db.close()
}

interface Samples {
  ping: number[]
  list: number[]
}

/** Samples both requests back to back until `done()` holds. */
async function sample(url: string, done: () => boolean): Promise<Samples> {
  const out: Samples = { ping: [], list: [] }
  const time = async (path: string, into: number[]) => {
    const s = performance.now()
    const res = await fetch(`${url}${path}`)
    await res.arrayBuffer()
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`)
    into.push(performance.now() - s)
  }
  while (!done()) {
    await time('/api/v1/experiment/ping', out.ping)
    await time('/api/v1/experiment?limit=50', out.list)
  }
  return out
}

const counts = (db: Database) =>
  db
    .query<{ status: string; n: number }, []>('SELECT status, count(*) AS n FROM experiment GROUP BY status')
    .all()
    .reduce<Record<string, number>>((m, r) => Object.assign(m, { [r.status]: r.n }), {})

const row = (label: string, s: number[]) =>
  `${label.padEnd(34)} n=${String(s.length).padStart(6)}  p50 ${ms(pct(s, 50)).padStart(9)} ` +
  ` p99 ${ms(pct(s, 99)).padStart(9)}  max ${ms(Math.max(...s)).padStart(9)}`

try {
  let t = performance.now()
  build()
  console.log(
    `built ${FINISHED} finished experiments, ${LINES} log lines and ` +
      `4 events each: ${((performance.now() - t) / 1000).toFixed(1)} s`,
  )

  // The anchor: the same store, the same sampling, retention off.
  const off = await spawnServer(dataDir, ['--runtime', 'process'])
  const until = performance.now() + ANCHOR_MS
  const anchor = await sample(off.url, () => performance.now() > until)
  await off.stop()

  const reader = new Database(dbFile, { readonly: true })
  const on = await spawnServer(dataDir, ['--runtime', 'process', '--retention-max-experiments', String(KEEP)])
  t = performance.now()
  let passDone = false
  let remaining = FINISHED
  const watch = setInterval(() => {
    remaining = counts(reader).Succeeded ?? 0
    if (remaining <= KEEP) passDone = true
  }, 100)
  const during = await sample(on.url, () => passDone)
  const passMs = performance.now() - t
  clearInterval(watch)
  await on.stop()
  const left = counts(reader)
  const lines = reader.query<{ n: number }, []>('SELECT count(*) AS n FROM log_line').get()!.n
  const events = reader.query<{ n: number }, []>('SELECT count(*) AS n FROM event').get()!.n
  reader.close()

  console.log(
    `retention pass: ${FINISHED - KEEP} removed in ${(passMs / 1000).toFixed(1)} s ` +
      `(${Math.round(((FINISHED - KEEP) / passMs) * 1000)} experiments/s, from the start of the server); ` +
      `left: ${JSON.stringify(left)}, ${lines} log lines, ${events} events`,
  )
  if (left.Succeeded !== KEEP) throw new Error('the pass did not keep what it should')
  if (lines !== KEEP * LINES || events !== KEEP * 4) throw new Error(`left: ${lines} log lines, ${events} events`)
  console.log(row('anchor: ping, retention off', anchor.ping))
  console.log(row('ping during the pass', during.ping))
  console.log(row('anchor: list?limit=50, retention off', anchor.list))
  console.log(row('list?limit=50 during the pass', during.list))
  const worst = Math.max(pct(during.ping, 99), pct(during.list, 99))
  console.log(`goal: p99 during the pass ≤ 50 ms: ${worst <= 50 ? 'met' : 'NOT met'} (${ms(worst)})`)
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}
