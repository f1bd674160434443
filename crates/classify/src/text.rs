//! Text normalisation and fuzzy matching for OCR'd Chinese.

/// Folds OCR variation that does not change meaning: whitespace goes,
/// full-width ASCII becomes half-width, every bracket becomes `(` / `)`, and
/// punctuation around a title (colons, dots, dashes) is dropped.
pub fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' | '〔' | '【' | '[' | '［' | '﹝' | '(' => '(',
            '）' | '〕' | '】' | ']' | '］' | '﹞' | ')' => ')',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| {
            !matches!(
                c,
                ':' | '.' | '-' | '_' | '·' | '、' | '。' | '—' | '"' | '\''
            )
        })
        .collect()
}

/// Character-level similarity: 1 − edit distance / longer length (1.0 when equal).
pub fn similarity(a: &str, b: &str) -> f32 {
    strsim::normalized_levenshtein(a, b) as f32
}

/// The number in a line that holds only a number, possibly boxed or
/// bracketed (`12`, `[12]`, `|12|`, `（12）`).
pub(crate) fn lone_number(line: &str) -> Option<u32> {
    let inner: String = normalize(line)
        .chars()
        .filter(|c| !matches!(c, '(' | ')' | '|' | '口' | '□'))
        .collect();
    if inner.is_empty() || inner.len() > 4 || !inner.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    inner.parse().ok().filter(|&n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_fold_full_and_half_width() {
        assert_eq!(
            normalize("查封（扣押）决定书"),
            normalize("查封(扣押)决定书")
        );
        assert_eq!(normalize("查封〔扣押〕 决定书"), "查封(扣押)决定书");
    }

    #[test]
    fn one_ocr_slip_in_a_seven_character_title_still_matches() {
        let s = similarity(&normalize("行政处罚决走书"), &normalize("行政处罚决定书"));
        assert!((s - 6.0 / 7.0).abs() < 1e-6, "{s}");
        assert!(similarity("隰县自然资源局", "卷宗封面") < 0.3);
    }

    #[test]
    fn lone_numbers() {
        assert_eq!(lone_number("12"), Some(12));
        assert_eq!(lone_number("[7]"), Some(7));
        assert_eq!(lone_number("|3|"), Some(3));
        assert_eq!(lone_number("第2页"), None);
        assert_eq!(lone_number("2022"), Some(2022));
        assert_eq!(lone_number("20221"), None);
        assert_eq!(lone_number("0"), None);
    }
}
