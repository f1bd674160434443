//! The routes and their pages.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /login`, `POST /login`, `POST /logout` | anyone | sessions |
//! | `GET /` | signed in | a reviewer's assignments; all dossiers and rounds for supervisors and admins |
//! | `GET /rounds/{id}`, `POST /rounds`, `POST /rounds/{id}/assign` | supervisor, admin | review rounds and who reviews what |
//! | `POST /import` | supervisor, admin | imports a scan folder of `--scans`, named as the home page lists it |
//! | `GET /a/{id}` | the assignment's reviewer | the dossier page: documents, findings, page text, decisions |
//! | `POST /a/{id}/decide`, `POST /a/{id}/submit` | the assignment's reviewer | a decision; handing the review in |
//! | `GET /d/{id}/view/{page}` | the dossier's reviewers, supervisors, admins | the page as OCR read it (JPEG) |
//! | `GET /static/...` | anyone | the stylesheet and script |

use crate::auth::{self, csrf_token, same_origin, session_cookie, token_hash};
use crate::score::{live_score, LiveScore};
use crate::{blocking, App, AppError};
use anjuan_core::contract::{FindingKind, FindingStatus, Review};
use anjuan_store::{
    current_state, latest_seq, Action, Assignment, Decision, DossierRow, Mark, NewDecision,
    NewRound, Role, Round, Store, User,
};
use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use std::sync::Arc;

type AppState = Arc<App>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(crate::review::routes())
        .merge(crate::supervise::routes())
        .merge(crate::jobs::routes())
        .route("/", get(home))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/rounds", post(create_round))
        .route("/import", post(import))
        .route("/rounds/{id}", get(round_page))
        .route("/rounds/{id}/assign", post(assign))
        .route("/a/{id}", get(dossier_page))
        .route("/a/{id}/decide", post(decide))
        .route("/a/{id}/submit", post(submit))
        .route("/d/{id}/view/{page}", get(page_view))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .route("/static/form.css", get(form_css))
}

const CSS: &str = include_str!("../static/app.css");
const JS: &str = include_str!("../static/app.js");
const FORM_CSS: &str = include_str!("../static/form.css");

async fn css() -> Response {
    static_file("text/css; charset=utf-8", CSS)
}

async fn form_css() -> Response {
    static_file("text/css; charset=utf-8", FORM_CSS)
}

async fn js() -> Response {
    static_file("text/javascript; charset=utf-8", JS)
}

fn static_file(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// The signed-in user of a request, with their session's form token.
pub struct Session {
    pub user: User,
    pub csrf: String,
    token: String,
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let to_login = || Redirect::to("/login").into_response();
        let Some(token) = session_cookie(&parts.headers) else {
            return Err(to_login());
        };
        let store = app.store.clone();
        let hash = token_hash(&token);
        let user = blocking(move || Ok(store.session_user(&hash, now_ms())?))
            .await
            .map_err(IntoResponse::into_response)?;
        match user {
            Some(user) => Ok(Session {
                user,
                csrf: csrf_token(&token),
                token,
            }),
            None => Err(to_login()),
        }
    }
}

impl Session {
    /// A state change: from this site, with this session's form token.
    pub(crate) fn check_post(&self, headers: &HeaderMap, csrf: &str) -> Result<(), AppError> {
        if !same_origin(headers) || csrf != self.csrf {
            return Err(AppError::forbidden(
                "this form did not come from this page (reload the page and try again)",
            ));
        }
        Ok(())
    }

    pub(crate) fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(AppError::forbidden("your role does not allow this"))
        }
    }
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub(crate) fn page(t: impl Template) -> Result<Response, AppError> {
    Ok(Html(t.render()?).into_response())
}

// ---- login ------------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    error: Option<&'a str>,
    name: &'a str,
}

async fn login_page() -> Result<Response, AppError> {
    page(LoginPage {
        error: None,
        name: "",
    })
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    password: String,
}

