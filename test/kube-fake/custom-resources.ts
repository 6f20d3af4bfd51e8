/**
 * The Kubeflow job endpoints: create, get, list/watch, update, patch and delete, on the main
 * resource and on `/status`, with the API server's validation order: decode (strict unknown fields
 * → 400), object validation (schema, metadata → 422), admission webhook (→ 403), storage (409).
 * @module
 */
import { admit } from './admission-webhook.ts'
import {
  ApiError,
  alreadyExists,
  badRequest,
  conflict,
  type FieldError,
  invalid,
  jsonResponse,
  methodNotAllowed,
  notFound,
  unsupportedMediaType,
} from './api-error.ts'
import { rfc3339 } from './clock.ts'
import { checkAgainstSchema, crdSchema } from './crd-schema.ts'
import { FOREGROUND } from './garbage-collector.ts'
import { applyJsonPatch, applyMergePatch, PatchError, type PatchOperation } from './json-patch.ts'
import { isObject, jsonEqual, sortKeys } from './json-values.ts'
import type { JobKindInfo } from './kinds.ts'
import { listOrWatch } from './list-watch.ts'
import type { ServerContext } from './server-context.ts'
import type { Json, KubeObject } from './types.ts'

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789'

/** Parses a request body as JSON; 400 when malformed. */
async function readJson(req: Request): Promise<{ body: Json; text: string }> {
  const text = await req.text()
  try {
    return { body: JSON.parse(text), text }
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`)
  }
}

function decodeObject(info: JobKindInfo, body: Json, text: string): KubeObject {
  if (!isObject(body))
    throw badRequest(
      "couldn't get version/kind; json parse error: " +
        `json: cannot unmarshal ${Array.isArray(body) ? 'array' : typeof body} into Go value of type struct`,
    )
  if (!body.kind) throw badRequest(`Object 'Kind' is missing in '${text}'`)
  if (!body.apiVersion) throw badRequest(`Object 'apiVersion' is missing in '${text}'`)
  if (body.apiVersion !== info.apiVersion) {
    throw badRequest(
      `the API version in the data (${body.apiVersion}) does not match the expected API version (${info.apiVersion})`,
    )
  }
  if (body.kind !== info.kind)
    throw badRequest(
      `${body.kind} in version "${info.version}" cannot be handled as a ${info.kind}: ` +
        `the kind in the data (${body.kind}) does not match the expected kind (${info.kind})`,
    )
  return body as KubeObject
}

interface Checked {
  obj: KubeObject
  errors: FieldError[]
  warnings: string[]
}

/**
 * Unknown fields (Strict: 400 on create/update, 422 `patch: Invalid value` on patch, as the API
 * server words them; otherwise pruned, with a warning under Warn) and schema errors (returned).
 */
function checkSchema(ctx: ServerContext, info: JobKindInfo, obj: KubeObject, url: URL, patched = false): Checked {
  const mode = url.searchParams.get('fieldValidation') ?? 'Warn'
  if (!['Strict', 'Warn', 'Ignore'].includes(mode)) throw badRequest(`fieldValidation parameter unsupported: ${mode}`)
  const { unknownFields, errors, pruned } = checkAgainstSchema(obj, crdSchema(info.plural, ctx.crdDirs))
  const unknown = unknownFields.map((f) => `unknown field "${f}"`)
  if (mode === 'Strict' && unknown.length > 0 && patched) {
    const message =
      `Invalid value: ${JSON.stringify(JSON.stringify(obj))}: ` + `strict decoding error: ${unknown.join(', ')}`
    throw new ApiError(422, 'Invalid', ` "" is invalid: patch: ${message}`, {
      causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }],
    })
  }
  if (mode === 'Strict' && unknown.length > 0) {
    throw badRequest(
      `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: ` +
        `strict decoding error: ${unknown.join(', ')}`,
    )
  }
  return { obj: pruned as KubeObject, errors, warnings: mode === 'Warn' ? unknown : [] }
}

function warningHeaders(warnings: readonly string[]): Record<string, string> {
  return warnings.length > 0 ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') } : {}
}

function nameErrors(name: string | undefined): FieldError[] {
  if (!name)
    return [
      {
        reason: 'FieldValueRequired',
        field: 'metadata.name',
        message: 'Required value: name or generateName is required',
      },
    ]
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return [
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message:
          `Invalid value: "${name}": a lowercase RFC 1123 subdomain ` +
          "must consist of lower case alphanumeric characters, '-' or '.', " +
          "and must start and end with an alphanumeric character (e.g. 'example.com', " +
          "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      },
    ]
  }
  return []
}

/** Everything but metadata and status: what `generation` tracks. */
function specPart(obj: KubeObject): Json {
  const { metadata: _m, status: _s, ...rest } = obj
  return rest
}

function dryRun(url: URL): boolean {
  return url.searchParams.getAll('dryRun').includes('All')
}

/** Routes a request on a job kind. */
export async function handleCustomResource(
  ctx: ServerContext,
  req: Request,
  url: URL,
  info: JobKindInfo,
  namespace: string | undefined,
  name?: string,
  sub?: string,
): Promise<Response> {
  if (sub !== undefined && sub !== 'status')
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {})
  if (name === undefined) {
    if (req.method === 'GET') return listOrWatch(ctx, info, namespace, url, req.signal)
    if (req.method === 'POST' && namespace !== undefined) return create(ctx, req, url, info, namespace)
    throw methodNotAllowed(req.method)
  }
  if (namespace === undefined)
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {})
  switch (req.method) {
    case 'GET': {
      const obj = ctx.store.get(info.plural, namespace, name)
      if (!obj) throw notFound(info, name)
      return jsonResponse(obj)
    }
    case 'PUT':
      return update(ctx, req, url, info, namespace, name, sub === 'status')
    case 'PATCH':
      return patch(ctx, req, url, info, namespace, name, sub === 'status')
    case 'DELETE':
      if (sub) throw methodNotAllowed(req.method)
      return remove(ctx, req, url, info, namespace, name)
    default:
      throw methodNotAllowed(req.method)
  }
}

async function create(
  ctx: ServerContext,
  req: Request,
  url: URL,
  info: JobKindInfo,
  namespace: string,
): Promise<Response> {
  const { body, text } = await readJson(req)
  const { obj, errors, warnings } = checkSchema(ctx, info, decodeObject(info, body, text), url)
  const meta = (obj.metadata ??= {} as KubeObject['metadata'])
  if (meta.namespace !== undefined && meta.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
  }
  if (meta.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created')
  if (!meta.name && meta.generateName) {
    meta.name =
      meta.generateName +
      Array.from({ length: 5 }, () => GENERATE_CHARS[Math.floor(Math.random() * GENERATE_CHARS.length)]).join('')
  }
  const allErrors = [...nameErrors(meta.name), ...errors]
  if (allErrors.length > 0) throw invalid(info.kind, info.group, meta.name ?? '', allErrors)
  admit(info, obj, ctx.faults.webhookDenial(info.kind))
  if (ctx.store.get(info.plural, namespace, meta.name)) throw alreadyExists(info, meta.name)
  for (const k of [
    'uid',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'generation',
    'selfLink',
    'managedFields',
  ])
    delete meta[k]
  meta.namespace = namespace
  meta.generation = 1
  delete obj.status
  if (dryRun(url))
    return jsonResponse(
      sortKeys({ ...obj, metadata: { ...meta, uid: crypto.randomUUID() } }),
      201,
      warningHeaders(warnings),
    )
  const stored = ctx.store.create(info.plural, sortKeys(obj))
  return jsonResponse(stored, 201, warningHeaders(warnings))
}

/** Builds the object to store from the current one and the client's version. */
function merge(current: KubeObject, incoming: KubeObject, status: boolean): KubeObject {
  if (status) return { ...current, status: incoming.status }
  const meta = incoming.metadata ?? {}
  const next: KubeObject = { ...incoming, apiVersion: current.apiVersion, kind: current.kind }
  next.metadata = {
    ...meta,
    name: current.metadata.name,
    namespace: current.metadata.namespace,
    uid: current.metadata.uid,
    creationTimestamp: current.metadata.creationTimestamp,
    generation: current.metadata.generation,
    resourceVersion: current.metadata.resourceVersion,
    ...(current.metadata.deletionTimestamp ? { deletionTimestamp: current.metadata.deletionTimestamp } : {}),
  }
  if (current.status !== undefined) next.status = current.status
  else delete next.status
  if (!jsonEqual(specPart(current), specPart(next))) next.metadata.generation = (current.metadata.generation ?? 1) + 1
  return next
}

/** Validates and stores an update; unchanged objects are returned without a new resourceVersion. */
function commit(
  ctx: ServerContext,
  url: URL,
  info: JobKindInfo,
  current: KubeObject,
  next: KubeObject,
  errors: FieldError[],
  warnings: string[],
  status: boolean,
): Response {
  if (errors.length > 0) throw invalid(info.kind, info.group, current.metadata.name, errors)
  if (!status) admit(info, next, ctx.faults.webhookDenial(info.kind))
  const sorted = sortKeys(next)
  if (jsonEqual(sorted, current) || dryRun(url))
    return jsonResponse(dryRun(url) ? sorted : current, 200, warningHeaders(warnings))
  return jsonResponse(ctx.store.update(info.plural, sorted), 200, warningHeaders(warnings))
}

async function update(
  ctx: ServerContext,
  req: Request,
  url: URL,
  info: JobKindInfo,
  namespace: string,
  name: string,
  status: boolean,
): Promise<Response> {
  const { body, text } = await readJson(req)
  const decoded = decodeObject(info, body, text)
  if (decoded.metadata?.name !== undefined && decoded.metadata.name !== name) {
    throw badRequest(`the name of the object (${decoded.metadata.name}) does not match the name on the URL (${name})`)
  }
  if (decoded.metadata?.namespace !== undefined && decoded.metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
  }
  const current = ctx.store.get(info.plural, namespace, name)
  if (!current) throw notFound(info, name)
  const rv = decoded.metadata?.resourceVersion
  if (!rv) {
    throw invalid(info.kind, info.group, name, [
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.resourceVersion',
        message: 'Invalid value: 0x0: must be specified for an update',
      },
    ])
  }
  if (rv !== current.metadata.resourceVersion) throw conflict(info, name)
  const { obj, errors, warnings } = checkSchema(ctx, info, decoded, url)
  return commit(ctx, url, info, current, merge(current, obj, status), errors, warnings, status)
}

async function patch(
  ctx: ServerContext,
  req: Request,
  url: URL,
  info: JobKindInfo,
  namespace: string,
  name: string,
  status: boolean,
): Promise<Response> {
  const contentType = (req.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? ''
  if (contentType !== 'application/merge-patch+json' && contentType !== 'application/json-patch+json')
    throw unsupportedMediaType(contentType)
  const { body } = await readJson(req)
  const current = ctx.store.get(info.plural, namespace, name)
  if (!current) throw notFound(info, name)
  let patched: Json
  if (contentType === 'application/json-patch+json') {
    if (!Array.isArray(body))
      throw badRequest(`json: cannot unmarshal ${typeof body} into Go value of type jsonpatch.Patch`)
    try {
      patched = applyJsonPatch(current, body as PatchOperation[])
    } catch (err) {
      if (!(err instanceof PatchError)) throw err
      throw new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
        causes: [{ reason: 'UnexpectedServerResponse', message: err.message }],
      })
    }
  } else {
    if (!isObject(body)) throw badRequest('json: cannot unmarshal into Go value of type map[string]interface {}')
    patched = applyMergePatch(current, body)
  }
  if (!isObject(patched)) throw badRequest('the patched object is not an object')
  const rv = patched.metadata?.resourceVersion
  if (rv !== undefined && rv !== current.metadata.resourceVersion) throw conflict(info, name)
  const { obj, errors, warnings } = checkSchema(ctx, info, patched as KubeObject, url, true)
  return commit(ctx, url, info, current, merge(current, obj, status), errors, warnings, status)
}

async function remove(
  ctx: ServerContext,
  req: Request,
  url: URL,
  info: JobKindInfo,
  namespace: string,
  name: string,
): Promise<Response> {
  const text = await req.text()
  let options: Json = {}
  if (text.trim() !== '') {
    try {
      options = JSON.parse(text)
    } catch (err) {
      throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`)
    }
  }
  const current = ctx.store.get(info.plural, namespace, name)
  if (!current) throw notFound(info, name)
  const uid = current.metadata.uid as string
  const pre = options?.preconditions ?? {}
  if (pre.uid !== undefined && pre.uid !== uid) {
    throw new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${info.plural}.${info.group} "${name}": ` +
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${uid}`,
      { name, group: info.group, kind: info.plural },
    )
  }
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== current.metadata.resourceVersion) {
    throw new ApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${info.plural}.${info.group} "${name}": ` +
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ` +
        `ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      { name, group: info.group, kind: info.plural },
    )
  }
  const policy = options?.propagationPolicy ?? url.searchParams.get('propagationPolicy') ?? undefined
  const finalizers: string[] = current.metadata.finalizers ?? []
  if (policy === 'Foreground' || finalizers.length > 0) {
    // Not deleted yet: the object comes back with deletionTimestamp (200, or 202 with orphanDependents=false).
    let pending = current
    if (!dryRun(url)) {
      const next = structuredClone(current)
      next.metadata.deletionTimestamp ??= rfc3339()
      next.metadata.deletionGracePeriodSeconds ??= 0
      if (policy === 'Foreground' && !finalizers.includes(FOREGROUND))
        next.metadata.finalizers = [...finalizers, FOREGROUND]
      if (!jsonEqual(next, current)) pending = ctx.store.update(info.plural, sortKeys(next))
    }
    return jsonResponse(pending, options?.orphanDependents === false ? 202 : 200)
  }
  if (!dryRun(url)) ctx.deleteObject(info.plural, namespace, name, policy === 'Orphan')
  return jsonResponse({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name, group: info.group, kind: info.plural, uid },
  })
}
