/**
 * Label and field selectors with the grammar of `k8s.io/apimachinery/pkg/labels` and `fields`:
 * `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, comma meaning AND.
 * @module
 */
import { badRequest } from './api-error.ts'
import type { KubeObject } from './types.ts'

/** One parsed label requirement. */
export interface LabelRequirement {
  key: string
  op: 'in' | 'notin' | 'exists' | '!exists' | '=' | '!=' | 'gt' | 'lt'
  values: string[]
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '(') depth++
    else if (ch === ')') depth--
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts.map((p) => p.trim()).filter((p) => p !== '')
}

const KEY = '[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?'
const VALUE = '([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?'

/**
 * Parses a label selector. Throws a 400 `ApiError` worded like the API server's on bad input.
 * @example parseLabelSelector('training.kubeflow.org/job-name=dist,!training.kubeflow.org/job-role')
 */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  return splitTopLevel(selector).map((part) => {
    const fail = () => badRequest(`unable to parse requirement: found '${part}', expected: valid label selector`)
    let m = new RegExp(`^!\\s*(${KEY})$`).exec(part)
    if (m) return { key: m[1] as string, op: '!exists', values: [] }
    m = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(part)
    if (m) {
      const values = (m[4] as string).split(',').map((v) => v.trim())
      if (!values.every((v) => new RegExp(`^${VALUE}$`).test(v))) throw fail()
      return { key: m[1] as string, op: m[3] as 'in' | 'notin', values }
    }
    m = new RegExp(`^(${KEY})\\s*(==|=|!=|>|<)\\s*(.*)$`).exec(part)
    if (m) {
      const value = m[4] as string
      if (!new RegExp(`^${VALUE}$`).test(value)) throw fail()
      const op = m[3] === '!=' ? '!=' : m[3] === '>' ? 'gt' : m[3] === '<' ? 'lt' : '='
      return { key: m[1] as string, op, values: [value] }
    }
    m = new RegExp(`^(${KEY})$`).exec(part)
    if (m) return { key: m[1] as string, op: 'exists', values: [] }
    throw fail()
  })
}

/** True when the labels satisfy every requirement. */
export function matchesLabels(
  requirements: readonly LabelRequirement[],
  labels: Record<string, string> | undefined,
): boolean {
  const l = labels ?? {}
  return requirements.every((r) => {
    const has = Object.hasOwn(l, r.key)
    const v = l[r.key]
    switch (r.op) {
      case 'exists':
        return has
      case '!exists':
        return !has
      case '=':
        return has && v === r.values[0]
      case '!=':
        return !has || v !== r.values[0]
      case 'in':
        return has && r.values.includes(v as string)
      case 'notin':
        return !has || !r.values.includes(v as string)
      case 'gt':
        return has && Number(v) > Number(r.values[0])
      case 'lt':
        return has && Number(v) < Number(r.values[0])
      default:
        return false
    }
  })
}

/** One parsed field requirement. */
export interface FieldRequirement {
  field: string
  negate: boolean
  value: string
}

/** Field selectors each resource supports, beyond `metadata.name` and `metadata.namespace`. */
const EXTRA_FIELDS: Record<string, Record<string, (o: KubeObject) => string | undefined>> = {
  pods: {
    'status.phase': (o) => o.status?.phase,
    'spec.nodeName': (o) => o.spec?.nodeName ?? '',
    'spec.restartPolicy': (o) => o.spec?.restartPolicy,
  },
  events: {
    'involvedObject.name': (o) => o.involvedObject?.name,
    'involvedObject.kind': (o) => o.involvedObject?.kind,
    'involvedObject.namespace': (o) => o.involvedObject?.namespace,
    'involvedObject.uid': (o) => o.involvedObject?.uid,
    reason: (o) => o.reason,
    type: (o) => o.type,
  },
}

/**
 * Parses a field selector for a resource. Unsupported fields get the API server's 400: for custom
 * resources only `metadata.name` and `metadata.namespace` exist.
 */
export function parseFieldSelector(selector: string, plural: string, custom: boolean): FieldRequirement[] {
  return splitTopLevel(selector).map((part) => {
    const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(part)
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`)
    const field = m[1] as string
    if (!(field in fieldGetters(plural))) {
      throw badRequest(
        custom
          ? `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`
          : `field label not supported: ${field}`,
      )
    }
    return { field, negate: m[2] === '!=', value: m[3] as string }
  })
}

function fieldGetters(plural: string): Record<string, (o: KubeObject) => string | undefined> {
  return {
    'metadata.name': (o) => o.metadata.name,
    'metadata.namespace': (o) => o.metadata.namespace,
    ...(EXTRA_FIELDS[plural] ?? {}),
  }
}

/** True when the object satisfies every field requirement. */
export function matchesFields(requirements: readonly FieldRequirement[], plural: string, obj: KubeObject): boolean {
  const getters = fieldGetters(plural)
  return requirements.every((r) => {
    const actual = getters[r.field]?.(obj) ?? ''
    return r.negate ? actual !== r.value : actual === r.value
  })
}
