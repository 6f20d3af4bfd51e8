import { afterAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EngineConnection } from './engine-connection.ts'

const dir = mkdtempSync(join(tmpdir(), 'periscope-connection-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test('callers asking while a ping is under way share its answer; a later caller pings again', async () => {
  let pings = 0
  let release!: () => void
  let held = new Promise<void>((resolve) => (release = resolve))
  const socket = join(dir, 'engine.sock')
  const server = Bun.serve({
    unix: socket,
    async fetch(req) {
      if (new URL(req.url).pathname === '/_ping') pings += 1
      await held
      return new Response('OK')
    },
  })
  try {
    const engine = new EngineConnection({ dockerHost: `unix://${socket}`, timeoutMs: 5000 }, 5000)
    const together = Promise.all([engine.connect(), engine.connect(), engine.connect(), engine.connect()])
    release()
    const clients = await together
    expect(new Set(clients).size).toBe(1)
    expect(pings).toBe(1)
    held = Promise.resolve()
    await engine.connect()
    expect(pings).toBe(2)
    expect(engine.down).toBeNull()
  } finally {
    server.stop(true)
  }
})
