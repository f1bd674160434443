//! The store on an embedded SQLite file.
//!
//! Settings, and why:
//! - `journal_mode=WAL`: readers never wait for the writer, nor it for them.
//! - `synchronous=FULL`: every commit is fsynced into the WAL before the
//!   call returns, so a decision the server acknowledged survives a crash of
//!   the server *and* of the machine (power cut). `NORMAL` would survive the
//!   server's crash only. A reviewer decides a few times a minute; the fsync
//!   (a few milliseconds) is not what they wait for.
//! - `foreign_keys=ON`, `busy_timeout` 5 s: another process writing (an
//!   import while the server runs) is waited for, not an error.
//! - Migrations: `migrations/NNNN_*.sql`, applied in order in one
//!   transaction each; `PRAGMA user_version` records the last one. A
//!   database newer than the program is refused, not touched.
//!
//! One writer connection behind a mutex (writes are serialised in the
//! process; across processes SQLite's lock and the busy timeout do it),
//! and a small pool of reader connections.

use crate::rules::{
    self, now_ms, ASSIGNMENT_COLS, DECISION_COLS, DOSSIER_COLS, ROUND_COLS, USER_COLS,
};
use crate::*;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The migrations, in order. Append only: a shipped migration never changes.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_initial",
        include_str!("../migrations/0001_initial.sql"),
    ),
    (
        "0002_views_and_final",
        include_str!("../migrations/0002_views_and_final.sql"),
    ),
    (
        "0003_units_and_rectification",
        include_str!("../migrations/0003_units_and_rectification.sql"),
    ),
];

/// Readers kept open between calls.
const READERS_KEPT: usize = 8;

pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Db(e.to_string())
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

/// The database file inside a data folder.
pub const DB_FILE: &str = "anjuan.db";

impl SqliteStore {
    /// Opens the store of an existing data folder (`DIR/anjuan.db`), without
    /// making one: for readers such as `anjuan report`.
    pub fn open_existing(dir: &Path) -> Result<SqliteStore> {
        let path = dir.join(DB_FILE);
        if !path.is_file() {
            return Err(StoreError::NotFound(format!(
                "{}: no anjuan data folder here (no {DB_FILE}); import a scan first (anjuan import RUN --data {})",
                dir.display(),
                dir.display()
            )));
        }
        SqliteStore::open(&path)
    }

    /// Opens (creating if need be) the database at `path` and brings it to
    /// the program's schema.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let ctx = |e: rusqlite::Error| StoreError::Db(format!("{}: {e}", path.display()));
        let mut conn = Connection::open(path).map_err(ctx)?;
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(ctx)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Db(format!(
                "{}: cannot use write-ahead logging (journal mode {mode})",
                path.display()
            )));
        }
        configure(&conn).map_err(ctx)?;
        migrate(&mut conn).map_err(|e| match e {
            StoreError::Db(m) => StoreError::Db(format!("{}: {m}", path.display())),
            e => e,
        })?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// SQLite's own check of the file (`PRAGMA integrity_check`): "ok", or
    /// what is wrong.
    pub fn integrity_check(&self) -> Result<String> {
        self.read(|c| {
            let mut st = c.prepare_cached("PRAGMA integrity_check")?;
            let rows: Vec<String> = st
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows.join("; "))
        })
    }

    /// The schema version of the open database (the last migration).
    pub fn schema_version(&self) -> Result<u32> {
        self.read(|c| Ok(c.pragma_query_value(None, "user_version", |r| r.get(0))?))
    }

    fn write<T>(&self, f: impl FnOnce(&rusqlite::Transaction) -> Result<T>) -> Result<T> {
        let mut conn = self
            .writer
            .lock()
            .map_err(|_| StoreError::Db("writer poisoned".into()))?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let pooled = self.readers.lock().ok().and_then(|mut p| p.pop());
        let conn = match pooled {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure(&c)?;
                c
            }
        };
        let out = f(&conn);
        if let Ok(mut p) = self.readers.lock() {
            if p.len() < READERS_KEPT {
                p.push(conn);
            }
        }
        out
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let have: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let known = MIGRATIONS.len() as u32;
    rules::schema_known(have.into(), known.into())?;
    // A migration may rebuild a table (SQLite's way to change a CHECK):
    // foreign keys are off while it runs (the pragma is a no-op inside a
    // transaction) and checked before it commits.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let result = (|| {
        for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(have as usize) {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
            tx.execute_batch(sql)
                .map_err(|e| StoreError::Db(format!("migration {name}: {e}")))?;
            let broken: Option<String> = tx
                .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
                .optional()?;
            if let Some(table) = broken {
                return Err(StoreError::Db(format!(
                    "migration {name}: a row of {table} refers to nothing"
                )));
            }
            tx.pragma_update(None, "user_version", i as u32 + 1)?;
            tx.commit()?;
        }
        Ok(())
    })();
    conn.pragma_update(None, "foreign_keys", "ON")?;
    result
}

