//! Drawing laid-out pages and scanning them.

use crate::canvas::{Canvas, Rgb};
use crate::font::{Face, Fonts};
use crate::layout::{Color, Item, Layouter, TextItem, PAGE_H, PAGE_W};
use crate::model::{DocSpec, PageLayout, PageNumberStyle, RenderedPage, ScanParams};
use crate::{marks, order, scan};
use anjuan_core::truth::TruthLine;
use image::{DynamicImage, GrayImage, RgbImage};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Printed toner.
const PRINT_BLACK: Rgb = [22, 22, 26];
/// Red letterhead ink.
const PRINT_RED: Rgb = [205, 28, 36];
/// Pens: blue-black, black, dark blue.
const PENS: [Rgb; 4] = [[28, 34, 78], [30, 30, 36], [22, 38, 110], [26, 32, 92]];

/// Holds the loaded fonts; cheap to share between threads (`Sync`).
pub struct Renderer {
    fonts: Fonts,
}

/// The state of one page being drawn.
struct Page<'a> {
    fonts: &'a Fonts,
    canvas: Canvas,
    /// Pixels per millimetre.
    ppm: f32,
    rng: ChaCha8Rng,
    truth: Vec<TruthLine>,
}

/// Ink extent of a text line, px.
#[derive(Debug, Clone, Copy)]
struct Bounds {
    x0: i32,
    y0: i32,
    x1: i32,
    y1: i32,
}

impl Bounds {
    fn empty() -> Bounds {
        Bounds {
            x0: i32::MAX,
            y0: i32::MAX,
            x1: i32::MIN,
            y1: i32::MIN,
        }
    }
    fn add(&mut self, x0: i32, y0: i32, x1: i32, y1: i32) {
        self.x0 = self.x0.min(x0);
        self.y0 = self.y0.min(y0);
        self.x1 = self.x1.max(x1);
        self.y1 = self.y1.max(y1);
    }
    fn is_empty(&self) -> bool {
        self.x0 > self.x1
    }
}

