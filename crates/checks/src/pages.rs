//! Archival page numbers (gaps, repeats, unnumbered pages) and the order of
//! the documents.
//!
//! Page numbers as read are noisy (a dropped digit, a circled number not
//! read at all), so a gap or a repeat is found as a lasting step in
//! `number − position`: several reads agree on one offset before a page and
//! on another after it. A single odd read is a misread, not a defect.
//!
//! An unnumbered page is one whose corner holds no number while the numbers
//! of the pages around it run on across it (the page before is n − 1, the
//! page after n + 1). Only the OCR's corner pass (`anjuan_ocr::corner`),
//! which reads the corner again closely wherever the page pass found no
//! number, makes this tellable from a missed read; and it is called only in
//! a file where reading worked (`min_read_share`, `max_unnumbered`).

use crate::rules::{PageNumbers, Rules, Sequence};
use crate::sink::Sink;
use crate::text::squash;
use crate::view::{page_evidence, Dossier, Spot};
use anjuan_core::contract::Evidence;

pub fn check(d: &Dossier, rules: &Rules, sink: &mut Sink) {
    numbers(d, &rules.page_numbers, sink);
    unnumbered(d, &rules.page_numbers, sink);
    for s in rules.sequence.iter().filter(|s| s.kind == d.kind) {
        sequence(d, s, sink);
    }
}

/// A lasting change of offset in `(position, number)` reads: the position
/// of the first read after the step, the offsets before and after, and the
/// share of reads that agree with the two offsets.
pub fn offset_step(reads: &[(usize, i64)], min_support: usize) -> Option<(usize, i64, i64, f32)> {
    let offsets: Vec<i64> = reads.iter().map(|&(p, n)| n - p as i64).collect();
    let mode = |xs: &[i64]| -> Option<(i64, usize)> {
        let mut best: Option<(i64, usize)> = None;
        for &x in xs {
            let c = xs.iter().filter(|&&y| y == x).count();
            if best.is_none_or(|(_, bc)| c > bc) {
                best = Some((x, c));
            }
        }
        best
    };
    let mut best: Option<(usize, i64, i64, usize)> = None;
    for split in min_support..=offsets.len().saturating_sub(min_support) {
        let (Some((a, ca)), Some((b, cb))) = (mode(&offsets[..split]), mode(&offsets[split..]))
        else {
            continue;
        };
        if a == b || ca < min_support || cb < min_support {
            continue;
        }
        // The step must sit at the split: the first read after it has the new offset.
        if offsets[split] != b {
            continue;
        }
        let agree = ca + cb;
        if best.is_none_or(|(_, _, _, c)| agree > c) {
            best = Some((split, a, b, agree));
        }
    }
    let (split, a, b, agree) = best?;
    let whole = mode(&offsets).map_or(0, |(_, c)| c);
    // The step explains the reads clearly better than one offset does.
    if agree < whole + min_support {
        return None;
    }
    Some((reads[split].0, a, b, agree as f32 / reads.len() as f32))
}

fn numbers(d: &Dossier, r: &PageNumbers, sink: &mut Sink) {
    let mut reads: Vec<(usize, i64)> = d
        .pages
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.printed_page_number.map(|n| (i, n as i64)))
        .collect();
    // Numbering starts at 1 on the first page: a prior read there when OCR
    // missed it (a whole file numbered otherwise outweighs it).
    if reads.first().is_none_or(|&(p, _)| p > 0) {
        reads.insert(0, (0, 1));
    }
    let Some((page, before, after, share)) = offset_step(&reads, r.min_support) else {
        return;
    };
    let prev = reads
        .iter()
        .rev()
        .find(|&&(p, n)| p < page && n - p as i64 == before)
        .copied();
    let here = reads.iter().find(|&&(p, _)| p == page).map(|&(_, n)| n);
    let reason = match (after - before, here) {
        (k, Some(n)) if k > 0 => format!(
            "卷内页码不连续：第{}页编为{}，缺{}",
            page + 1,
            n,
            (n - k..n)
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("、")
        ),
        (_, Some(n)) => format!("卷内页码重号：第{}页编为{}，与前页重复", page + 1, n),
        _ => "卷内页码不连续".to_string(),
    };
    let mut evidence: Vec<Evidence> = Vec::new();
    for p in prev.map(|(p, _)| p).into_iter().chain([page]) {
        evidence.push(number_evidence(d, p));
    }
    let conf = (0.5 + 0.45 * share).min(0.9);
    sink.emit(&r.target, &reason, conf, evidence);
}

