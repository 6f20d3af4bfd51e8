/**
 * One create with many replicas does not stall the server, measured against a
 * real `periscope serve --runtime process` child process over its socket:
 *
 *   bun bench/launch.ts            1,000 replicas of `sleep 5`
 *   bun bench/launch.ts --short    200 (CI)
 *
 * Prints how long the create took to answer, how long spawning took, and the
 * latency of `GET /api/v1/experiment/ping` sampled back to back (5 ms apart)
 * while the replicas were spawned, beside the same pings against the idle server
 * (the anchor), then how long the job took to succeed and a DELETE during a
 * second launch took to stop everything.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../runtimes/process/ports.ts'

const short = process.argv.includes('--short')
const REPLICAS = short ? 200 : 1000
const dataDir = mkdtempSync(join(tmpdir(), 'periscope-launch-'))
const port = freePort()
const url = `http://127.0.0.1:${port}`
const proc = Bun.spawn(
  [
    process.execPath,
    join(import.meta.dir, '../src/main.ts'),
    'serve',
    '--runtime',
    'process',
    '--port',
    String(port),
    '--data-dir',
    dataDir,
  ],
  {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stdout: 'ignore',
    stderr: 'ignore',
  },
)
const ping = async () => {
  const s = performance.now()
  const ok = await fetch(`${url}/api/v1/experiment/ping`).then(
    (r) => r.ok,
    () => false,
  )
  return ok ? performance.now() - s : null
}
while ((await ping()) === null) await Bun.sleep(20)

const post = (body: unknown) =>
  fetch(`${url}/api/v1/experiment`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then((r) => r.json() as Promise<any>)
const wide = (cmd: string) => ({
  meta: { name: 'wide', framework: 'PyTorch', cmd },
  environment: { image: 'ignored' },
  spec: { Worker: { replicas: REPLICAS } },
})
const spawned = (id: string) => {
  const dir = join(dataDir, 'runs', id, '.replicas')
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.pid')).length : 0
}
const q = (xs: number[], f: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(f * xs.length))]!
const stats = (xs: number[]) =>
  `p50 ${q(xs, 0.5).toFixed(1)} ms, p99 ${q(xs, 0.99).toFixed(1)} ms, ` +
  `max ${Math.max(...xs).toFixed(1)} ms over ${xs.length}`

try {
  const idle: number[] = []
  for (let i = 0; i < 300; i++) {
    const ms = await ping()
    if (i >= 50 && ms !== null) idle.push(ms)
    await Bun.sleep(5)
  }

  // Pings run from the moment the create is sent until every replica has been spawned.
  let t = performance.now()
  let createMs = 0
  let id = ''
  const creating = post(wide('sleep 5')).then((r) => {
    createMs = performance.now() - t
    id = r.result.experimentId
  })
  const during: number[] = []
  for (let n = 0; !id || n % 20 !== 0 || spawned(id) < REPLICAS; n++) {
    const ms = await ping()
    if (ms !== null) during.push(ms)
    await Bun.sleep(5)
    if (performance.now() - t > 120_000)
      throw new Error(`only ${id && spawned(id)} of ${REPLICAS} replicas spawned after 120 s`)
  }
  await creating
  const launchMs = performance.now() - t
  for (;;) {
    const s = (await fetch(`${url}/api/v1/experiment/${id}`).then((r) => r.json() as Promise<any>)).result.status
    if (s === 'Succeeded' || s === 'Failed') {
      console.log(
        `job of ${REPLICAS} × sleep 5: ${s} ${((performance.now() - t) / 1000).toFixed(1)} s after the create`,
      )
      break
    }
    await Bun.sleep(100)
  }
  console.log(
    `create of ${REPLICAS} replicas answered in ${createMs.toFixed(0)} ms; ` +
      `all spawned ${launchMs.toFixed(0)} ms after it was sent`,
  )
  console.log(`/ping while they spawn: ${stats(during)}`)
  console.log(`/ping idle (anchor):    ${stats(idle)}`)
  await fetch(`${url}/api/v1/experiment/${id}`, { method: 'DELETE' })

  const doomed: string = (await post(wide('sleep 60'))).result.experimentId
  while (spawned(doomed) < REPLICAS / 10) await Bun.sleep(5)
  const at = spawned(doomed)
  t = performance.now()
  const res = await fetch(`${url}/api/v1/experiment/${doomed}`, { method: 'DELETE' })
  console.log(
    `DELETE after ${at} of ${REPLICAS} spawned: HTTP ${res.status} in ${(performance.now() - t).toFixed(0)} ms`,
  )
} finally {
  proc.kill('SIGTERM')
  await proc.exited
  rmSync(dataDir, { recursive: true, force: true })
}
