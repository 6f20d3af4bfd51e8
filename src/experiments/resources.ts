/**
 * @module
 * Parses a task's `resources` string (`cpu=1,memory=1024M,nvidia.com/gpu=1`) into
 * Submarine's `resourceMap` and the runtime-neutral {@link Resources}.
 */
import { ValidationError } from '../errors.ts'
import type { Resources } from '../runtime/job.ts'
import { isQuantity, parseRequest } from '../runtime/quantity.ts'

/** `resourceMap` keys in the order Submarine's Java HashMap writes them. */
const KEY_ORDER = ['memory', 'cpu', 'nvidia.com/gpu', 'gpu'] as const
type Key = (typeof KEY_ORDER)[number]

/** Why a value is refused, or null; Kubernetes quantities for cpu and memory, whole numbers for GPUs. */
const quantity =
  (expected: string) =>
  (value: string): string | null => {
    const q = parseRequest(value)
    return isQuantity(q) ? null : `${q.error}; expected ${expected}`
  }
const wholeGpus = (value: string): string | null =>
  /^\d+$/.test(value) && Number(value) <= MAX_GPUS ? null : `is not a whole number of GPUs from 0 to ${MAX_GPUS}`
/** Far above any host, and small enough to be exact wherever a count is sent. */
const MAX_GPUS = 2 ** 31 - 1
const CHECKS = new Map<string, (value: string) => string | null>([
  ['cpu', quantity('a Kubernetes quantity of CPUs such as 1, 0.5 or 500m')],
  ['memory', quantity('a Kubernetes quantity of bytes such as 1024M, 2G, 512Mi or 1Gi')],
  ['nvidia.com/gpu', wholeGpus],
  ['gpu', wholeGpus],
])

export interface ParsedResources {
  resourceMap: Record<string, string>
  resources: Resources
}

/**
 * Parses `resources`; `field` names it in error messages (`spec.Worker.resources`).
 * @throws ValidationError naming the bad item and what was expected
 */
export function parseResources(value: string | null | undefined, field: string): ParsedResources {
  const found = new Map<Key, string>()
  for (const raw of (value ?? '').split(',')) {
    const item = raw.trim()
    if (!item) continue
    const eq = item.indexOf('=')
    if (eq <= 0 || eq === item.length - 1) {
      throw new ValidationError(
        `Invalid experiment spec: ${field}: "${item}" is not a key=value item ` +
          '(e.g. cpu=1,memory=1024M,nvidia.com/gpu=1)',
      )
    }
    const key = item.slice(0, eq).trim() as Key
    const val = item.slice(eq + 1).trim()
    const check = CHECKS.get(key)
    if (!check) {
      throw new ValidationError(
        `Invalid experiment spec: ${field}: unknown resource "${key}"; ` +
          'expected one of cpu, memory, nvidia.com/gpu, gpu',
      )
    }
    const problem = check(val)
    if (problem) throw new ValidationError(`Invalid experiment spec: ${field}: ${key}="${val}" ${problem}`)
    found.set(key, val)
  }
  const resourceMap: Record<string, string> = {}
  for (const key of KEY_ORDER) {
    const val = found.get(key)
    if (val !== undefined) resourceMap[key] = val
  }
  const gpu = found.get('nvidia.com/gpu') ?? found.get('gpu')
  const resources: Resources = {}
  if (found.has('cpu')) resources.cpu = found.get('cpu')
  if (found.has('memory')) resources.memory = found.get('memory')
  if (gpu !== undefined && Number(gpu) > 0) resources.gpu = Number(gpu)
  return { resourceMap, resources }
}

/**
 * `resourceMap` as Submarine derives it without checking anything: each `key=value` item
 * with exactly one `=` is kept (known keys in {@link KEY_ORDER}, then the rest as given).
 * For templates, whose resources may hold `{{placeholders}}`.
 */
export function lenientResourceMap(value: string | null | undefined): Record<string, string> {
  const found = new Map<string, string>()
  for (const item of (value ?? '').split(',')) {
    const parts = item.split('=')
    if (parts.length === 2) found.set(parts[0]!.trim(), parts[1]!.trim())
  }
  const known: readonly string[] = KEY_ORDER
  const entries = [
    ...KEY_ORDER.filter((key) => found.has(key)).map((key) => [key, found.get(key)!] as const),
    ...[...found].filter(([key]) => !known.includes(key)),
  ]
  // fromEntries makes own properties, so a key such as `__proto__` stays data.
  return Object.fromEntries(entries)
}
