/**
 * @module
 * The API documents' example requests (```sh curl blocks) and example responses
 * (the ```json block after each): extracted from the markdown into
 * `test/fixtures/api-doc/` by `scripts/api-doc-fixtures.ts`, read back from there
 * by the tests, and compared with a live response field by field.
 */
import { readFileSync } from 'node:fs'
import { apiDocFixture } from '../fixtures/paths.ts'
import { EXPERIMENT_ID, STATUSES, UTC_MILLIS, UUID } from './fixtures.ts'

export type ExampleKind = 'create' | 'list' | 'get' | 'patch' | 'delete' | 'listLogs' | 'getLogs'

/** One documented request and its documented response. */
export interface DocExample {
  heading: string
  method: string
  headers: Record<string, string>
  /** The `-d '…'` text, as written. */
  body: string | null
  /** The URL's path, with the document's experiment id. */
  path: string
  kind: ExampleKind
  response: any
}

/** A documented experiment id in a path (both id generations). */
export const DOC_ID = /experiment[-_]\d{13}[-_]\d{4}/

function kindOf(method: string, path: string): ExampleKind {
  const tail = path.replace(/^\/api\/v1\/experiment\/?/, '')
  if (method === 'POST') return 'create'
  if (method === 'PATCH') return 'patch'
  if (method === 'DELETE') return 'delete'
  if (tail === '') return 'list'
  if (tail === 'logs') return 'listLogs'
  return tail.startsWith('logs/') ? 'getLogs' : 'get'
}

function parseCurl(text: string): Omit<DocExample, 'heading' | 'response' | 'kind'> {
  const method = /-X\s+([A-Z]+)/.exec(text)?.[1] ?? 'GET'
  const headers = Object.fromEntries(
    [...text.matchAll(/-H\s+"([^":]+):\s*([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]),
  )
  const body = /-d\s+'([\s\S]*?)'/.exec(text)?.[1] ?? null
  const url = /(https?:\/\/\S+)\s*$/.exec(text.trim())?.[1]
  if (!url) throw new Error(`no URL in curl example:\n${text}`)
  return { method, headers, body, path: new URL(url).pathname }
}

/** One example as the document writes it: the curl command's text and the parsed response. */
export interface WrittenExample {
  heading: string
  curl: string
  response: unknown
}

/** The committed fixture of one document (`test/fixtures/api-doc/<doc>.json`). */
export interface ApiDocFixture {
  source: string
  generatedBy: string
  examples: WrittenExample[]
}

