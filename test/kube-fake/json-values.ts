/**
 * Small helpers over plain JSON values.
 * @module
 */
import type { Json } from './types.ts'

/** True for a plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** True when both JSON values are equal, key order ignored. */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]))
}

/** Deep-sorts object keys, as the API server serialises unstructured (custom) objects. */
export function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (!isObject(value)) return value
  const out: Record<string, Json> = {}
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key])
  return out
}
