/**
 * The training operator's validating webhook (semantics doc §1.4):
 * `validator.<kind>.training-operator.kubeflow.org`, denials as 403 Forbidden.
 * @module
 */
import { ApiError, type FieldError, formatFieldErrors } from './api-error.ts'
import { canonicalReplicaType, type JobKindInfo } from './kinds.ts'
import type { Json, KubeObject } from './types.ts'

const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/

/** The webhook's name for a kind, e.g. `validator.tfjob.training-operator.kubeflow.org`. */
export function webhookName(info: JobKindInfo): string {
  return `validator.${info.kind.toLowerCase()}.training-operator.kubeflow.org`
}

/** The denial the API server returns when the webhook refuses. */
export function webhookDenied(info: JobKindInfo, message: string): ApiError {
  return new ApiError(403, 'Forbidden', `admission webhook "${webhookName(info)}" denied the request: ${message}`)
}

/** Runs the webhook's checks; returns the field errors (empty when admitted). */
export function validateJob(info: JobKindInfo, job: KubeObject): FieldError[] {
  const errors: FieldError[] = []
  const add = (reason: string, field: string, message: string) => errors.push({ reason, field, message })
  const name = job.metadata?.name ?? ''
  if (!DNS1035.test(name)) {
    add(
      'FieldValueInvalid',
      'metadata.name',
      `Invalid value: "${name}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', ` +
        "start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', " +
        "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    )
  } else if (name.length > 63) {
    add('FieldValueInvalid', 'metadata.name', `Invalid value: "${name}": must be no more than 63 characters`)
  }
  const field = info.replicaSpecsField
  const specs: Record<string, Json> = job.spec?.[field] ?? {}
  if (Object.keys(specs).length === 0) {
    add('FieldValueRequired', `spec.${field}`, 'Required value: must be required')
    return errors
  }
  let chiefOrMaster = 0
  for (const [key, rs] of Object.entries(specs)) {
    const type = canonicalReplicaType(key)
    const path = `spec.${field}[${key}]`
    const containers: Json[] = rs?.template?.spec?.containers ?? []
    if (containers.length === 0)
      add('FieldValueRequired', `${path}.template.spec.containers`, 'Required value: must be specified')
    containers.forEach((c, i) => {
      if (!c?.image)
        add('FieldValueRequired', `${path}.template.spec.containers[${i}].image`, 'Required value: must be required')
    })
    if (containers.length > 0 && !containers.some((c) => c?.name === info.containerName)) {
      add(
        'FieldValueRequired',
        `${path}.template.spec.containers`,
        `Required value: must have at least one container with name ${info.containerName}`,
      )
    }
    const replicas = rs?.replicas
    if (info.plural === 'tfjobs' && (type === 'Chief' || type === 'Master')) {
      chiefOrMaster++
      if (replicas !== undefined && replicas !== 1)
        add('FieldValueForbidden', `${path}.replicas`, 'Forbidden: must be 1')
    }
    if (info.plural === 'pytorchjobs') {
      if (type !== 'Master' && type !== 'Worker')
        add(
          'FieldValueNotSupported',
          `spec.${field}`,
          `Unsupported value: "${key}": supported values: "Master", "Worker"`,
        )
      if (type === 'Master' && replicas !== undefined && replicas !== 1)
        add('FieldValueForbidden', `${path}.replicas`, 'Forbidden: must be 1')
      if (type === 'Worker' && replicas !== undefined && replicas < 1)
        add('FieldValueForbidden', `${path}.replicas`, 'Forbidden: must be at least 1')
    }
    if (info.plural === 'xgboostjobs' && type === 'Master' && replicas !== undefined && replicas !== 1) {
      add('FieldValueForbidden', `${path}.replicas`, 'Forbidden: must be 1')
    }
  }
  const types = Object.keys(specs).map(canonicalReplicaType)
  if (chiefOrMaster > 1)
    add('FieldValueForbidden', `spec.${field}`, 'Forbidden: must not have more than 1 Chief or Master role')
  if (info.plural === 'pytorchjobs' && job.spec?.elasticPolicy && !types.includes('Worker')) {
    add('FieldValueRequired', `spec.${field}[Worker]`, 'Required value: must be specified when elasticPolicy is set')
  }
  if (info.plural === 'xgboostjobs' && !types.includes('Master'))
    add('FieldValueRequired', `spec.${field}[Master]`, 'Required value: must be required')
  return errors
}

/** Throws the webhook's 403 when the job is refused. */
export function admit(info: JobKindInfo, job: KubeObject, injectedDenial?: string): void {
  if (injectedDenial !== undefined) throw webhookDenied(info, injectedDenial)
  const errors = validateJob(info, job)
  if (errors.length > 0) throw webhookDenied(info, formatFieldErrors(errors))
}
