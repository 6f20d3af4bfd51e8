/**
 * @module
 * The shape of one documented route, and the parameters and addresses the route tables share.
 */
import * as v from 'valibot'
import type { Reason } from '../../errors.ts'
import { FILTER_STATUSES } from '../../experiments/experiment.ts'

/** One query or path parameter. */
export interface ParamDoc {
  name: string
  in: 'path' | 'query' | 'header'
  description: string
  schema: v.GenericSchema
}

/** A streamed answer: one JSON record per SSE `data:` line or NDJSON line. */
export interface StreamDoc {
  /** When the answer is a stream rather than the JSON envelope. */
  when: string
  record: v.GenericSchema
}

/** One route. */
export interface RouteDoc {
  method: 'get' | 'post' | 'patch' | 'delete'
  /** OpenAPI form: `/api/v1/experiment/{id}`. */
  path: string
  operationId: string
  tag: 'experiment' | 'environment' | 'template' | 'auth' | 'server' | 'web'
  summary: string
  description?: string
  params?: ParamDoc[]
  /** The request body (JSON or YAML); read by `src/http/body.ts`. */
  body?: v.GenericSchema
  /** The envelope's `result` on success; absent when the route never succeeds. */
  result?: v.GenericSchema
  /** A success answer that is not the envelope: the OpenAPI document itself, the web page, its files. */
  rawResult?: 'openapi' | 'html' | 'asset'
  /** Streamed answers, besides (or instead of) the envelope. */
  stream?: StreamDoc
  /** Error answers by HTTP status. Body errors are added for routes with a body. */
  errors: Partial<Record<number, readonly Reason[]>>
  /** Headings of the examples in `test/fixtures/api-doc/` that show this route. */
  examples?: readonly string[]
  deprecated?: boolean
}

/** A whole number as `limit`, `offset` and `tailLines` take it (`src/api/experiments.ts`). */
export const COUNT = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER))
export const query = (name: string, description: string, schema: v.GenericSchema = v.string()): ParamDoc => ({
  name,
  in: 'query',
  description,
  schema,
})
export const path = (name: string, description: string): ParamDoc => ({
  name,
  in: 'path',
  description,
  schema: v.string(),
})

export const idempotencyKey: ParamDoc = {
  name: 'Idempotency-Key',
  in: 'header',
  description:
    'Makes the create safe to retry: the same key with the same body within 24 hours answers the experiment ' +
    'it made (header `Idempotent-Replayed: true`) and launches nothing; with a different body, 422',
  schema: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
}
export const experimentId = path('id', 'The experiment id, e.g. experiment-1647574374688-0002')
export const environmentName = path('name', 'The environment name')
export const statusFilter = query(
  'status',
  `Only experiments with this status (${FILTER_STATUSES.join(', ')}; any case; Deleted matches none)`,
  v.picklist(FILTER_STATUSES),
)

export const EXPERIMENT = '/api/v1/experiment'
export const WEB_PAGE =
  'The same HTML document at every page address (the browser code draws the view), ' +
  "under `Content-Security-Policy: default-src 'self'; frame-ancestors 'none'`."
export const ENVIRONMENT = '/api/v1/environment'
export const TEMPLATE = '/api/v1/template'
export const templateName = path('name', 'The template name')
