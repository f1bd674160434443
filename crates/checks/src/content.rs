//! What documents say: fixed statements, filled-in fields, signature places,
//! approval boxes, issuing dates, the party's particulars, officers and
//! certificates, citations.

use crate::rules::{
    ApprovalRule, CitationRule, FieldRule, IntervieweeRule, OfficersRule, PartyRule, PhraseRule,
    Rules, SignRule, UndatedRule,
};
use crate::sink::{Sink, Target};
use crate::text::{cjk_count, fuzzy_find, is_blank_date, squash};
use crate::view::{Doc, Dossier, Spot};
use crate::Line;
use chrono::Datelike;
use regex::Regex;
use std::sync::OnceLock;

pub fn check(d: &Dossier, rules: &Rules, sink: &mut Sink) {
    for r in &rules.phrase {
        phrase(d, r, sink);
    }
    for r in &rules.field {
        field(d, r, sink);
    }
    for r in &rules.sign {
        sign(d, r, sink);
    }
    for r in &rules.approval {
        approval(d, r, sink);
    }
    for r in &rules.undated {
        undated(d, r, sink);
    }
    for r in &rules.party {
        party(d, r, sink);
    }
    for r in &rules.officers {
        officers(d, r, sink);
    }
    for r in &rules.citation {
        citation(d, r, sink);
    }
    for r in &rules.interviewee {
        interviewees(d, r, sink);
    }
}

/// The target with the judged document's type when the rule leaves it open.
pub fn for_doc(t: &Target, doc_type: &str) -> Target {
    let mut t = t.clone();
    if t.doc_type.is_empty() {
        t.doc_type = doc_type.to_string();
    }
    t
}

fn docs_of<'d>(d: &'d Dossier, types: &'d [String]) -> impl Iterator<Item = &'d Doc> + 'd {
    d.docs
        .iter()
        .filter(move |doc| types.contains(&doc.doc_type))
}

fn phrase(d: &Dossier, r: &PhraseRule, sink: &mut Sink) {
    let re =
        r.re.as_deref()
            .map(|s| Regex::new(s).expect("rules.toml: bad regex"));
    for doc in docs_of(d, &r.doc_types) {
        let found = r.any.iter().any(|p| d.find(doc, p).is_some())
            || re.as_ref().is_some_and(|re| re.is_match(&doc.text()));
        let wrong = r.wrong.iter().find_map(|w| {
            let needle: Vec<char> = squash(w).chars().collect();
            let hay: Vec<char> = doc.text().chars().collect();
            // Wrong periods are short: exact matches only.
            hay.windows(needle.len())
                .position(|x| x == needle.as_slice())
                .and_then(|s| d.spot(doc, s, s + needle.len()))
        });
        if found && wrong.is_none() {
            continue;
        }
        let name = doc.name();
        let (reason, evidence, conf) = match &wrong {
            Some(spot) => (
                format!(
                    "{name}{}（写作“{}”）",
                    r.reason.trim_start_matches(&name[..]),
                    spot.text
                ),
                vec![spot.evidence()],
                0.85 * spot.confidence.max(0.5),
            ),
            None => (
                with_name(&name, &r.reason),
                vec![doc.title_evidence(d)],
                // An absence is as sure as the text was read.
                0.9 * doc.confidence(d).max(0.5),
            ),
        };
        sink.emit(&for_doc(&r.target, &doc.doc_type), &reason, conf, evidence);
    }
}

/// A reason that names the document: rules shared by several document
/// types word their reasons without it (`未写明…`).
fn with_name(name: &str, reason: &str) -> String {
    if reason.starts_with('未') || reason.starts_with("落款") {
        format!("{name}{reason}")
    } else {
        reason.to_string()
    }
}

/// Where a label occurs on a page: (line index, char offset after the label
/// in the squashed line).
fn find_label(lines: &[Line], labels: &[String]) -> Vec<(usize, usize)> {
    lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let s: Vec<char> = squash(l.text).chars().collect();
            label_span(&s, labels, true).map(|(_, end)| (i, end))
        })
        .collect()
}

/// Where the first of `labels` occurs in the squashed chars `s`: its start
/// and end. Long labels match fuzzily if `fuzzy`.
fn label_span(s: &[char], labels: &[String], fuzzy: bool) -> Option<(usize, usize)> {
    labels.iter().find_map(|label| {
        let needle: Vec<char> = squash(label).chars().collect();
        // Short labels exactly: `询问人签名` is one edit from `被询问人签名`.
        let hit = if fuzzy && needle.len() >= 8 {
            // 被 is what tells the subject (被调查（询问）人) from the
            // officer (调查（询问）人): a fuzzy match must keep it.
            fuzzy_find(s, &needle)
                .filter(|&(start, _, _)| needle[0] != '被' || s.get(start) == Some(&'被'))
        } else {
            s.windows(needle.len())
                .position(|w| w == needle.as_slice())
                .map(|p| (p, p + needle.len(), 1.0))
        };
        hit.map(|(start, end, _)| (start, end))
    })
}

