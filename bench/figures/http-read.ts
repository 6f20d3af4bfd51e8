/**
 * @module
 * `GET /api/v1/experiment/{id}` and `GET /api/v1/experiment?limit=50` throughput (wrk, 16
 * keep-alive connections) of a real `periscope serve` child process over 1,000 stored
 * experiments, beside a bare `Bun.serve` child answering the very bytes and headers
 * periscope answered, measured alternately in the same run (medians of the rounds).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../../runtimes/process/ports.ts'
import { waitFor } from '../../runtimes/testing/wait-for.ts'
import { openDatabase } from '../../src/storage/database.ts'
import { spawnServer } from '../../test/helpers/server-process.ts'
import { type Figure, type FigureOptions, median, num } from '../lib/figure.ts'
import { insertExperiments } from '../lib/seed.ts'
import { wrk } from '../lib/wrk.ts'

const EXPERIMENTS = 1000

/** Stores finished experiments (as a server would have left them) in a fresh data dir. */
function seed(dataDir: string): string[] {
  const db = openDatabase(join(dataDir, 'periscope.db'))
  const ids = insertExperiments(db, EXPERIMENTS, (repo, id, at) => {
    repo.markSubmitted(id, at)
    repo.setStatus(id, { status: 'Succeeded', createdTime: at, runningTime: at, finishedTime: at }, null, null)
  })
  db.close()
  return ids
}

/** Writes periscope's answer to `url` (body and headers but the per-answer ones) for the anchor. */
async function capture(url: string, file: string): Promise<number> {
  const res = await fetch(url)
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`)
  const headers: Record<string, string> = {}
  res.headers.forEach((value, key) => {
    if (key !== 'date' && key !== 'content-length' && key !== 'transfer-encoding') headers[key] = value
  })
  const body = await res.text()
  writeFileSync(file, JSON.stringify({ headers, body }))
  return Buffer.byteLength(body)
}

async function startAnchor(file: string): Promise<{ url: string; stop(): Promise<void> }> {
  const port = freePort()
  const proc = Bun.spawn(
    [process.execPath, join(import.meta.dir, '../lib/fixed-answer-server.ts'), String(port), file],
    {
      stdout: 'ignore',
      stderr: 'inherit',
    },
  )
  const url = `http://127.0.0.1:${port}`
  await waitFor(
    'the anchor server to answer',
    () =>
      fetch(url).then(
        (r) => r.ok,
        () => false,
      ),
    10_000,
    20,
  )
  return {
    url,
    async stop() {
      proc.kill()
      await proc.exited
    },
  }
}

/** Measures both read figures. */
export async function measureHttpRead(opts: FigureOptions): Promise<Figure[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'periscope-bench-read-'))
  const ids = seed(dataDir)
  const server = await spawnServer(dataDir, ['--runtime', 'process'])
  const rounds = opts.short ? 1 : 3
  const seconds = opts.short ? 2 : 5
  const figures: Figure[] = []
  try {
    const cases = [
      {
        name: '`GET /api/v1/experiment/{id}` throughput, 16 connections',
        path: `/api/v1/experiment/${ids[500]}`,
        goal: 0.6,
      },
      {
        name: '`GET /api/v1/experiment?limit=50` throughput, 16 connections',
        path: '/api/v1/experiment?limit=50',
        goal: 0.4,
      },
    ]
    for (const c of cases) {
      const file = join(dataDir, 'answer.json')
      const bytes = await capture(server.url + c.path, file)
      const anchor = await startAnchor(file)
      const a: number[] = []
      const s: number[] = []
      const p99: number[] = []
      try {
        await wrk(anchor.url + c.path, 16, 1) // warm-up of both
        await wrk(server.url + c.path, 16, 1)
        for (let r = 0; r < rounds; r++) {
          a.push((await wrk(anchor.url + c.path, 16, seconds)).requestsPerSecond)
          const subject = await wrk(server.url + c.path, 16, seconds)
          s.push(subject.requestsPerSecond)
          p99.push(subject.p99Ms)
        }
      } finally {
        await anchor.stop()
      }
      const ratio = median(s) / median(a)
      figures.push({
        name: c.name,
        anchorName: `bare \`Bun.serve\` answering the same ${num(bytes)} bytes`,
        subject: `${num(median(s))} req/s (p99 ${median(p99).toFixed(1)} ms)`,
        anchor: `${num(median(a))} req/s`,
        ratio,
        goal: `≥ ${c.goal}×`,
        met: ratio >= c.goal,
      })
    }
  } finally {
    await server.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
  return figures
}

if (import.meta.main) console.table(await measureHttpRead({ short: process.argv.includes('--short') }))
