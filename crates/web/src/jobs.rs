//! The scan queue as supervisors see it (`/jobs`): how many dossier jobs
//! are queued, running, waiting to be retried, done and dead, and each
//! job's worker, attempts and last error. Jobs exist when the store is
//! PostgreSQL and dossiers are scanned by `anjuan worker`s; on one PC
//! (`anjuan scan` writing folders) the page says so. A dead job can be put
//! back on the queue (`POST /jobs/{id}/requeue`) once its cause is fixed.

use crate::pages::{page, CsrfForm, Session};
use crate::{blocking, App, AppError};
use anjuan_store::{Role, ScanJob};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// The most jobs listed; the counts cover all.
const LISTED: usize = 500;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/jobs", get(jobs_page))
        .route("/jobs/{id}/requeue", post(requeue))
}

/// The states in the order a job goes through them, with their names.
const STATES: [(&str, &str); 5] = [
    ("queued", "排队 queued"),
    ("running", "扫描中 running"),
    ("retrying", "待重试 retrying"),
    ("done", "完成 done"),
    ("dead", "失败待查 dead"),
];

#[derive(Template)]
#[template(path = "jobs.html")]
struct JobsPage {
    s: Session,
    counts: Vec<(&'static str, &'static str, usize)>,
    jobs: Vec<ScanJob>,
    total: usize,
}

impl JobsPage {
    fn state_name(&self, state: &str) -> &'static str {
        STATES
            .iter()
            .find(|s| s.0 == state)
            .map(|s| s.1)
            .unwrap_or("?")
    }

    fn when(&self, ms: &i64) -> String {
        time_of(*ms)
    }
}

/// `YYYY-MM-DD HH:MM` in China Standard Time.
fn time_of(ms: i64) -> String {
    let minutes = (ms + 8 * 3_600_000).div_euclid(60_000).rem_euclid(24 * 60);
    format!(
        "{} {:02}:{:02}",
        anjuan_report::period::date_of(ms),
        minutes / 60,
        minutes % 60
    )
}

async fn jobs_page(State(app): State<Arc<App>>, s: Session) -> Result<Response, AppError> {
    s.require(&[Role::Supervisor, Role::Admin])?;
    let store = app.store.clone();
    let mut jobs = blocking(move || Ok(store.scan_jobs()?)).await?;
    let counts = STATES
        .iter()
        .map(|(k, name)| (*k, *name, jobs.iter().filter(|j| j.state == *k).count()))
        .collect();
    let total = jobs.len();
    // The ones a person should look at first: dead, then the live ones.
    jobs.sort_by_key(|j| {
        (
            STATES.iter().position(|s| s.0 == j.state) != Some(4),
            j.state == "done",
            std::cmp::Reverse(j.updated_ms),
        )
    });
    jobs.truncate(LISTED);
    page(JobsPage {
        s,
        counts,
        jobs,
        total,
    })
}

/// A dead job back on the queue, its attempts counted anew; who did it is
/// kept with the archived dead letter.
async fn requeue(
    State(app): State<Arc<App>>,
    s: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    s.check_post(&headers, &f.csrf)?;
    s.require(&[Role::Supervisor, Role::Admin])?;
    let store = app.store.clone();
    let by = s.user.id;
    if !blocking(move || Ok(store.requeue_scan_job(id, by)?)).await? {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            format!("job {id} is not dead (someone may have requeued it already); reload the page"),
        ));
    }
    Ok(Redirect::to("/jobs").into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_china_standard_time() {
        // 2024-07-04 16:30 UTC is 2024-07-05 00:30 in 蒲县.
        assert_eq!(super::time_of(1_720_110_600_000), "2024-07-05 00:30");
    }
}