/// Where a label of a table's row heading occurs: (first line index, the
/// box of the label). A narrow heading cell wraps its label over lines one
/// under the other (`行政机关负责人` / `意见`): a line and the one just below
/// it, overlapping it across, are read together. Labels match exactly: the
/// rows' labels differ by a word (承办部门负责人意见, 市场监管部门负责人意见).
fn find_cell_label(lines: &[Line], labels: &[String]) -> Vec<(usize, [u32; 4])> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let s: Vec<char> = squash(l.text).chars().collect();
        if label_span(&s, labels, false).is_some() {
            out.push((i, l.bbox));
            continue;
        }
        let h = l.bbox[3].saturating_sub(l.bbox[1]).max(10);
        let below = lines
            .iter()
            .filter(|n| {
                n.bbox[1] >= l.bbox[1] + h / 2
                    && n.bbox[1] <= l.bbox[3] + h * 3 / 2
                    && n.bbox[0] < l.bbox[2]
                    && n.bbox[2] > l.bbox[0]
            })
            .min_by_key(|n| n.bbox[1]);
        let Some(n) = below else {
            continue;
        };
        let joined: Vec<char> = s.iter().copied().chain(squash(n.text).chars()).collect();
        // The label must run from the first line into the second.
        if label_span(&joined, labels, false)
            .is_some_and(|(start, end)| start < s.len() && end > s.len())
        {
            out.push((
                i,
                [
                    l.bbox[0].min(n.bbox[0]),
                    l.bbox[1],
                    l.bbox[2].max(n.bbox[2]),
                    n.bbox[3],
                ],
            ));
        }
    }
    out
}

/// Words that begin the next label on a signature line.
const LABEL_WORDS: &[&str] = &[
    "签名",
    "签字",
    "盖章",
    "签收",
    "主持人",
    "记录人",
    "见证人",
    "执法人员",
    "被询问人",
    "询问人",
    "当事人",
    "被执行人",
    "送达人",
    "日期",
];

/// Characters that end a signature label after its name (`或盖章`,
/// `（签字、捺指印）`, `：`).
const LABEL_TAIL: &[char] = &[
    '或', '盖', '章', '签', '名', '字', '捺', '按', '指', '印', '、', '（', '）', '(', ')', '：',
    ':',
];

/// A record's page footer (`第1页共2页`): below a signature place, never
/// the signature.
fn is_page_footer(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^第[0-9一二三四五六七八九十]{1,3}页(共[0-9一二三四五六七八九十]{1,3}页)?$")
            .expect("regex")
    })
    .is_match(&squash(text))
}

/// The handwriting or text written beside a label: the rest of its line
/// (up to the next label on the line) and lines to the right in its row.
fn value_beside(lines: &[Line], li: usize, after: usize) -> String {
    let line = &lines[li];
    let s: String = squash(line.text).chars().skip(after).collect();
    // The rest of a longer label (`收件人签名` in `收件人签名或盖章`,
    // `（签名或盖章）`) is no signature.
    let s = s.trim_start_matches(LABEL_TAIL);
    let cut = LABEL_WORDS
        .iter()
        .filter_map(|w| s.find(w))
        .min()
        .unwrap_or(s.len());
    let mut value = s[..cut].to_string();
    let h = line.bbox[3].saturating_sub(line.bbox[1]).max(10) as i64;
    let cy = (line.bbox[1] + line.bbox[3]) as i64 / 2;
    for (j, other) in lines.iter().enumerate() {
        if j == li {
            continue;
        }
        let ocy = (other.bbox[1] + other.bbox[3]) as i64 / 2;
        if is_page_footer(other.text) {
            continue;
        }
        if other.bbox[0] as i64 >= line.bbox[2] as i64 - h / 2 && (ocy - cy).abs() <= 3 * h {
            // Not nearer to another label of the same column.
            let nearer = lines.iter().enumerate().any(|(k, l)| {
                k != li
                    && k != j
                    && l.bbox[2] as i64 <= line.bbox[2] as i64 + h
                    && (l.bbox[0] as i64 - line.bbox[0] as i64).abs() <= 2 * h
                    && ((l.bbox[1] + l.bbox[3]) as i64 / 2 - ocy).abs() < (ocy - cy).abs()
            });
            if !nearer {
                // Up to the next label: another signature place to the right
                // (`见证人签名：`) is not this one's signature.
                let t = squash(other.text);
                let cut = LABEL_WORDS
                    .iter()
                    .filter_map(|w| t.find(w))
                    .min()
                    .unwrap_or(t.len());
                value.push_str(&t[..cut]);
            }
        }
    }
    value
}

/// Whether a value holds a name (handwriting read as characters), not only
/// a date or a printed placeholder.
fn has_name(value: &str) -> bool {
    let v: String = value
        .chars()
        .filter(|c| !matches!(c, '年' | '月' | '日' | '签' | '名' | '字' | '章'))
        .collect();
    cjk_count(&v) >= 1
}

