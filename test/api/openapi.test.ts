/**
 * The OpenAPI document: valid OpenAPI 3.1 (by @seriousme/openapi-schema-validator),
 * listing exactly the routes the Hono app registers, its examples valid against its own
 * schemas, and the real server's answers to those examples (and to bad requests)
 * valid against the documented schemas (by @cfworker/json-schema). Served at both
 * addresses and printed by `periscope openapi`, all the same text.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Validator as JsonSchemaValidator } from '@cfworker/json-schema'
import { Validator as OpenApiValidator } from '@seriousme/openapi-schema-validator'
import { OPENAPI_EXAMPLES, renderOpenApiExamples } from '../../scripts/openapi-examples.ts'
import { buildOpenApiDocument } from '../../src/openapi/document.ts'
import { openStream } from '../helpers/stream-client.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { ENVIRONMENTS, EXPERIMENTS, shutdown } from './fixtures.ts'

/** Documented routes another branch is adding to the app: until they land, they may be missing from it. */
const doc: any = buildOpenApiDocument('test')

/** `GET /api/v1/experiment/{}` for both `:id` (Hono) and `{id}` (OpenAPI) forms. */
const routeKey = (method: string, path: string) =>
  `${method.toUpperCase()} ${path.replace(/\/+$/, '').replace(/:[^/]+|\{[^}]+\}/g, '{}') || '/'}`

const documentedRoutes = () =>
  Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => routeKey(method, path)),
  )

/** The JSON Schema validator of one documented answer, its `$ref`s resolved against the document. */
function schemaOf(path: string, method: string, status: number, type = 'application/json'): JsonSchemaValidator {
  let response = doc.paths[path]?.[method]?.responses?.[String(status)]
  if (!response) throw new Error(`${method.toUpperCase()} ${path} documents no ${status} answer`)
  if (response.$ref) response = doc.components.responses[response.$ref.split('/').at(-1)]
  const schema = response.content?.[type]?.schema
  if (!schema) throw new Error(`${method.toUpperCase()} ${path} ${status} documents no ${type} body`)
  return new JsonSchemaValidator({ ...schema, components: doc.components }, '2020-12', false)
}

function expectValid(validator: JsonSchemaValidator, value: unknown, what: string) {
  const { valid, errors } = validator.validate(value)
  expect({ what, errors: valid ? [] : errors.map((e) => `${e.instanceLocation}: ${e.error}`) }).toEqual({
    what,
    errors: [],
  })
}

function requestSchemaOf(path: string, method: string): JsonSchemaValidator {
  const schema = doc.paths[path][method].requestBody.content['application/json'].schema
  return new JsonSchemaValidator({ ...schema, components: doc.components }, '2020-12', false)
}

function examples(path: string, method: string, part: 'request' | 'response'): Array<{ summary: string; value: any }> {
  const op = doc.paths[path][method]
  const content = part === 'request' ? op.requestBody?.content : op.responses['200'].content
  return Object.values(content?.['application/json']?.examples ?? {})
}

test('is a valid OpenAPI 3.1 document, and the validator does refuse a broken one', async () => {
  const res = await new OpenApiValidator().validate(structuredClone(doc))
  expect({ valid: res.valid, errors: res.errors }).toEqual({ valid: true, errors: undefined })
  expect(doc.openapi).toBe('3.1.0')
  const broken = structuredClone(doc)
  broken.paths['/api/v1/experiment'].get.parameters[0].in = 'body'
  expect((await new OpenApiValidator().validate(broken)).valid).toBe(false)
})

test("every error reason the API answers with is in the document, each under the route's status", () => {
  const text = JSON.stringify(doc)
  for (const reason of [
    'INVALID_SPEC',
    'MALFORMED_BODY',
    'INVALID_QUERY',
    'BODY_TOO_LARGE',
    'UNSUPPORTED_MEDIA_TYPE',
    'EXPERIMENT_NOT_FOUND',
    'ENVIRONMENT_NOT_FOUND',
    'POD_NOT_FOUND',
    'ENVIRONMENT_EXISTS',
    'TEMPLATE_NOT_FOUND',
    'TEMPLATE_EXISTS',
    'TEMPLATE_PARAMETERS',
    'SPEC_CONFLICT',
    'EXPERIMENT_FINISHED',
    'IDEMPOTENCY_KEY_REUSED',
    'INVALID_HEADER',
    'ROUTE_NOT_FOUND',
    'RUNTIME_REJECTED',
    'RUNTIME_UNAVAILABLE',
    'INTERNAL',
  ])
    expect({ reason, found: text.includes(`"${reason}"`) }).toEqual({ reason, found: true })
  const create = doc.paths['/api/v1/experiment'].post.responses
  expect(Object.keys(create)).toEqual(['200', '400', '403', '404', '409', '413', '415', '422', '500'])
})

