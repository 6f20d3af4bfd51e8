/**
 * @module
 * Waiting for an experiment to end. It listens on the server's event stream
 * (`GET /api/v1/experiment/events?experimentId=…`, NDJSON) when the server has one,
 * and polls `GET /api/v1/experiment/{id}` every 500 ms when it does not; either
 * way the experiment as the server answers it is what decides.
 */
import type { Experiment } from '../experiments/experiment.ts'
import { type ApiClient, isNdjson, NDJSON } from './api-client.ts'
import { CliError } from './cli-errors.ts'
import { isFinal } from './experiment-view.ts'
import { ndjsonObjects } from './ndjson.ts'
import { Reconnect, sleep } from './reconnect.ts'

/** How often the experiment is fetched when the server has no event stream. */
export const POLL_MS = 500

/** One object of the event stream. */
export interface ExperimentEvent {
  seq?: number | string
  time?: string
  experimentId?: string
  replica?: string | null
  status?: string
  reason?: string | null
  message?: string | null
}

/** How the wait ended: the final experiment, or the time ran out (with the last one seen). */
export interface WaitOutcome {
  timedOut: boolean
  experiment: Experiment
}

export interface WaitOptions {
  /** Give up after this long; undefined waits as long as it takes. */
  timeoutMs?: number
  /** Each time something is seen: the experiment, and the event that woke the wait (if any). */
  onUpdate?: (experiment: Experiment, event?: ExperimentEvent) => void | Promise<void>
  now: () => number
}

/** Waits until experiment `id` is Succeeded or Failed, or the timeout passes. */
export async function waitForEnd(api: ApiClient, id: string, opts: WaitOptions): Promise<WaitOutcome> {
  const deadline = new AbortController()
  const timer =
    opts.timeoutMs === undefined ? undefined : setTimeout(() => deadline.abort(), Math.max(0, opts.timeoutMs))
  const get = () => api.call<Experiment>('GET', `/api/v1/experiment/${encodeURIComponent(id)}`, { subject: id })
  try {
    let last = await get()
    await opts.onUpdate?.(last)
    if (isFinal(last.status) || deadline.signal.aborted) return { timedOut: !isFinal(last.status), experiment: last }
    const seen = async (e: Experiment, event?: ExperimentEvent) => {
      last = e
      await opts.onUpdate?.(e, event)
      return isFinal(e.status)
    }
    const streamed = await followEvents(api, id, get, seen, deadline.signal, opts.now)
    if (!streamed) {
      while (!deadline.signal.aborted) {
        await sleep(POLL_MS, deadline.signal)
        if (deadline.signal.aborted) break
        if (await seen(await get())) break
      }
    }
    return { timedOut: !isFinal(last.status), experiment: last }
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Follows the event stream until `seen` says the experiment ended, resuming with
 * `?after=<seq>` when the connection drops. False when the server has no stream.
 */
async function followEvents(
  api: ApiClient,
  id: string,
  get: () => Promise<Experiment>,
  seen: (e: Experiment, event?: ExperimentEvent) => Promise<boolean>,
  signal: AbortSignal,
  now: () => number,
): Promise<boolean> {
  let after: string | undefined
  const reconnect = new Reconnect(now)
  let first = true
  for (;;) {
    let res: Response
    try {
      res = await api.open('GET', '/api/v1/experiment/events', {
        query: { experimentId: id, after },
        accept: NDJSON,
        signal,
      })
    } catch (err) {
      if (signal.aborted) return true
      // A server without the stream answers /experiment/events as the experiment "events": not found.
      if (first) return false
      await reconnect.failed(err, signal)
      continue
    }
    if (!isNdjson(res)) {
      await res.body?.cancel()
      if (first) return false
      throw new CliError(`${api.server} stopped answering the event stream with ${NDJSON}`)
    }
    if (!first) {
      // Whatever happened while the stream was down is in the experiment itself.
      if (await seen(await get())) return true
    }
    first = false
    try {
      for await (const item of ndjsonObjects(res.body)) {
        reconnect.succeeded()
        const event = item as ExperimentEvent
        if (event.seq !== undefined) after = String(event.seq)
        if (event.experimentId !== undefined && event.experimentId !== id) continue
        if (await seen(await get(), event)) return true
      }
    } catch (err) {
      if (signal.aborted) return true
      if (err instanceof CliError) throw err
      await reconnect.failed(new CliError(`lost the event stream from ${api.server}`), signal)
      continue
    }
    if (signal.aborted) return true
    await reconnect.failed(new CliError(`${api.server} keeps ending the event stream`), signal)
  }
}
