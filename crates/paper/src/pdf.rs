//! Image-only PDFs, one full-page image per page, like a scanner writes them.

use crate::model::RenderedPage;
use image::DynamicImage;
use jpeg_encoder::{ColorType, Encoder};
use lopdf::{dictionary, Document, Object, Stream};

/// A page image encoded for the PDF (JPEG for colour and gray scans).
pub struct EncodedPage {
    pub width: u32,
    pub height: u32,
    pub dpi: u32,
    pub gray: bool,
    /// JPEG bytes (DCTDecode).
    pub jpeg: Vec<u8>,
}

/// JPEG quality for a scan's degradation: 85 for a clean scan down to 55
/// for a bad copy.
pub fn quality_for(degradation: f32) -> u8 {
    (85.0 - 30.0 * degradation.clamp(0.0, 1.0)).round() as u8
}

/// Encodes a rendered page (JPEG quality from its degradation, normally
/// `page.jpeg_quality`) so that the raster can be dropped at once.
pub fn encode_page(page: &RenderedPage, quality: u8) -> EncodedPage {
    let quality = quality.clamp(1, 100);
    let mut jpeg = Vec::new();
    let (width, height) = (page.image.width(), page.image.height());
    let gray = matches!(page.image, DynamicImage::ImageLuma8(_));
    let rgb;
    let (data, color) = match &page.image {
        DynamicImage::ImageLuma8(g) => (g.as_raw().as_slice(), ColorType::Luma),
        DynamicImage::ImageRgb8(c) => (c.as_raw().as_slice(), ColorType::Rgb),
        other => {
            rgb = other.to_rgb8();
            (rgb.as_raw().as_slice(), ColorType::Rgb)
        }
    };
    // jpeg-encoder (its scalar code, so that the bytes do not depend on the
    // CPU's SIMD support) is several times faster than the `image` crate's.
    let enc = Encoder::new(&mut jpeg, quality);
    // Encoding an in-memory 8-bit raster of page size into a Vec cannot fail.
    enc.encode(data, width as u16, height as u16, color)
        .expect("JPEG encoding of an in-memory page");
    EncodedPage {
        width,
        height,
        dpi: page.dpi,
        gray,
        jpeg,
    }
}

/// Writes an image-only PDF; deterministic (same pages → same bytes).
pub fn write_pdf(pages: &[EncodedPage]) -> anyhow::Result<Vec<u8>> {
    anyhow::ensure!(!pages.is_empty(), "write_pdf: no pages");
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::with_capacity(pages.len());
    for (i, p) in pages.iter().enumerate() {
        anyhow::ensure!(
            p.dpi > 0 && p.width > 0 && p.height > 0,
            "write_pdf: page {} has no size",
            i + 1
        );
        let w_pt = p.width as f64 * 72.0 / p.dpi as f64;
        let h_pt = p.height as f64 * 72.0 / p.dpi as f64;
        let img = Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => p.width as i64,
                "Height" => p.height as i64,
                "ColorSpace" => if p.gray { "DeviceGray" } else { "DeviceRGB" },
                "BitsPerComponent" => 8,
                "Filter" => "DCTDecode",
            },
            p.jpeg.clone(),
        )
        .with_compression(false);
        let img_id = doc.add_object(img);
        let content = format!("q\n{w_pt:.4} 0 0 {h_pt:.4} 0 0 cm\n/Im0 Do\nQ\n");
        let content_id = doc
            .add_object(Stream::new(dictionary! {}, content.into_bytes()).with_compression(false));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(w_pt as f32), Object::Real(h_pt as f32)],
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => img_id } },
            "Contents" => content_id,
        });
        kids.push(Object::Reference(page_id));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}
