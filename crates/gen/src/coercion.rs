//! The documents of a coercion file (行政强制): a measure (查封/扣押), an
//! execution (催告, 强制执行决定 or 代履行决定, 执行现场笔录), or both.

use crate::common;
use crate::defects::Defect as D;
use crate::docs::{
    approval_rows, hand_cell, line, para, row, sign_date_line, sign_line, text_cell, Built, Ctx,
    Shows,
};
use crate::text::{count_cn, date_cn, datetime_cn, time_cn};
use anjuan_paper::model::{Block, Cell, Footer, Run, SignatureMarks, Table, TextLine};
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

/// Builds every document of the file, before the cover/contents/reference sheet.
pub fn body(cx: &Ctx) -> Vec<Built> {
    let c = cx.case;
    let mut v = Vec::new();
    let receipts = !cx.has(D::CoercionServiceReceiptMissing);
    if c.measure() {
        // A family that binds the items list inside the decision still files
        // it apart when there is no decision or the list itself is defective.
        let bound = cx.words.family.attach.items_in_decision
            && !cx.has(D::MeasureDecisionMissing)
            && !cx.has(D::ItemsListNoNumber)
            && !cx.has(D::ItemsListUnsigned);
        v.push(measure_approval(cx));
        if !cx.has(D::MeasureDecisionMissing) {
            v.push(measure_decision(cx, bound));
        }
        v.push(measure_notice(cx));
        v.push(measure_record(cx));
        if !bound {
            v.push(items_list(cx));
        }
        if receipts && !cx.has(D::MeasureDecisionMissing) {
            v.push(common::service_receipt(
                cx,
                &cx.title("coercive_measure_decision"),
                &c.number("强措"),
                c.cd().measure.date(),
            ));
        }
        if c.release {
            v.push(release(cx));
        }
    }
    if c.execution() {
        v.push(demand(cx));
        if receipts {
            v.push(common::service_receipt(
                cx,
                &cx.title("performance_demand"),
                &c.number("催"),
                c.cd().demand,
            ));
        }
        if c.substitute() {
            v.push(substitute(cx));
            if receipts {
                v.push(common::service_receipt(
                    cx,
                    &cx.title("substitute_performance_decision"),
                    &c.number("代履"),
                    c.cd().substitute_decision,
                ));
            }
        } else {
            v.push(enforcement_decision(cx));
            if receipts {
                v.push(common::service_receipt(
                    cx,
                    &cx.title("enforcement_decision"),
                    &c.number("强执"),
                    enforcement_date(cx),
                ));
            }
        }
        v.push(enforcement_record(cx));
    }
    v
}

fn measure_kind<'a>(cx: &Ctx<'a>) -> &'a str {
    &cx.case.scenario.measure
}

fn measure_approval(cx: &Ctx) -> Built {
    let c = cx.case;
    let t = c.cd().measure;
    let day = t.date();
    let mut doc = cx.doc("coercive_measure_approval", day, None);
    doc.number = None;
    let mut rows = vec![row(
        vec![Cell::label("案由"), text_cell(&c.cause()).span(3)],
        9.0,
    )];
    rows.extend(cx.party_rows());
    rows.push(row(
        vec![
            Cell::label("基本情况"),
            text_cell(&c.fill(&c.scenario.inspection)).span(3),
        ],
        30.0,
    ));
    rows.push(row(
        vec![
            Cell::label("拟采取的强制措施"),
            text_cell(&format!(
                "依据{}的规定，对当事人{}予以{}，期限三十日。",
                cx.cites(&c.scenario.measure_basis, false, false),
                c.fill(&c.scenario.measure_object),
                measure_kind(cx)
            ))
            .span(3),
        ],
        18.0,
    ));
    let no_head = cx.has(D::MeasureApprovalNoHead);
    rows.extend(approval_rows(
        cx,
        [
            &format!("建议{}。", measure_kind(cx)),
            "同意。",
            &format!("同意{}。", measure_kind(cx)),
        ],
        day,
        no_head,
        20.0,
    ));
    doc.blocks.extend(cx.form(Table {
        columns: vec![1.0, 1.6, 1.0, 1.6],
        rows,
    }));
    Built {
        spec: doc,
        shows: if no_head {
            vec![(D::MeasureApprovalNoHead, Shows::All)]
        } else {
            vec![]
        },
    }
}

