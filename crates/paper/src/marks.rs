//! Seals, fingerprints and photos.

use crate::canvas::{Canvas, Rgb};
use crate::font::{Coverage, Face, Fonts};
use crate::model::Seal;
use crate::noise::{Fast, ValueNoise};
use ab_glyph_rasterizer::{point, Rasterizer};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::f32::consts::PI;

/// Seal red (cinnabar stamp-pad ink).
const SEAL_RED: Rgb = [212, 38, 46];
/// Fingerprint red (the same pad, pressed thinner).
const PRINT_RED: Rgb = [196, 40, 52];

/// A square mask centred on the origin.
fn mask(radius: i32) -> Coverage {
    let s = (2 * radius + 1) as u32;
    Coverage {
        left: -radius,
        top: -radius,
        width: s,
        height: s,
        data: vec![0; (s * s) as usize],
    }
}

/// ORs a glyph coverage into `m` with the glyph's pen point at (px, py) in mask coordinates.
fn or_into(m: &mut Coverage, g: &Coverage, px: f32, py: f32) {
    let ox = px.floor() as i32 + g.left - m.left;
    let oy = py.floor() as i32 + g.top - m.top;
    for row in 0..g.height as i32 {
        let y = oy + row;
        if y < 0 || y >= m.height as i32 {
            continue;
        }
        for col in 0..g.width as i32 {
            let x = ox + col;
            if x < 0 || x >= m.width as i32 {
                continue;
            }
            let v = g.data[(row * g.width as i32 + col) as usize];
            let d = &mut m.data[(y * m.width as i32 + x) as usize];
            *d = (*d).max(v);
        }
    }
}

/// Rasterizes a glyph rotated by `angle` (radians, clockwise), horizontally
/// scaled by `squeeze`, whose em box centre lands on (cx, cy) in mask coordinates.
#[allow(clippy::too_many_arguments)]
fn glyph_centred(
    fonts: &Fonts,
    m: &mut Coverage,
    face: Face,
    c: char,
    size: f32,
    squeeze: f32,
    angle: f32,
    cx: f32,
    cy: f32,
) {
    let r = fonts.resolve(face, c);
    let adv = fonts.advance_em(face, c);
    let (s, co) = angle.sin_cos();
    let mat = [co * squeeze, -s, s * squeeze, co];
    // Em box centre relative to the pen point, before the transform.
    let (ux, uy) = (adv * size * 0.5, -0.38 * size);
    let (dx, dy) = (mat[0] * ux + mat[1] * uy, mat[2] * ux + mat[3] * uy);
    let (px, py) = (cx - dx - m.left as f32, cy - dy - m.top as f32);
    let frac = (px - px.floor(), py - py.floor());
    if let Some(g) = fonts.raster(face, r, size, mat, frac) {
        or_into(m, &g, px + m.left as f32, py + m.top as f32);
    }
}

