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
/// Mid-gray ink on a grayscale page: not darker than this …
const MID_LO: u8 = 80;
/// … and at least this much darker than the paper around it (paper tone
/// and uneven light vary over a page: the paper level is taken per block).
const MID_BELOW_PAPER: u8 = 38;
/// Side of the blocks (mm) whose bright level is the paper's.
const PAPER_BLOCK_MM: f32 = 10.0;
/// … with no pixel darker than this within `EDGE_RADIUS` (not the edge of print).
const EDGE_DARK: u8 = 70;
const EDGE_RADIUS: u32 = 2;
/// A 1 mm cell holds ink when this share of its pixels is ink.
const CELL_SHARE: f32 = 0.06;

/// Seal diameter range (mm) and the least share of its circle the ring covers.
const SEAL_MM: (f32, f32) = (30.0, 56.0);
const SEAL_MIN_RING: f32 = 0.55;
/// A 1 mm cell is ridged (fingerprint texture) when its pixel rows and
/// columns change between ink and paper this often on average.
const RIDGE_CHANGES: f32 = 1.2;
/// Fingerprint side ranges (mm), ink share of its oval, ink/paper changes per mm.
const PRINT_MM: (f32, f32) = (9.5, 24.0);
/// The longer side of a fingerprint is at least this (mm).
const PRINT_MIN_LONG_MM: f32 = 11.0;
const PRINT_FILL: (f32, f32) = (0.3, 0.85);
/// A fingerprint is a filled oval: ink on nearly every ray from its centre.
const PRINT_MIN_SOLID: f32 = 0.85;
/// Ridge changes per mm (on the plane, see [`ridge_changes`]) a fingerprint
/// shows at 200 and at 300 DPI (scan blur flattens ridges at low resolution).
const PRINT_RIDGES_200: f32 = 0.5;
const PRINT_RIDGES_300: f32 = 1.1;
/// Grayscale seals: ring radii tried (mm), the least share of the circle's
/// cells inked, and by how much more than the circle 3 mm outside it.
const GRAY_SEAL_RADII_MM: [u32; 5] = [19, 20, 21, 22, 23];
const GRAY_SEAL_MIN_RING: f32 = 0.6;
const GRAY_SEAL_CONTRAST: f32 = 0.35;
/// Share of a 1 mm cell that mid-gray ink must fill for the cell to vote.
const GRAY_SEAL_VOTER_SHARE: f32 = 0.15;
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

    fn mid_gray(gray: &GrayImage, ppm: f32) -> Mask {
        let (w, h) = gray.dimensions();
        let paper = paper_levels(gray, ((PAPER_BLOCK_MM * ppm) as u32).max(8));
        let near_dark = dilate(
            &gray
                .pixels()
                .map(|p| (p.0[0] < EDGE_DARK) as u8)
                .collect::<Vec<_>>(),
            w as usize,
            h as usize,
            EDGE_RADIUS as usize,
        );
        let mut data = vec![0u8; (w * h) as usize];
        let (wu, block) = (w as usize, paper.block as usize);
        let raw = gray.as_raw();
        for y in 0..h as usize {
            let levels = &paper.levels[(y / block) * paper.bw as usize..];
            let off = y * wu;
            for x0 in (0..wu).step_by(block) {
                let level = levels[x0 / block];
                for i in off + x0..off + (x0 + block).min(wu) {
                    let v = raw[i];
                    data[i] = (near_dark[i] == 0
                        && v >= MID_LO
                        && v.saturating_add(MID_BELOW_PAPER) <= level)
                        as u8;
                }
            }
        }
        Mask { w, h, data }
    }
}

/// The paper's level per block: the 85th percentile of the block's pixels.
struct Paper {
    block: u32,
    bw: u32,
    levels: Vec<u8>,
}

