/**
 * @module
 * The HTTP application: routes mounted, errors rendered in one place. No I/O at import.
 */
import { Hono } from 'hono'
import { environmentRoutes } from './api/environments.ts'
import { experimentRoutes } from './api/experiments.ts'
import type { EnvironmentService } from './environments/environment-service.ts'
import { MethodNotAllowedError, NotFoundError } from './errors.ts'
import type { ExperimentService } from './experiments/experiment-service.ts'
import { bodyDeadline } from './http/body.ts'
import { durableAnswers } from './http/durable-answers.ts'
import { failure, ok } from './http/envelope.ts'
import { headerLimits } from './http/header-limits.ts'
import { renderError } from './http/on-error.ts'
import type { Runtime } from './runtime/runtime.ts'

export interface AppDeps {
  experiments: ExperimentService
  environments: EnvironmentService
  runtime: Pick<Runtime, 'name' | 'unavailable'>
  version: string
  log: (message: string) => void
  /** Resolves once every commit so far is durable; a change is answered after it. */
  durable: () => Promise<void>
  /** How long a request body may take to arrive. */
  requestTimeoutMs: number
}

/** Builds the Hono app. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono({ strict: false })
  app.use(headerLimits())
  app.use(bodyDeadline(deps.requestTimeoutMs))
  app.use(durableAnswers(deps.durable))
  app.route('/api/v1/experiment', experimentRoutes(deps.experiments))
  app.route('/api/v1/environment', environmentRoutes(deps.environments))
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
