/**
 * @module
 * Turns a parsed request body into the stored {@link ExperimentSpec}: checks what
 * the schema cannot (framework, task types, replica counts, resources, that an
 * image and a command exist), fills Submarine's defaults and nulls.
 */
import * as v from 'valibot'
import { NotFoundError, ValidationError } from '../errors.ts'
import { displayUrl, GIT_SCHEMES } from '../runtime/code-sync.ts'
import { type Framework, REPLICA_TYPES, type ReplicaType } from '../runtime/job.ts'
import type { CodeSpec, EnvironmentSpec, ExperimentSpec, TaskSpec } from './experiment.ts'
import { ExperimentInput } from './experiment-schema.ts'
import { parseResources } from './resources.ts'

/** What normalizing needs from the rest of the server. */
export interface NormalizeContext {
  /** The server's namespace; `meta.namespace` always shows it. */
  namespace: string
  /** A stored environment by name, or null. */
  findEnvironment(name: string): EnvironmentSpec | null
  /** Submarine lower-cases `meta.name` on create, not on patch. */
  lowerCaseName: boolean
}

const FRAMEWORKS = new Map<string, Framework>([
  ['tensorflow', 'TensorFlow'],
  ['pytorch', 'PyTorch'],
  ['xgboost', 'XGBoost'],
])
const MAX_REPLICAS = 1000
/**
 * Linux refuses to start a process when one argument or `NAME=value` string is 128 KiB
 * or more (MAX_ARG_STRLEN, counting its NUL) or all of them exceed ARG_MAX (E2BIG). The
 * command is one argument (`sh -c <cmd>`); the runtimes add their own variables, so the
 * user's part of a task is held well under ARG_MAX.
 */
export const MAX_EXEC_STRING_BYTES = 128 * 1024 - 1
export const MAX_EXEC_TOTAL_BYTES = 1024 * 1024

/** Refuses text no process can be started with: a NUL byte, or one string too large for exec. */
function checkExecString(field: string, what: string, value: string): number {
  if (value.includes('\0'))
    throw new ValidationError(
      `Invalid experiment spec: ${field}: ${what} contains a NUL byte, which no command or environment can hold`,
    )
  const bytes = Buffer.byteLength(value, 'utf8')
  if (bytes > MAX_EXEC_STRING_BYTES) {
    throw new ValidationError(
      `Invalid experiment spec: ${field}: ${what} is ${bytes} bytes; ` +
        `the operating system takes at most ${MAX_EXEC_STRING_BYTES} bytes (128 KiB - 1) in one argument or NAME=value`,
    )
  }
  return bytes
}

/** Checks a task's command and environment as it will be started; returns nothing, throws naming the field. */
function checkExec(task: {
  field: string
  cmd: string | null
  cmdField: string
  env: Record<string, string>
  envField: string
}): void {
  let total = task.cmd === null ? 0 : checkExecString(task.cmdField, 'the command', task.cmd)
  for (const [name, value] of Object.entries(task.env))
    total += checkExecString(`${task.envField}.${name}`, 'NAME=value', `${name}=${value}`) + 1
  if (total > MAX_EXEC_TOTAL_BYTES) {
    throw new ValidationError(
      `Invalid experiment spec: ${task.field}: the command and environment are ${total} bytes together; ` +
        `at most ${MAX_EXEC_TOTAL_BYTES} bytes (1 MiB) are taken`,
    )
  }
}

/** Renders valibot issues as one sentence naming each field and what was expected. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const parts = issues.slice(0, 5).map((issue) => {
    const path = v.getDotPath(issue) ?? '(body)'
    // raw_transform: an issue of a task or env var, passed on by `ownRecord`.
    if ((issue.type === 'strict_object' || issue.type === 'raw_transform') && issue.expected === 'never')
      return `${path} is not a known field (${issue.message})`
    if (issue.input === undefined) return `${path} is required (${issue.message})`
    return `${path}: ${issue.message}`
  })
  return `Invalid experiment spec: ${parts.join('; ')}`
}

/** The canonical framework for a name given in any case, or null. */
export function frameworkOf(name: string): Framework | null {
  return FRAMEWORKS.get(name.toLowerCase()) ?? null
}

/**
 * Validates and normalizes an experiment body.
 * @throws ValidationError (400) naming the field; NotFoundError (404) for an unknown stored environment
 */
