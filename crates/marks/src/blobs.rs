//! Seals and fingerprints: stamp-pad ink gathered into blobs on a 1 mm grid,
//! then judged by size and shape.
//!
//! On a colour page the ink is the red plane; on a grayscale page it is
//! mid-gray ink that is not the soft edge of black print or handwriting (red
//! pad ink scans to mid-gray, toner and pens to near black). A seal is a ring
//! ~42 mm across (ring coverage of the blob's circle); a fingerprint a ridged
//! oval ~12 × 16 mm (partly filled, many ink/paper changes per mm).

use anjuan_core::marks::{FingerprintMark, SealMark};
use image::GrayImage;

/// Red plane level below which a pixel is red ink (R − max(G, B) > 35).
const RED_LEVEL: u8 = 185;
/// Mid-gray ink on a grayscale page: between these levels …
const MID_LO: u8 = 80;
const MID_HI: u8 = 205;
/// … with no pixel darker than this within `EDGE_RADIUS` (not the edge of print).
const EDGE_DARK: u8 = 70;
const EDGE_RADIUS: u32 = 2;
/// A 1 mm cell holds ink when this share of its pixels is ink.
const CELL_SHARE: f32 = 0.06;

/// Seal diameter range (mm) and the least share of its circle the ring covers.
const SEAL_MM: (f32, f32) = (30.0, 56.0);
const SEAL_MIN_RING: f32 = 0.55;
/// Fingerprint side ranges (mm), ink share of its oval, ink/paper changes per mm.
const PRINT_MM: (f32, f32) = (6.0, 26.0);
const PRINT_FILL: (f32, f32) = (0.15, 0.88);
const PRINT_MIN_CHANGES: f32 = 0.8;
/// Confidence scale on grayscale pages: shape alone, no colour to confirm.
const GRAY_SCALE: f32 = 0.7;

/// Seals and fingerprints of one page.
#[derive(Debug, Default)]
pub struct Found {
    pub seals: Vec<SealMark>,
    pub fingerprints: Vec<FingerprintMark>,
}

/// A page's pad-ink mask (one byte per pixel, 1 = ink).
struct Mask {
    w: u32,
    h: u32,
    data: Vec<u8>,
}

impl Mask {
    fn at(&self, x: u32, y: u32) -> bool {
        self.data[(y * self.w + x) as usize] != 0
    }

    fn red(red: &GrayImage) -> Mask {
        Mask {
            w: red.width(),
            h: red.height(),
            data: red.pixels().map(|p| (p.0[0] < RED_LEVEL) as u8).collect(),
        }
    }

    fn mid_gray(gray: &GrayImage) -> Mask {
        let (w, h) = gray.dimensions();
        let near_dark = dilate(
            &gray
                .pixels()
                .map(|p| (p.0[0] < EDGE_DARK) as u8)
                .collect::<Vec<_>>(),
            w as usize,
            h as usize,
            EDGE_RADIUS as usize,
        );
        let data = gray
            .pixels()
            .zip(&near_dark)
            .map(|(p, &d)| (d == 0 && (MID_LO..=MID_HI).contains(&p.0[0])) as u8)
            .collect();
        Mask { w, h, data }
    }
}

/// Binary dilation by a square of radius `r` (separable running max).
fn dilate(m: &[u8], w: usize, h: usize, r: usize) -> Vec<u8> {
    let mut rows = vec![0u8; m.len()];
    for y in 0..h {
        let row = &m[y * w..(y + 1) * w];
        let mut last: Option<usize> = None;
        // Distance to the nearest set pixel on the left, then the right.
        for x in 0..w {
            if row[x] != 0 {
                last = Some(x);
            }
            if last.is_some_and(|l| x - l <= r) {
                rows[y * w + x] = 1;
            }
        }
        last = None;
        for x in (0..w).rev() {
            if row[x] != 0 {
                last = Some(x);
            }
            if last.is_some_and(|l| l - x <= r) {
                rows[y * w + x] = 1;
            }
        }
    }
    let mut out = vec![0u8; m.len()];
    for x in 0..w {
        let mut last: Option<usize> = None;
        for y in 0..h {
            if rows[y * w + x] != 0 {
                last = Some(y);
            }
            if last.is_some_and(|l| y - l <= r) {
                out[y * w + x] = 1;
            }
        }
        last = None;
        for y in (0..h).rev() {
            if rows[y * w + x] != 0 {
                last = Some(y);
            }
            if last.is_some_and(|l| l - y <= r) {
                out[y * w + x] = 1;
            }
        }
    }
    out
}

