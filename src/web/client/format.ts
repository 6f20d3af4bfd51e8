/**
 * @module
 * What the page shows, computed (pure): ages and durations as kubectl writes them,
 * replica counts, and a replica's state read from its status events.
 */

/** The fields of an experiment the page reads. */
export interface Experiment {
  experimentId: string
  status: string
  acceptedTime: string | null
  createdTime: string | null
  runningTime: string | null
  finishedTime: string | null
  statusMessage?: string | null
  spec: {
    meta: { name: string; framework: string; namespace?: string; cmd?: string | null; tags?: string[] }
    environment?: { image?: string | null; name?: string | null } | null
    spec: Record<string, { replicas: number; resources?: string | null } | undefined>
  }
}

/** One record of the event stream. */
export interface StatusEvent {
  seq: number
  time: string
  experimentId: string
  replica: string | null
  status: string
  reason: string | null
  message: string | null
}

/** A span of milliseconds as kubectl prints ages: `45s`, `3m12s`, `2h5m`, `4d3h`, `120d`. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return s % 60 ? `${m}m${s % 60}s` : `${m}m`
  const h = Math.floor(m / 60)
  if (h < 24) return m % 60 ? `${h}h${m % 60}m` : `${h}h`
  const d = Math.floor(h / 24)
  return d < 10 && h % 24 ? `${d}d${h % 24}h` : `${d}d`
}

/** How long ago an experiment was accepted, or an empty string. */
export function age(e: Pick<Experiment, 'acceptedTime'>, now: number): string {
  return e.acceptedTime ? shortDuration(now - Date.parse(e.acceptedTime)) : ''
}

/** How long it ran: from running (else created) to finished, or to now while it runs. */
export function duration(e: Pick<Experiment, 'createdTime' | 'runningTime' | 'finishedTime'>, now: number): string {
  const start = e.runningTime ?? e.createdTime
  if (!start) return ''
  return shortDuration((e.finishedTime ? Date.parse(e.finishedTime) : now) - Date.parse(start))
}

/** Replicas per task type, as `Ps 1, Worker 2`. */
export function replicaCounts(e: Pick<Experiment, 'spec'>): string {
  return Object.entries(e.spec.spec ?? {})
    .filter(([, task]) => task !== undefined)
    .map(([type, task]) => `${type} ${task!.replicas}`)
    .join(', ')
}

/** Whether a status is final (no more transitions but a delete). */
export const isFinished = (status: string): boolean =>
  status === 'Succeeded' || status === 'Failed' || status === 'Deleted'

/** A replica's state, from the newest event about it. */
export interface ReplicaState {
  pod: string
  status: string
  reason: string | null
  message: string | null
  restarts: number
  /** The exit code of its last finished attempt, or null while none has ended. */
  exitCode: number | null
  time: string
}

/**
 * The replica's state an event tells: the server writes exit code and restarts into
 * the message (`exit code 1; 2 restarts`, `last exit code 137`; src/experiments/status-events.ts).
 */
export function replicaState(event: StatusEvent): ReplicaState {
  const message = event.message ?? ''
  const exit = /(?:^|; )(?:last )?exit code (-?\d+)/.exec(message)
  const restarts = /(?:^|; )(\d+) restarts?(?:;|$)/.exec(message)
  return {
    pod: event.replica ?? '',
    status: event.status,
    reason: event.reason,
    message: event.message,
    restarts: restarts ? Number(restarts[1]) : 0,
    exitCode: exit ? Number(exit[1]) : null,
    time: event.time,
  }
}

/** A time as the page shows it: local date and time to the second. */
export function localTime(iso: string | null): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const pad = (n: number) => String(n).padStart(2, '0')
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  )
}
