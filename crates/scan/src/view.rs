//! The page a reviewer looks at: the upright page the OCR read (turned and
//! deskewed as OCR turned it), so that evidence boxes land on the text they
//! cite. Written beside the page's text as `pages/NNNN.jpg`, at most
//! [`VIEW_WIDTH`] pixels wide; boxes scale by `width / ocr.size[0]`.

use image::codecs::jpeg::JpegEncoder;
use image::GrayImage;

/// Width of a page view: 150 dpi on A4, enough to read a signature.
pub const VIEW_WIDTH: u32 = 1240;

/// JPEG quality of a page view (gray): text stays sharp at a tenth of PNG's size.
const QUALITY: u8 = 72;

/// The view of an upright page image, JPEG-encoded; `None` for an image
/// JPEG cannot hold (a side over 65535 pixels after scaling).
pub fn page_view(upright: &GrayImage) -> Option<Vec<u8>> {
    let (w, h) = upright.dimensions();
    let small;
    let img = if w > VIEW_WIDTH {
        let nh = ((h as u64 * VIEW_WIDTH as u64) / w as u64).max(1) as u32;
        small = image::imageops::resize(
            upright,
            VIEW_WIDTH,
            nh,
            image::imageops::FilterType::Triangle,
        );
        &small
    } else {
        upright
    };
    let mut out = Vec::with_capacity(img.as_raw().len() / 8);
    JpegEncoder::new_with_quality(&mut out, QUALITY)
        .encode_image(img)
        .ok()?;
    Some(out)
}

/// `pages/0001.jpg` for page 1: the view beside `pages/0001.txt`.
pub fn view_file_name(page: u32) -> String {
    format!("pages/{page:04}.jpg")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_view_is_a_jpeg_scaled_to_the_view_width() {
        let page = GrayImage::from_fn(2480, 3508, |x, y| image::Luma([((x ^ y) & 0xff) as u8]));
        let bytes = page_view(&page).unwrap();
        let back = image::load_from_memory(&bytes).unwrap();
        assert_eq!((back.width(), back.height()), (1240, 1754));
        let small = GrayImage::from_pixel(600, 800, image::Luma([200]));
        let back = image::load_from_memory(&page_view(&small).unwrap()).unwrap();
        assert_eq!((back.width(), back.height()), (600, 800));
        // A strip JPEG cannot hold is no view, not a crash.
        assert!(page_view(&GrayImage::new(1, 70_000)).is_none());
    }
}
