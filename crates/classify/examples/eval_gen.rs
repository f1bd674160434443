//! Measures the classifier on generated dossiers that `anjuan scan` has read.
//!
//! ```text
//! cargo run -p anjuan-classify --example eval_gen -- <generated dir> <scan out dir> [--truth-boxes|--truth-text] [--rules|--model FILE] [-v]
//! ```
//!
//! For every `<id>.truth.json` in the generated folder it reads the OCR text of
//! `<scan out>/<id>/pages/NNNN.txt` (no boxes: pages are given without
//! geometry) and compares with the truth: page type accuracy, document split
//! F1 (first pages of documents), case kind, document dates and numbers, and
//! archival page numbers. `--truth-boxes` classifies the generator's own lines
//! with their true boxes instead of OCR text, to exercise the geometry path;
//! `--truth-text` the same lines without boxes (the fallback path).
//! `--drop-titles` deletes the OCR line most like the title from every
//! document's first page (a title OCR could not read: the model's case).
//! `--rules` leaves the trained model out; `--model FILE` uses that model
//! instead of the one found for the process. Also reported: parties against
//! the truth's, and the contents discrepancies found (`-v` lists them).

use anjuan_classify::{classify_dossier_with, Model, PageInput};
use anjuan_core::truth::DossierTruth;
use anjuan_ocr::OcrLine;
use anyhow::{bail, Context, Result};
use std::collections::BTreeSet;
use std::path::Path;

#[derive(Default)]
struct Tally {
    pages: usize,
    pages_right: usize,
    starts_true: usize,
    starts_pred: usize,
    starts_both: usize,
    dossiers: usize,
    kinds_right: usize,
    dated_docs: usize,
    dates_right: usize,
    numbered_docs: usize,
    numbers_right: usize,
    numbers_tail_right: usize,
    numbers_spurious: usize,
    page_numbers: usize,
    page_numbers_right: usize,
    parties: usize,
    parties_right: usize,
    parties_spurious: usize,
    contents_files: usize,
    contents_entries: usize,
    contents_discrepancies: usize,
}

