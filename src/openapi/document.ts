/**
 * @module
 * The OpenAPI 3.1 document, built from the route table (`routes.ts`) and the valibot
 * schemas that validate requests (`src/experiments/experiment-schema.ts`) and describe
 * answers (`answer-schemas.ts`). Pure: served by `src/app.ts`, printed by `periscope openapi`.
 */
import type { JsonSchema } from '@valibot/to-json-schema'
import type * as v from 'valibot'
import { REASONS, type Reason } from '../errors.ts'
import { EnvironmentInput, ExperimentInput, MetaInput, TaskInput } from '../experiments/experiment-schema.ts'
import { MAX_BODY_BYTES } from '../http/body.ts'
import { TemplateInput } from '../templates/template-schema.ts'
import * as answer from './answer-schemas.ts'
import { DOC_EXAMPLES, type DocExample } from './examples.ts'
import { createSchemaConverter } from './json-schema.ts'
import { ROUTES, type RouteDoc } from './routes.ts'

/** The schemas shown once under `components.schemas` and referred to by name. */
const NAMED = {
  ExperimentRequest: ExperimentInput,
  MetaRequest: MetaInput,
  TaskRequest: TaskInput,
  EnvironmentRequest: EnvironmentInput,
  Experiment: answer.Experiment,
  ExperimentSpec: answer.ExperimentSpec,
  TaskSpec: answer.TaskSpec,
  EnvironmentSpec: answer.EnvironmentSpec,
  KernelSpec: answer.KernelSpec,
  Environment: answer.Environment,
  TemplateRequest: TemplateInput,
  ExperimentTemplate: answer.ExperimentTemplate,
  ExperimentTemplateSpec: answer.ExperimentTemplateSpec,
  TemplateParam: answer.TemplateParam,
  ExperimentLog: answer.ExperimentLog,
  PodLog: answer.PodLog,
  LogRecord: answer.LogRecord,
  LogEnd: answer.LogEnd,
  ExperimentEvent: answer.ExperimentEvent,
  Health: answer.Health,
  Ready: answer.Ready,
} as const

/** What every body-taking route can answer besides its own errors (`src/http/body.ts`). */
const BODY_ERRORS: Partial<Record<number, readonly Reason[]>> = {
  400: ['MALFORMED_BODY'],
  413: ['BODY_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
}

const STREAM_TYPES = ['text/event-stream', 'application/x-ndjson'] as const
const BODY_TYPES = ['application/json', 'application/yaml'] as const

type Json = Record<string, unknown>

const slug = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')

function examplesOf(route: RouteDoc, part: 'request' | 'response'): Json | undefined {
  const found = (route.examples ?? [])
    .map((heading) => DOC_EXAMPLES.get(heading))
    .filter((ex): ex is DocExample => ex?.[part] !== undefined)
  if (found.length === 0) return undefined
  return Object.fromEntries(found.map((ex) => [slug(ex.heading), { summary: ex.heading, value: ex[part] }]))
}

/** Error statuses of a route, its own and its body's, reasons merged. */
function errorsOf(route: RouteDoc): Map<number, Reason[]> {
  const out = new Map<number, Reason[]>()
  for (const table of [route.errors, route.body ? BODY_ERRORS : {}]) {
    for (const [code, reasons] of Object.entries(table)) {
      const merged = new Set([...(out.get(Number(code)) ?? []), ...(reasons ?? [])])
      out.set(Number(code), [...merged])
    }
  }
  return new Map([...out].sort(([a], [b]) => a - b))
}

function operation(route: RouteDoc, convert: (s: v.GenericSchema) => JsonSchema): Json {
  const responses: Json = {}
  const ok: Json = {}
  if (route.result) {
    ok['application/json'] = {
      schema: convert(answer.okEnvelope(route.result)),
      ...(examplesOf(route, 'response') && { examples: examplesOf(route, 'response') }),
    }
  }
  if (route.rawResult === 'openapi')
    ok['application/json'] = { schema: { type: 'object', description: 'An OpenAPI 3.1 document (this one)' } }
  if (route.rawResult === 'html') ok['text/html'] = { schema: { type: 'string', description: 'The page document' } }
  if (route.rawResult === 'asset') {
    ok['text/javascript'] = { schema: { type: 'string', description: "The page's script" } }
    ok['text/css'] = { schema: { type: 'string', description: "The page's style" } }
    ok['image/svg+xml'] = { schema: { type: 'string', description: "The page's icon" } }
  }
  if (route.stream) {
    for (const type of STREAM_TYPES) ok[type] = { schema: convert(route.stream.record) }
  }
  const streamNote = route.stream
    ? ` ${route.stream.when === 'always' ? 'A' : `With ${route.stream.when}, a`} ` +
      `stream of records: \`text/event-stream\` (one record per \`data:\` line) ` +
      `or \`application/x-ndjson\` (one record per line), by the Accept header.`
    : ''
  const rawNote = { openapi: 'The document.', html: 'The web page.', asset: 'The file.' }[route.rawResult ?? 'openapi']
  responses['200'] = {
    description: `${route.result ? "Submarine's envelope with `result`." : ''}${streamNote}`.trim() || rawNote,
    content: ok,
  }
  for (const [code, reasons] of errorsOf(route)) {
    responses[String(code)] = {
      description: reasons.map((r) => `${r}: ${REASONS[r]}`).join('; '),
      content: { 'application/json': { schema: convert(answer.errorEnvelope(code, reasons)) } },
    }
  }
  responses['500'] = { $ref: '#/components/responses/Internal' }
  const body = route.body
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description && { description: route.description }),
    ...(route.deprecated && { deprecated: true }),
    ...(route.params && {
      parameters: route.params.map((p) => ({
        name: p.name,
        in: p.in,
        required: p.in === 'path',
        description: p.description,
        schema: convert(p.schema),
      })),
    }),
    ...(body && {
      requestBody: {
        required: true,
        description: `JSON or YAML, at most ${MAX_BODY_BYTES} bytes.`,
        content: Object.fromEntries(
          BODY_TYPES.map((type) => [
            type,
            {
              schema: convert(body),
              ...(type === 'application/json' &&
                examplesOf(route, 'request') && { examples: examplesOf(route, 'request') }),
            },
          ]),
        ),
      },
    }),
    responses,
  }
}