fn field(d: &Dossier, r: &FieldRule, sink: &mut Sink) {
    for doc in docs_of(d, &r.doc_types) {
        let page = doc.first_page();
        let lines = d.lines(page);
        let Some(&(li, after)) = find_label(lines, &r.labels).first() else {
            continue;
        };
        let value: String = squash(lines[li].text).chars().skip(after).collect();
        // A value OCR put on the next line.
        let next = lines
            .get(li + 1)
            .map(|l| squash(l.text))
            .filter(|t| !t.contains("地点") && !t.contains("人"))
            .unwrap_or_default();
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).count();
        let ok = if r.min_digits > 0 {
            digits(&value) >= r.min_digits || digits(&next) >= r.min_digits
        } else {
            let need = r.min_cjk.max(1);
            cjk_count(&value) >= need
                || (value.is_empty() && cjk_count(&next) >= need)
                || cjk_count(&value_beside(lines, li, after)) >= need
        };
        if ok {
            continue;
        }
        let spot = Spot::of_line(page, &lines[li]);
        let conf = 0.85 * spot.confidence.max(0.5);
        sink.emit(
            &for_doc(&r.target, &doc.doc_type),
            &r.reason,
            conf,
            vec![spot.evidence()],
        );
    }
}

/// The marks detector's verdict on a signature place, when it ran:
/// `Some((signed, confidence))`.
fn slot_verdict(d: &Dossier, page: usize, kinds: &[String], near: [u32; 4]) -> Option<(bool, f32)> {
    let marks = d.pages[page].marks;
    if marks.version == 0 {
        return None;
    }
    let cy = (near[1] + near[3]) as i64 / 2;
    marks
        .signatures
        .iter()
        .filter(|s| kinds.is_empty() || kinds.contains(&s.kind))
        .min_by_key(|s| ((s.label_bbox[1] + s.label_bbox[3]) as i64 / 2 - cy).abs())
        .filter(|s| {
            let scy = (s.label_bbox[1] + s.label_bbox[3]) as i64 / 2;
            (scy - cy).abs() < 200
        })
        .map(|s| (s.signed, s.confidence))
}

fn sign(d: &Dossier, r: &SignRule, sink: &mut Sink) {
    for doc in docs_of(d, &r.doc_types) {
        let mut bad: Vec<(Spot, f32)> = Vec::new();
        let mut seen = 0;
        for &page in &doc.pages {
            let lines = d.lines(page);
            let places = find_label(lines, &r.labels);
            if places.is_empty() {
                continue;
            }
            seen += 1;
            // Every labelled place on the page must be signed; a page with
            // one signed place of several (当事人 or 见证人) passes.
            let mut any_signed = false;
            let mut first_blank: Option<(Spot, f32)> = None;
            for &(li, after) in &places {
                let text_signed = has_name(&value_beside(lines, li, after));
                let spot = Spot::of_line(page, &lines[li]);
                let (signed, conf) = match slot_verdict(d, page, &r.slot_kinds, lines[li].bbox) {
                    Some((m_signed, m_conf)) if m_signed == text_signed => {
                        (m_signed, (0.5 + m_conf / 2.0).min(0.95))
                    }
                    // Disagreement: ink without readable text is a signature;
                    // readable text without ink (a print) is not trusted either way.
                    Some((m_signed, m_conf)) => (m_signed || text_signed, 0.5 * m_conf),
                    None => (text_signed, 0.7 * spot.confidence.max(0.5)),
                };
                if signed {
                    any_signed = true;
                } else if first_blank.is_none() {
                    first_blank = Some((spot, conf));
                }
            }
            if !any_signed {
                if let Some(b) = first_blank {
                    bad.push(b);
                }
            }
            if !r.per_page {
                break;
            }
        }
        if bad.is_empty() || seen == 0 {
            continue;
        }
        let pages: Vec<String> = bad
            .iter()
            .map(|(s, _)| format!("第{}页", s.page + 1))
            .collect();
        let reason = if r.per_page {
            format!(
                "{}（{}）",
                with_name(&doc.name(), &r.reason),
                pages.join("、")
            )
        } else {
            with_name(&doc.name(), &r.reason)
        };
        let conf = bad.iter().map(|(_, c)| *c).fold(0.0, f32::max);
        let evidence = bad.iter().map(|(s, _)| s.evidence()).collect();
        sink.emit(&for_doc(&r.target, &doc.doc_type), &reason, conf, evidence);
    }
}

