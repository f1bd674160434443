//! Replays the checks on a finished scan without scanning again, and scores
//! them against the generator's truth: per-item recall and precision, false
//! alarms with their reasons, the draft score error.
//!
//! `cargo run -p anjuan-checks --release --example replay -- RUN_DIR TRUTH_DIR [-v] [--capture DIR]`
//!
//! `--capture DIR` also writes each dossier's checks input as a test
//! fixture (`DIR/<id>.json`: kind, documents, pages with OCR lines, boxes
//! and marks), for tests on real OCR without the scan.
//!
//! Pages come from the scan's OCR cache (`RUN_DIR/.cache/ocr`, lines with
//! boxes and marks), matched to `RUN_DIR/<id>/pages/NNNN.txt` by their text;
//! classification from `RUN_DIR/<id>/review.json`.

use anjuan_checks::{CheckInput, Line, Page};
use anjuan_core::contract::{FindingKind, FindingStatus, Review};
use anjuan_core::marks::PageMarks;
use anjuan_core::truth::{DefectKind, DossierTruth};
use anjuan_rubric::{Facts, Rubric};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

#[derive(Deserialize, Serialize, Clone)]
struct CachedLine {
    text: String,
    /// `text` through the scan's normalisation step, filled on load.
    #[serde(skip)]
    norm: String,
    bbox: [u32; 4],
    confidence: f32,
}

#[derive(Deserialize, Serialize, Clone)]
struct CachedPage {
    dpi: u32,
    width: u32,
    height: u32,
    lines: Vec<CachedLine>,
    #[serde(default)]
    marks: PageMarks,
}

fn key(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
}

