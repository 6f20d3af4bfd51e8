import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { PassThrough } from 'node:stream'
import { Log } from '@kubernetes/client-node'
import { waitFor } from '../../runtimes/testing/wait-for.ts'
import { apiError, type Clients, clientsFor, pytorchJob, tfJob, tfjobs } from './fixtures.ts'
import { type FakeKube, startFakeKube } from './index.ts'

/** Follows a log with client-node's `Log` and records each chunk with its arrival time. */
async function follow(c: Clients, pod: string, container: string, options: Record<string, unknown> = {}) {
  const chunks: { at: number; text: string }[] = []
  const sink = new PassThrough()
  sink.on('data', (d) => chunks.push({ at: Date.now(), text: String(d) }))
  const ended = new Promise<void>((resolve) => sink.on('end', resolve))
  const controller = await new Log(c.kc).log('default', pod, container, sink, { follow: true, ...options })
  return { chunks, ended, text: () => chunks.map((x) => x.text).join(''), abort: () => controller.abort() }
}

const podRunning = (fake: FakeKube, name: string) =>
  waitFor(`${name} running`, () => fake.getObject('pods', 'default', name)?.status?.phase === 'Running', 5000, 10)

describe('pod logs with running processes', () => {
  let fake: FakeKube
  let c: Clients
  beforeAll(async () => {
    fake = await startFakeKube({ restartBackoffMs: 20 })
    c = clientsFor(fake)
  })
  afterAll(() => fake.stop())

  test('follow streams lines as they are written and ends when the container exits', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: tfJob('chatty', { Worker: { command: 'echo one; sleep 0.3; echo two; sleep 0.3; echo three' } }),
    })
    await podRunning(fake, 'chatty-worker-0')
    const f = await follow(c, 'chatty-worker-0', 'tensorflow')
    await f.ended
    expect(f.text()).toBe('one\ntwo\nthree\n')
    // Streamed, not buffered: "one" arrived well before "three".
    const first = f.chunks.find((x) => x.text.includes('one'))
    const last = f.chunks.find((x) => x.text.includes('three'))
    expect((last?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(400)
    const pod = fake.getObject('pods', 'default', 'chatty-worker-0')
    expect(pod.status.containerStatuses[0].state.terminated.reason).toBe('Completed')
  })

  test('stderr is captured with stdout and timestamps=true prefixes RFC3339Nano times', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: tfJob('stamped', { Worker: { command: 'echo out; echo err >&2' } }),
    })
    await waitFor(
      'the fake to get there',
      () => fake.getObject('pods', 'default', 'stamped-worker-0')?.status?.phase === 'Succeeded',
      5000,
      10,
    )
    const text = await c.core.readNamespacedPodLog({
      namespace: 'default',
      name: 'stamped-worker-0',
      container: 'tensorflow',
      timestamps: true,
    } as any)
    const lines = text.trim().split('\n')
    expect(lines.map((l) => l.replace(/^\S+ /, '')).sort()).toEqual(['err', 'out'])
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /)
  })

  test('previous=true serves the instance before an in-place restart', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: tfJob('flaky', { Worker: { command: 'echo attempt; exit 1', restartPolicy: 'OnFailure' } }),
    })
    const pod = await waitFor(
      'two restarts',
      () => {
        const p = fake.getObject('pods', 'default', 'flaky-worker-0')
        return p?.status?.containerStatuses?.[0]?.restartCount >= 2 && p
      },
      5000,
      10,
    )
    const status = pod.status.containerStatuses[0]
    expect(status.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' })
    expect(pod.status.phase).toBe('Running')
    expect(
      await c.core.readNamespacedPodLog({
        namespace: 'default',
        name: 'flaky-worker-0',
        container: 'tensorflow',
        previous: true,
      }),
    ).toBe('attempt\n')
    await c.custom.deleteNamespacedCustomObject({ ...tfjobs(), name: 'flaky' })
  })

  test('deleting a pod kills its process and ends follows; the operator recreates it under the same name', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: tfJob('doomed', { Worker: { command: 'echo alive; sleep 30' } }),
    })
    const before = await podRunning(fake, 'doomed-worker-0').then(() =>
      fake.getObject('pods', 'default', 'doomed-worker-0'),
    )
    const f = await follow(c, 'doomed-worker-0', 'tensorflow')
    await waitFor('the fake to get there', () => f.text() === 'alive\n', 5000, 10)
    const deleting = await c.core.deleteNamespacedPod({ namespace: 'default', name: 'doomed-worker-0' })
    expect(deleting.metadata?.deletionTimestamp).toBeDefined()
    await f.ended
    const after = await waitFor(
      'pod recreated',
      () => {
        const p = fake.getObject('pods', 'default', 'doomed-worker-0')
        return p && p.metadata.uid !== before.metadata.uid && p
      },
      3000,
      10,
    )
    expect(after.metadata.deletionTimestamp).toBeUndefined()
  })

  test('deleting the job removes its pods, and their logs go with them (404)', async () => {
    await c.custom.deleteNamespacedCustomObject({ ...tfjobs(), name: 'doomed' })
    await waitFor('pod removed', () => !fake.getObject('pods', 'default', 'doomed-worker-0'), 3000, 10)
    const err = await apiError(
      c.core.readNamespacedPodLog({ namespace: 'default', name: 'doomed-worker-0', container: 'tensorflow' }),
    )
    expect(err.code).toBe(404)
    expect(err.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "doomed-worker-0" not found',
      reason: 'NotFound',
      details: { name: 'doomed-worker-0', kind: 'pods' },
      code: 404,
    })
  })
})

