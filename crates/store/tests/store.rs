//! The store's suite, on both backends: each case runs on a real SQLite
//! file in a temporary folder and on a fresh database of a throw-away
//! PostgreSQL cluster (`anjuan_store::pgcluster`; the PostgreSQL cases fail,
//! not skip, when its server is not installed). What only one backend has
//! is tested in `sqlite_only` and `store/postgres_only.rs`.

use anjuan_core::contract::*;
use anjuan_core::CaseKind;
use anjuan_store::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[path = "store/postgres_only.rs"]
mod postgres_only;

fn review(id: &str, sha: &str, pages: u32) -> Review {
    Review {
        schema: REVIEW_SCHEMA.to_string(),
        dossier: DossierInfo {
            id: id.to_string(),
            source: format!("/archive/{id}.pdf"),
            sha256: sha.to_string(),
            page_count: pages,
        },
        case_kind: CaseKind::Penalty,
        case: CaseInfo {
            agency: Some("蒲县市场监督管理局".into()),
            case_number: Some("蒲市监罚〔2024〕7号".into()),
            ..CaseInfo::default()
        },
        pages: (1..=pages)
            .map(|p| PageEntry {
                page: p,
                doc_type: "other".into(),
                document: Some(1),
                printed_page_number: Some(p),
                error: None,
                ocr: PageOcr {
                    engine: "ppocr-v4".into(),
                    dpi: 300,
                    rotation: Some(0),
                    size: Some([2480, 3508]),
                    mean_confidence: 0.95,
                    text_file: format!("pages/{p:04}.txt"),
                },
            })
            .collect(),
        documents: Vec::new(),
        findings: vec![Finding {
            item: "P-2.2.7".into(),
            kind: FindingKind::Deduction,
            status: FindingStatus::Suggested,
            points: Some(2.0),
            reason: "未载明执法证件号码".into(),
            confidence: 0.9,
            evidence: vec![Evidence {
                page: Some(1),
                bbox: Some([10, 20, 300, 60]),
                text: Some("<script>alert(1)</script>".into()),
            }],
        }],
        manual: vec!["P-4.1.1".into()],
        not_applicable: Vec::new(),
        score: Score {
            draft: 98.0,
            grade: "优秀".into(),
            basic_breach_suspected: false,
        },
    }
}

fn new_dossier(id: &str, sha: &str, pages: u32) -> NewDossier {
    NewDossier {
        review_json: serde_json::to_string_pretty(&review(id, sha, pages)).unwrap(),
        page_texts: (1..=pages).map(|p| format!("第{p}页的文字")).collect(),
        page_views: (1..=pages)
            .map(|p| Some(format!("jpeg {p}").into_bytes()))
            .collect(),
        folder_unit: None,
    }
}

/// Where a world's store lives.
pub enum Backend {
    Sqlite {
        _dir: tempfile::TempDir,
        path: PathBuf,
    },
    Postgres {
        url: String,
    },
}

/// A store with three accounts, a dossier and a round that gives it to two
/// reviewers.
pub struct World {
    pub backend: Backend,
    pub store: Arc<dyn Store>,
    pub a: UserId,
    pub b: UserId,
    pub supervisor: UserId,
    pub assignments: Vec<AssignmentId>,
}

impl World {
    fn new(backend: Backend) -> World {
        let store = open(&backend);
        let a = store.add_user("张三", Role::Reviewer, "hash-a").unwrap();
        let b = store.add_user("李四", Role::Reviewer, "hash-b").unwrap();
        let supervisor = store.add_user("王五", Role::Supervisor, "hash-s").unwrap();
        let d = store.import(&new_dossier("d1", "aa11", 3)).unwrap().id();
        let round = store
            .create_round(&NewRound {
                name: "2024年上半年案卷评查".into(),
                period_start: "2024-01-01".into(),
                period_end: "2024-06-30".into(),
                units: vec!["蒲县市场监督管理局".into()],
                created_by: supervisor,
                place: "县司法局会议室".into(),
            })
            .unwrap();
        let assignments = store.assign(round, d, &[a, b]).unwrap();
        World {
            backend,
            store,
            a,
            b,
            supervisor,
            assignments,
        }
    }

    /// The same database opened again (another process would).
    pub fn reopen(&self) -> Arc<dyn Store> {
        open(&self.backend)
    }

