/**
 * @module
 * The process runtime: each replica is a local process group running its task's
 * command with `sh -c`, in its own working directory under the data dir, with the
 * operator's environment (`TF_CONFIG`, `MASTER_ADDR`, … pointing at 127.0.0.1 and
 * free ports). The training operator's behaviour comes from `EmulatedJob`.
 * Replicas outlive a server crash; a restarted server re-attaches to them.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { EmulatedJob, type ReplicaDriver } from '../emulated/emulated-job.ts'
import { type JobSpec, type ReplicaRef, replicaRefs } from '../../src/runtime/job.ts'
import { isFinished } from '../../src/runtime/job-status.ts'
import type { RuntimeBaseOptions } from '../../src/runtime/labels.ts'
import { type ReplicaNetwork, replicaEnv } from '../emulated/operator-env.ts'
import type { Runtime, RuntimeSink } from '../../src/runtime/runtime.ts'
import { LogTail } from './log-tail.ts'
import { freePort } from './ports.ts'
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

  constructor(private readonly options: ProcessRuntimeOptions) {
    // Absolute: replicas run in their own working directories.
    this.#runs = resolve(options.dataDir, 'runs')
  }

  async start(sink: RuntimeSink): Promise<void> {
    this.#sink = sink
    mkdirSync(this.#runs, { recursive: true })
    for (const id of await this.owned()) {
      const file = this.#readJob(id)
      if (!file) continue
      const job = new ProcessJob(file, this.#dir(id), sink, this.options)
      this.#jobs.set(id, job)
      await job.resume(sink.lastStatus(id))
    }
    this.#timer = setInterval(() => {
      for (const job of this.#jobs.values()) job.pollLogs()
    }, this.options.pollMs ?? 100)
  }

  async submit(spec: JobSpec): Promise<void> {
    if (this.#jobs.has(spec.id)) return
    const file: JobFile = { job: spec, ports: allocatePorts(spec, {}) }
    mkdirSync(this.#dir(spec.id), { recursive: true })
    writeFileSync(join(this.#dir(spec.id), 'job.json'), JSON.stringify(file))
    const job = new ProcessJob(file, this.#dir(spec.id), this.#requireSink(), this.options)
    this.#jobs.set(spec.id, job)
    await job.resume(null)
  }

  async update(spec: JobSpec): Promise<void> {
    const job = this.#jobs.get(spec.id)
    if (!job) return this.submit(spec)
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
    rmSync(this.#dir(jobId), { recursive: true, force: true })
  }

  async owned(): Promise<string[]> {
    if (!existsSync(this.#runs)) return []
    return readdirSync(this.#runs).filter((id) => existsSync(join(this.#runs, id, 'job.json')))
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

/** Ports for every replica that listens: each TF replica; the PyTorch/XGBoost master. Existing ones are kept. */
function allocatePorts(job: JobSpec, known: Record<string, number>): Record<string, number> {
  const ports = { ...known }
  for (const ref of replicaRefs(job)) {
    if (job.framework === 'TensorFlow' || ref.type === 'Master') ports[ref.pod] ??= freePort()
  }
  return ports
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
  #disposed = false

  constructor(
    public file: JobFile,
    private readonly dir: string,
    private readonly sink: RuntimeSink,
    private readonly options: ProcessRuntimeOptions,
  ) {}

  /** Starts or re-attaches: replicas still running are followed, ones that ended while we were away are reported. */
  async resume(previous: ReturnType<RuntimeSink['lastStatus']>): Promise<void> {
    mkdirSync(join(this.dir, '.replicas'), { recursive: true })
    const driver: ReplicaDriver = { launch: (ref) => this.#launch(ref), stop: (ref) => this.#stop(ref) }
    const emulated = new EmulatedJob(this.file.job, driver, (o) => this.sink.status(o), { restartBackoffMs: this.options.restartBackoffMs }, previous)
    this.#emulated = emulated
    if (previous && isFinished(previous.status)) {
      await Promise.all(emulated.observation.replicas.map((r) => this.#stop(r)))
      for (const r of emulated.observation.replicas) this.#flush(r.pod)
      return
    }
    for (const r of emulated.observation.replicas) {
      const files = filesOf(this.dir, r.pod)
      if (livePid(files) !== null) {
        this.#follow(r.pod)
        emulated.running(r.pod)
        void waitForExit(files).then(() => this.#exited(r.pod, exitCodeOf(files) ?? 137))
      } else if (r.phase === 'Running') {
        // It ended while the server was down (or was waiting to be restarted).
        this.#exited(r.pod, exitCodeOf(files) ?? 137)
      } else {
        this.#flush(r.pod) // lines it wrote before it ended, if the server missed them
      }
    }
    await emulated.run()
  }

  async update(file: JobFile): Promise<void> {
    this.file = file
    await this.#emulated?.update(file.job)
  }

  /** Reads what running replicas wrote since the last call. */
  pollLogs(): void {
    for (const tail of this.#tails.values()) tail.poll()
  }

  async stop(): Promise<void> {
    this.#disposed = true
    await this.#emulated?.stopAll()
  }

  dispose(): void {
    this.#disposed = true
    this.#emulated?.dispose()
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

  async #launch(ref: ReplicaRef): Promise<void> {
    if (this.#disposed) return
    const files = filesOf(this.dir, ref.pod)
    mkdirSync(files.cwd, { recursive: true })
    const spec = this.file.job.replicaSpecs.find((s) => s.type === ref.type)
    if (!spec) return
    const env = { ...this.options.baseEnv, ...Object.fromEntries(replicaEnv(this.file.job, ref, this.#network())) }
    this.#follow(ref.pod)
    const { pid, exited } = spawnReplica(spec.command, env, files)
    this.#children.set(ref.pod, pid)
    this.#emulated?.running(ref.pod)
    void exited.then((code) => {
      if (this.#children.get(ref.pod) === pid) this.#children.delete(ref.pod)
      this.#exited(ref.pod, code)
    })
  }

  #exited(pod: string, code: number): void {
    if (this.#disposed) return
    this.#flush(pod)
    this.#emulated?.exited(pod, code)
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
