//! Pagination: blocks → pages of placed items (positions in mm).

use crate::font::{Face, Fonts};
use crate::model::{
    Align, Block, DocSpec, Footer, Ink, PageLayout, Run, Seal, SignatureMarks, Table, TextLine,
};

pub const PAGE_W: f32 = 210.0;
pub const PAGE_H: f32 = 297.0;
/// Millimetres per typographic point.
pub const PT: f32 = 25.4 / 72.0;
/// Handwriting is written a little larger than the print around it.
pub const HAND_SCALE: f32 = 1.25;
/// Blank fill character (an empty field on a form).
pub const BLANK: char = '\u{3000}';

/// Printed ink colour of a text item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Black,
    Red,
}

/// A segment of text in one ink, on one line.
#[derive(Debug, Clone, PartialEq)]
pub struct TextItem {
    pub text: String,
    /// Left end of the pen and baseline, mm.
    pub x: f32,
    pub baseline: f32,
    /// Em size, mm.
    pub size: f32,
    pub face: Face,
    pub hand: bool,
    pub color: Color,
    /// Laid-out width, mm.
    pub width: f32,
}

/// What is placed.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Text(TextItem),
    /// A filled rectangle (a table rule), mm.
    Rule {
        x0: f32,
        y0: f32,
        x1: f32,
        y1: f32,
    },
    /// A round seal centred at (cx, cy).
    Seal {
        cx: f32,
        cy: f32,
        seal: Seal,
    },
    /// A red fingerprint centred at (cx, cy).
    Fingerprint {
        cx: f32,
        cy: f32,
    },
    /// A photo in this rectangle.
    Photo {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        kind: crate::marks::PhotoKind,
    },
}

/// An item placed on a page (text line, table rule, photo, mark …), in mm.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub item: Item,
}

impl Item {
    fn shifted(&self, dy: f32) -> Item {
        let mut it = self.clone();
        match &mut it {
            Item::Text(t) => t.baseline += dy,
            Item::Rule { y0, y1, .. } => {
                *y0 += dy;
                *y1 += dy;
            }
            Item::Seal { cy, .. } | Item::Fingerprint { cy, .. } => *cy += dy,
            Item::Photo { y, .. } => *y += dy,
        }
        it
    }
}

/// Page geometry and type sizes of a document style.
#[derive(Debug, Clone, Copy)]
struct Style {
    top: f32,
    bottom: f32,
    left: f32,
    right: f32,
    /// Body text size, pt.
    body_pt: f32,
    /// Table text size, pt.
    table_pt: f32,
    /// Line pitch as a multiple of the size.
    leading: f32,
}

const LETTER: Style = Style {
    top: 37.0,
    bottom: 35.0,
    left: 28.0,
    right: 26.0,
    body_pt: 14.0,
    table_pt: 11.0,
    leading: 1.75,
};

const FORM: Style = Style {
    top: 24.0,
    bottom: 24.0,
    left: 22.0,
    right: 20.0,
    body_pt: 12.0,
    table_pt: 11.0,
    leading: 1.7,
};

const TITLE_PT: f32 = 22.0;
const AGENCY_PT: f32 = 24.0;
const RULE: f32 = 0.2;
const RULE_OUTER: f32 = 0.35;
const CELL_PAD: f32 = 1.6;
/// Characters that must not start a line.
const NO_LINE_START: &str = "，。、；：？！）》」』”’…—,.;:?!)%";

/// A vertical unit of the flow: a line, a table row, a photo, a space.
#[derive(Debug, Clone, Default)]
struct Chunk {
    height: f32,
    items: Vec<Item>,
    /// Table rows: the table's number and its left/right edges, so that the
    /// paginator can close the table with a bottom rule on each page.
    table: Option<(usize, f32, f32)>,
    page_break: bool,
    /// Space that is dropped at the top of a page.
    space: bool,
}

/// One character ready for line breaking.
#[derive(Debug, Clone, Copy)]
struct Ch {
    c: char,
    hand: bool,
    adv: f32,
}

pub struct Layouter<'a> {
    fonts: &'a Fonts,
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

