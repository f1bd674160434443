//! anjuan-web: the reviewers' app (`anjuan serve`).
//!
//! Server-rendered pages (askama templates in `templates/`, escaped by
//! default) over an [`anjuan_store::Store`]; a small stylesheet and script
//! of our own in `static/`, compiled in; nothing fetched at run time.
//!
//! - [`auth`]: passwords, sessions, the cross-site defence.
//! - [`cli`]: `anjuan serve`, `anjuan import`, `anjuan user`.
//! - [`pages`]: the routes and what each page shows.
//! - [`score`]: a reviewer's live score from their decisions.
//! - [`sheet`]: the 评查表 of a review (deductions, basic standards, grade).
//! - [`review`]: two reviews become one: reconcile, sign, close, acknowledge; the 评查表 and the exports.
//! - [`supervise`]: the supervisors' reports (gaps across units, half-year report, rectification, …) as pages and exports.
//!
//! Every route but the login page and the static files needs a session;
//! every state change is a POST checked by [`auth::same_origin`] and the
//! form's token. Files are addressed by the store's ids only.

pub mod auth;
pub mod cli;
pub mod pages;
pub mod pdf;
pub mod review;
pub mod score;
pub mod supervise;
pub use anjuan_report::sheet;

use anjuan_store::{Store, StoreError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// What every handler shares.
pub struct App {
    pub store: Arc<dyn Store>,
    /// Where scans are written (`anjuan serve --scans DIR`): its folders
    /// holding an `index.json` can be imported from the page. None: import
    /// with `anjuan import` only.
    pub scans: Option<std::path::PathBuf>,
}

impl App {
    /// The scan folders the page offers to import: names of the folders of
    /// `scans` with an `index.json`, sorted. A request names one of these;
    /// no path from a request reaches the file system otherwise.
    pub fn scan_runs(&self) -> Vec<String> {
        let Some(dir) = &self.scans else {
            return Vec::new();
        };
        let mut runs: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().join("index.json").is_file())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        runs.sort();
        runs
    }
}

/// The largest request body accepted (a form; nothing is uploaded).
pub const BODY_LIMIT: usize = 256 * 1024;

/// The router of the app over `app`.
pub fn router(app: Arc<App>) -> axum::Router {
    pages::routes()
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(app)
}

/// Headers on every response: no framing, no sniffing, scripts and styles
/// from this server only.
async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    for (k, v) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        h.insert(k, HeaderValue::from_static(v));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Serves `app` on `addr` until Ctrl-C; `ready` is told the bound address
/// (port 0 picks one).
pub async fn serve(
    app: Arc<App>,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    ready(listener.local_addr()?);
    axum::serve(listener, router(app))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// An error a handler answers with: a status and a message for the user.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub message: String,
}

impl AppError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        AppError {
            status,
            message: message.into(),
        }
    }
    pub fn not_found(what: impl Into<String>) -> Self {
        AppError::new(StatusCode::NOT_FOUND, format!("{}: not found", what.into()))
    }
    pub fn forbidden(why: impl Into<String>) -> Self {
        AppError::new(StatusCode::FORBIDDEN, why)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let status = match &e {
            StoreError::Stale { .. } => StatusCode::CONFLICT,
            StoreError::NotFound(_) => StatusCode::NOT_FOUND,
            StoreError::Refused(_) => StatusCode::FORBIDDEN,
            StoreError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            StoreError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        AppError::new(status, e.to_string())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("page: {e}"))
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    reason: &'a str,
    message: &'a str,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            status: self.status.as_u16(),
            reason: self.status.canonical_reason().unwrap_or(""),
            message: &self.message,
        };
        let body = askama::Template::render(&page).unwrap_or_else(|_| self.message.clone());
        (self.status, Html(body)).into_response()
    }
}

/// Runs blocking store work off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("worker: {e}")))?
}
