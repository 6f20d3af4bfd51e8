/**
 * @module
 * Kubernetes API failures as the server's typed errors. The client reports a
 * failure in several shapes depending on which layer raised it (`ApiException`
 * with a raw-text `body`, our own {@link KubeApiError}, a watch error with
 * `statusCode`, a fetch error with no HTTP status at all); {@link kubeFailure}
 * reads them all, {@link toRuntimeError} decides what the user is told.
 */
import { RuntimeRejectedError, RuntimeUnavailableError } from '../../src/errors.ts'
import { type JobKind, resourceName } from './job-kinds.ts'
import type { KubeStatus } from './kube-types.ts'

/** A non-2xx answer of the API server, with its `Status` body when it sent one. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly status: KubeStatus | null,
    message?: string,
  ) {
    super(message ?? status?.message ?? `the API server answered HTTP ${code}`)
    this.name = 'KubeApiError'
  }
}

/** No answer from the API server within the call's time limit (the connection may be open but silent). */
export class KubeTimeoutError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'KubeTimeoutError'
  }
}

/** What a failure says: the HTTP code (null when no answer came) and the Status body. */
export interface KubeFailure {
  code: number | null
  status: KubeStatus | null
  message: string
}

/** Reads any error the client or the transport throws. */
export function kubeFailure(err: unknown): KubeFailure {
  if (err instanceof KubeApiError) return { code: err.code, status: err.status, message: err.message }
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: unknown
    statusCode?: unknown
    body?: unknown
    message?: unknown
  }
  const message = typeof e.message === 'string' ? e.message : String(err)
  // DOMException (abort, timeout) carries a numeric `code` that is not an HTTP status.
  const raw =
    err instanceof DOMException
      ? null
      : typeof e.code === 'number'
        ? e.code
        : typeof e.statusCode === 'number'
          ? e.statusCode
          : null
  const code = raw !== null && raw >= 100 && raw < 600 ? raw : null
  if (code === null) return { code: null, status: null, message }
  const status = parseStatus(e.body)
  return { code, status, message: status?.message ?? message }
}

/** A `Status` from a body that may be an object, JSON text or plain text (`404 page not found`). */
export function parseStatus(body: unknown): KubeStatus | null {
  if (typeof body === 'object' && body !== null)
    return (body as KubeStatus).kind === 'Status' ? (body as KubeStatus) : null
  if (typeof body !== 'string' || body.trim() === '') return null
  try {
    const parsed = JSON.parse(body) as KubeStatus
    return parsed && parsed.kind === 'Status' ? parsed : null
  } catch {
    return { kind: 'Status', message: body.trim() }
  }
}

/** The HTTP code of a failure, or null when the API server was not reached. */
export function httpCode(err: unknown): number | null {
  return kubeFailure(err).code
}

/** True when a 404 names the object (it does not exist) rather than the resource type. */
export function isObjectNotFound(err: unknown): boolean {
  const f = kubeFailure(err)
  return f.code === 404 && f.status?.reason === 'NotFound' && !!f.status.details?.name
}

/** True when a 404 means the resource type itself is not served: the CRD is not installed. */
export function isKindNotServed(err: unknown): boolean {
  return httpCode(err) === 404 && !isObjectNotFound(err)
}

/** True for `AlreadyExists` on create. */
export function isAlreadyExists(err: unknown): boolean {
  const f = kubeFailure(err)
  return f.code === 409 && f.status?.reason === 'AlreadyExists'
}

/** Why the operator cannot run a kind: its CRD is missing. */
export function operatorNotInstalled(kind: JobKind): string {
  return (
    'the Kubeflow training operator is not installed: ' +
    `kind ${kind.kind} (${resourceName(kind)}) is not served by the API server`
  )
}

/** The call that failed, for messages. */
export interface KubeOperation {
  verb: 'create' | 'get' | 'list' | 'watch' | 'patch' | 'delete'
  /** `tfjobs.kubeflow.org`, `pods`, `pods/log`. */
  resource: string
  namespace: string
  name?: string
  /** Set for the training operator's kinds, so a 404 can say the CRD is missing. */
  kind?: JobKind
}

/**
 * The error to surface for a failed call: {@link RuntimeUnavailableError} when retrying
 * later can help (no answer, 5xx, 429, 401, CRD missing), {@link RuntimeRejectedError}
 * when this job will never be accepted as it is (webhook denial and RBAC with 403,
 * invalid or conflicting objects with 400/409).
 */
export function toRuntimeError(err: unknown, op: KubeOperation): RuntimeRejectedError | RuntimeUnavailableError {
  if (err instanceof RuntimeRejectedError || err instanceof RuntimeUnavailableError) return err
  const f = kubeFailure(err)
  const target = `${op.resource}${op.name ? ` "${op.name}"` : ''} in namespace "${op.namespace}"`
  const options = { cause: err }
  if (f.code === null)
    return new RuntimeUnavailableError(
      `the Kubernetes API server cannot be reached (${op.verb} ${target}): ${f.message}`,
      options,
    )
  if (f.code === 404 && op.kind && !isObjectNotFound(err))
    return new RuntimeUnavailableError(operatorNotInstalled(op.kind), options)
  if (f.code === 404)
    return new RuntimeRejectedError(
      `${op.kind?.kind ?? op.resource} "${op.name ?? ''}" does not exist in namespace "${op.namespace}"`,
      409,
      options,
    )
  if (f.code === 403) {
    if (/admission webhook/i.test(f.message)) return new RuntimeRejectedError(f.message, 403, options)
    return new RuntimeRejectedError(
      `the Kubernetes API server does not allow this server to ${op.verb} ${target} (RBAC): ${f.message}`,
      403,
      options,
    )
  }
  if (f.code === 401)
    return new RuntimeUnavailableError(
      `the Kubernetes API server did not accept this server's credentials (401): ${f.message}`,
      options,
    )
  if (f.code === 429 || f.code >= 500) {
    return new RuntimeUnavailableError(
      `the Kubernetes API server answered ${f.code}${f.status?.reason ? ` ${f.status.reason}` : ''} ` +
        `to ${op.verb} ${target}: ${f.message}`,
      options,
    )
  }
  if (f.code === 409) return new RuntimeRejectedError(f.message, 409, options)
  return new RuntimeRejectedError(
    `the Kubernetes API server refused to ${op.verb} ${target}: ${f.message}`,
    400,
    options,
  )
}
