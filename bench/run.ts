/**
 * Every figure of issue 12 beside its anchor, measured in the same run, as one table:
 *
 *   npm run bench         the full run (a few minutes)
 *   npm run bench:short   CI's quick run (about a minute): fewer, shorter rounds
 *
 * Figures without a bench yet, or whose tool is missing (`wrk`), are listed as not
 * measured. The figures are printed, not asserted (the machine is noisy): it exits 0
 * whatever they are, and 1 only when a measurement itself broke.
 */
import { measureCreates } from './figures/creates.ts'
import { measureDockerStart } from './figures/docker-start.ts'
import { measureHttpRead } from './figures/http-read.ts'
import { measureKubeRequests } from './figures/kube-requests.ts'
import { measureProcessStart } from './figures/process-start.ts'
import type { Figure, FigureOptions } from './lib/figure.ts'
import { haveWrk } from './lib/wrk.ts'

const opts: FigureOptions = { short: process.argv.includes('--short') }

const NOT_MEASURED: Array<{ name: string; anchorName: string; goal: string; why: string }> = []

const figures: Figure[] = []
let broken = false
const run = async (what: string, measure: (o: FigureOptions) => Promise<Figure[]>) => {
  const started = performance.now()
  try {
    figures.push(...(await measure(opts)))
  } catch (err) {
    broken = true
    console.error(`bench: ${what} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
  }
  console.error(`bench: ${what} took ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

if (haveWrk()) await run('HTTP reads', measureHttpRead)
else console.error('bench: wrk is not installed (apt-get install -y wrk); the HTTP figures are not measured')
await run('creates', measureCreates)
await run('process start', measureProcessStart)
await run('docker start', measureDockerStart)
await run('kubernetes requests', measureKubeRequests)

const rows = [
  ...figures.map((f) =>
    f.notMeasured !== undefined
      ? [f.name, 'not measured', f.anchorName, '—', f.goal, f.notMeasured]
      : [
          f.name,
          f.subject,
          `${f.anchor} (${f.anchorName})`,
          f.ratio === null ? '—' : `${f.ratio.toFixed(2)}×`,
          f.goal,
          f.informative ? '(informative)' : f.met ? 'met' : 'NOT met',
        ],
  ),
  ...NOT_MEASURED.map((f) => [f.name, 'not measured', f.anchorName, '—', f.goal, f.why]),
]
const header = ['figure', 'measured', 'anchor (same run)', 'ratio', 'goal', '']
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
console.log(`\nperiscope bench${opts.short ? ' (short)' : ''}, ${new Date().toISOString()}`)
console.log(line(header))
console.log(line(widths.map((w) => '-'.repeat(w))))
for (const r of rows) console.log(line(r))
for (const f of figures) if (f.note) console.log(`\n${f.name}:\n${f.note}`)
process.exit(broken ? 1 : 0)
