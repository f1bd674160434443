//! How long the server takes to answer the dossier page of a 300-page
//! dossier, and its page view (issue 12: under 300 ms). The real router
//! over a real SQLite file; the dossier has 300 pages of text, 300 page
//! views of a scanned page's size, 60 documents, 40 findings.
//!
//!     cargo bench -p anjuan-web --bench dossier_page

use anjuan_core::contract::*;
use anjuan_core::CaseKind;
use anjuan_store::*;
use anjuan_web::{auth, router, App};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use std::sync::Arc;
use std::time::Instant;
use tower::ServiceExt;

const PAGES: u32 = 300;

fn review() -> Review {
    Review {
        schema: REVIEW_SCHEMA.to_string(),
        dossier: DossierInfo {
            id: "big300".into(),
            source: "/archive/big300.pdf".into(),
            sha256: "b300".into(),
            page_count: PAGES,
        },
        case_kind: CaseKind::Penalty,
        case: CaseInfo::default(),
        pages: (1..=PAGES)
            .map(|p| PageEntry {
                page: p,
                doc_type: "evidence_other".into(),
                document: Some((p - 1) / 5 + 1),
                printed_page_number: Some(p),
                error: None,
                ocr: PageOcr {
                    engine: "ppocr-v4/onnx".into(),
                    dpi: 300,
                    rotation: Some(0),
                    size: Some([2480, 3508]),
                    mean_confidence: 0.93,
                    text_file: format!("pages/{p:04}.txt"),
                },
            })
            .collect(),
        documents: (0..PAGES / 5)
            .map(|i| DocumentEntry {
                index: i + 1,
                doc_type: "evidence_other".into(),
                title: Some(format!("证据材料{}", i + 1)),
                pages: [i * 5 + 1, i * 5 + 5],
                confidence: 0.9,
                date: Some("2024-05-06".into()),
                number: None,
            })
            .collect(),
        findings: (0..40)
            .map(|i| Finding {
                item: format!("P-{}.{}.{}", 2 + i % 4, 1 + i % 3, 1 + i),
                kind: FindingKind::Deduction,
                status: if i % 5 == 0 {
                    FindingStatus::NeedsReview
                } else {
                    FindingStatus::Suggested
                },
                points: Some(1.0),
                reason: "询问笔录第2页未见被询问人签名".into(),
                confidence: 0.8,
                evidence: vec![Evidence {
                    page: Some(1 + (i * 7) % PAGES),
                    bbox: Some([300, 400, 1800, 520]),
                    text: Some("被询问人（签名）：".into()),
                }],
            })
            .collect(),
        manual: vec!["P-2.2.4".into(), "P-2.5.2".into()],
        not_applicable: vec![],
        score: Score {
            draft: 70.0,
            grade: "不合格".into(),
            basic_breach_suspected: false,
        },
    }
}

/// A page view the size the scan writes (1240 × 1754 gray JPEG of text-like noise).
fn view(p: u32) -> Vec<u8> {
    let img = image::GrayImage::from_fn(1240, 1754, |x, y| {
        let ink = (x / 9 + y / 31 + p) % 7 == 0 && y % 31 < 22;
        image::Luma([if ink { 40 } else { 235 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("anjuan.db")).unwrap());
    let hash = auth::hash_password("bench-password").unwrap();
    let a = store.add_user("张三", Role::Reviewer, &hash).unwrap();
    let b = store.add_user("李四", Role::Reviewer, &hash).unwrap();
    let s = store.add_user("王五", Role::Supervisor, &hash).unwrap();
    let text: String = (0..40)
        .map(|l| format!("第{l}行 当事人陈述违法事实经过，执法人员出示证件。\n"))
        .collect();
    let views: Vec<Option<Vec<u8>>> = (1..=PAGES).map(|p| Some(view(p))).collect();
    let view_bytes: usize = views.iter().flatten().map(Vec::len).sum();
    let d = store
        .import(&NewDossier {
            review_json: serde_json::to_string(&review()).unwrap(),
            page_texts: (0..PAGES).map(|_| text.clone()).collect(),
            page_views: views,
            folder_unit: None,
        })
        .unwrap()
        .id();
    let round = store
        .create_round(&NewRound {
            name: "bench".into(),
            period_start: "2024-01-01".into(),
            period_end: "2024-12-31".into(),
            units: vec![],
            created_by: s,
            place: String::new(),
        })
        .unwrap();
    let ids = store.assign(round, d, &[a, b]).unwrap();
    // A reviewer well into the file: 200 decisions in the log.
    for i in 0..200 {
        let log = store.decisions(ids[0]).unwrap();
        let item = format!("P-{}.{}.{}", 2 + i % 4, 1 + i % 3, 1 + i % 40);
        store
            .decide(&NewDecision {
                assignment: ids[0],
                base_seq: latest_seq(&log, &item),
                item,
                action: Action::Comment,
                points: None,
                reason: format!("备注{i}"),
                marks: vec![],
                by: a,
            })
            .unwrap();
    }
    let app = router(Arc::new(App {
        store: store.clone(),
        scans: None,
    }));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let token = auth::new_token();
    store
        .start_session(&auth::token_hash(&token), a, i64::MAX)
        .unwrap();
    let cookie = format!("{}={token}", auth::COOKIE);
    let get = |path: String| {
        let req = Request::get(path)
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap();
        let app = app.clone();
        rt.block_on(async move {
            let t = Instant::now();
            let res = app.oneshot(req).await.unwrap();
            let status = res.status();
            let body = res.into_body().collect().await.unwrap().to_bytes();
            (status, body.len(), t.elapsed().as_secs_f64() * 1000.0)
        })
    };
    let mut pages = Vec::new();
    let mut views_ms = Vec::new();
    let mut html_bytes = 0;
    for p in (1..=PAGES).step_by(3) {
        let (status, len, ms) = get(format!("/a/{}?page={p}", ids[0]));
        assert_eq!(status, StatusCode::OK, "page {p}");
        html_bytes = len;
        pages.push(ms);
        let (status, _, ms) = get(format!("/d/{d}/view/{p}"));
        assert_eq!(status, StatusCode::OK, "view {p}");
        views_ms.push(ms);
    }
    let stats = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        (v[v.len() / 2], v[v.len() * 95 / 100], v[v.len() - 1])
    };
    let (p50, p95, max) = stats(&mut pages);
    let (v50, v95, vmax) = stats(&mut views_ms);
    println!(
        "dossier page of a {PAGES}-page dossier (40 findings, 200 decisions), {} pages opened: median {p50:.1} ms, p95 {p95:.1} ms, max {max:.1} ms ({html_bytes} bytes of HTML)",
        pages.len()
    );
    println!(
        "its page view (JPEG, {} KB on average): median {v50:.1} ms, p95 {v95:.1} ms, max {vmax:.1} ms",
        view_bytes / PAGES as usize / 1024
    );
    let budget = 300.0;
    if max > budget || vmax > budget {
        eprintln!("over the {budget} ms budget");
        std::process::exit(1);
    }
}
