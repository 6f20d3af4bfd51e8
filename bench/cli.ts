/**
 * Client commands of the compiled binary: `bun bench/cli.ts [path/to/periscope] [runs=10] [experiments=200]`.
 * Builds `dist/periscope` first when no path is given and it is missing. Starts
 * `periscope serve --runtime process` on a free port with a fresh data dir, creates
 * `experiments` one-replica experiments (`echo` three lines) and waits until they end, then
 * measures over `runs` runs each, exec → exit: `bun -e 0` (the anchor), `periscope --version`,
 * `periscope get ID`, `periscope list` (a table of every experiment), `periscope list -o json`,
 * `periscope logs ID`, and, beside them, the same list as one in-process `fetch` (the server's
 * share). Prints median, min and max in ms and the median's ratio to the anchor.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = join(import.meta.dir, '..')
const given = process.argv[2]
const binary = resolve(given ?? join(root, 'dist/periscope'))
const RUNS = Number(process.argv[3] ?? 10)
const EXPERIMENTS = Number(process.argv[4] ?? 200)

if (!existsSync(binary)) {
  if (given) throw new Error(`no binary at ${binary}`)
  const build = Bun.spawnSync([process.execPath, join(root, 'scripts/build.ts')], { cwd: root, stdout: 'inherit' })
  if (build.exitCode !== 0) throw new Error('build failed')
}

function freePort(): number {
  const s = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
  const port = s.port!
  s.stop(true)
  return port
}

const dataDir = mkdtempSync(join(tmpdir(), 'periscope-bench-cli-'))
const port = freePort()
const base = `http://127.0.0.1:${port}`
const server = Bun.spawn([binary, 'serve', '--runtime', 'process', '--port', String(port), '--data-dir', dataDir], {
  stdout: 'ignore',
  stderr: 'ignore',
})

async function timeExit(cmd: string[]): Promise<number> {
  const t0 = Bun.nanoseconds()
  const child = Bun.spawn(cmd, { stdout: 'ignore', stderr: 'ignore', env: { ...process.env, PERISCOPE_SERVER: base } })
  const code = await child.exited
  if (code !== 0) throw new Error(`${cmd.join(' ')} exited ${code}`)
  return (Bun.nanoseconds() - t0) / 1e6
}

async function sample(run: () => Promise<number>): Promise<number[]> {
  await run() // warm up; not counted
  const out: number[] = []
  for (let i = 0; i < RUNS; i++) out.push(await run())
  return out.sort((a, b) => a - b)
}

try {
  for (let i = 0; ; i++) {
    if (
      await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break
    if (i > 200) throw new Error('the server did not answer')
    await Bun.sleep(50)
  }
  const ids: string[] = []
  for (let i = 0; i < EXPERIMENTS; i++) {
    const res = await fetch(`${base}/api/v1/experiment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        meta: { name: `bench-${i}`, framework: 'TensorFlow', cmd: 'echo a; echo b; echo c' },
        environment: { image: 'x' },
        spec: { Worker: { replicas: 1, resources: 'cpu=1,memory=64M' } },
      }),
    })
    ids.push(((await res.json()) as any).result.experimentId)
  }
  for (;;) {
    const list = ((await (await fetch(`${base}/api/v1/experiment`)).json()) as any).result as { status: string }[]
    if (list.every((e) => e.status === 'Succeeded' || e.status === 'Failed')) break
    await Bun.sleep(200)
  }
  const id = ids[0]!
  const rows: [string, number[]][] = [
    ['bun -e 0 (anchor)', await sample(() => timeExit([process.execPath, '-e', '0']))],
    ['periscope --version', await sample(() => timeExit([binary, '--version']))],
    ['periscope get ID', await sample(() => timeExit([binary, 'get', id]))],
    [`periscope list (${EXPERIMENTS} rows)`, await sample(() => timeExit([binary, 'list']))],
    [`periscope list -o json`, await sample(() => timeExit([binary, 'list', '-o', 'json']))],
    ['periscope logs ID', await sample(() => timeExit([binary, 'logs', id]))],
    [
      `in-process fetch of the list`,
      await sample(async () => {
        const t0 = Bun.nanoseconds()
        await (await fetch(`${base}/api/v1/experiment`)).arrayBuffer()
        return (Bun.nanoseconds() - t0) / 1e6
      }),
    ],
  ]
  const anchor = rows[0]![1][Math.floor(RUNS / 2)]!
  console.log(`${RUNS} runs each, ${EXPERIMENTS} experiments; ms: median (min–max), median / anchor`)
  for (const [what, ms] of rows) {
    const median = ms[Math.floor(RUNS / 2)]!
    console.log(
      `${what.padEnd(32)} ${median.toFixed(1).padStart(7)} ` +
        `(${ms[0]!.toFixed(1)}–${ms.at(-1)!.toFixed(1)})  ×${(median / anchor).toFixed(2)}`,
    )
  }
} finally {
  server.kill('SIGTERM')
  await server.exited
  rmSync(dataDir, { recursive: true, force: true })
}
