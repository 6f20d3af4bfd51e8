/**
 * @module
 * `/api/v1/template`: stored experiment templates by name. Submitting one is
 * `POST /api/v1/experiment/{name}` (`experiments.ts`).
 */
import { Hono } from 'hono'
import { readBody } from '../http/body.ts'
import { ok } from '../http/envelope.ts'
import type { TemplateService } from '../templates/template-service.ts'

/** The template routes. `?status=` is ignored, as Submarine ignores it. */
export function templateRoutes(service: TemplateService): Hono {
  const app = new Hono({ strict: false })
  app.post('/', async (c) => ok(service.create(await readBody(c))))
  app.get('/', () => ok(service.list()))
  app.get('/:name', (c) => ok(service.get(c.req.param('name'))))
  app.patch('/:name', async (c) => ok(service.patch(c.req.param('name'), await readBody(c))))
  app.delete('/:name', (c) => ok(service.delete(c.req.param('name'))))
  return app
}
