/**
 * Tokens and browser safety against the compiled binary over real sockets on 127.0.0.1:
 * what a browser page sends, byte for byte (test/helpers/raw-http.ts), cannot make a default
 * loopback server run a command; CORS preflights with and without --cors-origin; a rebinding
 * Host; the headers; and with --auth token the 401/403s, `periscope token create|list|revoke`
 * against the running server's data dir, and Submarine's login shapes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { freePort } from '../runtimes/process/ports.ts'
import { waitFor } from '../runtimes/testing/wait-for.ts'
import { type RawResponse, rawRequest } from './helpers/raw-http.ts'
import { tempDir } from './helpers/temp-dir.ts'

const binary = join(tempDir('periscope-dist-'), 'periscope')
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tempDir('periscope-home-') }
const running: Array<ReturnType<typeof Bun.spawn>> = []

beforeAll(() => {
  const build = Bun.spawnSync([process.execPath, 'scripts/build.ts', binary], {
    cwd: join(import.meta.dir, '..'),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}`)
}, 120_000)

afterAll(async () => {
  for (const proc of running) proc.kill('SIGTERM')
  await Promise.all(running.map((p) => p.exited))
})

interface Served {
  port: number
  dataDir: string
  /** What the server has written to stderr so far. */
  log(): string
}

/** `periscope serve --runtime process` on a free port with `args`, once it answers /healthz. */
async function serve(args: string[] = []): Promise<Served> {
  const port = freePort()
  const dataDir = tempDir('periscope-sec-')
  const proc = Bun.spawn(
    [binary, 'serve', '--runtime', 'process', '--port', String(port), '--data-dir', dataDir, ...args],
    { env, stdout: 'ignore', stderr: 'pipe' },
  )
  running.push(proc)
  let stderr = ''
  void (async () => {
    for await (const chunk of proc.stderr) stderr += new TextDecoder().decode(chunk)
  })()
  await waitFor(
    'the binary to answer /healthz',
    () =>
      fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
    15_000,
    50,
  )
  return { port, dataDir, log: () => stderr }
}

/** `periscope <args>`: exit code and output. */
function run(...args: string[]) {
  const r = Bun.spawnSync([binary, ...args], { env, stdout: 'pipe', stderr: 'pipe' })
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() }
}

const json = (res: RawResponse): any => JSON.parse(res.body)
const host = (s: Served): [string, string] => ['Host', `127.0.0.1:${s.port}`]
/** An experiment whose one replica creates `marker`: if it ever runs, the file is there. */
const touching = (marker: string) =>
  JSON.stringify({
    meta: { name: 'from-a-page', framework: 'TensorFlow', cmd: `touch ${marker}`, envVars: {} },
    environment: { image: 'unused' },
    spec: { Worker: { replicas: 1, resources: 'cpu=1,memory=64M' } },
  })
/** The headers Chrome sends with `fetch(url, {method: 'POST', mode: 'no-cors', body: new Blob([…])})`. */
const browserBlobPost = (s: Served): Array<[string, string]> => [
  host(s),
  ['User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36'],
  ['Accept', '*/*'],
  ['Origin', 'http://evil.example'],
  ['Sec-Fetch-Site', 'cross-site'],
  ['Sec-Fetch-Mode', 'no-cors'],
  ['Sec-Fetch-Dest', 'empty'],
  ['Referer', 'http://evil.example/'],
  ['Accept-Encoding', 'gzip, deflate, br'],
]

