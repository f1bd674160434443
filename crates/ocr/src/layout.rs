//! Reading order of lines and clean-up of recognised text.

use crate::OcrLine;

/// Is `c` a CJK ideograph, CJK punctuation or a full-width form (no spaces around it in Chinese text)?
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF      // radicals
        | 0x3000..=0x303F    // CJK symbols and punctuation
        | 0x3040..=0x30FF    // kana
        | 0x3100..=0x312F    // bopomofo
        | 0x3200..=0x33FF    // enclosed CJK, compatibility
        | 0x3400..=0x4DBF    // extension A
        | 0x4E00..=0x9FFF    // unified ideographs
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0xFE30..=0xFE4F    // compatibility forms
        | 0xFF00..=0xFFEF    // half- and full-width forms
        | 0x20000..=0x2FA1F) // extensions B–F, compatibility supplement
}

/// Collapses runs of white space to one space, drops spaces next to a CJK
/// character (Chinese text has none; OCR engines invent them) and trims.
pub fn clean_spaces(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            let prev = out.chars().last();
            let next = chars.get(j).copied();
            if let (Some(p), Some(n)) = (prev, next) {
                if !is_cjk(p) && !is_cjk(n) {
                    out.push(' ');
                }
            }
            i = j;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Sorts lines into reading order: rows of lines whose vertical extents
/// overlap (by at least half the shorter line's height), rows top to bottom,
/// lines of a row left to right.
pub fn reading_order(mut lines: Vec<OcrLine>) -> Vec<OcrLine> {
    lines.sort_by_key(|l| (l.bbox[1], l.bbox[0]));
    let mut rows: Vec<(u32, u32, Vec<OcrLine>)> = Vec::new();
    for line in lines {
        let (y0, y1) = (line.bbox[1], line.bbox[3]);
        let h = y1.saturating_sub(y0).max(1);
        let row = rows.iter_mut().rev().take(3).find(|(ry0, ry1, members)| {
            let overlap = y1.min(*ry1).saturating_sub(y0.max(*ry0));
            let rh = members
                .iter()
                .map(|m| m.bbox[3].saturating_sub(m.bbox[1]))
                .min()
                .unwrap_or(1)
                .max(1);
            overlap * 2 >= h.min(rh)
        });
        match row {
            Some((ry0, ry1, members)) => {
                *ry0 = (*ry0).min(y0);
                *ry1 = (*ry1).max(y1);
                members.push(line);
            }
            None => rows.push((y0, y1, vec![line])),
        }
    }
    rows.sort_by_key(|r| r.0);
    rows.into_iter()
        .flat_map(|(_, _, mut members)| {
            members.sort_by_key(|m| m.bbox[0]);
            members
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_between_cjk_are_dropped_latin_kept() {
        assert_eq!(clean_spaces(" 行政 处罚  决定书 "), "行政处罚决定书");
        assert_eq!(clean_spaces("No. 15 号 ABC  def"), "No. 15号ABC def");
        assert_eq!(clean_spaces("罚款 ：5000 元"), "罚款：5000元");
    }

    fn line(text: &str, bbox: [u32; 4]) -> OcrLine {
        OcrLine {
            text: text.into(),
            bbox,
            confidence: 1.0,
            words: vec![],
        }
    }

    #[test]
    fn rows_top_to_bottom_left_to_right() {
        let lines = vec![
            line("c", [10, 100, 200, 140]),
            line("b", [300, 12, 500, 48]),
            line("a", [10, 10, 200, 50]),
            line("d", [300, 105, 400, 138]),
        ];
        let order: Vec<_> = reading_order(lines).into_iter().map(|l| l.text).collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
    }
}
