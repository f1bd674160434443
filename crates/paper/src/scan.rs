//! The scanner: skew, blur, paper tone, uneven light, sensor noise, and the
//! final quarter-turn rotation. Integer passes over the raster.

use crate::canvas::Canvas;
use crate::model::ScanParams;
use crate::noise::Fast;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Applies the scan artefacts in place (everything but the rotation).
pub fn artefacts(c: &mut Canvas, p: &ScanParams, rng: &mut ChaCha8Rng) {
    let deg = p.degradation.clamp(0.0, 1.0);
    if p.skew_deg.abs() > 0.01 {
        skew(c, p.skew_deg.to_radians());
    }
    // Softness: scanners blur a little; bad copies more.
    let passes = if p.dpi >= 250 {
        1 + (deg > 0.6) as usize
    } else {
        (deg > 0.45) as usize
    };
    for _ in 0..passes {
        blur121(c);
    }
    light_and_noise(c, deg, rng);
}

/// Rotates by a small angle as two shears (rows, then columns), with
/// linear interpolation; uncovered area becomes white.
fn skew(c: &mut Canvas, angle: f32) {
    let (w, h, ch) = (c.width as usize, c.height as usize, c.channels);
    let s = angle.sin();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let mut out = vec![255u8; c.data.len()];
    // Row shear: x_src = x + (y - cy)·s.
    for y in 0..h {
        let shift = (y as f32 - cy) * s;
        let si = shift.floor() as isize;
        let t = ((shift - si as f32) * 256.0) as u32;
        let row = &c.data[y * w * ch..(y + 1) * w * ch];
        let orow = &mut out[y * w * ch..(y + 1) * w * ch];
        for x in 0..w {
            let xs = x as isize + si;
            if xs < 0 || xs + 1 >= w as isize {
                continue;
            }
            let a = xs as usize * ch;
            for k in 0..ch {
                let v0 = row[a + k] as u32;
                let v1 = row[a + ch + k] as u32;
                orow[x * ch + k] = ((v0 * (256 - t) + v1 * t) >> 8) as u8;
            }
        }
    }
    // Column shear: y_src = y - (x - cx)·s.
    let shifts: Vec<(isize, u32)> = (0..w)
        .map(|x| {
            let sh = -(x as f32 - cx) * s;
            let si = sh.floor() as isize;
            (si, ((sh - si as f32) * 256.0) as u32)
        })
        .collect();
    for y in 0..h {
        let orow = &mut c.data[y * w * ch..(y + 1) * w * ch];
        for x in 0..w {
            let (si, t) = shifts[x];
            let ys = y as isize + si;
            if ys < 0 || ys + 1 >= h as isize {
                for k in 0..ch {
                    orow[x * ch + k] = 255;
                }
                continue;
            }
            let a = (ys as usize * w + x) * ch;
            let b = a + w * ch;
            for k in 0..ch {
                let v0 = out[a + k] as u32;
                let v1 = out[b + k] as u32;
                orow[x * ch + k] = ((v0 * (256 - t) + v1 * t) >> 8) as u8;
            }
        }
    }
}

/// Separable [1 2 1]/4 blur.
fn blur121(c: &mut Canvas) {
    let (w, h, ch) = (c.width as usize, c.height as usize, c.channels);
    let stride = w * ch;
    // Horizontal.
    for y in 0..h {
        let row = &mut c.data[y * stride..(y + 1) * stride];
        let mut prev: [u32; 3] = [0; 3];
        for k in 0..ch {
            prev[k] = row[k] as u32;
        }
        for x in 0..w {
            for k in 0..ch {
                let i = x * ch + k;
                let cur = row[i] as u32;
                let next = if x + 1 < w { row[i + ch] as u32 } else { cur };
                row[i] = ((prev[k] + 2 * cur + next + 2) >> 2) as u8;
                prev[k] = cur;
            }
        }
    }
    // Vertical, one row buffer.
    let mut prev = c.data[0..stride].to_vec();
    for y in 0..h {
        let (before, rest) = c.data.split_at_mut(y * stride);
        let _ = before;
        let (row, after) = rest.split_at_mut(stride);
        for i in 0..stride {
            let cur = row[i] as u32;
            let next = if y + 1 < h { after[i] as u32 } else { cur };
            let v = ((prev[i] as u32 + 2 * cur + next + 2) >> 2) as u8;
            prev[i] = cur as u8;
            row[i] = v;
        }
    }
}

