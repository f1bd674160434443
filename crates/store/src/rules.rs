//! What both backends share: the checks of a call's inputs before the
//! database is touched, the rules of the review process (and the words a
//! refusal says), and the decoding of a row into its struct. Each backend
//! keeps its own SQL, locking and transactions, and asks these once it has
//! read what a rule looks at.

use crate::*;
use serde::de::DeserializeOwned;

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
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

// Inputs, checked before the database is touched.

/// A database whose schema (`have`) is newer than the program's (`known`)
/// is refused, not touched.
pub(crate) fn schema_known(have: i64, known: i64) -> Result<()> {
    if have > known {
        return Err(StoreError::Refused(format!(
            "the database is at schema {have}, newer than this program's {known}: use a newer anjuan"
        )));
    }
    Ok(())
}

/// A new account's name, trimmed.
pub(crate) fn user_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("a user needs a name".into()));
    }
    Ok(name)
}

/// The account `name` exists already.
pub(crate) fn user_exists(name: &str) -> StoreError {
    StoreError::Refused(format!("user {name} exists"))
}

/// The unit a head is to head, trimmed.
pub(crate) fn unit_name(unit: &str) -> Result<&str> {
    let unit = unit.trim();
    if unit.is_empty() {
        return Err(StoreError::Invalid("a head heads a named unit".into()));
    }
    Ok(unit)
}

/// A stored `review.json`, read back.
pub(crate) fn stored_review(id: DossierId, json: &str) -> Result<Review> {
    serde_json::from_str(json)
        .map_err(|e| StoreError::Db(format!("dossier {id}: stored review.json: {e}")))
}

/// A new round: named, its period not ending before it starts.
pub(crate) fn valid_round(round: &NewRound) -> Result<()> {
    if round.name.trim().is_empty() {
        return Err(StoreError::Invalid("a round needs a name".into()));
    }
    if round.period_end < round.period_start {
        return Err(StoreError::Invalid(format!(
            "the period ends ({}) before it starts ({})",
            round.period_end, round.period_start
        )));
    }
    Ok(())
}

/// A dossier's reviewers: two or more, each once.
pub(crate) fn distinct_reviewers(reviewers: &[UserId]) -> Result<()> {
    let mut distinct = reviewers.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 2 || distinct.len() != reviewers.len() {
        return Err(StoreError::Invalid(
            "a dossier is reviewed by two or more different reviewers".into(),
        ));
    }
    Ok(())
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

/// The head's name and the date of an acknowledgement, trimmed.
pub(crate) fn valid_acknowledgement<'a>(
    head_name: &'a str,
    head_date: &'a str,
) -> Result<(&'a str, &'a str)> {
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
    Ok((name, date))
}

/// A renaming's two names, trimmed.
pub(crate) fn valid_renaming<'a>(name: &'a str, becomes: &'a str) -> Result<(&'a str, &'a str)> {
    let (name, becomes) = (name.trim(), becomes.trim());
    if name.is_empty() || becomes.is_empty() {
        return Err(StoreError::Invalid(
            "a unit is renamed from a name to a name".into(),
        ));
    }
    Ok((name, becomes))
}

/// A rectification's item and deadline (none when blank), trimmed, when
/// the edit is well formed: an item, a real date, a measure for one done.
pub(crate) fn valid_rectification(r: &NewRectification) -> Result<(&str, Option<&str>)> {
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
    Ok((item, deadline))
}

// The rules of the review process, on what a backend read.

/// `user` may head a unit: the account exists (its role is `role`) and is
/// a head's.
pub(crate) fn may_head(user: UserId, role: Option<&str>) -> Result<()> {
    match role {
        None => Err(StoreError::NotFound(format!("user {user}"))),
        Some("head") => Ok(()),
        Some(_) => Err(StoreError::Refused("only a head heads a unit".into())),
    }
}

/// Dossiers are given to reviewers of a round that exists and is open
/// (`closed`: the round's `closed_ms`, none when there is no such round).
pub(crate) fn round_open(round: RoundId, closed: Option<Option<Millis>>) -> Result<()> {
    match closed {
        None => Err(StoreError::NotFound(format!("round {round}"))),
        Some(Some(_)) => Err(StoreError::Refused(format!("round {round} is closed"))),
        Some(None) => Ok(()),
    }
}

/// A dossier is given to reviewers only (`role`: the user's).
pub(crate) fn is_reviewer(user: UserId, role: Option<&str>) -> Result<()> {
    if role != Some(Role::Reviewer.as_str()) {
        return Err(StoreError::Invalid(format!(
            "user {user} is not a reviewer"
        )));
    }
    Ok(())
}

/// The assignment `id` (as found), when it is `by`'s: nobody changes
/// another reviewer's review.
pub(crate) fn own_assignment(
    id: AssignmentId,
    found: Option<Assignment>,
    by: UserId,
) -> Result<Assignment> {
    let a = found.ok_or_else(|| StoreError::NotFound(format!("assignment {id}")))?;
    if a.reviewer_id != by {
        return Err(StoreError::Refused(
            "only the assigned reviewer changes their review".into(),
        ));
    }
    Ok(a)
}

