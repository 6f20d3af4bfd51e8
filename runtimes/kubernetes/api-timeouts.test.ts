/**
 * Every Kubernetes API call has a time limit. An API server that accepts connections
 * and never answers (a raw TCP listener used as the kubeconfig's server, through the
 * real client) must not block the runtime: start returns, every verb fails with the
 * reason, and once the server answers things proceed. A request the fake accepts and
 * never answers (its `hangNext` fault) fails that call only.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import { RuntimeUnavailableError } from '../../src/errors.ts'
import type { JobSpec } from '../../src/runtime/job.ts'
import type { Runtime } from '../../src/runtime/runtime.ts'
import { type FakeKube, startFakeKube } from '../../test/kube-fake/index.ts'
import { jobSpec } from '../testing/job-spec.ts'
import { MemorySink } from '../testing/memory-sink.ts'
import { waitFor } from '../testing/wait-for.ts'
import { createKubernetesRuntime } from './index.ts'
import { FAST } from './testing/fast-tuning.ts'
import { type SilentServer, startSilentServer } from './testing/silent-server.ts'

const NS = 'timeouts'
const LIMIT = 300

let fake: FakeKube
let silent: SilentServer
const runtimes: Runtime[] = []

function runtime(kubeconfigYaml: string): Runtime {
  const r = createKubernetesRuntime({
    namespace: NS,
    instanceId: 'timeouts',
    restartBackoffMs: 30,
    kubeconfigYaml,
    requestTimeoutMs: LIMIT,
    tuning: FAST,
  })
  runtimes.push(r)
  return r
}

const job = (command: string): JobSpec => jobSpec({ name: 'timeouts', namespace: NS, image: 'busybox:1.36', command })
const finished = (sink: MemorySink, id: string) =>
  waitFor(
    `${id} to finish`,
    () => {
      const c = sink.lastStatus(id)?.status.conditions.at(-1)?.type
      return c === 'Succeeded' || c === 'Failed' ? c : null
    },
    30_000,
  )

/** How long a promise takes to settle, and how. */
async function timed<T>(p: Promise<T>): Promise<{ ms: number; error: unknown }> {
  const t0 = Date.now()
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  )
  return { ms: Date.now() - t0, error }
}

beforeAll(async () => {
  fake = await startFakeKube({ namespace: NS, restartBackoffMs: 30 })
})
afterEach(async () => {
  fake.clearFaults()
  await Promise.all(runtimes.splice(0).map((r) => r.dispose()))
  await silent?.close()
})
afterAll(async () => {
  await fake.stop()
})

describe('an API server that accepts connections and never answers', () => {
  test('does not block start, and every verb fails in time with the reason', async () => {
    silent = await startSilentServer()
    const r = runtime(fake.kubeconfig().replace(fake.url, silent.url))
    const reason = `timed out after ${LIMIT} ms talking to the Kubernetes API server at ${silent.url}`

    const start = await timed(r.start(new MemorySink()))
    expect(start.error).toBeNull()
    expect(start.ms).toBeLessThan(LIMIT + 2000)
    expect(silent.accepted).toBeGreaterThan(0)
    expect(r.unavailable()).toContain(reason)

    const j = job('echo after the silence')
    for (const call of [r.submit(j), r.update(j), r.delete(j.id), r.owned()]) {
      const { ms, error } = await timed(call as Promise<unknown>)
      expect(error).toBeInstanceOf(RuntimeUnavailableError)
      expect((error as Error).message).toContain(reason)
      // owned() and delete() ask one collection per kind, one after the other.
      expect(ms).toBeLessThan(3 * LIMIT + 2000)
    }
  })

  test('once it answers, the runtime becomes available and runs jobs', async () => {
    silent = await startSilentServer()
    const sink = new MemorySink()
    const r = runtime(fake.kubeconfig().replace(fake.url, silent.url))
    await r.start(sink)
    expect(r.unavailable()).toContain('timed out')

    silent.relayTo(Number(new URL(fake.url).port))
    await waitFor('the runtime available', () => r.unavailable() === null, 10_000)
    const j = job('echo after the silence')
    await r.submit(j)
    expect(await finished(sink, j.id)).toBe('Succeeded')
    await waitFor('log', () => sink.text(j.id, `${j.id}-worker-0`).length > 0, 5000)
    expect(sink.text(j.id, `${j.id}-worker-0`)).toEqual(['after the silence'])
  })
})

describe('a request the API server never answers', () => {
  test('fails that call only: a submit is refused in time, and retried it succeeds', async () => {
    const sink = new MemorySink()
    const r = runtime(fake.kubeconfig())
    await r.start(sink)
    expect(r.unavailable()).toBeNull()
    const j = job('echo once')
    fake.hangNext({ method: 'POST', pathIncludes: '/tfjobs' })
    const { ms, error } = await timed(r.submit(j))
    expect(error).toBeInstanceOf(RuntimeUnavailableError)
    expect((error as Error).message).toBe(
      `the Kubernetes API server cannot be reached (create tfjobs.kubeflow.org "${j.id}" in namespace "${NS}"): ` +
        `timed out after ${LIMIT} ms talking to the Kubernetes API server at ${fake.url}`,
    )
    expect(ms).toBeLessThan(LIMIT + 1000)
    await r.submit(j)
    expect(await finished(sink, j.id)).toBe('Succeeded')
  })

  test('an unanswered log follow or watch is attached again: no line lost or repeated, status converges', async () => {
    const sink = new MemorySink()
    const r = runtime(fake.kubeconfig())
    await r.start(sink)
    const j = job('for i in $(seq 1 15); do echo line-$i; sleep 0.1; done')
    fake.hangNext({ pathIncludes: '/log' }, 2)
    await r.submit(j)
    await waitFor('a few lines', () => sink.text(j.id, `${j.id}-worker-0`).length >= 3, 10_000)
    fake.hangNext({ pathIncludes: 'watch=true' }, 4)
    fake.hangNext({ pathIncludes: '/log' }, 1)
    fake.dropWatches()
    expect(await finished(sink, j.id)).toBe('Succeeded')
    await waitFor('all lines', () => sink.text(j.id, `${j.id}-worker-0`).length >= 15, 10_000)
    expect(sink.text(j.id, `${j.id}-worker-0`)).toEqual(Array.from({ length: 15 }, (_, i) => `line-${i + 1}`))
  })
})
