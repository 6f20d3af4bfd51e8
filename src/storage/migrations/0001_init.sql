-- Experiments, in creation order (seq). Times are ISO-8601 UTC strings.
CREATE TABLE experiment (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  id             TEXT    NOT NULL UNIQUE,
  uid            TEXT    NOT NULL,
  status         TEXT    NOT NULL,
  spec           TEXT    NOT NULL,
  accepted_time  TEXT,
  created_time   TEXT,
  running_time   TEXT,
  finished_time  TEXT,
  -- 1 once the runtime accepted the job; 0 while it waits to be submitted.
  submitted      INTEGER NOT NULL DEFAULT 0,
  status_message TEXT,
  -- The runtime's last JobObservation (JSON), handed back to it after a restart.
  observation    TEXT
) STRICT;
CREATE INDEX experiment_by_status ON experiment (status, seq);
CREATE INDEX experiment_unsubmitted ON experiment (submitted, seq) WHERE submitted = 0;

CREATE TABLE environment (
  seq  INTEGER PRIMARY KEY AUTOINCREMENT,
  id   TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  spec TEXT NOT NULL
) STRICT;

-- One row per replica whose log has lines; the cursor a runtime resumes from.
CREATE TABLE log_source (
  experiment_id TEXT    NOT NULL,
  pod           TEXT    NOT NULL,
  lines         INTEGER NOT NULL,
  last_ts       TEXT,
  at_last_ts    INTEGER NOT NULL,
  PRIMARY KEY (experiment_id, pod)
) STRICT, WITHOUT ROWID;

CREATE TABLE log_line (
  experiment_id TEXT    NOT NULL,
  pod           TEXT    NOT NULL,
  n             INTEGER NOT NULL,
  ts            TEXT    NOT NULL,
  text          TEXT    NOT NULL,
  PRIMARY KEY (experiment_id, pod, n)
) STRICT, WITHOUT ROWID;

-- Id counters shared by every server on this data dir (same start millisecond included).
CREATE TABLE id_counter (
  prefix TEXT    PRIMARY KEY,
  last   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
