//! A PDF page's text layer as lines and words with pixel boxes, in the shape
//! OCR gives (reading order, one line per text line, no spaces between Chinese
//! characters).

/// A run of characters without a break, with its box.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLayerWord {
    pub text: String,
    /// `[x0, y0, x1, y1]` in pixels at the page's `dpi`, top-left origin.
    pub bbox: [u32; 4],
}

#[derive(Debug, Clone, PartialEq)]
pub struct TextLayerLine {
    pub text: String,
    pub bbox: [u32; 4],
    pub words: Vec<TextLayerWord>,
}

/// The text layer of one page.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLayerPage {
    /// Top to bottom; lines of one row left to right.
    pub lines: Vec<TextLayerLine>,
    /// Page size in pixels at `dpi` (as displayed, /Rotate applied).
    pub width: u32,
    pub height: u32,
    pub dpi: u32,
}

impl TextLayerPage {
    /// One text line per line.
    pub fn text(&self) -> String {
        self.lines.iter().map(|l| format!("{}\n", l.text)).collect()
    }
}

/// A character of the text layer with its box in pixels (top-left origin).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Glyph {
    pub ch: char,
    pub bbox: [f32; 4],
}

impl Glyph {
    fn height(&self) -> f32 {
        (self.bbox[3] - self.bbox[1]).max(1.0)
    }
}

/// CJK ideographs, kana, CJK punctuation and full-width forms: no spaces go between these.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF
        | 0x20000..=0x2FFFF)
}

struct RawLine {
    glyphs: Vec<Glyph>,
    /// `breaks[i]`: a space (or a wide gap) precedes `glyphs[i]`.
    breaks: Vec<bool>,
    y0: f32,
    y1: f32,
}

impl RawLine {
    fn accepts(&self, g: &Glyph) -> bool {
        let last = self.glyphs.last().expect("a line has a glyph");
        let h = g.height().min(self.y1 - self.y0).max(1.0);
        let overlap = self.y1.min(g.bbox[3]) - self.y0.max(g.bbox[1]);
        let gap = g.bbox[0] - last.bbox[2];
        overlap >= 0.5 * h && gap > -0.5 * h && gap < 4.0 * h
    }
}

/// Groups the page's characters (in content order; whitespace included) into
/// lines in reading order.
pub(crate) fn group_lines(glyphs: &[Glyph]) -> Vec<TextLayerLine> {
    let mut lines: Vec<RawLine> = Vec::new();
    let mut pending_space = false;
    for g in glyphs {
        if g.ch.is_whitespace() || g.ch.is_control() {
            pending_space = true;
            continue;
        }
        match lines.last_mut() {
            Some(line) if line.accepts(g) => {
                let last = line.glyphs.last().expect("a line has a glyph");
                let wide_gap = g.bbox[0] - last.bbox[2] > 0.5 * g.height();
                line.breaks.push(pending_space || wide_gap);
                line.glyphs.push(*g);
                line.y0 = line.y0.min(g.bbox[1]);
                line.y1 = line.y1.max(g.bbox[3]);
            }
            _ => lines.push(RawLine {
                glyphs: vec![*g],
                breaks: vec![false],
                y0: g.bbox[1],
                y1: g.bbox[3],
            }),
        }
        pending_space = false;
    }
    // Reading order: rows top to bottom (a row gathers lines whose middles
    // fall inside it), each row left to right.
    lines.sort_by(|a, b| a.y0.total_cmp(&b.y0));
    let mut rows: Vec<Vec<RawLine>> = Vec::new();
    for line in lines {
        let mid = (line.y0 + line.y1) / 2.0;
        match rows.last_mut() {
            Some(row) if row.iter().any(|r| mid > r.y0 && mid < r.y1) => row.push(line),
            _ => rows.push(vec![line]),
        }
    }
    rows.into_iter()
        .flat_map(|mut row| {
            row.sort_by(|a, b| a.glyphs[0].bbox[0].total_cmp(&b.glyphs[0].bbox[0]));
            row
        })
        .map(finish_line)
        .collect()
}

fn finish_line(line: RawLine) -> TextLayerLine {
    let mut text = String::new();
    let mut words: Vec<(String, [f32; 4])> = Vec::new();
    let mut prev: Option<char> = None;
    for (g, &brk) in line.glyphs.iter().zip(&line.breaks) {
        if brk || words.is_empty() {
            if brk && prev.is_some_and(|p| !is_cjk(p)) && !is_cjk(g.ch) {
                text.push(' ');
            }
            words.push((String::new(), g.bbox));
        }
        let w = words.last_mut().expect("a word was started");
        w.0.push(g.ch);
        w.1 = union(w.1, g.bbox);
        text.push(g.ch);
        prev = Some(g.ch);
    }
    let bbox = words.iter().fold(words[0].1, |b, w| union(b, w.1));
    TextLayerLine {
        text,
        bbox: to_pixels(bbox),
        words: words
            .into_iter()
            .map(|(text, b)| TextLayerWord {
                text,
                bbox: to_pixels(b),
            })
            .collect(),
    }
}

fn union(a: [f32; 4], b: [f32; 4]) -> [f32; 4] {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

fn to_pixels(b: [f32; 4]) -> [u32; 4] {
    [
        b[0].max(0.0).floor() as u32,
        b[1].max(0.0).floor() as u32,
        b[2].max(0.0).ceil() as u32,
        b[3].max(0.0).ceil() as u32,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(text: &str, x: f32, y: f32, size: f32) -> Vec<Glyph> {
        text.chars()
            .enumerate()
            .map(|(i, ch)| {
                let x0 = x + i as f32 * size;
                Glyph {
                    ch,
                    bbox: [x0, y, x0 + size * 0.9, y + size],
                }
            })
            .collect()
    }

    #[test]
    fn lines_come_out_in_reading_order_without_spaces_between_chinese() {
        // Content order: the second row first, then the two halves of the first row right to left.
        let mut g = glyphs("第二行 文字", 100.0, 200.0, 40.0);
        g.extend(glyphs("编号：12 ab", 900.0, 100.0, 40.0));
        g.extend(glyphs("询问笔录", 100.0, 100.0, 40.0));
        let lines = group_lines(&g);
        let texts: Vec<_> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["询问笔录", "编号：12 ab", "第二行文字"]);
        assert_eq!(lines[0].bbox, [100, 100, 256, 140]);
        assert_eq!(lines[1].words.len(), 2);
        assert_eq!(lines[1].words[1].text, "ab");
    }
}
