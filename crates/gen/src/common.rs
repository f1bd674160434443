//! Documents of both kinds of file: cover, contents, reference sheet, photos,
//! copies of evidence, service receipts, fine receipts.

use crate::case::Case;
use crate::data::PartyKind;
use crate::defects::Defect as D;
use crate::docs::{hand_cell, line, para, row, sign_date_line, text_cell, Built, Ctx, Shows};
use crate::text::{date_cn, datetime_cn, iso, yuan_capital};
use anjuan_core::CaseKind;
use anjuan_paper::model::{Align, Block, Cell, DocSpec, Run, SignatureMarks, Table, TextLine};
use chrono::{NaiveDate, NaiveDateTime};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The file's first and last dates (for the cover).
pub fn span(case: &Case) -> (NaiveDate, NaiveDate) {
    match case.kind {
        CaseKind::Penalty => (case.pd().filing, case.pd().closing),
        _ => {
            let d = case.cd();
            let first = if case.measure() {
                d.measure.date()
            } else {
                d.demand
            };
            let last = if case.execution() {
                d.execution.date()
            } else if case.release {
                d.release
            } else {
                d.measure.date()
            };
            (first, last)
        }
    }
}

/// The cover; `pages` is the file's page count (a placeholder before pagination).
pub fn cover(cx: &Ctx, pages: u32) -> Built {
    let c = cx.case;
    let (from, to) = span(c);
    let title = cx.title("cover");
    let number = match c.kind {
        CaseKind::Penalty => c.number("罚"),
        _ => c.number("强"),
    };
    let mut blocks = vec![
        Block::Space(20.0),
        Block::Agency(c.agency.name.clone()),
        Block::Title(title.clone()),
        Block::Space(16.0),
    ];
    let rows = vec![
        row(vec![Cell::label("案卷号"), hand_cell(&number)], 14.0),
        row(vec![Cell::label("案由"), text_cell(&c.cause())], 18.0),
        row(vec![Cell::label("当事人"), text_cell(&c.party.name)], 14.0),
        row(vec![Cell::label("处理结果"), text_cell(&outcome(c))], 20.0),
        row(
            vec![
                Cell::label("起止日期"),
                hand_cell(&format!("{}至{}", date_cn(from), date_cn(to))),
            ],
            14.0,
        ),
        row(
            vec![Cell::label("本卷页数"), hand_cell(&format!("共{pages}页"))],
            14.0,
        ),
        row(vec![Cell::label("保管期限"), text_cell("长期")], 14.0),
        row(
            vec![Cell::label("立卷人"), hand_cell(&c.officers[0].name)],
            14.0,
        ),
    ];
    blocks.push(Block::Table(Table {
        columns: vec![1.0, 3.0],
        rows,
    }));
    let spec = DocSpec {
        doc_type: "cover".into(),
        title,
        blocks,
        footer: None,
        date: Some(iso(to)),
        number: Some(number),
        party: Some(c.party.name.clone()),
    };
    Built {
        spec,
        shows: vec![],
    }
}

fn outcome(c: &Case) -> String {
    match c.kind {
        CaseKind::Penalty => c.fill(&c.scenario.penalty),
        _ => {
            let mut parts = Vec::new();
            if c.measure() {
                parts.push(format!(
                    "{}{}",
                    c.scenario.measure,
                    c.fill(&c.scenario.measure_object)
                ));
            }
            if c.execution() {
                parts.push(c.scenario.execution.clone());
            }
            parts.join("；")
        }
    }
}

/// One row of the contents: title and printed page range.
pub struct ContentsRow {
    pub title: String,
    pub date: Option<String>,
    pub pages: (u32, u32),
}

/// The 卷内目录. Rows list every document with the page numbers written on it.
pub fn contents(cx: &Ctx, rows_in: &[ContentsRow]) -> Built {
    let title = cx.title("contents");
    let mut rows = vec![row(
        vec![
            Cell::label("序号"),
            Cell::label("文书名称"),
            Cell::label("日期"),
            Cell::label("页码"),
            Cell::label("备注"),
        ],
        9.0,
    )];
    for (i, r) in rows_in.iter().enumerate() {
        let pages = if r.pages.0 == r.pages.1 {
            r.pages.0.to_string()
        } else {
            format!("{}-{}", r.pages.0, r.pages.1)
        };
        let date = r
            .date
            .as_deref()
            .map(|d| d.replace('-', "."))
            .unwrap_or_default();
        rows.push(row(
            vec![
                text_cell(&(i + 1).to_string()),
                text_cell(&r.title),
                text_cell(&date),
                hand_cell(&pages),
                text_cell(""),
            ],
            8.0,
        ));
    }
    let spec = DocSpec {
        doc_type: "contents".into(),
        title: title.clone(),
        blocks: vec![
            Block::Title(title),
            Block::Space(4.0),
            Block::Table(Table {
                columns: vec![0.7, 4.0, 1.6, 1.1, 0.8],
                rows,
            }),
        ],
        footer: None,
        date: None,
        number: None,
        party: None,
    };
    Built {
        spec,
        shows: vec![],
    }
}

