/**
 * @module
 * Every route the server answers, as data: path, method, summary, parameters, request
 * and answer schemas, error reasons, and which API-document example shows it. The
 * OpenAPI document is built from this table (`document.ts`); `test/api/openapi.test.ts`
 * checks it against the routes the Hono app registers, both ways.
 */
import * as v from 'valibot'
import type { Reason } from '../errors.ts'
import { STATUSES } from '../experiments/experiment.ts'
import { EnvironmentInput, ExperimentInput } from '../experiments/experiment-schema.ts'
import * as answer from './answer-schemas.ts'

/** One query or path parameter. */
export interface ParamDoc {
  name: string
  in: 'path' | 'query'
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
  tag: 'experiment' | 'environment' | 'server' | 'web'
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
const COUNT = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER))
const query = (name: string, description: string, schema: v.GenericSchema = v.string()): ParamDoc => ({
  name,
  in: 'query',
  description,
  schema,
})
const path = (name: string, description: string): ParamDoc => ({ name, in: 'path', description, schema: v.string() })

const experimentId = path('id', 'The experiment id, e.g. experiment-1647574374688-0002')
const environmentName = path('name', 'The environment name')
const statusFilter = query(
  'status',
  `Only experiments with this status (${STATUSES.join(', ')}; any case)`,
  v.picklist(STATUSES),
)

const EXPERIMENT = '/api/v1/experiment'
const WEB_PAGE =
  "The same HTML document at every page address (the browser code draws the view), under `Content-Security-Policy: default-src 'self'; frame-ancestors 'none'`."
const ENVIRONMENT = '/api/v1/environment'

