//! anjuan-store: the reviewers' database behind one trait, [`Store`].
//!
//! What it holds: accounts and server-side sessions, the imported scans
//! (each dossier once, by the sha256 of its input, its `review.json` kept as
//! written), review rounds (评查活动) with each dossier assigned to two
//! reviewers, and the reviewers' decisions as an append-only log from which
//! the current state of every item is derived.
//!
//! - [`import`]: a scan's output folder into the store.
//! - [`sqlite`]: the embedded implementation (one file in the data folder,
//!   WAL, `synchronous=FULL`, foreign keys, busy timeout, versioned
//!   migrations in `migrations/`).
//! - [`postgres`]: the same store on a PostgreSQL server, for several
//!   servers and scan workers sharing one database (migrations in
//!   `migrations/postgres/`).
//! - [`open_store`]: the one a command asks for (`--database URL`, else the
//!   data folder's SQLite file).
//!
//! The trait is synchronous; a server calls it from blocking threads. Every
//! method is safe to call from many threads at once.

pub mod import;
pub mod pgcluster;
pub mod postgres;
mod rules;
pub mod sqlite;

use anjuan_core::contract::Review;
use serde::{Deserialize, Serialize};

pub use import::{import_run, read_dossier, ImportOutcome};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

pub type UserId = i64;
pub type DossierId = i64;
pub type RoundId = i64;
pub type AssignmentId = i64;
/// A decision's place in the log: increasing, never reused.
pub type Seq = i64;
/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The decision was made on a view older than the item's last decision.
    #[error(
        "{item}: changed since you opened it (your view showed decision {seen}, the latest is {latest}); reload to see the change"
    )]
    Stale {
        item: String,
        seen: Seq,
        latest: Seq,
    },
    #[error("{0}: not found")]
    NotFound(String),
    /// A rule of the review process forbids the change.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Invalid(String),
    #[error("database: {0}")]
    Db(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Reviewer,
    Supervisor,
    /// A unit's head (负责人): sees the supervisors' reports and edits the
    /// rectification list of the unit they head.
    Head,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reviewer => "reviewer",
            Role::Supervisor => "supervisor",
            Role::Head => "head",
        }
    }

    /// Whether the role oversees reviews: makes rounds, closes reviews,
    /// sees every dossier and every unit (supervisors and admins).
    pub fn supervises(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin)
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Admin, Role::Reviewer, Role::Supervisor, Role::Head]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    /// The unit a head heads (none for other roles).
    pub unit: Option<String>,
}

/// A scanned dossier to import: its review and its pages' text, as the scan
/// wrote them.
#[derive(Debug, Clone)]
pub struct NewDossier {
    /// `review.json` as written by the scan (kept byte for byte).
    pub review_json: String,
    /// `pages/NNNN.txt`, page 1 first.
    pub page_texts: Vec<String>,
    /// `pages/NNNN.jpg` (the upright page the OCR read), page 1 first; none
    /// for a page without one (a text-layer page).
    pub page_views: Vec<Option<Vec<u8>>>,
    /// The unit folder the dossier was scanned from (`ARCHIVE/<unit>/…`),
    /// when the archive is laid out by unit.
    pub folder_unit: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    New(DossierId),
    /// The same input (sha256) was imported before; nothing changed.
    Existing(DossierId),
}

