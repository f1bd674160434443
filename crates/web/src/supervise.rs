//! What supervisors see across files (issue 13): the reports of
//! [`anjuan_report`] as pages, their drill-downs, CSV and XLSX exports, the
//! rectification list a unit's head edits, and the units' renamings.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /reports` | supervisors, admins, heads | the list of reports |
//! | `GET /reports/{slug}` | as above | a report for a period, basis and unit (`?period=2023H1&basis=confirmed&unit=…`) |
//! | `GET /reports/files` | as above | the files and problems behind a figure (`?unit=…&item=…` …) |
//! | `GET /reports/{slug}/export` | as above | `?format=csv&table=N` (one table) or `?format=xlsx` (the report) |
//! | `POST /rectify` | the unit's head, supervisors, admins | an edit of a problem's rectification (第十一条) |
//! | `POST /units/rename` | supervisors, admins | a unit renamed, or merged into another |
//!
//! A head sees their own unit only: every query of theirs is of that unit.
//! The numbers are those `anjuan report` prints: both call the same
//! functions on the same [`Dataset`].

use crate::pages::{now_ms, page, Session};
use crate::{blocking, App, AppError};
use anjuan_report::data::Dataset;
use anjuan_report::period::{self, Period};
use anjuan_report::reports::{self, Drill, RectLine, REPORTS};
use anjuan_report::{export, Basis, Query, Report, Table};
use anjuan_store::{NewRectification, RectStatus, Role};
use askama::Template;
use axum::extract::{Path, Query as UrlQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::sync::Arc;

type AppState = Arc<App>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(index))
        .route("/reports/files", get(files_page))
        .route("/reports/{slug}", get(report_page))
        .route("/reports/{slug}/export", get(export_report))
        .route("/rectify", post(rectify))
        .route("/units/rename", post(rename_unit))
}

/// What a report page is asked for, as the URL says it. Empty fields (a
/// form's blank choice) count as absent.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    period: Option<String>,
    basis: Option<String>,
    unit: Option<String>,
    item: Option<String>,
    grade: Option<String>,
    missing: Option<String>,
    stat: Option<String>,
    outcome: Option<String>,
    dossier: Option<String>,
    per_unit: Option<String>,
    seed: Option<String>,
    format: Option<String>,
    table: Option<String>,
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn bad(m: impl Into<String>) -> AppError {
    AppError::new(StatusCode::BAD_REQUEST, m)
}

/// Who may see reports, and of which units: a head sees their unit only.
fn scope(s: &Session) -> Result<Option<String>, AppError> {
    match s.user.role {
        Role::Supervisor | Role::Admin => Ok(None),
        Role::Head => match &s.user.unit {
            Some(u) => Ok(Some(u.clone())),
            None => Err(AppError::forbidden(
                "your account heads no unit yet: ask an admin to set it",
            )),
        },
        Role::Reviewer => Err(AppError::forbidden(
            "reports are for supervisors and the units' heads",
        )),
    }
}

impl Params {
    fn query(&self, s: &Session) -> Result<Query, AppError> {
        let period = match given(&self.period) {
            Some(p) => Period::parse(&p).map_err(bad)?,
            None => Period::all(),
        };
        let basis = match given(&self.basis) {
            Some(b) => Basis::parse(&b).ok_or_else(|| bad("basis: confirmed or draft"))?,
            None => Basis::Confirmed,
        };
        let unit = match scope(s)? {
            Some(mine) => Some(mine),
            None => given(&self.unit),
        };
        Ok(Query {
            period,
            basis,
            unit,
        })
    }

    fn drill(&self) -> Result<Drill, AppError> {
        Ok(Drill {
            unit: None,
            item: given(&self.item),
            grade: given(&self.grade),
            missing: given(&self.missing),
            stat: given(&self.stat),
            outcome: given(&self.outcome),
            dossier: match given(&self.dossier) {
                Some(d) => Some(d.parse().map_err(|_| bad("dossier: a number"))?),
                None => None,
            },
        })
    }

    fn per_unit(&self) -> Result<usize, AppError> {
        match given(&self.per_unit) {
            Some(n) => n
                .parse()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| bad("per_unit: a number from 1 to 1000")),
            None => Ok(5),
        }
    }

    fn seed(&self) -> Result<u64, AppError> {
        match given(&self.seed) {
            Some(n) => n.parse().map_err(|_| bad("seed: a whole number")),
            None => Ok(1),
        }
    }
}

/// The query string of `q` (period, basis, unit), for links that keep it.
fn query_string(q: &Query) -> String {
    let mut parts = vec![
        format!("period={}", reports::enc(&q.period.key)),
        format!("basis={}", q.basis.as_str()),
    ];
    if let Some(u) = &q.unit {
        parts.push(format!("unit={}", reports::enc(u)));
    }
    parts.join("&")
}