describe('pod logs driven by hooks (runPods: false)', () => {
  let fake: FakeKube
  let c: Clients
  beforeAll(async () => {
    fake = await startFakeKube({ runPods: false, restartBackoffMs: 20 })
    c = clientsFor(fake)
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      body: tfJob('hooked', { Worker: { restartPolicy: 'OnFailure' } }),
    })
    await podRunning(fake, 'hooked-worker-0')
  })
  afterAll(() => fake.stop())
  const read = (extra: Record<string, unknown> = {}) =>
    c.core.readNamespacedPodLog({
      namespace: 'default',
      name: 'hooked-worker-0',
      container: 'tensorflow',
      ...extra,
    } as any)

  test('appendLog lines are served; tailLines, limitBytes and sinceTime select from them', async () => {
    for (const n of [1, 2, 3]) fake.appendLog('default', 'hooked-worker-0', 'tensorflow', `line ${n}`)
    expect(await read()).toBe('line 1\nline 2\nline 3\n')
    expect(await read({ tailLines: 2 })).toBe('line 2\nline 3\n')
    expect(await read({ limitBytes: 9 })).toBe('line 1\nli')
    const stamped = (await read({ timestamps: true })).trim().split('\n')
    const third = stamped[2]?.split(' ')[0] as string
    // readNamespacedPodLog has no sinceTime parameter; client-node's Log does.
    const sink = new PassThrough()
    let text = ''
    sink.on('data', (d) => {
      text += String(d)
    })
    const ended = new Promise((resolve) => sink.on('end', resolve))
    await new Log(c.kc).log('default', 'hooked-worker-0', 'tensorflow', sink, { sinceTime: third })
    await ended
    expect(text).toBe('line 3\n')
  })

  test('a follow ends when exitContainer stops the instance, and the restart starts a fresh log', async () => {
    const f = await follow(c, 'hooked-worker-0', 'tensorflow', { tailLines: 1 })
    await waitFor('the fake to get there', () => f.text() === 'line 3\n', 5000, 10)
    fake.appendLog('default', 'hooked-worker-0', 'tensorflow', 'live line')
    await waitFor('the fake to get there', () => f.text() === 'line 3\nlive line\n', 5000, 10)
    fake.exitContainer('default', 'hooked-worker-0', 'tensorflow', 2)
    await f.ended
    const pod = await waitFor(
      'restarted',
      () => {
        const p = fake.getObject('pods', 'default', 'hooked-worker-0')
        return p.status.containerStatuses[0].state.running && p
      },
      5000,
      10,
    )
    expect(pod.status.containerStatuses[0].restartCount).toBe(1)
    expect(pod.status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 2, reason: 'Error' })
    fake.appendLog('default', 'hooked-worker-0', 'tensorflow', 'second life')
    expect(await read()).toBe('second life\n')
    expect(await read({ previous: true })).toBe('line 1\nline 2\nline 3\nlive line\n')
  })

  test('cutLogFollows ends a follow cleanly or cuts it, while the container runs on', async () => {
    const token = /token: (\S+)/.exec(fake.kubeconfig())?.[1]
    const url = `${fake.url}/api/v1/namespaces/default/pods/hooked-worker-0/log?container=tensorflow&follow=true`
    const open = async () => {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
      const reader = res.body!.getReader()
      expect(new TextDecoder().decode((await reader.read()).value)).toBe('second life\n')
      return reader
    }
    const ended = await open()
    fake.cutLogFollows('end')
    expect((await ended.read()).done).toBe(true)
    const cut = await open()
    fake.cutLogFollows('reset')
    expect(await cut.read().catch(() => 'reset')).toBe('reset')
    const pod = fake.getObject('pods', 'default', 'hooked-worker-0')
    expect(pod.status.containerStatuses[0].state.running).toBeDefined()
  })

  test('previous=true without an earlier instance is 400', async () => {
    await c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('fresh', { Worker: {} }) })
    await podRunning(fake, 'fresh-worker-0')
    const err = await apiError(
      c.core.readNamespacedPodLog({
        namespace: 'default',
        name: 'fresh-worker-0',
        container: 'tensorflow',
        previous: true,
      }),
    )
    expect(err.code).toBe(400)
    expect(err.status.reason).toBe('BadRequest')
    expect(err.status.message).toBe('previous terminated container "tensorflow" in pod "fresh-worker-0" not found')
  })

  test('several containers and no container parameter is 400 naming the choices', async () => {
    const body = tfJob('sidecar', { Worker: {} }) as any
    body.spec.tfReplicaSpecs.Worker.template.spec.containers.push({ name: 'proxy', image: 'envoy:1' })
    await c.custom.createNamespacedCustomObject({ ...tfjobs(), body })
    await podRunning(fake, 'sidecar-worker-0')
    const err = await apiError(c.core.readNamespacedPodLog({ namespace: 'default', name: 'sidecar-worker-0' }))
    expect(err.code).toBe(400)
    expect(err.status.message).toBe(
      'a container name must be specified for pod sidecar-worker-0, choose one of: [tensorflow proxy]',
    )
  })

  test("client-node's Log surfaces only the HTTP code of a log error", async () => {
    const sink = new PassThrough()
    const err = await new Log(c.kc).log('default', 'no-such-pod', 'tensorflow', sink, { follow: true }).catch((e) => e)
    expect(err.code).toBe(404)
    expect(err.body).toBeUndefined()
  })
})