/// Presses a round agency seal centred at (cx, cy) px.
pub fn seal(
    canvas: &mut Canvas,
    fonts: &Fonts,
    seal: &Seal,
    cx: f32,
    cy: f32,
    ppm: f32,
    rng: &mut ChaCha8Rng,
) {
    let r = 21.0 * ppm * rng.gen_range(0.97..1.03);
    let ring = 1.15 * ppm;
    let rad = r.ceil() as i32 + 3;
    let mut m = mask(rad);
    let tilt: f32 = rng.gen_range(-0.25..0.25);
    // Ring.
    let w = m.width as i32;
    for y in -rad..=rad {
        for x in -rad..=rad {
            let d = ((x * x + y * y) as f32).sqrt();
            let a = (ring / 2.0 - (d - (r - ring / 2.0)).abs() + 0.5).clamp(0.0, 1.0);
            if a > 0.0 {
                m.data[((y + rad) * w + x + rad) as usize] = (a * 255.0) as u8;
            }
        }
    }
    // Star.
    let rs = r * 0.3;
    let scy = 0.0;
    let mut ras = Rasterizer::new(m.width as usize, m.height as usize);
    let pts: Vec<_> = (0..10)
        .map(|i| {
            let rr = if i % 2 == 0 { rs } else { rs * 0.382 };
            let a = tilt + i as f32 * PI / 5.0;
            point(rad as f32 + rr * a.sin(), rad as f32 + scy - rr * a.cos())
        })
        .collect();
    for i in 0..10 {
        ras.draw_line(pts[i], pts[(i + 1) % 10]);
    }
    ras.for_each_pixel(|i, a| {
        let v = (a.abs().min(1.0) * 255.0) as u8;
        if v > m.data[i] {
            m.data[i] = v;
        }
    });
    // Agency name along the upper arc, characters facing outwards.
    let chars: Vec<char> = seal.agency.chars().filter(|c| !c.is_whitespace()).collect();
    let n = chars.len().max(1);
    let size = (r * 0.27).min(2.0 * PI * r * 0.55 / n as f32);
    let rt = r - ring * 1.6 - size * 0.55;
    let span = if n > 1 {
        ((n - 1) as f32 * 0.42).min(PI * 1.28)
    } else {
        0.0
    };
    let step = if n > 1 { span / (n - 1) as f32 } else { 0.0 };
    for (i, &c) in chars.iter().enumerate() {
        let phi = tilt - span / 2.0 + i as f32 * step;
        let (gx, gy) = (rt * phi.sin(), -rt * phi.cos());
        glyph_centred(fonts, &mut m, Face::SongBold, c, size, 0.78, phi, gx, gy);
    }
    // Label under the star.
    let label: Vec<char> = seal.label.chars().filter(|c| !c.is_whitespace()).collect();
    if !label.is_empty() {
        let ls = (r * 0.17).min(r * 1.1 / label.len() as f32);
        let total = ls * 0.85 * label.len() as f32;
        for (i, &c) in label.iter().enumerate() {
            let gx = -total / 2.0 + (i as f32 + 0.5) * ls * 0.85;
            glyph_centred(
                fonts,
                &mut m,
                Face::SongBold,
                c,
                ls,
                0.85,
                tilt,
                gx * tilt.cos(),
                r * 0.55 + gx * tilt.sin(),
            );
        }
    }
    // Uneven ink: a soft pressure field and speckled dropouts.
    let field = ValueNoise::new(rng.gen(), m.width as f32, m.height as f32, 6.0 * ppm);
    let fine = ValueNoise::new(rng.gen(), m.width as f32, m.height as f32, 0.5 * ppm);
    let density: f32 = rng.gen_range(0.62..0.85);
    let (ox, oy) = (cx.round() as i32, cy.round() as i32);
    let lean = rng.gen_range(-1.0f32..1.0);
    canvas.blend_with(&m, ox, oy, SEAL_RED, |x, y, v| {
        let fx = (x - ox - m.left) as f32;
        let fy = (y - oy - m.top) as f32;
        // One side of the seal pressed harder.
        let side = 1.0 + 0.15 * lean * (fx - rad as f32) / rad as f32;
        let p = (0.55 + 0.6 * field.at(fx, fy)) * side;
        let speck = if fine.at(fx, fy) < 0.12 { 0.5 } else { 1.0 };
        (v as f32 * density * p.min(1.0) * speck) as u32
    });
}

/// Presses a red fingerprint (an oval of ridges, ~12×16 mm) centred at (cx, cy) px.
pub fn fingerprint(canvas: &mut Canvas, cx: f32, cy: f32, ppm: f32, rng: &mut ChaCha8Rng) {
    let rx = 6.0 * ppm * rng.gen_range(0.9..1.1);
    let ry = 8.0 * ppm * rng.gen_range(0.9..1.1);
    let rad = ry.max(rx).ceil() as i32 + 2;
    let mut m = mask(rad);
    let tilt: f32 = rng.gen_range(-0.5..0.5);
    let (st, ct) = tilt.sin_cos();
    let period = 0.48 * ppm; // ridge spacing ~0.48 mm
    let core = (rng.gen_range(-0.2..0.2) * rx, rng.gen_range(-0.1..0.3) * ry);
    let warp = ValueNoise::new(rng.gen(), m.width as f32, m.height as f32, 2.0 * ppm);
    let press = ValueNoise::new(rng.gen(), m.width as f32, m.height as f32, 3.5 * ppm);
    let w = m.width as i32;
    for y in -rad..=rad {
        for x in -rad..=rad {
            let (xf, yf) = (x as f32, y as f32);
            // Rotate into the finger's frame.
            let u = ct * xf + st * yf;
            let v = -st * xf + ct * yf;
            let e = (u / rx).powi(2) + (v / ry).powi(2);
            if e > 1.0 {
                continue;
            }
            let (mx, my) = ((x + rad) as f32, (y + rad) as f32);
            // A loop pattern: elliptic rings around the core, warped.
            let du = u - core.0;
            let dv = (v - core.1) * 0.8;
            let dist = (du * du + dv * dv).sqrt() + 0.35 * du.abs().min(rx) * (dv.min(0.0) / ry);
            let phase =
                dist / period + 4.0 * warp.at(mx, my) + 0.8 * (du / rx * 2.5).sin() * (dv / ry);
            let ridge = 0.5 + 0.5 * (2.0 * PI * phase).cos();
            let edge = ((1.0 - e) * 8.0).min(1.0);
            let p = (press.at(mx, my) * 1.4 - 0.1).clamp(0.0, 1.0);
            let a = (ridge * 2.2 - 0.7).clamp(0.0, 1.0) * edge * (0.45 + 0.55 * p);
            m.data[((y + rad) * w + x + rad) as usize] = (a * 255.0) as u8;
        }
    }
    canvas.blend(
        &m,
        cx.round() as i32,
        cy.round() as i32,
        PRINT_RED,
        256,
        rng.gen_range(170..235),
    );
}