fn measure_decision(cx: &Ctx, items_bound: bool) -> Built {
    let c = cx.case;
    let day = c.cd().measure.date();
    let mut doc = cx.doc("coercive_measure_decision", day, Some(c.number("强措")));
    doc.blocks.extend(cx.party_block(false));
    let no_duration = cx.has(D::MeasureDecisionNoDuration);
    let period = if no_duration {
        String::new()
    } else {
        format!(
            "，期限为三十日（自{}至{}）",
            date_cn(day),
            date_cn(day + Duration::days(29))
        )
    };
    let reference = if items_bound {
        cx.say("items_bound", &[])
    } else {
        cx.say(
            "items_reference",
            &[("list", cx.title("seized_items_list"))],
        )
    };
    doc.blocks.push(para(format!(
        "经查，{}因你（单位）{}，依据{}的规定，本局决定对你（单位）的下列场所、设施或者财物予以{}{}：{}{reference}。",
        c.fill(&c.scenario.inspection),
        c.scenario.cause,
        cx.cites(&c.scenario.measure_basis, false, false),
        measure_kind(cx),
        period,
        c.fill(&c.scenario.measure_object),
    )));
    doc.blocks.push(para(cx.say(
        "measure_custody",
        &[("measure", measure_kind(cx).to_string())],
    )));
    doc.blocks.push(para(cx.remedies(
        day,
        cx.has(D::MeasureDecisionWrongRemedy),
        false,
    )));
    let no_seal = cx.has(D::MeasureDecisionNoSeal);
    doc.blocks.extend(cx.issuer(day, !no_seal));
    if items_bound {
        doc.blocks
            .push(line(format!("附：{}", cx.title("seized_items_list"))));
        doc.blocks.push(Block::Table(items_table(cx)));
        doc.blocks.push(Block::Line(sign_date_line(
            "当事人签名",
            Some(&c.party.signer),
            day,
            true,
        )));
    }
    let mut shows = Vec::new();
    for d in [
        D::MeasureDecisionNoDuration,
        D::MeasureDecisionWrongRemedy,
        D::MeasureDecisionNoSeal,
        D::OutOfOrder,
    ] {
        if cx.has(d) {
            shows.push((d, Shows::All));
        }
    }
    Built { spec: doc, shows }
}

fn measure_notice(cx: &Ctx) -> Built {
    let c = cx.case;
    let day = c.cd().measure.date();
    let mut doc = cx.doc("coercive_measure_notice", day, Some(c.number("强通")));
    doc.blocks.push(line(format!("{}：", c.party.name)));
    doc.blocks.push(para(format!(
        "因你（单位）{}，本局依据{}的规定，于{}对你（单位）{}实施{}，期限三十日。请你（单位）于{}到本局接受调查处理。",
        c.scenario.cause,
        cx.cites(&c.scenario.measure_basis, false, false),
        datetime_cn(c.cd().measure),
        c.fill(&c.scenario.measure_object),
        measure_kind(cx),
        date_cn(day + Duration::days(3))
    )));
    doc.blocks.push(para("你（单位）享有陈述、申辩的权利。"));
    doc.blocks.extend(cx.issuer(day, true));
    Built {
        spec: doc,
        shows: vec![],
    }
}

