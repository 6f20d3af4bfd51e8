-- A stop asked for by the user: when (RFC 3339), and whether the runtime has still to carry
-- it out (1 until its job is stopped and removed; retried while the runtime cannot be reached).
ALTER TABLE experiment ADD COLUMN stopped_time TEXT;
ALTER TABLE experiment ADD COLUMN stop_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX experiment_stop_pending ON experiment (stop_pending, seq) WHERE stop_pending = 1;
DROP INDEX experiment_unsubmitted;
CREATE INDEX experiment_unsubmitted ON experiment (submitted, seq) WHERE submitted = 0 AND stopped_time IS NULL;

-- Idempotency-Key of a create: the same key and body within the retention answer the same
-- experiment. Written in the transaction that inserts the experiment; goes with it when it
-- is deleted. `scope` keeps keys of different routes apart (`experiment`, `template:<name>`).
CREATE TABLE idempotency_key (
  scope         TEXT NOT NULL,
  key           TEXT NOT NULL,
  body_hash     TEXT NOT NULL,
  experiment_id TEXT NOT NULL REFERENCES experiment (id) ON DELETE CASCADE,
  created_time  TEXT NOT NULL,
  PRIMARY KEY (scope, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX idempotency_key_by_experiment ON idempotency_key (experiment_id);
CREATE INDEX idempotency_key_by_time ON idempotency_key (created_time);
