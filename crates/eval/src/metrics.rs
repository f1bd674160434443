//! Scoring scan output against the truth, one dossier at a time, then summed.

use crate::cer::{page_cer, CerStat};
use crate::load::{load_index, load_review, load_truths, LoadedReview};
use crate::oracle::expected_case_number;
use crate::report::*;
use anjuan_core::contract::{Finding, FindingKind, FindingStatus, PageEntry};
use anjuan_core::truth::{DefectKind, DossierTruth, PageTruth};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Scores the scan output in `run_dir` against every `*.truth.json` in
/// `truth_dir`. Errors only when the truth itself cannot be read; anything
/// wrong with the scan output makes its dossier a failure in the report.
pub fn evaluate(truth_dir: &Path, run_dir: &Path) -> anyhow::Result<Report> {
    let truths = load_truths(truth_dir)?;
    if !run_dir.is_dir() {
        anyhow::bail!("run directory {} does not exist", run_dir.display());
    }
    let index = load_index(run_dir);
    let mut tally = Tally::default();
    let mut families: BTreeMap<&str, Tally> = BTreeMap::new();
    for truth in &truths {
        let family = families.entry(truth.family.as_str()).or_default();
        match load_review(run_dir, &index, &truth.id, truth.pages.len()) {
            Ok(review) => {
                tally.add_ok(truth, &review);
                family.add_ok(truth, &review);
            }
            Err(reason) => {
                tally.add_failed(truth, reason.clone());
                family.add_failed(truth, reason);
            }
        }
    }
    let mut report = tally.finish(truth_dir, run_dir);
    if families.len() > 1 {
        report.families = families
            .into_iter()
            .map(|(name, t)| FamilySummary::of(name, &t.finish(truth_dir, run_dir)))
            .collect();
    }
    if let Err(e) = &index {
        report.notes.insert(0, format!("index.json unusable: {e}"));
    }
    Ok(report)
}

fn finding_kind(k: FindingKind) -> &'static str {
    match k {
        FindingKind::Deduction => "deduction",
        FindingKind::Basic => "basic",
    }
}

fn defect_kind(k: DefectKind) -> &'static str {
    match k {
        DefectKind::Deduction => "deduction",
        DefectKind::Basic => "basic",
    }
}

/// The stats of `key` in `map`, made on first use.
fn stats<'a>(map: &'a mut BTreeMap<String, ItemStats>, key: &str) -> &'a mut ItemStats {
    map.entry(key.to_string()).or_insert_with(|| ItemStats {
        item: key.to_string(),
        ..ItemStats::default()
    })
}

/// The CER groups a truth page belongs to, besides `all`.
fn page_groups(page: &PageTruth) -> [String; 3] {
    [
        format!("{}dpi", page.dpi),
        if page.grayscale {
            "grayscale"
        } else {
            "colour"
        }
        .to_string(),
        if page.rotation.is_multiple_of(360) {
            "upright"
        } else {
            "rotated"
        }
        .to_string(),
    ]
}

#[derive(Default)]
struct CerTally {
    pages: u64,
    printed: CerStat,
    full: CerStat,
}

/// `hits` of `total`, summed as dossiers come.
#[derive(Default, Clone, Copy)]
struct Hits {
    hits: u64,
    total: u64,
}

impl Hits {
    fn add(&mut self, hits: u64, total: u64) {
        self.hits += hits;
        self.total += total;
    }

    fn ratio(self) -> Ratio {
        Ratio::new(self.hits, self.total)
    }
}

/// Matched, predicted and truth counts of a matching.
#[derive(Default, Clone, Copy)]
struct Matching {
    matched: u64,
    predicted: u64,
    truth: u64,
}

impl Matching {
    fn add(&mut self, matched: u64, predicted: u64, truth: u64) {
        self.matched += matched;
        self.predicted += predicted;
        self.truth += truth;
    }

    fn prf(self) -> Prf {
        Prf::new(self.matched, self.predicted, self.truth)
    }
}

#[derive(Default)]
struct TypeTally {
    pages: Hits,
    documents: Hits,
}

