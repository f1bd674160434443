//! The documents of an ordinary-procedure penalty file (行政处罚), in filing order.

use crate::common;
use crate::data::PartyKind;
use crate::defects::Defect as D;
use crate::docs::{
    approval_rows, hand_cell, line, opinion_cell, para, row, sign_date_line, sign_line, text_cell,
    Built, Ctx, Shows,
};
use crate::text::{date_cn, datetime_cn, time_cn};
use anjuan_paper::model::{Align, Block, Cell, Footer, Run, SignatureMarks, Table, TextLine};
use chrono::Duration;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Builds every document of the file, before the cover/contents/reference sheet.
pub fn body(cx: &Ctx, rng: &mut ChaCha8Rng) -> Vec<Built> {
    let c = cx.case;
    let mut v = vec![
        filing(cx),
        site_record(cx),
        common::photos(cx, rng, c.pd().inspect),
    ];
    for i in 0..c.interviewees {
        v.push(interview(cx, rng, i));
    }
    if c.preservation {
        v.push(preservation_notice(cx));
        v.push(preservation_decision(cx));
    }
    v.push(common::evidence_copy(cx, c.pd().inspect.date()));
    v.push(report(cx));
    v.push(correction(cx));
    if !cx.has(D::LegalReviewMissing) {
        v.push(legal_review(cx));
    }
    if c.major {
        v.push(discussion(cx));
    }
    if !cx.has(D::NoticeMissing) {
        v.push(notice(cx));
        if !cx.has(D::ServiceReceiptMissing) && c.interviewees > 1 {
            v.push(common::service_receipt(
                cx,
                &cx.title("penalty_notice"),
                &c.number("罚告"),
                c.pd().notice,
            ));
        }
    }
    if c.hearing_qualified {
        v.push(rights_notice(cx));
    }
    if c.hearing_requested {
        v.push(hearing_notice(cx));
        v.push(hearing_record(cx, rng));
        v.push(hearing_report(cx));
    }
    if !cx.has(D::ApprovalMissing) {
        v.push(approval(cx));
    }
    v.push(decision(cx));
    if !cx.has(D::ServiceReceiptMissing) {
        let mut r = common::service_receipt(
            cx,
            &cx.title("penalty_decision"),
            &c.number("罚"),
            c.pd().service,
        );
        if cx.has(D::ServiceReceiptUnsigned) {
            r = common::service_receipt_unsigned(
                cx,
                &cx.title("penalty_decision"),
                &c.number("罚"),
                c.pd().service,
            );
            r.shows.push((D::ServiceReceiptUnsigned, Shows::All));
        }
        v.push(r);
    }
    if c.fine > 0 {
        v.push(common::fine_receipt(cx, c.pd().payment));
    }
    v.push(closing(cx));
    v
}

fn decision_date(cx: &Ctx) -> chrono::NaiveDate {
    let d = cx.case.pd();
    if cx.has(D::DecisionBeforeNotice) {
        d.notice - Duration::days(2)
    } else {
        d.decision
    }
}

fn filing(cx: &Ctx) -> Built {
    let c = cx.case;
    let d = c.pd();
    let s = c.scenario;
    let mut doc = cx.doc("case_filing_approval", d.filing, Some(c.number("立")));
    let abbrev = cx.has(D::FilingAbbrevLaw);
    let mut rows = vec![
        row(
            vec![
                Cell::label("案件来源"),
                text_cell(&s.source),
                Cell::label("受案时间"),
                text_cell(&date_cn(d.inspect.date())),
            ],
            9.0,
        ),
        row(
            vec![Cell::label("案由"), text_cell(&c.cause()).span(3)],
            9.0,
        ),
    ];
    rows.extend(cx.party_rows());
    let summary = format!(
        "{}，我局执法人员在{}检查时发现：{}",
        date_cn(d.inspect.date()),
        c.vars["place"],
        c.fill(&s.inspection)
    );
    rows.push(row(
        vec![
            Cell::label(cx.label("filing_summary")),
            text_cell(&summary).span(3),
        ],
        40.0,
    ));
    let basis = format!(
        "当事人的行为涉嫌违反了{}的规定，依据{}、{}第五十四条的规定，建议立案调查。",
        cx.cites(&s.violated, abbrev, false),
        cx.cites(&s.basis, abbrev, false),
        if abbrev {
            "《行政处罚法》"
        } else {
            "《中华人民共和国行政处罚法》"
        }
    );
    rows.push(row(
        vec![Cell::label("立案依据"), text_cell(&basis).span(3)],
        22.0,
    ));
    let (o1, o2) = (&c.officers[0].name, &c.officers[1].name);
    rows.push(row(
        vec![
            Cell::label(cx.label("approval_officer")),
            Cell::text(vec![
                TextLine::new(vec![Run::hand("建议立案调查。")]),
                TextLine::new(vec![
                    Run::printed(format!("{}：", cx.label("filing_officer"))),
                    Run::hand(cx.sign_names(&[o1, o2], "　")),
                ])
                .aligned(Align::Right),
                TextLine::new(vec![Run::hand(date_cn(d.filing))]).aligned(Align::Right),
            ])
            .span(3),
        ],
        24.0,
    ));
    rows.push(row(
        vec![
            Cell::label(cx.label("approval_unit")),
            opinion_cell(
                &format!("同意立案，由{o1}、{o2}承办。"),
                &c.unit_head,
                d.filing,
                false,
            )
            .span(3),
        ],
        24.0,
    ));
    rows.push(row(
        vec![
            Cell::label(cx.label("approval_head")),
            opinion_cell(
                "同意立案。",
                &c.agency_head,
                d.filing,
                cx.has(D::FilingNoApproval),
            )
            .span(3),
        ],
        24.0,
    ));
    doc.blocks.extend(cx.form(Table {
        columns: vec![1.0, 1.6, 1.0, 1.6],
        rows,
    }));
    let mut shows = Vec::new();
    for def in [D::FilingAbbrevLaw, D::FilingNoApproval] {
        if cx.has(def) {
            shows.push((def, Shows::All));
        }
    }
    Built { spec: doc, shows }
}

