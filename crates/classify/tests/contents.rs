//! The contents table (卷内目录) and its reconciliation with the split, on the
//! lines and boxes PP-OCRv4 (through `anjuan scan`) read from two generated
//! contents pages: d4242-000 page 2 (300 dpi, penalty, 16 rows) and
//! d5101-001 page 2 (200 dpi, coercion, titled 卷内文件目录, one page cell
//! read as `?`). The documents come from the dossiers' ground truth.

use anjuan_classify::contents::{printed_ranges, read_table, reconcile};
use anjuan_classify::{ContentsDiscrepancy, PageClass, PageInput};
use anjuan_core::contract::DocumentEntry;
use anjuan_ocr::OcrLine;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct Fixture {
    width: u32,
    height: u32,
    lines: Vec<FixtureLine>,
}

#[derive(Deserialize)]
struct FixtureLine {
    text: String,
    bbox: [u32; 4],
}

fn dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn page(name: &str) -> (Vec<OcrLine>, u32, u32) {
    let text = std::fs::read_to_string(dir().join("tests/fixtures").join(name)).unwrap();
    let f: Fixture = serde_json::from_str(&text).unwrap();
    let lines = f
        .lines
        .into_iter()
        .map(|l| OcrLine {
            text: l.text,
            bbox: l.bbox,
            confidence: 0.99,
            words: Vec::new(),
        })
        .collect();
    (lines, f.width, f.height)
}

/// Pages (with printed numbers) and documents of a truth TSV: tab-separated
/// rows `page, n, doc_type, document, printed` and `doc, index, doc_type, first, last`.
fn truth(path: &Path) -> (Vec<PageClass>, Vec<DocumentEntry>) {
    let tsv = std::fs::read_to_string(path).unwrap();
    let mut pages = Vec::new();
    let mut docs = Vec::new();
    for row in tsv.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = row.split('\t').collect();
        match f[0] {
            "page" => pages.push(PageClass {
                doc_type: f[2].to_string(),
                document: f[3].parse().unwrap(),
                printed_page_number: f[4].parse().ok(),
                confidence: 1.0,
            }),
            "doc" => docs.push(DocumentEntry {
                index: f[1].parse().unwrap(),
                doc_type: f[2].to_string(),
                title: None,
                pages: [f[3].parse().unwrap(), f[4].parse().unwrap()],
                confidence: 1.0,
                date: None,
                number: None,
            }),
            other => panic!("unknown row kind {other}"),
        }
    }
    (pages, docs)
}

fn summary(
    e: &anjuan_classify::ContentsEntry,
) -> (Option<u32>, &str, Option<&str>, Option<[u32; 2]>) {
    (e.seq, e.title.as_str(), e.doc_type.as_deref(), e.pages)
}

#[test]
fn a_300_dpi_contents_page_reads_as_rows_with_and_without_boxes() {
    let (lines, w, h) = page("contents-d4242-000-p2.json");
    let input = PageInput {
        lines: &lines,
        width: w,
        height: h,
    };
    let entries = read_table(&[(2, &input)]);
    assert_eq!(entries.len(), 16);
    let seqs: Vec<Option<u32>> = entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=16).map(Some).collect::<Vec<_>>());
    assert_eq!(
        summary(&entries[0]),
        (
            Some(1),
            "立案审批表",
            Some("case_filing_approval"),
            Some([3, 3])
        )
    );
    assert_eq!(entries[0].date.as_deref(), Some("2022-09-30"));
    assert_eq!(entries[0].page, 2);
    let b = entries[0].bbox.unwrap();
    assert!(
        b[0] < 300 && b[2] > 1800 && b[1] > 600 && b[3] < 760,
        "{b:?}"
    );
    assert_eq!(
        summary(&entries[1]),
        (
            Some(2),
            "检查(勘验)笔录",
            Some("site_inspection_record"),
            Some([4, 4])
        )
    );
    assert_eq!(entries[2].pages, Some([5, 6]));
    assert_eq!(entries[2].doc_type.as_deref(), Some("evidence_photos"));
    assert_eq!(
        summary(&entries[4]),
        (
            Some(5),
            "营业执照复印件",
            Some("evidence_other"),
            Some([9, 9])
        )
    );
    assert_eq!(entries[11].pages, Some([16, 17]));
    assert_eq!(
        summary(&entries[15]),
        (Some(16), "备考表", Some("reference_sheet"), Some([21, 21]))
    );

    // The same lines in reading order without boxes (pages/*.txt).
    let blind = PageInput {
        lines: &lines,
        width: 0,
        height: 0,
    };
    let text_only = read_table(&[(2, &blind)]);
    let a: Vec<_> = entries.iter().map(summary).collect();
    let b: Vec<_> = text_only.iter().map(summary).collect();
    assert_eq!(a, b);
    assert!(text_only.iter().all(|e| e.bbox.is_none()));
}

