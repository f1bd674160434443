//! The store on a PostgreSQL server: one database shared by several
//! `anjuan serve` processes and the scan workers.
//!
//! Settings, and why:
//! - `synchronous_commit = on` (PostgreSQL's default, set again on every
//!   connection so that a server configured otherwise does not weaken it):
//!   a commit returns once its WAL record is flushed, so a decision the
//!   server acknowledged survives a crash of the database's machine.
//! - READ COMMITTED, and every read-modify-write locks the row that orders
//!   it before it reads what it checks: a decision or a submission locks
//!   its assignment (`SELECT … FOR UPDATE`); an agreed decision, a
//!   signature or the closing locks every assignment of the review (in id
//!   order, so no two of them deadlock); an acknowledgement locks the final
//!   review. The stale check therefore holds across connections and
//!   processes, not only in this one. Uniqueness (account names, a
//!   dossier's sha256, assignments) is the database's: `ON CONFLICT`.
//! - Migrations: `migrations/postgres/NNNN_*.sql`, applied in order in one
//!   transaction each under a transaction-level advisory lock (several
//!   processes starting at once migrate once), recorded in `anjuan_schema`.
//!   A database newer than the program is refused, not touched.
//!
//! The [`Store`] trait is synchronous: a `PgStore` owns a small tokio
//! runtime and a connection pool, and each method blocks on its runtime.
//! Call it from plain threads or from `spawn_blocking` threads of another
//! runtime, never from async code directly.

use crate::rules::{
    self, now_ms, ASSIGNMENT_COLS, DECISION_COLS, DOSSIER_COLS, ROUND_COLS, USER_COLS,
};
use crate::*;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Connection, PgConnection, Row};
use std::future::Future;
use std::str::FromStr;

/// pgmq's queue of scan jobs (its tables are `pgmq.q_anjuan_scan` and
/// `pgmq.a_anjuan_scan`; `anjuan-worker` installs pgmq and makes both queues).
pub const SCAN_QUEUE: &str = "anjuan_scan";
/// Where scan jobs go after their last attempt.
pub const SCAN_DEAD: &str = "anjuan_scan_dead";

/// The migrations, in order. Append only: a shipped migration never changes.
const MIGRATIONS: &[(&str, &str)] = &[(
    "0001_initial",
    include_str!("../migrations/postgres/0001_initial.sql"),
)];

/// The table the migrations are recorded in.
const SCHEMA_TABLE: &str = include_str!("../migrations/postgres/schema_table.sql");

/// The advisory lock the migrations run under ("anjuan" in ASCII).
const MIGRATION_LOCK: i64 = 0x616e_6a75_616e;

/// Connections per store (per server process).
const POOL_SIZE: u32 = 8;

pub struct PgStore {
    /// The URL without its password: what errors name.
    name: String,
    pool: PgPool,
    /// Taken (and shut down without blocking) when the store is dropped.
    rt: Option<tokio::runtime::Runtime>,
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Db(e.to_string())
    }
}

