//! The scan queue: jobs in `scan_jobs` (the store's table, shown in the app),
//! their messages in pgmq's queue `anjuan_scan`, dead letters in
//! `anjuan_scan_dead`.

use anjuan_store::{DossierId, NewDossier};
use pgmq::PGMQueueExt;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Row};
use std::time::Duration;

/// pgmq's queue of scan jobs, and where jobs go after their last attempt
/// (named by the store, which requeues dead jobs for the app).
pub use anjuan_store::postgres::{SCAN_DEAD as DEAD, SCAN_QUEUE as QUEUE};

/// A job's message on the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobMessage {
    /// `scan_jobs.id`.
    pub job: i64,
    /// The dossier: a PDF or a folder of page images, as every worker sees
    /// it (a shared mount).
    pub source: String,
    pub folder_unit: Option<String>,
}

/// A job a worker holds until its lease ends.
#[derive(Debug, Clone)]
pub struct Lease {
    pub msg_id: i64,
    /// pgmq's count of reads of the message when this worker read it: the
    /// fencing token of every later step.
    pub read_ct: i32,
    pub job: JobMessage,
}

/// What became of a commit.
#[derive(Debug, Clone, PartialEq)]
pub enum Commit {
    /// The dossier is in the store (new, or the same input already there).
    Done(DossierId),
    /// The lease was lost (another worker read the job since, or committed
    /// it): nothing was written.
    Refused(String),
}

/// What became of a failed attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// It will be tried again after the delay.
    Retrying,
    /// Its attempts are used up: a dead letter.
    Dead,
    /// The lease was lost meanwhile: another worker has the job.
    Lost,
}

