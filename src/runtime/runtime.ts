/**
 * @module
 * The runtime contract. A runtime runs jobs (`JobSpec`) somewhere — local
 * processes, Docker containers, Kubeflow custom resources — and pushes what it
 * observes (status, log lines) to the server through a {@link RuntimeSink}.
 * Implementations live in `runtimes/<name>/`; all pass `runtimes/contract.ts`.
 */
import type { JobSpec } from './job.ts'
import type { JobObservation } from './job-status.ts'

export type RuntimeName = 'process' | 'docker' | 'kubernetes'

/** One line of a replica's output. */
export interface LogLine {
  /** When the line was written (RFC 3339, as precise as the source gives it). */
  ts: string
  text: string
}

/** Where a replica's stored log ends, so a follower resumes with no line lost or repeated. */
export interface LogCursor {
  /** Lines stored for this pod so far. */
  lines: number
  /** Timestamp of the last stored line, or null when none is stored. */
  lastTs: string | null
  /** How many stored lines carry exactly `lastTs` (to skip on resume). */
  atLastTs: number
}

/**
 * What the server gives a runtime. Every call is synchronous and durable on
 * return (written to SQLite), so a runtime may rely on it after a crash.
 */
export interface RuntimeSink {
  /** A job's state changed. Level-triggered: repeating an observation is harmless. */
  status(observation: JobObservation): void
  /** The last observation stored for a job, so a restarted runtime can resume it. */
  lastStatus(jobId: string): JobObservation | null
  /** Appends lines of one replica's output, in order. */
  log(jobId: string, pod: string, lines: readonly LogLine[]): void
  /** Where the stored log of one replica ends. */
  logCursor(jobId: string, pod: string): LogCursor
}

/** What comes with a job the server submits. */
export interface SubmitOptions {
  /**
   * Resolves once the server's record of the job is durable (a power cut cannot lose it):
   * the runtime accepts the job at once and starts nothing of it before.
   */
  launchAfter?: Promise<void>
}

/** A place jobs run. */
export interface Runtime {
  readonly name: RuntimeName
  /**
   * Connects the sink and resumes following every job this server owns (found by
   * its labels or state on disk). Called once, before any other method.
   * Must not throw when the backend is unreachable: it keeps trying.
   */
  start(sink: RuntimeSink): Promise<void>
  /**
   * Starts a job. Idempotent by `job.id`: submitting a job that already exists adopts it.
   * Returns once the runtime has accepted the job; progress arrives through the sink.
   * @throws RuntimeUnavailableError when the backend cannot be reached (the server retries)
   * @throws RuntimeRejectedError when the backend refuses the job for good
   */
  submit(job: JobSpec, options?: SubmitOptions): Promise<void>
  /**
   * Applies a replaced spec the way the operator applies an updated job: replica
   * counts scale up or down; replicas already running are not restarted. A job the
   * runtime does not have is started, as `submit` would (the server only updates jobs
   * it stored, so a missing one was lost or never created).
   */
  update(job: JobSpec): Promise<void>
  /**
   * Stops the job (SIGTERM to every replica, SIGKILL after the grace period) and removes everything
   * the runtime created for it. What the replicas print while they stop is in the sink when this
   * resolves: the server's stop is this call on an experiment it keeps. Missing is success.
   */
  delete(jobId: string): Promise<void>
  /** Ids of the jobs this server owns on the runtime right now. */
  owned(): Promise<string[]>
  /** Why the runtime cannot take jobs right now, or null when it can (readiness). */
  unavailable(): string | null
  /** Stops watching and following; leaves jobs running. Safe to call twice. */
  dispose(): Promise<void>
}
