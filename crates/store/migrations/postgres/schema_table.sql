-- The migrations applied to this database, one row each (the runner makes
-- this table before the first migration, under its advisory lock).
CREATE TABLE IF NOT EXISTS anjuan_schema (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_ms BIGINT NOT NULL
);
