/**
 * @module
 * `GET /api/v1/experiment/events`: every status transition of experiments and their
 * replicas, as Server-Sent Events (the default) or NDJSON (`Accept: application/x-ndjson`).
 * `?experimentId=` narrows it to one experiment; `Last-Event-ID` or `?after=<seq>`
 * resumes after the last event seen (`after` wins when both are given).
 */
import { Hono } from 'hono'
import { InvalidQueryError } from '../errors.ts'
import { negotiateFormat } from '../http/stream-format.ts'
import type { EventStore } from '../storage/event-store.ts'
import { eventFollowProducer } from '../streams/event-follow.ts'
import type { Signals } from '../streams/signals.ts'
import { intParam } from './query-params.ts'
import { type StreamSettings, streamResponse } from './stream-response.ts'

/** What the event stream reads. */
export interface EventRouteDeps extends StreamSettings {
  events: Pick<EventStore, 'after'>
  signals: Signals
}

/** The event stream route. */
export function eventRoutes(deps: EventRouteDeps): Hono {
  const app = new Hono({ strict: false })
  app.get('/', (c) => {
    const after = intParam('after', c.req.query('after')) ?? lastEventId(c.req.header('last-event-id')) ?? 0
    const experimentId = c.req.query('experimentId')
    if (experimentId === '')
      throw new InvalidQueryError('Invalid query parameter experimentId=""; expected an experiment id')
    const format = negotiateFormat(c.req.header('accept'), 'sse')
    const producer = eventFollowProducer(
      {
        eventsAfter: (seq, limit, id) => deps.events.after(seq, limit, id),
        signals: deps.signals,
        heartbeatMs: deps.heartbeatMs,
      },
      { after, experimentId, format },
    )
    return streamResponse(c, format, producer, deps, 'event stream')
  })
  return app
}

function lastEventId(value: string | undefined): number | undefined {
  const v = value?.trim()
  if (v === undefined || v === '') return undefined
  if (!/^\d{1,16}$/.test(v) || !(Number(v) <= Number.MAX_SAFE_INTEGER))
    throw new InvalidQueryError(
      `Invalid header Last-Event-ID="${v.length > 40 ? `${v.slice(0, 40)}…` : v}"; ` +
        'expected the id of an event this server sent',
    )
  return Number(v)
}
