/**
 * Shapes shared by the fake API server's parts. Objects are kept as plain JSON, loosely typed on
 * purpose: the fake stores exactly what clients send, like a real API server stores unstructured
 * custom resources.
 * @module
 */

/** Any JSON object as the fake stores it. */
export type Json = any

/** The `metadata` block every stored object carries. */
export interface ObjectMeta {
  name: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  generation?: number
  creationTimestamp?: string
  deletionTimestamp?: string
  deletionGracePeriodSeconds?: number
  labels?: Record<string, string>
  annotations?: Record<string, string>
  finalizers?: string[]
  ownerReferences?: OwnerReference[]
  generateName?: string
  [key: string]: Json
}

/** An entry of `metadata.ownerReferences`. */
export interface OwnerReference {
  apiVersion: string
  kind: string
  name: string
  uid: string
  controller?: boolean
  blockOwnerDeletion?: boolean
}

/** A stored Kubernetes object. */
export interface KubeObject {
  apiVersion?: string
  kind?: string
  metadata: ObjectMeta
  spec?: Json
  status?: Json
  [key: string]: Json
}

/** Watch event types as they appear on the wire. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'

/** A `v1.Status` body, the shape of every error the fake returns. */
export interface KubeStatus {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: Record<string, never>
  status: 'Failure' | 'Success'
  message?: string
  reason?: string
  details?: StatusDetails
  code: number
}

/** `Status.details`. */
export interface StatusDetails {
  name?: string
  group?: string
  kind?: string
  uid?: string
  causes?: { reason: string; message: string; field?: string }[]
  retryAfterSeconds?: number
}
