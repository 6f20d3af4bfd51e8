import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import { RuntimeRejectedError, RuntimeUnavailableError } from '../../src/errors.ts'
import type { JobSpec, ReplicaSpec } from '../../src/runtime/job.ts'
import type { Runtime } from '../../src/runtime/runtime.ts'
import { type FakeKube, startFakeKube } from '../../test/kube-fake/index.ts'
import { jobSpec } from '../testing/job-spec.ts'
import { MemorySink } from '../testing/memory-sink.ts'
import { waitFor } from '../testing/wait-for.ts'
import { createKubeClient } from './backend-client.ts'
import { createKubernetesRuntime } from './index.ts'
import { FAST } from './testing/fast-tuning.ts'
import { recordingPort } from './testing/recording-port.ts'

const NS = 'faults'
const TIMEOUT = 30_000

let fake: FakeKube
const runtimes: Runtime[] = []

function runtime(instanceId = 'faults-a', kubeconfigYaml = fake.kubeconfig(), used?: Set<string>): Runtime {
  const options = { namespace: NS, instanceId, restartBackoffMs: 30, kubeconfigYaml, tuning: FAST }
  const r = used
    ? createKubernetesRuntime(options, recordingPort(createKubeClient(options), used))
    : createKubernetesRuntime(options)
  runtimes.push(r)
  return r
}

function job(command: string, overrides: Partial<JobSpec> = {}, replica: Partial<ReplicaSpec> = {}): JobSpec {
  return jobSpec({
    name: 'faults',
    namespace: NS,
    image: 'busybox:1.36',
    command,
    replicas: [{ type: 'Worker', ...replica }],
    ...overrides,
  })
}

const lastCondition = (sink: MemorySink, id: string) => sink.lastStatus(id)?.status.conditions.at(-1)?.type
const finished = (sink: MemorySink, id: string) =>
  waitFor(
    `${id} to finish`,
    () => ['Succeeded', 'Failed'].includes(lastCondition(sink, id) ?? '') && lastCondition(sink, id),
    TIMEOUT,
  )
const lines = (n: number, delay = 0.1) => `for i in $(seq 1 ${n}); do echo line-$i; sleep ${delay}; done`
const expected = (n: number) => Array.from({ length: n }, (_, i) => `line-${i + 1}`)

beforeAll(async () => {
  fake = await startFakeKube({ namespace: NS, restartBackoffMs: 30, bookmarkIntervalMs: 200 })
})
afterEach(async () => {
  fake.clearFaults()
  fake.setWatchConnect410(false)
  await Promise.all(runtimes.splice(0).map((r) => r.dispose()))
})
afterAll(async () => {
  await fake.stop()
})

