/**
 * Names that are built-in properties of every JavaScript object (`__proto__`,
 * `constructor`, `toString` …) are ordinary names in every position a user string is
 * used as a key: unknown ones answer the usual 400, valid ones are stored as given.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { ENVIRONMENTS, EXPERIMENTS, expectError, expectOk, shutdown } from './fixtures.ts'

const NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'isPrototypeOf',
]

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => shutdown(server))

/** A TF body as JSON text, so `__proto__` stays an own key (an object literal would set the prototype). */
function body(parts: {
  framework?: string
  taskKey?: string
  task?: string
  meta?: string
  top?: string
  environment?: string
}): string {
  const task = parts.task ?? '{"replicas":1}'
  return (
    `{${parts.top ?? ''}"meta":{${parts.meta ?? ''}"name":"b",` +
    `"framework":${JSON.stringify(parts.framework ?? 'TensorFlow')},"cmd":"true","envVars":{}},` +
    `"environment":{${parts.environment ?? ''}"image":"busybox:1"},` +
    `"spec":{${JSON.stringify(parts.taskKey ?? 'Worker')}:${task}}}`
  )
}
const post = (text: string) => server.json('POST', EXPERIMENTS, text)

describe.each(NAMES)('%s', (name) => {
  const q = JSON.stringify(name)
  test('as meta.framework is an unsupported framework', async () => {
    expectError(
      await post(body({ framework: name })),
      400,
      'INVALID_SPEC',
      `Invalid experiment spec: meta.framework: unsupported framework "${name}"; ` +
        'expected one of TensorFlow, PyTorch, XGBoost',
    )
  })
  test('as a task type is an unknown task type', async () => {
    expectError(
      await post(body({ taskKey: name })),
      400,
      'INVALID_SPEC',
      new RegExp(`spec\\.${name}: unknown task type "${name}" for TensorFlow`),
    )
  })
  test('as a second task type is not dropped: the spec is refused', async () => {
    expectError(
      await post(body({ task: `{"replicas":1},${q}:{"replicas":1}` })),
      400,
      'INVALID_SPEC',
      new RegExp(`unknown task type "${name}"`),
    )
  })
  test('as a field of the body, meta, a task or the environment is an unknown field', async () => {
    expectError(await post(body({ top: `${q}:{},` })), 400, 'INVALID_SPEC', new RegExp(`${name} is not a known field`))
    expectError(
      await post(body({ meta: `${q}:1,` })),
      400,
      'INVALID_SPEC',
      new RegExp(`meta\\.${name} is not a known field`),
    )
    expectError(
      await post(body({ task: `{"replicas":1,${q}:1}` })),
      400,
      'INVALID_SPEC',
      new RegExp(`spec\\.Worker\\.${name} is not a known field`),
    )
    expectError(
      await post(body({ environment: `${q}:1,` })),
      400,
      'INVALID_SPEC',
      new RegExp(`environment\\.${name} is not a known field`),
    )
  })
  test('as a resource is an unknown resource', async () => {
    expectError(
      await post(body({ task: `{"replicas":1,"resources":"${name}=1"}` })),
      400,
      'INVALID_SPEC',
      new RegExp(`unknown resource "${name}"`),
    )
  })
  test('as an env var name (a valid one) is stored and shown as given', async () => {
    const text = body({ task: `{"replicas":1,"envVars":{${q}:"v","A":"1"}}` })
    const result = expectOk(await post(text))
    expect(Object.entries(result.spec.spec.Worker.envVars)).toEqual([
      [name, 'v'],
      ['A', '1'],
    ])
    const again = expectOk(await server.json('GET', `${EXPERIMENTS}/${result.experimentId}`))
    expect(Object.entries(again.spec.spec.Worker.envVars)).toEqual([
      [name, 'v'],
      ['A', '1'],
    ])
    const meta = expectOk(await post(text.replace('"envVars":{}', `"envVars":{${q}:"m"}`)))
    expect(Object.entries(meta.spec.meta.envVars)).toEqual([[name, 'm']])
  })
  test('as an environment name is an unknown environment, or a stored one', async () => {
    expectError(await server.json('GET', `${ENVIRONMENTS}/${name}`), 404, 'ENVIRONMENT_NOT_FOUND')
    expectError(await post(body({ environment: `"name":${q},` })), 404, 'ENVIRONMENT_NOT_FOUND')
    const created = await server.json('POST', ENVIRONMENTS, `{"name":${q},"dockerImage":"busybox:1"}`)
    if (created.http === 200) {
      expect(expectOk(await server.json('GET', `${ENVIRONMENTS}/${name}`)).environmentSpec.name).toBe(name)
      expectOk(await server.json('DELETE', `${ENVIRONMENTS}/${name}`))
    } else expectError(created, 400, 'INVALID_SPEC', /must start with a letter or digit/)
  })
  test('as a query value is refused or unknown, never a 500', async () => {
    expectError(await server.json('GET', `${EXPERIMENTS}?status=${name}`), 400, 'INVALID_QUERY')
    expectError(await server.json('GET', `${EXPERIMENTS}/${name}`), 404, 'EXPERIMENT_NOT_FOUND')
    expectError(await server.json('GET', `${EXPERIMENTS}/logs/${name}`), 404, 'EXPERIMENT_NOT_FOUND')
  })
})
