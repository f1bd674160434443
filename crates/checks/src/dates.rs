//! Dates: the procedure's order, statutory time limits, execution at night
//! or on a statutory holiday.

use crate::content::for_doc;
use crate::rules::{DeadlineRule, ForbiddenTime, LimitRule, OrderRule, Rules};
use crate::sink::Sink;
use crate::text::{dates, is_blank_date, squash, time_spans};
use crate::view::{Doc, Dossier, Spot};
use chrono::{NaiveDate, Timelike};
use regex::Regex;

pub fn check(d: &Dossier, rules: &Rules, sink: &mut Sink) {
    for r in &rules.order {
        order(d, r, sink);
    }
    for r in &rules.limit {
        limit(d, r, sink);
    }
    for r in &rules.deadline {
        deadline(d, r, sink);
    }
    forbidden_time(d, &rules.forbidden_time, sink);
}

/// A document's own date: classification's, unless its foot shows a blank
/// date (then the date classification found is one quoted in the text).
fn own_date(d: &Dossier, doc: &Doc) -> Option<NaiveDate> {
    let blank = d
        .lines(doc.last_page())
        .iter()
        .any(|l| is_blank_date(l.text));
    if blank {
        None
    } else {
        doc.date
    }
}

/// Whether some line of the document shows `date` whole, closed by its 日
/// (or 日 read as 曰/目). Classification takes a date that ends a line
/// without it (`2022年4月2`): under a seal the 日 and a digit before it
/// may both be lost (29日), and a date not read whole proves no order.
fn read_whole(d: &Dossier, doc: &Doc, date: NaiveDate) -> bool {
    doc.pages.iter().any(|&p| {
        d.lines(p).iter().any(|l| {
            let s: String = squash(l.text)
                .chars()
                .map(|c| if matches!(c, '曰' | '目') { '日' } else { c })
                .collect();
            dates(&s).contains(&date)
        })
    })
}

/// Marks what was emitted since `from` as doubtful for each of `dated`
/// whose date was not read whole.
fn doubt_unless_whole(d: &Dossier, dated: &[(&Doc, NaiveDate)], from: usize, sink: &mut Sink) {
    for (doc, date) in dated {
        if !read_whole(d, doc, *date) {
            sink.mark_doubt(
                from,
                &format!(
                    "{}的日期读出{}，其后未见“日”字，可能缺字",
                    doc.name(),
                    fmt(*date).trim_end_matches('日')
                ),
            );
        }
    }
}

/// Where a document shows its date: the last line of its last page that
/// holds that date, else its title.
fn date_evidence(d: &Dossier, doc: &Doc, date: NaiveDate) -> anjuan_core::contract::Evidence {
    let page = doc.last_page();
    d.lines(page)
        .iter()
        .rev()
        .find(|l| dates(&squash(l.text)).contains(&date))
        .map(|l| Spot::of_line(page, l).evidence())
        .unwrap_or_else(|| doc.title_evidence(d))
}

fn fmt(date: NaiveDate) -> String {
    date.format("%Y年%-m月%-d日").to_string()
}

fn order(d: &Dossier, r: &OrderRule, sink: &mut Sink) {
    let (Some(before), Some(after)) = (d.docs_of(&r.before).next(), d.docs_of(&r.after).next())
    else {
        return;
    };
    let (Some(b), Some(a)) = (own_date(d, before), own_date(d, after)) else {
        return;
    };
    if a >= b {
        return;
    }
    let reason = format!(
        "{}（{}早于{}{}）",
        r.reason,
        after.name(),
        before.name(),
        format_args!("：{} < {}", fmt(a), fmt(b))
    );
    let evidence = vec![date_evidence(d, after, a), date_evidence(d, before, b)];
    let conf = 0.8 * after.confidence(d).min(before.confidence(d)).max(0.5);
    let from = sink.len();
    sink.emit(&for_doc(&r.target, ""), &reason, conf, evidence);
    doubt_unless_whole(d, &[(after, a), (before, b)], from, sink);
}

fn limit(d: &Dossier, r: &LimitRule, sink: &mut Sink) {
    if r.unless_any.iter().any(|t| d.has(t)) {
        return;
    }
    let (Some(from), Some(to)) = (d.docs_of(&r.from).next(), d.docs_of(&r.to).next()) else {
        return;
    };
    let (Some(f), Some(t)) = (own_date(d, from), own_date(d, to)) else {
        return;
    };
    let days = (t - f).num_days();
    if days <= r.max_days {
        return;
    }
    let reason = format!(
        "{}：{} {}，{} {}，相隔{}日",
        r.reason,
        from.name(),
        fmt(f),
        to.name(),
        fmt(t),
        days
    );
    let evidence = vec![date_evidence(d, from, f), date_evidence(d, to, t)];
    let conf = 0.8 * from.confidence(d).min(to.confidence(d)).max(0.5);
    let first = sink.len();
    sink.emit(&r.target, &reason, conf, evidence);
    doubt_unless_whole(d, &[(from, f), (to, t)], first, sink);
}

fn deadline(d: &Dossier, r: &DeadlineRule, sink: &mut Sink) {
    let re = Regex::new(&r.deadline_re).expect("rules.toml: bad regex");
    let (Some(demand), Some(doc)) = (d.docs_of(&r.deadline_doc).next(), d.docs_of(&r.doc).next())
    else {
        return;
    };
    let text = demand.text();
    let Some(due) = re
        .captures(&text)
        .and_then(|c| dates(c.get(1)?.as_str()).first().copied())
    else {
        return;
    };
    let Some(decided) = own_date(d, doc) else {
        return;
    };
    if decided > due {
        return;
    }
    let mut evidence = Vec::new();
    if let Some(spot) = d.find_re(demand, &re) {
        evidence.push(spot.evidence());
    }
    evidence.push(date_evidence(d, doc, decided));
    let reason = format!(
        "{}（履行期限{}，{}日期{}）",
        r.reason,
        fmt(due),
        doc.name(),
        fmt(decided)
    );
    let conf = 0.8 * doc.confidence(d).min(demand.confidence(d)).max(0.5);
    // The target names its item as it is: a basic standard of the file
    // has no document type.
    let from = sink.len();
    sink.emit(&r.target, &reason, conf, evidence);
    doubt_unless_whole(d, &[(doc, decided)], from, sink);
}

