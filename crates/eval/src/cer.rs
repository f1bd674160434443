//! Character error rate: Levenshtein distance over Unicode scalar values,
//! whitespace removed on both sides, divided by the truth's length.
//!
//! Two truths per page: the printed text, and printed plus handwritten text.
//! Against the printed text, whatever the OCR read where a handwritten line
//! sits is not counted (insertions there are free), so an engine that reads
//! handwriting well is not punished on the printed measure, and one that
//! reads it badly is punished only on the full one.

use anjuan_core::truth::PageTruth;
use serde::{Deserialize, Serialize};

/// The characters of `s` with every whitespace character removed.
pub fn strip_whitespace(s: &str) -> Vec<char> {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Edits (insertions, deletions, substitutions) that turn `hyp` into `truth`.
pub fn edit_distance(truth: &[char], hyp: &[char]) -> usize {
    rapidfuzz::distance::levenshtein::distance(truth.iter().copied(), hyp.iter().copied())
}

/// Edits and truth characters of one comparison, whitespace ignored.
pub fn page_edits(truth: &str, hyp: &str) -> (u64, u64) {
    let t = strip_whitespace(truth);
    let h = strip_whitespace(hyp);
    (edit_distance(&t, &h) as u64, t.len() as u64)
}

/// Levenshtein distance from `truth` to `hyp`, where inserting hyp characters
/// costs nothing after `free[i]` truth characters when `free[i]` is set
/// (`free.len() == truth.len() + 1`). Single-row O(n·m).
pub fn gapped_distance(truth: &[char], free: &[bool], hyp: &[char]) -> usize {
    assert_eq!(free.len(), truth.len() + 1, "one gap flag per position");
    let ins_cost = |i: usize| usize::from(!free[i]);
    let mut row: Vec<usize> = (0..=hyp.len()).map(|j| j * ins_cost(0)).collect();
    for (i, &t) in truth.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        let ins = ins_cost(i + 1);
        for (j, &h) in hyp.iter().enumerate() {
            let up = row[j + 1];
            let sub = diag + usize::from(t != h);
            row[j + 1] = sub.min(up + 1).min(row[j] + ins);
            diag = up;
        }
    }
    row[hyp.len()]
}

/// `(edits, truth chars)` of `hyp` against the page's printed text (reading
/// where handwriting sits is free) and against its full text.
pub fn page_cer(page: &PageTruth, hyp: &str) -> [(u64, u64); 2] {
    let h = strip_whitespace(hyp);
    let mut printed = Vec::new();
    let mut full = Vec::new();
    let mut free = vec![false];
    for line in &page.lines {
        let chars = strip_whitespace(&line.text);
        full.extend_from_slice(&chars);
        if line.handwritten {
            *free.last_mut().expect("never empty") = true;
        } else {
            printed.extend_from_slice(&chars);
            free.resize(printed.len() + 1, false);
        }
    }
    let printed_edits = if free.iter().any(|&f| f) {
        gapped_distance(&printed, &free, &h)
    } else {
        edit_distance(&printed, &h)
    };
    [
        (printed_edits as u64, printed.len() as u64),
        (edit_distance(&full, &h) as u64, full.len() as u64),
    ]
}

/// Micro-averaged CER: Σ edits / Σ truth characters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CerStat {
    pub edits: u64,
    pub chars: u64,
    /// `edits / chars`; null when there are no truth characters.
    pub cer: Option<f64>,
}