/// The 卷内备考表 with the file's page count.
pub fn reference_sheet(cx: &Ctx, pages: u32, docs: usize) -> Built {
    let c = cx.case;
    let (_, to) = span(c);
    let title = cx.title("reference_sheet");
    let blocks = vec![
        Block::Title(title.clone()),
        Block::Space(8.0),
        Block::Paragraph {
            runs: vec![
                Run::printed("本卷情况说明："),
                Run::hand(format!(
                    "本卷共有文件材料{docs}份，共{pages}页，其中照片若干张，已附于卷内。"
                )),
            ],
            indent: true,
        },
        Block::Space(60.0),
        Block::Line(
            TextLine::new(vec![
                Run::printed("立卷人："),
                Run::hand(c.officers[0].name.clone()),
            ])
            .aligned(Align::Right),
        ),
        Block::Line(
            TextLine::new(vec![
                Run::printed("检查人："),
                Run::hand(c.unit_head.clone()),
            ])
            .aligned(Align::Right),
        ),
        Block::Line(
            TextLine::new(vec![Run::printed("立卷时间："), Run::hand(date_cn(to))])
                .aligned(Align::Right),
        ),
    ];
    let spec = DocSpec {
        doc_type: "reference_sheet".into(),
        title,
        blocks,
        footer: None,
        date: Some(iso(to)),
        number: None,
        party: None,
    };
    Built {
        spec,
        shows: vec![],
    }
}

/// Evidence photos with captions (time, place, what, who took them).
pub fn photos(cx: &Ctx, rng: &mut ChaCha8Rng, when: NaiveDateTime) -> Built {
    let c = cx.case;
    let mut doc = cx.doc("evidence_photos", when.date(), None);
    doc.number = None;
    let bad = cx.has(D::PhotoCaptionIncomplete) && c.kind == CaseKind::Penalty;
    let n = match c.profile {
        crate::case::Profile::Full => rng.gen_range(2..=3),
        crate::case::Profile::Small => 1,
    };
    let what = [
        "现场全景",
        &format!("{}近景", c.goods.0),
        "标签及相关标识",
        "当事人在场情况",
    ];
    for (i, w) in what.iter().take(n).enumerate() {
        let caption = if bad {
            TextLine::new(vec![
                Run::printed(format!("照片{}：", i + 1)),
                Run::hand(w.to_string()),
            ])
        } else {
            TextLine::new(vec![
                Run::printed(format!("照片{}：", i + 1)),
                Run::hand(format!(
                    "{}，拍摄时间：{}，拍摄地点：{}，拍摄人：{}",
                    w,
                    datetime_cn(when),
                    c.vars["place"],
                    c.officers[0].name
                )),
            ])
        };
        doc.blocks.push(Block::Photo {
            height: 80.0,
            caption,
        });
    }
    if !bad {
        doc.blocks.push(Block::Line(sign_date_line(
            "当事人签名",
            Some(&c.party.signer),
            when.date(),
            true,
        )));
    }
    Built {
        spec: doc,
        shows: if bad {
            vec![(D::PhotoCaptionIncomplete, Shows::All)]
        } else {
            vec![]
        },
    }
}

/// A copy of the party's licence or ID card, marked 与原件核对无异.
pub fn evidence_copy(cx: &Ctx, date: NaiveDate) -> Built {
    let c = cx.case;
    let mut doc = cx.doc("evidence_other", date, None);
    doc.number = None;
    let licence = c.party.credit_code.as_ref().map(|code| {
        let name = match c.party.kind {
            PartyKind::Company => c.party.name.clone(),
            PartyKind::Person => c.party.shop.clone(),
        };
        format!(
            "{}　名称：{name}　统一社会信用代码：{code}",
            cx.say("copy_licence", &[])
        )
    });
    let id = format!(
        "{}　姓名：{}　公民身份号码：{}",
        cx.say("copy_id", &[]),
        c.party.signer,
        c.party.signer_id
    );
    // Which copies are bound here: the licence for a company, the ID card
    // for a person, both when the family files them together.
    let (title, copies) = match (c.party.kind, licence) {
        (_, Some(l)) if cx.words.family.attach.id_with_licence => {
            (cx.say("copy_both", &[]), vec![l, id])
        }
        (PartyKind::Company, Some(l)) => (cx.say("copy_licence", &[]), vec![l]),
        _ => (cx.say("copy_id", &[]), vec![id]),
    };
    doc.title = title.clone();
    if let Some(Block::Title(t)) = doc.blocks.get_mut(1) {
        *t = title;
    }
    for what in copies {
        doc.blocks.push(Block::Photo {
            height: 90.0,
            caption: TextLine::new(vec![Run::printed(what)]),
        });
    }
    doc.blocks.push(Block::Line(
        TextLine::new(vec![Run::hand("此复印件与原件核对无异")]).aligned(Align::Right),
    ));
    doc.blocks.push(Block::Line(
        sign_date_line("提供人签名", Some(&c.party.signer), date, true).aligned(Align::Right),
    ));
    Built {
        spec: doc,
        shows: vec![],
    }
}

