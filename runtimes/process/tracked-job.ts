/**
 * @module
 * One job of the process runtime: its replicas' processes and log followers, driven
 * by the emulated operator, and its reports to the sink.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { ReplicaRef } from '../../src/runtime/job.ts'
import { isFinished, type JobObservation } from '../../src/runtime/job-status.ts'
import type { RuntimeSink } from '../../src/runtime/runtime.ts'
import { EmulatedJob, type ReplicaDriver } from '../emulated/emulated-job.ts'
import { exitCodeOf, livePid, spawnReplica, stopReplica, waitForExit } from './backend-client.ts'
import { FINISHED, filesOf, type JobFile, replicaLaunch } from './backend-spec.ts'
import { CodeCheckout } from './code-checkout.ts'
import { LogTail } from './log-follower.ts'
import { LogWatch, WAKE_BYTES } from './log-watch.ts'
import type { ProcessRuntimeOptions } from './options.ts'
import type { WorkQueue } from './work-queue.ts'

/** A large job's status goes to the sink at most this often (the first change at once)… */
const REPORT_EVERY_MS = 50
/** …a job with up to this many replicas reports every change at once, as the sink expects. */
const REPORT_AT_ONCE_REPLICAS = 64

/** One job's replicas and log followers. */
export class TrackedJob {
  #emulated: EmulatedJob | null = null
  #tails = new Map<string, LogTail>()
  /** Wakes the tails when a replica writes (the runtime's slow poll is the safety net). */
  #watch: LogWatch | null = null
  /** Pids of the attempts this server spawned and that have not exited. */
  #children = new Map<string, number>()
  /** Pods whose current attempt runs (spawned here or re-attached after a restart). */
  #live = new Set<string>()
  /** The latest observation not yet given to the sink (see `#queueReport`). */
  #report: JobObservation | null = null
  /** While the first launches run, the reports they make, in order, given to the sink once they have run. */
  #held: JobObservation[] | null = null
  #reportTimer: ReturnType<typeof setTimeout> | undefined
  #reportedAt = -Infinity
  /** Where the last log poll ran out of time. */
  #pollFrom = 0
  #disposed = false
  /** Being deleted: replicas are stopping, their output is still read, nothing else happens. */
  #stopping = false
  /** While `resume` looks at each replica: the job is not put away half-examined. */
  #resuming = false
  /** Finished and put away. */
  #done = false
  /** The replicas' checkouts from the job's one clone (code sync only). */
  #code: CodeCheckout | null = null
  /** Aborts a clone under way when the job is deleted or the server stops. */
  readonly #abort = new AbortController()

  constructor(
    public file: JobFile,
    private readonly dir: string,
    private readonly sink: RuntimeSink,
    private readonly options: ProcessRuntimeOptions,
    private readonly work: WorkQueue,
    /** Called once the job has finished and its logs are all in the sink. */
    private readonly onDone: () => void,
  ) {}

