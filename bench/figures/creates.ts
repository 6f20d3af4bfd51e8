/**
 * @module
 * Creates per second, 8 clients, process runtime, job `true`: runs `bench/creates.ts` (a
 * real `periscope serve` child, with its anchors measured in the same run: bare `bun:sqlite`
 * inserts of the same spec with the server's pragmas, with and without an fdatasync of the
 * WAL each) and prints its lines under the table.
 */
import { join } from 'node:path'
import type { Figure, FigureOptions } from '../lib/figure.ts'
import { num } from '../lib/figure.ts'

/** Measures the figure. */
export async function measureCreates(opts: FigureOptions): Promise<Figure[]> {
  const seconds = opts.short ? 3 : 10
  const proc = Bun.spawn(
    [process.execPath, join(import.meta.dir, '../creates.ts'), '--seconds', String(seconds), '--clients', '8'],
    { stdout: 'pipe', stderr: 'inherit' },
  )
  const out = await new Response(proc.stdout).text()
  if ((await proc.exited) !== 0) throw new Error(`bench/creates.ts failed:\n${out}`)
  const rate = (pattern: RegExp) => {
    const m = pattern.exec(out)
    return m ? Number(m[1]!.replaceAll(',', '')) : Number.NaN
  }
  const subject = rate(/server creates[^:]*: (\d+)\/s/)
  const bare = rate(/anchor \(a\) bare inserts: +(\d+)\/s/)
  return [
    {
      name: 'creates/s, 8 clients, process runtime, job `true`',
      anchorName: 'bare `bun:sqlite` inserts, same spec and pragmas',
      subject: Number.isFinite(subject) ? `${num(subject)}/s` : 'see below',
      anchor: Number.isFinite(bare) ? `${num(bare)}/s` : 'see below',
      ratio: Number.isFinite(subject / bare) ? subject / bare : null,
      goal: '≥ 800/s',
      met: subject >= 800,
      note: out.trim(),
    },
  ]
}

if (import.meta.main) console.table(await measureCreates({ short: process.argv.includes('--short') }))