impl Page<'_> {
    fn px(&self, mm: f32) -> f32 {
        mm * self.ppm
    }

    fn push_truth(&mut self, text: &str, b: Bounds, handwritten: bool) {
        let text = text.replace('\u{3000}', " ");
        let text = text.trim();
        if text.is_empty() || b.is_empty() {
            return;
        }
        let (w, h) = (self.canvas.width as i32, self.canvas.height as i32);
        let c = |v: i32, m: i32| v.clamp(0, m) as u32;
        self.truth.push(TruthLine {
            text: text.to_string(),
            bbox: [c(b.x0, w), c(b.y0, h), c(b.x1, w), c(b.y1, h)],
            handwritten,
        });
    }

    /// Printed text: upright cached glyphs at integer positions.
    fn printed(&mut self, t: &TextItem) {
        let size = self.px(t.size);
        let mut pen = self.px(t.x);
        let base = self.px(t.baseline).round() as i32;
        let color = match t.color {
            Color::Black => PRINT_BLACK,
            Color::Red => PRINT_RED,
        };
        let mut b = Bounds::empty();
        for c in t.text.chars() {
            let adv = self.fonts.advance_em(t.face, c) * size;
            if !c.is_whitespace() {
                let r = self.fonts.resolve(t.face, c);
                if let Some(g) = self.fonts.upright(t.face, r, size) {
                    let ox = pen.round() as i32;
                    // Toner density varies a little from glyph to glyph.
                    let alpha = self.rng.gen_range(225..=255);
                    self.canvas.blend(&g, ox, base, color, 300, alpha);
                    b.add(
                        ox + g.left,
                        base + g.top,
                        ox + g.left + g.width as i32,
                        base + g.top + g.height as i32,
                    );
                }
            }
            pen += adv;
        }
        self.push_truth(&t.text, b, false);
    }

    /// Handwriting: Kai glyphs, each with its own size, slant, rotation,
    /// baseline and spacing; one pen per line.
    fn hand(&mut self, t: &TextItem, ink: Rgb, weight: u32) -> Bounds {
        let size = self.px(t.size) * crate::layout::HAND_SCALE;
        let slant: f32 = self.rng.gen_range(0.0..0.12);
        // A line written by hand runs slightly up or down hill.
        let slope: f32 = self.rng.gen_range(-0.006..0.006);
        let mut pen = self.px(t.x);
        let start = pen;
        let base = self.px(t.baseline);
        let mut b = Bounds::empty();
        for c in t.text.chars() {
            let k: f32 = self.rng.gen_range(0.92..1.08);
            let s = size * k;
            let adv = self.fonts.advance_em(Face::Kai, c) * size;
            if !c.is_whitespace() {
                let rot: f32 = self.rng.gen_range(-0.06..0.06);
                let (sn, cs) = rot.sin_cos();
                // Rotation · shear (forward slant).
                let m = [cs, -cs * slant - sn, sn, -sn * slant + cs];
                let y = base + slope * (pen - start) + self.rng.gen_range(-0.04..0.04) * s;
                let x = pen + self.rng.gen_range(-0.04..0.04) * s;
                let frac = (x - x.floor(), y - y.floor());
                let r = self.fonts.resolve(Face::Kai, c);
                if let Some(mut g) = self.fonts.raster(Face::Kai, r, s, m, frac) {
                    if self.ppm > 9.0 {
                        g = g.embolden();
                    }
                    let (ox, oy) = (x.floor() as i32, y.floor() as i32);
                    let alpha = self.rng.gen_range(215..=255);
                    self.canvas.blend(&g, ox, oy, ink, weight, alpha);
                    b.add(
                        ox + g.left,
                        oy + g.top,
                        ox + g.left + g.width as i32,
                        oy + g.top + g.height as i32,
                    );
                }
            }
            pen += adv * self.rng.gen_range(0.94..1.04);
        }
        b
    }

    fn text(&mut self, t: &TextItem) {
        if t.hand {
            let ink = PENS[self.rng.gen_range(0..PENS.len())];
            let weight = self.rng.gen_range(300..420);
            let b = self.hand(t, ink, weight);
            self.push_truth(&t.text, b, true);
        } else {
            self.printed(t);
        }
    }

    /// The archival page number in the top right corner.
    fn page_number(&mut self, n: u32, style: PageNumberStyle) {
        let digits = n.to_string();
        let x_right = PAGE_W - self.rng.gen_range(12.0..20.0);
        let baseline = self.rng.gen_range(13.0..19.0);
        match style {
            PageNumberStyle::Handwritten => {
                let size = 5.6 / crate::layout::HAND_SCALE;
                let w = digits
                    .chars()
                    .map(|c| self.fonts.advance_em(Face::Kai, c))
                    .sum::<f32>()
                    * size
                    * crate::layout::HAND_SCALE;
                let t = TextItem {
                    text: digits.clone(),
                    x: x_right - w,
                    baseline,
                    size,
                    face: Face::Kai,
                    hand: true,
                    color: Color::Black,
                    width: w,
                };
                let ink = PENS[self.rng.gen_range(0..PENS.len())];
                let b = self.hand(&t, ink, 380);
                self.push_truth(&digits, b, true);
            }
            PageNumberStyle::Stamped | PageNumberStyle::Boxed | PageNumberStyle::Plain => {
                // A numbering stamp: zero-padded digits, maybe boxed (by
                // chance, or always / never for Boxed / Plain; the chances
                // are drawn all the same, so Stamped draws what it always did).
                let padded = self.rng.gen_bool(0.5);
                let padded = match style {
                    PageNumberStyle::Boxed => true,
                    PageNumberStyle::Plain => false,
                    _ => padded,
                };
                let text = if padded { format!("{n:03}") } else { digits };
                let size = 4.2;
                let w = text
                    .chars()
                    .map(|c| self.fonts.advance_em(Face::Hei, c))
                    .sum::<f32>()
                    * size;
                let ink: Rgb = if self.rng.gen_bool(0.5) {
                    [200, 40, 50]
                } else {
                    [35, 35, 45]
                };
                let x = x_right - w;
                let size_px = self.px(size);
                let base = self.px(baseline).round() as i32;
                let mut pen = self.px(x);
                let mut b = Bounds::empty();
                let alpha = self.rng.gen_range(170..240);
                for c in text.chars() {
                    let r = self.fonts.resolve(Face::Hei, c);
                    if let Some(g) = self.fonts.upright(Face::Hei, r, size_px) {
                        let ox = pen.round() as i32;
                        self.canvas.blend(&g, ox, base, ink, 256, alpha);
                        b.add(
                            ox + g.left,
                            base + g.top,
                            ox + g.left + g.width as i32,
                            base + g.top + g.height as i32,
                        );
                    }
                    pen += self.fonts.advance_em(Face::Hei, c) * size_px;
                }
                let boxed = self.rng.gen_bool(0.6);
                let boxed = match style {
                    PageNumberStyle::Boxed => true,
                    PageNumberStyle::Plain => false,
                    _ => boxed,
                };
                if boxed && !b.is_empty() {
                    let pad = self.px(1.2);
                    let lw = self.px(0.3);
                    let (x0, y0, x1, y1) = (
                        b.x0 as f32 - pad,
                        b.y0 as f32 - pad,
                        b.x1 as f32 + pad,
                        b.y1 as f32 + pad,
                    );
                    for (a, bb, c, d) in [
                        (x0, y0, x1, y0 + lw),
                        (x0, y1 - lw, x1, y1),
                        (x0, y0, x0 + lw, y1),
                        (x1 - lw, y0, x1, y1),
                    ] {
                        self.canvas.fill_rect(a, bb, c, d, ink, alpha);
                    }
                }
                self.push_truth(&text, b, false);
            }
        }
    }
}