#[derive(Default)]
struct Tally {
    pages: Hits,
    page_numbers: Hits,
    exact: Matching,
    ranges: Matching,
    dates: Hits,
    case_kind: Hits,
    items: BTreeMap<String, ItemStats>,
    /// The same by kind: `basic`, `deduction`.
    kinds: BTreeMap<String, ItemStats>,
    types: BTreeMap<String, TypeTally>,
    confusions: BTreeMap<(String, String), u64>,
    cer: BTreeMap<String, CerTally>,
    missing_text: u64,
    score_errors: Vec<(String, f64)>,
    grade: Hits,
    failed: Vec<FailedDossier>,
    failed_pages: u64,
    rows: Vec<DossierRow>,
    needs_review: Hits,
    recall_with_review: Hits,
    false_zero: Vec<String>,
    /// Per confidence bin: (findings, true).
    bins: [Hits; BINS.len()],
    agency: Hits,
    case_number: Hits,
    party: Hits,
    fine: Hits,
    confiscated: Hits,
}

/// Lower edges of the reliability bins.
const BINS: [f64; 6] = [0.0, 0.5, 0.6, 0.7, 0.8, 0.9];

fn bin_of(confidence: f32) -> usize {
    BINS.iter()
        .rposition(|&low| f64::from(confidence) >= low)
        .unwrap_or(0)
}

impl Tally {
    fn doc_type(&mut self, code: &str) -> &mut TypeTally {
        self.types.entry(code.to_string()).or_default()
    }

    fn add_cer(&mut self, page: &PageTruth, printed: (u64, u64), full: (u64, u64)) {
        let groups = page_groups(page);
        for g in std::iter::once("all").chain(groups.iter().map(String::as_str)) {
            let t = self.cer.entry(g.to_string()).or_default();
            t.pages += 1;
            t.printed.add(printed.0, printed.1);
            t.full.add(full.0, full.1);
        }
    }

    /// A dossier without a usable review: everything it holds is missed.
    fn add_failed(&mut self, truth: &DossierTruth, reason: String) {
        self.failed_pages += truth.pages.len() as u64;
        self.failed.push(FailedDossier {
            id: truth.id.clone(),
            reason,
        });
        self.add(truth, None);
    }

    fn add_ok(&mut self, truth: &DossierTruth, loaded: &LoadedReview) {
        self.add(truth, Some(loaded));
    }