fn measure_record(cx: &Ctx) -> Built {
    let c = cx.case;
    let d = c.cd();
    let mut doc = cx.doc("coercive_measure_record", d.measure.date(), None);
    doc.number = None;
    doc.blocks.extend([
        Block::Line(TextLine::new(vec![
            Run::printed("时间："),
            cx.rec(format!(
                "{}至{}",
                datetime_cn(d.measure),
                time_cn(d.measure_end)
            )),
        ])),
        Block::Line(TextLine::new(vec![
            Run::printed("地点："),
            cx.rec(c.vars["place"].clone()),
        ])),
        Block::Line(TextLine::new(vec![
            Run::printed("当事人："),
            cx.rec(format!(
                "{}（现场负责人：{}）",
                c.party.name, c.party.signer
            )),
        ])),
        Block::Line(cx.officers_line(cx.label("officers"), false, false)),
        Block::Line(TextLine::new(vec![
            Run::printed("见证人："),
            cx.rec(format!("{}（身份证号码：{}）", c.witness, c.witness_id)),
        ])),
    ]);
    let no_rights = cx.has(D::MeasureRecordNoRights);
    let mut text = "执法人员向当事人出示了执法证件。".to_string();
    if !no_rights {
        text.push_str(&format!(
            "执法人员告知当事人：因其{}，依据{}的规定，本局决定实施{}；当事人享有陈述、申辩的权利，对本强制措施不服的，可以依法申请行政复议或者提起行政诉讼。当事人陈述：{}",
            c.scenario.cause,
            cx.cites(&c.scenario.measure_basis, false, false),
            measure_kind(cx),
            "我们配合检查，请尽快处理。"
        ));
    }
    text.push_str(&format!(
        "现场情况：{}执法人员当场对{}予以{}，并制作了物品清单，加贴了封条。",
        c.fill(&c.scenario.inspection),
        c.fill(&c.scenario.measure_object),
        measure_kind(cx)
    ));
    doc.blocks.push(Block::Paragraph {
        runs: vec![cx.rec(text)],
        indent: true,
    });
    doc.blocks.push(Block::Space(6.0));
    let unsigned = cx.has(D::MeasureRecordUnsigned);
    if unsigned {
        doc.blocks
            .push(Block::Line(sign_line("当事人签名", None, false)));
        doc.blocks
            .push(Block::Line(sign_line("见证人签名", None, false)));
    } else {
        doc.blocks.push(Block::Line(sign_date_line(
            "当事人签名",
            Some(&c.party.signer),
            d.measure.date(),
            true,
        )));
        doc.blocks
            .push(Block::Line(sign_line("见证人签名", Some(&c.witness), true)));
    }
    doc.blocks.push(Block::Line(
        cx.officer_signatures(cx.label("officers_sign"), false),
    ));
    let mut shows = Vec::new();
    if unsigned {
        shows.push((D::MeasureRecordUnsigned, Shows::All));
    }
    if no_rights {
        shows.push((D::MeasureRecordNoRights, Shows::All));
    }
    Built { spec: doc, shows }
}

fn items_list(cx: &Ctx) -> Built {
    let c = cx.case;
    let day = c.cd().measure.date();
    let mut doc = cx.doc("seized_items_list", day, None);
    doc.number = None;
    let no_number = cx.has(D::ItemsListNoNumber);
    if !no_number {
        doc.blocks.push(line(format!(
            "{}文书号：{}",
            cx.title("coercive_measure_decision"),
            c.number("强措")
        )));
    }
    doc.blocks
        .push(line(format!("{}：{}", cx.label("party"), c.party.name)));
    doc.blocks.push(Block::Table(items_table(cx)));
    doc.blocks.push(para(format!(
        "本清单一式两份，一份交当事人，一份附卷。共计{}项。",
        count_cn(1)
    )));
    let unsigned = cx.has(D::ItemsListUnsigned);
    if unsigned {
        doc.blocks
            .push(Block::Line(sign_line("当事人签名", None, false)));
    } else {
        doc.blocks.push(Block::Line(sign_date_line(
            "当事人签名",
            Some(&c.party.signer),
            day,
            true,
        )));
    }
    doc.blocks.push(Block::Line(
        cx.officer_signatures(cx.label("officers_sign"), false),
    ));
    let mut shows = Vec::new();
    if no_number {
        shows.push((D::ItemsListNoNumber, Shows::All));
    }
    if unsigned {
        shows.push((D::ItemsListUnsigned, Shows::All));
    }
    Built { spec: doc, shows }
}

