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
/// linear interpolation; uncovered area becomes white. Works on whole byte
/// runs so that the inner loops vectorise.
fn skew(c: &mut Canvas, angle: f32) {
    let (w, h, ch) = (c.width as usize, c.height as usize, c.channels);
    let stride = w * ch;
    let s = angle.sin();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let mut out = vec![255u8; c.data.len()];
    // Row shear: x_src = x + (y - cy)·s.
    for y in 0..h {
        let shift = (y as f32 - cy) * s;
        let si = shift.floor() as isize;
        let t = ((shift - si as f32) * 256.0) as u16;
        // Output x range whose sources x+si and x+si+1 are inside the row.
        let xa = (-si).max(0) as usize;
        let xb = ((w as isize - 1 - si).max(0) as usize).min(w);
        if xa >= xb {
            continue;
        }
        let src = &c.data[y * stride..(y + 1) * stride];
        let o = &mut out[y * stride + xa * ch..y * stride + xb * ch];
        let a0 = ((xa as isize + si) as usize) * ch;
        let s0 = &src[a0..a0 + o.len()];
        let s1 = &src[a0 + ch..a0 + ch + o.len()];
        lerp_into(o, s0, s1, t);
    }
    // Column shear: y_src = y - (x - cx)·s, in runs of columns with the
    // same integer shift.
    let mut runs: Vec<(usize, usize, isize)> = Vec::new();
    let mut tv = vec![0u16; stride];
    for x in 0..w {
        let sh = -(x as f32 - cx) * s;
        let si = sh.floor() as isize;
        let t = ((sh - si as f32) * 256.0) as u16;
        for k in 0..ch {
            tv[x * ch + k] = t;
        }
        match runs.last_mut() {
            Some(r) if r.2 == si => r.1 = x + 1,
            _ => runs.push((x, x + 1, si)),
        }
    }
    for y in 0..h {
        for &(xa, xb, si) in &runs {
            let dst = &mut c.data[y * stride + xa * ch..y * stride + xb * ch];
            let ys = y as isize + si;
            if ys < 0 || ys + 1 >= h as isize {
                dst.fill(255);
                continue;
            }
            let a = ys as usize * stride;
            let r0 = &out[a + xa * ch..a + xb * ch];
            let r1 = &out[a + stride + xa * ch..a + stride + xb * ch];
            let t = &tv[xa * ch..xb * ch];
            for (((d, &p0), &p1), &t) in dst.iter_mut().zip(r0).zip(r1).zip(t) {
                *d = ((p0 as u16 * (256 - t) + p1 as u16 * t) >> 8) as u8;
            }
        }
    }
}

#[inline]
fn lerp_into(o: &mut [u8], s0: &[u8], s1: &[u8], t: u16) {
    for ((d, &a), &b) in o.iter_mut().zip(s0).zip(s1) {
        *d = ((a as u16 * (256 - t) + b as u16 * t) >> 8) as u8;
    }
}

/// Separable [1 2 1]/4 blur.
fn blur121(c: &mut Canvas) {
    let (w, h, ch) = (c.width as usize, c.height as usize, c.channels);
    let stride = w * ch;
    let mut tmp = vec![0u8; stride];
    // Horizontal: interior bytes from a copy of the row.
    for y in 0..h {
        let row = &mut c.data[y * stride..(y + 1) * stride];
        tmp.copy_from_slice(row);
        let n = stride - 2 * ch;
        let (l, m, r) = (&tmp[..n], &tmp[ch..ch + n], &tmp[2 * ch..]);
        for (((d, &a), &b), &c2) in row[ch..ch + n].iter_mut().zip(l).zip(m).zip(r) {
            *d = ((a as u16 + 2 * b as u16 + c2 as u16 + 2) >> 2) as u8;
        }
    }
    // Vertical: keep the previous original row.
    let mut prev = c.data[0..stride].to_vec();
    for y in 1..h.saturating_sub(1) {
        tmp.copy_from_slice(&c.data[y * stride..(y + 1) * stride]);
        let (head, tail) = c.data.split_at_mut((y + 1) * stride);
        let row = &mut head[y * stride..];
        let next = &tail[..stride];
        for (((d, &a), &b), &c2) in row.iter_mut().zip(&prev).zip(&tmp).zip(next) {
            *d = ((a as u16 + 2 * b as u16 + c2 as u16 + 2) >> 2) as u8;
        }
        std::mem::swap(&mut prev, &mut tmp);
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
    let blotch = 0.012 + 0.04 * deg;
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
        // Warm white: red ≥ green ≥ blue, never pink.
        let r = rng.gen_range(0.975..1.0);
        let g = r - rng.gen_range(0.005..0.02);
        [r, g, g - rng.gen_range(0.01..0.04)]
    } else {
        let t = rng.gen_range(0.95..0.99);
        [t, t, t]
    };
    let amp = 2.0 + 9.0 * deg; // noise amplitude, levels
                               // A table of triangular noise, the same value on a pixel's channels;
                               // each row reads it from a random pixel offset.
    const TABLE_PX: usize = 1 << 16;
    let mut fr = Fast::new(rng.gen());
    let mut table = vec![0i16; TABLE_PX * ch + w * ch];
    for px in 0..table.len() / ch {
        let n = ((fr.f() + fr.f() - 1.0) * amp) as i16;
        table[px * ch..(px + 1) * ch].fill(n);
    }
    let tone_q: Vec<u32> = tone.iter().map(|t| (t * 256.0) as u32).collect();
    let mut mult = vec![0u32; w * ch];
    for y in 0..h {
        // The light changes slowly: refresh the row multipliers every 8 rows.
        if y % 8 == 0 {
            light_row(&grid, GX, GY, y, w, h, ch, &tone_q, &mut mult);
        }
        let off = (fr.next_u64() as usize % TABLE_PX) * ch;
        let noise = &table[off..off + w * ch];
        let row = &mut c.data[y * w * ch..(y + 1) * w * ch];
        for ((p, &m), &n) in row.iter_mut().zip(&mult).zip(noise) {
            let v = ((*p as u32 * m) >> 16) as i16 + n;
            *p = v.clamp(0, 255) as u8;
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

/// The light × paper tone multipliers (×65536) of row `y`, per byte.
#[allow(clippy::too_many_arguments)]
fn light_row(
    grid: &[f32],
    gx_n: usize,
    gy_n: usize,
    y: usize,
    w: usize,
    h: usize,
    ch: usize,
    tone_q: &[u32],
    mult: &mut [u32],
) {
    let fy = y as f32 / h as f32 * gy_n as f32;
    let iy = (fy as usize).min(gy_n - 1);
    let ty = fy - iy as f32;
    let col: Vec<f32> = (0..=gx_n)
        .map(|gx| grid[iy * (gx_n + 1) + gx] * (1.0 - ty) + grid[(iy + 1) * (gx_n + 1) + gx] * ty)
        .collect();
    for x in 0..w {
        let fx = x as f32 / w as f32 * gx_n as f32;
        let ix = (fx as usize).min(gx_n - 1);
        let tx = fx - ix as f32;
        let l = ((col[ix] * (1.0 - tx) + col[ix + 1] * tx).clamp(0.3, 1.0) * 256.0) as u32;
        for k in 0..ch {
            mult[x * ch + k] = l * tone_q[k];
        }
    }
}
