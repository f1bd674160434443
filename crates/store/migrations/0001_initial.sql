-- anjuan store, migration 1: accounts, sessions, imported scans, review
-- rounds, assignments and the append-only decision log.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'reviewer', 'supervisor')),
    password_hash TEXT NOT NULL,
    created_ms    INTEGER NOT NULL
);

-- Server-side sessions; the cookie holds a random token, the table only its
-- SHA-256, so a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    ended_ms   INTEGER
);

-- One row per scanned dossier, by the sha256 of its input: importing the
-- same scan again finds the row. review_json is the scan's review.json as
-- written; it is never rewritten.
CREATE TABLE dossiers (
    id          INTEGER PRIMARY KEY,
    sha256      TEXT NOT NULL UNIQUE,
    scan_id     TEXT NOT NULL,
    source      TEXT NOT NULL,
    case_kind   TEXT NOT NULL,
    agency      TEXT,
    case_number TEXT,
    page_count  INTEGER NOT NULL,
    review_json TEXT NOT NULL,
    imported_ms INTEGER NOT NULL
);

CREATE TABLE pages (
    dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
    page       INTEGER NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (dossier_id, page)
);

-- 评查活动.
CREATE TABLE rounds (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    units        TEXT NOT NULL,   -- JSON array of unit names
    created_by   INTEGER NOT NULL REFERENCES users(id),
    created_ms   INTEGER NOT NULL,
    closed_ms    INTEGER
);

-- A dossier of a round given to one reviewer; each dossier of a round has
-- two (or more) reviewers, each reviewing on their own until they submit.
CREATE TABLE assignments (
    id           INTEGER PRIMARY KEY,
    round_id     INTEGER NOT NULL REFERENCES rounds(id),
    dossier_id   INTEGER NOT NULL REFERENCES dossiers(id),
    reviewer_id  INTEGER NOT NULL REFERENCES users(id),
    submitted_ms INTEGER,
    UNIQUE (round_id, dossier_id, reviewer_id)
);
CREATE INDEX assignments_by_reviewer ON assignments(reviewer_id);
CREATE INDEX assignments_by_dossier ON assignments(round_id, dossier_id);

-- Every decision a reviewer makes, in order; nothing is updated or deleted.
-- The state of an item is its last decision. `base_seq` is the decision the
-- reviewer's view showed for the item (0: none); a decision on a stale view
-- is refused before it is written.
CREATE TABLE decisions (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    assignment_id INTEGER NOT NULL REFERENCES assignments(id),
    item          TEXT NOT NULL,
    action        TEXT NOT NULL CHECK (action IN
                      ('confirm', 'reject', 'adjust', 'add', 'withdraw', 'comment', 'pass', 'fail')),
    points        REAL,
    reason        TEXT NOT NULL DEFAULT '',
    evidence      TEXT,           -- JSON: [{page, bbox}] drawn by the reviewer
    base_seq      INTEGER NOT NULL,
    by_user       INTEGER NOT NULL REFERENCES users(id),
    at_ms         INTEGER NOT NULL
);
CREATE INDEX decisions_by_item ON decisions(assignment_id, item, seq);

CREATE TRIGGER decisions_are_not_updated BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER decisions_are_not_deleted BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
