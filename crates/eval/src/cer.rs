//! Character error rate: Levenshtein distance over Unicode scalar values,
//! whitespace removed on both sides, divided by the truth's length.

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

    #[test]
    fn stat_is_micro_averaged() {
        let mut s = CerStat::default();
        assert_eq!(s.cer, None);
        s.add(1, 10);
        s.add(0, 90);
        assert_eq!(s.cer, Some(0.01));
    }
}
