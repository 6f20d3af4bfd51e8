/**
 * @module
 * Small shared builders and checks for the API suite: request bodies, the
 * expected key orders, id/time formats, polling, and the stored-state snapshot
 * used to prove a refused request changed nothing.
 */

import { expect } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { running } from '../../runtimes/process/backend-client.ts'
import { REASONS } from '../../src/errors.ts'
import type { TestServer } from '../helpers/test-server.ts'

export const EXPERIMENTS = '/api/v1/experiment'
export const ENVIRONMENTS = '/api/v1/environment'

export const ENVELOPE_KEYS = ['status', 'code', 'success', 'message', 'result', 'attributes']
export const EXPERIMENT_KEYS = [
  'experimentId',
  'uid',
  'status',
  'acceptedTime',
  'createdTime',
  'runningTime',
  'finishedTime',
  'spec',
]
export const SPEC_KEYS = ['meta', 'environment', 'spec', 'experimentHandlerSpec', 'code']
export const META_KEYS = ['experimentId', 'name', 'namespace', 'framework', 'cmd', 'envVars', 'tags']
export const ENVIRONMENT_SPEC_KEYS = ['name', 'dockerImage', 'kernelSpec', 'description', 'image']
export const TASK_KEYS = ['replicas', 'resources', 'name', 'image', 'cmd', 'envVars', 'resourceMap']
export const STATUSES = ['Accepted', 'Created', 'Running', 'Succeeded', 'Failed']
const RANK: Record<string, number> = { Accepted: 0, Created: 1, Running: 2, Succeeded: 3, Failed: 3 }

export const EXPERIMENT_ID = /^experiment-(\d{13})-(\d{4,})$/
export const ENVIRONMENT_ID = /^environment_(\d{13})_(\d{4,})$/
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
export const UTC_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

export type Body = Record<string, any>

/** A valid TensorFlow body; `tasks` replaces the task map. */
export function tfBody(
  name = 'tf-test',
  tasks: Body = {
    Ps: { replicas: 1, resources: 'cpu=1,memory=64M' },
    Worker: { replicas: 1, resources: 'cpu=1,memory=64M' },
  },
  cmd = 'echo hi',
): Body {
  return {
    meta: { name, namespace: 'default', framework: 'TensorFlow', cmd, envVars: { ENV_1: 'ENV1' } },
    environment: { image: 'busybox:1' },
    spec: tasks,
  }
}

/** A valid PyTorch body (Master:1, Worker:workers). */
export function pytorchBody(name = 'pt-test', cmd = 'echo hi', workers = 1): Body {
  return {
    meta: { name, namespace: 'default', framework: 'PyTorch', cmd, envVars: {} },
    environment: { image: 'busybox:1' },
    spec: {
      Master: { replicas: 1, resources: 'cpu=1,memory=64M' },
      Worker: { replicas: workers, resources: 'cpu=1,memory=64M' },
    },
  }
}

/** A one-replica job (TF Worker:1) running `cmd`. */
export function singleBody(name: string, cmd: string): Body {
  return tfBody(name, { Worker: { replicas: 1 } }, cmd)
}

/** `body` with the value at a dotted path replaced (a deep copy). */
export function withValue(body: Body, path: string, value: unknown): Body {
  const copy = structuredClone(body)
  const keys = path.split('.')
  let at: any = copy
  for (const k of keys.slice(0, -1)) at = at[k]
  at[keys.at(-1)!] = value
  return copy
}

/** `body` without the field at a dotted path. */
export function without(body: Body, path: string): Body {
  const copy = structuredClone(body)
  const keys = path.split('.')
  let at: any = copy
  for (const k of keys.slice(0, -1)) at = at[k]
  delete at[keys.at(-1)!]
  return copy
}

/** Creates an experiment and returns its result; fails the test on anything but 200. */
export async function create(server: TestServer, body: Body): Promise<any> {
  const res = await server.json('POST', EXPERIMENTS, body)
  if (res.http !== 200) throw new Error(`create failed: ${res.http} ${JSON.stringify(res.body)}`)
  return res.body.result
}

