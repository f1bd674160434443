//! Two reviews become one (评查制度 第七条、第十条): once every reviewer of a
//! dossier has submitted, they see only where their reviews differ, agree
//! on each difference, and sign; a supervisor closes the signed review, and
//! the reviewed unit's head acknowledges it. The 评查表 (annex 2) of the
//! review prints on A4; the final reviews of a round export as JSON and CSV.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /r/{round}/{dossier}` | the dossier's reviewers, supervisors, admins | the reconcile view, signatures, closing |
//! | `POST /r/{round}/{dossier}/agree`, `/sign` | the dossier's reviewers | an agreed decision; a signature |
//! | `POST /r/{round}/{dossier}/close`, `/ack` | supervisors, admins | closing; the unit head's acknowledgement |
//! | `GET /r/{round}/{dossier}/form`, `/form.pdf` | as the reconcile view | the 评查表, A4 page and PDF |
//! | `GET /rounds/{id}/final.json`, `/final.csv` | supervisors, admins | the round's final reviews |

use crate::pages::{page, CsrfForm, Session};
use crate::sheet::Sheet;
use crate::{blocking, App, AppError};
use anjuan_core::contract::Review;
use anjuan_store::{
    agreed_state, current_state, latest_seq, Action, Assignment, Decision, DossierRow, Final,
    NewAgreed, Role, Round, Signature, Store, User,
};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

type AppState = Arc<App>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/r/{round}/{dossier}", get(reconcile_page))
        .route("/r/{round}/{dossier}/agree", post(agree))
        .route("/r/{round}/{dossier}/sign", post(sign))
        .route("/r/{round}/{dossier}/close", post(close))
        .route("/r/{round}/{dossier}/ack", post(acknowledge))
        .route("/r/{round}/{dossier}/form", get(form_page))
        .route("/r/{round}/{dossier}/form.pdf", get(form_pdf))
        .route("/rounds/{id}/final.json", get(export_json))
        .route("/rounds/{id}/final.csv", get(export_csv))
}

/// Everything about one dossier's review in a round.
pub struct Ctx {
    pub round: Round,
    pub dossier: DossierRow,
    pub review: Review,
    pub assignments: Vec<Assignment>,
    /// Each reviewer's log, in the order of `assignments`.
    pub reviews: Vec<Vec<Decision>>,
    pub agreed: Vec<Decision>,
    pub signatures: Vec<Signature>,
    pub fin: Option<Final>,
    pub users: Vec<User>,
}

impl Ctx {
    /// Loads the review when `user` may see it: a supervisor or admin, or
    /// one of its reviewers, and only once every reviewer has submitted.
    pub fn load(store: &dyn Store, round: i64, dossier: i64, user: &User) -> Result<Ctx, AppError> {
        let assignments = store.assignments_of_dossier(round, dossier)?;
        if assignments.is_empty() {
            return Err(AppError::not_found(format!(
                "dossier {dossier} in round {round}"
            )));
        }
        let reviewer = assignments.iter().any(|a| a.reviewer_id == user.id);
        if !user.role.supervises() && !reviewer {
            return Err(AppError::forbidden("this dossier is not given to you"));
        }
        let open = assignments
            .iter()
            .filter(|a| a.submitted_ms.is_none())
            .count();
        if open > 0 {
            return Err(AppError::forbidden(format!(
                "each reviewer reviews on their own until all have submitted ({open} of {} not yet)",
                assignments.len()
            )));
        }
        let round_row = store
            .round(round)?
            .ok_or_else(|| AppError::not_found(format!("round {round}")))?;
        let dossier_row = store
            .dossier(dossier)?
            .ok_or_else(|| AppError::not_found(format!("dossier {dossier}")))?;
        let mut reviews = Vec::new();
        for a in &assignments {
            reviews.push(store.decisions(a.id)?);
        }
        Ok(Ctx {
            round: round_row,
            review: store.review(dossier)?,
            dossier: dossier_row,
            reviews,
            agreed: store.agreed_decisions(round, dossier)?,
            signatures: store.signatures(round, dossier)?,
            fin: store.final_review(round, dossier)?,
            users: store.users()?,
            assignments,
        })
    }