/// The seized items as a ruled table (in the list, or bound in the decision).
fn items_table(cx: &Ctx) -> Table {
    let c = cx.case;
    let rows = vec![
        row(
            vec![
                Cell::label("序号"),
                Cell::label("名称"),
                Cell::label("规格（型号）"),
                Cell::label("数量"),
                Cell::label("存放地点"),
            ],
            8.0,
        ),
        row(
            vec![
                text_cell("1"),
                text_cell(&c.goods.0),
                text_cell(&c.fill(&c.goods.1)),
                hand_cell(&format!("{}{}", c.qty, c.goods.2)),
                text_cell("就地封存"),
            ],
            10.0,
        ),
        row(
            vec![
                text_cell(""),
                text_cell("以下空白"),
                text_cell(""),
                text_cell(""),
                text_cell(""),
            ],
            8.0,
        ),
    ];
    Table {
        columns: vec![0.6, 2.2, 1.6, 1.0, 1.2],
        rows,
    }
}

fn release(cx: &Ctx) -> Built {
    let c = cx.case;
    let d = c.cd();
    let overdue = cx.has(D::MeasureOverdue);
    let day = if overdue {
        crate::case::add_workdays(d.measure.date() + Duration::days(41), 0)
    } else {
        d.release
    };
    let mut doc = cx.doc("coercive_measure_release", day, Some(c.number("解")));
    doc.blocks.push(line(format!("{}：", c.party.name)));
    doc.blocks.push(para(format!(
        "本局于{}以{}对你（单位）{}实施了{}。经调查，{}，依据《中华人民共和国行政强制法》第二十八条的规定，本局决定自{}起解除上述{}，被{}的财物予以退还。",
        date_cn(d.measure.date()),
        c.number("强措"),
        c.fill(&c.scenario.measure_object),
        measure_kind(cx),
        "已查清相关事实，不再需要实施强制措施",
        date_cn(day),
        measure_kind(cx),
        measure_kind(cx)
    )));
    doc.blocks.push(Block::Line(sign_date_line(
        "当事人签收",
        Some(&c.party.signer),
        day,
        true,
    )));
    doc.blocks.extend(cx.issuer(day, true));
    Built {
        spec: doc,
        shows: if overdue {
            vec![(D::MeasureOverdue, Shows::All)]
        } else {
            vec![]
        },
    }
}

fn demand(cx: &Ctx) -> Built {
    let c = cx.case;
    let d = c.cd();
    let mut doc = cx.doc("performance_demand", d.demand, Some(c.number("催")));
    doc.blocks.push(line(format!("{}：", c.party.name)));
    doc.blocks.push(para(format!(
        "本局于{}向你（单位）送达了{}，要求你（单位）自行拆除{}。你（单位）至今未履行上述义务。",
        date_cn(d.order),
        c.fill(&c.scenario.underlying),
        c.fill(&c.scenario.measure_object_or_goods())
    )));
    let no_deadline = cx.has(D::DemandNoDeadline);
    let no_consequence = cx.has(D::DemandNoConsequence);
    let mut text =
        String::from("根据《中华人民共和国行政强制法》第三十五条的规定，现催告你（单位）");
    if !no_deadline {
        text.push_str(&format!("于{}前", date_cn(d.demand_deadline)));
    }
    text.push_str("自行拆除上述设施，恢复原状。");
    if !no_consequence {
        text.push_str(&format!(
            "逾期仍不履行的，本局将依法{}，{}。",
            c.scenario.execution,
            if c.substitute() {
                "代履行费用由你（单位）承担"
            } else {
                "由此产生的费用和后果由你（单位）承担"
            }
        ));
    }
    doc.blocks.push(para(text));
    doc.blocks.push(para(
        "你（单位）享有陈述权和申辩权，可以在收到本催告书之日起三日内向本局提出陈述、申辩。",
    ));
    doc.blocks.extend(cx.issuer(d.demand, true));
    let mut shows = Vec::new();
    if no_deadline {
        shows.push((D::DemandNoDeadline, Shows::All));
    }
    if no_consequence {
        shows.push((D::DemandNoConsequence, Shows::All));
    }
    if cx.has(D::EnforcementBeforeDeadline) {
        shows.push((D::EnforcementBeforeDeadline, Shows::All));
    }
    Built { spec: doc, shows }
}

fn enforcement_date(cx: &Ctx) -> NaiveDate {
    let d = cx.case.cd();
    if cx.has(D::EnforcementBeforeDeadline) {
        crate::case::add_workdays(d.demand + Duration::days(4), 0)
    } else {
        d.enforcement_decision
    }
}

