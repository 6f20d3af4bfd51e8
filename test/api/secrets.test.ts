/**
 * Credentials in a spec through the API: masked in every answer, real for the job, kept
 * when an answer comes back with the mask, and absent from the server's log.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createProcessRuntime } from '../../runtimes/process/index.ts'
import { RuntimeRejectedError } from '../../src/errors.ts'
import type { JobSpec } from '../../src/runtime/job.ts'
import type { Runtime } from '../../src/runtime/runtime.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import {
  type Body,
  create,
  EXPERIMENTS,
  expectError,
  expectOk,
  shutdown,
  tfBody,
  waitForLogs,
  waitForStatus,
} from './fixtures.ts'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => shutdown(server))

const MASK = '******'
// It sleeps a little, so that a PATCH right after the create finds it unfinished.
const CMD = 'echo "pw=$DB_PASSWORD key=$API_KEY greeting=$GREETING"; sleep 1'
const withSecrets = (name: string): Body => ({
  ...tfBody(name, { Worker: { replicas: 1 } }, CMD),
  meta: {
    name,
    framework: 'TensorFlow',
    cmd: CMD,
    envVars: { DB_PASSWORD: 'hunter22-db', API_KEY: 'k-98765', GREETING: 'hello' },
  },
  // Credentials under a mode that syncs nothing (as Submarine's s3): masked all the same, and no
  // clone is tried (this machine reaches no git server).
  code: { syncMode: 's3', git: { url: 'https://example.com/r.git', username: 'me', password: 'git-pass-1' } },
})
/** The spec as stored in SQLite (what the runtime is given). */
const stored = (id: string) =>
  JSON.parse((server.db.query('SELECT spec FROM experiment WHERE id = ?').get(id) as { spec: string }).spec)
const expectMasked = (result: any) => {
  expect(result.spec.meta.envVars).toEqual({ DB_PASSWORD: MASK, API_KEY: MASK, GREETING: 'hello' })
  expect(result.spec.code.git.password).toBe(MASK)
  expect(result.spec.code.git.username).toBe('me')
}

test('secrets are masked in the create, get, list, patch and delete answers; the job gets the real ones', async () => {
  const made = await create(server, withSecrets('masked'))
  expectMasked(made)
  const id = made.experimentId
  expectMasked(expectOk(await server.json('GET', `${EXPERIMENTS}/${id}`)))
  const listed = (expectOk(await server.json('GET', EXPERIMENTS)) as any[]).find((e) => e.experimentId === id)
  expectMasked(listed)
  await waitForStatus(server, id, ['Succeeded'])
  const logs = await waitForLogs(server, id)
  expect(logs[0].podLog).toEqual(['pw=hunter22-db key=k-98765 greeting=hello'])
  expect(stored(id).meta.envVars.DB_PASSWORD).toBe('hunter22-db')

  // A finished experiment cannot be patched (409); its refusal quotes no secret either.
  const refused = await server.json('PATCH', `${EXPERIMENTS}/${id}`, withSecrets('masked'))
  expect(refused.http).toBe(409)
  expect(JSON.stringify(refused.body)).not.toMatch(/hunter22-db|k-98765|git-pass-1/)
  expectMasked(expectOk(await server.json('DELETE', `${EXPERIMENTS}/${id}`)))
  expect(server.logged.join('\n')).not.toMatch(/hunter22-db|k-98765|git-pass-1/)
})

test('a GET answer PATCHed back with the masks keeps the stored secrets; a new value replaces one', async () => {
  const id = (await create(server, withSecrets('patched-back'))).experimentId
  const got = expectOk(await server.json('GET', `${EXPERIMENTS}/${id}`))
  expectOk(await server.json('PATCH', `${EXPERIMENTS}/${id}`, got.spec))
  expect(stored(id).meta.envVars).toEqual({ DB_PASSWORD: 'hunter22-db', API_KEY: 'k-98765', GREETING: 'hello' })
  expect(stored(id).code.git.password).toBe('git-pass-1')

  got.spec.meta.envVars.API_KEY = 'k-new'
  expectOk(await server.json('PATCH', `${EXPERIMENTS}/${id}`, got.spec))
  expect(stored(id).meta.envVars).toEqual({ DB_PASSWORD: 'hunter22-db', API_KEY: 'k-new', GREETING: 'hello' })
})