impl rules::Cols for rusqlite::Row<'_> {
    type Error = rusqlite::Error;

    fn col<T: rules::Col>(&self, i: usize) -> rusqlite::Result<T> {
        self.get(i)
    }

    fn count(&self, i: usize) -> rusqlite::Result<u32> {
        self.get(i)
    }

    /// JSON text; unreadable, or NULL: the kind's default.
    fn json<T: serde::de::DeserializeOwned + Default>(&self, i: usize) -> rusqlite::Result<T> {
        let text: Option<String> = self.get(i)?;
        Ok(text
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default())
    }
}

/// The assignment `id`, when it is `by`'s: nobody changes another
/// reviewer's review.
fn own_assignment(tx: &rusqlite::Transaction, id: AssignmentId, by: UserId) -> Result<Assignment> {
    let found = tx
        .query_row(
            &format!("SELECT {ASSIGNMENT_COLS} FROM assignments WHERE id = ?1"),
            [id],
            |r| rules::assignment(r),
        )
        .optional()?;
    rules::own_assignment(id, found, by)
}

/// The assignments of a dossier's review in a round, when `by` is one of
/// its reviewers and all of them have submitted.
fn submitted_review(
    tx: &Connection,
    round: RoundId,
    dossier: DossierId,
    by: UserId,
) -> Result<Vec<Assignment>> {
    let mut st = tx.prepare_cached(&format!(
        "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE round_id = ?1 AND dossier_id = ?2 ORDER BY id"
    ))?;
    let all: Vec<Assignment> = st
        .query_map(params![round, dossier], |r| rules::assignment(r))?
        .collect::<rusqlite::Result<_>>()?;
    rules::submitted_review(rules::review_found(round, dossier, all)?, by)
}

