/**
 * @module
 * `periscope token create [--name N] [--read-only] | list | revoke NAME`, each with the
 * `--data-dir` the server uses (else `PERISCOPE_DATA_DIR`, else ./data). Works while the server
 * runs: it checks tokens in SQLite on every request, so a new token works and a revoked one
 * stops at once. `create` prints the token once, on stdout; only its hashes are stored.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { FILE_TOKEN_NAME, hashesOf, newTokenSecret, TOKEN_NAME } from '../auth/token-secret.ts'
import { SERVE_FLAGS } from '../config.ts'
import { errorText } from '../errors.ts'
import { openDatabase } from '../storage/database.ts'
import { createTokenRepository, type TokenRepository } from '../storage/token-repository.ts'

export const TOKEN_USAGE = `Usage:
  periscope token create [--name NAME] [--read-only]   make a token and print it (once)
  periscope token list                                 list tokens (names and access, never secrets)
  periscope token revoke NAME                          revoke a token; it stops working at once

Flags:
  --data-dir DIR   the server's data directory (env ${SERVE_FLAGS.dataDir.env}; default ${SERVE_FLAGS.dataDir.default})
  --name NAME      letters, digits, ".", "_" and "-" (default token-N)
  --read-only      the token may only read (GET); a write with it is a 403
`

/** Thrown for a usage or lookup problem: printed as one line. */
class TokenCliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message)
  }
}

/** Runs `periscope token …`; returns the exit code. */
export function tokenCommand(
  args: string[],
  env: Record<string, string | undefined>,
  out: { stdout(text: string): void; stderr(text: string): void } = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
): number {
  try {
    const { values, positionals } = parse(args)
    const [action, ...rest] = positionals
    if (values.help || action === undefined || action === 'help') {
      out.stdout(TOKEN_USAGE)
      return action === undefined && !values.help ? 2 : 0
    }
    const dataDir = values['data-dir'] ?? env[SERVE_FLAGS.dataDir.env] ?? SERVE_FLAGS.dataDir.default
    const expectArgs = (n: number, what: string) => {
      if (rest.length !== n) throw new TokenCliError(`"token ${action}" takes ${what}; see "periscope token --help"`, 2)
    }
    switch (action) {
      case 'create': {
        expectArgs(0, 'no arguments (--name NAME, --read-only)')
        return withTokens(dataDir, true, (tokens) => create(tokens, values.name, values['read-only'] === true, out))
      }
      case 'list':
        expectArgs(0, 'no arguments')
        return withTokens(dataDir, false, (tokens) => list(tokens, out))
      case 'revoke':
        expectArgs(1, 'one argument, the token name')
        return withTokens(dataDir, false, (tokens) => {
          if (!tokens.revoke(rest[0]!))
            throw new TokenCliError(`no token is named ${JSON.stringify(rest[0])} in ${dataDir}`, 1)
          out.stderr(`revoked token "${rest[0]}"; requests with it are refused from now on\n`)
          return 0
        })
      default:
        throw new TokenCliError(`unknown token command "${action}"; try "periscope token --help"`, 2)
    }
  } catch (err) {
    out.stderr(`periscope token: ${errorText(err)}\n`)
    return err instanceof TokenCliError ? err.exitCode : 1
  }
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        'data-dir': { type: 'string' },
        name: { type: 'string' },
        'read-only': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (err) {
    throw new TokenCliError(errorText(err).split('\n')[0]!, 2)
  }
}

/** Opens the data dir's database (creating it only for `create`) around `run`. */
function withTokens(dataDir: string, create: boolean, run: (tokens: TokenRepository) => number): number {
  const file = join(dataDir, 'periscope.db')
  if (!create && !existsSync(file))
    throw new TokenCliError(`no database at ${file}; give the --data-dir the server uses`, 1)
  const db = openDatabase(file)
  try {
    return run(createTokenRepository(db))
  } finally {
    db.close()
  }
}

function create(
  tokens: TokenRepository,
  requested: string | undefined,
  readOnly: boolean,
  out: { stdout(text: string): void; stderr(text: string): void },
): number {
  if (requested !== undefined && !TOKEN_NAME.test(requested))
    throw new TokenCliError(
      `invalid --name ${JSON.stringify(requested)}: expected 1 to 63 letters, digits, ".", "_" or "-", ` +
        'starting with a letter or digit',
      2,
    )
  if (requested === FILE_TOKEN_NAME)
    throw new TokenCliError(`the name "${FILE_TOKEN_NAME}" is the --token-file token's; choose another`, 2)
  const secret = newTokenSecret()
  const hashes = hashesOf(secret)
  let name = requested
  if (name === undefined) {
    for (let n = tokens.count() + 1; ; n++) if (tokens.insert((name = `token-${n}`), readOnly, hashes)) break
  } else if (!tokens.insert(name, readOnly, hashes)) {
    throw new TokenCliError(`a token named "${name}" exists; revoke it first or choose another --name`, 1)
  }
  out.stdout(`${secret}\n`)
  out.stderr(
    `created ${readOnly ? 'read-only' : 'read-write'} token "${name}"; it is shown only this once. ` +
      `Send it as "Authorization: Bearer <token>"; revoke it with: periscope token revoke ${name}\n`,
  )
  return 0
}

function list(tokens: TokenRepository, out: { stdout(text: string): void }): number {
  const rows = tokens.list()
  const width = Math.max(4, ...rows.map((t) => t.name.length))
  const lines = [`${'NAME'.padEnd(width)}  ACCESS      CREATED`]
  for (const t of rows)
    lines.push(`${t.name.padEnd(width)}  ${(t.readOnly ? 'read-only' : 'read-write').padEnd(10)}  ${t.createdAt}`)
  out.stdout(`${lines.join('\n')}\n`)
  return 0
}
