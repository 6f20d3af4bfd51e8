/**
 * @module
 * The HTTP application: routes mounted, errors rendered in one place. No I/O at import.
 */
import { Hono } from 'hono'
import { environmentRoutes } from './api/environments.ts'
import { experimentRoutes } from './api/experiments.ts'
import type { EnvironmentService } from './environments/environment-service.ts'
import { NotFoundError } from './errors.ts'
import type { ExperimentService } from './experiments/experiment-service.ts'
import { errorBody, okBody } from './http/envelope.ts'
import { renderError } from './http/on-error.ts'
import type { Runtime } from './runtime/runtime.ts'

export interface AppDeps {
  experiments: ExperimentService
  environments: EnvironmentService
  runtime: Pick<Runtime, 'name' | 'unavailable'>
  version: string
  log: (message: string) => void
}

/** Builds the Hono app. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono({ strict: false })
  app.route('/api/v1/experiment', experimentRoutes(deps.experiments))
  app.route('/api/v1/environment', environmentRoutes(deps.environments))
  app.get('/healthz', (c) => c.body(okBody({ version: deps.version }), 200, { 'content-type': 'application/json; charset=utf-8' }))
  app.get('/readyz', (c) => {
    const reason = deps.runtime.unavailable()
    const headers = { 'content-type': 'application/json; charset=utf-8' }
    if (reason === null) return c.body(okBody({ runtime: deps.runtime.name, ready: true }), 200, headers)
    return c.body(errorBody(503, `The ${deps.runtime.name} runtime is not ready: ${reason}`, { reason: 'RUNTIME_UNAVAILABLE' }), 503, headers)
  })
  app.notFound((c) =>
    renderError(new NotFoundError('ROUTE_NOT_FOUND', `No such endpoint: ${c.req.method} ${c.req.path}`), c, deps.log),
  )
  app.onError((err, c) => renderError(err, c, deps.log))
  return app
}