impl<'a> Layouter<'a> {
    pub fn new(fonts: &'a Fonts) -> Self {
        Layouter { fonts }
    }

    fn chars(&self, runs: &[Run], size: f32, face: Face) -> Vec<Ch> {
        let mut out = Vec::new();
        for r in runs {
            let hand = r.ink == Ink::Handwritten;
            for c in r.text.chars() {
                if c == '\n' || c == '\r' {
                    continue;
                }
                let (f, k) = if hand {
                    (Face::Kai, HAND_SCALE)
                } else {
                    (face, 1.0)
                };
                out.push(Ch {
                    c,
                    hand,
                    adv: self.fonts.advance_em(f, c) * size * k,
                });
            }
        }
        out
    }

    /// Breaks characters into lines of at most `width` (the first line
    /// `first_indent` narrower); returns index ranges.
    fn wrap(chars: &[Ch], width: f32, first_indent: f32) -> Vec<(usize, usize)> {
        let mut lines = Vec::new();
        let mut start = 0;
        let mut w = first_indent;
        let mut i = 0;
        while i < chars.len() {
            let ch = chars[i];
            if w + ch.adv > width + 0.01 && i > start {
                // Keep closing punctuation off the next line's start: hang it.
                let mut end = i;
                while end < chars.len() && NO_LINE_START.contains(chars[end].c) && end - i < 2 {
                    end += 1;
                }
                // Keep Latin words and numbers together when short.
                if end == i && is_word(ch.c) {
                    let mut b = i;
                    while b > start && is_word(chars[b - 1].c) && i - b < 8 {
                        b -= 1;
                    }
                    if b > start && !is_word(chars[b - 1].c) {
                        end = b;
                    }
                }
                lines.push((start, end));
                start = end;
                i = end;
                w = 0.0;
                continue;
            }
            w += ch.adv;
            i += 1;
        }
        if start < chars.len() || lines.is_empty() {
            lines.push((start, chars.len()));
        }
        lines
    }

    /// Makes text items for one laid-out line starting at `x`, baseline `y`.
    /// Returns the items and the line's right end.
    fn segments(
        chars: &[Ch],
        x: f32,
        y: f32,
        size: f32,
        face: Face,
        color: Color,
    ) -> (Vec<Item>, f32) {
        let mut items = Vec::new();
        let mut pen = x;
        let mut cur: Option<TextItem> = None;
        let mut end = x;
        for ch in chars {
            if ch.c == BLANK || ch.c.is_whitespace() && cur.is_none() {
                if let Some(t) = cur.take() {
                    items.push(Item::Text(t));
                }
                pen += ch.adv;
                continue;
            }
            let same = cur.as_ref().is_some_and(|t| t.hand == ch.hand);
            if !same {
                if let Some(t) = cur.take() {
                    items.push(Item::Text(t));
                }
                cur = Some(TextItem {
                    text: String::new(),
                    x: pen,
                    baseline: y,
                    size,
                    face: if ch.hand { Face::Kai } else { face },
                    hand: ch.hand,
                    color: if ch.hand { Color::Black } else { color },
                    width: 0.0,
                });
            }
            let t = cur.as_mut().expect("segment");
            t.text.push(ch.c);
            pen += ch.adv;
            t.width = pen - t.x;
            end = pen;
        }
        if let Some(t) = cur.take() {
            items.push(Item::Text(t));
        }
        // Trim trailing spaces inside segments.
        for it in &mut items {
            if let Item::Text(t) = it {
                let trimmed = t.text.trim_end().to_string();
                if trimmed.len() != t.text.len() {
                    t.text = trimmed;
                }
            }
        }
        items.retain(|it| !matches!(it, Item::Text(t) if t.text.is_empty()));
        (items, end)
    }

