/**
 * @module
 * The shapes of the API's answers, as valibot schemas, for the OpenAPI document only
 * (answers are built by code, not parsed). The type checks at the end fail the build
 * when a schema and the TypeScript type the code answers with drift apart.
 */
import * as v from 'valibot'
import { REASONS, type Reason } from '../errors.ts'
import {
  type ExperimentSpec as ExperimentSpecType,
  type Experiment as ExperimentType,
  STATUSES,
} from '../experiments/experiment.ts'
import { STATUS_NAMES } from '../http/envelope.ts'
import type { landingFacts } from '../http/landing.ts'
import { REPLICA_TYPES, type ReplicaType } from '../runtime/job.ts'
import type { Environment as EnvironmentType } from '../storage/environment-repository.ts'
import type { ExperimentTemplate as ExperimentTemplateType } from '../templates/template.ts'

const text = v.string()
const nullableText = v.nullable(text)
const time = v.pipe(text, v.isoTimestamp(), v.description('A time, e.g. 2026-11-22T13:03:10.000Z'))
const nameValues = v.record(text, text)

/** Every replica type, in Submarine's order. */
const replicaTypes = [...new Set(Object.values(REPLICA_TYPES).flat())] as ReplicaType[]

export const TaskSpec = v.strictObject({
  replicas: v.pipe(v.number(), v.integer()),
  resources: v.pipe(nullableText, v.description('As sent, e.g. cpu=1,memory=1024M,nvidia.com/gpu=1')),
  name: nullableText,
  image: nullableText,
  cmd: nullableText,
  envVars: v.nullable(nameValues),
  resourceMap: v.pipe(nameValues, v.description('Derived from resources: memory, cpu, nvidia.com/gpu')),
})

export const KernelSpec = v.strictObject({
  name: nullableText,
  channels: v.array(text),
  condaDependencies: v.array(text),
  pipDependencies: v.array(text),
})

export const EnvironmentSpec = v.strictObject({
  name: nullableText,
  dockerImage: nullableText,
  kernelSpec: v.nullable(KernelSpec),
  description: nullableText,
  image: nullableText,
})

export const ExperimentSpec = v.strictObject({
  meta: v.strictObject({
    experimentId: nullableText,
    name: text,
    namespace: text,
    framework: v.pipe(text, v.description('As sent (TensorFlow, PyTorch, XGBoost, in any case)')),
    cmd: nullableText,
    envVars: nameValues,
    tags: v.array(text),
    activeDeadlineSeconds: v.optional(
      v.pipe(v.number(), v.integer(), v.description('Wall-clock limit from the start, in seconds; only when set')),
    ),
  }),
  environment: EnvironmentSpec,
  spec: v.pipe(
    v.record(v.picklist(replicaTypes), TaskSpec),
    v.description('Tasks by type, in canonical case, in the order sent'),
  ),
  experimentHandlerSpec: v.pipe(
    v.null(),
    v.description("Submarine 0.8's prehandler settings: accepted in requests, not acted on, always null"),
  ),
  code: v.nullable(
    v.strictObject({
      syncMode: nullableText,
      git: v.nullable(
        v.strictObject({
          url: text,
          branch: text,
          username: nullableText,
          password: nullableText,
          trustCerts: v.nullable(v.boolean()),
        }),
      ),
    }),
  ),
})

export const Experiment = v.strictObject({
  experimentId: v.pipe(text, v.examples(['experiment-1647574374688-0002'])),
  uid: v.pipe(text, v.uuid()),
  status: v.picklist([...STATUSES, 'Deleted']),
  acceptedTime: v.nullable(time),
  createdTime: v.nullable(time),
  runningTime: v.nullable(time),
  finishedTime: v.nullable(time),
  spec: ExperimentSpec,
  statusMessage: v.pipe(nullableText, v.description('Why the experiment waits or failed (periscope only)')),
})

/** A template's experiment spec: an experiment spec unsubstituted, task keys as given. */
export const TemplateExperimentSpec = v.strictObject({
  ...ExperimentSpec.entries,
  spec: v.pipe(v.record(text, TaskSpec), v.description('Tasks by type as given, values may hold {{placeholders}}')),
})

export const TemplateParam = v.strictObject({
  name: text,
  required: v.pipe(v.picklist(['true', 'false']), v.description('Text, as Submarine writes it')),
  description: nullableText,
  value: v.pipe(nullableText, v.description('The default, used when the parameter is not required and not given')),
})

export const ExperimentTemplateSpec = v.strictObject({
  name: v.pipe(text, v.maxLength(32)),
  author: nullableText,
  description: nullableText,
  parameters: v.pipe(
    v.array(TemplateParam),
    v.description('As declared, then spec.<Task>.replicas, .resourceMap.cpu and .resourceMap.memory per task'),
  ),
  experimentSpec: TemplateExperimentSpec,
})