export function normalizeSpec(body: unknown, ctx: NormalizeContext): ExperimentSpec {
  if (
    body === null ||
    body === undefined ||
    (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0)
  ) {
    throw new ValidationError('Invalid experiment spec.')
  }
  if (typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError('Invalid experiment spec: expected a JSON or YAML object with meta, environment and spec')
  const spec = (body as { spec?: unknown }).spec
  if (Array.isArray(spec))
    throw new ValidationError(
      'Invalid experiment spec: spec: expected an object mapping task types (e.g. Ps, Worker) to tasks, not a list',
    )
  const parsed = v.safeParse(ExperimentInput, body)
  if (!parsed.success) throw new ValidationError(describeIssues(parsed.issues))
  const input = parsed.output

  const framework = frameworkOf(input.meta.framework)
  if (!framework) {
    throw new ValidationError(
      `Invalid experiment spec: meta.framework: unsupported framework "${input.meta.framework}"; ` +
        'expected one of TensorFlow, PyTorch, XGBoost',
    )
  }
  const environment = writeEnvironment(input.environment)
  const stored = environment.name ? ctx.findEnvironment(environment.name) : null
  if (environment.name && !stored) throw new NotFoundError('ENVIRONMENT_NOT_FOUND', 'Environment not found.')

  const allowed = REPLICA_TYPES[framework]
  const tasks: Partial<Record<ReplicaType, TaskSpec>> = {}
  const keys = Object.keys(input.spec)
  if (keys.length === 0)
    throw new ValidationError(
      `Invalid experiment spec: spec: expected at least one task; ${framework} takes ${allowed.join(', ')}`,
    )
  for (const key of keys) {
    const task = input.spec[key]!
    const type = allowed.find((t) => t.toLowerCase() === key.toLowerCase())
    const field = `spec.${key}`
    if (!type)
      throw new ValidationError(
        `Invalid experiment spec: ${field}: unknown task type "${key}" for ${framework}; ` +
          `expected one of ${allowed.join(', ')}`,
      )
    if (tasks[type]) throw new ValidationError(`Invalid experiment spec: ${field}: task type ${type} is given twice`)
    const replicas = task.replicas ?? 1
    if (replicas < 1 || replicas > MAX_REPLICAS) {
      throw new ValidationError(
        `Invalid experiment spec: ${field}.replicas: ` +
          `expected a whole number from 1 to ${MAX_REPLICAS}, got ${replicas}`,
      )
    }
    const { resourceMap } = parseResources(task.resources, `${field}.resources`)
    if (!(task.cmd ?? input.meta.cmd))
      throw new ValidationError(
        `Invalid experiment spec: ${field}.cmd or meta.cmd is required (the command the task runs)`,
      )
    // Task values replace meta values (to-job.ts): check what the task will start with, naming where it came from.
    checkExec({
      field,
      cmd: task.cmd ?? input.meta.cmd ?? null,
      cmdField: task.cmd ? `${field}.cmd` : 'meta.cmd',
      env: task.envVars ?? input.meta.envVars ?? {},
      envField: task.envVars ? `${field}.envVars` : 'meta.envVars',
    })
    if (!(task.image ?? environment.image ?? stored?.dockerImage)) {
      throw new ValidationError(
        `Invalid experiment spec: ${field}.image, environment.image ` +
          'or a stored environment (environment.name) with a dockerImage is required',
      )
    }
    tasks[type] = {
      replicas,
      resources: task.resources ?? null,
      name: task.name ?? null,
      image: task.image ?? null,
      cmd: task.cmd ?? null,
      envVars: task.envVars ?? null,
      resourceMap,
    }
  }
  checkOperatorRules(framework, tasks)
  if (input.code) checkCode(input.code)

  return {
    meta: {
      experimentId: null,
      name: ctx.lowerCaseName ? input.meta.name.toLowerCase() : input.meta.name,
      namespace: ctx.namespace,
      framework: input.meta.framework,
      cmd: input.meta.cmd ?? null,
      envVars: input.meta.envVars ?? {},
      tags: input.meta.tags ?? [],
      ...(input.meta.activeDeadlineSeconds != null && { activeDeadlineSeconds: input.meta.activeDeadlineSeconds }),
    },
    environment,
    spec: tasks,
    experimentHandlerSpec: null,
    code: writeCode(input.code),
  }
}

/** A request's `environment` as the API writes it: every field, unset ones null. */
export function writeEnvironment(env: ExperimentInput['environment']): EnvironmentSpec {
  return {
    name: env?.name ?? null,
    dockerImage: env?.dockerImage ?? null,
    kernelSpec: env?.kernelSpec
      ? {
          name: env.kernelSpec.name ?? null,
          channels: env.kernelSpec.channels ?? [],
          condaDependencies: env.kernelSpec.condaDependencies ?? [],
          pipDependencies: env.kernelSpec.pipDependencies ?? [],
        }
      : null,
    description: env?.description ?? null,
    image: env?.image ?? null,
  }
}

/** A request's `code` as the API writes it (`git.branch` defaults to `main`, as Submarine's does). */
export function writeCode(code: ExperimentInput['code']): CodeSpec | null {
  if (!code) return null
  return {
    syncMode: code.syncMode ?? null,
    git: code.git
      ? {
          url: code.git.url,
          branch: code.git.branch || 'main',
          username: code.git.username ?? null,
          password: code.git.password ?? null,
          trustCerts: code.git.trustCerts ?? null,
        }
      : null,
  }
}

/** `http://, https://, git:// or ssh://`. */
function schemeList(): string {
  const all = GIT_SCHEMES.map((s) => `${s}://`)
  return `${all.slice(0, -1).join(', ')} or ${all.at(-1)}`
}

/**
 * What git can be asked to fetch: a URL of an allowed scheme, or scp-like `user@host:path`
 * (ssh); no local paths, `file://` or `ext::` (the Docker runtime clones on the server's host).
 */
function checkCode(code: NonNullable<ExperimentInput['code']>): void {
  const mode = (code.syncMode ?? 'git').toLowerCase()
  if (['hdfs', 'nfs', 's3'].includes(mode)) return // Submarine's modes that sync nothing
  if (!code.git)
    throw new ValidationError('Invalid experiment spec: code.git is required (url, branch, …) to sync code')
  const url = code.git.url.trim()
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/[^/]/.exec(url)?.[1]?.toLowerCase()
  const scpLike = !scheme && /^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:[^/]/.test(url)
  if (!(scheme && GIT_SCHEMES.includes(scheme)) && !scpLike)
    throw new ValidationError(
      `Invalid experiment spec: code.git.url: expected an ${schemeList()} URL or user@host:path, ` +
        `got "${displayUrl(url)}"`,
    )
  if (/[\s\0]/.test(url)) throw new ValidationError('Invalid experiment spec: code.git.url: must not contain spaces')
  const branch = code.git.branch
  if (branch && (branch.startsWith('-') || /[\s\0~^:?*[\\]|\.\.|@\{/.test(branch)))
    throw new ValidationError(
      `Invalid experiment spec: code.git.branch: "${branch}" is not a git branch name ` +
        '(no spaces, no leading -, none of ~ ^ : ? * [ \\ .. @{)',
    )
}

/** The training operator's admission rules (kubeflow-semantics.md §1.4), checked before anything runs. */
function checkOperatorRules(framework: Framework, tasks: Partial<Record<ReplicaType, TaskSpec>>): void {
  const fail = (msg: string) => {
    throw new ValidationError(`Invalid experiment spec: ${msg}`)
  }
  if (framework === 'TensorFlow') {
    if (tasks.Chief && tasks.Master) fail('spec: a TensorFlow experiment takes Chief or Master, not both')
    // The operator decides success by the Chief/Master, else the Workers: with neither the job never ends.
    if (!tasks.Worker && !tasks.Chief && !tasks.Master)
      fail(
        'spec: a TensorFlow experiment needs a Worker, Chief or Master task ' +
          '(with only Ps or Evaluator it can never finish)',
      )
    for (const t of ['Chief', 'Master'] as const)
      if ((tasks[t]?.replicas ?? 1) !== 1) fail(`spec.${t}.replicas: expected 1 (there is one ${t})`)
  } else {
    if (tasks.Master && tasks.Master.replicas !== 1)
      fail(`spec.Master.replicas: expected 1 (a ${framework} experiment has one Master)`)
    if (framework === 'XGBoost' && !tasks.Master) fail('spec.Master is required for an XGBoost experiment')
  }
}
