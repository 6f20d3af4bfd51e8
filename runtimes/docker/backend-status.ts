/**
 * @module
 * Pure readings of the engine: a container event as a replica fact, and what a
 * container found by a (re-)list means for a replica the emulated operator tracks.
 */
import type { ReplicaState } from '../../src/runtime/job-status.ts'
import { LABEL } from '../../src/runtime/labels.ts'
import { epochNanos } from '../common/timestamps.ts'

/** What `inspect` says about one container, trimmed to what the runtime uses. */
export interface ContainerFacts {
  name: string
  /** `created`, `running`, `paused`, `restarting`, `removing`, `exited` or `dead`. */
  status: string
  running: boolean
  exitCode: number
  oomKilled: boolean
  /** RFC 3339 times; Go's zero time (`0001-01-01T00:00:00Z`) when it never started or finished. */
  startedAt: string
  finishedAt: string
  created: string
  labels: Record<string, string>
}

/** A container event that concerns a replica. */
export interface ReplicaEvent {
  jobId: string
  pod: string
  action: 'start' | 'die' | 'oom'
  /** `die` only. */
  exitCode: number | null
  /** Nanoseconds since the epoch (exact, read from the JSON text). */
  timeNano: bigint
}

/** Reads one line of `GET /events` JSON; null for anything that is not a replica's start, die or oom. */
export function parseEvent(line: string): ReplicaEvent | null {
  let e: {
    Type?: string
    Action?: string
    status?: string
    Actor?: { Attributes?: Record<string, string> }
    time?: number
  }
  try {
    e = JSON.parse(line)
  } catch {
    return null
  }
  if (e.Type !== undefined && e.Type !== 'container') return null
  const action = e.Action ?? e.status
  if (action !== 'start' && action !== 'die' && action !== 'oom') return null
  const attrs = e.Actor?.Attributes ?? {}
  const jobId = attrs[LABEL.experimentId]
  const pod = attrs.name
  if (!jobId || !pod) return null
  const nano = /"timeNano"\s*:\s*(\d+)/.exec(line)?.[1]
  const timeNano = nano ? BigInt(nano) : BigInt(Math.floor((e.time ?? 0) * 1e9))
  const exitCode = action === 'die' && attrs.exitCode !== undefined ? Number(attrs.exitCode) : null
  return { jobId, pod, action, exitCode: Number.isFinite(exitCode) ? exitCode : null, timeNano }
}

/** When a container's state last changed (its start if running, else its end), in epoch nanoseconds. */
export function factsTime(c: ContainerFacts): bigint {
  const t = epochNanos(c.running ? c.startedAt : c.finishedAt)
  return t !== null && t > 0n ? t : 0n
}

/** True when the container has been started at least once. */
export function hasStarted(c: ContainerFacts): boolean {
  const t = epochNanos(c.startedAt)
  return t !== null && t > 0n
}

/** What a re-list tells the emulated operator about one replica. */
export type SyncAction =
  | { kind: 'none' }
  | { kind: 'running' }
  /** The attempt ended; `sawStart` false means report its start first (it ran unseen). */
  | { kind: 'exited'; exitCode: number; sawStart: boolean }

/** What the runtime knows of a replica besides its container. */
export interface SyncContext {
  /** The runtime last saw this replica's container running. */
  live: boolean
  /** A launch (create/start) is in flight: the container is about to change. */
  launching: boolean
  /** First look after a server restart: the observation is all that is known. */
  resuming: boolean
}

const NONE: SyncAction = { kind: 'none' }

/**
 * Reconciles one replica with its container. Running containers the runtime has
 * not seen start are reported running; containers that stopped unseen are
 * reported exited. On resume a replica the observation shows Running, whose
 * container exited or vanished, is reported exited, which also re-arms a
 * restart whose timer died with the old server.
 */
export function syncAction(replica: ReplicaState, container: ContainerFacts | null, ctx: SyncContext): SyncAction {
  if (ctx.launching || replica.phase === 'Succeeded' || replica.phase === 'Failed') return NONE
  if (!container) {
    // Removed behind our back while running: like a killed container, restarted under OnFailure.
    if (ctx.live || (ctx.resuming && replica.phase === 'Running'))
      return { kind: 'exited', exitCode: ctx.live ? 137 : (replica.exitCode ?? 137), sawStart: true }
    return NONE
  }
  if (container.running) return ctx.live ? NONE : { kind: 'running' }
  if (!hasStarted(container) || container.status === 'created') return NONE
  if (ctx.live) return { kind: 'exited', exitCode: container.exitCode, sawStart: true }
  if (replica.phase === 'Pending') return { kind: 'exited', exitCode: container.exitCode, sawStart: false }
  if (ctx.resuming && replica.phase === 'Running')
    return { kind: 'exited', exitCode: container.exitCode, sawStart: true }
  return NONE
}
