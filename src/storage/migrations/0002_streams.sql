-- Log lines are numbered per experiment (seq: 1, 2, … across all its replicas, in the order
-- stored) instead of per replica: seq is the follow cursor, stable across restarts. Within a
-- replica seq grows with the old counter, so the replica's order is kept; lines stored before
-- this migration are numbered replica by replica.
CREATE TABLE log_line_v2 (
  experiment_id TEXT    NOT NULL,
  pod           TEXT    NOT NULL,
  seq           INTEGER NOT NULL,
  ts            TEXT    NOT NULL,
  text          TEXT    NOT NULL,
  PRIMARY KEY (experiment_id, pod, seq)
) STRICT, WITHOUT ROWID;
INSERT INTO log_line_v2 (experiment_id, pod, seq, ts, text)
  SELECT experiment_id, pod, row_number() OVER (PARTITION BY experiment_id ORDER BY pod, n), ts, text FROM log_line;
DROP TABLE log_line;
ALTER TABLE log_line_v2 RENAME TO log_line;
-- Every replica's lines of one experiment in stored order (the follow without ?pod=).
CREATE INDEX log_line_by_seq ON log_line (experiment_id, seq);

-- Status transitions of experiments (replica NULL) and their replicas, for /api/v1/experiment/events.
-- seq is never reused (AUTOINCREMENT), so a client resumes after the last one it saw, pruned or not.
CREATE TABLE event (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  time          TEXT    NOT NULL,
  experiment_id TEXT    NOT NULL,
  replica       TEXT,
  status        TEXT    NOT NULL,
  reason        TEXT,
  message       TEXT
) STRICT;
CREATE INDEX event_by_experiment ON event (experiment_id, seq);
CREATE INDEX event_by_time ON event (time);