    /// Lays out a (possibly wrapping) text line into line chunks of pitch
    /// `pitch`, text `size` mm, between `x0` and `x0 + width`.
    #[allow(clippy::too_many_arguments)]
    fn text_lines(
        &self,
        line: &TextLine,
        x0: f32,
        width: f32,
        size: f32,
        pitch: f32,
        face: Face,
        color: Color,
        indent: bool,
    ) -> Vec<Chunk> {
        let chars = self.chars(&line.runs, size, face);
        let indent_w = if indent { 2.0 * size } else { 0.0 };
        let ranges = Self::wrap(&chars, width, indent_w);
        let n = ranges.len();
        let mut out = Vec::with_capacity(n);
        for (li, &(a, b)) in ranges.iter().enumerate() {
            let seg = &chars[a..b];
            let w: f32 = seg.iter().map(|c| c.adv).sum();
            let ind = if li == 0 { indent_w } else { 0.0 };
            let x = match line.align {
                Align::Left => x0 + ind,
                Align::Center => x0 + (width - w) / 2.0,
                Align::Right => x0 + width - w,
            };
            // Baseline sits so that the em box is centred in the pitch.
            let baseline = (pitch - size) / 2.0 + size * 0.88;
            let (mut items, end) = Self::segments(seg, x, baseline, size, face, color);
            if li + 1 == n {
                let sign_end = fingerprint_anchor(&items);
                items.extend(marks(
                    &line.marks,
                    x,
                    end,
                    sign_end.unwrap_or(end),
                    baseline - size * 0.38,
                ));
            }
            out.push(Chunk {
                height: pitch,
                items,
                ..Chunk::default()
            });
        }
        out
    }

    fn table_chunks(
        &self,
        table: &Table,
        st: &Style,
        x0: f32,
        width: f32,
        id: usize,
    ) -> Vec<Chunk> {
        let total: f32 = table.columns.iter().sum::<f32>().max(0.001);
        let cols: Vec<f32> = table.columns.iter().map(|c| c / total * width).collect();
        let size = st.table_pt * PT;
        let pitch = size * 1.6;
        let mut out = Vec::new();
        for row in &table.rows {
            // Cell x ranges.
            let mut cells = Vec::new();
            let mut col = 0usize;
            for cell in &row.cells {
                let span =
                    (cell.colspan.max(1) as usize).min(cols.len().saturating_sub(col).max(1));
                let cx0 = x0 + cols[..col.min(cols.len())].iter().sum::<f32>();
                let cw: f32 = cols[col.min(cols.len())..(col + span).min(cols.len())]
                    .iter()
                    .sum();
                cells.push((cell, cx0, cw.max(4.0)));
                col += span;
            }
            // Lay out each cell's lines.
            let mut laid = Vec::new();
            let mut content_h: f32 = 0.0;
            for (cell, cx0, cw) in &cells {
                let mut top_lines = Vec::new();
                let mut bottom_lines = Vec::new();
                // Trailing right-aligned lines (signature, date) go to the bottom.
                let split = if cell.label {
                    cell.lines.len()
                } else {
                    let mut k = cell.lines.len();
                    while k > 0 && cell.lines[k - 1].align == Align::Right {
                        k -= 1;
                    }
                    k
                };
                for (i, l) in cell.lines.iter().enumerate() {
                    let face = Face::Song;
                    let chunks = self.text_lines(
                        l,
                        cx0 + CELL_PAD,
                        cw - 2.0 * CELL_PAD,
                        size,
                        pitch,
                        face,
                        Color::Black,
                        false,
                    );
                    if i < split {
                        top_lines.extend(chunks);
                    } else {
                        bottom_lines.extend(chunks);
                    }
                }
                let h = (top_lines.len() + bottom_lines.len()) as f32 * pitch;
                content_h = content_h.max(h);
                laid.push((cell.label, top_lines, bottom_lines));
            }
            let height = (content_h + 2.0 * CELL_PAD)
                .max(row.min_height)
                .max(pitch + 2.0);
            let mut items = Vec::new();
            for (label, top_lines, bottom_lines) in laid {
                let n = (top_lines.len() + bottom_lines.len()) as f32;
                let mut y = if label {
                    (height - n * pitch) / 2.0
                } else {
                    CELL_PAD
                };
                for ch in top_lines {
                    items.extend(ch.items.iter().map(|it| it.shifted(y)));
                    y += pitch;
                }
                let mut yb = height - CELL_PAD - bottom_lines.len() as f32 * pitch;
                if label {
                    yb = y;
                }
                for ch in bottom_lines {
                    items.extend(ch.items.iter().map(|it| it.shifted(yb)));
                    yb += pitch;
                }
            }
            // Rules: the top of the row and the cell borders.
            items.push(Item::Rule {
                x0: x0 - RULE_OUTER / 2.0,
                y0: 0.0,
                x1: x0 + width + RULE_OUTER / 2.0,
                y1: RULE,
            });
            for (i, (_, cx0, _)) in cells.iter().enumerate() {
                if i == 0 {
                    continue;
                }
                items.push(Item::Rule {
                    x0: cx0 - RULE / 2.0,
                    y0: 0.0,
                    x1: cx0 + RULE / 2.0,
                    y1: height,
                });
            }
            for xe in [x0, x0 + width] {
                items.push(Item::Rule {
                    x0: xe - RULE_OUTER / 2.0,
                    y0: 0.0,
                    x1: xe + RULE_OUTER / 2.0,
                    y1: height,
                });
            }
            out.push(Chunk {
                height,
                items,
                table: Some((id, x0, x0 + width)),
                ..Chunk::default()
            });
        }
        out
    }

