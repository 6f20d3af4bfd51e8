/**
 * The two patch formats the API server accepts on custom resources: JSON merge patch (RFC 7386)
 * and JSON patch (RFC 6902, `test` included).
 * @module
 */
import { isObject, jsonEqual } from './json-values.ts'
import type { Json } from './types.ts'

/** A patch that does not apply; the message follows evanphx/json-patch, which the API server uses. */
export class PatchError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PatchError'
  }
}

/** Applies an RFC 7386 merge patch; returns a new value. `null` deletes a key. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch)
  const result: Record<string, Json> = isObject(target) ? structuredClone(target) : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = applyMergePatch(result[key], value)
  }
  return result
}

/** One RFC 6902 operation. */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test'
  path: string
  from?: string
  value?: Json
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) throw new PatchError(`JSON pointer must be empty or start with a "/": ${pointer}`)
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
}

interface Location {
  parent: Json
  key: string
}

/** Finds the container of the pointer's last token; throws when an intermediate is missing. */
function locate(doc: Json, pointer: string, op: string): Location {
  const tokens = parsePointer(pointer)
  if (tokens.length === 0)
    throw new PatchError(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`)
  let node = doc
  for (const token of tokens.slice(0, -1)) {
    const next = Array.isArray(node) ? node[Number(token)] : isObject(node) ? node[token] : undefined
    if (next === undefined || next === null || typeof next !== 'object') {
      throw new PatchError(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`)
    }
    node = next
  }
  return { parent: node, key: tokens[tokens.length - 1] as string }
}

function getAt(doc: Json, pointer: string, op: string): Json {
  if (pointer === '') return doc
  const { parent, key } = locate(doc, pointer, op)
  const value = Array.isArray(parent) ? parent[Number(key)] : parent[key]
  if (value === undefined || (Array.isArray(parent) && !/^\d+$/.test(key))) {
    throw new PatchError(`${op} operation does not apply: doc is missing key: ${pointer}: missing value`)
  }
  return value
}

function addAt(doc: Json, pointer: string, value: Json, op: string): Json {
  if (pointer === '') return value
  const { parent, key } = locate(doc, pointer, op)
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key)
    if (!/^(\d+|-)$/.test(key) || index > parent.length)
      throw new PatchError(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`)
    parent.splice(index, 0, value)
  } else {
    parent[key] = value
  }
  return doc
}

function removeAt(doc: Json, pointer: string, op: string): Json {
  const { parent, key } = locate(doc, pointer, op)
  if (Array.isArray(parent)) {
    const index = Number(key)
    if (!/^\d+$/.test(key) || index >= parent.length)
      throw new PatchError(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`)
    parent.splice(index, 1)
  } else {
    if (!Object.hasOwn(parent, key))
      throw new PatchError(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`)
    delete parent[key]
  }
  return doc
}

/**
 * Applies an RFC 6902 patch; returns a new document and leaves the input untouched.
 * Throws {@link PatchError} when an operation does not apply (a failed `test` included).
 */
export function applyJsonPatch(document: Json, operations: readonly PatchOperation[]): Json {
  let doc = structuredClone(document)
  for (const operation of operations) {
    const { op, path } = operation
    switch (op) {
      case 'add':
        doc = addAt(doc, path, structuredClone(operation.value), op)
        break
      case 'remove':
        doc = removeAt(doc, path, op)
        break
      case 'replace':
        getAt(doc, path, op)
        if (path === '') doc = structuredClone(operation.value)
        else {
          const { parent, key } = locate(doc, path, op)
          if (Array.isArray(parent)) parent[Number(key)] = structuredClone(operation.value)
          else parent[key] = structuredClone(operation.value)
        }
        break
      case 'move': {
        const value = getAt(doc, operation.from ?? '', op)
        doc = removeAt(doc, operation.from ?? '', op)
        doc = addAt(doc, path, value, op)
        break
      }
      case 'copy':
        doc = addAt(doc, path, structuredClone(getAt(doc, operation.from ?? '', op)), op)
        break
      case 'test': {
        let actual: Json
        try {
          actual = getAt(doc, path, op)
        } catch {
          actual = undefined
        }
        if (!jsonEqual(actual, operation.value)) throw new PatchError(`testing value ${path} failed: test failed`)
        break
      }
      default:
        throw new PatchError(`Unexpected kind: ${String(op)}`)
    }
  }
  return doc
}