describe('the status converges and no log line is lost or repeated', () => {
  test('when watches are dropped mid-stream, again and again', async () => {
    const sink = new MemorySink()
    const r = runtime()
    await r.start(sink)
    const j = job(lines(25))
    await r.submit(j)
    for (let i = 0; i < 8; i++) {
      await Bun.sleep(250) // faults paced through the job's life, not a wait for anything
      fake.dropWatches()
    }
    expect(await finished(sink, j.id)).toBe('Succeeded')
    await waitFor('all lines', () => sink.text(j.id, `${j.id}-worker-0`).length >= 25, 5000)
    expect(sink.text(j.id, `${j.id}-worker-0`)).toEqual(expected(25))
  })

  test('when log follows are cut mid-stream, cleanly or by a reset, while the container runs on', async () => {
    const sink = new MemorySink()
    const r = runtime()
    await r.start(sink)
    const j = job(lines(30, 0.05))
    await r.submit(j)
    const worker = `${j.id}-worker-0`
    for (const how of ['end', 'reset', 'end', 'reset'] as const) {
      const seen = sink.text(j.id, worker).length
      await waitFor('a further line', () => sink.text(j.id, worker).length > seen, TIMEOUT)
      fake.cutLogFollows(how)
    }
    expect(await finished(sink, j.id)).toBe('Succeeded')
    expect(sink.text(j.id, worker)).toEqual(expected(30))
  })

  test('when the resume point has expired, in the stream and at connect (410)', async () => {
    const sink = new MemorySink()
    const r = runtime()
    await r.start(sink)
    const j = job(lines(20))
    await r.submit(j)
    await waitFor('the job under way', () => sink.text(j.id, `${j.id}-worker-0`).length > 0, 10_000)
    fake.expireWatches()
    fake.dropWatches() // reconnects from an expired version: in-stream 410 Expired, then relist
    await Bun.sleep(400) // faults paced through the job's life, not a wait for anything
    fake.setWatchConnect410(true)
    fake.dropWatches() // every connect now answers HTTP 410
    await Bun.sleep(500) // as long as connects keep failing
    fake.setWatchConnect410(false)
    expect(await finished(sink, j.id)).toBe('Succeeded')
    await waitFor('all lines', () => sink.text(j.id, `${j.id}-worker-0`).length >= 20, 5000)
    expect(sink.text(j.id, `${j.id}-worker-0`)).toEqual(expected(20))
    const conditions = sink.observations.get(j.id)!.map((o) => o.status.conditions.at(-1)?.type)
    expect(conditions.at(-1)).toBe('Succeeded')
  })

  test('through a burst of 500 and 503 answers on watches, lists and logs', async () => {
    const sink = new MemorySink()
    const r = runtime()
    await r.start(sink)
    const j = job(lines(20))
    await r.submit(j)
    await waitFor('the job under way', () => sink.text(j.id, `${j.id}-worker-0`).length > 0, 10_000)
    fake.failNext({ pathIncludes: 'watch=true' }, 503, 6)
    fake.failNext({ pathIncludes: '/log' }, 500, 4)
    fake.failNext({ method: 'GET', pathIncludes: '/pods?' }, 500, 2)
    fake.dropWatches()
    expect(await finished(sink, j.id)).toBe('Succeeded')
    await waitFor('all lines', () => sink.text(j.id, `${j.id}-worker-0`).length >= 20, 5000)
    expect(sink.text(j.id, `${j.id}-worker-0`)).toEqual(expected(20))
  })

  test('and a submit that met a 503 can be retried', async () => {
    const sink = new MemorySink()
    const r = runtime()
    await r.start(sink)
    const j = job('echo once')
    fake.failNext({ method: 'POST', pathIncludes: '/tfjobs' }, 503)
    const err = await r.submit(j).catch((e) => e)
    expect(err).toBeInstanceOf(RuntimeUnavailableError)
    expect(err.message).toContain('answered 503')
    await r.submit(j)
    expect(await finished(sink, j.id)).toBe('Succeeded')
  })
})

describe('every kind', () => {
  test('an XGBoostJob runs with the operator environment', async () => {
    const sink = new MemorySink()
    const r = runtime()
    await r.start(sink)
    // The master outlives the worker: cleanPodPolicy Running stops a worker still running at the end.
    const j = job('echo "$RANK/$WORLD_SIZE $MASTER_ADDR"; sleep 1', { framework: 'XGBoost' }, { type: 'Master' })
    j.replicaSpecs = [
      ...j.replicaSpecs,
      { ...j.replicaSpecs[0]!, type: 'Worker', command: 'echo "$RANK/$WORLD_SIZE $MASTER_ADDR"' },
    ]
    await r.submit(j)
    expect(await finished(sink, j.id)).toBe('Succeeded')
    const pods = [`${j.id}-master-0`, `${j.id}-worker-0`]
    await waitFor('both logs', () => pods.every((p) => sink.text(j.id, p).length > 0), 5000)
    expect(pods.map((p) => sink.text(j.id, p))).toEqual([[`0/2 ${j.id}-master-0`], [`1/2 ${j.id}-master-0`]])
    expect(fake.getObject('xgboostjobs', NS, j.id)?.spec.xgbReplicaSpecs.Worker.template.spec.containers[0].name).toBe(
      'xgboost',
    )
  })
})