    /// Scores one dossier; `None` when its review is unusable, so that it
    /// counts as predicting nothing (and its score as the worst possible).
    fn add(&mut self, truth: &DossierTruth, loaded: Option<&LoadedReview>) {
        let review = loaded.map(|l| &l.review);
        let review_pages = review.map_or(&[][..], |r| &r.pages[..]);

        // Page doc_type and archival page number.
        let predicted: HashMap<u32, &PageEntry> =
            review_pages.iter().map(|p| (p.page, p)).collect();
        let n = truth.pages.len() as u64;
        let mut pages_ok = 0;
        for p in &truth.pages {
            let entry = predicted.get(&p.page);
            let ok = entry.is_some_and(|e| e.doc_type == p.doc_type);
            pages_ok += ok as u64;
            self.doc_type(&p.doc_type).pages.add(ok as u64, 1);
            if let Some(e) = entry.filter(|_| !ok) {
                *self
                    .confusions
                    .entry((p.doc_type.clone(), e.doc_type.clone()))
                    .or_default() += 1;
            }
            if p.printed_page_number.is_some() {
                let read = entry.and_then(|e| e.printed_page_number);
                self.page_numbers
                    .add((read == p.printed_page_number) as u64, 1);
            }
        }
        self.pages.add(pages_ok, n);

        // Document split: exact (range and type), and ranges only. Each
        // truth document is matched at most once.
        let documents = review.map_or(&[][..], |r| &r.documents[..]);
        let mut exact_free: HashMap<([u32; 2], &str), usize> = HashMap::new();
        let mut range_free: HashMap<[u32; 2], usize> = HashMap::new();
        for d in &truth.documents {
            *exact_free
                .entry((d.pages, d.doc_type.as_str()))
                .or_default() += 1;
            *range_free.entry(d.pages).or_default() += 1;
            self.doc_type(&d.doc_type).documents.total += 1;
        }
        // Predicted dates of the exactly matched documents, by (range, type).
        let mut matched_dates: HashMap<([u32; 2], &str), Vec<Option<&str>>> = HashMap::new();
        let (mut exact_tp, mut range_tp) = (0u64, 0u64);
        for d in documents {
            let key = (d.pages, d.doc_type.as_str());
            if let Some(free) = exact_free.get_mut(&key).filter(|f| **f > 0) {
                *free -= 1;
                exact_tp += 1;
                self.doc_type(&d.doc_type).documents.hits += 1;
                matched_dates
                    .entry(key)
                    .or_default()
                    .push(d.date.as_deref());
            }
            if let Some(free) = range_free.get_mut(&d.pages).filter(|f| **f > 0) {
                *free -= 1;
                range_tp += 1;
            }
        }
        let predicted_docs = documents.len() as u64;
        let truth_docs = truth.documents.len() as u64;
        self.exact.add(exact_tp, predicted_docs, truth_docs);
        self.ranges.add(range_tp, predicted_docs, truth_docs);
        for d in &truth.documents {
            let Some(truth_date) = d.date.as_deref() else {
                continue;
            };
            let key = (d.pages, d.doc_type.as_str());
            if let Some(dates) = matched_dates.get_mut(&key).filter(|v| !v.is_empty()) {
                let predicted = dates.remove(0);
                self.dates.add((predicted == Some(truth_date)) as u64, 1);
            }
        }

        // Case kind.
        let kind_ok = review.is_some_and(|r| r.case_kind == truth.case_kind);
        self.case_kind.add(kind_ok as u64, 1);

        // Defects: (item, kind) pairs of the findings the draft counts
        // (suggested, confirmed); needs-review ones are tallied apart.
        let all_findings = review.map_or(&[][..], |r| &r.findings[..]);
        let findings: Vec<&Finding> = all_findings.iter().filter(|f| f.status.counts()).collect();
        let manual = review.map_or(&[][..], |r| &r.manual[..]);
        let found: HashSet<(&str, &str)> = findings
            .iter()
            .map(|f| (f.item.as_str(), finding_kind(f.kind)))
            .collect();
        let truth_set: HashSet<(&str, &str)> = truth
            .defects
            .iter()
            .map(|d| (d.item.as_str(), defect_kind(d.kind)))
            .collect();
        let mut row_defects = ItemStats::default();
        for d in &truth.defects {
            let hit = found.contains(&(d.item.as_str(), defect_kind(d.kind)));
            let on_manual = !hit && manual.contains(&d.item);
            for s in [
                stats(&mut self.items, &d.item),
                stats(&mut self.kinds, defect_kind(d.kind)),
                &mut row_defects,
            ] {
                s.truth += 1;
                s.found += hit as u64;
                s.manual += on_manual as u64;
            }
        }
        for f in &findings {
            let hit = truth_set.contains(&(f.item.as_str(), finding_kind(f.kind)));
            for s in [
                stats(&mut self.items, &f.item),
                stats(&mut self.kinds, finding_kind(f.kind)),
                &mut row_defects,
            ] {
                s.findings += 1;
                s.correct += hit as u64;
            }
        }
        row_defects.finish();

        // Needs review, the reviewers' queue; every finding by confidence.
        let machine: Vec<&Finding> = all_findings
            .iter()
            .filter(|f| f.status != FindingStatus::Rejected)
            .collect();
        let unsure = machine
            .iter()
            .filter(|f| f.status == FindingStatus::NeedsReview);
        let is_true = |f: &Finding| truth_set.contains(&(f.item.as_str(), finding_kind(f.kind)));
        for f in unsure {
            self.needs_review.add(is_true(f) as u64, 1);
        }
        for f in &machine {
            self.bins[bin_of(f.confidence)].add(is_true(f) as u64, 1);
        }
        let found_any: HashSet<(&str, &str)> = machine
            .iter()
            .map(|f| (f.item.as_str(), finding_kind(f.kind)))
            .collect();
        for d in &truth.defects {
            let hit = found_any.contains(&(d.item.as_str(), defect_kind(d.kind)));
            self.recall_with_review.add(hit as u64, 1);
        }
        let zeroed = findings.iter().any(|f| f.kind == FindingKind::Basic);
        if zeroed && !truth.defects.iter().any(|d| d.kind == DefectKind::Basic) {
            self.false_zero.push(truth.id.clone());
        }

        // The case block.
        let case = review.map(|r| &r.case);
        let same = |got: Option<&String>, want: &str| got.is_some_and(|g| g == want);
        self.agency.add(
            same(case.and_then(|c| c.agency.as_ref()), &truth.agency) as u64,
            1,
        );
        if let Some(n) = expected_case_number(truth) {
            self.case_number
                .add(same(case.and_then(|c| c.case_number.as_ref()), n) as u64, 1);
        }
        self.party.add(
            same(case.and_then(|c| c.party.as_ref()), &truth.party) as u64,
            1,
        );
        let amount = |got: Option<f64>, want: Option<f64>| match (got, want) {
            (Some(g), Some(w)) => (g - w).abs() < 0.005,
            (None, None) => true,
            _ => false,
        };
        if truth.case_kind == anjuan_core::CaseKind::Penalty {
            self.fine.add(
                amount(case.and_then(|c| c.fine_yuan), truth.fine_yuan) as u64,
                1,
            );
            self.confiscated.add(
                amount(
                    case.and_then(|c| c.confiscated_yuan),
                    truth.confiscated_yuan,
                ) as u64,
                1,
            );
        }

        // CER; a failed dossier's pages read as empty.
        let mut row_printed = CerStat::default();
        let mut row_full = CerStat::default();
        for page in &truth.pages {
            let text = match loaded {
                Some(l) => l.page_text(page.page).unwrap_or_else(|| {
                    self.missing_text += 1;
                    String::new()
                }),
                None => String::new(),
            };
            let [printed, full] = page_cer(page, &text);
            row_printed.add(printed.0, printed.1);
            row_full.add(full.0, full.1);
            self.add_cer(page, printed, full);
        }

        // Score: without a draft, the furthest any draft in [0, 100] could be.
        let expected = truth.expected.score;
        let draft = review.map(|r| r.score.draft).filter(|d| d.is_finite());
        let error = draft.map_or(expected.max(100.0 - expected), |d| (d - expected).abs());
        self.score_errors.push((truth.id.clone(), error));
        let grade_ok = review.is_some_and(|r| r.score.grade == truth.expected.grade);
        self.grade.add(grade_ok as u64, 1);

        self.rows.push(DossierRow {
            id: truth.id.clone(),
            ok: review.is_some(),
            pages: Ratio::new(pages_ok, n),
            split: Prf::new(exact_tp, predicted_docs, truth_docs),
            case_kind_correct: kind_ok,
            defects: row_defects,
            cer_printed: row_printed,
            cer_full: row_full,
            score_draft: review.map(|r| r.score.draft),
            score_expected: expected,
        });
    }

