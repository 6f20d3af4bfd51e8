-- API tokens. Only hashes are kept: sha256 of the token (what `Authorization: Bearer` sends)
-- and sha256 of its MD5 hex digest (what Submarine's web UI sends as the login password).
-- Revoking a token deletes its row.
CREATE TABLE api_token (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT    NOT NULL UNIQUE,
  read_only  INTEGER NOT NULL,
  hash       BLOB    NOT NULL UNIQUE,
  md5_hash   BLOB    NOT NULL UNIQUE,
  created_at TEXT    NOT NULL
) STRICT;
