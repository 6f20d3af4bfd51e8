import { expect, test } from 'bun:test'
import { Hono } from 'hono'
import { MAX_REMEMBERED, MemoRouter } from './memo-router.ts'

test('remembered matches answer as the trie does: first registered wins, params per path', async () => {
  const app = new Hono({ strict: false, router: new MemoRouter() })
  app.get('/e/events', (c) => c.text('events'))
  app.get('/e/:id', (c) => c.text(`id ${c.req.param('id')}`))
  app.post('/e/:id', (c) => c.text(`post ${c.req.param('id')}`))
  const text = async (path: string, method = 'GET') => (await app.request(path, { method })).text()
  for (let round = 0; round < 2; round++) {
    expect(await text('/e/events')).toBe('events')
    expect(await text('/e/a')).toBe('id a')
    expect(await text('/e/b')).toBe('id b')
    expect(await text('/e/a', 'POST')).toBe('post a')
  }
})

test('past the limit new paths are still matched, just not remembered', async () => {
  const app = new Hono({ router: new MemoRouter() })
  app.get('/:id', (c) => c.text(c.req.param('id')))
  for (let i = 0; i < MAX_REMEMBERED + 10; i++) expect(await (await app.request(`/p${i}`)).text()).toBe(`p${i}`)
  expect(await (await app.request('/p0')).text()).toBe('p0')
})