test('a GET answer POSTed back runs with the secrets of the experiment it names', async () => {
  const id = (await create(server, withSecrets('posted-back'))).experimentId
  const got = expectOk(await server.json('GET', `${EXPERIMENTS}/${id}`))
  const copy = expectOk(await server.json('POST', EXPERIMENTS, got.spec))
  expect(copy.experimentId).not.toBe(id)
  expectMasked(copy)
  await waitForStatus(server, copy.experimentId, ['Succeeded'])
  expect((await waitForLogs(server, copy.experimentId))[0].podLog).toEqual([
    'pw=hunter22-db key=k-98765 greeting=hello',
  ])
})

test('a mask that stands for nothing stored is a 400 naming the field, and nothing is created', async () => {
  const body = withSecrets('unresolved')
  body.meta.envVars.DB_PASSWORD = MASK
  const before = (expectOk(await server.json('GET', EXPERIMENTS)) as any[]).length
  expectError(
    await server.json('POST', EXPERIMENTS, body),
    400,
    'INVALID_SPEC',
    'Invalid experiment spec: meta.envVars.DB_PASSWORD is "******", the mask answers show in place of a secret, ' +
      'and the body names no stored experiment (meta.experimentId) to take it from; send the real value',
  )
  expect((expectOk(await server.json('GET', EXPERIMENTS)) as any[]).length).toBe(before)
})

test('a runtime message quoting a secret is masked in the statusMessage, the refusal and the server log', async () => {
  // A runtime that first cannot be reached, then refuses the job quoting its environment,
  // as an admission webhook may quote the object it denied.
  const tried = new Set<string>()
  const quoting = (base: Runtime): Runtime =>
    new Proxy(base, {
      get(target, key) {
        if (key === 'submit')
          return async (job: JobSpec) => {
            const env = job.replicaSpecs[0]!.env.map(([k, v]) => `${k}=${v}`).join(' ')
            const first = !tried.has(job.id)
            tried.add(job.id)
            if (first && job.name === 'quoted') throw new Error(`engine busy while creating a job with ${env}`)
            throw new RuntimeRejectedError(`webhook denied env ${env}`)
          }
        const value = Reflect.get(target, key, target)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
  const quoted = await startTestServer({
    makeRuntime: async (instanceId, dataDir) =>
      quoting(
        createProcessRuntime({
          dataDir,
          baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
          namespace: 'default',
          instanceId,
          restartBackoffMs: 60_000,
          stopGraceMs: 1000,
          pollMs: 20,
        }),
      ),
  })
  try {
    const made = await create(quoted, withSecrets('quoted'))
    expect(made.statusMessage).toContain('engine busy while creating a job with DB_PASSWORD=****** API_KEY=******')
    const failed = await waitForStatus(quoted, made.experimentId, ['Failed'])
    expect(failed.result.statusMessage).toContain('webhook denied env DB_PASSWORD=****** API_KEY=******')
    const refusal = await quoted.json('POST', EXPERIMENTS, withSecrets('refused-now'))
    expect(refusal.http).toBe(400)
    expect(refusal.body.message).toBe('webhook denied env DB_PASSWORD=****** API_KEY=****** GREETING=hello')
    const log = quoted.logged.join('\n')
    expect(log).toContain(`${made.experimentId}`)
    expect(log).toContain('DB_PASSWORD=******')
    expect(log).not.toMatch(/hunter22-db|k-98765/)
  } finally {
    await shutdown(quoted)
  }
})
