/**
 * What a web page can and cannot make the server do, through the app (`app.request`): the
 * Host check (DNS rebinding), the Origin and Sec-Fetch-Site rules for writes, the content
 * type of writes, CORS with and without `--cors-origin`, and the headers on every answer.
 * The same attacks over a real socket against the compiled binary: test/security-binary.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Hono } from 'hono'
import { aroundRoutes } from '../../src/http/around-routes.ts'
import { API_CSP, addSecurityHeaders, PAGE_CSP } from '../../src/http/security-headers.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { ENVIRONMENTS, EXPERIMENTS, expectError, expectOk, singleBody, storedState } from './fixtures.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({
    security: { corsOrigins: ['http://ui.example:4200'], publicHosts: ['periscope.example'] },
  })
})
afterAll(() => server.stop())

const send = async (path: string, init: RequestInit) => {
  const res = await server.request(path, init)
  return { res, http: res.status, body: (await res.json()) as any }
}
const spec = JSON.stringify(singleBody('from-a-page', 'true'))

describe('writes from web pages', () => {
  test('the Blob attack (POST, no Content-Type, another origin, cross-site) is a 403; nothing is stored', async () => {
    const before = await storedState(server)
    const res = await send(EXPERIMENTS, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' },
      body: new Blob([spec]),
    })
    expectError(res, 403, 'CROSS_ORIGIN', /Refused POST \/api\/v1\/experiment: a web page on "http:\/\/evil.example"/)
    expect(res.body.message).toContain('--cors-origin')
    expect(await storedState(server)).toEqual(before)
  })

  test('a write with no Content-Type is a 415 even without an Origin (a body no one labelled)', async () => {
    const before = await storedState(server)
    for (const path of [EXPERIMENTS, ENVIRONMENTS, `${EXPERIMENTS}/x`, '/api/auth/login']) {
      const method = path.endsWith('/x') ? 'PATCH' : 'POST'
      expectError(
        await send(path, { method, body: new Blob([spec]) }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'The request has no Content-Type; send Content-Type: application/json or application/yaml',
      )
    }
    // The other types a page may send without a preflight.
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])
      expectError(
        await send(EXPERIMENTS, { method: 'POST', headers: { 'content-type': type }, body: spec }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      )
    expect(await storedState(server)).toEqual(before)
  })

  test('every write method from another origin is refused, DELETE included', async () => {
    // (Another port of the same host is another origin; the scheme alone is not: host and port name one socket.)
    for (const origin of ['http://evil.example', 'null', 'http://localhost:3000', 'http://127.0.0.1']) {
      for (const method of ['POST', 'PATCH', 'PUT', 'DELETE']) {
        const res = await send(`${EXPERIMENTS}/experiment-1-0001`, {
          method,
          headers: { origin, 'content-type': 'application/json' },
          body: method === 'DELETE' ? undefined : spec,
        })
        expect({ origin, method, reason: res.body.attributes.reason }).toEqual({
          origin,
          method,
          reason: 'CROSS_ORIGIN',
        })
      }
    }
  })

  test('a page marked Sec-Fetch-Site cross-site or same-site without an Origin cannot write', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const res = await send(EXPERIMENTS, {
        method: 'POST',
        headers: { 'sec-fetch-site': site, 'content-type': 'application/json' },
        body: spec,
      })
      expectError(res, 403, 'CROSS_ORIGIN', new RegExp(`Sec-Fetch-Site: ${site}`))
    }
  })

  test("the server's own pages, --cors-origin pages and non-browser clients can write", async () => {
    const own = await send(ENVIRONMENTS, {
      method: 'POST',
      headers: { origin: 'http://localhost', 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'own-page', dockerImage: 'x' }),
    })
    expectOk(own)
    const listed = await send(ENVIRONMENTS, {
      method: 'POST',
      headers: { origin: 'http://ui.example:4200', 'sec-fetch-site': 'cross-site', 'content-type': 'application/yaml' },
      body: 'name: cors-page\ndockerImage: x\n',
    })
    expectOk(listed)
    expect(listed.res.headers.get('access-control-allow-origin')).toBe('http://ui.example:4200')
    // Submarine's SDK: JSON content type on every call, no Origin, no Sec-Fetch-*.
    const sdk = await send(`${ENVIRONMENTS}/own-page`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json', 'user-agent': 'OpenAPI-Generator/0.8.0/python' },
    })
    expectOk(sdk)
    expectOk(await send(`${ENVIRONMENTS}/cors-page`, { method: 'DELETE' }))
  })
})

describe('CORS', () => {
  const preflight = (origin: string) =>
    server.request(EXPERIMENTS, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })

  test('a preflight from an origin not named by --cors-origin is a 403 with no CORS headers', async () => {
    const res = await preflight('http://evil.example')
    expect(res.status).toBe(403)
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    expect(((await res.json()) as any).attributes.reason).toBe('CROSS_ORIGIN')
  })

  test('a preflight from a --cors-origin origin is allowed, with the methods and headers', async () => {
    const res = await preflight('http://ui.example:4200')
    expect(res.status).toBe(204)
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'access-control-allow-origin': 'http://ui.example:4200',
      'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
      'access-control-allow-headers': 'Authorization, Content-Type, Accept',
      vary: 'Origin',
    })
  })

  test('reads answer CORS headers only to a --cors-origin origin', async () => {
    const evil = await server.request(EXPERIMENTS, { headers: { origin: 'http://evil.example' } })
    expect(evil.status).toBe(200)
    expect(evil.headers.get('access-control-allow-origin')).toBeNull()
    const ui = await server.request(EXPERIMENTS, { headers: { origin: 'http://ui.example:4200' } })
    expect(ui.headers.get('access-control-allow-origin')).toBe('http://ui.example:4200')
    expect(ui.headers.get('vary')).toBe('Origin')
  })
})

describe('the Host header (DNS rebinding)', () => {
  test('a Host naming another server is a 421 envelope, on every path', async () => {
    for (const path of [EXPERIMENTS, `${EXPERIMENTS}/ping`, '/healthz', '/nothing']) {
      const res = await send(path, { headers: { host: 'evil.example:32080' } })
      expectError(res, 421, 'MISDIRECTED_REQUEST', /The Host header "evil.example:32080" does not name this server/)
      expect(res.body.message).toContain('--public-host')
    }
    const before = await storedState(server)
    const write = await send(EXPERIMENTS, {
      method: 'POST',
      headers: { host: 'evil.example', origin: 'http://evil.example', 'content-type': 'application/json' },
      body: spec,
    })
    expect(write.http).toBe(421)
    expect(await storedState(server)).toEqual(before)
  })

  test('localhost, IP addresses and --public-host names are accepted, with any port or none', async () => {
    for (const host of [
      'localhost',
      'LOCALHOST:32080',
      'localhost.',
      '127.0.0.1',
      '127.0.0.1:32080',
      '[::1]:32080',
      '10.1.2.3:32080',
      'periscope.example',
      'Periscope.Example:8443',
    ])
      expect({ host, status: (await server.request(EXPERIMENTS, { headers: { host } })).status }).toEqual({
        host,
        status: 200,
      })
    for (const host of ['periscope.example.evil.example', 'evilperiscope.example', 'localhost.evil.example'])
      expect({ host, status: (await server.request(EXPERIMENTS, { headers: { host } })).status }).toEqual({
        host,
        status: 421,
      })
  })
})

describe('security headers', () => {
  test('every answer (success, error, 401-style refusal) has nosniff, no-referrer, a CSP with no framing', async () => {
    const answers = [
      await server.request(EXPERIMENTS),
      await server.request('/nothing'),
      await server.request(EXPERIMENTS, { headers: { host: 'evil.example' } }),
      await server.request(EXPERIMENTS, { method: 'POST', body: 'x' }),
      await server.request('/openapi.json'),
    ]
    for (const res of answers) {
      expect(Object.fromEntries(res.headers)).toMatchObject({
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
        'content-security-policy': API_CSP,
      })
    }
  })

  test('HTML pages get the page CSP with frame-ancestors none', async () => {
    const app = new Hono()
    app.use(
      aroundRoutes({
        checks: [],
        after: () => undefined,
        finishes: [addSecurityHeaders],
        renderError: () => new Response(null, { status: 500 }),
      }),
    )
    app.get('/page', (c) => c.html('<!doctype html><title>x</title>'))
    const res = await app.request('/page')
    expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP)
    expect(PAGE_CSP).toContain("frame-ancestors 'none'")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
  })
})