    pub fn name(&self, id: i64) -> String {
        self.users
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| format!("user {id}"))
    }

    /// The agreed review as it stands, and the items still unresolved.
    pub fn state(&self) -> (BTreeMap<String, Decision>, Vec<String>) {
        agreed_state(&self.reviews, &self.agreed)
    }

    pub fn sheet(&self) -> Sheet {
        let (state, _) = self.state();
        Sheet::new(
            &self.review,
            &state.iter().map(|(k, v)| (k.clone(), v)).collect(),
        )
    }

    /// 已定稿 …: who closed the review and when, and the unit head's
    /// acknowledgement.
    pub fn final_line(&self) -> Option<String> {
        let f = self.fin.as_ref()?;
        let mut line = format!(
            "已定稿 Final: {} 由 {} 定稿",
            date_of(f.closed_ms),
            self.name(f.closed_by)
        );
        if let Some(h) = &f.head_name {
            line.push_str(&format!(
                " · 受查单位负责人 {h} 已确认 {}",
                f.head_date.as_deref().unwrap_or("")
            ));
        }
        Some(line)
    }

    fn agreed_seq(&self) -> i64 {
        self.agreed.iter().map(|d| d.seq).max().unwrap_or(0)
    }

    /// Each reviewer, with when they signed the review as it stands.
    pub fn signers(&self) -> Vec<(String, Option<i64>)> {
        let seq = self.agreed_seq();
        self.assignments
            .iter()
            .map(|a| {
                let at = self
                    .signatures
                    .iter()
                    .filter(|s| s.user == a.reviewer_id && s.agreed_seq == seq)
                    .map(|s| s.signed_ms)
                    .max();
                (self.name(a.reviewer_id), at)
            })
            .collect()
    }
}

/// The review of `dossier` in `round`, as the signed-in user may see it.
async fn load(app: &AppState, s: &Session, round: i64, dossier: i64) -> Result<Ctx, AppError> {
    let store = app.store.clone();
    let user = s.user.clone();
    blocking(move || Ctx::load(store.as_ref(), round, dossier, &user)).await
}

/// A decision as one line of text: `adjust 1.5 — reason`.
fn describe(d: Option<&Decision>) -> String {
    match d {
        None => "未决定 undecided".into(),
        Some(d) => {
            let mut s = d.action.as_str().to_string();
            if let Some(p) = d.points {
                s.push_str(&format!(" {p}"));
            }
            if !d.reason.is_empty() {
                s.push_str(&format!(" — {}", d.reason));
            }
            s
        }
    }
}

pub struct DiffRow {
    pub item: String,
    pub text: String,
    pub machine: String,
    /// Each reviewer's name and decision.
    pub each: Vec<(String, String)>,
    pub agreed: Option<String>,
    pub resolved: bool,
    pub base_seq: i64,
}

#[derive(Template)]
#[template(path = "reconcile.html")]
struct ReconcilePage {
    s: Session,
    c: Ctx,
    rows: Vec<DiffRow>,
    alike: usize,
    sheet: Sheet,
    signers: Vec<(String, Option<i64>)>,
    unresolved: usize,
    is_reviewer: bool,
    supervising: bool,
    all_signed: bool,
}