/// What a photo shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoKind {
    /// A shop interior or storefront (site photos).
    Scene,
    /// A copy of an identity card.
    IdCard,
    /// A copy of a certificate or licence (营业执照 …).
    Document,
}

/// Caption words that say what a photo shows; the first match wins.
const PHOTO_KINDS: [(&str, PhotoKind); 6] = [
    ("身份证", PhotoKind::IdCard),
    ("执法证", PhotoKind::IdCard),
    ("营业执照", PhotoKind::Document),
    ("许可证", PhotoKind::Document),
    ("证书", PhotoKind::Document),
    ("复印件", PhotoKind::Document),
];

impl PhotoKind {
    pub fn from_caption(caption: &str) -> PhotoKind {
        PHOTO_KINDS
            .iter()
            .find(|(w, _)| caption.contains(w))
            .map_or(PhotoKind::Scene, |&(_, k)| k)
    }
}

/// An RGB painter over a photo buffer.
struct Paint<'a> {
    buf: &'a mut [u8],
    w: usize,
    h: usize,
}

impl Paint<'_> {
    fn rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, c: [u8; 3]) {
        let xa = x0.max(0.0) as usize;
        let xb = (x1.max(0.0) as usize).min(self.w);
        let ya = y0.max(0.0) as usize;
        let yb = (y1.max(0.0) as usize).min(self.h);
        for y in ya..yb {
            for x in xa..xb {
                let i = (y * self.w + x) * 3;
                self.buf[i..i + 3].copy_from_slice(&c);
            }
        }
    }
    fn ellipse(&mut self, cx: f32, cy: f32, rx: f32, ry: f32, c: [u8; 3]) {
        let ya = (cy - ry).max(0.0) as usize;
        let yb = ((cy + ry).max(0.0) as usize).min(self.h);
        for y in ya..yb {
            let v = (y as f32 - cy) / ry;
            let half = rx * (1.0 - v * v).max(0.0).sqrt();
            self.rect(cx - half, y as f32, cx + half, y as f32 + 1.0, c);
        }
    }
    fn ring(&mut self, cx: f32, cy: f32, r: f32, width: f32, c: [u8; 3]) {
        let ya = (cy - r).max(0.0) as usize;
        let yb = ((cy + r).max(0.0) as usize).min(self.h);
        let xa = (cx - r).max(0.0) as usize;
        let xb = ((cx + r).max(0.0) as usize).min(self.w);
        for y in ya..yb {
            for x in xa..xb {
                let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
                if (d - r + width / 2.0).abs() < width / 2.0 {
                    let i = (y * self.w + x) * 3;
                    self.buf[i..i + 3].copy_from_slice(&c);
                }
            }
        }
    }
    /// A line of "text": short dark bars like characters at a distance.
    fn text_bars(&mut self, x: f32, y: f32, len: f32, size: f32, c: [u8; 3], rng: &mut ChaCha8Rng) {
        let mut px = x;
        while px < x + len {
            let cw = size * rng.gen_range(0.7..0.95);
            self.rect(px, y, px + cw, y + size * rng.gen_range(0.75..0.95), c);
            px += size * 1.05;
        }
    }
    fn grain(&mut self, amp: f32, rng: &mut ChaCha8Rng) {
        let mut g = Fast::new(rng.gen());
        for p in self.buf.chunks_mut(3) {
            let n = (g.f() - 0.5) * amp;
            for v in p {
                *v = (*v as f32 + n).clamp(0.0, 255.0) as u8;
            }
        }
    }
}

