/**
 * @module
 * The process runtime: each replica is a local process group running its task's
 * command with `sh -c`, in its own working directory under the data dir, with the
 * operator's environment (`TF_CONFIG`, `MASTER_ADDR`, … pointing at 127.0.0.1 and
 * free ports). The training operator's behaviour comes from `EmulatedJob`.
 * Replicas outlive a server crash; a restarted server re-attaches to them.
 *
 * Launching is off the caller's path: `submit` stores the job and returns; once the
 * server's record of it is durable (`SubmitOptions.launchAfter`) replicas are spawned from a
 * queue a few milliseconds at a time, the first at once, so one job with 1,000 replicas does
 * not hold up the event loop (a spawn costs ~0.5 ms of this thread).
 * A job that has finished, with every replica exited and every log line in the
 * sink, is forgotten: its run dir gets a `finished` marker, its control files
 * (`.replicas/`: pids, exit codes, raw logs) are removed, and start-up skips it.
 * `job.json` and the replicas' working directories stay for the user to inspect
 * until the experiment is deleted.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { type JobSpec, replicaRefs } from '../../src/runtime/job.ts'
import type { Runtime, RuntimeSink, SubmitOptions } from '../../src/runtime/runtime.ts'
import { stopReplica } from './backend-client.ts'
import { allocatePorts, FINISHED, filesOf, type JobFile } from './backend-spec.ts'
import { canWatch } from './log-watch.ts'
import type { ProcessRuntimeOptions } from './options.ts'
import { TrackedJob } from './tracked-job.ts'
import { WorkQueue } from './work-queue.ts'

/** Log files are read for about this long per poll (at most a quarter of the period); the rest at the next poll. */
const POLL_BUDGET_MS = 10
/** The safety-net poll while `fs.watch` wakes the followers… */
const POLL_WATCHED_MS = 1000
/** …and the poll that does all the work where it cannot. */
const POLL_UNWATCHED_MS = 100

/** Creates the process runtime. */
export function createProcessRuntime(options: ProcessRuntimeOptions): Runtime {
  return new ProcessRuntime(options)
}

class ProcessRuntime implements Runtime {
  readonly name = 'process' as const
  #sink: RuntimeSink | null = null
  #jobs = new Map<string, TrackedJob>()
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
    // Replicas' writes wake their followers (log-watch.ts); the poll only catches what a missed event left.
    const watching = canWatch(this.#runs)
    if (!watching)
      this.options.log?.(
        `process runtime: fs.watch is unavailable under ${this.#runs}; ` +
          `replica logs are polled every ${POLL_UNWATCHED_MS} ms instead`,
      )
    this.#timer = setInterval(() => this.#pollLogs(), this.#pollMs(watching))
  }

  async submit(spec: JobSpec, options: SubmitOptions = {}): Promise<void> {
    if (this.#jobs.has(spec.id) || this.#finished(spec.id)) return
    const file: JobFile = { job: spec, ports: allocatePorts(spec, {}) }
    // The run dir and its `.replicas/` in one call.
    mkdirSync(join(this.#dir(spec.id), '.replicas'), { recursive: true })
    writeFileSync(join(this.#dir(spec.id), 'job.json'), JSON.stringify(file), { mode: 0o600 })
    // Accepted once job.json is written; replicas are launched once the server's record is durable.
    this.#track(file).start(options.launchAfter)
  }

  async update(spec: JobSpec): Promise<void> {
    const job = this.#jobs.get(spec.id)
    // A finished job stays finished (the operator ignores a spec change too).
    if (!job) return this.#finished(spec.id) ? undefined : this.submit(spec)
    const file: JobFile = { job: spec, ports: allocatePorts(spec, job.file.ports) }
    writeFileSync(join(this.#dir(spec.id), 'job.json'), JSON.stringify(file), { mode: 0o600 })
    await job.update(file)
  }

  async delete(jobId: string): Promise<void> {
    const job = this.#jobs.get(jobId)
    this.#jobs.delete(jobId)
    if (job) await job.stop()
    else {
      const file = this.#readJob(jobId)
      if (file)
        await Promise.all(
          replicaRefs(file.job).map((r) =>
            stopReplica(filesOf(this.#dir(jobId), r.pod), this.options.stopGraceMs ?? 10_000),
          ),
        )
    }
    // Off the event loop: 1,000 replicas leave thousands of files.
    await rm(this.#dir(jobId), { recursive: true, force: true })
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
    const deadline = performance.now() + Math.min(POLL_BUDGET_MS, this.#pollMs(true) / 4)
    for (let i = 0; i < jobs.length; i++) {
      const k = (this.#pollFrom + i) % jobs.length
      if (!jobs[k]!.pollLogs(deadline)) {
        this.#pollFrom = k
        return
      }
    }
  }

  /** The poll period: the configured one, else slow while writes wake the followers. */
  #pollMs(watching: boolean): number {
    return this.options.pollMs ?? (watching ? POLL_WATCHED_MS : POLL_UNWATCHED_MS)
  }

  #finished(id: string): boolean {
    return existsSync(join(this.#dir(id), FINISHED))
  }

  /** A job followed from now on, until it has finished and is forgotten. */
  #track(file: JobFile): TrackedJob {
    const id = file.job.id
    const job: TrackedJob = new TrackedJob(file, this.#dir(id), this.#requireSink(), this.options, this.#work, () => {
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
