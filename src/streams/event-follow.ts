/**
 * @module
 * `/api/v1/experiment/events`: the stored transitions after a sequence, then each one
 * as it is stored. The stream has no end; a heartbeat keeps it alive while quiet.
 */
import type { Producer } from '../http/pull-stream.ts'
import { frame, heartbeat, type StreamFormat } from '../http/stream-format.ts'
import type { StatusEvent } from '../storage/event-store.ts'
import { type Signals, signalKey } from './signals.ts'

/** Events read from SQLite per pull. */
const BATCH = 500

/** What an event subscriber reads. */
export interface EventFollowSource {
  eventsAfter(seq: number, limit: number, experimentId?: string): StatusEvent[]
  signals: Signals
  heartbeatMs: number
}

/** One subscription. */
export interface EventFollowRequest {
  /** Events with a larger sequence are sent. */
  after: number
  experimentId?: string
  format: StreamFormat
}

/** The producer of one subscription's text. */
export function eventFollowProducer(source: EventFollowSource, req: EventFollowRequest): Producer {
  let after = req.after
  return async (signal) => {
    while (!signal.aborted) {
      const armed = source.signals.arm(signalKey.events)
      const events = source.eventsAfter(after, BATCH, req.experimentId)
      if (events.length > 0) {
        armed.disarm()
        after = events.at(-1)!.seq
        return events.map((e) => frame(req.format, e, String(e.seq))).join('')
      }
      if (!(await armed.wait(source.heartbeatMs, signal)) && !signal.aborted) return heartbeat(req.format)
    }
    return null
  }
}
