/**
 * Watch responses: `application/json;stream=watch`, one JSON event per line, flushed at once.
 * Replays history from a resourceVersion, answers 410 Expired in-stream when history is gone,
 * turns selector transitions into ADDED/DELETED, and sends periodic BOOKMARKs when asked.
 * @module
 */
import { expired } from './api-error.ts'
import { STREAM_HEADER } from './http-server.ts'
import type { ResourceInfo } from './kinds.ts'
import type { ObjectStore, StoreEvent } from './object-store.ts'
import type { KubeObject, WatchEventType } from './types.ts'

/** An open watch stream the fake can close or cut. */
export interface OpenWatch {
  readonly plural: string
  /** Ends the stream cleanly (like a server-side timeout). */
  close(): void
  /** Cuts the connection mid-stream (the client sees a reset). */
  drop(): void
}

/** Everything one watch request needs. */
export interface WatchRequest {
  store: ObjectStore
  info: ResourceInfo
  /** Namespace and selector filter. */
  matches: (obj: KubeObject) => boolean
  /** The `resourceVersion` query parameter, if any. */
  resourceVersion?: string
  timeoutSeconds?: number
  /** Bookmark period; undefined when the client did not ask for bookmarks. */
  bookmarkIntervalMs?: number
  /** Open watches, so hooks can drop them. */
  registry: Set<OpenWatch>
  signal: AbortSignal
}

const encoder = new TextEncoder()

/** Builds the streaming response for a watch request. */
export function watchResponse(req: WatchRequest): Response {
  const { store, info, matches } = req
  let cleanup = () => {}
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let finished = false
      const timers: ReturnType<typeof setTimeout>[] = []
      let unsubscribe = () => {}
      const handle: OpenWatch = {
        plural: info.plural,
        close: () => finish(() => controller.close()),
        drop: () => finish(() => controller.error()),
      }
      function finish(end: () => void): void {
        if (finished) return
        finished = true
        cleanup()
        try {
          end()
        } catch {
          // already closed by the client
        }
      }
      cleanup = () => {
        finished = true
        unsubscribe()
        for (const t of timers) clearTimeout(t)
        req.registry.delete(handle)
      }
      const send = (type: WatchEventType, object: unknown) => {
        if (finished) return
        controller.enqueue(encoder.encode(`${JSON.stringify({ type, object })}\n`))
      }
      const deliver = (event: StoreEvent) => {
        if (event.plural !== info.plural) return
        const was = event.previous !== undefined && matches(event.previous)
        const is = event.type !== 'DELETED' && matches(event.object)
        if (event.type === 'DELETED') {
          if (was) send('DELETED', event.object)
        } else if (is && (event.type === 'ADDED' || !was)) send('ADDED', event.object)
        else if (is) send('MODIFIED', event.object)
        else if (was) send('DELETED', event.object)
      }

      const rv = req.resourceVersion
      if (rv === undefined || rv === '' || rv === '0') {
        for (const obj of store.list(info.plural)) if (matches(obj)) send('ADDED', obj)
      } else {
        const history = store.since(Number(rv))
        if ('expired' in history) {
          send('ERROR', expired(rv, history.oldest).status)
          handle.close()
          return
        }
        for (const event of history.events) deliver(event)
      }
      unsubscribe = store.subscribe(deliver)
      req.registry.add(handle)
      if (req.timeoutSeconds !== undefined && req.timeoutSeconds > 0) {
        timers.push(setTimeout(handle.close, req.timeoutSeconds * 1000))
      }
      if (req.bookmarkIntervalMs !== undefined) {
        timers.push(
          setInterval(() => {
            send('BOOKMARK', {
              kind: info.kind,
              apiVersion: info.apiVersion,
              metadata: { resourceVersion: String(store.resourceVersion) },
            })
          }, req.bookmarkIntervalMs),
        )
      }
      req.signal.addEventListener('abort', () => cleanup(), { once: true })
    },
    cancel() {
      cleanup()
    },
  })
  return new Response(body, {
    status: 200,
    headers: {
      'Content-Type': 'application/json;stream=watch',
      'Cache-Control': 'no-cache, private',
      [STREAM_HEADER]: '1',
    },
  })
}
