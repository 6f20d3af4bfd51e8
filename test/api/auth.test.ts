/**
 * Tokens through the app (`app.request`, real SQLite file): when auth is on every request but
 * health, ping, the document and login needs a valid bearer token; read-only tokens cannot
 * write; a revoke from another connection (what `periscope token revoke` does) works at once;
 * Submarine's login endpoints answer the shapes its web UI and integration tests read.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tokenCommand } from '../../src/cli/token.ts'
import { tempDir } from '../helpers/temp-dir.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { EXPERIMENTS, expectError, expectOk, singleBody } from './fixtures.ts'

const md5 = (text: string) => createHash('md5').update(text).digest('hex')
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** `periscope token …` in this process, on its own database connection; stdout and the exit code. */
function cli(dataDir: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = ''
  let stderr = ''
  const code = tokenCommand(
    [...args, '--data-dir', dataDir],
    {},
    {
      stdout: (t) => {
        stdout += t
      },
      stderr: (t) => {
        stderr += t
      },
    },
  )
  return { code, stdout, stderr }
}

describe('--auth token', () => {
  let server: TestServer
  let token = ''
  beforeAll(async () => {
    server = await startTestServer({ security: { auth: 'token' } })
    token = readFileSync(join(server.dataDir, 'token'), 'utf8').trim()
  })
  afterAll(async () => {
    for (const e of (await server.json('GET', EXPERIMENTS, undefined, bearer(token))).body.result ?? [])
      await server.json('DELETE', `${EXPERIMENTS}/${e.experimentId}`, undefined, bearer(token))
    await server.stop()
  })

  test('the first start makes a token, writes it to <data-dir>/token (0600) and logs where', () => {
    const path = join(server.dataDir, 'token')
    expect(token).toMatch(/^psc_[A-Za-z0-9_-]{43}$/)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(server.logged.some((l) => l.includes(`written to ${path} (mode 0600)`))).toBe(true)
    // Only hashes are stored.
    const dump = JSON.stringify(server.db.query('SELECT * FROM api_token').all())
    expect(dump).not.toContain(token)
    expect(cli(server.dataDir, 'list').stdout).toMatch(/^NAME +ACCESS +CREATED\ninitial +read-write +\d{4}-/)
  })

  test('without a token /api answers 401 with WWW-Authenticate, for known and unknown routes', async () => {
    for (const [method, path] of [
      ['GET', EXPERIMENTS],
      ['GET', `${EXPERIMENTS}/logs`],
      ['DELETE', `${EXPERIMENTS}/experiment-1-0001`],
      ['GET', '/api/v1/environment'],
      ['GET', '/api/sys/user/info'],
      ['GET', '/api/v1/nothing-here'],
    ] as const) {
      const res = await server.request(path, { method })
      expect({ path, status: res.status }).toEqual({ path, status: 401 })
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="periscope"')
      expectError({ http: res.status, body: await res.json() }, 401, 'UNAUTHENTICATED', /Authorization: Bearer/)
    }
    const created = await server.json('POST', EXPERIMENTS, singleBody('no-token', 'true'))
    expectError(created, 401, 'UNAUTHENTICATED')
    expect(expectOk(await server.json('GET', EXPERIMENTS, undefined, bearer(token)))).toEqual([])
  })

  test('a wrong or malformed token is a 401 saying so, with error="invalid_token"', async () => {
    for (const header of [`Bearer ${token}x`, 'Bearer nope', `Basic ${btoa(`admin:${token}`)}`, `Bearer ${token} x`]) {
      const res = await server.request(EXPERIMENTS, { headers: { authorization: header } })
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="periscope", error="invalid_token"')
      expect(((await res.json()) as any).attributes.reason).toBe('UNAUTHENTICATED')
    }
  })

  test('with the token everything works; health, readiness, ping and the document need none', async () => {
    const made = expectOk(await server.json('POST', EXPERIMENTS, singleBody('with-token', 'true'), bearer(token)))
    expect(
      expectOk(await server.json('GET', `${EXPERIMENTS}/${made.experimentId}`, undefined, bearer(token))),
    ).toMatchObject({ experimentId: made.experimentId })
    // The scheme is case-insensitive (RFC 7235).
    expect((await server.request(EXPERIMENTS, { headers: { authorization: `bearer ${token}` } })).status).toBe(200)
    for (const path of ['/healthz', '/readyz', `${EXPERIMENTS}/ping`, `${EXPERIMENTS}/ping/`, '/openapi.json'])
      expect({ path, status: (await server.request(path)).status }).toEqual({ path, status: 200 })
  })

  test('a read-only token reads but any write is a 403 naming it', async () => {
    const { stdout, code } = cli(server.dataDir, 'create', '--name', 'dashboard', '--read-only')
    expect(code).toBe(0)
    const ro = stdout.trim()
    expectOk(await server.json('GET', EXPERIMENTS, undefined, bearer(ro)))
    const before = (await server.json('GET', EXPERIMENTS, undefined, bearer(token))).body.result.length
    expectError(
      await server.json('POST', EXPERIMENTS, singleBody('ro', 'true'), bearer(ro)),
      403,
      'FORBIDDEN',
      'Token "dashboard" is read-only; POST /api/v1/experiment needs a read-write token',
    )
    expectError(await server.json('DELETE', `${EXPERIMENTS}/x`, undefined, bearer(ro)), 403, 'FORBIDDEN')
    expect((await server.json('GET', EXPERIMENTS, undefined, bearer(token))).body.result).toHaveLength(before)
  })

  test('a revoked token stops working at the next request', async () => {
    const made = cli(server.dataDir, 'create', '--name', 'short-lived')
    const t = made.stdout.trim()
    expect(made.stderr).toContain('created read-write token "short-lived"')
    expectOk(await server.json('GET', EXPERIMENTS, undefined, bearer(t)))
    expect(cli(server.dataDir, 'revoke', 'short-lived')).toMatchObject({ code: 0 })
    expectError(await server.json('GET', EXPERIMENTS, undefined, bearer(t)), 401, 'UNAUTHENTICATED', /revoked/)
    expect(cli(server.dataDir, 'revoke', 'short-lived')).toMatchObject({ code: 1 })
  })

  test("Submarine's web UI logs in with the MD5 of a token and uses the token it is given", async () => {
    const login = await server.json('POST', '/api/auth/login', { username: 'admin', password: md5(token) })
    const result = expectOk(login)
    expect(result.token).toBe(md5(token))
    expect(result.name).toBe('initial')
    const info = expectOk(await server.json('GET', '/api/sys/user/info', undefined, bearer(result.token)))
    expect(info.name).toBe('initial')
    expect(info.role.permissions.map((p: any) => p.permissionId)).toEqual(['experiment:read', 'experiment:write'])
    expectOk(await server.json('GET', EXPERIMENTS, undefined, bearer(result.token)))
    expect(expectOk(await server.json('POST', '/api/auth/logout', {}))).toBe(true)
  })

  test('a wrong login password is a 401; a login body without a password is a 400 naming it', async () => {
    expectError(
      await server.json('POST', '/api/auth/login', { username: 'admin', password: md5('admin') }),
      401,
      'UNAUTHENTICATED',
      /Login failed/,
    )
    expectError(await server.json('POST', '/api/auth/login', { username: 'admin' }), 400, 'INVALID_SPEC', /password/)
    expectError(await server.json('POST', '/api/auth/login', ['x']), 400, 'INVALID_SPEC', /password/)
  })

  test('POST /api/auth/token answers the token as a string, which then works as a bearer', async () => {
    const answered = expectOk(await server.json('POST', '/api/auth/token', { username: 'admin', password: token }))
    expect(answered).toBe(token)
    expectError(
      await server.json('POST', '/api/auth/token', { username: 'admin', password: 'admin' }),
      401,
      'UNAUTHENTICATED',
    )
  })

  test('user info says a read-only token may only read', async () => {
    const ro = cli(server.dataDir, 'create', '--name', 'viewer', '--read-only').stdout.trim()
    const info = expectOk(await server.json('GET', '/api/sys/user/info', undefined, bearer(ro)))
    expect(info).toMatchObject({ name: 'viewer', role: { name: 'read-only' } })
    expect(info.role.permissions.map((p: any) => p.permissionId)).toEqual(['experiment:read'])
  })
})

