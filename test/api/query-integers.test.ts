/**
 * Whole-number query parameters beyond what SQLite binds are a 400 naming the
 * parameter, answered before any streamed answer starts (they dropped the connection
 * mid-answer). Through the real socket, so a dropped connection fails the test.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { create, EXPERIMENTS, expectError, shutdown, singleBody } from './fixtures.ts'

let server: TestServer
let id: string
beforeAll(async () => {
  server = await startTestServer()
  id = (await create(server, singleBody('q-int', 'echo hi'))).experimentId
})
afterAll(() => shutdown(server))

const TOO_LARGE = [
  '9007199254740992',
  '9223372036854775807',
  '18446744073709551616',
  '99999999999999999999',
  `1${'0'.repeat(400)}`,
]
const get = async (path: string) => {
  const res = await fetch(`${server.url}${path}`)
  return { http: res.status, body: JSON.parse(await res.text()) }
}

const ENDPOINTS = [
  ['limit', (v: string) => `${EXPERIMENTS}?limit=${v}`],
  ['offset', (v: string) => `${EXPERIMENTS}?offset=${v}`],
  ['offset', (v: string) => `${EXPERIMENTS}?status=Running&limit=1&offset=${v}`],
  ['tailLines', (v: string) => `${EXPERIMENTS}/logs/ID?tailLines=${v}`],
] as const

describe.each(ENDPOINTS)('%s', (name, path) => {
  for (const value of TOO_LARGE) {
    test(`${value.slice(0, 24)} is a 400 naming ${name}`, async () => {
      const res = await get(path(value).replace('ID', id))
      expectError(
        res,
        400,
        'INVALID_QUERY',
        new RegExp(`^Invalid query parameter ${name}="\\d+…?"; expected a whole number from 0 to 9007199254740991$`),
      )
    })
  }
  test('the largest value is answered in full', async () => {
    const res = await get(path('9007199254740991').replace('ID', id))
    expect(res.http).toBe(200)
    expect(res.body.success).toBe(true)
  })
  test('-1 and 1.5 are a 400 too', async () => {
    for (const v of ['-1', '1.5', '1e3'])
      expectError(await get(path(v).replace('ID', id)), 400, 'INVALID_QUERY', new RegExp(`${name}=`))
  })
})

test('after= a huge number is no experiment id: a 400 naming after', async () => {
  expectError(
    await get(`${EXPERIMENTS}?after=${'9'.repeat(40)}`),
    400,
    'INVALID_QUERY',
    /after="9+": no experiment has that id/,
  )
})
