/**
 * @module
 * Where experiment and replica transitions are recorded: stored with their sequence,
 * then subscribers are woken (they read what is new from SQLite).
 */
import type { EventStore, NewEvent } from '../storage/event-store.ts'
import { type Signals, signalKey } from '../streams/signals.ts'

/** Records transitions. */
export interface EventLog {
  /**
   * Stores `events` in order. Called inside a store transaction, the wake-up still reaches
   * subscribers only after it commits: they run once this synchronous call has returned.
   */
  record(events: readonly NewEvent[]): void
  /** Deletes an experiment's stored events (retention removes its history with it). */
  forget(experimentId: string): void
}

/** An event log over the store, waking subscribers of {@link signalKey.events}. */
export function createEventLog(store: EventStore, signals: Signals, now = () => new Date().toISOString()): EventLog {
  return {
    record(events) {
      if (events.length === 0) return
      store.append(events, now())
      signals.notify(signalKey.events)
    },
    forget(experimentId) {
      store.removeOf(experimentId)
    },
  }
}
