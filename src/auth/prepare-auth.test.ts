import { expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../../test/helpers/temp-dir.ts'
import { openDatabase } from '../storage/database.ts'
import { createTokenRepository } from '../storage/token-repository.ts'
import { prepareAuth } from './prepare-auth.ts'
import { hashesOf, matches, newTokenSecret, sha256 } from './token-secret.ts'

const setup = () => {
  const dataDir = tempDir()
  const tokens = createTokenRepository(openDatabase(join(dataDir, 'periscope.db')))
  const logged: string[] = []
  return { dataDir, tokens, logged, log: (m: string) => logged.push(m) }
}

test('--auth none off loopback is a warning at every start, and no token is made', () => {
  const { dataDir, tokens, logged, log } = setup()
  for (let start = 0; start < 2; start++)
    expect(prepareAuth({ auth: 'none', host: '0.0.0.0', dataDir, tokenFile: undefined }, tokens, log)).toBeNull()
  expect(logged.filter((l) => l.startsWith('WARNING: --auth none on 0.0.0.0'))).toHaveLength(2)
  expect(tokens.count()).toBe(0)
  expect(existsSync(join(dataDir, 'token'))).toBe(false)
})

test('auto on loopback is quiet and off; off loopback it makes the first token once', () => {
  const { dataDir, tokens, logged, log } = setup()
  expect(prepareAuth({ auth: 'auto', host: '127.0.0.1', dataDir, tokenFile: undefined }, tokens, log)).toBeNull()
  expect(logged).toEqual([])
  const verifier = prepareAuth({ auth: 'auto', host: '0.0.0.0', dataDir, tokenFile: undefined }, tokens, log)
  prepareAuth({ auth: 'auto', host: '0.0.0.0', dataDir, tokenFile: undefined }, tokens, log)
  expect(tokens.list().map((t) => t.name)).toEqual(['initial'])
  expect(logged.filter((l) => l.includes('was made and written to'))).toHaveLength(1)
  const secret = readFileSync(join(dataDir, 'token'), 'utf8').trim()
  expect(verifier?.verify(secret)).toEqual({ name: 'initial', readOnly: false })
  expect(verifier?.verify(`${secret}x`)).toBeNull()
})

test('a token matches as itself and as its MD5 hex digest, nothing else', () => {
  const secret = newTokenSecret()
  const stored = hashesOf(secret)
  const md5 = createHash('md5').update(secret).digest('hex')
  expect(matches(sha256(secret), stored)).toBe(true)
  expect(matches(sha256(md5), stored)).toBe(true)
  expect(matches(sha256(md5.toUpperCase()), stored)).toBe(false)
  expect(matches(sha256(newTokenSecret()), stored)).toBe(false)
  expect(newTokenSecret()).not.toBe(secret)
})
