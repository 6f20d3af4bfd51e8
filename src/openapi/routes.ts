/**
 * @module
 * Every route the server answers, as data: path, method, summary, parameters, request
 * and answer schemas, error reasons, and which API-document example shows it. The
 * OpenAPI document is built from this table (`document.ts`); `test/api/openapi.test.ts`
 * checks it against the routes the Hono app registers, both ways.
 */
import * as v from 'valibot'
import type { Reason } from '../errors.ts'
import { FILTER_STATUSES } from '../experiments/experiment.ts'
import { EnvironmentInput, ExperimentInput } from '../experiments/experiment-schema.ts'
import { TemplateInput, TemplateSubmitInput } from '../templates/template-schema.ts'
import * as answer from './answer-schemas.ts'

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
const COUNT = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER))
const query = (name: string, description: string, schema: v.GenericSchema = v.string()): ParamDoc => ({
  name,
  in: 'query',
  description,
  schema,
})
const path = (name: string, description: string): ParamDoc => ({ name, in: 'path', description, schema: v.string() })

const idempotencyKey: ParamDoc = {
  name: 'Idempotency-Key',
  in: 'header',
  description:
    'Makes the create safe to retry: the same key with the same body within 24 hours answers the experiment ' +
    'it made (header `Idempotent-Replayed: true`) and launches nothing; with a different body, 422',
  schema: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
}
const experimentId = path('id', 'The experiment id, e.g. experiment-1647574374688-0002')
const environmentName = path('name', 'The environment name')
const statusFilter = query(
  'status',
  `Only experiments with this status (${FILTER_STATUSES.join(', ')}; any case; Deleted matches none)`,
  v.picklist(FILTER_STATUSES),
)

const EXPERIMENT = '/api/v1/experiment'
const WEB_PAGE =
  'The same HTML document at every page address (the browser code draws the view), ' +
  "under `Content-Security-Policy: default-src 'self'; frame-ancestors 'none'`."
const ENVIRONMENT = '/api/v1/environment'
const TEMPLATE = '/api/v1/template'
const templateName = path('name', 'The template name')