    fn chunks(&self, doc: &DocSpec, st: &Style) -> Vec<Chunk> {
        let x0 = st.left;
        let width = PAGE_W - st.left - st.right;
        let body = st.body_pt * PT;
        let pitch = body * st.leading;
        let mut out = Vec::new();
        let red_head = fnv(&doc.title) & 1 == 0;
        for (bi, block) in doc.blocks.iter().enumerate() {
            match block {
                Block::Agency(name) => {
                    let size = AGENCY_PT * PT;
                    let line =
                        TextLine::new(vec![Run::printed(name.clone())]).aligned(Align::Center);
                    let color = if red_head { Color::Red } else { Color::Black };
                    out.extend(self.text_lines(
                        &line,
                        x0,
                        width,
                        size,
                        size * 1.6,
                        Face::SongBold,
                        color,
                        false,
                    ));
                }
                Block::Title(t) => {
                    let size = TITLE_PT * PT;
                    let line = TextLine::new(vec![Run::printed(t.clone())]).aligned(Align::Center);
                    out.extend(self.text_lines(
                        &line,
                        x0,
                        width,
                        size,
                        size * 1.9,
                        Face::Hei,
                        Color::Black,
                        false,
                    ));
                }
                Block::Line(l) => {
                    out.extend(self.text_lines(
                        l,
                        x0,
                        width,
                        body,
                        pitch,
                        Face::Song,
                        Color::Black,
                        false,
                    ));
                }
                Block::Paragraph { runs, indent } => {
                    let l = TextLine::new(runs.clone());
                    out.extend(self.text_lines(
                        &l,
                        x0,
                        width,
                        body,
                        pitch,
                        Face::Song,
                        Color::Black,
                        *indent,
                    ));
                }
                Block::Table(t) => {
                    out.extend(self.table_chunks(t, st, x0, width, bi));
                    out.push(Chunk {
                        height: 2.0,
                        space: true,
                        ..Chunk::default()
                    });
                }
                Block::Photo { height, caption } => {
                    let h = height.clamp(10.0, 200.0);
                    let w = (h * 1.4).min(width);
                    let text: String = caption.runs.iter().map(|r| r.text.as_str()).collect();
                    let mut items = vec![Item::Photo {
                        x: x0 + (width - w) / 2.0,
                        y: 1.0,
                        w,
                        h,
                        kind: crate::marks::PhotoKind::from_caption(&text),
                    }];
                    let cap = self.text_lines(
                        caption,
                        x0,
                        width,
                        body,
                        pitch,
                        Face::Song,
                        Color::Black,
                        false,
                    );
                    let mut y = h + 2.0;
                    for c in &cap {
                        items.extend(c.items.iter().map(|it| it.shifted(y)));
                        y += c.height;
                    }
                    out.push(Chunk {
                        height: y,
                        items,
                        ..Chunk::default()
                    });
                }
                Block::Space(mm) => out.push(Chunk {
                    height: mm.max(0.0),
                    space: true,
                    ..Chunk::default()
                }),
                Block::PageBreak => out.push(Chunk {
                    page_break: true,
                    ..Chunk::default()
                }),
            }
        }
        out
    }

