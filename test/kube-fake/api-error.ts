/**
 * Errors the fake answers with, each rendered as a real `v1.Status` body with the exact messages of
 * the semantics doc §6. Handlers throw {@link ApiError}; the router turns it into a response.
 * @module
 */
import { qualifiedResource, type ResourceInfo } from './kinds.ts'
import type { KubeStatus, StatusDetails } from './types.ts'

/** An error that knows its `Status` body and extra response headers. */
export class ApiError extends Error {
  /** The body sent to the client. */
  readonly status: KubeStatus
  /** Extra headers, e.g. `Retry-After`. */
  readonly headers: Record<string, string>

  constructor(
    code: number,
    reason: string,
    message: string,
    details?: StatusDetails,
    headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    }
    this.headers = headers
  }

  /** The HTTP response for this error. */
  toResponse(): Response {
    return jsonResponse(this.status, this.status.code, this.headers)
  }
}

/** A JSON response with the content type the API server uses. */
export function jsonResponse(body: unknown, code = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: code,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}

type Resource = Pick<ResourceInfo, 'plural' | 'group'>

function resourceDetails(info: Resource, name?: string): StatusDetails {
  return { ...(name !== undefined ? { name } : {}), ...(info.group ? { group: info.group } : {}), kind: info.plural }
}

/** 404 `tfjobs.kubeflow.org "x" not found` / `pods "x" not found`. */
export function notFound(info: Resource, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(info)} "${name}" not found`, resourceDetails(info, name))
}

/** 404 for a path the server does not serve, e.g. a CRD that is not installed. */
export function resourceNotServed(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {})
}

/** 409 `tfjobs.kubeflow.org "x" already exists`. */
export function alreadyExists(info: Resource, name: string): ApiError {
  return new ApiError(
    409,
    'AlreadyExists',
    `${qualifiedResource(info)} "${name}" already exists`,
    resourceDetails(info, name),
  )
}

/** 409 Conflict on a stale `resourceVersion`. */
export function conflict(info: Resource, name: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(info)} "${name}": the object has been modified; ` +
      'please apply your changes to the latest version and try again',
    resourceDetails(info, name),
  )
}

/** One field error, as Kubernetes' `field.Error` prints it. */
export interface FieldError {
  /** Status cause reason, e.g. `FieldValueInvalid`. */
  reason: string
  /** Dotted path, e.g. `spec.runPolicy.backoffLimit`. */
  field: string
  /** The message without the field prefix, e.g. `Required value`. */
  message: string
}

/** Formats field errors the way `field.ErrorList.ToAggregate()` does. */
export function formatFieldErrors(errors: readonly FieldError[]): string {
  const parts = errors.map((e) => `${e.field}: ${e.message}`)
  return parts.length === 1 ? (parts[0] as string) : `[${parts.join(', ')}]`
}

/** 422 `TFJob.kubeflow.org "x" is invalid: <field>: <detail>` with `details.causes`. */
export function invalid(kind: string, group: string, name: string, errors: readonly FieldError[]): ApiError {
  const qualifiedKind = group ? `${kind}.${group}` : kind
  return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${formatFieldErrors(errors)}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: errors.map((e) => ({ reason: e.reason, message: e.message, field: e.field })),
  })
}

/** 400 BadRequest with a free message. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message)
}

/** 403 RBAC refusal worded like the authorizer's. */
export function forbidden(
  info: Resource,
  verb: string,
  resource: string,
  user: string,
  namespace: string | undefined,
  name?: string,
): ApiError {
  const subject = name !== undefined ? `${qualifiedResource(info)} "${name}"` : qualifiedResource(info)
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope'
  return new ApiError(
    403,
    'Forbidden',
    `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" ` +
      `in API group "${info.group}" ${scope}`,
    resourceDetails(info, name),
  )
}

/** 410 Expired for a watch from a resourceVersion older than the history kept. */
export function expired(requested: string, oldest: number): ApiError {
  return new ApiError(410, 'Expired', `too old resource version: ${requested} (${oldest})`)
}

/** 415 for patch types the server does not accept on custom resources. */
export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    'the body of the request was in an unknown format - ' +
      'accepted media types include: application/json-patch+json, application/merge-patch+json',
    { causes: [{ reason: 'UnexpectedServerResponse', message: `unsupported content type: ${contentType}` }] },
  )
}

/** 405 for verbs a route does not support. */
export function methodNotAllowed(method: string): ApiError {
  return new ApiError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${method})`,
  )
}

/** 401 for a missing or wrong bearer token. */
export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized')
}

const GENERIC: Record<number, [reason: string, message: string]> = {
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'Unauthorized'],
  403: ['Forbidden', 'forbidden: the server does not allow access to the requested resource'],
  404: ['NotFound', 'the server could not find the requested resource'],
  409: ['Conflict', 'the server reported a conflict'],
  410: ['Expired', 'the resource has expired'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  429: ['TooManyRequests', 'Too many requests, please try again later.'],
  500: ['InternalError', 'Internal error occurred: injected fault'],
  502: ['InternalError', 'Internal error occurred: bad gateway'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: ['Timeout', 'Timeout: request did not complete within requested timeout - context deadline exceeded'],
}

/** The Status the API server sends for an HTTP code with no more specific cause (fault injection). */
export function genericError(code: number): ApiError {
  const [reason, message] = GENERIC[code] ?? [
    'Unknown',
    `the server responded with the status code ${code} but did not return more information`,
  ]
  if (code === 429 || code === 503) {
    return new ApiError(code, reason, message, { retryAfterSeconds: 1 }, { 'Retry-After': '1' })
  }
  return new ApiError(code, reason, message, {})
}
