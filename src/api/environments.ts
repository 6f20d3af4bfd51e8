/**
 * @module
 * `/api/v1/environment`: stored environments by name.
 */
import { Hono } from 'hono'
import type { EnvironmentService } from '../environments/environment-service.ts'
import { readBody } from '../http/body.ts'
import { ok } from '../http/envelope.ts'

/** The environment routes. */
export function environmentRoutes(service: EnvironmentService): Hono {
  const app = new Hono({ strict: false })
  app.post('/', async (c) => ok(service.create(await readBody(c))))
  app.get('/', () => ok(service.list()))
  app.get('/:name', (c) => ok(service.get(c.req.param('name'))))
  app.patch('/:name', async (c) => ok(service.patch(c.req.param('name'), await readBody(c))))
  app.delete('/:name', (c) => ok(service.delete(c.req.param('name'))))
  return app
}