fn forbidden_time(d: &Dossier, r: &ForbiddenTime, sink: &mut Sink) {
    for doc in d.docs.iter().filter(|x| r.doc_types.contains(&x.doc_type)) {
        let text = doc.text();
        if r.emergency.iter().any(|w| text.contains(w.as_str())) {
            continue;
        }
        let page = doc.first_page();
        // The record's own time: the first span on its first page.
        let Some((line, span)) = d
            .lines(page)
            .iter()
            .find_map(|l| time_spans(&squash(l.text)).first().map(|s| (l, *s)))
            .or_else(|| {
                let spans = time_spans(&doc.page_text(page));
                let s = *spans.first()?;
                let l = d
                    .lines(page)
                    .iter()
                    .find(|l| squash(l.text).contains('时'))?;
                Some((l, s))
            })
        else {
            continue;
        };
        let spot = Spot::of_line(page, line);
        let conf = 0.85 * spot.confidence.max(0.5);
        let night = |h: u32| h >= r.night_from || h < r.night_to;
        let end = span.end.unwrap_or(span.start);
        let at_night = night(span.start.hour())
            || end.date() > span.start.date()
            || (end.hour() >= r.night_from && end.minute() + end.hour() * 60 > r.night_from * 60);
        if at_night {
            let reason = format!(
                "{}记载的执行时间在夜间（{}至{}），未载明紧急情况",
                doc.name(),
                span.start.format("%Y年%-m月%-d日%H:%M"),
                end.format("%H:%M")
            );
            sink.emit(
                &for_doc(&r.target, &doc.doc_type),
                &reason,
                conf,
                vec![spot.evidence()],
            );
        } else if let Some(h) = anjuan_statutes::calendar::holiday(span.start.date()) {
            let reason = format!(
                "{}记载的执行日期{}是法定节假日（{}），未载明紧急情况",
                doc.name(),
                fmt(span.start.date()),
                h.name
            );
            sink.emit(
                &for_doc(&r.target, &doc.doc_type),
                &reason,
                conf,
                vec![spot.evidence()],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{file_findings, one_page_findings, stacked, TestDoc};
    use anjuan_core::contract::FindingStatus;
    use anjuan_core::marks::PageMarks;
    use anjuan_core::CaseKind;

    /// The status of the decision-before-notice finding (P-B4-3) on a file
    /// whose decision ends with `decision_foot`, read as dated 2022-04-02.
    fn decided_before_notice(decision_foot: &'static str) -> Option<FindingStatus> {
        let marks = PageMarks::default();
        let notice = ["行政处罚事先告知书", "当事人：某某商店", "2022年4月20日"];
        let decision = ["行政处罚决定书", "当事人：某某商店", decision_foot];
        fn doc(
            doc_type: &'static str,
            date: &'static str,
            texts: &[&'static str],
        ) -> TestDoc<'static> {
            TestDoc {
                doc_type,
                title: texts[0],
                date: Some(date),
                pages: vec![stacked(texts, [200, 300, 1800], 1.0)],
            }
        }
        file_findings(
            CaseKind::Penalty,
            vec![
                doc("penalty_notice", "2022-04-20", &notice),
                doc("penalty_decision", "2022-04-02", &decision),
            ],
            &marks,
        )
        .into_iter()
        .find(|f| f.item == "P-B4-3")
        .map(|f| f.status)
    }

    #[test]
    fn an_order_resting_on_a_date_not_read_whole_asks_a_reviewer() {
        // 2022年4月29日 under a seal, read as 2022年4月2: it may be the 29th.
        assert_eq!(
            decided_before_notice("2022年4月2"),
            Some(FindingStatus::NeedsReview)
        );
        assert_eq!(
            decided_before_notice("2022年4月2日"),
            Some(FindingStatus::Suggested)
        );
    }

    /// The items found on a one-page enforcement record with this time line.
    fn record(time: &str) -> Vec<String> {
        let texts = ["行政强制执行现场笔录", time, "执行地点：县城关镇东街"];
        one_page_findings(
            CaseKind::Coercion,
            "enforcement_record",
            "行政强制执行现场笔录",
            None,
            stacked(&texts, [200, 300, 1800], 0.98),
            &PageMarks::default(),
        )
        .into_iter()
        .filter(|f| f.item == "C-B2-8" || f.item == "C-2.3.1")
        .map(|f| format!("{} {}", f.item, f.reason))
        .collect()
    }

    #[test]
    fn execution_at_night_or_on_a_holiday() {
        let night = record("执行时间：2024年5月6日21时30分至24时00分");
        assert_eq!(night.len(), 1, "{night:?}");
        assert!(night[0].starts_with("C-B2-8") && night[0].contains("夜间"));
        let holiday = record("执行时间：2024年10月3日9时00分至11时30分");
        assert!(holiday[0].contains("国庆"), "{holiday:?}");
        assert!(record("执行时间：2024年10月9日9时00分至11时30分").is_empty());
        let blank = record("执行时间：");
        assert!(blank[0].starts_with("C-2.3.1"), "{blank:?}");
    }
}