/** Every example of a document's markdown, in document order. */
export function extractExamples(markdown: string): WrittenExample[] {
  const out: WrittenExample[] = []
  let heading = ''
  let pending: { heading: string; curl: string } | null = null
  for (const m of markdown.matchAll(/^(#{2,3}) (.*)$|^```(\w*)\n([\s\S]*?)^```/gm)) {
    if (m[1]) heading = m[2]!.trim()
    else if (m[3] === 'sh') pending = { heading, curl: m[4]! }
    else if (m[3] === 'json' && pending) {
      out.push({ ...pending, response: JSON.parse(m[4]!) })
      pending = null
    }
  }
  return out
}

/** The fixture file's text for a document (`doc` is its file name, e.g. `experiment-api.md`). */
export function renderFixture(doc: string, markdown: string): string {
  const fixture: ApiDocFixture = {
    source: doc,
    generatedBy: 'bun scripts/api-doc-fixtures.ts',
    examples: extractExamples(markdown),
  }
  return `${JSON.stringify(fixture, null, 2)}\n`
}

/** Every example of a document, in document order, read from its committed fixture. */
export function docExamples(doc: string): DocExample[] {
  const fixture = JSON.parse(readFileSync(apiDocFixture(doc), 'utf8')) as ApiDocFixture
  return fixture.examples.map(({ heading, curl, response }) => {
    const request = parseCurl(curl)
    return { heading, ...request, kind: kindOf(request.method, request.path), response }
  })
}

export interface CompareOptions {
  kind: ExampleKind
  /**
   * Current form: same keys in the same order (`statusMessage` may follow `spec`; a spec has
   * `experimentHandlerSpec: null` before `code`, as Submarine 0.8 writes it and the document predates).
   * Earlier form: the doc's keys only.
   */
  strictKeys: boolean
  /** Paths not compared, e.g. `result.name`; each one met is reported back. */
  skip?: readonly string[]
}

export interface Comparison {
  mismatches: string[]
  /** Paths skipped: listed in `skip`, or (earlier form) keys the current form does not have. */
  skipped: string[]
}

/** An experiment spec object (meta, environment, spec, code), as opposed to the experiment around it. */
const isSpec = (d: object): boolean => 'meta' in d && 'spec' in d && 'code' in d

const RANK: Record<string, number> = { Accepted: 0, Created: 1, Running: 2, Succeeded: 3, Failed: 3 }
const TIME_STAGE: Record<string, number> = { acceptedTime: 0, createdTime: 1, runningTime: 2, finishedTime: 3 }
const show = (v: unknown) => JSON.stringify(v)

/**
 * Compares `actual` with the documented `doc`. Values must be equal except: ids and
 * uid by format; times by format, where a time the doc shows may be null only if
 * our experiment has not reached that stage yet (a doc null must stay null); a
 * status in a list/get/patch/logs answer is any valid status; pod names with the
 * document's experiment id swapped for ours; the lines of a get-logs answer are
 * any strings (the doc shows TensorFlow's own output).
 */
export function compareWithDoc(actual: unknown, doc: unknown, opts: CompareOptions): Comparison {
  const result: Comparison = { mismatches: [], skipped: [] }
  const skip = new Set(opts.skip ?? [])
  const fail = (path: string, what: string): void => {
    result.mismatches.push(`${path}: ${what}`)
  }

  const walk = (a: any, d: any, path: string, ctx: { status?: string; docId?: string; ourId?: string }): void => {
    if (skip.has(path)) {
      result.skipped.push(path)
      return
    }
    const key = path
      .split('.')
      .at(-1)!
      .replace(/\[\d+\]$/, '')
    if (d === null) {
      if (a !== null) fail(path, `the doc has null, got ${show(a)}`)
      return
    }
    if (key in TIME_STAGE && typeof d === 'string') {
      if (a === null) {
        if (ctx.status === undefined || RANK[ctx.status] === undefined || RANK[ctx.status]! >= TIME_STAGE[key]!)
          fail(path, `null, though the experiment is ${ctx.status}`)
      } else if (typeof a !== 'string' || !UTC_MILLIS.test(a))
        fail(path, `${show(a)} is not a UTC ISO-8601 time with milliseconds`)
      return
    }
    if (Array.isArray(d)) {
      if (!Array.isArray(a)) return fail(path, `expected a list, got ${show(a)}`)
      if (opts.kind === 'getLogs' && key === 'podLog') {
        if (!a.every((line) => typeof line === 'string')) fail(path, 'expected lines of text')
        return
      }
      if (a.length !== d.length) return fail(path, `expected ${d.length} items, got ${a.length}`)
      for (const [i, item] of d.entries()) walk(a[i], item, `${path}[${i}]`, ctx)
      return
    }
    if (typeof d === 'object') {
      if (a === null || typeof a !== 'object' || Array.isArray(a))
        return fail(path, `expected an object, got ${show(a)}`)
      const keys = Object.keys(d)
      if (opts.strictKeys) {
        const isExperiment = 'experimentId' in d && 'spec' in d
        const got = Object.keys(a)
        let expected = isExperiment && got.at(-1) === 'statusMessage' ? [...keys, 'statusMessage'] : keys
        // Submarine 0.8's spec shape, which the document predates: experimentHandlerSpec (null) before code.
        if (isSpec(d)) expected = expected.flatMap((k) => (k === 'code' ? ['experimentHandlerSpec', k] : [k]))
        if (show(got) !== show(expected)) fail(path || '(body)', `keys ${show(got)}, the doc has ${show(keys)}`)
        if (isSpec(d) && a.experimentHandlerSpec !== null)
          fail(`${path}.experimentHandlerSpec`, `${show(a.experimentHandlerSpec)}, 0.8 writes null`)
      }
      const inner = { ...ctx }
      if ('acceptedTime' in d) inner.status = a.status
      if ('logContent' in d) Object.assign(inner, { docId: d.experimentId, ourId: a.experimentId })
      for (const k of keys) {
        const p = path ? `${path}.${k}` : k
        if (!(k in a)) {
          if (opts.strictKeys) fail(p, 'missing')
          else result.skipped.push(p)
          continue
        }
        walk(a[k], d[k], p, inner)
      }
      return
    }
    if (key === 'experimentId') {
      if (typeof a !== 'string' || !EXPERIMENT_ID.test(a)) fail(path, `${show(a)} is not an experiment id`)
    } else if (key === 'uid') {
      if (typeof a !== 'string' || !UUID.test(a)) fail(path, `${show(a)} is not a UUID`)
    } else if (key === 'status' && path !== 'status' && opts.kind !== 'create' && opts.kind !== 'delete') {
      if (!STATUSES.includes(a)) fail(path, `${show(a)} is not a valid status`)
    } else if (key === 'podName' && ctx.docId && ctx.ourId) {
      const expected = String(d).replace(ctx.docId, ctx.ourId)
      if (a !== expected) fail(path, `${show(a)}, expected ${show(expected)}`)
    } else if (a !== d) fail(path, `${show(a)}, the doc has ${show(d)}`)
  }

  walk(actual, doc, '', {})
  return result
}
