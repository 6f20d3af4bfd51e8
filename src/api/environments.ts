/**
 * @module
 * `/api/v1/environment`: stored environments by name.
 */
import { Hono } from 'hono'
import type { EnvironmentService } from '../environments/environment-service.ts'
import { readBody } from '../http/body.ts'
import { okBody } from '../http/envelope.ts'

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' }

/** The environment routes. */
export function environmentRoutes(service: EnvironmentService): Hono {
  const app = new Hono({ strict: false })
  app.post('/', async (c) => c.body(okBody(service.create(await readBody(c))), 200, JSON_TYPE))
  app.get('/', (c) => c.body(okBody(service.list()), 200, JSON_TYPE))
  app.get('/:name', (c) => c.body(okBody(service.get(c.req.param('name'))), 200, JSON_TYPE))
  app.patch('/:name', async (c) => c.body(okBody(service.patch(c.req.param('name'), await readBody(c))), 200, JSON_TYPE))
  app.delete('/:name', (c) => c.body(okBody(service.delete(c.req.param('name'))), 200, JSON_TYPE))
  return app
}
