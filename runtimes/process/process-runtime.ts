/**
 * @module
 * The process runtime: each replica is a local process group running its task's
 * command with `sh -c`, in its own working directory under the data dir, with the
 * operator's environment (`TF_CONFIG`, `MASTER_ADDR`, … pointing at 127.0.0.1 and
 * free ports). The training operator's behaviour comes from `EmulatedJob`.
 * Replicas outlive a server crash; a restarted server re-attaches to them.
 *
 * Launching is off the caller's path: `submit` stores the job and returns, and
 * replicas are spawned from a queue a few milliseconds at a time, so one job with
 * 1,000 replicas does not hold up the event loop (spawning costs ~3 ms each).
 * A job that has finished, with every replica exited and every log line in the
 * sink, is forgotten: its run dir gets a `finished` marker, its control files
 * (`.replicas/`: pids, exit codes, raw logs) are removed, and start-up skips it.
 * `job.json` and the replicas' working directories stay for the user to inspect
 * until the experiment is deleted.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { EmulatedJob, type ReplicaDriver } from '../emulated/emulated-job.ts'
import { type JobSpec, type ReplicaRef, replicaRefs } from '../../src/runtime/job.ts'
import { type JobObservation, isFinished } from '../../src/runtime/job-status.ts'
import type { RuntimeBaseOptions } from '../../src/runtime/labels.ts'
import { type ReplicaNetwork, replicaEnv } from '../emulated/operator-env.ts'
import type { Runtime, RuntimeSink } from '../../src/runtime/runtime.ts'
import { LogTail } from './log-tail.ts'
import { freePorts } from './ports.ts'
import { type ReplicaFiles, exitCodeOf, livePid, spawnReplica, stopReplica, waitForExit } from './replica-process.ts'

export interface ProcessRuntimeOptions extends RuntimeBaseOptions {
  /** Replicas live under `<dataDir>/runs/<experimentId>/`. */
  dataDir: string
  /** Environment every replica starts from (the server's own, usually), before the experiment's. */
  baseEnv: Record<string, string>
  /** SIGTERM → SIGKILL grace when stopping a replica. Default 10 s. */
  stopGraceMs?: number
  /** How often log files are read. Default 100 ms. */
  pollMs?: number
}

/** What is kept on disk for a job: its spec and the ports its replicas listen on. */
interface JobFile {
  job: JobSpec
  ports: Record<string, number>
}

/** In a run dir: the job has finished and its logs are all in the sink; start-up skips it. */
const FINISHED = 'finished'
/** Queued launches and exits run for about this long before yielding to the event loop. */
const SLICE_MS = 8
/** Log files are read for about this long per poll (at most a quarter of the period); the rest at the next poll. */
const POLL_BUDGET_MS = 10
/** A large job's status goes to the sink at most this often (the first change at once)… */
const REPORT_EVERY_MS = 50
/** …a job with up to this many replicas reports every change at once, as the sink expects. */
const REPORT_AT_ONCE_REPLICAS = 64

/** Creates the process runtime. */
export function createProcessRuntime(options: ProcessRuntimeOptions): Runtime {
  return new ProcessRuntime(options)
}

class ProcessRuntime implements Runtime {
  readonly name = 'process' as const
  #sink: RuntimeSink | null = null
  #jobs = new Map<string, ProcessJob>()
  #runs: string
  #timer: ReturnType<typeof setInterval> | undefined
  #work = new WorkQueue()
  /** Where the last log poll ran out of time. */
  #pollFrom = 0

  constructor(private readonly options: ProcessRuntimeOptions) {
    // Absolute: replicas run in their own working directories.
    this.#runs = resolve(options.dataDir, 'runs')
  }

