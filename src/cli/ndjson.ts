/**
 * @module
 * Newline-delimited JSON from a response body, one parsed object at a time.
 */
import { CliError } from './cli-errors.ts'

/**
 * Yields each line of `body` parsed as JSON; blank lines are skipped. A line that
 * is not JSON is a {@link CliError}; a broken connection throws what the read threw.
 * The streams end with a marker object, so a caller that did not see it knows the
 * connection dropped.
 */
export async function* ndjsonObjects(body: ReadableStream<Uint8Array> | null): AsyncGenerator<unknown> {
  if (!body) return
  const decoder = new TextDecoder()
  let pending = ''
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true })
    let nl = pending.indexOf('\n')
    while (nl >= 0) {
      const line = pending.slice(0, nl)
      pending = pending.slice(nl + 1)
      if (line.trim()) yield parse(line)
      nl = pending.indexOf('\n')
    }
  }
  // A last line without its newline was cut off with the connection: it is left for
  // the caller's resume (the stream's own end is a complete line).
}

function parse(line: string): unknown {
  try {
    return JSON.parse(line)
  } catch {
    throw new CliError(`the server sent a stream line that is not JSON: ${JSON.stringify(line.slice(0, 80))}`)
  }
}