fn site_record(cx: &Ctx) -> Built {
    let c = cx.case;
    let d = c.pd();
    let mut doc = cx.doc("site_inspection_record", d.inspect.date(), None);
    doc.number = None;
    let p = &c.party;
    doc.blocks.extend([
        Block::Line(TextLine::new(vec![Run::printed("检查时间："), cx.rec(format!("{}至{}", datetime_cn(d.inspect), time_cn(d.inspect_end)))])),
        Block::Line(TextLine::new(vec![Run::printed("检查地点："), cx.rec(c.vars["place"].clone())])),
        Block::Line(TextLine::new(vec![Run::printed("被检查人："), cx.rec(p.name.clone())])),
        Block::Line(TextLine::new(vec![Run::printed("现场负责人："), cx.rec(format!("{}　　联系电话：{}", p.signer, p.phone))])),
        Block::Line(cx.officers_line(cx.label("inspectors"), false, false)),
        Block::Line(TextLine::new(vec![Run::printed("记录人："), cx.rec(c.officers[1].name.clone())])),
        Block::Paragraph {
            runs: vec![cx.rec(format!(
                "执法人员{}向当事人出示了执法证件，告知了检查的依据和内容，以及当事人享有的陈述、申辩和申请回避的权利，当事人表示不申请回避。",
                cx.names(&[&c.officers[0].name, &c.officers[1].name])
            ))],
            indent: true,
        },
        Block::Paragraph { runs: vec![Run::printed("检查情况："), cx.rec(c.fill(&c.scenario.inspection))], indent: true },
        Block::Paragraph { runs: vec![cx.rec("执法人员对现场情况进行了拍照取证。以上情况经当事人核对无误。")], indent: true },
        Block::Space(6.0),
    ]);
    let unsigned = cx.has(D::SiteRecordUnsigned);
    if unsigned {
        doc.blocks.push(Block::Line(sign_line(
            "当事人（现场负责人）签名",
            None,
            false,
        )));
    } else {
        doc.blocks.push(Block::Line(TextLine::new(vec![
            Run::printed("当事人意见："),
            Run::hand("以上情况属实"),
        ])));
        doc.blocks.push(Block::Line(sign_date_line(
            "当事人（现场负责人）签名",
            Some(&p.signer),
            d.inspect.date(),
            true,
        )));
    }
    doc.blocks.push(Block::Line(
        cx.officer_signatures(cx.label("inspectors_sign"), false),
    ));
    let shows = if unsigned {
        vec![(D::SiteRecordUnsigned, Shows::All)]
    } else {
        vec![]
    };
    Built { spec: doc, shows }
}

/// Generic questions that every interview asks, after the scenario's own.
const CLOSING_QA: &[[&str; 2]] = &[
    [
        "你对以上违法事实有什么需要说明的吗？",
        "我承认有这个问题，是我们平时管理不到位，以后一定注意，请求从轻处理。",
    ],
    ["你还有什么需要补充的吗？", "没有了。"],
    [
        "以上笔录你看一下，如果记录无误请签字确认。",
        "以上笔录我已看过，和我说的一样。",
    ],
];