impl Imported {
    pub fn id(self) -> DossierId {
        match self {
            Imported::New(id) | Imported::Existing(id) => id,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DossierRow {
    pub id: DossierId,
    pub sha256: String,
    pub scan_id: String,
    pub source: String,
    pub case_kind: String,
    pub agency: Option<String>,
    pub case_number: Option<String>,
    pub page_count: u32,
    pub imported_ms: Millis,
    /// The unit folder it was scanned from, when the archive is laid out by
    /// unit.
    pub folder_unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewRound {
    pub name: String,
    /// ISO dates.
    pub period_start: String,
    pub period_end: String,
    pub units: Vec<String>,
    pub created_by: UserId,
    /// 评查地点.
    pub place: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    pub id: RoundId,
    pub name: String,
    pub period_start: String,
    pub period_end: String,
    pub units: Vec<String>,
    pub created_by: UserId,
    pub created_ms: Millis,
    pub closed_ms: Option<Millis>,
    /// 评查地点.
    pub place: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    pub id: AssignmentId,
    pub round_id: RoundId,
    pub dossier_id: DossierId,
    pub reviewer_id: UserId,
    pub submitted_ms: Option<Millis>,
}

/// What a reviewer decided about one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// The machine's suggestion holds, at its points.
    Confirm,
    /// The suggestion does not hold (reason required).
    Reject,
    /// The deduction holds at other points (within the item's points).
    Adjust,
    /// A deduction the machine did not suggest.
    Add,
    /// An earlier decision on the item taken back.
    Withdraw,
    /// A remark that changes nothing.
    Comment,
    /// A basic standard met.
    Pass,
    /// A basic standard not met (reason required).
    Fail,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::Confirm,
        Action::Reject,
        Action::Adjust,
        Action::Add,
        Action::Withdraw,
        Action::Comment,
        Action::Pass,
        Action::Fail,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Confirm => "confirm",
            Action::Reject => "reject",
            Action::Adjust => "adjust",
            Action::Add => "add",
            Action::Withdraw => "withdraw",
            Action::Comment => "comment",
            Action::Pass => "pass",
            Action::Fail => "fail",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Whether the decision needs a reason.
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            Action::Reject | Action::Adjust | Action::Add | Action::Fail
        )
    }

    /// Whether the decision carries points.
    pub fn has_points(self) -> bool {
        matches!(self, Action::Adjust | Action::Add)
    }
}

/// A box a reviewer drew on a page for a deduction they added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    pub page: u32,
    pub bbox: [u32; 4],
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewDecision {
    pub assignment: AssignmentId,
    /// The rubric item (`P-2.2.7`) the decision is about.
    pub item: String,
    pub action: Action,
    pub points: Option<f64>,
    pub reason: String,
    pub marks: Vec<Mark>,
    /// The item's last decision the reviewer's view showed (0: none).
    pub base_seq: Seq,
    pub by: UserId,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub seq: Seq,
    pub assignment: AssignmentId,
    pub item: String,
    pub action: Action,
    pub points: Option<f64>,
    pub reason: String,
    pub marks: Vec<Mark>,
    pub base_seq: Seq,
    pub by: UserId,
    pub at_ms: Millis,
}

/// `Decision::assignment` of the agreed review's decisions: the agreed
/// review of a dossier belongs to its round, not to one reviewer.
pub const AGREED: AssignmentId = 0;

/// A decision of the agreed review, on an item where the reviewers differ.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAgreed {
    pub round: RoundId,
    pub dossier: DossierId,
    pub item: String,
    pub action: Action,
    pub points: Option<f64>,
    pub reason: String,
    /// The item's last agreed decision the view showed (0: none).
    pub base_seq: Seq,
    pub by: UserId,
}

/// A reviewer's signature under the agreed review as it stood after the
/// agreed decision `agreed_seq` (0: none was needed).
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    pub user: UserId,
    pub agreed_seq: Seq,
    pub signed_ms: Millis,
}

/// A closed review: final.
#[derive(Debug, Clone, PartialEq)]
pub struct Final {
    pub closed_by: UserId,
    pub closed_ms: Millis,
    /// 第十条: the reviewed unit's head acknowledged it (name, ISO date).
    pub head_name: Option<String>,
    pub head_date: Option<String>,
    pub ack_by: Option<UserId>,
    pub ack_ms: Option<Millis>,
}

/// A closed review, by round and dossier.
#[derive(Debug, Clone, PartialEq)]
pub struct FinalRow {
    pub round: RoundId,
    pub dossier: DossierId,
    pub fin: Final,
}

/// A unit's name read as another from `seq` on (renamed or merged).
#[derive(Debug, Clone, PartialEq)]
pub struct UnitName {
    pub seq: Seq,
    pub name: String,
    pub becomes: String,
    pub by: UserId,
    pub at_ms: Millis,
}

/// Where the rectification of a problem stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RectStatus {
    /// 待整改.
    Open,
    /// 整改中.
    InProgress,
    /// 已整改.
    Done,
}

impl RectStatus {
    pub const ALL: [RectStatus; 3] = [RectStatus::Open, RectStatus::InProgress, RectStatus::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            RectStatus::Open => "open",
            RectStatus::InProgress => "in_progress",
            RectStatus::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<RectStatus> {
        RectStatus::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            RectStatus::Open => "待整改",
            RectStatus::InProgress => "整改中",
            RectStatus::Done => "已整改",
        }
    }
}

