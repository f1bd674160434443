//! Measures citation checking against generated dossiers' truth, per document:
//!
//! `cargo run -p anjuan-statutes --example eval_citations -- --truth DIR [--run RUN] [--index models/statutes.json] [-v]`
//!
//! With `--run`, the text is the scan's OCR (`RUN/<id>/pages/NNNN.txt`);
//! without, the generator's own text (truth lines). A document counts as
//! flagged for a defect when any citation in it has a problem of the defect's
//! family; problems of kinds no defect makes are all false alarms.

use anjuan_core::truth::DossierTruth;
use anjuan_statutes::{Index, ProblemKind};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn family(k: ProblemKind) -> &'static str {
    match k {
        ProblemKind::Abbreviated | ProblemKind::UnknownLaw => "abbreviated_law",
        ProblemKind::ArticleMissing => "missing_article",
        ProblemKind::NoSuchArticle
        | ProblemKind::NoSuchParagraph
        | ProblemKind::NoSuchItem
        | ProblemKind::ParagraphMissing => "provision",
    }
}

fn defect_family(d: &str) -> Option<&'static str> {
    match d {
        "filing_abbreviated_law" | "decision_abbreviated_law" => Some("abbreviated_law"),
        "decision_missing_article" => Some("missing_article"),
        _ => None,
    }
}

fn main() -> anyhow::Result<()> {
    let mut truth_dir = None;
    let mut run = None;
    let mut index = PathBuf::from("models/statutes.json");
    let mut verbose = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--truth" => truth_dir = args.next().map(PathBuf::from),
            "--run" => run = args.next().map(PathBuf::from),
            "--index" => index = PathBuf::from(args.next().unwrap_or_default()),
            "-v" => verbose = true,
            _ => anyhow::bail!("unknown argument {a}"),
        }
    }
    let truth_dir = truth_dir.ok_or_else(|| anyhow::anyhow!("--truth DIR is required"))?;
    let idx = Index::load(&index)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&truth_dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".truth.json"))
        .collect();
    files.sort();
    // family → (tp, fp, fn)
    let mut score: BTreeMap<&str, (u32, u32, u32)> = BTreeMap::new();
    let mut kinds: BTreeMap<String, u32> = BTreeMap::new();
    let (mut citations, mut docs) = (0, 0);
    for f in files {
        let t: DossierTruth = serde_json::from_slice(&std::fs::read(&f)?)?;
        if let Some(r) = &run {
            if !r.join(&t.id).join("pages").is_dir() {
                continue;
            }
        }
        for d in &t.documents {
            docs += 1;
            let mut text = String::new();
            for p in d.pages[0]..=d.pages[1] {
                let page = match &run {
                    Some(r) => std::fs::read_to_string(
                        r.join(&t.id).join("pages").join(format!("{p:04}.txt")),
                    )
                    .unwrap_or_default(),
                    None => t.pages[p as usize - 1].full_text(),
                };
                text.push_str(&page);
                text.push('\n');
            }
            let on = d.date.as_deref().and_then(|s| {
                let v: Vec<u32> = s.split('-').filter_map(|x| x.parse().ok()).collect();
                (v.len() == 3).then(|| (v[0] as i32, v[1], v[2]))
            });
            let checked = idx.check_text(&text, on);
            citations += checked.len();
            let mut flagged: BTreeMap<&str, Vec<String>> = BTreeMap::new();
            for (c, ps) in &checked {
                for p in ps {
                    *kinds.entry(format!("{:?}", p.kind)).or_default() += 1;
                    flagged.entry(family(p.kind)).or_default().push(format!(
                        "{} | {}",
                        c.raw.replace('\n', "⏎"),
                        p.message_zh
                    ));
                }
            }
            let truth: Vec<&str> = t
                .defects
                .iter()
                .filter(|x| x.pages.iter().any(|&p| p >= d.pages[0] && p <= d.pages[1]))
                .filter_map(|x| defect_family(&x.defect))
                .collect();
            for fam in ["abbreviated_law", "missing_article", "provision"] {
                let e = score.entry(fam).or_default();
                let want = truth.contains(&fam);
                let got = flagged.contains_key(fam);
                match (want, got) {
                    (true, true) => e.0 += 1,
                    (false, true) => e.1 += 1,
                    (true, false) => e.2 += 1,
                    _ => {}
                }
                if verbose && (want != got || (got && want)) {
                    let tag = match (want, got) {
                        (true, true) => "TP",
                        (false, true) => "FP",
                        _ => "FN",
                    };
                    println!(
                        "{tag} {fam} {} doc {} {} {:?}",
                        t.id, d.index, d.doc_type, d.date
                    );
                    for s in flagged.get(fam).into_iter().flatten() {
                        println!("    {s}");
                    }
                    if tag == "FN" {
                        for (c, _) in &checked {
                            println!("    parsed: {}", c.raw.replace('\n', "⏎"));
                        }
                    }
                }
            }
        }
    }
    println!("{docs} documents, {citations} citations parsed");
    println!("problems by kind: {kinds:?}");
    println!(
        "{:<16} {:>4} {:>4} {:>4} {:>9} {:>7}",
        "family", "tp", "fp", "fn", "precision", "recall"
    );
    for (fam, (tp, fp, fnn)) in &score {
        let p = if tp + fp > 0 {
            *tp as f64 / (tp + fp) as f64
        } else {
            f64::NAN
        };
        let r = if tp + fnn > 0 {
            *tp as f64 / (tp + fnn) as f64
        } else {
            f64::NAN
        };
        println!("{fam:<16} {tp:>4} {fp:>4} {fnn:>4} {p:>9.3} {r:>7.3}");
    }
    Ok(())
}
