/**
 * Minimal core/v1 Events, as the operator records them on jobs (semantics doc §3.4), so
 * `GET …/events?fieldSelector=involvedObject.name=<job>` has something true to say.
 * @module
 */
import { rfc3339 } from './clock.ts'
import type { ObjectStore } from './object-store.ts'
import type { KubeObject } from './types.ts'

/** Records events into the store. */
export class EventRecorder {
  readonly #store: ObjectStore

  constructor(store: ObjectStore) {
    this.#store = store
  }

  /** Records one event about an object. */
  record(involved: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string): void {
    const now = rfc3339()
    const suffix = Math.floor(Math.random() * 2 ** 52)
      .toString(16)
      .padStart(13, '0')
      .slice(0, 16)
    this.#store.create('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${involved.metadata.name}.${suffix}`, namespace: involved.metadata.namespace },
      involvedObject: {
        apiVersion: involved.apiVersion,
        kind: involved.kind,
        name: involved.metadata.name,
        namespace: involved.metadata.namespace,
        uid: involved.metadata.uid,
        resourceVersion: involved.metadata.resourceVersion,
      },
      reason,
      message,
      source: { component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      reportingComponent: component,
      reportingInstance: '',
    })
  }
}
