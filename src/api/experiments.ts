/**
 * @module
 * `/api/v1/experiment`: parse the request, call the service, answer in the envelope.
 */
import { type Context, Hono } from 'hono'
import { InvalidQueryError } from '../errors.ts'
import { type ExperimentStatus, FILTER_STATUSES } from '../experiments/experiment.ts'
import type { ExperimentService } from '../experiments/experiment-service.ts'
import { maskExperiment } from '../experiments/mask-credentials.ts'
import { createAnswerCache, MAX_ANSWER_BYTES } from '../http/answer-cache.ts'
import { readBody } from '../http/body.ts'
import { envelopeBytes, jsonArray, ok, okBytes, okKept, okStream } from '../http/envelope.ts'
import { idempotencyOf, REPLAYED_HEADER } from '../http/idempotency-key.ts'
import type { StoredLine } from '../storage/log-store.ts'
import type { TemplateService } from '../templates/template-service.ts'
import { followLogs, type LogFollowDeps } from './log-follow.ts'
import { logParams } from './log-params.ts'
import { intParam } from './query-params.ts'

/**
 * `?status=` in any case, or undefined; an unknown status is a 400 naming the allowed ones.
 * Submarine's SDK suggests `Deleted`: it is answered (with nothing, as nothing stored is deleted).
 */
export function statusParam(value: string | undefined): ExperimentStatus | 'Deleted' | undefined {
  if (!value) return undefined
  const status = FILTER_STATUSES.find((s) => s.toLowerCase() === value.toLowerCase())
  if (!status)
    throw new InvalidQueryError(
      `Invalid query parameter status="${value}"; expected one of ${FILTER_STATUSES.join(', ')}`,
    )
  return status
}

/** The experiment routes; `templates` makes the bodies of submissions to a template. */
export function experimentRoutes(
  service: ExperimentService,
  streams: LogFollowDeps,
  templates: Pick<TemplateService, 'instantiate'>,
): Hono {
  const app = new Hono({ strict: false })
  // Reads of one experiment and pages of the list, kept until the store changes.
  const answers = createAnswerCache(service.version)
  /** Every experiment is created here: from a spec, or from a template's substitution. */
  const create = async (c: Context, body: unknown) => {
    const { experiment, replayed } = await service.create(body, idempotencyOf(c, body))
    const res = ok(maskExperiment(experiment))
    if (replayed) res.headers.set(REPLAYED_HEADER, 'true')
    return res
  }

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

  app.post('/', async (c) => create(c, await readBody(c)))

  app.get('/', (c) => {
    const status = statusParam(c.req.query('status'))
    const limit = intParam('limit', c.req.query('limit'))
    const offset = intParam('offset', c.req.query('offset'))
    const name = c.req.query('name') || undefined
    const afterId = c.req.query('after') || undefined
    const key = `list ${JSON.stringify([status, limit, offset, name, afterId])}`
    const kept = answers.get(key)
    if (kept) return okBytes(kept)
    const items = jsonArray(service.list({ status, limit, offset, afterId, name }), (e) => [
      JSON.stringify(maskExperiment(e)),
    ])
    return okKept(items, MAX_ANSWER_BYTES, (bytes) => answers.set(key, bytes))
  })

  // Every answer that holds a spec shows the git password masked.
  app.get('/:id', (c) => {
    const id = c.req.param('id')
    const key = `experiment ${id}`
    const kept = answers.get(key)
    if (kept) return okBytes(kept)
    const bytes = envelopeBytes(JSON.stringify(maskExperiment(service.get(id))))
    answers.set(key, bytes)
    return okBytes(bytes)
  })
  app.patch('/:id', async (c) => ok(maskExperiment(await service.patch(c.req.param('id'), await readBody(c)))))
  app.delete('/:id', async (c) => ok(maskExperiment(await service.delete(c.req.param('id')))))
  app.post('/:id/stop', (c) => ok(maskExperiment(service.stop(c.req.param('id')))))
  // Submarine's submission to a template: its answer is exactly that of creating the experiment it makes.
  app.post('/:name', async (c) => {
    const body = await readBody(c)
    return create(c, templates.instantiate(c.req.param('name'), body))
  })
  return app
}
