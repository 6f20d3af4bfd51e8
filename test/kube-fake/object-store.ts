/**
 * The fake's etcd: every object by resource, one global monotonically increasing resourceVersion
 * bumped on every write, and a bounded history ring that watches replay from.
 * @module
 */
import { rfc3339 } from './clock.ts'
import type { KubeObject } from './types.ts'

/** A write, as watchers see it. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  plural: string
  /** The object after the write (for DELETED, the final object carrying the deletion's RV). */
  object: KubeObject
  /** The object before the write, for MODIFIED and DELETED (selector transitions need it). */
  previous?: KubeObject
  rv: number
}

/** A listener of every write, called in resourceVersion order. */
export type StoreListener = (event: StoreEvent) => void

/** The answer to "what happened after resourceVersion N". */
export type HistoryAnswer = { events: StoreEvent[] } | { expired: true; oldest: number }

function key(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`
}

/** Objects, resourceVersions and history, all in memory. */
export class ObjectStore {
  #rv = 0
  #objects = new Map<string, Map<string, KubeObject>>()
  #ring: StoreEvent[] = []
  #compactedRv = 0
  #listeners = new Set<StoreListener>()
  #queue: StoreEvent[] = []
  #dispatching = false
  readonly #ringSize: number

  constructor(ringSize = 1000) {
    this.#ringSize = ringSize
  }

  /** The current global resourceVersion. */
  get resourceVersion(): number {
    return this.#rv
  }

  #bucket(plural: string): Map<string, KubeObject> {
    let bucket = this.#objects.get(plural)
    if (!bucket) {
      bucket = new Map()
      this.#objects.set(plural, bucket)
    }
    return bucket
  }

  /** A copy of one object, or undefined. */
  get(plural: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.#objects.get(plural)?.get(key(namespace, name))
    return obj ? structuredClone(obj) : undefined
  }

  /** Copies of every object of a resource, optionally in one namespace, sorted by namespace and name. */
  list(plural: string, namespace?: string): KubeObject[] {
    const all = [...(this.#objects.get(plural)?.values() ?? [])]
    return all
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .sort((a, b) =>
        key(a.metadata.namespace, a.metadata.name).localeCompare(key(b.metadata.namespace, b.metadata.name)),
      )
      .map((o) => structuredClone(o))
  }

  /** Objects whose ownerReferences point at a uid, across the given resources. */
  dependents(uid: string, plurals: readonly string[]): { plural: string; object: KubeObject }[] {
    return plurals.flatMap((plural) =>
      this.list(plural)
        .filter((o) => o.metadata.ownerReferences?.some((r) => r.uid === uid))
        .map((object) => ({ plural, object })),
    )
  }

  /**
   * Stores a new object. Assigns `uid` and `creationTimestamp` when missing and always the
   * resourceVersion. The caller checks for duplicates first.
   */
  create(plural: string, obj: KubeObject): KubeObject {
    const stored = structuredClone(obj)
    stored.metadata.uid ??= crypto.randomUUID()
    stored.metadata.creationTimestamp ??= rfc3339()
    stored.metadata.resourceVersion = String(++this.#rv)
    this.#bucket(plural).set(key(stored.metadata.namespace, stored.metadata.name), stored)
    this.#emit({ type: 'ADDED', plural, object: structuredClone(stored), rv: this.#rv })
    return structuredClone(stored)
  }

  /** Replaces an existing object and bumps its resourceVersion. */
  update(plural: string, obj: KubeObject): KubeObject {
    const k = key(obj.metadata.namespace, obj.metadata.name)
    const bucket = this.#bucket(plural)
    const previous = bucket.get(k)
    if (!previous) throw new Error(`update of missing ${plural} ${k}`)
    const stored = structuredClone(obj)
    stored.metadata.resourceVersion = String(++this.#rv)
    bucket.set(k, stored)
    this.#emit({
      type: 'MODIFIED',
      plural,
      object: structuredClone(stored),
      previous: structuredClone(previous),
      rv: this.#rv,
    })
    return structuredClone(stored)
  }

  /** Removes an object; returns its final state (with the deletion's resourceVersion). */
  remove(plural: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const k = key(namespace, name)
    const bucket = this.#bucket(plural)
    const previous = bucket.get(k)
    if (!previous) return undefined
    bucket.delete(k)
    const final = structuredClone(previous)
    final.metadata.resourceVersion = String(++this.#rv)
    this.#emit({
      type: 'DELETED',
      plural,
      object: structuredClone(final),
      previous: structuredClone(previous),
      rv: this.#rv,
    })
    return final
  }

  /** Events after resourceVersion `rv`, or expired when the ring no longer holds all of them. */
  since(rv: number): HistoryAnswer {
    if (rv < this.#compactedRv) return { expired: true, oldest: this.#compactedRv }
    return { events: this.#ring.filter((e) => e.rv > rv).map((e) => structuredClone(e)) }
  }

  /** Forgets all history: any watch from an older resourceVersion than now gets 410 Expired. */
  compact(): void {
    this.#ring = []
    this.#compactedRv = this.#rv
  }

  /** Subscribes to every later write; returns the unsubscribe function. */
  subscribe(listener: StoreListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #emit(event: StoreEvent): void {
    this.#ring.push(event)
    if (this.#ring.length > this.#ringSize) {
      const dropped = this.#ring.shift() as StoreEvent
      this.#compactedRv = dropped.rv
    }
    // Writes made by listeners are queued so every listener sees events in resourceVersion order.
    this.#queue.push(event)
    if (this.#dispatching) return
    this.#dispatching = true
    try {
      while (this.#queue.length > 0) {
        const next = this.#queue.shift() as StoreEvent
        for (const listener of [...this.#listeners]) {
          try {
            listener(structuredClone(next))
          } catch (err) {
            console.error('kube-fake: store listener failed', err)
          }
        }
      }
    } finally {
      this.#dispatching = false
    }
  }
}
