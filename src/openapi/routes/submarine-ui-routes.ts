/**
 * @module
 * What Submarine's own web UI calls besides the experiment API.
 */
import * as v from 'valibot'
import * as answer from '../answer-schemas.ts'
import { EXPERIMENT, experimentId, type RouteDoc } from './route-doc.ts'

export const submarineUiRoutes: readonly RouteDoc[] = [
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
]
