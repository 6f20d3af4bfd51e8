/**
 * The environment API: `POST/GET /api/v1/environment`,
 * `GET/PATCH/DELETE /api/v1/environment/{name}`, results
 * `{environmentId, environmentSpec}`, ids `environment_<ms>_<nnnn>`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import {
  create,
  ENVIRONMENT_ID,
  ENVIRONMENT_SPEC_KEYS,
  ENVIRONMENTS,
  EXPERIMENT_ID,
  EXPERIMENTS,
  expectError,
  expectOk,
  shutdown,
  singleBody,
  storedState,
} from './fixtures.ts'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => shutdown(server))

const condaEnv = (name: string) => ({
  name,
  dockerImage: 'continuumio/miniconda',
  kernelSpec: {
    name: 'team_default_python_3.7',
    channels: ['defaults'],
    condaDependencies: ['python=3.7'],
    pipDependencies: ['requests'],
  },
  description: 'conda env',
})

function expectEnvironment(e: any, name: string): void {
  expect(Object.keys(e)).toEqual(['environmentId', 'environmentSpec'])
  expect(e.environmentId).toMatch(ENVIRONMENT_ID)
  expect(Object.keys(e.environmentSpec)).toEqual(ENVIRONMENT_SPEC_KEYS)
  expect(e.environmentSpec.name).toBe(name)
}

describe('environment CRUD', () => {
  test('create answers {environmentId, environmentSpec} with the spec echoed in Submarine’s key order', async () => {
    const e = expectOk(await server.json('POST', ENVIRONMENTS, condaEnv('crud-env')))
    expectEnvironment(e, 'crud-env')
    expect(e.environmentSpec).toEqual({ ...condaEnv('crud-env'), image: null })
    expect(Object.keys(e.environmentSpec.kernelSpec)).toEqual([
      'name',
      'channels',
      'condaDependencies',
      'pipDependencies',
    ])
  })

  test('environment ids share the server start time with experiment ids and never repeat', async () => {
    const a = expectOk(await server.json('POST', ENVIRONMENTS, { name: 'id-a', dockerImage: 'a' })).environmentId
    const b = expectOk(await server.json('POST', ENVIRONMENTS, { name: 'id-b', dockerImage: 'b' })).environmentId
    expect(a).not.toBe(b)
    const experimentStart = EXPERIMENT_ID.exec((await create(server, singleBody('env-ids', 'true'))).experimentId)![1]
    expect(ENVIRONMENT_ID.exec(a)![1]).toBe(experimentStart!)
    expect(Number(ENVIRONMENT_ID.exec(b)![2])).toBeGreaterThan(Number(ENVIRONMENT_ID.exec(a)![2]))
  })

  test('GET by name returns what was stored; the list contains it', async () => {
    const made = expectOk(await server.json('POST', ENVIRONMENTS, condaEnv('get-env')))
    const got = expectOk(await server.json('GET', `${ENVIRONMENTS}/get-env`))
    expect(got).toEqual(made)
    const list = expectOk(await server.json('GET', ENVIRONMENTS)) as any[]
    for (const e of list) expectEnvironment(e, e.environmentSpec.name)
    expect(list).toContainEqual(made)
  })

  test('a YAML body is accepted like JSON', async () => {
    const body = 'name: yaml-env\ndockerImage: python:3.11\ndescription: from yaml\n'
    const res = await server.request(ENVIRONMENTS, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body,
    })
    const e = expectOk({ http: res.status, body: await res.json() })
    expect(e.environmentSpec).toEqual({
      name: 'yaml-env',
      dockerImage: 'python:3.11',
      kernelSpec: null,
      description: 'from yaml',
      image: null,
    })
  })

  test('PATCH replaces the spec and keeps the id; GET shows the new spec', async () => {
    const made = expectOk(await server.json('POST', ENVIRONMENTS, condaEnv('patch-env')))
    const patched = expectOk(
      await server.json('PATCH', `${ENVIRONMENTS}/patch-env`, { name: 'patch-env', dockerImage: 'python:3.12' }),
    )
    expect(patched.environmentId).toBe(made.environmentId)
    expect(patched.environmentSpec).toEqual({
      name: 'patch-env',
      dockerImage: 'python:3.12',
      kernelSpec: null,
      description: null,
      image: null,
    })
    expect(expectOk(await server.json('GET', `${ENVIRONMENTS}/patch-env`))).toEqual(patched)
  })

  test('DELETE answers with the deleted environment; then GET is 404 and the list no longer has it', async () => {
    const made = expectOk(await server.json('POST', ENVIRONMENTS, condaEnv('delete-env')))
    expect(expectOk(await server.json('DELETE', `${ENVIRONMENTS}/delete-env`))).toEqual(made)
    expectError(
      await server.json('GET', `${ENVIRONMENTS}/delete-env`),
      404,
      'ENVIRONMENT_NOT_FOUND',
      'Environment not found.',
    )
    const names = (expectOk(await server.json('GET', ENVIRONMENTS)) as any[]).map((e) => e.environmentSpec.name)
    expect(names).not.toContain('delete-env')
  })

  test('an experiment naming a deleted environment is a 404 "Environment not found."', async () => {
    expectOk(await server.json('POST', ENVIRONMENTS, { name: 'short-lived', dockerImage: 'img:1' }))
    expectOk(await server.json('DELETE', `${ENVIRONMENTS}/short-lived`))
    const before = await storedState(server)
    const res = await server.json('POST', EXPERIMENTS, {
      ...singleBody('orphan', 'true'),
      environment: { name: 'short-lived' },
    })
    expectError(res, 404, 'ENVIRONMENT_NOT_FOUND', 'Environment not found.')
    expect(await storedState(server)).toEqual(before)
  })
})

describe('environment errors change nothing', () => {
  test('an unknown name is a 404 "Environment not found." on GET, PATCH and DELETE', async () => {
    const before = await storedState(server)
    expectError(
      await server.json('GET', `${ENVIRONMENTS}/nope`),
      404,
      'ENVIRONMENT_NOT_FOUND',
      'Environment not found.',
    )
    expectError(
      await server.json('PATCH', `${ENVIRONMENTS}/nope`, { name: 'nope', dockerImage: 'x' }),
      404,
      'ENVIRONMENT_NOT_FOUND',
      'Environment not found.',
    )
    expectError(
      await server.json('DELETE', `${ENVIRONMENTS}/nope`),
      404,
      'ENVIRONMENT_NOT_FOUND',
      'Environment not found.',
    )
    expect(await storedState(server)).toEqual(before)
  })

  test('a second environment with the same name is a 409 and the first is kept', async () => {
    const first = expectOk(await server.json('POST', ENVIRONMENTS, condaEnv('dup-env')))
    const before = await storedState(server)
    expectError(
      await server.json('POST', ENVIRONMENTS, { name: 'dup-env', dockerImage: 'other' }),
      409,
      'ENVIRONMENT_EXISTS',
      /dup-env/,
    )
    expect(await storedState(server)).toEqual(before)
    expect(expectOk(await server.json('GET', `${ENVIRONMENTS}/dup-env`))).toEqual(first)
  })

  const bad: Array<[string, string, string | undefined, number, string, string | RegExp]> = [
    ['an empty body', '', undefined, 400, 'INVALID_SPEC', 'Invalid environment spec.'],
    ['malformed JSON', '{"name": ', undefined, 400, 'MALFORMED_BODY', /Malformed JSON/],
    ['a missing name', '{"dockerImage": "x"}', undefined, 400, 'INVALID_SPEC', /name/],
    ['dockerImage 5', '{"name": "typed", "dockerImage": 5}', undefined, 400, 'INVALID_SPEC', /dockerImage/],
    [
      'kernelSpec.channels "x"',
      '{"name": "typed", "kernelSpec": {"channels": "x"}}',
      undefined,
      400,
      'INVALID_SPEC',
      /kernelSpec\.channels/,
    ],
    [
      'kernelSpec [] (a list where an object belongs)',
      '{"name": "typed-list", "kernelSpec": []}',
      undefined,
      400,
      'INVALID_SPEC',
      /kernelSpec/,
    ],
    [
      'the name ".." (which no URL can address)',
      '{"name": "..", "dockerImage": "x"}',
      undefined,
      400,
      'INVALID_SPEC',
      /name "\.\." must start with a letter or digit/,
    ],
    ['a name with a slash', '{"name": "a/b", "dockerImage": "x"}', undefined, 400, 'INVALID_SPEC', /used in URLs/],
    ['a text/plain body', '{"name": "plain"}', 'text/plain', 415, 'UNSUPPORTED_MEDIA_TYPE', /text\/plain/],
    [
      'a body over 1 MiB',
      JSON.stringify({ name: 'big', description: 'x'.repeat(1024 * 1024) }),
      undefined,
      413,
      'BODY_TOO_LARGE',
      /1 MiB/,
    ],
  ]
  for (const [name, body, type, http, reason, message] of bad) {
    test(`a create with ${name} → ${http} ${reason}`, async () => {
      const before = await storedState(server)
      const res = await server.request(ENVIRONMENTS, {
        method: 'POST',
        headers: { 'content-type': type ?? 'application/json' },
        body,
      })
      expectError({ http: res.status, body: await res.json() }, http, reason, message)
      expect(await storedState(server)).toEqual(before)
    })
  }

  test('a patch with a bad body is a 400 and the environment is unchanged', async () => {
    const made = expectOk(await server.json('POST', ENVIRONMENTS, condaEnv('keep-env')))
    expectError(
      await server.json('PATCH', `${ENVIRONMENTS}/keep-env`, { name: 'keep-env', dockerImage: ['x'] }),
      400,
      'INVALID_SPEC',
      /dockerImage/,
    )
    expectError(
      await server.json('PATCH', `${ENVIRONMENTS}/keep-env`, ''),
      400,
      'INVALID_SPEC',
      'Invalid environment spec.',
    )
    expect(expectOk(await server.json('GET', `${ENVIRONMENTS}/keep-env`))).toEqual(made)
  })
})