export const ExperimentTemplate = v.strictObject({
  experimentTemplateId: v.pipe(
    v.nullable(
      v.strictObject({ id: v.pipe(v.number(), v.integer()), serverTimestamp: v.pipe(v.number(), v.integer()) }),
    ),
    v.description('Set in create and patch answers only (a new one each time), null otherwise, as in Submarine'),
  ),
  experimentTemplateSpec: ExperimentTemplateSpec,
})

export const Landing = v.strictObject({
  name: v.literal('periscope'),
  description: text,
  version: text,
  api: text,
  openapi: text,
})

export const Environment = v.strictObject({
  environmentId: v.pipe(text, v.examples(['environment_1647574374688_0001'])),
  environmentSpec: EnvironmentSpec,
})

export const PodLog = v.strictObject({
  podName: v.pipe(text, v.description('<experimentId>-<type>-<index>')),
  podLog: v.pipe(v.array(text), v.description('The lines the replica printed, oldest first')),
})

export const ExperimentLog = v.strictObject({ experimentId: text, logContent: v.array(PodLog) })

/** One record of `GET /api/v1/experiment/logs/{id}?follow=true`. */
export const LogRecord = v.strictObject({
  podName: text,
  line: text,
  time,
  cursor: v.pipe(text, v.description('Pass as ?cursor= to resume after this line')),
})

/** The last record of a log follow, once the experiment has finished and every line was sent. */
export const LogEnd = v.strictObject({
  end: v.literal(true),
  status: v.pipe(text, v.description('The final status: Succeeded, Failed or Deleted')),
  cursor: v.pipe(text, v.description('The cursor of the last line')),
})

/** Every record of a log follow: lines, then one end record. */
export const LogStreamRecord = v.union([LogRecord, LogEnd])

/** One record of `GET /api/v1/experiment/events`. */
export const ExperimentEvent = v.strictObject({
  seq: v.pipe(v.number(), v.integer(), v.description('Increases by event; pass as ?after= to resume')),
  time,
  experimentId: text,
  replica: v.pipe(nullableText, v.description('The pod the event is about, or null for the experiment')),
  status: text,
  reason: nullableText,
  message: nullableText,
})

/** The request of `POST /api/auth/login` and `/api/auth/token` (Submarine's web UI and integration tests). */
export const LoginRequest = v.looseObject({
  username: v.optional(text),
  password: v.pipe(text, v.description('A periscope token, or its MD5 hex digest (what the web UI sends)')),
})

/** Who a token acts as (`GET /api/sys/user/info`). */
export const UserInfo = v.strictObject({
  id: text,
  username: text,
  name: v.pipe(text, v.description("The token's name")),
  role: v.strictObject({
    id: v.picklist(['read-write', 'read-only']),
    name: v.picklist(['read-write', 'read-only']),
    permissions: v.array(v.strictObject({ permissionId: text, permissionName: text })),
  }),
})

/** The answer of `POST /api/auth/login`. */
export const Login = v.strictObject({
  ...UserInfo.entries,
  token: v.pipe(text, v.description('Send as "Authorization: Bearer <token>" from now on')),
})

/** `result` of the TensorBoard and MLflow answers (Submarine's web UI reads `available`). */
export const Unavailable = v.strictObject({ available: v.literal(false), url: v.null() })

/** The body Submarine's web UI sends to `param/selective` and `metric/selective`. */
export const SelectiveQuery = v.looseObject({ id: v.optional(v.pipe(v.string(), v.description('An experiment id'))) })

export const Health = v.strictObject({ version: text })
export const Ready = v.strictObject({ runtime: text, ready: v.literal(true) })

/** Submarine's envelope around a successful `result`. */
export function okEnvelope(result: v.GenericSchema) {
  return v.strictObject({
    status: v.literal('OK'),
    code: v.literal(200),
    success: v.literal(true),
    message: v.null(),
    result,
    attributes: v.strictObject({}),
  })
}

/** Submarine's envelope of an error answer with HTTP `code`, `attributes.reason` one of `reasons`. */
export function errorEnvelope(code: number, reasons: readonly Reason[]) {
  return v.strictObject({
    status: v.literal(STATUS_NAMES[code] ?? 'BAD_REQUEST'),
    code: v.literal(code),
    success: v.literal(false),
    message: v.pipe(text, v.description('What was wrong, naming the parameter or field')),
    result: v.null(),
    attributes: v.looseObject({
      reason: v.pipe(v.picklist(reasons), v.description(reasons.map((r) => `${r}: ${REASONS[r]}`).join('; '))),
    }),
  })
}

// Compile-time checks: each schema's output type is the type the code answers with.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const sameTypes: [
  Same<v.InferOutput<typeof Experiment>, ExperimentType>,
  Same<v.InferOutput<typeof ExperimentSpec>, ExperimentSpecType>,
  Same<v.InferOutput<typeof Environment>, EnvironmentType>,
  Same<v.InferOutput<typeof ExperimentTemplate>, ExperimentTemplateType>,
  Same<v.InferOutput<typeof Landing>, ReturnType<typeof landingFacts>>,
] = [true, true, true, true, true]
void sameTypes
