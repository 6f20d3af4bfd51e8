/**
 * @module
 * What every client command is: a name, its help, its flags for `node:util`
 * `parseArgs`, and a run that returns the exit code.
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util'
import type { ApiClient } from './api-client.ts'
import { UsageError } from './cli-errors.ts'
import type { ClientConfig } from './client-config.ts'
import { parseDuration } from './durations.ts'
import type { Io } from './io.ts'
import type { Style } from './style.ts'

/** What a command runs with. */
export interface Context {
  readonly io: Io
  readonly config: ClientConfig
  readonly api: ApiClient
  /** Colour for stdout and for stderr. */
  readonly out: Style
  readonly err: Style
}

/** Parsed flags: strings, booleans and repeated strings, by flag name. */
export type Values = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>

/** A client command. */
export interface Command {
  /** As typed: `list`, `env create`. */
  readonly name: string
  /** One line for `periscope --help`. */
  readonly summary: string
  /** The `--help` text after the usage line. */
  readonly help: string
  /** `Usage: periscope <usage>`. */
  readonly usage: string
  readonly options: ParseArgsOptionsConfig
  /** How many positional arguments it takes: [min, max]. */
  readonly positionals: readonly [number, number]
  run(ctx: Context, values: Values, positionals: string[]): Promise<number>
}

/** Flags every client command takes. */
export const GLOBAL_OPTIONS = {
  server: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig

/** The text of `periscope <command> --help`. */
export function commandHelp(cmd: Command): string {
  return (
    `Usage: periscope ${cmd.usage}\n\n${cmd.summary}\n\n${cmd.help.trimEnd()}\n\nGlobal flags:\n` +
    '  --server URL   the periscope server (env PERISCOPE_SERVER; default http://127.0.0.1:32080)\n' +
    '                 PERISCOPE_TOKEN, when set, is sent as a bearer token\n' +
    '  -h, --help     this text\n'
  )
}

/** Parses a command's arguments; bad ones are a {@link UsageError}. */
export function parseCommandArgs(cmd: Command, args: string[]): { values: Values; positionals: string[] } {
  let parsed: { values: Values; positionals: string[] }
  try {
    parsed = parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...cmd.options }, strict: true, allowPositionals: true })
  } catch (err) {
    throw new UsageError(firstLine(err), cmd.name)
  }
  if (parsed.values.help) return parsed
  const [min, max] = cmd.positionals
  const n = parsed.positionals.length
  if (n < min)
    throw new UsageError(
      `missing ${min - n === 1 && min === 1 ? 'an argument' : 'arguments'}: periscope ${cmd.usage}`,
      cmd.name,
    )
  if (n > max)
    throw new UsageError(
      `unexpected argument${n - max > 1 ? 's' : ''} ${parsed.positionals
        .slice(max)
        .map((p) => JSON.stringify(p))
        .join(' ')}`,
      cmd.name,
    )
  return parsed
}

/** parseArgs's complaint in a few plain words. */
function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  let m = /^Option '(-[^' ]+)(?: <value>)?' argument (is ambiguous|missing)/.exec(text)
  if (m)
    return m[2] === 'missing'
      ? `${m[1]} needs a value`
      : `${m[1]} needs a value (write ${m[1]}=VALUE for one starting with "-")`
  if ((m = /^Unknown option '([^']+)'/.exec(text))) return `unknown flag ${m[1]}`
  if ((m = /^Option '([^']+)' does not take an argument/.exec(text))) return `${m[1]} takes no value`
  return text.split('\n')[0]!
}

/** A flag's string value, or undefined. */
export function stringFlag(values: Values, name: string): string | undefined {
  const v = values[name]
  return typeof v === 'string' ? v : undefined
}

/** A whole number flag (`--limit 20`), or undefined; anything else is a {@link UsageError}. */
export function countFlag(values: Values, name: string, command: string): number | undefined {
  const v = stringFlag(values, name)
  if (v === undefined) return undefined
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)))
    throw new UsageError(`invalid --${name} "${v}": expected a whole number (0 or more)`, command)
  return Number(v)
}

/** A duration flag (`--timeout 30m`) in milliseconds, or undefined; anything else is a {@link UsageError}. */
export function durationFlag(values: Values, name: string, command: string): number | undefined {
  const v = stringFlag(values, name)
  if (v === undefined) return undefined
  const ms = parseDuration(v)
  if (ms === undefined)
    throw new UsageError(`invalid --${name} "${v}": expected a duration such as 90s, 10m or 1h30m`, command)
  return ms
}