fn interview(cx: &Ctx, rng: &mut ChaCha8Rng, i: usize) -> Built {
    let c = cx.case;
    let d = c.pd();
    let start = d.interviews[i];
    let end = start + Duration::minutes(rng.gen_range(35..80));
    let mut doc = cx.doc("interview_record", start.date(), None);
    doc.number = None;
    let p = &c.party;
    let (who, who_id, relation) = if i == 0 {
        (
            p.signer.clone(),
            p.signer_id.clone(),
            match p.kind {
                PartyKind::Company => "法定代表人".to_string(),
                PartyKind::Person => "当事人本人".to_string(),
            },
        )
    } else {
        (
            c.witness.clone(),
            c.witness_id.clone(),
            "当事人雇员".to_string(),
        )
    };
    // The employee's own particulars: sex from the ID number (17th digit
    // odd = male), a phone of their own, and the village they live in.
    let (sex, phone, home) = if i == 0 {
        (p.signer_sex, p.phone.clone(), p.address.clone())
    } else {
        let odd = who_id.as_bytes()[16] % 2 == 1;
        (
            if odd { "男" } else { "女" },
            format!("13{}", &who_id[8..17]),
            format!(
                "{}{}{}村",
                c.agency.county, c.vars["town"], c.vars["village"]
            ),
        )
    };
    let no_time = cx.has(D::InterviewNoTime) && i == 0;
    let one = cx.has(D::InterviewOneOfficer) && i == 0;
    let no_cert = cx.has(D::InterviewNoCert) && i == 0;
    let time_run = if no_time {
        Run::blank(16)
    } else {
        cx.rec(format!("{}至{}", datetime_cn(start), time_cn(end)))
    };
    doc.blocks.extend([
        Block::Line(TextLine::new(vec![
            Run::printed(format!("{}：", cx.label("interview_time"))),
            time_run,
        ])),
        Block::Line(TextLine::new(vec![
            Run::printed(format!("{}：", cx.label("interview_place"))),
            cx.rec(format!("{}询问室", c.agency.name)),
        ])),
        Block::Line(cx.officers_line(cx.label("interviewer"), one, no_cert)),
        Block::Line(TextLine::new(vec![
            Run::printed(format!("{}：", cx.label("recorder"))),
            cx.rec(c.officers[if one { 0 } else { 1 }].name.clone()),
        ])),
        Block::Line(TextLine::new(vec![
            Run::printed(format!("{}：", cx.label("interviewee"))),
            cx.rec(format!(
                "{who}　　性别：{sex}　　{}：{relation}",
                cx.label("relation")
            )),
        ])),
        Block::Line(TextLine::new(vec![
            Run::printed(format!("{}：", cx.label("id_number"))),
            cx.rec(who_id),
        ])),
        Block::Line(TextLine::new(vec![
            Run::printed("工作单位："),
            cx.rec(p.shop.clone()),
            Run::printed("　　联系电话："),
            cx.rec(phone),
        ])),
        Block::Line(TextLine::new(vec![Run::printed("住址："), cx.rec(home)])),
    ]);
    let names: Vec<&str> = c.officers[..if one { 1 } else { 2 }]
        .iter()
        .map(|o| o.name.as_str())
        .collect();
    let officers = cx.names(&names);
    let intro = cx.say(
        "interview_intro",
        &[
            ("agency", c.agency.name.clone()),
            ("officers", officers.clone()),
            ("cause", c.scenario.cause.trim_end_matches('案').to_string()),
        ],
    );
    let (rights, answer) = if cx.has(D::InterviewNoRecusal) && i == 0 {
        ("no_recusal", "no_recusal_answer")
    } else {
        ("recusal", "recusal_answer")
    };
    let mut qa: Vec<(String, String)> = vec![(
        format!("{intro}{}", cx.say(rights, &[])),
        cx.say(answer, &[]),
    )];
    qa.push((
        "请介绍一下你的基本情况。".into(),
        match (p.kind, i) {
            (PartyKind::Company, 0) => {
                format!("我叫{who}，是{}的{relation}，公司的事情由我负责。", p.name)
            }
            (PartyKind::Person, 0) => format!("我叫{who}，{}是我个人经营的。", p.shop),
            _ => format!("我叫{who}，在{}打工，平时负责日常经营。", p.shop),
        },
    ));
    let mut own: Vec<(String, String)> = c
        .scenario
        .questions
        .iter()
        .map(|[q, a]| (c.fill(q), c.fill(a)))
        .collect();
    if i > 0 {
        own.shuffle(rng);
        own.truncate(2);
    }
    qa.extend(own);
    qa.push((
        "请提供你的身份证明和营业执照复印件。".into(),
        "好的，我这就提供。".into(),
    ));
    qa.extend(
        CLOSING_QA
            .iter()
            .map(|[q, a]| (q.to_string(), a.to_string())),
    );
    for (q, a) in qa {
        doc.blocks.push(Block::Paragraph {
            runs: vec![Run::printed("问："), cx.rec(q)],
            indent: false,
        });
        doc.blocks.push(Block::Paragraph {
            runs: vec![Run::printed("答："), cx.rec(a)],
            indent: false,
        });
    }
    doc.blocks.push(Block::Paragraph {
        runs: vec![Run::hand(cx.say("interview_closing", &[]))],
        indent: true,
    });
    let sig = TextLine::new(vec![
        Run::printed(format!("{}：", cx.label("interviewer_sign"))),
        Run::hand(cx.sign_names(&names, " ")),
        Run::blank(2),
        Run::printed(format!("{}：", cx.label("interviewee_sign"))),
        Run::hand(who.clone()),
    ])
    .with_marks(SignatureMarks {
        fingerprint: !(cx.has(D::InterviewNoFingerprint) && i == 0),
        seal: None,
    });
    let mut shows = Vec::new();
    let unsigned = cx.has(D::InterviewUnsignedPage) && i == 0;
    doc.footer = Some(Footer {
        lines: vec![sig],
        page_counter: true,
        unsigned_pages: if unsigned { vec![1] } else { vec![] },
    });
    if unsigned {
        shows.push((D::InterviewUnsignedPage, Shows::Page(1)));
    }
    for def in [
        D::InterviewNoRecusal,
        D::InterviewNoTime,
        D::InterviewOneOfficer,
        D::InterviewNoCert,
        D::InterviewNoFingerprint,
    ] {
        if cx.has(def) && i == 0 {
            shows.push((
                def,
                if def == D::InterviewNoTime || def == D::InterviewNoRecusal {
                    Shows::Page(0)
                } else {
                    Shows::All
                },
            ));
        }
    }
    Built { spec: doc, shows }
}

