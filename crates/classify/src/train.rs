//! Training the page model ([`crate::model`]) from generated dossiers that
//! `anjuan scan` has read: the labels come from `<truth dir>/<id>.truth.json`,
//! the text from `<run dir>/<id>/pages/NNNN.txt`.
//!
//! Each page gives up to three examples: its OCR text; the generator's own
//! text of it (clean, printed and handwritten); and, for a document's first
//! page, its OCR text with the title line taken out, so that the model also
//! learns the body of documents whose title OCR could not read. The previous
//! page's true type is a feature. Training is an averaged perceptron over a
//! fixed number of epochs in a fixed pseudo-random order: the same inputs give
//! the same model file, byte for byte.

use crate::model::{page_features, Model, PageContext, TrainedOn};
use crate::text::{normalize, similarity};
use anjuan_core::doctype::DocTypes;
use anjuan_core::truth::DossierTruth;
use anyhow::{bail, Context};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Passes over the examples.
pub const EPOCHS: usize = 12;
/// A feature seen in fewer examples than this is dropped (noise, names).
const MIN_FEATURE_COUNT: usize = 2;
/// Averaged weights smaller than this are not stored.
const MIN_WEIGHT: f32 = 0.002;

/// What [`train`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainReport {
    pub dossiers: usize,
    pub pages: usize,
    pub examples: usize,
    pub features: usize,
    pub classes_seen: usize,
    /// Page accuracy of the final model on the OCR text of the training pages
    /// (with the true previous type), for orientation only.
    pub train_accuracy: f32,
    pub model_bytes: u64,
    pub out: PathBuf,
}

impl std::fmt::Display for TrainReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "trained on {} dossiers, {} pages ({} examples, {} of the classes seen): {} features, training accuracy {:.2}%; wrote {} ({} bytes)",
            self.dossiers,
            self.pages,
            self.examples,
            self.classes_seen,
            self.features,
            self.train_accuracy * 100.0,
            self.out.display(),
            self.model_bytes
        )
    }
}

struct Example {
    features: Vec<u32>,
    label: usize,
}

/// One generated dossier: truth and the OCR text of each page.
pub struct LabelledDossier {
    pub truth: DossierTruth,
    pub ocr_pages: Vec<Vec<String>>,
}

/// Reads every `<id>.truth.json` of `truth_dir` with its scan in `run_dir`.
pub fn load_labelled(truth_dir: &Path, run_dir: &Path) -> anyhow::Result<Vec<LabelledDossier>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(truth_dir)
        .with_context(|| format!("{}: cannot list", truth_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".truth.json"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("{}: no *.truth.json files", truth_dir.display());
    }
    let mut out = Vec::new();
    for f in files {
        let text =
            std::fs::read_to_string(&f).with_context(|| format!("{}: cannot read", f.display()))?;
        let truth: DossierTruth = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a truth file", f.display()))?;
        let pages_dir = run_dir.join(&truth.id).join("pages");
        let mut ocr_pages = Vec::with_capacity(truth.pages.len());
        for p in &truth.pages {
            let path = pages_dir.join(format!("{:04}.txt", p.page));
            let t = std::fs::read_to_string(&path).with_context(|| {
                format!(
                    "{}: cannot read the OCR text of page {} of {} (scan {} into {} first)",
                    path.display(),
                    p.page,
                    truth.id,
                    truth_dir.display(),
                    run_dir.display()
                )
            })?;
            ocr_pages.push(t.lines().map(str::to_string).collect());
        }
        out.push(LabelledDossier { truth, ocr_pages });
    }
    Ok(out)
}

/// The line of a page's first lines that is most like `title`, if any is
/// at least half like it.
fn title_line(lines: &[String], title: &str) -> Option<usize> {
    let want = normalize(title);
    lines
        .iter()
        .enumerate()
        .take(8)
        .map(|(i, l)| (i, similarity(&normalize(l), &want)))
        .filter(|(_, s)| *s >= 0.5)
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(i, _)| i)
}

/// Trains a model on the dossiers of `truth_dirs[i]` as scanned into
/// `run_dirs[i]` and writes it to `out`.
pub fn train(
    truth_dirs: &[PathBuf],
    run_dirs: &[PathBuf],
    out: &Path,
) -> anyhow::Result<TrainReport> {
    if truth_dirs.is_empty() || truth_dirs.len() != run_dirs.len() {
        bail!(
            "give one scan folder (--run) per truth folder (--truth): got {} truth and {} run folders",
            truth_dirs.len(),
            run_dirs.len()
        );
    }
    let mut dossiers = Vec::new();
    for (t, r) in truth_dirs.iter().zip(run_dirs) {
        dossiers.extend(load_labelled(t, r)?);
    }
    let (model, report) = train_on(&dossiers)?;
    let bytes = model.save(out)?;
    Ok(TrainReport {
        model_bytes: bytes,
        out: out.to_path_buf(),
        ..report
    })
}

