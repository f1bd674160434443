//! The case's particulars (`review.json`'s `case`): agency, case number,
//! party, cause, dates, penalty kinds and amounts, coercive measure,
//! hearing, read from the classified documents. What to look for is data
//! (`[case]` in `data/cues.toml`); a field stays null unless the file
//! shows it.

use crate::{Classified, PageInput};
use anjuan_core::contract::CaseInfo;
use anjuan_core::CaseKind;
use regex::Regex;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
pub(crate) struct CaseCues {
    /// A line that is only an agency's name ends with one of these.
    agency_suffixes: Vec<String>,
    agency_min_chars: usize,
    agency_max_chars: usize,
    /// Labels whose value names the agency (执法机关：…).
    agency_labels: Vec<String>,
    /// Labels whose value is the 案由.
    cause_labels: Vec<String>,
    /// The documents whose date is the filing, the decision, the closing;
    /// and whose number is the case number (first found wins).
    filed_types: Vec<String>,
    decided_types_penalty: Vec<String>,
    decided_types_coercion: Vec<String>,
    closed_types: Vec<String>,
    /// Where a decision's operative part begins and ends.
    decision_starts: Vec<String>,
    decision_ends: Vec<String>,
    /// The kinds of penalty as the law names them, in the contract's order.
    penalty_kinds: Vec<String>,
    /// Amounts: a regex whose group 1 is the amount in Arabic digits, and
    /// one whose group 1 is the amount in Chinese numerals.
    fine_re: String,
    fine_cn_re: String,
    confiscated_re: String,
    confiscated_cn_re: String,
    /// A coercive measure's words: (word in the text, value of `measure`).
    measures: Vec<[String; 2]>,
    hearing_types: Vec<String>,
}

struct Compiled {
    fine: Regex,
    fine_cn: Regex,
    confiscated: Regex,
    confiscated_cn: Regex,
}

fn compiled(c: &CaseCues) -> &'static Compiled {
    static C: OnceLock<Compiled> = OnceLock::new();
    C.get_or_init(|| {
        let re = |s: &str| Regex::new(s).expect("cues.toml [case]: bad regex");
        Compiled {
            fine: re(&c.fine_re),
            fine_cn: re(&c.fine_cn_re),
            confiscated: re(&c.confiscated_re),
            confiscated_cn: re(&c.confiscated_cn_re),
        }
    })
}

/// A Chinese-numeral amount (伍仟元, 壹万贰仟伍佰, 三千): its value, or
/// None when the text holds anything else.
pub fn chinese_amount(s: &str) -> Option<f64> {
    let digit = |c: char| {
        Some(match c {
            '零' | '〇' => 0,
            '壹' | '一' => 1,
            '贰' | '二' | '两' => 2,
            '叁' | '三' => 3,
            '肆' | '四' => 4,
            '伍' | '五' => 5,
            '陆' | '六' => 6,
            '柒' | '七' => 7,
            '捌' | '八' => 8,
            '玖' | '九' => 9,
            _ => return None,
        })
    };
    let (mut total, mut section, mut current): (u64, u64, u64) = (0, 0, 0);
    let mut any = false;
    for c in s.chars() {
        if let Some(d) = digit(c) {
            current = d;
            any = true;
            continue;
        }
        let unit = match c {
            '拾' | '十' => 10,
            '佰' | '百' => 100,
            '仟' | '千' => 1000,
            '万' | '萬' => 10_000,
            '亿' => 100_000_000,
            _ => return None,
        };
        any = true;
        if unit >= 10_000 {
            section += current;
            total += section * unit;
            section = 0;
        } else {
            section += current.max(u64::from(unit == 10 && current == 0)) * unit;
        }
        current = 0;
    }
    any.then(|| (total + section + current) as f64)
}

fn amount(digits: &Regex, chinese: &Regex, text: &str) -> Option<f64> {
    if let Some(m) = digits.captures(text).and_then(|c| c.get(1)) {
        let clean: String = m
            .as_str()
            .chars()
            .filter(|c| *c != ',' && *c != '，')
            .collect();
        if let Ok(v) = clean.parse::<f64>() {
            return Some(v);
        }
    }
    let m = chinese.captures(text).and_then(|c| c.get(1))?;
    chinese_amount(m.as_str().trim_end_matches(['元', '圆', '整']))
}

/// The text of a document's lines, joined, without spaces.
fn doc_text(pages: &[PageInput], first: u32, last: u32) -> String {
    (first..=last)
        .filter_map(|p| pages.get(p as usize - 1))
        .flat_map(|p| p.lines.iter())
        .map(|l| l.text.split_whitespace().collect::<String>())
        .collect()
}

/// The value after a label on a line (`案由：…`), up to the end of the line.
fn labelled(pages: &[PageInput], labels: &[String]) -> Option<String> {
    pages.iter().flat_map(|p| p.lines.iter()).find_map(|l| {
        let t: String = l.text.split_whitespace().collect();
        labels.iter().find_map(|label| {
            let rest = t.strip_prefix(label.as_str())?;
            let v = rest.trim_start_matches(['：', ':']).trim();
            (v.chars().count() >= 2 && rest.len() > v.len()).then(|| v.to_string())
        })
    })
}

