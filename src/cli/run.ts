/**
 * @module
 * The client's entry: finds the command, parses its flags and the environment once,
 * runs it, and turns what it threw into one line on stderr and an exit code.
 */
import { ApiClient } from './api-client.ts'
import { UsageError } from './cli-errors.ts'
import { parseClientConfig, type TerminalFacts } from './client-config.ts'
import { type Command, commandHelp, parseCommandArgs, stringFlag } from './command.ts'
import { del } from './delete.ts'
import { envCreate, envDelete, envGet, envList } from './env.ts'
import { get } from './get.ts'
import type { Io } from './io.ts'
import { list } from './list.ts'
import { logs } from './logs.ts'
import { isStructured, outputFormat } from './output-format.ts'
import { reportError } from './report-error.ts'
import { stop } from './stop.ts'
import { makeStyle } from './style.ts'
import { submit } from './submit.ts'
import { TEMPLATE_COMMANDS } from './template.ts'
import { wait } from './wait.ts'

/** Every client command by the words that name it. */
export const COMMANDS: ReadonlyMap<string, Command> = new Map(
  [submit, list, get, logs, wait, del, stop, envCreate, envList, envGet, envDelete, ...TEMPLATE_COMMANDS].map((c) => [
    c.name,
    c,
  ]),
)

/** The help of a group of commands (`env`, `template`). */
const groupHelp = (
  group: string,
  about: string,
  commands: readonly Command[],
) => `Usage: periscope ${group} create|list|get|delete …

${about}

Commands:
${commands.map((c) => `  periscope ${c.usage.padEnd(34)} ${c.summary}`).join('\n')}

"periscope ${group} <command> --help" tells more.
`

/** Commands named by two words, by their first. */
const GROUPS: ReadonlyMap<string, string> = new Map([
  [
    'env',
    groupHelp('env', 'Stored environments (/api/v1/environment), which experiments name in environment.name.', [
      envCreate,
      envList,
      envGet,
      envDelete,
    ]),
  ],
  [
    'template',
    groupHelp(
      'template',
      'Experiment templates (/api/v1/template), which "periscope submit --template NAME --param K=V" fills in.',
      TEMPLATE_COMMANDS,
    ),
  ],
])

/**
 * Runs `periscope <argv…>` for a client command and returns the exit code.
 * `env` and `terminal` are read by `main.ts`; nothing here reads `process.env`.
 */
export async function runClient(
  argv: string[],
  env: Readonly<Record<string, string | undefined>>,
  terminal: TerminalFacts,
  io: Io,
): Promise<number> {
  // Before the flags are parsed, errors are coloured by what stderr is.
  let errStyle = makeStyle(terminal.stderrIsTTY && !env.NO_COLOR && env.TERM !== 'dumb')
  try {
    const [word, ...rest] = argv
    let cmd = COMMANDS.get(word ?? '')
    let args = rest
    const help = GROUPS.get(word ?? '')
    if (help !== undefined) {
      const sub = rest[0]
      if (sub === undefined || sub === '--help' || sub === '-h') {
        await (sub === undefined ? io.err(help) : io.out(help))
        return sub === undefined ? 2 : 0
      }
      cmd = COMMANDS.get(`${word} ${sub}`)
      if (!cmd) throw new UsageError(`unknown command "${word} ${sub}"; expected create, list, get or delete`, word)
      args = rest.slice(1)
    }
    if (!cmd) throw new UsageError(`unknown command "${word}"`)
    const { values, positionals } = parseCommandArgs(cmd, args)
    if (values.help) {
      await io.out(commandHelp(cmd))
      return 0
    }
    const config = withCommand(cmd.name, () => parseClientConfig(stringFlag(values, 'server'), env, terminal))
    errStyle = makeStyle(config.colourErr)
    const structuredOut = 'output' in cmd.options && isStructured(outputFormat(values, cmd.name))
    return await cmd.run(
      {
        io,
        config,
        api: new ApiClient(config),
        out: makeStyle(config.colourOut && !structuredOut),
        err: errStyle,
      },
      values,
      positionals,
    )
  } catch (err) {
    return reportError(io, errStyle, err)
  }
}

/** Runs `f`, naming `command` in the hint of a usage error it throws. */
function withCommand<T>(command: string, f: () => T): T {
  try {
    return f()
  } catch (err) {
    throw err instanceof UsageError && !err.command ? new UsageError(err.message, command) : err
  }
}
