//! Pagination on real font metrics: tables split between rows, punctuation
//! kept off line starts, margins respected.

use anjuan_paper::layout::{Item, TextItem, PAGE_H};
use anjuan_paper::model::*;
use anjuan_paper::{PhotoKind, Renderer};
use std::collections::BTreeMap;

fn texts(page: &PageLayout) -> Vec<&TextItem> {
    page.items
        .iter()
        .filter_map(|p| match &p.item {
            Item::Text(t) => Some(t),
            _ => None,
        })
        .collect()
}

#[test]
fn long_table_splits_between_rows_only() {
    let r = Renderer::new().unwrap();
    let rows = (0..60)
        .map(|i| TableRow {
            cells: vec![
                Cell::label(format!("项目{i}")),
                Cell::text(vec![TextLine::new(vec![Run::printed(format!(
                    "第{i}行的内容，较长的文字会在单元格内换行，以检查整行不被分到两页上。"
                ))])]),
            ],
            min_height: 8.0,
        })
        .collect();
    let doc = DocSpec {
        doc_type: "contents".into(),
        title: "卷内目录".into(),
        blocks: vec![
            Block::Title("卷内目录".into()),
            Block::Table(Table {
                columns: vec![1.0, 4.0],
                rows,
            }),
        ],
        footer: None,
        date: None,
        number: None,
        party: None,
    };
    let pages = r.paginate(&doc, 3);
    assert!(pages.len() >= 2, "60 rows need more than one page");
    let mut page_of_label = BTreeMap::new();
    let mut page_of_value = BTreeMap::new();
    for (pi, p) in pages.iter().enumerate() {
        assert_eq!(
            (p.doc_index, p.page_in_doc, p.pages_in_doc),
            (3, pi, pages.len())
        );
        for t in texts(p) {
            assert!(
                t.baseline < PAGE_H - 15.0,
                "text in the bottom margin: {t:?}"
            );
            if let Some(n) = t.text.strip_prefix("项目") {
                page_of_label.insert(n.to_string(), pi);
            } else if let Some(rest) = t.text.strip_prefix('第') {
                if let Some(n) = rest
                    .split('行')
                    .next()
                    .filter(|n| n.chars().all(|c| c.is_ascii_digit()))
                {
                    page_of_value.insert(n.to_string(), pi);
                }
            }
            // Continuation lines of a value carry no number; their row is the one before.
        }
    }
    assert_eq!(page_of_label.len(), 60);
    for (n, pi) in &page_of_label {
        assert_eq!(page_of_value.get(n), Some(pi), "row {n} split across pages");
    }
    // The title is on the first page only.
    assert!(texts(&pages[0]).iter().any(|t| t.text == "卷内目录"));
    assert!(pages[1..]
        .iter()
        .all(|p| texts(p).iter().all(|t| t.text != "卷内目录")));
}

#[test]
fn closing_punctuation_never_starts_a_line_and_page_breaks_are_kept() {
    let r = Renderer::new().unwrap();
    // Many lengths so that some line would otherwise start with a comma.
    let blocks: Vec<Block> = (20..50)
        .flat_map(|n| {
            vec![Block::Paragraph {
                runs: vec![Run::printed(format!(
                    "{}，{}。",
                    "执".repeat(n),
                    "法".repeat(n / 2)
                ))],
                indent: n % 2 == 0,
            }]
        })
        .chain([
            Block::PageBreak,
            Block::Line(TextLine::new(vec![Run::printed("新页开始")])),
        ])
        .collect();
    let doc = DocSpec {
        doc_type: "investigation_report".into(),
        title: String::new(),
        blocks,
        footer: None,
        date: None,
        number: None,
        party: None,
    };
    let pages = r.paginate(&doc, 0);
    let mut line_starts = 0;
    for p in &pages {
        let mut by_line: BTreeMap<i64, Vec<&TextItem>> = BTreeMap::new();
        for t in texts(p) {
            by_line
                .entry((t.baseline * 100.0) as i64)
                .or_default()
                .push(t);
        }
        for items in by_line.values() {
            let first = items.iter().min_by(|a, b| a.x.total_cmp(&b.x)).unwrap();
            let c = first.text.chars().next().unwrap();
            assert!(
                !"，。、；：？！）》".contains(c),
                "line starts with {c}: {}",
                first.text
            );
            line_starts += 1;
            // Lines stay within the text width (hanging punctuation may pass by one character).
            let end = items.iter().map(|t| t.x + t.width).fold(0.0f32, f32::max);
            assert!(
                end <= 210.0 - 26.0 + 5.0,
                "line runs into the margin: {end}"
            );
        }
    }
    assert!(line_starts > 60);
    let last = pages.last().unwrap();
    let t = texts(last);
    assert_eq!(
        t.len(),
        1,
        "the page break starts a new page with only the last line"
    );
    assert_eq!(t[0].text, "新页开始");
}

#[test]
fn photo_kind_follows_the_caption() {
    assert_eq!(
        PhotoKind::from_caption("当事人身份证复印件"),
        PhotoKind::IdCard
    );
    assert_eq!(
        PhotoKind::from_caption("营业执照复印件"),
        PhotoKind::Document
    );
    assert_eq!(PhotoKind::from_caption("照片1：现场全景"), PhotoKind::Scene);
}