/** Every route, in the order the document lists them. */
export const ROUTES: readonly RouteDoc[] = [
  {
    method: 'post',
    path: EXPERIMENT,
    operationId: 'createExperiment',
    tag: 'experiment',
    summary: 'Create an experiment',
    description:
      'Stores the experiment (Accepted) and hands it to the runtime. `environment` is an image, or `{"name": …}` of a stored environment.',
    body: ExperimentInput,
    result: answer.Experiment,
    errors: {
      400: ['INVALID_SPEC', 'RUNTIME_REJECTED'],
      403: ['RUNTIME_REJECTED'],
      404: ['ENVIRONMENT_NOT_FOUND'],
      409: ['RUNTIME_REJECTED'],
    },
    examples: [
      'Create Experiment (Using Anonymous/Embedded Environment)',
      'Create Experiment (Using Pre-defined/Stored Environment)',
    ],
  },
  {
    method: 'get',
    path: EXPERIMENT,
    operationId: 'listExperiments',
    tag: 'experiment',
    summary: 'List experiments',
    description: 'In creation order. `after` continues after an experiment at constant cost; `offset` skips.',
    params: [
      statusFilter,
      query('limit', 'At most this many experiments', COUNT),
      query('offset', 'Skip this many experiments first', COUNT),
      query('after', 'Continue after the experiment with this id'),
      query('name', 'Only experiments whose name contains this (ASCII letters in any case)'),
    ],
    result: v.array(answer.Experiment),
    errors: { 400: ['INVALID_QUERY'] },
    examples: ['List experiment'],
  },
  {
    method: 'get',
    path: `${EXPERIMENT}/ping`,
    operationId: 'ping',
    tag: 'experiment',
    summary: 'Check that the experiment API answers',
    result: v.literal('Pong'),
    errors: {},
  },
  {
    method: 'get',
    path: `${EXPERIMENT}/logs`,
    operationId: 'listExperimentLogs',
    tag: 'experiment',
    summary: 'List every experiment with its pods',
    description: 'Each pod with an empty `podLog`: this lists pods; `GET /api/v1/experiment/logs/{id}` reads lines.',
    params: [statusFilter],
    result: v.array(answer.ExperimentLog),
    errors: { 400: ['INVALID_QUERY'] },
    examples: ['List experiment Log'],
  },
  {
    method: 'get',
    path: `${EXPERIMENT}/logs/{id}`,
    operationId: 'getExperimentLog',
    tag: 'experiment',
    summary: "Read an experiment's logs",
    description:
      "Every replica's lines as the envelope; with `follow=true`, a stream of lines as they are printed (`text/event-stream` or `application/x-ndjson`, by the `Accept` header).",
    params: [
      experimentId,
      query('pod', 'Only this replica (<experimentId>-<type>-<index>)'),
      query('tailLines', 'Only the last N lines of each replica', COUNT),
      query('follow', 'Stream lines as they are printed instead of answering once', v.boolean()),
      query('sinceTime', 'Only lines printed at or after this time', v.pipe(v.string(), v.isoTimestamp())),
      query('sinceSeconds', 'Only lines printed in the last N seconds', COUNT),
      query('timestamps', 'Give each line its time', v.boolean()),
      query('cursor', 'Resume a stream after the record with this cursor'),
    ],
    result: answer.ExperimentLog,
    stream: { when: 'follow=true', record: answer.LogStreamRecord },
    errors: { 400: ['INVALID_QUERY'], 404: ['EXPERIMENT_NOT_FOUND', 'POD_NOT_FOUND'] },
    examples: ['Get experiment Log'],
  },
  {
    method: 'get',
    path: `${EXPERIMENT}/events`,
    operationId: 'streamExperimentEvents',
    tag: 'experiment',
    summary: 'Stream status changes',
    description: 'Every status change of every replica and experiment, as it happens, from the oldest kept.',
    params: [
      query('experimentId', 'Only this experiment'),
      query('after', 'Only events after this seq (resume)', COUNT),
    ],
    stream: { when: 'always', record: answer.ExperimentEvent },
    errors: { 400: ['INVALID_QUERY'], 404: ['EXPERIMENT_NOT_FOUND'] },
  },
  {
    method: 'get',
    path: `${EXPERIMENT}/{id}`,
    operationId: 'getExperiment',
    tag: 'experiment',
    summary: 'Get an experiment',
    params: [experimentId],
    result: answer.Experiment,
    errors: { 404: ['EXPERIMENT_NOT_FOUND'] },
    examples: ['Get experiment'],
  },
  {
    method: 'patch',
    path: `${EXPERIMENT}/{id}`,
    operationId: 'patchExperiment',
    tag: 'experiment',
    summary: "Replace an experiment's spec",
    description:
      'The whole spec is replaced; id, uid, status and times stay. The framework cannot change (409): create a new experiment instead.',
    params: [experimentId],
    body: ExperimentInput,
    result: answer.Experiment,
    errors: { 400: ['INVALID_SPEC'], 404: ['EXPERIMENT_NOT_FOUND', 'ENVIRONMENT_NOT_FOUND'], 409: ['SPEC_CONFLICT'] },
    examples: ['Patch experiment'],
  },
  {
    method: 'delete',
    path: `${EXPERIMENT}/{id}`,
    operationId: 'deleteExperiment',
    tag: 'experiment',
    summary: 'Delete an experiment',
    description: 'Answers the experiment as `Deleted` with its times null; its job is stopped and its logs removed.',
    params: [experimentId],
    result: answer.Experiment,
    errors: { 404: ['EXPERIMENT_NOT_FOUND'] },
    examples: ['Delete experiment'],
  },
  {
    method: 'post',
    path: `${EXPERIMENT}/{id}`,
    operationId: 'createExperimentFromTemplate',
    tag: 'experiment',
    summary: 'Create from a template (not supported)',
    description: 'Submarine creates an experiment from the template named in the path; periscope has no templates.',
    params: [path('id', 'The template name')],
    errors: { 404: ['ROUTE_NOT_FOUND'] },
    deprecated: true,
  },
  {
    method: 'get',
    path: `${EXPERIMENT}/tensorboard`,
    operationId: 'tensorboard',
    tag: 'experiment',
    summary: 'TensorBoard (not available)',
    description: "Submarine's web UI polls this; periscope runs no TensorBoard, so `available` is false.",
    result: answer.Unavailable,
    errors: {},
  },
  {
    method: 'get',
    path: `${EXPERIMENT}/mlflow`,
    operationId: 'mlflow',
    tag: 'experiment',
    summary: 'MLflow (not available)',
    description: "Submarine's web UI polls this; periscope runs no MLflow, so `available` is false.",
    result: answer.Unavailable,
    errors: {},
  },
  {
    method: 'get',
    path: `${EXPERIMENT}/artifacts/{id}`,
    operationId: 'listExperimentArtifacts',
    tag: 'experiment',
    summary: "An experiment's artifacts (always none)",
    description: 'periscope keeps no artifacts: an empty list for an experiment that exists.',
    params: [experimentId],
    result: v.array(v.string()),
    errors: { 404: ['EXPERIMENT_NOT_FOUND'] },
  },
  {
    method: 'post',
    path: '/api/param/selective',
    operationId: 'selectParams',
    tag: 'experiment',
    summary: "An experiment's tracked params (always none)",
    description: "Submarine's experiment tracking; periscope tracks nothing, so the list is empty.",
    body: answer.SelectiveQuery,
    result: v.array(v.unknown()),
    errors: { 400: ['INVALID_SPEC'] },
  },
  {
    method: 'post',
    path: '/api/metric/selective',
    operationId: 'selectMetrics',
    tag: 'experiment',
    summary: "An experiment's tracked metrics (always none)",
    description: "Submarine's experiment tracking; periscope tracks nothing, so the list is empty.",
    body: answer.SelectiveQuery,
    result: v.array(v.unknown()),
    errors: { 400: ['INVALID_SPEC'] },
  },
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
  {
    method: 'get',
    path: '/',
    operationId: 'webHome',
    tag: 'web',
    summary: 'The web page: the experiment list',
    description: WEB_PAGE,
    rawResult: 'html',
    errors: {},
  },
  {
    method: 'get',
    path: '/experiments',
    operationId: 'webExperiments',
    tag: 'web',
    summary: 'The web page: the experiment list',
    description: WEB_PAGE,
    rawResult: 'html',
    errors: {},
  },
  {
    method: 'get',
    path: '/experiments/{id}',
    operationId: 'webExperiment',
    tag: 'web',
    summary: "The web page: one experiment's detail",
    description: WEB_PAGE,
    params: [path('id', 'The experiment id')],
    rawResult: 'html',
    errors: {},
  },
  {
    method: 'get',
    path: '/create',
    operationId: 'webCreate',
    tag: 'web',
    summary: 'The web page: create an experiment',
    description: WEB_PAGE,
    rawResult: 'html',
    errors: {},
  },
  {
    method: 'get',
    path: '/environments',
    operationId: 'webEnvironments',
    tag: 'web',
    summary: 'The web page: environments',
    description: WEB_PAGE,
    rawResult: 'html',
    errors: {},
  },
  {
    method: 'get',
    path: '/ui/{file}',
    operationId: 'webFile',
    tag: 'web',
    summary: "The web page's script, style or icon",
    description: 'Embedded in the binary; gzipped when the browser accepts it; cached for good when `?v=` is its hash.',
    params: [path('file', '`app.js`, `app.css` or `icon.svg`')],
    rawResult: 'asset',
    errors: { 404: ['ROUTE_NOT_FOUND'] },
  },
]
