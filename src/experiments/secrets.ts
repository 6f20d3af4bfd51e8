/**
 * @module
 * Credentials in an experiment spec, masked in every answer and restored from the stored
 * spec when a mask comes back. Pure: the stored spec keeps the real values and the runtime
 * is given them; only what the API shows is masked.
 *
 * A field is secret when it is `code.git.password`, or an env var (`meta.envVars`,
 * `spec.<task>.envVars`) whose name's last `_`-separated word is, ignoring case, one of
 * {@link SECRET_WORDS}: `GITHUB_TOKEN`, `DB_PASSWORD`, `AWS_SECRET_ACCESS_KEY`, `API_KEY`
 * and `PASSWORD` are secret; `TOKEN_FILE`, `KEYS` and `PASSWORD_HINT` are not.
 */
import { ValidationError } from '../errors.ts'
import type { ReplicaType } from '../runtime/job.ts'
import type { ExperimentSpec } from './experiment.ts'

/** What an answer shows in place of a secret value (an empty value is shown as it is). */
export const SECRET_MASK = '******'

/** Last words of env var names that hold credentials. */
export const SECRET_WORDS: ReadonlySet<string> = new Set(['PASSWORD', 'PASSWD', 'TOKEN', 'SECRET', 'KEY'])

/** Whether an env var of this name holds a credential (see the module comment for the rule). */
export function isSecretName(name: string): boolean {
  return SECRET_WORDS.has(name.slice(name.lastIndexOf('_') + 1).toUpperCase())
}

const mask = (value: string | null): string | null => (value ? SECRET_MASK : value)

function maskEnv(env: Record<string, string>): Record<string, string> {
  // fromEntries defines own properties: a name such as `__proto__` stays data.
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => [name, isSecretName(name) ? (mask(value) ?? value) : value]),
  )
}

/** A copy of `spec` with every secret value replaced by {@link SECRET_MASK}. */
export function maskSecrets(spec: ExperimentSpec): ExperimentSpec {
  const tasks: ExperimentSpec['spec'] = {}
  for (const [type, task] of Object.entries(spec.spec) as [
    ReplicaType,
    NonNullable<ExperimentSpec['spec'][ReplicaType]>,
  ][])
    tasks[type] = { ...task, envVars: task.envVars ? maskEnv(task.envVars) : task.envVars }
  const git = spec.code?.git
  return {
    ...spec,
    meta: { ...spec.meta, envVars: maskEnv(spec.meta.envVars) },
    spec: tasks,
    code: spec.code && { ...spec.code, git: git ? { ...git, password: mask(git.password) } : (git ?? null) },
  }
}

/**
 * Puts the stored values back where `incoming` (a normalized spec) carries the mask in a
 * secret field, so an answer sent back unchanged keeps the credentials. A mask is taken
 * from the same field of `stored` only (same env var name in the same `envVars`).
 * @param from the stored experiment's id, if there is one
 * @throws ValidationError naming the field, when a mask has no stored value to stand for
 */
export function restoreSecrets(incoming: ExperimentSpec, stored: ExperimentSpec | null, from: string | null): void {
  const restore = (field: string, value: string | null | undefined): string => {
    if (typeof value === 'string' && value !== SECRET_MASK) return value
    const why = from
      ? `experiment ${from} has no stored value for it`
      : 'the body names no stored experiment (meta.experimentId) to take it from'
    throw new ValidationError(
      `Invalid experiment spec: ${field} is "${SECRET_MASK}", the mask answers show in place of a secret, ` +
        `and ${why}; send the real value`,
    )
  }
  const restoreEnv = (field: string, env: Record<string, string>, old: Record<string, string> | null | undefined) => {
    for (const [name, value] of Object.entries(env)) {
      if (value !== SECRET_MASK || !isSecretName(name)) continue
      env[name] = restore(`${field}.${name}`, old && Object.hasOwn(old, name) ? old[name] : undefined)
    }
  }
  restoreEnv('meta.envVars', incoming.meta.envVars, stored?.meta.envVars)
  for (const [type, task] of Object.entries(incoming.spec) as [
    ReplicaType,
    NonNullable<ExperimentSpec['spec'][ReplicaType]>,
  ][]) {
    if (task.envVars) restoreEnv(`spec.${type}.envVars`, task.envVars, stored?.spec[type]?.envVars)
  }
  const git = incoming.code?.git
  if (git?.password === SECRET_MASK) git.password = restore('code.git.password', stored?.code?.git?.password)
}

/**
 * `text` (a runtime's message about this experiment) with the spec's secret values of
 * at least {@link MIN_REDACTED} characters masked: a refusal can quote the object it refused.
 */
export function maskText(text: string, spec: ExperimentSpec): string {
  let out = text
  for (const value of secretValues(spec)) if (value.length >= MIN_REDACTED) out = out.replaceAll(value, SECRET_MASK)
  return out
}

/** Secret values shorter than this are not masked in text: masking every "1" or "on" would garble it. */
export const MIN_REDACTED = 4

/** Every non-empty secret value in `spec` (for keeping them out of the server's log). */
export function secretValues(spec: ExperimentSpec): string[] {
  const values: string[] = []
  const fromEnv = (env: Record<string, string> | null) => {
    for (const [name, value] of Object.entries(env ?? {})) if (value && isSecretName(name)) values.push(value)
  }
  fromEnv(spec.meta.envVars)
  for (const task of Object.values(spec.spec)) fromEnv(task.envVars)
  if (spec.code?.git?.password) values.push(spec.code.git.password)
  return values
}