/// An edit of a problem's rectification (第十一条).
#[derive(Debug, Clone, PartialEq)]
pub struct NewRectification {
    pub round: RoundId,
    pub dossier: DossierId,
    /// The rubric item of the confirmed problem.
    pub item: String,
    /// 整改措施.
    pub measure: String,
    /// ISO date.
    pub deadline: Option<String>,
    pub status: RectStatus,
    pub by: UserId,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rectification {
    pub seq: Seq,
    pub round: RoundId,
    pub dossier: DossierId,
    pub item: String,
    pub measure: String,
    pub deadline: Option<String>,
    pub status: RectStatus,
    pub by: UserId,
    pub at_ms: Millis,
}

/// A job of the scan queue (PostgreSQL only): an input enqueued to be
/// scanned by a worker, and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanJob {
    pub id: i64,
    /// The input as enqueued (a path or an object key).
    pub source: String,
    /// The unit folder, when the archive is laid out by unit.
    pub folder_unit: Option<String>,
    /// queued, running, retrying, done or dead.
    pub state: String,
    pub attempts: i32,
    /// The worker that holds or last held it.
    pub worker: Option<String>,
    pub enqueued_ms: Millis,
    pub updated_ms: Millis,
    /// The dossier it became, once a worker committed it.
    pub dossier_id: Option<DossierId>,
    /// The last failure, in words.
    pub error: Option<String>,
}

/// The reviewers' database.
pub trait Store: Send + Sync {
    // Accounts and sessions.
    fn add_user(&self, name: &str, role: Role, password_hash: &str) -> Result<UserId>;
    fn user(&self, id: UserId) -> Result<Option<User>>;
    fn user_by_name(&self, name: &str) -> Result<Option<User>>;
    fn users(&self) -> Result<Vec<User>>;
    /// Records a session by the hash of its token, valid until `expires_ms`.
    fn start_session(&self, token_hash: &str, user: UserId, expires_ms: Millis) -> Result<()>;
    /// The user of a session that has neither ended nor expired at `now_ms`.
    fn session_user(&self, token_hash: &str, now_ms: Millis) -> Result<Option<User>>;
    fn end_session(&self, token_hash: &str) -> Result<()>;
    /// Makes a head the head of `unit` (a head heads one unit).
    fn set_unit_of(&self, user: UserId, unit: &str) -> Result<()>;

    // Scans.
    /// Imports a scanned dossier, once per input sha256.
    fn import(&self, dossier: &NewDossier) -> Result<Imported>;
    fn dossiers(&self) -> Result<Vec<DossierRow>>;
    fn dossier(&self, id: DossierId) -> Result<Option<DossierRow>>;
    /// The dossier's `review.json`, as imported.
    fn review(&self, id: DossierId) -> Result<Review>;
    /// The dossier's `review.json` as text, byte for byte as imported.
    fn review_text(&self, id: DossierId) -> Result<String>;
    fn page_text(&self, id: DossierId, page: u32) -> Result<Option<String>>;
    /// The page's view (JPEG), when the scan made one.
    fn page_view(&self, id: DossierId, page: u32) -> Result<Option<Vec<u8>>>;
    /// The scan queue's jobs, newest first (empty where there is no queue).
    fn scan_jobs(&self) -> Result<Vec<ScanJob>>;
    /// Puts a dead scan job back on the queue, once whoever looked into it
    /// has fixed the cause (the file replaced, the share mounted again): a
    /// new message, its attempts counted anew; the dead letter is archived
    /// (kept, with its reason, and who requeued it when). `false`, and
    /// nothing changed, when the job is not dead (already requeued by
    /// someone else, or never dead).
    fn requeue_scan_job(&self, job: i64, by: UserId) -> Result<bool>;

    // Rounds.
    fn create_round(&self, round: &NewRound) -> Result<RoundId>;
    fn rounds(&self) -> Result<Vec<Round>>;
    fn round(&self, id: RoundId) -> Result<Option<Round>>;
    /// Gives a dossier of a round to reviewers (two or more, distinct, each
    /// a reviewer); giving it to the same reviewers again changes nothing.
    fn assign(
        &self,
        round: RoundId,
        dossier: DossierId,
        reviewers: &[UserId],
    ) -> Result<Vec<AssignmentId>>;
    fn assignment(&self, id: AssignmentId) -> Result<Option<Assignment>>;
    fn assignments_of_reviewer(&self, reviewer: UserId) -> Result<Vec<Assignment>>;
    fn assignments_of_dossier(&self, round: RoundId, dossier: DossierId)
        -> Result<Vec<Assignment>>;

