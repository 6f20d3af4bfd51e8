import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { detectDockerEngine, pingEngine } from './engine-probe.ts'

const dir = mkdtempSync(join(tmpdir(), 'periscope-probe-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function fakeEngine(name: string, answer: (req: Request) => Response | Promise<Response>) {
  const socket = join(dir, name)
  const server = Bun.serve({ unix: socket, fetch: answer })
  return { host: `unix://${socket}`, stop: () => server.stop(true) }
}

test('an engine answering GET /_ping over its socket is found, without dockerode', async () => {
  const paths: string[] = []
  const engine = fakeEngine('ok.sock', (req) => {
    paths.push(`${req.method} ${new URL(req.url).pathname}`)
    return new Response('OK')
  })
  try {
    const missing = `unix://${join(dir, 'missing.sock')}`
    expect(await detectDockerEngine({ dockerHost: missing, timeoutMs: 500 })).toBeNull()
    expect(await detectDockerEngine({ dockerHost: engine.host, timeoutMs: 500 })).toBe(engine.host)
    // The first candidate that answers wins, and DOCKER_HOST comes first.
    expect(await detectDockerEngine({ env: { DOCKER_HOST: engine.host }, timeoutMs: 500 })).toBe(engine.host)
    expect(paths.every((p) => p === 'GET /_ping')).toBe(true)
  } finally {
    engine.stop()
  }
})

test('a socket that errors or does not answer in time is no engine', async () => {
  const failing = fakeEngine('500.sock', () => new Response('no', { status: 500 }))
  const silent = fakeEngine('silent.sock', () => new Promise<Response>(() => {}))
  try {
    expect(await pingEngine(failing.host, 500)).toBe(false)
    const t0 = performance.now()
    expect(await pingEngine(silent.host, 200)).toBe(false)
    expect(performance.now() - t0).toBeLessThan(1500)
    expect(await pingEngine('ssh://me@host', 200)).toBe(false)
  } finally {
    failing.stop()
    silent.stop()
  }
})