/// A blob: its bounding box in pixels.
#[derive(Debug, Clone, Copy)]
struct Blob {
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
}

/// Connected groups of inked 1 mm cells (cells one apart joined).
fn blobs(mask: &Mask, cell: u32) -> Vec<Blob> {
    let gw = mask.w.div_ceil(cell) as usize;
    let gh = mask.h.div_ceil(cell) as usize;
    let mut counts = vec![0u32; gw * gh];
    for y in 0..mask.h {
        let gy = (y / cell) as usize;
        let row = &mask.data[(y * mask.w) as usize..((y + 1) * mask.w) as usize];
        for (x, &v) in row.iter().enumerate() {
            if v != 0 {
                counts[gy * gw + x / cell as usize] += 1;
            }
        }
    }
    let need = ((cell * cell) as f32 * CELL_SHARE).max(1.0) as u32;
    let on: Vec<u8> = counts.iter().map(|&c| (c >= need) as u8).collect();
    let joined = dilate(&on, gw, gh, 1);
    let mut label = vec![0u32; gw * gh];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..gw * gh {
        if joined[start] == 0 || label[start] != 0 {
            continue;
        }
        let id = out.len() as u32 + 1;
        label[start] = id;
        stack.push(start);
        let (mut gx0, mut gy0, mut gx1, mut gy1) = (usize::MAX, usize::MAX, 0, 0);
        while let Some(i) = stack.pop() {
            let (gx, gy) = (i % gw, i / gw);
            if on[i] != 0 {
                gx0 = gx0.min(gx);
                gy0 = gy0.min(gy);
                gx1 = gx1.max(gx);
                gy1 = gy1.max(gy);
            }
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (nx, ny) = (gx as i64 + dx, gy as i64 + dy);
                    if nx < 0 || ny < 0 || nx >= gw as i64 || ny >= gh as i64 {
                        continue;
                    }
                    let j = ny as usize * gw + nx as usize;
                    if joined[j] != 0 && label[j] == 0 {
                        label[j] = id;
                        stack.push(j);
                    }
                }
            }
        }
        if gx0 == usize::MAX {
            // Only dilation cells (cannot happen: every group grows from an inked cell).
            out.push(Blob {
                x0: 0,
                y0: 0,
                x1: 0,
                y1: 0,
            });
            continue;
        }
        out.push(Blob {
            x0: gx0 as u32 * cell,
            y0: gy0 as u32 * cell,
            x1: ((gx1 as u32 + 1) * cell).min(mask.w),
            y1: ((gy1 as u32 + 1) * cell).min(mask.h),
        });
    }
    out.retain(|b| b.x1 > b.x0 && b.y1 > b.y0);
    out
}

/// Share of the blob's circle (centre and mean radius of its box) on which
/// ink lies within a ring band at the rim.
fn ring_coverage(mask: &Mask, b: &Blob, ppm: f32) -> f32 {
    let cx = (b.x0 + b.x1) as f32 / 2.0;
    let cy = (b.y0 + b.y1) as f32 / 2.0;
    let r = ((b.x1 - b.x0) + (b.y1 - b.y0)) as f32 / 4.0;
    const RAYS: usize = 120;
    let step = (0.2 * ppm).max(1.0);
    let mut hits = 0;
    for k in 0..RAYS {
        let a = k as f32 * std::f32::consts::TAU / RAYS as f32;
        let (s, c) = a.sin_cos();
        let mut d = r - 3.0 * ppm;
        while d <= r + 0.5 * ppm {
            let (x, y) = (cx + d * c, cy + d * s);
            if x >= 0.0
                && y >= 0.0
                && (x as u32) < mask.w
                && (y as u32) < mask.h
                && mask.at(x as u32, y as u32)
            {
                hits += 1;
                break;
            }
            d += step;
        }
    }
    hits as f32 / RAYS as f32
}