    // Decisions.
    /// Appends a decision, refusing one made on a stale view of its item,
    /// one by anyone but the assignment's reviewer, and any after the
    /// assignment was submitted. Returns once the decision is durable.
    fn decide(&self, decision: &NewDecision) -> Result<Seq>;
    /// An assignment's decisions, in order.
    fn decisions(&self, assignment: AssignmentId) -> Result<Vec<Decision>>;
    /// The reviewer hands in their review; no decision follows.
    fn submit(&self, assignment: AssignmentId, by: UserId) -> Result<Millis>;

    // The agreed review.
    /// Appends an agreed decision: by one of the dossier's reviewers, once
    /// all of them submitted, before the review is closed, not on a stale
    /// view of the item.
    fn agree(&self, decision: &NewAgreed) -> Result<Seq>;
    /// The agreed decisions of a dossier's review in a round, in order
    /// (`assignment` is [`AGREED`]).
    fn agreed_decisions(&self, round: RoundId, dossier: DossierId) -> Result<Vec<Decision>>;
    /// A reviewer signs the agreed review as it stands; refused while an
    /// item is unresolved.
    fn sign(&self, round: RoundId, dossier: DossierId, by: UserId) -> Result<Millis>;
    fn signatures(&self, round: RoundId, dossier: DossierId) -> Result<Vec<Signature>>;
    /// A supervisor (or admin) closes a review every reviewer signed as it
    /// stands: it is final and changes no more.
    fn close_review(&self, round: RoundId, dossier: DossierId, by: UserId) -> Result<Millis>;
    fn final_review(&self, round: RoundId, dossier: DossierId) -> Result<Option<Final>>;
    /// Records the unit head's acknowledgement of a final review, once.
    fn acknowledge(
        &self,
        round: RoundId,
        dossier: DossierId,
        head_name: &str,
        head_date: &str,
        by: UserId,
    ) -> Result<()>;
    /// Every closed review, by round then dossier.
    fn finals(&self) -> Result<Vec<FinalRow>>;

    // What supervisors add.
    /// From now on the unit `name` reads as `becomes` (a rename, or a merge
    /// into a unit of that name); `becomes == name` undoes it.
    fn rename_unit(&self, name: &str, becomes: &str, by: UserId) -> Result<Seq>;
    /// Every renaming, in order.
    fn unit_names(&self) -> Result<Vec<UnitName>>;
    /// Records an edit of a confirmed problem's rectification; only of a
    /// final review.
    fn rectify(&self, r: &NewRectification) -> Result<Seq>;
    /// Every rectification edit, in order (the last of a problem holds).
    fn rectifications(&self) -> Result<Vec<Rectification>>;
}

/// The store a command uses: the PostgreSQL database `database`
/// (`--database postgres://…`, migrated if need be) when given, else the
/// SQLite file of the data folder `data` (`DIR/anjuan.db`; the folder and
/// the file made if missing).
pub fn open_store(
    data: Option<&std::path::Path>,
    database: Option<&str>,
) -> Result<std::sync::Arc<dyn Store>> {
    match (data, database) {
        (Some(_), Some(_)) => Err(StoreError::Invalid(
            "give a data folder or a database, not both".into(),
        )),
        (_, Some(url)) => Ok(std::sync::Arc::new(PgStore::connect(url)?)),
        (Some(dir), None) => {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Invalid(format!(
                    "{}: cannot create the data folder: {e}",
                    dir.display()
                ))
            })?;
            Ok(std::sync::Arc::new(SqliteStore::open(
                &dir.join(sqlite::DB_FILE),
            )?))
        }
        (None, None) => Err(StoreError::Invalid(
            "no store: give a data folder (--data DIR) or a database (--database URL)".into(),
        )),
    }
}

/// [`open_store`] for readers (`anjuan report`): a data folder must hold
/// a database already (none is made); a PostgreSQL database is opened as
/// by [`open_store`].
pub fn open_existing_store(
    data: Option<&std::path::Path>,
    database: Option<&str>,
) -> Result<std::sync::Arc<dyn Store>> {
    match (data, database) {
        (Some(dir), None) => Ok(std::sync::Arc::new(SqliteStore::open_existing(dir)?)),
        _ => open_store(data, database),
    }
}