export async function getExperiment(server: TestServer, id: string): Promise<any> {
  return (await server.json('GET', `${EXPERIMENTS}/${id}`)).body.result
}

/** Polls `read` until `done` holds or the deadline passes; returns the last value. */
export async function poll<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() > deadline) return value
    await Bun.sleep(everyMs)
  }
}

/** Polls GET until the status is one of `statuses`; returns every status seen, in order, and the last result. */
export async function waitForStatus(
  server: TestServer,
  id: string,
  statuses: string[],
  timeoutMs = 10_000,
): Promise<{ seen: string[]; result: any }> {
  const seen: string[] = []
  const result = await poll(
    () => getExperiment(server, id),
    (r) => {
      seen.push(r.status)
      return statuses.includes(r.status)
    },
    timeoutMs,
    10,
  )
  return { seen, result }
}

/** True when the statuses never move back. */
export function monotonic(seen: string[]): boolean {
  return seen.every((s, i) => i === 0 || RANK[s]! >= RANK[seen[i - 1]!]!)
}

/** Polls the logs until every pod has at least `min` lines. */
export async function waitForLogs(server: TestServer, id: string, min = 1, timeoutMs = 10_000): Promise<any[]> {
  const read = async () => (await server.json('GET', `${EXPERIMENTS}/logs/${id}`)).body.result.logContent as any[]
  return poll(read, (pods) => pods.length > 0 && pods.every((p) => p.podLog.length >= min), timeoutMs)
}

/** What must survive a refused request: every experiment's id, uid and spec, and every environment. */
export async function storedState(server: TestServer): Promise<unknown> {
  const experiments = (await server.json('GET', EXPERIMENTS)).body.result as any[]
  const environments = (await server.json('GET', ENVIRONMENTS)).body.result as any[]
  return { experiments: experiments.map((e) => ({ id: e.experimentId, uid: e.uid, spec: e.spec })), environments }
}

/** Asserts a success envelope (keys in order, OK/200/true/null, attributes {}) and returns `result`. */
export function expectOk(res: { http: number; body: any }): any {
  expect(res.http).toBe(200)
  expect(Object.keys(res.body)).toEqual(ENVELOPE_KEYS)
  expect(res.body).toMatchObject({ status: 'OK', code: 200, success: true, message: null, attributes: {} })
  return res.body.result
}

const STATUS_NAMES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  421: 'MISDIRECTED_REQUEST',
  422: 'UNPROCESSABLE_ENTITY',
}

/** Asserts an error envelope: HTTP status = code, its name, success false, a message, a catalogued reason. */
export function expectError(
  res: { http: number; body: any },
  http: number,
  reason: string,
  message?: string | RegExp,
): void {
  expect(res.http).toBe(http)
  expect(Object.keys(res.body)).toEqual(ENVELOPE_KEYS)
  expect(res.body).toMatchObject({ status: STATUS_NAMES[http], code: http, success: false, result: null })
  expect(Object.keys(REASONS)).toContain(res.body.attributes.reason)
  expect(res.body.attributes.reason).toBe(reason)
  if (typeof message === 'string') expect(res.body.message).toBe(message)
  else if (message) expect(res.body.message).toMatch(message)
}

/** `<dataDir>/runs/<id>/job.json` of the process runtime. */
export function jobFile(server: TestServer, id: string): { job: unknown; ports: Record<string, number> } {
  return JSON.parse(readFileSync(join(server.dataDir, 'runs', id, 'job.json'), 'utf8'))
}

/** The recorded pid of a replica's process group, if the file is there. */
export function replicaPid(server: TestServer, id: string, pod: string): number | null {
  const file = join(server.dataDir, 'runs', id, '.replicas', `${pod}.pid`)
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : null
}

/** True when `pid` is a live (not zombie) process. */
export const alive = running

/** Deletes every experiment (stopping their replicas), then stops the server. */
export async function shutdown(server: TestServer | undefined): Promise<void> {
  if (!server) return
  const list = (await server.json('GET', EXPERIMENTS)).body?.result ?? []
  for (const e of list) await server.json('DELETE', `${EXPERIMENTS}/${e.experimentId}`)
  await server.stop()
}
