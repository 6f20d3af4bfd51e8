/**
 * @module
 * Stored API tokens (`periscope token create|list|revoke`): names, access and hashes only
 * (`src/auth/token-secret.ts` says which hashes and why).
 */
import type { Database } from 'bun:sqlite'
import type { TokenHashes } from '../auth/token-secret.ts'

/** A token as listed: never its secret. */
export interface TokenInfo {
  name: string
  readOnly: boolean
  createdAt: string
}

/** A token with its hashes, for checking a presented secret. */
export interface StoredToken extends TokenInfo, TokenHashes {}

interface Row {
  name: string
  read_only: number
  created_at: string
  hash: Uint8Array
  md5_hash: Uint8Array
}

const info = (row: Row): TokenInfo => ({ name: row.name, readOnly: row.read_only === 1, createdAt: row.created_at })

export type TokenRepository = ReturnType<typeof createTokenRepository>

/** Token storage over one database. */
export function createTokenRepository(db: Database) {
  const insert = db.query(
    `INSERT INTO api_token (name, read_only, hash, md5_hash, created_at)
       VALUES ($name, $readOnly, $hash, $md5Hash, $createdAt) ON CONFLICT (name) DO NOTHING`,
  )
  const insertIfNone = db.query(
    `INSERT INTO api_token (name, read_only, hash, md5_hash, created_at)
       SELECT $name, $readOnly, $hash, $md5Hash, $createdAt WHERE NOT EXISTS (SELECT 1 FROM api_token)`,
  )
  const all = db.query<Row, Record<string, never>>(
    'SELECT name, read_only, created_at, hash, md5_hash FROM api_token ORDER BY id',
  )
  const count = db.query<{ n: number }, Record<string, never>>('SELECT count(*) AS n FROM api_token')
  const remove = db.query('DELETE FROM api_token WHERE name = $name')
  const dataVersion = db.query<{ data_version: number }, Record<string, never>>('PRAGMA data_version')
  const params = (name: string, readOnly: boolean, hashes: TokenHashes) => ({
    name,
    readOnly: readOnly ? 1 : 0,
    hash: hashes.hash,
    md5Hash: hashes.md5Hash,
    createdAt: new Date().toISOString(),
  })
  return {
    /** @returns false when the name is taken */
    insert(name: string, readOnly: boolean, hashes: TokenHashes): boolean {
      return insert.run(params(name, readOnly, hashes)).changes > 0
    },
    /** Stores the token only if there is none at all (first start); @returns whether it did. */
    insertIfNone(name: string, readOnly: boolean, hashes: TokenHashes): boolean {
      return insertIfNone.run(params(name, readOnly, hashes)).changes > 0
    },
    /** Every token with its hashes. */
    all(): StoredToken[] {
      return all.all({}).map((row) => ({ ...info(row), hash: row.hash, md5Hash: row.md5_hash }))
    },
    list(): TokenInfo[] {
      return all.all({}).map(info)
    },
    /**
     * Changes whenever another connection (`periscope token …`, another server) commits to the
     * database; not for this connection's own writes (SQLite's `PRAGMA data_version`).
     */
    changesElsewhere(): number {
      return dataVersion.get({})!.data_version
    },
    count(): number {
      return count.get({})!.n
    },
    /** @returns false when no token has that name */
    revoke(name: string): boolean {
      return remove.run({ name }).changes > 0
    },
  }
}