  async start(sink: RuntimeSink): Promise<void> {
    this.#sink = sink
    mkdirSync(this.#runs, { recursive: true })
    for (const id of readdirSync(this.#runs)) {
      if (this.#finished(id)) continue
      const file = this.#readJob(id)
      if (!file) continue
      this.#track(file).resume(sink.lastStatus(id))
    }
    this.#timer = setInterval(() => this.#pollLogs(), this.options.pollMs ?? 100)
  }

  async submit(spec: JobSpec): Promise<void> {
    if (this.#jobs.has(spec.id) || this.#finished(spec.id)) return
    const file: JobFile = { job: spec, ports: allocatePorts(spec, {}) }
    mkdirSync(this.#dir(spec.id), { recursive: true })
    writeFileSync(join(this.#dir(spec.id), 'job.json'), JSON.stringify(file))
    // Accepted once job.json is written; replicas are launched from the queue.
    this.#track(file).resume(null)
  }

  async update(spec: JobSpec): Promise<void> {
    const job = this.#jobs.get(spec.id)
    // A finished job stays finished (the operator ignores a spec change too).
    if (!job) return this.#finished(spec.id) ? undefined : this.submit(spec)
    const file: JobFile = { job: spec, ports: allocatePorts(spec, job.file.ports) }
    writeFileSync(join(this.#dir(spec.id), 'job.json'), JSON.stringify(file))
    await job.update(file)
  }

  async delete(jobId: string): Promise<void> {
    const job = this.#jobs.get(jobId)
    this.#jobs.delete(jobId)
    if (job) await job.stop()
    else {
      const file = this.#readJob(jobId)
      if (file) await Promise.all(replicaRefs(file.job).map((r) => stopReplica(filesOf(this.#dir(jobId), r.pod), this.options.stopGraceMs ?? 10_000)))
    }
    await rm(this.#dir(jobId), { recursive: true, force: true }) // off the event loop: 1,000 replicas leave thousands of files
  }

  /**
   * Every run dir, finished ones included (DELETE removes them; an experiment deleted while
   * the server was down must lose its run dir too). One directory read, no stat per job:
   * at 20,000 finished jobs a stat each cost ~60 ms of every start.
   */
  async owned(): Promise<string[]> {
    if (!existsSync(this.#runs)) return []
    return readdirSync(this.#runs, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
  }

  unavailable(): string | null {
    return null
  }

  async dispose(): Promise<void> {
    clearInterval(this.#timer)
    for (const job of this.#jobs.values()) job.dispose()
    this.#jobs.clear()
  }

  #dir(id: string): string {
    return join(this.#runs, id)
  }

  /** Reads new log lines, job after job, within a time budget; the next poll continues where this one stopped. */
  #pollLogs(): void {
    const jobs = [...this.#jobs.values()]
    const deadline = performance.now() + Math.min(POLL_BUDGET_MS, (this.options.pollMs ?? 100) / 4)
    for (let i = 0; i < jobs.length; i++) {
      const k = (this.#pollFrom + i) % jobs.length
      if (!jobs[k]!.pollLogs(deadline)) {
        this.#pollFrom = k
        return
      }
    }
  }

  #finished(id: string): boolean {
    return existsSync(join(this.#dir(id), FINISHED))
  }

  /** A job followed from now on, until it has finished and is forgotten. */
  #track(file: JobFile): ProcessJob {
    const id = file.job.id
    const job: ProcessJob = new ProcessJob(file, this.#dir(id), this.#requireSink(), this.options, this.#work, () => {
      if (this.#jobs.get(id) === job) this.#jobs.delete(id)
    })
    this.#jobs.set(id, job)
    return job
  }

  #readJob(id: string): JobFile | null {
    try {
      return JSON.parse(readFileSync(join(this.#dir(id), 'job.json'), 'utf8')) as JobFile
    } catch {
      return null
    }
  }

  #requireSink(): RuntimeSink {
    if (!this.#sink) throw new Error('process runtime used before start()')
    return this.#sink
  }
}

/** Ports for every replica that listens: each TF replica; the PyTorch/XGBoost master. Existing ones are kept; new ones are distinct. */
function allocatePorts(job: JobSpec, known: Record<string, number>): Record<string, number> {
  const ports = { ...known }
  const missing = replicaRefs(job).filter((ref) => (job.framework === 'TensorFlow' || ref.type === 'Master') && ports[ref.pod] === undefined)
  const picked = freePorts(missing.length, Object.values(known))
  missing.forEach((ref, i) => (ports[ref.pod] = picked[i]!))
  return ports
}

/**
 * Replica launches and exits of every job, run in order (exits first) a slice of
 * {@link SLICE_MS} at a time with the event loop running in between, so requests are
 * answered while a large job starts or ends.
 */
class WorkQueue {
  #lanes: Array<{ tasks: Array<() => void>; next: number }> = [
    { tasks: [], next: 0 }, // exits
    { tasks: [], next: 0 }, // launches
  ]
  #draining = false

  push(task: () => void, lane: 'exit' | 'launch'): void {
    this.#lanes[lane === 'exit' ? 0 : 1]!.tasks.push(task)
    if (this.#draining) return
    this.#draining = true
    setImmediate(() => this.#drain())
  }

  #drain(): void {
    const end = performance.now() + SLICE_MS
    for (;;) {
      const lane = this.#lanes.find((l) => l.next < l.tasks.length)
      if (!lane) break
      if (performance.now() >= end) {
        setImmediate(() => this.#drain())
        return
      }
      const task = lane.tasks[lane.next++]!
      if (lane.next === lane.tasks.length) {
        lane.tasks = []
        lane.next = 0
      }
      try {
        task()
      } catch {
        // tasks report their own failures
      }
    }
    this.#draining = false
  }
}

function filesOf(dir: string, pod: string): ReplicaFiles {
  const control = join(dir, '.replicas')
  return { cwd: join(dir, pod), log: join(control, `${pod}.log`), pid: join(control, `${pod}.pid`), exit: join(control, `${pod}.exit`) }
}

/** One job's replicas and log followers. */
class ProcessJob {
  #emulated: EmulatedJob | null = null
  #tails = new Map<string, LogTail>()
  /** Pids of the attempts this server spawned and that have not exited. */
  #children = new Map<string, number>()
  /** Pods whose current attempt runs (spawned here or re-attached after a restart). */
  #live = new Set<string>()
  /** The latest observation not yet given to the sink (see `#queueReport`). */
  #report: JobObservation | null = null
  #reportTimer: ReturnType<typeof setTimeout> | undefined
  #reportedAt = -Infinity
  /** Where the last log poll ran out of time. */
  #pollFrom = 0
  #disposed = false
  /** While `resume` looks at each replica: the job is not put away half-examined. */
  #resuming = false
  /** Finished and put away. */
  #done = false

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
   * Starts or re-attaches: replicas still running are followed, ones that ended while we were away are reported.
   * Returns once the job is set up; replicas are launched from the queue and progress goes to the sink.
   */
  resume(previous: ReturnType<RuntimeSink['lastStatus']>): void {
    mkdirSync(join(this.dir, '.replicas'), { recursive: true })
    const driver: ReplicaDriver = { launch: (ref) => this.#launch(ref), stop: (ref) => this.#stop(ref) }
    const emulated = new EmulatedJob(this.file.job, driver, (o) => this.#queueReport(o), { restartBackoffMs: this.options.restartBackoffMs }, previous)
    this.#emulated = emulated
    if (previous && isFinished(previous.status)) {
      // Finished while we were away (or before run dirs were marked): stop leftovers, read logs to the end, put it away.
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
    void emulated.run().catch(() => undefined) // launch failures are retried by the emulator
    this.#maybeFinish()
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
    const tails = [...this.#tails.values()]
    for (let i = this.#pollFrom; i < tails.length; i++) {
      tails[i]!.poll()
      if (performance.now() > deadline) {
        this.#pollFrom = i + 1
        return false
      }
    }
    this.#pollFrom = 0
    return true
  }

  async stop(): Promise<void> {
    this.#disposed = true
    clearTimeout(this.#reportTimer)
    await this.#emulated?.stopAll()
  }

  dispose(): void {
    this.#sendReport()
    this.#disposed = true
    this.#emulated?.dispose()
  }

  /**
   * Reports of a large job go to the sink at most every {@link REPORT_EVERY_MS}, the latest
   * winning: each writes the whole observation, ~130 KB of JSON for 1,000 replicas, and
   * one per replica start and exit made a launch O(n²). Such a job's last 50 ms of
   * changes may be lost in a crash; exit files still tell how replicas ended.
   */
  #queueReport(observation: JobObservation): void {
    this.#report = observation
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
    if (!observation || this.#disposed) return true
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
    if (!this.#done && !this.#resuming && !this.#disposed && this.#emulated?.finished && this.#live.size === 0) this.#finish([...this.#tails.keys()])
  }

  /** The job has finished and nothing of it runs: reads `pods`' logs to the end, stores the last status, marks the run dir and is forgotten. */
  #finish(pods: string[]): void {
    if (this.#done || this.#disposed) return
    for (const pod of pods) this.#flush(pod)
    if (!this.#storeReport()) return // tried again at the next poll
    this.#done = true
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

  /** Queues the launch; resolves once spawned (or skipped because the job was deleted or has finished). */
  #launch(ref: ReplicaRef): Promise<void> {
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
    if (this.#disposed || this.#done || this.#emulated?.finished) return
    const files = filesOf(this.dir, ref.pod)
    mkdirSync(files.cwd, { recursive: true })
    const spec = this.file.job.replicaSpecs.find((s) => s.type === ref.type)
    if (!spec) return
    // A pod's hostname is its name; the experiment's own HOSTNAME, if it sets one, wins as in a container.
    const env = { ...this.options.baseEnv, HOSTNAME: ref.pod, ...Object.fromEntries(replicaEnv(this.file.job, ref, this.#network())) }
    this.#follow(ref.pod)
    const { pid, exited } = spawnReplica(spec.command, env, files)
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
    if (this.#disposed) return
    this.#flush(pod)
    this.#emulated?.exited(pod, code)
    this.#maybeFinish()
  }

  async #stop(ref: Pick<ReplicaRef, 'pod'>): Promise<void> {
    await stopReplica(filesOf(this.dir, ref.pod), this.options.stopGraceMs ?? 10_000, this.#children.get(ref.pod) ?? null)
  }

  #network(): ReplicaNetwork {
    return {
      serviceHost: () => '127.0.0.1',
      shortHost: () => '127.0.0.1',
      port: (pod, fallback) => this.file.ports[pod] ?? fallback,
    }
  }
}