/// The periods a supervisor picks from: each year and half-year some file
/// falls in, newest first.
fn periods_of(ds: &Dataset) -> Vec<Period> {
    let mut halves: BTreeSet<String> = BTreeSet::new();
    for f in &ds.files {
        if let Some(p) = f.date.as_deref().and_then(Period::half_of) {
            halves.insert(p.key);
        }
    }
    let mut out = Vec::new();
    let mut years: Vec<String> = halves.iter().map(|h| h[..4].to_string()).collect();
    years.dedup();
    for y in years.iter().rev() {
        if let Ok(p) = Period::parse(y) {
            out.push(p);
        }
        for h in ["H2", "H1"] {
            if halves.contains(&format!("{y}{h}")) {
                out.extend(Period::parse(&format!("{y}{h}")).ok());
            }
        }
    }
    out
}

/// A unit as the reports name it now: a head's unit, or a unit asked for,
/// may be a name since renamed or merged.
fn now_named(ds: &Dataset, unit: Option<String>) -> Option<String> {
    unit.map(|u| ds.renamed.get(&u).cloned().unwrap_or(u))
}

async fn dataset(app: &AppState) -> Result<Arc<Dataset>, AppError> {
    let store = app.store.clone();
    blocking(move || Ok(Arc::new(Dataset::load(store.as_ref())?))).await
}

// ---- the list of reports -----------------------------------------------

#[derive(Template)]
#[template(path = "reports.html")]
struct IndexPage {
    s: Session,
    reports: Vec<(&'static str, &'static str)>,
    qs: String,
    head_unit: Option<String>,
}

async fn index(s: Session, UrlQuery(p): UrlQuery<Params>) -> Result<Response, AppError> {
    let q = p.query(&s)?;
    let head_unit = scope(&s)?;
    let reports = REPORTS
        .iter()
        .copied()
        .filter(|(slug, _)| head_unit.is_none() || !matches!(*slug, "sample" | "units"))
        .collect();
    page(IndexPage {
        qs: query_string(&q),
        s,
        reports,
        head_unit,
    })
}

// ---- a report ------------------------------------------------------------

/// A rectification line as the page shows it, with whether this user may
/// edit it.
pub struct RectRow {
    pub line: RectLine,
    pub editable: bool,
    pub pages: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    s: Session,
    r: Report,
    /// The tables shown as they are (the rectification list is shown as
    /// editable rows instead).
    tables: Vec<Table>,
    slug: String,
    q: Query,
    qs: String,
    periods: Vec<Period>,
    units: Vec<String>,
    head_unit: Option<String>,
    /// The rectification list's lines (rectification only).
    rect: Vec<RectRow>,
    statuses: Vec<(&'static str, &'static str)>,
    /// The sampling plan's choices (sample only).
    per_unit: usize,
    seed: u64,
    /// A single file's 评查表 (the files page of one file with a final review).
    form_link: Option<String>,
    /// The slug of the report the export links name.
    export_slug: String,
    /// The query of the export links (the drill's fields on the files page).
    export_qs: String,
    supervising: bool,
    notice: Option<String>,
    /// `&unit=…` of the query, encoded, or nothing.
    unit_qs: String,
    /// Units' former names (renamed or merged), for undoing.
    former: Vec<String>,
    /// The drill-down's own fields, kept by the filter form (files page).
    keep: Vec<(&'static str, String)>,
}

impl ReportPage {
    /// Columns whose cells never wrap (ids, case numbers, dates).
    fn nowrap(&self, column: &str) -> bool {
        matches!(
            column,
            "项目" | "案卷" | "案号" | "日期" | "结案/决定日期" | "范围"
        )
    }