    fn finish(self, truth_dir: &Path, run_dir: &Path) -> Report {
        let mut overall = ItemStats {
            item: "all".to_string(),
            ..ItemStats::default()
        };
        let mut items: Vec<ItemStats> = self.items.into_values().collect();
        for s in &mut items {
            s.finish();
            overall.truth += s.truth;
            overall.found += s.found;
            overall.manual += s.manual;
            overall.findings += s.findings;
            overall.correct += s.correct;
        }
        overall.finish();
        items.sort_by_key(|a| natural_key(&a.item));
        let mut by_kind: Vec<ItemStats> = self.kinds.into_values().collect();
        by_kind.iter_mut().for_each(ItemStats::finish);

        let mut groups: Vec<CerGroup> = self
            .cer
            .into_iter()
            .map(|(group, t)| CerGroup {
                group,
                pages: t.pages,
                printed: t.printed,
                full: t.full,
            })
            .collect();
        groups.sort_by_key(|g| group_order(&g.group));
        let all = groups.iter().find(|g| g.group == "all");
        let printed_of = |name: &str| {
            groups
                .iter()
                .find(|g| g.group == name)
                .and_then(|g| g.printed.cer)
        };
        let rotated_minus_upright = printed_of("rotated")
            .zip(printed_of("upright"))
            .map(|(r, u)| r - u);
        let cer = CerReport {
            printed: all.map(|g| g.printed).unwrap_or_default(),
            full: all.map(|g| g.full).unwrap_or_default(),
            rotated_minus_upright,
            missing_text_pages: self.missing_text,
            groups,
        };

        let errors = &self.score_errors;
        // The first dossier with the largest error.
        let worst = errors
            .iter()
            .fold(None::<&(String, f64)>, |best, e| match best {
                Some(b) if b.1 >= e.1 => Some(b),
                _ => Some(e),
            })
            .map(|(id, e)| (id.clone(), *e));
        let score = ScoreReport {
            dossiers: errors.len() as u64,
            mean_abs_error: (!errors.is_empty())
                .then(|| errors.iter().map(|e| e.1).sum::<f64>() / errors.len() as f64),
            max_abs_error: worst.as_ref().map(|w| w.1),
            worst: worst.map(|w| w.0),
            grade: self.grade.ratio(),
        };

        let mut confusions: Vec<Confusion> = self
            .confusions
            .into_iter()
            .map(|((truth, predicted), pages)| Confusion {
                truth,
                predicted,
                pages,
            })
            .collect();
        // Most frequent first; ties in code order (the sort is stable).
        confusions.sort_by_key(|c| std::cmp::Reverse(c.pages));

        let dossiers = self.rows.len() as u64;
        let failed_count = self.failed.len() as u64;
        let mut notes = Vec::new();
        if failed_count > 0 {
            notes.push(format!(
                "{failed_count} failed dossier(s) count as failures everywhere: their {} pages as \
                 wrong doc_types and page numbers, every truth character as a CER error, their documents and \
                 defects as missed, their case kind and grade as wrong, their score error as the \
                 worst possible (max(expected, 100 - expected)); they add nothing to date accuracy",
                self.failed_pages
            ));
        }
        if self.missing_text > 0 {
            notes.push(format!(
                "{} page text file(s) of ok dossiers missing or unreadable: read as empty",
                self.missing_text
            ));
        }

        Report {
            schema: REPORT_SCHEMA.to_string(),
            truth_dir: truth_dir.display().to_string(),
            run_dir: run_dir.display().to_string(),
            dossiers,
            ok: dossiers - failed_count,
            failed: self.failed,
            pages: self.pages.ratio(),
            page_numbers: self.page_numbers.ratio(),
            split: SplitReport {
                exact: self.exact.prf(),
                ranges_only: self.ranges.prf(),
                dates: self.dates.ratio(),
            },
            doc_types: self
                .types
                .into_iter()
                .map(|(doc_type, t)| DocTypeStats {
                    doc_type,
                    pages: t.pages.ratio(),
                    documents: t.documents.ratio(),
                })
                .collect(),
            confusions,
            case_kind: self.case_kind.ratio(),
            defects: DefectReport {
                overall,
                by_kind,
                items,
            },
            review: ReviewQueue {
                needs_review: self.needs_review.total,
                needs_review_true: self.needs_review.hits,
                per_dossier: (dossiers > failed_count)
                    .then(|| self.needs_review.total as f64 / (dossiers - failed_count) as f64),
                recall_with_review: self.recall_with_review.ratio(),
                false_zero: self.false_zero.len() as u64,
                false_zero_ids: self.false_zero,
            },
            reliability: BINS
                .iter()
                .zip(&self.bins)
                .enumerate()
                .map(|(i, (&low, h))| ReliabilityBin {
                    low,
                    high: BINS.get(i + 1).copied().unwrap_or(1.0),
                    findings: h.total,
                    correct: h.hits,
                    precision: fraction(h.hits, h.total),
                })
                .collect(),
            families: Vec::new(),
            case_facts: CaseFactsReport {
                agency: self.agency.ratio(),
                case_number: self.case_number.ratio(),
                party: self.party.ratio(),
                fine: self.fine.ratio(),
                confiscated: self.confiscated.ratio(),
            },
            cer,
            score,
            per_dossier: self.rows,
            notes,
            checks: Vec::new(),
        }
    }
}