#[test]
fn the_contents_agree_with_the_true_split_and_each_disagreement_is_named() {
    let (lines, w, h) = page("contents-d4242-000-p2.json");
    let input = PageInput {
        lines: &lines,
        width: w,
        height: h,
    };
    let (pages, docs) = truth(&dir().join("tests/fixtures/contents-d4242-000.truth.tsv"));
    let listed = read_table(&[(2, &input)]);

    let mut entries = listed.clone();
    let ranges = printed_ranges(&pages, &docs);
    assert_eq!(reconcile(&mut entries, &docs, &ranges), []);
    // Every row found its document, in order.
    let matched: Vec<Option<u32>> = entries.iter().map(|e| e.document).collect();
    assert_eq!(matched, (3..=18).map(Some).collect::<Vec<_>>());

    // The investigation report (document 8) is missing from the file.
    let fewer: Vec<DocumentEntry> = docs
        .iter()
        .filter(|d| d.doc_type != "investigation_report")
        .cloned()
        .collect();
    let mut entries = listed.clone();
    let ranges = printed_ranges(&pages, &fewer);
    assert_eq!(
        reconcile(&mut entries, &fewer, &ranges),
        [ContentsDiscrepancy::ListedButAbsent {
            entry: 5,
            title: "调查终结报告".into(),
            doc_type: Some("investigation_report".into()),
        }]
    );

    // The decision (document 14, printed 16–17) ends a page later than listed.
    let mut longer = docs.clone();
    let d = longer
        .iter_mut()
        .find(|d| d.doc_type == "penalty_decision")
        .unwrap();
    d.pages[1] += 1;
    let mut entries = listed.clone();
    let ranges = printed_ranges(&pages, &longer);
    assert_eq!(
        reconcile(&mut entries, &longer, &ranges),
        [ContentsDiscrepancy::PagesDisagree {
            entry: 11,
            document: 14,
            listed: [16, 17],
            actual: [16, 18],
        }]
    );

    // A document no row lists.
    let mut more = docs.clone();
    more.push(DocumentEntry {
        index: more.len() as u32 + 1,
        doc_type: "other".into(),
        title: None,
        pages: [23, 23],
        confidence: 1.0,
        date: None,
        number: None,
    });
    let mut entries = listed.clone();
    let ranges = printed_ranges(&pages, &more);
    assert_eq!(
        reconcile(&mut entries, &more, &ranges),
        [ContentsDiscrepancy::PresentButUnlisted {
            document: 19,
            doc_type: "other".into(),
        }]
    );
}

#[test]
fn a_200_dpi_coercion_contents_with_an_unreadable_page_cell() {
    let (lines, w, h) = page("contents-d5101-001-p2.json");
    let input = PageInput {
        lines: &lines,
        width: w,
        height: h,
    };
    let mut entries = read_table(&[(2, &input)]);
    assert_eq!(entries.len(), 12);
    assert_eq!(entries[4].doc_type.as_deref(), Some("seized_items_list"));
    // OCR read the page cell as `?`: no range, and no disagreement for it.
    assert_eq!(entries[4].pages, None);
    let (pages, docs) = truth(&dir().join("tests/fixtures/contents-d5101-001.truth.tsv"));
    let ranges = printed_ranges(&pages, &docs);
    assert_eq!(reconcile(&mut entries, &docs, &ranges), []);
    // Three 送达回证 rows, matched to the three receipts by their pages.
    let receipts: Vec<(Option<[u32; 2]>, Option<u32>)> = entries
        .iter()
        .filter(|e| e.doc_type.as_deref() == Some("service_receipt"))
        .map(|e| (e.pages, e.document))
        .collect();
    assert_eq!(
        receipts,
        [
            (Some([8, 8]), Some(8)),
            (Some([10, 10]), Some(10)),
            (Some([12, 12]), Some(12))
        ]
    );
}
