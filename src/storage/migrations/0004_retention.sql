-- Retention: the oldest finished experiments first (--retention-days, --retention-max-experiments),
-- found without reading the table: a finished experiment's finished_time is set and never changes.
CREATE INDEX experiment_finished ON experiment (finished_time, seq) WHERE status IN ('Succeeded', 'Failed');

-- --max-log-bytes-per-replica: each replica's stored bytes (UTF-8 text plus one newline a line, the
-- cut line not counted), what was dropped from its start, and the seq of the cut line that says so
-- (NULL while nothing was dropped). `lines` stays the count of lines received: runtimes resume from it.
ALTER TABLE log_source ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE log_source ADD COLUMN dropped_lines INTEGER NOT NULL DEFAULT 0;
ALTER TABLE log_source ADD COLUMN dropped_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE log_source ADD COLUMN cut_seq INTEGER;
UPDATE log_source SET bytes = (
  SELECT coalesce(sum(length(CAST(l.text AS BLOB)) + 1), 0) FROM log_line l
  WHERE l.experiment_id = log_source.experiment_id AND l.pod = log_source.pod
);
-- The logs over a newly set limit, found by the retention pass without a scan.
CREATE INDEX log_source_by_bytes ON log_source (bytes);
