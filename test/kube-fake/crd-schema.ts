/**
 * Structural-schema checks against the real Kubeflow CRDs, as the API server applies them to custom
 * resources: unknown fields (rejected under `fieldValidation=Strict`, pruned otherwise), wrong
 * types, missing required fields, enums and patterns. CRD files are parsed lazily, once.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { KUBEFLOW_CRDS } from '../fixtures/paths.ts'
import type { FieldError } from './api-error.ts'
import { JOB_KINDS } from './kinds.ts'
import type { Json } from './types.ts'

/** Where the CRD YAML files are looked for, first match wins: the operator's, committed as test data. */
export const CRD_DIRS: readonly string[] = [KUBEFLOW_CRDS]

const crdCache = new Map<string, Json>()

/** The whole CustomResourceDefinition of a job kind, parsed from its YAML once. */
export function loadCrd(plural: string, dirs: readonly string[] = CRD_DIRS): Json {
  const cached = crdCache.get(plural)
  if (cached) return cached
  const info = JOB_KINDS[plural]
  if (!info) throw new Error(`no CRD for ${plural}`)
  const dir = dirs.find((d) => existsSync(join(d, info.crdFile)))
  if (!dir) throw new Error(`CRD file ${info.crdFile} not found in ${dirs.join(', ')}`)
  const crd = Bun.YAML.parse(readFileSync(join(dir, info.crdFile), 'utf8'))
  crdCache.set(plural, crd)
  return crd
}

/** `spec.versions[0].schema.openAPIV3Schema` of a job kind's CRD. */
export function crdSchema(plural: string, dirs?: readonly string[]): Json {
  return loadCrd(plural, dirs).spec.versions[0].schema.openAPIV3Schema
}

/** What checking an object against a schema found. */
export interface SchemaCheck {
  /** Paths of fields the schema does not declare, e.g. `spec.foo`. */
  unknownFields: string[]
  /** Type, required, enum and pattern violations. */
  errors: FieldError[]
  /** The object with unknown fields removed (what a non-strict request stores). */
  pruned: Json
}

const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
])

function jsonType(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return typeof v
}

function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`
}

function typeError(path: string, expected: string, value: unknown): FieldError {
  const actual = jsonType(value)
  return {
    reason: 'FieldValueTypeInvalid',
    field: path,
    message: `Invalid value: "${actual}": ${path} in body must be of type ${expected}: "${actual}"`,
  }
}

function typeMatches(expected: string, value: unknown): boolean {
  const actual = jsonType(value)
  return actual === expected || (expected === 'number' && actual === 'integer')
}

class Checker {
  readonly unknownFields: string[] = []
  readonly errors: FieldError[] = []

  check(value: Json, schema: Json, path: string): Json {
    if (schema === undefined || schema === null || schema === true) return value
    if (value === null) {
      if (!schema.nullable) this.errors.push(typeError(path, schema.type ?? 'object', value))
      return value
    }
    if (schema['x-kubernetes-int-or-string']) {
      if (!(typeof value === 'string' || Number.isInteger(value)))
        this.errors.push(typeError(path, 'integer,string', value))
      else if (typeof value === 'string') this.checkString(value, schema, path)
      return value
    }
    const type: string | undefined = schema.type
    if (type && !typeMatches(type, value)) {
      this.errors.push(typeError(path, type, value))
      return value
    }
    if (Array.isArray(schema.enum) && !schema.enum.some((e: Json) => e === value)) {
      const supported = schema.enum.map((e: Json) => JSON.stringify(e)).join(', ')
      this.errors.push({
        reason: 'FieldValueNotSupported',
        field: path,
        message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported}`,
      })
    }
    if (type === 'string') this.checkString(value, schema, path)
    if (type === 'array') return (value as Json[]).map((item, i) => this.check(item, schema.items, `${path}[${i}]`))
    if (type === 'object' || (type === undefined && jsonType(value) === 'object'))
      return this.checkObject(value, schema, path)
    return value
  }

  private checkString(value: string, schema: Json, path: string): void {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) {
      this.errors.push({
        reason: 'FieldValueInvalid',
        field: path,
        message: `Invalid value: ${JSON.stringify(value)}: ${path} in body should match '${schema.pattern}'`,
      })
    }
  }

  private checkObject(value: Record<string, Json>, schema: Json, path: string): Json {
    const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true
    const properties: Record<string, Json> | undefined = schema.properties
    const additional = schema.additionalProperties
    const out: Record<string, Json> = {}
    for (const [key, v] of Object.entries(value)) {
      const p = child(path, key)
      if (properties && Object.hasOwn(properties, key)) out[key] = this.check(v, properties[key], p)
      else if (additional && typeof additional === 'object') out[key] = this.check(v, additional, p)
      else if (additional === true || preserve) out[key] = v
      else this.unknownFields.push(p)
    }
    for (const key of schema.required ?? []) {
      if (value[key] === undefined)
        this.errors.push({ reason: 'FieldValueRequired', field: child(path, key), message: 'Required value' })
    }
    return out
  }

  /** ObjectMeta at the root: the schema says only `type: object`, the server knows its fields. */
  checkRootMetadata(meta: Json): Json {
    if (meta === undefined) return meta
    if (jsonType(meta) !== 'object') {
      this.errors.push(typeError('metadata', 'object', meta))
      return meta
    }
    const out: Record<string, Json> = {}
    for (const [key, v] of Object.entries(meta as Record<string, Json>)) {
      if (!OBJECT_META_FIELDS.has(key)) {
        this.unknownFields.push(`metadata.${key}`)
        continue
      }
      if ((key === 'labels' || key === 'annotations') && v !== null) {
        if (jsonType(v) !== 'object') this.errors.push(typeError(`metadata.${key}`, 'object', v))
        else
          for (const [k, s] of Object.entries(v as Record<string, Json>)) {
            if (typeof s !== 'string') this.errors.push(typeError(`metadata.${key}.${k}`, 'string', s))
          }
      }
      out[key] = v
    }
    return out
  }
}

/** Checks a whole custom resource against its CRD's root schema. */
export function checkAgainstSchema(obj: Json, schema: Json): SchemaCheck {
  const checker = new Checker()
  const { metadata, ...rest } = obj as Record<string, Json>
  const rootSchema = { ...schema, properties: { ...schema.properties } }
  delete rootSchema.properties.metadata
  const checked = checker.check(rest, rootSchema, '')
  const prunedMeta = checker.checkRootMetadata(metadata)
  // Keep the client's key order, metadata where it was.
  const pruned: Record<string, Json> = {}
  for (const key of Object.keys(obj)) {
    if (key === 'metadata') pruned.metadata = prunedMeta
    else if (Object.hasOwn(checked, key)) pruned[key] = checked[key]
  }
  return { unknownFields: [...checker.unknownFields].sort(), errors: checker.errors, pruned }
}