describe('in-place restarts', () => {
  test("keep every attempt's log and fail the job at the backoff limit", async () => {
    const sink = new MemorySink()
    const r = runtime()
    await r.start(sink)
    const j = job('echo attempt; sleep 0.3; exit 1')
    await r.submit(j)
    expect(await finished(sink, j.id)).toBe('Failed')
    const last = sink.lastStatus(j.id)!
    expect(last.status.conditions.at(-1)!.message).toBe(
      `Job ${j.id} has failed because it has reached the specified backoff limit`,
    )
    expect(last.replicas.find((x) => x.pod === `${j.id}-worker-0`)!.restartCount).toBe(3)
    // Attempts 0, 1 and 2; the operator fails the job as the third restart is counted.
    await waitFor('three attempts', () => sink.text(j.id, `${j.id}-worker-0`).length >= 3, 5000)
    expect(sink.text(j.id, `${j.id}-worker-0`)).toEqual(['attempt', 'attempt', 'attempt'])
  })
})

describe('failures reach the user as clear errors', () => {
  test('an admission webhook denial is a 403 rejection carrying its message', async () => {
    const r = runtime()
    await r.start(new MemorySink())
    fake.denyWebhook('TFJob', 'spec.tfReplicaSpecs[Worker]: too many workers')
    const err = await r.submit(job('echo no')).catch((e) => e)
    expect(err).toBeInstanceOf(RuntimeRejectedError)
    expect(err.status).toBe(403)
    expect(err.message).toBe(
      'admission webhook "validator.tfjob.training-operator.kubeflow.org" denied the request: ' +
        'spec.tfReplicaSpecs[Worker]: too many workers',
    )
  })

  test('an RBAC refusal is a 403 rejection naming the verb and the resource', async () => {
    const r = runtime()
    await r.start(new MemorySink())
    fake.forbid('create', 'pytorchjobs')
    const j = job('echo no', { framework: 'PyTorch' }, { type: 'Master' })
    const err = await r.submit(j).catch((e) => e)
    expect(err).toBeInstanceOf(RuntimeRejectedError)
    expect(err.status).toBe(403)
    expect(err.message).toStartWith(
      `the Kubernetes API server does not allow this server to create pytorchjobs.kubeflow.org "${j.id}" ` +
        `in namespace "${NS}" (RBAC): `,
    )
    expect(err.message).toContain('cannot create resource "pytorchjobs" in API group "kubeflow.org"')
  })

  test('a watch RBAC refusal makes the runtime unready, saying why', async () => {
    fake.forbid('watch', 'pods')
    const r = runtime()
    await r.start(new MemorySink())
    await waitFor('unready', () => r.unavailable()?.includes('does not allow this server to watch pods'), 5000)
    fake.clearFaults()
    await waitFor('ready again', () => r.unavailable() === null, 5000)
  })

  test('an API server that cannot be reached makes submit retryable and the runtime unready', async () => {
    const closed = Bun.serve({ port: 0, fetch: () => new Response('') })
    const url = `http://127.0.0.1:${closed.port}`
    await closed.stop(true)
    const r = runtime('faults-a', fake.kubeconfig().replace(fake.url, url))
    await r.start(new MemorySink()) // must not throw
    expect(r.unavailable()).toContain('cannot be reached')
    const err = await r.submit(job('echo no')).catch((e) => e)
    expect(err).toBeInstanceOf(RuntimeUnavailableError)
    expect(err.message).toStartWith('the Kubernetes API server cannot be reached (create tfjobs.kubeflow.org')
  })
})