impl CerStat {
    pub fn add(&mut self, edits: u64, chars: u64) {
        self.edits += edits;
        self.chars += chars;
        self.cer = (self.chars > 0).then(|| self.edits as f64 / self.chars as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook single-row dynamic programme, to check the crate against.
    fn reference(a: &[char], b: &[char]) -> usize {
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.iter().enumerate() {
            let mut diag = row[0];
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let up = row[j + 1];
                row[j + 1] = if ca == cb {
                    diag
                } else {
                    1 + diag.min(up).min(row[j])
                };
                diag = up;
            }
        }
        row[b.len()]
    }

    #[test]
    fn known_distances_over_chinese_text() {
        let t = strip_whitespace("行政处罚决定书\n蒲市监罚〔2022〕15号");
        assert_eq!(edit_distance(&t, &t), 0);
        // One substitution, one deletion, one insertion.
        let h = strip_whitespace("行政处罚决定书 蒲市监罚[2022〕15号号");
        assert_eq!(edit_distance(&t, &h), 2);
        let h = strip_whitespace("行政处罚决定 蒲市监罚〔2022〕15号号");
        assert_eq!(edit_distance(&t, &h), 2);
        assert_eq!(page_edits("询问 笔录", ""), (4, 4));
        assert_eq!(page_edits("", "多余"), (2, 0));
    }

    #[test]
    fn whitespace_is_ignored_on_both_sides() {
        assert_eq!(page_edits("当 事 人\n张三", "当事人张三"), (0, 5));
        assert_eq!(page_edits("当事人\t张三", "当事人\u{3000}张 三\n"), (0, 5));
    }

    #[test]
    fn crate_agrees_with_the_reference_on_long_pseudo_random_pages() {
        // A small alphabet of CJK characters so that matches are frequent, and
        // lengths over 64 so that the bit-parallel blocks are exercised.
        let alphabet: Vec<char> = "行政处罚决定书当事人签名日期".chars().collect();
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..40 {
            let len_a = (next() % 700) as usize + round;
            let a: Vec<char> = (0..len_a)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            // A corrupted copy: edits at random places.
            let mut b = a.clone();
            for _ in 0..(next() % 60) {
                let pos = (next() % (b.len() as u64 + 1)) as usize;
                let c = alphabet[(next() % alphabet.len() as u64) as usize];
                match next() % 3 {
                    0 => b.insert(pos, c),
                    1 if pos < b.len() => {
                        b.remove(pos);
                    }
                    _ if pos < b.len() => b[pos] = c,
                    _ => b.push(c),
                }
            }
            assert_eq!(edit_distance(&a, &b), reference(&a, &b), "round {round}");
        }
    }

    fn page(lines: &[(&str, bool)]) -> PageTruth {
        PageTruth {
            page: 1,
            doc_type: "interview_record".into(),
            document: 1,
            printed_page_number: None,
            rotation: 0,
            dpi: 300,
            grayscale: false,
            lines: lines
                .iter()
                .map(|(t, hw)| anjuan_core::truth::TruthLine {
                    text: t.to_string(),
                    bbox: [0, 0, 10, 10],
                    handwritten: *hw,
                })
                .collect(),
        }
    }

    #[test]
    fn printed_cer_ignores_what_is_read_where_handwriting_sits() {
        let p = page(&[
            ("询问笔录", false),
            ("被询问人（签名）：", false),
            ("张三", true),
            ("2022年3月15日", true),
        ]);
        // Perfect reading of everything.
        assert_eq!(page_cer(&p, &p.full_text()), [(0, 13), (0, 25)]);
        // Printed text only: the handwriting is missing from the full measure.
        assert_eq!(page_cer(&p, &p.printed_text()), [(0, 13), (12, 25)]);
        // Garbage where the handwriting is; one printed character wrong.
        assert_eq!(
            page_cer(&p, "询问笔录\n被询问人（签字）：\n弓长三\n2O22年3月I5日"),
            [(1, 13), (5, 25)]
        );
        // Text read before the first printed line is not free.
        assert_eq!(page_cer(&p, "多询问笔录被询问人（签名）：")[0], (1, 13));
    }

    #[test]
    fn gapped_distance_without_gaps_is_levenshtein() {
        let a: Vec<char> = "行政处罚决定书蒲市监罚".chars().collect();
        let b: Vec<char> = "行政处罚决定蒲市监罚〔2022〕".chars().collect();
        let free = vec![false; a.len() + 1];
        assert_eq!(gapped_distance(&a, &free, &b), edit_distance(&a, &b));
        assert_eq!(gapped_distance(&[], &[false], &b), b.len());
        assert_eq!(gapped_distance(&[], &[true], &b), 0);
    }

    #[test]
    fn stat_is_micro_averaged() {
        let mut s = CerStat::default();
        assert_eq!(s.cer, None);
        s.add(1, 10);
        s.add(0, 90);
        assert_eq!(s.cer, Some(0.01));
    }
}