fn diff_rows(c: &Ctx) -> (Vec<DiffRow>, usize) {
    let (_, unresolved) = c.state();
    let rubric = anjuan_rubric::Rubric::for_kind(c.review.case_kind, &[]);
    let states: Vec<_> = c.reviews.iter().map(|r| current_state(r)).collect();
    let agreed = current_state(&c.agreed);
    let mut items: Vec<String> = unresolved.clone();
    for d in &c.agreed {
        if !items.contains(&d.item) {
            items.push(d.item.clone());
        }
    }
    items.sort();
    let decided: std::collections::BTreeSet<&String> =
        states.iter().flat_map(|s| s.keys()).collect();
    let alike = decided.iter().filter(|i| !items.contains(i)).count();
    let rows = items
        .into_iter()
        .map(|item| {
            let machine = c
                .review
                .findings
                .iter()
                .find(|f| f.item == item)
                .map(|f| match f.points {
                    Some(p) => format!("{}（建议扣 {p} 分）", f.reason),
                    None => f.reason.clone(),
                })
                .unwrap_or_default();
            DiffRow {
                text: rubric
                    .and_then(|r| r.item(&item))
                    .map(|i| i.text.clone())
                    .unwrap_or_default(),
                machine,
                each: c
                    .assignments
                    .iter()
                    .zip(&states)
                    .map(|(a, s)| (c.name(a.reviewer_id), describe(s.get(&item).copied())))
                    .collect(),
                agreed: c
                    .agreed
                    .iter()
                    .any(|d| d.item == item)
                    .then(|| describe(agreed.get(&item).copied())),
                resolved: !unresolved.contains(&item),
                base_seq: latest_seq(&c.agreed, &item),
                item,
            }
        })
        .collect();
    (rows, alike)
}

