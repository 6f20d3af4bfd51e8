/**
 * @module
 * `GET /api/v1/experiment/logs/{id}?follow=true`: the experiment's lines as a stream.
 *
 * The form comes from `Accept`: `text/event-stream` gives Server-Sent Events,
 * `application/x-ndjson` NDJSON; anything else (curl's default, a browser's list,
 * none) gives NDJSON, so a plain `curl` follows readably. A request with a cursor
 * (`?cursor=` or `Last-Event-ID`) continues after it; `tailLines` then no longer applies.
 */
import type { Context } from 'hono'
import type { ExperimentService } from '../experiments/experiment-service.ts'
import { negotiateFormat } from '../http/stream-format.ts'
import { logFollowProducer } from '../streams/log-follow.ts'
import type { Signals } from '../streams/signals.ts'
import type { LogParams } from './log-params.ts'
import { type StreamSettings, streamResponse } from './stream-response.ts'

/** What log follows need beside the service. */
export interface LogFollowDeps extends StreamSettings {
  signals: Signals
}

/** The streaming answer; `params` are checked and the experiment and pod exist. */
export function followLogs(
  c: Context,
  service: ExperimentService,
  deps: LogFollowDeps,
  id: string,
  params: LogParams,
): Response {
  const format = negotiateFormat(c.req.header('accept'), 'ndjson')
  const cursor = params.cursor ?? service.followStart(id, params.tailLines, params.pod)
  const producer = logFollowProducer(
    {
      statusOf: (experimentId) => service.statusOf(experimentId),
      stopping: (experimentId) => service.stopping(experimentId),
      linesAfter: (experimentId, after, limit, pod) => service.linesAfter(experimentId, after, limit, pod),
      signals: deps.signals,
      heartbeatMs: deps.heartbeatMs,
    },
    { experimentId: id, pod: params.pod, cursor, sinceMs: params.sinceMs, timestamps: params.timestamps, format },
  )
  return streamResponse(c, format, producer, deps, 'log follow')
}