fn paper_levels(gray: &GrayImage, block: u32) -> Paper {
    let (w, h) = gray.dimensions();
    let (bw, bh) = (w.div_ceil(block), h.div_ceil(block));
    let mut hist = vec![[0u32; 64]; (bw * bh) as usize];
    for (y, row) in gray.as_raw().chunks(w as usize).enumerate() {
        let base = (y / block as usize) * bw as usize;
        for (k, part) in row.chunks(block as usize).enumerate() {
            let hb = &mut hist[base + k];
            for &v in part {
                hb[(v >> 2) as usize] += 1;
            }
        }
    }
    let levels = hist
        .iter()
        .map(|hb| {
            let total: u32 = hb.iter().sum();
            let mut acc = 0;
            for (k, &n) in hb.iter().enumerate() {
                acc += n;
                if acc * 100 >= total * 85 {
                    return ((k << 2) + 2) as u8;
                }
            }
            255
        })
        .collect();
    Paper { block, bw, levels }
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

/// Ink and ink/paper changes (along rows and columns) per 1 mm cell.
struct Cells {
    gw: usize,
    gh: usize,
    cell: u32,
    ink: Vec<u32>,
    changes: Vec<u32>,
}

fn cells(mask: &Mask, cell: u32) -> Cells {
    let gw = mask.w.div_ceil(cell) as usize;
    let gh = mask.h.div_ceil(cell) as usize;
    let mut ink = vec![0u32; gw * gh];
    let mut changes = vec![0u32; gw * gh];
    let w = mask.w as usize;
    for y in 0..mask.h as usize {
        let base = (y / cell as usize) * gw;
        let row = &mask.data[y * w..(y + 1) * w];
        let above = if y > 0 {
            &mask.data[(y - 1) * w..y * w]
        } else {
            row
        };
        for (k, ((r, a), start)) in row
            .chunks(cell as usize)
            .zip(above.chunks(cell as usize))
            .zip((0..w).step_by(cell as usize))
            .enumerate()
        {
            let mut n = 0u32;
            let mut c = 0u32;
            let mut prev = if start > 0 { row[start - 1] } else { r[0] };
            for (&v, &u) in r.iter().zip(a) {
                n += v as u32;
                c += (v != prev) as u32 + (v != u) as u32;
                prev = v;
            }
            ink[base + k] += n;
            changes[base + k] += c;
        }
    }
    Cells {
        gw,
        gh,
        cell,
        ink,
        changes,
    }
}

impl Cells {
    fn inked(&self) -> Vec<u8> {
        let need = ((self.cell * self.cell) as f32 * CELL_SHARE).max(1.0) as u32;
        self.ink.iter().map(|&c| (c >= need) as u8).collect()
    }

    /// Cells with fingerprint texture: many changes per pixel row and column.
    fn ridged(&self) -> Vec<u8> {
        let need = ((self.cell * self.cell) as f32 * CELL_SHARE).max(1.0) as u32;
        let per_line = RIDGE_CHANGES * 2.0 * self.cell as f32;
        self.ink
            .iter()
            .zip(&self.changes)
            .map(|(&i, &c)| (i >= need && c as f32 >= per_line) as u8)
            .collect()
    }
}

/// Connected groups of `on` cells (cells one apart joined).
fn blobs(mask: &Mask, grid: &Cells, on: &[u8]) -> Vec<Blob> {
    let (gw, gh, cell) = (grid.gw, grid.gh, grid.cell);
    let joined = dilate(on, gw, gh, 1);
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

/// Ridge changes per mm inside the blob's oval on the plane itself (red plane
/// or gray), cut at the median level of its ink: blurred ridges of a 200 DPI
/// scan that merge in the fixed mask still rise and fall around their median.
fn ridge_changes(plane: &GrayImage, mask: &Mask, b: &Blob, ppm: f32) -> f32 {
    let cx = (b.x0 + b.x1) as f32 / 2.0;
    let cy = (b.y0 + b.y1) as f32 / 2.0;
    let rx = (b.x1 - b.x0) as f32 / 2.0 * 0.8;
    let ry = (b.y1 - b.y0) as f32 / 2.0 * 0.8;
    let inside = |x: u32, y: u32| {
        let (u, v) = ((x as f32 + 0.5 - cx) / rx, (y as f32 + 0.5 - cy) / ry);
        u * u + v * v < 1.0
    };
    let mut hist = [0u32; 256];
    let mut n = 0u32;
    for y in b.y0..b.y1 {
        for x in b.x0..b.x1 {
            if inside(x, y) && mask.at(x, y) {
                hist[plane.get_pixel(x, y).0[0] as usize] += 1;
                n += 1;
            }
        }
    }
    if n < 16 {
        return 0.0;
    }
    let mut acc = 0;
    let mut median = 0u8;
    for (v, &c) in hist.iter().enumerate() {
        acc += c;
        if acc * 2 >= n {
            median = v as u8;
            break;
        }
    }
    let dark = |x: u32, y: u32| plane.get_pixel(x, y).0[0] <= median;
    let (mut changes, mut span) = (0u32, 0u32);
    for y in b.y0..b.y1 {
        for x in b.x0 + 1..b.x1 {
            if inside(x, y) && inside(x - 1, y) {
                changes += (dark(x, y) != dark(x - 1, y)) as u32;
                span += 1;
            }
        }
    }
    for x in b.x0..b.x1 {
        for y in b.y0 + 1..b.y1 {
            if inside(x, y) && inside(x, y - 1) {
                changes += (dark(x, y) != dark(x, y - 1)) as u32;
                span += 1;
            }
        }
    }
    changes as f32 / (span.max(1) as f32 / ppm)
}

/// Seals and fingerprints on the page (`red`: the red plane of a colour page).
pub fn find_blobs(gray: &GrayImage, red: Option<&GrayImage>, ppm: f32) -> Found {
    let mask = match red {
        Some(r) => Mask::red(r),
        None => Mask::mid_gray(gray, ppm),
    };
    let scale = if red.is_some() { 1.0 } else { GRAY_SCALE };
    let grid = cells(&mask, (ppm.round() as u32).max(1));
    let mut found = Found::default();
    if red.is_none() {
        found.seals = gray_seals(&grid, ppm, (mask.w, mask.h));
    }
    let size_mm = |b: &Blob| ((b.x1 - b.x0) as f32 / ppm, (b.y1 - b.y0) as f32 / ppm);
    for b in blobs(&mask, &grid, &grid.inked()) {
        if red.is_none() {
            break;
        }
        let (w_mm, h_mm) = size_mm(&b);
        let (lo, hi) = SEAL_MM;
        let squareish = w_mm.max(h_mm) / w_mm.min(h_mm) <= 1.35;
        if (lo..=hi).contains(&w_mm) && (lo..=hi).contains(&h_mm) && squareish {
            let ring = ring_coverage(&mask, &b, ppm);
            if ring >= SEAL_MIN_RING {
                let c = 0.55 + 0.45 * ((ring - SEAL_MIN_RING) / (0.95 - SEAL_MIN_RING)).min(1.0);
                found.seals.push(SealMark {
                    bbox: [b.x0, b.y0, b.x1, b.y1],
                    confidence: c * scale,
                    red: red.is_some(),
                });
            }
        }
    }
    let in_seal = |b: &Blob| {
        let (cx, cy) = ((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2);
        found
            .seals
            .iter()
            .any(|s| cx >= s.bbox[0] && cx < s.bbox[2] && cy >= s.bbox[1] && cy < s.bbox[3])
    };
    // Candidates: ridged cells (both), whole red blobs (colour: blurred
    // ridges at 200 DPI may not look ridged cell by cell).
    let mut cands = blobs(&mask, &grid, &grid.ridged());
    if red.is_some() {
        cands.extend(blobs(&mask, &grid, &grid.inked()));
    }
    // Prints pressed on two signature lines one above the other touch:
    // a blob of two prints' height is tried as its two halves.
    let tall: Vec<Blob> = cands
        .iter()
        .filter(|b| {
            let (w_mm, h_mm) = size_mm(b);
            (PRINT_MM.0..=PRINT_MM.1).contains(&w_mm)
                && h_mm > PRINT_MM.1
                && h_mm <= 2.0 * PRINT_MM.1
        })
        .copied()
        .collect();
    for b in tall {
        let mid = (b.y0 + b.y1) / 2;
        cands.push(Blob { y1: mid, ..b });
        cands.push(Blob { y0: mid, ..b });
    }
    let plane = red.unwrap_or(gray);
    let min_ridges = {
        let t = ((ppm - 200.0 / 25.4) / (100.0 / 25.4)).clamp(0.0, 1.0);
        PRINT_RIDGES_200 + t * (PRINT_RIDGES_300 - PRINT_RIDGES_200)
    };
    let mut prints: Vec<(f32, FingerprintMark)> = Vec::new();
    for b in cands {
        let (w_mm, h_mm) = size_mm(&b);
        let (lo, hi) = PRINT_MM;
        if !(lo..=hi).contains(&w_mm)
            || !(lo..=hi).contains(&h_mm)
            || w_mm.max(h_mm) < PRINT_MIN_LONG_MM
            || in_seal(&b)
        {
            continue;
        }
        let (fill, _) = oval_texture(&mask, &b, ppm);
        if !(PRINT_FILL.0..=PRINT_FILL.1).contains(&fill)
            || ring_coverage(&mask, &b, ppm) < PRINT_MIN_SOLID
        {
            continue;
        }
        let ridges = ridge_changes(plane, &mask, &b, ppm);
        if ridges < min_ridges {
            continue;
        }
        let c = 0.6 + 0.35 * ((ridges - min_ridges) / min_ridges).min(1.0);
        let mark = FingerprintMark {
            bbox: [b.x0, b.y0, b.x1, b.y1],
            confidence: c * scale,
            red: red.is_some(),
        };
        // One print per place: the more ridged of overlapping candidates.
        let centre =
            |m: &FingerprintMark| ((m.bbox[0] + m.bbox[2]) / 2, (m.bbox[1] + m.bbox[3]) / 2);
        let within = |m: &FingerprintMark, (x, y): (u32, u32)| {
            x >= m.bbox[0] && x < m.bbox[2] && y >= m.bbox[1] && y < m.bbox[3]
        };
        match prints
            .iter_mut()
            .find(|(_, p)| within(p, centre(&mark)) || within(&mark, centre(p)))
        {
            Some(slot) if slot.0 < ridges => *slot = (ridges, mark),
            Some(_) => {}
            None => prints.push((ridges, mark)),
        }
    }
    let prints: Vec<FingerprintMark> = prints.into_iter().map(|(_, m)| m).collect();
    found.fingerprints = prints;
    found
}

/// Seals on a grayscale page: circles of seal size on the 1 mm grid whose
/// cells are mostly inked, with clearly less ink just outside (so that a
/// block of text, inked everywhere, is no ring). Each inked cell votes for
/// the centres of the circles through it.
fn gray_seals(grid: &Cells, ppm: f32, (w, h): (u32, u32)) -> Vec<SealMark> {
    let on = grid.inked();
    // Voters: cells well filled with mid-gray (a seal's ring), not the thin
    // soft edges of print that also pass the mask.
    let strong = ((grid.cell * grid.cell) as f32 * GRAY_SEAL_VOTER_SHARE) as u32;
    let (gw, gh) = (grid.gw as i64, grid.gh as i64);
    let mm = grid.cell as f32 / ppm;
    let circle = |r_mm: f32| -> Vec<(i64, i64)> {
        let r = r_mm / mm;
        let n = (std::f32::consts::TAU * r).ceil() as usize;
        let mut pts: Vec<(i64, i64)> = (0..n)
            .map(|k| {
                let a = k as f32 * std::f32::consts::TAU / n as f32;
                ((r * a.cos()).round() as i64, (r * a.sin()).round() as i64)
            })
            .collect();
        pts.sort_unstable();
        pts.dedup();
        pts
    };
    let share = |pts: &[(i64, i64)], cx: i64, cy: i64| -> f32 {
        let hit = pts
            .iter()
            .filter(|(dx, dy)| {
                let (x, y) = (cx + dx, cy + dy);
                x >= 0 && y >= 0 && x < gw && y < gh && on[(y * gw + x) as usize] != 0
            })
            .count();
        hit as f32 / pts.len().max(1) as f32
    };
    const MAX_SEAL_CANDIDATES: usize = 500;
    let mut cands: Vec<(f32, i64, i64, f32)> = Vec::new();
    for r_mm in GRAY_SEAL_RADII_MM {
        let pts = circle(r_mm as f32);
        let mut acc = vec![0u16; (gw * gh) as usize];
        for (i, _) in grid.ink.iter().enumerate().filter(|(_, &v)| v >= strong) {
            let (x, y) = (i as i64 % gw, i as i64 / gw);
            for (dx, dy) in &pts {
                let (cx, cy) = (x - dx, y - dy);
                if cx >= 0 && cy >= 0 && cx < gw && cy < gh {
                    acc[(cy * gw + cx) as usize] += 1;
                }
            }
        }
        let need = (pts.len() as f32 * GRAY_SEAL_MIN_RING) as u16;
        let outer = circle(r_mm as f32 + 3.0);
        for (i, &a) in acc.iter().enumerate() {
            if a < need {
                continue;
            }
            let (cx, cy) = (i as i64 % gw, i as i64 / gw);
            let ring = a as f32 / pts.len() as f32;
            let out = share(&outer, cx, cy);
            if ring - out >= GRAY_SEAL_CONTRAST {
                cands.push((ring - out, cx, cy, r_mm as f32));
            }
        }
    }
    // Best first; one seal per place. A page of endless rings (a drawing,
    // a pattern) gives endless candidates: the best few hundred are plenty.
    cands.sort_by(|a, b| b.0.total_cmp(&a.0));
    cands.truncate(MAX_SEAL_CANDIDATES);
    let mut seals: Vec<(i64, i64, f32, f32)> = Vec::new();
    for (score, cx, cy, r) in cands {
        let near = seals.iter().any(|&(sx, sy, sr, _)| {
            (((sx - cx).pow(2) + (sy - cy).pow(2)) as f32).sqrt() * mm < sr + r
        });
        if !near {
            seals.push((cx, cy, r, score));
        }
    }
    seals
        .into_iter()
        .map(|(cx, cy, r, score)| {
            let (px, py) = (
                (cx as f32 + 0.5) * grid.cell as f32,
                (cy as f32 + 0.5) * grid.cell as f32,
            );
            let rp = (r + 1.0) * ppm;
            let c = 0.45 + 0.4 * ((score - GRAY_SEAL_CONTRAST) / 0.4).min(1.0);
            SealMark {
                bbox: [
                    (px - rp).max(0.0) as u32,
                    (py - rp).max(0.0) as u32,
                    ((px + rp) as u32).min(w),
                    ((py + rp) as u32).min(h),
                ],
                confidence: c * GRAY_SCALE,
                red: false,
            }
        })
        .collect()
}

/// Debug view of the features of every blob (size, ring coverage, oval fill
/// and changes per mm), for tuning with `examples/`.
pub fn describe_blobs(gray: &GrayImage, red: Option<&GrayImage>, ppm: f32) -> Vec<String> {
    let mask = match red {
        Some(r) => Mask::red(r),
        None => Mask::mid_gray(gray, ppm),
    };
    let grid = cells(&mask, (ppm.round() as u32).max(1));
    let inked = blobs(&mask, &grid, &grid.inked());
    let ridged = blobs(&mask, &grid, &grid.ridged());
    inked
        .iter()
        .map(|b| ("ink", b))
        .chain(ridged.iter().map(|b| ("ridged", b)))
        .filter(|(_, b)| (b.x1 - b.x0) as f32 / ppm >= 4.0 || (b.y1 - b.y0) as f32 / ppm >= 4.0)
        .map(|(what, b)| {
            let (fill, ch) = oval_texture(&mask, b, ppm);
            let rc = ridge_changes(red.unwrap_or(gray), &mask, b, ppm);
            format!(
                "{what} [{},{},{},{}] {:.0}x{:.0}mm ring {:.2} fill {:.2} changes {:.2}/mm ridges {rc:.2}/mm",
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