describe('logs of containers that have not started', () => {
  let fake: FakeKube
  let c: Clients
  beforeAll(async () => {
    fake = await startFakeKube({ runPods: false, podStartDelayMs: 60_000 })
    c = clientsFor(fake)
  })
  afterAll(() => fake.stop())

  test('a pod still creating its container answers 400 ContainerCreating', async () => {
    await c.custom.createNamespacedCustomObject({ ...tfjobs(), body: tfJob('slow', { Worker: {} }) })
    await waitFor(
      'the fake to get there',
      () => fake.getObject('pods', 'default', 'slow-worker-0')?.status?.containerStatuses,
      5000,
      10,
    )
    const err = await apiError(
      c.core.readNamespacedPodLog({ namespace: 'default', name: 'slow-worker-0', container: 'tensorflow' }),
    )
    expect(err.code).toBe(400)
    expect(err.status.message).toBe(
      'container "tensorflow" in pod "slow-worker-0" is waiting to start: ContainerCreating',
    )
    expect(fake.getObject('pods', 'default', 'slow-worker-0').status.phase).toBe('Pending')
  })

  test('a PyTorch worker waiting on its init container answers 400 PodInitializing', async () => {
    await c.custom.createNamespacedCustomObject({
      ...tfjobs(),
      plural: 'pytorchjobs',
      body: pytorchJob('waiting', { Master: {}, Worker: {} }),
    })
    await waitFor(
      'the fake to get there',
      () => fake.getObject('pods', 'default', 'waiting-worker-0')?.status?.containerStatuses,
      5000,
      10,
    )
    const err = await apiError(
      c.core.readNamespacedPodLog({ namespace: 'default', name: 'waiting-worker-0', container: 'pytorch' }),
    )
    expect(err.code).toBe(400)
    expect(err.status.message).toBe(
      'container "pytorch" in pod "waiting-worker-0" is waiting to start: PodInitializing',
    )
  })
})