fn receipt_table(
    cx: &Ctx,
    doc_title: &str,
    number: &str,
    date: NaiveDate,
    recipient: Option<&str>,
) -> Table {
    let c = cx.case;
    let recipient_cell = match recipient {
        Some(r) => Cell::text(vec![TextLine::new(vec![
            Run::hand(r.to_string()),
            Run::blank(1),
            Run::hand(date_cn(date)),
        ])
        .with_marks(SignatureMarks {
            fingerprint: true,
            seal: None,
        })]),
        None => Cell::text(vec![TextLine::new(vec![Run::blank(6)])]),
    };
    Table {
        columns: vec![1.2, 3.0],
        rows: vec![
            row(
                vec![
                    Cell::label(cx.label("receipt_document")),
                    text_cell(&format!("{doc_title}（{number}）")),
                ],
                16.0,
            ),
            row(
                vec![Cell::label("受送达人"), text_cell(&c.party.name)],
                12.0,
            ),
            row(
                vec![Cell::label("送达地点"), text_cell(&c.party.address)],
                12.0,
            ),
            row(vec![Cell::label("送达方式"), text_cell("直接送达")], 12.0),
            row(
                vec![Cell::label("送达时间"), hand_cell(&date_cn(date))],
                12.0,
            ),
            row(
                vec![
                    Cell::label(cx.label("receipt_recipient_sign")),
                    recipient_cell,
                ],
                20.0,
            ),
            row(
                vec![
                    Cell::label(cx.label("receipt_server")),
                    hand_cell(&cx.sign_names(&[&c.officers[0].name, &c.officers[1].name], "　")),
                ],
                14.0,
            ),
            row(vec![Cell::label("备注"), text_cell("")], 14.0),
        ],
    }
}

pub fn service_receipt(cx: &Ctx, doc_title: &str, number: &str, date: NaiveDate) -> Built {
    let mut doc = cx.doc("service_receipt", date, None);
    doc.number = None;
    doc.blocks.push(Block::Table(receipt_table(
        cx,
        doc_title,
        number,
        date,
        Some(&cx.case.party.signer),
    )));
    doc.blocks.extend(cx.issuer(date, true));
    Built {
        spec: doc,
        shows: vec![],
    }
}

/// A receipt whose recipient's signature is missing (no refusal noted).
pub fn service_receipt_unsigned(cx: &Ctx, doc_title: &str, number: &str, date: NaiveDate) -> Built {
    let mut doc = cx.doc("service_receipt", date, None);
    doc.number = None;
    doc.blocks.push(Block::Table(receipt_table(
        cx, doc_title, number, date, None,
    )));
    doc.blocks.extend(cx.issuer(date, true));
    Built {
        spec: doc,
        shows: vec![],
    }
}

/// A non-tax revenue payment slip (罚没款票据) for the fine and confiscated gains.
pub fn fine_receipt(cx: &Ctx, date: NaiveDate) -> Built {
    let c = cx.case;
    let total = c.fine
        + if c.scenario.penalty.contains("违法所得") {
            c.gain
        } else {
            0
        };
    let title = cx.title("fine_receipt");
    let mut doc = DocSpec {
        doc_type: "fine_receipt".into(),
        title: title.clone(),
        blocks: vec![
            Block::Agency("山西省财政厅监制".into()),
            Block::Title(title.clone()),
        ],
        footer: None,
        date: Some(iso(date)),
        number: Some(format!(
            "No.{:010}",
            (u64::from(c.seq) * 7_654_321 + total) % 10_000_000_000
        )),
        party: Some(c.party.name.clone()),
    };
    doc.blocks.push(line(format!(
        "填制日期：{}　　票据号码：{}",
        date_cn(date),
        doc.number.clone().unwrap_or_default()
    )));
    let rows = vec![
        row(
            vec![
                Cell::label("缴款人"),
                text_cell(&c.party.name),
                Cell::label("执收单位"),
                text_cell(&c.agency.name),
            ],
            12.0,
        ),
        row(
            vec![
                Cell::label("项目名称"),
                text_cell("罚没收入"),
                Cell::label("决定书文号"),
                text_cell(&c.number("罚")),
            ],
            12.0,
        ),
        row(
            vec![
                Cell::label("金额（大写）"),
                text_cell(&yuan_capital(total)),
                Cell::label("（小写）"),
                text_cell(&format!("¥{total}.00")),
            ],
            12.0,
        ),
        row(
            vec![
                Cell::label("收款银行"),
                text_cell(&format!("{}农村信用合作联社营业部", c.agency.county)).span(3),
            ],
            12.0,
        ),
    ];
    doc.blocks.push(Block::Table(Table {
        columns: vec![1.0, 1.8, 1.0, 1.6],
        rows,
    }));
    doc.blocks.push(Block::Line(
        TextLine::new(vec![Run::printed("收款银行（盖章）")]).aligned(Align::Right),
    ));
    doc.blocks.push(para("第一联　收据（缴款人留存）"));
    Built {
        spec: doc,
        shows: vec![],
    }
}
