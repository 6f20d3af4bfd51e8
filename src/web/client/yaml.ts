/**
 * @module
 * JSON values written as YAML for reading (pure): block style, keys in their order,
 * strings quoted only where plain YAML would read them as something else.
 */

const PLAIN = /^[A-Za-z_./][\w ./,=+@%-]*$/
const RESERVED = /^(true|false|yes|no|on|off|null|~|y|n)$/i

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') {
    return PLAIN.test(value) && !RESERVED.test(value) && !value.endsWith(' ') && !/: | #/.test(value)
      ? value
      : JSON.stringify(value)
  }
  return String(value)
}

const isBlock = (v: unknown): v is object =>
  typeof v === 'object' && v !== null && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0)

function lines(value: unknown, indent: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (!isBlock(item)) return [`${indent}- ${emptyOr(item)}`]
      const [first, ...rest] = lines(item, `${indent}  `)
      return [`${indent}- ${first!.trimStart()}`, ...rest]
    })
  }
  return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
    const k = scalar(key)
    return isBlock(v) ? [`${indent}${k}:`, ...lines(v, `${indent}  `)] : [`${indent}${k}: ${emptyOr(v)}`]
  })
}

function emptyOr(value: unknown): string {
  if (Array.isArray(value)) return '[]'
  if (typeof value === 'object' && value !== null) return '{}'
  return scalar(value)
}

/** `value` as a YAML document (without the leading `---`). */
export function toYaml(value: unknown): string {
  return isBlock(value) ? `${lines(value, '').join('\n')}\n` : `${emptyOr(value)}\n`
}