fn approval(d: &Dossier, r: &ApprovalRule, sink: &mut Sink) {
    for doc in docs_of(d, &r.doc_types) {
        for &page in &doc.pages {
            let lines = d.lines(page);
            let not_label = |i: usize| {
                let s = squash(lines[i].text);
                r.not_labels.iter().any(|w| s.contains(w.as_str()))
            };
            let Some(&(li, label_box)) = find_cell_label(lines, &r.labels)
                .iter()
                .rfind(|(i, _)| !not_label(*i))
            else {
                continue;
            };
            let label = lines[li];
            let cy = |b: &[u32; 4]| (b[1] + b[3]) as i64 / 2;
            let my = cy(&label_box);
            // Rows: the other row labels of the column.
            let rows: Vec<[u32; 4]> = find_cell_label(lines, &r.row_labels)
                .into_iter()
                .map(|(_, b)| b)
                .filter(|b| (b[0] as i64 - label_box[0] as i64).abs() < 200)
                .filter(|b| cy(b) != my)
                .collect();
            let h = label.bbox[3].saturating_sub(label.bbox[1]).max(10) as i64;
            let prev = rows.iter().filter(|b| cy(b) < my).max_by_key(|b| cy(b));
            let next = rows.iter().filter(|b| cy(b) > my).min_by_key(|b| cy(b));
            let mut top = prev.map_or(my - 5 * h, |b| (cy(b) + my) / 2);
            let mut bottom = next.map_or(my + 5 * h, |b| (cy(b) + my) / 2);
            // A date above a row label's top edge closes the row before it:
            // a form in prose puts its label at the top of the row and the
            // date at the bottom, a table centres the label in its cell.
            let datey =
                |l: &Line| !crate::text::dates(&squash(l.text)).is_empty() || is_blank_date(l.text);
            for l in lines.iter().filter(|l| datey(l)) {
                let y = cy(&l.bbox);
                if y < label_box[1] as i64 && prev.is_none_or(|b| y > cy(b)) {
                    top = top.max(y);
                }
                if next.is_some_and(|n| y > my && y < n[1] as i64) {
                    bottom = bottom.max(y + 1);
                }
            }
            let beside = |l: &Line| l.bbox[2] as i64 > label_box[2] as i64;
            let here: Vec<(usize, &Line)> = lines
                .iter()
                .enumerate()
                .filter(|(_, l)| cy(&l.bbox) > top && cy(&l.bbox) < bottom && beside(l))
                .collect();
            // What a row is judged by: a signature place, a date, its 年.
            let judged = |row: &[(usize, &Line)]| {
                row.iter().any(|(_, l)| {
                    let s = squash(l.text);
                    s.contains("签名") || s.contains('年') || datey(l)
                })
            };
            // A row at the foot of a page with nothing to judge beside it
            // goes on at the top of the next page, down to the first row
            // label there.
            let (page, lines, in_row) = match doc.pages.iter().find(|&&p| p > page) {
                Some(&next) if !judged(&here) => {
                    let nl = d.lines(next);
                    let end = find_cell_label(nl, &r.row_labels)
                        .iter()
                        .map(|(_, b)| b[1] as i64)
                        .min()
                        .unwrap_or(i64::MAX);
                    let there: Vec<(usize, &Line)> = nl
                        .iter()
                        .enumerate()
                        .filter(|(_, l)| cy(&l.bbox) < end && beside(l))
                        .collect();
                    (next, nl, there)
                }
                _ => (page, lines, here),
            };
            // Nothing there either: no evidence the row is blank.
            if !judged(&in_row) {
                continue;
            }
            let dated = in_row
                .iter()
                .any(|(_, l)| !crate::text::dates(&squash(l.text)).is_empty());
            // A blank date on one line, or its 年, 月 and 日 read as lines
            // of their own (the gaps between them are wide).
            let split_blank = || {
                let alone = |c: &str| in_row.iter().find(|(_, l)| squash(l.text) == c);
                match (alone("年"), alone("月")) {
                    (Some(y), Some(_)) if !dated => Some(y),
                    _ => None,
                }
            };
            let blank_date = in_row
                .iter()
                .find(|(_, l)| is_blank_date(l.text))
                .or_else(split_blank);
            let signed = in_row.iter().any(|(i, l)| {
                let s = squash(l.text);
                match s.find("签名") {
                    Some(p) => has_name(&value_beside(lines, *i, s[..p].chars().count() + 2)),
                    None => false,
                }
            });
            // A blank date line in the row, or neither signature nor date.
            if blank_date.is_none() && (signed || dated) {
                continue;
            }
            let spot = Spot::of_line(page, &label);
            let conf = if blank_date.is_some() { 0.85 } else { 0.65 } * spot.confidence.max(0.5);
            let mut evidence = vec![spot.evidence()];
            if let Some((_, l)) = blank_date {
                evidence.push(Spot::of_line(page, l).evidence());
            }
            sink.emit(
                &for_doc(&r.target, &doc.doc_type),
                &with_name(&doc.name(), &r.reason),
                conf,
                evidence,
            );
            break;
        }
    }
}

