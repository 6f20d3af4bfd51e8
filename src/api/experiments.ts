/**
 * @module
 * `/api/v1/experiment`: parse the request, call the service, answer in the envelope.
 */
import { Hono } from 'hono'
import { InvalidQueryError, NotFoundError } from '../errors.ts'
import { type ExperimentStatus, STATUSES } from '../experiments/experiment.ts'
import type { ExperimentService } from '../experiments/experiment-service.ts'
import { readBody } from '../http/body.ts'
import { jsonArray, ok, okStream } from '../http/envelope.ts'
import type { StoredLine } from '../storage/log-store.ts'
import { followLogs, type LogFollowDeps } from './log-follow.ts'
import { logParams } from './log-params.ts'
import { intParam } from './query-params.ts'

/** `?status=` in any case, or undefined; an unknown status is a 400 naming the allowed ones. */
export function statusParam(value: string | undefined): ExperimentStatus | undefined {
  if (!value) return undefined
  const status = STATUSES.find((s) => s.toLowerCase() === value.toLowerCase())
  if (!status)
    throw new InvalidQueryError(`Invalid query parameter status="${value}"; expected one of ${STATUSES.join(', ')}`)
  return status
}

/** The experiment routes. */
export function experimentRoutes(service: ExperimentService, streams: LogFollowDeps): Hono {
  const app = new Hono({ strict: false })

  app.get('/ping', () => ok('Pong'))

  app.get('/logs', (c) => {
    const status = statusParam(c.req.query('status'))
    const items = service.list({ status })
    return okStream(
      jsonArray(items, (e) => [
        JSON.stringify({
          experimentId: e.experimentId,
          logContent: service.podsOf(e).map((podName) => ({ podName, podLog: [] })),
        }),
      ]),
    )
  })

  app.get('/logs/:id', (c) => {
    const id = c.req.param('id')
    const params = logParams(c)
    const pods = service.podLogs(id, params)
    if (params.follow) return followLogs(c, service, streams, id, params)
    const text = params.timestamps ? (l: StoredLine) => `${l.ts} ${l.text}` : (l: StoredLine) => l.text
    function* result(): Generator<string> {
      yield `{"experimentId":${JSON.stringify(id)},"logContent":`
      yield* jsonArray(pods, function* (pod) {
        yield `{"podName":${JSON.stringify(pod.podName)},"podLog":`
        yield* jsonArray(pod.lines(), (line) => [JSON.stringify(text(line))])
        yield '}'
      })
      yield '}'
    }
    return okStream(result())
  })

  app.post('/', async (c) => ok(await service.create(await readBody(c))))

  app.get('/', (c) => {
    const status = statusParam(c.req.query('status'))
    const limit = intParam('limit', c.req.query('limit'))
    const offset = intParam('offset', c.req.query('offset'))
    const name = c.req.query('name') || undefined
    const afterId = c.req.query('after') || undefined
    return okStream(jsonArray(service.list({ status, limit, offset, afterId, name })))
  })

  app.get('/:id', (c) => ok(service.get(c.req.param('id'))))
  app.patch('/:id', async (c) => ok(await service.patch(c.req.param('id'), await readBody(c))))
  app.delete('/:id', async (c) => ok(await service.delete(c.req.param('id'))))
  app.post('/:name', () => {
    throw new NotFoundError(
      'ROUTE_NOT_FOUND',
      'Experiment templates are not supported; POST the experiment spec to /api/v1/experiment',
    )
  })
  return app
}
