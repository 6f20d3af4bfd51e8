/**
 * The template API against a real server (process runtime, SQLite file): create, list,
 * get, patch, delete on /api/v1/template with Submarine's shapes and messages, and
 * submission with POST /api/v1/experiment/{name}, whose experiment really runs.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { EXPERIMENTS, expectError, expectOk, poll, shutdown, waitForStatus } from './fixtures.ts'

const TEMPLATES = '/api/v1/template'
const DOCS_TEMPLATE = JSON.parse(
  readFileSync(join(import.meta.dir, '../fixtures/templates/my-tf-mnist-template.json'), 'utf8'),
)

/** A template that runs on the process runtime: each worker prints its greeting and rate. */
const HELLO = {
  name: 'hello-template',
  author: 'tests',
  description: 'prints what it is given',
  parameters: [
    { name: 'greeting', value: 'hello', required: false, description: 'what to print' },
    { name: 'rate', value: 0.1, required: true, description: 'a number' },
    { name: 'job_name', value: 'hello-job', required: false },
  ],
  experimentSpec: {
    meta: {
      name: '{{job_name}}',
      framework: 'TensorFlow',
      cmd: 'echo "{{greeting}} at rate={{rate}} from $GREETER"',
      envVars: { GREETER: '{{greeting}}-er' },
    },
    environment: { image: 'busybox:1.36' },
    spec: { Worker: { replicas: 1, resources: 'cpu=0.5,memory=64M' } },
  },
}

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => shutdown(server))