fn undated(d: &Dossier, r: &UndatedRule, sink: &mut Sink) {
    for doc in docs_of(d, &r.doc_types) {
        let page = doc.last_page();
        let lines = d.lines(page);
        // `年 月 日` on one line, or OCR'd as lines of their own.
        let split = lines.windows(2).find_map(|w| {
            (squash(w[0].text).ends_with('年')
                && squash(w[1].text) == "月"
                && !squash(w[0].text).chars().any(|c| c.is_ascii_digit()))
            .then_some(&w[0])
        });
        let Some(l) = lines.iter().find(|l| is_blank_date(l.text)).or(split) else {
            continue;
        };
        let spot = Spot::of_line(page, l);
        let conf = 0.85 * spot.confidence.max(0.5);
        sink.emit(
            &for_doc(&r.target, &doc.doc_type),
            &with_name(&doc.name(), &r.reason),
            conf,
            vec![spot.evidence()],
        );
    }
}

/// The party's name as the decision states it (`当事人：…`).
fn party_name(d: &Dossier) -> Option<String> {
    [
        "penalty_decision",
        "coercive_measure_decision",
        "enforcement_decision",
    ]
    .iter()
    .filter_map(|t| d.docs_of(t).next())
    .find_map(|doc| {
        d.lines(doc.first_page()).iter().take(12).find_map(|l| {
            let s = squash(l.text);
            let name = s.strip_prefix("当事人")?;
            (cjk_count(name) >= 2).then(|| name.to_string())
        })
    })
}

fn party(d: &Dossier, r: &PartyRule, sink: &mut Sink) {
    if r.name_only {
        return party_named(d, r, sink);
    }
    for doc in docs_of(d, &r.doc_types) {
        let page = doc.first_page();
        let lines = d.lines(page);
        let head: Vec<&Line> = lines.iter().take(r.head_lines).collect();
        let text: Vec<char> = head
            .iter()
            .flat_map(|l| squash(l.text).chars().collect::<Vec<_>>())
            .collect();
        let has = |words: &[String]| {
            words.iter().any(|w| {
                let n: Vec<char> = squash(w).chars().collect();
                fuzzy_find(&text, &n).is_some()
            })
        };
        let company = has(&r.company_markers);
        let ok = if company {
            has(&r.company_needs)
        } else {
            has(&r.person_needs)
        };
        if ok {
            continue;
        }
        let party_line = head
            .iter()
            .find(|l| squash(l.text).starts_with("当事人"))
            .copied()
            .or(head.get(2).copied());
        let evidence = match party_line {
            Some(l) => vec![Spot::of_line(page, l).evidence()],
            None => vec![doc.title_evidence(d)],
        };
        let conf = 0.75 * doc.confidence(d).max(0.5);
        sink.emit(
            &for_doc(&r.target, &doc.doc_type),
            &r.reason,
            conf,
            evidence,
        );
    }
}

/// Documents that must name the party as the decision does.
fn party_named(d: &Dossier, r: &PartyRule, sink: &mut Sink) {
    let Some(name) = party_name(d) else {
        return;
    };
    let needle: Vec<char> = name.chars().collect();
    for doc in docs_of(d, &r.doc_types) {
        let page = doc.first_page();
        let text: Vec<char> = d
            .lines(page)
            .iter()
            .take(r.head_lines)
            .flat_map(|l| squash(l.text).chars().collect::<Vec<_>>())
            .collect();
        // Short names (persons) with one character misread still count.
        let near = needle.len() < 4
            && text
                .windows(needle.len())
                .any(|w| w.iter().zip(&needle).filter(|(a, b)| a != b).count() <= 1);
        if near || fuzzy_find(&text, &needle).is_some() {
            continue;
        }
        let reason = format!(
            "{}未写明当事人“{}”（与处罚决定书不一致或缺失）",
            doc.name(),
            name
        );
        let conf = 0.6 * doc.confidence(d).max(0.5);
        sink.emit(
            &for_doc(&r.target, &doc.doc_type),
            &reason,
            conf,
            vec![doc.title_evidence(d)],
        );
    }
}

fn officers(d: &Dossier, r: &OfficersRule, sink: &mut Sink) {
    let re = Regex::new(&r.certificate_re).expect("rules.toml: bad regex");
    for doc in docs_of(d, &r.doc_types) {
        let page = doc.first_page();
        let text = doc.page_text(page);
        // Certificates are listed in the head, before the questions.
        let head_end = text.find("答").unwrap_or(text.len());
        let head = &text[..head_end];
        let mut certs: Vec<&str> = re
            .find_iter(head)
            .filter(|m| {
                !r.certificate_not_after
                    .iter()
                    .any(|w| head[..m.start()].ends_with(w.as_str()))
            })
            .map(|m| m.as_str())
            .collect();
        certs.dedup();
        let lines = d.lines(page);
        let evidence = match find_label(lines, &r.labels).first() {
            Some(&(li, _)) => vec![Spot::of_line(page, &lines[li]).evidence()],
            None => vec![doc.title_evidence(d)],
        };
        let conf = 0.8 * doc.confidence(d).max(0.5);
        match certs.len() {
            0 => sink.emit(
                &for_doc(&r.target, &doc.doc_type),
                &r.no_certificate,
                conf,
                evidence,
            ),
            1 => {
                sink.emit(
                    &for_doc(&r.target, &doc.doc_type),
                    &r.one_officer,
                    conf,
                    evidence.clone(),
                );
                sink.emit(
                    &for_doc(&r.target_basic, &doc.doc_type),
                    &r.one_officer,
                    conf * 0.9,
                    evidence,
                );
            }
            _ => {}
        }
    }
}