async fn login(
    State(app): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    if !same_origin(&headers) {
        return Err(AppError::forbidden("sign in from this server's own page"));
    }
    let store = app.store.clone();
    let name = f.name.clone();
    let token = auth::new_token();
    let hash = token_hash(&token);
    let ok = blocking(move || {
        let user = store.user_by_name(&name)?;
        let phc = user
            .as_ref()
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| auth::dummy_hash().to_string());
        match user {
            Some(u) if auth::verify_password(&f.password, &phc) => {
                store.start_session(&hash, u.id, now_ms() + auth::SESSION_MS)?;
                Ok(true)
            }
            _ => {
                auth::verify_password(&f.password, &phc);
                Ok(false)
            }
        }
    })
    .await?;
    if !ok {
        let html = LoginPage {
            error: Some("用户名或密码不对 (wrong name or password)"),
            name: &f.name,
        }
        .render()?;
        return Ok((StatusCode::UNAUTHORIZED, Html(html)).into_response());
    }
    Ok((
        [(header::SET_COOKIE, auth::set_cookie(&token))],
        Redirect::to("/"),
    )
        .into_response())
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    pub(crate) csrf: String,
}

async fn logout(
    State(app): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    s.check_post(&headers, &f.csrf)?;
    let store = app.store.clone();
    let hash = token_hash(&s.token);
    blocking(move || Ok(store.end_session(&hash)?)).await?;
    Ok((
        [(header::SET_COOKIE, auth::clear_cookie())],
        Redirect::to("/login"),
    )
        .into_response())
}

// ---- home ---------------------------------------------------------------

struct AssignmentLine {
    assignment: Assignment,
    round: String,
    dossier: DossierRow,
    decided: usize,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    s: Session,
    mine: Vec<AssignmentLine>,
    rounds: Vec<Round>,
    dossiers: Vec<DossierRow>,
    supervising: bool,
    /// Scan folders to import (`--scans`), and whether import is offered.
    runs: Vec<String>,
    import_offered: bool,
    imported: Option<String>,
}

#[derive(Deserialize)]
struct HomeQuery {
    imported: Option<String>,
}

async fn home(
    State(app): State<AppState>,
    s: Session,
    Query(q): Query<HomeQuery>,
) -> Result<Response, AppError> {
    let runs = if !s.user.role.supervises() {
        Vec::new()
    } else {
        app.scan_runs()
    };
    let store = app.store.clone();
    let (user, role) = (s.user.id, s.user.role);
    let (mine, rounds, dossiers) = blocking(move || {
        let mut mine = Vec::new();
        for a in store.assignments_of_reviewer(user)? {
            let dossier = store
                .dossier(a.dossier_id)?
                .ok_or_else(|| AppError::not_found(format!("dossier {}", a.dossier_id)))?;
            let round = store.round(a.round_id)?.map(|r| r.name).unwrap_or_default();
            let decided = current_state(&store.decisions(a.id)?).len();
            mine.push(AssignmentLine {
                assignment: a,
                round,
                dossier,
                decided,
            });
        }
        let (rounds, dossiers) = if !role.supervises() {
            (Vec::new(), Vec::new())
        } else {
            (store.rounds()?, store.dossiers()?)
        };
        Ok((mine, rounds, dossiers))
    })
    .await?;
    let supervising = s.user.role.supervises();
    page(HomePage {
        s,
        mine,
        rounds,
        dossiers,
        supervising,
        runs,
        import_offered: app.scans.is_some(),
        imported: q.imported,
    })
}

#[derive(Deserialize)]
struct ImportForm {
    csrf: String,
    run: String,
}

