//! Numbers as statutes and dossiers write them: Chinese numerals
//! (一百二十四, 一百零八, 两千), Arabic digits (124) and full-width digits (１２４).

/// The value of a Chinese digit character (零/〇 to 九, 两).
pub fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' | 'O' | 'o' => 0,
        '一' | '壹' => 1,
        '二' | '两' | '贰' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

fn unit(c: char) -> Option<u32> {
    Some(match c {
        '十' | '拾' => 10,
        '百' | '佰' => 100,
        '千' | '仟' => 1000,
        _ => return None,
    })
}

/// Whether `c` can be part of a number (`parse_number`).
pub fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || (cn_digit(c).is_some() && !matches!(c, 'O' | 'o')) || unit(c).is_some()
}

/// Parses a whole string as a number: `一百二十四` → 124, `十` → 10,
/// `一百零八` → 108, `124` → 124, `二〇二一` (digit by digit) → 2021.
/// `None` when it is empty or not a number.
pub fn parse_number(s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok();
    }
    let has_unit = s.chars().any(|c| unit(c).is_some());
    if !has_unit {
        // Digit by digit (years: 二〇二一).
        let mut v: u32 = 0;
        for c in s.chars() {
            v = v.checked_mul(10)?.checked_add(cn_digit(c)?)?;
        }
        return Some(v);
    }
    let mut total = 0u32;
    let mut pending: Option<u32> = None;
    let mut last_unit = u32::MAX;
    for c in s.chars() {
        if let Some(d) = cn_digit(c) {
            if pending.is_some() && d != 0 {
                return None; // two digits in a row: 一二十
            }
            if d != 0 {
                pending = Some(d);
            }
        } else if let Some(u) = unit(c) {
            if u >= last_unit {
                return None; // 十百, 百百
            }
            total += pending.take().unwrap_or(1) * u;
            last_unit = u;
        } else {
            return None;
        }
    }
    Some(total + pending.unwrap_or(0))
}

/// The Chinese numeral of `n` as statutes write article numbers (1 ≤ n < 10000):
/// 10 → 十, 15 → 十五, 108 → 一百零八, 110 → 一百一十.
pub fn to_chinese(n: u32) -> String {
    const D: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n == 0 {
        return "零".into();
    }
    if (10..20).contains(&n) {
        let mut s = String::from("十");
        if n > 10 {
            s.push(D[(n - 10) as usize]);
        }
        return s;
    }
    let parts = [(1000, '千'), (100, '百'), (10, '十'), (1, ' ')];
    let mut s = String::new();
    let mut zero = false;
    let mut rest = n;
    for (u, name) in parts {
        let d = rest / u;
        rest %= u;
        if d == 0 {
            if !s.is_empty() && rest > 0 {
                zero = true;
            }
            continue;
        }
        if zero {
            s.push('零');
            zero = false;
        }
        s.push(D[d as usize]);
        if u > 1 {
            s.push(name);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numbers_parse() {
        for (s, v) in [
            ("一", 1),
            ("十", 10),
            ("十五", 15),
            ("二十", 20),
            ("一百二十四", 124),
            ("一百零八", 108),
            ("一百一十", 110),
            ("一千二百六十", 1260),
            ("两千", 2000),
            ("124", 124),
            ("二〇二一", 2021),
        ] {
            assert_eq!(parse_number(s), Some(v), "{s}");
        }
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("十百"), None);
        assert_eq!(parse_number("一二十"), None);
        assert_eq!(parse_number("条"), None);
    }

    #[test]
    fn chinese_numbers_round_trip() {
        for n in 1..1300 {
            assert_eq!(
                parse_number(&to_chinese(n)),
                Some(n),
                "{n} {}",
                to_chinese(n)
            );
        }
        assert_eq!(to_chinese(108), "一百零八");
        assert_eq!(to_chinese(110), "一百一十");
        assert_eq!(to_chinese(1005), "一千零五");
    }
}
