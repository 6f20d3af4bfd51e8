/**
 * @module
 * An experiment's log lines, as they come. The server's NDJSON log stream
 * (`Accept: application/x-ndjson`, `?follow=true`) is used when it answers with one,
 * resumed from the last `cursor` after a dropped connection so no line is lost or
 * repeated; a server that answers with the JSON envelope instead is read once, or,
 * to follow, polled every 500 ms for the lines past those already shown.
 */
import type { Experiment } from '../experiments/experiment.ts'
import { type ApiClient, isNdjson, NDJSON, type Query } from './api-client.ts'
import { ApiError, CliError } from './cli-errors.ts'
import { isFinal } from './experiment-view.ts'
import { ndjsonObjects } from './ndjson.ts'
import { Reconnect, sleep } from './reconnect.ts'

/** One line of one replica. `time` is there when the server streams. */
export interface LogLine {
  podName: string
  line: string
  time?: string
}

/** What to read. */
export interface LogRequest {
  pod?: string
  tailLines?: number
  sinceSeconds?: number
  /** RFC 3339. */
  sinceTime?: string
  timestamps: boolean
  /** Keep reading until the experiment ends. */
  follow: boolean
}

/** How the reading ended: with the experiment's final status when it was followed to its end. */
export interface LogEnd {
  status?: string
}

/** How often the envelope is polled when the server cannot stream. */
export const LOG_POLL_MS = 500

interface StreamItem {
  podName?: string
  line?: string
  time?: string
  cursor?: string
  end?: boolean
  status?: string
}

interface LogContent {
  experimentId: string
  logContent: { podName: string; podLog: string[] }[]
}

/** Reads experiment `id`'s logs, handing each line to `emit` in order. */
export async function readLogs(
  api: ApiClient,
  id: string,
  req: LogRequest,
  emit: (line: LogLine) => Promise<void>,
  now: () => number,
): Promise<LogEnd> {
  const path = `/api/v1/experiment/logs/${encodeURIComponent(id)}`
  const res = await api.open('GET', path, {
    query: firstQuery(req),
    accept: `${NDJSON}, application/json;q=0.9`,
    subject: id,
  })
  if (isNdjson(res)) return readStream(api, path, id, req, res, emit, now)
  await res.body?.cancel()
  if (req.sinceSeconds !== undefined || req.sinceTime !== undefined || req.timestamps)
    throw new CliError(
      `${api.server} does not stream logs (${NDJSON}), so its lines carry no ` +
        'times: --since, --since-time and --timestamps need a server that does',
    )
  if (!req.follow) {
    for (const pod of await envelope(api, path, id, { pod: req.pod, tailLines: req.tailLines }))
      for (const line of pod.podLog) await emit({ podName: pod.podName, line })
    return {}
  }
  return pollEnvelope(api, path, id, req, emit)
}

/** The query of the first request, before any cursor. */
function firstQuery(req: LogRequest): Query {
  return {
    follow: req.follow ? 'true' : undefined,
    pod: req.pod,
    tailLines: req.tailLines,
    sinceSeconds: req.sinceSeconds,
    sinceTime: req.sinceTime,
    timestamps: req.timestamps ? 'true' : undefined,
  }
}

async function envelope(api: ApiClient, path: string, id: string, query: Query) {
  return (await api.call<LogContent>('GET', path, { query, subject: id })).logContent
}

/** The NDJSON stream, resumed with `?cursor=` when a followed stream drops before its end object. */
async function readStream(
  api: ApiClient,
  path: string,
  id: string,
  req: LogRequest,
  first: Response,
  emit: (line: LogLine) => Promise<void>,
  now: () => number,
): Promise<LogEnd> {
  const reconnect = new Reconnect(now)
  let cursor: string | undefined
  let res: Response | undefined = first
  for (;;) {
    if (!res) {
      try {
        // The cursor says where to go on; tail and since applied to the first answer only.
        const query: Query = cursor
          ? { follow: 'true', cursor, pod: req.pod, timestamps: req.timestamps ? 'true' : undefined }
          : { ...firstQuery(req), follow: 'true' }
        res = await api.open('GET', path, { query, accept: NDJSON, subject: id })
      } catch (err) {
        if (!(err instanceof CliError) || err instanceof ApiError) throw err
        await reconnect.failed(err)
        continue
      }
      if (!isNdjson(res)) throw new CliError(`${api.server} stopped answering the log stream with ${NDJSON}`)
    }
    try {
      for await (const item of ndjsonObjects(res.body)) {
        const o = item as StreamItem
        if (o.end) return { status: o.status }
        if (typeof o.cursor === 'string') cursor = o.cursor
        if (typeof o.podName === 'string' && typeof o.line === 'string') {
          reconnect.succeeded()
          await emit({ podName: o.podName, line: o.line, time: o.time })
        }
      }
    } catch (err) {
      if (err instanceof CliError) throw err
      if (!req.follow) throw new CliError(`lost the log stream from ${api.server}`)
      res = undefined
      await reconnect.failed(new CliError(`lost the log stream from ${api.server}`))
      continue
    }
    // Without follow the stream ends with the lines there are; a followed one ends with its end object.
    if (!req.follow) return {}
    res = undefined
    await reconnect.failed(new CliError(`${api.server} keeps ending the log stream before the experiment ends`))
  }
}

/** Follow by polling: the experiment's status first, then every line past those already shown. */
async function pollEnvelope(
  api: ApiClient,
  path: string,
  id: string,
  req: LogRequest,
  emit: (line: LogLine) => Promise<void>,
): Promise<LogEnd> {
  const shown = new Map<string, number>()
  for (;;) {
    // Read before the lines: the server stores what replicas printed before the status that ends them.
    const { status } = await api.call<Experiment>('GET', `/api/v1/experiment/${encodeURIComponent(id)}`, {
      subject: id,
    })
    for (const pod of await envelope(api, path, id, { pod: req.pod })) {
      let from = shown.get(pod.podName)
      if (from === undefined) from = req.tailLines === undefined ? 0 : Math.max(0, pod.podLog.length - req.tailLines)
      for (const line of pod.podLog.slice(from)) await emit({ podName: pod.podName, line })
      shown.set(pod.podName, Math.max(from, pod.podLog.length))
    }
    if (isFinal(status)) return { status }
    await sleep(LOG_POLL_MS)
  }
}
