/**
 * @module
 * Process runtime: POST → the replica's first instruction runs, beside fork + exec of
 * `sh -c` from the bench itself. Both commands are the same `echo go > <fifo>` and both are
 * timed the same way: from just before the POST (or the spawn) until the bench, blocked
 * reading the FIFO, gets the line. Medians of several samples, alternated.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnServer } from '../../test/helpers/server-process.ts'
import { type Figure, type FigureOptions, median } from '../lib/figure.ts'

let fifos = 0

/** ms from `start()` until something writes a line to a fresh FIFO. */
async function timeToFifo(dir: string, start: (cmd: string) => Promise<unknown> | unknown): Promise<number> {
  const fifo = join(dir, `fifo-${fifos++}`)
  execFileSync('mkfifo', [fifo])
  const reading = open(fifo, 'r').then(async (fd) => {
    const { bytesRead } = await fd.read(Buffer.alloc(16), 0, 16, null)
    const at = performance.now()
    await fd.close()
    if (bytesRead === 0) throw new Error('the FIFO was closed without a line')
    return at
  })
  const t0 = performance.now()
  await Promise.all([start(`echo go > '${fifo}'`), reading])
  return (await reading) - t0
}

/** Measures the figure. */
export async function measureProcessStart(opts: FigureOptions): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'periscope-bench-pstart-'))
  const server = await spawnServer(join(dir, 'data'), ['--runtime', 'process'])
  const samples = opts.short ? 8 : 30
  const subject: number[] = []
  const anchor: number[] = []
  const post = (cmd: string) =>
    fetch(`${server.url}/api/v1/experiment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        meta: { name: 'first-instruction', framework: 'TensorFlow', cmd },
        environment: { image: 'ignored' },
        spec: { Worker: { replicas: 1 } },
      }),
    }).then(async (r) => {
      if (r.status !== 200) throw new Error(`create answered ${r.status}: ${await r.text()}`)
    })
  const spawn = (cmd: string) => Bun.spawn(['sh', '-c', cmd], { stdout: 'ignore', stderr: 'ignore' }).exited
  try {
    await timeToFifo(dir, post) // warm-up of both
    await timeToFifo(dir, spawn)
    for (let i = 0; i < samples; i++) {
      subject.push(await timeToFifo(dir, post))
      anchor.push(await timeToFifo(dir, spawn))
    }
  } finally {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  const ratio = median(subject) / median(anchor)
  return [
    {
      name: 'process runtime: POST → the replica’s first instruction runs',
      anchorName: 'fork + exec of `sh -c` (same command, same timing)',
      subject: `${median(subject).toFixed(2)} ms (median of ${samples})`,
      anchor: `${median(anchor).toFixed(2)} ms`,
      ratio,
      goal: '≤ 2×',
      met: ratio <= 2,
    },
  ]
}

if (import.meta.main) console.table(await measureProcessStart({ short: process.argv.includes('--short') }))
