//! The 评查表 as a PDF, made without a browser: krilla lays out the form of
//! annex 2 on A4 with a CJK font setup installs (Noto Serif CJK SC from
//! Debian's fonts-noto-cjk; its glyphs subset into the file), the same
//! content as the print page.

use crate::review::FormData;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use std::sync::{Arc, OnceLock};

/// Fonts tried in order: (file, face index in the collection).
const FONTS: &[(&str, u32)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
];

fn font() -> Result<Font, String> {
    static FONT: OnceLock<Option<Font>> = OnceLock::new();
    FONT.get_or_init(|| {
        FONTS.iter().find_map(|(path, index)| {
            let bytes = std::fs::read(path).ok()?;
            Font::new(Arc::new(bytes).into(), *index)
        })
    })
    .clone()
    .ok_or_else(|| {
        format!(
            "no CJK font for the PDF (looked for {}; scripts/setup.sh installs fonts-noto-cjk)",
            FONTS.iter().map(|f| f.0).collect::<Vec<_>>().join(", ")
        )
    })
}

// A4 in points, margins 18 mm top and bottom, 16 mm at the sides.
const W: f32 = 595.28;
const H: f32 = 841.89;
const MX: f32 = 45.35;
const MY: f32 = 51.02;
const BODY: f32 = 10.5;
const PAD: f32 = 4.0;
const LEAD: f32 = 1.45;

/// Width of `s` at `size`: CJK and full-width characters an em, others about half.
fn width(s: &str, size: f32) -> f32 {
    s.chars()
        .map(|c| if (c as u32) < 0x2E80 { 0.55 } else { 1.0 })
        .sum::<f32>()
        * size
}

/// `s` broken into lines no wider than `w` (by character: Chinese has no spaces).
fn wrap(s: &str, w: f32, size: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        for c in para.chars() {
            let mut next = line.clone();
            next.push(c);
            if width(&next, size) > w && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line.push(c);
            } else {
                line = next;
            }
        }
        lines.push(line);
    }
    lines
}

struct Pdf {
    doc: Document,
    pages: Vec<Vec<Op>>,
    y: f32,
}

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        shade: bool,
    },
}

impl Pdf {
    fn new() -> Pdf {
        Pdf {
            doc: Document::new(),
            pages: vec![Vec::new()],
            y: MY,
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page")
    }

    fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        self.ops().push(Op::Text {
            x,
            y,
            size,
            text: text.to_string(),
        });
    }

    /// A row of bordered cells `(width, text, shaded)`, on a new page when it
    /// does not fit.
    fn row(&mut self, cells: &[(f32, &str, bool)]) {
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .map(|(w, t, _)| wrap(t, w - 2.0 * PAD, BODY))
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let h = lines as f32 * BODY * LEAD + 2.0 * PAD;
        if self.y + h > H - MY {
            self.pages.push(Vec::new());
            self.y = MY;
        }
        let mut x = MX;
        for ((w, _, shade), lines) in cells.iter().zip(wrapped) {
            let y = self.y;
            self.ops().push(Op::Rect {
                x,
                y,
                w: *w,
                h,
                shade: *shade,
            });
            for (i, l) in lines.iter().enumerate() {
                let base = y + PAD + BODY + i as f32 * BODY * LEAD;
                self.text(x + PAD, base, BODY, l);
            }
            x += w;
        }
        self.y += h;
    }

    fn finish(mut self, font: Font) -> Result<Vec<u8>, String> {
        for ops in std::mem::take(&mut self.pages) {
            let mut page = self
                .doc
                .start_page_with(PageSettings::from_wh(W, H).expect("A4 is a size"));
            let mut surface = page.surface();
            for op in ops {
                match op {
                    Op::Rect { x, y, w, h, shade } => {
                        let Some(rect) = Rect::from_xywh(x, y, w, h) else {
                            continue;
                        };
                        let mut pb = PathBuilder::new();
                        pb.push_rect(rect);
                        let Some(path) = pb.finish() else { continue };
                        surface.set_fill(shade.then(|| Fill {
                            paint: krilla::color::rgb::Color::new(242, 242, 242).into(),
                            ..Default::default()
                        }));
                        surface.set_stroke(Some(Stroke {
                            width: 0.6,
                            ..Default::default()
                        }));
                        surface.draw_path(&path);
                    }
                    Op::Text { x, y, size, text } => {
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill::default()));
                        surface.draw_text(
                            Point::from_xy(x, y),
                            font.clone(),
                            size,
                            &text,
                            false,
                            TextDirection::Auto,
                        );
                    }
                }
            }
            surface.finish();
            page.finish();
        }
        self.doc
            .finish()
            .map_err(|e| format!("writing the PDF: {e:?}"))
    }
}