/** Every route, in the order the document lists them. */
export const ROUTES: readonly RouteDoc[] = [
  {
    method: 'post',
    path: EXPERIMENT,
    operationId: 'createExperiment',
    tag: 'experiment',
    summary: 'Create an experiment',
    description:
      'Stores the experiment (Accepted) and hands it to the runtime. ' +
      '`environment` is an image, or `{"name": …}` of a stored environment.',
    params: [idempotencyKey],
    body: ExperimentInput,
    result: answer.Experiment,
    errors: {
      400: ['INVALID_SPEC', 'RUNTIME_REJECTED', 'INVALID_HEADER'],
      403: ['RUNTIME_REJECTED'],
      404: ['ENVIRONMENT_NOT_FOUND'],
      409: ['RUNTIME_REJECTED'],
      422: ['IDEMPOTENCY_KEY_REUSED'],
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
      "Every replica's lines as the envelope; with `follow=true`, a stream of lines as they " +
      'are printed (`text/event-stream` or `application/x-ndjson`, by the `Accept` header).',
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
      'The whole spec is replaced; id, uid, status and times stay. The framework cannot change, and a finished ' +
      'experiment keeps the spec it ran with (409): create a new experiment instead.',
    params: [experimentId],
    body: ExperimentInput,
    result: answer.Experiment,
    errors: {
      400: ['INVALID_SPEC'],
      404: ['EXPERIMENT_NOT_FOUND', 'ENVIRONMENT_NOT_FOUND'],
      409: ['SPEC_CONFLICT', 'EXPERIMENT_FINISHED'],
    },
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
    path: `${EXPERIMENT}/{id}/stop`,
    operationId: 'stopExperiment',
    tag: 'experiment',
    summary: 'Stop an experiment',
    description:
      'Ends an experiment that has not finished (Accepted ones are never launched): answered at once as `Failed`, ' +
      'with `finishedTime` and a `statusMessage` saying when it was stopped; the replicas then get SIGTERM, ' +
      'SIGKILL after the grace period, and their logs are kept. A finished experiment is a 409.',
    params: [experimentId],
    result: answer.Experiment,
    errors: { 404: ['EXPERIMENT_NOT_FOUND'], 409: ['EXPERIMENT_FINISHED'] },
  },
  {
    method: 'post',
    path: `${EXPERIMENT}/{id}`,
    operationId: 'createExperimentFromTemplate',
    tag: 'template',
    summary: 'Create an experiment from a template',
    description:
      "Substitutes `params` into the template named in the path (Submarine's rules) and " +
      'creates the experiment that makes, answering exactly as `POST /api/v1/experiment` does.',
    params: [path('id', 'The template name')],
    body: TemplateSubmitInput,
    result: answer.Experiment,
    errors: {
      400: ['INVALID_SPEC', 'TEMPLATE_PARAMETERS', 'RUNTIME_REJECTED'],
      403: ['RUNTIME_REJECTED'],
      404: ['TEMPLATE_NOT_FOUND', 'ENVIRONMENT_NOT_FOUND'],
      409: ['RUNTIME_REJECTED'],
    },
  },
  {
    method: 'post',
    path: TEMPLATE,
    operationId: 'createTemplate',
    tag: 'template',
    summary: 'Store an experiment template',
    description:
      'Appends `spec.<Task>.replicas`, `.resourceMap.cpu` and ' +
      '`.resourceMap.memory` per task to the parameters, and refuses a template ' +
      'whose parameters and placeholders do not fit (a dry run with every default).',
    body: TemplateInput,
    result: answer.ExperimentTemplate,
    errors: { 400: ['INVALID_SPEC', 'TEMPLATE_PARAMETERS', 'TEMPLATE_EXISTS'] },
  },
  {
    method: 'get',
    path: TEMPLATE,
    operationId: 'listTemplates',
    tag: 'template',
    summary: 'List experiment templates',
    description: 'In creation order, each with `experimentTemplateId: null`.',
    result: v.array(answer.ExperimentTemplate),
    errors: {},
  },
  {
    method: 'get',
    path: `${TEMPLATE}/{name}`,
    operationId: 'getTemplate',
    tag: 'template',
    summary: 'Get an experiment template',
    params: [templateName],
    result: answer.ExperimentTemplate,
    errors: { 404: ['TEMPLATE_NOT_FOUND'] },
  },
  {
    method: 'patch',
    path: `${TEMPLATE}/{name}`,
    operationId: 'patchTemplate',
    tag: 'template',
    summary: 'Replace an experiment template',
    description: 'The whole template is replaced (its name may change); answers as create does, with a new id.',
    params: [templateName],
    body: TemplateInput,
    result: answer.ExperimentTemplate,
    errors: { 400: ['INVALID_SPEC', 'TEMPLATE_PARAMETERS', 'TEMPLATE_EXISTS'], 404: ['TEMPLATE_NOT_FOUND'] },
  },
  {
    method: 'delete',
    path: `${TEMPLATE}/{name}`,
    operationId: 'deleteTemplate',
    tag: 'template',
    summary: 'Delete an experiment template',
    params: [templateName],
    result: answer.ExperimentTemplate,
    errors: { 404: ['TEMPLATE_NOT_FOUND'] },
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
    method: 'post',
    path: '/api/auth/login',
    operationId: 'login',
    tag: 'auth',
    summary: "Log in (Submarine's web UI)",
    description:
      'The password is a periscope token or its MD5 hex digest; `result.token` is what to send as ' +
      '`Authorization: Bearer` from then on. With auth off, any login succeeds.',
    body: answer.LoginRequest,
    result: answer.Login,
    errors: { 400: ['INVALID_SPEC'], 401: ['UNAUTHENTICATED'] },
  },
  {
    method: 'post',
    path: '/api/auth/token',
    operationId: 'token',
    tag: 'auth',
    summary: "Get a bearer token (Submarine's integration tests)",
    description: 'Like login, answering the token alone.',
    body: answer.LoginRequest,
    result: v.string(),
    errors: { 400: ['INVALID_SPEC'], 401: ['UNAUTHENTICATED'] },
  },
  {
    method: 'post',
    path: '/api/auth/logout',
    operationId: 'logout',
    tag: 'auth',
    summary: 'Log out',
    description: 'Tokens are not sessions: nothing is forgotten here. `periscope token revoke` ends a token.',
    body: v.pipe(v.looseObject({}), v.description('`{}` (the web UI sends it)')),
    result: v.literal(true),
    errors: {},
  },
  {
    method: 'get',
    path: '/api/sys/user/info',
    operationId: 'userInfo',
    tag: 'auth',
    summary: 'Who the token acts as',
    result: answer.UserInfo,
    errors: { 401: ['UNAUTHENTICATED'] },
  },
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