pub struct Queue {
    pool: PgPool,
    mq: PGMQueueExt,
    url: String,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Queue {
    /// Connects, brings the store's schema up to date (the job table is the
    /// store's) and installs pgmq and the two queues if they are missing.
    /// Safe to run from many workers at once.
    pub async fn connect(url: &str, connections: u32) -> anyhow::Result<Queue> {
        let shown = anjuan_store::postgres::redacted(url);
        {
            // The store's migrations (its own advisory lock); PgStore is
            // synchronous, so off the async threads.
            let u = url.to_string();
            tokio::task::spawn_blocking(move || anjuan_store::postgres::PgStore::connect(&u))
                .await?
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        let pool = PgPoolOptions::new()
            .max_connections(connections.max(2))
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await
            .map_err(|e| anyhow::anyhow!("{shown}: cannot connect: {e}"))?;
        let mq = PGMQueueExt::new_with_pool(pool.clone()).await;
        // One installer at a time: a session lock held on one connection
        // while pgmq's installer runs on others.
        let mut lock = pool.acquire().await?;
        sqlx::query("SELECT pg_advisory_lock(hashtext('anjuan: pgmq install'))")
            .execute(&mut *lock)
            .await?;
        let installed = async {
            mq.install_sql_from_embedded()
                .await
                .map_err(|e| anyhow::anyhow!("{shown}: installing pgmq: {e}"))?;
            for q in [QUEUE, DEAD] {
                mq.create(q)
                    .await
                    .map_err(|e| anyhow::anyhow!("{shown}: making queue {q}: {e}"))?;
            }
            anyhow::Ok(())
        }
        .await;
        sqlx::query("SELECT pg_advisory_unlock(hashtext('anjuan: pgmq install'))")
            .execute(&mut *lock)
            .await?;
        installed?;
        Ok(Queue {
            pool,
            mq,
            url: shown,
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Puts a job on the queue: its row and its message in one transaction.
    pub async fn enqueue(&self, source: &str, folder_unit: Option<&str>) -> anyhow::Result<i64> {
        let mut tx = self.pool.begin().await?;
        let now = now_ms();
        let job: i64 = sqlx::query(
            "INSERT INTO scan_jobs (source, folder_unit, state, attempts, enqueued_ms, updated_ms) \
             VALUES ($1, $2, 'queued', 0, $3, $3) RETURNING id",
        )
        .bind(source)
        .bind(folder_unit)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?
        .get(0);
        let msg = JobMessage {
            job,
            source: source.to_string(),
            folder_unit: folder_unit.map(str::to_string),
        };
        self.mq.send_with_cxn(QUEUE, &msg, &mut *tx).await?;
        tx.commit().await?;
        Ok(job)
    }

    /// Takes the next job, invisible to others for `lease`. A job read more
    /// than `max_attempts` times (workers lost on it) is made a dead letter
    /// on the way, and the next one taken.
    pub async fn take(
        &self,
        lease: Duration,
        worker: &str,
        max_attempts: i32,
    ) -> anyhow::Result<Option<Lease>> {
        loop {
            let Some(m) = self.mq.read::<JobMessage>(QUEUE, lease_secs(lease)).await? else {
                return Ok(None);
            };
            let lease = Lease {
                msg_id: m.msg_id,
                read_ct: m.read_ct,
                job: m.message,
            };
            if lease.read_ct > max_attempts {
                let last: Option<String> =
                    sqlx::query_scalar("SELECT error FROM scan_jobs WHERE id = $1")
                        .bind(lease.job.job)
                        .fetch_optional(&self.pool)
                        .await?
                        .flatten();
                let why = format!(
                    "given up after {} attempts (a worker was lost or stopped on it each time){}",
                    lease.read_ct - 1,
                    last.map(|l| format!("; last error: {l}"))
                        .unwrap_or_default()
                );
                self.bury(&lease, &why).await?;
                continue;
            }
            sqlx::query(
                "UPDATE scan_jobs SET state = 'running', attempts = $2, worker = $3, updated_ms = $4 \
                 WHERE id = $1 AND state NOT IN ('done', 'dead')",
            )
            .bind(lease.job.job)
            .bind(lease.read_ct)
            .bind(worker)
            .bind(now_ms())
            .execute(&self.pool)
            .await?;
            return Ok(Some(lease));
        }
    }

    /// Locks the lease's message in `tx` and tells whether the lease still
    /// holds: the message is there and nobody read it since.
    async fn fence(
        tx: &mut sqlx::PgConnection,
        lease: &Lease,
    ) -> anyhow::Result<Result<(), String>> {
        let row: Option<i32> = sqlx::query_scalar(&format!(
            "SELECT read_ct FROM pgmq.q_{QUEUE} WHERE msg_id = $1 FOR UPDATE"
        ))
        .bind(lease.msg_id)
        .fetch_optional(&mut *tx)
        .await?;
        Ok(match row {
            None => Err(format!(
                "job {}: finished by another worker (its message is archived)",
                lease.job.job
            )),
            Some(n) if n != lease.read_ct => Err(format!(
                "job {}: lease lost (read {} times since this worker took it at read {})",
                lease.job.job,
                n - lease.read_ct,
                lease.read_ct
            )),
            Some(_) => Ok(()),
        })
    }

    /// Extends the lease by `lease` from now, if it still holds.
    pub async fn renew(&self, l: &Lease, lease: Duration) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        if Self::fence(&mut tx, l).await?.is_err() {
            return Ok(false);
        }
        self.mq
            .set_vt_with_cxn::<_, serde_json::Value>(QUEUE, l.msg_id, lease_secs(lease), &mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Commits a scanned dossier, exactly once: fence, import, job done,
    /// message archived, in one transaction.
    pub async fn commit(
        &self,
        l: &Lease,
        dossier: &NewDossier,
        worker: &str,
    ) -> anyhow::Result<Commit> {
        let mut tx = self.pool.begin().await?;
        if let Err(why) = Self::fence(&mut tx, l).await? {
            return Ok(Commit::Refused(why));
        }
        let id = anjuan_store::postgres::import_in(&mut tx, dossier)
            .await
            .map_err(|e| anyhow::anyhow!("job {}: import: {e}", l.job.job))?
            .id();
        let updated = sqlx::query(
            "UPDATE scan_jobs SET state = 'done', dossier_id = $2, worker = $3, updated_ms = $4, error = NULL \
             WHERE id = $1 AND dossier_id IS NULL",
        )
        .bind(l.job.job)
        .bind(id)
        .bind(worker)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated != 1 {
            return Ok(Commit::Refused(format!(
                "job {}: already committed",
                l.job.job
            )));
        }
        self.mq.archive_with_cxn(QUEUE, l.msg_id, &mut *tx).await?;
        tx.commit().await?;
        Ok(Commit::Done(id))
    }

    /// Records a failed attempt: retried after `retry_after`, or, when this
    /// was the last of `max_attempts`, a dead letter.
    pub async fn fail(
        &self,
        l: &Lease,
        error: &str,
        max_attempts: i32,
        retry_after: Duration,
    ) -> anyhow::Result<Failure> {
        if l.read_ct >= max_attempts {
            return Ok(match self.bury(l, error).await? {
                true => Failure::Dead,
                false => Failure::Lost,
            });
        }
        let mut tx = self.pool.begin().await?;
        if Self::fence(&mut tx, l).await?.is_err() {
            return Ok(Failure::Lost);
        }
        self.mq
            .set_vt_with_cxn::<_, serde_json::Value>(
                QUEUE,
                l.msg_id,
                retry_after.as_secs().min(i32::MAX as u64) as i32,
                &mut *tx,
            )
            .await?;
        sqlx::query(
            "UPDATE scan_jobs SET state = 'retrying', error = $2, updated_ms = $3 WHERE id = $1",
        )
        .bind(l.job.job)
        .bind(error)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Failure::Retrying)
    }

    /// Makes the job a dead letter (if the lease holds): its message to the
    /// dead queue, archived from the live one, the job `dead` with `why`.
    async fn bury(&self, l: &Lease, why: &str) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        if Self::fence(&mut tx, l).await?.is_err() {
            return Ok(false);
        }
        let mut dead = serde_json::to_value(&l.job)?;
        dead["error"] = why.into();
        self.mq.send_with_cxn(DEAD, &dead, &mut *tx).await?;
        self.mq.archive_with_cxn(QUEUE, l.msg_id, &mut *tx).await?;
        sqlx::query(
            "UPDATE scan_jobs SET state = 'dead', error = $2, updated_ms = $3 WHERE id = $1",
        )
        .bind(l.job.job)
        .bind(why)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Jobs not yet done or dead (queued, running or waiting to be retried).
    pub async fn open_jobs(&self) -> anyhow::Result<i64> {
        Ok(
            sqlx::query_scalar(
                "SELECT count(*) FROM scan_jobs WHERE state NOT IN ('done', 'dead')",
            )
            .fetch_one(&self.pool)
            .await?,
        )
    }
}

fn lease_secs(d: Duration) -> i32 {
    d.as_secs().clamp(1, i32::MAX as u64) as i32
}

#[cfg(test)]
mod fencing {
    //! The queue's guarantees on a real PostgreSQL (a throw-away cluster).
    use super::*;
    use anjuan_store::pgcluster::Cluster;

    fn dossier(sha: &str) -> NewDossier {
        let review = serde_json::json!({
            "schema": anjuan_core::contract::REVIEW_SCHEMA,
            "dossier": {"id": sha, "source": format!("/archive/{sha}.pdf"), "sha256": sha, "page_count": 1},
            "case_kind": "penalty",
            "pages": [{
                "page": 1, "doc_type": "other", "document": null, "printed_page_number": null,
                "ocr": {"engine": "ppocr-v4", "dpi": 300, "rotation": 0, "size": [2480, 3508],
                        "mean_confidence": 0.9, "text_file": "pages/0001.txt"}
            }],
            "documents": [], "findings": [], "manual": [], "not_applicable": [],
            "score": {"draft": 100.0, "grade": "优秀", "basic_breach_suspected": false}
        });
        NewDossier {
            review_json: review.to_string(),
            page_texts: vec!["第1页".into()],
            page_views: vec![None],
            folder_unit: None,
        }
    }

    async fn queue(name: &str) -> Queue {
        let url = Cluster::shared().unwrap().new_database(name).unwrap();
        Queue::connect(&url, 4).await.unwrap()
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    async fn state(q: &Queue, job: i64) -> (String, i32, Option<i64>) {
        let r = sqlx::query("SELECT state, attempts, dossier_id FROM scan_jobs WHERE id = $1")
            .bind(job)
            .fetch_one(q.pool())
            .await
            .unwrap();
        (r.get(0), r.get(1), r.get(2))
    }

    /// A worker takes the next job and fails it with `error` (retried at
    /// once): the job's read count and what became of it.
    async fn take_and_fail(q: &Queue, error: &str, max_attempts: i32) -> (i32, Failure) {
        let l = q
            .take(Duration::from_secs(30), "w", max_attempts)
            .await
            .unwrap()
            .unwrap();
        let what = q
            .fail(&l, error, max_attempts, Duration::ZERO)
            .await
            .unwrap();
        (l.read_ct, what)
    }

    #[test]
    fn a_late_worker_is_refused_and_a_dossier_is_committed_once() {
        rt().block_on(async {
            let q = queue("fence_late").await;
            let job = q.enqueue("/archive/a.pdf", None).await.unwrap();
            let first = q
                .take(Duration::from_secs(1), "w1", 3)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(first.read_ct, 1);
            // Invisible while leased.
            assert!(q
                .take(Duration::from_secs(1), "w2", 3)
                .await
                .unwrap()
                .is_none());
            // w1 stalls past its lease; w2 takes the job.
            tokio::time::sleep(Duration::from_millis(1300)).await;
            let second = q
                .take(Duration::from_secs(30), "w2", 3)
                .await
                .unwrap()
                .unwrap();
            assert_eq!((second.msg_id, second.read_ct), (first.msg_id, 2));
            // w1 wakes: its heartbeat and its commit are refused.
            assert!(!q.renew(&first, Duration::from_secs(30)).await.unwrap());
            let late = q
                .commit(&first, &dossier(&"a".repeat(64)), "w1")
                .await
                .unwrap();
            assert!(
                matches!(&late, Commit::Refused(w) if w.contains("lease lost")),
                "{late:?}"
            );
            assert_eq!(state(&q, job).await, ("running".into(), 2, None));
            // w2 commits; a second commit of the same lease is refused.
            let Commit::Done(id) = q
                .commit(&second, &dossier(&"a".repeat(64)), "w2")
                .await
                .unwrap()
            else {
                panic!("w2's commit refused");
            };
            assert_eq!(state(&q, job).await, ("done".into(), 2, Some(id)));
            let again = q
                .commit(&second, &dossier(&"a".repeat(64)), "w2")
                .await
                .unwrap();
            assert!(
                matches!(&again, Commit::Refused(w) if w.contains("archived")),
                "{again:?}"
            );
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM dossiers")
                .fetch_one(q.pool())
                .await
                .unwrap();
            assert_eq!(n, 1);
            assert!(q
                .take(Duration::from_secs(1), "w3", 3)
                .await
                .unwrap()
                .is_none());
            assert_eq!(q.open_jobs().await.unwrap(), 0);
        });
    }

    #[test]
    fn failures_are_retried_then_dead_lettered_and_lost_workers_count() {
        rt().block_on(async {
            let q = queue("fence_dead").await;
            let failing = q.enqueue("/archive/bad.pdf", None).await.unwrap();
            for attempt in 1..=3 {
                let (read_ct, what) = take_and_fail(&q, "bad.pdf: not a PDF", 3).await;
                assert_eq!(read_ct, attempt);
                let want = if attempt < 3 {
                    Failure::Retrying
                } else {
                    Failure::Dead
                };
                assert_eq!(what, want);
            }
            let (s, attempts, _) = state(&q, failing).await;
            assert_eq!((s.as_str(), attempts), ("dead", 3));
            // A job whose workers are lost (leases run out) three times is
            // dead on the fourth read, with the last error kept.
            let lost = q.enqueue("/archive/crash.pdf", None).await.unwrap();
            for _ in 0..3 {
                q.take(Duration::from_secs(1), "w", 3)
                    .await
                    .unwrap()
                    .unwrap();
                tokio::time::sleep(Duration::from_millis(1100)).await;
            }
            assert!(q
                .take(Duration::from_secs(1), "w", 3)
                .await
                .unwrap()
                .is_none());
            let (s, _, _) = state(&q, lost).await;
            assert_eq!(s, "dead");
            let dead: Vec<serde_json::Value> = sqlx::query_scalar(&format!(
                "SELECT message FROM pgmq.q_{DEAD} ORDER BY msg_id"
            ))
            .fetch_all(q.pool())
            .await
            .unwrap();
            assert_eq!(dead.len(), 2);
            assert_eq!(dead[0]["error"], "bad.pdf: not a PDF");
            assert!(dead[1]["error"]
                .as_str()
                .unwrap()
                .contains("given up after 3 attempts"));
            assert_eq!(q.open_jobs().await.unwrap(), 0);
        });
    }

    #[test]
    fn a_dead_job_requeued_from_the_app_is_taken_afresh_and_committed_once() {
        rt().block_on(async {
            let url = Cluster::shared().unwrap().new_database("requeue").unwrap();
            let q = Queue::connect(&url, 4).await.unwrap();
            let job = q
                .enqueue("/archive/单位甲/missing.pdf", Some("单位甲"))
                .await
                .unwrap();
            for _ in 1..=2 {
                take_and_fail(&q, "missing.pdf: no such file", 2).await;
            }
            assert_eq!(state(&q, job).await.0, "dead");
            // The app's store (synchronous: off the async threads).
            let store = {
                let url = url.clone();
                tokio::task::spawn_blocking(move || anjuan_store::PgStore::connect(&url).unwrap())
                    .await
                    .unwrap()
            };
            let store = std::sync::Arc::new(store);
            let boss = {
                let store = store.clone();
                tokio::task::spawn_blocking(move || {
                    use anjuan_store::{Role, Store};
                    store.add_user("王五", Role::Supervisor, "x").unwrap()
                })
                .await
                .unwrap()
            };
            let requeue = |job: i64| {
                let store = store.clone();
                async move {
                    tokio::task::spawn_blocking(move || {
                        anjuan_store::Store::requeue_scan_job(&*store, job, boss).unwrap()
                    })
                    .await
                    .unwrap()
                }
            };
            assert!(requeue(job).await);
            assert!(!requeue(job).await, "requeued once, not twice");
            assert!(!requeue(job + 100).await, "no such job");
            assert_eq!(state(&q, job).await, ("queued".into(), 0, None));
            // The dead letter is archived, not deleted.
            let (live, archived): (i64, i64) = sqlx::query_as(&format!(
                "SELECT (SELECT count(*) FROM pgmq.q_{DEAD}), (SELECT count(*) FROM pgmq.a_{DEAD})"
            ))
            .fetch_one(q.pool())
            .await
            .unwrap();
            assert_eq!((live, archived), (0, 1));
            let kept: serde_json::Value =
                sqlx::query_scalar(&format!("SELECT message FROM pgmq.a_{DEAD}"))
                    .fetch_one(q.pool())
                    .await
                    .unwrap();
            assert_eq!(kept["error"], "missing.pdf: no such file");
            assert_eq!(kept["requeued_by"], "王五");
            // A worker takes it as a new job: attempts counted anew, the
            // same source and unit; its commit is taken once.
            let l = q
                .take(Duration::from_secs(30), "w2", 2)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(l.read_ct, 1);
            assert_eq!(
                l.job,
                JobMessage {
                    job,
                    source: "/archive/单位甲/missing.pdf".into(),
                    folder_unit: Some("单位甲".into()),
                }
            );
            let Commit::Done(id) = q.commit(&l, &dossier(&"b".repeat(64)), "w2").await.unwrap()
            else {
                panic!("the requeued job's commit refused");
            };
            assert_eq!(state(&q, job).await, ("done".into(), 1, Some(id)));
            assert!(!requeue(job).await, "a done job stays done");
            assert_eq!(q.open_jobs().await.unwrap(), 0);
        });
    }
}
