/**
 * Cascading deletion by `ownerReferences[].uid`, like the garbage collector: background
 * propagation deletes an owner's pods (gracefully) and services once it is gone; foreground
 * propagation deletes them first and removes the owner when none are left; an object being
 * deleted goes away once its last finalizer is removed.
 * @module
 */
import type { ObjectStore, StoreEvent } from './object-store.ts'
import type { KubeObject } from './types.ts'

/** The finalizer foreground deletion puts on the owner. */
export const FOREGROUND = 'foregroundDeletion'

const DEPENDENT_PLURALS = ['pods', 'services']

/** Deletes dependents of removed owners and finalizes objects. */
export class GarbageCollector {
  readonly #store: ObjectStore
  readonly #deletePod: (namespace: string, name: string) => void
  readonly #ownerPlurals: readonly string[]
  readonly #orphaned = new Set<string>()
  #unsubscribe = () => {}

  /** `ownerPlurals`: resources whose objects own pods and services (the job kinds). */
  constructor(
    store: ObjectStore,
    deletePod: (namespace: string, name: string) => void,
    ownerPlurals: readonly string[],
  ) {
    this.#store = store
    this.#deletePod = deletePod
    this.#ownerPlurals = ownerPlurals
  }

  /** Starts collecting. */
  start(): void {
    this.#unsubscribe = this.#store.subscribe((e) => this.#onEvent(e))
  }

  /** Stops collecting. */
  stop(): void {
    this.#unsubscribe()
  }

  /** Marks an owner whose next deletion must orphan its dependents (`propagationPolicy: Orphan`). */
  orphanOnDelete(uid: string): void {
    this.#orphaned.add(uid)
  }

  #onEvent(e: StoreEvent): void {
    const meta = e.object.metadata
    if (e.type === 'DELETED') {
      this.#collectDependents(meta.uid as string)
      if (DEPENDENT_PLURALS.includes(e.plural))
        for (const ref of meta.ownerReferences ?? []) this.#progressForeground(ref.uid, meta.namespace as string)
      return
    }
    if (e.type !== 'MODIFIED' || !meta.deletionTimestamp || !this.#ownerPlurals.includes(e.plural)) return
    if ((meta.finalizers ?? []).includes(FOREGROUND)) {
      for (const { plural, object } of this.#store.dependents(meta.uid as string, DEPENDENT_PLURALS))
        this.#deleteDependent(plural, object)
      this.#progressForeground(meta.uid as string, meta.namespace as string)
    } else if ((meta.finalizers ?? []).length === 0) {
      this.#store.remove(e.plural, meta.namespace, meta.name)
    }
  }

  #deleteDependent(plural: string, object: KubeObject): void {
    const { namespace, name } = object.metadata
    if (plural === 'pods') {
      if (!object.metadata.deletionTimestamp) this.#deletePod(namespace as string, name)
    } else this.#store.remove(plural, namespace, name)
  }

  #collectDependents(uid: string): void {
    const orphan = this.#orphaned.delete(uid)
    for (const { plural, object } of this.#store.dependents(uid, DEPENDENT_PLURALS)) {
      if (orphan) {
        object.metadata.ownerReferences = object.metadata.ownerReferences?.filter((r) => r.uid !== uid)
        this.#store.update(plural, object)
      } else this.#deleteDependent(plural, object)
    }
  }

  /** Removes the foreground finalizer (and the owner, if nothing else holds it) once no dependent is left. */
  #progressForeground(ownerUid: string, namespace: string): void {
    for (const plural of this.#ownerPlurals) {
      const owner = this.#store.list(plural, namespace).find((o) => o.metadata.uid === ownerUid)
      if (!owner?.metadata.deletionTimestamp || !(owner.metadata.finalizers ?? []).includes(FOREGROUND)) continue
      if (this.#store.dependents(ownerUid, DEPENDENT_PLURALS).length > 0) return
      owner.metadata.finalizers = (owner.metadata.finalizers ?? []).filter((f) => f !== FOREGROUND)
      this.#store.update(plural, owner)
    }
  }
}