/// A database URL without its password, to name it in messages.
pub fn redacted(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, url),
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user, |(u, _)| u);
            format!("{user}@{host}")
        }
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|kv| !kv.to_ascii_lowercase().starts_with("password="))
                .collect();
            if kept.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{}", kept.join("&"))
            }
        }
        None => tail.to_string(),
    };
    match scheme {
        Some(s) => format!("{s}://{authority}{tail}"),
        None => format!("{authority}{tail}"),
    }
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:pass@host/db`)
    /// and brings it to the program's schema.
    pub fn connect(url: &str) -> Result<PgStore> {
        let name = redacted(url);
        let named = |e: StoreError| match e {
            StoreError::Db(m) => StoreError::Db(format!("{name}: {m}")),
            StoreError::Refused(m) => StoreError::Refused(format!("{name}: {m}")),
            e => e,
        };
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Invalid(format!("{name}: not a PostgreSQL URL: {e}")))?
            .application_name("anjuan")
            .options([("synchronous_commit", "on")]);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("anjuan-pg")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Db(format!("{name}: cannot start the runtime: {e}")))?;
        let pool = rt
            .block_on(async {
                // One connection first: a wrong host, port, name or password
                // is said at once, in the server's words (the pool would
                // retry a refused connection until its timeout).
                let mut first = PgConnection::connect_with(&options)
                    .await
                    .map_err(|e| StoreError::Db(format!("cannot connect: {e}")))?;
                migrate(&mut first).await?;
                let _ = first.close().await;
                Ok(PgPoolOptions::new()
                    .max_connections(POOL_SIZE)
                    .min_connections(0)
                    .acquire_timeout(std::time::Duration::from_secs(30))
                    .connect_lazy_with(options))
            })
            .map_err(named)?;
        Ok(PgStore {
            name,
            pool,
            rt: Some(rt),
        })
    }

    /// The database's URL without its password.
    pub fn url(&self) -> &str {
        &self.name
    }

    /// The pool, for callers that run their own transactions (a scan
    /// worker calling [`import_in`]); async: use it on your own runtime's
    /// tasks only through [`PgStore::block_on`].
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Runs `f` on the store's runtime (where its pool lives) and waits.
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.rt
            .as_ref()
            .expect("the runtime lives as long as the store")
            .block_on(f)
    }

    /// The schema version of the database (the last migration applied).
    pub fn schema_version(&self) -> Result<u32> {
        self.run(async {
            let v: i32 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM anjuan_schema")
                .fetch_one(&self.pool)
                .await?;
            Ok(v as u32)
        })
    }

    /// The rows `sql` (without parameters) selects, decoded by `f`.
    fn all<T>(&self, sql: &str, f: fn(&PgRow) -> sqlx::Result<T>) -> Result<Vec<T>> {
        self.run(async { rows(sqlx::query(sql).fetch_all(&self.pool).await?, f) })
    }

    /// The rows `sql` selects by its one parameter, `key`, decoded by `f`.
    fn all_by<T>(&self, sql: &str, key: i64, f: fn(&PgRow) -> sqlx::Result<T>) -> Result<Vec<T>> {
        self.run(async { rows(sqlx::query(sql).bind(key).fetch_all(&self.pool).await?, f) })
    }

    /// The row `sql` selects by its one parameter, `key`, decoded by `f`.
    fn one_by<T>(
        &self,
        sql: &str,
        key: i64,
        f: fn(&PgRow) -> sqlx::Result<T>,
    ) -> Result<Option<T>> {
        self.run(async {
            row(
                sqlx::query(sql)
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await?,
                f,
            )
        })
    }

    /// Runs `f` in a transaction, committed when `f` succeeds (rolled back
    /// when it fails).
    fn write<T>(&self, f: impl AsyncFnOnce(&mut PgConnection) -> Result<T>) -> Result<T> {
        self.run(async {
            let mut tx = self.pool.begin().await?;
            let out = f(&mut tx).await?;
            tx.commit().await?;
            Ok(out)
        })
    }

    /// Runs a store operation, naming the database in its errors.
    fn run<T>(&self, f: impl Future<Output = Result<T>>) -> Result<T> {
        self.block_on(f).map_err(|e| match e {
            StoreError::Db(m) => StoreError::Db(format!("{}: {m}", self.name)),
            e => e,
        })
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            // Say goodbye to the server when blocking is allowed here; from
            // async code, just let the connections go.
            if tokio::runtime::Handle::try_current().is_err() {
                rt.block_on(self.pool.close());
            }
            rt.shutdown_background();
        }
    }
}

async fn migrate(conn: &mut PgConnection) -> Result<()> {
    let known = MIGRATIONS.len() as i32;
    // Each step locks, then looks: whoever comes second finds the work done.
    async fn lock(c: &mut PgConnection) -> sqlx::Result<()> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(c)
            .await
            .map(drop)
    }
    let mut tx = conn.begin().await?;
    lock(&mut tx).await?;
    sqlx::raw_sql(SCHEMA_TABLE).execute(&mut *tx).await?;
    tx.commit().await?;
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate() {
        let version = i as i32 + 1;
        let mut tx = conn.begin().await?;
        lock(&mut tx).await?;
        let have: i32 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM anjuan_schema")
            .fetch_one(&mut *tx)
            .await?;
        rules::schema_known(have.into(), known.into())?;
        if have >= version {
            continue;
        }
        sqlx::raw_sql(sql)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::Db(format!("migration {name}: {e}")))?;
        sqlx::query("INSERT INTO anjuan_schema (version, name, applied_ms) VALUES ($1, $2, $3)")
            .bind(version)
            .bind(*name)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    // Nothing was pending: still refuse a newer database.
    let have: i32 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM anjuan_schema")
        .fetch_one(&mut *conn)
        .await?;
    rules::schema_known(have.into(), known.into())
}

/// Imports a scanned dossier on a connection (or in a transaction) the
/// caller owns, once per input sha256: what [`Store::import`] does, for a
/// scan worker that commits the import together with its job. Expects READ
/// COMMITTED (PostgreSQL's default): an import of the same input committed
/// meanwhile by another connection is found, not an error.
pub async fn import_in(conn: &mut PgConnection, d: &NewDossier) -> Result<Imported> {
    let review = importable(d)?;
    let sha = review.dossier.sha256.trim();
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO dossiers (sha256, scan_id, source, case_kind, agency, case_number, page_count, review_json, imported_ms, folder_unit)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (sha256) DO NOTHING RETURNING id",
    )
    .bind(sha)
    .bind(&review.dossier.id)
    .bind(&review.dossier.source)
    .bind(review.case_kind.as_str())
    .bind(&review.case.agency)
    .bind(&review.case.case_number)
    .bind(review.pages.len() as i32)
    .bind(&d.review_json)
    .bind(now_ms())
    .bind(folder_unit_of(d))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = inserted else {
        let id: i64 = sqlx::query_scalar("SELECT id FROM dossiers WHERE sha256 = $1")
            .bind(sha)
            .fetch_one(&mut *conn)
            .await?;
        return Ok(Imported::Existing(id));
    };
    let pages: Vec<i32> = (1..=d.page_texts.len() as i32).collect();
    sqlx::query(
        "INSERT INTO pages (dossier_id, page, text) SELECT $1, p, t FROM UNNEST($2::int4[], $3::text[]) AS x(p, t)",
    )
    .bind(id)
    .bind(&pages)
    .bind(&d.page_texts)
    .execute(&mut *conn)
    .await?;
    let (view_pages, views): (Vec<i32>, Vec<&[u8]>) = d
        .page_views
        .iter()
        .enumerate()
        .filter_map(|(i, v)| Some((i as i32 + 1, v.as_deref()?)))
        .unzip();
    if !views.is_empty() {
        sqlx::query(
            "INSERT INTO page_views (dossier_id, page, jpeg) SELECT $1, p, j FROM UNNEST($2::int4[], $3::bytea[]) AS x(p, j)",
        )
        .bind(id)
        .bind(&view_pages)
        .bind(&views)
        .execute(&mut *conn)
        .await?;
    }
    Ok(Imported::New(id))
}

impl rules::Cols for PgRow {
    type Error = sqlx::Error;

    fn col<T: rules::Col>(&self, i: usize) -> sqlx::Result<T> {
        self.try_get(i)
    }

    fn count(&self, i: usize) -> sqlx::Result<u32> {
        let n: i32 = self.try_get(i)?;
        Ok(n as u32)
    }

    /// JSON (jsonb); NULL: the kind's default.
    fn json<T: serde::de::DeserializeOwned + Default>(&self, i: usize) -> sqlx::Result<T> {
        let value: Option<sqlx::types::Json<T>> = self.try_get(i)?;
        Ok(value.map(|v| v.0).unwrap_or_default())
    }
}

const AGREED_COLS: &str =
    "seq, 0::bigint, item, action, points, reason, evidence, base_seq, by_user, at_ms";

fn rows<T>(rows: Vec<PgRow>, f: fn(&PgRow) -> sqlx::Result<T>) -> Result<Vec<T>> {
    Ok(rows.iter().map(f).collect::<sqlx::Result<_>>()?)
}

fn row<T>(row: Option<PgRow>, f: fn(&PgRow) -> sqlx::Result<T>) -> Result<Option<T>> {
    Ok(row.as_ref().map(f).transpose()?)
}

/// The assignment `id`, locked until the transaction ends, when it is
/// `by`'s: nobody changes another reviewer's review.
async fn own_assignment(c: &mut PgConnection, id: AssignmentId, by: UserId) -> Result<Assignment> {
    let found = sqlx::query(&format!(
        "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(&mut *c)
    .await?;
    rules::own_assignment(id, row(found, rules::assignment)?, by)
}

/// The assignments of a dossier's review in a round, locked until the
/// transaction ends (in id order): what orders the agreed review.
async fn review_locked(
    c: &mut PgConnection,
    round: RoundId,
    dossier: DossierId,
) -> Result<Vec<Assignment>> {
    let sql = format!(
        "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE round_id = $1 AND dossier_id = $2 ORDER BY id FOR UPDATE"
    );
    let all = of_review(c, &sql, round, dossier, rules::assignment).await?;
    rules::review_found(round, dossier, all)
}

/// The rows `sql` selects of a review (`$1` its round, `$2` its dossier),
/// decoded by `f`.
async fn of_review<T>(
    c: &mut PgConnection,
    sql: &str,
    round: RoundId,
    dossier: DossierId,
    f: fn(&PgRow) -> sqlx::Result<T>,
) -> Result<Vec<T>> {
    let found = sqlx::query(sql)
        .bind(round)
        .bind(dossier)
        .fetch_all(&mut *c)
        .await?;
    rows(found, f)
}

/// The review's assignments (locked), when `by` is one of its reviewers
/// and all of them have submitted.
async fn submitted_review(
    c: &mut PgConnection,
    round: RoundId,
    dossier: DossierId,
    by: UserId,
) -> Result<Vec<Assignment>> {
    rules::submitted_review(review_locked(c, round, dossier).await?, by)
}

async fn closed(c: &mut PgConnection, round: RoundId, dossier: DossierId) -> Result<bool> {
    Ok(
        sqlx::query("SELECT 1 FROM finals WHERE round_id = $1 AND dossier_id = $2")
            .bind(round)
            .bind(dossier)
            .fetch_optional(&mut *c)
            .await?
            .is_some(),
    )
}

async fn agreed_in(
    c: &mut PgConnection,
    round: RoundId,
    dossier: DossierId,
) -> Result<Vec<Decision>> {
    let sql = format!(
        "SELECT {AGREED_COLS} FROM agreed_decisions WHERE round_id = $1 AND dossier_id = $2 ORDER BY seq"
    );
    of_review(c, &sql, round, dossier, rules::decision).await
}

async fn decisions_in(c: &mut PgConnection, assignment: AssignmentId) -> Result<Vec<Decision>> {
    let found = sqlx::query(&format!(
        "SELECT {DECISION_COLS} FROM decisions WHERE assignment_id = $1 ORDER BY seq"
    ))
    .bind(assignment)
    .fetch_all(&mut *c)
    .await?;
    rows(found, rules::decision)
}

async fn signatures_in(
    c: &mut PgConnection,
    round: RoundId,
    dossier: DossierId,
) -> Result<Vec<Signature>> {
    let sql = format!(
        "SELECT {} FROM signatures WHERE round_id = $1 AND dossier_id = $2 ORDER BY id",
        rules::SIGNATURE_COLS
    );
    of_review(c, &sql, round, dossier, rules::signature).await
}

async fn role_of(c: &mut PgConnection, user: UserId) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(&mut *c)
        .await?)
}

fn scan_job_row(r: &PgRow) -> sqlx::Result<ScanJob> {
    Ok(ScanJob {
        id: r.try_get(0)?,
        source: r.try_get(1)?,
        folder_unit: r.try_get(2)?,
        state: r.try_get(3)?,
        attempts: r.try_get(4)?,
        worker: r.try_get(5)?,
        enqueued_ms: r.try_get(6)?,
        updated_ms: r.try_get(7)?,
        dossier_id: r.try_get(8)?,
        error: r.try_get(9)?,
    })
}

impl Store for PgStore {
    fn add_user(&self, name: &str, role: Role, password_hash: &str) -> Result<UserId> {
        let name = rules::user_name(name)?;
        self.run(async {
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO users (name, role, password_hash, created_ms) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (name) DO NOTHING RETURNING id",
            )
            .bind(name)
            .bind(role.as_str())
            .bind(password_hash)
            .bind(now_ms())
            .fetch_optional(&self.pool)
            .await?;
            id.ok_or_else(|| rules::user_exists(name))
        })
    }

    fn user(&self, id: UserId) -> Result<Option<User>> {
        self.one_by(
            &format!("SELECT {USER_COLS} FROM users WHERE id = $1"),
            id,
            rules::user,
        )
    }

    fn user_by_name(&self, name: &str) -> Result<Option<User>> {
        self.run(async {
            let r = sqlx::query(&format!("SELECT {USER_COLS} FROM users WHERE name = $1"))
                .bind(name.trim())
                .fetch_optional(&self.pool)
                .await?;
            row(r, rules::user)
        })
    }

    fn users(&self) -> Result<Vec<User>> {
        // Byte order, as SQLite sorts text.
        self.all(
            &format!("SELECT {USER_COLS} FROM users ORDER BY name COLLATE \"C\""),
            rules::user,
        )
    }

    fn start_session(&self, token_hash: &str, user: UserId, expires_ms: Millis) -> Result<()> {
        self.run(async {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, created_ms, expires_ms) VALUES ($1, $2, $3, $4)",
            )
            .bind(token_hash)
            .bind(user)
            .bind(now_ms())
            .bind(expires_ms)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }

    fn session_user(&self, token_hash: &str, now_ms: Millis) -> Result<Option<User>> {
        self.run(async {
            let r = sqlx::query(
                "SELECT u.id, u.name, u.role, u.password_hash, u.unit FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = $1 AND s.ended_ms IS NULL AND s.expires_ms > $2",
            )
            .bind(token_hash)
            .bind(now_ms)
            .fetch_optional(&self.pool)
            .await?;
            row(r, rules::user)
        })
    }

    fn end_session(&self, token_hash: &str) -> Result<()> {
        self.run(async {
            sqlx::query(
                "UPDATE sessions SET ended_ms = $2 WHERE token_hash = $1 AND ended_ms IS NULL",
            )
            .bind(token_hash)
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }

    fn set_unit_of(&self, user: UserId, unit: &str) -> Result<()> {
        let unit = rules::unit_name(unit)?;
        self.write(async |tx| {
            let role: Option<String> =
                sqlx::query_scalar("SELECT role FROM users WHERE id = $1 FOR UPDATE")
                    .bind(user)
                    .fetch_optional(&mut *tx)
                    .await?;
            rules::may_head(user, role.as_deref())?;
            sqlx::query("UPDATE users SET unit = $2 WHERE id = $1")
                .bind(user)
                .bind(unit)
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    }

    fn import(&self, dossier: &NewDossier) -> Result<Imported> {
        self.write(async |tx| import_in(tx, dossier).await)
    }

    fn dossiers(&self) -> Result<Vec<DossierRow>> {
        self.all(
            &format!("SELECT {DOSSIER_COLS} FROM dossiers ORDER BY scan_id COLLATE \"C\", id"),
            rules::dossier,
        )
    }

    fn dossier(&self, id: DossierId) -> Result<Option<DossierRow>> {
        self.one_by(
            &format!("SELECT {DOSSIER_COLS} FROM dossiers WHERE id = $1"),
            id,
            rules::dossier,
        )
    }

    fn review(&self, id: DossierId) -> Result<Review> {
        rules::stored_review(id, &self.review_text(id)?)
    }

    fn review_text(&self, id: DossierId) -> Result<String> {
        self.run(async {
            let text: Option<String> =
                sqlx::query_scalar("SELECT review_json FROM dossiers WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
            text.ok_or_else(|| StoreError::NotFound(format!("dossier {id}")))
        })
    }

    fn page_text(&self, id: DossierId, page: u32) -> Result<Option<String>> {
        let Ok(page) = i32::try_from(page) else {
            return Ok(None);
        };
        self.run(async {
            Ok(
                sqlx::query_scalar("SELECT text FROM pages WHERE dossier_id = $1 AND page = $2")
                    .bind(id)
                    .bind(page)
                    .fetch_optional(&self.pool)
                    .await?,
            )
        })
    }

    fn page_view(&self, id: DossierId, page: u32) -> Result<Option<Vec<u8>>> {
        let Ok(page) = i32::try_from(page) else {
            return Ok(None);
        };
        self.run(async {
            Ok(sqlx::query_scalar(
                "SELECT jpeg FROM page_views WHERE dossier_id = $1 AND page = $2",
            )
            .bind(id)
            .bind(page)
            .fetch_optional(&self.pool)
            .await?)
        })
    }

    fn scan_jobs(&self) -> Result<Vec<ScanJob>> {
        self.all(
            "SELECT id, source, folder_unit, state, attempts, worker, enqueued_ms, updated_ms, dossier_id, error
             FROM scan_jobs ORDER BY enqueued_ms DESC, id DESC",
            scan_job_row,
        )
    }

    fn requeue_scan_job(&self, job: i64, by: UserId) -> Result<bool> {
        self.write(async |c| {
            let dead: Option<i64> =
                sqlx::query_scalar("SELECT id FROM scan_jobs WHERE id = $1 AND state = 'dead' FOR UPDATE")
                    .bind(job)
                    .fetch_optional(&mut *c)
                    .await?;
            if dead.is_none() {
                return Ok(false);
            }
            // The job's message as the workers read it (`anjuan_worker::queue::JobMessage`:
            // the worker's tests take and commit a job requeued here).
            sqlx::query(
                "SELECT pgmq.send($2, jsonb_build_object('job', id, 'source', source, 'folder_unit', folder_unit))
                 FROM scan_jobs WHERE id = $1",
            )
            .bind(job)
            .bind(SCAN_QUEUE)
            .execute(&mut *c)
            .await?;
            let now = now_ms();
            sqlx::query(&format!(
                "UPDATE pgmq.q_{SCAN_DEAD}
                 SET message = message || jsonb_build_object('requeued_by', (SELECT name FROM users WHERE id = $2), 'requeued_ms', $3::bigint)
                 WHERE (message->>'job')::bigint = $1"
            ))
            .bind(job)
            .bind(by)
            .bind(now)
            .execute(&mut *c)
            .await?;
            sqlx::query(&format!(
                "SELECT pgmq.archive($2, msg_id) FROM pgmq.q_{SCAN_DEAD} WHERE (message->>'job')::bigint = $1"
            ))
            .bind(job)
            .bind(SCAN_DEAD)
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "UPDATE scan_jobs SET state = 'queued', attempts = 0, worker = NULL, error = NULL, updated_ms = $2
                 WHERE id = $1",
            )
            .bind(job)
            .bind(now)
            .execute(&mut *c)
            .await?;
            Ok(true)
        })
    }

    fn create_round(&self, round: &NewRound) -> Result<RoundId> {
        rules::valid_round(round)?;
        self.run(async {
            Ok(sqlx::query_scalar(
                "INSERT INTO rounds (name, period_start, period_end, units, created_by, created_ms, place)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(round.name.trim())
            .bind(&round.period_start)
            .bind(&round.period_end)
            .bind(sqlx::types::Json(&round.units))
            .bind(round.created_by)
            .bind(now_ms())
            .bind(round.place.trim())
            .fetch_one(&self.pool)
            .await?)
        })
    }

    fn rounds(&self) -> Result<Vec<Round>> {
        self.all(
            &format!("SELECT {ROUND_COLS} FROM rounds ORDER BY created_ms DESC, id DESC"),
            rules::round,
        )
    }

    fn round(&self, id: RoundId) -> Result<Option<Round>> {
        self.one_by(
            &format!("SELECT {ROUND_COLS} FROM rounds WHERE id = $1"),
            id,
            rules::round,
        )
    }

    fn assign(
        &self,
        round: RoundId,
        dossier: DossierId,
        reviewers: &[UserId],
    ) -> Result<Vec<AssignmentId>> {
        rules::distinct_reviewers(reviewers)?;
        self.write(async |tx| {
            let closed: Option<Option<Millis>> =
                sqlx::query_scalar("SELECT closed_ms FROM rounds WHERE id = $1 FOR SHARE")
                    .bind(round)
                    .fetch_optional(&mut *tx)
                    .await?;
            rules::round_open(round, closed)?;
            let mut ids = Vec::new();
            for &r in reviewers {
                rules::is_reviewer(r, role_of(&mut *tx, r).await?.as_deref())?;
                sqlx::query(
                    "INSERT INTO assignments (round_id, dossier_id, reviewer_id) VALUES ($1, $2, $3)
                     ON CONFLICT (round_id, dossier_id, reviewer_id) DO NOTHING",
                )
                .bind(round)
                .bind(dossier)
                .bind(r)
                .execute(&mut *tx)
                .await?;
                ids.push(
                    sqlx::query_scalar(
                        "SELECT id FROM assignments WHERE round_id = $1 AND dossier_id = $2 AND reviewer_id = $3",
                    )
                    .bind(round)
                    .bind(dossier)
                    .bind(r)
                    .fetch_one(&mut *tx)
                    .await?,
                );
            }
            Ok(ids)
        })
    }

    fn assignment(&self, id: AssignmentId) -> Result<Option<Assignment>> {
        self.one_by(
            &format!("SELECT {ASSIGNMENT_COLS} FROM assignments WHERE id = $1"),
            id,
            rules::assignment,
        )
    }

    fn assignments_of_reviewer(&self, reviewer: UserId) -> Result<Vec<Assignment>> {
        let sql = format!(
            "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE reviewer_id = $1 ORDER BY round_id, dossier_id"
        );
        self.all_by(&sql, reviewer, rules::assignment)
    }

    fn assignments_of_dossier(
        &self,
        round: RoundId,
        dossier: DossierId,
    ) -> Result<Vec<Assignment>> {
        let sql = format!(
            "SELECT {ASSIGNMENT_COLS} FROM assignments WHERE round_id = $1 AND dossier_id = $2 ORDER BY id"
        );
        self.run(async {
            let mut c = self.pool.acquire().await?;
            of_review(&mut c, &sql, round, dossier, rules::assignment).await
        })
    }

    fn decide(&self, d: &NewDecision) -> Result<Seq> {
        let item = rules::valid_decision(&d.item, d.action, d.points, &d.reason)?;
        let marks = (!d.marks.is_empty()).then_some(sqlx::types::Json(&d.marks));
        self.write(async |tx| {
            // The lock on the assignment orders its decisions: the latest
            // read below is the latest there is until this commits.
            let a = own_assignment(&mut *tx, d.assignment, d.by).await?;
            rules::not_submitted(&a)?;
            let latest: Seq = sqlx::query_scalar(
                "SELECT COALESCE(MAX(seq), 0) FROM decisions WHERE assignment_id = $1 AND item = $2",
            )
            .bind(d.assignment)
            .bind(item)
            .fetch_one(&mut *tx)
            .await?;
            rules::not_stale(item, d.base_seq, latest)?;
            let seq: Seq = sqlx::query_scalar(
                "INSERT INTO decisions (assignment_id, item, action, points, reason, evidence, base_seq, by_user, at_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq",
            )
            .bind(d.assignment)
            .bind(item)
            .bind(d.action.as_str())
            .bind(d.points)
            .bind(d.reason.trim())
            .bind(marks)
            .bind(d.base_seq)
            .bind(d.by)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await?;
            Ok(seq)
        })
    }

    fn decisions(&self, assignment: AssignmentId) -> Result<Vec<Decision>> {
        self.run(async { decisions_in(&mut *self.pool.acquire().await?, assignment).await })
    }

    fn submit(&self, assignment: AssignmentId, by: UserId) -> Result<Millis> {
        self.write(async |tx| {
            let a = own_assignment(&mut *tx, assignment, by).await?;
            if let Some(at) = a.submitted_ms {
                return Ok(at);
            }
            let at = now_ms();
            sqlx::query("UPDATE assignments SET submitted_ms = $2 WHERE id = $1")
                .bind(assignment)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            Ok(at)
        })
    }

    fn agree(&self, d: &NewAgreed) -> Result<Seq> {
        let item = rules::valid_decision(&d.item, d.action, d.points, &d.reason)?;
        self.write(async |tx| {
            submitted_review(&mut *tx, d.round, d.dossier, d.by).await?;
            rules::agreement_open(closed(&mut *tx, d.round, d.dossier).await?)?;
            let latest: Seq = sqlx::query_scalar(
                "SELECT COALESCE(MAX(seq), 0) FROM agreed_decisions WHERE round_id = $1 AND dossier_id = $2 AND item = $3",
            )
            .bind(d.round)
            .bind(d.dossier)
            .bind(item)
            .fetch_one(&mut *tx)
            .await?;
            rules::not_stale(item, d.base_seq, latest)?;
            let seq: Seq = sqlx::query_scalar(
                "INSERT INTO agreed_decisions (round_id, dossier_id, item, action, points, reason, base_seq, by_user, at_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq",
            )
            .bind(d.round)
            .bind(d.dossier)
            .bind(item)
            .bind(d.action.as_str())
            .bind(d.points)
            .bind(d.reason.trim())
            .bind(d.base_seq)
            .bind(d.by)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await?;
            Ok(seq)
        })
    }

    fn agreed_decisions(&self, round: RoundId, dossier: DossierId) -> Result<Vec<Decision>> {
        self.run(async { agreed_in(&mut *self.pool.acquire().await?, round, dossier).await })
    }

    fn sign(&self, round: RoundId, dossier: DossierId, by: UserId) -> Result<Millis> {
        self.write(async |tx| {
            let assignments = submitted_review(&mut *tx, round, dossier, by).await?;
            rules::not_final(closed(&mut *tx, round, dossier).await?)?;
            let mut reviews = Vec::new();
            for a in &assignments {
                reviews.push(decisions_in(&mut *tx, a.id).await?);
            }
            let agreed = agreed_in(&mut *tx, round, dossier).await?;
            let seq = rules::signable(&reviews, &agreed)?;
            let at = now_ms();
            sqlx::query(
                "INSERT INTO signatures (round_id, dossier_id, user_id, agreed_seq, signed_ms) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(round)
            .bind(dossier)
            .bind(by)
            .bind(seq)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            Ok(at)
        })
    }

    fn signatures(&self, round: RoundId, dossier: DossierId) -> Result<Vec<Signature>> {
        self.run(async { signatures_in(&mut *self.pool.acquire().await?, round, dossier).await })
    }

    fn close_review(&self, round: RoundId, dossier: DossierId, by: UserId) -> Result<Millis> {
        self.write(async |tx| {
            rules::may_close(role_of(&mut *tx, by).await?.as_deref())?;
            rules::not_final(closed(&mut *tx, round, dossier).await?)?;
            let assignments = review_locked(&mut *tx, round, dossier).await?;
            // Closed by another while this waited for the lock?
            rules::not_final(closed(&mut *tx, round, dossier).await?)?;
            let agreed = agreed_in(&mut *tx, round, dossier).await?;
            let signatures = signatures_in(&mut *tx, round, dossier).await?;
            rules::all_signed(&assignments, &agreed, &signatures)?;
            let at = now_ms();
            sqlx::query(
                "INSERT INTO finals (round_id, dossier_id, closed_by, closed_ms) VALUES ($1, $2, $3, $4)",
            )
            .bind(round)
            .bind(dossier)
            .bind(by)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            Ok(at)
        })
    }

    fn final_review(&self, round: RoundId, dossier: DossierId) -> Result<Option<Final>> {
        self.run(async {
            let r = sqlx::query(&format!(
                "SELECT {} FROM finals WHERE round_id = $1 AND dossier_id = $2",
                rules::FINAL_COLS
            ))
            .bind(round)
            .bind(dossier)
            .fetch_optional(&self.pool)
            .await?;
            row(r, |r| rules::final_at(r, 0))
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
        self.write(async |tx| {
            let done: Option<Option<Millis>> = sqlx::query_scalar(
                "SELECT ack_ms FROM finals WHERE round_id = $1 AND dossier_id = $2 FOR UPDATE",
            )
            .bind(round)
            .bind(dossier)
            .fetch_optional(&mut *tx)
            .await?;
            rules::acknowledgeable(done)?;
            sqlx::query(
                "UPDATE finals SET head_name = $3, head_date = $4, ack_by = $5, ack_ms = $6 WHERE round_id = $1 AND dossier_id = $2",
            )
            .bind(round)
            .bind(dossier)
            .bind(name)
            .bind(date)
            .bind(by)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
            Ok(())
        })
    }

    fn finals(&self) -> Result<Vec<FinalRow>> {
        self.all(
            &format!(
                "SELECT {} FROM finals ORDER BY round_id, dossier_id",
                rules::FINAL_ROW_COLS
            ),
            rules::final_row,
        )
    }

    fn rename_unit(&self, name: &str, becomes: &str, by: UserId) -> Result<Seq> {
        let (name, becomes) = rules::valid_renaming(name, becomes)?;
        self.run(async {
            Ok(sqlx::query_scalar(
                "INSERT INTO unit_names (name, becomes, by_user, at_ms) VALUES ($1, $2, $3, $4) RETURNING seq",
            )
            .bind(name)
            .bind(becomes)
            .bind(by)
            .bind(now_ms())
            .fetch_one(&self.pool)
            .await?)
        })
    }

    fn unit_names(&self) -> Result<Vec<UnitName>> {
        self.all(
            &format!(
                "SELECT {} FROM unit_names ORDER BY seq",
                rules::UNIT_NAME_COLS
            ),
            rules::unit_name_row,
        )
    }

    fn rectify(&self, r: &NewRectification) -> Result<Seq> {
        let (item, deadline) = rules::valid_rectification(r)?;
        self.write(async |tx| {
            // A final review stays final (finals are never deleted).
            rules::rectifiable(closed(&mut *tx, r.round, r.dossier).await?)?;
            let seq: Seq = sqlx::query_scalar(
                "INSERT INTO rectifications (round_id, dossier_id, item, measure, deadline, status, by_user, at_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING seq",
            )
            .bind(r.round)
            .bind(r.dossier)
            .bind(item)
            .bind(r.measure.trim())
            .bind(deadline)
            .bind(r.status.as_str())
            .bind(r.by)
            .bind(now_ms())
            .fetch_one(&mut *tx)
            .await?;
            Ok(seq)
        })
    }

    fn rectifications(&self) -> Result<Vec<Rectification>> {
        self.all(
            &format!(
                "SELECT {} FROM rectifications ORDER BY seq",
                rules::RECTIFICATION_COLS
            ),
            rules::rectification,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn a_url_is_named_without_its_password() {
        assert_eq!(
            redacted("postgres://anjuan:s3cret@db.example:5432/anjuan?sslmode=require&password=x"),
            "postgres://anjuan@db.example:5432/anjuan?sslmode=require"
        );
        assert_eq!(
            redacted("postgres://anjuan@127.0.0.1/t1"),
            "postgres://anjuan@127.0.0.1/t1"
        );
        assert_eq!(redacted("postgres://h/db?password=x"), "postgres://h/db");
    }
}