/// Pages with geometry whose corner holds no number read, where the
/// numbers read before and after run on across the page.
pub fn unnumbered_pages(d: &Dossier, r: &PageNumbers) -> Vec<(usize, i64)> {
    let pages = d.pages;
    let unread: Vec<usize> = (0..pages.len())
        .filter(|&i| pages[i].printed_page_number.is_none())
        .collect();
    let read_share = 1.0 - unread.len() as f32 / pages.len().max(1) as f32;
    if unread.is_empty() || unread.len() > r.max_unnumbered || read_share < r.min_read_share {
        return Vec::new();
    }
    let offset = |j: usize| pages[j].printed_page_number.map(|n| n as i64 - j as i64);
    unread
        .into_iter()
        .filter(|&i| {
            let p = &pages[i];
            p.width > 0 && p.height > 0 && !p.lines.is_empty()
        })
        .filter_map(|i| {
            let before = (0..i).rev().find_map(offset);
            let after = (i + 1..pages.len()).find_map(offset);
            let runs_on = match (before, after) {
                (Some(a), Some(b)) => a == b,
                // The first page: numbering starts at 1.
                (None, Some(b)) => b == 1,
                // The last page: the numbering before it.
                (Some(_), None) => true,
                (None, None) => false,
            };
            runs_on.then(|| (i, i as i64 + before.or(after).unwrap_or(1)))
        })
        .collect()
}

fn unnumbered(d: &Dossier, r: &PageNumbers, sink: &mut Sink) {
    let found = unnumbered_pages(d, r);
    let read = d
        .pages
        .iter()
        .filter(|p| p.printed_page_number.is_some())
        .count();
    let share = read as f32 / d.pages.len().max(1) as f32;
    for (page, expected) in found {
        // Ink in the corner where no number was read: a number the OCR lost
        // (a faint or boxed stamp), as likely as none. Absence of a reading
        // is not absence of the number.
        let inked = d.pages[page].marks.corner_ink == Some(true);
        let reason = format!(
            "卷内第{}页未编页码：右上角未见页码（前后页页码连续，此页应为{}）{}",
            page + 1,
            expected,
            if inked {
                "；右上角有墨迹，可能是未能识别的页码"
            } else {
                ""
            }
        );
        let conf = if inked {
            r.inked_corner_confidence
        } else {
            (0.45 + 0.45 * share).min(0.88)
        };
        sink.emit(&r.target, &reason, conf, vec![corner_evidence(d, r, page)]);
    }
}

/// The page-number corner of a page: its box and what was read there.
fn corner_evidence(d: &Dossier, r: &PageNumbers, page: usize) -> Evidence {
    let p = &d.pages[page];
    let [top, right] = r.corner;
    let x0 = (p.width as f32 * (1.0 - right)) as u32;
    let y1 = (p.height as f32 * top).ceil() as u32;
    let seen: Vec<&str> = p
        .lines
        .iter()
        .filter(|l| l.bbox[3] <= y1 && l.bbox[0] >= x0)
        .map(|l| l.text)
        .collect();
    Evidence {
        page: Some(page as u32 + 1),
        bbox: Some([x0, 0, p.width, y1]),
        text: Some(if seen.is_empty() {
            "（右上角无页码）".to_string()
        } else {
            seen.join(" ")
        }),
    }
}