  /**
   * Starts a job just submitted (its run dir and `.replicas/` exist): nothing runs before
   * `launchAfter` resolves, then its replicas are launched, the first ones at once.
   */
  start(launchAfter?: Promise<void>): void {
    const emulated = this.#emulate(null)
    if (!launchAfter) return this.#run(emulated)
    void launchAfter.then(() => this.#run(emulated))
  }

  /**
   * Re-attaches after a restart: replicas still running are followed, ones that ended while we were away are reported.
   * Returns once the job is set up; replicas are launched from the queue and progress goes to the sink.
   */
  resume(previous: ReturnType<RuntimeSink['lastStatus']>): void {
    mkdirSync(join(this.dir, '.replicas'), { recursive: true })
    const emulated = this.#emulate(previous)
    if (previous && isFinished(previous.status)) {
      // Finished while we were away (or before run dirs were marked): stop leftovers,
      // read logs to the end, put it away.
      void Promise.all(emulated.observation.replicas.map((r) => this.#stop(r))).then(
        () => this.#finish(emulated.observation.replicas.map((r) => r.pod)),
        () => undefined,
      )
      return
    }
    this.#resuming = true
    for (const r of emulated.observation.replicas) {
      const files = filesOf(this.dir, r.pod)
      if (livePid(files) !== null) {
        this.#follow(r.pod)
        this.#watchLogs().wake(r.pod) // what it printed while no server was reading
        this.#live.add(r.pod)
        emulated.running(r.pod)
        void waitForExit(files).then(() => this.#exited(r.pod, exitCodeOf(files) ?? 137))
      } else if (r.phase === 'Running') {
        // It ended while the server was down (or was waiting to be restarted).
        this.#exited(r.pod, exitCodeOf(files) ?? 137)
      } else {
        this.#flush(r.pod) // lines it wrote before it ended, if the server missed them
      }
    }
    this.#resuming = false
    this.#run(emulated)
  }

  #emulate(previous: ReturnType<RuntimeSink['lastStatus']>): EmulatedJob {
    const driver: ReplicaDriver = { launch: (ref) => this.#launch(ref), stop: (ref) => this.#stop(ref) }
    this.#emulated = new EmulatedJob(
      this.file.job,
      driver,
      (o) => this.#queueReport(o),
      { restartBackoffMs: this.options.restartBackoffMs },
      previous,
    )
    return this.#emulated
  }

  /**
   * Launches what is pending. The first launches run at once (`WorkQueue`); the reports made
   * meanwhile (Pending, then Running) go to the sink after them, each as before, so a replica
   * does not wait for its status to be stored.
   */
  #run(emulated: EmulatedJob): void {
    if (this.#disposed || this.#stopping) return
    const held: JobObservation[] = []
    this.#held = held
    let launched: Promise<void>
    try {
      launched = emulated.run()
    } finally {
      this.#held = null
    }
    void launched.catch(() => undefined) // launch failures are retried by the emulator
    for (const observation of held) this.#queueReport(observation)
    this.#maybeFinish()
  }

  /** The job's directory watch, opened when the first replica is followed. */
  #watchLogs(): LogWatch {
    this.#watch ??= new LogWatch(
      join(this.dir, '.replicas'),
      (pod, maxBytes) => this.#tails.get(pod)?.poll(false, maxBytes) ?? true,
    )
    return this.#watch
  }

  async update(file: JobFile): Promise<void> {
    this.file = file
    await this.#emulated?.update(file.job)
  }