/// A photocopy of an identity card: the card with a portrait and text lines.
fn id_card(w: u32, h: u32, rng: &mut ChaCha8Rng) -> Vec<u8> {
    let (wf, hf) = (w as f32, h as f32);
    let mut buf = vec![0u8; (w * h * 3) as usize];
    let mut p = Paint {
        buf: &mut buf,
        w: w as usize,
        h: h as usize,
    };
    p.rect(0.0, 0.0, wf, hf, [236, 236, 232]);
    // The card, 85.6 × 54 proportions, as large as fits.
    let cw = (wf * 0.86).min(hf * 0.86 * 85.6 / 54.0);
    let ch = cw * 54.0 / 85.6;
    let (x0, y0) = ((wf - cw) / 2.0, (hf - ch) / 2.0);
    p.rect(x0, y0, x0 + cw, y0 + ch, [206, 214, 222]);
    p.rect(x0, y0 + ch * 0.55, x0 + cw, y0 + ch, [214, 220, 214]);
    // Portrait: head and shoulders on the right.
    let (px, py) = (x0 + cw * 0.78, y0 + ch * 0.42);
    p.rect(
        px - cw * 0.14,
        y0 + ch * 0.1,
        px + cw * 0.14,
        y0 + ch * 0.78,
        [226, 228, 230],
    );
    p.ellipse(px, y0 + ch * 0.68, cw * 0.12, ch * 0.16, [70, 70, 80]);
    p.ellipse(px, py, cw * 0.07, ch * 0.16, [150, 125, 110]);
    p.ellipse(px, py - ch * 0.11, cw * 0.075, ch * 0.08, [40, 35, 35]);
    // Text lines on the left and the long number at the bottom.
    let s = ch * 0.06;
    for (i, frac) in [0.35f32, 0.45, 0.55, 0.5, 0.42].iter().enumerate() {
        let y = y0 + ch * (0.1 + 0.12 * i as f32);
        p.text_bars(x0 + cw * 0.06, y, cw * frac, s, [60, 60, 70], rng);
    }
    p.text_bars(
        x0 + cw * 0.3,
        y0 + ch * 0.84,
        cw * 0.55,
        s * 1.1,
        [30, 30, 40],
        rng,
    );
    p.grain(16.0, rng);
    buf
}

/// A photocopy of a certificate: double frame, title, text, a red seal.
fn document_copy(w: u32, h: u32, rng: &mut ChaCha8Rng) -> Vec<u8> {
    let (wf, hf) = (w as f32, h as f32);
    let mut buf = vec![0u8; (w * h * 3) as usize];
    let mut p = Paint {
        buf: &mut buf,
        w: w as usize,
        h: h as usize,
    };
    p.rect(0.0, 0.0, wf, hf, [238, 234, 222]);
    let m = wf.min(hf) * 0.05;
    let frame = [150, 110, 60];
    for (k, t) in [(1.0f32, 0.012f32), (2.0, 0.004)] {
        let d = m * k;
        let lw = wf.min(hf) * t;
        p.rect(d, d, wf - d, d + lw, frame);
        p.rect(d, hf - d - lw, wf - d, hf - d, frame);
        p.rect(d, d, d + lw, hf - d, frame);
        p.rect(wf - d - lw, d, wf - d, hf - d, frame);
    }
    let s = hf * 0.035;
    p.text_bars(wf * 0.38, hf * 0.12, wf * 0.24, s * 2.0, [170, 40, 40], rng);
    for i in 0..7 {
        let y = hf * (0.3 + 0.08 * i as f32);
        p.text_bars(wf * 0.12, y, wf * 0.16, s, [50, 50, 50], rng);
        p.text_bars(
            wf * 0.32,
            y,
            wf * rng.gen_range(0.2..0.5),
            s,
            [70, 70, 70],
            rng,
        );
    }
    // A QR-like block and the issuing seal.
    let q = hf * 0.16;
    let (qx, qy) = (wf * 0.1, hf * 0.75);
    let cell = q / 9.0;
    for i in 0..9 {
        for j in 0..9 {
            if rng.gen_bool(0.5) {
                p.rect(
                    qx + i as f32 * cell,
                    qy + j as f32 * cell,
                    qx + (i + 1) as f32 * cell,
                    qy + (j + 1) as f32 * cell,
                    [30, 30, 30],
                );
            }
        }
    }
    let r = hf * 0.13;
    p.ring(wf * 0.75, hf * 0.78, r, r * 0.08, [210, 60, 60]);
    p.ellipse(wf * 0.75, hf * 0.78, r * 0.2, r * 0.2, [210, 60, 60]);
    p.grain(14.0, rng);
    buf
}