#[derive(Default)]
struct Stat {
    truth: u32,
    found: u32,
    /// Suggested findings, and those of them that are true.
    findings: u32,
    correct: u32,
    /// Findings that need review, and truth defects only they flag.
    flagged: u32,
    flagged_true: u32,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let capture = args
        .iter()
        .position(|a| a == "--capture")
        .map(|i| PathBuf::from(&args[i + 1]));
    let args: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with('-') && (*i == 0 || args[i - 1] != "--capture"))
        .map(|(_, a)| a)
        .collect();
    let (run, truth_dir) = (Path::new(args[0]), Path::new(args[1]));
    let mut files = Vec::new();
    walk(&run.join(".cache/ocr"), &mut files);
    // Marks are cached apart, keyed by the gray image's hash (grayscale
    // pages: the OCR file's name).
    let mut marks_files = Vec::new();
    walk(&run.join(".cache/marks"), &mut marks_files);
    let mut marks: Vec<(String, PageMarks)> = marks_files
        .iter()
        .filter_map(|f| {
            let m: PageMarks = serde_json::from_slice(&std::fs::read(f).ok()?).ok()?;
            Some((f.file_stem()?.to_string_lossy().into_owned(), m))
        })
        .collect();
    let mut cache: HashMap<String, CachedPage> = HashMap::new();
    for f in files {
        let Ok(bytes) = std::fs::read(&f) else {
            continue;
        };
        let Ok(mut p) = serde_json::from_slice::<CachedPage>(&bytes) else {
            continue;
        };
        for l in &mut p.lines {
            l.norm = anjuan_core::normalize::normalize(&l.text).into_owned();
        }
        let stem = f
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Colour pages' marks are keyed by the red plane too, which the
        // cache does not keep: only grayscale pages get theirs back.
        let found = marks.iter().position(|(k, _)| *k == stem);
        if let Some(i) = found {
            p.marks = marks.swap_remove(i).1;
        }
        let text: String = p.lines.iter().map(|l| key(&l.text)).collect();
        cache.insert(text, p);
    }
    let mut stats: BTreeMap<String, Stat> = BTreeMap::new();
    let mut score_err = Vec::new();
    let mut truths: Vec<PathBuf> = std::fs::read_dir(truth_dir)
        .expect("truth dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".truth.json"))
        .collect();
    truths.sort();
    for tp in truths {
        let truth: DossierTruth =
            serde_json::from_slice(&std::fs::read(&tp).expect("truth")).expect("truth json");
        let dir = run.join(&truth.id);
        let Ok(bytes) = std::fs::read(dir.join("review.json")) else {
            eprintln!("{}: no review", truth.id);
            continue;
        };
        let mut review: Review = serde_json::from_slice(&bytes).expect("review");
        let empty = PageMarks::default();
        let mut missing = 0;
        let cached: Vec<Option<&CachedPage>> = review
            .pages
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(dir.join(&p.ocr.text_file)).unwrap_or_default();
                let c = cache.get(&key(&text));
                missing += c.is_none() as u32;
                c
            })
            .collect();
        if missing > 0 {
            eprintln!("{}: {missing} pages not in the cache", truth.id);
        }
        let pages: Vec<Page> = review
            .pages
            .iter()
            .zip(&cached)
            .map(|(p, c)| Page {
                lines: c.map_or(Vec::new(), |c| {
                    c.lines
                        .iter()
                        .map(|l| Line {
                            text: &l.norm,
                            raw: &l.text,
                            bbox: l.bbox,
                            confidence: l.confidence,
                        })
                        .collect()
                }),
                marks: c.map_or(&empty, |c| &c.marks),
                dpi: c.map_or(p.ocr.dpi, |c| c.dpi),
                width: c.map_or(0, |c| c.width),
                height: c.map_or(0, |c| c.height),
                doc_type: &p.doc_type,
                document: p.document.unwrap_or(0),
                printed_page_number: p.printed_page_number,
                unread: p.error.as_deref(),
            })
            .collect();
        if let Some(dir) = &capture {
            let fixture = serde_json::json!({
                "case_kind": review.case_kind,
                "documents": review.documents,
                "pages": review.pages.iter().zip(&cached).map(|(p, c)| serde_json::json!({
                    "doc_type": p.doc_type,
                    "document": p.document,
                    "printed_page_number": p.printed_page_number,
                    "page": c,
                })).collect::<Vec<_>>(),
            });
            std::fs::create_dir_all(dir).expect("capture dir");
            std::fs::write(
                dir.join(format!("{}.json", truth.id)),
                serde_json::to_string(&fixture).expect("json"),
            )
            .expect("write fixture");
        }
        // The contents page reconciled as the scan does: classify again and
        // keep its contents when it splits the file as the review did.
        let ocr: Vec<Vec<anjuan_ocr::OcrLine>> = cached
            .iter()
            .map(|c| {
                c.map_or(Vec::new(), |c| {
                    c.lines
                        .iter()
                        .map(|l| anjuan_ocr::OcrLine::unsplit(&l.text, l.bbox, l.confidence))
                        .collect()
                })
            })
            .collect();
        let inputs: Vec<anjuan_classify::PageInput> = ocr
            .iter()
            .zip(&cached)
            .map(|(l, c)| anjuan_classify::PageInput {
                lines: l,
                width: c.map_or(0, |c| c.width),
                height: c.map_or(0, |c| c.height),
            })
            .collect();
        let class = anjuan_classify::classify_dossier(&inputs);
        let same = class.documents.len() == review.documents.len()
            && class
                .documents
                .iter()
                .zip(&review.documents)
                .all(|(a, b)| a.doc_type == b.doc_type && a.pages == b.pages);
        if !same {
            eprintln!(
                "{}: split differs from the review's; contents not judged",
                truth.id
            );
        }
        let issues: Option<Vec<_>> = same.then(|| {
            class
                .contents
                .as_ref()
                .map(anjuan_checks::contents_issues)
                .unwrap_or_default()
        });
        let rubric = Rubric::builtin(review.case_kind);
        let input = CheckInput {
            case_kind: review.case_kind,
            pages,
            documents: &review.documents,
            rubric,
        };
        let result = anjuan_checks::run_with_contents(&input, issues.as_deref());
        review.findings = result.findings;
        if let Some(rubric) = rubric {
            let facts = Facts::from_doc_types(review.pages.iter().map(|p| p.doc_type.as_str()));
            anjuan_rubric::fill_review(&mut review, rubric, &facts, &result.implemented)
                .expect("findings fit the rubric");
        }
        let kind = |k: DefectKind| match k {
            DefectKind::Basic => FindingKind::Basic,
            _ => FindingKind::Deduction,
        };
        let truth_set: Vec<(&str, FindingKind)> = truth
            .defects
            .iter()
            .map(|d| (d.item.as_str(), kind(d.kind)))
            .collect();
        for d in &truth.defects {
            let s = stats.entry(d.item.clone()).or_default();
            s.truth += 1;
            let on_it =
                |f: &&anjuan_core::contract::Finding| f.item == d.item && f.kind == kind(d.kind);
            let hit = review
                .findings
                .iter()
                .filter(on_it)
                .any(|f| f.status == FindingStatus::Suggested);
            let flagged = !hit && review.findings.iter().any(|f| on_it(&f));
            s.found += hit as u32;
            s.flagged_true += flagged as u32;
            if !hit {
                println!(
                    "{}  MISS {} {} ({}){}",
                    truth.id,
                    d.item,
                    d.defect,
                    d.description,
                    if flagged { " — needs review" } else { "" }
                );
            }
        }
        for f in &review.findings {
            let s = stats.entry(f.item.clone()).or_default();
            let ok = truth_set.contains(&(f.item.as_str(), f.kind));
            let suggested = f.status == FindingStatus::Suggested;
            if suggested {
                s.findings += 1;
                s.correct += ok as u32;
            } else {
                s.flagged += 1;
            }
            if !ok || verbose {
                println!(
                    "{}  {} {} {:.2} {}",
                    truth.id,
                    match (ok, suggested) {
                        (true, _) => "ok  ",
                        (false, true) => "FALSE",
                        (false, false) => "NR-FALSE",
                    },
                    f.item,
                    f.confidence,
                    f.reason
                );
            }
        }
        score_err.push((review.score.draft - truth.expected.score).abs());
    }
    println!("\nitem        truth found findings correct  flagged flagged-true");
    let mut all = Stat::default();
    for (item, s) in &stats {
        println!(
            "{item:10} {:6} {:5} {:8} {:7} {:8} {:12}",
            s.truth, s.found, s.findings, s.correct, s.flagged, s.flagged_true
        );
        all.flagged += s.flagged;
        all.flagged_true += s.flagged_true;
        all.truth += s.truth;
        all.found += s.found;
        all.findings += s.findings;
        all.correct += s.correct;
    }
    println!(
        "all        {:6} {:5} {:8} {:7}   recall {:.3} precision {:.3}",
        all.truth,
        all.found,
        all.findings,
        all.correct,
        all.found as f64 / all.truth.max(1) as f64,
        all.correct as f64 / all.findings.max(1) as f64
    );
    println!(
        "needs review {} ({} of them true); recall with them {:.3}",
        all.flagged,
        all.flagged_true,
        (all.found + all.flagged_true) as f64 / all.truth.max(1) as f64
    );
    let n = score_err.len().max(1) as f64;
    println!(
        "score error mean {:.2} max {:.2} over {} dossiers",
        score_err.iter().sum::<f64>() / n,
        score_err.iter().cloned().fold(0.0, f64::max),
        score_err.len()
    );
}
