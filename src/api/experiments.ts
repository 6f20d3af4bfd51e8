/**
 * @module
 * `/api/v1/experiment`: parse the request, call the service, answer in the envelope.
 */
import { Hono } from 'hono'
import { InvalidQueryError, NotFoundError } from '../errors.ts'
import { type ExperimentStatus, STATUSES } from '../experiments/experiment.ts'
import type { ExperimentService } from '../experiments/experiment-service.ts'
import { readBody } from '../http/body.ts'
import { STREAM_HEAD, STREAM_TAIL, jsonArray, okBody, streamBody } from '../http/envelope.ts'

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' }

/** `?status=` in any case, or undefined; an unknown status is a 400 naming the allowed ones. */
export function statusParam(value: string | undefined): ExperimentStatus | undefined {
  if (!value) return undefined
  const status = STATUSES.find((s) => s.toLowerCase() === value.toLowerCase())
  if (!status) throw new InvalidQueryError(`Invalid query parameter status="${value}"; expected one of ${STATUSES.join(', ')}`)
  return status
}

function intParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  if (!/^\d+$/.test(value)) throw new InvalidQueryError(`Invalid query parameter ${name}="${value}"; expected a whole number`)
  return Number(value)
}

/** The experiment routes. */
export function experimentRoutes(service: ExperimentService): Hono {
  const app = new Hono({ strict: false })

  app.get('/ping', (c) => c.body(okBody('Pong'), 200, JSON_TYPE))

  app.get('/logs', (c) => {
    const status = statusParam(c.req.query('status'))
    const items = service.list({ status })
    function* result(): Generator<string> {
      yield STREAM_HEAD
      yield* jsonArray(items, (e) => [
        JSON.stringify({ experimentId: e.experimentId, logContent: service.podsOf(e).map((podName) => ({ podName, podLog: [] })) }),
      ])
      yield STREAM_TAIL
    }
    return c.body(streamBody(result()), 200, JSON_TYPE)
  })

  app.get('/logs/:id', (c) => {
    const id = c.req.param('id')
    const pods = service.podLogs(id, { pod: c.req.query('pod') || undefined, tailLines: intParam('tailLines', c.req.query('tailLines')) })
    function* result(): Generator<string> {
      yield STREAM_HEAD
      yield `{"experimentId":${JSON.stringify(id)},"logContent":`
      yield* jsonArray(pods, function* (pod) {
        yield `{"podName":${JSON.stringify(pod.podName)},"podLog":`
        yield* jsonArray(pod.lines())
        yield '}'
      })
      yield '}'
      yield STREAM_TAIL
    }
    return c.body(streamBody(result()), 200, JSON_TYPE)
  })

  app.post('/', async (c) => c.body(okBody(await service.create(await readBody(c))), 200, JSON_TYPE))

  app.get('/', (c) => {
    const status = statusParam(c.req.query('status'))
    const limit = intParam('limit', c.req.query('limit'))
    const offset = intParam('offset', c.req.query('offset'))
    const items = service.list({ status, limit, offset, afterId: c.req.query('after') || undefined })
    function* result(): Generator<string> {
      yield STREAM_HEAD
      yield* jsonArray(items)
      yield STREAM_TAIL
    }
    return c.body(streamBody(result()), 200, JSON_TYPE)
  })

  app.get('/:id', (c) => c.body(okBody(service.get(c.req.param('id'))), 200, JSON_TYPE))
  app.patch('/:id', async (c) => c.body(okBody(await service.patch(c.req.param('id'), await readBody(c))), 200, JSON_TYPE))
  app.delete('/:id', async (c) => c.body(okBody(await service.delete(c.req.param('id'))), 200, JSON_TYPE))
  app.post('/:name', () => {
    throw new NotFoundError('ROUTE_NOT_FOUND', 'Experiment templates are not supported; POST the experiment spec to /api/v1/experiment')
  })
  return app
}