fn preservation_notice(cx: &Ctx) -> Built {
    let c = cx.case;
    let d = c.pd().preservation_notice;
    let mut doc = cx.doc("evidence_preservation_notice", d, Some(c.number("保")));
    doc.blocks.push(line(format!("{}：", c.party.name)));
    doc.blocks.push(para(format!(
        "因你（单位）涉嫌{}，在证据可能灭失或者以后难以取得的情况下，经本局负责人批准，依据《中华人民共和国行政处罚法》第五十六条的规定，决定对你（单位）的下列物品予以先行登记保存，保存期间，你（单位）不得销毁或者转移证据。本局将在七日内作出处理决定。",
        c.scenario.cause.trim_end_matches('案')
    )));
    doc.blocks.push(line("保存地点：当事人经营场所内就地封存"));
    let rows = vec![
        row(
            vec![
                Cell::label("序号"),
                Cell::label("物品名称"),
                Cell::label("规格"),
                Cell::label("数量"),
                Cell::label("备注"),
            ],
            8.0,
        ),
        row(
            vec![
                text_cell("1"),
                text_cell(&c.goods.0),
                text_cell(&c.goods.1),
                hand_cell(&format!("{}{}", c.qty, c.goods.2)),
                text_cell("就地封存"),
            ],
            9.0,
        ),
    ];
    doc.blocks.push(Block::Table(Table {
        columns: vec![0.6, 2.0, 1.4, 1.0, 1.0],
        rows,
    }));
    let no_approval = cx.has(D::PreservationNoApproval);
    doc.blocks.push(Block::Line(if no_approval {
        sign_line("批准人", None, false)
    } else {
        sign_line("批准人", Some(&c.agency_head), false)
    }));
    doc.blocks.push(Block::Line(sign_date_line(
        "当事人签名",
        Some(&c.party.signer),
        d,
        true,
    )));
    doc.blocks.push(Block::Line(
        cx.officer_signatures(cx.label("officers_sign"), false),
    ));
    doc.blocks.extend(cx.issuer(d, true));
    Built {
        spec: doc,
        shows: if no_approval {
            vec![(D::PreservationNoApproval, Shows::All)]
        } else {
            vec![]
        },
    }
}

fn preservation_decision(cx: &Ctx) -> Built {
    let c = cx.case;
    let pd = c.pd();
    let late = cx.has(D::PreservationLate);
    let d = if late {
        pd.preservation_notice + Duration::days(11)
    } else {
        pd.preservation_decision
    };
    let mut doc = cx.doc("evidence_preservation_decision", d, Some(c.number("保处")));
    doc.blocks.push(line(format!("{}：", c.party.name)));
    doc.blocks.push(para(format!(
        "本局于{}对你（单位）的{}{}{}予以先行登记保存（{}）。根据《中华人民共和国行政处罚法》第五十六条的规定，现作出如下处理决定：对先行登记保存的上述物品予以扣押，待案件处理完毕后依法处理。",
        date_cn(pd.preservation_notice),
        c.goods.0,
        c.qty,
        c.goods.2,
        c.number("保")
    )));
    doc.blocks.push(Block::Line(sign_date_line(
        "当事人签名",
        Some(&c.party.signer),
        d,
        true,
    )));
    doc.blocks.extend(cx.issuer(d, true));
    Built {
        spec: doc,
        shows: if late {
            vec![(D::PreservationLate, Shows::All)]
        } else {
            vec![]
        },
    }
}

fn report(cx: &Ctx) -> Built {
    let c = cx.case;
    let d = c.pd().report;
    let s = c.scenario;
    let mut doc = cx.doc("investigation_report", d, None);
    doc.number = None;
    doc.blocks.push(line(format!("案由：{}", c.cause())));
    doc.blocks.extend(cx.party_block(false));
    doc.blocks.push(para(format!(
        "{}，本局执法人员在检查中发现当事人涉嫌{}，经批准于{}立案调查。现已调查终结，报告如下：",
        date_cn(c.pd().inspect.date()),
        s.cause.trim_end_matches('案'),
        date_cn(c.pd().filing)
    )));
    doc.blocks
        .push(para(format!("一、违法事实。经查，{}", c.fill(&s.facts))));
    doc.blocks.push(para("二、证据。1.现场检查笔录及现场照片；2.询问笔录；3.当事人身份证明、营业执照复印件；4.其他相关证据材料。以上证据来源合法，内容真实，与本案具有关联性，能够相互印证。"));
    doc.blocks.push(para(format!(
        "三、定性和依据。当事人的行为违反了{}的规定。依据{}的规定，应当对当事人给予行政处罚。",
        cx.cites(&s.violated, false, false),
        cx.cites(&s.basis, false, false)
    )));
    doc.blocks.push(para(format!(
        "四、处理建议。建议对当事人作出如下行政处罚：{}",
        c.fill(&s.penalty)
    )));
    doc.blocks.push(Block::Space(8.0));
    doc.blocks.push(Block::Line(
        TextLine::new(vec![
            Run::printed(format!("{}：", cx.label("report_officer"))),
            Run::hand(cx.sign_names(&[&c.officers[0].name, &c.officers[1].name], "　")),
            Run::blank(2),
            Run::hand(date_cn(d)),
        ])
        .aligned(Align::Right),
    ));
    Built {
        spec: doc,
        shows: vec![],
    }
}

