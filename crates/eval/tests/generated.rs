//! `evaluate` on truth written by the real generator (`anjuan_gen::write`):
//! a perfect run from it scores 100 %; a run that reads no handwriting loses
//! exactly the handwritten characters on the full CER and nothing else.

use anjuan_core::contract::*;
use anjuan_core::fsutil::{atomic_write, atomic_write_json};
use anjuan_core::truth::DossierTruth;
use anjuan_eval::cer::strip_whitespace;
use anjuan_eval::evaluate;
use anjuan_eval::oracle::perfect_review;
use anjuan_eval::report::Ratio;
use anjuan_gen::GenerateArgs;
use clap::Parser;
use std::path::Path;

#[derive(Parser)]
struct Generate {
    #[command(flatten)]
    args: GenerateArgs,
}

/// Writes the run for `truths`, each page's text made by `text`.
fn write_run(
    dir: &Path,
    truths: &[DossierTruth],
    text: impl Fn(&anjuan_core::truth::PageTruth) -> String,
) {
    let mut entries = Vec::new();
    for t in truths {
        let d = dir.join(&t.id);
        atomic_write_json(&d.join("review.json"), &perfect_review(t)).unwrap();
        for p in &t.pages {
            atomic_write(
                &d.join(format!("pages/{:04}.txt", p.page)),
                text(p).as_bytes(),
            )
            .unwrap();
        }
        entries.push(IndexEntry {
            id: t.id.clone(),
            source: format!("samples/{}.pdf", t.id),
            status: DossierStatus::Ok,
            error: None,
        });
    }
    let index = Index {
        schema: INDEX_SCHEMA.into(),
        dossiers: entries,
    };
    atomic_write_json(&dir.join("index.json"), &index).unwrap();
}

#[test]
fn generated_dossiers_score_as_their_fabricated_runs_deserve() {
    let truth_dir = tempfile::tempdir().unwrap();
    // Through the generator's flags, so that new options keep their defaults.
    let out = truth_dir.path().to_string_lossy().into_owned();
    for (first, kind) in [("0", "penalty"), ("1", "coercion")] {
        let flags = [
            "generate",
            "--seed",
            "11",
            "--count",
            "1",
            "--first",
            first,
            "--kind",
            kind,
            "--profile",
            "small",
            "--out",
            &out,
        ];
        anjuan_gen::run(&Generate::parse_from(flags).args).unwrap();
    }
    let truths: Vec<DossierTruth> = ["d11-000", "d11-001"]
        .iter()
        .map(|id| {
            let path = truth_dir.path().join(format!("{id}.truth.json"));
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
        })
        .collect();
    assert_eq!(truths[0].case_kind, anjuan_core::CaseKind::Penalty);
    assert_eq!(truths[1].case_kind, anjuan_core::CaseKind::Coercion);
    let pages: u64 = truths.iter().map(|t| t.pages.len() as u64).sum();
    let docs: u64 = truths.iter().map(|t| t.documents.len() as u64).sum();

    let perfect = tempfile::tempdir().unwrap();
    write_run(perfect.path(), &truths, |p| p.full_text());
    let r = evaluate(truth_dir.path(), perfect.path()).unwrap();
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    assert_eq!(r.pages, Ratio::new(pages, pages));
    assert_eq!(r.split.exact.f1, Some(1.0));
    assert_eq!(r.split.exact.truth, docs);
    assert_eq!(r.case_kind.value, Some(1.0));
    let defects: u64 = truths.iter().map(|t| t.defects.len() as u64).sum();
    assert_eq!(r.defects.overall.truth, defects);
    if defects > 0 {
        assert_eq!(r.defects.overall.recall, Some(1.0));
        assert_eq!(r.defects.overall.precision, Some(1.0));
    }
    assert_eq!(r.cer.printed.edits, 0);
    assert_eq!(r.cer.full.edits, 0);
    assert!(r.cer.printed.chars > 1000, "{:?}", r.cer.printed);
    assert_eq!(r.score.max_abs_error, Some(0.0));

    // Handwriting not read at all: printed CER stays 0; the full CER loses
    // exactly the handwritten characters.
    let printed_only = tempfile::tempdir().unwrap();
    write_run(printed_only.path(), &truths, |p| p.printed_text());
    let r = evaluate(truth_dir.path(), printed_only.path()).unwrap();
    let handwritten: u64 = truths
        .iter()
        .flat_map(|t| &t.pages)
        .flat_map(|p| &p.lines)
        .filter(|l| l.handwritten)
        .map(|l| strip_whitespace(&l.text).len() as u64)
        .sum();
    assert!(handwritten > 0, "the generator writes handwriting");
    assert_eq!(r.cer.printed.edits, 0);
    assert_eq!(r.cer.full.edits, handwritten);
}