/// The page-number line of a page (top right), or the page.
fn number_evidence(d: &Dossier, page: usize) -> Evidence {
    let p = &d.pages[page];
    let Some(n) = p.printed_page_number else {
        return page_evidence(page, None);
    };
    let want = n.to_string();
    p.lines
        .iter()
        .filter(|l| l.bbox[3] < p.height / 5)
        .find(|l| squash(l.text).contains(&want))
        .map(|l| Spot::of_line(page, l).evidence())
        .unwrap_or_else(|| page_evidence(page, Some(want)))
}

fn sequence(d: &Dossier, s: &Sequence, sink: &mut Sink) {
    let rank = |t: &str| s.order.iter().position(|o| o == t);
    let ranked: Vec<(usize, &crate::view::Doc)> = d
        .docs
        .iter()
        .filter_map(|doc| rank(&doc.doc_type).map(|r| (r, doc)))
        .collect();
    for w in ranked.windows(2) {
        let ((ra, a), (rb, b)) = (w[0], w[1]);
        if rb < ra {
            let reason = format!(
                "卷内文书排列顺序错误：{}（第{}页）排在{}（第{}页）之前",
                a.name(),
                a.first_page() + 1,
                b.name(),
                b.first_page() + 1
            );
            let conf = 0.75 * a.confidence(d).min(b.confidence(d)).max(0.5);
            sink.emit(
                &s.target,
                &reason,
                conf,
                vec![a.title_evidence(d), b.title_evidence(d)],
            );
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{rules, CheckInput, Line, Page};
    use anjuan_core::contract::DocumentEntry;
    use anjuan_core::CaseKind;

    fn reads(v: &[Option<i64>]) -> Vec<(usize, i64)> {
        v.iter()
            .enumerate()
            .filter_map(|(i, n)| n.map(|n| (i, n)))
            .collect()
    }

    /// A file of A4 pages at 200 DPI, one document, with these corner numbers.
    fn numbered(
        numbers: &[Option<u32>],
        texts: &'static [String],
        marks: &'static anjuan_core::marks::PageMarks,
    ) -> Vec<Page<'static>> {
        numbers
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut lines = vec![Line {
                    text: "询问笔录正文",
                    raw: "询问笔录正文",
                    bbox: [200, 400, 1400, 450],
                    confidence: 0.99,
                }];
                if n.is_some() {
                    lines.insert(
                        0,
                        Line {
                            text: &texts[i],
                            raw: &texts[i],
                            bbox: [1500, 100, 1540, 140],
                            confidence: 0.95,
                        },
                    );
                }
                Page {
                    lines,
                    marks,
                    dpi: 200,
                    width: 1654,
                    height: 2339,
                    doc_type: "interview_record",
                    document: 1,
                    printed_page_number: *n,
                    unread: None,
                }
            })
            .collect()
    }

    fn input_of(
        numbers: &[Option<u32>],
        marks: &'static anjuan_core::marks::PageMarks,
        docs: &'static [DocumentEntry],
    ) -> CheckInput<'static> {
        let texts: &'static [String] = Box::leak(
            numbers
                .iter()
                .map(|n| n.map(|v| v.to_string()).unwrap_or_default())
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        );
        CheckInput {
            case_kind: CaseKind::Penalty,
            pages: numbered(numbers, texts, marks),
            documents: docs,
            rubric: None,
        }
    }

    fn one_doc(pages: usize) -> &'static [DocumentEntry] {
        Box::leak(Box::new([DocumentEntry {
            index: 1,
            doc_type: "interview_record".into(),
            title: None,
            pages: [1, pages as u32],
            confidence: 1.0,
            date: None,
            number: None,
        }]))
    }

    fn unnumbered_in(numbers: &[Option<u32>]) -> Vec<(usize, i64)> {
        let marks = Box::leak(Box::default());
        let input = input_of(numbers, marks, one_doc(numbers.len()));
        let d = Dossier::new(&input);
        unnumbered_pages(&d, &rules::rules().page_numbers)
    }

    #[test]
    fn an_unread_number_where_the_corner_holds_ink_asks_a_reviewer() {
        let mut n: Vec<Option<u32>> = (1..=12).map(Some).collect();
        n[5] = None;
        let status_of = |corner_ink: Option<bool>| {
            let marks = Box::leak(Box::new(anjuan_core::marks::PageMarks {
                version: 5,
                corner_ink,
                ..Default::default()
            }));
            let mut input = input_of(&n, marks, one_doc(n.len()));
            input.rubric = anjuan_rubric::Rubric::builtin(CaseKind::Penalty);
            let found = crate::run(&input).findings;
            let f: Vec<_> = found.iter().filter(|f| f.item == "P-6.1.3").collect();
            assert_eq!(f.len(), 1, "{found:?}");
            (f[0].status, f[0].reason.contains("墨迹"))
        };
        use anjuan_core::contract::FindingStatus;
        // An empty corner: the page is unnumbered.
        assert_eq!(status_of(Some(false)), (FindingStatus::Suggested, false));
        // Ink there: perhaps a number the OCR lost.
        assert_eq!(status_of(Some(true)), (FindingStatus::NeedsReview, true));
    }

    #[test]
    fn an_unnumbered_page_is_one_the_numbers_run_on_across() {
        let mut n: Vec<Option<u32>> = (1..=12).map(Some).collect();
        n[5] = None;
        assert_eq!(unnumbered_in(&n), vec![(5, 6)]);
        // The first page, where numbering starts at 1.
        let mut n: Vec<Option<u32>> = (1..=12).map(Some).collect();
        n[0] = None;
        assert_eq!(unnumbered_in(&n), vec![(0, 1)]);
        // Every page numbered: none.
        let n: Vec<Option<u32>> = (1..=12).map(Some).collect();
        assert_eq!(unnumbered_in(&n), vec![]);
        // A gap at the unread page: the numbers do not run on across it;
        // that is the gap check's.
        let mut n: Vec<Option<u32>> = (1..=12)
            .map(|v| Some(if v > 6 { v + 1 } else { v }))
            .collect();
        n[5] = None;
        assert_eq!(unnumbered_in(&n), vec![]);
        // A file where reading failed on many pages: no call.
        let n: Vec<Option<u32>> = (1..=12).map(|v| (v % 3 != 0).then_some(v)).collect();
        assert_eq!(unnumbered_in(&n), vec![]);
    }

    #[test]
    fn a_gap_is_a_lasting_step_and_a_misread_is_not() {
        // d4242-002 as read: the gap after 12.
        let r = reads(&[
            Some(1),
            None,
            None,
            Some(4),
            Some(5),
            Some(6),
            Some(7),
            Some(8),
            Some(9),
            Some(10),
            None,
            Some(12),
            None,
            Some(15),
            Some(16),
            None,
            None,
            None,
            Some(20),
            Some(21),
            Some(22),
            Some(23),
            Some(24),
        ]);
        let (page, a, b, _) = offset_step(&r, 2).expect("gap");
        assert_eq!((page, a, b), (13, 1, 2));
        // d4242-009 as read: 13 read as 3 and 16 as 6, no defect.
        let r = reads(&[
            None,
            Some(2),
            Some(3),
            None,
            Some(5),
            Some(6),
            Some(7),
            None,
            None,
            Some(10),
            None,
            Some(12),
            Some(3),
            None,
            Some(15),
            Some(6),
            Some(17),
            Some(18),
            Some(19),
            Some(20),
        ]);
        assert_eq!(offset_step(&r, 2), None);
        // d4242-000: the repeat of 9.
        let r = reads(&[
            Some(1),
            Some(2),
            Some(3),
            Some(4),
            Some(5),
            Some(6),
            Some(7),
            Some(8),
            None,
            Some(9),
            Some(10),
            Some(11),
            Some(12),
        ]);
        let (page, a, b, _) = offset_step(&r, 2).expect("repeat");
        assert_eq!((page, a, b), (9, 1, 0));
    }
}