fn correction(cx: &Ctx) -> Built {
    let c = cx.case;
    let d = c.pd().correction;
    let mut doc = cx.doc("correction_order", d, Some(c.number("责改")));
    doc.blocks.push(line(format!("{}：", c.party.name)));
    let no_deadline = cx.has(D::CorrectionNoDeadline);
    let deadline = if no_deadline {
        String::new()
    } else {
        format!("于{}前", date_cn(d + Duration::days(15)))
    };
    doc.blocks.push(para(format!(
        "经查，你（单位）{}，违反了{}的规定。依据{}的规定，本局责令你（单位）{}改正上述违法行为：{}。",
        c.scenario.cause.trim_end_matches('案'),
        cx.cites(&c.scenario.violated, false, false),
        cx.cites(&c.scenario.correction_basis, false, false),
        deadline,
        c.scenario.correction
    )));
    doc.blocks.push(Block::Line(sign_date_line(
        "当事人签收",
        Some(&c.party.signer),
        d,
        true,
    )));
    doc.blocks.extend(cx.issuer(d, true));
    Built {
        spec: doc,
        shows: if no_deadline {
            vec![(D::CorrectionNoDeadline, Shows::All)]
        } else {
            vec![]
        },
    }
}

fn legal_review(cx: &Ctx) -> Built {
    let c = cx.case;
    let d = c.pd().legal_review;
    let mut doc = cx.doc("legal_review_opinion", d, None);
    doc.number = None;
    let rows = vec![
        row(vec![Cell::label("案由"), text_cell(&c.cause())], 9.0),
        row(vec![Cell::label("当事人"), text_cell(&c.party.name)], 9.0),
        row(vec![Cell::label("承办机构"), text_cell(&c.agency.unit)], 9.0),
        row(vec![Cell::label("拟处理意见"), text_cell(&c.fill(&c.scenario.penalty))], 20.0),
        row(vec![Cell::label("审核内容"), text_cell("执法主体、管辖权限、案件事实、证据、法律适用、裁量基准、执法程序、文书制作")], 14.0),
        row(vec![Cell::label("审核意见"), opinion_cell(&format!("经审核，本案执法主体合法，事实清楚，证据确凿，适用法律正确，程序合法，处罚适当。同意承办机构意见（{}）。", cx.cites(&c.scenario.basis, false, false)), &c.legal_reviewer, d, false)], 36.0),
    ];
    doc.blocks.extend(cx.form(Table {
        columns: vec![1.0, 4.0],
        rows,
    }));
    Built {
        spec: doc,
        shows: vec![],
    }
}

fn discussion(cx: &Ctx) -> Built {
    let c = cx.case;
    let d = c.pd().discussion;
    let mut doc = cx.doc("collective_discussion_record", d, None);
    doc.number = None;
    doc.blocks.extend([
        Block::Line(TextLine::new(vec![Run::printed("时间："), cx.rec(format!("{}15时00分", date_cn(d)))])),
        Block::Line(TextLine::new(vec![Run::printed("地点："), cx.rec(format!("{}会议室", c.agency.name))])),
        Block::Line(TextLine::new(vec![Run::printed("主持人："), cx.rec(c.agency_head.clone())])),
        Block::Line(TextLine::new(vec![Run::printed("参加人员："), cx.rec(format!("{}、{}、{}", c.unit_head, c.legal_reviewer, c.officers[0].name))])),
        Block::Line(TextLine::new(vec![Run::printed("记录人："), cx.rec(c.officers[1].name.clone())])),
        Block::Paragraph { runs: vec![Run::printed("讨论内容："), cx.rec(format!("承办人{}汇报了{}的调查情况、证据和处理意见，法制审核人员{}汇报了法制审核意见。", c.officers[0].name, c.cause(), c.legal_reviewer))], indent: true },
        Block::Paragraph { runs: vec![Run::printed("讨论意见："), cx.rec(format!("与会人员一致认为，本案事实清楚，证据确凿，适用法律正确，同意对当事人作出如下处罚：{}", c.fill(&c.scenario.penalty)))], indent: true },
        Block::Paragraph { runs: vec![Run::printed("结论性意见："), cx.rec("同意承办机构的处理意见。")], indent: true },
        Block::Space(6.0),
        Block::Line(TextLine::new(vec![Run::printed("参加人员签名："), Run::hand(format!("{} {} {} {}", c.agency_head, c.unit_head, c.legal_reviewer, c.officers[0].name))])),
    ]);
    Built {
        spec: doc,
        shows: vec![],
    }
}

