/**
 * Reads of an experiment and of the list are answered from memory until the store changes
 * (`src/http/answer-cache.ts`): every change a user can make or the runtime can report shows
 * in the very next read, and a kept answer is byte for byte what a fresh render gives.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { create, EXPERIMENTS, getExperiment, singleBody, waitForStatus } from './fixtures.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.stop())

const text = async (path: string) => (await server.request(path)).text()
const listed = async (query = '') =>
  (await server.json('GET', `${EXPERIMENTS}${query}`)).body.result.map((e: any) => [e.spec.meta.name, e.status])

test('a read answered twice is the same bytes, and the next read after a change shows it', async () => {
  const id = (await create(server, singleBody('kept-one', 'sleep 0.3'))).experimentId
  const path = `${EXPERIMENTS}/${id}`
  expect(await text(path)).toBe(await text(path))
  const names = await listed('?limit=50')
  expect(await listed('?limit=50')).toEqual(names)

  // A change by the user…
  const patched = await server.json('PATCH', path, singleBody('kept-renamed', 'sleep 0.3'))
  expect(patched.http).toBe(200)
  expect((await getExperiment(server, id)).spec.meta.name).toBe('kept-renamed')
  expect((await listed('?limit=50')).map((r: string[]) => r[0])).toContain('kept-renamed')

  // …and by the runtime: every status it reports shows in the next read.
  const { seen, result } = await waitForStatus(server, id, ['Succeeded'], 20_000)
  expect(result.status).toBe('Succeeded')
  expect(seen.at(-1)).toBe('Succeeded')
  expect(await listed('?status=succeeded&limit=50')).toContainEqual(['kept-renamed', 'Succeeded'])

  // A delete: the kept answers go with it.
  expect((await server.json('DELETE', path)).http).toBe(200)
  expect((await server.json('GET', path)).http).toBe(404)
  expect((await listed('?limit=50')).map((r: string[]) => r[0])).not.toContain('kept-renamed')
})

test('pages of the list are kept apart: limit, offset, status and name each answer their own', async () => {
  for (const name of ['page-a', 'page-b', 'page-c']) await create(server, singleBody(name, 'true'))
  const all = (await listed('?name=page-')).map((r: string[]) => r[0])
  expect(all).toEqual(['page-a', 'page-b', 'page-c'])
  expect((await listed('?name=page-&limit=1')).map((r: string[]) => r[0])).toEqual(['page-a'])
  expect((await listed('?name=page-&limit=1&offset=1')).map((r: string[]) => r[0])).toEqual(['page-b'])
  expect((await listed('?name=page-b')).map((r: string[]) => r[0])).toEqual(['page-b'])
  expect(await listed('?name=page-&status=Deleted')).toEqual([])
})