/// Trains on loaded dossiers (no I/O).
pub fn train_on(dossiers: &[LabelledDossier]) -> anyhow::Result<(Model, TrainReport)> {
    let classes: Vec<String> = DocTypes::builtin().codes().map(str::to_string).collect();
    let class_of: HashMap<&str, usize> = classes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();

    // Feature lists of every example, as strings first.
    let mut raw: Vec<(Vec<String>, usize)> = Vec::new();
    // Which raw examples are the OCR text (for the training accuracy).
    let mut ocr_examples: Vec<usize> = Vec::new();
    let mut pages = 0;
    for d in dossiers {
        let count = d.truth.pages.len();
        for (i, p) in d.truth.pages.iter().enumerate() {
            pages += 1;
            let Some(&label) = class_of.get(p.doc_type.as_str()) else {
                bail!(
                    "{}: page {} has unknown doc type {:?}",
                    d.truth.id,
                    p.page,
                    p.doc_type
                );
            };
            let ctx = PageContext {
                index: i,
                count,
                prev: i.checked_sub(1).map(|j| d.truth.pages[j].doc_type.as_str()),
            };
            let ocr: Vec<&str> = d.ocr_pages[i].iter().map(String::as_str).collect();
            ocr_examples.push(raw.len());
            raw.push((page_features(&ocr, &ctx), label));
            let clean: Vec<&str> = p.lines.iter().map(|l| l.text.as_str()).collect();
            raw.push((page_features(&clean, &ctx), label));
            let doc = d.truth.documents.iter().find(|doc| doc.index == p.document);
            if let Some(doc) = doc.filter(|doc| doc.pages[0] == p.page) {
                if let Some(t) = title_line(&d.ocr_pages[i], &doc.title) {
                    let without: Vec<&str> = ocr
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != t)
                        .map(|(_, l)| *l)
                        .collect();
                    raw.push((page_features(&without, &ctx), label));
                }
            }
        }
    }
    if raw.is_empty() {
        bail!("no pages to train on");
    }

    // Vocabulary: features seen in enough examples, in sorted order.
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (fs, _) in &raw {
        for f in fs {
            *counts.entry(f.as_str()).or_default() += 1;
        }
    }
    let vocab: Vec<&str> = counts
        .iter()
        .filter(|(_, &n)| n >= MIN_FEATURE_COUNT)
        .map(|(f, _)| *f)
        .collect();
    let index: HashMap<&str, u32> = vocab
        .iter()
        .enumerate()
        .map(|(i, f)| (*f, i as u32))
        .collect();
    let examples: Vec<Example> = raw
        .iter()
        .map(|(fs, label)| Example {
            features: fs
                .iter()
                .filter_map(|f| index.get(f.as_str()).copied())
                .collect(),
            label: *label,
        })
        .collect();

    let nc = classes.len();
    let nf = vocab.len() + 1; // the last row is the bias
    let bias_row = vocab.len() as u32;
    let mut w = vec![0f32; nf * nc];
    // Averaging by the usual trick: u accumulates step-weighted updates.
    let mut u = vec![0f32; nf * nc];
    let mut step = 1f32;
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..EPOCHS {
        // Fisher–Yates with a fixed xorshift: deterministic.
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        for &e in &order {
            let ex = &examples[e];
            let mut scores = vec![0f32; nc];
            for &f in ex.features.iter().chain(std::iter::once(&bias_row)) {
                let row = &w[f as usize * nc..(f as usize + 1) * nc];
                for (s, x) in scores.iter_mut().zip(row) {
                    *s += x;
                }
            }
            let guess = argmax(&scores);
            if guess != ex.label {
                for &f in ex.features.iter().chain(std::iter::once(&bias_row)) {
                    let base = f as usize * nc;
                    w[base + ex.label] += 1.0;
                    w[base + guess] -= 1.0;
                    u[base + ex.label] += step;
                    u[base + guess] -= step;
                }
            }
            step += 1.0;
        }
    }
    let averaged: Vec<f32> = w.iter().zip(&u).map(|(w, u)| w - u / step).collect();

    let mut weights: HashMap<String, Vec<(u16, f32)>> = HashMap::new();
    for (fi, f) in vocab.iter().enumerate() {
        let row = &averaged[fi * nc..(fi + 1) * nc];
        let ws: Vec<(u16, f32)> = row
            .iter()
            .enumerate()
            .filter(|(_, x)| x.abs() >= MIN_WEIGHT)
            .map(|(c, x)| (c as u16, round(*x)))
            .collect();
        if !ws.is_empty() {
            weights.insert(f.to_string(), ws);
        }
    }
    let bias: Vec<f32> = averaged[bias_row as usize * nc..]
        .iter()
        .map(|x| round(*x))
        .collect();
    let features = weights.len();
    let seen: std::collections::BTreeSet<usize> = examples.iter().map(|e| e.label).collect();
    let model = Model::new(
        classes,
        bias,
        weights,
        TrainedOn {
            dossiers: dossiers.len(),
            pages,
            examples: examples.len(),
            epochs: EPOCHS,
        },
    );
    let right = ocr_examples
        .iter()
        .filter(|&&i| {
            let s = model.scores(&raw[i].0);
            argmax(&s) == raw[i].1
        })
        .count();
    let report = TrainReport {
        dossiers: dossiers.len(),
        pages,
        examples: examples.len(),
        features,
        classes_seen: seen.len(),
        train_accuracy: right as f32 / ocr_examples.len().max(1) as f32,
        model_bytes: 0,
        out: PathBuf::new(),
    };
    Ok((model, report))
}

fn argmax(s: &[f32]) -> usize {
    let mut best = 0;
    for (i, x) in s.iter().enumerate() {
        if *x > s[best] {
            best = i;
        }
    }
    best
}

/// Three decimals keep the file small; the scores do not notice.
fn round(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}