/// The persons a record's head names as interviewed: the value of each
/// interviewee field before the questions, split at list punctuation.
fn interviewee_names(lines: &[Line], r: &IntervieweeRule) -> Vec<(usize, String)> {
    let mut names = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let s = squash(l.text);
        if r.head_ends.iter().any(|e| s.starts_with(e.as_str())) {
            break;
        }
        let Some(label) = r.labels.iter().find(|x| s.starts_with(x.as_str())) else {
            continue;
        };
        if r.not_followed_by
            .iter()
            .any(|w| s[label.len()..].starts_with(w.as_str()))
        {
            continue;
        }
        // The raw text after the label, without the colon, up to the next field.
        let raw = l.text.trim_start();
        let after: String = raw
            .chars()
            .skip_while(|c| *c != '：' && *c != ':')
            .skip(1)
            .collect();
        let after = if after.is_empty() {
            raw.chars().skip(label.chars().count()).collect()
        } else {
            after
        };
        let end = r
            .next_labels
            .iter()
            .filter_map(|n| after.find(n.as_str()))
            .min()
            .unwrap_or(after.len());
        for part in after[..end].split(['、', '，', ',', '；', ';', '/', ' ', '\u{3000}']) {
            let name = squash(part);
            // A name: two to four Chinese characters, nothing else.
            if (2..=4).contains(&cjk_count(&name)) && cjk_count(&name) == name.chars().count() {
                names.push((i, name));
            }
        }
    }
    names
}

/// One record, one interviewee: judged on the head of each record's first
/// page (a record the split merged with the next has that one's head on a
/// later page).
fn interviewees(d: &Dossier, r: &IntervieweeRule, sink: &mut Sink) {
    for doc in docs_of(d, &r.doc_types) {
        let page = doc.first_page();
        let lines = d.lines(page);
        let mut names = interviewee_names(lines, r);
        names.dedup_by(|a, b| a.1 == b.1);
        let mut distinct: Vec<&str> = names.iter().map(|(_, n)| n.as_str()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < 2 {
            continue;
        }
        let evidence: Vec<_> = names
            .iter()
            .map(|(i, _)| i)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(|&i| Spot::of_line(page, &lines[i]).evidence())
            .collect();
        let conf = 0.75 * lines[names[0].0].confidence.max(0.5);
        let reason = format!("{}：{}", r.reason, distinct.join("、"));
        sink.emit(&for_doc(&r.target, &doc.doc_type), &reason, conf, evidence);
    }
}

/// A citation of a law, regulation or rule in a document's text.
struct Cited {
    title: String,
    /// Chars after the closing 》.
    after: String,
    start: usize,
    end: usize,
}

fn citations(text: &str) -> Vec<Cited> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '《' {
            if let Some(len) = chars[i + 1..].iter().take(40).position(|&c| c == '》') {
                // Digits inside a title are OCR noise (a page number read into it).
                let title: String = chars[i + 1..i + 1 + len]
                    .iter()
                    .filter(|c| !c.is_ascii_digit())
                    .collect();
                let after: String = chars[i + 2 + len..].iter().take(6).collect();
                out.push(Cited {
                    title,
                    after,
                    start: i,
                    end: i + 2 + len,
                });
                i += len + 2;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// A title cited elsewhere in the file of which `short` is an abbreviation:
/// longer by two or more characters, the same first and last two
/// characters, and `short`'s characters in order (《烟花条例》 of
/// 《烟花爆竹安全管理条例》).
fn longer_title<'t>(short: &str, titles: &'t [String]) -> Option<&'t str> {
    let s: Vec<char> = short.chars().collect();
    if s.len() < 4 {
        return None;
    }
    titles
        .iter()
        .find(|t| {
            let l: Vec<char> = t.chars().collect();
            if l.len() < s.len() + 2 || l[..2] != s[..2] || l[l.len() - 2..] != s[s.len() - 2..] {
                return false;
            }
            let mut it = l.iter();
            s.iter().all(|c| it.any(|x| x == c))
        })
        .map(String::as_str)
}

/// The statute index (`models/statutes.json`, built by `anjuan statutes
/// build`), if it can be found.
fn statutes() -> Option<&'static anjuan_statutes::Index> {
    static INDEX: OnceLock<Option<anjuan_statutes::Index>> = OnceLock::new();
    INDEX
        .get_or_init(|| anjuan_statutes::Index::load_default().ok())
        .as_ref()
}