/// The agency: the name most lines of the file consist of (the issuer
/// above each date and seal), else the value of an agency label.
fn agency(pages: &[PageInput], c: &CaseCues) -> Option<String> {
    let mut votes: HashMap<String, usize> = HashMap::new();
    for l in pages.iter().flat_map(|p| p.lines.iter()) {
        let t: String = l.text.split_whitespace().collect();
        let n = t.chars().count();
        let all_cjk = t.chars().all(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch));
        if all_cjk
            && (c.agency_min_chars..=c.agency_max_chars).contains(&n)
            && c.agency_suffixes.iter().any(|s| t.ends_with(s.as_str()))
        {
            *votes.entry(t).or_default() += 1;
        }
    }
    let best = votes
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
    match best {
        Some((name, n)) if n >= 2 => Some(name),
        _ => labelled(pages, &c.agency_labels),
    }
}

/// The case's particulars as the file shows them.
pub fn case_info(pages: &[PageInput], class: &Classified) -> CaseInfo {
    let c = &crate::cues().case;
    let re = compiled(c);
    let doc_of = |types: &[String]| {
        types
            .iter()
            .find_map(|t| class.documents.iter().find(|d| &d.doc_type == t))
    };
    let decided_types = match class.case_kind {
        CaseKind::Coercion => &c.decided_types_coercion,
        _ => &c.decided_types_penalty,
    };
    let decision = doc_of(decided_types);
    let party = decision
        .and_then(|d| class.facts.iter().find(|f| f.index == d.index))
        .and_then(|f| f.party.clone())
        .or_else(|| {
            // The party most documents name.
            let mut votes: HashMap<&str, usize> = HashMap::new();
            for p in class.facts.iter().filter_map(|f| f.party.as_deref()) {
                *votes.entry(p).or_default() += 1;
            }
            votes
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(p, _)| p.to_string())
        });
    let mut info = CaseInfo {
        agency: agency(pages, c),
        case_number: decision.and_then(|d| d.number.clone()),
        party,
        cause: labelled(pages, &c.cause_labels),
        filed: doc_of(&c.filed_types).and_then(|d| d.date.clone()),
        decided: decision.and_then(|d| d.date.clone()),
        closed: doc_of(&c.closed_types).and_then(|d| d.date.clone()),
        ..CaseInfo::default()
    };
    let Some(decision) = decision else {
        return info;
    };
    let text = doc_text(pages, decision.pages[0], decision.pages[1]);
    match class.case_kind {
        CaseKind::Penalty => {
            info.hearing = Some(
                class
                    .documents
                    .iter()
                    .any(|d| c.hearing_types.contains(&d.doc_type)),
            );
            // The operative part: after "作出如下行政处罚", before the
            // payment and remedies sentences.
            let Some(start) = c
                .decision_starts
                .iter()
                .filter_map(|s| text.find(s.as_str()).map(|i| i + s.len()))
                .min()
            else {
                return info;
            };
            let rest = &text[start..];
            let end = c
                .decision_ends
                .iter()
                .filter_map(|s| rest.find(s.as_str()))
                .min()
                .unwrap_or(rest.len());
            let part = &rest[..end];
            let kinds: Vec<String> = c
                .penalty_kinds
                .iter()
                .filter(|k| part.contains(k.as_str()))
                .cloned()
                .collect();
            if !kinds.is_empty() {
                info.fine_yuan = amount(&re.fine, &re.fine_cn, part);
                info.confiscated_yuan = amount(&re.confiscated, &re.confiscated_cn, part);
                info.penalty_kinds = Some(kinds);
            }
        }
        CaseKind::Coercion => {
            info.measure = c
                .measures
                .iter()
                .filter_map(|[word, value]| text.find(word.as_str()).map(|i| (i, value)))
                .min()
                .map(|(_, v)| v.clone());
        }
        CaseKind::Unknown => {}
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fine_is_its_amount_not_the_late_payment_rate() {
        let c = &crate::cues().case;
        let re = compiled(c);
        let amount_of = |t: &str| amount(&re.fine, &re.fine_cn, t);
        // Arabic digits close after 罚款 win; a rate is no amount.
        assert_eq!(amount_of("处以罚款人民币5000元"), Some(5000.0));
        assert_eq!(amount_of("罚款￥12,500.00元"), Some(12500.0));
        assert_eq!(amount_of("每日按罚款数额的3%加处罚款"), None);
        // The Chinese numerals when the digits stand too far off.
        assert_eq!(
            amount_of("按每平方米100元处以罚款，计人民币壹拾万玖仟玖佰元整（￥109900.00）"),
            Some(109_900.0)
        );
    }

    #[test]
    fn chinese_amounts() {
        assert_eq!(chinese_amount("伍仟"), Some(5000.0));
        assert_eq!(chinese_amount("壹万贰仟伍佰"), Some(12500.0));
        assert_eq!(chinese_amount("叁拾万"), Some(300_000.0));
        assert_eq!(chinese_amount("拾伍"), Some(15.0));
        assert_eq!(chinese_amount("贰仟零伍拾"), Some(2050.0));
        assert_eq!(chinese_amount("三千"), Some(3000.0));
        assert_eq!(chinese_amount("五千元"), None);
        assert_eq!(chinese_amount(""), None);
    }
}
