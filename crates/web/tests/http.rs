//! The app's real router over a real SQLite store, request by request.

use anjuan_core::contract::*;
use anjuan_core::CaseKind;
use anjuan_store::*;
use anjuan_web::{auth, router, App};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

const HOSTILE: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";

fn review() -> Review {
    let page = |p: u32| PageEntry {
        page: p,
        doc_type: "penalty_decision".into(),
        document: Some(1),
        printed_page_number: Some(p),
        error: None,
        ocr: PageOcr {
            engine: "ppocr-v4/onnx".into(),
            dpi: 300,
            rotation: Some(0),
            size: Some([2480, 3508]),
            mean_confidence: 0.95,
            text_file: format!("pages/{p:04}.txt"),
        },
    };
    Review {
        schema: REVIEW_SCHEMA.to_string(),
        dossier: DossierInfo {
            id: "d-hostile".into(),
            source: "/archive/d.pdf".into(),
            sha256: "ab12".into(),
            page_count: 2,
        },
        case_kind: CaseKind::Penalty,
        case: CaseInfo {
            agency: Some(format!("蒲县{HOSTILE}局")),
            ..CaseInfo::default()
        },
        pages: vec![page(1), page(2)],
        documents: vec![DocumentEntry {
            index: 1,
            doc_type: "penalty_decision".into(),
            title: Some(format!("行政处罚决定书{HOSTILE}")),
            pages: [1, 2],
            confidence: 0.9,
            date: None,
            number: None,
        }],
        findings: vec![
            Finding {
                item: "P-2.2.7".into(),
                kind: FindingKind::Deduction,
                status: FindingStatus::Suggested,
                points: Some(1.0),
                reason: format!("理由{HOSTILE}"),
                confidence: 0.9,
                evidence: vec![Evidence {
                    page: Some(1),
                    bbox: Some([1, 2, 3, 4]),
                    text: Some(HOSTILE.into()),
                }],
            },
            Finding {
                item: "P-6.1.3".into(),
                kind: FindingKind::Deduction,
                status: FindingStatus::NeedsReview,
                points: Some(0.5),
                reason: "页码".into(),
                confidence: 0.45,
                evidence: vec![],
            },
        ],
        manual: vec![],
        not_applicable: vec![],
        score: Score {
            draft: 99.0,
            grade: "优秀".into(),
            basic_breach_suspected: false,
        },
    }
}

struct T {
    _dir: tempfile::TempDir,
    app: axum::Router,
    store: Arc<SqliteStore>,
    a_assignment: AssignmentId,
    b_assignment: AssignmentId,
}

const PASSWORD: &str = "口令-correct-horse";

fn setup() -> T {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("anjuan.db")).unwrap());
    let hash = auth::hash_password(PASSWORD).unwrap();
    let a = store.add_user("张三", Role::Reviewer, &hash).unwrap();
    let b = store.add_user("李四", Role::Reviewer, &hash).unwrap();
    let s = store.add_user("王五", Role::Supervisor, &hash).unwrap();
    let d = store
        .import(&NewDossier {
            review_json: serde_json::to_string(&review()).unwrap(),
            page_texts: vec![format!("第一页 {HOSTILE}"), "第二页".into()],
            page_views: vec![Some(page_jpeg()), None],
            folder_unit: None,
        })
        .unwrap()
        .id();
    let round = store
        .create_round(&NewRound {
            name: "2024年评查".into(),
            period_start: "2024-01-01".into(),
            period_end: "2024-12-31".into(),
            units: vec![],
            created_by: s,
            place: "县司法局会议室".into(),
        })
        .unwrap();
    let ids = store.assign(round, d, &[a, b]).unwrap();
    let app = router(Arc::new(App {
        store: store.clone(),
        scans: Some(dir.path().join("scans")),
    }));
    T {
        _dir: dir,
        app,
        store,
        a_assignment: ids[0],
        b_assignment: ids[1],
    }
}

struct Res {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
    bytes: Vec<u8>,
}

