/** Specs no runtime could ever start are refused at create (and patch) with a 400 naming the field. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { type Body, create, EXPERIMENTS, expectError, shutdown, storedState, tfBody, withValue } from './fixtures.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => shutdown(server))

const good = tfBody('exec', { Worker: { replicas: 1, cmd: 'echo task', envVars: { T: 't' } } })
const big = (n: number) => 'x'.repeat(n)

const CASES: Array<[string, Body, RegExp]> = [
  [
    'a NUL byte in meta.cmd',
    withValue(tfBody('exec', { Worker: { replicas: 1 } }), 'meta.cmd', 'echo a\0b'),
    /^Invalid experiment spec: meta\.cmd: the command contains a NUL byte/,
  ],
  [
    'a NUL byte in a task cmd',
    withValue(good, 'spec.Worker.cmd', 'echo\0'),
    /^Invalid experiment spec: spec\.Worker\.cmd: the command contains a NUL byte/,
  ],
  [
    'a NUL byte in a task env value',
    withValue(good, 'spec.Worker.envVars', { A: 'x\0y' }),
    /^Invalid experiment spec: spec\.Worker\.envVars\.A: NAME=value contains a NUL byte/,
  ],
  [
    'a NUL byte in a meta env value',
    withValue(tfBody('exec', { Worker: { replicas: 1 } }), 'meta.envVars', { M: '\0' }),
    /^Invalid experiment spec: meta\.envVars\.M: NAME=value contains a NUL byte/,
  ],
  [
    'a NUL byte in an env var name',
    withValue(good, 'spec.Worker.envVars', { 'A\0B': 'x' }),
    /spec\.Worker\.envVars\.A\0B: expected an environment variable name/,
  ],
  [
    'an env var name with "="',
    withValue(good, 'spec.Worker.envVars', { 'A=B': 'x' }),
    /spec\.Worker\.envVars\.A=B: expected an environment variable name/,
  ],
  [
    'a command of 128 KiB',
    withValue(good, 'spec.Worker.cmd', big(128 * 1024)),
    new RegExp(
      '^Invalid experiment spec: spec\\.Worker\\.cmd: the command is 131072 bytes; ' +
        'the operating system takes at most 131071 bytes',
    ),
  ],
  [
    'NAME=value of 128 KiB',
    withValue(good, 'spec.Worker.envVars', { AB: big(128 * 1024 - 3) }),
    /^Invalid experiment spec: spec\.Worker\.envVars\.AB: NAME=value is 131072 bytes; .* at most 131071/,
  ],
  [
    'a TensorFlow experiment with only Ps',
    tfBody('ps-only', { Ps: { replicas: 2 } }),
    /^Invalid experiment spec: spec: a TensorFlow experiment needs a Worker, Chief or Master task/,
  ],
  [
    'a TensorFlow experiment with only Ps and Evaluator',
    tfBody('ps-ev', { Ps: { replicas: 1 }, Evaluator: { replicas: 1 } }),
    /needs a Worker, Chief or Master task/,
  ],
]

describe('refused at create', () => {
  for (const [title, body, message] of CASES) {
    test(title, async () => {
      const before = await storedState(server)
      expectError(await server.json('POST', EXPERIMENTS, body), 400, 'INVALID_SPEC', message)
      expect(await storedState(server)).toEqual(before)
    })
  }
  test('and at patch, leaving the stored spec', async () => {
    const e = await create(server, good)
    expectError(
      await server.json('PATCH', `${EXPERIMENTS}/${e.experimentId}`, withValue(good, 'spec.Worker.cmd', 'a\0')),
      400,
      'INVALID_SPEC',
      /spec\.Worker\.cmd/,
    )
    expect((await server.json('GET', `${EXPERIMENTS}/${e.experimentId}`)).body.result.spec).toEqual(e.spec)
  })
})

test('the command and environment together are at most 1 MiB (YAML aliases can outgrow the body)', async () => {
  const yaml = [
    'meta:',
    '  name: alias',
    '  framework: TensorFlow',
    `  cmd: &c "${big(100_000)}"`,
    '  envVars:',
    ...Array.from({ length: 11 }, (_, i) => `    V${i}: *c`),
    'environment:',
    '  image: busybox:1',
    'spec:',
    '  Worker:',
    '    replicas: 1',
  ].join('\n')
  const res = await server.request(EXPERIMENTS, {
    method: 'POST',
    headers: { 'content-type': 'application/yaml' },
    body: yaml,
  })
  expectError(
    { http: res.status, body: await res.json() },
    400,
    'INVALID_SPEC',
    new RegExp(
      '^Invalid experiment spec: spec\\.Worker: the command and environment are \\d+ bytes together; ' +
        'at most 1048576 bytes \\(1 MiB\\)',
    ),
  )
})

test('just under every limit is accepted', async () => {
  const e = await create(
    server,
    withValue(withValue(good, 'spec.Worker.cmd', `#${big(128 * 1024 - 2)}`), 'spec.Worker.envVars', {
      AB: big(128 * 1024 - 4),
    }),
  )
  expect(e.spec.spec.Worker.cmd.length).toBe(128 * 1024 - 1)
  expect(e.spec.spec.Worker.envVars.AB.length).toBe(128 * 1024 - 4)
})
