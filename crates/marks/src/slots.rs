//! Signature slots: the labels of `data/labels.toml` found in the OCR lines,
//! the place right of each label (up to the next label, a table rule or the
//! margin; in a table the next cell), and whether handwriting ink is there.
//!
//! The place is bounded by the form's geometry: in a table, the cell between
//! the horizontal rules above and below the label (less lines reaching in
//! from outside the cell); elsewhere the label's text row, halfway to the
//! neighbouring lines' boxes (OCR pads them, so they often overlap), so that
//! neither printed text nor another row's signature counts. A label with no
//! room after it is signed below.
//!
//! Ink is dark pixels that are not a printed placeholder the OCR read there
//! (年 月 日, （签名）…), not a table rule, and not red (a fingerprint or
//! seal over the slot is not a signature).

use crate::blobs::Found;
use anjuan_core::marks::SignatureSlot;
use anjuan_ocr::OcrLine;
use image::GrayImage;
use serde::Deserialize;
use std::sync::OnceLock;

/// Pixels darker than this are ink (pens and toner scan near black; red pad
/// ink on a grayscale scan is mid-gray and stays out).
const INK_LEVEL: u8 = 110;
/// Pixels darker than this may belong to a printed table rule.
const RULE_LEVEL: u8 = 170;
/// Red plane level below which a pixel is pad ink, not pen.
const RED_LEVEL: u8 = 185;
/// Characters that may be printed in a slot without anyone having signed.
const PLACEHOLDERS: &str = "年月日时分（）()签名字盖章：:、，,。.捺指印_—-";
/// Ink mass (ink pixels per squared label height) at and above which the slot
/// counts as signed; a handwritten character has about 0.2.
const SIGNED_MASS: f32 = 0.12;
/// Below this the slot is surely empty.
const EMPTY_MASS: f32 = 0.04;

#[derive(Debug, Deserialize)]
struct Vocab {
    label: Vec<LabelDef>,
    #[serde(default)]
    context: Vec<ContextDef>,
}

#[derive(Debug, Deserialize)]
struct LabelDef {
    text: String,
    kind: String,
    #[serde(default)]
    colon: bool,
}

#[derive(Debug, Deserialize)]
struct ContextDef {
    text: String,
    kind: String,
}

fn vocab() -> &'static Vocab {
    static V: OnceLock<Vocab> = OnceLock::new();
    V.get_or_init(|| {
        let mut v: Vocab = toml::from_str(include_str!("../data/labels.toml"))
            .expect("crates/marks/data/labels.toml is valid (tested)");
        // Longest first, so that 被询问人签名 wins over 询问人签名 at a position.
        v.label
            .sort_by_key(|l| std::cmp::Reverse(l.text.chars().count()));
        v.context
            .sort_by_key(|l| std::cmp::Reverse(l.text.chars().count()));
        v
    })
}

fn normalise(c: char) -> char {
    match c {
        ':' => '：',
        '(' => '（',
        ')' => '）',
        c => c,
    }
}

/// One character of a line with its box (split evenly from its word's box).
#[derive(Debug, Clone, Copy)]
struct Ch {
    c: char,
    bbox: [u32; 4],
}

fn chars_of(line: &OcrLine) -> Vec<Ch> {
    let mut out = Vec::new();
    let words: Vec<(&str, [u32; 4])> = if line.words.is_empty() {
        vec![(line.text.as_str(), line.bbox)]
    } else {
        line.words
            .iter()
            .map(|w| (w.text.as_str(), w.bbox))
            .collect()
    };
    for (text, b) in words {
        let cs: Vec<char> = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(normalise)
            .collect();
        let n = cs.len().max(1) as u32;
        let w = b[2].saturating_sub(b[0]);
        for (i, c) in cs.into_iter().enumerate() {
            let i = i as u32;
            out.push(Ch {
                c,
                bbox: [b[0] + w * i / n, b[1], b[0] + w * (i + 1) / n, b[3]],
            });
        }
    }
    out
}

