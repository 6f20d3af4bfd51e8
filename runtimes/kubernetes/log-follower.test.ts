import { describe, expect, test } from 'bun:test'
import { MemorySink } from '../testing/memory-sink.ts'
import { waitFor } from '../testing/wait-for.ts'
import type { KubePort, PodLogOptions } from './backend-port.ts'
import { KubeApiError } from './errors.ts'
import type { ContainerStatus, PodObject } from './kube-types.ts'
import { LogFollower } from './log-follower.ts'

const T = (s: number) => `2025-01-01T00:00:0${s}.5Z`

/** A port that answers log reads from a script, recording the options of each. */
class LogPort {
  readonly calls: PodLogOptions[] = []
  constructor(private readonly answer: (options: PodLogOptions) => string | Error) {}
  async podLog(_ns: string, _pod: string, options: PodLogOptions): Promise<ReadableStream<Uint8Array>> {
    this.calls.push(options)
    const a = this.answer(options)
    if (a instanceof Error) throw a
    return new Response(a).body!
  }
}

const podWith = (phase: string, c: Partial<ContainerStatus>): PodObject => ({
  metadata: { name: 'j-worker-0' },
  status: { phase, containerStatuses: [{ name: 'tensorflow', restartCount: 0, state: {}, lastState: {}, ...c }] },
})

function follow(port: LogPort, pod: () => PodObject | null, sink = new MemorySink()) {
  const follower = new LogFollower(port as unknown as KubePort, sink, {
    namespace: 'ns',
    jobId: 'j',
    pod: 'j-worker-0',
    container: 'tensorflow',
    currentPod: pod,
    idlePollMs: 50,
    exitReportMs: 100,
    backoff: { initialMs: 5, maxMs: 20 },
  })
  return { follower, sink }
}

describe('LogFollower', () => {
  test('reads an instance that ended before it attached with previous=true, then the current one', async () => {
    let pod: PodObject | null = podWith('Running', {
      restartCount: 1,
      state: { running: {} },
      lastState: { terminated: { exitCode: 1 } },
    })
    const port = new LogPort((o) => {
      if (o.previous) return `${T(1)} first-a\n${T(2)} first-b\n`
      pod = podWith('Succeeded', {
        restartCount: 1,
        state: { terminated: { exitCode: 0 } },
        lastState: { terminated: { exitCode: 1 } },
      })
      return `${T(3)} second\n`
    })
    const { follower, sink } = follow(port, () => pod)
    await follower.done
    expect(sink.text('j', 'j-worker-0')).toEqual(['first-a', 'first-b', 'second'])
    expect(port.calls[0]).toMatchObject({ previous: true, follow: false, timestamps: true, container: 'tensorflow' })
    expect(port.calls[1]).toMatchObject({ previous: false, follow: true, sinceTime: T(2) })
  })

  test('resumes from the stored cursor without repeating stored lines', async () => {
    const sink = new MemorySink()
    sink.log('j', 'j-worker-0', [
      { ts: T(1), text: 'a' },
      { ts: T(2), text: 'b' },
    ])
    const pod = podWith('Succeeded', { state: { terminated: { exitCode: 0 } } })
    const port = new LogPort(() => `${T(2)} b\n${T(3)} c\n`)
    await follow(port, () => pod, sink).follower.done
    expect(sink.text('j', 'j-worker-0')).toEqual(['a', 'b', 'c'])
    expect(port.calls[0]!.sinceTime).toBe(T(2))
  })

  test('waits while the container has not started, and attaches when poked', async () => {
    let pod: PodObject | null = podWith('Pending', { state: { waiting: { reason: 'ContainerCreating' } } })
    const port = new LogPort(() => {
      pod = podWith('Succeeded', { state: { terminated: { exitCode: 0 } } })
      return `${T(1)} up\n`
    })
    const { follower, sink } = follow(port, () => pod)
    // A window in which nothing may happen: no log is read from a container that has not started.
    await Bun.sleep(120)
    expect(port.calls).toHaveLength(0)
    pod = podWith('Running', { state: { running: {} } })
    follower.poke()
    await follower.done
    expect(sink.text('j', 'j-worker-0')).toEqual(['up'])
  })

  test('a follow that ended with its container is not read again once the watch reports the exit', async () => {
    let pod: PodObject | null = podWith('Running', { containerID: 'c1', state: { running: {} } })
    const port = new LogPort(() => `${T(1)} only\n`)
    const { follower, sink } = follow(port, () => pod)
    await waitFor('the follow', () => port.calls.length === 1)
    // The kubelet ends the follow as the container exits; the pod's status says so a moment later.
    pod = podWith('Succeeded', { containerID: 'c1', state: { terminated: { exitCode: 0, containerID: 'c1' } } })
    follower.poke()
    await follower.done
    expect(sink.text('j', 'j-worker-0')).toEqual(['only'])
    expect(port.calls).toHaveLength(1)
  })

  test('a follow that ended while the container runs on (a cut stream) is re-attached from the cursor', async () => {
    let pod: PodObject | null = podWith('Running', { containerID: 'c1', state: { running: {} } })
    const port = new LogPort((o) => {
      if (!o.sinceTime) return `${T(1)} a\n${T(2)} b\n`
      pod = podWith('Succeeded', { containerID: 'c1', state: { terminated: { exitCode: 0, containerID: 'c1' } } })
      return `${T(2)} b\n${T(3)} c\n`
    })
    const { follower, sink } = follow(port, () => pod)
    await follower.done
    expect(sink.text('j', 'j-worker-0')).toEqual(['a', 'b', 'c'])
    expect(port.calls.map((c) => c.sinceTime)).toEqual([undefined, T(2)])
  })

  test('retries a 400 (waiting to start) and stops when the pod is gone', async () => {
    let pod: PodObject | null = podWith('Running', { state: { running: {} } })
    let attempts = 0
    const port = new LogPort(() => {
      attempts += 1
      if (attempts === 1)
        return new KubeApiError(400, {
          kind: 'Status',
          code: 400,
          message: 'container "tensorflow" in pod "j-worker-0" is waiting to start: ContainerCreating',
        })
      pod = null
      return new KubeApiError(404, {
        kind: 'Status',
        code: 404,
        reason: 'NotFound',
        message: 'pods "j-worker-0" not found',
        details: { name: 'j-worker-0' },
      })
    })
    const { follower } = follow(port, () => pod)
    await follower.done
    expect(attempts).toBe(2)
  })
})
