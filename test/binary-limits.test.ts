/**
 * Bounded resources of the compiled binary, over raw sockets on 127.0.0.1: heads over
 * the limits get 431, slow heads and bodies are cut off, idle connections are closed and
 * 500 of them held open do not slow a normal request.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { freePort } from '../runtimes/process/ports.ts'
import { waitFor } from '../runtimes/testing/wait-for.ts'
import { tempDir } from './helpers/temp-dir.ts'

let proc: ReturnType<typeof Bun.spawn> | undefined
let port = 0
const REQUEST_TIMEOUT_S = 3

beforeAll(async () => {
  const binary = join(tempDir('periscope-dist-'), 'periscope')
  const build = Bun.spawnSync([process.execPath, 'scripts/build.ts', binary], {
    cwd: join(import.meta.dir, '..'),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}`)
  port = freePort()
  const args = ['serve', '--runtime', 'process', '--port', String(port), '--data-dir', tempDir()]
  proc = Bun.spawn([binary, ...args, '--request-timeout', String(REQUEST_TIMEOUT_S)], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    stdout: 'ignore',
    stderr: 'ignore',
  })
  await waitFor(
    'the binary to listen',
    () =>
      ping().then(
        () => true,
        () => false,
      ),
    10_000,
    50,
  )
}, 60_000)

afterAll(() => {
  proc?.kill('SIGTERM')
})

const ping = async () => {
  const t = performance.now()
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/experiment/ping`)
  await res.arrayBuffer()
  if (!res.ok) throw new Error(`ping answered ${res.status}`)
  return performance.now() - t
}

/** A raw connection: what arrived, and whether the server closed it (and when). */
function open(): Promise<{ socket: Socket; received: () => string; closedAt: () => number | null }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let closedAt: number | null = null
    const socket = connect(port, '127.0.0.1', () =>
      resolve({ socket, received: () => Buffer.concat(chunks).toString('latin1'), closedAt: () => closedAt }),
    )
    socket.on('data', (d: Buffer) => chunks.push(d))
    socket.on('close', () => {
      closedAt = performance.now()
    })
    socket.on('error', reject)
  })
}

/** Sends `head` whole and returns the answer's status line and parsed body. */
async function rawRequest(head: string): Promise<{ statusLine: string; body: any }> {
  const c = await open()
  c.socket.write(head)
  await waitFor('the answer and the close', () => c.closedAt() !== null || /\r\n\r\n[\s\S]*\}$/.test(c.received()))
  c.socket.destroy()
  const [statusLine, rest] = [c.received().split('\r\n')[0]!, c.received().split('\r\n\r\n').slice(1).join('')]
  return { statusLine, body: rest ? JSON.parse(rest) : null }
}

const head = (headers: string[]) =>
  `GET /api/v1/experiment/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map((h) => `${h}\r\n`).join('')}` +
  'Connection: close\r\n\r\n'

test('a head over 8 KiB or 100 fields is a 431 in the envelope; over Bun’s 16 KiB, Bun’s bare 431', async () => {
  const big = await rawRequest(head([`X-Big: ${'a'.repeat(9000)}`]))
  expect(big.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large')
  expect(big.body).toMatchObject({
    status: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
    code: 431,
    success: false,
    attributes: { reason: 'HEADERS_TOO_LARGE', limit: 8192 },
  })
  expect(big.body.message).toMatch(
    /^Request line and headers are 9\d{3} bytes; at most 8192 bytes \(8 KiB\) are taken$/,
  )

  const many = await rawRequest(head(Array.from({ length: 120 }, (_, i) => `X-${i}: v`)))
  expect(many.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large')
  expect(many.body.message).toBe('Request has 122 header fields; at most 100 are taken')

  const huge = await rawRequest(head([`X-Huge: ${'a'.repeat(20_000)}`]))
  expect(huge.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large')
  expect(huge.body).toBeNull()

  const normal = await rawRequest(head([`X-Fine: ${'a'.repeat(4000)}`]))
  expect(normal.statusLine).toBe('HTTP/1.1 200 OK')
})

test('a body sent slowly gets a 408 in the envelope after the request timeout; the connection closes', async () => {
  const c = await open()
  const t = performance.now()
  c.socket.write(
    'POST /api/v1/experiment HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      'Content-Length: 100000\r\n\r\n{"meta":',
  )
  const drip = setInterval(() => c.socket.writable && c.socket.write(' '), 200)
  try {
    await waitFor('the server to close the connection', () => c.closedAt() !== null, 15_000, 50)
  } finally {
    clearInterval(drip)
  }
  const took = c.closedAt()! - t
  expect(took).toBeGreaterThan(REQUEST_TIMEOUT_S * 1000 - 100)
  expect(took).toBeLessThan(REQUEST_TIMEOUT_S * 1000 + 5_000)
  expect(c.received().split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout')
  const body = JSON.parse(c.received().split('\r\n\r\n')[1]!)
  expect(body.attributes.reason).toBe('REQUEST_TIMEOUT')
  expect(body.message).toMatch(/^Request body did not arrive within 3 s \(\d+ bytes came\); send it at once$/)
}, 30_000)

test('500 idle connections, some mid-head, do not slow a normal request; a head sent slowly is cut off', async () => {
  const idle = await Promise.all(Array.from({ length: 500 }, () => open()))
  for (const [i, c] of idle.entries()) if (i % 2 === 0) c.socket.write('GET /api/v1/experiment/ping HTTP/1.1\r\nHo')
  const slow = await open()
  const t = performance.now()
  const line = 'GET /api/v1/experiment/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: '
  let sent = 0
  const drip = setInterval(() => slow.socket.writable && slow.socket.write(line[sent++ % line.length]!), 200)
  try {
    const times = []
    for (let i = 0; i < 5; i++) times.push(await ping())
    expect(Math.max(...times)).toBeLessThan(1000)
    // Bun gives a head 10 s (checked every 4 s), however it trickles in.
    await waitFor('the slow head to be cut off', () => slow.closedAt() !== null, 20_000, 100)
    expect(slow.closedAt()! - t).toBeLessThan(16_000)
    expect(slow.received()).toBe('')
    // Silent connections are closed by then too, and the server still answers at once.
    await waitFor('the idle connections to be closed', () => idle.every((c) => c.closedAt() !== null), 20_000, 100)
    expect(await ping()).toBeLessThan(1000)
  } finally {
    clearInterval(drip)
    for (const c of [...idle, slow]) c.socket.destroy()
  }
}, 60_000)

test('a kept-alive connection left idle is closed after the request timeout', async () => {
  const c = await open()
  const t = performance.now()
  c.socket.write('GET /api/v1/experiment/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
  await waitFor('the answer', () => c.received().includes('Pong'))
  await waitFor('the idle connection to be closed', () => c.closedAt() !== null, 15_000, 50)
  // Bun checks timeouts every 4 s.
  expect(c.closedAt()! - t).toBeLessThan(REQUEST_TIMEOUT_S * 1000 + 5_000)
}, 30_000)