test('the streaming routes are documented with their record schemas and content types', () => {
  const logs = doc.paths['/api/v1/experiment/logs/{id}'].get
  expect(Object.keys(logs.responses['200'].content)).toEqual([
    'application/json',
    'text/event-stream',
    'application/x-ndjson',
  ])
  expect(logs.parameters.map((p: any) => p.name)).toEqual([
    'id',
    'pod',
    'tailLines',
    'follow',
    'sinceTime',
    'sinceSeconds',
    'timestamps',
    'cursor',
  ])
  const record = schemaOf('/api/v1/experiment/logs/{id}', 'get', 200, 'application/x-ndjson')
  expectValid(record, { podName: 'e-ps-0', line: 'hi', time: '2026-11-22T13:03:10.000Z', cursor: '17' }, 'log record')
  expect(record.validate({ podName: 'e-ps-0', line: 'hi' }).valid).toBe(false)
  const events = doc.paths['/api/v1/experiment/events'].get
  expect(Object.keys(events.responses['200'].content)).toEqual(['text/event-stream', 'application/x-ndjson'])
  expect(events.parameters.map((p: any) => p.name)).toEqual(['experimentId', 'after'])
})

test('the bundled examples are those of test/fixtures/api-doc/ (run `bun scripts/openapi-examples.ts` if not)', () => {
  expect(readFileSync(OPENAPI_EXAMPLES, 'utf8')).toBe(renderOpenApiExamples())
})

test('the examples are valid against the schemas beside them', () => {
  let checked = 0
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    for (const method of Object.keys(ops)) {
      for (const ex of examples(path, method, 'request')) {
        expectValid(requestSchemaOf(path, method), ex.value, `${method} ${path} request: ${ex.summary}`)
        checked++
      }
      for (const ex of examples(path, method, 'response')) {
        expectValid(schemaOf(path, method, 200), ex.value, `${method} ${path} response: ${ex.summary}`)
        checked++
      }
    }
  }
  // 3 requests (2 creates, 1 patch), 7 responses of the current document.
  expect(checked).toBe(10)
})

