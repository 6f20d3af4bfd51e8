/**
 * @module
 * Where a JSON text stops being JSON. `JSON.parse` in Bun says what went wrong but
 * not where; this scanner (RFC 8259, no values built) finds the first offending
 * character so the error can name its line and column. Run only after a parse failed.
 */

/** The first syntax error: 1-based line and column (UTF-16 units) and what was expected there. */
export interface JsonSyntaxError {
  line: number
  column: number
  problem: string
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold raw control characters
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y
const WHITESPACE = /[ \t\n\r]*/y

/** The first syntax error in `text`, or null when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  let pos = 0
  const stack: Array<'{' | '['> = []
  const at = (problem: string): JsonSyntaxError => {
    const before = text.slice(0, pos)
    const line = before.split('\n').length
    const found = pos < text.length ? `found ${JSON.stringify(text[pos])}` : 'found the end of the body'
    return { line, column: pos - before.lastIndexOf('\n'), problem: `${problem}, ${found}` }
  }
  const skip = () => {
    WHITESPACE.lastIndex = pos
    WHITESPACE.exec(text)
    pos = WHITESPACE.lastIndex
  }
  const match = (re: RegExp): boolean => {
    re.lastIndex = pos
    if (!re.exec(text)) return false
    pos = re.lastIndex
    return true
  }
  /** Reads a string, reporting where inside it the problem is. */
  const string = (): JsonSyntaxError | null => {
    if (match(STRING)) return null
    const start = pos
    for (pos = start + 1; pos < text.length; pos++) {
      const ch = text.charCodeAt(pos)
      if (ch === 0x22) break
      if (ch < 0x20) return at('expected a character of a string (control characters must be escaped)')
      if (ch === 0x5c) {
        const next = text[pos + 1]
        if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) pos += 5
        else if (next !== undefined && '"\\/bfnrt'.includes(next)) pos += 1
        else {
          pos += 1
          return at('expected an escape such as \\n, \\" or \\u00e9')
        }
      }
    }
    return at('expected the closing " of a string')
  }

  for (;;) {
    // A value.
    skip()
    const ch = text[pos]
    if (ch === '{' || ch === '[') {
      stack.push(ch)
      pos++
      skip()
      if (text[pos] === (ch === '{' ? '}' : ']')) {
        pos++
        stack.pop()
      } else if (ch === '{') {
        if (text[pos] !== '"') return at('expected a "name" or }')
        const bad = string()
        if (bad) return bad
        skip()
        if (text[pos] !== ':') return at('expected : after a name')
        pos++
        continue
      } else continue
    } else if (ch === '"') {
      const bad = string()
      if (bad) return bad
    } else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) {
      if (!match(NUMBER)) {
        pos += 1
        return at('expected a digit')
      }
    } else if (text.startsWith('true', pos) || text.startsWith('null', pos)) pos += 4
    else if (text.startsWith('false', pos)) pos += 5
    else return at('expected a value (an object, list, string, number, true, false or null)')

    // What follows it: more of the enclosing object or list, or the end.
    for (;;) {
      skip()
      const top = stack.at(-1)
      if (top === undefined) return pos < text.length ? at('expected the end of the body after the JSON value') : null
      const close = top === '{' ? '}' : ']'
      if (text[pos] === close) {
        pos++
        stack.pop()
        continue
      }
      if (text[pos] !== ',') return at(`expected , or ${close}`)
      pos++
      if (top === '{') {
        skip()
        if (text[pos] !== '"') return at('expected a "name"')
        const bad = string()
        if (bad) return bad
        skip()
        if (text[pos] !== ':') return at('expected : after a name')
        pos++
      }
      break
    }
  }
}