/// Display order of CER groups: all, DPIs ascending, then the others.
fn group_order(group: &str) -> (u8, u32, String) {
    match group {
        "all" => (0, 0, String::new()),
        g if g.ends_with("dpi") => (
            1,
            g.trim_end_matches("dpi").parse().unwrap_or(0),
            String::new(),
        ),
        "grayscale" => (2, 0, String::new()),
        "colour" => (3, 0, String::new()),
        "upright" => (4, 0, String::new()),
        "rotated" => (5, 0, String::new()),
        other => (6, 0, other.to_string()),
    }
}

/// Sort key that orders digit runs by value: `P-2.2.9` before `P-2.10.1`.
fn natural_key(s: &str) -> Vec<(u64, String)> {
    let mut key = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        let digit = c.is_ascii_digit();
        let mut run = String::new();
        while let Some(&c) = chars.peek().filter(|c| c.is_ascii_digit() == digit) {
            run.push(c);
            chars.next();
        }
        key.push(if digit {
            (run.parse().unwrap_or(u64::MAX), String::new())
        } else {
            (0, run)
        });
    }
    key
}

#[cfg(test)]
mod tests {
    use super::natural_key;

    #[test]
    fn rubric_items_sort_naturally() {
        let mut items = vec!["P-2.10.1", "P-B1-1", "P-2.2.9", "C-1.1.1", "P-2.2.10"];
        items.sort_by_key(|s| natural_key(s));
        assert_eq!(
            items,
            ["C-1.1.1", "P-2.2.9", "P-2.2.10", "P-2.10.1", "P-B1-1"]
        );
    }
}
