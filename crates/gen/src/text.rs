//! Small text helpers: template filling, Chinese dates and money amounts.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use std::collections::BTreeMap;

/// Values for `{name}` placeholders.
pub type Vars = BTreeMap<&'static str, String>;

/// Replaces every `{name}` in `template` by its value; an unknown name is a
/// bug in the data tables and panics with the template.
pub fn fill(template: &str, vars: &Vars) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .unwrap_or_else(|| panic!("unclosed placeholder in `{template}`"));
        let name = &rest[start + 1..start + end];
        let value = vars
            .get(name)
            .unwrap_or_else(|| panic!("unknown placeholder {{{name}}} in `{template}`"));
        // Values may hold placeholders themselves (goods specs like 约{area}平方米).
        if value.contains('{') {
            out.push_str(&fill(value, vars));
        } else {
            out.push_str(value);
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

/// `2023年5月8日`
pub fn date_cn(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `2023年5月8日9时30分`
pub fn datetime_cn(t: NaiveDateTime) -> String {
    format!("{}{}时{:02}分", date_cn(t.date()), t.hour(), t.minute())
}

/// `9时30分`
pub fn time_cn(t: NaiveDateTime) -> String {
    format!("{}时{:02}分", t.hour(), t.minute())
}

/// ISO 8601 date for the truth.
pub fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

const DIGITS: [&str; 10] = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"];
const UNITS: [&str; 4] = ["", "拾", "佰", "仟"];

/// Whole yuan in capital numerals as written on decisions and receipts:
/// 52000 → `伍万贰仟元整`.
pub fn yuan_capital(amount: u64) -> String {
    if amount == 0 {
        return "零元整".into();
    }
    let groups = [
        (amount / 100_000_000, "亿"),
        ((amount / 10_000) % 10_000, "万"),
        (amount % 10_000, ""),
    ];
    let mut out = String::new();
    let mut need_zero = false;
    for (value, unit) in groups {
        if value == 0 {
            if !out.is_empty() {
                need_zero = true;
            }
            continue;
        }
        if need_zero || (!out.is_empty() && value < 1000) {
            out.push('零');
        }
        need_zero = false;
        out.push_str(&four_digits(value));
        out.push_str(unit);
    }
    out.push_str("元整");
    out
}

fn four_digits(v: u64) -> String {
    let digits = [v / 1000, (v / 100) % 10, (v / 10) % 10, v % 10];
    let mut out = String::new();
    let mut zero = false;
    let first = digits.iter().position(|&d| d != 0).unwrap_or(3);
    for (i, &d) in digits.iter().enumerate().skip(first) {
        if d == 0 {
            zero = true;
        } else {
            if zero {
                out.push('零');
                zero = false;
            }
            out.push_str(DIGITS[d as usize]);
            out.push_str(UNITS[3 - i]);
        }
    }
    out
}

/// Small counts in Chinese numerals (1 → 一, 15 → 十五, 60 → 六十).
pub fn count_cn(n: u32) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].into(),
        10..=19 => format!("十{}", if n == 10 { "" } else { D[(n - 10) as usize] }),
        20..=99 => format!(
            "{}十{}",
            D[(n / 10) as usize],
            if n % 10 == 0 {
                ""
            } else {
                D[(n % 10) as usize]
            }
        ),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capital_amounts_read_as_written_on_receipts() {
        assert_eq!(yuan_capital(52000), "伍万贰仟元整");
        assert_eq!(yuan_capital(50000), "伍万元整");
        assert_eq!(yuan_capital(3000), "叁仟元整");
        assert_eq!(yuan_capital(100500), "壹拾万零伍佰元整");
        assert_eq!(yuan_capital(1005), "壹仟零伍元整");
        assert_eq!(yuan_capital(120000), "壹拾贰万元整");
    }

    #[test]
    fn fill_replaces_nested_placeholders_and_counts() {
        let mut v = Vars::new();
        v.insert("goods", "楼房".into());
        v.insert("spec", "约{area}平方米".into());
        v.insert("area", "120".into());
        assert_eq!(fill("{goods}（{spec}）", &v), "楼房（约120平方米）");
        assert_eq!(count_cn(15), "十五");
        assert_eq!(count_cn(60), "六十");
    }
}
