/**
 * @module
 * Experiments as table rows (pure): NAME, ID, FRAMEWORK, STATUS, AGE, DURATION,
 * and with `-o wide` REPLICAS and MESSAGE.
 */
import type { Experiment } from '../experiments/experiment.ts'
import { humanDuration, shortDuration } from './durations.ts'
import type { Style } from './style.ts'
import { statusColour } from './style.ts'
import type { Cell } from './table.ts'

export const HEADERS = ['NAME', 'ID', 'FRAMEWORK', 'STATUS', 'AGE', 'DURATION'] as const
export const WIDE_HEADERS = [...HEADERS, 'REPLICAS', 'MESSAGE'] as const

/** True for the statuses an experiment ends in. */
export function isFinal(status: string): status is 'Succeeded' | 'Failed' {
  return status === 'Succeeded' || status === 'Failed'
}

const time = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN)

/** Time since the experiment was accepted, as an age (`5m`); `<unknown>` without a time. */
export function age(e: Experiment, now: number): string {
  const t = time(e.acceptedTime)
  return Number.isNaN(t) ? '<unknown>' : shortDuration(now - t)
}

/**
 * How long it has run: from `runningTime` to `finishedTime`, or to now while it runs;
 * `-` when it never ran.
 */
export function runDuration(e: Experiment, now: number): string {
  const start = time(e.runningTime)
  if (Number.isNaN(start)) return '-'
  const end = time(e.finishedTime)
  return humanDuration((Number.isNaN(end) ? now : end) - start)
}

/** `Ps:1,Worker:2`, in the spec's order. */
export function replicas(e: Experiment): string {
  return Object.entries(e.spec?.spec ?? {})
    .map(([type, task]) => `${type}:${task?.replicas ?? '?'}`)
    .join(',')
}

/** How many pods (replicas of every type) the experiment has. */
export function podCount(e: Experiment): number {
  return Object.values(e.spec?.spec ?? {}).reduce((n, task) => n + (task?.replicas ?? 0), 0)
}

/** A status cell, coloured by status. */
export function statusCell(status: string, style: Style): Cell {
  const colour = statusColour(status)
  return colour && style.enabled ? { text: status, paint: (p) => style.paint(colour, p) } : status
}

/** One row for `list`/`get`. */
export function experimentRow(e: Experiment, now: number, wide: boolean, style: Style): Cell[] {
  const row: Cell[] = [
    e.spec?.meta?.name ?? '',
    e.experimentId,
    e.spec?.meta?.framework ?? '',
    statusCell(e.status, style),
    age(e, now),
    runDuration(e, now),
  ]
  if (wide) row.push(replicas(e), oneLine(e.statusMessage ?? ''))
  return row
}

/** Text on one line, so a message cannot break the table. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ')
}
