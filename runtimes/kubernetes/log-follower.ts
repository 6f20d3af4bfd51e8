/**
 * @module
 * Follows one replica's container log into the sink for the pod's whole life:
 * every instance (in-place restarts included), resumed without loss or repeats
 * from the stored cursor after a dropped stream or a server restart.
 *
 * A pass reads the previous instance first (`previous=true`, when the container
 * restarted since the last pass: that instance may have ended before we attached),
 * then follows the current one (`follow=true`), both from `sinceTime` = the last
 * stored timestamp, deduplicated by {@link LogResume}. A follow ends when that
 * instance exits, a moment before the watch reports the exit: once it does, that
 * instance was read to its end and is not read again (one stream per instance); a
 * follow that ended with no exit report in time was cut, and is re-attached. The
 * next pass starts when the pod's status changes (a pod watch event pokes the
 * follower) or after a fallback delay. A 400 means the container is
 * waiting to start (retry later); a 404 or the pod's deletion ends the follower:
 * what was read stays in the sink.
 */
import type { LogLine, RuntimeSink } from '../../src/runtime/runtime.ts'
import { Backoff, type BackoffOptions, sleep, Wakeup } from '../common/backoff.ts'
import { readLines } from '../common/line-splitter.ts'
import { LogResume } from '../common/log-resume.ts'
import { splitTimestamp } from '../common/timestamps.ts'
import type { KubePort } from './backend-port.ts'
import { httpCode, KubeTimeoutError } from './errors.ts'
import type { ContainerStatus, PodObject } from './kube-types.ts'

export interface LogFollowerOptions {
  namespace: string
  jobId: string
  pod: string
  container: string
  /** The pod as last watched, or null once it is deleted. */
  currentPod(): PodObject | null
  /** Longest wait between passes when no pod change arrives. */
  idlePollMs: number
  /** Longest wait, after a follow of a running container ended, for the watch to report its exit. */
  exitReportMs: number
  /** Retry delays after API errors. */
  backoff: BackoffOptions
}

type ReadOutcome = 'ended' | 'gone' | 'not-ready' | 'failed' | 'stopped' | 'no-answer'

/** One container's log follower. Started once; ends by itself or with {@link stop}. */
export class LogFollower {
  readonly #port: KubePort
  readonly #sink: RuntimeSink
  readonly #o: LogFollowerOptions
  readonly #stop = new AbortController()
  readonly #backoff: Backoff
  readonly #resume: LogResume
  readonly #poke = new Wakeup()
  /** restartCount at the last `previous=true` read (for servers that give no container ids). */
  #previousReadAt = -1
  /** Container instances whose log was read to its end. */
  readonly #completed = new Set<string>()
  /** The instance whose follow ended while the watch still showed it running, until the watch says why. */
  #endedWhileRunning: string | undefined
  readonly done: Promise<void>

  constructor(port: KubePort, sink: RuntimeSink, options: LogFollowerOptions) {
    this.#port = port
    this.#sink = sink
    this.#o = options
    this.#backoff = new Backoff(options.backoff)
    this.#resume = new LogResume(sink.logCursor(options.jobId, options.pod))
    this.done = this.#run().catch((err) => console.error(`kubernetes runtime: log follower ${options.pod} failed`, err))
  }

  /** The pod changed: look again now rather than after the idle delay. */
  poke(): void {
    this.#poke.wake()
  }

