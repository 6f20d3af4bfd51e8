import { describe, expect, test } from 'bun:test'
import type { ReplicaState } from '../../src/runtime/job-status.ts'
import { type ContainerFacts, parseEvent, syncAction } from './backend-status.ts'

const ZERO = '0001-01-01T00:00:00Z'
const replica = (over: Partial<ReplicaState> = {}): ReplicaState => ({
  type: 'Worker',
  index: 0,
  pod: 'exp-worker-0',
  phase: 'Running',
  restartCount: 0,
  exitCode: null,
  waiting: null,
  ...over,
})
const container = (over: Partial<ContainerFacts> = {}): ContainerFacts => ({
  name: 'exp-worker-0',
  status: 'running',
  running: true,
  exitCode: 0,
  oomKilled: false,
  startedAt: '2026-11-23T11:58:38.1Z',
  finishedAt: ZERO,
  created: '2026-11-23T11:58:37Z',
  labels: {},
  ...over,
})
const exited = (code: number) =>
  container({ status: 'exited', running: false, exitCode: code, finishedAt: '2026-11-23T11:58:40.5Z' })
const ctx = (over: Partial<{ live: boolean; launching: boolean; resuming: boolean }> = {}) => ({
  live: false,
  launching: false,
  resuming: false,
  ...over,
})

describe('parseEvent', () => {
  const line = (action: string, attrs: Record<string, string>) =>
    `{"status":"${action}","id":"abc","Type":"container","Action":"${action}",` +
    `"Actor":{"ID":"abc","Attributes":${JSON.stringify(attrs)}},` +
    '"scope":"local","time":1795435118,"timeNano":1795435118367407805}'

  test('reads a die event with its exit code and exact time', () => {
    expect(
      parseEvent(line('die', { name: 'exp-worker-0', exitCode: '137', 'periscope.io/experiment-id': 'exp' })),
    ).toEqual({
      jobId: 'exp',
      pod: 'exp-worker-0',
      action: 'die',
      exitCode: 137,
      timeNano: 1795435118367407805n,
    })
  })

  test('reads start and oom events', () => {
    expect(parseEvent(line('start', { name: 'p', 'periscope.io/experiment-id': 'e' }))?.action).toBe('start')
    expect(parseEvent(line('oom', { name: 'p', 'periscope.io/experiment-id': 'e' }))?.exitCode).toBeNull()
  })

  test('ignores other actions, unlabelled containers and garbage', () => {
    expect(parseEvent(line('create', { name: 'p', 'periscope.io/experiment-id': 'e' }))).toBeNull()
    expect(parseEvent(line('die', { name: 'p' }))).toBeNull()
    expect(parseEvent('{"Type":"network","Action":"connect"}')).toBeNull()
    expect(parseEvent('not json')).toBeNull()
  })
})

describe('syncAction', () => {
  test('reports running a container not seen starting, once', () => {
    expect(syncAction(replica({ phase: 'Pending' }), container(), ctx())).toEqual({ kind: 'running' })
    expect(syncAction(replica(), container(), ctx({ live: true }))).toEqual({ kind: 'none' })
  })

  test('reports the exit of a container seen running', () => {
    expect(syncAction(replica(), exited(3), ctx({ live: true }))).toEqual({
      kind: 'exited',
      exitCode: 3,
      sawStart: true,
    })
  })

  test('reports start and exit of a container that ran unseen', () => {
    expect(syncAction(replica({ phase: 'Pending' }), exited(0), ctx())).toEqual({
      kind: 'exited',
      exitCode: 0,
      sawStart: false,
    })
  })

  test('leaves an exit already reported alone (restart pending), except on resume where its timer is gone', () => {
    const crashLooping = replica({ exitCode: 1, waiting: 'CrashLoopBackOff' })
    expect(syncAction(crashLooping, exited(1), ctx())).toEqual({ kind: 'none' })
    expect(syncAction(crashLooping, exited(1), ctx({ resuming: true }))).toEqual({
      kind: 'exited',
      exitCode: 1,
      sawStart: true,
    })
  })

  test('on resume, reports a running replica whose container exited while the server was away', () => {
    expect(syncAction(replica(), exited(0), ctx({ resuming: true }))).toEqual({
      kind: 'exited',
      exitCode: 0,
      sawStart: true,
    })
  })

  test('treats a container removed under a live replica as killed', () => {
    expect(syncAction(replica(), null, ctx({ live: true }))).toEqual({ kind: 'exited', exitCode: 137, sawStart: true })
    expect(syncAction(replica(), null, ctx({ resuming: true }))).toEqual({
      kind: 'exited',
      exitCode: 137,
      sawStart: true,
    })
    expect(syncAction(replica({ phase: 'Pending' }), null, ctx({ resuming: true }))).toEqual({ kind: 'none' })
  })

  test('does nothing while a launch is under way, for finished replicas, or for containers never started', () => {
    expect(syncAction(replica(), exited(1), ctx({ live: true, launching: true }))).toEqual({ kind: 'none' })
    expect(syncAction(replica({ phase: 'Succeeded', exitCode: 0 }), exited(0), ctx({ resuming: true }))).toEqual({
      kind: 'none',
    })
    const created = container({ status: 'created', running: false, startedAt: ZERO, exitCode: 128 })
    expect(syncAction(replica({ phase: 'Pending' }), created, ctx({ resuming: true }))).toEqual({ kind: 'none' })
  })
})