    pub fn sqlite_path(&self) -> &Path {
        match &self.backend {
            Backend::Sqlite { path, .. } => path,
            Backend::Postgres { .. } => panic!("not a SQLite world"),
        }
    }

    /// Runs SQL by hand, past the store, on its own connection.
    pub fn exec(&self, sql: &str) -> std::result::Result<(), String> {
        match &self.backend {
            Backend::Sqlite { path, .. } => rusqlite::Connection::open(path)
                .and_then(|c| c.execute_batch(sql))
                .map_err(|e| e.to_string()),
            Backend::Postgres { url } => pg_exec(url, sql),
        }
    }
}

fn open(backend: &Backend) -> Arc<dyn Store> {
    match backend {
        Backend::Sqlite { path, .. } => Arc::new(SqliteStore::open(path).unwrap()),
        Backend::Postgres { url } => Arc::new(PgStore::connect(url).unwrap()),
    }
}

/// Runs SQL on a connection of its own (its own little runtime).
pub fn pg_exec(url: &str, sql: &str) -> std::result::Result<(), String> {
    use sqlx::Connection;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut c = sqlx::PgConnection::connect(url)
            .await
            .map_err(|e| e.to_string())?;
        let out = sqlx::raw_sql(sql)
            .execute(&mut c)
            .await
            .map(drop)
            .map_err(|e| e.to_string());
        let _ = c.close().await;
        out
    })
}

/// The first value SQL by hand reads, as text.
pub fn pg_query(url: &str, sql: &str) -> String {
    use sqlx::{Connection, Row};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        let row = sqlx::query(sql).fetch_one(&mut c).await.unwrap();
        let out: String = row.try_get(0).unwrap();
        let _ = c.close().await;
        out
    })
}

pub fn sqlite_world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("anjuan.db");
    World::new(Backend::Sqlite { _dir: dir, path })
}

/// A fresh, empty database of the process's cluster.
pub fn pg_database() -> String {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let cluster = pgcluster::Cluster::shared().expect("a PostgreSQL cluster for the tests");
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    cluster
        .new_database(&format!("store_{n}"))
        .expect("a fresh database")
}

pub fn postgres_world() -> World {
    World::new(Backend::Postgres { url: pg_database() })
}

fn confirm(assignment: AssignmentId, by: UserId, item: &str, base: Seq) -> NewDecision {
    NewDecision {
        assignment,
        item: item.into(),
        action: Action::Confirm,
        points: None,
        reason: String::new(),
        marks: Vec::new(),
        base_seq: base,
        by,
    }
}

fn agreed(by: UserId, item: &str, action: Action, points: Option<f64>, base: Seq) -> NewAgreed {
    NewAgreed {
        round: 1,
        dossier: 1,
        item: item.into(),
        action,
        points,
        reason: "二人合议".into(),
        base_seq: base,
        by,
    }
}

/// The cases both backends pass alike.
mod cases {
    use super::*;

