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

pub(crate) fn now_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
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
    if have > known {
        return Err(StoreError::Refused(format!(
            "the database is at schema {have}, newer than this program's {known}: use a newer anjuan"
        )));
    }
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

fn user_row(r: &rusqlite::Row) -> rusqlite::Result<User> {
    let role: String = r.get(2)?;
    Ok(User {
        id: r.get(0)?,
        name: r.get(1)?,
        role: Role::parse(&role).unwrap_or(Role::Reviewer),
        password_hash: r.get(3)?,
        unit: r.get(4)?,
    })
}

const USER_COLS: &str = "id, name, role, password_hash, unit";

fn dossier_row(r: &rusqlite::Row) -> rusqlite::Result<DossierRow> {
    Ok(DossierRow {
        id: r.get(0)?,
        sha256: r.get(1)?,
        scan_id: r.get(2)?,
        source: r.get(3)?,
        case_kind: r.get(4)?,
        agency: r.get(5)?,
        case_number: r.get(6)?,
        page_count: r.get(7)?,
        imported_ms: r.get(8)?,
        folder_unit: r.get(9)?,
    })
}

const DOSSIER_COLS: &str =
    "id, sha256, scan_id, source, case_kind, agency, case_number, page_count, imported_ms, folder_unit";

fn round_row(r: &rusqlite::Row) -> rusqlite::Result<Round> {
    let units: String = r.get(4)?;
    Ok(Round {
        id: r.get(0)?,
        name: r.get(1)?,
        period_start: r.get(2)?,
        period_end: r.get(3)?,
        units: serde_json::from_str(&units).unwrap_or_default(),
        created_by: r.get(5)?,
        created_ms: r.get(6)?,
        closed_ms: r.get(7)?,
        place: r.get(8)?,
    })
}

const ROUND_COLS: &str =
    "id, name, period_start, period_end, units, created_by, created_ms, closed_ms, place";

fn assignment_row(r: &rusqlite::Row) -> rusqlite::Result<Assignment> {
    Ok(Assignment {
        id: r.get(0)?,
        round_id: r.get(1)?,
        dossier_id: r.get(2)?,
        reviewer_id: r.get(3)?,
        submitted_ms: r.get(4)?,
    })
}

const ASSIGNMENT_COLS: &str = "id, round_id, dossier_id, reviewer_id, submitted_ms";

/// The assignment `id`, when it is `by`'s: nobody changes another
/// reviewer's review.
fn own_assignment(tx: &rusqlite::Transaction, id: AssignmentId, by: UserId) -> Result<Assignment> {
    let a = tx
        .query_row(
            &format!("SELECT {ASSIGNMENT_COLS} FROM assignments WHERE id = ?1"),
            [id],
            assignment_row,
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("assignment {id}")))?;
    if a.reviewer_id != by {
        return Err(StoreError::Refused(
            "only the assigned reviewer changes their review".into(),
        ));
    }
    Ok(a)
}