fn notice(cx: &Ctx) -> Built {
    let c = cx.case;
    let d = c.pd().notice;
    let s = c.scenario;
    let mut doc = cx.doc("penalty_notice", d, Some(c.number("罚告")));
    doc.blocks.push(line(format!("{}：", c.party.name)));
    doc.blocks.push(para(format!("经查，{}", c.fill(&s.facts))));
    doc.blocks.push(para(format!(
        "你（单位）的上述行为违反了{}的规定。依据{}的规定，本局拟对你（单位）作出如下行政处罚：{}",
        cx.cites(&s.violated, false, false),
        cx.cites(&s.basis, false, false),
        c.fill(&s.penalty)
    )));
    let no_right = cx.has(D::NoticeNoDefenceRight);
    if !no_right {
        doc.blocks.push(para(cx.say("defence_right", &[])));
    } else {
        doc.blocks
            .push(para("请你（单位）收到本告知书后，按期到本局接受处理。"));
    }
    doc.blocks.push(line(format!(
        "联系人：{}　　联系电话：0357-{}",
        c.officers[0].name,
        5_000_000 + (c.seq * 7919) % 999_999
    )));
    let no_seal = cx.has(D::NoticeNoSeal);
    let no_date = cx.has(D::NoticeNoDate);
    doc.blocks
        .extend(cx.issuer_dated((!no_date).then_some(d), !no_seal));
    if no_date {
        doc.date = None;
    }
    doc.blocks.push(Block::Line(sign_date_line(
        "当事人签收",
        Some(&c.party.signer),
        d,
        true,
    )));
    let mut shows = Vec::new();
    if no_right {
        shows.push((D::NoticeNoDefenceRight, Shows::All));
    }
    if no_seal {
        shows.push((D::NoticeNoSeal, Shows::All));
    }
    if no_date {
        shows.push((D::NoticeNoDate, Shows::All));
    }
    if cx.has(D::DecisionBeforeNotice) {
        shows.push((D::DecisionBeforeNotice, Shows::All));
    }
    Built { spec: doc, shows }
}

fn rights_notice(cx: &Ctx) -> Built {
    let c = cx.case;
    let d = c.pd().notice;
    let s = c.scenario;
    let mut doc = cx.doc("hearing_rights_notice", d, Some(c.number("听告")));
    doc.blocks.push(line(format!("{}：", c.party.name)));
    let wrong = cx.has(D::RightsNoticeWrongPeriod);
    doc.blocks.push(para(format!(
        "本局拟对你（单位）{}一案作出如下行政处罚：{}拟作出处罚的事实、理由和依据详见本局{}。",
        s.cause.trim_end_matches('案'),
        c.fill(&s.penalty),
        c.number("罚告")
    )));
    doc.blocks.push(para(cx.say(
        "hearing_right",
        &[
            ("days", if wrong { "三日" } else { "五日" }.to_string()),
            ("unit", c.agency.unit.clone()),
        ],
    )));
    doc.blocks.extend(cx.issuer(d, true));
    doc.blocks.push(Block::Line(sign_date_line(
        "当事人签收",
        Some(&c.party.signer),
        d,
        true,
    )));
    Built {
        spec: doc,
        shows: if wrong {
            vec![(D::RightsNoticeWrongPeriod, Shows::All)]
        } else {
            vec![]
        },
    }
}

fn hearing_notice(cx: &Ctx) -> Built {
    let c = cx.case;
    let pd = c.pd();
    let d = pd.hearing_notice;
    let mut doc = cx.doc("hearing_notice", d, Some(c.number("听通")));
    doc.blocks.push(line(format!("{}：", c.party.name)));
    doc.blocks.push(para(format!(
        "根据你（单位）于{}提出的听证申请，本局决定于{}在{}会议室举行听证会，就{}一案进行听证。听证主持人：{}；听证员：{}；记录员：{}。",
        date_cn(pd.hearing_request),
        datetime_cn(pd.hearing),
        c.agency.name,
        c.scenario.cause.trim_end_matches('案'),
        c.legal_reviewer,
        c.unit_head,
        c.witness
    )));
    doc.blocks.push(para("请你（单位）准时出席，并携带有关证据材料。委托代理人出席的，应当提交授权委托书。无正当理由拒不出席听证的，视为放弃听证权利。你（单位）认为主持人与本案有直接利害关系的，有权申请回避。"));
    let no_seal = cx.has(D::HearingNoticeNoSeal);
    doc.blocks.extend(cx.issuer(d, !no_seal));
    Built {
        spec: doc,
        shows: if no_seal {
            vec![(D::HearingNoticeNoSeal, Shows::All)]
        } else {
            vec![]
        },
    }
}

