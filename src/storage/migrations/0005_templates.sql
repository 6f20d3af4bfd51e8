-- Experiment templates (/api/v1/template), by unique name; spec is the ExperimentTemplateSpec as JSON.
CREATE TABLE experiment_template (
  seq  INTEGER PRIMARY KEY AUTOINCREMENT,
  id   TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  spec TEXT NOT NULL
) STRICT;