/// Paints a procedural photo of `kind` into the rectangle (x, y, w, h) px,
/// with a thin border.
pub fn photo(
    canvas: &mut Canvas,
    kind: PhotoKind,
    (x0, y0, w, h): (u32, u32, u32, u32),
    rng: &mut ChaCha8Rng,
) {
    let w = w.min(canvas.width.saturating_sub(x0));
    let h = h.min(canvas.height.saturating_sub(y0));
    if w < 16 || h < 16 {
        return;
    }
    let mut buf = match kind {
        PhotoKind::Scene => shop_scene(w, h, rng),
        PhotoKind::IdCard => id_card(w, h, rng),
        PhotoKind::Document => document_copy(w, h, rng),
    };
    let (wf, hf) = (w as f32, h as f32);
    // Lens softness: two box blur passes of radius ~0.12 mm.
    let r = ((w as f32 / 1200.0).round() as usize).max(1);
    for _ in 0..2 {
        box_blur_rgb(&mut buf, w as usize, h as usize, r);
    }
    for py in 0..h {
        for px in 0..w {
            let i = ((py * w + px) * 3) as usize;
            canvas.put(x0 + px, y0 + py, [buf[i], buf[i + 1], buf[i + 2]]);
        }
    }
    // Border.
    let (xa, ya) = (x0 as f32, y0 as f32);
    let (xb, yb) = (xa + wf, ya + hf);
    for (a, b, c, d) in [
        (xa, ya, xb, ya + 2.0),
        (xa, yb - 2.0, xb, yb),
        (xa, ya, xa + 2.0, yb),
        (xb - 2.0, ya, xb, yb),
    ] {
        canvas.fill_rect(a, b, c, d, [40, 40, 40], 200);
    }
}