/** The OpenAPI document of this server. */
export function buildOpenApiDocument(version: string): Json {
  const converter = createSchemaConverter(NAMED)
  const paths: Record<string, Json> = {}
  for (const route of ROUTES) {
    paths[route.path] ??= {}
    paths[route.path]![route.method] = operation(route, converter.convert)
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'periscope',
      version,
      description:
        "Apache Submarine's Experiment REST API. Every answer is Submarine's envelope " +
        '(`status`, `code`, `success`, `message`, `result`, `attributes`); ' +
        'errors carry the HTTP status in `code` and a reason in `attributes.reason`. ' +
        'When auth is on, every request but health, ping, this document and login needs ' +
        '`Authorization: Bearer <token>` (401 UNAUTHENTICATED without a valid one; ' +
        '403 FORBIDDEN for a write with a read-only token). Any request may be answered ' +
        '421 MISDIRECTED_REQUEST when its Host header names another server, ' +
        'and a write 403 CROSS_ORIGIN when a web page on another origin sent it.',
    },
    servers: [{ url: 'http://127.0.0.1:32080' }],
    tags: [
      { name: 'experiment', description: 'Experiments and their logs' },
      { name: 'environment', description: 'Stored environments' },
      { name: 'auth', description: "Submarine's login endpoints, over periscope's tokens" },
      { name: 'template', description: 'Experiment templates, and experiments made from them' },
      { name: 'server', description: 'Health and this document' },
      { name: 'web', description: "periscope's web page (HTML for browsers, not an API)" },
    ],
    paths,
    security: [{ bearer: [] }, {}],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A periscope token (`periscope token create`)' },
      },
      schemas: converter.components(),
      responses: {
        Internal: {
          description: `INTERNAL: ${REASONS.INTERNAL}`,
          content: { 'application/json': { schema: converter.convert(answer.errorEnvelope(500, ['INTERNAL'])) } },
        },
        // What a path or method no route takes is answered with (`src/app.ts`), for every address.
        NoSuchRoute: {
          description: `ROUTE_NOT_FOUND: ${REASONS.ROUTE_NOT_FOUND}`,
          content: {
            'application/json': { schema: converter.convert(answer.errorEnvelope(404, ['ROUTE_NOT_FOUND'])) },
          },
        },
        MethodNotAllowed: {
          description: `METHOD_NOT_ALLOWED: ${REASONS.METHOD_NOT_ALLOWED}`,
          content: {
            'application/json': { schema: converter.convert(answer.errorEnvelope(405, ['METHOD_NOT_ALLOWED'])) },
          },
        },
      },
    },
  }
}

let cached: { version: string; text: string } | undefined

/** The document as JSON text, built once per version. */
export function openApiJson(version: string): string {
  if (cached?.version !== version) cached = { version, text: JSON.stringify(buildOpenApiDocument(version), null, 2) }
  return cached.text
}
