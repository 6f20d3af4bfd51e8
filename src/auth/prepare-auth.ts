/**
 * @module
 * Auth at start-up: decides whether tokens are required, reads `--token-file`, and when a
 * token is required but none exists, makes one and writes it to `<data-dir>/token` (0600).
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { authRequired, type Config, ConfigError, isLoopback } from '../config.ts'
import { errorText } from '../errors.ts'
import type { TokenRepository } from '../storage/token-repository.ts'
import { hashesOf, MIN_SECRET_LENGTH, newTokenSecret } from './token-secret.ts'
import { createTokenVerifier, type TokenVerifier } from './token-verifier.ts'

/** The name of the token made at first start. */
export const INITIAL_TOKEN_NAME = 'initial'

/** The verifier when `/api` needs a token, or null when auth is off. Logs what it decided. */
export function prepareAuth(
  config: Pick<Config, 'auth' | 'host' | 'tokenFile' | 'dataDir'>,
  tokens: TokenRepository,
  log: (message: string) => void,
): TokenVerifier | null {
  if (!authRequired(config)) {
    if (!isLoopback(config.host)) {
      log(
        `WARNING: --auth none on ${config.host}: anyone who can reach this address can run commands through the API; ` +
          'use --auth token unless something in front of periscope checks every request',
      )
    }
    if (config.tokenFile) log(`auth: off on ${config.host}, so --token-file is not used (--auth token turns it on)`)
    return null
  }
  const fileSecret = config.tokenFile ? readTokenFile(config.tokenFile) : undefined
  if (!fileSecret && tokens.count() === 0) createInitialToken(config.dataDir, tokens, log)
  const stored = tokens.count()
  log(
    `auth: /api needs "Authorization: Bearer <token>" (${stored} stored token${stored === 1 ? '' : 's'}` +
      `${fileSecret ? ` and the one in ${config.tokenFile}` : ''}; "periscope token create" makes more)`,
  )
  return createTokenVerifier(tokens, fileSecret)
}

function readTokenFile(path: string): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError(`cannot read --token-file ${path}: ${errorText(err)}`)
  }
  const secret = text.trim()
  if (secret.length < MIN_SECRET_LENGTH || /\s/.test(secret)) {
    throw new ConfigError(
      `--token-file ${path} must hold one token of at least ${MIN_SECRET_LENGTH} characters and no spaces ` +
        `(it holds ${secret.length}); e.g. openssl rand -hex 32 > ${path}`,
    )
  }
  return secret
}

/** Writes the file before storing the hash, then moves it into place: the token is never stored unseen. */
function createInitialToken(dataDir: string, tokens: TokenRepository, log: (message: string) => void): void {
  const secret = newTokenSecret()
  const path = join(dataDir, 'token')
  const partial = `${path}.${process.pid}.partial`
  writeFileSync(partial, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  try {
    // Another server starting on the same data dir may have made one first: then keep that one.
    if (!tokens.insertIfNone(INITIAL_TOKEN_NAME, false, hashesOf(secret))) return
    renameSync(partial, path)
  } finally {
    rmSync(partial, { force: true })
  }
  log(`auth: no token existed, so token "${INITIAL_TOKEN_NAME}" was made and written to ${path} (mode 0600)`)
}
