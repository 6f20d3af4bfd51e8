/**
 * @module
 * A small structural validator for CRD `openAPIV3Schema`s, used by tests to check
 * built resources the way an API server does with `fieldValidation=Strict`: no
 * unknown fields (unless `x-kubernetes-preserve-unknown-fields`), right types,
 * enums, patterns, int32/int64 ranges and required fields. Test-only.
 */

/** The subset of a structural schema node that the training operator's CRDs use. */
export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean'
  format?: string
  properties?: Record<string, SchemaNode>
  additionalProperties?: SchemaNode | boolean
  items?: SchemaNode
  required?: string[]
  enum?: unknown[]
  pattern?: string
  nullable?: boolean
  anyOf?: SchemaNode[]
  'x-kubernetes-int-or-string'?: boolean
  'x-kubernetes-preserve-unknown-fields'?: boolean
}

interface Crd {
  spec: { names: { kind: string }; versions: Array<{ name: string; schema: { openAPIV3Schema: SchemaNode } }> }
}

/** Reads a CRD file and returns the schema of its first version (v1). */
export async function loadCrdSchema(path: string): Promise<{ kind: string; schema: SchemaNode }> {
  const parsed = Bun.YAML.parse(await Bun.file(path).text())
  const crd = (Array.isArray(parsed) ? parsed[0] : parsed) as Crd
  const version = crd.spec.versions[0]!
  return { kind: crd.spec.names.kind, schema: version.schema.openAPIV3Schema }
}

/** Every violation of `schema` by `value`, as `path: problem` lines; empty when valid. */
export function validateResource(schema: SchemaNode, value: unknown): string[] {
  const problems: string[] = []
  if (!isObject(value)) return ['<root>: must be an object']
  for (const [key, child] of Object.entries(value)) {
    // The root metadata is ObjectMeta, validated by the API server itself, not by the CRD.
    if (key === 'metadata') validateObjectMeta(child, 'metadata', problems)
    else if (!schema.properties?.[key]) problems.push(`${key}: unknown field`)
    else validate(schema.properties[key]!, child, key, problems)
  }
  for (const key of schema.required ?? []) if (!(key in value)) problems.push(`${key}: required`)
  return problems
}

function validate(schema: SchemaNode, value: unknown, path: string, problems: string[]): void {
  if (value === null) {
    if (!schema.nullable) problems.push(`${path}: must not be null`)
    return
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value === 'string') checkPattern(schema, value, path, problems)
    else if (!Number.isInteger(value)) problems.push(`${path}: must be an integer or a string`)
    return
  }
  if (schema.enum && !schema.enum.includes(value))
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`)
  switch (schema.type) {
    case 'object':
      return validateObject(schema, value, path, problems)
    case 'array':
      if (!Array.isArray(value)) return void problems.push(`${path}: must be an array`)
      for (const [i, item] of value.entries()) if (schema.items) validate(schema.items, item, `${path}[${i}]`, problems)
      return
    case 'string':
      if (typeof value !== 'string') return void problems.push(`${path}: must be a string`)
      checkPattern(schema, value, path, problems)
      if (schema.format === 'date-time' && Number.isNaN(Date.parse(value)))
        problems.push(`${path}: must be a date-time`)
      return
    case 'integer':
      if (!Number.isInteger(value)) return void problems.push(`${path}: must be an integer`)
      if (schema.format === 'int32' && ((value as number) < -(2 ** 31) || (value as number) >= 2 ** 31))
        problems.push(`${path}: out of int32 range`)
      return
    case 'number':
      if (typeof value !== 'number') problems.push(`${path}: must be a number`)
      return
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${path}: must be a boolean`)
      return
    case undefined:
      if (!schema['x-kubernetes-preserve-unknown-fields']) problems.push(`${path}: schema has no type`)
  }
}

function validateObject(schema: SchemaNode, value: unknown, path: string, problems: string[]): void {
  if (!isObject(value)) return void problems.push(`${path}: must be an object`)
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true
  for (const [key, child] of Object.entries(value)) {
    const at = `${path}.${key}`
    const known = schema.properties?.[key]
    if (known) validate(known, child, at, problems)
    else if (typeof schema.additionalProperties === 'object') validate(schema.additionalProperties, child, at, problems)
    else if (!preserve && schema.additionalProperties !== true) problems.push(`${at}: unknown field`)
  }
  for (const key of schema.required ?? []) if (!(key in value)) problems.push(`${path}.${key}: required`)
}

function checkPattern(schema: SchemaNode, value: string, path: string, problems: string[]): void {
  if (schema.pattern && !new RegExp(schema.pattern).test(value))
    problems.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`)
}

const OBJECT_META_STRINGS = ['name', 'namespace', 'generateName', 'uid', 'resourceVersion', 'creationTimestamp']
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

/** The parts of ObjectMeta a client sends on create, checked as the API server does. */
function validateObjectMeta(meta: unknown, path: string, problems: string[]): void {
  if (!isObject(meta)) return void problems.push(`${path}: must be an object`)
  for (const [key, value] of Object.entries(meta)) {
    const at = `${path}.${key}`
    if (OBJECT_META_STRINGS.includes(key)) {
      if (typeof value !== 'string') problems.push(`${at}: must be a string`)
      else if (key === 'name' && (!DNS_1123_SUBDOMAIN.test(value) || value.length > 253))
        problems.push(`${at}: not a DNS-1123 subdomain`)
    } else if (key === 'labels') {
      for (const [k, v] of Object.entries(isObject(value) ? value : {})) {
        if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v))
          problems.push(`${at}.${k}: invalid label value`)
      }
    } else if (key === 'annotations') {
      for (const [k, v] of Object.entries(isObject(value) ? value : {}))
        if (typeof v !== 'string') problems.push(`${at}.${k}: must be a string`)
    } else {
      problems.push(`${at}: unknown field`)
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
