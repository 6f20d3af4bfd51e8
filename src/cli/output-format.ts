/**
 * @module
 * `-o table|wide|json|yaml`: people get aligned tables, programs get the API's
 * objects as they are (never coloured).
 */
import { UsageError } from './cli-errors.ts'
import type { Values } from './command.ts'

export const FORMATS = ['table', 'wide', 'json', 'yaml'] as const

/** An output format. */
export type Format = (typeof FORMATS)[number]

/** The `-o`/`--output` option for parseArgs. */
export const OUTPUT_OPTION = { output: { type: 'string', short: 'o' } } as const

/** The format asked for (default `table`); anything else is a {@link UsageError}. */
export function outputFormat(values: Values, command: string): Format {
  const v = values.output
  if (v === undefined) return 'table'
  const f = FORMATS.find((x) => x === v)
  if (!f) throw new UsageError(`invalid --output "${String(v)}": expected one of ${FORMATS.join(', ')}`, command)
  return f
}

/** True for formats that are data, not text for people. */
export function isStructured(format: Format): format is 'json' | 'yaml' {
  return format === 'json' || format === 'yaml'
}

/** `value` as pretty JSON or YAML, ending in a newline. */
export function structured(value: unknown, format: 'json' | 'yaml'): string {
  if (format === 'json') return `${JSON.stringify(value, null, 2)}\n`
  const text = Bun.YAML.stringify(value, null, 2)
  return text.endsWith('\n') ? text : `${text}\n`
}
