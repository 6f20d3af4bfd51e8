/**
 * `GET /api/v1/namespaces/{ns}/pods/{name}/log` (semantics doc §5.2): picks the container
 * instance the way the kubelet does (previous → running → terminated → last terminated → waiting
 * error), applies `tailLines`, `sinceTime`/`sinceSeconds`, `limitBytes` and `timestamps`, and with
 * `follow=true` streams until that instance exits.
 * @module
 */
import { ApiError, badRequest, notFound } from './api-error.ts'
import { nowNanos, parseRfc3339Nanos, rfc3339Nano } from './clock.ts'
import type { ContainerLog, LogEntry } from './container-logs.ts'
import { STREAM_HEADER } from './http-server.ts'
import { CORE_KINDS } from './kinds.ts'
import type { OpenLogFollow, ServerContext } from './server-context.ts'
import type { Json } from './types.ts'

const encoder = new TextEncoder()

function logError(message: string, pod: string): ApiError {
  return new ApiError(400, 'BadRequest', message, {
    name: pod,
    kind: 'pods/log',
    causes: [{ reason: 'UnexpectedServerResponse', message }],
  })
}

function invalidOption(pod: string, field: string, message: string): ApiError {
  return new ApiError(422, 'Invalid', `PodLogOptions "${pod}" is invalid: ${field}: ${message}`, {
    name: pod,
    kind: 'PodLogOptions',
    causes: [{ reason: 'FieldValueInvalid', message, field }],
  })
}

/** Which container instance's log the kubelet serves, or the error it returns. */
function selectInstance(pod: string, container: string, status: Json | undefined, previous: boolean): string {
  const state: Json = status?.state ?? {}
  const last: Json = status?.lastState ?? {}
  if (previous) {
    if (!last.terminated?.containerID)
      throw logError(`previous terminated container "${container}" in pod "${pod}" not found`, pod)
    return last.terminated.containerID
  }
  if (state.running) return state.running.containerID ?? status.containerID
  if (state.terminated) {
    const id = state.terminated.containerID || last.terminated?.containerID
    if (!id) throw logError(`container "${container}" in pod "${pod}" is terminated`, pod)
    return id
  }
  if (last.terminated?.containerID) return last.terminated.containerID
  const reason = state.waiting?.reason ?? 'ContainerCreating'
  throw logError(`container "${container}" in pod "${pod}" is waiting to start: ${reason}`, pod)
}

function render(entry: LogEntry, timestamps: boolean): string {
  return timestamps ? `${rfc3339Nano(entry.nanos)} ${entry.text}` : entry.text
}

/** Serves one log request. */
export function podLog(ctx: ServerContext, namespace: string, name: string, url: URL, signal: AbortSignal): Response {
  const q = url.searchParams
  const pod = ctx.store.get('pods', namespace, name)
  if (!pod) throw notFound(CORE_KINDS.pods as { plural: string; group: string }, name)
  const containers: string[] = (pod.spec?.containers ?? []).map((c: Json) => c.name)
  const inits: string[] = (pod.spec?.initContainers ?? []).map((c: Json) => c.name)
  let container = q.get('container') ?? ''
  if (container === '') {
    if (containers.length !== 1) {
      const initPart = inits.length > 0 ? ` or one of the init containers: [${inits.join(' ')}]` : ''
      throw badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${initPart}`,
      )
    }
    container = containers[0] as string
  }
  if (!containers.includes(container) && !inits.includes(container))
    throw badRequest(`container ${container} is not valid for pod ${name}`)

  const sinceSeconds = q.get('sinceSeconds')
  const sinceTime = q.get('sinceTime')
  if (sinceSeconds && sinceTime)
    throw invalidOption(
      name,
      'sinceSeconds',
      'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified',
    )
  const tailLines = q.get('tailLines')
  const limitBytes = q.get('limitBytes')
  if (tailLines !== null && !(Number(tailLines) >= 0))
    throw invalidOption(name, 'tailLines', `Invalid value: ${tailLines}: must be greater than or equal to 0`)
  if (limitBytes !== null && !(Number(limitBytes) >= 1))
    throw invalidOption(name, 'limitBytes', `Invalid value: ${limitBytes}: must be greater than 0`)
  if (sinceSeconds !== null && !(Number(sinceSeconds) >= 1))
    throw invalidOption(name, 'sinceSeconds', `Invalid value: ${sinceSeconds}: must be greater than 0`)
  let since: bigint | undefined
  if (sinceSeconds) since = nowNanos() - BigInt(Math.floor(Number(sinceSeconds))) * 1_000_000_000n
  if (sinceTime) {
    since = parseRfc3339Nanos(sinceTime)
    if (since === undefined)
      throw badRequest(
        `parsing time "${sinceTime}" as "2006-01-02T15:04:05Z07:00": cannot parse "${sinceTime}" as "2006"`,
      )
  }

  const statuses: Json[] = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])]
  const status = statuses.find((s) => s.name === container)
  const previous = q.get('previous') === 'true'
  const id = selectInstance(name, container, status, previous)
  const log: ContainerLog | undefined = ctx.logs.get(id)
  const timestamps = q.get('timestamps') === 'true'
  const follow = q.get('follow') === 'true' && !previous

  let entries = (log?.entries ?? []).filter((e) => since === undefined || e.nanos >= since)
  if (tailLines !== null) entries = Number(tailLines) === 0 ? [] : entries.slice(-Number(tailLines))
  let budget = limitBytes !== null ? Number(limitBytes) : Number.POSITIVE_INFINITY
  const take = (text: string): Uint8Array | undefined => {
    if (budget <= 0) return undefined
    let bytes = encoder.encode(text)
    if (bytes.length > budget) bytes = bytes.slice(0, budget)
    budget -= bytes.length
    return bytes
  }
  const headers = { 'Content-Type': 'text/plain' }
  if (!follow || !log || log.ended) {
    const chunks = entries.map((e) => take(render(e, timestamps))).filter((c): c is Uint8Array => c !== undefined)
    return new Response(Buffer.concat(chunks), { status: 200, headers })
  }
  let stop = () => {}
  let open: OpenLogFollow | undefined
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false
      const finish = (end: () => void) => {
        if (closed) return
        closed = true
        stop()
        if (open) ctx.logFollows.delete(open)
        try {
          end()
        } catch {
          // client went away
        }
      }
      const close = () => finish(() => controller.close())
      const push = (text: string) => {
        const bytes = take(text)
        if (bytes && !closed) controller.enqueue(bytes)
        if (budget <= 0) close()
      }
      for (const e of entries) push(render(e, timestamps))
      if (closed) return
      stop = log.follow((entry) => (entry === null ? close() : push(render(entry, timestamps))))
      open = { end: close, drop: () => finish(() => controller.error(new Error('connection reset'))) }
      ctx.logFollows.add(open)
      signal.addEventListener('abort', () => finish(() => {}), { once: true })
    },
    cancel() {
      stop()
      if (open) ctx.logFollows.delete(open)
    },
  })
  return new Response(body, { status: 200, headers: { ...headers, [STREAM_HEADER]: '1' } })
}
