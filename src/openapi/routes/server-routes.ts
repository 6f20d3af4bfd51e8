import * as answer from '../answer-schemas.ts'
import type { RouteDoc } from './route-doc.ts'

export const serverRoutes: readonly RouteDoc[] = [
  {
    method: 'get',
    path: '/',
    operationId: 'landing',
    tag: 'server',
    summary: 'What this server is',
    description:
      'The API and the document’s addresses and the version; a ' +
      'small HTML page when the Accept header names text/html.',
    result: answer.Landing,
    errors: {},
  },
  {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    tag: 'server',
    summary: 'Whether the server runs',
    result: answer.Health,
    errors: {},
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'ready',
    tag: 'server',
    summary: 'Whether the runtime can take jobs',
    result: answer.Ready,
    errors: { 503: ['RUNTIME_UNAVAILABLE'] },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    tag: 'server',
    summary: 'This document',
    rawResult: 'openapi',
    errors: {},
  },
  {
    method: 'get',
    path: '/v1/openapi.json',
    operationId: 'openapiSubmarine',
    tag: 'server',
    summary: "This document, at Submarine's address",
    rawResult: 'openapi',
    errors: {},
  },
]
