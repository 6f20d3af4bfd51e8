/** Two DELETEs of one experiment at the same moment: one 200, the other 404. Through the real socket. */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { create, EXPERIMENTS, shutdown, singleBody } from './fixtures.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => shutdown(server))

test('of two concurrent deletes exactly one succeeds, 40 times over', async () => {
  for (let round = 0; round < 40; round++) {
    const { experimentId } = await create(server, singleBody(`race-${round}`, 'sleep 30'))
    const del = () =>
      fetch(`${server.url}${EXPERIMENTS}/${experimentId}`, { method: 'DELETE' }).then(async (r) => ({
        http: r.status,
        body: (await r.json()) as any,
      }))
    const answers = await Promise.all([del(), del()])
    expect(answers.map((a) => a.http).sort()).toEqual([200, 404])
    const ok = answers.find((a) => a.http === 200)!
    expect(ok.body.result).toMatchObject({ experimentId, status: 'Deleted' })
    expect(answers.find((a) => a.http === 404)!.body.attributes.reason).toBe('EXPERIMENT_NOT_FOUND')
    expect((await fetch(`${server.url}${EXPERIMENTS}/${experimentId}`)).status).toBe(404)
  }
}, 60_000)