fn tick(on: bool) -> &'static str {
    if on {
        "（√）"
    } else {
        "（  ）"
    }
}

/// The 评查表 of `f` as PDF bytes.
pub fn review_form(f: &FormData) -> Result<Vec<u8>, String> {
    let font = font()?;
    let mut p = Pdf::new();
    let title = "行政执法案卷评查表";
    let size = 18.0;
    p.text(
        (W - width(title, size) * 1.1) / 2.0,
        p.y + size,
        size,
        title,
    );
    if !f.final_ {
        p.text(
            W - MX - width("草稿 未定稿", BODY),
            p.y + BODY,
            BODY,
            "草稿 未定稿",
        );
    }
    p.y += size * 2.2;
    let full = W - 2.0 * MX;
    let (l, v) = (82.0, full / 2.0 - 82.0);
    p.row(&[(full, "一、基本情况", true)]);
    p.row(&[
        (l, "评查地点", false),
        (v, &f.place, false),
        (l, "评查时间", false),
        (v, &f.when, false),
    ]);
    p.row(&[
        (l, "评查人员签名", false),
        (v, &f.reviewers, false),
        (l, "评查对象", false),
        (v, &f.unit, false),
    ]);
    let kind = format!("行政处罚{}　行政强制{}", tick(f.penalty), tick(!f.penalty));
    p.row(&[(l, "案件类型", false), (full - l, &kind, false)]);
    p.row(&[
        (l, "执法案卷文号", false),
        (full - l, &f.case_number, false),
    ]);
    p.row(&[(full, "二、基础标准", true)]);
    let passed = format!(
        "合格{}　不合格{}",
        tick(f.sheet.basic_failures.is_empty()),
        tick(!f.sheet.basic_failures.is_empty())
    );
    p.row(&[(l, "是否合格", false), (full - l, &passed, false)]);
    let reasons: Vec<String> = f
        .sheet
        .basic_failures
        .iter()
        .map(|b| format!("{} {}：{}", b.item, b.text, b.reason))
        .collect();
    p.row(&[
        (l, "不合格原因", false),
        (full - l, &reasons.join("\n"), false),
    ]);
    p.row(&[(full, "三、规范性标准", true)]);
    let (item_w, pts_w) = (full * 0.40, 58.0);
    let why_w = full - item_w - pts_w;
    p.row(&[
        (item_w, "扣分项", false),
        (pts_w, "扣除分值", false),
        (why_w, "扣分原因", false),
    ]);
    for d in &f.sheet.deductions {
        p.row(&[
            (item_w, &format!("{} {}", d.item, d.text), false),
            (pts_w, &d.points.to_string(), false),
            (why_w, &d.reason, false),
        ]);
    }
    if f.sheet.deductions.is_empty() {
        p.row(&[(full, "无扣分项", false)]);
    }
    p.row(&[
        (l, "扣分合计", false),
        (v, &f.sheet.deducted.to_string(), false),
        (l, "案卷得分", false),
        (v, &f.sheet.score.to_string(), false),
    ]);
    p.row(&[(full, "四、评定等次", true)]);
    let grades: Vec<String> = f
        .sheet
        .grades
        .iter()
        .map(|g| format!("{g}{}", tick(*g == f.sheet.grade)))
        .collect();
    let grades = format!(
        "{}\n优秀 90分以上；良好 75分以上未满90分；合格 60分以上未满75分；不合格 未满60分",
        grades.join("　")
    );
    p.row(&[(l, "评定等次", false), (full - l, &grades, false)]);
    p.y += 18.0;
    p.row(&[
        (l * 1.4, "评查人员签名", false),
        (full - l * 1.4, &f.signed, false),
    ]);
    p.row(&[
        (l * 1.4, "受查单位负责人签名", false),
        (full - l * 1.4, &f.head, false),
    ]);
    p.finish(font)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wrap_within_their_cell() {
        let lines = wrap("询问笔录第2页未见被询问人签名，亦未按指印", 60.0, 10.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| width(l, 10.0) <= 60.0));
        assert_eq!(lines.concat(), "询问笔录第2页未见被询问人签名，亦未按指印");
        assert_eq!(wrap("甲\n乙", 100.0, 10.0), vec!["甲", "乙"]);
    }
}