/// Citations checked against the statute index: the law's full title, and
/// that the article (paragraph, item) exists in the version citable on the
/// document's date.
fn citation_indexed(
    d: &Dossier,
    r: &CitationRule,
    index: &anjuan_statutes::Index,
    sink: &mut Sink,
) {
    use anjuan_statutes::ProblemKind as K;
    for doc in docs_of(d, &r.doc_types) {
        // The document's lines as read, one per line, and where each starts.
        let mut raw = String::new();
        let mut starts: Vec<(usize, usize, usize)> = Vec::new(); // (byte, page, line)
        for &p in &doc.pages {
            for (li, l) in d.lines(p).iter().enumerate() {
                starts.push((raw.len(), p, li));
                raw.push_str(l.text);
                raw.push('\n');
            }
        }
        let on = doc.date.map(|t| (t.year(), t.month(), t.day()));
        let mut abbreviated = false;
        let mut incomplete = false;
        for (c, problems) in index.check_text(&raw, on) {
            let at = starts
                .iter()
                .rev()
                .find(|s| s.0 <= c.span.start)
                .copied()
                .unwrap_or((0, doc.first_page(), 0));
            let line = d.lines(at.1).get(at.2);
            for p in problems {
                let (target, done) = match p.kind {
                    K::Abbreviated => (r.abbreviated.as_ref(), &mut abbreviated),
                    K::ArticleMissing
                    | K::NoSuchArticle
                    | K::NoSuchParagraph
                    | K::NoSuchItem
                    | K::ParagraphMissing => (r.no_article.as_ref(), &mut incomplete),
                    _ => (None, &mut incomplete),
                };
                let Some(target) = target else { continue };
                if *done {
                    continue;
                }
                *done = true;
                let conf = line.map_or(0.6, |l| 0.85 * l.confidence.max(0.5));
                let evidence = match line {
                    Some(l) => Spot::of_line(at.1, l).evidence(),
                    None => doc.title_evidence(d),
                };
                let reason = format!("{}{}", doc.name(), p.message_zh);
                sink.emit(
                    &for_doc(target, &doc.doc_type),
                    &reason,
                    conf,
                    vec![evidence],
                );
            }
        }
    }
}

fn citation(d: &Dossier, r: &CitationRule, sink: &mut Sink) {
    if let Some(index) = statutes() {
        citation_indexed(d, r, index, sink);
        // Titles the index does not know (local regulations) may still be
        // short forms of a title the file cites in full elsewhere.
        return citation_in_file(
            d,
            r,
            |t| matches!(index.resolve(t), anjuan_statutes::TitleMatch::Unknown),
            sink,
        );
    }
    // Without the index: abbreviations judged by the law-title prefix and
    // against the titles the file itself cites in full.
    citation_in_file(d, r, |_| true, sink)
}