async fn import(
    State(app): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Form(f): Form<ImportForm>,
) -> Result<Response, AppError> {
    s.check_post(&headers, &f.csrf)?;
    s.require(&[Role::Supervisor, Role::Admin])?;
    // Only a folder the listing offers, by its name: the request's text is
    // compared, never joined to a path.
    let name = app
        .scan_runs()
        .into_iter()
        .find(|r| *r == f.run)
        .ok_or_else(|| AppError::not_found(format!("scan folder {:?}", f.run)))?;
    let dir = app
        .scans
        .as_ref()
        .expect("listed, so configured")
        .join(&name);
    let store = app.store.clone();
    let outcomes = blocking(move || {
        anjuan_store::import_run(store.as_ref(), &dir)
            .map_err(|e| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, e))
    })
    .await?;
    let (mut new, mut known, mut failed) = (0, 0, Vec::new());
    for o in outcomes {
        match o.result {
            Ok(anjuan_store::Imported::New(_)) => new += 1,
            Ok(anjuan_store::Imported::Existing(_)) => known += 1,
            Err(e) => failed.push(e),
        }
    }
    let mut msg = format!("{name}: 新导入 {new} 份，已有 {known} 份");
    if !failed.is_empty() {
        msg.push_str(&format!("，{} 份失败：{}", failed.len(), failed.join("；")));
    }
    let q: String = url_encode(&msg);
    Ok(Redirect::to(&format!("/?imported={q}")).into_response())
}

/// Percent-encoding of a query value.
fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ---- rounds -------------------------------------------------------------

#[derive(Deserialize)]
struct RoundForm {
    csrf: String,
    name: String,
    period_start: String,
    period_end: String,
    units: String,
    #[serde(default)]
    place: String,
}

async fn create_round(
    State(app): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Form(f): Form<RoundForm>,
) -> Result<Response, AppError> {
    s.check_post(&headers, &f.csrf)?;
    s.require(&[Role::Supervisor, Role::Admin])?;
    let store = app.store.clone();
    let round = NewRound {
        name: f.name,
        period_start: f.period_start,
        period_end: f.period_end,
        units: f
            .units
            .split(['\n', '，', ','])
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .collect(),
        created_by: s.user.id,
        place: f.place,
    };
    let id = blocking(move || Ok(store.create_round(&round)?)).await?;
    Ok(Redirect::to(&format!("/rounds/{id}")).into_response())
}

struct RoundLine {
    dossier: DossierRow,
    reviewers: Vec<(String, bool)>,
    all_submitted: bool,
}

#[derive(Template)]
#[template(path = "round.html")]
struct RoundPage {
    s: Session,
    round: Round,
    lines: Vec<RoundLine>,
    reviewers: Vec<User>,
}

async fn round_page(
    State(app): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    s.require(&[Role::Supervisor, Role::Admin])?;
    let store = app.store.clone();
    let (round, lines, reviewers) = blocking(move || {
        let round = store
            .round(id)?
            .ok_or_else(|| AppError::not_found(format!("round {id}")))?;
        let users = store.users()?;
        let name_of = |uid: i64| {
            users
                .iter()
                .find(|u| u.id == uid)
                .map(|u| u.name.clone())
                .unwrap_or_default()
        };
        let mut lines = Vec::new();
        for dossier in store.dossiers()? {
            let reviewers: Vec<(String, bool)> = store
                .assignments_of_dossier(id, dossier.id)?
                .into_iter()
                .map(|a| (name_of(a.reviewer_id), a.submitted_ms.is_some()))
                .collect();
            let all_submitted = !reviewers.is_empty() && reviewers.iter().all(|r| r.1);
            lines.push(RoundLine {
                dossier,
                reviewers,
                all_submitted,
            });
        }
        let reviewers = users
            .iter()
            .filter(|u| u.role == Role::Reviewer)
            .cloned()
            .collect();
        Ok((round, lines, reviewers))
    })
    .await?;
    page(RoundPage {
        s,
        round,
        lines,
        reviewers,
    })
}

#[derive(Deserialize)]
struct AssignForm {
    csrf: String,
    dossier: i64,
    first: i64,
    second: i64,
}

async fn assign(
    State(app): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<AssignForm>,
) -> Result<Response, AppError> {
    s.check_post(&headers, &f.csrf)?;
    s.require(&[Role::Supervisor, Role::Admin])?;
    let store = app.store.clone();
    blocking(move || Ok(store.assign(id, f.dossier, &[f.first, f.second])?)).await?;
    Ok(Redirect::to(&format!("/rounds/{id}")).into_response())
}

// ---- the dossier page ------------------------------------------------------

