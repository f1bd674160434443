//! Builds small real PDFs for tests: scanned-image pages (JPEG or CCITT G4),
//! vector pages, and pages with a Chinese text layer.
#![allow(dead_code)]

use image::{GrayImage, Luma};
use lopdf::{dictionary, Document, Object, Stream};

/// A gray test scan: white with a black block in the top-left quarter
/// (x 10–25 %, y 10–20 %) and a thin black frame, so that position and
/// orientation can be checked.
pub fn test_scan(w: u32, h: u32) -> GrayImage {
    let mut img = GrayImage::from_pixel(w, h, Luma([255]));
    for y in h / 10..h / 5 {
        for x in w / 10..w / 4 {
            img.put_pixel(x, y, Luma([0]));
        }
    }
    for x in 0..w {
        img.put_pixel(x, 0, Luma([0]));
        img.put_pixel(x, h - 1, Luma([0]));
    }
    img
}

pub fn jpeg_bytes(img: &GrayImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .unwrap();
    out
}

/// CCITT Group 4 (K = -1) of a gray image thresholded at 128.
pub fn ccitt_g4_bytes(img: &GrayImage) -> Vec<u8> {
    let mut enc = fax::encoder::Encoder::new(fax::VecWriter::new());
    for y in 0..img.height() {
        let pels = (0..img.width()).map(|x| {
            if img.get_pixel(x, y)[0] < 128 {
                fax::Color::Black
            } else {
                fax::Color::White
            }
        });
        enc.encode_line(pels, img.width() as u16).unwrap();
    }
    enc.finish().unwrap().finish()
}

pub enum PageKind {
    /// A JPEG scan filling the page.
    Jpeg { bytes: Vec<u8>, w: u32, h: u32 },
    /// A CCITT G4 scan filling the page.
    Ccitt { bytes: Vec<u8>, w: u32, h: u32 },
    /// Raw content-stream operators (vector drawing).
    Vector(String),
    /// Chinese text lines (STSong-Light, UniGB-UCS2-H), 24 pt, from the top.
    Text(Vec<String>),
}

pub struct PageSpec {
    pub width_pt: f64,
    pub height_pt: f64,
    pub rotate: i64,
    pub kind: PageKind,
}

impl PageSpec {
    pub fn a4(kind: PageKind) -> Self {
        PageSpec {
            width_pt: 595.0,
            height_pt: 842.0,
            rotate: 0,
            kind,
        }
    }
}

fn ucs2_hex(s: &str) -> String {
    s.encode_utf16().map(|u| format!("{u:04X}")).collect()
}

pub fn build_pdf(pages: &[PageSpec]) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = {
        let descriptor = doc.add_object(dictionary! {
            "Type" => "FontDescriptor", "FontName" => "STSong-Light", "Flags" => 6,
            "FontBBox" => vec![(-25).into(), (-254).into(), 1000.into(), 880.into()],
            "ItalicAngle" => 0, "Ascent" => 880, "Descent" => -120, "CapHeight" => 880, "StemV" => 93,
        });
        let cid = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "CIDFontType0", "BaseFont" => "STSong-Light",
            "CIDSystemInfo" => dictionary! { "Registry" => Object::string_literal("Adobe"),
                "Ordering" => Object::string_literal("GB1"), "Supplement" => 2 },
            "FontDescriptor" => descriptor, "DW" => 1000,
        });
        doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "STSong-Light",
            "Encoding" => "UniGB-UCS2-H", "DescendantFonts" => vec![cid.into()],
        })
    };
    let mut kids = Vec::new();
    for p in pages {
        let (w, h) = (p.width_pt, p.height_pt);
        let mut resources = dictionary! {};
        let content = match &p.kind {
            PageKind::Jpeg {
                bytes,
                w: pw,
                h: ph,
            }
            | PageKind::Ccitt {
                bytes,
                w: pw,
                h: ph,
            } => {
                let mut d = dictionary! {
                    "Type" => "XObject", "Subtype" => "Image", "Width" => *pw as i64,
                    "Height" => *ph as i64, "ColorSpace" => "DeviceGray",
                };
                if matches!(p.kind, PageKind::Jpeg { .. }) {
                    d.set("BitsPerComponent", 8);
                    d.set("Filter", "DCTDecode");
                } else {
                    d.set("BitsPerComponent", 1);
                    d.set("Filter", "CCITTFaxDecode");
                    d.set(
                        "DecodeParms",
                        dictionary! { "K" => -1, "Columns" => *pw as i64, "Rows" => *ph as i64, "BlackIs1" => false },
                    );
                }
                let im = doc.add_object(Stream::new(d, bytes.clone()));
                resources.set("XObject", dictionary! { "Im0" => im });
                format!("q {w} 0 0 {h} 0 0 cm /Im0 Do Q")
            }
            PageKind::Vector(ops) => ops.clone(),
            PageKind::Text(lines) => {
                resources.set("Font", dictionary! { "F1" => font_id });
                let mut s = String::from("BT /F1 24 Tf ");
                for (i, line) in lines.iter().enumerate() {
                    let y = h - 72.0 - 36.0 * i as f64;
                    s.push_str(&format!("1 0 0 1 72 {y} Tm <{}> Tj ", ucs2_hex(line)));
                }
                s.push_str("ET");
                s
            }
        };
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let mut page = dictionary! {
            "Type" => "Page", "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), w.into(), h.into()],
            "Contents" => content_id, "Resources" => resources,
        };
        if p.rotate != 0 {
            page.set("Rotate", p.rotate);
        }
        kids.push(doc.add_object(page).into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}