fn hearing_record(cx: &Ctx, rng: &mut ChaCha8Rng) -> Built {
    let c = cx.case;
    let h = c.pd().hearing;
    let end = h + Duration::minutes(rng.gen_range(50..100));
    let mut doc = cx.doc("hearing_record", h.date(), None);
    doc.number = None;
    doc.blocks.extend([
        Block::Line(TextLine::new(vec![
            Run::printed("时间："),
            cx.rec(format!("{}至{}", datetime_cn(h), time_cn(end))),
        ])),
        Block::Line(TextLine::new(vec![
            Run::printed("地点："),
            cx.rec(format!("{}会议室", c.agency.name)),
        ])),
        Block::Line(TextLine::new(vec![
            Run::printed("主持人："),
            cx.rec(c.legal_reviewer.clone()),
            Run::printed("　听证员："),
            cx.rec(c.unit_head.clone()),
            Run::printed("　记录员："),
            cx.rec(c.witness.clone()),
        ])),
        Block::Line(TextLine::new(vec![
            Run::printed("当事人："),
            cx.rec(format!("{}（{}）", c.party.name, c.party.signer)),
        ])),
        Block::Line(cx.officers_line("案件调查人员", false, false)),
    ]);
    let turns = [
        (
            "主持人",
            "现在宣布听证纪律，核对当事人身份，告知当事人的权利和义务。当事人是否申请回避？"
                .to_string(),
        ),
        ("当事人", "不申请回避。".to_string()),
        ("调查人员", format!("经查，{}", c.fill(&c.scenario.facts))),
        (
            "调查人员",
            format!(
                "上述行为违反了{}的规定，建议依据{}的规定给予处罚。",
                cx.cites(&c.scenario.violated, false, false),
                cx.cites(&c.scenario.basis, false, false)
            ),
        ),
        (
            "当事人",
            "对调查认定的事实没有异议，但我是初次违法，已经积极整改，请求减轻处罚。".to_string(),
        ),
        (
            "调查人员",
            "当事人提出的整改情况属实，但不符合法定减轻处罚情形。".to_string(),
        ),
        ("主持人", "当事人作最后陈述。".to_string()),
        ("当事人", "希望考虑我的实际困难，从轻处罚。".to_string()),
        ("主持人", "听证结束，请当事人阅看笔录后签名。".to_string()),
    ];
    for (who, what) in turns {
        doc.blocks.push(Block::Paragraph {
            runs: vec![Run::printed(format!("{who}：")), cx.rec(what)],
            indent: false,
        });
    }
    let unsigned = cx.has(D::HearingRecordUnsigned);
    let sig = TextLine::new(vec![
        Run::printed("当事人签名："),
        Run::hand(c.party.signer.clone()),
        Run::blank(2),
        Run::printed("主持人："),
        Run::hand(c.legal_reviewer.clone()),
    ])
    .with_marks(SignatureMarks {
        fingerprint: true,
        seal: None,
    });
    doc.footer = Some(Footer {
        lines: vec![sig],
        page_counter: true,
        unsigned_pages: if unsigned { vec![0] } else { vec![] },
    });
    Built {
        spec: doc,
        shows: if unsigned {
            vec![(D::HearingRecordUnsigned, Shows::Page(0))]
        } else {
            vec![]
        },
    }
}

fn hearing_report(cx: &Ctx) -> Built {
    let c = cx.case;
    let d = c.pd().hearing_report;
    let mut doc = cx.doc("hearing_report", d, None);
    doc.number = None;
    doc.blocks.push(para(format!(
        "{}，本局就{}一案举行了听证，主持人{}，听证员{}，记录员{}，当事人{}参加了听证。",
        datetime_cn(c.pd().hearing),
        c.cause(),
        c.legal_reviewer,
        c.unit_head,
        c.witness,
        c.party.signer
    )));
    doc.blocks.push(para(
        "当事人对调查认定的事实无异议，以初次违法、积极整改为由请求减轻处罚。",
    ));
    doc.blocks.push(para("主持人意见：本案事实清楚，证据确凿，当事人提出的理由不符合法定减轻处罚情形，建议维持原拟处罚意见。"));
    doc.blocks.push(Block::Line(
        sign_date_line("主持人", Some(&c.legal_reviewer), d, false).aligned(Align::Right),
    ));
    Built {
        spec: doc,
        shows: vec![],
    }
}

fn approval(cx: &Ctx) -> Built {
    let c = cx.case;
    let d = c.pd().approval;
    let s = c.scenario;
    let mut doc = cx.doc("penalty_decision_approval", d, None);
    doc.number = None;
    let mut rows = vec![row(
        vec![Cell::label("案由"), text_cell(&c.cause()).span(3)],
        9.0,
    )];
    rows.extend(cx.party_rows());
    rows.push(row(
        vec![
            Cell::label("案件事实"),
            text_cell(&c.fill(&s.facts)).span(3),
        ],
        30.0,
    ));
    let defence = if c.hearing_requested {
        "当事人要求举行听证，听证中对违法事实无异议，请求减轻处罚，经复核，理由不成立，不予采纳。"
    } else {
        "当事人在法定期限内未提出陈述、申辩。"
    };
    rows.push(row(
        vec![Cell::label("陈述申辩情况"), text_cell(defence).span(3)],
        16.0,
    ));
    rows.push(row(
        vec![
            Cell::label("处罚依据及内容"),
            text_cell(&format!(
                "依据{}的规定，{}",
                cx.cites(&s.basis, false, false),
                c.fill(&s.penalty)
            ))
            .span(3),
        ],
        22.0,
    ));
    let no_head = cx.has(D::ApprovalNoHeadSign);
    rows.extend(approval_rows(
        cx,
        ["建议按上述意见处罚。", "同意。", "同意。"],
        d,
        no_head,
        22.0,
    ));
    doc.blocks.extend(cx.form(Table {
        columns: vec![1.0, 1.6, 1.0, 1.6],
        rows,
    }));
    let mut shows = Vec::new();
    if no_head {
        shows.push((D::ApprovalNoHeadSign, Shows::All));
    }
    if cx.has(D::OutOfOrder) {
        shows.push((D::OutOfOrder, Shows::All));
    }
    Built { spec: doc, shows }
}