/// Paper tone, uneven illumination (a coarse multiplier field, bilinearly
/// interpolated), sensor noise and a few specks of dust.
fn light_and_noise(c: &mut Canvas, deg: f32, rng: &mut ChaCha8Rng) {
    let (w, h, ch) = (c.width as usize, c.height as usize, c.channels);
    // Light field on a coarse grid (values ×256).
    const GX: usize = 12;
    const GY: usize = 16;
    let dark_side: f32 = rng.gen_range(0.0..(0.04 + 0.16 * deg));
    let angle: f32 = rng.gen_range(0.0..std::f32::consts::TAU);
    let (dx, dy) = (angle.cos(), angle.sin());
    let blotch = 0.02 + 0.06 * deg;
    let spine = if rng.gen_bool((0.15 + 0.5 * deg) as f64) {
        Some((
            rng.gen_range(0.0..1.0f32) < 0.5,
            rng.gen_range(0.04..0.12) * (0.5 + deg),
        ))
    } else {
        None
    };
    let mut grid = vec![0f32; (GX + 1) * (GY + 1)];
    for gy in 0..=GY {
        for gx in 0..=GX {
            let u = gx as f32 / GX as f32 - 0.5;
            let v = gy as f32 / GY as f32 - 0.5;
            let mut l = 1.0 - dark_side * (0.5 + u * dx + v * dy).clamp(0.0, 1.0);
            l -= blotch * rng.gen::<f32>();
            if let Some((left, depth)) = spine {
                // A shadow along one edge (binding or lid not closed).
                let e = if left { u + 0.5 } else { 0.5 - u };
                l -= depth * (-e * 12.0).exp();
            }
            grid[gy * (GX + 1) + gx] = l;
        }
    }
    let tone: [f32; 3] = if ch == 3 {
        [
            rng.gen_range(0.975..1.0),
            rng.gen_range(0.965..0.99),
            rng.gen_range(0.93..0.975),
        ]
    } else {
        let t = rng.gen_range(0.95..0.99);
        [t, t, t]
    };
    let amp = (2.0 + 9.0 * deg) as i32; // noise amplitude, levels
    let mut fr = Fast::new(rng.gen());
    let mut row_l = vec![0u32; w];
    for y in 0..h {
        let fy = y as f32 / h as f32 * GY as f32;
        let iy = (fy as usize).min(GY - 1);
        let ty = fy - iy as f32;
        // Interpolate the light for this row at each grid column, then along x.
        let col: Vec<f32> = (0..=GX)
            .map(|gx| grid[iy * (GX + 1) + gx] * (1.0 - ty) + grid[(iy + 1) * (GX + 1) + gx] * ty)
            .collect();
        for (x, l) in row_l.iter_mut().enumerate() {
            let fx = x as f32 / w as f32 * GX as f32;
            let ix = (fx as usize).min(GX - 1);
            let tx = fx - ix as f32;
            *l = ((col[ix] * (1.0 - tx) + col[ix + 1] * tx).clamp(0.3, 1.0) * 256.0) as u32;
        }
        let row = &mut c.data[y * w * ch..(y + 1) * w * ch];
        let mut bits = 0u64;
        let mut nbits = 0;
        for x in 0..w {
            if nbits < 16 {
                bits = fr.next_u64();
                nbits = 64;
            }
            // Triangular noise from two bytes.
            let n = ((bits & 0xff) as i32 + ((bits >> 8) & 0xff) as i32 - 255) * amp / 255;
            bits >>= 16;
            nbits -= 16;
            let l = row_l[x];
            for k in 0..ch {
                let i = x * ch + k;
                let t = (tone[k] * 256.0) as u32;
                let v = (row[i] as u32 * l * t) >> 16;
                row[i] = (v as i32 + n).clamp(0, 255) as u8;
            }
        }
    }
    // Dust specks on bad copies.
    let specks = (deg * deg * 40.0) as usize;
    for _ in 0..specks {
        let x = rng.gen_range(0..w) as f32;
        let y = rng.gen_range(0..h) as f32;
        let r = rng.gen_range(0.6..2.5f32);
        c.fill_rect(
            x,
            y,
            x + r,
            y + r * rng.gen_range(0.5..1.5),
            [30, 30, 30],
            rng.gen_range(120..230),
        );
    }
}
