/**
 * @module
 * JSON values as flat `path → leaf` entries and back, in json-flattener's notation (which
 * Submarine uses): `meta.cmd`, `meta.tags[0]`, `spec.Ps.resourceMap["nvidia.com/gpu"]`.
 * Nulls are left out; empty objects and lists are leaves. Pure.
 */

/** A leaf: text, a number, true/false, or an empty object or list. */
export type Leaf = string | number | boolean | Record<string, never> | never[]

/** One flat entry: its path as text, the keys and indexes it is made of, and its value. */
export interface FlatEntry {
  path: string
  segments: readonly (string | number)[]
  value: Leaf
}

/** A key as a path step: `.key`, or `["key"]` when it holds a character the notation uses. */
function step(key: string, first: boolean): string {
  if (key === '' || /[.[\]"\\]/.test(key)) return `[${JSON.stringify(key)}]`
  return first ? key : `.${key}`
}

/** The path text of a list of keys and indexes. */
export function pathOf(segments: readonly (string | number)[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : step(s, i === 0))).join('')
}

/** Every leaf of `value`, depth first, in key order. */
export function flatten(value: unknown): FlatEntry[] {
  const out: FlatEntry[] = []
  const walk = (v: unknown, segments: (string | number)[]): void => {
    if (v === null || v === undefined) return
    if (Array.isArray(v)) {
      if (v.length === 0) out.push({ path: pathOf(segments), segments, value: [] })
      for (const [i, item] of v.entries()) walk(item, [...segments, i])
      return
    }
    if (typeof v === 'object') {
      const keys = Object.keys(v)
      if (keys.length === 0) out.push({ path: pathOf(segments), segments, value: {} })
      for (const k of keys) walk((v as Record<string, unknown>)[k], [...segments, k])
      return
    }
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      out.push({ path: pathOf(segments), segments, value: v })
  }
  walk(value, [])
  return out
}

/** The value `entries` were flattened from (keys as own properties: `__proto__` stays data). */
export function unflatten(entries: readonly FlatEntry[]): Record<string, unknown> {
  const root: Record<string, unknown> = {}
  for (const { segments, value } of entries) {
    let at: Record<string | number, unknown> = root
    segments.forEach((seg, i) => {
      const last = i === segments.length - 1
      const next = last
        ? Array.isArray(value)
          ? []
          : typeof value === 'object'
            ? {}
            : value
        : Object.hasOwn(at, seg)
          ? at[seg]
          : typeof segments[i + 1] === 'number'
            ? []
            : {}
      if (!Object.hasOwn(at, seg) || last)
        Object.defineProperty(at, seg, { value: next, enumerable: true, writable: true, configurable: true })
      at = at[seg] as Record<string | number, unknown>
    })
  }
  return root
}