/// When the execution happened: by day on a workday, or (defects) at night or on a holiday.
fn execution_time(cx: &Ctx) -> (NaiveDateTime, NaiveDateTime) {
    let d = cx.case.cd();
    if cx.has(D::ExecutionAtNight) {
        let t = d
            .execution
            .date()
            .and_time(NaiveTime::from_hms_opt(21, 30, 0).expect("time"));
        (t, t + Duration::minutes(150))
    } else if cx.has(D::ExecutionOnHoliday) {
        let day = first_holiday_after(d.execution.date());
        let t = day.and_time(d.execution.time());
        (t, t + (d.execution_end - d.execution))
    } else {
        (d.execution, d.execution_end)
    }
}

fn first_holiday_after(d: NaiveDate) -> NaiveDate {
    let w = crate::data::world();
    w.holiday
        .iter()
        .map(|h| h.from)
        .filter(|&f| f > d)
        .min()
        .unwrap_or(d)
}

fn enforcement_decision(cx: &Ctx) -> Built {
    let c = cx.case;
    let d = c.cd();
    let day = enforcement_date(cx);
    let (exec, _) = execution_time(cx);
    let mut doc = cx.doc("enforcement_decision", day, Some(c.number("强执")));
    doc.blocks.extend(cx.party_block(false));
    doc.blocks.push(para(format!(
        "本局于{}作出{}，你（单位）在法定期限内未申请行政复议或者提起行政诉讼，又不履行。本局于{}向你（单位）送达了{}（{}），你（单位）逾期仍未履行。",
        date_cn(d.order),
        c.fill(&c.scenario.underlying),
        date_cn(d.demand),
        cx.title("performance_demand"),
        c.number("催")
    )));
    doc.blocks.push(para(format!(
        "依据{}的规定，本局决定于{}对{}依法{}。",
        cx.cites(&c.scenario.exec_basis, false, false),
        date_cn(exec.date()),
        c.fill(&c.scenario.measure_object_or_goods()),
        c.scenario.execution
    )));
    doc.blocks.push(para(cx.remedies(
        day,
        cx.has(D::EnforcementDecisionWrongRemedy),
        false,
    )));
    let no_seal = cx.has(D::EnforcementDecisionNoSeal);
    doc.blocks.extend(cx.issuer(day, !no_seal));
    let mut shows = Vec::new();
    for def in [
        D::EnforcementDecisionWrongRemedy,
        D::EnforcementDecisionNoSeal,
        D::EnforcementBeforeDeadline,
    ] {
        if cx.has(def) {
            shows.push((def, Shows::All));
        }
    }
    Built { spec: doc, shows }
}

fn substitute(cx: &Ctx) -> Built {
    let c = cx.case;
    let d = c.cd();
    let day = d.substitute_decision;
    let (exec, _) = execution_time(cx);
    let mut doc = cx.doc(
        "substitute_performance_decision",
        day,
        Some(c.number("代履")),
    );
    doc.blocks.extend(cx.party_block(false));
    doc.blocks.push(para(format!(
        "本局于{}向你（单位）送达了{}，你（单位）逾期未履行；经本局于{}催告（{}），你（单位）仍未履行。{}",
        date_cn(d.order),
        c.fill(&c.scenario.underlying),
        date_cn(d.demand),
        c.number("催"),
        "上述设施影响公路通行安全。"
    )));
    let cost = 1500 + u64::from(c.qty) * 1800;
    let no_cost = cx.has(D::SubstituteNoCost);
    doc.blocks.push(para(format!(
        "依据{}的规定，本局决定委托{}交通工程有限公司于{}代为拆除{}{}。",
        cx.cites(&c.scenario.exec_basis, false, false),
        c.agency.county,
        date_cn(exec.date()),
        c.fill(&c.scenario.measure_object_or_goods()),
        if no_cost {
            String::new()
        } else {
            format!(
                "，代履行费用预算为人民币{cost}元，由你（单位）承担，请于代履行完毕后十五日内缴纳"
            )
        }
    )));
    doc.blocks
        .push(para("代履行三日前，你（单位）自行履行的，停止代履行。"));
    doc.blocks.push(para(cx.remedies(day, false, false)));
    let no_seal = cx.has(D::SubstituteNoSeal);
    doc.blocks.extend(cx.issuer(day, !no_seal));
    let mut shows = Vec::new();
    if no_cost {
        shows.push((D::SubstituteNoCost, Shows::All));
    }
    if no_seal {
        shows.push((D::SubstituteNoSeal, Shows::All));
    }
    Built { spec: doc, shows }
}

