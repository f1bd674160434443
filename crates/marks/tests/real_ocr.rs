//! Signature places found from the labels that PP-OCR really reads on
//! rendered pages (its boxes are padded, merge a label with the handwriting
//! beside it, and overlap the lines above and below), signed and unsigned:
//! the seized-items list (labels at line ends, one row over the next), the
//! decision approval form (a 签名： footer in a table cell above a date), the
//! service receipt (a label cell with the signature in the cell to its
//! right), and seal and date on the penalty notice.
//!
//! Needs `third_party/` (run `bash scripts/setup.sh`).

mod common;

use anjuan_core::marks::{PageMarks, SignatureSlot};
use anjuan_gen::defects::Defect;
use anjuan_gen::KindChoice;
use anjuan_ocr::{create_engine, read_page, EngineKind, OcrEngine};
use anjuan_paper::model::RenderedPage;
use common::page;
use std::sync::{Mutex, OnceLock};

fn engine() -> &'static Mutex<Box<dyn OcrEngine>> {
    static E: OnceLock<Mutex<Box<dyn OcrEngine>>> = OnceLock::new();
    E.get_or_init(|| {
        let tp = anjuan_core::paths::third_party_dir()
            .expect("third_party/ not found: run `bash scripts/setup.sh`");
        Mutex::new(create_engine(EngineKind::PpOcr, &tp).expect("PP-OCR engine"))
    })
}

/// The page OCR'd as the scan reads it, and its marks.
fn marks(page: &RenderedPage) -> PageMarks {
    let read = {
        let mut e = engine().lock().unwrap();
        read_page(e.as_mut(), &page.image).expect("OCR")
    };
    let red = anjuan_marks::red_plane(&page.image)
        .map(|r| anjuan_marks::upright(r, read.rotation, read.skew_deg));
    anjuan_marks::find_marks(&read.image, red.as_ref(), &read.text.lines, page.dpi)
}

fn slots<'a>(m: &'a PageMarks, kind: &str) -> Vec<&'a SignatureSlot> {
    let s: Vec<_> = m.signatures.iter().filter(|s| s.kind == kind).collect();
    assert!(!s.is_empty(), "no {kind} slot among {:#?}", m.signatures);
    s
}

#[test]
fn items_list_party_slot_is_its_own_row() {
    for gray in [false, true] {
        let signed = marks(&page(
            KindChoice::Coercion,
            21,
            &[],
            "seized_items_list",
            0,
            gray,
        ));
        let party = slots(&signed, "party");
        assert!(party.iter().all(|s| s.signed), "gray={gray}: {party:#?}");
        // The officers sign on the row below; the party's place holds none
        // of their names.
        let officer = slots(&signed, "officer");
        assert!(
            officer.iter().all(|s| s.signed),
            "gray={gray}: {officer:#?}"
        );
        for p in &party {
            assert!(
                p.area[3] <= officer[0].label_bbox[1] + 10,
                "{p:?} vs {officer:?}"
            );
        }

        let unsigned = marks(&page(
            KindChoice::Coercion,
            21,
            &[Defect::ItemsListUnsigned],
            "seized_items_list",
            0,
            gray,
        ));
        let party = slots(&unsigned, "party");
        assert!(
            party.iter().all(|s| !s.signed && s.confidence >= 0.5),
            "gray={gray}: {party:#?}"
        );
        assert!(slots(&unsigned, "officer").iter().all(|s| s.signed));
    }
}

#[test]
fn approval_head_signature_in_its_cell_above_the_date() {
    let head = |m: &PageMarks| -> Vec<SignatureSlot> {
        // The head's row is the last 签名： on the form.
        let mut s: Vec<SignatureSlot> = m
            .signatures
            .iter()
            .filter(|s| s.label.starts_with("签名"))
            .cloned()
            .collect();
        s.sort_by_key(|s| s.label_bbox[1]);
        assert!(s.len() >= 2, "{:#?}", m.signatures);
        s
    };
    let signed = head(&marks(&page(
        KindChoice::Penalty,
        22,
        &[],
        "penalty_decision_approval",
        0,
        false,
    )));
    assert!(signed.iter().all(|s| s.signed), "{signed:#?}");
    let blank = head(&marks(&page(
        KindChoice::Penalty,
        22,
        &[Defect::ApprovalNoHeadSign],
        "penalty_decision_approval",
        0,
        true,
    )));
    let (last, others) = blank.split_last().unwrap();
    assert!(!last.signed, "{last:?}");
    assert!(others.iter().all(|s| s.signed), "{others:#?}");
}

#[test]
fn service_receipt_signature_in_the_cell_right_of_its_label() {
    for gray in [false, true] {
        let signed = marks(&page(
            KindChoice::Penalty,
            23,
            &[],
            "service_receipt",
            0,
            gray,
        ));
        let r = slots(&signed, "recipient");
        assert!(r.iter().all(|s| s.signed), "gray={gray}: {r:#?}");
        // The place is the next cell, not the rest of the label's own.
        assert!(r[0].area[0] > r[0].label_bbox[2], "{r:?}");
        assert!(slots(&signed, "server").iter().all(|s| s.signed));
        let unsigned = marks(&page(
            KindChoice::Penalty,
            23,
            &[Defect::ServiceReceiptUnsigned],
            "service_receipt",
            0,
            gray,
        ));
        let r = slots(&unsigned, "recipient");
        assert!(r.iter().all(|s| !s.signed), "gray={gray}: {r:#?}");
        assert!(slots(&unsigned, "server").iter().all(|s| s.signed));
    }
}

#[test]
fn notice_seal_found_with_real_ocr_and_missing_without() {
    for gray in [false, true] {
        let sealed = marks(&page(
            KindChoice::Penalty,
            24,
            &[],
            "penalty_notice",
            0,
            gray,
        ));
        assert_eq!(sealed.seals.len(), 1, "gray={gray}: {:?}", sealed.seals);
        let unsealed = marks(&page(
            KindChoice::Penalty,
            24,
            &[Defect::NoticeNoSeal],
            "penalty_notice",
            0,
            gray,
        ));
        assert!(
            unsealed.seals.is_empty(),
            "gray={gray}: {:?}",
            unsealed.seals
        );
    }
}
