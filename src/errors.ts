/**
 * @module
 * Typed errors. Each carries its HTTP status and a `reason` from one catalogue;
 * `src/http/on-error.ts` is the only place that renders them.
 */

/** Every `attributes.reason` the API can answer with. */
export const REASONS = {
  INVALID_SPEC: 'The request body is not a valid spec',
  MALFORMED_BODY: 'The request body could not be parsed',
  INVALID_QUERY: 'A query parameter has a value that is not allowed',
  BODY_TOO_LARGE: 'The request body is larger than allowed',
  HEADERS_TOO_LARGE: 'The request line and headers are larger than allowed',
  REQUEST_TIMEOUT: 'The request did not arrive in time',
  TOO_MANY_STREAMS: 'The server serves as many streams as it takes',
  UNSUPPORTED_MEDIA_TYPE: 'The request body has an unsupported content type',
  EXPERIMENT_NOT_FOUND: 'No experiment has that id',
  ENVIRONMENT_NOT_FOUND: 'No environment has that name',
  POD_NOT_FOUND: 'The experiment has no replica of that name',
  ENVIRONMENT_EXISTS: 'An environment with that name exists',
  TEMPLATE_NOT_FOUND: 'No experiment template has that name',
  TEMPLATE_EXISTS: 'An experiment template with that name exists',
  TEMPLATE_PARAMETERS: 'The parameters do not fit the template (illegal, unused or unmapped, or the result is no spec)',
  SPEC_CONFLICT: 'The change conflicts with the stored experiment',
  EXPERIMENT_FINISHED: 'The experiment has finished; it can no longer be changed or stopped',
  IDEMPOTENCY_KEY_REUSED: 'The Idempotency-Key was used before with a different request body',
  INVALID_HEADER: 'A request header has a value that is not allowed',
  ROUTE_NOT_FOUND: 'No such endpoint',
  METHOD_NOT_ALLOWED: 'The endpoint does not take that method',
  RUNTIME_REJECTED: 'The runtime refused the job',
  RUNTIME_UNAVAILABLE: 'The runtime cannot be reached',
  UNAUTHENTICATED: 'The request carries no valid token',
  FORBIDDEN: 'The token may not do this (it is read-only)',
  CROSS_ORIGIN: 'A web page on another origin may not send this request',
  MISDIRECTED_REQUEST: 'The Host header does not name this server',
  STORAGE_FAILED: 'The change could not be made durable on disk',
  INTERNAL: 'Unexpected server error',
} as const

export type Reason = keyof typeof REASONS

/** Base of every error the API renders. */
export abstract class AppError extends Error {
  abstract readonly status: number
  abstract readonly reason: Reason
  /** Extra facts for `attributes` (e.g. the field at fault). */
  readonly details: Record<string, unknown>
  /** Response headers the error needs (e.g. `WWW-Authenticate` on a 401). */
  readonly headers: Readonly<Record<string, string>> = {}

  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.details = options?.details ?? {}
  }
}

/** 400: the body parsed but is not a valid spec; the message names the field. */
export class ValidationError extends AppError {
  readonly status = 400
  readonly reason = 'INVALID_SPEC' as const
}

/** 400: a query parameter is not valid; the message names it. */
export class InvalidQueryError extends AppError {
  readonly status = 400
  readonly reason = 'INVALID_QUERY' as const
}

/** 400: the body is not JSON/YAML. */
export class MalformedBodyError extends AppError {
  readonly status = 400
  readonly reason = 'MALFORMED_BODY' as const
}

/** 413 */
export class BodyTooLargeError extends AppError {
  readonly status = 413
  readonly reason = 'BODY_TOO_LARGE' as const
}

/** 431: the request line and headers are over the limit; the message says which limit. */
export class HeadersTooLargeError extends AppError {
  readonly status = 431
  readonly reason = 'HEADERS_TOO_LARGE' as const
}

/** 408: the body did not arrive within the request timeout. */
export class RequestTimeoutError extends AppError {
  readonly status = 408
  readonly reason = 'REQUEST_TIMEOUT' as const
}

/** 429: every stream slot of the server is taken. */
export class TooManyStreamsError extends AppError {
  readonly status = 429
  readonly reason = 'TOO_MANY_STREAMS' as const
}

/** 415 */
export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415
  readonly reason = 'UNSUPPORTED_MEDIA_TYPE' as const
}

