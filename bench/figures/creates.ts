/**
 * @module
 * Creates per second, 8 clients, process runtime, job `true`, beside bare `bun:sqlite`
 * inserts of the same spec with the server's pragmas (`openDatabase`). When
 * `bench/creates.ts` (the durable-creates bench, another branch) is present it is run
 * instead and its lines are printed; until then this simple loader measures the figure.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../src/storage/database.ts'
import { spawnServer } from '../../test/helpers/server-process.ts'
import { type Figure, type FigureOptions, num } from '../lib/figure.ts'

const NAME = 'creates/s, 8 clients, process runtime, job `true`'
const SPEC = {
  meta: { name: 'bench-create', framework: 'TensorFlow', cmd: 'true', envVars: { ENV_1: 'ENV1' } },
  environment: { image: 'ignored' },
  spec: { Worker: { replicas: 1, resources: 'cpu=1,memory=64M' } },
}

/** Bare inserts per second, one autocommit each, into a database opened like the server's. */
function bareInserts(dir: string, seconds: number): number {
  const db = openDatabase(join(dir, 'bare.db'))
  const insert = db.query(
    'INSERT INTO experiment (id, uid, status, spec, accepted_time, submitted) ' +
      "VALUES ($id, $uid, 'Accepted', $spec, $at, 0)",
  )
  const text = JSON.stringify(SPEC)
  const end = performance.now() + seconds * 1000
  let n = 0
  while (performance.now() < end) {
    insert.run({ id: `experiment-${n}`, uid: crypto.randomUUID(), spec: text, at: new Date().toISOString() })
    n++
  }
  db.close()
  return n / seconds
}

/** Creates answered 200 per second by a `periscope serve` child, `clients` back-to-back loops. */
async function serverCreates(dir: string, seconds: number, clients: number): Promise<number> {
  const server = await spawnServer(join(dir, 'data'), ['--runtime', 'process'])
  let n = 0
  try {
    const end = performance.now() + seconds * 1000
    const body = JSON.stringify(SPEC)
    const client = async () => {
      while (performance.now() < end) {
        const res = await fetch(`${server.url}/api/v1/experiment`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        })
        await res.arrayBuffer()
        if (res.status !== 200) throw new Error(`create answered ${res.status}`)
        n++
      }
    }
    await Promise.all(Array.from({ length: clients }, client))
  } finally {
    await server.stop()
  }
  return n / seconds
}

/** Measures the figure (or runs `bench/creates.ts` when it exists, printing its lines as a note). */
export async function measureCreates(opts: FigureOptions): Promise<Figure[]> {
  const seconds = opts.short ? 3 : 10
  const durableBench = join(import.meta.dir, '../creates.ts')
  if (existsSync(durableBench)) {
    const proc = Bun.spawn([process.execPath, durableBench, '--seconds', String(seconds), '--clients', '8'], {
      stdout: 'pipe',
      stderr: 'inherit',
    })
    const out = await new Response(proc.stdout).text()
    if ((await proc.exited) !== 0) throw new Error(`bench/creates.ts failed:\n${out}`)
    const rate = /([\d,.]+)\s*(?:creates)?\/s/.exec(out)
    const value = rate ? Number(rate[1]!.replaceAll(',', '')) : Number.NaN
    return [
      {
        name: NAME,
        anchorName: 'bare `bun:sqlite` inserts (bench/creates.ts, below)',
        subject: Number.isFinite(value) ? `${num(value)}/s` : 'see below',
        anchor: 'see below',
        ratio: null,
        goal: '≥ 800/s',
        met: value >= 800,
        note: out.trim(),
      },
    ]
  }
  const dir = mkdtempSync(join(tmpdir(), 'periscope-bench-creates-'))
  try {
    const anchor = bareInserts(dir, seconds)
    const subject = await serverCreates(dir, seconds, 8)
    return [
      {
        name: NAME,
        anchorName: 'bare `bun:sqlite` inserts, same spec, same pragmas',
        subject: `${num(subject)}/s`,
        anchor: `${num(anchor)}/s`,
        ratio: subject / anchor,
        goal: '≥ 800/s',
        met: subject >= 800,
      },
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.main) console.table(await measureCreates({ short: process.argv.includes('--short') }))
