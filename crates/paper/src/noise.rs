//! Cheap deterministic noise for per-pixel effects (the ChaCha generator
//! seeds these; it would be too slow per pixel).

/// SplitMix64: a tiny fast generator for per-pixel noise.
#[derive(Debug, Clone)]
pub struct Fast(u64);

impl Fast {
    pub fn new(seed: u64) -> Fast {
        Fast(seed)
    }
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    #[inline]
    pub fn f(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// Smooth value noise: random values on a coarse grid, bilinearly interpolated.
#[derive(Debug, Clone)]
pub struct ValueNoise {
    gw: usize,
    gh: usize,
    cell: f32,
    v: Vec<f32>,
}

impl ValueNoise {
    /// Noise over a `w`×`h` area with features about `cell` units wide, values in [0, 1).
    pub fn new(seed: u64, w: f32, h: f32, cell: f32) -> ValueNoise {
        let cell = cell.max(1.0);
        let gw = (w / cell).ceil() as usize + 2;
        let gh = (h / cell).ceil() as usize + 2;
        let mut r = Fast::new(seed);
        let v = (0..gw * gh).map(|_| r.f()).collect();
        ValueNoise { gw, gh, cell, v }
    }

    #[inline]
    pub fn at(&self, x: f32, y: f32) -> f32 {
        let fx = (x / self.cell).max(0.0);
        let fy = (y / self.cell).max(0.0);
        let ix = (fx as usize).min(self.gw - 2);
        let iy = (fy as usize).min(self.gh - 2);
        let tx = (fx - ix as f32).min(1.0);
        let ty = (fy - iy as f32).min(1.0);
        // Smoothstep for softer cells.
        let tx = tx * tx * (3.0 - 2.0 * tx);
        let ty = ty * ty * (3.0 - 2.0 * ty);
        let i = iy * self.gw + ix;
        let a = self.v[i] + (self.v[i + 1] - self.v[i]) * tx;
        let b = self.v[i + self.gw] + (self.v[i + self.gw + 1] - self.v[i + self.gw]) * tx;
        a + (b - a) * ty
    }
}