fn enforcement_record(cx: &Ctx) -> Built {
    let c = cx.case;
    let (start, end) = execution_time(cx);
    let mut doc = cx.doc("enforcement_record", start.date(), None);
    doc.number = None;
    let no_time = cx.has(D::EnforcementRecordNoTime);
    let time = if no_time {
        Run::blank(16)
    } else {
        cx.rec(format!("{}至{}", datetime_cn(start), time_cn(end)))
    };
    doc.blocks.extend([
        Block::Line(TextLine::new(vec![Run::printed("执行时间："), time])),
        Block::Line(TextLine::new(vec![
            Run::printed("执行地点："),
            cx.rec(c.vars["place"].clone()),
        ])),
        Block::Line(TextLine::new(vec![
            Run::printed("被执行人："),
            cx.rec(c.party.name.clone()),
            Run::printed("　　住所（址）："),
            cx.rec(c.party.address.clone()),
        ])),
        Block::Line(TextLine::new(vec![
            Run::printed("被执行人身份证号码（统一社会信用代码）："),
            cx.rec(
                c.party
                    .credit_code
                    .clone()
                    .unwrap_or_else(|| c.party.signer_id.clone()),
            ),
        ])),
        Block::Line(cx.officers_line("执行人员", false, false)),
        Block::Line(TextLine::new(vec![
            Run::printed("见证人："),
            cx.rec(c.witness.clone()),
        ])),
    ]);
    let how = if c.substitute() {
        format!("代履行人{}交通工程有限公司", c.agency.county)
    } else {
        "执法人员组织施工人员".to_string()
    };
    doc.blocks.push(Block::Paragraph {
        runs: vec![cx.rec(format!(
            "执法人员到达现场后，向被执行人出示了执法证件，宣读了{}，告知其依法享有的权利。被执行人{}在场。{}对{}实施了{}，现场秩序良好，未发生人员伤亡和财产损失，拆除后的材料已清点并交被执行人。",
            if c.substitute() { cx.title("substitute_performance_decision") } else { cx.title("enforcement_decision") },
            c.party.signer,
            how,
            c.fill(&c.scenario.measure_object_or_goods()),
            c.scenario.execution
        ))],
        indent: true,
    });
    let unsigned = cx.has(D::EnforcementRecordUnsigned);
    let sig = if unsigned {
        TextLine::new(vec![
            Run::printed("被执行人签名："),
            Run::blank(5),
            Run::printed("见证人签名："),
            Run::blank(5),
        ])
    } else {
        TextLine::new(vec![
            Run::printed("被执行人签名："),
            Run::hand(c.party.signer.clone()),
            Run::blank(2),
            Run::printed("见证人签名："),
            Run::hand(c.witness.clone()),
        ])
        .with_marks(SignatureMarks {
            fingerprint: true,
            seal: None,
        })
    };
    doc.footer = Some(Footer {
        lines: vec![sig, cx.officer_signatures("执行人员签名", false)],
        page_counter: true,
        unsigned_pages: vec![],
    });
    let mut shows = Vec::new();
    for def in [
        D::EnforcementRecordNoTime,
        D::EnforcementRecordUnsigned,
        D::ExecutionAtNight,
        D::ExecutionOnHoliday,
    ] {
        if cx.has(def) {
            shows.push((
                def,
                if def == D::EnforcementRecordUnsigned {
                    Shows::All
                } else {
                    Shows::Page(0)
                },
            ));
        }
    }
    Built { spec: doc, shows }
}

impl crate::data::Scenario {
    /// What an execution acts on: the goods with their specification and count.
    pub fn measure_object_or_goods(&self) -> String {
        "{place}的{goods}（规格：{spec}）{qty}{unit}".to_string()
    }
}