    /// Footer lines for one page (handwriting dropped on unsigned pages),
    /// each wrapped to the text width, as chunks one pitch apart. A line
    /// too long for the width (two signature places side by side under
    /// long labels) breaks at its blank first, as a clerk would write the
    /// second place on the next line; its marks go with the last part.
    fn footer_chunks(&self, f: &Footer, st: &Style, unsigned: bool) -> Vec<Chunk> {
        let width = PAGE_W - st.left - st.right;
        let body = st.body_pt * PT;
        let pitch = body * st.leading;
        let wrap = |l: &TextLine| {
            self.text_lines(
                l,
                st.left,
                width,
                body,
                pitch,
                Face::Song,
                Color::Black,
                false,
            )
        };
        let is_blank = |r: &Run| r.ink == Ink::Printed && r.text.chars().all(|c| c == '\u{3000}');
        let mut out = Vec::new();
        for l in &f.lines {
            let mut parts = vec![l.clone()];
            if wrap(l).len() > 1 {
                if let Some(k) = l.runs.iter().rposition(is_blank) {
                    let mut head = TextLine::new(l.runs[..k].to_vec());
                    head.align = l.align;
                    let mut tail = l.clone();
                    tail.runs = l.runs[k + 1..].to_vec();
                    parts = vec![head, tail];
                }
            }
            for mut p in parts {
                if unsigned {
                    p.runs.retain(|r| r.ink != Ink::Handwritten);
                    p.marks.fingerprint = false;
                }
                out.extend(wrap(&p));
            }
        }
        out
    }

    /// Footer items for one page: its lines, a line that does not fit
    /// wrapped onto the next (a long signature row must not overprint its
    /// own start), then the page counter.
    fn footer_items(&self, f: &Footer, st: &Style, page: usize, pages: usize) -> Vec<Item> {
        let x0 = st.left;
        let width = PAGE_W - st.left - st.right;
        let pitch = st.body_pt * PT * st.leading;
        let unsigned = f.unsigned_pages.contains(&page);
        let chunks = self.footer_chunks(f, st, unsigned);
        let mut items = Vec::new();
        let mut y = PAGE_H - st.bottom - chunks.len() as f32 * pitch;
        for c in &chunks {
            items.extend(c.items.iter().map(|it| it.shifted(y)));
            y += pitch;
        }
        if f.page_counter {
            let size = 10.5 * PT;
            let line = TextLine::new(vec![Run::printed(format!(
                "第{}页 共{}页",
                page + 1,
                pages
            ))])
            .aligned(Align::Center);
            let yc = PAGE_H - st.bottom + 8.0;
            for c in self.text_lines(
                &line,
                x0,
                width,
                size,
                size * 1.5,
                Face::Song,
                Color::Black,
                false,
            ) {
                items.extend(c.items.iter().map(|it| it.shifted(yc)));
            }
        }
        items
    }

    /// The footer's height, wrapped lines counted (signed pages wrap the
    /// most: the handwriting is there).
    fn footer_height(&self, f: &Footer, st: &Style) -> f32 {
        let lines = self.footer_chunks(f, st, false).len();
        lines as f32 * st.body_pt * PT * st.leading + if lines == 0 { 0.0 } else { 3.0 }
    }