/// One rubric item as the reviewer sees it: the machine's finding, if any,
/// and their own last decision.
pub struct ItemView {
    pub item: String,
    pub text: String,
    pub max_points: Option<f64>,
    pub basic: bool,
    pub finding: Option<FindingView>,
    pub state: Option<Decision>,
    pub base_seq: i64,
}

pub struct FindingView {
    pub needs_review: bool,
    pub points: Option<f64>,
    pub reason: String,
    pub confidence: f32,
    pub evidence: Vec<(Option<u32>, String)>,
}

/// An evidence box on the page shown: the item it belongs to, and the box in
/// pixels of the upright page (the frame of the page's `ocr.size`).
pub struct PageBox {
    pub item: String,
    /// `x, y, width, height`.
    pub rect: [u32; 4],
    pub needs_review: bool,
    /// A box the reviewer drew for a deduction they added.
    pub drawn: bool,
}

fn rect([x0, y0, x1, y1]: [u32; 4]) -> [u32; 4] {
    [x0, y0, x1.saturating_sub(x0), y1.saturating_sub(y0)]
}

/// The page shown on the dossier page: its view, its boxes, its text.
pub struct PageShown {
    pub no: u32,
    pub text: String,
    /// `[width, height]` of the upright page: the boxes' frame.
    pub size: [u32; 2],
    /// A scanned page has a view; a text-layer page has only its text.
    pub scanned: bool,
    pub boxes: Vec<PageBox>,
}

impl PageShown {
    pub fn new(review: &Review, no: u32, text: String, decisions: &[Decision]) -> PageShown {
        let entry = review.pages.get(no as usize - 1);
        let size = entry.and_then(|p| p.ocr.size).unwrap_or([2480, 3508]);
        let scanned = entry.is_some_and(|p| p.ocr.engine != "pdf-text-layer");
        let mut boxes: Vec<PageBox> = review
            .findings
            .iter()
            .flat_map(|f| {
                f.evidence.iter().filter_map(move |e| {
                    let bbox = e.bbox.filter(|_| e.page == Some(no))?;
                    Some(PageBox {
                        item: f.item.clone(),
                        rect: rect(bbox),
                        needs_review: f.status == FindingStatus::NeedsReview,
                        drawn: false,
                    })
                })
            })
            .collect();
        for d in current_state(decisions).values() {
            for m in d.marks.iter().filter(|m| m.page == no) {
                boxes.push(PageBox {
                    item: d.item.clone(),
                    rect: rect(m.bbox),
                    needs_review: false,
                    drawn: true,
                });
            }
        }
        PageShown {
            no,
            text,
            size,
            scanned,
            boxes,
        }
    }
}

#[derive(Template)]
#[template(path = "dossier.html")]
struct DossierPage {
    s: Session,
    assignment: Assignment,
    dossier: DossierRow,
    review: Review,
    items: Vec<ItemView>,
    manual: Vec<ItemView>,
    log: Vec<(Decision, String)>,
    score: LiveScore,
    page: PageShown,
    submitted: bool,
    /// The reviewer's next dossier still open, if any.
    next: Option<i64>,
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<u32>,
}

/// The assignment `id`, when it is `user`'s.
fn own(store: &dyn Store, id: i64, user: &User) -> Result<Assignment, AppError> {
    let a = store
        .assignment(id)?
        .ok_or_else(|| AppError::not_found(format!("assignment {id}")))?;
    if a.reviewer_id != user.id {
        return Err(AppError::forbidden(
            "this review is another reviewer's; each reviewer sees only their own until both have submitted",
        ));
    }
    Ok(a)
}

