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
pub mod jobs;
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
            "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
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

/// How long a client has to send a request's head (its request line and
/// headers), and how long an idle kept-alive connection stays open: a
/// client that trickles its head (slowloris) is cut off after this.
pub const HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The most connections served at once; more wait in the listen queue. It
/// keeps the server's file descriptors for the database (whose readers
/// open files of their own) whatever clients do.
pub const MAX_CONNECTIONS: usize = 512;

/// The largest request head read (request line and headers): a larger one
/// is answered 431. Forms go in the body ([`BODY_LIMIT`]).
pub const HEAD_LIMIT: usize = 64 * 1024;

/// Serves `app` on `addr` until Ctrl-C; `ready` is told the bound address
/// (port 0 picks one).
///
/// HTTP/1.1 over hyper, each connection with a deadline for its request
/// heads ([`HEADER_TIMEOUT`]) and a bound on their size ([`HEAD_LIMIT`]),
/// at most [`MAX_CONNECTIONS`] at once; bodies are bounded by the router
/// ([`BODY_LIMIT`]). On Ctrl-C the server stops accepting, lets the
/// requests under way finish (10 s at most) and returns.
pub async fn serve(
    app: Arc<App>,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    ready(listener.local_addr()?);
    let router = router(app);
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot?,
            _ = &mut ctrl_c => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors or a connection reset before it
                // was taken: wait a little rather than spin.
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut ctrl_c => break,
        };
        let _ = stream.set_nodelay(true);
        while connections.try_join_next().is_some() {}
        let service = TowerToHyperService::new(router.clone());
        let mut stopped = stopped.clone();
        connections.spawn(async move {
            let _slot = slot;
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .max_buf_size(HEAD_LIMIT);
            let conn = http.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stopped.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while connections.join_next().await.is_some() {}
    })
    .await;
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
