import { describe, expect, test } from 'bun:test'
import { RuntimeRejectedError, RuntimeUnavailableError } from '../../src/errors.ts'
import {
  isAlreadyExists,
  isKindNotServed,
  isObjectNotFound,
  KubeApiError,
  kubeFailure,
  toRuntimeError,
} from './errors.ts'
import { kindOf } from './job-kinds.ts'

const tf = kindOf('TensorFlow')
const create = {
  verb: 'create' as const,
  resource: 'tfjobs.kubeflow.org',
  namespace: 'team-a',
  name: 'exp-1',
  kind: tf,
}
/** client-node's ApiException: `code`, and the body as the raw response text. */
class ApiException extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly body: unknown,
    readonly headers: Record<string, string>,
  ) {
    super(`HTTP-Code: ${code}\nMessage: ${message}\nBody: ${String(body)}`)
  }
}
const status = (code: number, reason: string, message: string, details: object = {}) => ({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  code,
  reason,
  message,
  details,
})

describe('kubeFailure', () => {
  test('reads an ApiException whose body is the raw Status text', () => {
    const err = new ApiException(
      409,
      'Unknown API Status Code!',
      JSON.stringify(status(409, 'AlreadyExists', 'tfjobs.kubeflow.org "exp-1" already exists', { name: 'exp-1' })),
      {},
    )
    expect(kubeFailure(err)).toMatchObject({ code: 409, message: 'tfjobs.kubeflow.org "exp-1" already exists' })
    expect(isAlreadyExists(err)).toBe(true)
  })

  test('reads a plain-text 404 body as a resource that is not served', () => {
    const err = new ApiException(404, 'x', '404 page not found', {})
    expect(isKindNotServed(err)).toBe(true)
    expect(isObjectNotFound(err)).toBe(false)
  })

  test('tells an object that does not exist from a CRD that is not installed', () => {
    const missing = new KubeApiError(
      404,
      status(404, 'NotFound', 'tfjobs.kubeflow.org "exp-1" not found', {
        name: 'exp-1',
        group: 'kubeflow.org',
        kind: 'tfjobs',
      }),
    )
    expect(isObjectNotFound(missing)).toBe(true)
    expect(isKindNotServed(missing)).toBe(false)
    const noCrd = new KubeApiError(404, status(404, 'NotFound', 'the server could not find the requested resource'))
    expect(isKindNotServed(noCrd)).toBe(true)
  })

  test('sees no HTTP status in transport errors, timeouts or watch errors without one', () => {
    expect(kubeFailure(Object.assign(new Error('Unable to connect'), { code: 'ConnectionRefused' })).code).toBeNull()
    expect(kubeFailure(new DOMException('timed out', 'TimeoutError')).code).toBeNull()
    expect(kubeFailure(Object.assign(new Error('Gone'), { statusCode: 410 })).code).toBe(410)
  })
})

describe('toRuntimeError', () => {
  test('says the operator is not installed, naming the kind, when its CRD is missing', () => {
    const err = toRuntimeError(
      new KubeApiError(404, status(404, 'NotFound', 'the server could not find the requested resource')),
      create,
    )
    expect(err).toBeInstanceOf(RuntimeUnavailableError)
    expect(err.message).toBe(
      'the Kubeflow training operator is not installed: ' +
        'kind TFJob (tfjobs.kubeflow.org) is not served by the API server',
    )
  })

  test('passes an admission webhook denial through as a 403 rejection', () => {
    const message =
      'admission webhook "validator.tfjob.training-operator.kubeflow.org" denied the request: ' +
      'spec.tfReplicaSpecs[Worker].template.spec.containers: Required value'
    const err = toRuntimeError(new KubeApiError(403, status(403, 'Forbidden', message)), create)
    expect(err).toBeInstanceOf(RuntimeRejectedError)
    expect(err.status).toBe(403)
    expect(err.message).toBe(message)
  })

  test('names the verb and resource of an RBAC refusal', () => {
    const message =
      'tfjobs.kubeflow.org is forbidden: User "system:serviceaccount:team-a:periscope" ' +
      'cannot create resource "tfjobs" in API group "kubeflow.org" in the namespace "team-a"'
    const err = toRuntimeError(new KubeApiError(403, status(403, 'Forbidden', message)), create)
    expect(err).toBeInstanceOf(RuntimeRejectedError)
    expect(err.status).toBe(403)
    expect(err.message).toBe(
      'the Kubernetes API server does not allow this server to create tfjobs.kubeflow.org "exp-1" ' +
        `in namespace "team-a" (RBAC): ${message}`,
    )
  })

  test('makes 5xx, 429, 401 and unreachable servers retryable', () => {
    for (const code of [500, 503, 504, 429, 401]) {
      expect(toRuntimeError(new KubeApiError(code, status(code, 'InternalError', 'boom')), create)).toBeInstanceOf(
        RuntimeUnavailableError,
      )
    }
    const refused = toRuntimeError(
      Object.assign(new Error('Unable to connect. Is the computer able to access the url?'), {
        code: 'ConnectionRefused',
      }),
      create,
    )
    expect(refused).toBeInstanceOf(RuntimeUnavailableError)
    expect(refused.message).toStartWith(
      'the Kubernetes API server cannot be reached (create tfjobs.kubeflow.org "exp-1" in namespace "team-a")',
    )
  })

  test('rejects invalid objects with 400 and conflicts with 409', () => {
    const invalid = toRuntimeError(
      new KubeApiError(422, status(422, 'Invalid', 'TFJob.kubeflow.org "exp-1" is invalid: spec.x: unknown field')),
      create,
    )
    expect(invalid).toBeInstanceOf(RuntimeRejectedError)
    expect(invalid.status).toBe(400)
    expect(invalid.message).toContain('spec.x: unknown field')
    const conflict = toRuntimeError(
      new KubeApiError(409, status(409, 'Conflict', 'the object has been modified')),
      create,
    )
    expect(conflict.status).toBe(409)
  })
})