    /// The drill-down's own fields as a query string tail (`&item=…`).
    fn keep_qs(&self) -> String {
        self.keep
            .iter()
            .map(|(k, v)| format!("&{k}={}", reports::enc(v)))
            .collect()
    }
}

fn unit_qs(q: &Query) -> String {
    q.unit
        .as_ref()
        .map(|u| format!("&unit={}", reports::enc(u)))
        .unwrap_or_default()
}

fn make_report(ds: &Dataset, slug: &str, q: &Query, p: &Params) -> Result<Report, AppError> {
    reports::by_slug(ds, slug, q, &period::today(), p.per_unit()?, p.seed()?)
        .ok_or_else(|| AppError::not_found(format!("report {slug:?}")))
}

#[derive(Deserialize, Default)]
struct Notice {
    saved: Option<String>,
}

async fn report_page(
    State(app): State<AppState>,
    s: Session,
    Path(slug): Path<String>,
    UrlQuery(p): UrlQuery<Params>,
    UrlQuery(n): UrlQuery<Notice>,
) -> Result<Response, AppError> {
    let mut q = p.query(&s)?;
    let head_unit = scope(&s)?;
    if head_unit.is_some() && matches!(slug.as_str(), "sample" | "units") {
        return Err(AppError::forbidden("this report is for supervisors"));
    }
    if reports::title_of(&slug).is_none() {
        return Err(AppError::not_found(format!("report {slug:?}")));
    }
    let ds = dataset(&app).await?;
    let head_unit = now_named(&ds, head_unit);
    q.unit = now_named(&ds, q.unit);
    let r = make_report(&ds, &slug, &q, &p)?;
    let mut tables = r.tables.clone();
    let mut rect = Vec::new();
    if slug == "rectification" {
        // The list itself is shown as rows to edit.
        tables.retain(|t| t.title != "整改清单");
        let today = period::today();
        for line in reports::rect_lines(&ds, &q, &today) {
            let editable = s.user.role.supervises() || head_unit.as_ref() == Some(&line.unit);
            let pages = line
                .problem
                .pages
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("、");
            rect.push(RectRow {
                line,
                editable,
                pages,
            });
        }
    }
    let qs = query_string(&q);
    let mut export_qs = qs.clone();
    if slug == "sample" {
        export_qs.push_str(&format!("&per_unit={}&seed={}", p.per_unit()?, p.seed()?));
    }
    page(ReportPage {
        supervising: s.user.role.supervises(),
        periods: periods_of(&ds),
        units: ds.units(),
        per_unit: p.per_unit()?,
        seed: p.seed()?,
        export_slug: slug.clone(),
        export_qs,
        statuses: RectStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        notice: n.saved.map(|_| "已保存。Saved.".to_string()),
        unit_qs: unit_qs(&q),
        former: ds.renamed.keys().cloned().collect(),
        keep: Vec::new(),
        s,
        r,
        tables,
        slug,
        qs,
        q,
        head_unit,
        rect,
        form_link: None,
    })
}

async fn files_page(
    State(app): State<AppState>,
    s: Session,
    UrlQuery(p): UrlQuery<Params>,
) -> Result<Response, AppError> {
    let mut q = p.query(&s)?;
    let head_unit = scope(&s)?;
    let d = p.drill()?;
    let ds = dataset(&app).await?;
    let head_unit = now_named(&ds, head_unit);
    q.unit = now_named(&ds, q.unit);
    let mut form_link = None;
    if let Some(id) = d.dossier {
        let f = ds
            .files
            .iter()
            .find(|f| f.dossier == id)
            .ok_or_else(|| AppError::not_found(format!("dossier {id}")))?;
        if head_unit.as_ref().is_some_and(|u| *u != f.unit) {
            return Err(AppError::forbidden("this file is not of your unit"));
        }
        // One file: its final review when it has one, else the draft,
        // whatever the period.
        if given(&p.basis).is_none() {
            q.basis = if f.confirmed.is_some() {
                Basis::Confirmed
            } else {
                Basis::Draft
            };
        }
        if given(&p.period).is_none() {
            q.period = Period::all();
        }
        if let Some(c) = &f.confirmed {
            if s.user.role.supervises() {
                form_link = Some(format!("/r/{}/{}/form", c.round, f.dossier));
            }
        }
    }
    let r = reports::drill(&ds, &q, &d);
    let qs = query_string(&q);
    page(ReportPage {
        supervising: s.user.role.supervises(),
        periods: periods_of(&ds),
        units: ds.units(),
        per_unit: 5,
        seed: 1,
        export_slug: "files".into(),
        export_qs: d.link(&q),
        statuses: Vec::new(),
        notice: None,
        unit_qs: unit_qs(&q),
        former: Vec::new(),
        keep: [
            ("item", d.item.clone()),
            ("grade", d.grade.clone()),
            ("missing", d.missing.clone()),
            ("stat", d.stat.clone()),
            ("outcome", d.outcome.clone()),
            ("dossier", d.dossier.map(|x| x.to_string())),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect(),
        tables: r.tables.clone(),
        s,
        r,
        slug: "files".into(),
        qs,
        q,
        head_unit,
        rect: Vec::new(),
        form_link,
    })
}

// ---- exports ---------------------------------------------------------------

fn download(kind: &'static str, name: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    name.replace(
                        |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '.',
                        "_"
                    )
                ),
            ),
        ],
        body,
    )
        .into_response()
}