impl Renderer {
    /// Loads the system fonts (`fonts-arphic-uming`, `fonts-arphic-ukai`,
    /// `fonts-noto-cjk`); an error names the missing font file.
    pub fn new() -> anyhow::Result<Renderer> {
        Ok(Renderer {
            fonts: Fonts::load()?,
        })
    }

    /// Splits a document into pages. `doc_index` is its 0-based position in the dossier.
    pub fn paginate(&self, doc: &DocSpec, doc_index: usize) -> Vec<PageLayout> {
        Layouter::new(&self.fonts).paginate(doc, doc_index)
    }

    /// Draws one page, puts the archival page number in the top-right corner
    /// (when given), then scans it.
    pub fn draw(
        &self,
        page: &PageLayout,
        doc: &DocSpec,
        page_number: Option<(u32, PageNumberStyle)>,
        scan: &ScanParams,
    ) -> RenderedPage {
        let _ = doc;
        let ppm = scan.dpi as f32 / 25.4;
        let (w, h) = ((PAGE_W * ppm).round() as u32, (PAGE_H * ppm).round() as u32);
        let channels = if scan.grayscale { 1 } else { 3 };
        let mut p = Page {
            fonts: &self.fonts,
            canvas: Canvas::new(w, h, channels),
            ppm,
            rng: ChaCha8Rng::seed_from_u64(scan.seed),
            truth: Vec::new(),
        };
        // Photos first: they are opaque; everything else is multiplied ink.
        for it in &page.items {
            if let Item::Photo { x, y, w, h, kind } = it.item {
                let (x0, y0) = (p.px(x).round() as u32, p.px(y).round() as u32);
                let (pw, ph) = (p.px(w).round() as u32, p.px(h).round() as u32);
                marks::photo(&mut p.canvas, kind, (x0, y0, pw, ph), &mut p.rng);
            }
        }
        for it in &page.items {
            match &it.item {
                Item::Text(t) => p.text(t),
                Item::Rule { x0, y0, x1, y1 } => {
                    let (a, b, c, d) = (p.px(*x0), p.px(*y0), p.px(*x1), p.px(*y1));
                    // At least a pixel wide so that rules survive 200 DPI.
                    let (c, d) = (c.max(a + 1.0), d.max(b + 1.0));
                    p.canvas.fill_rect(a, b, c, d, PRINT_BLACK, 235);
                }
                Item::Seal { .. } | Item::Fingerprint { .. } | Item::Photo { .. } => {}
            }
        }
        if let Some((n, style)) = page_number {
            p.page_number(n, style);
        }
        for it in &page.items {
            match &it.item {
                Item::Seal { cx, cy, seal } => {
                    let jx = p.rng.gen_range(-3.0..3.0);
                    let jy = p.rng.gen_range(-2.0..2.0);
                    let (cx, cy) = (p.px(cx + jx), p.px(cy + jy));
                    marks::seal(&mut p.canvas, p.fonts, seal, cx, cy, ppm, &mut p.rng);
                }
                Item::Fingerprint { cx, cy } => {
                    let jx = p.rng.gen_range(-1.5..2.0);
                    let jy = p.rng.gen_range(-1.5..1.5);
                    let (cx, cy) = (p.px(cx + jx), p.px(cy + jy));
                    marks::fingerprint(&mut p.canvas, cx, cy, ppm, &mut p.rng);
                }
                _ => {}
            }
        }
        let mut srng = ChaCha8Rng::seed_from_u64(scan.seed ^ 0x5ca4_5ca4_5ca4_5ca4);
        scan::artefacts(&mut p.canvas, scan, &mut srng);
        let mut lines = p.truth;
        order::reading_order(&mut lines);
        let image = to_image(p.canvas);
        let image = match scan.rotation % 360 {
            90 => image.rotate90(),
            180 => image.rotate180(),
            270 => image.rotate270(),
            _ => image,
        };
        RenderedPage {
            image,
            dpi: scan.dpi,
            rotation: scan.rotation % 360,
            grayscale: scan.grayscale,
            lines,
            printed_page_number: page_number.map(|(n, _)| n),
            jpeg_quality: crate::pdf::quality_for(scan.degradation),
        }
    }
}

fn to_image(c: Canvas) -> DynamicImage {
    if c.channels == 1 {
        DynamicImage::ImageLuma8(
            GrayImage::from_raw(c.width, c.height, c.data).expect("gray raster size"),
        )
    } else {
        DynamicImage::ImageRgb8(
            RgbImage::from_raw(c.width, c.height, c.data).expect("rgb raster size"),
        )
    }
}
