/**
 * @module
 * The calls Submarine's own web UI makes that periscope has nothing behind: answered
 * as "nothing here" so that its pages work instead of failing on a 404 (TensorBoard and
 * MLflow are not available, an experiment has no artifacts, params or metrics).
 */
import { Hono } from 'hono'
import { ValidationError } from '../errors.ts'
import type { ExperimentService } from '../experiments/experiment-service.ts'
import { readBody } from '../http/body.ts'
import { ok } from '../http/envelope.ts'

/** `result` of the tensorboard and mlflow answers: periscope runs neither. */
export const UNAVAILABLE = Object.freeze({ available: false, url: null })

/** `/api/v1/experiment/{tensorboard,mlflow,artifacts/:id}`; mount before the experiment routes. */
export function submarineUiExperimentRoutes(service: Pick<ExperimentService, 'get'>): Hono {
  const app = new Hono({ strict: false })
  app.get('/tensorboard', () => ok(UNAVAILABLE))
  app.get('/mlflow', () => ok(UNAVAILABLE))
  app.get('/artifacts/:id', (c) => {
    service.get(c.req.param('id')) // 404 EXPERIMENT_NOT_FOUND for an unknown id
    return ok([])
  })
  return app
}

/** `POST /api/param/selective` and `/api/metric/selective`: no experiment has any. */
export function submarineUiTrackingRoutes(): Hono {
  const app = new Hono({ strict: false })
  for (const kind of ['param', 'metric']) {
    app.post(`/${kind}/selective`, async (c) => {
      const body = await readBody(c)
      if (body !== null && (typeof body !== 'object' || Array.isArray(body)))
        throw new ValidationError(
          `Invalid ${kind} query: the body must be an object such as {"id": ` +
            `"<experimentId>"}, not ${Array.isArray(body) ? 'an array' : typeof body}`,
        )
      const id = (body as Record<string, unknown> | null)?.id
      if (id !== undefined && typeof id !== 'string')
        throw new ValidationError(`Invalid field id: expected an experiment id string, got ${typeof id}`)
      return ok([])
    })
  }
  return app
}