/// A reviewer decides until they submit.
pub(crate) fn not_submitted(a: &Assignment) -> Result<()> {
    if a.submitted_ms.is_some() {
        return Err(StoreError::Refused(
            "this review was submitted; it can no longer change".into(),
        ));
    }
    Ok(())
}

/// A decision is made on a view that shows the item's latest decision.
pub(crate) fn not_stale(item: &str, seen: Seq, latest: Seq) -> Result<()> {
    if latest != seen {
        return Err(StoreError::Stale {
            item: item.to_string(),
            seen,
            latest,
        });
    }
    Ok(())
}

/// The assignments of a dossier's review in a round, when there are any.
pub(crate) fn review_found(
    round: RoundId,
    dossier: DossierId,
    all: Vec<Assignment>,
) -> Result<Vec<Assignment>> {
    if all.is_empty() {
        return Err(StoreError::NotFound(format!(
            "dossier {dossier} in round {round}"
        )));
    }
    Ok(all)
}

/// The assignments of a review (found), when `by` is one of its reviewers
/// and all of them have submitted: the agreed review's turn.
pub(crate) fn submitted_review(all: Vec<Assignment>, by: UserId) -> Result<Vec<Assignment>> {
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

/// The agreed review changes until the review is final (`closed`).
pub(crate) fn agreement_open(closed: bool) -> Result<()> {
    if closed {
        return Err(StoreError::Refused(
            "this review is final; it can no longer change".into(),
        ));
    }
    Ok(())
}

/// A review is signed and closed once (`closed`: it is final).
pub(crate) fn not_final(closed: bool) -> Result<()> {
    if closed {
        return Err(StoreError::Refused("this review is final already".into()));
    }
    Ok(())
}

/// The last agreed decision: what a signature is under (0: none).
pub(crate) fn last_agreed(agreed: &[Decision]) -> Seq {
    agreed.iter().map(|d| d.seq).max().unwrap_or(0)
}

/// What a reviewer signs, from the reviewers' logs and the agreed log: the
/// last agreed decision, once no item is unresolved.
pub(crate) fn signable(reviews: &[Vec<Decision>], agreed: &[Decision]) -> Result<Seq> {
    let (_, unresolved) = agreed_state(reviews, agreed);
    if !unresolved.is_empty() {
        return Err(StoreError::Refused(format!(
            "the reviews still differ on {}: agree on them before signing",
            unresolved.join(", ")
        )));
    }
    Ok(last_agreed(agreed))
}

/// A supervisor (or an admin; `role`: the user's) closes a review.
pub(crate) fn may_close(role: Option<&str>) -> Result<()> {
    if !matches!(role, Some("supervisor") | Some("admin")) {
        return Err(StoreError::Refused("a supervisor closes a review".into()));
    }
    Ok(())
}

/// A review is closed once every reviewer signed it as it stands.
pub(crate) fn all_signed(
    assignments: &[Assignment],
    agreed: &[Decision],
    signatures: &[Signature],
) -> Result<()> {
    let seq = last_agreed(agreed);
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
    Ok(())
}

/// A final review is acknowledged once (`ack`: the final's `ack_ms`, none
/// when the review is not final).
pub(crate) fn acknowledgeable(ack: Option<Option<Millis>>) -> Result<()> {
    match ack {
        None => Err(StoreError::Refused(
            "only a final review is acknowledged".into(),
        )),
        Some(Some(_)) => Err(StoreError::Refused(
            "the unit's head has acknowledged this review already".into(),
        )),
        Some(None) => Ok(()),
    }
}

/// Only the problems of a final review (`closed`) are rectified.
pub(crate) fn rectifiable(closed: bool) -> Result<()> {
    if !closed {
        return Err(StoreError::Refused(
            "only the problems of a final review are rectified".into(),
        ));
    }
    Ok(())
}

// Rows into structs.

/// A column's type both backends read alike.
pub(crate) trait Col:
    rusqlite::types::FromSql + for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>
{
}

impl<T> Col for T where
    T: rusqlite::types::FromSql
        + for<'r> sqlx::Decode<'r, sqlx::Postgres>
        + sqlx::Type<sqlx::Postgres>
{
}

/// A row of either backend, read by column index.
pub(crate) trait Cols {
    type Error;
    fn col<T: Col>(&self, i: usize) -> std::result::Result<T, Self::Error>;
    /// A count of pages.
    fn count(&self, i: usize) -> std::result::Result<u32, Self::Error>;
    /// A JSON column (absent or unreadable as its kind says: the backend's).
    fn json<T: DeserializeOwned + Default>(&self, i: usize) -> std::result::Result<T, Self::Error>;
}

type Decoded<T, R> = std::result::Result<T, <R as Cols>::Error>;

pub(crate) const USER_COLS: &str = "id, name, role, password_hash, unit";

pub(crate) fn user<R: Cols + ?Sized>(r: &R) -> Decoded<User, R> {
    let role: String = r.col(2)?;
    Ok(User {
        id: r.col(0)?,
        name: r.col(1)?,
        role: Role::parse(&role).unwrap_or(Role::Reviewer),
        password_hash: r.col(3)?,
        unit: r.col(4)?,
    })
}

pub(crate) const DOSSIER_COLS: &str =
    "id, sha256, scan_id, source, case_kind, agency, case_number, page_count, imported_ms, folder_unit";

pub(crate) fn dossier<R: Cols + ?Sized>(r: &R) -> Decoded<DossierRow, R> {
    Ok(DossierRow {
        id: r.col(0)?,
        sha256: r.col(1)?,
        scan_id: r.col(2)?,
        source: r.col(3)?,
        case_kind: r.col(4)?,
        agency: r.col(5)?,
        case_number: r.col(6)?,
        page_count: r.count(7)?,
        imported_ms: r.col(8)?,
        folder_unit: r.col(9)?,
    })
}

pub(crate) const ROUND_COLS: &str =
    "id, name, period_start, period_end, units, created_by, created_ms, closed_ms, place";

pub(crate) fn round<R: Cols + ?Sized>(r: &R) -> Decoded<Round, R> {
    Ok(Round {
        id: r.col(0)?,
        name: r.col(1)?,
        period_start: r.col(2)?,
        period_end: r.col(3)?,
        units: r.json(4)?,
        created_by: r.col(5)?,
        created_ms: r.col(6)?,
        closed_ms: r.col(7)?,
        place: r.col(8)?,
    })
}

pub(crate) const ASSIGNMENT_COLS: &str = "id, round_id, dossier_id, reviewer_id, submitted_ms";

pub(crate) fn assignment<R: Cols + ?Sized>(r: &R) -> Decoded<Assignment, R> {
    Ok(Assignment {
        id: r.col(0)?,
        round_id: r.col(1)?,
        dossier_id: r.col(2)?,
        reviewer_id: r.col(3)?,
        submitted_ms: r.col(4)?,
    })
}

pub(crate) const DECISION_COLS: &str =
    "seq, assignment_id, item, action, points, reason, evidence, base_seq, by_user, at_ms";

pub(crate) fn decision<R: Cols + ?Sized>(r: &R) -> Decoded<Decision, R> {
    let action: String = r.col(3)?;
    Ok(Decision {
        seq: r.col(0)?,
        assignment: r.col(1)?,
        item: r.col(2)?,
        action: Action::parse(&action).unwrap_or(Action::Comment),
        points: r.col(4)?,
        reason: r.col(5)?,
        marks: r.json(6)?,
        base_seq: r.col(7)?,
        by: r.col(8)?,
        at_ms: r.col(9)?,
    })
}

pub(crate) const SIGNATURE_COLS: &str = "user_id, agreed_seq, signed_ms";

pub(crate) fn signature<R: Cols + ?Sized>(r: &R) -> Decoded<Signature, R> {
    Ok(Signature {
        user: r.col(0)?,
        agreed_seq: r.col(1)?,
        signed_ms: r.col(2)?,
    })
}

pub(crate) const FINAL_COLS: &str = "closed_by, closed_ms, head_name, head_date, ack_by, ack_ms";

/// A final review from its six columns, the first at `at`.
pub(crate) fn final_at<R: Cols + ?Sized>(r: &R, at: usize) -> Decoded<Final, R> {
    Ok(Final {
        closed_by: r.col(at)?,
        closed_ms: r.col(at + 1)?,
        head_name: r.col(at + 2)?,
        head_date: r.col(at + 3)?,
        ack_by: r.col(at + 4)?,
        ack_ms: r.col(at + 5)?,
    })
}

/// The columns of [`final_row`]: the round, the dossier, then [`FINAL_COLS`].
pub(crate) const FINAL_ROW_COLS: &str =
    "round_id, dossier_id, closed_by, closed_ms, head_name, head_date, ack_by, ack_ms";

pub(crate) fn final_row<R: Cols + ?Sized>(r: &R) -> Decoded<FinalRow, R> {
    Ok(FinalRow {
        round: r.col(0)?,
        dossier: r.col(1)?,
        fin: final_at(r, 2)?,
    })
}

pub(crate) const UNIT_NAME_COLS: &str = "seq, name, becomes, by_user, at_ms";

pub(crate) fn unit_name_row<R: Cols + ?Sized>(r: &R) -> Decoded<UnitName, R> {
    Ok(UnitName {
        seq: r.col(0)?,
        name: r.col(1)?,
        becomes: r.col(2)?,
        by: r.col(3)?,
        at_ms: r.col(4)?,
    })
}

pub(crate) const RECTIFICATION_COLS: &str =
    "seq, round_id, dossier_id, item, measure, deadline, status, by_user, at_ms";

pub(crate) fn rectification<R: Cols + ?Sized>(r: &R) -> Decoded<Rectification, R> {
    let status: String = r.col(6)?;
    Ok(Rectification {
        seq: r.col(0)?,
        round: r.col(1)?,
        dossier: r.col(2)?,
        item: r.col(3)?,
        measure: r.col(4)?,
        deadline: r.col(5)?,
        status: RectStatus::parse(&status).unwrap_or(RectStatus::Open),
        by: r.col(7)?,
        at_ms: r.col(8)?,
    })
}
