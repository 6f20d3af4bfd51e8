/**
 * The response envelope, routing, and every kind of bad input: each refused
 * request gets a 4xx envelope naming what is wrong, and changes nothing stored.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import {
  type Body,
  create,
  ENVELOPE_KEYS,
  ENVIRONMENTS,
  EXPERIMENTS,
  expectError,
  expectOk,
  pytorchBody,
  shutdown,
  singleBody,
  storedState,
  tfBody,
  without,
  withValue,
} from './fixtures.ts'

let server: TestServer
let seeded = ''

beforeAll(async () => {
  server = await startTestServer()
  expectOk(await server.json('POST', ENVIRONMENTS, { name: 'seed-env', dockerImage: 'seed:1' }))
  // Still running when patched: a finished experiment refuses every patch (409) before reading it.
  seeded = (await create(server, tfBody('seed-one', undefined, 'sleep 600'))).experimentId
  await create(server, { ...pytorchBody('seed-two'), environment: { name: 'seed-env' } })
})
afterAll(() => shutdown(server))

/** Sends a raw body with a content type. */
async function send(method: string, path: string, body: string, contentType = 'application/json') {
  const res = await server.request(path, { method, headers: { 'content-type': contentType }, body })
  return { http: res.status, body: (await res.json()) as any }
}

