/**
 * The operator's job-condition algebra (semantics doc §2.2, `pkg/util/status.go`): Failed is
 * terminal, an unchanged type/status/reason is a no-op, a changed condition is removed and
 * appended at the end, Running and Restarting exclude each other, and Succeeded/Failed flip an
 * existing Running to False.
 * @module
 */
import { rfc3339 } from './clock.ts'
import type { Json } from './types.ts'

/** A job condition, in the operator's field order. */
export interface JobCondition {
  type: string
  status: 'True' | 'False' | 'Unknown'
  reason: string
  message: string
  lastUpdateTime: string
  lastTransitionTime: string
}

/** True when the status holds a condition of that type with status True. */
export function hasTrueCondition(status: Json, type: string): boolean {
  return (status?.conditions ?? []).some((c: JobCondition) => c.type === type && c.status === 'True')
}

/** True when the job is Succeeded or Failed. */
export function isFinished(status: Json): boolean {
  return hasTrueCondition(status, 'Succeeded') || hasTrueCondition(status, 'Failed')
}

/**
 * Sets a condition on a mutable job status the way the operator does.
 * @returns whether anything changed
 */
export function setCondition(
  status: Json,
  type: string,
  value: 'True' | 'False',
  reason: string,
  message: string,
  now: string = rfc3339(),
): boolean {
  const conditions: JobCondition[] = status.conditions ?? []
  if (conditions.some((c) => c.type === 'Failed' && c.status === 'True')) return false
  const current = conditions.find((c) => c.type === type)
  if (current && current.status === value && current.reason === reason) return false
  const next: JobCondition = { type, status: value, reason, message, lastUpdateTime: now, lastTransitionTime: now }
  if (current && current.status === value) next.lastTransitionTime = current.lastTransitionTime
  const kept: JobCondition[] = []
  for (const c of conditions) {
    if (c.type === type) continue
    if ((type === 'Running' && c.type === 'Restarting') || (type === 'Restarting' && c.type === 'Running')) continue
    if ((type === 'Succeeded' || type === 'Failed') && c.type === 'Running') kept.push({ ...c, status: 'False' })
    else kept.push(c)
  }
  status.conditions = [...kept, next]
  return true
}