    pub fn paginate(&self, doc: &DocSpec, doc_index: usize) -> Vec<PageLayout> {
        let has_table = doc.blocks.iter().any(|b| matches!(b, Block::Table(_)));
        let st = if has_table { FORM } else { LETTER };
        let chunks = self.chunks(doc, &st);
        let footer_h = doc
            .footer
            .as_ref()
            .map_or(0.0, |f| self.footer_height(f, &st));
        let bottom = PAGE_H - st.bottom - footer_h;
        let mut pages: Vec<Vec<Item>> = vec![Vec::new()];
        let mut y = st.top;
        // The table whose row was placed last on the current page, to close it.
        let mut open: Option<(usize, f32, f32)> = None;
        let close = |items: &mut Vec<Item>, open: &mut Option<(usize, f32, f32)>, y: f32| {
            if let Some((_, a, b)) = open.take() {
                items.push(Item::Rule {
                    x0: a - RULE_OUTER / 2.0,
                    y0: y - RULE_OUTER / 2.0,
                    x1: b + RULE_OUTER / 2.0,
                    y1: y + RULE_OUTER / 2.0,
                });
            }
        };
        for ch in chunks {
            let page = pages.last_mut().expect("page");
            if ch.page_break {
                close(page, &mut open, y);
                if !page.is_empty() {
                    pages.push(Vec::new());
                    y = st.top;
                }
                continue;
            }
            if ch.space && page.is_empty() {
                continue;
            }
            if open.is_some_and(|o| Some(o.0) != ch.table.map(|t| t.0)) {
                close(page, &mut open, y);
            }
            if y + ch.height > bottom && !page.is_empty() {
                close(page, &mut open, y);
                pages.push(Vec::new());
                y = st.top;
                if ch.space {
                    continue;
                }
            }
            let page = pages.last_mut().expect("page");
            if let Some(t) = ch.table {
                if open.is_none() {
                    // First row of the table on this page: thicker top rule.
                    page.push(Item::Rule {
                        x0: t.1 - RULE_OUTER / 2.0,
                        y0: y - RULE_OUTER / 2.0,
                        x1: t.2 + RULE_OUTER / 2.0,
                        y1: y + RULE_OUTER / 2.0,
                    });
                }
                open = Some(t);
            }
            page.extend(ch.items.iter().map(|it| it.shifted(y)));
            y += ch.height;
        }
        close(pages.last_mut().expect("page"), &mut open, y);
        let n = pages.len();
        pages
            .into_iter()
            .enumerate()
            .map(|(i, mut items)| {
                if let Some(f) = &doc.footer {
                    items.extend(self.footer_items(f, &st, i, n));
                }
                PageLayout {
                    doc_index,
                    page_in_doc: i,
                    pages_in_doc: n,
                    items: items.into_iter().map(|item| Placed { item }).collect(),
                }
            })
            .collect()
    }
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '-'
}

/// Seal and fingerprint items for a line spanning `x..end` whose middle is
/// at `ymid`; `sign_end` is where the signature the fingerprint goes with ends.
fn marks(m: &SignatureMarks, x: f32, end: f32, sign_end: f32, ymid: f32) -> Vec<Item> {
    let mut out = Vec::new();
    if let Some(seal) = &m.seal {
        // Centred over the date's end part, reaching over the line above.
        let w = (end - x).max(0.0);
        let cx = end - (w * 0.5 + 2.0).clamp(10.0, 22.0);
        out.push(Item::Seal {
            cx,
            cy: ymid - 3.0,
            seal: seal.clone(),
        });
    }
    if m.fingerprint {
        out.push(Item::Fingerprint {
            cx: sign_end + 3.5,
            cy: ymid,
        });
    }
    out
}

/// Printed labels before the signature of the person who presses a
/// fingerprint (the party, the interviewee, a witness), not the officers.
const FINGERPRINT_LABELS: [&str; 4] = ["被", "当事人", "见证人", "在场人"];

/// Where the signature a fingerprint goes with ends: the handwritten segment
/// after a label of the party, interviewee or witness; else the last one.
fn fingerprint_anchor(items: &[Item]) -> Option<f32> {
    let mut label = false;
    let mut last = None;
    for it in items {
        if let Item::Text(t) = it {
            if t.hand {
                let end = t.x + t.width;
                if label {
                    return Some(end);
                }
                last = Some(end);
            } else {
                label = FINGERPRINT_LABELS.iter().any(|l| t.text.contains(l));
            }
        }
    }
    last
}
