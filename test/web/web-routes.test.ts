/**
 * The page's addresses and files over a real socket, from source: every page address
 * answers the same HTML under the strict CSP (deep links reload), the files are gzipped,
 * hashed and revalidated, and what is not a page stays the API's JSON 404. Also the
 * answers Submarine's own web UI needs, and the list's `?name=` search.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.stop())

/** As a browser asks: `GET /` answers other clients with the landing envelope instead. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { headers: { accept: BROWSER_ACCEPT, ...headers }, decompress: false } as RequestInit)

describe('the page', () => {
  test('every page address answers the same document under the strict Content-Security-Policy', async () => {
    const texts: string[] = []
    for (const path of [
      '/',
      '/experiments',
      '/experiments/experiment-1-0001',
      '/create',
      '/environments',
      '/create/',
    ]) {
      const res = await get(path)
      expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({
        path,
        status: 200,
        type: 'text/html; charset=utf-8',
      })
      expect(res.headers.get('content-security-policy')).toBe("default-src 'self'; frame-ancestors 'none'")
      texts.push(await res.text())
    }
    expect(new Set(texts).size).toBe(1)
    const html = texts[0]!
    expect(html.startsWith('<!doctype html>')).toBe(true)
    // Nothing inline: no script or style element with a body, no style attribute, no event handler attribute.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i)
    expect(html).toMatch(/<script type="module" src="\/ui\/app\.js\?v=[0-9a-f]{16}">/)
    expect(html).toMatch(/<link rel="stylesheet" href="\/ui\/app\.css\?v=[0-9a-f]{16}"/)
  })

  test('the files are gzipped when asked, cached for good under their hash, and answer 304 to their ETag', async () => {
    const html = await (await get('/')).text()
    const script = /src="(\/ui\/app\.js\?v=([0-9a-f]+))"/.exec(html)!
    const zipped = await get(script[1]!, { 'accept-encoding': 'gzip, br' })
    expect(zipped.headers.get('content-encoding')).toBe('gzip')
    expect(zipped.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    const body = new Uint8Array(await zipped.arrayBuffer())
    const plain = await get('/ui/app.js')
    expect(plain.headers.get('content-encoding')).toBeNull()
    expect(plain.headers.get('cache-control')).toBe('no-cache') // no hash in the address: revalidate
    expect(new TextDecoder().decode(Bun.gunzipSync(body))).toBe(await plain.text())
    expect(zipped.headers.get('etag')).toBe(`"${script[2]}"`)
    const again = await get('/ui/app.js', { 'if-none-match': `"${script[2]}"` })
    expect(again.status).toBe(304)
  })

  test('what is not a page or a file is the API JSON 404, naming what exists', async () => {
    for (const path of ['/ui/nope.js', '/experiments/a/b', '/nothing']) {
      const res = await get(path)
      expect(res.status).toBe(404)
      const body = (await res.json()) as any
      expect(body.attributes.reason).toBe('ROUTE_NOT_FOUND')
      expect(body.message).toContain(path)
    }
  })
})

describe("Submarine's web UI", () => {
  test('tensorboard and mlflow are not available; an experiment has no artifacts, params or metrics', async () => {
    for (const what of ['tensorboard', 'mlflow']) {
      const { http, body } = await server.json('GET', `/api/v1/experiment/${what}`)
      expect({ http, result: body.result }).toEqual({ http: 200, result: { available: false, url: null } })
    }
    const created = await server.json('POST', '/api/v1/experiment', {
      meta: { name: 'ui-compat', framework: 'TensorFlow', cmd: 'true' },
      environment: { image: 'busybox' },
      spec: { Worker: { replicas: 1, resources: 'cpu=1' } },
    })
    const id = created.body.result.experimentId
    expect((await server.json('GET', `/api/v1/experiment/artifacts/${id}`)).body.result).toEqual([])
    const missing = await server.json('GET', '/api/v1/experiment/artifacts/experiment-1-0404')
    expect([missing.http, missing.body.attributes.reason]).toEqual([404, 'EXPERIMENT_NOT_FOUND'])
    for (const kind of ['param', 'metric']) {
      const ok = await server.json('POST', `/api/${kind}/selective`, { id })
      expect([ok.http, ok.body.success, ok.body.result]).toEqual([200, true, []])
      const bad = await server.json('POST', `/api/${kind}/selective`, '[1]')
      expect([bad.http, bad.body.attributes.reason]).toEqual([400, 'INVALID_SPEC'])
      expect(bad.body.message).toContain('{"id": "<experimentId>"}')
      const badId = await server.json('POST', `/api/${kind}/selective`, { id: 7 })
      expect([badId.http, badId.body.message]).toEqual([
        400,
        'Invalid field id: expected an experiment id string, got number',
      ])
    }
  })
})

test('?name= lists the experiments whose name contains it, in any case, with status filter and cursor', async () => {
  const ids: string[] = []
  for (const name of ['alpha-one', 'beta-one', 'alpha-two', 'gamma']) {
    const res = await server.json('POST', '/api/v1/experiment', {
      meta: { name, framework: 'TensorFlow', cmd: 'true' },
      environment: { image: 'busybox' },
      spec: { Worker: { replicas: 1, resources: 'cpu=1' } },
    })
    ids.push(res.body.result.experimentId)
  }
  const names = async (query: string) =>
    (await server.json('GET', `/api/v1/experiment?${query}`)).body.result.map((e: any) => e.spec.meta.name)
  expect(await names('name=ALPHA')).toEqual(['alpha-one', 'alpha-two'])
  expect(await names('name=one')).toEqual(['alpha-one', 'beta-one'])
  expect(await names(`name=alpha&after=${ids[0]}`)).toEqual(['alpha-two'])
  expect(await names('name=alpha&limit=1')).toEqual(['alpha-one'])
  expect(await names('name=zzz')).toEqual([])
  expect(await names('name=alpha&status=Failed')).toEqual([]) // `true` never fails
  expect(await names('name=%25')).toEqual([]) // a % is a character, not a wildcard
})