async fn export_report(
    State(app): State<AppState>,
    s: Session,
    Path(slug): Path<String>,
    UrlQuery(p): UrlQuery<Params>,
) -> Result<Response, AppError> {
    let mut q = p.query(&s)?;
    let head_unit = scope(&s)?;
    let ds = dataset(&app).await?;
    let head_unit = now_named(&ds, head_unit);
    q.unit = now_named(&ds, q.unit);
    let r = if slug == "files" {
        let d = p.drill()?;
        if let Some(id) = d.dossier {
            let f = ds.files.iter().find(|f| f.dossier == id);
            if let (Some(u), Some(f)) = (&head_unit, f) {
                if *u != f.unit {
                    return Err(AppError::forbidden("this file is not of your unit"));
                }
            }
            if given(&p.basis).is_none() && f.is_some_and(|f| f.confirmed.is_none()) {
                q.basis = Basis::Draft;
            }
        }
        reports::drill(&ds, &q, &d)
    } else {
        if head_unit.is_some() && matches!(slug.as_str(), "sample" | "units") {
            return Err(AppError::forbidden("this report is for supervisors"));
        }
        make_report(&ds, &slug, &q, &p)?
    };
    let name = format!("{}-{}", r.slug, q.period.key);
    match given(&p.format).as_deref() {
        Some("xlsx") => {
            let body = export::report_xlsx(&r)
                .map_err(|e| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, e))?;
            Ok(download(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                format!("{name}.xlsx"),
                body,
            ))
        }
        Some("csv") | None => {
            let body = match given(&p.table) {
                Some(t) => {
                    let i: usize = t.parse().map_err(|_| bad("table: a number"))?;
                    let t = r
                        .tables
                        .get(i)
                        .ok_or_else(|| AppError::not_found(format!("table {i}")))?;
                    export::table_csv(t)
                }
                None => export::report_csv(&r),
            };
            Ok(download(
                "text/csv; charset=utf-8",
                format!("{name}.csv"),
                body.into_bytes(),
            ))
        }
        Some(f) => Err(bad(format!("format {f:?}: csv or xlsx"))),
    }
}

// ---- rectification ---------------------------------------------------------

#[derive(Deserialize)]
struct RectForm {
    csrf: String,
    round: i64,
    dossier: i64,
    item: String,
    measure: String,
    #[serde(default)]
    deadline: String,
    status: String,
    /// The report's query to come back to.
    #[serde(default)]
    back: String,
}

async fn rectify(
    State(app): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Form(f): Form<RectForm>,
) -> Result<Response, AppError> {
    s.check_post(&headers, &f.csrf)?;
    let head_unit = scope(&s)?;
    let status =
        RectStatus::parse(&f.status).ok_or_else(|| bad("status: open, in_progress or done"))?;
    let store = app.store.clone();
    let by = s.user.id;
    let (round, dossier, item) = (f.round, f.dossier, f.item.clone());
    let (measure, deadline) = (f.measure.clone(), f.deadline.clone());
    blocking(move || {
        // The problem must be one of the list, and of the head's unit.
        let ds = Dataset::load(store.as_ref())?;
        let head_unit = now_named(&ds, head_unit);
        let file = ds
            .files
            .iter()
            .find(|x| x.dossier == dossier)
            .ok_or_else(|| AppError::not_found(format!("dossier {dossier}")))?;
        if head_unit.as_ref().is_some_and(|u| *u != file.unit) {
            return Err(AppError::forbidden("this file is not of your unit"));
        }
        let listed = file
            .confirmed
            .as_ref()
            .is_some_and(|c| c.round == round && c.outcome.problems.iter().any(|p| p.item == item));
        if !listed {
            return Err(AppError::not_found(format!(
                "problem {item} of dossier {dossier} in round {round}"
            )));
        }
        store.rectify(&NewRectification {
            round,
            dossier,
            item,
            measure,
            deadline: Some(deadline).filter(|d| !d.trim().is_empty()),
            status,
            by,
        })?;
        Ok(())
    })
    .await?;
    let back = safe_back(&f.back);
    Ok(Redirect::to(&format!(
        "/reports/rectification?{back}&saved={}#p-{}-{}",
        now_ms(),
        f.dossier,
        reports::enc(&f.item)
    ))
    .into_response())
}

/// A query string sent back by a form: only the characters a query of
/// ours holds, so it cannot lead elsewhere.
fn safe_back(back: &str) -> String {
    back.chars()
        .filter(|c| c.is_ascii_alphanumeric() || "%=&-_.~".contains(*c))
        .collect()
}

// ---- units -----------------------------------------------------------------

#[derive(Deserialize)]
struct RenameForm {
    csrf: String,
    name: String,
    becomes: String,
}

async fn rename_unit(
    State(app): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Form(f): Form<RenameForm>,
) -> Result<Response, AppError> {
    s.check_post(&headers, &f.csrf)?;
    s.require(&[Role::Supervisor, Role::Admin])?;
    let store = app.store.clone();
    let by = s.user.id;
    blocking(move || Ok(store.rename_unit(&f.name, &f.becomes, by)?)).await?;
    Ok(Redirect::to("/reports/units?saved=1").into_response())
}
