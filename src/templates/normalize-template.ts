/**
 * @module
 * Turns a parsed template body into the stored {@link ExperimentTemplateSpec}: the experiment
 * spec written out like an experiment's (placeholders kept), the parameters as text with the
 * three per task appended, and the dry run that refuses a template whose parameters and
 * placeholders do not fit. Pure.
 */
import * as v from 'valibot'
import { ValidationError } from '../errors.ts'
import type { TaskSpec } from '../experiments/experiment.ts'
import { describeIssues, writeCode, writeEnvironment } from '../experiments/normalize-spec.ts'
import { lenientResourceMap } from '../experiments/resources.ts'
import { substitute, taskParamNames } from './substitute.ts'
import type { ExperimentTemplateSpec, TemplateExperimentSpec, TemplateParam } from './template.ts'
import { TemplateInput } from './template-schema.ts'

const invalid = (message: string) => new ValidationError(`Invalid experimentTemplate spec: ${message}`)

/**
 * Validates a template body, appends the task parameters and dry-runs the substitution
 * with every default.
 * @param namespace the server's namespace, which `meta.namespace` always shows
 * @throws ValidationError (400) naming the field; TemplateParameterError (400) from the dry run
 */
export function normalizeTemplate(body: unknown, namespace: string): ExperimentTemplateSpec {
  if (
    body === null ||
    body === undefined ||
    (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0)
  )
    throw new ValidationError('Invalid experimentTemplate spec.')
  if (typeof body !== 'object' || Array.isArray(body))
    throw invalid('expected a JSON or YAML object with name, parameters and experimentSpec')
  const parsed = v.safeParse(TemplateInput, body)
  if (!parsed.success)
    throw new ValidationError(
      describeIssues(parsed.issues).replace(/^Invalid experiment spec/, 'Invalid experimentTemplate spec'),
    )
  const input = parsed.output
  if (input.parameters && input.experimentTemplateParamSpec)
    throw invalid('give parameters or experimentTemplateParamSpec (another name for it), not both')

  const field = input.parameters ? 'parameters' : 'experimentTemplateParamSpec'
  const given = (input.parameters ?? input.experimentTemplateParamSpec ?? []).map(
    (p): TemplateParam => ({
      name: p.name,
      required: p.required?.toLowerCase() === 'true' ? 'true' : 'false',
      description: p.description ?? null,
      value: p.value ?? null,
    }),
  )
  const seen = new Set<string>()
  given.forEach((p, i) => {
    if (seen.has(p.name)) throw invalid(`${field}[${i}].name: "${p.name}" is declared twice`)
    seen.add(p.name)
  })
  const experimentSpec = writeTemplateSpec(input.experimentSpec, namespace)
  const parameters = withTaskParams(given, experimentSpec)
  substitute({
    spec: experimentSpec,
    declared: parameters,
    values: new Map(parameters.map((p) => [p.name, p.value ?? ''])),
  })
  return {
    name: input.name,
    author: input.author ?? null,
    description: input.description ?? null,
    parameters,
    experimentSpec,
  }
}

/** The template's experiment spec written out like an experiment's; task keys as given, nothing checked. */
function writeTemplateSpec(input: TemplateInput['experimentSpec'], namespace: string): TemplateExperimentSpec {
  const tasks = Object.entries(input.spec).map(([key, t]): [string, TaskSpec] => [
    key,
    {
      replicas: t.replicas ?? 1,
      resources: t.resources ?? null,
      name: t.name ?? null,
      image: t.image ?? null,
      cmd: t.cmd ?? null,
      envVars: t.envVars ?? null,
      resourceMap: lenientResourceMap(t.resources),
    },
  ])
  return {
    meta: {
      experimentId: null,
      name: input.meta.name,
      namespace,
      framework: input.meta.framework,
      cmd: input.meta.cmd ?? null,
      envVars: input.meta.envVars ?? {},
      tags: input.meta.tags ?? [],
    },
    environment: writeEnvironment(input.environment),
    // fromEntries: a task key such as `__proto__` stays data.
    spec: Object.fromEntries(tasks),
    experimentHandlerSpec: null,
    code: writeCode(input.code),
  }
}

/**
 * The declared parameters followed by three per task, in task order, each derived from the
 * spec (`required: "false"`, `description: ""`), as Submarine appends them. A given parameter
 * of one of those names (a template read back and sent again) is replaced, keeping its
 * `required` and `description`, so they neither pile up nor go stale.
 */
function withTaskParams(given: TemplateParam[], spec: TemplateExperimentSpec): TemplateParam[] {
  const derived = new Map<string, string>()
  for (const [task, t] of Object.entries(spec.spec)) {
    const names = taskParamNames(task)
    derived.set(names.replicas, String(t.replicas))
    derived.set(names.cpu, t.resourceMap.cpu ?? '1')
    derived.set(names.memory, t.resourceMap.memory ?? '1')
  }
  const kept = new Map(given.filter((p) => derived.has(p.name)).map((p) => [p.name, p]))
  return [
    ...given.filter((p) => !derived.has(p.name)),
    ...[...derived].map(([name, value]): TemplateParam => {
      const old = kept.get(name)
      return { name, required: old?.required ?? 'false', description: old?.description ?? '', value }
    }),
  ]
}
