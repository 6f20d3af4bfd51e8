import { describe, expect, test } from 'bun:test'
import { Backoff, sleep, Wakeup } from './backoff.ts'

describe('Backoff', () => {
  test('doubles from the first delay up to the cap, and starts over after reset', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 })
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000, 1000])
    b.reset()
    expect(b.next()).toBe(100)
  })

  test('jitter takes off at most its fraction of each delay', () => {
    expect(new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0.999).next()).toBe(50)
    expect(new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0).next()).toBe(100)
  })
})

describe('sleep and Wakeup', () => {
  test('an aborted signal ends a sleep at once', async () => {
    const c = new AbortController()
    const slept = sleep(60_000, c.signal)
    c.abort()
    await slept
    await sleep(60_000, c.signal) // already aborted: returns at once
  })

  test('wake ends every current sleep early', async () => {
    const w = new Wakeup()
    const sleeps = [w.sleep(60_000), w.sleep(60_000)]
    w.wake()
    await Promise.all(sleeps)
  })

  test('a wake while nobody sleeps makes the next sleep return at once, and only that one', async () => {
    const w = new Wakeup()
    w.wake()
    await w.sleep(60_000)
    let ended = false
    const next = w.sleep(30).then(() => (ended = true))
    expect(ended).toBe(false)
    await next
  })
})
