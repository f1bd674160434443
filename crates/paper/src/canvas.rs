//! A page raster (gray or RGB, 8 bits) with multiply-blended ink.

use crate::font::Coverage;

/// An ink colour (sRGB).
pub type Rgb = [u8; 3];

pub fn luma(c: Rgb) -> u8 {
    ((c[0] as u32 * 299 + c[1] as u32 * 587 + c[2] as u32 * 114 + 500) / 1000) as u8
}

pub struct Canvas {
    pub width: u32,
    pub height: u32,
    /// 1 (gray) or 3 (RGB).
    pub channels: usize,
    pub data: Vec<u8>,
}

impl Canvas {
    pub fn new(width: u32, height: u32, channels: usize) -> Canvas {
        Canvas {
            width,
            height,
            channels,
            data: vec![255; width as usize * height as usize * channels],
        }
    }

    fn ink(&self, c: Rgb) -> [u32; 3] {
        if self.channels == 1 {
            let l = luma(c) as u32;
            [l, l, l]
        } else {
            [c[0] as u32, c[1] as u32, c[2] as u32]
        }
    }

    /// Multiplies pixel `i` (index of its first byte) by ink `ink` at alpha `a` (0..=255).
    #[inline]
    fn mul_at(data: &mut [u8], i: usize, channels: usize, ink: &[u32; 3], a: u32) {
        for k in 0..channels {
            let f = 255 * 255 - a * (255 - ink[k]);
            let p = data[i + k] as u32;
            data[i + k] = ((p * f + 32512) / 65025) as u8;
        }
    }

    /// Blends a coverage mask at (ox, oy) with colour `c`; `gain` (×256)
    /// scales coverage (heavier strokes), `alpha` (0..=255) the ink density.
    pub fn blend(&mut self, cov: &Coverage, ox: i32, oy: i32, c: Rgb, gain: u32, alpha: u32) {
        let ink = self.ink(c);
        let (w, h) = (self.width as i32, self.height as i32);
        let ch = self.channels;
        for row in 0..cov.height as i32 {
            let y = oy + cov.top + row;
            if y < 0 || y >= h {
                continue;
            }
            let src = &cov.data
                [(row as usize * cov.width as usize)..((row as usize + 1) * cov.width as usize)];
            for (col, &v) in src.iter().enumerate() {
                if v == 0 {
                    continue;
                }
                let x = ox + cov.left + col as i32;
                if x < 0 || x >= w {
                    continue;
                }
                let a = ((v as u32 * gain) >> 8).min(255) * alpha / 255;
                let i = (y as usize * w as usize + x as usize) * ch;
                Self::mul_at(&mut self.data, i, ch, &ink, a);
            }
        }
    }

    /// Blends a mask with per-pixel alpha from `alpha_at(x, y, coverage)`.
    pub fn blend_with(
        &mut self,
        cov: &Coverage,
        ox: i32,
        oy: i32,
        c: Rgb,
        mut alpha_at: impl FnMut(i32, i32, u32) -> u32,
    ) {
        let ink = self.ink(c);
        let (w, h) = (self.width as i32, self.height as i32);
        let ch = self.channels;
        for row in 0..cov.height as i32 {
            let y = oy + cov.top + row;
            if y < 0 || y >= h {
                continue;
            }
            for col in 0..cov.width as i32 {
                let v = cov.data[(row * cov.width as i32 + col) as usize];
                if v == 0 {
                    continue;
                }
                let x = ox + cov.left + col;
                if x < 0 || x >= w {
                    continue;
                }
                let a = alpha_at(x, y, v as u32).min(255);
                let i = (y as usize * w as usize + x as usize) * ch;
                Self::mul_at(&mut self.data, i, ch, &ink, a);
            }
        }
    }

    /// Fills an axis-aligned rectangle (pixel coordinates, fractional edges
    /// antialiased) with ink.
    pub fn fill_rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, c: Rgb, alpha: u32) {
        let ink = self.ink(c);
        let ch = self.channels;
        let w = self.width as i32;
        let xa = x0.floor().max(0.0) as i32;
        let xb = (x1.ceil() as i32).min(w);
        let ya = y0.floor().max(0.0) as i32;
        let yb = (y1.ceil() as i32).min(self.height as i32);
        let cover = |p: i32, a: f32, b: f32| -> f32 {
            let lo = (p as f32).max(a);
            let hi = (p as f32 + 1.0).min(b);
            (hi - lo).clamp(0.0, 1.0)
        };
        for y in ya..yb {
            let cy = cover(y, y0, y1);
            for x in xa..xb {
                let a = (cy * cover(x, x0, x1) * alpha as f32) as u32;
                if a == 0 {
                    continue;
                }
                let i = (y as usize * w as usize + x as usize) * ch;
                Self::mul_at(&mut self.data, i, ch, &ink, a);
            }
        }
    }

    /// Overwrites a pixel with an RGB value (photos).
    #[inline]
    pub fn put(&mut self, x: u32, y: u32, c: Rgb) {
        let i = (y as usize * self.width as usize + x as usize) * self.channels;
        if self.channels == 1 {
            self.data[i] = luma(c);
        } else {
            self.data[i..i + 3].copy_from_slice(&c);
        }
    }
}