describe('/api/v1/template', () => {
  test("create answers Submarine's shape: the id object, parameters as text with the task ones appended", async () => {
    const res = await server.json('POST', TEMPLATES, DOCS_TEMPLATE)
    const t = expectOk(res)
    expect(Object.keys(t)).toEqual(['experimentTemplateId', 'experimentTemplateSpec'])
    expect(Object.keys(t.experimentTemplateId)).toEqual(['id', 'serverTimestamp'])
    expect(Number.isInteger(t.experimentTemplateId.id)).toBe(true)
    expect(String(t.experimentTemplateId.serverTimestamp)).toMatch(/^\d{13}$/)
    const spec = t.experimentTemplateSpec
    expect(Object.keys(spec)).toEqual(['name', 'author', 'description', 'parameters', 'experimentSpec'])
    expect(spec.parameters.map((p: any) => `${p.name}=${p.value}${p.required === 'true' ? '!' : ''}`)).toEqual([
      'learning_rate=0.1!',
      'batch_size=150!',
      'experiment_name=tf-mnist1!',
      'spec.Ps.replicas=1',
      'spec.Ps.resourceMap.cpu=1',
      'spec.Ps.resourceMap.memory=1024M',
      'spec.Worker.replicas=1',
      'spec.Worker.resourceMap.cpu=1',
      'spec.Worker.resourceMap.memory=1024M',
    ])
    expect(spec.experimentSpec.meta.name).toBe('{{experiment_name}}')
    expect(spec.experimentSpec.experimentHandlerSpec).toBeNull()
  })

  test('get, list (also with a trailing slash and an ignored ?status=) answer experimentTemplateId null', async () => {
    const got = expectOk(await server.json('GET', `${TEMPLATES}/my-tf-mnist-template`))
    expect(got.experimentTemplateId).toBeNull()
    expect(got.experimentTemplateSpec.name).toBe('my-tf-mnist-template')
    for (const path of [TEMPLATES, `${TEMPLATES}/`, `${TEMPLATES}?status=running`]) {
      const list = expectOk(await server.json('GET', path))
      expect(list.map((t: any) => [t.experimentTemplateId, t.experimentTemplateSpec.name])).toEqual([
        [null, 'my-tf-mnist-template'],
      ])
    }
  })

  test('YAML bodies are taken; a duplicate name is a 400 naming it, and nothing changes', async () => {
    const yaml = Bun.YAML.stringify({ ...HELLO, name: 'yaml-template' }, null, 2)
    const res = await server.request(TEMPLATES, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: yaml,
    })
    expect(res.status).toBe(200)
    expect(((await res.json()) as any).result.experimentTemplateSpec.parameters[1]).toEqual({
      name: 'rate',
      required: 'true',
      description: 'a number',
      value: '0.1',
    })
    const again = await server.json('POST', TEMPLATES, { ...HELLO, name: 'yaml-template', author: 'other' })
    expectError(
      again,
      400,
      'TEMPLATE_EXISTS',
      'ExperimentTemplate "yaml-template" already exists; PATCH /api/v1/template/yaml-template to change it',
    )
    expect(expectOk(await server.json('GET', `${TEMPLATES}/yaml-template`)).experimentTemplateSpec.author).toBe('tests')
  })

  test('patch replaces the whole template with a new id; read back and sent again, no parameter piles up', async () => {
    const before = expectOk(await server.json('GET', `${TEMPLATES}/yaml-template`)).experimentTemplateSpec
    const changed = structuredClone(before)
    changed.description = 'changed'
    changed.experimentSpec.spec.Worker.replicas = 2
    const first = expectOk(await server.json('PATCH', `${TEMPLATES}/yaml-template`, changed))
    const second = expectOk(await server.json('PATCH', `${TEMPLATES}/yaml-template`, changed))
    expect(second.experimentTemplateId.id).toBeGreaterThan(first.experimentTemplateId.id)
    const now = expectOk(await server.json('GET', `${TEMPLATES}/yaml-template`)).experimentTemplateSpec
    expect(now.description).toBe('changed')
    expect(now.parameters.map((p: any) => p.name)).toEqual(before.parameters.map((p: any) => p.name))
    expect(now.parameters.find((p: any) => p.name === 'spec.Worker.replicas').value).toBe('2')
    expectError(
      await server.json('PATCH', `${TEMPLATES}/nope`, changed),
      404,
      'TEMPLATE_NOT_FOUND',
      'ExperimentTemplate not found.',
    )
  })

  test('delete answers the deleted template (id null), then it is gone', async () => {
    const gone = expectOk(await server.json('DELETE', `${TEMPLATES}/yaml-template`))
    expect(gone.experimentTemplateId).toBeNull()
    expect(gone.experimentTemplateSpec.name).toBe('yaml-template')
    for (const method of ['GET', 'DELETE'])
      expectError(
        await server.json(method, `${TEMPLATES}/yaml-template`),
        404,
        'TEMPLATE_NOT_FOUND',
        'ExperimentTemplate not found.',
      )
  })

  test("bad templates are 400s with Submarine's messages, and store nothing", async () => {
    // An empty JSON body (a body without a content type is a 415 before any route).
    expectError(await server.json('POST', TEMPLATES, ''), 400, 'INVALID_SPEC', 'Invalid experimentTemplate spec.')
    const unused = await server.json('POST', TEMPLATES, {
      ...HELLO,
      name: 'unused',
      parameters: [...HELLO.parameters, { name: 'extra', value: 'x' }],
    })
    expect(unused.http).toBe(400)
    expect(unused.body.attributes).toEqual({ reason: 'TEMPLATE_PARAMETERS', parameters: ['extra'] })
    expect(unused.body.message).toStartWith('Parameters contains unused key: [extra]; ')
    const unmapped = await server.json('POST', TEMPLATES, { ...HELLO, name: 'unmapped', parameters: [] })
    expect(unmapped.body.message).toStartWith(
      'Template contains unmapped value: [meta.name:job_name, ' +
        'meta.cmd:greeting, meta.cmd:rate, meta.envVars.GREETER:greeting]; ',
    )
    expect(expectOk(await server.json('GET', TEMPLATES)).map((t: any) => t.experimentTemplateSpec.name)).toEqual([
      'my-tf-mnist-template',
    ])
  })
})