/// Abbreviations found within the file: a law without its prefix, or a
/// title cited in full elsewhere in the file (only for titles `unknown`
/// says the index cannot judge).
fn citation_in_file(
    d: &Dossier,
    r: &CitationRule,
    unknown: impl Fn(&str) -> bool,
    sink: &mut Sink,
) {
    let indexed = statutes().is_some();
    // Full titles the file cites more than once (a title read once may be
    // one OCR mixed with a neighbouring table cell).
    let mut cited_all: Vec<String> = d
        .docs
        .iter()
        .flat_map(|doc| citations(&doc.text()))
        .map(|c| c.title)
        .collect();
    cited_all.sort();
    let all_titles: Vec<String> = cited_all
        .chunk_by(|a, b| a == b)
        .filter(|w| w.len() >= 2)
        .map(|w| w[0].clone())
        .collect();
    for doc in docs_of(d, &r.doc_types) {
        let text = doc.text();
        let cited = citations(&text);
        let is_rule = |t: &str| r.title_ends.iter().any(|e| t.ends_with(e.as_str()));
        let is_law = |t: &str| {
            t.ends_with('法')
                && !r.not_law_ends.iter().any(|e| t.ends_with(e.as_str()))
                && !r.unprefixed_laws.iter().any(|u| u == t)
        };
        if let Some(target) = &r.abbreviated {
            let prefix: Vec<char> = r.law_prefix.chars().collect();
            let prefixed = |t: &str| {
                let head: Vec<char> = t.chars().take(prefix.len() + 2).collect();
                fuzzy_find(&head, &prefix).is_some()
            };
            let full_of = |c: &Cited| -> Option<String> {
                if !unknown(&c.title) {
                    return None;
                }
                if !indexed && is_law(&c.title) && !prefixed(&c.title) && cjk_count(&c.title) >= 3 {
                    return Some(format!("{}{}", r.law_prefix, c.title));
                }
                if is_rule(&c.title) {
                    return longer_title(&c.title, &all_titles).map(str::to_string);
                }
                None
            };
            if let Some((c, full)) = cited.iter().find_map(|c| full_of(c).map(|f| (c, f))) {
                if let Some(spot) = d.spot(doc, c.start, c.end) {
                    let reason = format!(
                        "{}引用法规名称不全：《{}》，应为《{}》",
                        doc.name(),
                        c.title,
                        full
                    );
                    let conf = 0.85 * spot.confidence.max(0.5);
                    sink.emit(
                        &for_doc(target, &doc.doc_type),
                        &reason,
                        conf,
                        vec![spot.evidence()],
                    );
                }
            }
        }
        if let Some(target) = r.no_article.as_ref().filter(|_| !indexed) {
            if let Some(c) = cited.iter().find(|c| {
                is_rule(&c.title) && !c.after.starts_with('第') && c.after.contains("规定")
            }) {
                if let Some(spot) = d.spot(doc, c.start, c.end) {
                    let reason = format!("{}引用《{}》未载明具体条款", doc.name(), c.title);
                    let conf = 0.8 * spot.confidence.max(0.5);
                    sink.emit(
                        &for_doc(target, &doc.doc_type),
                        &reason,
                        conf,
                        vec![spot.evidence()],
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_are_found_with_what_follows() {
        let c = citations(&squash("违反了《中华人民共和国大气污染防治法》第四十八条第二款的规定。依据《大气污染防治法》的规定"));
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].title, "中华人民共和国大气污染防治法");
        assert!(c[0].after.starts_with('第'));
        assert_eq!(c[1].title, "大气污染防治法");
        assert!(c[1].after.starts_with("的规定"));
    }

    fn interviewee_rule() -> &'static IntervieweeRule {
        &crate::rules::rules().interviewee[0]
    }

    #[test]
    fn interviewees_in_a_record_head() {
        let one = crate::testing::stacked(
            &[
                "询问人：李艳芳（执法证号：14103188665）",
                "被询问人：赵伟",
                "伟性别：男与案件关系：法定代表人",
                "问：请介绍一下你的基本情况。",
                "被询问人签名：赵伟",
            ],
            [100, 300, 2000],
            0.95,
        );
        let names = interviewee_names(&one, interviewee_rule());
        assert_eq!(names.len(), 1, "{names:?}");
        assert_eq!(names[0].1, "赵伟");
        let two =
            crate::testing::stacked(&["被询问人：赵伟、王芳性别：男"], [100, 300, 2000], 0.95);
        let names: Vec<String> = interviewee_names(&two, interviewee_rule())
            .into_iter()
            .map(|n| n.1)
            .collect();
        assert_eq!(names, ["赵伟", "王芳"]);
    }

    #[test]
    fn interview_signature_places_as_other_counties_print_them() {
        let rule = crate::rules::rules()
            .sign
            .iter()
            .find(|r| r.doc_types == ["interview_record"])
            .unwrap();
        let blank_interviewee = |text: &'static str| {
            let lines = crate::testing::stacked(&[text], [100, 3000, 2300], 0.95);
            let places = find_label(&lines, &rule.labels);
            assert_eq!(places.len(), 1, "{text}");
            let (li, after) = places[0];
            !has_name(&value_beside(&lines, li, after))
        };
        assert!(blank_interviewee(
            "执法人员签字：郝保平、亢建国被询问人签字："
        ));
        assert!(!blank_interviewee(
            "执法人员签字：郝保平、亢建国被询问人签字：宋强"
        ));
        assert!(blank_interviewee("被调查人签名："));
        assert!(blank_interviewee("被调查（询问）人签名："));
        // The officers' place (调查（询问）人) is one edit from the
        // interviewee's: it is not taken for it.
        let officers = crate::testing::stacked(
            &["调查（询问）人签名：郝保平亢建国"],
            [100, 3000, 2300],
            0.95,
        );
        assert!(find_label(&officers, &rule.labels).is_empty());
    }

    #[test]
    fn names_beside_signature_labels() {
        let lines = [Line {
            text: "询问人签名：霍彩霞赵彩霞被询问人签名：",
            raw: "询问人签名：霍彩霞赵彩霞被询问人签名：",
            bbox: [100, 3000, 2300, 3050],
            confidence: 0.95,
        }];
        let places = find_label(&lines, &["被询问人签名".to_string()]);
        assert_eq!(places.len(), 1);
        let (li, after) = places[0];
        assert!(!has_name(&value_beside(&lines, li, after)));
        let lines = [Line {
            text: "被执行人签名：李四见证人签名：",
            raw: "被执行人签名：李四见证人签名：",
            bbox: [100, 3000, 2300, 3050],
            confidence: 0.95,
        }];
        let (li, after) = find_label(&lines, &["被执行人签名".to_string()])[0];
        assert!(has_name(&value_beside(&lines, li, after)));
        // d7808-054: the footer below an empty place is not its signature.
        let lines = [
            Line {
                text: "当事人签名：主持人：",
                raw: "当事人签名：主持人：",
                bbox: [211, 2003, 675, 2063],
                confidence: 0.95,
            },
            Line {
                text: "第1页共2页",
                raw: "第1页共2页",
                bbox: [748, 2125, 919, 2177],
                confidence: 0.95,
            },
        ];
        let (li, after) = find_label(&lines, &["当事人签名".to_string()])[0];
        assert!(!has_name(&value_beside(&lines, li, after)));
    }
}
