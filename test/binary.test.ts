/**
 * The compiled single executable, copied nowhere special and started from another
 * directory with a fresh data dir, driven over real HTTP through a whole experiment.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { freePort } from '../runtimes/process/ports.ts'
import { waitFor } from '../runtimes/testing/wait-for.ts'
import { tempDir } from './helpers/temp-dir.ts'

let proc: ReturnType<typeof Bun.spawn> | undefined
let base = ''
const workDir = tempDir('periscope-bin-')
const binary = join(tempDir('periscope-dist-'), 'periscope')

beforeAll(async () => {
  const build = Bun.spawnSync([process.execPath, 'scripts/build.ts', binary], {
    cwd: join(import.meta.dir, '..'),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}`)
  const port = freePort()
  base = `http://127.0.0.1:${port}`
  proc = Bun.spawn([binary, 'serve', '--runtime', 'process', '--port', String(port), '--restart-backoff-ms', '100'], {
    cwd: workDir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: workDir },
    stdout: 'ignore',
    stderr: 'pipe',
  })
  await waitFor(
    'the binary to listen',
    () =>
      fetch(`${base}/api/v1/experiment/ping`).then(
        (r) => r.ok,
        () => false,
      ),
    10_000,
    50,
  )
}, 60_000)

afterAll(() => {
  proc?.kill('SIGTERM')
})

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  })
  return { http: res.status, body: (await res.json()) as any }
}

test('the compiled binary serves a whole experiment from another directory', async () => {
  const created = await call('POST', '/api/v1/experiment', {
    // The master outlives the worker: once it ends the job is done and what still runs is stopped.
    meta: {
      name: 'Binary-Test',
      framework: 'PyTorch',
      cmd: 'echo "rank $RANK of $WORLD_SIZE"; if [ "$RANK" = 0 ]; then sleep 1; fi',
      envVars: {},
    },
    environment: { image: 'unused-by-the-process-runtime' },
    spec: {
      Master: { replicas: 1, resources: 'cpu=1,memory=64M' },
      Worker: { replicas: 1, resources: 'cpu=1,memory=64M' },
    },
  })
  expect(created.http).toBe(200)
  expect(created.body.result.status).toBe('Accepted')
  expect(created.body.result.spec.meta.name).toBe('binary-test')
  const id: string = created.body.result.experimentId
  expect(id).toMatch(/^experiment-\d{13}-\d{4,}$/)

  const status = await waitFor('Succeeded', async () => {
    const s: string = (await call('GET', `/api/v1/experiment/${id}`)).body.result.status
    return s === 'Succeeded' || s === 'Failed' ? s : null
  })
  expect(status).toBe('Succeeded')

  const logs = await call('GET', `/api/v1/experiment/logs/${id}`)
  expect(logs.body.result.logContent).toEqual([
    { podName: `${id}-master-0`, podLog: ['rank 0 of 2'] },
    { podName: `${id}-worker-0`, podLog: ['rank 1 of 2'] },
  ])
  // The default data dir is ./data under the directory it was started from.
  expect(existsSync(join(workDir, 'data', 'periscope.db'))).toBe(true)

  const deleted = await call('DELETE', `/api/v1/experiment/${id}`)
  expect(deleted.body.result.status).toBe('Deleted')
  expect((await call('GET', `/api/v1/experiment/${id}`)).http).toBe(404)
}, 60_000)