/// A decision's item, when the decision is well formed: an item, a reason
/// where one is needed, points where they are needed.
pub(crate) fn valid_decision<'a>(
    item: &'a str,
    action: Action,
    points: Option<f64>,
    reason: &str,
) -> Result<&'a str> {
    let item = item.trim();
    if item.is_empty() {
        return Err(StoreError::Invalid(
            "a decision names its rubric item".into(),
        ));
    }
    if action.needs_reason() && reason.trim().is_empty() {
        return Err(StoreError::Invalid(format!(
            "{item}: a {} needs a reason",
            action.as_str()
        )));
    }
    match (action.has_points(), points) {
        (true, None) => Err(StoreError::Invalid(format!(
            "{item}: a {} gives the points",
            action.as_str()
        ))),
        (true, Some(p)) if !(p.is_finite() && p >= 0.0) => Err(StoreError::Invalid(format!(
            "{item}: points {p} are not a deduction"
        ))),
        _ => Ok(item),
    }
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
        .query_map(params![round, dossier], assignment_row)?
        .collect::<rusqlite::Result<_>>()?;
    if all.is_empty() {
        return Err(StoreError::NotFound(format!(
            "dossier {dossier} in round {round}"
        )));
    }
    if !all.iter().any(|a| a.reviewer_id == by) {
        return Err(StoreError::Refused(
            "only the dossier's reviewers agree and sign its review".into(),
        ));
    }
    if all.iter().any(|a| a.submitted_ms.is_none()) {
        return Err(StoreError::Refused(
            "each reviewer reviews on their own until all have submitted".into(),
        ));
    }
    Ok(all)
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
    let rows = st.query_map(args, decision_row)?;
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
    let mut st = tx.prepare_cached(
        "SELECT user_id, agreed_seq, signed_ms FROM signatures WHERE round_id = ?1 AND dossier_id = ?2 ORDER BY id",
    )?;
    let rows = st.query_map(params![round, dossier], |r| {
        Ok(Signature {
            user: r.get(0)?,
            agreed_seq: r.get(1)?,
            signed_ms: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn decision_row(r: &rusqlite::Row) -> rusqlite::Result<Decision> {
    let action: String = r.get(3)?;
    let marks: Option<String> = r.get(6)?;
    Ok(Decision {
        seq: r.get(0)?,
        assignment: r.get(1)?,
        item: r.get(2)?,
        action: Action::parse(&action).unwrap_or(Action::Comment),
        points: r.get(4)?,
        reason: r.get(5)?,
        marks: marks
            .and_then(|m| serde_json::from_str(&m).ok())
            .unwrap_or_default(),
        base_seq: r.get(7)?,
        by: r.get(8)?,
        at_ms: r.get(9)?,
    })
}

const DECISION_COLS: &str =
    "seq, assignment_id, item, action, points, reason, evidence, base_seq, by_user, at_ms";

impl Store for SqliteStore {
    fn add_user(&self, name: &str, role: Role, password_hash: &str) -> Result<UserId> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("a user needs a name".into()));
        }
        self.write(|tx| {
            let taken: bool = tx
                .query_row("SELECT 1 FROM users WHERE name = ?1", [name], |_| Ok(true))
                .optional()?
                .is_some();
            if taken {
                return Err(StoreError::Refused(format!("user {name} exists")));
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
                user_row,
            )
            .optional()?)
        })
    }

    fn user_by_name(&self, name: &str) -> Result<Option<User>> {
        self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {USER_COLS} FROM users WHERE name = ?1"),
                [name.trim()],
                user_row,
            )
            .optional()?)
        })
    }

    fn users(&self) -> Result<Vec<User>> {
        self.read(|c| {
            let mut st =
                c.prepare_cached(&format!("SELECT {USER_COLS} FROM users ORDER BY name"))?;
            let rows = st.query_map([], user_row)?;
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
                user_row,
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
        let unit = unit.trim();
        if unit.is_empty() {
            return Err(StoreError::Invalid("a head heads a named unit".into()));
        }
        self.write(|tx| {
            let role: Option<String> = tx
                .query_row("SELECT role FROM users WHERE id = ?1", [user], |r| r.get(0))
                .optional()?;
            match role.as_deref() {
                None => Err(StoreError::NotFound(format!("user {user}"))),
                Some("head") => {
                    tx.execute(
                        "UPDATE users SET unit = ?2 WHERE id = ?1",
                        params![user, unit],
                    )?;
                    Ok(())
                }
                Some(_) => Err(StoreError::Refused("only a head heads a unit".into())),
            }
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

    fn dossiers(&self) -> Result<Vec<DossierRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {DOSSIER_COLS} FROM dossiers ORDER BY scan_id, id"
            ))?;
            let rows = st.query_map([], dossier_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn dossier(&self, id: DossierId) -> Result<Option<DossierRow>> {
        self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {DOSSIER_COLS} FROM dossiers WHERE id = ?1"),
                [id],
                dossier_row,
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
        let json = self.review_text(id)?;
        serde_json::from_str(&json)
            .map_err(|e| StoreError::Db(format!("dossier {id}: stored review.json: {e}")))
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
        if round.name.trim().is_empty() {
            return Err(StoreError::Invalid("a round needs a name".into()));
        }
        if round.period_end < round.period_start {
            return Err(StoreError::Invalid(format!(
                "the period ends ({}) before it starts ({})",
                round.period_end, round.period_start
            )));
        }
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
            let rows = st.query_map([], round_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn round(&self, id: RoundId) -> Result<Option<Round>> {
        self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {ROUND_COLS} FROM rounds WHERE id = ?1"),
                [id],
                round_row,
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
        let mut distinct = reviewers.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < 2 || distinct.len() != reviewers.len() {
            return Err(StoreError::Invalid(
                "a dossier is reviewed by two or more different reviewers".into(),
            ));
        }
        self.write(|tx| {
            let closed: Option<Option<Millis>> = tx
                .query_row("SELECT closed_ms FROM rounds WHERE id = ?1", [round], |r| {
                    r.get(0)
                })
                .optional()?;
            match closed {
                None => return Err(StoreError::NotFound(format!("round {round}"))),
                Some(Some(_)) => {
                    return Err(StoreError::Refused(format!("round {round} is closed")))
                }
                Some(None) => {}
            }
            let mut ids = Vec::new();
            for &r in reviewers {
                let role: Option<String> = tx
                    .query_row("SELECT role FROM users WHERE id = ?1", [r], |row| row.get(0))
                    .optional()?;
                if role.as_deref() != Some(Role::Reviewer.as_str()) {
                    return Err(StoreError::Invalid(format!("user {r} is not a reviewer")));
                }
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
                assignment_row,
            )
            .optional()?)
        })
    }

    fn assignments_of_reviewer(&self, reviewer: UserId) -> Result<Vec<Assignment>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE reviewer_id = ?1 ORDER BY round_id, dossier_id"
            ))?;
            let rows = st.query_map([reviewer], assignment_row)?;
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
            let rows = st.query_map(params![round, dossier], assignment_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn decide(&self, d: &NewDecision) -> Result<Seq> {
        let item = valid_decision(&d.item, d.action, d.points, &d.reason)?;
        let marks = (!d.marks.is_empty())
            .then(|| serde_json::to_string(&d.marks).expect("marks serialise"));
        self.write(|tx| {
            let a = own_assignment(tx, d.assignment, d.by)?;
            if a.submitted_ms.is_some() {
                return Err(StoreError::Refused(
                    "this review was submitted; it can no longer change".into(),
                ));
            }
            let latest: Seq = tx.query_row(
                "SELECT COALESCE(MAX(seq), 0) FROM decisions WHERE assignment_id = ?1 AND item = ?2",
                params![d.assignment, item],
                |r| r.get(0),
            )?;
            if latest != d.base_seq {
                return Err(StoreError::Stale {
                    item: item.to_string(),
                    seen: d.base_seq,
                    latest,
                });
            }
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
            let rows = st.query_map([assignment], decision_row)?;
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
        let item = valid_decision(&d.item, d.action, d.points, &d.reason)?;
        self.write(|tx| {
            submitted_review(tx, d.round, d.dossier, d.by)?;
            if closed(tx, d.round, d.dossier)? {
                return Err(StoreError::Refused(
                    "this review is final; it can no longer change".into(),
                ));
            }
            let latest: Seq = tx.query_row(
                "SELECT COALESCE(MAX(seq), 0) FROM agreed_decisions WHERE round_id = ?1 AND dossier_id = ?2 AND item = ?3",
                params![d.round, d.dossier, item],
                |r| r.get(0),
            )?;
            if latest != d.base_seq {
                return Err(StoreError::Stale {
                    item: item.to_string(),
                    seen: d.base_seq,
                    latest,
                });
            }
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
            if closed(tx, round, dossier)? {
                return Err(StoreError::Refused("this review is final already".into()));
            }
            let (reviews, agreed) = review_logs(tx, round, dossier, &assignments)?;
            let (_, unresolved) = agreed_state(&reviews, &agreed);
            if !unresolved.is_empty() {
                return Err(StoreError::Refused(format!(
                    "the reviews still differ on {}: agree on them before signing",
                    unresolved.join(", ")
                )));
            }
            let seq = agreed.iter().map(|d| d.seq).max().unwrap_or(0);
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
            if !matches!(role.as_deref(), Some("supervisor") | Some("admin")) {
                return Err(StoreError::Refused(
                    "a supervisor closes a review".into(),
                ));
            }
            if closed(tx, round, dossier)? {
                return Err(StoreError::Refused("this review is final already".into()));
            }
            let mut st = tx.prepare_cached(&format!(
                "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE round_id = ?1 AND dossier_id = ?2 ORDER BY id"
            ))?;
            let assignments: Vec<Assignment> = st
                .query_map(params![round, dossier], assignment_row)?
                .collect::<rusqlite::Result<_>>()?;
            drop(st);
            if assignments.is_empty() {
                return Err(StoreError::NotFound(format!(
                    "dossier {dossier} in round {round}"
                )));
            }
            let agreed = agreed_in(tx, round, dossier)?;
            let seq = agreed.iter().map(|d| d.seq).max().unwrap_or(0);
            let signatures = signatures_in(tx, round, dossier)?;
            let unsigned: Vec<String> = assignments
                .iter()
                .filter(|a| {
                    !signatures
                        .iter()
                        .any(|s| s.user == a.reviewer_id && s.agreed_seq == seq)
                })
                .map(|a| format!("user {}", a.reviewer_id))
                .collect();
            if !unsigned.is_empty() {
                return Err(StoreError::Refused(format!(
                    "not every reviewer has signed the review as it stands ({} to sign)",
                    unsigned.join(", ")
                )));
            }
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
                "SELECT closed_by, closed_ms, head_name, head_date, ack_by, ack_ms FROM finals WHERE round_id = ?1 AND dossier_id = ?2",
                params![round, dossier],
                |r| {
                    Ok(Final {
                        closed_by: r.get(0)?,
                        closed_ms: r.get(1)?,
                        head_name: r.get(2)?,
                        head_date: r.get(3)?,
                        ack_by: r.get(4)?,
                        ack_ms: r.get(5)?,
                    })
                },
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
        let (name, date) = (head_name.trim(), head_date.trim());
        if name.is_empty() {
            return Err(StoreError::Invalid(
                "the acknowledgement names the unit's head".into(),
            ));
        }
        if !is_iso_date(date) {
            return Err(StoreError::Invalid(format!(
                "the acknowledgement's date {date:?} is not a date (YYYY-MM-DD)"
            )));
        }
        self.write(|tx| {
            let done: Option<Option<Millis>> = tx
                .query_row(
                    "SELECT ack_ms FROM finals WHERE round_id = ?1 AND dossier_id = ?2",
                    params![round, dossier],
                    |r| r.get(0),
                )
                .optional()?;
            match done {
                None => Err(StoreError::Refused(
                    "only a final review is acknowledged".into(),
                )),
                Some(Some(_)) => Err(StoreError::Refused(
                    "the unit's head has acknowledged this review already".into(),
                )),
                Some(None) => {
                    tx.execute(
                        "UPDATE finals SET head_name = ?3, head_date = ?4, ack_by = ?5, ack_ms = ?6 WHERE round_id = ?1 AND dossier_id = ?2",
                        params![round, dossier, name, date, by, now_ms()],
                    )?;
                    Ok(())
                }
            }
        })
    }

    fn finals(&self) -> Result<Vec<FinalRow>> {
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT round_id, dossier_id, closed_by, closed_ms, head_name, head_date, ack_by, ack_ms
                 FROM finals ORDER BY round_id, dossier_id",
            )?;
            let rows = st.query_map([], |r| {
                Ok(FinalRow {
                    round: r.get(0)?,
                    dossier: r.get(1)?,
                    fin: Final {
                        closed_by: r.get(2)?,
                        closed_ms: r.get(3)?,
                        head_name: r.get(4)?,
                        head_date: r.get(5)?,
                        ack_by: r.get(6)?,
                        ack_ms: r.get(7)?,
                    },
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn rename_unit(&self, name: &str, becomes: &str, by: UserId) -> Result<Seq> {
        let (name, becomes) = (name.trim(), becomes.trim());
        if name.is_empty() || becomes.is_empty() {
            return Err(StoreError::Invalid(
                "a unit is renamed from a name to a name".into(),
            ));
        }
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
            let mut st = c.prepare_cached(
                "SELECT seq, name, becomes, by_user, at_ms FROM unit_names ORDER BY seq",
            )?;
            let rows = st.query_map([], |r| {
                Ok(UnitName {
                    seq: r.get(0)?,
                    name: r.get(1)?,
                    becomes: r.get(2)?,
                    by: r.get(3)?,
                    at_ms: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    fn rectify(&self, r: &NewRectification) -> Result<Seq> {
        let item = r.item.trim();
        if item.is_empty() {
            return Err(StoreError::Invalid(
                "a rectification names the problem's item".into(),
            ));
        }
        let deadline = r
            .deadline
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty());
        if let Some(d) = deadline {
            if !is_iso_date(d) {
                return Err(StoreError::Invalid(format!(
                    "the deadline {d:?} is not a date (YYYY-MM-DD)"
                )));
            }
        }
        if r.status == RectStatus::Done && r.measure.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a problem is rectified by a measure: name it".into(),
            ));
        }
        self.write(|tx| {
            if !closed(tx, r.round, r.dossier)? {
                return Err(StoreError::Refused(
                    "only the problems of a final review are rectified".into(),
                ));
            }
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
            let mut st = c.prepare_cached(
                "SELECT seq, round_id, dossier_id, item, measure, deadline, status, by_user, at_ms
                 FROM rectifications ORDER BY seq",
            )?;
            let rows = st.query_map([], |r| {
                let status: String = r.get(6)?;
                Ok(Rectification {
                    seq: r.get(0)?,
                    round: r.get(1)?,
                    dossier: r.get(2)?,
                    item: r.get(3)?,
                    measure: r.get(4)?,
                    deadline: r.get(5)?,
                    status: RectStatus::parse(&status).unwrap_or(RectStatus::Open),
                    by: r.get(7)?,
                    at_ms: r.get(8)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}

/// `YYYY-MM-DD` with a real month and day.
pub(crate) fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    matches!(
        (num(0..4), num(5..7), num(8..10)),
        (Some(y), Some(m), Some(d)) if y >= 1900 && (1..=12).contains(&m) && (1..=31).contains(&d)
    )
}