describe('against the server', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => shutdown(server))

  test('documents every route the app registers, and the app serves every documented route', () => {
    const served = new Set(server.app.routes.filter((r) => r.method !== 'ALL').map((r) => routeKey(r.method, r.path)))
    const documented = new Set(documentedRoutes())
    expect([...served].filter((r) => !documented.has(r))).toEqual([])
    expect([...documented].filter((r) => !served.has(r))).toEqual([])
    expect(served.size).toBeGreaterThanOrEqual(18)
  })

  test('GET /openapi.json and /v1/openapi.json answer the document, as `periscope openapi` prints it', async () => {
    const [a, b] = await Promise.all([server.request('/openapi.json'), server.request('/v1/openapi.json')])
    expect([a.status, b.status]).toEqual([200, 200])
    expect(a.headers.get('content-type')).toBe('application/json; charset=utf-8')
    const text = await a.text()
    expect(await b.text()).toBe(text)
    expect(JSON.parse(text)).toEqual(buildOpenApiDocument('test'))
    const child = Bun.spawn([process.execPath, join(import.meta.dir, '../../src/main.ts'), 'openapi'], {
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const printed = await new Response(child.stdout).text()
    expect(await child.exited).toBe(0)
    // The whole document through a pipe (a large write is not cut short by the exit), for the package's version.
    const { version } = await import('../../package.json')
    expect(JSON.parse(printed)).toEqual(buildOpenApiDocument(version))
  })

  /** Sends a request, checks its answer against the documented schema for its status, returns the body. */
  async function replay(
    path: string,
    method: string,
    url: string,
    init: { body?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: any }> {
    const headers = init.body === undefined ? init.headers : { 'content-type': 'application/json', ...init.headers }
    const res = await server.request(url, { method: method.toUpperCase(), headers, body: init.body })
    const body = await res.json()
    expectValid(schemaOf(path, method, res.status), body, `${method.toUpperCase()} ${url} → ${res.status}`)
    return { status: res.status, body }
  }

  test("the document's examples, replayed, are answered as the document's schemas say", async () => {
    // The earlier document's second create names a stored environment.
    const env = await replay(ENVIRONMENTS, 'post', ENVIRONMENTS, {
      body: JSON.stringify({ name: 'my-submarine-env', dockerImage: 'apache/submarine:tf-mnist-with-summaries-1.0' }),
    })
    expect(env.status).toBe(200)
    const ids: string[] = []
    for (const ex of examples(EXPERIMENTS, 'post', 'request')) {
      const res = await replay(EXPERIMENTS, 'post', EXPERIMENTS, { body: JSON.stringify(ex.value) })
      expect({ example: ex.summary, status: res.status }).toEqual({ example: ex.summary, status: 200 })
      ids.push(res.body.result.experimentId)
    }
    expect(ids).toHaveLength(2)
    const id = ids[0]!
    expect((await replay(EXPERIMENTS, 'get', EXPERIMENTS)).body.result).toHaveLength(2)
    expect((await replay(EXPERIMENTS, 'get', `${EXPERIMENTS}?status=accepted&limit=1&offset=0`)).status).toBe(200)
    expect((await replay(`${EXPERIMENTS}/{id}`, 'get', `${EXPERIMENTS}/${id}`)).status).toBe(200)
    expect((await replay(`${EXPERIMENTS}/logs`, 'get', `${EXPERIMENTS}/logs`)).status).toBe(200)
    const logs = await replay(`${EXPERIMENTS}/logs/{id}`, 'get', `${EXPERIMENTS}/logs/${id}?tailLines=5`)
    expect(logs.body.result.logContent.map((p: any) => p.podName)).toEqual([`${id}-ps-0`, `${id}-worker-0`])
    const [patch] = examples(`${EXPERIMENTS}/{id}`, 'patch', 'request')
    const patched = await replay(`${EXPERIMENTS}/{id}`, 'patch', `${EXPERIMENTS}/${id}`, {
      body: JSON.stringify(patch!.value),
    })
    expect(patched.status).toBe(200)
    expect((await replay(`${EXPERIMENTS}/{id}`, 'delete', `${EXPERIMENTS}/${id}`)).body.result.status).toBe('Deleted')

    const envPath = `${ENVIRONMENTS}/{name}`
    expect((await replay(ENVIRONMENTS, 'get', ENVIRONMENTS)).body.result).toHaveLength(1)
    expect((await replay(envPath, 'get', `${ENVIRONMENTS}/my-submarine-env`)).status).toBe(200)
    const envPatch = JSON.stringify({ name: 'my-submarine-env', image: 'busybox:1.36', description: 'smaller' })
    expect((await replay(envPath, 'patch', `${ENVIRONMENTS}/my-submarine-env`, { body: envPatch })).status).toBe(200)
    for (const path of [`${EXPERIMENTS}/ping`, '/healthz', '/readyz'])
      expect((await replay(path, 'get', path)).status).toBe(200)
  }, 30_000)

  test('bad requests are answered with the documented statuses and reasons', async () => {
    const body = (value: unknown) => ({ body: JSON.stringify(value) })
    const tf = {
      meta: { name: 'tf-bad', framework: 'TensorFlow', cmd: 'sleep 30' },
      environment: { image: 'busybox:1.36' },
      spec: { Worker: { replicas: 1, resources: 'cpu=0.1,memory=16M' } },
    }
    const created = await replay(EXPERIMENTS, 'post', EXPERIMENTS, body(tf))
    expect(created.body.message).toBeNull()
    const id = created.body.result.experimentId
    const cases: Array<[string, string, string, { body?: string; headers?: Record<string, string> }, number, string]> =
      [
        [EXPERIMENTS, 'get', `${EXPERIMENTS}?limit=ten`, {}, 400, 'INVALID_QUERY'],
        [EXPERIMENTS, 'get', `${EXPERIMENTS}?status=Sleeping`, {}, 400, 'INVALID_QUERY'],
        [EXPERIMENTS, 'get', `${EXPERIMENTS}?after=experiment-0-0`, {}, 400, 'INVALID_QUERY'],
        [EXPERIMENTS, 'post', EXPERIMENTS, { body: '{"meta": ' }, 400, 'MALFORMED_BODY'],
        [EXPERIMENTS, 'post', EXPERIMENTS, body({ meta: { name: 'x' } }), 400, 'INVALID_SPEC'],
        [
          EXPERIMENTS,
          'post',
          EXPERIMENTS,
          { body: 'x', headers: { 'content-type': 'text/plain' } },
          415,
          'UNSUPPORTED_MEDIA_TYPE',
        ],
        [EXPERIMENTS, 'post', EXPERIMENTS, { body: `"${'x'.repeat(1024 * 1024)}"` }, 413, 'BODY_TOO_LARGE'],
        [
          EXPERIMENTS,
          'post',
          EXPERIMENTS,
          body({ ...tf, environment: { name: 'nowhere' } }),
          404,
          'ENVIRONMENT_NOT_FOUND',
        ],
        [`${EXPERIMENTS}/{id}`, 'get', `${EXPERIMENTS}/experiment-0-0`, {}, 404, 'EXPERIMENT_NOT_FOUND'],
        [`${EXPERIMENTS}/{id}`, 'delete', `${EXPERIMENTS}/experiment-0-0`, {}, 404, 'EXPERIMENT_NOT_FOUND'],
        [
          `${EXPERIMENTS}/{id}`,
          'patch',
          `${EXPERIMENTS}/${id}`,
          body({ ...tf, meta: { ...tf.meta, framework: 'PyTorch' }, spec: { Master: { replicas: 1 } } }),
          409,
          'SPEC_CONFLICT',
        ],
        [
          `${EXPERIMENTS}/{id}`,
          'post',
          `${EXPERIMENTS}/some-template`,
          body({ params: {} }),
          404,
          'TEMPLATE_NOT_FOUND',
        ],
        [`${EXPERIMENTS}/{id}`, 'post', `${EXPERIMENTS}/some-template`, body(tf), 404, 'TEMPLATE_NOT_FOUND'],
        ['/api/v1/template', 'post', '/api/v1/template', body({ name: 'x' }), 400, 'INVALID_SPEC'],
        ['/api/v1/template/{name}', 'get', '/api/v1/template/nope', {}, 404, 'TEMPLATE_NOT_FOUND'],
        [`${EXPERIMENTS}/logs/{id}`, 'get', `${EXPERIMENTS}/logs/${id}?pod=nope`, {}, 404, 'POD_NOT_FOUND'],
        [`${EXPERIMENTS}/logs/{id}`, 'get', `${EXPERIMENTS}/logs/${id}?tailLines=-1`, {}, 400, 'INVALID_QUERY'],
        [`${EXPERIMENTS}/logs/{id}`, 'get', `${EXPERIMENTS}/logs/experiment-0-0`, {}, 404, 'EXPERIMENT_NOT_FOUND'],
        [`${EXPERIMENTS}/logs`, 'get', `${EXPERIMENTS}/logs?status=x`, {}, 400, 'INVALID_QUERY'],
        [ENVIRONMENTS, 'post', ENVIRONMENTS, body({ dockerImage: 'x' }), 400, 'INVALID_SPEC'],
        [`${ENVIRONMENTS}/{name}`, 'get', `${ENVIRONMENTS}/nope`, {}, 404, 'ENVIRONMENT_NOT_FOUND'],
        [`${ENVIRONMENTS}/{name}`, 'delete', `${ENVIRONMENTS}/nope`, {}, 404, 'ENVIRONMENT_NOT_FOUND'],
      ]
    await replay(ENVIRONMENTS, 'post', ENVIRONMENTS, body({ name: 'twice', image: 'busybox:1.36' }))
    cases.push([ENVIRONMENTS, 'post', ENVIRONMENTS, body({ name: 'twice' }), 409, 'ENVIRONMENT_EXISTS'])
    for (const [path, method, url, init, status, reason] of cases) {
      const res = await replay(path, method, url, init)
      expect({ url, status: res.status, reason: res.body.attributes.reason }).toEqual({ url, status, reason })
    }
  }, 30_000)

  test('what the log and event streams send is what the document says they send', async () => {
    const made = await server.json('POST', EXPERIMENTS, {
      meta: { name: 'streamed', framework: 'TensorFlow', cmd: 'echo one; echo two' },
      environment: { image: 'ignored' },
      spec: { Worker: { replicas: 1 } },
    })
    const id = made.body.result.experimentId
    const ndjson = { accept: 'application/x-ndjson' }
    const logs = await openStream(`${server.url}${EXPERIMENTS}/logs/${id}?follow=true`, ndjson)
    await logs.closed
    const events = await openStream(`${server.url}${EXPERIMENTS}/events?experimentId=${id}`, ndjson)
    await events.until('the Succeeded event', (f) => f.some((x) => x.data?.status === 'Succeeded' && !x.data.replica))
    events.close()
    const logRecords = logs.records()
    expect(logRecords.at(-1)).toMatchObject({ end: true, status: 'Succeeded' })
    const logSchema = schemaOf(`${EXPERIMENTS}/logs/{id}`, 'get', 200, 'application/x-ndjson')
    for (const r of logRecords) expectValid(logSchema, r, `log record ${JSON.stringify(r)}`)
    const eventSchema = schemaOf(`${EXPERIMENTS}/events`, 'get', 200, 'application/x-ndjson')
    for (const r of events.records()) expectValid(eventSchema, r, `event ${JSON.stringify(r)}`)
  }, 30_000)

  test('an answer the document does not allow fails the check (the check can fail)', () => {
    const validator = schemaOf(`${EXPERIMENTS}/{id}`, 'get', 404)
    const answer = {
      status: 'NOT_FOUND',
      code: 404,
      success: false,
      message: 'x',
      result: null,
      attributes: { reason: 'EXPERIMENT_NOT_FOUND' },
    }
    expect(validator.validate(answer).valid).toBe(true)
    expect(validator.validate({ ...answer, attributes: { reason: 'POD_NOT_FOUND' } }).valid).toBe(false)
    expect(validator.validate({ ...answer, code: 400 }).valid).toBe(false)
  })
})
