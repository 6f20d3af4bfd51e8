/**
 * History costs neither start-up time nor memory, measured against a real
 * `periscope serve --runtime process` child process:
 *
 *   bun bench/history.ts            20,000 finished experiments; 10,000 short jobs
 *   bun bench/history.ts --short    2,000 and 1,000 (CI)
 *
 * (a) Builds a data dir holding N finished experiments exactly as a server leaves
 *     them: one real job is run through the server, then its SQLite rows (experiment,
 *     log lines) and its run directory are copied under N new ids. Times spawn →
 *     first answer of `GET /api/v1/experiment/ping`, median of 3, beside the same
 *     with an empty data dir (the anchor, measured alternately in the same run).
 * (b) Runs M short jobs (`true`) one after another through HTTP (each created once
 *     the previous one has finished) and prints the server's VmRSS after a warm-up,
 *     every M/10 jobs, and at the end.
 */
import { Database } from 'bun:sqlite'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { freePort } from '../runtimes/process/ports.ts'
import { postExperiment as post } from '../test/helpers/server-process.ts'

const short = process.argv.includes('--short')
const HISTORY = short ? 2_000 : 20_000
const JOBS = short ? 1_000 : 10_000
const WARMUP = short ? 100 : 300
const MAIN = join(import.meta.dir, '../src/main.ts')
const temps: string[] = []
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'periscope-history-'))
  temps.push(dir)
  return dir
}

interface Served {
  url: string
  proc: ReturnType<typeof Bun.spawn>
  /** ms from spawn to the first answer of /ping. */
  readyMs: number
  stop(): Promise<void>
}