    pub fn importing_a_scan_twice_keeps_one_dossier_and_its_review_as_written(w: World) {
        let nd = new_dossier("d1", "aa11", 3);
        assert_eq!(w.store.import(&nd).unwrap(), Imported::Existing(1));
        let rows = w.store.dossiers().unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].agency.as_deref(), Some("蒲县市场监督管理局"));
        assert_eq!(rows[0].page_count, 3);
        let r = w.store.review(rows[0].id).unwrap();
        assert_eq!(r, review("d1", "aa11", 3));
        assert_eq!(
            w.store.page_view(rows[0].id, 3).unwrap().as_deref(),
            Some(&b"jpeg 3"[..])
        );
        assert_eq!(w.store.page_view(rows[0].id, 4).unwrap(), None);
        assert_eq!(
            w.store.page_text(rows[0].id, 2).unwrap().as_deref(),
            Some("第2页的文字")
        );
        assert_eq!(w.store.page_text(rows[0].id, 4).unwrap(), None);
        // Another input is another dossier.
        let id = w.store.import(&new_dossier("d2", "bb22", 1)).unwrap();
        assert!(matches!(id, Imported::New(_)));
        // A review whose page list and texts disagree is refused, naming it.
        let mut bad = new_dossier("d3", "cc33", 2);
        bad.page_texts.pop();
        let e = w.store.import(&bad).unwrap_err().to_string();
        assert!(e.contains("d3") && e.contains("2 pages"), "{e}");
        let e = w
            .store
            .import(&NewDossier {
                review_json: "{\"schema\": 1".into(),
                page_texts: vec![],
                page_views: vec![],
                folder_unit: None,
            })
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("review.json:"), "{e}");
    }

    pub fn accounts_are_unique_and_sessions_end_and_expire(w: World) {
        assert!(matches!(
            w.store.add_user("张三", Role::Admin, "x"),
            Err(StoreError::Refused(_))
        ));
        assert!(w.store.add_user("  ", Role::Admin, "x").is_err());
        w.store.start_session("tok-1", w.a, 2_000).unwrap();
        assert_eq!(
            w.store.session_user("tok-1", 1_000).unwrap().unwrap().id,
            w.a
        );
        assert_eq!(
            w.store.session_user("tok-1", 2_000).unwrap(),
            None,
            "expired"
        );
        w.store.start_session("tok-2", w.b, i64::MAX).unwrap();
        w.store.end_session("tok-2").unwrap();
        assert_eq!(w.store.session_user("tok-2", 1).unwrap(), None, "ended");
        assert_eq!(w.store.session_user("nope", 1).unwrap(), None);
        assert_eq!(
            w.store.user_by_name("王五").unwrap().unwrap().role,
            Role::Supervisor
        );
    }

    pub fn a_dossier_goes_to_two_different_reviewers(w: World) {
        let d = w.store.dossiers().unwrap()[0].id;
        let round = w.store.rounds().unwrap()[0].id;
        assert!(w.store.assign(round, d, &[w.a]).is_err());
        assert!(w.store.assign(round, d, &[w.a, w.a]).is_err());
        let e = w.store.assign(round, d, &[w.a, w.supervisor]).unwrap_err();
        assert!(e.to_string().contains("not a reviewer"), "{e}");
        // Again with the same reviewers: the same assignments.
        assert_eq!(
            w.store.assign(round, d, &[w.a, w.b]).unwrap(),
            w.assignments
        );
        assert_eq!(w.store.assignments_of_reviewer(w.b).unwrap().len(), 1);
        assert_eq!(w.store.assignments_of_dossier(round, d).unwrap().len(), 2);
    }

    pub fn decisions_are_appended_and_a_stale_view_is_refused(w: World) {
        let mine = w.assignments[0];
        let s1 = w.store.decide(&confirm(mine, w.a, "P-2.2.7", 0)).unwrap();
        // A second tab that still shows no decision on the item:
        let e = w
            .store
            .decide(&confirm(mine, w.a, "P-2.2.7", 0))
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Stale { seen: 0, latest, .. } if latest == s1),
            "{e}"
        );
        assert!(e.to_string().contains("reload"), "{e}");
        // Another item is not stale.
        w.store.decide(&confirm(mine, w.a, "P-3.1.1", 0)).unwrap();
        let reject = NewDecision {
            action: Action::Reject,
            reason: String::new(),
            ..confirm(mine, w.a, "P-2.2.7", s1)
        };
        assert!(
            matches!(w.store.decide(&reject), Err(StoreError::Invalid(_))),
            "reason required"
        );
        let s3 = w
            .store
            .decide(&NewDecision {
                reason: "证件号码在第2页".into(),
                ..reject
            })
            .unwrap();
        let log = w.store.decisions(mine).unwrap();
        assert_eq!(log.len(), 3);
        assert_eq!(log[0].action, Action::Confirm);
        let state = current_state(&log);
        assert_eq!(state["P-2.2.7"].seq, s3);
        assert_eq!(state["P-2.2.7"].action, Action::Reject);
        assert_eq!(latest_seq(&log, "P-2.2.7"), s3);
        // Adjusting needs points, within sense.
        let adjust = NewDecision {
            action: Action::Adjust,
            reason: "只扣一分".into(),
            points: None,
            ..confirm(mine, w.a, "P-2.2.7", s3)
        };
        assert!(w.store.decide(&adjust).is_err());
        assert!(w
            .store
            .decide(&NewDecision {
                points: Some(f64::NAN),
                ..adjust.clone()
            })
            .is_err());
        let s4 = w
            .store
            .decide(&NewDecision {
                points: Some(1.0),
                marks: vec![Mark {
                    page: 2,
                    bbox: [1, 2, 3, 4],
                }],
                ..adjust
            })
            .unwrap();
        let log = w.store.decisions(mine).unwrap();
        assert_eq!(log.last().unwrap().seq, s4);
        assert_eq!(log.last().unwrap().marks[0].bbox, [1, 2, 3, 4]);
    }

    pub fn a_reviewer_cannot_decide_on_another_reviewers_review_nor_after_submitting(w: World) {
        let (mine, theirs) = (w.assignments[0], w.assignments[1]);
        let e = w
            .store
            .decide(&confirm(theirs, w.a, "P-2.2.7", 0))
            .unwrap_err();
        assert!(matches!(e, StoreError::Refused(_)), "{e}");
        assert!(w.store.submit(theirs, w.a).is_err());
        w.store.decide(&confirm(mine, w.a, "P-2.2.7", 0)).unwrap();
        let at = w.store.submit(mine, w.a).unwrap();
        assert_eq!(
            w.store.submit(mine, w.a).unwrap(),
            at,
            "submitting twice is once"
        );
        let e = w
            .store
            .decide(&confirm(mine, w.a, "P-3.1.1", 0))
            .unwrap_err();
        assert!(e.to_string().contains("submitted"), "{e}");
        assert_eq!(
            w.store.assignment(mine).unwrap().unwrap().submitted_ms,
            Some(at)
        );
    }

    pub fn the_log_cannot_be_rewritten_even_by_hand(w: World) {
        w.store
            .decide(&confirm(w.assignments[0], w.a, "P-2.2.7", 0))
            .unwrap();
        let e = w
            .exec("UPDATE decisions SET action = 'reject'")
            .unwrap_err();
        assert!(e.contains("append-only"), "{e}");
        let e = w.exec("DELETE FROM decisions").unwrap_err();
        assert!(e.contains("append-only"), "{e}");
        assert_eq!(w.store.decisions(w.assignments[0]).unwrap().len(), 1);
    }

    pub fn two_reviewers_deciding_at_once_lose_nothing(w: World) {
        let store = w.store.clone();
        let per = 500;
        let handles: Vec<_> = [(w.assignments[0], w.a), (w.assignments[1], w.b)]
            .into_iter()
            .map(|(assignment, by)| {
                let store = store.clone();
                std::thread::spawn(move || {
                    let mut acked = Vec::new();
                    let mut base = 0;
                    for i in 0..per {
                        // Each reviewer goes back and forth on one item and
                        // comments on others, reading between writes.
                        let item = if i % 2 == 0 {
                            "P-2.2.7".to_string()
                        } else {
                            format!("P-9.{i}")
                        };
                        let seen = if i % 2 == 0 { base } else { 0 };
                        let seq = store
                            .decide(&NewDecision {
                                action: if i % 2 == 0 {
                                    Action::Confirm
                                } else {
                                    Action::Comment
                                },
                                ..confirm(assignment, by, &item, seen)
                            })
                            .expect("acknowledged");
                        if i % 2 == 0 {
                            base = seq;
                        }
                        acked.push(seq);
                        if i % 50 == 0 {
                            assert!(store.decisions(assignment).unwrap().len() > acked.len() - 1);
                        }
                    }
                    acked
                })
            })
            .collect();
        let acked: Vec<Vec<Seq>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let check = |store: &dyn Store| {
            for (assignment, acked) in w.assignments.iter().zip(&acked) {
                let log: Vec<Seq> = store
                    .decisions(*assignment)
                    .unwrap()
                    .iter()
                    .map(|d| d.seq)
                    .collect();
                assert_eq!(&log, acked);
            }
        };
        check(store.as_ref());
        drop(store);
        check(w.reopen().as_ref());
    }

    pub fn two_reviews_become_one_agreed_signed_closed_and_acknowledged(w: World) {
        let (ra, rb) = (w.assignments[0], w.assignments[1]);
        // They agree on P-2.2.7 and differ on P-4.1.1.
        w.store.decide(&confirm(ra, w.a, "P-2.2.7", 0)).unwrap();
        w.store.decide(&confirm(rb, w.b, "P-2.2.7", 0)).unwrap();
        let add = |assignment, by, points| NewDecision {
            assignment,
            item: "P-4.1.1".into(),
            action: Action::Add,
            points: Some(points),
            reason: "未附送达回证".into(),
            marks: vec![Mark {
                page: 2,
                bbox: [1, 2, 3, 4],
            }],
            base_seq: 0,
            by,
        };
        w.store.decide(&add(ra, w.a, 1.0)).unwrap();
        w.store.decide(&add(rb, w.b, 2.0)).unwrap();
        // Nothing agreed or signed before both have submitted.
        let e = w
            .store
            .agree(&agreed(w.a, "P-4.1.1", Action::Add, Some(1.0), 0))
            .unwrap_err();
        assert!(e.to_string().contains("until all have submitted"), "{e}");
        w.store.submit(ra, w.a).unwrap();
        assert!(w.store.sign(1, 1, w.a).is_err());
        w.store.submit(rb, w.b).unwrap();
        let logs = |w: &World| {
            let reviews = vec![
                w.store.decisions(ra).unwrap(),
                w.store.decisions(rb).unwrap(),
            ];
            (reviews, w.store.agreed_decisions(1, 1).unwrap())
        };
        let (reviews, agreed_log) = logs(&w);
        let (state, unresolved) = agreed_state(&reviews, &agreed_log);
        assert_eq!(unresolved, vec!["P-4.1.1".to_string()]);
        assert_eq!(state["P-2.2.7"].action, Action::Confirm);
        // Signing waits for the difference to be agreed.
        let e = w.store.sign(1, 1, w.a).unwrap_err().to_string();
        assert!(e.contains("P-4.1.1"), "{e}");
        // Only the dossier's reviewers agree; the supervisor cannot.
        assert!(w
            .store
            .agree(&agreed(w.supervisor, "P-4.1.1", Action::Add, Some(1.0), 0))
            .is_err());
        let s1 = w
            .store
            .agree(&agreed(w.a, "P-4.1.1", Action::Add, Some(1.5), 0))
            .unwrap();
        // A second agreement on a view that did not show the first is stale.
        let e = w
            .store
            .agree(&agreed(w.b, "P-4.1.1", Action::Add, Some(2.0), 0))
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Stale { latest, .. } if latest == s1),
            "{e}"
        );
        w.store.sign(1, 1, w.a).unwrap();
        // Closing waits for every reviewer's signature on the review as it stands.
        let e = w.store.close_review(1, 1, w.supervisor).unwrap_err();
        assert!(e.to_string().contains("signed"), "{e}");
        // b changes the agreement: a's signature no longer covers it.
        w.store
            .agree(&agreed(w.b, "P-4.1.1", Action::Add, Some(1.0), s1))
            .unwrap();
        w.store.sign(1, 1, w.b).unwrap();
        assert!(w.store.close_review(1, 1, w.supervisor).is_err());
        w.store.sign(1, 1, w.a).unwrap();
        // Reviewers do not close; the supervisor does, once.
        assert!(w.store.close_review(1, 1, w.a).is_err());
        w.store.close_review(1, 1, w.supervisor).unwrap();
        assert!(w.store.close_review(1, 1, w.supervisor).is_err());
        let (reviews, agreed_log) = logs(&w);
        let (state, unresolved) = agreed_state(&reviews, &agreed_log);
        assert!(unresolved.is_empty());
        assert_eq!(state["P-4.1.1"].points, Some(1.0));
        // Final: nothing changes any more.
        assert!(w
            .store
            .agree(&agreed(w.a, "P-4.1.1", Action::Reject, None, 0))
            .is_err());
        assert!(w.store.sign(1, 1, w.a).is_err());
        // The unit head's acknowledgement, once, with a real date.
        assert!(w
            .store
            .acknowledge(1, 1, "赵六", "2024-13-01", w.supervisor)
            .is_err());
        w.store
            .acknowledge(1, 1, "赵六", "2024-07-05", w.supervisor)
            .unwrap();
        assert!(w
            .store
            .acknowledge(1, 1, "赵六", "2024-07-06", w.supervisor)
            .is_err());
        let f = w.store.final_review(1, 1).unwrap().unwrap();
        assert_eq!(f.closed_by, w.supervisor);
        assert_eq!(f.head_name.as_deref(), Some("赵六"));
        assert_eq!(f.head_date.as_deref(), Some("2024-07-05"));
        assert_eq!(w.store.signatures(1, 1).unwrap().len(), 3);
        // The agreed log is append-only too.
        assert!(w.exec("DELETE FROM agreed_decisions").is_err());
        assert!(w.exec("UPDATE agreed_decisions SET points = 0").is_err());
        assert_eq!(w.store.agreed_decisions(1, 1).unwrap().len(), 2);
    }

    pub fn a_round_lists_and_reads_as_created(w: World) {
        let r1 = w.store.rounds().unwrap()[0].clone();
        assert_eq!(w.store.round(r1.id).unwrap().as_ref(), Some(&r1));
        assert_eq!(r1.units, vec!["蒲县市场监督管理局".to_string()]);
        assert_eq!(
            (r1.place.as_str(), r1.closed_ms, r1.created_by),
            ("县司法局会议室", None, w.supervisor)
        );
        assert_eq!(w.store.round(99).unwrap(), None);
        let bad = NewRound {
            name: "x".into(),
            period_start: "2024-07-01".into(),
            period_end: "2024-06-30".into(),
            units: vec![],
            created_by: w.supervisor,
            place: String::new(),
        };
        assert!(matches!(
            w.store.create_round(&bad),
            Err(StoreError::Invalid(_))
        ));
        let r2 = w
            .store
            .create_round(&NewRound {
                name: " 下半年 ".into(),
                period_end: "2024-12-31".into(),
                units: vec!["甲".into(), "乙".into()],
                ..bad
            })
            .unwrap();
        let rounds = w.store.rounds().unwrap();
        assert_eq!(rounds.len(), 2);
        assert_eq!(rounds[0].id, r2, "newest first");
        assert_eq!(rounds[0].name, "下半年");
        assert_eq!(rounds[0].units, vec!["甲".to_string(), "乙".to_string()]);
        assert!(matches!(
            w.store.assign(99, 1, &[w.a, w.b]),
            Err(StoreError::NotFound(_))
        ));
        // Accounts, by name in byte order.
        let mut names: Vec<String> = ["张三", "李四", "王五"].map(String::from).to_vec();
        names.sort();
        let listed: Vec<String> = w
            .store
            .users()
            .unwrap()
            .into_iter()
            .map(|u| u.name)
            .collect();
        assert_eq!(listed, names);
        assert_eq!(w.store.user(w.a).unwrap().unwrap().name, "张三");
        assert_eq!(w.store.user(99).unwrap(), None);
        let head = w.store.add_user("赵局长", Role::Head, "h").unwrap();
        w.store.set_unit_of(head, " 蒲县市场监督管理局 ").unwrap();
        assert_eq!(
            w.store.user(head).unwrap().unwrap().unit.as_deref(),
            Some("蒲县市场监督管理局")
        );
        assert!(matches!(
            w.store.set_unit_of(w.a, "x"),
            Err(StoreError::Refused(_))
        ));
        assert!(matches!(
            w.store.set_unit_of(99, "x"),
            Err(StoreError::NotFound(_))
        ));
        // Dossiers, by scan id, with the unit folder they came from.
        let d0 = NewDossier {
            folder_unit: Some(" 蒲县公安局 ".into()),
            ..new_dossier("a0", "ff00", 2)
        };
        let id = w.store.import(&d0).unwrap().id();
        let rows = w.store.dossiers().unwrap();
        assert_eq!(
            rows.iter().map(|d| d.scan_id.as_str()).collect::<Vec<_>>(),
            ["a0", "d1"]
        );
        let row = w.store.dossier(id).unwrap().unwrap();
        assert_eq!(row.folder_unit.as_deref(), Some("蒲县公安局"));
        assert_eq!((row.page_count, row.sha256.as_str()), (2, "ff00"));
        assert_eq!(w.store.dossier(99).unwrap(), None);
        assert_eq!(
            w.store.review_text(id).unwrap(),
            d0.review_json,
            "byte for byte"
        );
        assert!(matches!(
            w.store.review_text(99),
            Err(StoreError::NotFound(_))
        ));
    }

    pub fn units_are_renamed_and_final_problems_rectified(w: World) {
        assert!(w.store.rename_unit(" ", "甲", w.supervisor).is_err());
        let s1 = w.store.rename_unit("甲", "乙", w.supervisor).unwrap();
        let s2 = w.store.rename_unit("乙", "丙", w.supervisor).unwrap();
        assert!(s2 > s1);
        let names = w.store.unit_names().unwrap();
        assert_eq!(
            names
                .iter()
                .map(|n| (n.seq, n.name.as_str(), n.becomes.as_str(), n.by))
                .collect::<Vec<_>>(),
            [
                (s1, "甲", "乙", w.supervisor),
                (s2, "乙", "丙", w.supervisor)
            ]
        );
        assert_eq!(unit_map(&names)["甲"], "丙");
        assert!(w.exec("DELETE FROM unit_names").is_err());
        let rect = |status, measure: &str, deadline: Option<&str>| NewRectification {
            round: 1,
            dossier: 1,
            item: "P-2.2.7".into(),
            measure: measure.into(),
            deadline: deadline.map(String::from),
            status,
            by: w.supervisor,
        };
        let e = w
            .store
            .rectify(&rect(RectStatus::Open, "", None))
            .unwrap_err();
        assert!(matches!(e, StoreError::Refused(_)), "{e}");
        // The review becomes final: alike decisions, submitted, signed, closed.
        let (ra, rb) = (w.assignments[0], w.assignments[1]);
        w.store.decide(&confirm(ra, w.a, "P-2.2.7", 0)).unwrap();
        w.store.decide(&confirm(rb, w.b, "P-2.2.7", 0)).unwrap();
        w.store.submit(ra, w.a).unwrap();
        w.store.submit(rb, w.b).unwrap();
        w.store.sign(1, 1, w.a).unwrap();
        w.store.sign(1, 1, w.b).unwrap();
        let at = w.store.close_review(1, 1, w.supervisor).unwrap();
        let finals = w.store.finals().unwrap();
        assert_eq!(finals.len(), 1);
        assert_eq!((finals[0].round, finals[0].dossier), (1, 1));
        assert_eq!(finals[0].fin.closed_ms, at);
        assert!(w
            .store
            .rectify(&rect(RectStatus::Open, "", Some("2024-02-30x")))
            .is_err());
        assert!(
            w.store.rectify(&rect(RectStatus::Done, " ", None)).is_err(),
            "done names its measure"
        );
        let r1 = w
            .store
            .rectify(&rect(RectStatus::InProgress, " 补正 ", Some("2024-09-30")))
            .unwrap();
        let r2 = w
            .store
            .rectify(&rect(RectStatus::Done, "已补正", None))
            .unwrap();
        let log = w.store.rectifications().unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!((log[0].seq, log[1].seq), (r1, r2));
        assert_eq!(log[0].measure, "补正");
        assert_eq!(log[0].deadline.as_deref(), Some("2024-09-30"));
        assert_eq!(log[0].status, RectStatus::InProgress);
        assert_eq!(
            (log[1].status, log[1].deadline.clone()),
            (RectStatus::Done, None)
        );
        assert!(w.exec("UPDATE rectifications SET measure = ''").is_err());
    }
}