  /** Stops following (idempotent); resolves when the follower has ended. */
  async stop(): Promise<void> {
    this.#stop.abort()
    await this.done
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal
    while (!signal.aborted) {
      const pod = this.#o.currentPod()
      if (!pod) return
      const status = this.#containerStatus(pod)
      if (!hasStarted(status)) {
        await this.#idle(this.#o.idlePollMs)
        continue
      }
      this.#confirmEnd(status)
      const restarts = status?.restartCount ?? 0
      const previousId = status?.lastState?.terminated?.containerID
      // The previous instance may have ended before we attached. Skipping it when it is known
      // to be read saves a round trip: the next instance can be short-lived.
      const readPrevious =
        !!status?.lastState?.terminated &&
        restarts > 0 &&
        (previousId ? !this.#completed.has(previousId) : restarts !== this.#previousReadAt)
      if (readPrevious) {
        const previous = await this.#read(true)
        if (previous === 'stopped' || previous === 'gone') return
        if (previous === 'ended' && previousId) this.#completed.add(previousId)
        if (previous === 'ended' || previous === 'not-ready') this.#previousReadAt = restarts
      }
      const currentId = instanceId(status)
      if (currentId && this.#completed.has(currentId)) {
        // The instance the kubelet would serve was read to its end: nothing to ask until the
        // container starts again, and never again once the pod has finished.
        if (isFinished(pod, status)) return
        await this.#idle(this.#o.idlePollMs)
        continue
      }
      this.#endedWhileRunning = undefined
      const outcome = await this.#read(false)
      if (outcome === 'stopped' || outcome === 'gone') return
      // No headers in time: the API server is silent, or holds a follow's headers until the
      // container writes (a quiet replica). Attach again at once; the wait itself paces it.
      if (outcome === 'no-answer') continue
      if (outcome === 'failed') {
        await sleep(this.#backoff.next(), signal)
        continue
      }
      this.#backoff.reset()
      if (outcome === 'ended' && currentId) {
        // Had it exited before the read, the read had it all; if it was running, the follow ended
        // with it, or the stream was cut: the watch tells which (see #confirmEnd).
        if (status?.state?.running === undefined) this.#completed.add(currentId)
        else this.#endedWhileRunning = currentId
      }
      const now = this.#o.currentPod()
      if (!now) return
      const nowStatus = this.#containerStatus(now)
      this.#confirmEnd(nowStatus)
      if (outcome === 'ended' && isFinished(now, nowStatus)) {
        // The follow ended after the pod finished: that was the last instance, read to its end.
        if (isFinished(pod, status)) return
        continue
      }
      if (outcome === 'ended' && this.#endedWhileRunning === currentId && currentId !== undefined) {
        await this.#awaitExitReport(currentId)
        continue
      }
      // Still running as far as the watch knows and no instance id to tell: re-attach soon.
      // Otherwise wait for the next status change (a restart, the pod's end).
      const running = nowStatus?.state?.running !== undefined
      await this.#idle(outcome === 'ended' && running ? 200 : this.#o.idlePollMs)
    }
  }

  /**
   * A follow of a running instance ended: the kubelet ends it when the container exits, a
   * moment before the pod's status says so. Waits for the watch to report that instance
   * ended (then it was read to its end, see {@link #confirmEnd}), for at most
   * `exitReportMs`: a stream cut while the container runs on is re-attached then.
   */
  async #awaitExitReport(id: string): Promise<void> {
    const deadline = Date.now() + this.#o.exitReportMs
    for (let left = this.#o.exitReportMs; left > 0 && !this.#stop.signal.aborted; left = deadline - Date.now()) {
      await this.#idle(left)
      const pod = this.#o.currentPod()
      const status = pod ? this.#containerStatus(pod) : undefined
      if (!pod || !(status?.state?.running && status.containerID === id)) return
    }
    // No exit reported in time: the stream was cut. Read on from the cursor.
    this.#endedWhileRunning = undefined
  }

  /**
   * The instance whose follow ended while it ran is now shown terminated: the follow ended with
   * its exit, so its log was read to the end and is not read again. (A stream cut by a kubelet
   * restart is not followed by an exit report from that kubelet until it is back: the wait
   * runs out first and the follow is re-attached from the cursor.)
   */
  #confirmEnd(status: ContainerStatus | undefined): void {
    const id = this.#endedWhileRunning
    if (id === undefined || !terminatedIds(status).has(id)) return
    this.#completed.add(id)
    this.#endedWhileRunning = undefined
  }

  async #read(previous: boolean): Promise<ReadOutcome> {
    const signal = this.#stop.signal
    this.#resume.beginRead()
    try {
      const stream = await this.#port.podLog(
        this.#o.namespace,
        this.#o.pod,
        {
          container: this.#o.container,
          follow: !previous,
          timestamps: true,
          sinceTime: this.#resume.sinceTime ?? undefined,
          previous,
        },
        signal,
      )
      for await (const lines of readLines(stream)) {
        if (signal.aborted) return 'stopped'
        const fresh = lines.map((raw) => this.#parse(raw)).filter((line) => this.#resume.accept(line))
        if (fresh.length > 0) this.#sink.log(this.#o.jobId, this.#o.pod, fresh)
      }
      return signal.aborted ? 'stopped' : 'ended'
    } catch (err) {
      if (signal.aborted) return 'stopped'
      if (err instanceof KubeTimeoutError) return 'no-answer'
      const code = httpCode(err)
      if (code === 404) return 'gone'
      if (code === 400) return 'not-ready'
      return 'failed'
    }
  }

  /** `<time> <text>` as the kubelet sends it with `timestamps=true`; a line without a time takes the last one. */
  #parse(raw: string): LogLine {
    const { ts, text } = splitTimestamp(raw)
    return { ts: ts ?? this.#resume.sinceTime ?? new Date().toISOString(), text }
  }

  #containerStatus(pod: PodObject): ContainerStatus | undefined {
    return pod.status?.containerStatuses?.find((c) => c.name === this.#o.container)
  }

  /** Waits for a poke or `ms`, whichever comes first. */
  async #idle(ms: number): Promise<void> {
    await this.#poke.sleep(ms, this.#stop.signal)
  }
}

/** The instance the kubelet serves a non-previous log from. */
function instanceId(status: ContainerStatus | undefined): string | undefined {
  if (status?.state?.running) return status.containerID
  if (status?.state?.terminated) return status.state.terminated.containerID ?? status.containerID
  return status?.lastState?.terminated?.containerID
}

/** Ids of the instances a status shows as terminated. */
function terminatedIds(status: ContainerStatus | undefined): Set<string> {
  const ids = [status?.state?.terminated?.containerID, status?.lastState?.terminated?.containerID]
  return new Set(ids.filter((id): id is string => !!id))
}

/** The container has run at least once, so it has a log. */
function hasStarted(status: ContainerStatus | undefined): boolean {
  return !!(status?.state?.running || status?.state?.terminated || status?.lastState?.terminated)
}

/** The pod will run this container no more: terminal phase, or the container terminated for good. */
function isFinished(pod: PodObject, status: ContainerStatus | undefined): boolean {
  const phase = pod.status?.phase
  return (
    phase === 'Succeeded' ||
    phase === 'Failed' ||
    (!!status?.state?.terminated && pod.metadata?.deletionTimestamp !== undefined)
  )
}