describe('a job that already exists', () => {
  test('is adopted when this server created it, and refused when another server did', async () => {
    const used = new Set<string>()
    const sink = new MemorySink()
    const first = runtime('faults-a', fake.kubeconfig(), used)
    await first.start(sink)
    const j = job('echo adopted; sleep 1')
    await first.submit(j)
    await first.dispose()

    // A retried submit after a crash, from a new runtime of the same server.
    const second = runtime('faults-a', fake.kubeconfig(), used)
    await second.start(sink)
    await second.submit(j)
    expect(used.has('get kubeflow.org/tfjobs')).toBe(true)
    expect(fake.listObjects('tfjobs', NS).filter((o) => o.metadata.name === j.id)).toHaveLength(1)
    expect(await finished(sink, j.id)).toBe('Succeeded')
    expect(sink.text(j.id, `${j.id}-worker-0`)).toEqual(['adopted'])

    const other = runtime('faults-other')
    await other.start(new MemorySink())
    const err = await other.submit(j).catch((e) => e)
    expect(err).toBeInstanceOf(RuntimeRejectedError)
    expect(err.status).toBe(409)
    expect(err.message).toBe(
      `a TFJob named "${j.id}" already exists in namespace "${NS}" ` +
        'and does not belong to this server (instance faults-a)',
    )
    expect(await other.owned()).not.toContain(j.id)
    await other.delete(j.id) // not ours: left alone
    expect(fake.getObject('tfjobs', NS, j.id)).toBeDefined()
  })
})

describe('a restarted server', () => {
  test('keeps every log line after the pods are gone and reports the last states', async () => {
    const sink = new MemorySink()
    const first = runtime()
    await first.start(sink)
    const j = job('echo ps-up; sleep 60', {}, { type: 'Ps' })
    j.replicaSpecs = [
      ...j.replicaSpecs,
      {
        type: 'Worker',
        replicas: 1,
        image: 'busybox:1.36',
        command: 'sleep 0.5; echo worker-done',
        env: [],
        resources: {},
      },
    ]
    await first.submit(j)
    expect(await finished(sink, j.id)).toBe('Succeeded')
    // cleanPodPolicy Running: the PS pod is deleted once the job succeeded.
    await waitFor('ps pod deleted', () => !fake.getObject('pods', NS, `${j.id}-ps-0`), TIMEOUT)
    await waitFor(
      'ps stopped',
      () => sink.lastStatus(j.id)?.replicas.find((r) => r.type === 'Ps')?.phase === 'Failed',
      5000,
    )
    await first.dispose()

    const second = runtime()
    await second.start(sink)
    // A window in which nothing may happen: the resumed runtime repeats no line.
    await Bun.sleep(300)
    expect(sink.text(j.id, `${j.id}-ps-0`)).toEqual(['ps-up'])
    expect(sink.text(j.id, `${j.id}-worker-0`)).toEqual(['worker-done'])
    expect(lastCondition(sink, j.id)).toBe('Succeeded')
    expect(await second.owned()).toContain(j.id)
    await second.delete(j.id)
  })
})

describe('without the training operator', () => {
  test('submit names the missing kind, readiness says so, and both recover once it is installed', async () => {
    const bare = await startFakeKube({ namespace: NS, installCrds: false })
    try {
      const options = {
        namespace: NS,
        instanceId: 'bare',
        restartBackoffMs: 30,
        kubeconfigYaml: bare.kubeconfig(),
        tuning: FAST,
      }
      const r = createKubernetesRuntime(options)
      runtimes.push(r)
      const sink = new MemorySink()
      await r.start(sink)
      expect(r.unavailable()).toStartWith(
        'the Kubeflow training operator is not installed: ' +
          'kind TFJob (tfjobs.kubeflow.org) is not served by the API server',
      )
      const err = await r.submit(job('echo hi')).catch((e) => e)
      expect(err).toBeInstanceOf(RuntimeUnavailableError)
      expect(err.message).toBe(
        'the Kubeflow training operator is not installed: ' +
          'kind TFJob (tfjobs.kubeflow.org) is not served by the API server',
      )
      expect(await r.owned()).toEqual([])
      await r.delete('experiment-1-0001') // missing is success

      bare.setInstalled(true)
      await waitFor('ready', () => r.unavailable() === null, 5000)
      const j = job('echo installed')
      await r.submit(j)
      expect(await finished(sink, j.id)).toBe('Succeeded')
    } finally {
      await bare.stop()
    }
  })
})