describe('--token-file', () => {
  test('its token is accepted beside the stored ones, and no token is made at first start', async () => {
    const dataDir = tempDir()
    const file = join(tempDir(), 'token')
    const secret = 'f'.repeat(24) + md5('secret').slice(0, 16)
    writeFileSync(file, `${secret}\n`)
    const server = await startTestServer({ dataDir, security: { auth: 'token', tokenFile: file } })
    try {
      expectOk(await server.json('GET', EXPERIMENTS, undefined, bearer(secret)))
      expect(expectOk(await server.json('GET', '/api/sys/user/info', undefined, bearer(secret))).name).toBe(
        'token-file',
      )
      expect(cli(dataDir, 'list').stdout.trim()).toBe('NAME  ACCESS      CREATED')
      expect(server.logged.some((l) => l.includes(`and the one in ${file}`))).toBe(true)
      expectError(await server.json('GET', EXPERIMENTS), 401, 'UNAUTHENTICATED')
    } finally {
      await server.stop()
    }
  })

  test('a short or missing token file stops the start with one clear line', async () => {
    const file = join(tempDir(), 'token')
    writeFileSync(file, 'hunter2\n')
    await expect(startTestServer({ security: { auth: 'token', tokenFile: file } })).rejects.toThrow(
      `--token-file ${file} must hold one token of at least 32 characters and no spaces (it holds 7)`,
    )
    await expect(startTestServer({ security: { auth: 'token', tokenFile: `${file}.nope` } })).rejects.toThrow(
      `cannot read --token-file ${file}.nope`,
    )
  })
})

describe('auth off (the default on loopback)', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => server.stop())

  test('no token is needed or made, and any login succeeds', async () => {
    expectOk(await server.json('GET', EXPERIMENTS))
    expect(server.logged.some((l) => l.startsWith('auth:'))).toBe(false)
    const login = expectOk(await server.json('POST', '/api/auth/login', { username: 'ada', password: md5('x') }))
    expect(login).toMatchObject({ name: 'ada', token: 'auth-off' })
    expect(expectOk(await server.json('POST', '/api/auth/token', { username: 'admin', password: 'admin' }))).toBe(
      'auth-off',
    )
    expect(expectOk(await server.json('GET', '/api/sys/user/info', undefined, bearer('auth-off'))).name).toBe(
      'anonymous',
    )
    // A token sent anyway is not checked.
    expectOk(await server.json('GET', EXPERIMENTS, undefined, bearer('whatever')))
  })
})
