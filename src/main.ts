#!/usr/bin/env bun
/**
 * @module
 * The command line: `periscope serve`, `openapi`, the client commands (`src/cli/`), `--help`,
 * `--version`. The only reader of `process.argv` and `process.env`.
 */
import { version } from '../package.json' with { type: 'json' }
import { errorText } from './errors.ts'

// Only the version is imported up front: `--version` and `--help` load nothing else,
// `serve` loads the server (and select-runtime.ts the chosen runtime) when it runs, and
// the client commands load src/cli/ alone (no server, Hono or runtime client).

const USAGE = `periscope ${version}: Apache Submarine's experiment API in one binary

Usage:
  periscope serve [flags]                       serve the API (default http://127.0.0.1:32080)
  periscope submit -f FILE [--wait | --follow]  create an experiment (JSON or YAML; "-" reads stdin)
  periscope submit --template NAME --param K=V  create an experiment from a template
  periscope list [--status S] [-o FORMAT]       list experiments (FORMAT: table, wide, json, yaml)
  periscope get ID [-o FORMAT]                  show one experiment
  periscope logs ID [-f] [--pod P] [--tail N]   print (or follow) an experiment's logs
  periscope wait ID [--timeout D]               wait for it to end: exit 0 Succeeded, 1 Failed, 124 timed out
  periscope delete ID...                        delete experiments
  periscope stop ID...                          stop experiments, keeping their logs
  periscope env create|list|get|delete          manage environments
  periscope template create|list|get|delete     manage experiment templates
  periscope openapi                             print the API's OpenAPI 3.1 document (JSON)
  periscope token create|list|revoke            manage API tokens (with serve's --data-dir)
  periscope backup FILE                         copy the database while the server runs
  periscope --help                              this text ("periscope <command> --help" tells more)
  periscope --version                           print the version

Client commands talk to --server URL (env PERISCOPE_SERVER, default http://127.0.0.1:32080),
with PERISCOPE_TOKEN sent as a bearer token when set.
`

/** The commands that run the client (src/cli/run.ts) instead of the server. */
const CLIENT_COMMANDS = new Set(['submit', 'list', 'get', 'logs', 'wait', 'delete', 'stop', 'env', 'template'])

async function runClient(argv: string[]): Promise<number> {
  const [{ runClient }, { processIo }] = await Promise.all([import('./cli/run.ts'), import('./cli/io.ts')])
  const terminal = { stdoutIsTTY: process.stdout.isTTY === true, stderrIsTTY: process.stderr.isTTY === true }
  return runClient(argv, process.env, terminal, processIo())
}

async function serveHelp(): Promise<string> {
  const { SERVE_FLAGS } = await import('./config.ts')
  const width = Math.max(...Object.values(SERVE_FLAGS).map((f) => f.flag.length))
  const rows = Object.values(SERVE_FLAGS).map((f) => {
    const def = f.default === undefined ? '' : ` (default ${f.default})`
    return `  --${f.flag.padEnd(width)} ${f.help}${def}\n  ${''.padEnd(width + 2)} env ${f.env}`
  })
  return (
    'Usage: periscope serve [flags]\n\n' +
    `Flags (each also read from its environment variable; flags win):\n${rows.join('\n')}\n`
  )
}

const log = (message: string) => console.error(`${new Date().toISOString()} ${message}`)

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE)
    return command === undefined ? 2 : 0
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`${version}\n`)
    return 0
  }
  if (command === 'openapi') {
    const { openApiJson } = await import('./openapi/document.ts')
    // Waits for the write: `process.exit` would cut a large write to a pipe short.
    await new Promise((resolve) => process.stdout.write(`${openApiJson(version)}\n`, resolve))
    return 0
  }
  if (CLIENT_COMMANDS.has(command)) return runClient(argv)
  if (command === 'token') return (await import('./cli/token.ts')).tokenCommand(rest, process.env)
  if (command === 'backup') return (await import('./cli/backup.ts')).runBackup(rest, process.env)
  if (command !== 'serve') {
    console.error(`periscope: unknown command "${command}"\nSee "periscope --help".`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(await serveHelp())
    return 0
  }
  const { ConfigError, parseServeConfig } = await import('./config.ts')
  try {
    const [{ selectRuntime }, { startServer }] = await Promise.all([
      import('./select-runtime.ts'),
      import('./server.ts'),
    ])
    const config = parseServeConfig(rest, process.env)
    const server = await startServer({
      config,
      version,
      log,
      makeRuntime: (instanceId) => selectRuntime(config, instanceId, process.env, log),
    })
    const shutdown = async () => {
      log('shutting down; running experiments keep running and are picked up at the next start')
      await server.stop()
      process.exit(0)
    }
    process.on('SIGINT', shutdown)
    process.on('SIGTERM', shutdown)
    return -1
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`periscope: ${err.message}`)
      return 2
    }
    const e = err as NodeJS.ErrnoException
    if (e?.code === 'EADDRINUSE') {
      console.error(`periscope: cannot listen: the address is already in use (${e.message})`)
      return 1
    }
    console.error(`periscope: ${errorText(err)}`)
    return 1
  }
}

const code = await main(process.argv.slice(2))
if (code >= 0) process.exit(code)