fn line(text: &str, bbox: [u32; 4]) -> OcrLine {
    OcrLine {
        text: text.to_string(),
        bbox,
        confidence: 1.0,
        words: Vec::new(),
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let positional: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with('-') && (*i == 0 || args[i - 1] != "--model"))
        .map(|(_, a)| a)
        .collect();
    let truth_boxes = args.iter().any(|a| a == "--truth-boxes");
    let truth_text = args.iter().any(|a| a == "--truth-text");
    let verbose = args.iter().any(|a| a == "-v");
    let rules_only = args.iter().any(|a| a == "--rules");
    let drop_titles = args.iter().any(|a| a == "--drop-titles");
    let model_file = args
        .iter()
        .position(|a| a == "--model")
        .and_then(|i| args.get(i + 1));
    let loaded = match model_file {
        Some(f) => Some(Model::load(Path::new(f))?),
        None => None,
    };
    let model = if rules_only {
        None
    } else {
        match &loaded {
            Some(m) => Some(m),
            None => anjuan_classify::model::model(),
        }
    };
    println!(
        "model: {}",
        match (model, model_file) {
            (None, _) => "none (rules only)".to_string(),
            (Some(_), Some(f)) => f.clone(),
            (Some(_), None) =>
                anjuan_classify::model::model_path().map_or("?".into(), |p| p.display().to_string()),
        }
    );
    let [gen_dir, run_dir] = positional.as_slice() else {
        bail!("usage: eval_gen <generated dir> <scan out dir> [--truth-boxes|--truth-text] [-v]");
    };
    let mut files: Vec<_> = std::fs::read_dir(gen_dir)
        .with_context(|| format!("{gen_dir}: cannot list"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".truth.json"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("{gen_dir}: no *.truth.json files");
    }
    let mut t = Tally::default();
    for f in &files {
        let truth: DossierTruth = serde_json::from_str(
            &std::fs::read_to_string(f).with_context(|| format!("{}: cannot read", f.display()))?,
        )
        .with_context(|| format!("{}: not a truth file", f.display()))?;
        let mut all_lines: Vec<(Vec<OcrLine>, u32, u32)> = Vec::new();
        for p in &truth.pages {
            if truth_text {
                let lines = p.lines.iter().map(|l| line(&l.text, [0; 4])).collect();
                all_lines.push((lines, 0, 0));
            } else if truth_boxes {
                let lines = p.lines.iter().map(|l| line(&l.text, l.bbox)).collect();
                let w = (210.0 / 25.4 * p.dpi as f32).round() as u32;
                let h = (297.0 / 25.4 * p.dpi as f32).round() as u32;
                all_lines.push((lines, w, h));
            } else {
                let path = Path::new(run_dir)
                    .join(&truth.id)
                    .join("pages")
                    .join(format!("{:04}.txt", p.page));
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("{}: cannot read", path.display()))?;
                let mut lines: Vec<OcrLine> = text.lines().map(|l| line(l, [0; 4])).collect();
                let first_of = truth.documents.iter().find(|d| d.pages[0] == p.page);
                if let Some(d) = first_of.filter(|_| drop_titles) {
                    let want = anjuan_classify::normalize(&d.title);
                    let best = lines
                        .iter()
                        .enumerate()
                        .take(8)
                        .map(|(i, l)| {
                            (
                                i,
                                anjuan_classify::similarity(
                                    &anjuan_classify::normalize(&l.text),
                                    &want,
                                ),
                            )
                        })
                        .filter(|(_, s)| *s >= 0.5)
                        .max_by(|a, b| a.1.total_cmp(&b.1));
                    if let Some((i, _)) = best {
                        lines.remove(i);
                    }
                }
                all_lines.push((lines, 0, 0));
            }
        }
        let inputs: Vec<PageInput> = all_lines
            .iter()
            .map(|(lines, w, h)| PageInput {
                lines,
                width: *w,
                height: *h,
            })
            .collect();
        let got = classify_dossier_with(&inputs, model);
        if let Some(c) = &got.contents {
            t.contents_files += 1;
            t.contents_entries += c.entries.len();
            t.contents_discrepancies += c.discrepancies.len();
            if verbose {
                for d in &c.discrepancies {
                    eprintln!("{} contents: {d:?}", truth.id);
                }
            }
        }
        for d in &truth.documents {
            let found = got.documents.iter().position(|g| g.pages == d.pages);
            let party = found.and_then(|i| got.facts[i].party.as_ref());
            match (&d.party, party) {
                (Some(want), got_party) => {
                    t.parties += 1;
                    // The county prefix is often cut off in generated text
                    // (县…); compare the tail.
                    let ok = got_party
                        .is_some_and(|g| want.ends_with(g.as_str()) || g.ends_with(want.as_str()));
                    t.parties_right += usize::from(ok);
                    if verbose && !ok {
                        eprintln!(
                            "{} doc {} {}: party truth {want} got {got_party:?}",
                            truth.id, d.index, d.doc_type
                        );
                    }
                }
                (None, Some(g)) => {
                    t.parties_spurious += 1;
                    if verbose {
                        eprintln!(
                            "{} doc {} {}: spurious party {g}",
                            truth.id, d.index, d.doc_type
                        );
                    }
                }
                (None, None) => {}
            }
        }

        t.dossiers += 1;
        t.kinds_right += usize::from(got.case_kind == truth.case_kind);
        for (p, g) in truth.pages.iter().zip(&got.pages) {
            t.pages += 1;
            let right = p.doc_type == g.doc_type;
            t.pages_right += usize::from(right);
            if p.printed_page_number.is_some() {
                t.page_numbers += 1;
                t.page_numbers_right += usize::from(p.printed_page_number == g.printed_page_number);
            }
            if verbose && !right {
                eprintln!(
                    "{} p{}: truth {} got {} ({:.2})",
                    truth.id, p.page, p.doc_type, g.doc_type, g.confidence
                );
            }
        }
        let true_starts: BTreeSet<u32> = truth.documents.iter().map(|d| d.pages[0]).collect();
        let pred_starts: BTreeSet<u32> = got.documents.iter().map(|d| d.pages[0]).collect();
        t.starts_true += true_starts.len();
        t.starts_pred += pred_starts.len();
        t.starts_both += true_starts.intersection(&pred_starts).count();
        for d in &truth.documents {
            let found = got.documents.iter().find(|g| g.pages[0] == d.pages[0]);
            if let Some(date) = &d.date {
                t.dated_docs += 1;
                let ok = found.is_some_and(|g| g.date.as_ref() == Some(date));
                t.dates_right += usize::from(ok);
                if verbose && !ok {
                    eprintln!(
                        "{} doc {} {}: date truth {date} got {:?}",
                        truth.id,
                        d.index,
                        d.doc_type,
                        found.map(|g| &g.date)
                    );
                }
            }
            if d.number.is_none() && found.is_some_and(|g| g.number.is_some()) {
                t.numbers_spurious += 1;
                if verbose {
                    eprintln!(
                        "{} doc {} {}: spurious number {:?}",
                        truth.id,
                        d.index,
                        d.doc_type,
                        found.map(|g| &g.number)
                    );
                }
            }
            if let Some(number) = &d.number {
                t.numbered_docs += 1;
                let ok = found.is_some_and(|g| g.number.as_ref() == Some(number));
                t.numbers_right += usize::from(ok);
                // The part OCR rarely gets wrong: 〔year〕N号 after the prefix.
                let tail = |n: &str| n.find('〔').map(|i| n[i..].to_string());
                t.numbers_tail_right += usize::from(found.is_some_and(|g| {
                    g.number
                        .as_deref()
                        .and_then(tail)
                        .is_some_and(|x| Some(x) == tail(number))
                }));
                if verbose && !ok {
                    eprintln!(
                        "{} doc {} {}: number truth {number} got {:?}",
                        truth.id,
                        d.index,
                        d.doc_type,
                        found.map(|g| &g.number)
                    );
                }
            }
        }
    }
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    let precision = t.starts_both as f64 / t.starts_pred.max(1) as f64;
    let recall = t.starts_both as f64 / t.starts_true.max(1) as f64;
    let f1 = 2.0 * precision * recall / (precision + recall).max(f64::EPSILON);
    println!(
        "input: {}",
        if truth_text {
            "generator lines without boxes"
        } else if truth_boxes {
            "generator lines with true boxes"
        } else {
            "OCR text (pages/*.txt, no boxes)"
        }
    );
    println!("dossiers {}, pages {}", t.dossiers, t.pages);
    println!(
        "page type accuracy   {:.1}% ({}/{})",
        pct(t.pages_right, t.pages),
        t.pages_right,
        t.pages
    );
    println!(
        "split F1             {:.3} (P {:.3}, R {:.3}; {} true documents, {} found)",
        f1, precision, recall, t.starts_true, t.starts_pred
    );
    println!("case kind            {}/{}", t.kinds_right, t.dossiers);
    println!(
        "document dates       {:.1}% ({}/{})",
        pct(t.dates_right, t.dated_docs),
        t.dates_right,
        t.dated_docs
    );
    println!(
        "document numbers     {:.1}% ({}/{})",
        pct(t.numbers_right, t.numbered_docs),
        t.numbers_right,
        t.numbered_docs
    );
    println!(
        "  same 〔year〕N号    {:.1}% ({}/{})",
        pct(t.numbers_tail_right, t.numbered_docs),
        t.numbers_tail_right,
        t.numbered_docs
    );
    println!(
        "  spurious numbers   {} (documents without one)",
        t.numbers_spurious
    );
    println!(
        "printed page numbers {:.1}% ({}/{})",
        pct(t.page_numbers_right, t.page_numbers),
        t.page_numbers_right,
        t.page_numbers
    );
    println!(
        "parties              {:.1}% ({}/{}), {} spurious",
        pct(t.parties_right, t.parties),
        t.parties_right,
        t.parties,
        t.parties_spurious
    );
    println!(
        "contents             {} pages read, {} rows, {} discrepancies",
        t.contents_files, t.contents_entries, t.contents_discrepancies
    );
    Ok(())
}
