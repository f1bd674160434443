//! Grayscale resampling for the networks' inputs (page → detector size, line
//! crops → 48 px high), with `fast_image_resize`'s SIMD convolution.

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::GrayImage;

/// `img` resampled to `width` × `height` with a bilinear (triangle) filter whose
/// support widens with the scale factor, as `image`'s `FilterType::Triangle`.
pub fn resize(img: &GrayImage, width: u32, height: u32) -> GrayImage {
    let (width, height) = (width.max(1), height.max(1));
    if img.dimensions() == (width, height) {
        return img.clone();
    }
    let mut out = GrayImage::new(width, height);
    if img.width() == 0 || img.height() == 0 {
        return out;
    }
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    Resizer::new()
        .resize(img, &mut out, &options)
        .expect("a Luma<u8> buffer into a Luma<u8> buffer of the stated size");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::imageops::{self, FilterType as ImageFilter};
    use image::Luma;

    /// Strokes and gradients; the two resamplers may differ by rounding only.
    #[test]
    fn matches_the_image_crates_triangle_filter() {
        let img = GrayImage::from_fn(1700, 2300, |x, y| {
            let stroke = (x / 7 + y / 11) % 5 == 0 || (x * 3 + y) % 97 < 4;
            Luma([if stroke {
                20
            } else {
                (180 + (x + y) % 70) as u8
            }])
        });
        for (w, h) in [(906, 1280), (362, 512), (40, 48), (1700, 2300)] {
            let ours = resize(&img, w, h);
            let theirs = imageops::resize(&img, w, h, ImageFilter::Triangle);
            assert_eq!(ours.dimensions(), (w, h));
            let worst = ours
                .as_raw()
                .iter()
                .zip(theirs.as_raw())
                .map(|(a, b)| a.abs_diff(*b))
                .max()
                .unwrap_or(0);
            assert!(worst <= 2, "{w}x{h}: pixels differ by up to {worst}");
        }
    }
}