/// A scanned dossier's review, when the dossier can be imported: its
/// `review.json` reads, names its input's sha256, and lists as many pages
/// as there are texts (and at least as many as views).
pub(crate) fn importable(dossier: &NewDossier) -> Result<Review> {
    let review: Review = serde_json::from_str(&dossier.review_json)
        .map_err(|e| StoreError::Invalid(format!("review.json: {e}")))?;
    if review.dossier.sha256.trim().is_empty() {
        return Err(StoreError::Invalid(format!(
            "review.json of {}: no sha256 of the input",
            review.dossier.id
        )));
    }
    if dossier.page_views.len() > review.pages.len() {
        return Err(StoreError::Invalid(format!(
            "{}: review.json lists {} pages, {} page views given",
            review.dossier.id,
            review.pages.len(),
            dossier.page_views.len()
        )));
    }
    if dossier.page_texts.len() != review.pages.len() {
        return Err(StoreError::Invalid(format!(
            "{}: review.json lists {} pages, {} page texts given",
            review.dossier.id,
            review.pages.len(),
            dossier.page_texts.len()
        )));
    }
    Ok(review)
}

/// The unit folder of a dossier to import, when named.
pub(crate) fn folder_unit_of(dossier: &NewDossier) -> Option<&str> {
    dossier
        .folder_unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
}

/// The units' names now: each renamed name and what it reads as, chains
/// followed (A→B, B→C: A reads as C), a loop left at its first name.
pub fn unit_map(names: &[UnitName]) -> std::collections::BTreeMap<String, String> {
    let mut last = std::collections::BTreeMap::new();
    for n in names {
        last.insert(n.name.clone(), n.becomes.clone());
    }
    let mut out = std::collections::BTreeMap::new();
    for start in last.keys() {
        let mut at = start.clone();
        let mut seen = std::collections::BTreeSet::new();
        while let Some(next) = last.get(&at) {
            if !seen.insert(at.clone()) || *next == at {
                break;
            }
            at = next.clone();
        }
        if at != *start {
            out.insert(start.clone(), at);
        }
    }
    out
}

/// Whether two decisions agree: the same action at the same points.
fn alike(a: Option<&Decision>, b: Option<&Decision>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.action == b.action && a.points == b.points,
        _ => false,
    }
}

/// The agreed review from the reviewers' logs and the agreed log: each item
/// the reviewers decided alike, else its agreed decision; and the items
/// still unresolved (they differ and nothing was agreed).
pub fn agreed_state(
    reviews: &[Vec<Decision>],
    agreed: &[Decision],
) -> (std::collections::BTreeMap<String, Decision>, Vec<String>) {
    let states: Vec<_> = reviews.iter().map(|d| current_state(d)).collect();
    let agreed_state = current_state(agreed);
    let mut items: std::collections::BTreeSet<&String> =
        states.iter().flat_map(|s| s.keys()).collect();
    items.extend(agreed_state.keys());
    let agreed_items: std::collections::BTreeSet<&str> =
        agreed.iter().map(|d| d.item.as_str()).collect();
    let mut out = std::collections::BTreeMap::new();
    let mut unresolved = Vec::new();
    for item in items {
        if agreed_items.contains(item.as_str()) {
            // Agreed on (a withdrawn agreement leaves the item undecided).
            if let Some(d) = agreed_state.get(item) {
                out.insert(item.clone(), (*d).clone());
            }
            continue;
        }
        let first = states.first().and_then(|s| s.get(item).copied());
        if states.iter().all(|s| alike(s.get(item).copied(), first)) {
            if let Some(d) = first {
                out.insert(item.clone(), d.clone());
            }
        } else {
            unresolved.push(item.clone());
        }
    }
    (out, unresolved)
}

/// The state of each item of an assignment: its last decision that is not
/// a comment, unless withdrawn. Derived from the log, never stored.
pub fn current_state(decisions: &[Decision]) -> std::collections::BTreeMap<String, &Decision> {
    let mut state = std::collections::BTreeMap::new();
    for d in decisions {
        match d.action {
            Action::Comment => {}
            Action::Withdraw => {
                state.remove(&d.item);
            }
            _ => {
                state.insert(d.item.clone(), d);
            }
        }
    }
    state
}

/// The latest decision on each item, comments included: what a view shows
/// and what a new decision's `base_seq` refers to.
pub fn latest_seq(decisions: &[Decision], item: &str) -> Seq {
    decisions
        .iter()
        .filter(|d| d.item == item)
        .map(|d| d.seq)
        .max()
        .unwrap_or(0)
}
