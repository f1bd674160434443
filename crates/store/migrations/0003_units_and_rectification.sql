-- anjuan store, migration 3: what supervisors add to the reviews: the
-- units' heads, the names of units (renamed, merged), the folder a dossier
-- was scanned from, and the rectification of confirmed problems (第十一条).
-- Run with foreign keys off (the rebuild of `users` below is SQLite's
-- documented way to change a CHECK); the runner checks them before commit.

-- A unit's head (负责人) edits the unit's rectification list: role 'head'
-- and the unit headed.
CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'reviewer', 'supervisor', 'head')),
    password_hash TEXT NOT NULL,
    created_ms    INTEGER NOT NULL,
    unit          TEXT
);
INSERT INTO users_new (id, name, role, password_hash, created_ms)
    SELECT id, name, role, password_hash, created_ms FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- The unit folder a dossier was scanned from (ARCHIVE/<unit>/…), when the
-- archive is laid out by unit; NULL otherwise.
ALTER TABLE dossiers ADD COLUMN folder_unit TEXT;

-- A unit renamed, or merged into another: from now on `name` reads as
-- `becomes`. The last row of a name holds; a name mapped to itself undoes.
-- Append-only: the history of names stays.
CREATE TABLE unit_names (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    name    TEXT NOT NULL,
    becomes TEXT NOT NULL,
    by_user INTEGER NOT NULL REFERENCES users(id),
    at_ms   INTEGER NOT NULL
);
CREATE TRIGGER unit_names_are_not_updated BEFORE UPDATE ON unit_names
BEGIN SELECT RAISE(ABORT, 'unit names are append-only'); END;
CREATE TRIGGER unit_names_are_not_deleted BEFORE DELETE ON unit_names
BEGIN SELECT RAISE(ABORT, 'unit names are append-only'); END;

-- 第十一条: the unit's measure against a confirmed problem (a deduction or
-- a failed basic standard of a final review), its deadline and status. Each
-- edit is a row; the last row of a problem is its state.
CREATE TABLE rectifications (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id   INTEGER NOT NULL REFERENCES rounds(id),
    dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
    item       TEXT NOT NULL,
    measure    TEXT NOT NULL DEFAULT '',
    deadline   TEXT,
    status     TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done')),
    by_user    INTEGER NOT NULL REFERENCES users(id),
    at_ms      INTEGER NOT NULL
);
CREATE INDEX rectifications_by_problem ON rectifications(round_id, dossier_id, item, seq);
CREATE TRIGGER rectifications_are_not_updated BEFORE UPDATE ON rectifications
BEGIN SELECT RAISE(ABORT, 'rectifications are append-only'); END;
CREATE TRIGGER rectifications_are_not_deleted BEFORE DELETE ON rectifications
BEGIN SELECT RAISE(ABORT, 'rectifications are append-only'); END;
