//! Dates and document numbers (文号) in OCR'd text.

use regex::Regex;
use std::sync::OnceLock;

fn arabic_date() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // The year may have lost its first digit under a seal (023年) —
        // see `year`. The final 日 may be read as 曰 or 目, or, at the end of
        // a line, as 月 or not at all. Not as any character there: 11日 read
        // as 1期 would pass for the 1st.
        Regex::new(r"(\d{3,4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*(?:[日曰目]|月\s*$|$)")
            .expect("valid regex")
    })
}

fn chinese_date() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"([〇零○OО0一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*(?:[日曰目]|月\s*$|$)")
            .expect("valid regex")
    })
}

fn number_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(\p{Han}{1,12})\s*[〔\[（(【［﹝]{1,2}\s*((?:19|20)\d{2})\s*[〕\]）)】］﹞]{1,2}\s*第?\s*(\d{1,6})\s*号")
            .expect("valid regex")
    })
}

fn receipt_number_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?i)No[.．:：]?\s*(\d[\d.．]{4,}\d)").expect("valid regex"))
}

/// A year as read: four digits 1900–2099, or three starting with 0 — the
/// leading 2 of 20xx lost (as PP-OCR read `2023年` under a seal: `023年`).
fn year(digits: &str) -> Option<u32> {
    let n: u32 = digits.parse().ok()?;
    match digits.len() {
        4 if (1900..2100).contains(&n) => Some(n),
        3 if digits.starts_with('0') => Some(2000 + n),
        _ => None,
    }
}

fn digit(c: char) -> Option<u32> {
    "〇一二三四五六七八九"
        .chars()
        .position(|d| d == c)
        .map(|p| p as u32)
        .or(match c {
            '零' | '○' | 'O' | 'О' | '0' => Some(0),
            _ => None,
        })
}

/// 十 → 10, 十五 → 15, 二十 → 20, 二十三 → 23, 三 → 3.
fn small_number(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        [d] => digit(*d),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', u] => Some(digit(*t)? * 10 + digit(*u)?),
        _ => None,
    }
}

