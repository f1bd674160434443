//! The detectors on real generated pages: rendered by anjuan-paper from
//! anjuan-gen's documents with the scanner's artefacts (blur, paper tone,
//! noise, uneven light, JPEG-free), colour and grayscale, with and without the
//! defect that leaves a signature, fingerprint or seal out. The generator's
//! text lines (boxes, per-character split) stand in for OCR.

mod common;

use anjuan_core::marks::PageMarks;
use anjuan_gen::defects::Defect;
use anjuan_gen::KindChoice;
use anjuan_ocr::OcrLine;
use anjuan_paper::model::RenderedPage;

/// Page `nth` (0-based) of the first document of `doc_type` in a penalty
/// dossier with exactly `defects`, scanned upright at 200 DPI in colour or gray.
fn page(seed: u64, defects: &[Defect], doc_type: &str, nth: usize, gray: bool) -> RenderedPage {
    common::page(KindChoice::Penalty, seed, defects, doc_type, nth, gray)
}

fn lines(page: &RenderedPage) -> Vec<OcrLine> {
    page.lines
        .iter()
        .map(|l| OcrLine::evenly_split(&l.text, l.bbox, 1.0))
        .collect()
}

fn marks(page: &RenderedPage) -> PageMarks {
    anjuan_marks::find_marks_in(&page.image, &lines(page), page.dpi)
}

fn slot<'a>(m: &'a PageMarks, kind: &str) -> &'a anjuan_core::marks::SignatureSlot {
    m.signatures
        .iter()
        .find(|s| s.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} slot among {:#?}", m.signatures))
}

#[test]
fn interview_signed_and_fingerprinted_vs_left_unsigned() {
    for gray in [false, true] {
        let good = marks(&page(11, &[], "interview_record", 0, gray));
        assert_eq!(good.colour, !gray);
        let s = slot(&good, "interviewee");
        assert!(s.signed, "gray={gray}: {s:?}");
        assert!(s.confidence >= 0.6);
        assert_eq!(good.fingerprints.len(), 1, "gray={gray}: {good:?}");
        assert_eq!(good.fingerprints[0].red, !gray);
        // The print sits on the signature's row.
        let f = good.fingerprints[0].bbox;
        let cy = (f[1] + f[3]) / 2;
        assert!(
            cy >= s.area[1] && cy <= s.area[3] + 60,
            "{f:?} vs {:?}",
            s.area
        );

        let no_print = marks(&page(
            11,
            &[Defect::InterviewNoFingerprint],
            "interview_record",
            0,
            gray,
        ));
        assert!(
            no_print.fingerprints.is_empty(),
            "gray={gray}: {no_print:?}"
        );
        assert!(slot(&no_print, "interviewee").signed);
    }
}

#[test]
fn an_unsigned_interview_page_shows_an_empty_slot() {
    // The defect leaves one page unsigned; find which and compare.
    let unsigned: Vec<bool> = (0..2)
        .map(|nth| {
            let m = marks(&page(
                12,
                &[Defect::InterviewUnsignedPage],
                "interview_record",
                nth,
                false,
            ));
            !slot(&m, "interviewee").signed
        })
        .collect();
    assert_eq!(unsigned.iter().filter(|u| **u).count(), 1, "{unsigned:?}");
    let nth = unsigned.iter().position(|u| *u).unwrap();
    let m = marks(&page(
        12,
        &[Defect::InterviewUnsignedPage],
        "interview_record",
        nth,
        true,
    ));
    let s = slot(&m, "interviewee");
    assert!(!s.signed && s.confidence >= 0.5, "{s:?}");
    assert!(m.fingerprints.is_empty());
}

#[test]
fn notice_sealed_vs_unsealed_in_colour_and_gray() {
    for gray in [false, true] {
        let sealed = marks(&page(13, &[], "penalty_notice", 0, gray));
        assert_eq!(sealed.seals.len(), 1, "gray={gray}: {sealed:?}");
        let s = &sealed.seals[0];
        assert_eq!(s.red, !gray);
        // ~42 mm across at 200 DPI (≈ 331 px).
        let side = s.bbox[2] - s.bbox[0];
        assert!((280..=400).contains(&side), "{s:?}");
        // Grayscale seals are judged by shape alone: less sure.
        if gray {
            assert!(s.confidence < 0.75, "{s:?}");
        } else {
            assert!(s.confidence >= 0.8, "{s:?}");
        }
        let unsealed = marks(&page(
            13,
            &[Defect::NoticeNoSeal],
            "penalty_notice",
            0,
            gray,
        ));
        assert!(unsealed.seals.is_empty(), "gray={gray}: {unsealed:?}");
    }
}