async fn dossier_page(
    State(app): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let store = app.store.clone();
    let user = s.user.clone();
    let view = blocking(move || {
        let a = own(store.as_ref(), id, &user)?;
        let dossier = store
            .dossier(a.dossier_id)?
            .ok_or_else(|| AppError::not_found(format!("dossier {}", a.dossier_id)))?;
        let review = store.review(a.dossier_id)?;
        let decisions = store.decisions(a.id)?;
        let page_no = q.page.unwrap_or(1).clamp(1, dossier.page_count.max(1));
        let page_text = store.page_text(a.dossier_id, page_no)?.unwrap_or_default();
        let users = store.users()?;
        let open: Vec<i64> = store
            .assignments_of_reviewer(user.id)?
            .into_iter()
            .filter(|o| o.submitted_ms.is_none() && o.id != a.id)
            .map(|o| o.id)
            .collect();
        let next = open.iter().find(|&&o| o > a.id).or(open.first()).copied();
        Ok((
            a, dossier, review, decisions, page_no, page_text, users, next,
        ))
    })
    .await?;
    let (assignment, dossier, review, decisions, page_no, page_text, users, next) = view;
    let (items, manual) = item_views(&review, &decisions);
    let score = live_score(&review, &decisions);
    let shown = PageShown::new(&review, page_no, page_text, &decisions);
    let log = decisions
        .iter()
        .rev()
        .map(|d| {
            let who = users
                .iter()
                .find(|u| u.id == d.by)
                .map(|u| u.name.clone())
                .unwrap_or_default();
            (d.clone(), who)
        })
        .collect();
    let submitted = assignment.submitted_ms.is_some();
    page(DossierPage {
        s,
        assignment,
        dossier,
        review,
        items,
        manual,
        log,
        score,
        page: shown,
        submitted,
        next,
    })
}

/// The findings (`needs_review` first, then by item), and the rubric's
/// manual items, each with the reviewer's last decision.
pub fn item_views(review: &Review, decisions: &[Decision]) -> (Vec<ItemView>, Vec<ItemView>) {
    let rubric = anjuan_rubric::Rubric::for_kind(review.case_kind, &[]);
    let state = current_state(decisions);
    let view = |item: &str, finding: Option<FindingView>| {
        let ri = rubric.and_then(|r| r.item(item));
        ItemView {
            item: item.to_string(),
            text: ri.map(|i| i.text.clone()).unwrap_or_default(),
            max_points: ri.and_then(|i| i.points),
            basic: ri.is_some_and(|i| i.basic),
            finding,
            state: state.get(item).map(|d| (*d).clone()),
            base_seq: latest_seq(decisions, item),
        }
    };
    let mut findings: Vec<&anjuan_core::contract::Finding> = review.findings.iter().collect();
    findings.sort_by_key(|f| (f.status != FindingStatus::NeedsReview, f.item.clone()));
    let items = findings
        .into_iter()
        .map(|f| {
            view(
                &f.item,
                Some(FindingView {
                    needs_review: f.status == FindingStatus::NeedsReview,
                    points: f.points.filter(|_| f.kind == FindingKind::Deduction),
                    reason: f.reason.clone(),
                    confidence: f.confidence,
                    evidence: f
                        .evidence
                        .iter()
                        .map(|e| (e.page, e.text.clone().unwrap_or_default()))
                        .collect(),
                }),
            )
        })
        .collect();
    let mut manual: Vec<ItemView> = review.manual.iter().map(|m| view(m, None)).collect();
    // Every basic standard is judged pass or fail by the reviewers, whether
    // the machine suspected a breach or not.
    if let Some(r) = rubric {
        for i in r.items.iter().filter(|i| i.basic) {
            let listed =
                review.findings.iter().any(|f| f.item == i.id) || review.manual.contains(&i.id);
            if !listed {
                manual.push(view(&i.id, None));
            }
        }
    }
    (items, manual)
}

#[derive(Deserialize)]
struct DecideForm {
    csrf: String,
    item: String,
    /// The button pressed; none is an unknown decision, told once the
    /// form's token has been checked (a form from elsewhere is refused as
    /// such first).
    #[serde(default)]
    action: String,
    #[serde(default)]
    points: String,
    #[serde(default)]
    reason: String,
    /// A box the reviewer drew: `page,x0,y0,x1,y1` in the page's pixels.
    #[serde(default)]
    mark: String,
    base_seq: i64,
}

/// A form's points: none when blank, else a number.
pub(crate) fn parse_points(item: &str, points: &str) -> Result<Option<f64>, AppError> {
    match points.trim() {
        "" => Ok(None),
        p => p.parse::<f64>().map(Some).map_err(|_| {
            AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{item}: points {p:?} are not a number"),
            )
        }),
    }
}