fn decision(cx: &Ctx) -> Built {
    let c = cx.case;
    let d = decision_date(cx);
    let s = c.scenario;
    let mut doc = cx.doc("penalty_decision", d, Some(c.number("罚")));
    let incomplete = cx.has(D::DecisionPartyIncomplete);
    doc.blocks
        .extend(cx.party_block_as("decision_party", incomplete));
    doc.blocks.push(para(format!(
        "{}，本局执法人员在检查中发现当事人涉嫌{}，于{}立案调查。",
        date_cn(c.pd().inspect.date()),
        s.cause.trim_end_matches('案'),
        date_cn(c.pd().filing)
    )));
    doc.blocks.push(para(format!("经查，{}", c.fill(&s.facts))));
    let abbrev = cx.has(D::DecisionAbbrevLaw);
    let no_art = cx.has(D::DecisionNoArticle);
    doc.blocks.push(para(format!(
        "本局于{}向当事人送达了{}，告知其拟作出行政处罚的事实、理由、依据及依法享有的权利。{}",
        date_cn(c.pd().notice),
        cx.title("penalty_notice"),
        if c.hearing_requested {
            "当事人申请听证，本局依法举行了听证，当事人提出的理由不成立，不予采纳。"
        } else {
            "当事人在法定期限内未提出陈述、申辩。"
        }
    )));
    doc.blocks.push(para(format!(
        "本局认为，当事人的上述行为违反了{}的规定。依据{}的规定，本局决定对当事人作出如下行政处罚：",
        cx.cites(&s.violated, abbrev, false),
        cx.cites(&s.basis, abbrev, no_art)
    )));
    doc.blocks.push(para(c.fill(&s.penalty)));
    if c.fine > 0 {
        doc.blocks.push(para(cx.say("late_fine", &[])));
    }
    doc.blocks.push(para(cx.remedies(
        d,
        cx.has(D::DecisionWrongRemedy),
        cx.has(D::DecisionOmitsLitigation),
    )));
    let no_seal = cx.has(D::DecisionNoSeal);
    let no_date = cx.has(D::DecisionNoDate);
    doc.blocks
        .extend(cx.issuer_dated((!no_date).then_some(d), !no_seal));
    if no_date {
        doc.date = None;
    }
    let mut shows = Vec::new();
    for def in [
        D::DecisionPartyIncomplete,
        D::DecisionAbbrevLaw,
        D::DecisionNoArticle,
        D::DecisionWrongRemedy,
        D::DecisionOmitsLitigation,
        D::DecisionNoSeal,
        D::DecisionNoDate,
        D::DecisionBeforeNotice,
        D::OutOfOrder,
    ] {
        if cx.has(def) {
            shows.push((def, Shows::All));
        }
    }
    Built { spec: doc, shows }
}

fn closing(cx: &Ctx) -> Built {
    let c = cx.case;
    let pd = c.pd();
    let d = pd.closing;
    let mut doc = cx.doc("closing_report", d, None);
    doc.number = None;
    let mut rows = vec![
        row(
            vec![Cell::label("案由"), text_cell(&c.cause()).span(3)],
            9.0,
        ),
        row(
            vec![Cell::label("当事人"), text_cell(&c.party.name).span(3)],
            9.0,
        ),
        row(
            vec![
                Cell::label("立案日期"),
                text_cell(&date_cn(pd.filing)),
                Cell::label("决定书文号"),
                text_cell(&c.number("罚")),
            ],
            9.0,
        ),
        row(
            vec![
                Cell::label("处罚内容"),
                text_cell(&c.fill(&c.scenario.penalty)).span(3),
            ],
            18.0,
        ),
    ];
    let exec = if c.fine > 0 {
        format!(
            "当事人已于{}缴纳罚没款{}元，罚没物品已依法处置。",
            date_cn(pd.payment),
            c.fine
                + if c.scenario.penalty.contains("违法所得") {
                    c.gain
                } else {
                    0
                }
        )
    } else {
        "当事人已履行处罚决定，并已改正违法行为。".to_string()
    };
    rows.push(row(
        vec![Cell::label("执行情况"), text_cell(&exec).span(3)],
        16.0,
    ));
    let no_head = cx.has(D::ClosingNoHeadSign);
    rows.extend(approval_rows(
        cx,
        ["处罚决定已执行完毕，建议结案。", "同意结案。", "同意结案。"],
        d,
        no_head,
        22.0,
    ));
    doc.blocks.extend(cx.form(Table {
        columns: vec![1.0, 1.6, 1.0, 1.6],
        rows,
    }));
    Built {
        spec: doc,
        shows: if no_head {
            vec![(D::ClosingNoHeadSign, Shows::All)]
        } else {
            vec![]
        },
    }
}
