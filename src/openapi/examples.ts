/**
 * @module
 * The examples of Submarine's experiment API documents as the OpenAPI document shows
 * them: the request body of each `curl` and the response shown after it. The data is
 * `submarine-examples.json` (generated from `test/fixtures/api-doc/` by
 * `bun scripts/openapi-examples.ts`, bundled into the binary). Pure translation.
 */
import examples from './submarine-examples.json' with { type: 'json' }

/** One documented example: its heading, request body (if any) and response (if periscope answers alike). */
export interface DocExample {
  heading: string
  request?: unknown
  response?: unknown
}

/**
 * periscope answers every field of the current document's responses, in the same order,
 * plus `statusMessage` after an experiment's `spec`, and (as Submarine 0.8 does, which the
 * document predates) `experimentHandlerSpec` between a spec's `spec` and `code`; the examples show both (null).
 */
function withStatusMessage(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withStatusMessage)
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, 'uid') && Object.hasOwn(value, 'spec'))
    return { ...value, spec: withHandlerSpec((value as { spec: unknown }).spec), statusMessage: null }
  return value
}

/** An experiment spec with `experimentHandlerSpec: null` before `code`, as 0.8 writes it. */
function withHandlerSpec(spec: unknown): unknown {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return spec
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'code') out.experimentHandlerSpec = null
    out[k] = v
  }
  if (!Object.hasOwn(out, 'experimentHandlerSpec')) out.experimentHandlerSpec = null
  return out
}

function fromCurrent(ex: DocExample): DocExample {
  const response = ex.response as { result?: unknown }
  return { ...ex, response: { ...response, result: withStatusMessage(response.result) } }
}

/** Examples by heading: the current document's, and the earlier one's requests the current lacks. */
export const DOC_EXAMPLES: ReadonlyMap<string, DocExample> = new Map([
  ...(examples.earlier as DocExample[]).map((ex): [string, DocExample] => [ex.heading, ex]),
  ...(examples.current as DocExample[]).map((ex): [string, DocExample] => [ex.heading, fromCurrent(ex)]),
])
