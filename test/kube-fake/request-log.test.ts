import { afterAll, beforeAll, expect, test } from 'bun:test'
import { type Clients, clientsFor, tfjobs } from './fixtures.ts'
import { type FakeKube, startFakeKube } from './index.ts'

let fake: FakeKube
let c: Clients
beforeAll(async () => {
  fake = await startFakeKube({ runPods: false })
  c = clientsFor(fake)
})
afterAll(() => fake.stop())

test('requests() lists requests in order, watches and log follows flagged; clearRequests forgets', async () => {
  fake.clearRequests()
  await c.custom.listNamespacedCustomObject({ ...tfjobs() })
  const token = /token: (\S+)/.exec(fake.kubeconfig())?.[1]
  const headers = { authorization: `Bearer ${token}` }
  const watch = new AbortController()
  const watching = await fetch(`${fake.url}/api/v1/namespaces/default/pods?watch=true`, {
    headers,
    signal: watch.signal,
  })
  expect(watching.status).toBe(200)
  watch.abort()
  await fetch(`${fake.url}/api/v1/namespaces/default/pods/nope/log?follow=true`, { headers })
  const seen = fake.requests()
  expect(seen.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual([
    'GET /apis/kubeflow.org/v1/namespaces/default/tfjobs',
    'GET /api/v1/namespaces/default/pods',
    'GET /api/v1/namespaces/default/pods/nope/log',
  ])
  expect(seen.map((r) => [r.watch, r.follow])).toEqual([
    [false, false],
    [true, false],
    [false, true],
  ])
  expect(seen.every((r) => typeof r.at === 'number')).toBe(true)
  fake.clearRequests()
  expect(fake.requests()).toEqual([])
})