fn union(a: [u32; 4], b: [u32; 4]) -> [u32; 4] {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

/// A label found on the page.
#[derive(Debug, Clone)]
struct Hit {
    text: String,
    kind: String,
    bbox: [u32; 4],
    /// Right end of the label's printed ink: its OCR line's end when nothing
    /// follows the label in the line (the box then often ends short of the
    /// last glyph), else the label box's end.
    ink_end: u32,
}

fn find_labels(lines: &[OcrLine]) -> Vec<Hit> {
    let v = vocab();
    let mut hits = Vec::new();
    for line in lines {
        let chars = chars_of(line);
        let text: Vec<char> = chars.iter().map(|c| c.c).collect();
        let mut i = 0;
        while i < text.len() {
            let found = v.label.iter().find_map(|l| {
                let lt: Vec<char> = l.text.chars().collect();
                let end = i + lt.len();
                if end > text.len() || text[i..end] != lt[..] {
                    return None;
                }
                // Take a bracketed note and the colon with the label.
                let mut e = end;
                if text.get(e) == Some(&'（') {
                    if let Some(close) = text[e..].iter().take(8).position(|&c| c == '）') {
                        e += close + 1;
                    }
                }
                let colon = text.get(e) == Some(&'：');
                if colon {
                    e += 1;
                }
                (!l.colon || colon).then_some((l, e))
            });
            match found {
                Some((l, e)) => {
                    if l.kind != "none" {
                        let bbox = chars[i..e]
                            .iter()
                            .map(|c| c.bbox)
                            .reduce(union)
                            .unwrap_or(line.bbox);
                        let ink_end = if e == text.len() {
                            line.bbox[2].max(bbox[2])
                        } else {
                            bbox[2]
                        };
                        hits.push(Hit {
                            text: text[i..e].iter().collect(),
                            kind: l.kind.clone(),
                            bbox,
                            ink_end,
                        });
                    }
                    i = e;
                }
                None => i += 1,
            }
        }
    }
    hits
}

/// The kind of a bare 签名 from the row label left of it (or above it).
fn context_kind(lines: &[OcrLine], label: [u32; 4]) -> Option<String> {
    let h = label[3].saturating_sub(label[1]).max(1) as i64;
    let cy = (label[1] + label[3]) as i64 / 2;
    let v = vocab();
    lines
        .iter()
        .filter(|l| l.bbox[2] <= label[0])
        .filter_map(|l| {
            let lcy = (l.bbox[1] + l.bbox[3]) as i64 / 2;
            let dy = lcy - cy;
            if !(-5 * h..=2 * h).contains(&dy) {
                return None;
            }
            let t: String = l.text.chars().filter(|c| !c.is_whitespace()).collect();
            v.context
                .iter()
                .find(|c| t.contains(&c.text))
                .map(|c| (dy.abs(), c.kind.clone()))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Where the page's ink is, for the slot judgement.
struct Ink<'a> {
    gray: &'a GrayImage,
    red: Option<&'a GrayImage>,
}

impl Ink<'_> {
    fn at(&self, x: u32, y: u32) -> bool {
        self.gray.get_pixel(x, y).0[0] < INK_LEVEL
            && self.red.is_none_or(|r| r.get_pixel(x, y).0[0] >= RED_LEVEL)
    }

    /// A pixel of a printed rule: rules are thin and blur lighter than
    /// text strokes.
    fn rule_at(&self, x: u32, y: u32) -> bool {
        self.gray.get_pixel(x, y).0[0] < RULE_LEVEL
            && self.red.is_none_or(|r| r.get_pixel(x, y).0[0] >= RED_LEVEL)
    }

    /// Rule pixels in column `x` between rows `y0..y1`.
    fn rule_column(&self, x: u32, y0: u32, y1: u32) -> u32 {
        (y0..y1).filter(|&y| self.rule_at(x, y)).count() as u32
    }

    /// Ink pixels in column `x` between rows `y0..y1`.
    fn column(&self, x: u32, y0: u32, y1: u32) -> u32 {
        (y0..y1).filter(|&y| self.at(x, y)).count() as u32
    }

    /// Longest run of ink along row `y` between columns `x0..x1`.
    fn run_along(&self, y: u32, x0: u32, x1: u32) -> u32 {
        let (mut best, mut run) = (0, 0);
        for x in x0..x1 {
            run = if self.rule_at(x, y) { run + 1 } else { 0 };
            best = best.max(run);
        }
        best
    }

    /// The rows just inside the table rules nearest row `cy` above and below
    /// it within `y0..y1` (runs of ink of at least `len` between `x0..x1`).
    fn rules_around(
        &self,
        x0: u32,
        x1: u32,
        (y0, y1): (u32, u32),
        cy: u32,
        len: u32,
    ) -> (Option<u32>, Option<u32>) {
        if x1 - x0 < len {
            return (None, None);
        }
        let rule = |y: u32| self.run_along(y, x0, x1) >= len;
        let top = (y0..cy.min(y1)).rev().find(|&y| rule(y)).map(|y| y + 3);
        let bottom = (cy.max(y0)..y1)
            .find(|&y| rule(y))
            .map(|y| y.saturating_sub(2));
        (top, bottom)
    }

    /// The band `y0..y1` narrowed to the table rules (runs of ink of at
    /// least `len` between `x0..x1`) nearest row `cy` above and below it.
    fn between_rules(&self, x0: u32, x1: u32, y0: u32, y1: u32, cy: u32, len: u32) -> (u32, u32) {
        let (top, bottom) = self.rules_around(x0, x1, (y0, y1), cy, len);
        let top = top.unwrap_or(y0).min(cy);
        (top, bottom.unwrap_or(y1).max(top + 1))
    }

    /// A table rule at column `x`: ink through the whole row band and beyond.
    fn vertical_rule(&self, x: u32, y0: u32, y1: u32, reach: u32) -> bool {
        let (top, bottom) = (
            y0.saturating_sub(reach),
            (y1 + reach).min(self.gray.height()),
        );
        let band = y1 - y0;
        let near = |x: u32| self.rule_column(x, y0, y1) * 10 >= band * 9;
        // Rules may be two pixels wide and blurred: look at the column and its neighbours.
        let x1 = (x + 1).min(self.gray.width() - 1);
        if !(near(x) || near(x1)) {
            return false;
        }
        let outside = |x: u32| {
            self.rule_column(x, top, y0) + self.rule_column(x, y1, bottom)
                >= (y0 - top + bottom - y1) * 8 / 10
        };
        outside(x) || outside(x1)
    }
}

/// The rows of the label's line: from halfway to the text line above to
/// halfway to the one below (boxes of neighbouring lines overlap when OCR
/// pads them; the halfway point is then inside the overlap), within
/// `y0..y1`. Only lines for which `bounds` holds count; lines whose centre is
/// within ¾ of the label's height of its centre are on its row (the
/// signature itself, a fingerprint read as a letter).
fn row_band(
    lines: &[OcrLine],
    lb: [u32; 4],
    (mut by0, mut by1): (u32, u32),
    bounds: impl Fn([u32; 4]) -> bool,
) -> (u32, u32) {
    let h = lb[3].saturating_sub(lb[1]).max(4);
    let cy = (lb[1] + lb[3]) / 2;
    for l in lines.iter().filter(|l| bounds(l.bbox)) {
        let b = l.bbox;
        let ncy = (b[1] + b[3]) / 2;
        if ncy >= cy + h * 3 / 4 {
            by1 = by1.min(((lb[3] + b[1]) / 2).max(cy + h / 4));
        } else if ncy + h * 3 / 4 <= cy {
            by0 = by0.max(((b[3] + lb[1]) / 2).min(cy - h / 4));
        }
    }
    (by0, by1.max(by0 + 1))
}

/// The place under a label that has no room after it: from its bottom to
/// halfway to the next line under it (at most three label heights), as wide
/// as the label and five characters more, up to `right`'s cell border.
fn below(ink: &Ink, lines: &[OcrLine], lb: [u32; 4], right: u32, ph: u32) -> [u32; 4] {
    let h = lb[3].saturating_sub(lb[1]).max(4);
    let (x0, x1) = (lb[0], right.max(lb[2] + 5 * h).min(ink.gray.width()));
    let y0 = lb[3].min(ph - 1);
    let mut y1 = (lb[3] + 3 * h).min(ph);
    for l in lines {
        let b = l.bbox;
        if b[1] > lb[3] + h / 2 && b[2] > x0 && b[0] < x1 {
            y1 = y1.min((lb[3] + 3 * h / 2).max((y0 + b[1]) / 2));
        }
    }
    let (y0, y1) = ink.between_rules(x0, x1, y0, y1.max(y0 + 1), y0, 3 * h);
    [x0, y0, x1, y1]
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The signature slots of a page.
pub fn find_slots(
    gray: &GrayImage,
    red: Option<&GrayImage>,
    lines: &[OcrLine],
    ppm: f32,
    _found: &Found,
) -> Vec<SignatureSlot> {
    let (pw, ph) = gray.dimensions();
    if pw < 8 || ph < 8 {
        return Vec::new();
    }
    let ink = Ink { gray, red };
    let hits = find_labels(lines);
    let margin = (12.0 * ppm) as u32;
    let mut slots = Vec::new();
    for hit in &hits {
        let lb = hit.bbox;
        let h = lb[3].saturating_sub(lb[1]).max(4);
        let cy = (lb[1] + lb[3]) / 2;
        // The text row first (lines wholly left of the label's end do not
        // reach the slot), for finding the table's vertical rules.
        let text_band = (
            lb[1].saturating_sub(h * 45 / 100),
            (lb[3] + h * 45 / 100).min(ph),
        );
        let (by0, by1) = row_band(lines, lb, text_band, |b| b[2] > lb[2]);
        // Not across the table's horizontal rules either.
        let reach = (lb[2] + 1 + 4 * h).min(pw);
        let (by0, by1) = ink.between_rules(lb[2] + 1, reach, by0, by1, cy, 3 * h);
        let mut x0 = (lb[2] + 1).min(pw - 1);
        let mut x1 = pw.saturating_sub(margin).max(x0 + 1);
        // The next label on the row closes the slot.
        for other in &hits {
            let ob = other.bbox;
            if ob[0] > lb[2] && ob[1] < cy && ob[3] > cy {
                x1 = x1.min(ob[0].saturating_sub(h / 5)).max(x0 + 1);
            }
        }
        // Table rules: a rule before any ink is the label cell's border (the
        // slot is the next cell); a rule after ink closes the slot.
        // Ink counts as content when it runs on for more than a quarter of
        // the label's height before a rule (a blurred rule's own shoulder
        // does not); a crossed rule's far shoulder is skipped.
        let (mut ink_from, mut crossed): (Option<u32>, bool) = (None, false);
        let mut x = x0;
        while x < x1 {
            if ink.vertical_rule(x, by0, by1, h) {
                if crossed || ink_from.is_some_and(|f| x > f + h / 4) {
                    x1 = x.saturating_sub(2).max(x0 + 1);
                    break;
                }
                let mut e = x;
                while e < x1 && ink.rule_column(e, by0, by1) * 2 >= by1 - by0 {
                    e += 1;
                }
                x0 = (e + 2).min(x1 - 1);
                x = (e + (h / 3).max(3)).min(x1);
                (ink_from, crossed) = (None, true);
                continue;
            }
            // Ink right after the label may be its own last stroke.
            if ink_from.is_none()
                && x > hit.ink_end.max(lb[2] + h / 2)
                && ink.column(x, by0, by1) >= 2
            {
                ink_from = Some(x);
            }
            x += 1;
        }
        let seen_ink = ink_from.is_some();
        let x1 = x1.max(x0 + 1);
        // In a table the slot is the cell: between the rules above and below
        // the label, less lines reaching in from outside the cell (a date
        // line under a signature right of 签名：). Without rules, the text row.
        let len = (3 * h).min((x1 - x0) * 9 / 10).max(3 * h / 2);
        let window = (lb[1].saturating_sub(4 * h), (lb[3] + 4 * h).min(ph));
        let (by0, by1) = match ink.rules_around(x0, x1, window, cy, len) {
            (Some(top), Some(bottom)) => {
                row_band(lines, lb, (top, bottom), |b| b[2] > x0 && b[0] + h / 2 < x0)
            }
            _ => ink.between_rules(x0, x1, by0, by1, cy, len),
        };
        let mut area = [x0, by0, x1, by1];
        // A label with no room after it (at the margin or against its cell's
        // right border) is signed below.
        if x1 - x0 < h && !seen_ink {
            area = below(&ink, lines, lb, x1, ph);
        }
        // Ink is measured in characters of at most 5 mm (OCR boxes of a line
        // with handwriting in it are taller than the printed label).
        let char_h = h.min((5.0 * ppm) as u32).max(4);
        let (mass, text) = judge(&ink, lines, &hits, area, char_h);
        // A name OCR read in the slot is handwriting that a thin pen left
        // too little ink of for the mass alone.
        let read_name = mass > EMPTY_MASS
            && text
                .as_deref()
                .is_some_and(|t| t.chars().filter(|c| is_cjk(*c)).count() >= 2);
        let signed = mass >= SIGNED_MASS || read_name;
        let confidence = if mass >= SIGNED_MASS {
            0.6 + 0.35 * ((mass - SIGNED_MASS) / 0.3).min(1.0)
        } else if signed {
            0.6
        } else if mass <= EMPTY_MASS {
            0.9
        } else {
            0.5 + 0.3 * (SIGNED_MASS - mass) / (SIGNED_MASS - EMPTY_MASS)
        };
        let kind = if hit.kind == "signer" {
            context_kind(lines, lb).unwrap_or_else(|| hit.kind.clone())
        } else {
            hit.kind.clone()
        };
        slots.push(SignatureSlot {
            label: hit.text.clone(),
            label_bbox: lb,
            area,
            signed,
            confidence,
            text,
            kind,
        });
    }
    slots
}

/// Ink mass in `area` (ink pixels over the squared label height) leaving out
/// printed placeholders, other labels and table rules; and the OCR'd text
/// there that is not a placeholder.
fn judge(
    ink: &Ink,
    lines: &[OcrLine],
    hits: &[Hit],
    area: [u32; 4],
    h: u32,
) -> (f32, Option<String>) {
    let [x0, y0, x1, y1] = area;
    let (w, ht) = ((x1 - x0) as usize, (y1 - y0) as usize);
    let mut keep = vec![true; w * ht];
    let mut blank = |b: [u32; 4]| {
        for y in b[1].max(y0)..b[3].min(y1) {
            for x in b[0].max(x0)..b[2].min(x1) {
                keep[(y - y0) as usize * w + (x - x0) as usize] = false;
            }
        }
    };
    let inside = |b: [u32; 4]| {
        let (cx, cy) = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2);
        cx >= x0 && cx < x1 && cy >= y0 && cy < y1
    };
    let mut text = String::new();
    for line in lines {
        for ch in chars_of(line) {
            if !inside(ch.bbox) {
                continue;
            }
            if PLACEHOLDERS.contains(ch.c) {
                blank(ch.bbox);
            } else {
                text.push(ch.c);
            }
        }
    }
    for hit in hits {
        blank(hit.bbox);
    }
    // Rules: unbroken ink down most of the band, or along the slot for more
    // than two characters (handwriting has no such runs).
    let inked: Vec<bool> = (0..w * ht)
        .map(|i| ink.at(x0 + (i % w) as u32, y0 + (i / w) as u32))
        .collect();
    let longest = |cells: &mut dyn Iterator<Item = bool>| {
        let (mut best, mut run) = (0usize, 0usize);
        for c in cells {
            run = if c { run + 1 } else { 0 };
            best = best.max(run);
        }
        best
    };
    let rule_col: Vec<bool> = (0..w)
        .map(|x| longest(&mut (0..ht).map(|y| inked[y * w + x])) * 10 >= ht * 8)
        .collect();
    let rule_row: Vec<bool> = (0..ht)
        .map(|y| {
            let run = longest(&mut (0..w).map(|x| inked[y * w + x]));
            run * 2 >= w.max(4 * h as usize) || run >= 3 * h as usize
        })
        .collect();
    let mut mass = 0u32;
    for y in 0..ht {
        if rule_row[y] {
            continue;
        }
        for x in 0..w {
            if !rule_col[x] && keep[y * w + x] && inked[y * w + x] {
                mass += 1;
            }
        }
    }
    let mass = mass as f32 / (h as f32 * h as f32);
    (mass, (!text.is_empty()).then_some(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anjuan_ocr::OcrWord;

    fn line(text: &str, x: u32, y: u32) -> OcrLine {
        let words: Vec<OcrWord> = text
            .chars()
            .enumerate()
            .map(|(i, c)| OcrWord {
                text: c.to_string(),
                bbox: [x + 40 * i as u32, y, x + 40 * (i as u32 + 1), y + 40],
                confidence: 0.9,
            })
            .collect();
        OcrLine {
            text: text.into(),
            bbox: [x, y, x + 40 * text.chars().count() as u32, y + 40],
            confidence: 0.9,
            words,
        }
    }

    #[test]
    fn the_vocabulary_parses_and_every_kind_is_named() {
        let v = vocab();
        assert!(v.label.len() > 20);
        assert!(v
            .label
            .iter()
            .all(|l| !l.text.is_empty() && !l.kind.is_empty()));
    }

    #[test]
    fn longest_label_wins_and_running_text_is_no_label() {
        let hits = find_labels(&[
            line("询问人签名：李艳芳温玉兰被询问人签名：赵伟", 100, 100),
            line("受送达人", 100, 200),
            line("送达人", 100, 300),
            line("请当事人阅看笔录后签名。", 100, 400),
            line("见证人签名：", 100, 500),
        ]);
        let got: Vec<(&str, &str)> = hits
            .iter()
            .map(|h| (h.text.as_str(), h.kind.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("询问人签名：", "interviewer"),
                ("被询问人签名：", "interviewee"),
                ("送达人", "server"),
                ("见证人签名：", "witness"),
            ]
        );
        // The label box covers its characters and the colon.
        assert_eq!(hits[1].bbox, [100 + 40 * 12, 100, 100 + 40 * 19, 140]);
    }
}