/// Each case as a test on SQLite and as one on PostgreSQL.
macro_rules! on_both {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $case() {
                super::cases::$case(super::sqlite_world())
            })*
        }
        mod postgres {
            $(#[test]
            fn $case() {
                super::cases::$case(super::postgres_world())
            })*
        }
    };
}

on_both!(
    importing_a_scan_twice_keeps_one_dossier_and_its_review_as_written,
    accounts_are_unique_and_sessions_end_and_expire,
    a_dossier_goes_to_two_different_reviewers,
    decisions_are_appended_and_a_stale_view_is_refused,
    a_reviewer_cannot_decide_on_another_reviewers_review_nor_after_submitting,
    the_log_cannot_be_rewritten_even_by_hand,
    two_reviewers_deciding_at_once_lose_nothing,
    two_reviews_become_one_agreed_signed_closed_and_acknowledged,
    a_round_lists_and_reads_as_created,
    units_are_renamed_and_final_problems_rectified,
);

/// What only the embedded store has: a file, WAL, `user_version`.
mod sqlite_only {
    use super::*;

    #[test]
    fn a_database_is_created_migrated_and_reopened_as_it_was() {
        let w = sqlite_world();
        let path = w.sqlite_path().to_path_buf();
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), 3);
        let mode: String = rusqlite_journal_mode(&path);
        assert_eq!(mode, "wal");
        drop(store);
        drop(w.store);
        let again = SqliteStore::open(&path).unwrap();
        assert_eq!(again.schema_version().unwrap(), 3);
        assert_eq!(again.users().unwrap().len(), 3);
    }

    #[test]
    fn a_database_of_the_last_release_is_migrated_with_everything_in_it() {
        // A data folder written by the app before migration 3 (schema 2): an
        // account, a session, a round assigned to it. Migration 3 rebuilds the
        // accounts' table; everything that refers to an account still does.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("anjuan.db");
        {
            let c = rusqlite::Connection::open(&path).unwrap();
            c.execute_batch(include_str!("../migrations/0001_initial.sql"))
                .unwrap();
            c.execute_batch(include_str!("../migrations/0002_views_and_final.sql"))
                .unwrap();
            c.pragma_update(None, "user_version", 2).unwrap();
            c.execute_batch(
                "INSERT INTO users (name, role, password_hash, created_ms) VALUES ('张三', 'reviewer', 'h', 1), ('王五', 'supervisor', 'h', 1);
                 INSERT INTO sessions (token_hash, user_id, created_ms, expires_ms) VALUES ('t', 1, 1, 9999999999999);",
            )
            .unwrap();
        }
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), 3);
        let u = s
            .session_user("t", 2)
            .unwrap()
            .expect("the session survived");
        assert_eq!(
            (u.name.as_str(), u.role, u.unit),
            ("张三", Role::Reviewer, None)
        );
        let r = s
            .create_round(&NewRound {
                name: "r".into(),
                period_start: "2024-01-01".into(),
                period_end: "2024-12-31".into(),
                units: vec![],
                created_by: 2,
                place: String::new(),
            })
            .unwrap();
        assert!(r > 0);
        // Foreign keys hold again after the migration: no round by nobody.
        assert!(s
            .create_round(&NewRound {
                name: "x".into(),
                period_start: "2024-01-01".into(),
                period_end: "2024-12-31".into(),
                units: vec![],
                created_by: 99,
                place: String::new(),
            })
            .is_err());
        // A head is a role now.
        let h = s.add_user("赵局长", Role::Head, "h").unwrap();
        s.set_unit_of(h, "蒲县市场监督管理局").unwrap();
        assert!(s.set_unit_of(1, "x").is_err(), "only a head heads a unit");
    }

    #[test]
    fn a_newer_database_is_refused_not_touched() {
        let w = sqlite_world();
        w.exec("PRAGMA user_version = 99").unwrap();
        let e = SqliteStore::open(w.sqlite_path())
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("newer"), "{e}");
    }

    fn rusqlite_journal_mode(path: &std::path::Path) -> String {
        // Read the file's header as SQLite wrote it: bytes 18 and 19 are 2 in
        // WAL mode (1 in rollback-journal mode).
        let bytes = std::fs::read(path).unwrap();
        match (bytes[18], bytes[19]) {
            (2, 2) => "wal".into(),
            (1, 1) => "delete".into(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn the_single_pc_has_no_scan_queue() {
        let w = sqlite_world();
        assert_eq!(w.store.scan_jobs().unwrap(), Vec::new());
    }
}

/// What `--data` and `--database` open.
#[test]
fn a_command_opens_the_data_folder_or_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("made/here");
    let e = open_existing_store(Some(&data), None).err().unwrap();
    assert!(matches!(e, StoreError::NotFound(_)), "{e}");
    let s = open_store(Some(&data), None).unwrap();
    s.add_user("张三", Role::Reviewer, "h").unwrap();
    assert!(data.join(anjuan_store::sqlite::DB_FILE).is_file());
    assert_eq!(
        open_existing_store(Some(&data), None)
            .unwrap()
            .users()
            .unwrap()
            .len(),
        1
    );
    let url = pg_database();
    let s = open_store(None, Some(&url)).unwrap();
    s.add_user("李四", Role::Reviewer, "h").unwrap();
    assert_eq!(
        open_existing_store(None, Some(&url))
            .unwrap()
            .users()
            .unwrap()[0]
            .name,
        "李四"
    );
    assert!(matches!(
        open_store(Some(&data), Some(&url)),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        open_store(None, None),
        Err(StoreError::Invalid(_))
    ));
}