/// A shop interior with shelves and goods, or a storefront, as RGB.
fn shop_scene(w: u32, h: u32, rng: &mut ChaCha8Rng) -> Vec<u8> {
    let (wf, hf) = (w as f32, h as f32);
    let wall: [f32; 3] = [
        rng.gen_range(150.0..220.0),
        rng.gen_range(140.0..210.0),
        rng.gen_range(120.0..200.0),
    ];
    let storefront = rng.gen_bool(0.35);
    // Shelves: horizontal bands; goods: boxes with colours.
    let shelves = rng.gen_range(3..6);
    let shelf_top = if storefront { hf * 0.38 } else { hf * 0.08 };
    let shelf_bottom = hf * 0.86;
    let pitch = (shelf_bottom - shelf_top) / shelves as f32;
    let mut goods: Vec<(f32, f32, f32, f32, [f32; 3])> = Vec::new();
    for s in 0..shelves {
        let base = shelf_top + (s + 1) as f32 * pitch - pitch * 0.1;
        let mut gx = wf * rng.gen_range(0.02..0.08);
        let x_end = if storefront { wf * 0.7 } else { wf * 0.97 };
        while gx < x_end {
            let gw = wf * rng.gen_range(0.025..0.07);
            let gh = pitch * rng.gen_range(0.45..0.85);
            let col = [
                rng.gen_range(30.0..250.0),
                rng.gen_range(30.0..240.0),
                rng.gen_range(30.0..240.0),
            ];
            let n = rng.gen_range(1..5);
            for k in 0..n {
                goods.push((gx + k as f32 * gw, base - gh, gw * 0.94, gh, col));
            }
            gx += gw * n as f32 + wf * rng.gen_range(0.0..0.02);
        }
    }
    let noise = ValueNoise::new(rng.gen(), wf, hf, hf * 0.15);
    let strokes = ValueNoise::new(rng.gen(), wf, hf, hf * 0.018);
    let mut grain = Fast::new(rng.gen());
    let light_x = rng.gen_range(0.2..0.8) * wf;
    let sign: [f32; 3] = [
        rng.gen_range(150.0..230.0),
        rng.gen_range(20.0..90.0),
        rng.gen_range(20.0..90.0),
    ];
    // Goods sorted by row so that each pixel checks only its shelf's goods.
    let per_shelf: Vec<Vec<usize>> = (0..shelves)
        .map(|s| {
            let base = shelf_top + (s + 1) as f32 * pitch;
            goods
                .iter()
                .enumerate()
                .filter(|(_, g)| g.1 + g.3 <= base + 1.0 && g.1 + g.3 > base - pitch)
                .map(|(i, _)| i)
                .collect()
        })
        .collect();
    // The camera is not quite level.
    let slope: f32 = rng.gen_range(-0.04..0.04);
    let mut buf = vec![0u8; (w * h * 3) as usize];
    for py in 0..h {
        for px in 0..w {
            let xf = px as f32;
            let yf = py as f32 + slope * (xf - wf / 2.0);
            let shelf = ((yf - shelf_top) / pitch).floor();
            let mut c = wall;
            let shade = 0.75 + 0.25 * noise.at(xf, yf);
            if storefront && yf < hf * 0.3 {
                // Shop sign band with a frame above the shelves (door/window).
                c = if yf > hf * 0.05 && yf < hf * 0.22 {
                    // Light blocks on the band: the shop's name.
                    let cell = hf * 0.13;
                    let (u, v) = ((xf - wf * 0.1) / cell, (yf - hf * 0.07) / cell);
                    let glyph = u > 0.0 && u < 5.8 && v > 0.0 && v < 1.0 && u.fract() < 0.8;
                    if glyph && strokes.at(xf, yf) > 0.45 {
                        [240.0, 235.0, 220.0]
                    } else {
                        sign
                    }
                } else {
                    [90.0, 90.0, 95.0]
                };
            } else if yf > shelf_bottom {
                c = [110.0, 100.0, 90.0]; // floor
            } else if shelf >= 0.0 && (shelf as usize) < shelves {
                let s = shelf as usize;
                let base = shelf_top + (s + 1) as f32 * pitch;
                if yf > base - pitch * 0.1 {
                    c = [150.0, 150.0, 155.0]; // shelf board
                    if yf > base - pitch * 0.03 {
                        c = [70.0, 70.0, 75.0];
                    }
                } else {
                    for &gi in &per_shelf[s] {
                        let g = &goods[gi];
                        if xf >= g.0 && xf < g.0 + g.2 && yf >= g.1 && yf < g.1 + g.3 {
                            let t = (xf - g.0) / g.2;
                            let hl = 0.8 + 0.35 * (1.0 - (2.0 * t - 1.0).powi(2));
                            c = [g.4[0] * hl, g.4[1] * hl, g.4[2] * hl];
                            // A label stripe.
                            let ty = (yf - g.1) / g.3;
                            if ty > 0.45 && ty < 0.62 {
                                c = [235.0, 235.0, 230.0];
                            }
                            break;
                        }
                    }
                }
            } else if storefront && xf > wf * 0.72 {
                c = [60.0, 70.0, 80.0]; // dark doorway
            }
            let lx = 1.0 - 0.25 * ((xf - light_x) / wf).abs();
            let vign = 1.0 - 0.3 * (((xf / wf - 0.5).powi(2) + (yf / hf - 0.5).powi(2)) * 2.0);
            let g = (grain.f() - 0.5) * 18.0;
            let k = shade * lx * vign;
            let px_c = [
                (c[0] * k + g).clamp(0.0, 255.0) as u8,
                (c[1] * k + g).clamp(0.0, 255.0) as u8,
                (c[2] * k + g).clamp(0.0, 255.0) as u8,
            ];
            let i = ((py * w + px) * 3) as usize;
            buf[i..i + 3].copy_from_slice(&px_c);
        }
    }
    buf
}

/// Box blur of radius `r` on an RGB buffer, rows then columns.
fn box_blur_rgb(buf: &mut [u8], w: usize, h: usize, r: usize) {
    let n = (2 * r + 1) as u32;
    let mut line = vec![0u8; w.max(h) * 3];
    for y in 0..h {
        line[..w * 3].copy_from_slice(&buf[y * w * 3..(y + 1) * w * 3]);
        for x in 0..w {
            for k in 0..3 {
                let mut s = 0u32;
                for d in 0..n as usize {
                    let xx = (x + d).saturating_sub(r).min(w - 1);
                    s += line[xx * 3 + k] as u32;
                }
                buf[(y * w + x) * 3 + k] = (s / n) as u8;
            }
        }
    }
    for x in 0..w {
        for y in 0..h {
            line[y * 3..y * 3 + 3].copy_from_slice(&buf[(y * w + x) * 3..(y * w + x) * 3 + 3]);
        }
        for y in 0..h {
            for k in 0..3 {
                let mut s = 0u32;
                for d in 0..n as usize {
                    let yy = (y + d).saturating_sub(r).min(h - 1);
                    s += line[yy * 3 + k] as u32;
                }
                buf[(y * w + x) * 3 + k] = (s / n) as u8;
            }
        }
    }
}
