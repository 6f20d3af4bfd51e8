/**
 * @module
 * Environments.
 */
import * as v from 'valibot'
import { EnvironmentInput } from '../../experiments/experiment-schema.ts'
import * as answer from '../answer-schemas.ts'
import { ENVIRONMENT, environmentName, type RouteDoc } from './route-doc.ts'

export const environmentRoutes: readonly RouteDoc[] = [
  {
    method: 'post',
    path: ENVIRONMENT,
    operationId: 'createEnvironment',
    tag: 'environment',
    summary: 'Store an environment',
    body: EnvironmentInput,
    result: answer.Environment,
    errors: { 400: ['INVALID_SPEC'], 409: ['ENVIRONMENT_EXISTS'] },
  },
  {
    method: 'get',
    path: ENVIRONMENT,
    operationId: 'listEnvironments',
    tag: 'environment',
    summary: 'List stored environments',
    result: v.array(answer.Environment),
    errors: {},
  },
  {
    method: 'get',
    path: `${ENVIRONMENT}/{name}`,
    operationId: 'getEnvironment',
    tag: 'environment',
    summary: 'Get a stored environment',
    params: [environmentName],
    result: answer.Environment,
    errors: { 404: ['ENVIRONMENT_NOT_FOUND'] },
  },
  {
    method: 'patch',
    path: `${ENVIRONMENT}/{name}`,
    operationId: 'patchEnvironment',
    tag: 'environment',
    summary: 'Replace a stored environment',
    params: [environmentName],
    body: EnvironmentInput,
    result: answer.Environment,
    errors: { 400: ['INVALID_SPEC'], 404: ['ENVIRONMENT_NOT_FOUND'], 409: ['ENVIRONMENT_EXISTS'] },
  },
  {
    method: 'delete',
    path: `${ENVIRONMENT}/{name}`,
    operationId: 'deleteEnvironment',
    tag: 'environment',
    summary: 'Delete a stored environment',
    params: [environmentName],
    result: answer.Environment,
    errors: { 404: ['ENVIRONMENT_NOT_FOUND'] },
  },
]
