/**
 * The page's pure parts, in Bun: SSE framing, the replica state read back from the
 * messages the server writes (src/experiments/status-events.ts makes them here), the
 * YAML view (read back by Bun's YAML parser), ages and durations, the address → view map.
 */
import { expect, test } from 'bun:test'
import { replicaTransition } from '../../src/experiments/status-events.ts'
import type { ReplicaState as ServerReplica } from '../../src/runtime/job-status.ts'
import { duration, replicaCounts, replicaState, shortDuration } from '../../src/web/client/format.ts'
import { listHref, routeOf } from '../../src/web/client/routes.ts'
import { SseParser } from '../../src/web/client/sse-parser.ts'
import { toYaml } from '../../src/web/client/yaml.ts'

test('SSE: events split anywhere, CRLF, comments, multi-line data, ids kept, named end event', () => {
  const text =
    ': ping\n\nid: 1\ndata: {"a":1}\n\n' +
    'id: 2\r\ndata: line one\r\ndata: line two\r\n\r\n' +
    ': ping\n\nevent: end\ndata: {"end":true}\n\n'
  for (const size of [1, 2, 3, 7, text.length]) {
    const parser = new SseParser()
    const events = []
    for (let i = 0; i < text.length; i += size) events.push(...parser.feed(text.slice(i, i + size)))
    expect(events).toEqual([
      { event: 'message', data: '{"a":1}', id: '1' },
      { event: 'message', data: 'line one\nline two', id: '2' },
      { event: 'end', data: '{"end":true}', id: '2' },
    ])
  }
})

test("a replica's restarts and last exit code are read back from the message the server writes", () => {
  const replica = (over: Partial<ServerReplica>): ServerReplica => ({
    type: 'Worker',
    index: 0,
    pod: 'exp-worker-0',
    phase: 'Running',
    restartCount: 0,
    exitCode: null,
    waiting: null,
    ...over,
  })
  const read = (r: ServerReplica) => {
    const s = replicaState({ seq: 1, time: 't', experimentId: 'exp', replica: r.pod, ...replicaTransition(r) })
    return { status: s.status, reason: s.reason, restarts: s.restarts, exitCode: s.exitCode }
  }
  expect(read(replica({}))).toEqual({ status: 'Running', reason: null, restarts: 0, exitCode: null })
  expect(read(replica({ phase: 'Succeeded', exitCode: 0 }))).toEqual({
    status: 'Succeeded',
    reason: 'Completed',
    restarts: 0,
    exitCode: 0,
  })
  expect(
    read(replica({ phase: 'Pending', restartCount: 2, exitCode: 137, waiting: 'CrashLoopBackOff: back-off 20s' })),
  ).toEqual({
    status: 'Pending',
    reason: 'CrashLoopBackOff',
    restarts: 2,
    exitCode: 137,
  })
  expect(read(replica({ phase: 'Failed', restartCount: 1, exitCode: 1 }))).toEqual({
    status: 'Failed',
    reason: 'Error',
    restarts: 1,
    exitCode: 1,
  })
})

test('the spec as YAML reads back as the same value', () => {
  const value = {
    meta: {
      name: 'tf-hello',
      cmd: 'echo "$GREETING"; echo "TF_CONFIG=$TF_CONFIG" # not a comment',
      envVars: { GREETING: 'hello: world', EMPTY: '', YES: 'yes', NUM: '0123' },
      tags: [],
    },
    environment: { image: 'busybox:1.36', kernelSpec: null },
    spec: { Worker: { replicas: 2, resourceMap: { cpu: '0.5', memory: '64M' } } },
    list: [{ a: 1, b: [true, null] }, 'plain', ['nested']],
    emptyObject: {},
  }
  expect(Bun.YAML.parse(toYaml(value))).toEqual(value)
  expect(toYaml({ spec: { Worker: { replicas: 1 } } })).toBe('spec:\n  Worker:\n    replicas: 1\n')
})

test('ages and durations as kubectl writes them; replica counts by task', () => {
  expect([0, 45_000, 192_000, 3_600_000, 7_500_000, 90_000_000, 15 * 86_400_000].map(shortDuration)).toEqual([
    '0s',
    '45s',
    '3m12s',
    '1h',
    '2h5m',
    '1d1h',
    '15d',
  ])
  const t0 = '2026-01-01T00:00:00.000Z'
  expect(duration({ createdTime: t0, runningTime: null, finishedTime: '2026-01-01T00:01:30.000Z' }, 0)).toBe('1m30s')
  expect(duration({ createdTime: null, runningTime: null, finishedTime: null }, 0)).toBe('')
  expect(
    replicaCounts({
      spec: { meta: { name: 'x', framework: 'TensorFlow' }, spec: { Ps: { replicas: 1 }, Worker: { replicas: 2 } } },
    }),
  ).toBe('Ps 1, Worker 2')
})

test('addresses map to views, both ways', () => {
  expect(routeOf('/', '')).toEqual({ view: 'list', status: '', name: '', after: '' })
  expect(routeOf('/experiments/', '?status=Running&name=a%20b&after=x')).toEqual({
    view: 'list',
    status: 'Running',
    name: 'a b',
    after: 'x',
  })
  expect(routeOf('/experiments/experiment-1-0001', '')).toEqual({ view: 'detail', id: 'experiment-1-0001' })
  expect(routeOf('/create', '')).toEqual({ view: 'create' })
  expect(routeOf('/environments', '')).toEqual({ view: 'environments' })
  expect(routeOf('/elsewhere', '')).toEqual({ view: 'missing', path: '/elsewhere' })
  const href = listHref('Failed', 'a&b', 'experiment-1-0002')
  const url = new URL(href, 'http://x')
  expect(routeOf(url.pathname, url.search)).toEqual({
    view: 'list',
    status: 'Failed',
    name: 'a&b',
    after: 'experiment-1-0002',
  })
  expect(listHref('', '', '')).toBe('/experiments')
})