describe('the envelope', () => {
  test('a success has exactly status, code, success, message, result, attributes in order, nulls kept', async () => {
    const raw = await server.request(`${EXPERIMENTS}/ping`)
    const res = { text: await raw.text(), type: raw.headers.get('content-type') }
    expect(res.text).toBe('{"status":"OK","code":200,"success":true,"message":null,"result":"Pong","attributes":{}}')
    expect(res.type).toBe('application/json; charset=utf-8')
  })

  test('an error has the same keys in order, HTTP status = code, success false and a catalogued reason', async () => {
    const raw = await server.request(`${EXPERIMENTS}/experiment-1234567890123-0001`)
    expect(raw.headers.get('content-type')).toBe('application/json; charset=utf-8')
    const res = { http: raw.status, body: (await raw.json()) as any }
    expectError(res, 404, 'EXPERIMENT_NOT_FOUND', 'Not found experiment.')
    expect(Object.keys(res.body)).toEqual(ENVELOPE_KEYS)
  })

  test('an unknown endpoint is a 404 envelope, not a bare page', async () => {
    expectError(await server.json('GET', '/api/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND', /nothing-here/)
  })

  test('an unsupported method is a 405 METHOD_NOT_ALLOWED envelope (the catalogue’s reason), not a 404', async () => {
    expectError(await server.json('PUT', `${EXPERIMENTS}/${seeded}`, tfBody()), 405, 'METHOD_NOT_ALLOWED', /PUT/)
    expectError(await server.json('DELETE', EXPERIMENTS), 405, 'METHOD_NOT_ALLOWED', /DELETE/)
  })

  test('a conflict is a 409 envelope with status CONFLICT', async () => {
    expectError(
      await server.json('POST', ENVIRONMENTS, { name: 'seed-env', dockerImage: 'x' }),
      409,
      'ENVIRONMENT_EXISTS',
      /seed-env/,
    )
  })
})

describe('routing', () => {
  test('every endpoint answers the same with a trailing slash', async () => {
    const id = seeded
    expect(expectOk(await server.json('GET', `${EXPERIMENTS}/ping/`))).toBe('Pong')
    expect((expectOk(await server.json('GET', `${EXPERIMENTS}/`)) as any[]).map((e) => e.experimentId)).toContain(id)
    expect(expectOk(await server.json('GET', `${EXPERIMENTS}/${id}/`)).experimentId).toBe(id)
    expect(expectOk(await server.json('GET', `${EXPERIMENTS}/logs/`)).length).toBeGreaterThanOrEqual(2)
    expect(expectOk(await server.json('GET', `${EXPERIMENTS}/logs/${id}/`)).experimentId).toBe(id)
    const made = expectOk(await server.json('POST', `${EXPERIMENTS}/`, tfBody('slash', { Worker: { replicas: 1 } })))
    expect(
      expectOk(
        await server.json(
          'PATCH',
          `${EXPERIMENTS}/${made.experimentId}/`,
          tfBody('slash2', { Worker: { replicas: 1 } }),
        ),
      ).spec.meta.name,
    ).toBe('slash2')
    expect(expectOk(await server.json('DELETE', `${EXPERIMENTS}/${made.experimentId}/`)).status).toBe('Deleted')
    expect(
      expectOk(await server.json('POST', `${ENVIRONMENTS}/`, { name: 'slash-env', dockerImage: 'a' })).environmentSpec
        .name,
    ).toBe('slash-env')
    expect(
      (expectOk(await server.json('GET', `${ENVIRONMENTS}/`)) as any[]).map((e) => e.environmentSpec.name),
    ).toContain('slash-env')
    expect(expectOk(await server.json('GET', `${ENVIRONMENTS}/slash-env/`)).environmentSpec.dockerImage).toBe('a')
    expect(
      expectOk(await server.json('PATCH', `${ENVIRONMENTS}/slash-env/`, { name: 'slash-env', dockerImage: 'b' }))
        .environmentSpec.dockerImage,
    ).toBe('b')
    expect(expectOk(await server.json('DELETE', `${ENVIRONMENTS}/slash-env/`)).environmentSpec.name).toBe('slash-env')
  })
})

const good = tfBody('good')
const tfWithTaskImage = tfBody('typed', { Worker: { replicas: 1, image: 'busybox:1' } })

interface Case {
  name: string
  body: Body | string
  type?: string
  http: number
  reason: string
  message: string | RegExp
}

const cases: Case[] = [
  {
    name: 'malformed JSON',
    body: '{"meta": {"name": ',
    http: 400,
    reason: 'MALFORMED_BODY',
    message: /Malformed JSON/,
  },
  {
    name: 'malformed YAML',
    body: 'meta: {name: x\n  - bad: [',
    type: 'application/yaml',
    http: 400,
    reason: 'MALFORMED_BODY',
    message: /Malformed YAML/,
  },
  { name: 'an empty body', body: '', http: 400, reason: 'INVALID_SPEC', message: 'Invalid experiment spec.' },
  {
    name: 'an empty YAML body',
    body: '  \n',
    type: 'application/yaml',
    http: 400,
    reason: 'INVALID_SPEC',
    message: 'Invalid experiment spec.',
  },
  { name: 'a JSON list instead of an object', body: '[]', http: 400, reason: 'INVALID_SPEC', message: /object/ },
  { name: 'a JSON string instead of an object', body: '"spec"', http: 400, reason: 'INVALID_SPEC', message: /object/ },
  {
    name: 'a missing name',
    body: without(good, 'meta.name'),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /meta\.name/,
  },
  {
    name: 'a blank name',
    body: withValue(good, 'meta.name', '  '),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /meta\.name/,
  },
  {
    name: 'a missing framework',
    body: without(good, 'meta.framework'),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /meta\.framework/,
  },
  { name: 'a missing meta', body: without(good, 'meta'), http: 400, reason: 'INVALID_SPEC', message: /meta/ },
  { name: 'a missing spec', body: without(good, 'spec'), http: 400, reason: 'INVALID_SPEC', message: /spec/ },
  {
    name: 'no task at all',
    body: withValue(good, 'spec', {}),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /spec.*Ps, Worker, Chief, Master, Evaluator/,
  },
  {
    name: 'an unknown framework',
    body: withValue(good, 'meta.framework', 'MXNet'),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /meta\.framework.*MXNet.*TensorFlow, PyTorch, XGBoost/,
  },
  {
    name: 'an unknown TensorFlow task type',
    body: withValue(good, 'spec.Driver', { replicas: 1 }),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /spec\.Driver.*Ps, Worker, Chief, Master, Evaluator/,
  },
  {
    name: 'a Ps task in a PyTorch experiment',
    body: withValue(pytorchBody(), 'spec.Ps', { replicas: 1 }),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /spec\.Ps.*Master, Worker/,
  },
  {
    name: 'an unknown XGBoost task type',
    body: withValue(withValue(pytorchBody(), 'meta.framework', 'XGBoost'), 'spec.Chief', { replicas: 1 }),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /spec\.Chief.*Master, Worker/,
  },
  {
    name: 'a resource item without "="',
    body: withValue(good, 'spec.Worker.resources', 'cpu=1,memory'),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /spec\.Worker\.resources.*memory/,
  },
  {
    name: 'an unknown resource',
    body: withValue(good, 'spec.Worker.resources', 'cpu=1,disk=10G'),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /spec\.Worker\.resources.*disk/,
  },
  {
    name: 'a memory that is not a size',
    body: withValue(good, 'spec.Ps.resources', 'memory=lots'),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /spec\.Ps\.resources.*memory/,
  },
  {
    name: 'a cpu that is not a number',
    body: withValue(good, 'spec.Ps.resources', 'cpu=many'),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /spec\.Ps\.resources.*cpu/,
  },
  {
    name: 'zero replicas',
    body: withValue(good, 'spec.Worker.replicas', 0),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /spec\.Worker\.replicas/,
  },
  {
    name: 'negative replicas',
    body: withValue(good, 'spec.Worker.replicas', -2),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /spec\.Worker\.replicas/,
  },
  {
    name: 'fractional replicas',
    body: withValue(good, 'spec.Worker.replicas', 1.5),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /spec\.Worker\.replicas/,
  },
  {
    name: 'replicas "x"',
    body: withValue(good, 'spec.Worker.replicas', 'x'),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /spec\.Worker\.replicas/,
  },
  {
    name: 'two PyTorch masters',
    body: withValue(pytorchBody(), 'spec.Master.replicas', 2),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /spec\.Master\.replicas/,
  },
  {
    name: 'no image anywhere',
    body: without(good, 'environment'),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /image/,
  },
  { name: 'no command anywhere', body: without(good, 'meta.cmd'), http: 400, reason: 'INVALID_SPEC', message: /cmd/ },
  {
    name: 'envVars "a"',
    body: withValue(good, 'meta.envVars', 'a'),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /meta\.envVars/,
  },
  {
    name: 'task envVars "a"',
    body: withValue(good, 'spec.Worker.envVars', 'a'),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /spec\.Worker\.envVars/,
  },
  { name: 'spec []', body: withValue(good, 'spec', []), http: 400, reason: 'INVALID_SPEC', message: /spec/ },
  { name: 'meta 5', body: withValue(good, 'meta', 5), http: 400, reason: 'INVALID_SPEC', message: /meta/ },
  {
    name: 'tags "x"',
    body: withValue(good, 'meta.tags', 'x'),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /meta\.tags/,
  },
  { name: 'name 42', body: withValue(good, 'meta.name', 42), http: 400, reason: 'INVALID_SPEC', message: /meta\.name/ },
  {
    name: 'meta.envVars [] (a list where an object belongs)',
    body: withValue(tfWithTaskImage, 'meta.envVars', []),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /meta\.envVars/,
  },
  {
    name: 'spec.Worker [] (a list where a task belongs)',
    body: withValue(tfWithTaskImage, 'spec.Worker', []),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /spec\.Worker/,
  },
  {
    name: 'environment [] (a list where an object belongs)',
    body: withValue(tfWithTaskImage, 'environment', []),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /environment/,
  },
  {
    name: 'code [] (a list where an object belongs)',
    body: withValue(tfWithTaskImage, 'code', []),
    http: 400,
    reason: 'INVALID_SPEC',
    message: /code/,
  },
  {
    name: 'an unknown stored environment',
    body: withValue(good, 'environment', { name: 'no-such-env' }),
    http: 404,
    reason: 'ENVIRONMENT_NOT_FOUND',
    message: 'Environment not found.',
  },
  {
    name: 'a body over 1 MiB',
    body: withValue(good, 'meta.cmd', `echo ${'x'.repeat(1024 * 1024)}`),
    http: 413,
    reason: 'BODY_TOO_LARGE',
    message: /1 MiB/,
  },
  {
    name: 'a form-encoded body',
    body: 'meta=x',
    type: 'application/x-www-form-urlencoded',
    http: 415,
    reason: 'UNSUPPORTED_MEDIA_TYPE',
    message: /application\/x-www-form-urlencoded/,
  },
  {
    name: 'a text/plain body',
    body: JSON.stringify(good),
    type: 'text/plain',
    http: 415,
    reason: 'UNSUPPORTED_MEDIA_TYPE',
    message: /text\/plain/,
  },
]

describe('bad input on create gets a 4xx naming the problem and changes nothing', () => {
  for (const c of cases) {
    test(`${c.name} → ${c.http} ${c.reason}`, async () => {
      const before = await storedState(server)
      const res = await send('POST', EXPERIMENTS, typeof c.body === 'string' ? c.body : JSON.stringify(c.body), c.type)
      expectError(res, c.http, c.reason, c.message)
      expect(await storedState(server)).toEqual(before)
    })
  }

  test('a YAML alias bomb is refused quickly with a 4xx', async () => {
    let doc = 'a0: &a0 [x, x, x, x, x, x, x, x, x]\n'
    for (let i = 1; i <= 9; i++)
      doc += `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`
    const started = Date.now()
    const res = await send(
      'POST',
      EXPERIMENTS,
      `${doc}meta:\n  name: bomb\n  framework: TensorFlow\n  cmd: "true"\n  tags: *a9\n`,
      'application/yaml',
    )
    expect(res.http).toBeGreaterThanOrEqual(400)
    expect(res.http).toBeLessThan(500)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  test('an unknown ?status= on the list is a 400 naming the allowed statuses', async () => {
    const res = await server.json('GET', `${EXPERIMENTS}?status=Sleeping`)
    expectError(res, 400, res.body.attributes.reason, /Sleeping.*Accepted, Created, Running, Succeeded, Failed/)
  })

  test('a body of exactly 1 MiB is read; one byte more is a 413', async () => {
    const text = JSON.stringify(singleBody('exactly-1-mib', 'true'))
    const exact = text + ' '.repeat(1024 * 1024 - Buffer.byteLength(text))
    expectOk(await server.json('POST', EXPERIMENTS, exact))
    const before = await storedState(server)
    expectError(await server.json('POST', EXPERIMENTS, `${exact} `), 413, 'BODY_TOO_LARGE')
    expect(await storedState(server)).toEqual(before)
  })

  test('over a real socket an oversize body gets the 413 envelope', async () => {
    const res = await fetch(`${server.url}${EXPERIMENTS}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(withValue(good, 'meta.cmd', 'x'.repeat(2 * 1024 * 1024))),
    })
    expectError({ http: res.status, body: await res.json() }, 413, 'BODY_TOO_LARGE')
  })
})

describe('bad input on patch and delete', () => {
  test('an unknown id is a 404 "Not found experiment." on get, patch, delete and logs', async () => {
    const id = 'experiment-1000000000000-9999'
    expectError(await server.json('GET', `${EXPERIMENTS}/${id}`), 404, 'EXPERIMENT_NOT_FOUND', 'Not found experiment.')
    expectError(
      await server.json('PATCH', `${EXPERIMENTS}/${id}`, good),
      404,
      'EXPERIMENT_NOT_FOUND',
      'Not found experiment.',
    )
    expectError(
      await server.json('DELETE', `${EXPERIMENTS}/${id}`),
      404,
      'EXPERIMENT_NOT_FOUND',
      'Not found experiment.',
    )
    expectError(
      await server.json('GET', `${EXPERIMENTS}/logs/${id}`),
      404,
      'EXPERIMENT_NOT_FOUND',
      'Not found experiment.',
    )
  })

  const onPatch = [
    'malformed JSON',
    'malformed YAML',
    'an empty body',
    'a missing name',
    'an unknown framework',
    'an unknown TensorFlow task type',
    'a resource item without "="',
    'replicas "x"',
    'no image anywhere',
    'no command anywhere',
    'spec []',
    'an unknown stored environment',
    'a body over 1 MiB',
    'a text/plain body',
  ]
  for (const c of cases.filter((c) => onPatch.includes(c.name))) {
    test(`a patch with ${c.name} → ${c.http}, the stored experiment unchanged`, async () => {
      const before = await storedState(server)
      const res = await send(
        'PATCH',
        `${EXPERIMENTS}/${seeded}`,
        typeof c.body === 'string' ? c.body : JSON.stringify(c.body),
        c.type,
      )
      expectError(res, c.http, c.reason, c.message)
      expect(await storedState(server)).toEqual(before)
    })
  }

  test('a patch that changes the framework is refused and the stored experiment kept', async () => {
    const before = await storedState(server)
    const res = await server.json('PATCH', `${EXPERIMENTS}/${seeded}`, pytorchBody('switch'))
    expect(res.http).toBeGreaterThanOrEqual(400)
    expect(res.http).toBeLessThan(500)
    expect(res.body.message).toMatch(/framework/)
    expect(await storedState(server)).toEqual(before)
  })
})
