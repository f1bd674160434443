//! Signature slots: the labels of `data/labels.toml` found in the OCR lines,
//! the place right of each label on its row (up to the next label, a table
//! rule or the margin; in a table the next cell), and whether handwriting
//! ink is there.
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
                        hits.push(Hit {
                            text: text[i..e].iter().collect(),
                            kind: l.kind.clone(),
                            bbox,
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

    /// Ink pixels in column `x` between rows `y0..y1`.
    fn column(&self, x: u32, y0: u32, y1: u32) -> u32 {
        (y0..y1).filter(|&y| self.at(x, y)).count() as u32
    }

    /// A table rule at column `x`: ink through the whole row band and beyond.
    fn vertical_rule(&self, x: u32, y0: u32, y1: u32, reach: u32) -> bool {
        let (top, bottom) = (
            y0.saturating_sub(reach),
            (y1 + reach).min(self.gray.height()),
        );
        let band = y1 - y0;
        let near = |x: u32| self.column(x, y0, y1) * 10 >= band * 9;
        // Rules may be two pixels wide and blurred: look at the column and its neighbours.
        let x1 = (x + 1).min(self.gray.width() - 1);
        if !(near(x) || near(x1)) {
            return false;
        }
        let outside = |x: u32| {
            self.column(x, top, y0) + self.column(x, y1, bottom)
                >= (y0 - top + bottom - y1) * 8 / 10
        };
        outside(x) || outside(x1)
    }
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
        let mut by0 = lb[1].saturating_sub(h * 45 / 100);
        let mut by1 = (lb[3] + h * 45 / 100).min(ph);
        // Not into the rows above and below: halfway to the nearest line
        // there (whose handwriting would otherwise count here).
        for l in lines {
            let b = l.bbox;
            if b[2] <= lb[2] {
                continue;
            }
            if b[1] >= lb[3] {
                by1 = by1.min(((lb[3] + b[1]) / 2).max(lb[3] + h / 10));
            } else if b[3] <= lb[1] {
                by0 = by0.max(((b[3] + lb[1]) / 2).min(lb[1].saturating_sub(h / 10)));
            }
        }
        let cy = (lb[1] + lb[3]) / 2;
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
        let (mut seen_ink, mut crossed) = (false, false);
        let mut x = x0;
        while x < x1 {
            if ink.vertical_rule(x, by0, by1, h) {
                if seen_ink || crossed {
                    x1 = x.saturating_sub(2).max(x0 + 1);
                    break;
                }
                let mut e = x;
                while e < x1 && ink.column(e, by0, by1) * 2 >= by1 - by0 {
                    e += 1;
                }
                x0 = (e + 2).min(x1 - 1);
                x = x0;
                crossed = true;
                continue;
            }
            // Ink right after the label may be its own last stroke.
            if x > lb[2] + h / 2 && ink.column(x, by0, by1) >= 2 {
                seen_ink = true;
            }
            x += 1;
        }
        let area = [x0, by0, x1.max(x0 + 1), by1];
        // Ink is measured in characters of at most 5 mm (OCR boxes of a line
        // with handwriting in it are taller than the printed label).
        let char_h = h.min((5.0 * ppm) as u32).max(4);
        let (mass, text) = judge(&ink, lines, &hits, area, char_h);
        let signed = mass >= SIGNED_MASS;
        let confidence = if signed {
            0.6 + 0.35 * ((mass - SIGNED_MASS) / 0.3).min(1.0)
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
