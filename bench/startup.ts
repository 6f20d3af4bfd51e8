/**
 * Start-up time of the compiled binary: `bun bench/startup.ts [path/to/periscope] [runs=10]`.
 * Builds `dist/periscope` first when no path is given and it is missing.
 * Measures, over `runs` runs each: `bun -e 0` (the anchor), `periscope --version`, and
 * exec → first 200 from `GET /api/v1/experiment/ping` of `periscope serve --runtime process`
 * (fresh temporary `--data-dir`, a free port, fetch attempted in a tight loop; the
 * server is killed after). Prints median, min and max in ms and the median's ratio to the anchor.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = join(import.meta.dir, '..')
const given = process.argv[2]
const binary = resolve(given ?? join(root, 'dist/periscope'))
const RUNS = Number(process.argv[3] ?? 10)

if (!existsSync(binary)) {
  if (given) throw new Error(`no binary at ${binary}`)
  const build = Bun.spawnSync([process.execPath, join(root, 'scripts/build.ts')], {
    cwd: root,
    stdout: 'inherit',
    stderr: 'inherit',
  })
  if (build.exitCode !== 0) throw new Error('build failed')
}

/** Wall time of one run of `cmd` to its exit, in ms. */
async function timeExit(cmd: string[]): Promise<number> {
  const t0 = Bun.nanoseconds()
  const child = Bun.spawn(cmd, { stdout: 'ignore', stderr: 'ignore' })
  const code = await child.exited
  const ms = (Bun.nanoseconds() - t0) / 1e6
  if (code !== 0) throw new Error(`${cmd.join(' ')} exited ${code}`)
  return ms
}

function freePort(): number {
  const s = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
  const port = s.port!
  s.stop(true)
  return port
}

/** Exec of `periscope serve` → first 200 from the ping endpoint, in ms. */
async function timeFirstPing(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'periscope-startup-'))
  const port = freePort()
  const url = `http://127.0.0.1:${port}/api/v1/experiment/ping`
  const t0 = Bun.nanoseconds()
  const child = Bun.spawn([binary, 'serve', '--runtime', 'process', '--port', String(port), '--data-dir', dataDir], {
    stdout: 'ignore',
    stderr: 'ignore',
  })
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited ${child.exitCode} before answering`)
      if ((Bun.nanoseconds() - t0) / 1e6 > 10_000) throw new Error('no answer within 10 s')
      try {
        const res = await fetch(url, { keepalive: false })
        await res.arrayBuffer()
        if (res.status === 200) return (Bun.nanoseconds() - t0) / 1e6
      } catch {
        // not listening yet
      }
    }
  } finally {
    child.kill('SIGKILL')
    await child.exited
    rmSync(dataDir, { recursive: true, force: true })
  }
}

async function sample(run: () => Promise<number>): Promise<number[]> {
  await run() // warm the page cache; not counted
  const out: number[] = []
  for (let i = 0; i < RUNS; i++) out.push(await run())
  return out.sort((a, b) => a - b)
}

const median = (xs: number[]) =>
  xs.length % 2 ? xs[(xs.length - 1) / 2]! : (xs[xs.length / 2 - 1]! + xs[xs.length / 2]!) / 2

const rows: [string, number[]][] = [
  ['bun -e 0 (anchor)', await sample(() => timeExit([process.execPath, '-e', '0']))],
  ['periscope --version', await sample(() => timeExit([binary, '--version']))],
  ['exec → first ping 200', await sample(timeFirstPing)],
]
const anchor = median(rows[0]![1])
const fmt = (n: number) => n.toFixed(1).padStart(8)
console.log(`${binary}, ${RUNS} runs each (ms)`)
console.log(
  `${'what'.padEnd(24)}${'median'.padStart(8)}${'min'.padStart(8)}${'max'.padStart(8)}${'× anchor'.padStart(10)}`,
)
for (const [name, xs] of rows) {
  console.log(
    `${name.padEnd(24)}${fmt(median(xs))}${fmt(xs[0]!)}${fmt(xs[xs.length - 1]!)}` +
      `${(median(xs) / anchor).toFixed(1).padStart(10)}`,
  )
}
