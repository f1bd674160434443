//! A folder of page images (JPEG, PNG, TIFF) read as one dossier.

use crate::{ImageOrigin, IngestError, IngestOptions, PageContent, PageImage, PageReader};
use std::path::{Path, PathBuf};

pub(crate) struct ImageFolderReader {
    files: Vec<PathBuf>,
    options: IngestOptions,
}

impl ImageFolderReader {
    pub(crate) fn open(
        dir: &Path,
        files: &[PathBuf],
        options: &IngestOptions,
    ) -> Result<Self, IngestError> {
        if files.is_empty() {
            return Err(IngestError::new(dir, "folder has no page images"));
        }
        Ok(ImageFolderReader {
            files: files.to_vec(),
            options: options.clone(),
        })
    }
}

impl PageReader for ImageFolderReader {
    fn page_count(&self) -> u32 {
        self.files.len() as u32
    }

    fn read_page(&mut self, index: u32) -> Result<PageContent, IngestError> {
        let path = self
            .files
            .get(index as usize)
            .ok_or_else(|| IngestError::on_page(Path::new(""), index + 1, "no such page"))?;
        let page = index + 1;
        let err = |problem: String| IngestError::on_page(path, page, problem);
        let bytes = std::fs::read(path).map_err(|e| err(format!("cannot read: {e}")))?;
        if bytes.is_empty() {
            return Err(err("empty file (0 bytes)".into()));
        }
        let reader = || {
            image::ImageReader::new(std::io::Cursor::new(&bytes))
                .with_guessed_format()
                .map_err(|e| err(format!("unreadable image: {e}")))
        };
        // The header's size first: a page too big is refused before any
        // pixel is decoded, with a message that says so.
        let (w, h) = reader()?
            .into_dimensions()
            .map_err(|e| err(format!("unreadable image: {e}")))?;
        let refused = self.options.refuse_size("the image", w as u64, h as u64);
        if let Some(problem) = refused.or_else(|| crate::not_a_page(w as u64, h as u64)) {
            return Err(err(problem));
        }
        let mut decoder = reader()?;
        decoder.limits(self.options.image_limits());
        let image = decoder
            .decode()
            .map_err(|e| err(format!("unreadable image: {e}")))?;
        let dpi = image_dpi(&bytes).unwrap_or(self.options.default_image_dpi);
        Ok(PageContent::Image(PageImage {
            image,
            dpi,
            origin: ImageOrigin::File,
        }))
    }
}

/// The horizontal resolution an image file records (JFIF, PNG pHYs, TIFF), in dots per inch.
pub(crate) fn image_dpi(bytes: &[u8]) -> Option<u32> {
    let dpi = if bytes.starts_with(&[0xFF, 0xD8]) {
        jfif_dpi(bytes)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_dpi(bytes)
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        tiff_dpi(bytes)
    } else {
        None
    }?;
    // Resolutions outside this range are placeholders (72, 1) or nonsense.
    (100.0..=1200.0).contains(&dpi).then(|| dpi.round() as u32)
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn jfif_dpi(b: &[u8]) -> Option<f64> {
    let mut at = 2;
    // Walk the markers before the image data looking for APP0 "JFIF".
    while at + 4 <= b.len() && b[at] == 0xFF {
        let marker = b[at + 1];
        let len = be16(b, at + 2)? as usize;
        if marker == 0xE0 && b.get(at + 4..at + 9) == Some(b"JFIF\0") {
            let units = *b.get(at + 11)?;
            let x = be16(b, at + 12)? as f64;
            return match units {
                1 => Some(x),
                2 => Some(x * 2.54),
                _ => None,
            };
        }
        if marker == 0xDA {
            break;
        }
        at += 2 + len;
    }
    None
}

fn png_dpi(b: &[u8]) -> Option<f64> {
    let mut at = 8;
    while at + 8 <= b.len() {
        let len = be32(b, at)? as usize;
        let kind = b.get(at + 4..at + 8)?;
        if kind == b"pHYs" {
            let x = be32(b, at + 8)? as f64;
            let unit = *b.get(at + 16)?;
            return (unit == 1).then_some(x * 0.0254);
        }
        if kind == b"IDAT" {
            break;
        }
        at += 12 + len;
    }
    None
}

fn tiff_dpi(b: &[u8]) -> Option<f64> {
    use tiff::tags::Tag;
    let mut dec = tiff::decoder::Decoder::new(std::io::Cursor::new(b)).ok()?;
    let x = match dec.get_tag(Tag::XResolution).ok()? {
        tiff::decoder::ifd::Value::Rational(n, d) if d != 0 => n as f64 / d as f64,
        v => v.into_f64().ok()?,
    };
    // ResolutionUnit: 1 none, 2 inch (the default), 3 centimetre.
    match dec.get_tag_u32(Tag::ResolutionUnit).unwrap_or(2) {
        3 => Some(x * 2.54),
        1 => None,
        _ => Some(x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, ImageEncoder, Luma};

    #[test]
    fn png_resolution_is_read_from_phys() {
        let img = GrayImage::from_pixel(8, 8, Luma([200]));
        let mut plain = Vec::new();
        image::codecs::png::PngEncoder::new(&mut plain)
            .write_image(img.as_raw(), 8, 8, image::ExtendedColorType::L8)
            .unwrap();
        assert_eq!(image_dpi(&plain), None);
        // Insert a pHYs chunk of 11811 px/m (300 dpi) after IHDR.
        let ihdr_end = 8 + 12 + 13;
        let mut chunk = Vec::new();
        chunk.extend_from_slice(&9u32.to_be_bytes());
        let mut body = b"pHYs".to_vec();
        body.extend_from_slice(&11811u32.to_be_bytes());
        body.extend_from_slice(&11811u32.to_be_bytes());
        body.push(1);
        chunk.extend_from_slice(&body);
        chunk.extend_from_slice(&[0, 0, 0, 0]); // CRC is not checked by the reader
        let mut with = plain[..ihdr_end].to_vec();
        with.extend_from_slice(&chunk);
        with.extend_from_slice(&plain[ihdr_end..]);
        assert_eq!(image_dpi(&with), Some(300));
    }

    #[test]
    fn jpeg_resolution_is_read_from_jfif() {
        let img = GrayImage::from_pixel(8, 8, Luma([200]));
        let mut jpg = Vec::new();
        let mut enc = image::codecs::jpeg::JpegEncoder::new(&mut jpg);
        enc.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(200));
        enc.encode_image(&img).unwrap();
        assert_eq!(image_dpi(&jpg), Some(200));
    }
}
