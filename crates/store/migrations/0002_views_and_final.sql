-- anjuan store, migration 2: the pages as the OCR read them, and the second
-- half of a review: the agreed review after both reviewers submitted, their
-- signatures, the supervisor's closing and the unit head's acknowledgement.

-- 评查地点: where the round's reviews are held (the 评查表 names it).
ALTER TABLE rounds ADD COLUMN place TEXT NOT NULL DEFAULT '';

-- The upright page image the OCR read, scaled (pages/NNNN.jpg of the scan).
CREATE TABLE page_views (
    dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
    page       INTEGER NOT NULL,
    jpeg       BLOB NOT NULL,
    PRIMARY KEY (dossier_id, page)
);

-- The reviewers' agreed decisions on items where their reviews differ, in
-- order; append-only like `decisions`. An item both reviewers decided alike
-- needs no agreed decision.
CREATE TABLE agreed_decisions (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id   INTEGER NOT NULL REFERENCES rounds(id),
    dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
    item       TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN
                   ('confirm', 'reject', 'adjust', 'add', 'withdraw', 'comment', 'pass', 'fail')),
    points     REAL,
    reason     TEXT NOT NULL DEFAULT '',
    evidence   TEXT,
    base_seq   INTEGER NOT NULL,
    by_user    INTEGER NOT NULL REFERENCES users(id),
    at_ms      INTEGER NOT NULL
);
CREATE INDEX agreed_by_item ON agreed_decisions(round_id, dossier_id, item, seq);

CREATE TRIGGER agreed_are_not_updated BEFORE UPDATE ON agreed_decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER agreed_are_not_deleted BEFORE DELETE ON agreed_decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;

-- A reviewer signs the agreed review as it stood at `agreed_seq` (the last
-- agreed decision then); a later agreed decision needs signing again, so a
-- signature is a row per signing, never changed.
CREATE TABLE signatures (
    id         INTEGER PRIMARY KEY,
    round_id   INTEGER NOT NULL REFERENCES rounds(id),
    dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    agreed_seq INTEGER NOT NULL,
    signed_ms  INTEGER NOT NULL
);
CREATE INDEX signatures_by_review ON signatures(round_id, dossier_id);

-- The supervisor closes the signed review: it is final. 第十条: the
-- reviewed unit's head acknowledges it (name, date), recorded once.
CREATE TABLE finals (
    round_id   INTEGER NOT NULL REFERENCES rounds(id),
    dossier_id INTEGER NOT NULL REFERENCES dossiers(id),
    closed_by  INTEGER NOT NULL REFERENCES users(id),
    closed_ms  INTEGER NOT NULL,
    head_name  TEXT,
    head_date  TEXT,
    ack_by     INTEGER REFERENCES users(id),
    ack_ms     INTEGER,
    PRIMARY KEY (round_id, dossier_id)
);
