/**
 * @module
 * The HTTP application: routes mounted, errors rendered in one place. No I/O at import.
 */
import { Hono } from 'hono'
import { authRoutes } from './api/auth.ts'
import { environmentRoutes } from './api/environments.ts'
import { eventRoutes } from './api/events.ts'
import { experimentRoutes } from './api/experiments.ts'
import type { LogFollowDeps } from './api/log-follow.ts'
import { submarineUiExperimentRoutes, submarineUiTrackingRoutes } from './api/submarine-ui.ts'
import { templateRoutes } from './api/templates.ts'
import type { TokenVerifier } from './auth/token-verifier.ts'
import type { EnvironmentService } from './environments/environment-service.ts'
import { MethodNotAllowedError, NotFoundError } from './errors.ts'
import type { ExperimentService } from './experiments/experiment-service.ts'
import { aroundRoutes } from './http/around-routes.ts'
import { requireToken } from './http/auth.ts'
import { bodyDeadline } from './http/body.ts'
import { durableAnswers } from './http/durable-answers.ts'
import { failure, ok } from './http/envelope.ts'
import { headerLimits } from './http/header-limits.ts'
import { hostCheck } from './http/host.ts'
import { landing } from './http/landing.ts'
import { MemoRouter } from './http/memo-router.ts'
import { renderError } from './http/on-error.ts'
import { corsHeaders, originCheck } from './http/origin.ts'
import { addSecurityHeaders } from './http/security-headers.ts'
import { writeContentType } from './http/write-content-type.ts'
import type { Runtime } from './runtime/runtime.ts'
import type { EventStore } from './storage/event-store.ts'
import type { TemplateService } from './templates/template-service.ts'
import { webRoutes } from './web/routes.ts'

export interface AppDeps {
  experiments: ExperimentService
  environments: EnvironmentService
  templates: TemplateService
  runtime: Pick<Runtime, 'name' | 'unavailable'>
  version: string
  log: (message: string) => void
  /** What streams (log follows, events) share: wake-ups, heartbeat, stall cut-off. */
  streams: LogFollowDeps
  events: Pick<EventStore, 'after' | 'lastSeq'>
  security: SecurityOptions
  /** Resolves once every commit so far is durable; a change is answered after it. */
  durable: () => Promise<void>
  /** How long a request body may take to arrive. */
  requestTimeoutMs: number
}

/** Who may call the API and from where (`server.ts` builds it from the config). */
export interface SecurityOptions {
  /** Checks tokens; null when auth is off. */
  verifier: TokenVerifier | null
  /** Names the Host header may carry besides IP addresses (`src/http/host.ts`). */
  hostNames: ReadonlySet<string>
  /** Origins whose pages may call the API (`--cors-origin`). */
  corsOrigins: readonly string[]
}

/** Builds the Hono app. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono({ strict: false, router: new MemoRouter() })
  // Every request is checked in this order: the size of its head; the Host; the Origin
  // (preflights answered there, before auth, as browsers send them without credentials); the
  // token; the body type, and the deadline of the body. A change is answered only once it is
  // durable. Every answer, refusals included, gets the CORS headers (for --cors-origin pages)
  // and the security headers.
  const cors = corsHeaders(deps.security.corsOrigins)
  app.use(
    aroundRoutes({
      checks: [
        headerLimits(),
        hostCheck(deps.security.hostNames),
        originCheck(deps.security.corsOrigins),
        requireToken(deps.security.verifier),
        writeContentType(),
        bodyDeadline(deps.requestTimeoutMs),
      ],
      after: durableAnswers(deps.durable),
      finishes: cors ? [cors, addSecurityHeaders] : [addSecurityHeaders],
      renderError: (err, c) => renderError(err, c, deps.log),
    }),
  )
  app.route('/api', authRoutes(deps.security.verifier))
  // Before the experiment routes, whose `/:id` would take `events` for an id.
  app.route('/api/v1/experiment/events', eventRoutes({ ...deps.streams, events: deps.events }))
  // Submarine's web UI calls these; before the experiment routes too.
  app.route('/api/v1/experiment', submarineUiExperimentRoutes(deps.experiments))
  app.route('/api', submarineUiTrackingRoutes())
  app.route('/api/v1/experiment', experimentRoutes(deps.experiments, deps.streams, deps.templates))
  app.route('/api/v1/template', templateRoutes(deps.templates))
  app.route('/api/v1/environment', environmentRoutes(deps.environments))
  // Submarine's integration tests wait for `GET /` to answer 200: JSON for them, the page for a browser.
  app.get('/', (c, next) => landing(deps.version, c.req.header('accept')) ?? next())
  app.get('/healthz', () => ok({ version: deps.version }))
  app.get('/readyz', () => {
    const reason = deps.runtime.unavailable()
    if (reason === null) return ok({ runtime: deps.runtime.name, ready: true })
    return failure(503, `The ${deps.runtime.name} runtime is not ready: ${reason}`, { reason: 'RUNTIME_UNAVAILABLE' })
  })
  // Loaded on first request: building the document needs the JSON Schema converter, which serving does not.
  const openapi = async () =>
    new Response((await import('./openapi/document.ts')).openApiJson(deps.version), {
      headers: { 'content-type': 'application/json; charset=utf-8' },
    })
  app.get('/openapi.json', openapi)
  app.get('/v1/openapi.json', openapi) // Submarine's address of its document
  app.route('/', webRoutes({ version: deps.version, lastEventSeq: () => deps.events.lastSeq() }))
  app.notFound((c) => {
    const allowed = allowedMethods(app, c.req.path)
    if (allowed.length === 0)
      return renderError(
        new NotFoundError('ROUTE_NOT_FOUND', `No such endpoint: ${c.req.method} ${c.req.path}`),
        c,
        deps.log,
      )
    const res = renderError(
      new MethodNotAllowedError(`${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(', ')}`),
      c,
      deps.log,
    )
    res.headers.set('allow', allowed.join(', '))
    return res
  })
  app.onError((err, c) => renderError(err, c, deps.log))
  return app
}

/** Methods the app's routes take for `path` (from the registered routes, so it cannot drift). */
function allowedMethods(app: Hono, path: string): string[] {
  const bare = path.length > 1 ? path.replace(/\/+$/, '') : path
  const methods = new Set<string>()
  for (const route of app.routes) {
    if (route.method === 'ALL') continue
    const pattern = new RegExp(`^${route.path.replace(/\/+$/, '').replace(/:[^/]+/g, '[^/]+')}$`)
    if (pattern.test(bare)) methods.add(route.method)
  }
  return [...methods]
}
