import { describe, expect, test } from 'bun:test'
import { waitFor } from '../testing/wait-for.ts'
import type { KubePort, ResourceRef, WatchOptions } from './backend-port.ts'
import { KubeApiError } from './errors.ts'
import type { KubeList, KubeObject, WatchEvent } from './kube-types.ts'
import { ResourceWatcher, type WatchHandlers } from './watch.ts'

type WatchStep = { events: WatchEvent[] } | { connectError: unknown }

/** A port whose list and watch answers are scripted, recording what was asked. */
class ScriptedPort implements Partial<KubePort> {
  readonly lists: Array<KubeList | Error> = []
  readonly watches: WatchStep[] = []
  readonly watchCalls: WatchOptions[] = []
  listCalls = 0

  async list(_ref: ResourceRef, _selector: string): Promise<KubeList> {
    this.listCalls += 1
    const next = this.lists.shift() ?? { metadata: { resourceVersion: 'end' }, items: [] }
    if (next instanceof Error) throw next
    return next
  }

  async watch(
    _ref: ResourceRef,
    options: WatchOptions,
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
    onOpen?: () => void,
  ): Promise<void> {
    this.watchCalls.push(options)
    const step = this.watches.shift()
    if (step && 'connectError' in step) throw step.connectError
    onOpen?.()
    if (!step) {
      // Nothing scripted: hang until stopped, like a quiet stream.
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
      return
    }
    for (const e of step.events) {
      if (signal.aborted) return
      onEvent(e)
    }
  }
}

const obj = (name: string, rv: string): KubeObject => ({ metadata: { name, resourceVersion: rv } })
const status410 = {
  kind: 'Status',
  code: 410,
  reason: 'Expired',
  message: 'too old resource version: 1 (5)',
} as unknown as KubeObject

function recorder() {
  const log: string[] = []
  const handlers: WatchHandlers = {
    sync: (items) => log.push(`sync ${items.map((i) => i.metadata?.name).join(',')}`),
    event: (type, o) => log.push(`${type} ${o.metadata?.name}`),
    health: (err) => log.push(err === null ? 'healthy' : `unhealthy ${(err as Error).message}`),
  }
  return { log, handlers }
}

async function run(port: ScriptedPort, until: () => boolean) {
  const { log, handlers } = recorder()
  const watcher = new ResourceWatcher(
    port as unknown as KubePort,
    {
      ref: { group: 'kubeflow.org', version: 'v1', plural: 'tfjobs', namespace: 'ns' },
      labelSelector: 'periscope.io/instance=i',
      timeoutSeconds: 5,
      backoff: { initialMs: 5, maxMs: 20 },
    },
    handlers,
  )
  await watcher.start()
  await waitFor('the watch to see what the test waits for', until, 3000, 5).catch(() => undefined)
  await watcher.stop()
  return log
}

describe('ResourceWatcher', () => {
  test('lists, then watches from the list version and resumes from the last event or bookmark', async () => {
    const port = new ScriptedPort()
    port.lists.push({ metadata: { resourceVersion: '10' }, items: [obj('a', '9')] })
    port.watches.push({
      events: [
        { type: 'ADDED', object: obj('b', '11') },
        { type: 'MODIFIED', object: obj('a', '12') },
      ],
    })
    port.watches.push({ events: [{ type: 'BOOKMARK', object: { metadata: { resourceVersion: '20' } } }] })
    port.watches.push({ events: [{ type: 'DELETED', object: obj('b', '21') }] })
    const log = await run(port, () => port.watchCalls.length >= 4)
    expect(port.watchCalls.map((w) => w.resourceVersion)).toEqual(['10', '12', '20', '21'])
    expect(port.listCalls).toBe(1)
    expect(log.filter((l) => l !== 'healthy')).toEqual(['sync a', 'ADDED b', 'MODIFIED a', 'DELETED b'])
  })

  test('relists when the version expired in the stream (410 ERROR event)', async () => {
    const port = new ScriptedPort()
    port.lists.push(
      { metadata: { resourceVersion: '1' }, items: [obj('a', '1')] },
      { metadata: { resourceVersion: '5' }, items: [obj('c', '4')] },
    )
    port.watches.push({
      events: [
        { type: 'ERROR', object: status410 },
        { type: 'ADDED', object: obj('ignored', '2') },
      ],
    })
    const log = await run(port, () => port.watchCalls.length >= 2)
    expect(port.listCalls).toBe(2)
    expect(port.watchCalls.map((w) => w.resourceVersion)).toEqual(['1', '5'])
    expect(log.filter((l) => l.startsWith('sync') || l.startsWith('ADDED'))).toEqual(['sync a', 'sync c'])
  })

  test('relists when the version expired at connect (HTTP 410)', async () => {
    const port = new ScriptedPort()
    port.lists.push(
      { metadata: { resourceVersion: '1' }, items: [] },
      { metadata: { resourceVersion: '7' }, items: [] },
    )
    port.watches.push({
      connectError: new KubeApiError(410, { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' }),
    })
    await run(port, () => port.watchCalls.length >= 2)
    expect(port.listCalls).toBe(2)
    expect(port.watchCalls.map((w) => w.resourceVersion)).toEqual(['1', '7'])
  })

  test('retries failures with back-off from the same version, reporting health both ways', async () => {
    const port = new ScriptedPort()
    port.lists.push(new Error('connect ECONNREFUSED'), { metadata: { resourceVersion: '3' }, items: [] })
    port.watches.push({
      connectError: new KubeApiError(503, { kind: 'Status', code: 503, message: 'etcd unavailable' }),
    })
    port.watches.push({ events: [{ type: 'ADDED', object: obj('x', '4') }] })
    const log = await run(port, () => port.watchCalls.length >= 3)
    expect(port.listCalls).toBe(2)
    expect(port.watchCalls.map((w) => w.resourceVersion)).toEqual(['3', '3', '4'])
    expect(log).toEqual([
      'unhealthy connect ECONNREFUSED',
      'healthy',
      'sync ',
      'unhealthy etcd unavailable',
      'healthy',
      'ADDED x',
      'healthy',
    ])
  })
})
