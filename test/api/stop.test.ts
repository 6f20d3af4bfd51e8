/**
 * `POST /api/v1/experiment/{id}/stop` on a real server (process runtime, SQLite file): a
 * running experiment ends Failed with the replicas' last words kept, an Accepted one is never
 * launched, a stop while the runtime is unreachable is carried out once it answers, and a
 * finished experiment can be neither stopped nor patched.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createProcessRuntime } from '../../runtimes/process/index.ts'
import { waitFor } from '../../runtimes/testing/wait-for.ts'
import { GatedRuntime } from '../helpers/gated-runtime.ts'
import { openStream } from '../helpers/stream-client.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import {
  alive,
  create,
  EXPERIMENTS,
  expectError,
  expectOk,
  getExperiment,
  replicaPid,
  shutdown,
  singleBody,
  UTC_MILLIS,
  waitForStatus,
} from './fixtures.ts'

let server: TestServer
let gate: GatedRuntime

beforeAll(async () => {
  server = await startTestServer({
    makeRuntime: async (instanceId, dataDir) => {
      gate = new GatedRuntime(
        createProcessRuntime({
          dataDir,
          baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
          namespace: 'default',
          instanceId,
          restartBackoffMs: 60_000,
          stopGraceMs: 1000,
          pollMs: 20,
        }),
      )
      return gate
    },
  })
})
afterAll(async () => {
  gate.open = true
  await shutdown(server)
})

const TRAPS_TERM = 'trap "echo got SIGTERM; exit 0" TERM; echo up; sleep 120 & wait $!'
const stop = (id: string) => server.json('POST', `${EXPERIMENTS}/${id}/stop`)
const logText = async (id: string) =>
  ((await server.json('GET', `${EXPERIMENTS}/logs/${id}`)).body.result.logContent as any[]).flatMap((p) => p.podLog)
const experimentEvents = async (id: string) => {
  const stream = await openStream(`${server.url}${EXPERIMENTS}/events?experimentId=${id}`, {
    accept: 'application/x-ndjson',
  })
  try {
    await stream.until('the stop event', (frames) => frames.some((f) => f.data?.reason === 'Stopped'), 5000)
    return stream.records().filter((r: any) => r.replica === null)
  } finally {
    stream.close()
  }
}

async function running(cmd: string): Promise<{ id: string; pod: string }> {
  const { experimentId: id } = await create(server, singleBody('stop-me', cmd))
  const pod = `${id}-worker-0`
  await waitFor('the replica to print', async () => (await logText(id)).includes('up'), 10_000)
  return { id, pod }
}

describe('a running experiment', () => {
  test('ends Failed at once, stopped and when; its replica gets SIGTERM and what it prints then is kept', async () => {
    const { id, pod } = await running(TRAPS_TERM)
    const pid = replicaPid(server, id, pod)!
    expect(alive(pid)).toBe(true)
    const e = expectOk(await stop(id))
    expect(e.status).toBe('Failed')
    expect(e.finishedTime).toMatch(UTC_MILLIS)
    expect(e.statusMessage).toBe(`Stopped by request at ${e.finishedTime}`)
    await waitFor('the replica to be gone', () => !alive(pid), 5000)
    await waitFor('its last words', async () => (await logText(id)).includes('got SIGTERM'), 5000)
    // The replica's shell may also report its sleep was terminated: its first and last lines are what it printed.
    const text = await logText(id)
    expect([text[0], text.at(-1)]).toEqual(['up', 'got SIGTERM'])
    // What the runtime reported as the replica went (its exit) does not overwrite the stop.
    const after = await getExperiment(server, id)
    expect({ status: after.status, message: after.statusMessage, finished: after.finishedTime }).toEqual({
      status: 'Failed',
      message: e.statusMessage,
      finished: e.finishedTime,
    })
    const events = await experimentEvents(id)
    expect(events.at(-1)).toMatchObject({ status: 'Failed', reason: 'Stopped', message: e.statusMessage })
  })

  test('a replica that ignores SIGTERM is killed after the grace period', async () => {
    const { id, pod } = await running('trap "" TERM; echo up; while :; do sleep 0.1; done')
    const pid = replicaPid(server, id, pod)!
    const at = Date.now()
    expectOk(await stop(id))
    await waitFor('the replica to be killed', () => !alive(pid), 5000)
    expect(Date.now() - at).toBeGreaterThanOrEqual(900) // the grace period is 1 s here
  })

  test('a log follow ends only once the replica has stopped, with its last line', async () => {
    const { id } = await running(TRAPS_TERM)
    const follow = await openStream(`${server.url}${EXPERIMENTS}/logs/${id}?follow=true`, {
      accept: 'application/x-ndjson',
    })
    await follow.until('the first line', (frames) => frames.some((f) => f.data?.line === 'up'), 5000)
    expectOk(await stop(id))
    await follow.closed
    const seen = follow.records().map((r: any) => r.line ?? r.status)
    expect([seen[0], seen.at(-2), seen.at(-1)]).toEqual(['up', 'got SIGTERM', 'Failed'])
  })
})

test('an Accepted experiment is stopped without ever being launched', async () => {
  gate.open = false
  try {
    const created = await create(server, singleBody('never', 'echo ran'))
    expect(created.status).toBe('Accepted')
    const e = expectOk(await stop(created.experimentId))
    expect(e.status).toBe('Failed')
    expect(e.statusMessage).toBe(`Stopped by request at ${e.finishedTime}; it had not been launched, and never will be`)
    gate.open = true
    // A window in which nothing may happen: supervisor rounds (every 200 ms) with the runtime open.
    await Bun.sleep(1000)
    expect(await server.runtime.owned()).not.toContain(created.experimentId)
    expect(await logText(created.experimentId)).toEqual([])
    expect((await getExperiment(server, created.experimentId)).status).toBe('Failed')
  } finally {
    gate.open = true
  }
})

test('a stop while the runtime is unreachable is stored at once and carried out when it answers', async () => {
  const { id, pod } = await running(TRAPS_TERM)
  const pid = replicaPid(server, id, pod)!
  gate.open = false
  try {
    const e = expectOk(await stop(id))
    expect(e.status).toBe('Failed')
    await Bun.sleep(600) // a window in which nothing may happen: the runtime cannot be reached
    expect(alive(pid)).toBe(true)
    gate.open = true
    await waitFor('the replica to be stopped', () => !alive(pid), 5000)
    await waitFor('its last words', async () => (await logText(id)).includes('got SIGTERM'), 5000)
    expect((await getExperiment(server, id)).statusMessage).toBe(e.statusMessage)
  } finally {
    gate.open = true
  }
})

describe('a finished experiment', () => {
  test('cannot be stopped: 409 naming its status', async () => {
    const { experimentId: id } = await create(server, singleBody('done', 'echo done'))
    await waitForStatus(server, id, ['Succeeded'])
    expectError(
      await stop(id),
      409,
      'EXPERIMENT_FINISHED',
      `Experiment ${id} has finished: it is Succeeded; there is nothing to stop`,
    )
    expect((await getExperiment(server, id)).status).toBe('Succeeded')
  })

  test('a stopped one cannot be stopped again', async () => {
    const { id } = await running(TRAPS_TERM)
    const e = expectOk(await stop(id))
    expectError(
      await stop(id),
      409,
      'EXPERIMENT_FINISHED',
      `Experiment ${id} has finished: it is Failed (stopped at ${e.finishedTime}); there is nothing to stop`,
    )
  })

  test('cannot be patched: 409 naming its status, and the spec it ran with stays', async () => {
    const body = singleBody('patch-done', 'echo done')
    const { experimentId: id } = await create(server, body)
    const { result } = await waitForStatus(server, id, ['Succeeded'])
    const res = await server.json('PATCH', `${EXPERIMENTS}/${id}`, singleBody('patch-done', 'echo changed'))
    expectError(
      res,
      409,
      'EXPERIMENT_FINISHED',
      `Experiment ${id} has finished: it is Succeeded; its spec stays the one it ran with; ` +
        'create a new experiment instead',
    )
    expect((await getExperiment(server, id)).spec).toEqual(result.spec)
  })
})

test('an unknown experiment is a 404', async () => {
  expectError(await stop('experiment-1-0001'), 404, 'EXPERIMENT_NOT_FOUND', 'Not found experiment.')
})
