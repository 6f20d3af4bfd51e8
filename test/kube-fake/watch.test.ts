import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node'
import { waitFor } from '../../runtimes/testing/wait-for.ts'
import { type Clients, clientsFor, recordWatch, tfJob, tfjobs } from './fixtures.ts'
import { type FakeKube, startFakeKube } from './index.ts'

let fake: FakeKube
let c: Clients
const JOBS = '/apis/kubeflow.org/v1/namespaces/default/tfjobs'
const idle = { PS: { command: 'sleep 30' } }
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch)

beforeAll(async () => {
  fake = await startFakeKube({ runPods: false, bookmarkIntervalMs: 50 })
  c = clientsFor(fake)
})
afterAll(() => fake.stop())

describe('watch through client-node', () => {
  test('a watch from a list resourceVersion sees ADDED, MODIFIED and DELETED with the final object', async () => {
    const list = await c.custom.listNamespacedCustomObject({ ...tfjobs(), labelSelector: 'case=lifecycle' })
    const w = await recordWatch(c.kc, JOBS, {
      resourceVersion: list.metadata.resourceVersion,
      labelSelector: 'case=lifecycle',
    })
    const body = { ...tfJob('lifecycle', idle), metadata: { name: 'lifecycle', labels: { case: 'lifecycle' } } }
    await c.custom.createNamespacedCustomObject({ ...tfjobs(), body })
    await c.custom.patchNamespacedCustomObject(
      { ...tfjobs(), name: 'lifecycle', body: { spec: { runPolicy: { backoffLimit: 2 } } } },
      merge,
    )
    await c.custom.deleteNamespacedCustomObject({ ...tfjobs(), name: 'lifecycle' })
    await waitFor('the fake to get there', () => w.events.some((e) => e.type === 'DELETED'), 5000, 10)
    w.abort()
    const types = w.events.map((e) => e.type)
    expect(types[0]).toBe('ADDED')
    expect(types.at(-1)).toBe('DELETED')
    expect(types.slice(1, -1).every((t) => t === 'MODIFIED')).toBe(true)
    expect(w.events.some((e) => e.type === 'MODIFIED' && e.object.spec.runPolicy?.backoffLimit === 2)).toBe(true)
    // The operator's status write reaches watchers as MODIFIED.
    expect(w.events.some((e) => e.type === 'MODIFIED' && e.object.status?.conditions?.[0]?.type === 'Created')).toBe(
      true,
    )
    const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion))
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b))
    const final = w.events.at(-1)?.object
    expect(final.metadata.name).toBe('lifecycle')
    expect(final.spec.runPolicy.backoffLimit).toBe(2)
  })

  test('without a resourceVersion the watch starts with a synthetic ADDED per existing object', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: { ...tfJob('existing', idle), metadata: { name: 'existing', labels: { case: 'existing' } } },
    })
    const w = await recordWatch(c.kc, JOBS, { labelSelector: 'case=existing' })
    await waitFor('the fake to get there', () => w.events.length >= 1, 5000, 10)
    w.abort()
    expect(w.events.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'existing']])
  })

  test('a watch from an older resourceVersion replays what happened since', async () => {
    const rv = fake.resourceVersion()
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: { ...tfJob('replayed', idle), metadata: { name: 'replayed', labels: { case: 'replay' } } },
    })
    const w = await recordWatch(c.kc, JOBS, { resourceVersion: rv, labelSelector: 'case=replay' })
    await waitFor('the fake to get there', () => w.events.length >= 1, 5000, 10)
    w.abort()
    expect(w.events[0]?.type).toBe('ADDED')
    expect(w.events[0]?.object.metadata.name).toBe('replayed')
  })

  test('label selector transitions arrive as DELETED and ADDED', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: { ...tfJob('moving', idle), metadata: { name: 'moving', labels: { stage: 'in' } } },
    })
    await waitFor('the fake to get there', () => fake.getObject('tfjobs', 'default', 'moving')?.status, 5000, 10)
    const w = await recordWatch(c.kc, JOBS, { resourceVersion: fake.resourceVersion(), labelSelector: 'stage=in' })
    await c.custom.patchNamespacedCustomObject(
      { ...tfjobs(), name: 'moving', body: { metadata: { labels: { stage: 'out' } } } },
      merge,
    )
    await c.custom.patchNamespacedCustomObject(
      { ...tfjobs(), name: 'moving', body: { metadata: { labels: { stage: 'in' } } } },
      merge,
    )
    await waitFor('the fake to get there', () => w.events.length >= 2, 5000, 10)
    w.abort()
    expect(w.events.map((e) => [e.type, e.object.metadata.labels.stage])).toEqual([
      ['DELETED', 'out'],
      ['ADDED', 'in'],
    ])
  })

  test('a resourceVersion older than the history gets one in-stream ERROR 410 Expired; the stream closes', async () => {
    const rv = fake.resourceVersion()
    await c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('expire-me', idle) })
    fake.expireWatches()
    const w = await recordWatch(c.kc, JOBS, { resourceVersion: rv })
    expect(await w.done).toBeNull()
    expect(w.events).toHaveLength(1)
    expect(w.events[0]?.type).toBe('ERROR')
    expect(w.events[0]?.object).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `too old resource version: ${rv} (${fake.resourceVersion()})`,
      reason: 'Expired',
      code: 410,
    })
  })

  test('the connect-410 switch answers HTTP 410, which client-node hands to done() with statusCode', async () => {
    fake.setWatchConnect410(true)
    try {
      const w = await recordWatch(c.kc, JOBS, { resourceVersion: '1' })
      const err = await w.done
      expect(err.statusCode).toBe(410)
      expect(w.events).toEqual([])
    } finally {
      fake.setWatchConnect410(false)
    }
  })

  test('allowWatchBookmarks brings BOOKMARK events carrying only kind, apiVersion and resourceVersion', async () => {
    const w = await recordWatch(c.kc, JOBS, { resourceVersion: fake.resourceVersion(), allowWatchBookmarks: true })
    await waitFor('the fake to get there', () => w.events.filter((e) => e.type === 'BOOKMARK').length >= 2, 2000, 10)
    w.abort()
    const bookmark = w.events.find((e) => e.type === 'BOOKMARK')
    expect(bookmark?.object).toEqual({
      kind: 'TFJob',
      apiVersion: 'kubeflow.org/v1',
      metadata: { resourceVersion: fake.resourceVersion() },
    })
  })

  test('no BOOKMARK events arrive unless asked for', async () => {
    const w = await recordWatch(c.kc, JOBS, { resourceVersion: fake.resourceVersion() })
    // A window in which nothing may happen: no event arrives unasked.
    await Bun.sleep(200)
    w.abort()
    expect(w.events).toEqual([])
  })

  test('timeoutSeconds ends the stream cleanly', async () => {
    const started = Date.now()
    const w = await recordWatch(c.kc, JOBS, { resourceVersion: fake.resourceVersion(), timeoutSeconds: 1 })
    expect(await w.done).toBeNull()
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
  })

  test('dropWatches cuts open streams and client-node reports an error', async () => {
    const w = await recordWatch(c.kc, JOBS, { resourceVersion: fake.resourceVersion() })
    await Bun.sleep(20) // the stream is open (recordWatch resolved); cut it a moment later, mid-stream
    fake.dropWatches()
    const err = await w.done
    expect(err).toBeInstanceOf(Error)
  })

  test('a pod watch with a job-name selector sees the operator create the pods', async () => {
    const w = await recordWatch(c.kc, '/api/v1/namespaces/default/pods', {
      labelSelector: 'training.kubeflow.org/job-name=podwatch',
    })
    await c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('podwatch', { Worker: { replicas: 2 } }) })
    await waitFor(
      'the fake to get there',
      () => new Set(w.events.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name)).size === 2,
      5000,
      10,
    )
    w.abort()
    const added = w.events.filter((e) => e.type === 'ADDED')
    expect(added.map((e) => e.object.metadata.name).sort()).toEqual(['podwatch-worker-0', 'podwatch-worker-1'])
    expect(added[0]?.object.kind).toBe('Pod')
    expect(added[0]?.object.apiVersion).toBe('v1')
  })
})
