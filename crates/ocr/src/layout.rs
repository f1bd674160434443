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

/// Sorts lines into reading order, the way the generator orders its truth
/// lines: by vertical centre, a line joins the row above when their vertical
/// extents overlap by more than half the smaller height; rows top to bottom,
/// lines of a row left to right.
pub fn reading_order(mut lines: Vec<OcrLine>) -> Vec<OcrLine> {
    lines.sort_by_key(|l| (l.bbox[1] + l.bbox[3], l.bbox[0]));
    let mut rows: Vec<(u32, u32, Vec<OcrLine>)> = Vec::new();
    for line in lines {
        let (t, b) = (line.bbox[1], line.bbox[3]);
        let h = b.saturating_sub(t).max(1);
        let joined = rows.last_mut().filter(|(rt, rb, _)| {
            let overlap = b.min(*rb).saturating_sub(t.max(*rt));
            overlap * 2 > h.min(rb.saturating_sub(*rt).max(1))
        });
        match joined {
            Some(row) => {
                row.0 = row.0.min(t);
                row.1 = row.1.max(b);
                row.2.push(line);
            }
            None => rows.push((t, b, vec![line])),
        }
    }
    rows.into_iter()
        .flat_map(|(_, _, mut row)| {
            row.sort_by_key(|l| (l.bbox[0], l.bbox[1]));
            row
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