fn closed(tx: &Connection, round: RoundId, dossier: DossierId) -> Result<bool> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM finals WHERE round_id = ?1 AND dossier_id = ?2",
            params![round, dossier],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn decisions_in(tx: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<Decision>> {
    let mut st = tx.prepare_cached(sql)?;
    let rows = st.query_map(args, |r| rules::decision(r))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The reviewers' logs and the agreed log of a review.
fn review_logs(
    tx: &Connection,
    round: RoundId,
    dossier: DossierId,
    assignments: &[Assignment],
) -> Result<(Vec<Vec<Decision>>, Vec<Decision>)> {
    let mut reviews = Vec::new();
    for a in assignments {
        reviews.push(decisions_in(
            tx,
            &format!("SELECT {DECISION_COLS} FROM decisions WHERE assignment_id = ?1 ORDER BY seq"),
            [a.id],
        )?);
    }
    Ok((reviews, agreed_in(tx, round, dossier)?))
}

const AGREED_COLS: &str =
    "seq, 0, item, action, points, reason, evidence, base_seq, by_user, at_ms";

fn agreed_in(tx: &Connection, round: RoundId, dossier: DossierId) -> Result<Vec<Decision>> {
    decisions_in(
        tx,
        &format!(
            "SELECT {AGREED_COLS} FROM agreed_decisions WHERE round_id = ?1 AND dossier_id = ?2 ORDER BY seq"
        ),
        params![round, dossier],
    )
}

fn signatures_in(tx: &Connection, round: RoundId, dossier: DossierId) -> Result<Vec<Signature>> {
    let mut st = tx.prepare_cached(&format!(
        "SELECT {} FROM signatures WHERE round_id = ?1 AND dossier_id = ?2 ORDER BY id",
        rules::SIGNATURE_COLS
    ))?;
    let rows = st.query_map(params![round, dossier], |r| rules::signature(r))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store for SqliteStore {
    fn add_user(&self, name: &str, role: Role, password_hash: &str) -> Result<UserId> {
        let name = rules::user_name(name)?;
        self.write(|tx| {
            let taken: bool = tx
                .query_row("SELECT 1 FROM users WHERE name = ?1", [name], |_| Ok(true))
                .optional()?
                .is_some();
            if taken {
                return Err(rules::user_exists(name));
            }
            tx.execute(
                "INSERT INTO users (name, role, password_hash, created_ms) VALUES (?1, ?2, ?3, ?4)",
                params![name, role.as_str(), password_hash, now_ms()],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    fn user(&self, id: UserId) -> Result<Option<User>> {
        self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {USER_COLS} FROM users WHERE id = ?1"),
                [id],
                |r| rules::user(r),
            )
            .optional()?)
        })
    }

    fn user_by_name(&self, name: &str) -> Result<Option<User>> {
        self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {USER_COLS} FROM users WHERE name = ?1"),
                [name.trim()],
                |r| rules::user(r),
            )
            .optional()?)
        })
    }

    fn users(&self) -> Result<Vec<User>> {
        self.read(|c| {
            let mut st =
                c.prepare_cached(&format!("SELECT {USER_COLS} FROM users ORDER BY name"))?;
            let rows = st.query_map([], |r| rules::user(r))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn start_session(&self, token_hash: &str, user: UserId, expires_ms: Millis) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sessions (token_hash, user_id, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4)",
                params![token_hash, user, now_ms(), expires_ms],
            )?;
            Ok(())
        })
    }

    fn session_user(&self, token_hash: &str, now_ms: Millis) -> Result<Option<User>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT u.id, u.name, u.role, u.password_hash, u.unit FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = ?1 AND s.ended_ms IS NULL AND s.expires_ms > ?2",
                params![token_hash, now_ms],
                |r| rules::user(r),
            )
            .optional()?)
        })
    }

    fn end_session(&self, token_hash: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE sessions SET ended_ms = ?2 WHERE token_hash = ?1 AND ended_ms IS NULL",
                params![token_hash, now_ms()],
            )?;
            Ok(())
        })
    }

    fn set_unit_of(&self, user: UserId, unit: &str) -> Result<()> {
        let unit = rules::unit_name(unit)?;
        self.write(|tx| {
            let role: Option<String> = tx
                .query_row("SELECT role FROM users WHERE id = ?1", [user], |r| r.get(0))
                .optional()?;
            rules::may_head(user, role.as_deref())?;
            tx.execute(
                "UPDATE users SET unit = ?2 WHERE id = ?1",
                params![user, unit],
            )?;
            Ok(())
        })
    }

    fn import(&self, dossier: &NewDossier) -> Result<Imported> {
        let review = importable(dossier)?;
        let sha = review.dossier.sha256.trim();
        self.write(|tx| {
            if let Some(id) = tx
                .query_row("SELECT id FROM dossiers WHERE sha256 = ?1", [sha], |r| r.get(0))
                .optional()?
            {
                return Ok(Imported::Existing(id));
            }
            tx.execute(
                "INSERT INTO dossiers (sha256, scan_id, source, case_kind, agency, case_number, page_count, review_json, imported_ms, folder_unit)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    sha,
                    review.dossier.id,
                    review.dossier.source,
                    review.case_kind.as_str(),
                    review.case.agency,
                    review.case.case_number,
                    review.pages.len() as u32,
                    dossier.review_json,
                    now_ms(),
                    folder_unit_of(dossier),
                ],
            )?;
            let id = tx.last_insert_rowid();
            let mut st =
                tx.prepare_cached("INSERT INTO pages (dossier_id, page, text) VALUES (?1, ?2, ?3)")?;
            for (i, text) in dossier.page_texts.iter().enumerate() {
                st.execute(params![id, i as u32 + 1, text])?;
            }
            let mut st = tx
                .prepare_cached("INSERT INTO page_views (dossier_id, page, jpeg) VALUES (?1, ?2, ?3)")?;
            for (i, view) in dossier.page_views.iter().enumerate() {
                if let Some(jpeg) = view {
                    st.execute(params![id, i as u32 + 1, jpeg])?;
                }
            }
            Ok(Imported::New(id))
        })
    }

    /// Always empty: the single PC has no scan queue (`anjuan scan` writes
    /// folders, `anjuan import` reads them).
    fn scan_jobs(&self) -> Result<Vec<ScanJob>> {
        Ok(Vec::new())
    }

    /// Never: there are no jobs.
    fn requeue_scan_job(&self, _job: i64, _by: UserId) -> Result<bool> {
        Ok(false)
    }

    fn dossiers(&self) -> Result<Vec<DossierRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {DOSSIER_COLS} FROM dossiers ORDER BY scan_id, id"
            ))?;
            let rows = st.query_map([], |r| rules::dossier(r))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn dossier(&self, id: DossierId) -> Result<Option<DossierRow>> {
        self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {DOSSIER_COLS} FROM dossiers WHERE id = ?1"),
                [id],
                |r| rules::dossier(r),
            )
            .optional()?)
        })
    }

    fn review_text(&self, id: DossierId) -> Result<String> {
        self.read(|c| {
            c.query_row(
                "SELECT review_json FROM dossiers WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("dossier {id}")))
        })
    }

    fn review(&self, id: DossierId) -> Result<Review> {
        rules::stored_review(id, &self.review_text(id)?)
    }

    fn page_text(&self, id: DossierId, page: u32) -> Result<Option<String>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT text FROM pages WHERE dossier_id = ?1 AND page = ?2",
                params![id, page],
                |r| r.get(0),
            )
            .optional()?)
        })
    }

    fn page_view(&self, id: DossierId, page: u32) -> Result<Option<Vec<u8>>> {
        self.read(|c| {
            Ok(c.query_row(
                "SELECT jpeg FROM page_views WHERE dossier_id = ?1 AND page = ?2",
                params![id, page],
                |r| r.get(0),
            )
            .optional()?)
        })
    }

    fn create_round(&self, round: &NewRound) -> Result<RoundId> {
        rules::valid_round(round)?;
        let units = serde_json::to_string(&round.units).expect("strings serialise");
        self.write(|tx| {
            tx.execute(
                "INSERT INTO rounds (name, period_start, period_end, units, created_by, created_ms, place)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    round.name.trim(),
                    round.period_start,
                    round.period_end,
                    units,
                    round.created_by,
                    now_ms(),
                    round.place.trim()
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    fn rounds(&self) -> Result<Vec<Round>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {ROUND_COLS} FROM rounds ORDER BY created_ms DESC, id DESC"
            ))?;
            let rows = st.query_map([], |r| rules::round(r))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn round(&self, id: RoundId) -> Result<Option<Round>> {
        self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {ROUND_COLS} FROM rounds WHERE id = ?1"),
                [id],
                |r| rules::round(r),
            )
            .optional()?)
        })
    }

    fn assign(
        &self,
        round: RoundId,
        dossier: DossierId,
        reviewers: &[UserId],
    ) -> Result<Vec<AssignmentId>> {
        rules::distinct_reviewers(reviewers)?;
        self.write(|tx| {
            let closed: Option<Option<Millis>> = tx
                .query_row("SELECT closed_ms FROM rounds WHERE id = ?1", [round], |r| {
                    r.get(0)
                })
                .optional()?;
            rules::round_open(round, closed)?;
            let mut ids = Vec::new();
            for &r in reviewers {
                let role: Option<String> = tx
                    .query_row("SELECT role FROM users WHERE id = ?1", [r], |row| row.get(0))
                    .optional()?;
                rules::is_reviewer(r, role.as_deref())?;
                tx.execute(
                    "INSERT OR IGNORE INTO assignments (round_id, dossier_id, reviewer_id) VALUES (?1, ?2, ?3)",
                    params![round, dossier, r],
                )?;
                ids.push(tx.query_row(
                    "SELECT id FROM assignments WHERE round_id = ?1 AND dossier_id = ?2 AND reviewer_id = ?3",
                    params![round, dossier, r],
                    |row| row.get(0),
                )?);
            }
            Ok(ids)
        })
    }

    fn assignment(&self, id: AssignmentId) -> Result<Option<Assignment>> {
        self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {ASSIGNMENT_COLS} FROM assignments WHERE id = ?1"),
                [id],
                |r| rules::assignment(r),
            )
            .optional()?)
        })
    }

    fn assignments_of_reviewer(&self, reviewer: UserId) -> Result<Vec<Assignment>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE reviewer_id = ?1 ORDER BY round_id, dossier_id"
            ))?;
            let rows = st.query_map([reviewer], |r| rules::assignment(r))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn assignments_of_dossier(
        &self,
        round: RoundId,
        dossier: DossierId,
    ) -> Result<Vec<Assignment>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE round_id = ?1 AND dossier_id = ?2 ORDER BY id"
            ))?;
            let rows = st.query_map(params![round, dossier], |r| rules::assignment(r))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn decide(&self, d: &NewDecision) -> Result<Seq> {
        let item = rules::valid_decision(&d.item, d.action, d.points, &d.reason)?;
        let marks = (!d.marks.is_empty())
            .then(|| serde_json::to_string(&d.marks).expect("marks serialise"));
        self.write(|tx| {
            let a = own_assignment(tx, d.assignment, d.by)?;
            rules::not_submitted(&a)?;
            let latest: Seq = tx.query_row(
                "SELECT COALESCE(MAX(seq), 0) FROM decisions WHERE assignment_id = ?1 AND item = ?2",
                params![d.assignment, item],
                |r| r.get(0),
            )?;
            rules::not_stale(item, d.base_seq, latest)?;
            tx.execute(
                "INSERT INTO decisions (assignment_id, item, action, points, reason, evidence, base_seq, by_user, at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    d.assignment,
                    item,
                    d.action.as_str(),
                    d.points,
                    d.reason.trim(),
                    marks,
                    d.base_seq,
                    d.by,
                    now_ms()
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    fn decisions(&self, assignment: AssignmentId) -> Result<Vec<Decision>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {DECISION_COLS} FROM decisions WHERE assignment_id = ?1 ORDER BY seq"
            ))?;
            let rows = st.query_map([assignment], |r| rules::decision(r))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn submit(&self, assignment: AssignmentId, by: UserId) -> Result<Millis> {
        self.write(|tx| {
            let a = own_assignment(tx, assignment, by)?;
            if let Some(at) = a.submitted_ms {
                return Ok(at);
            }
            let at = now_ms();
            tx.execute(
                "UPDATE assignments SET submitted_ms = ?2 WHERE id = ?1",
                params![assignment, at],
            )?;
            Ok(at)
        })
    }

    fn agree(&self, d: &NewAgreed) -> Result<Seq> {
        let item = rules::valid_decision(&d.item, d.action, d.points, &d.reason)?;
        self.write(|tx| {
            submitted_review(tx, d.round, d.dossier, d.by)?;
            rules::agreement_open(closed(tx, d.round, d.dossier)?)?;
            let latest: Seq = tx.query_row(
                "SELECT COALESCE(MAX(seq), 0) FROM agreed_decisions WHERE round_id = ?1 AND dossier_id = ?2 AND item = ?3",
                params![d.round, d.dossier, item],
                |r| r.get(0),
            )?;
            rules::not_stale(item, d.base_seq, latest)?;
            tx.execute(
                "INSERT INTO agreed_decisions (round_id, dossier_id, item, action, points, reason, base_seq, by_user, at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    d.round,
                    d.dossier,
                    item,
                    d.action.as_str(),
                    d.points,
                    d.reason.trim(),
                    d.base_seq,
                    d.by,
                    now_ms()
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    fn agreed_decisions(&self, round: RoundId, dossier: DossierId) -> Result<Vec<Decision>> {
        self.read(|c| agreed_in(c, round, dossier))
    }

    fn sign(&self, round: RoundId, dossier: DossierId, by: UserId) -> Result<Millis> {
        self.write(|tx| {
            let assignments = submitted_review(tx, round, dossier, by)?;
            rules::not_final(closed(tx, round, dossier)?)?;
            let (reviews, agreed) = review_logs(tx, round, dossier, &assignments)?;
            let seq = rules::signable(&reviews, &agreed)?;
            let at = now_ms();
            tx.execute(
                "INSERT INTO signatures (round_id, dossier_id, user_id, agreed_seq, signed_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![round, dossier, by, seq, at],
            )?;
            Ok(at)
        })
    }

    fn signatures(&self, round: RoundId, dossier: DossierId) -> Result<Vec<Signature>> {
        self.read(|c| signatures_in(c, round, dossier))
    }

    fn close_review(&self, round: RoundId, dossier: DossierId, by: UserId) -> Result<Millis> {
        self.write(|tx| {
            let role: Option<String> = tx
                .query_row("SELECT role FROM users WHERE id = ?1", [by], |r| r.get(0))
                .optional()?;
            rules::may_close(role.as_deref())?;
            rules::not_final(closed(tx, round, dossier)?)?;
            let mut st = tx.prepare_cached(&format!(
                "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE round_id = ?1 AND dossier_id = ?2 ORDER BY id"
            ))?;
            let assignments: Vec<Assignment> = st
                .query_map(params![round, dossier], |r| rules::assignment(r))?
                .collect::<rusqlite::Result<_>>()?;
            drop(st);
            let assignments = rules::review_found(round, dossier, assignments)?;
            let agreed = agreed_in(tx, round, dossier)?;
            let signatures = signatures_in(tx, round, dossier)?;
            rules::all_signed(&assignments, &agreed, &signatures)?;
            let at = now_ms();
            tx.execute(
                "INSERT INTO finals (round_id, dossier_id, closed_by, closed_ms) VALUES (?1, ?2, ?3, ?4)",
                params![round, dossier, by, at],
            )?;
            Ok(at)
        })
    }

    fn final_review(&self, round: RoundId, dossier: DossierId) -> Result<Option<Final>> {
        self.read(|c| {
            Ok(c.query_row(
                &format!(
                    "SELECT {} FROM finals WHERE round_id = ?1 AND dossier_id = ?2",
                    rules::FINAL_COLS
                ),
                params![round, dossier],
                |r| rules::final_at(r, 0),
            )
            .optional()?)
        })
    }

    fn acknowledge(
        &self,
        round: RoundId,
        dossier: DossierId,
        head_name: &str,
        head_date: &str,
        by: UserId,
    ) -> Result<()> {
        let (name, date) = rules::valid_acknowledgement(head_name, head_date)?;
        self.write(|tx| {
            let done: Option<Option<Millis>> = tx
                .query_row(
                    "SELECT ack_ms FROM finals WHERE round_id = ?1 AND dossier_id = ?2",
                    params![round, dossier],
                    |r| r.get(0),
                )
                .optional()?;
            rules::acknowledgeable(done)?;
            tx.execute(
                "UPDATE finals SET head_name = ?3, head_date = ?4, ack_by = ?5, ack_ms = ?6 WHERE round_id = ?1 AND dossier_id = ?2",
                params![round, dossier, name, date, by, now_ms()],
            )?;
            Ok(())
        })
    }

    fn finals(&self) -> Result<Vec<FinalRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {} FROM finals ORDER BY round_id, dossier_id",
                rules::FINAL_ROW_COLS
            ))?;
            let rows = st.query_map([], |r| rules::final_row(r))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn rename_unit(&self, name: &str, becomes: &str, by: UserId) -> Result<Seq> {
        let (name, becomes) = rules::valid_renaming(name, becomes)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO unit_names (name, becomes, by_user, at_ms) VALUES (?1, ?2, ?3, ?4)",
                params![name, becomes, by, now_ms()],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    fn unit_names(&self) -> Result<Vec<UnitName>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {} FROM unit_names ORDER BY seq",
                rules::UNIT_NAME_COLS
            ))?;
            let rows = st.query_map([], |r| rules::unit_name_row(r))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn rectify(&self, r: &NewRectification) -> Result<Seq> {
        let (item, deadline) = rules::valid_rectification(r)?;
        self.write(|tx| {
            rules::rectifiable(closed(tx, r.round, r.dossier)?)?;
            tx.execute(
                "INSERT INTO rectifications (round_id, dossier_id, item, measure, deadline, status, by_user, at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    r.round,
                    r.dossier,
                    item,
                    r.measure.trim(),
                    deadline,
                    r.status.as_str(),
                    r.by,
                    now_ms()
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    fn rectifications(&self) -> Result<Vec<Rectification>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {} FROM rectifications ORDER BY seq",
                rules::RECTIFICATION_COLS
            ))?;
            let rows = st.query_map([], |r| rules::rectification(r))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}
