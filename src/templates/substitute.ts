/**
 * @module
 * Submarine 0.8's template substitution (submarine-templates.md, "Substitution"), rule by
 * rule in its order. Pure: the template's spec and parameters and the values given in, an
 * experiment body (not yet checked as an experiment) or a {@link TemplateParameterError} out.
 */
import * as v from 'valibot'
import { TemplateParameterError } from '../errors.ts'
import { ExperimentInput } from '../experiments/experiment-schema.ts'
import { describeIssues } from '../experiments/normalize-spec.ts'
import { type FlatEntry, flatten, pathOf, unflatten } from './flatten.ts'
import type { TemplateExperimentSpec, TemplateParam } from './template.ts'

/** What one substitution works on. */
export interface Substitution {
  spec: TemplateExperimentSpec
  /** The template's parameters, the appended `spec.<Task>.*` ones included. */
  declared: readonly TemplateParam[]
  /** The values given, by parameter name (the submitted `params`, or every default for a dry run). */
  values: ReadonlyMap<string, string>
}

/** A placeholder: `{{name}}`. */
const PLACEHOLDER = /\{\{(.+?)\}\}/g

/** The GPU items a task's `resources` keeps through substitution (Submarine drops them). */
const GPU_KEYS = ['nvidia.com/gpu', 'gpu'] as const

/** Names of the parameters appended for task `task`, as flat paths. */
export function taskParamNames(task: string) {
  return {
    replicas: pathOf(['spec', task, 'replicas']),
    cpu: pathOf(['spec', task, 'resourceMap', 'cpu']),
    memory: pathOf(['spec', task, 'resourceMap', 'memory']),
  }
}

const list = (keys: Iterable<string>) => `[${[...keys].join(', ')}]`

/**
 * The experiment body the template makes with `values`.
 * @throws TemplateParameterError with Submarine's message (illegal, unused, unmapped, mapping fail)
 */
export function substitute({ spec, declared, values }: Substitution): Record<string, unknown> {
  // 1. The spec written out, nulls left out, as flat paths.
  const flat = flatten(spec)
  const byPath = new Map(flat.map((e) => [e.path, e]))

  // 2. Every given name must be declared.
  const names = new Set(declared.map((p) => p.name))
  const illegal = [...values.keys()].filter((k) => !names.has(k))
  if (illegal.length > 0)
    throw new TemplateParameterError(
      `Parameters contains illegal key: ${list(illegal)}; the template declares ${[...names].join(', ') || 'none'}`,
      { details: { parameters: illegal } },
    )

  // 3. Defaults of parameters not given; a required one must be given, default or not.
  const P = new Map(values)
  const unmapped: string[] = []
  const requiredMissing: string[] = []
  for (const p of declared) {
    if (P.has(p.name)) continue
    if (p.required === 'true') requiredMissing.push(p.name)
    else P.set(p.name, p.value ?? '')
  }
  unmapped.push(...requiredMissing)

  // 4. Every value must be used somewhere.
  const unused = new Set(P.keys())

  // 5. Each task's resources rebuilt from its cpu and memory parameters, GPU items kept.
  for (const task of Object.keys(spec.spec)) rebuildResources(flat, byPath, task, P, values, unused)

  // 6. Placeholders: `{{x}}` takes the value of `<path>:x`, else of `x`.
  const replaced = new Set<FlatEntry>()
  for (const entry of flat) {
    if (typeof entry.value !== 'string') continue
    entry.value = entry.value.replace(PLACEHOLDER, (whole, x: string) => {
      for (const key of [`${entry.path}:${x}`, x]) {
        const value = P.get(key)
        if (value === undefined) continue
        unused.delete(key)
        replaced.add(entry)
        return value
      }
      unmapped.push(`${entry.path}:${x}`)
      return whole
    })
  }

  // 7. A parameter named after a path replaces the whole value there (where nothing was replaced).
  for (const entry of flat) {
    if (replaced.has(entry)) continue
    const value = P.get(entry.path)
    if (value === undefined) continue
    entry.value = value
    unused.delete(entry.path)
  }

  // 8. Unused values first, then unmapped placeholders and required parameters.
  if (unused.size > 0)
    throw new TemplateParameterError(
      `Parameters contains unused key: ${list(unused)}; each parameter must fill a {{placeholder}} ` +
        'or be named after a path of the spec (such as spec.Worker.replicas)',
      { details: { parameters: [...unused] } },
    )
  if (unmapped.length > 0) {
    const why =
      requiredMissing.length > 0
        ? `the required parameters ${requiredMissing.join(', ')} must be given`
        : 'each {{placeholder}} needs a declared parameter of its name'
    throw new TemplateParameterError(`Template contains unmapped value: ${list(unmapped)}; ${why}`, {
      details: { parameters: unmapped },
    })
  }

  // 9. Back to a spec, which must have an experiment's shape.
  const body = unflatten(flat)
  const parsed = v.safeParse(ExperimentInput, body)
  if (!parsed.success) {
    const reason = describeIssues(parsed.issues).replace(/^Invalid experiment spec: /, '')
    throw new TemplateParameterError(`Template mapping fail: ${reason}`)
  }
  return body
}

/**
 * Rule 5 for one task. periscope keeps the GPU items, and writes `cpu` and `memory` only
 * when the template's task has them or they were given: the appended default `"1"` of a
 * task without memory would otherwise become a limit of one byte.
 */
function rebuildResources(
  flat: FlatEntry[],
  byPath: Map<string, FlatEntry>,
  task: string,
  P: Map<string, string>,
  given: ReadonlyMap<string, string>,
  unused: Set<string>,
): void {
  const names = taskParamNames(task)
  const mapPath = (key: string) => pathOf(['spec', task, 'resourceMap', key])
  const items: string[] = []
  for (const [key, param] of [
    ['cpu', names.cpu],
    ['memory', names.memory],
  ] as const) {
    unused.delete(param)
    const had = byPath.get(mapPath(key))
    const value = P.get(param) ?? (had ? String(had.value) : undefined)
    if ((had || given.has(param)) && value !== undefined) items.push(`${key}=${value}`)
  }
  for (const key of GPU_KEYS) {
    const had = byPath.get(mapPath(key))
    if (!had) continue
    const param = mapPath(key)
    const value = P.get(param) ?? String(had.value)
    unused.delete(param)
    items.push(`${key}=${value}`)
  }
  if (items.length === 0) return
  const path = pathOf(['spec', task, 'resources'])
  const entry = byPath.get(path)
  if (entry) entry.value = items.join(',')
  else {
    const added: FlatEntry = { path, segments: ['spec', task, 'resources'], value: items.join(',') }
    flat.push(added)
    byPath.set(path, added)
  }
}