describe('POST /api/v1/experiment/{templateName}', () => {
  beforeAll(async () => {
    expectOk(await server.json('POST', TEMPLATES, HELLO))
  })

  test('answers exactly what creating the experiment answers, and the experiment runs with the values', async () => {
    const res = await server.json('POST', `${EXPERIMENTS}/hello-template`, {
      name: 'ignored',
      params: { rate: 0.2, greeting: 'hi', job_name: 'From-Template', 'spec.Worker.replicas': '2' },
    })
    const e = expectOk(res)
    expect(e.status).toBe('Accepted')
    expect(e.spec.meta.name).toBe('from-template') // lower-cased, as every create
    expect(e.spec.meta.cmd).toBe('echo "hi at rate=0.2 from $GREETER"')
    expect(e.spec.meta.envVars).toEqual({ GREETER: 'hi-er' })
    expect(e.spec.spec.Worker).toMatchObject({ replicas: 2, resources: 'cpu=0.5,memory=64M' })
    const direct = expectOk(
      await server.json('POST', EXPERIMENTS, {
        ...HELLO.experimentSpec,
        meta: { ...HELLO.experimentSpec.meta, name: 'direct' },
      }),
    )
    expect(Object.keys(e)).toEqual(Object.keys(direct))
    expect(Object.keys(e.spec)).toEqual(Object.keys(direct.spec))
    await waitForStatus(server, e.experimentId, ['Succeeded'])
    // A TF job without a chief ends when worker-0 does, and what still runs is stopped:
    // worker-1 may not have printed yet.
    const logs = await poll(
      async () => (await server.json('GET', `${EXPERIMENTS}/logs/${e.experimentId}`)).body.result.logContent as any[],
      (pods) => pods[0]?.podLog.length > 0,
    )
    expect(logs.map((p: any) => p.podName)).toEqual([`${e.experimentId}-worker-0`, `${e.experimentId}-worker-1`])
    expect(logs[0].podLog).toEqual(['hi at rate=0.2 from hi-er'])
    expect(logs[1].podLog).toEqual(logs[1].podLog.length ? ['hi at rate=0.2 from hi-er'] : [])
  }, 30_000)

  test('defaults fill what is not required; a required one must be given', async () => {
    const e = expectOk(await server.json('POST', `${EXPERIMENTS}/hello-template`, { params: { rate: '1' } }))
    expect([e.spec.meta.name, e.spec.meta.cmd]).toEqual(['hello-job', 'echo "hello at rate=1 from $GREETER"'])
    const missing = await server.json('POST', `${EXPERIMENTS}/hello-template`, { params: {} })
    expect(missing.http).toBe(400)
    expect(missing.body.message).toBe(
      'Template contains unmapped value: [rate, meta.cmd:rate]; the required parameters rate must be given',
    )
  })

  test('bad submissions are 400s (Submarine: a bare 500), unknown templates 404, and create nothing', async () => {
    const before = expectOk(await server.json('GET', EXPERIMENTS)).length
    const url = `${EXPERIMENTS}/hello-template`
    expectError(await server.json('POST', url, ''), 400, 'INVALID_SPEC', 'Invalid ExperimentTemplateSubmit spec.')
    const noParams = await server.json('POST', url, { name: 'hello-template' })
    expect(noParams.body.message).toStartWith('Invalid ExperimentTemplateSubmit spec: params is required')
    const illegal = await server.json('POST', url, { params: { rate: '1', learning_rate: '0.1' } })
    expect([illegal.http, illegal.body.attributes.reason]).toEqual([400, 'TEMPLATE_PARAMETERS'])
    expect(illegal.body.message).toStartWith(
      'Parameters contains illegal key: [learning_rate]; the template ' +
        'declares greeting, rate, job_name, spec.Worker.replicas',
    )
    const mapping = await server.json('POST', url, { params: { rate: '1', 'spec.Worker.replicas': 'two' } })
    expect(mapping.body.message).toBe(
      'Template mapping fail: spec.Worker.replicas: expected a whole number of replicas',
    )
    // Through the create path: its checks apply to what the substitution made.
    const invalid = await server.json('POST', url, { params: { rate: '1', 'spec.Worker.resourceMap.memory': 'lots' } })
    expect([invalid.http, invalid.body.attributes.reason]).toEqual([400, 'INVALID_SPEC'])
    expect(invalid.body.message).toStartWith('Invalid experiment spec: spec.Worker.resources: memory="lots"')
    const noTemplate = await server.json('POST', `${EXPERIMENTS}/no-such-template`, { params: {} })
    expectError(noTemplate, 404, 'TEMPLATE_NOT_FOUND', 'ExperimentTemplate not found.')
    expect(expectOk(await server.json('GET', EXPERIMENTS)).length).toBe(before)
  })
})
