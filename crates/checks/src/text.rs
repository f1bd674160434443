//! Text helpers for OCR'd Chinese: folding, fuzzy phrase search, dates and
//! times, blank date lines.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use regex::Regex;
use std::sync::OnceLock;

/// Keeps what carries meaning for phrase search: letters (CJK included),
/// digits and the title marks 《》; full-width digits and letters become
/// half-width. Punctuation, brackets and spaces go, so OCR's choice of comma
/// or bracket never matters.
pub fn squash(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF5A}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '〈' | '<' => '《',
            '〉' | '>' => '》',
            _ => c,
        })
        .filter(|c| c.is_alphanumeric() || matches!(c, '《' | '》'))
        .collect()
}

/// Where `needle` occurs in `hay` (both squashed, as chars): exactly, or for
/// needles of four or more characters with at most one edit per four
/// characters (OCR misreads a character now and then). Returns the char
/// range of the best match and its similarity (1.0 exact).
pub fn fuzzy_find(hay: &[char], needle: &[char]) -> Option<(usize, usize, f32)> {
    let m = needle.len();
    if m == 0 || hay.is_empty() {
        return None;
    }
    if let Some(start) = hay.windows(m).position(|w| w == needle) {
        return Some((start, start + m, 1.0));
    }
    let max_edits = m / 4;
    if max_edits == 0 {
        return None;
    }
    // Semi-global edit distance (Sellers): the needle anywhere in the hay.
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut start_prev: Vec<usize> = vec![0; m + 1];
    let mut best: Option<(usize, usize, usize)> = None; // (edits, start, end)
    for (j, &hc) in hay.iter().enumerate() {
        let mut cur = vec![0usize; m + 1];
        let mut start_cur = vec![j + 1; m + 1];
        for i in 1..=m {
            let sub = prev[i - 1] + usize::from(needle[i - 1] != hc);
            let del = cur[i - 1] + 1;
            let ins = prev[i] + 1;
            let (v, s) = if sub <= del && sub <= ins {
                (sub, if i == 1 { j } else { start_prev[i - 1] })
            } else if ins <= del {
                (ins, start_prev[i])
            } else {
                (del, start_cur[i - 1])
            };
            cur[i] = v;
            start_cur[i] = s;
        }
        if cur[m] <= max_edits && best.is_none_or(|(e, _, _)| cur[m] < e) {
            best = Some((cur[m], start_cur[m], j + 1));
        }
        prev = cur;
        start_prev = start_cur;
    }
    best.map(|(e, s, end)| (s, end, 1.0 - e as f32 / m as f32))
}

fn date_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(\d{4}|[〇○零一二三四五六七八九]{4})年([\d]{1,2}|[一二三四五六七八九十]{1,3})月([\d]{1,2}|[一二三四五六七八九十]{1,3})日")
            .expect("regex")
    })
}

/// A number in Arabic digits or Chinese numerals up to 99 (years digit by digit).
fn number(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    let digit = |c: char| {
        "〇一二三四五六七八九"
            .find(c)
            .map(|i| (i / 3) as u32)
            .or(match c {
                '○' | '零' => Some(0),
                _ => None,
            })
    };
    if s.chars().count() == 4 && !s.contains('十') {
        return s.chars().try_fold(0, |acc, c| Some(acc * 10 + digit(c)?));
    }
    match s.split_once('十') {
        Some((tens, ones)) => {
            let t = if tens.is_empty() {
                1
            } else {
                digit(tens.chars().next()?)?
            };
            let o = if ones.is_empty() {
                0
            } else {
                digit(ones.chars().next()?)?
            };
            Some(t * 10 + o)
        }
        None => digit(s.chars().next()?),
    }
}

/// Every valid date in a (squashed or raw) text, in order: `2022年3月15日`
/// and `二〇二二年三月十五日`.
pub fn dates(text: &str) -> Vec<NaiveDate> {
    date_re()
        .captures_iter(text)
        .filter_map(|c| {
            NaiveDate::from_ymd_opt(number(&c[1])? as i32, number(&c[2])?, number(&c[3])?)
        })
        .collect()
}

fn datetime_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(\d{4})年(\d{1,2})月(\d{1,2})日(\d{1,2})[时点:](\d{1,2})分?(?:至(?:(\d{4})年(\d{1,2})月(\d{1,2})日)?(\d{1,2})[时点:](\d{1,2}))?")
            .expect("regex")
    })
}