/// A real JPEG: a gray page with a dark band where page 1's evidence lies.
fn page_jpeg() -> Vec<u8> {
    let img = image::GrayImage::from_fn(124, 175, |_, y| {
        image::Luma([if y < 20 { 30 } else { 240 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

async fn send(app: &axum::Router, req: Request<Body>) -> Res {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Res {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        bytes: body.to_vec(),
    }
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::get(path).header(header::HOST, "127.0.0.1:8080");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::empty()).unwrap()
}

fn post(path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Request<Body> {
    let body = form
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut r = Request::post(path)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://127.0.0.1:8080")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::from(body)).unwrap()
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Signs in; returns the cookie header and the session's form token.
async fn login(app: &axum::Router, name: &str) -> (String, String) {
    let res = send(
        app,
        post("/login", None, &[("name", name), ("password", PASSWORD)]),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let set = res.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap().to_string();
    let token = cookie.split_once('=').unwrap().1;
    (cookie.clone(), auth::csrf_token(token))
}

#[tokio::test]
async fn signing_in_out_and_what_needs_a_session() {
    let t = setup();
    let res = send(&t.app, get("/", None)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.headers[header::LOCATION], "/login");
    let res = send(
        &t.app,
        post("/login", None, &[("name", "张三"), ("password", "wrong")]),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(res.body.contains("用户名或密码不对"));
    let res = send(
        &t.app,
        post("/login", None, &[("name", "nobody"), ("password", "x")]),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);

    let (cookie, csrf) = login(&t.app, "张三").await;
    let res = send(&t.app, get("/", Some(&cookie))).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("2024年评查") && res.body.contains("d-hostile"));
    assert!(res.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .contains("script-src 'self'"));
    // Logging out ends the session for good, not just the cookie.
    let res = send(&t.app, post("/logout", Some(&cookie), &[("csrf", &csrf)])).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = send(&t.app, get("/", Some(&cookie))).await;
    assert_eq!(res.headers[header::LOCATION], "/login");
}

#[tokio::test]
async fn ocr_and_user_text_is_shown_inert() {
    let t = setup();
    let (cookie, csrf) = login(&t.app, "张三").await;
    // A reviewer's own reason is text too.
    let base = "0".to_string();
    let res = send(
        &t.app,
        post(
            &format!("/a/{}/decide", t.a_assignment),
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("item", "P-2.2.7"),
                ("action", "reject"),
                ("reason", "<b onmouseover=alert(3)>x</b>"),
                ("base_seq", &base),
            ],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = send(
        &t.app,
        get(&format!("/a/{}", t.a_assignment), Some(&cookie)),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    for raw in ["<script>alert", "<img src=x", "<b onmouseover"] {
        assert!(!res.body.contains(raw), "{raw} rendered raw");
    }
    assert!(res
        .body
        .contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(res.body.contains("&#60;b onmouseover=alert(3)&#62;"));
    // The needs-review finding comes first.
    let nr = res.body.find("id=\"item-P-6.1.3\"").unwrap();
    let sg = res.body.find("id=\"item-P-2.2.7\"").unwrap();
    assert!(nr < sg);
    assert!(res.body.contains("需人工复核"));
}

#[tokio::test]
async fn a_post_from_elsewhere_or_without_the_token_is_refused() {
    let t = setup();
    let (cookie, csrf) = login(&t.app, "张三").await;
    let path = format!("/a/{}/decide", t.a_assignment);
    let form = |csrf: &'static str| {
        vec![
            ("csrf", csrf),
            ("item", "P-2.2.7"),
            ("action", "confirm"),
            ("base_seq", "0"),
        ]
    };
    let res = send(
        &t.app,
        post(
            &path,
            Some(&cookie),
            &form("0123456789abcdef0123456789abcdef"),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let mut req = post(
        &path,
        Some(&cookie),
        &[
            ("csrf", &csrf),
            ("item", "P-2.2.7"),
            ("action", "confirm"),
            ("base_seq", "0"),
        ],
    );
    req.headers_mut()
        .insert(header::ORIGIN, "http://evil.example".parse().unwrap());
    assert_eq!(send(&t.app, req).await.status, StatusCode::FORBIDDEN);
    // A login posted from another site is refused too.
    let mut req = post("/login", None, &[("name", "张三"), ("password", PASSWORD)]);
    req.headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(send(&t.app, req).await.status, StatusCode::FORBIDDEN);
    assert!(t.store.decisions(t.a_assignment).unwrap().is_empty());
}

#[tokio::test]
async fn a_reviewer_cannot_see_or_change_another_reviewers_review() {
    let t = setup();
    let (cookie, csrf) = login(&t.app, "张三").await;
    let res = send(
        &t.app,
        get(&format!("/a/{}", t.b_assignment), Some(&cookie)),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(!res.body.contains("d-hostile"));
    let res = send(
        &t.app,
        post(
            &format!("/a/{}/decide", t.b_assignment),
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("item", "P-2.2.7"),
                ("action", "confirm"),
                ("base_seq", "0"),
            ],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = send(
        &t.app,
        post(
            &format!("/a/{}/submit", t.b_assignment),
            Some(&cookie),
            &[("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(t.store.decisions(t.b_assignment).unwrap().is_empty());
    assert_eq!(
        t.store
            .assignment(t.b_assignment)
            .unwrap()
            .unwrap()
            .submitted_ms,
        None
    );
    // Reviewers do not manage rounds.
    let res = send(&t.app, get("/rounds/1", Some(&cookie))).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn decisions_are_kept_a_stale_form_is_refused_and_points_stay_within_the_item() {
    let t = setup();
    let (cookie, csrf) = login(&t.app, "张三").await;
    let path = format!("/a/{}/decide", t.a_assignment);
    let decide = |action: &'static str, points: &'static str, base: String| {
        post(
            &path,
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("item", "P-2.2.7"),
                ("action", action),
                ("points", points),
                ("reason", "复核"),
                ("base_seq", &base),
            ],
        )
    };
    assert_eq!(
        send(&t.app, decide("confirm", "", "0".into())).await.status,
        StatusCode::SEE_OTHER
    );
    // The same form again, from a tab that did not see the first decision.
    let res = send(&t.app, decide("reject", "", "0".into())).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("reload"), "{}", res.body);
    let seq = t.store.decisions(t.a_assignment).unwrap()[0]
        .seq
        .to_string();
    let res = send(&t.app, decide("adjust", "99", seq.clone())).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("more than the item"), "{}", res.body);
    assert_eq!(
        send(&t.app, decide("adjust", "0.5", seq)).await.status,
        StatusCode::SEE_OTHER
    );
    let log = t.store.decisions(t.a_assignment).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].points, Some(0.5));
    let res = send(
        &t.app,
        get(&format!("/a/{}", t.a_assignment), Some(&cookie)),
    )
    .await;
    assert!(res.body.contains("已扣 deducted 0.5"), "live score");
    // An item outside the rubric is refused.
    let res = send(
        &t.app,
        post(
            &path,
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("item", "X-9"),
                ("action", "comment"),
                ("base_seq", "0"),
            ],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn paths_and_oversized_bodies_reach_nothing() {
    let t = setup();
    let (cookie, _) = login(&t.app, "张三").await;
    for p in [
        "/static/../../../etc/passwd",
        "/static/..%2F..%2FCargo.toml",
        "/a/..%2F1",
        "/a/1%00",
    ] {
        let res = send(&t.app, get(p, Some(&cookie))).await;
        assert!(
            matches!(res.status, StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST),
            "{p}: {}",
            res.status
        );
        assert!(!res.body.contains("[workspace]") && !res.body.contains("root:"));
    }
    let big = "x".repeat(anjuan_web::BODY_LIMIT + 1);
    let res = send(
        &t.app,
        post("/login", None, &[("name", &big), ("password", "x")]),
    )
    .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn the_page_as_ocr_read_it_is_shown_with_its_evidence_boxes() {
    let t = setup();
    let (cookie, _) = login(&t.app, "张三").await;
    let page = send(
        &t.app,
        get(&format!("/a/{}?page=1", t.a_assignment), Some(&cookie)),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    // The view, and P-2.2.7's box [1, 2, 3, 4] in the page's frame.
    assert!(page.body.contains("src=\"/d/1/view/1\""), "{}", page.body);
    assert!(page.body.contains("viewBox=\"0 0 2480 3508\""));
    assert!(
        page.body
            .contains("data-item=\"P-2.2.7\" x=\"1\" y=\"2\" width=\"2\" height=\"2\""),
        "{}",
        page.body
    );
    let view = send(&t.app, get("/d/1/view/1", Some(&cookie))).await;
    assert_eq!(view.status, StatusCode::OK);
    assert_eq!(view.headers[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(view.bytes, page_jpeg());
    // Page 2 has no view; an unknown dossier or page is not found.
    assert_eq!(
        send(&t.app, get("/d/1/view/2", Some(&cookie))).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&t.app, get("/d/1/view/9", Some(&cookie))).await.status,
        StatusCode::NOT_FOUND
    );
    // A reviewer not given the dossier does not see it; nor does anyone signed out.
    let hash = auth::hash_password(PASSWORD).unwrap();
    t.store.add_user("赵六", Role::Reviewer, &hash).unwrap();
    let (other, _) = login(&t.app, "赵六").await;
    assert_eq!(
        send(&t.app, get("/d/1/view/1", Some(&other))).await.status,
        StatusCode::FORBIDDEN
    );
    assert_ne!(
        send(&t.app, get("/d/1/view/1", None)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_deduction_added_with_a_drawn_box_keeps_the_box() {
    let t = setup();
    let (cookie, csrf) = login(&t.app, "张三").await;
    let path = format!("/a/{}/decide", t.a_assignment);
    let add = |mark: &'static str| {
        post(
            &path,
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("item", "P-4.1.1"),
                ("action", "add"),
                ("points", "1"),
                ("reason", "送达回证未签收"),
                ("mark", mark),
                ("base_seq", "0"),
            ],
        )
    };
    // A box off the page, or upside down, is refused.
    for bad in ["1,10,10,3000,20", "1,50,50,10,10", "3,1,1,5,5", "1,2,3"] {
        let res = send(&t.app, add(bad)).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            res.body
        );
    }
    let res = send(&t.app, add("2,100,200,900,400")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let d = t.store.decisions(t.a_assignment).unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(
        d[0].marks,
        vec![Mark {
            page: 2,
            bbox: [100, 200, 900, 400]
        }]
    );
    let page = send(
        &t.app,
        get(&format!("/a/{}?page=2", t.a_assignment), Some(&cookie)),
    )
    .await;
    assert!(page.body.contains("class=\"box drawn\" data-item=\"P-4.1.1\" x=\"100\" y=\"200\" width=\"800\" height=\"200\""), "{}", page.body);
}

/// Posts a decision form and expects it taken.
async fn decide(t: &T, cookie: &str, csrf: &str, assignment: AssignmentId, form: &[(&str, &str)]) {
    let mut f = vec![("csrf", csrf)];
    f.extend_from_slice(form);
    let res = send(
        &t.app,
        post(&format!("/a/{assignment}/decide"), Some(cookie), &f),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
}

#[tokio::test]
async fn two_reviews_are_reconciled_signed_closed_printed_and_exported() {
    let t = setup();
    let (ca, ta) = login(&t.app, "张三").await;
    let (cb, tb) = login(&t.app, "李四").await;
    let (cs, ts) = login(&t.app, "王五").await;
    // Both confirm P-2.2.7; on P-6.1.3 张三 confirms and 李四 rejects.
    for (c, tk, a) in [(&ca, &ta, t.a_assignment), (&cb, &tb, t.b_assignment)] {
        decide(
            &t,
            c,
            tk,
            a,
            &[
                ("item", "P-2.2.7"),
                ("action", "confirm"),
                ("base_seq", "0"),
            ],
        )
        .await;
    }
    decide(
        &t,
        &ca,
        &ta,
        t.a_assignment,
        &[
            ("item", "P-6.1.3"),
            ("action", "confirm"),
            ("base_seq", "0"),
        ],
    )
    .await;
    decide(
        &t,
        &cb,
        &tb,
        t.b_assignment,
        &[
            ("item", "P-6.1.3"),
            ("action", "reject"),
            ("reason", "页码清楚"),
            ("base_seq", "0"),
        ],
    )
    .await;
    // Hidden from each other until both have submitted.
    let page = "/r/1/1";
    send(
        &t.app,
        post(
            &format!("/a/{}/submit", t.a_assignment),
            Some(&ca),
            &[("csrf", &ta)],
        ),
    )
    .await;
    let res = send(&t.app, get(page, Some(&ca))).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(
        res.body.contains("until all have submitted"),
        "{}",
        res.body
    );
    send(
        &t.app,
        post(
            &format!("/a/{}/submit", t.b_assignment),
            Some(&cb),
            &[("csrf", &tb)],
        ),
    )
    .await;
    // Only the difference is shown, side by side.
    let res = send(&t.app, get(page, Some(&ca))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains("id=\"diff-P-6.1.3\""));
    assert!(!res.body.contains("id=\"diff-P-2.2.7\""));
    assert!(res.body.contains("页码清楚") && res.body.contains("confirm"));
    // Signing waits for the agreement.
    let res = send(
        &t.app,
        post(&format!("{page}/sign"), Some(&ca), &[("csrf", &ta)]),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.body.contains("P-6.1.3"));
    let res = send(
        &t.app,
        post(
            &format!("{page}/agree"),
            Some(&cb),
            &[
                ("csrf", &tb),
                ("item", "P-6.1.3"),
                ("action", "adjust"),
                ("points", "0.5"),
                ("reason", "合议：第3页页码缺失"),
                ("base_seq", "0"),
            ],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // A supervisor cannot agree for the reviewers, nor close before both sign.
    let res = send(
        &t.app,
        post(
            &format!("{page}/agree"),
            Some(&cs),
            &[
                ("csrf", &ts),
                ("item", "P-6.1.3"),
                ("action", "reject"),
                ("reason", "x"),
                ("base_seq", "1"),
            ],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    for (c, tk) in [(&ca, &ta), (&cb, &tb)] {
        let res = send(
            &t.app,
            post(&format!("{page}/sign"), Some(c), &[("csrf", tk)]),
        )
        .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let res = send(
        &t.app,
        post(&format!("{page}/close"), Some(&ca), &[("csrf", &ta)]),
    )
    .await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "a reviewer does not close"
    );
    let res = send(
        &t.app,
        post(&format!("{page}/close"), Some(&cs), &[("csrf", &ts)]),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = send(
        &t.app,
        post(
            &format!("{page}/ack"),
            Some(&cs),
            &[
                ("csrf", &ts),
                ("head_name", "赵局长"),
                ("head_date", "2024-07-05"),
            ],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let res = send(&t.app, get(page, Some(&cs))).await;
    assert!(
        res.body.contains("已定稿") && res.body.contains("赵局长"),
        "{}",
        res.body
    );
    // The 评查表: annex 2's four parts with this review's figures.
    let form = send(&t.app, get(&format!("{page}/form"), Some(&cb))).await;
    assert_eq!(form.status, StatusCode::OK);
    for part in [
        "一、基本情况",
        "二、基础标准",
        "三、规范性标准",
        "四、评定等次",
        "评查地点",
        "县司法局会议室",
        "执法案卷文号",
        "受查单位负责人签名",
        "赵局长 2024-07-05",
        "合议：第3页页码缺失",
    ] {
        assert!(form.body.contains(part), "{part}: {}", form.body);
    }
    assert!(
        form.body.contains("id=\"sheet-score\">98.5<"),
        "100 − 1 − 0.5: {}",
        form.body
    );
    assert!(!form.body.contains("草稿"), "final, not a draft");
    assert!(
        !form.body.contains("<script>alert"),
        "hostile OCR text inert on the form"
    );
    // The same form as a PDF made without a browser: its text, as a PDF
    // reader (poppler's pdftotext) extracts it, is the form's.
    let pdf = send(&t.app, get(&format!("{page}/form.pdf"), Some(&cb))).await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.body);
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("form.pdf");
    std::fs::write(&file, &pdf.bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils, installed by scripts/setup.sh)");
    let text: String = String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for part in [
        "行政执法案卷评查表",
        "一、基本情况",
        "县司法局会议室",
        "四、评定等次",
        "合议：第3页页码缺失",
        "赵局长2024-07-05",
        "98.5",
    ] {
        assert!(text.contains(part), "{part} in the PDF: {text}");
    }
    assert!(
        pdf.bytes.len() < 400_000,
        "the font is subset: {} bytes",
        pdf.bytes.len()
    );
    // Exports: the supervisor's, not a reviewer's.
    assert_eq!(
        send(&t.app, get("/rounds/1/final.csv", Some(&ca)))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let csv = send(&t.app, get("/rounds/1/final.csv", Some(&cs))).await;
    assert_eq!(csv.status, StatusCode::OK);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 3, "header and two deductions: {}", csv.body);
    assert!(
        lines[2].contains("P-6.1.3,0.5,合议：第3页页码缺失"),
        "{}",
        lines[2]
    );
    assert!(
        lines[1].contains("98.5,优秀,合格,P-2.2.7,1,"),
        "{}",
        lines[1]
    );
    let json = send(&t.app, get("/rounds/1/final.json", Some(&cs))).await;
    let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(v[0]["score"], 98.5);
    assert_eq!(v[0]["head_name"], "赵局长");
    assert_eq!(v[0]["sheet"]["deductions"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_supervisor_imports_a_scan_folder_from_the_page_by_its_listed_name() {
    let t = setup();
    // A scan output under the scans folder, and a folder that is not one.
    let scans = t._dir.path().join("scans");
    let run = scans.join("2024-第二批");
    std::fs::create_dir_all(run.join("d-new/pages")).unwrap();
    std::fs::create_dir_all(scans.join("notes")).unwrap();
    let mut r = review();
    r.dossier.id = "d-new".into();
    r.dossier.sha256 = "cd34".into();
    std::fs::write(
        run.join("d-new/review.json"),
        serde_json::to_string(&r).unwrap(),
    )
    .unwrap();
    for p in 1..=2 {
        std::fs::write(run.join(format!("d-new/pages/{p:04}.txt")), "第一页").unwrap();
    }
    std::fs::write(run.join("d-new/pages/0001.jpg"), page_jpeg()).unwrap();
    std::fs::write(
        run.join("index.json"),
        r#"{"schema": "anjuan.index/1", "dossiers": [{"id": "d-new", "source": "/in/d-new.pdf", "status": "ok", "error": null}]}"#,
    )
    .unwrap();
    let (cs, ts) = login(&t.app, "王五").await;
    let home = send(&t.app, get("/", Some(&cs))).await;
    assert!(home.body.contains("value=\"2024-第二批\""), "{}", home.body);
    assert!(!home.body.contains("value=\"notes\""));
    let res = send(
        &t.app,
        post(
            "/import",
            Some(&cs),
            &[("csrf", &ts), ("run", "2024-第二批")],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let back = send(
        &t.app,
        get(res.headers[header::LOCATION].to_str().unwrap(), Some(&cs)),
    )
    .await;
    assert!(
        back.body.contains("新导入 1 份，已有 0 份"),
        "{}",
        back.body
    );
    assert_eq!(t.store.dossiers().unwrap().len(), 2);
    assert_eq!(t.store.page_view(2, 1).unwrap(), Some(page_jpeg()));
    // Again: nothing new.
    let res = send(
        &t.app,
        post(
            "/import",
            Some(&cs),
            &[("csrf", &ts), ("run", "2024-第二批")],
        ),
    )
    .await;
    let back = send(
        &t.app,
        get(res.headers[header::LOCATION].to_str().unwrap(), Some(&cs)),
    )
    .await;
    assert!(
        back.body.contains("新导入 0 份，已有 1 份"),
        "{}",
        back.body
    );
    // A name the listing does not offer reaches nothing; reviewers do not import.
    for name in ["../scans/2024-第二批", "notes", "/etc", "2024-第二批/d-new"] {
        let res = send(
            &t.app,
            post("/import", Some(&cs), &[("csrf", &ts), ("run", name)]),
        )
        .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{name}");
    }
    let (ca, ta) = login(&t.app, "张三").await;
    let res = send(
        &t.app,
        post(
            "/import",
            Some(&ca),
            &[("csrf", &ta), ("run", "2024-第二批")],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(t.store.dossiers().unwrap().len(), 2);
}

#[tokio::test]
async fn reports_are_for_supervisors_and_heads_of_their_unit_and_show_text_inert() {
    let t = setup();
    let hash = auth::hash_password(PASSWORD).unwrap();
    let head = t.store.add_user("赵局长", Role::Head, &hash).unwrap();
    let unit = format!("蒲县{HOSTILE}局");
    t.store.set_unit_of(head, &unit).unwrap();
    t.store.add_user("钱局长", Role::Head, &hash).unwrap();
    // A reviewer sees no report.
    let (cookie, _) = login(&t.app, "张三").await;
    let res = send(&t.app, get("/reports/gaps?basis=draft", Some(&cookie))).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // The supervisor sees every report; the agency read from the file (its
    // unit: no folder) is shown escaped, in the page and the chart.
    let (cookie, csrf) = login(&t.app, "王五").await;
    for slug in [
        "gaps",
        "half-year",
        "rectification",
        "risks",
        "assessment",
        "annual",
        "calibration",
        "sample",
        "units",
    ] {
        let res = send(
            &t.app,
            get(&format!("/reports/{slug}?basis=draft"), Some(&cookie)),
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{slug}: {}", res.body);
        assert!(
            !res.body.contains("<script>alert"),
            "{slug}: raw text on the page"
        );
    }
    let res = send(&t.app, get("/reports/gaps?basis=draft", Some(&cookie))).await;
    assert!(
        res.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{}",
        res.body
    );
    assert!(res.body.contains("机器草拟"), "the basis is said");
    let res = send(&t.app, get("/reports/nothing", Some(&cookie))).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = send(&t.app, get("/reports/gaps?period=2023H3", Some(&cookie))).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    // Exports: a CSV table, an XLSX workbook.
    let res = send(
        &t.app,
        get(
            "/reports/gaps/export?format=csv&table=1&basis=draft",
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.starts_with('\u{feff}'));
    let res = send(
        &t.app,
        get(
            "/reports/gaps/export?format=xlsx&basis=draft",
            Some(&cookie),
        ),
    )
    .await;
    assert!(res.bytes.starts_with(b"PK"));
    // A renaming needs the form's token.
    let res = send(
        &t.app,
        post(
            "/units/rename",
            Some(&cookie),
            &[("csrf", "forged"), ("name", &unit), ("becomes", "蒲县某局")],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = send(
        &t.app,
        post(
            "/units/rename",
            Some(&cookie),
            &[("csrf", &csrf), ("name", &unit), ("becomes", "蒲县某局")],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(t.store.unit_names().unwrap().len(), 1);
    // A head: their unit only, no supervisors' pages, no reviews.
    let (cookie, csrf) = login(&t.app, "赵局长").await;
    let res = send(
        &t.app,
        get("/reports/gaps?basis=draft&unit=x", Some(&cookie)),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    // Their unit was renamed: they follow it.
    assert!(
        res.body.contains("单位：<strong>蒲县某局</strong>"),
        "{}",
        res.body
    );
    assert!(
        res.body.contains("<td>蒲县某局</td>"),
        "its file is counted"
    );
    for path in ["/reports/units", "/reports/sample"] {
        let res = send(&t.app, get(path, Some(&cookie))).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}");
    }
    let res = send(
        &t.app,
        post(
            "/units/rename",
            Some(&cookie),
            &[("csrf", &csrf), ("name", "蒲县某局"), ("becomes", "x")],
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let a = t.store.assignment(t.a_assignment).unwrap().unwrap();
    let res = send(
        &t.app,
        get(
            &format!("/r/{}/{}/form", a.round_id, a.dossier_id),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // A head no unit was given to sees nothing yet.
    let (cookie, _) = login(&t.app, "钱局长").await;
    let res = send(&t.app, get("/reports/gaps", Some(&cookie))).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}
