/**
 * @module
 * Parses a task's `resources` string (`cpu=1,memory=1024M,nvidia.com/gpu=1`) into
 * Submarine's `resourceMap` and the runtime-neutral {@link Resources}.
 */
import { ValidationError } from '../errors.ts'
import type { Resources } from '../runtime/job.ts'

/** `resourceMap` keys in the order Submarine's Java HashMap writes them. */
const KEY_ORDER = ['memory', 'cpu', 'nvidia.com/gpu', 'gpu'] as const
type Key = (typeof KEY_ORDER)[number]

const PATTERNS: Record<Key, { re: RegExp; expected: string }> = {
  cpu: { re: /^(\d+(\.\d+)?|\d+m)$/, expected: 'a number of CPUs such as 1, 0.5 or 500m' },
  memory: { re: /^\d+(\.\d+)?([KMGT]i?)?$/, expected: 'a size such as 1024M, 2G, 512Mi or 1Gi' },
  'nvidia.com/gpu': { re: /^\d+$/, expected: 'a whole number of GPUs' },
  gpu: { re: /^\d+$/, expected: 'a whole number of GPUs' },
}

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
      throw new ValidationError(`Invalid experiment spec: ${field}: "${item}" is not a key=value item (e.g. cpu=1,memory=1024M,nvidia.com/gpu=1)`)
    }
    const key = item.slice(0, eq).trim() as Key
    const val = item.slice(eq + 1).trim()
    const pattern = PATTERNS[key]
    if (!pattern) {
      throw new ValidationError(`Invalid experiment spec: ${field}: unknown resource "${key}"; expected one of cpu, memory, nvidia.com/gpu, gpu`)
    }
    if (!pattern.re.test(val)) {
      throw new ValidationError(`Invalid experiment spec: ${field}: ${key}="${val}" is not ${pattern.expected}`)
    }
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
