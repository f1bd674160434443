//! Times `evaluate` on generated dossiers and a fabricated noisy run.
//!
//! `cargo run -p anjuan-eval --release --example eval_timing -- [COUNT] [DIR]`
//! generates COUNT full dossiers (default 10) into DIR (default a temporary
//! directory; an existing DIR with truth files is reused), writes a run whose
//! page texts are the full truth text with every 30th character replaced,
//! and reports how long `evaluate` takes.

use anjuan_core::contract::*;
use anjuan_core::fsutil::{atomic_write, atomic_write_json};
use anjuan_core::truth::DossierTruth;
use anjuan_eval::oracle::perfect_review;
use anjuan_gen::GenerateArgs;
use clap::Parser;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser)]
struct Generate {
    #[command(flatten)]
    args: GenerateArgs,
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(10);
    let tmp = tempfile::tempdir()?;
    let truth_dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| tmp.path().join("truth"));
    let has_truth = std::fs::read_dir(&truth_dir)
        .map(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".truth.json"))
        })
        .unwrap_or(false);
    if !has_truth {
        // Through the flags, so that new generator options keep their defaults.
        let count = count.to_string();
        let out = truth_dir.to_string_lossy().into_owned();
        let flags = [
            "generate", "--seed", "2026", "--count", &count, "--out", &out,
        ];
        anjuan_gen::run(&Generate::parse_from(flags).args)?;
    }
    let run_dir = tmp.path().join("run");
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(&truth_dir)? {
        let path = entry?.path();
        if !path.to_string_lossy().ends_with(".truth.json") {
            continue;
        }
        let t: DossierTruth = serde_json::from_slice(&std::fs::read(&path)?)?;
        write_noisy(&run_dir, &t)?;
        entries.push(IndexEntry {
            id: t.id.clone(),
            source: format!("{}.pdf", t.id),
            status: DossierStatus::Ok,
            error: None,
        });
    }
    let index = Index {
        schema: INDEX_SCHEMA.into(),
        dossiers: entries,
    };
    atomic_write_json(&run_dir.join("index.json"), &index)?;

    let started = Instant::now();
    let report = anjuan_eval::evaluate(&truth_dir, &run_dir)?;
    let secs = started.elapsed().as_secs_f64();
    print!("{}", anjuan_eval::table::render(&report));
    println!(
        "\nevaluate: {} dossiers, {} pages, {} truth chars in {secs:.2} s ({:.0} pages/s)",
        report.dossiers,
        report.pages.total,
        report.cer.full.chars,
        report.pages.total as f64 / secs
    );
    Ok(())
}

/// The review a perfect scan would write, with page texts damaged: every
/// 30th non-space character replaced.
fn write_noisy(run_dir: &std::path::Path, t: &DossierTruth) -> anyhow::Result<()> {
    let dir = run_dir.join(&t.id);
    let review = Review {
        findings: vec![],
        score: Score {
            draft: 100.0,
            grade: "优秀".into(),
            basic_breach_suspected: false,
        },
        ..perfect_review(t)
    };
    atomic_write_json(&dir.join("review.json"), &review)?;
    for p in &t.pages {
        let text: String = p
            .full_text()
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i % 30 == 29 && !c.is_whitespace() {
                    '〇'
                } else {
                    c
                }
            })
            .collect();
        atomic_write(
            &dir.join(format!("pages/{:04}.txt", p.page)),
            text.as_bytes(),
        )?;
    }
    Ok(())
}