describe('a default server on loopback (no token needed)', () => {
  let s: Served
  beforeAll(async () => {
    s = await serve()
  }, 30_000)

  test("a web page's Blob POST (no Content-Type, cross-site) is refused and runs nothing", async () => {
    const marker = join(tempDir('periscope-marker-'), 'pwned')
    const res = await rawRequest(s.port, 'POST', '/api/v1/experiment', browserBlobPost(s), touching(marker))
    expect(res.status).toBe(403)
    expect(json(res)).toMatchObject({ code: 403, success: false, attributes: { reason: 'CROSS_ORIGIN' } })
    // Nothing was stored, so nothing can run later either.
    const list = await rawRequest(s.port, 'GET', '/api/v1/experiment', [host(s)])
    expect(json(list).result).toEqual([])
    expect(existsSync(marker)).toBe(false)
    // The same body without the browser's Origin but still without a type: 415, still nothing stored.
    const unlabelled = await rawRequest(s.port, 'POST', '/api/v1/experiment', [host(s)], touching(marker))
    expect(unlabelled.status).toBe(415)
    expect(json(await rawRequest(s.port, 'GET', '/api/v1/experiment', [host(s)])).result).toEqual([])

    // The check can fail: labelled as JSON by a non-browser client, the same body does run.
    const curl = await rawRequest(
      s.port,
      'POST',
      '/api/v1/experiment',
      [host(s), ['Content-Type', 'application/json'], ['User-Agent', 'curl/8.5.0']],
      touching(marker),
    )
    expect(curl.status).toBe(200)
    await waitFor('the labelled experiment to run', () => existsSync(marker), 15_000)
    const id = json(curl).result.experimentId
    await rawRequest(s.port, 'DELETE', `/api/v1/experiment/${id}`, [host(s)])
  }, 30_000)

  test('a CORS preflight without --cors-origin is a 403 with no Access-Control headers', async () => {
    const res = await rawRequest(s.port, 'OPTIONS', '/api/v1/experiment', [
      host(s),
      ['Origin', 'http://evil.example'],
      ['Access-Control-Request-Method', 'POST'],
      ['Access-Control-Request-Headers', 'content-type'],
      ['Sec-Fetch-Mode', 'cors'],
    ])
    expect(res.status).toBe(403)
    expect([...res.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([])
    expect(json(res).attributes.reason).toBe('CROSS_ORIGIN')
  })

  test('a DNS-rebinding Host is a 421 envelope, reads and writes alike', async () => {
    for (const method of ['GET', 'POST']) {
      const res = await rawRequest(
        s.port,
        method,
        '/api/v1/experiment',
        [
          ['Host', `rebind.evil.example:${s.port}`],
          ['Content-Type', 'application/json'],
        ],
        method === 'POST' ? touching('/nonexistent/never') : '',
      )
      expect(res.status).toBe(421)
      expect(json(res)).toMatchObject({
        status: 'MISDIRECTED_REQUEST',
        code: 421,
        attributes: { reason: 'MISDIRECTED_REQUEST' },
      })
    }
    for (const name of ['localhost', '127.0.0.1', '[::1]'])
      expect((await rawRequest(s.port, 'GET', '/api/v1/experiment', [['Host', `${name}:${s.port}`]])).status).toBe(200)
  })

  test('answers carry nosniff, no-referrer and a CSP forbidding framing', async () => {
    for (const path of ['/api/v1/experiment', '/nothing', '/healthz']) {
      const res = await rawRequest(s.port, 'GET', path, [host(s)])
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('referrer-policy')).toBe('no-referrer')
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    }
  })
})

test('with --cors-origin the named origin passes the preflight and reads with CORS headers', async () => {
  const s = await serve(['--cors-origin', 'http://ui.example:4200'])
  const preflight = await rawRequest(s.port, 'OPTIONS', '/api/v1/experiment', [
    host(s),
    ['Origin', 'http://ui.example:4200'],
    ['Access-Control-Request-Method', 'POST'],
    ['Access-Control-Request-Headers', 'authorization, content-type'],
  ])
  expect(preflight.status).toBe(204)
  expect(preflight.headers.get('access-control-allow-origin')).toBe('http://ui.example:4200')
  expect(preflight.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type, Accept')
  const read = await rawRequest(s.port, 'GET', '/api/v1/experiment', [host(s), ['Origin', 'http://ui.example:4200']])
  expect(read.headers.get('access-control-allow-origin')).toBe('http://ui.example:4200')
  const other = await rawRequest(s.port, 'OPTIONS', '/api/v1/experiment', [
    host(s),
    ['Origin', 'http://evil.example'],
    ['Access-Control-Request-Method', 'POST'],
  ])
  expect(other.status).toBe(403)
}, 30_000)

describe('--auth token', () => {
  let s: Served
  let token = ''
  const bearer = (t: string): [string, string] => ['Authorization', `Bearer ${t}`]
  beforeAll(async () => {
    s = await serve(['--auth', 'token'])
    token = readFileSync(join(s.dataDir, 'token'), 'utf8').trim()
  }, 30_000)

  test('the first token is in <data-dir>/token (0600), and the log says so', () => {
    expect(statSync(join(s.dataDir, 'token')).mode & 0o777).toBe(0o600)
    expect(s.log()).toContain(`written to ${join(s.dataDir, 'token')} (mode 0600)`)
  })

  test('no token or a wrong one is a 401 with WWW-Authenticate; the token works; ping stays open', async () => {
    const none = await rawRequest(s.port, 'GET', '/api/v1/experiment', [host(s)])
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="periscope"')
    expect(json(none).attributes.reason).toBe('UNAUTHENTICATED')
    const wrong = await rawRequest(s.port, 'GET', '/api/v1/experiment', [host(s), bearer(`${token}0`)])
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect((await rawRequest(s.port, 'GET', '/api/v1/experiment', [host(s), bearer(token)])).status).toBe(200)
    for (const path of ['/api/v1/experiment/ping', '/healthz', '/readyz'])
      expect((await rawRequest(s.port, 'GET', path, [host(s)])).status).toBe(200)
  })

  test('`periscope token create --read-only` works at once: reads pass, writes are a 403', async () => {
    const made = run('token', 'create', '--name', 'ci', '--read-only', '--data-dir', s.dataDir)
    expect(made.code).toBe(0)
    expect(made.stderr).toContain('created read-only token "ci"')
    const ro = made.stdout.trim()
    expect((await rawRequest(s.port, 'GET', '/api/v1/experiment', [host(s), bearer(ro)])).status).toBe(200)
    const write = await rawRequest(
      s.port,
      'POST',
      '/api/v1/environment',
      [host(s), bearer(ro), ['Content-Type', 'application/json']],
      '{"name":"e","dockerImage":"x"}',
    )
    expect(write.status).toBe(403)
    expect(json(write).attributes.reason).toBe('FORBIDDEN')
    expect(run('token', 'list', '--data-dir', s.dataDir).stdout).toMatch(/initial +read-write[^\n]*\nci +read-only/)
  })

  test('`periscope token revoke` stops a token at the next request', async () => {
    const t = run('token', 'create', '--name', 'temp', '--data-dir', s.dataDir).stdout.trim()
    expect((await rawRequest(s.port, 'GET', '/api/v1/experiment', [host(s), bearer(t)])).status).toBe(200)
    expect(run('token', 'revoke', 'temp', '--data-dir', s.dataDir).code).toBe(0)
    expect((await rawRequest(s.port, 'GET', '/api/v1/experiment', [host(s), bearer(t)])).status).toBe(401)
    expect(run('token', 'revoke', 'temp', '--data-dir', s.dataDir)).toMatchObject({ code: 1 })
  })

  test("Submarine's web UI login: MD5 of the token in, {success, result.token} out, then user info", async () => {
    const login = await rawRequest(
      s.port,
      'POST',
      '/api/auth/login',
      [host(s), ['Content-Type', 'application/json']],
      JSON.stringify({ username: 'admin', password: createHash('md5').update(token).digest('hex') }),
    )
    expect(login.status).toBe(200)
    const body = json(login)
    expect(body.success).toBe(true)
    const info = await rawRequest(s.port, 'GET', '/api/sys/user/info', [host(s), bearer(body.result.token)])
    expect(json(info).result).toMatchObject({ name: 'initial', role: { permissions: expect.any(Array) } })
    const bad = await rawRequest(
      s.port,
      'POST',
      '/api/auth/login',
      [host(s), ['Content-Type', 'application/json']],
      JSON.stringify({ username: 'admin', password: createHash('md5').update('admin').digest('hex') }),
    )
    expect(bad.status).toBe(401)
    const logout = await rawRequest(
      s.port,
      'POST',
      '/api/auth/logout',
      [host(s), ['Content-Type', 'application/json']],
      '{}',
    )
    expect(json(logout)).toMatchObject({ success: true, result: true })
  })
})

describe('the process runtime off loopback', () => {
  test('listens on 0.0.0.0 with auth on (auto), requiring a token', async () => {
    const s = await serve(['--host', '0.0.0.0'])
    expect((await rawRequest(s.port, 'GET', '/api/v1/experiment', [host(s)])).status).toBe(401)
    expect(existsSync(join(s.dataDir, 'token'))).toBe(true)
  }, 30_000)

  test('refuses 0.0.0.0 with --auth none, in one line', () => {
    const r = run(
      'serve',
      '--runtime',
      'process',
      '--host',
      '0.0.0.0',
      '--auth',
      'none',
      '--port',
      '0',
      '--data-dir',
      tempDir(),
    )
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('refusing to listen on 0.0.0.0 with the process runtime and --auth none')
    expect(r.stderr).toContain('WARNING: --auth none on 0.0.0.0')
  })
})