/// A decision's item is one of the file's rubric, and its points within
/// the item's.
pub(crate) fn check_item(review: &Review, item: &str, points: Option<f64>) -> Result<(), AppError> {
    let rubric = anjuan_rubric::Rubric::for_kind(review.case_kind, &[]);
    let known = review.findings.iter().any(|x| x.item == item)
        || review.manual.iter().any(|m| m == item)
        || rubric.is_some_and(|r| r.item(item).is_some());
    if !known {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{item}: no such item in this file's rubric"),
        ));
    }
    if let (Some(p), Some(max)) = (
        points,
        rubric.and_then(|r| r.item(item)).and_then(|i| i.points),
    ) {
        if p > max {
            return Err(AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{item}: {p} points is more than the item's {max}"),
            ));
        }
    }
    Ok(())
}

/// A drawn box, `page,x0,y0,x1,y1`, when it lies on a page of `review`.
fn parse_mark(s: &str, review: &Review) -> Result<Option<Mark>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || {
        AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("box {s:?} is not a box on a page"),
        )
    };
    let n: Vec<u32> = s
        .split(',')
        .map(|x| x.trim().parse::<u32>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let [page, x0, y0, x1, y1] = n[..] else {
        return Err(bad());
    };
    let entry = review
        .pages
        .get((page as usize).wrapping_sub(1))
        .ok_or_else(bad)?;
    let [w, h] = entry.ocr.size.unwrap_or([u32::MAX, u32::MAX]);
    if x0 >= x1 || y0 >= y1 || x1 > w || y1 > h {
        return Err(bad());
    }
    Ok(Some(Mark {
        page,
        bbox: [x0, y0, x1, y1],
    }))
}

async fn decide(
    State(app): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> Result<Response, AppError> {
    s.check_post(&headers, &f.csrf)?;
    let action = Action::parse(&f.action)
        .ok_or_else(|| AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "unknown decision"))?;
    let points = parse_points(&f.item, &f.points)?;
    let store = app.store.clone();
    let user = s.user.clone();
    let item = f.item.clone();
    blocking(move || {
        let a = own(store.as_ref(), id, &user)?;
        let review = store.review(a.dossier_id)?;
        check_item(&review, &f.item, points)?;
        let marks = parse_mark(&f.mark, &review)?.into_iter().collect();
        store.decide(&NewDecision {
            assignment: a.id,
            item: f.item,
            action,
            points,
            reason: f.reason,
            marks,
            base_seq: f.base_seq,
            by: user.id,
        })?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&format!("/a/{id}#item-{item}")).into_response())
}

async fn submit(
    State(app): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    s.check_post(&headers, &f.csrf)?;
    let store = app.store.clone();
    let user = s.user.clone();
    blocking(move || {
        let a = own(store.as_ref(), id, &user)?;
        Ok(store.submit(a.id, user.id)?)
    })
    .await?;
    Ok(Redirect::to(&format!("/a/{id}")).into_response())
}

/// Whether `user` may see dossier `id`: a supervisor or admin, or one of its
/// reviewers.
fn may_see(store: &dyn Store, id: i64, user: &User) -> Result<(), AppError> {
    if user.role.supervises()
        || store
            .assignments_of_reviewer(user.id)?
            .iter()
            .any(|a| a.dossier_id == id)
    {
        Ok(())
    } else {
        Err(AppError::forbidden("this dossier is not given to you"))
    }
}

async fn page_view(
    State(app): State<AppState>,
    s: Session,
    Path((id, page)): Path<(i64, u32)>,
) -> Result<Response, AppError> {
    let store = app.store.clone();
    let user = s.user.clone();
    let jpeg = blocking(move || {
        may_see(store.as_ref(), id, &user)?;
        store
            .page_view(id, page)?
            .ok_or_else(|| AppError::not_found(format!("dossier {id} page {page} view")))
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            // The view of a page never changes: the dossier is imported once.
            (header::CACHE_CONTROL, "private, max-age=86400"),
        ],
        jpeg,
    )
        .into_response())
}
