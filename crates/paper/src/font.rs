//! The system fonts and a small glyph rasterizer that can slant and rotate
//! glyphs (for handwriting and seal text), with a cache for upright glyphs.

use ab_glyph::{Font, FontVec, GlyphId, OutlineCurve};
use ab_glyph_rasterizer::{point, Rasterizer};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A typeface role on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Face {
    /// Printed body text (Song/Ming: Noto Serif CJK SC).
    Song,
    /// Titles (黑体-like: Noto Sans CJK SC Bold).
    Hei,
    /// Agency names in letterheads and seal text (Noto Serif CJK SC Bold).
    SongBold,
    /// Handwriting (AR PL UKai CN).
    Kai,
}

const FACES: [Face; 4] = [Face::Song, Face::Hei, Face::SongBold, Face::Kai];

/// Where each face is found: file, face index in the collection, family
/// name (checked), Debian package.
struct FontSource {
    face: Face,
    path: &'static str,
    index: u32,
    package: &'static str,
}

const SOURCES: [FontSource; 4] = [
    FontSource {
        face: Face::Song,
        path: "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
        index: 2, // Noto Serif CJK SC
        package: "fonts-noto-cjk",
    },
    FontSource {
        face: Face::Hei,
        path: "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
        index: 2, // Noto Sans CJK SC Bold
        package: "fonts-noto-cjk",
    },
    FontSource {
        face: Face::SongBold,
        path: "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
        index: 2, // Noto Serif CJK SC Bold
        package: "fonts-noto-cjk",
    },
    FontSource {
        face: Face::Kai,
        path: "/usr/share/fonts/truetype/arphic/ukai.ttc",
        index: 0, // AR PL UKai CN
        package: "fonts-arphic-ukai",
    },
];

/// Fallback for characters a face lacks (AR PL UMing CN).
const FALLBACK: FontSource = FontSource {
    face: Face::Song,
    path: "/usr/share/fonts/truetype/arphic/uming.ttc",
    index: 0,
    package: "fonts-arphic-uming",
};

/// A glyph's coverage bitmap, positioned relative to the pen point on the baseline.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub left: i32,
    pub top: i32,
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

type CacheKey = (u8, bool, u16, u32);

pub struct Fonts {
    fonts: Vec<FontVec>,
    fallback: FontVec,
    cache: Mutex<HashMap<CacheKey, Arc<Coverage>>>,
}

fn load(src: &FontSource) -> anyhow::Result<FontVec> {
    let path = Path::new(src.path);
    let data = std::fs::read(path).map_err(|e| {
        anyhow::anyhow!(
            "font {} cannot be read ({e}); install the Debian package {} (apt-get install {})",
            src.path,
            src.package,
            src.package
        )
    })?;
    FontVec::try_from_vec_and_index(data, src.index).map_err(|e| {
        anyhow::anyhow!(
            "font {} face {} is not a usable font ({e}); reinstall the Debian package {}",
            src.path,
            src.index,
            src.package
        )
    })
}

/// A character resolved to a font and glyph.
#[derive(Debug, Clone, Copy)]
pub struct Resolved {
    pub fallback: bool,
    pub id: GlyphId,
}

impl Fonts {
    pub fn load() -> anyhow::Result<Fonts> {
        let mut fonts = Vec::with_capacity(FACES.len());
        for (i, src) in SOURCES.iter().enumerate() {
            debug_assert_eq!(src.face, FACES[i]);
            fonts.push(load(src)?);
        }
        let fallback = load(&FALLBACK)?;
        Ok(Fonts {
            fonts,
            fallback,
            cache: Mutex::new(HashMap::new()),
        })
    }

    fn font(&self, face: Face, fallback: bool) -> &FontVec {
        if fallback {
            &self.fallback
        } else {
            &self.fonts[face as usize]
        }
    }

    pub fn resolve(&self, face: Face, c: char) -> Resolved {
        let id = self.font(face, false).glyph_id(c);
        if id.0 != 0 {
            return Resolved {
                fallback: false,
                id,
            };
        }
        let fid = self.fallback.glyph_id(c);
        if fid.0 != 0 {
            Resolved {
                fallback: true,
                id: fid,
            }
        } else {
            Resolved {
                fallback: false,
                id,
            }
        }
    }

    /// Advance width of `c` in units of the font size (em).
    pub fn advance_em(&self, face: Face, c: char) -> f32 {
        if c == '\u{3000}' {
            return 1.0;
        }
        if c == ' ' {
            return 0.3;
        }
        let r = self.resolve(face, c);
        let font = self.font(face, r.fallback);
        let upem = font.units_per_em().unwrap_or(1000.0);
        font.h_advance_unscaled(r.id) / upem
    }

