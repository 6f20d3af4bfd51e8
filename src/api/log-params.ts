/**
 * @module
 * The query of `GET /api/v1/experiment/logs/{id}`, parsed once for both forms (the
 * Submarine JSON answer and `?follow=true`), every value checked before any answer starts.
 */
import type { Context } from 'hono'
import { InvalidQueryError } from '../errors.ts'
import { boolParam, intParam, MAX_QUERY_INT, timeParam } from './query-params.ts'

/** What a logs request asks for. */
export interface LogParams {
  follow: boolean
  pod?: string
  tailLines?: number
  /** Lines written at or after this time (epoch ms), from `sinceTime` or `sinceSeconds`. */
  sinceMs?: number
  timestamps: boolean
  /** Where a follow resumes: `?cursor=`, else the `Last-Event-ID` header (an EventSource reconnecting). */
  cursor?: number
}

/** Parses and checks the logs query; `now` is the clock `sinceSeconds` counts back from. */
export function logParams(c: Context, now = Date.now()): LogParams {
  const q = (name: string) => c.req.query(name)
  const sinceTime = timeParam('sinceTime', q('sinceTime'))
  const sinceSeconds = intParam('sinceSeconds', q('sinceSeconds'))
  if (sinceTime !== undefined && sinceSeconds !== undefined)
    throw new InvalidQueryError('Invalid query: give sinceTime or sinceSeconds, not both')
  return {
    follow: boolParam('follow', q('follow')),
    pod: q('pod') || undefined,
    tailLines: intParam('tailLines', q('tailLines')),
    sinceMs: sinceTime ?? (sinceSeconds === undefined ? undefined : now - sinceSeconds * 1000),
    timestamps: boolParam('timestamps', q('timestamps')),
    cursor: cursorParam(q('cursor'), c.req.header('last-event-id')),
  }
}

/** A cursor from a record of an earlier follow: the decimal digits it was sent as. */
function cursorParam(query: string | undefined, header: string | undefined): number | undefined {
  const [name, value] = query !== undefined && query !== '' ? ['cursor', query] : ['Last-Event-ID', header?.trim()]
  if (value === undefined || value === '') return undefined
  const n = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN
  if (!(n <= MAX_QUERY_INT)) {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value
    const where = name === 'cursor' ? 'query parameter cursor' : 'header Last-Event-ID'
    throw new InvalidQueryError(`Invalid ${where}="${shown}"; expected the cursor of a record this server sent`)
  }
  return n
}