  /**
   * Reads what running replicas wrote since the last call, until `deadline`.
   * @returns false when it ran out of time (the next call continues from there)
   */
  pollLogs(deadline = Infinity): boolean {
    if (this.#report && !this.#reportTimer) this.#sendReport() // a report the sink could not take before
    const tails = [...this.#tails]
    for (let i = this.#pollFrom; i < tails.length; i++) {
      const [pod, tail] = tails[i]!
      // In slices, as the watch reads: the rest follows on the next turns of the event loop.
      if (!tail.poll(false, WAKE_BYTES)) this.#watch?.wake(pod)
      if (performance.now() > deadline) {
        this.#pollFrom = i + 1
        return false
      }
    }
    this.#pollFrom = 0
    return true
  }

  /**
   * Stops every replica (SIGTERM, SIGKILL after the grace period) and reads their logs to the
   * end: what a replica prints while it handles SIGTERM is in the sink when this resolves.
   * Nothing is reported and nothing restarts meanwhile.
   */
  async stop(): Promise<void> {
    this.#stopping = true
    this.#abort.abort()
    clearTimeout(this.#reportTimer)
    await this.#emulated?.stopAll()
    for (const pod of [...this.#tails.keys()]) this.#flush(pod)
    this.#disposed = true
    this.#watch?.close()
  }

  dispose(): void {
    this.#sendReport()
    this.#disposed = true
    this.#abort.abort()
    this.#watch?.close()
    this.#emulated?.dispose()
  }

  /**
   * Reports of a large job go to the sink at most every {@link REPORT_EVERY_MS}, the latest
   * winning: each writes the whole observation, ~130 KB of JSON for 1,000 replicas, and
   * one per replica start and exit made a launch O(n²). Such a job's last 50 ms of
   * changes may be lost in a crash; exit files still tell how replicas ended.
   */
  #queueReport(observation: JobObservation): void {
    if (this.#held) {
      this.#held.push(observation)
      return
    }
    this.#report = observation
    // What every replica printed before the job ended is stored before the status that says it ended.
    if (isFinished(observation.status)) for (const tail of this.#tails.values()) tail.poll()
    if (observation.replicas.length <= REPORT_AT_ONCE_REPLICAS) {
      this.#storeReport()
      // Not from inside the emulator's reconcile: it still has replicas to stop.
      if (isFinished(observation.status)) setImmediate(() => this.#maybeFinish())
      return
    }
    if (this.#reportTimer) return
    const wait = Math.max(0, this.#reportedAt + REPORT_EVERY_MS - performance.now())
    this.#reportTimer = setTimeout(() => this.#sendReport(), wait)
  }

  #sendReport(): void {
    if (this.#storeReport()) this.#maybeFinish()
  }

  /** Gives the pending observation to the sink; false if the sink failed (kept, and retried at the next poll). */
  #storeReport(): boolean {
    clearTimeout(this.#reportTimer)
    this.#reportTimer = undefined
    const observation = this.#report
    if (!observation || this.#disposed || this.#stopping) return true
    this.#reportedAt = performance.now()
    try {
      this.sink.status(observation)
    } catch {
      return false
    }
    if (this.#report === observation) this.#report = null
    return true
  }

  #maybeFinish(): void {
    if (!this.#done && !this.#resuming && !this.#disposed && this.#emulated?.finished && this.#live.size === 0)
      this.#finish([...this.#tails.keys()])
  }

  /**
   * The job has finished and nothing of it runs: reads `pods`' logs to the end,
   * stores the last status, marks the run dir and is forgotten.
   */
  #finish(pods: string[]): void {
    if (this.#done || this.#disposed) return
    for (const pod of pods) this.#flush(pod)
    if (!this.#storeReport()) return // tried again at the next poll
    this.#done = true
    this.#watch?.close()
    try {
      writeFileSync(join(this.dir, FINISHED), `${new Date().toISOString()}\n`)
      void rm(join(this.dir, '.replicas'), { recursive: true, force: true }).catch(() => undefined)
    } catch {
      // Marked or not, the job is over; an unmarked one is put away again at the next start.
    }
    this.onDone()
  }

  /** Starts following a replica's log file (from where the last follower stopped). */
  #follow(pod: string): LogTail {
    let tail = this.#tails.get(pod)
    if (!tail) {
      const files = filesOf(this.dir, pod)
      tail = new LogTail(this.file.job.id, pod, files.log, join(this.dir, '.replicas', `${pod}.tail`), this.sink)
      this.#tails.set(pod, tail)
    }
    return tail
  }

  /** Reads a replica's log to its end and stops following it until its next attempt. */
  #flush(pod: string): void {
    this.#follow(pod).poll(true)
    this.#tails.delete(pod)
  }

  /**
   * Checks the code out (code sync), then queues the launch; resolves once spawned (or skipped
   * because the job was deleted or has finished). A failed clone rejects with a JobFailure.
   */
  async #launch(ref: ReplicaRef): Promise<void> {
    const code = this.file.job.code
    if (code) {
      this.#code ??= new CodeCheckout(this.dir, code, this.options.baseEnv, this.#abort.signal)
      await this.#code.into(filesOf(this.dir, ref.pod).cwd)
    }
    return new Promise((resolve, reject) => {
      this.work.push(() => {
        try {
          this.#spawn(ref)
          resolve()
        } catch (err) {
          reject(err)
        }
      }, 'launch')
    })
  }

  #spawn(ref: ReplicaRef): void {
    if (this.#disposed || this.#stopping || this.#done || this.#emulated?.finished) return
    const files = filesOf(this.dir, ref.pod)
    mkdirSync(files.cwd, { recursive: true })
    const launch = replicaLaunch(this.file, ref, this.options.baseEnv, files.cwd)
    if (!launch) return
    const { pid, exited } = spawnReplica(launch.command, launch.env, { ...files, cwd: launch.cwd })
    // While the replica starts (nothing it writes is read before this turn ends); the wake reads
    // what it wrote before the watch existed.
    this.#follow(ref.pod)
    this.#watchLogs().wake(ref.pod)
    this.#children.set(ref.pod, pid)
    this.#live.add(ref.pod)
    this.#emulated?.running(ref.pod)
    void exited.then((code) => {
      if (this.#children.get(ref.pod) === pid) this.#children.delete(ref.pod)
      this.work.push(() => this.#exited(ref.pod, code), 'exit') // many replicas may end at once
    })
  }

  #exited(pod: string, code: number): void {
    this.#live.delete(pod)
    if (this.#disposed || this.#stopping) return
    this.#flush(pod)
    this.#emulated?.exited(pod, code)
    this.#maybeFinish()
  }

  async #stop(ref: Pick<ReplicaRef, 'pod'>): Promise<void> {
    await stopReplica(
      filesOf(this.dir, ref.pod),
      this.options.stopGraceMs ?? 10_000,
      this.#children.get(ref.pod) ?? null,
    )
  }
}