    /// Rasterizes a glyph at `size_px` (em size in pixels) with a linear
    /// transform `m` = [a, b, c, d] (x' = a·x + b·y, y' = c·x + d·y, y down)
    /// applied around the pen point; `frac` is the pen point's sub-pixel offset.
    pub fn raster(
        &self,
        face: Face,
        r: Resolved,
        size_px: f32,
        m: [f32; 4],
        frac: (f32, f32),
    ) -> Option<Coverage> {
        let font = self.font(face, r.fallback);
        let outline = font.outline(r.id)?;
        let upem = font.units_per_em().unwrap_or(1000.0);
        let s = size_px / upem;
        let tf = |p: ab_glyph::Point| {
            let x = p.x * s;
            let y = -p.y * s;
            (m[0] * x + m[1] * y + frac.0, m[2] * x + m[3] * y + frac.1)
        };
        let b = outline.bounds;
        let corners = [
            tf(b.min),
            tf(b.max),
            tf(ab_glyph::point(b.min.x, b.max.y)),
            tf(ab_glyph::point(b.max.x, b.min.y)),
        ];
        let minx = corners.iter().map(|c| c.0).fold(f32::MAX, f32::min).floor();
        let miny = corners.iter().map(|c| c.1).fold(f32::MAX, f32::min).floor();
        let maxx = corners.iter().map(|c| c.0).fold(f32::MIN, f32::max).ceil();
        let maxy = corners.iter().map(|c| c.1).fold(f32::MIN, f32::max).ceil();
        let w = (maxx - minx) as usize + 1;
        let h = (maxy - miny) as usize + 1;
        if w > 4000 || h > 4000 {
            return None;
        }
        let mut ras = Rasterizer::new(w, h);
        let p = |q: ab_glyph::Point| {
            let (x, y) = tf(q);
            point(x - minx, y - miny)
        };
        for c in &outline.curves {
            match *c {
                OutlineCurve::Line(a, b) => ras.draw_line(p(a), p(b)),
                OutlineCurve::Quad(a, b, c) => ras.draw_quad(p(a), p(b), p(c)),
                OutlineCurve::Cubic(a, b, c, d) => ras.draw_cubic(p(a), p(b), p(c), p(d)),
            }
        }
        let mut data = vec![0u8; w * h];
        ras.for_each_pixel(|i, a| {
            data[i] = (a.clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
        });
        Some(Coverage {
            left: minx as i32,
            top: miny as i32,
            width: w as u32,
            height: h as u32,
            data,
        })
    }

    /// An upright glyph at an integer pen position, cached.
    pub fn upright(&self, face: Face, r: Resolved, size_px: f32) -> Option<Arc<Coverage>> {
        let q = (size_px * 8.0).round() as u32;
        let key = (face as u8, r.fallback, r.id.0, q);
        if let Some(c) = self.cache.lock().expect("glyph cache").get(&key) {
            return Some(c.clone());
        }
        let cov =
            Arc::new(self.raster(face, r, q as f32 / 8.0, [1.0, 0.0, 0.0, 1.0], (0.0, 0.0))?);
        let mut cache = self.cache.lock().expect("glyph cache");
        if cache.len() > 50_000 {
            cache.clear();
        }
        cache.insert(key, cov.clone());
        Some(cov)
    }
}

impl Coverage {
    /// Thickens strokes by one pixel (right and down): a pen line is
    /// heavier than the brush font's thin strokes.
    pub fn embolden(&self) -> Coverage {
        let (w, h) = (self.width as usize, self.height as usize);
        let (nw, nh) = (w + 1, h + 1);
        let mut data = vec![0u8; nw * nh];
        let at = |x: usize, y: usize| -> u8 {
            if x < w && y < h {
                self.data[y * w + x]
            } else {
                0
            }
        };
        for y in 0..nh {
            for x in 0..nw {
                let mut v = at(x, y);
                if x > 0 {
                    v = v.max(at(x - 1, y));
                }
                if y > 0 {
                    v = v.max(at(x, y - 1));
                }
                data[y * nw + x] = v;
            }
        }
        Coverage {
            left: self.left,
            top: self.top,
            width: nw as u32,
            height: nh as u32,
            data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_font_names_the_file_and_the_package() {
        let src = FontSource {
            face: Face::Kai,
            path: "/nonexistent/ukai.ttc",
            index: 0,
            package: "fonts-arphic-ukai",
        };
        let e = load(&src)
            .map(|_| ())
            .expect_err("missing font is an error")
            .to_string();
        assert!(
            e.contains("/nonexistent/ukai.ttc") && e.contains("fonts-arphic-ukai"),
            "{e}"
        );
    }

    #[test]
    fn faces_are_the_simplified_chinese_ones() {
        let f = Fonts::load().expect("fonts installed");
        // Simplified-only characters resolve in every face without fallback.
        for face in FACES {
            for c in "蒲县监督罚决书".chars() {
                assert!(!f.resolve(face, c).fallback, "{face:?} lacks {c}");
            }
            assert!((f.advance_em(face, '案') - 1.0).abs() < 0.01);
        }
        // Digits are narrower than CJK characters in the printed face.
        assert!(f.advance_em(Face::Song, '2') < 0.7);
        assert!(f.advance_em(Face::Kai, '2') < 0.7);
        let g = f
            .upright(Face::Song, f.resolve(Face::Song, '案'), 40.0)
            .expect("glyph");
        assert!(g.width > 20 && g.height > 20 && g.data.iter().filter(|&&v| v > 128).count() > 100);
    }
}
