/**
 * @module
 * Experiments: create, list, get, patch, delete, stop, logs and their streams, events.
 */
import * as v from 'valibot'
import { ExperimentInput } from '../../experiments/experiment-schema.ts'
import { TemplateSubmitInput } from '../../templates/template-schema.ts'
import * as answer from '../answer-schemas.ts'
import {
  COUNT,
  EXPERIMENT,
  experimentId,
  idempotencyKey,
  path,
  query,
  type RouteDoc,
  statusFilter,
} from './route-doc.ts'

export const experimentRoutes: readonly RouteDoc[] = [
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
]
