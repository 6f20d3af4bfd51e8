import { expect, test } from 'bun:test'
import { Hono } from 'hono'
import { TooManyStreamsError } from '../errors.ts'
import { renderError } from './on-error.ts'
import { createStreamSlots } from './stream-slots.ts'

test('a full server refuses one more stream with a 429 until a slot is released', () => {
  const slots = createStreamSlots(2)
  const a = slots.acquire('log follow')
  const b = slots.acquire('event stream')
  expect(slots.open).toBe(2)
  expect(() => slots.acquire('log follow')).toThrow(TooManyStreamsError)
  a()
  const c = slots.acquire('log follow')
  expect(slots.open).toBe(2)
  b()
  c()
  expect(slots.open).toBe(0)
})

test('releasing a slot twice frees it once', () => {
  const slots = createStreamSlots(1)
  const a = slots.acquire('log follow')
  a()
  a()
  expect(slots.open).toBe(0)
  slots.acquire('log follow')
  expect(() => slots.acquire('log follow')).toThrow(TooManyStreamsError)
  expect(slots.open).toBe(1)
})

test('the refusal is answered 429 in the envelope, naming the limit and the stream', async () => {
  const slots = createStreamSlots(1)
  const app = new Hono()
  app.get('/follow', () => {
    slots.acquire('log follow')
    return new Response('streaming')
  })
  app.onError((err, c) => renderError(err, c, () => {}))
  expect((await app.request('/follow')).status).toBe(200)
  const res = await app.request('/follow')
  expect(res.status).toBe(429)
  expect(await res.json()).toEqual({
    status: 'TOO_MANY_REQUESTS',
    code: 429,
    success: false,
    message:
      'Too many open streams: this server serves at most 1 log follows and event streams at once, ' +
      'and all are open; close one or retry the log follow later',
    result: null,
    attributes: { reason: 'TOO_MANY_STREAMS', limit: 1 },
  })
})

test('a cap that is not a whole number of at least one is refused', () => {
  expect(() => createStreamSlots(0)).toThrow(RangeError)
  expect(() => createStreamSlots(1.5)).toThrow(RangeError)
})