/// Ink share of the oval inscribed in the blob's box, and the mean number of
/// ink/paper changes per mm along its rows (ridges make many).
fn oval_texture(mask: &Mask, b: &Blob, ppm: f32) -> (f32, f32) {
    let cx = (b.x0 + b.x1) as f32 / 2.0;
    let cy = (b.y0 + b.y1) as f32 / 2.0;
    let rx = (b.x1 - b.x0) as f32 / 2.0;
    let ry = (b.y1 - b.y0) as f32 / 2.0;
    let (mut ink, mut total) = (0u32, 0u32);
    let (mut changes, mut span) = (0u32, 0f32);
    for y in b.y0..b.y1 {
        let v = (y as f32 + 0.5 - cy) / ry;
        if v.abs() >= 1.0 {
            continue;
        }
        let half = rx * (1.0 - v * v).sqrt();
        let xa = (cx - half).max(b.x0 as f32) as u32;
        let xb = ((cx + half) as u32).min(b.x1);
        let mut prev = None;
        for x in xa..xb {
            let m = mask.at(x, y);
            ink += m as u32;
            total += 1;
            if prev.is_some_and(|p| p != m) {
                changes += 1;
            }
            prev = Some(m);
        }
        span += (xb - xa) as f32;
    }
    if total == 0 || span == 0.0 {
        return (0.0, 0.0);
    }
    (ink as f32 / total as f32, changes as f32 / (span / ppm))
}

/// Seals and fingerprints on the page (`red`: the red plane of a colour page).
pub fn find_blobs(gray: &GrayImage, red: Option<&GrayImage>, ppm: f32) -> Found {
    let mask = match red {
        Some(r) => Mask::red(r),
        None => Mask::mid_gray(gray),
    };
    let scale = if red.is_some() { 1.0 } else { GRAY_SCALE };
    let cell = (ppm.round() as u32).max(1);
    let mut found = Found::default();
    for b in blobs(&mask, cell) {
        let (w_mm, h_mm) = ((b.x1 - b.x0) as f32 / ppm, (b.y1 - b.y0) as f32 / ppm);
        let bbox = [b.x0, b.y0, b.x1, b.y1];
        let (lo, hi) = SEAL_MM;
        let squareish = w_mm.max(h_mm) / w_mm.min(h_mm) <= 1.35;
        if (lo..=hi).contains(&w_mm) && (lo..=hi).contains(&h_mm) && squareish {
            let ring = ring_coverage(&mask, &b, ppm);
            if ring >= SEAL_MIN_RING {
                let c = 0.55 + 0.45 * ((ring - SEAL_MIN_RING) / (0.95 - SEAL_MIN_RING)).min(1.0);
                found.seals.push(SealMark {
                    bbox,
                    confidence: c * scale,
                    red: red.is_some(),
                });
            }
            continue;
        }
        let (lo, hi) = PRINT_MM;
        if (lo..=hi).contains(&w_mm) && (lo..=hi).contains(&h_mm) {
            let (fill, changes) = oval_texture(&mask, &b, ppm);
            if (PRINT_FILL.0..=PRINT_FILL.1).contains(&fill) && changes >= PRINT_MIN_CHANGES {
                let c = 0.6 + 0.4 * ((changes - PRINT_MIN_CHANGES) / 1.5).min(1.0);
                found.fingerprints.push(FingerprintMark {
                    bbox,
                    confidence: c * scale,
                    red: red.is_some(),
                });
            }
        }
    }
    found
}

/// Debug view of the features of every blob (size, ring coverage, oval fill
/// and changes per mm), for tuning with `examples/`.
pub fn describe_blobs(gray: &GrayImage, red: Option<&GrayImage>, ppm: f32) -> Vec<String> {
    let mask = match red {
        Some(r) => Mask::red(r),
        None => Mask::mid_gray(gray),
    };
    let cell = (ppm.round() as u32).max(1);
    blobs(&mask, cell)
        .iter()
        .filter(|b| (b.x1 - b.x0) as f32 / ppm >= 4.0 || (b.y1 - b.y0) as f32 / ppm >= 4.0)
        .map(|b| {
            let (fill, ch) = oval_texture(&mask, b, ppm);
            format!(
                "[{},{},{},{}] {:.0}x{:.0}mm ring {:.2} fill {:.2} changes {:.2}/mm",
                b.x0,
                b.y0,
                b.x1,
                b.y1,
                (b.x1 - b.x0) as f32 / ppm,
                (b.y1 - b.y0) as f32 / ppm,
                ring_coverage(&mask, b, ppm),
                fill,
                ch
            )
        })
        .collect()
}