pub(crate) fn iso(y: u32, m: u32, d: u32) -> Option<String> {
    let days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d == 0 || d > days[m as usize - 1] {
        return None;
    }
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// Every valid date in a line, in order, as ISO 8601 (`2022-03-15`): Arabic
/// `2022年3月15日` and Chinese-numeral `二〇二二年三月十五日`.
pub fn find_dates(line: &str) -> Vec<String> {
    let mut found: Vec<(usize, String)> = Vec::new();
    for c in arabic_date().captures_iter(line) {
        let n = |i: usize| c[i].parse::<u32>().ok();
        if let (Some(y), Some(m), Some(d)) = (year(&c[1]), n(2), n(3)) {
            if let Some(s) = iso(y, m, d) {
                found.push((c.get(0).map_or(0, |m| m.start()), s));
            }
        }
    }
    for c in chinese_date().captures_iter(line) {
        let year = c[1]
            .chars()
            .try_fold(0u32, |acc, ch| Some(acc * 10 + digit(ch)?));
        if let (Some(y), Some(m), Some(d)) = (year, small_number(&c[2]), small_number(&c[3])) {
            if let Some(s) = iso(y, m, d) {
                found.push((c.get(0).map_or(0, |m| m.start()), s));
            }
        }
    }
    found.sort_by_key(|(pos, _)| *pos);
    found.into_iter().map(|(_, s)| s).collect()
}

/// The single date of a string, if it holds exactly one.
pub fn parse_date(s: &str) -> Option<String> {
    let mut d = find_dates(s);
    (d.len() == 1).then(|| d.remove(0))
}

/// The document's own number: the first line (of the lines given, usually the
/// document's first page) that is a number on its own, optionally after a
/// label (`文号：`). Numbers quoted inside running text (a service receipt
/// naming the decision it serves) are not the document's own. Brackets are
/// written as 〔〕. A receipt's `No.0114958665` counts too.
/// A line that follows one ending in any of `reference_labels` is skipped.
pub fn find_number(lines: &[&str], reference_labels: &[String]) -> Option<String> {
    for (i, line) in lines.iter().enumerate() {
        let after_reference_label = i > 0 && {
            let prev: String = lines[i - 1]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let prev = prev.trim_end_matches(['：', ':']);
            reference_labels.iter().any(|l| prev.ends_with(l.as_str()))
        };
        if after_reference_label {
            continue;
        }
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(c) = number_re().captures(&compact) {
            let whole = c.get(0).expect("match");
            let prefix = &compact[..whole.start()];
            let suffix = &compact[whole.end()..];
            // A short label (文号：, 编号：) may precede it; a longer one names
            // another document (行政强制措施决定书文书号：…).
            let label = prefix.trim_end_matches(['：', ':']);
            let labelled =
                prefix.is_empty() || (label.len() < prefix.len() && label.chars().count() <= 4);
            if labelled && suffix.chars().count() <= 1 {
                return Some(format!("{}〔{}〕{}号", &c[1], &c[2], &c[3]));
            }
        }
        if let Some(c) = receipt_number_re().captures(&compact) {
            // OCR sometimes reads a stray dot into a long digit run.
            let digits: String = c[1].chars().filter(char::is_ascii_digit).collect();
            return Some(format!("No.{digits}"));
        }
    }
    None
}

/// Cleans a party value: up to the first clause break or `stops` field,
/// without a trailing parenthesis (`某公司（李四）` names the company).
fn party_value(v: &str, stops: &[String]) -> Option<String> {
    let v: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    let mut v = v
        .split(['，', ',', '；', ';', '。'])
        .next()
        .unwrap_or("")
        .trim_start_matches(['：', ':']);
    if let Some(i) = stops
        .iter()
        .filter_map(|s| v.find(s.as_str()))
        .filter(|&i| i > 0)
        .min()
    {
        v = &v[..i];
    }
    // A parenthesis names a person or role (某公司（李四）, 张三（现场负责人…)
    // unless a name goes on after it (某某（山西）有限公司).
    let v = match v.find(['（', '(']) {
        Some(i) if i > 0 => {
            let after = v[i..].find(['）', ')']).map(|j| &v[i + j..]);
            let goes_on = after.is_some_and(|a| {
                a.chars()
                    .skip(1)
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
            });
            if goes_on {
                v
            } else {
                &v[..i]
            }
        }
        _ => v,
    };
    let v = v.trim_end_matches(['：', ':']);
    (v.chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .count()
        >= 2)
        .then(|| v.to_string())
}

/// The party a document names: the value after one of `labels` (`当事人：某公司`,
/// or a table cell `当事人` with the value on the next line), else the
/// salutation (`某公司：`) on the line after the document's number within its
/// first `salutation_lines` lines.
pub fn find_party(
    lines: &[&str],
    labels: &[String],
    stops: &[String],
    salutation_lines: usize,
) -> Option<String> {
    let compact: Vec<String> = lines
        .iter()
        .map(|l| l.chars().filter(|c| !c.is_whitespace()).collect())
        .collect();
    let is_label = |s: &str| {
        let s = s.trim_end_matches(['：', ':']);
        labels.iter().any(|l| s == l)
    };
    for (i, line) in compact.iter().enumerate() {
        let Some(label) = labels.iter().find(|l| line.starts_with(l.as_str())) else {
            continue;
        };
        let rest = &line[label.len()..];
        if let Some(rest) = rest.strip_prefix(['：', ':']) {
            if let Some(v) = party_value(rest, stops) {
                return Some(v);
            }
        }
        if is_label(line) {
            if let Some(next) = compact.get(i + 1).filter(|n| !is_label(n)) {
                if let Some(v) = party_value(next, stops).filter(|v| !v.ends_with(['：', ':'])) {
                    return Some(v);
                }
            }
        }
    }
    for i in 1..compact.len().min(salutation_lines) {
        let line = &compact[i];
        if number_re().is_match(&compact[i - 1]) && line.ends_with(['：', ':']) {
            if let Some(v) = party_value(line, stops) {
                return Some(v);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_and_chinese_dates() {
        assert_eq!(find_dates("2022年3月15日"), ["2022-03-15"]);
        assert_eq!(find_dates("二〇二二年三月十五日"), ["2022-03-15"]);
        assert_eq!(find_dates("二○二二年十二月三十一日"), ["2022-12-31"]);
        assert_eq!(find_dates("二〇二二年十月二十日"), ["2022-10-20"]);
        assert_eq!(
            find_dates("检查时间：2022年9月28日9时10分至2022年9月29日"),
            ["2022-09-28", "2022-09-29"]
        );
        assert!(find_dates("2022年2月30日").is_empty());
        // OCR dropped the final 日 (as read on a generated decision); only at
        // the end of a line, where nothing else can follow the day.
        assert_eq!(find_dates("2023年6月16"), ["2023-06-16"]);
        assert!(find_dates("2023年6月16时").is_empty());
        assert!(find_dates("2022.11.18").is_empty());
        // Read on generated pages by PP-OCR: the year's first digit lost
        // under a seal, 日 read as 月 at the line's end, a doubled digit.
        assert_eq!(find_dates("023年5月4日"), ["2023-05-04"]);
        assert_eq!(find_dates("余2024年1月30月"), ["2024-01-30"]);
        assert_eq!(find_dates("22024年2月8日"), ["2024-02-08"]);
        assert_eq!(find_dates("二〇二二年三月十五曰"), ["2022-03-15"]);
        assert!(find_dates("2022年11月1期").is_empty());
        assert!(find_dates("2024年1月").is_empty());
        assert!(find_dates("123年5月4日").is_empty());
        assert!(find_dates("2024年1月30月份").is_empty());
    }

    #[test]
    fn parties_after_labels_in_cells_and_salutations() {
        let labels: Vec<String> = ["当事人", "受送达人"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let stops = vec!["住所".to_string()];
        let p = |lines: &[&str]| find_party(lines, &labels, &stops, 12);
        assert_eq!(
            p(&["行政处罚决定书", "当事人：隰县盛世养殖有限责任公司"]).as_deref(),
            Some("隰县盛世养殖有限责任公司")
        );
        assert_eq!(
            p(&["当事人：汾西县金诚石料有限公司（李志强）"]).as_deref(),
            Some("汾西县金诚石料有限公司")
        );
        assert_eq!(
            p(&["案由", "当事人", "县盛世养殖有限责任公司"]).as_deref(),
            Some("县盛世养殖有限责任公司")
        );
        assert_eq!(
            p(&[
                "责令改正通知书",
                "隰自然资责改〔2022〕44号",
                "隰县盛世养殖有限责任公司："
            ])
            .as_deref(),
            Some("隰县盛世养殖有限责任公司")
        );
        assert_eq!(
            p(&["当事人：亢建平住所（址）：蒲县古县乡新华路198号"]).as_deref(),
            Some("亢建平")
        );
        assert_eq!(
            p(&["当事人：张宏伟（现场负责人："]).as_deref(),
            Some("张宏伟")
        );
        assert_eq!(
            p(&["当事人：某某（山西）有限公司"]).as_deref(),
            Some("某某（山西）有限公司")
        );
        // A label line without a value, followed by another label.
        assert_eq!(p(&["当事人", "受送达人"]), None);
        assert_eq!(p(&["询问时间：", "询问地点：某局"]), None);
    }

    #[test]
    fn numbers_alone_on_their_line_with_any_bracket() {
        assert_eq!(
            find_number(&["隰县自然资源局", "隰自然资罚〔2022〕15号"], &[]).as_deref(),
            Some("隰自然资罚〔2022〕15号")
        );
        assert_eq!(
            find_number(&["蒲市监罚[2022]15号"], &[]).as_deref(),
            Some("蒲市监罚〔2022〕15号")
        );
        assert_eq!(
            find_number(&["蒲市监罚（2022）第7号"], &[]).as_deref(),
            Some("蒲市监罚〔2022〕7号")
        );
        assert_eq!(
            find_number(&["文号：蒲市监罚(2022)15号"], &[]).as_deref(),
            Some("蒲市监罚〔2022〕15号")
        );
        // OCR doubled the bracket (as read on a generated notice).
        assert_eq!(
            find_number(&["蒲环强通〔[2023】11号"], &[]).as_deref(),
            Some("蒲环强通〔2023〕11号")
        );
        // Another document's number, labelled: not this one's.
        assert_eq!(
            find_number(&["行政强制措施决定书文书号：蒲环强措〔2023〕11号"], &[]),
            None
        );
        // A table cell of a closing report (as PP-OCR read it).
        let labels = ["决定书文号".to_string()];
        assert_eq!(
            find_number(
                &["2022年9月30日", "决定书文号", "自然资罚〔2022]15号"],
                &labels
            ),
            None
        );
        assert!(find_number(&["案卷号", "自然资罚〔2022]15号"], &labels).is_some());
        // Quoted in running text: not this document's number.
        assert_eq!(
            find_number(&["行政处罚决定书（隰自然资罚〔2022〕15号）"], &[]),
            None
        );
        assert_eq!(
            find_number(&["票据号码：No.0114958665"], &[]).as_deref(),
            Some("No.0114958665")
        );
    }
}