async function serve(dataDir: string): Promise<Served> {
  const port = freePort()
  const url = `http://127.0.0.1:${port}`
  const t0 = performance.now()
  const proc = Bun.spawn(
    [process.execPath, MAIN, 'serve', '--runtime', 'process', '--port', String(port), '--data-dir', dataDir],
    {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdout: 'ignore',
      stderr: 'ignore',
    },
  )
  for (;;) {
    const ok = await fetch(`${url}/api/v1/experiment/ping`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) break
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`)
    if (performance.now() - t0 > 120_000) throw new Error('server did not answer within 120 s')
    await Bun.sleep(2)
  }
  const readyMs = performance.now() - t0
  return {
    url,
    proc,
    readyMs,
    async stop() {
      proc.kill('SIGTERM')
      await proc.exited
    },
  }
}

const status = (url: string, id: string) =>
  fetch(`${url}/api/v1/experiment/${id}`)
    .then((r) => r.json() as Promise<any>)
    .then((b) => b.result.status as string)
const job = (name: string, cmd: string) => ({
  meta: { name, framework: 'TensorFlow', cmd },
  environment: { image: 'ignored' },
  spec: { Worker: { replicas: 1 } },
})

async function runToEnd(url: string, name: string, cmd: string): Promise<string> {
  const id: string = (await post(url, job(name, cmd))).result.experimentId
  for (;;) {
    const s = await status(url, id)
    if (s === 'Succeeded' || s === 'Failed') return id
    await Bun.sleep(2)
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024

// ---- (a) restart → first ping with a long history --------------------------------------------
{
  const dataDir = temp()
  const first = await serve(dataDir)
  const templateId = await runToEnd(first.url, 'history', 'echo hi; echo there >&2')
  await Bun.sleep(1500) // let the runtime settle (logs flushed, finished job put away) as it would in a day's work
  await first.stop()

  const t = performance.now()
  const db = new Database(join(dataDir, 'periscope.db'))
  const swap = (s: string | null, id: string) => (s === null ? null : s.replaceAll(templateId, id))
  const row = db.query('SELECT * FROM experiment WHERE id = ?').get(templateId) as Record<string, any>
  const sources = db.query('SELECT * FROM log_source WHERE experiment_id = ?').all(templateId) as Record<string, any>[]
  const lines = db.query('SELECT * FROM log_line WHERE experiment_id = ?').all(templateId) as Record<string, any>[]
  const insExp = db.query(
    'INSERT INTO experiment (id, uid, status, spec, accepted_time, created_time, running_time, finished_time, ' +
      `submitted, status_message, observation)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  const insSource = db.query(
    'INSERT INTO log_source (experiment_id, pod, lines, last_ts, at_last_ts) VALUES (?, ?, ?, ?, ?)',
  )
  const insLine = db.query('INSERT INTO log_line (experiment_id, pod, n, ts, text) VALUES (?, ?, ?, ?, ?)')
  const ids = Array.from({ length: HISTORY }, (_, i) => `experiment-1600000000000-${String(i + 1).padStart(6, '0')}`)
  db.transaction(() => {
    for (const id of ids) {
      insExp.run(
        id,
        crypto.randomUUID(),
        row.status,
        swap(row.spec, id),
        row.accepted_time,
        row.created_time,
        row.running_time,
        row.finished_time,
        row.submitted,
        row.status_message,
        swap(row.observation, id),
      )
      for (const s of sources) insSource.run(id, swap(s.pod, id), s.lines, s.last_ts, s.at_last_ts)
      for (const l of lines) insLine.run(id, swap(l.pod, id), l.n, l.ts, l.text)
    }
  })()
  db.close()

  // The run directory the runtime left for the template, copied under every id.
  const runs = join(dataDir, 'runs')
  const template = join(runs, templateId)
  const entries: Array<{ rel: string; dir: boolean; text: string }> = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      const dir_ = statSync(path).isDirectory()
      entries.push({ rel: relative(template, path), dir: dir_, text: dir_ ? '' : readFileSync(path, 'utf8') })
      if (dir_) walk(path)
    }
  }
  walk(template)
  for (const id of ids) {
    mkdirSync(join(runs, id))
    for (const e of entries) {
      const path = join(runs, id, e.rel.replaceAll(templateId, id))
      if (e.dir) mkdirSync(path, { recursive: true })
      else writeFileSync(path, e.text.replaceAll(templateId, id))
    }
  }
  const builtS = ((performance.now() - t) / 1000).toFixed(1)
  const runDir = entries.map((e) => e.rel.replaceAll(templateId, '<id>') + (e.dir ? '/' : '')).join(' ') || '(empty)'
  console.log(
    `(a) built ${HISTORY} finished experiments in ${builtS} s; each run dir as left by the runtime: ${runDir}`,
  )

  const withHistory: number[] = []
  const empty: number[] = []
  for (let i = 0; i < 3; i++) {
    const a = await serve(temp())
    empty.push(a.readyMs)
    await a.stop()
    const b = await serve(dataDir)
    withHistory.push(b.readyMs)
    await b.stop()
  }
  const fmt = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (${xs.map((x) => x.toFixed(0)).join(', ')})`
  console.log(`(a) spawn → first ping, ${HISTORY} finished experiments: ${fmt(withHistory)}`)
  console.log(`(a) spawn → first ping, empty data dir (anchor):        ${fmt(empty)}`)
  console.log(
    `(a) ratio: ${(median(withHistory) / median(empty)).toFixed(2)}×, ` +
      `excess ${(median(withHistory) - median(empty)).toFixed(0)} ms`,
  )
}

// ---- (b) RSS while short jobs run one after another ------------------------------------------
{
  const server = await serve(temp())
  const pid = server.proc.pid
  for (let i = 0; i < WARMUP; i++) await runToEnd(server.url, `warm-${i}`, 'true')
  await Bun.sleep(1000)
  const start = rssMb(pid)
  console.log(`(b) RSS after ${WARMUP} warm-up jobs (anchor): ${start.toFixed(1)} MB`)
  const t = performance.now()
  for (let i = 1; i <= JOBS; i++) {
    await runToEnd(server.url, `short-${i}`, 'true')
    if (i % (JOBS / 10) === 0) {
      const now = rssMb(pid)
      console.log(
        `(b) RSS after ${String(i).padStart(5)} jobs: ${now.toFixed(1)} MB ` +
          `(${now - start >= 0 ? '+' : ''}${(now - start).toFixed(1)} MB; ` +
          `${((performance.now() - t) / i).toFixed(1)} ms/job)`,
      )
    }
  }
  await Bun.sleep(2000)
  const end = rssMb(pid)
  console.log(
    `(b) RSS at the end, 2 s after the last job: ${end.toFixed(1)} MB ` +
      `(${end - start >= 0 ? '+' : ''}${(end - start).toFixed(1)} MB over ${JOBS} jobs)`,
  )
  await server.stop()
}

for (const dir of temps) rmSync(dir, { recursive: true, force: true })