/** 404 with a reason naming what was missing. */
export class NotFoundError extends AppError {
  readonly status = 404
  constructor(
    readonly reason:
      | 'EXPERIMENT_NOT_FOUND'
      | 'ENVIRONMENT_NOT_FOUND'
      | 'POD_NOT_FOUND'
      | 'ROUTE_NOT_FOUND'
      | 'TEMPLATE_NOT_FOUND',
    message: string,
  ) {
    super(message)
  }
}

/**
 * 400: a template of that name exists. Submarine answers a duplicate template name with
 * 400 (not 409, as for environments); periscope keeps its status.
 */
export class TemplateExistsError extends AppError {
  readonly status = 400
  readonly reason = 'TEMPLATE_EXISTS' as const
}

/**
 * 400: substituting a template's parameters failed (Submarine's messages: illegal,
 * unused or unmapped keys, or a mapping that is no experiment spec).
 */
export class TemplateParameterError extends AppError {
  readonly status = 400
  readonly reason = 'TEMPLATE_PARAMETERS' as const
}

/** 400: a request header is not valid; the message names it. */
export class InvalidHeaderError extends AppError {
  readonly status = 400
  readonly reason = 'INVALID_HEADER' as const
}

/**
 * 422: an Idempotency-Key sent again with a different body. Submarine's JAX-RS API never
 * answers 422; it is the status the IETF idempotency-key draft gives this case, and unlike a
 * 409 it cannot be mistaken for a conflict with the stored experiment.
 */
export class IdempotencyKeyReusedError extends AppError {
  readonly status = 422
  readonly reason = 'IDEMPOTENCY_KEY_REUSED' as const
}

/** 405 */
export class MethodNotAllowedError extends AppError {
  readonly status = 405
  readonly reason = 'METHOD_NOT_ALLOWED' as const
}

/** 409 */
export class ConflictError extends AppError {
  readonly status = 409
  constructor(
    readonly reason: 'ENVIRONMENT_EXISTS' | 'SPEC_CONFLICT' | 'EXPERIMENT_FINISHED',
    message: string,
  ) {
    super(message)
  }
}

/**
 * The runtime refused the job for good (admission webhook, schema validation, RBAC):
 * retrying the same job will not help. `status` is the HTTP status to answer with.
 */
export class RuntimeRejectedError extends AppError {
  readonly reason = 'RUNTIME_REJECTED' as const
  constructor(
    message: string,
    readonly status: 400 | 403 | 409 = 400,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** The runtime cannot be reached or answered 5xx: the job waits and is retried. */
export class RuntimeUnavailableError extends AppError {
  readonly status = 503
  readonly reason = 'RUNTIME_UNAVAILABLE' as const
}

/** 401: no token, or one that is not (or no longer) valid; says how to send one. */
export class UnauthenticatedError extends AppError {
  readonly status = 401
  readonly reason = 'UNAUTHENTICATED' as const
  override readonly headers: Readonly<Record<string, string>>

  constructor(message: string, invalidToken: boolean) {
    super(message)
    // RFC 6750 §3: the scheme, and `invalid_token` when a token was sent but refused.
    this.headers = {
      'www-authenticate': invalidToken ? 'Bearer realm="periscope", error="invalid_token"' : 'Bearer realm="periscope"',
    }
  }
}

/** 403: a valid token that may not do this (a read-only token writing). */
export class ForbiddenError extends AppError {
  readonly status = 403
  readonly reason = 'FORBIDDEN' as const
}

/** 403: a write (or a preflight) from a web page on an origin this server does not trust. */
export class CrossOriginError extends AppError {
  readonly status = 403
  readonly reason = 'CROSS_ORIGIN' as const
}

/** 421: the Host header names some other server (a DNS-rebinding page, or a misrouted request). */
export class MisdirectedRequestError extends AppError {
  readonly status = 421
  readonly reason = 'MISDIRECTED_REQUEST' as const
}

/**
 * 503: the change was committed but the fsync that makes it durable failed (a disk
 * error): it may not survive a power cut. Retrying a create may create it twice.
 */
export class StorageFailedError extends AppError {
  readonly status = 503
  readonly reason = 'STORAGE_FAILED' as const
}

/** Text for anything thrown: an error's message, a string as it is, else its JSON or `String` form. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message
  if (typeof err === 'string') return err
  try {
    return JSON.stringify(err) ?? String(err)
  } catch {
    return String(err)
  }
}