/// A span of time written `2024年3月19日12时45分至13时55分` (end optional;
/// an end earlier than the start runs into the next day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeSpan {
    pub start: NaiveDateTime,
    pub end: Option<NaiveDateTime>,
}

/// Every time span in a squashed text.
pub fn time_spans(text: &str) -> Vec<TimeSpan> {
    let n = |c: &regex::Captures, i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    datetime_re()
        .captures_iter(text)
        .filter_map(|c| {
            let date = NaiveDate::from_ymd_opt(n(&c, 1)? as i32, n(&c, 2)?, n(&c, 3)?)?;
            let start = date.and_time(NaiveTime::from_hms_opt(n(&c, 4)? % 24, n(&c, 5)?, 0)?);
            let end = match (n(&c, 9), n(&c, 10)) {
                (Some(h), Some(mi)) => {
                    let end_date = match (n(&c, 6), n(&c, 7), n(&c, 8)) {
                        (Some(y), Some(mo), Some(d)) => NaiveDate::from_ymd_opt(y as i32, mo, d)?,
                        _ => date,
                    };
                    // 24时00分 is midnight at the end of the day.
                    let (h, day) = if h >= 24 { (h - 24, 1) } else { (h, 0) };
                    let mut e = end_date.and_time(NaiveTime::from_hms_opt(h, mi, 0)?)
                        + chrono::Duration::days(day);
                    if e < start {
                        e += chrono::Duration::days(1);
                    }
                    Some(e)
                }
                _ => None,
            };
            Some(TimeSpan { start, end })
        })
        .collect()
}

/// A date line left unfilled: `年 月 日` with no digits, possibly after a
/// short label (`日期：`).
pub fn is_blank_date(line: &str) -> bool {
    let s = squash(line);
    // A stray digit (a seal's edge read as `3`) is not a filled-in date.
    // A blank between 年 and 月 may be read as 〇 or a stray character.
    let (Some(y), Some(m)) = (s.find('年'), s.find('月')) else {
        return false;
    };
    if s.chars().filter(char::is_ascii_digit).count() > 1 || m < y || s[y..m].chars().count() > 2 {
        return false;
    }
    let rest: String = s
        .chars()
        .filter(|c| !matches!(c, '年' | '月' | '日'))
        .collect();
    rest.chars().count() <= 3
}

/// How many characters of `s` are CJK ideographs.
pub fn cjk_count(s: &str) -> usize {
    s.chars()
        .filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn fuzzy_find_tolerates_one_misread_in_four() {
        let hay = chars(&squash(
            "你有如实回答问题的义务，也有陈述、申辩和申请回避的权利。",
        ));
        assert!(fuzzy_find(&hay, &chars("申请回避")).is_some());
        let noisy = chars(&squash("享有陈述、申辨的权利"));
        let (_, _, sim) = fuzzy_find(&noisy, &chars("陈述申辩")).expect("one edit in four");
        assert!(sim < 1.0);
        assert!(fuzzy_find(&chars("请你如实回答"), &chars("申请回避")).is_none());
        assert!(fuzzy_find(&chars("三日内"), &chars("五日")).is_none());
    }

    #[test]
    fn time_spans_cross_midnight() {
        let s = time_spans(&squash("执行时间：2024年5月6日21时30分至24时00分"));
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].start.to_string(), "2024-05-06 21:30:00");
        assert_eq!(s[0].end.unwrap().to_string(), "2024-05-07 00:00:00");
        let s = time_spans(&squash("询问时间：2022年9月7日9时30分至10时37分"));
        assert_eq!(s[0].end.unwrap().to_string(), "2022-09-07 10:37:00");
    }

    #[test]
    fn dates_in_arabic_and_chinese_numerals() {
        let d = dates("2022年9月22日至二〇二二年十月三日");
        assert_eq!(d.len(), 2);
        assert_eq!(d[1].to_string(), "2022-10-03");
        assert!(dates("2022年13月1日").is_empty());
    }

    #[test]
    fn blank_dates() {
        assert!(is_blank_date("　　年　　月　　日"));
        assert!(is_blank_date("年月"));
        assert!(is_blank_date("3年月"));
        assert!(is_blank_date("年〇月"));
        assert!(!is_blank_date("年龄：57"));
        assert!(!is_blank_date("2022年9月22日"));
        assert!(!is_blank_date("罚款人民币肆万元整"));
    }
}
