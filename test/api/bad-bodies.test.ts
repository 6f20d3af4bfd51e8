/** Bodies that are not text or not JSON/YAML: a 400 that says where, and nothing stored. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { ENVIRONMENTS, EXPERIMENTS, expectError, shutdown, storedState, tfBody } from './fixtures.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => shutdown(server))

const send = async (path: string, body: string | Uint8Array, type = 'application/json') => {
  const res = await server.request(path, { method: 'POST', headers: { 'content-type': type }, body })
  return { http: res.status, body: (await res.json()) as any }
}

describe('a body that is not UTF-8', () => {
  const good = new TextEncoder().encode(JSON.stringify(tfBody('utf8-ok', { Worker: { replicas: 1 } })))
  const cases: Array<[string, Uint8Array, number]> = [
    ['a lone continuation byte in a string', withBytes(good, '"utf8-ok"', [0x80]), 0],
    ['a Latin-1 é', withBytes(good, '"utf8-ok"', [0xe9]), 0],
    ['an overlong encoding of "/"', withBytes(good, '"utf8-ok"', [0xc0, 0xaf]), 0],
    ['a UTF-16 surrogate encoded in UTF-8', withBytes(good, '"utf8-ok"', [0xed, 0xa0, 0x80]), 0],
    ['a sequence cut at the end', new Uint8Array([...new TextEncoder().encode('{"a":"'), 0xe2, 0x82]), 0],
  ]
  for (const [title, bytes] of cases) {
    for (const [path, type] of [
      [EXPERIMENTS, 'application/json'],
      [EXPERIMENTS, 'application/yaml'],
      [ENVIRONMENTS, 'application/json'],
    ] as const) {
      test(`${title}: 400 on POST ${path} (${type}), not read as U+FFFD`, async () => {
        const before = await storedState(server)
        const res = await send(path, bytes, type)
        expectError(res, 400, 'MALFORMED_BODY', /not valid UTF-8 \(the first bad byte is at offset \d+\)/)
        const offset = Number(/offset (\d+)/.exec(res.body.message)![1])
        expect(bytes[offset]! >= 0x80).toBe(true)
        expect(await storedState(server)).toEqual(before)
      })
    }
  }
  test('valid multi-byte UTF-8 is taken as is', async () => {
    const res = await send(
      EXPERIMENTS,
      new TextEncoder().encode(JSON.stringify(tfBody('é-€-𝄞', { Worker: { replicas: 1 } }))),
    )
    expect(res.http).toBe(200)
    expect(res.body.result.spec.meta.name).toBe('é-€-𝄞')
  })
})

/** `good` with `bytes` put inside the first occurrence of `marker` (after its opening quote). */
function withBytes(good: Uint8Array, marker: string, bytes: number[]): Uint8Array {
  const text = new TextDecoder().decode(good)
  const at = new TextEncoder().encode(text.slice(0, text.indexOf(marker) + 1)).length
  return new Uint8Array([...good.subarray(0, at), ...bytes, ...good.subarray(at)])
}

describe('a JSON syntax error names its line and column', () => {
  const cases: Array<[string, string, number, number, string]> = [
    ['a bare word', '{\n  "meta": {\n    "name": x\n  }\n}', 3, 13, 'expected a value'],
    ['a missing colon', '{\n  "meta" {}\n}', 2, 10, 'expected : after a name'],
    ['a trailing comma', '{\n  "spec": {"Worker": {"replicas": 1},}\n}', 2, 38, 'expected a "name"'],
    ['a missing comma', '{"meta": {}\n "spec": {}}', 2, 2, 'expected , or }'],
    ['a cut body', '{\n  "meta": {"name": ', 2, 20, 'found the end of the body'],
    ['a bad escape', '{"meta": {"name": "a\\qb"}}', 1, 22, 'expected an escape'],
    ['text after the value', '{}\n\n  {}', 3, 3, 'expected the end of the body'],
    ['a raw newline in a string', '{"meta": {"name": "a\nb"}}', 1, 21, 'control characters must be escaped'],
  ]
  for (const [title, text, line, column, problem] of cases) {
    test(title, async () => {
      const res = await send(EXPERIMENTS, text)
      expectError(res, 400, 'MALFORMED_BODY')
      expect(res.body.message).toStartWith(`Malformed JSON in request body at line ${line}, column ${column}: `)
      expect(res.body.message).toContain(problem)
    })
  }
  test('on environments too', async () => {
    expectError(
      await send(ENVIRONMENTS, '{\n "name": "a",\n "dockerImage": }'),
      400,
      'MALFORMED_BODY',
      /^Malformed JSON in request body at line 3, column 17: /,
    )
  })
})

test('a YAML syntax error is a 400 (Bun gives no position to report)', async () => {
  expectError(
    await send(EXPERIMENTS, 'meta:\n  name: [a\n', 'application/yaml'),
    400,
    'MALFORMED_BODY',
    /^Malformed YAML in request body: /,
  )
})
