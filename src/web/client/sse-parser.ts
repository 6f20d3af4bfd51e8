/**
 * @module
 * Server-Sent Events framing (pure): text in, whole events out, as the HTML standard
 * reads them (`event:`, `data:` lines joined by newlines, `id:`, `:` comments ignored).
 * The page reads streams with `fetch` (to send the bearer token, which EventSource cannot).
 */

/** One dispatched event. */
export interface SseEvent {
  /** `message` unless the server named it (`end`). */
  event: string
  data: string
  /** The last `id:` seen on the stream so far (the resume point), or null. */
  id: string | null
}

/** An incremental parser: feed it chunks of text in order. */
export class SseParser {
  #buffer = ''
  #event = ''
  #data: string[] = []
  #id: string | null = null

  /** The events completed by this chunk. */
  feed(chunk: string): SseEvent[] {
    this.#buffer += chunk
    const out: SseEvent[] = []
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.#buffer)
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (!match || (match[0] === '\r' && match.index === this.#buffer.length - 1)) break
      const line = this.#buffer.slice(0, match.index)
      this.#buffer = this.#buffer.slice(match.index + match[0].length)
      const event = this.#line(line)
      if (event) out.push(event)
    }
    return out
  }

  #line(line: string): SseEvent | null {
    if (line === '') {
      if (this.#data.length === 0) {
        this.#event = ''
        return null
      }
      const event = { event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id }
      this.#event = ''
      this.#data = []
      return event
    }
    if (line.startsWith(':')) return null
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') this.#data.push(value)
    else if (field === 'event') this.#event = value
    else if (field === 'id' && !value.includes('\0')) this.#id = value
    return null
  }
}