async fn reconcile_page(
    State(app): State<AppState>,
    s: Session,
    Path((round, dossier)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let c = load(&app, &s, round, dossier).await?;
    let (rows, alike) = diff_rows(&c);
    let unresolved = rows.iter().filter(|r| !r.resolved).count();
    let signers = c.signers();
    let is_reviewer = c.assignments.iter().any(|a| a.reviewer_id == s.user.id);
    let supervising = s.user.role.supervises();
    page(ReconcilePage {
        sheet: c.sheet(),
        all_signed: signers.iter().all(|(_, at)| at.is_some()),
        s,
        rows,
        alike,
        signers,
        unresolved,
        is_reviewer,
        supervising,
        c,
    })
}

#[derive(Deserialize)]
struct AgreeForm {
    csrf: String,
    item: String,
    action: String,
    #[serde(default)]
    points: String,
    #[serde(default)]
    reason: String,
    base_seq: i64,
}

/// A change to the review of `dossier` in `round`: a POST from this site
/// with the session's token, by one of `roles` (any role when empty; the
/// store enforces who may do what), `f` run on the store, then back to the
/// review.
async fn change(
    app: &AppState,
    s: &Session,
    headers: &HeaderMap,
    csrf: &str,
    roles: &[Role],
    (round, dossier): (i64, i64),
    f: impl FnOnce(&dyn Store, i64) -> Result<(), AppError> + Send + 'static,
) -> Result<Response, AppError> {
    s.check_post(headers, csrf)?;
    if !roles.is_empty() {
        s.require(roles)?;
    }
    let store = app.store.clone();
    let by = s.user.id;
    blocking(move || f(store.as_ref(), by)).await?;
    Ok(Redirect::to(&format!("/r/{round}/{dossier}")).into_response())
}

const SUPERVISING: &[Role] = &[Role::Supervisor, Role::Admin];

async fn agree(
    State(app): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(at): Path<(i64, i64)>,
    Form(f): Form<AgreeForm>,
) -> Result<Response, AppError> {
    let action = Action::parse(&f.action)
        .ok_or_else(|| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown decision"))?;
    let points = crate::pages::parse_points(&f.item, &f.points)?;
    let csrf = f.csrf.clone();
    change(&app, &s, &headers, &csrf, &[], at, move |store, by| {
        let review = store.review(at.1)?;
        crate::pages::check_item(&review, &f.item, points)?;
        store.agree(&NewAgreed {
            round: at.0,
            dossier: at.1,
            item: f.item,
            action,
            points,
            reason: f.reason,
            base_seq: f.base_seq,
            by,
        })?;
        Ok(())
    })
    .await
}

async fn sign(
    State(app): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(at): Path<(i64, i64)>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    change(&app, &s, &headers, &f.csrf, &[], at, move |store, by| {
        store.sign(at.0, at.1, by)?;
        Ok(())
    })
    .await
}

async fn close(
    State(app): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(at): Path<(i64, i64)>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    change(
        &app,
        &s,
        &headers,
        &f.csrf,
        SUPERVISING,
        at,
        move |store, by| {
            store.close_review(at.0, at.1, by)?;
            Ok(())
        },
    )
    .await
}

#[derive(Deserialize)]
struct AckForm {
    csrf: String,
    head_name: String,
    head_date: String,
}

async fn acknowledge(
    State(app): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(at): Path<(i64, i64)>,
    Form(f): Form<AckForm>,
) -> Result<Response, AppError> {
    let csrf = f.csrf.clone();
    change(
        &app,
        &s,
        &headers,
        &csrf,
        SUPERVISING,
        at,
        move |store, by| {
            store.acknowledge(at.0, at.1, &f.head_name, &f.head_date, by)?;
            Ok(())
        },
    )
    .await
}

pub use anjuan_report::period::date_of;

/// What the 评查表 shows, for the print page and the PDF alike.
pub struct FormData {
    pub place: String,
    /// 评查时间: the day the review was closed, else the last signature's.
    pub when: String,
    /// 评查人员, each marked when they have not signed the review as it stands.
    pub reviewers: String,
    pub unit: String,
    pub case_number: String,
    pub penalty: bool,
    pub final_: bool,
    pub sheet: Sheet,
    /// The signature line: each reviewer with the day they signed.
    pub signed: String,
    /// The unit head's line: name and date, once acknowledged.
    pub head: String,
}

impl FormData {
    pub fn new(c: &Ctx) -> FormData {
        let signers = c.signers();
        let when = c
            .fin
            .as_ref()
            .map(|f| f.closed_ms)
            .or_else(|| c.signatures.iter().map(|s| s.signed_ms).max())
            .map(date_of)
            .unwrap_or_default();
        FormData {
            place: c.round.place.clone(),
            when,
            reviewers: signers
                .iter()
                .map(|(n, at)| match at {
                    Some(_) => n.clone(),
                    None => format!("{n}（未签名）"),
                })
                .collect::<Vec<_>>()
                .join("、"),
            unit: c.dossier.agency.clone().unwrap_or_default(),
            case_number: c.dossier.case_number.clone().unwrap_or_default(),
            penalty: c.review.case_kind == anjuan_core::CaseKind::Penalty,
            final_: c.fin.is_some(),
            sheet: c.sheet(),
            signed: signers
                .iter()
                .map(|(n, at)| match at {
                    Some(t) => format!("{n} {}", date_of(*t)),
                    None => n.clone(),
                })
                .collect::<Vec<_>>()
                .join("　"),
            head: c
                .fin
                .as_ref()
                .and_then(|f| {
                    let name = f.head_name.as_deref()?;
                    Some(format!("{name} {}", f.head_date.as_deref().unwrap_or("")))
                })
                .unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    round: i64,
    dossier: i64,
    f: FormData,
}

async fn form_page(
    State(app): State<AppState>,
    s: Session,
    Path((round, dossier)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let c = load(&app, &s, round, dossier).await?;
    page(FormPage {
        round,
        dossier,
        f: FormData::new(&c),
    })
}

async fn form_pdf(
    State(app): State<AppState>,
    s: Session,
    Path((round, dossier)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let c = load(&app, &s, round, dossier).await?;
    let name = c.dossier.scan_id.clone();
    let pdf = blocking(move || {
        crate::pdf::review_form(&FormData::new(&c))
            .map_err(|e| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, e))
    })
    .await?;
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(download("application/pdf", format!("pcb-{ascii}.pdf"), pdf))
}

/// One final review of a round, as exported.
#[derive(serde::Serialize)]
struct FinalReview {
    round: String,
    dossier: String,
    sha256: String,
    agency: Option<String>,
    case_number: Option<String>,
    case_kind: String,
    reviewers: Vec<String>,
    closed: String,
    head_name: Option<String>,
    head_date: Option<String>,
    score: f64,
    grade: String,
    basic_passed: bool,
    sheet: Sheet,
}

fn finals_of(store: &dyn Store, round: i64, user: &User) -> Result<Vec<FinalReview>, AppError> {
    let r = store
        .round(round)?
        .ok_or_else(|| AppError::not_found(format!("round {round}")))?;
    let mut out = Vec::new();
    for d in store.dossiers()? {
        if store.final_review(round, d.id)?.is_none() {
            continue;
        }
        let c = Ctx::load(store, round, d.id, user)?;
        let sheet = c.sheet();
        let fin = c.fin.clone().expect("final");
        out.push(FinalReview {
            round: r.name.clone(),
            dossier: d.scan_id.clone(),
            sha256: d.sha256.clone(),
            agency: d.agency.clone(),
            case_number: d.case_number.clone(),
            case_kind: d.case_kind.clone(),
            reviewers: c.signers().into_iter().map(|(n, _)| n).collect(),
            closed: date_of(fin.closed_ms),
            head_name: fin.head_name,
            head_date: fin.head_date,
            score: sheet.score,
            grade: sheet.grade.clone(),
            basic_passed: sheet.basic_failures.is_empty(),
            sheet,
        });
    }
    Ok(out)
}

fn download(kind: &'static str, name: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

async fn export_json(
    State(app): State<AppState>,
    s: Session,
    Path(round): Path<i64>,
) -> Result<Response, AppError> {
    s.require(SUPERVISING)?;
    let store = app.store.clone();
    let user = s.user.clone();
    let finals = blocking(move || finals_of(store.as_ref(), round, &user)).await?;
    let body = serde_json::to_vec_pretty(&finals)
        .map_err(|e| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(download(
        "application/json",
        format!("round-{round}-final.json"),
        body,
    ))
}

/// A CSV field: quoted when it holds a comma, quote or line break; a
/// leading =, +, - or @ is quoted away so a spreadsheet does not run it.
use anjuan_report::export::csv_field;

async fn export_csv(
    State(app): State<AppState>,
    s: Session,
    Path(round): Path<i64>,
) -> Result<Response, AppError> {
    s.require(SUPERVISING)?;
    let store = app.store.clone();
    let user = s.user.clone();
    let finals = blocking(move || finals_of(store.as_ref(), round, &user)).await?;
    // One line per deduction or failed basic standard; a file with neither
    // has one line with the score alone. UTF-8 with a BOM, for Excel.
    let mut out = String::from("\u{feff}");
    out.push_str("评查活动,案卷,执法单位,执法案卷文号,案件类型,评查人员,定稿日期,得分,等次,基础标准,评查项,扣除分值,扣分原因\r\n");
    for f in &finals {
        let head = [
            f.round.clone(),
            f.dossier.clone(),
            f.agency.clone().unwrap_or_default(),
            f.case_number.clone().unwrap_or_default(),
            f.case_kind.clone(),
            f.reviewers.join("、"),
            f.closed.clone(),
            f.score.to_string(),
            f.grade.clone(),
            if f.basic_passed {
                "合格"
            } else {
                "不合格"
            }
            .to_string(),
        ];
        let mut lines: Vec<[String; 3]> = f
            .sheet
            .basic_failures
            .iter()
            .map(|b| [b.item.clone(), String::new(), b.reason.clone()])
            .chain(
                f.sheet
                    .deductions
                    .iter()
                    .map(|d| [d.item.clone(), d.points.to_string(), d.reason.clone()]),
            )
            .collect();
        if lines.is_empty() {
            lines.push(Default::default());
        }
        for l in lines {
            let fields: Vec<String> = head.iter().chain(l.iter()).map(|x| csv_field(x)).collect();
            out.push_str(&fields.join(","));
            out.push_str("\r\n");
        }
    }
    Ok(download(
        "text/csv; charset=utf-8",
        format!("round-{round}-final.csv"),
        out.into_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_china_standard_time() {
        assert_eq!(date_of(0), "1970-01-01");
        // 2024-07-04 16:30 UTC is 2024-07-05 00:30 in 蒲县.
        assert_eq!(date_of(1_720_110_600_000), "2024-07-05");
        assert_eq!(date_of(951_782_400_000), "2000-02-29");
    }

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("未签名"), "未签名");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
