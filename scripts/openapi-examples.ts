/**
 * Regenerates `src/openapi/submarine-examples.json`, the examples the OpenAPI document
 * shows, from `test/fixtures/api-doc/*.json` (Submarine's API documents' examples): each
 * request body parsed out of its `curl`, with the response shown after it. The server
 * bundles the result and never reads `test/`; `test/api/openapi.test.ts` checks it is current.
 *
 *   bun scripts/openapi-examples.ts          write the file
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { apiDocFixture, REPO_ROOT } from '../test/fixtures/paths.ts'

/** Where the generated examples go. */
export const OPENAPI_EXAMPLES = join(REPO_ROOT, 'src/openapi/submarine-examples.json')

/** The body of `curl … -d '<body>' …`, parsed, or undefined when there is none. */
function curlBody(curl: string): unknown {
  const body = /-d\s+'([\s\S]*?)'/.exec(curl)?.[1]
  return body === undefined ? undefined : JSON.parse(body)
}

interface Written {
  heading: string
  curl: string
  response: unknown
}

const read = (doc: string) => (JSON.parse(readFileSync(apiDocFixture(doc), 'utf8')) as { examples: Written[] }).examples

/**
 * The file's text: every example of the current document (request and response); of the
 * earlier one only the requests (its responses are of an older form than periscope answers).
 */
export function renderOpenApiExamples(): string {
  const examples = {
    generatedBy: 'bun scripts/openapi-examples.ts',
    current: read('experiment-api.md').map((ex) => ({
      heading: ex.heading,
      request: curlBody(ex.curl),
      response: ex.response,
    })),
    earlier: read('experiment-api-earlier.md').map((ex) => ({ heading: ex.heading, request: curlBody(ex.curl) })),
  }
  return `${JSON.stringify(examples, null, 2)}\n`
}

if (import.meta.main) writeFileSync(OPENAPI_EXAMPLES, renderOpenApiExamples())
