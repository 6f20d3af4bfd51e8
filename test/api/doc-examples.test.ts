/**
 * Both API documents' examples, replayed as written: the curl requests are read
 * out of the markdown at test time, sent to a fresh server (document ids in URLs
 * swapped for the ids we created), and each answer is compared with the
 * document's example response field by field (see `compareWithDoc`).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { compareWithDoc, DOC_ID, type DocExample, docExamples, type ExampleKind } from './doc-compare.ts'
import { ENVIRONMENTS, expectOk, shutdown, waitForLogs } from './fixtures.ts'

/** Logs before patch and delete, so the logs examples see the experiment the document shows. */
const RUN_ORDER: ExampleKind[] = ['create', 'list', 'get', 'listLogs', 'getLogs', 'patch', 'delete']
const inRunOrder = (examples: DocExample[]) => RUN_ORDER.flatMap((k) => examples.filter((e) => e.kind === k))

async function replay(server: TestServer, ex: DocExample, id: string | null): Promise<{ http: number; body: any }> {
  const path = id ? ex.path.replace(DOC_ID, id) : ex.path
  const res = await server.request(path, { method: ex.method, headers: ex.headers, body: ex.body ?? undefined })
  return { http: res.status, body: await res.json() }
}

describe('the current document (experiment-api.md)', () => {
  const examples = docExamples('experiment-api.md')
  let server: TestServer
  let id = ''

  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => shutdown(server))

  test('has seven example requests, each with an example response', () => {
    expect(examples.map((e) => e.kind)).toEqual(['create', 'list', 'get', 'patch', 'delete', 'listLogs', 'getLogs'])
    expect(examples[0]!.headers).toEqual({ 'content-type': 'application/json' })
    // `\u003d` in the document is just `=`.
    expect(examples[0]!.response.result.spec.spec.Ps.resources).toBe('cpu=1,memory=1024M')
  })

  for (const ex of inRunOrder(examples)) {
    test(`${ex.heading}: ${ex.method} ${ex.path} answers like the document, same keys in the same order`, async () => {
      if (ex.kind === 'getLogs') await waitForLogs(server, id)
      const res = await replay(server, ex, ex.kind === 'create' ? null : id)
      expectOk(res)
      if (ex.kind === 'create') id = res.body.result.experimentId
      const { mismatches, skipped } = compareWithDoc(res.body, ex.response, { kind: ex.kind, strictKeys: true })
      expect(mismatches).toEqual([])
      expect(skipped).toEqual([])
      const result = res.body.result
      if (['create', 'get', 'patch', 'delete'].includes(ex.kind)) {
        expect(result.experimentId).toBe(id)
        expect(result.spec.meta.experimentId).toBe(id)
      }
      if (ex.kind === 'list') expect(result.map((e: any) => e.experimentId)).toEqual([id])
    }, 15_000)
  }
})

/** What the earlier form shows that is not compared, by example heading, with the reason. */
const EARLIER_SKIPS: Record<string, Record<string, string>> = {
  'Create Experiment (Using Anonymous/Embedded Environment)': {
    'result.name': 'the result-level name is gone (the current form has spec.meta.name)',
  },
  'Create Experiment (Using Pre-defined/Stored Environment)': { 'result.name': 'the result-level name is gone' },
  'List experiment': {
    'result[0].name': 'the result-level name is gone',
    'result[1]': 'a PyTorch experiment that no example creates',
  },
  'Get experiment': { 'result.name': 'the result-level name is gone' },
  'Patch experiment': {},
  'Delete experiment': {
    'result.name': 'the result-level name is gone',
    'result.status': 'shows Accepted; the current form answers Deleted',
    'result.acceptedTime': 'shows a time; the current form answers all four times null',
  },
  'List experiment Log': {
    success: 'null in the earlier form; true in the current form',
    'result[0].logContent':
      'pods of other jobs (mnist-worker-0) with podLog null; now <experimentId>-<type>-<index> with []',
    'result[1].logContent': 'pods of a PyTorch job no example creates, podLog null',
  },
  'Get experiment Log': {
    success: 'null in the earlier form; true in the current form',
    'result.logContent':
      'a PyTorch job’s pods with podLog as one string; ' + 'the current form has a list of lines per pod',
  },
}

describe('the earlier document (experiment-api-earlier.md)', () => {
  const examples = docExamples('experiment-api-earlier.md')
  let server: TestServer
  const ids: string[] = []

  beforeAll(async () => {
    server = await startTestServer()
    expectOk(
      await server.json('POST', ENVIRONMENTS, {
        name: 'my-submarine-env',
        dockerImage: 'apache/submarine:tf-mnist-with-summaries-1.0',
      }),
    )
  })
  afterAll(() => shutdown(server))

  test('has eight example requests, including creating from the stored environment my-submarine-env', () => {
    expect(examples.map((e) => e.kind)).toEqual([
      'create',
      'create',
      'list',
      'get',
      'patch',
      'delete',
      'listLogs',
      'getLogs',
    ])
    expect(JSON.parse(examples[1]!.body!).environment).toEqual({ name: 'my-submarine-env' })
    expect(Object.keys(EARLIER_SKIPS).sort()).toEqual(examples.map((e) => e.heading).sort())
  })

  for (const ex of inRunOrder(examples)) {
    const skips = EARLIER_SKIPS[ex.heading] ?? {}
    const note = Object.keys(skips).length ? ` (not compared: ${Object.keys(skips).join(', ')})` : ''
    test(`${ex.heading}: ${ex.method} ${ex.path} answers with the fields the current form shares${note}`, async () => {
      const res = await replay(server, ex, ex.kind === 'create' ? null : ids[0]!)
      expectOk(res)
      if (ex.kind === 'create') ids.push(res.body.result.experimentId)
      // The earlier form answered a patch with the bare spec; the current form answers the experiment.
      const actual = ex.kind === 'patch' ? { ...res.body, result: res.body.result.spec } : res.body
      const { mismatches, skipped } = compareWithDoc(actual, ex.response, {
        kind: ex.kind,
        strictKeys: false,
        skip: Object.keys(skips),
      })
      expect(mismatches).toEqual([])
      expect(skipped.sort()).toEqual(Object.keys(skips).sort())
      const result = res.body.result
      if (ex.kind === 'delete')
        expect(result).toMatchObject({
          experimentId: ids[0],
          status: 'Deleted',
          acceptedTime: null,
          createdTime: null,
          runningTime: null,
          finishedTime: null,
        })
      if (ex.kind === 'list' || ex.kind === 'listLogs') expect(result.map((e: any) => e.experimentId)).toEqual(ids)
      if (ex.kind === 'getLogs')
        expect(result.logContent.map((p: any) => p.podName)).toEqual([`${ids[0]}-ps-0`, `${ids[0]}-worker-0`])
    }, 15_000)
  }
})
