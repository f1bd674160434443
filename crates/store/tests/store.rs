//! The store on a real SQLite file in a temporary folder.

use anjuan_core::contract::*;
use anjuan_core::CaseKind;
use anjuan_store::*;
use std::sync::Arc;

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

struct World {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    store: SqliteStore,
    a: UserId,
    b: UserId,
    supervisor: UserId,
    assignments: Vec<AssignmentId>,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("anjuan.db");
    let store = SqliteStore::open(&path).unwrap();
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
        _dir: dir,
        path,
        store,
        a,
        b,
        supervisor,
        assignments,
    }
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

#[test]
fn a_database_is_created_migrated_and_reopened_as_it_was() {
    let w = world();
    assert_eq!(w.store.schema_version().unwrap(), 3);
    let mode: String = rusqlite_journal_mode(&w.path);
    assert_eq!(mode, "wal");
    drop(w.store);
    let again = SqliteStore::open(&w.path).unwrap();
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
fn importing_a_scan_twice_keeps_one_dossier_and_its_review_as_written() {
    let w = world();
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

#[test]
fn accounts_are_unique_and_sessions_end_and_expire() {
    let w = world();
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

#[test]
fn a_dossier_goes_to_two_different_reviewers() {
    let w = world();
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

#[test]
fn decisions_are_appended_and_a_stale_view_is_refused() {
    let w = world();
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

#[test]
fn a_reviewer_cannot_decide_on_another_reviewers_review_nor_after_submitting() {
    let w = world();
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

#[test]
fn the_log_cannot_be_rewritten_even_by_hand() {
    let w = world();
    w.store
        .decide(&confirm(w.assignments[0], w.a, "P-2.2.7", 0))
        .unwrap();
    drop(w.store);
    let conn = rusqlite::Connection::open(&w.path).unwrap();
    let e = conn
        .execute("UPDATE decisions SET action = 'reject'", [])
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    let e = conn.execute("DELETE FROM decisions", []).unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
}

#[test]
fn a_newer_database_is_refused_not_touched() {
    let w = world();
    drop(w.store);
    {
        let conn = rusqlite::Connection::open(&w.path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let e = SqliteStore::open(&w.path).err().unwrap().to_string();
    assert!(e.contains("newer"), "{e}");
}

/// Two reviewers × 500 decisions at once, each on its own connection's
/// thread: every decision the store acknowledged is in the log, in order,
/// and so is it after the database is opened again.
#[test]
fn two_reviewers_deciding_at_once_lose_nothing() {
    let w = world();
    let store = Arc::new(w.store);
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
    check(&SqliteStore::open(&w.path).unwrap());
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

#[test]
fn two_reviews_become_one_agreed_signed_closed_and_acknowledged() {
    let w = world();
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
    drop(w.store);
    let c = rusqlite::Connection::open(&w.path).unwrap();
    assert!(c.execute("DELETE FROM agreed_decisions", []).is_err());
    assert!(c
        .execute("UPDATE agreed_decisions SET points = 0", [])
        .is_err());
}
