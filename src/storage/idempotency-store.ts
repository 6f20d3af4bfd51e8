/**
 * @module
 * Idempotency keys of creates: which experiment a key made, and from which body. A key is
 * claimed in the same IMMEDIATE transaction that inserts its experiment, so two requests
 * with one key (at once, or across a restart, or from two servers on one data dir) make
 * one experiment. Rows go with their experiment (ON DELETE CASCADE) and are pruned by age.
 */
import type { Database } from 'bun:sqlite'
import { IdempotencyKeyReusedError } from '../errors.ts'

/** How long a key answers with the experiment it made: 24 hours. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000

/** A request's key and the hash of its body (see `src/http/idempotency-key.ts`). */
export interface IdempotencyRequest {
  key: string
  bodyHash: string
}

/** What a claim came to: a new experiment, or the one the key made before. */
export interface ClaimOutcome {
  experimentId: string
  replayed: boolean
}

interface Row {
  body_hash: string
  experiment_id: string
  created_time: string
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>

/** Key storage over one database. */
export function createIdempotencyStore(db: Database, retentionMs = IDEMPOTENCY_RETENTION_MS) {
  const find = db.query<Row, { scope: string; key: string }>(
    'SELECT body_hash, experiment_id, created_time FROM idempotency_key WHERE scope = $scope AND key = $key',
  )
  const put = db.query(
    'INSERT OR REPLACE INTO idempotency_key (scope, key, body_hash, experiment_id, created_time) ' +
      'VALUES ($scope, $key, $bodyHash, $experimentId, $now)',
  )
  const prune = db.query<Record<string, never>, { before: string }>(
    'DELETE FROM idempotency_key WHERE created_time < $before',
  )

  return {
    /**
     * Runs `create` (which inserts the experiment and returns its id) unless `request.key` made
     * an experiment in `scope` within the retention: then that experiment's id is returned and
     * nothing is created. Without a request, `create` just runs. All in one IMMEDIATE transaction.
     * @throws IdempotencyKeyReusedError (422) when the key was used with a different body
     */
    claim(scope: string, request: IdempotencyRequest | null, now: string, create: () => string): ClaimOutcome {
      if (!request) return { experimentId: create(), replayed: false }
      return db
        .transaction((): ClaimOutcome => {
          const found = find.get({ scope, key: request.key })
          // An expired key is as good as pruned: it is claimed again.
          const live = found && Date.parse(found.created_time) > Date.parse(now) - retentionMs ? found : null
          if (live && live.body_hash === request.bodyHash) return { experimentId: live.experiment_id, replayed: true }
          if (live) {
            throw new IdempotencyKeyReusedError(
              `Idempotency-Key "${request.key}" was used at ${live.created_time} with a different request body ` +
                `(it made ${live.experiment_id}); send the same body to get that answer again, or use a new key`,
              { details: { experimentId: live.experiment_id } },
            )
          }
          const experimentId = create()
          put.run({ scope, key: request.key, bodyHash: request.bodyHash, experimentId, now })
          return { experimentId, replayed: false }
        })
        .immediate()
    },
    /** Deletes keys claimed before `before` (RFC 3339); returns how many. */
    prune(before: string): number {
      return prune.run({ before }).changes
    },
  }
}
