//! The trained page model: an averaged perceptron over sparse binary
//! features of one page — jieba words and character 1–3-grams of the title
//! zone, words and character 1–2-grams of the whole page, and a few layout
//! facts (position in the file, how many lines, question/answer lines, page
//! counters, short form-table labels, the previous page's type).
//!
//! The features use only the lines' texts in reading order and the page's
//! position, never the boxes, so a model trained on `pages/*.txt` (which
//! carry no boxes) sees the same features at scan time, where boxes exist.
//!
//! The model file (`models/classifier.json`) is JSON: the class codes, a bias
//! per class and, per feature, its non-zero weights as `[class, weight]`
//! pairs. [`Model::load`] reads it; [`model`] finds and loads it once for the
//! process (see [`model_path`]).

use crate::text::normalize;
use anyhow::{bail, Context};
use jieba_rs::Jieba;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Written into the model file; a file of another schema is refused.
pub const MODEL_SCHEMA: &str = "anjuan.classifier/1";
/// Bumped whenever [`page_features`] changes, so an old model is refused
/// instead of silently scoring features it was not trained on.
pub const FEATURE_SET: u32 = 1;
/// Environment variable naming the model file (overrides the search).
pub const MODEL_ENV: &str = "ANJUAN_CLASSIFIER";
/// Path of the model below the checkout (or any ancestor of the exe / cwd).
pub const MODEL_REL_PATH: &str = "models/classifier.json";

/// Lines of the title zone: the first non-empty lines that are not a lone
/// page number.
const TITLE_ZONE_LINES: usize = 5;

/// Where a page sits, and what came before it.
#[derive(Debug, Clone, Copy)]
pub struct PageContext<'a> {
    /// 0-based position of the page in the dossier.
    pub index: usize,
    /// Pages in the dossier.
    pub count: usize,
    /// The type of the page before (the prediction at run time, the truth
    /// when training).
    pub prev: Option<&'a str>,
}

fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || c == '〇'
}

fn char_ngrams(out: &mut HashSet<String>, prefix: &str, text: &str, max_n: usize) {
    let chars: Vec<char> = text.chars().collect();
    for n in 1..=max_n {
        for w in chars.windows(n) {
            // Digits and Latin noise say little; keep grams with a Han character.
            if w.iter().any(|&c| is_han(c)) {
                let mut f = String::with_capacity(prefix.len() + 4 * n);
                f.push_str(prefix);
                f.extend(w.iter());
                out.insert(f);
            }
        }
    }
}

fn words(out: &mut HashSet<String>, prefix: &str, text: &str) {
    for t in jieba().cut(text, false) {
        if t.word.chars().count() >= 2 && t.word.chars().any(is_han) {
            out.insert(format!("{prefix}{}", t.word));
        }
    }
}

fn bucket(n: usize, edges: &[usize]) -> usize {
    edges.iter().take_while(|&&e| n >= e).count()
}

fn is_page_counter(line: &str) -> bool {
    let n = normalize(line);
    n.starts_with('第') && n.contains("页") && n.contains('共')
}

/// The sparse binary features of one page, sorted (deterministic).
pub fn page_features(lines: &[&str], ctx: &PageContext) -> Vec<String> {
    let normed: Vec<String> = lines
        .iter()
        .map(|l| normalize(l))
        .filter(|l| !l.is_empty())
        .collect();
    let mut f: HashSet<String> = HashSet::new();

    let zone: Vec<&String> = normed
        .iter()
        .filter(|l| crate::text::lone_number(l).is_none())
        .take(TITLE_ZONE_LINES)
        .collect();
    for (i, l) in zone.iter().enumerate() {
        char_ngrams(&mut f, "z:", l, 3);
        words(&mut f, "zw:", l);
        if i < 2 {
            // The first lines (agency, title) weigh more.
            char_ngrams(&mut f, "z0:", l, 2);
        }
    }
    let all: String = normed.join("\n");
    for l in &normed {
        char_ngrams(&mut f, "c:", l, 2);
    }
    words(&mut f, "w:", &all);

    // Layout.
    let pos = if ctx.index == 0 {
        "first".to_string()
    } else if ctx.index == 1 {
        "second".to_string()
    } else if ctx.index + 1 == ctx.count {
        "last".to_string()
    } else if ctx.index + 2 == ctx.count {
        "penult".to_string()
    } else {
        format!("dec{}", ctx.index * 10 / ctx.count.max(1))
    };
    f.insert(format!("pos:{pos}"));
    f.insert(format!(
        "lines:{}",
        bucket(normed.len(), &[1, 4, 11, 26, 45])
    ));
    let qa = normed
        .iter()
        .filter(|l| l.starts_with("问") || l.starts_with("答"))
        .count();
    f.insert(format!("qa:{}", bucket(qa, &[1, 3, 8])));
    if normed.iter().any(|l| is_page_counter(l)) {
        f.insert("counter".to_string());
    }
    // Form tables read as many short label cells.
    let short = normed
        .iter()
        .filter(|l| l.chars().count() <= 6 && l.chars().any(is_han))
        .count();
    if !normed.is_empty() {
        f.insert(format!("short:{}", short * 5 / normed.len()));
    }
    let dates: usize = normed.iter().map(|l| crate::find_dates(l).len()).sum();
    f.insert(format!("dates:{}", bucket(dates, &[1, 2, 4])));
    f.insert(format!("prev:{}", ctx.prev.unwrap_or("none")));

    let mut v: Vec<String> = f.into_iter().collect();
    v.sort_unstable();
    v
}

/// A page's most likely type under the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub code: String,
    /// Softmax of the class scores, 0.0 … 1.0.
    pub probability: f32,
    /// The runner-up and its probability.
    pub second: Option<(String, f32)>,
}

/// The model as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ModelFile {
    schema: String,
    feature_set: u32,
    /// What it was trained on (informational).
    trained_on: TrainedOn,
    classes: Vec<String>,
    bias: Vec<f32>,
    /// Feature → `[class index, weight]` pairs.
    weights: BTreeMap<String, Vec<(u16, f32)>>,
}

/// What a model was trained on, recorded in the file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TrainedOn {
    pub dossiers: usize,
    pub pages: usize,
    pub examples: usize,
    pub epochs: usize,
}

/// A loaded page model.
#[derive(Debug, Clone)]
pub struct Model {
    classes: Vec<String>,
    bias: Vec<f32>,
    weights: HashMap<String, Vec<(u16, f32)>>,
    trained_on: TrainedOn,
}

impl Model {
    pub(crate) fn new(
        classes: Vec<String>,
        bias: Vec<f32>,
        weights: HashMap<String, Vec<(u16, f32)>>,
        trained_on: TrainedOn,
    ) -> Model {
        Model {
            classes,
            bias,
            weights,
            trained_on,
        }
    }

    /// Reads a model file; the error names the file and what is wrong.
    pub fn load(path: &Path) -> anyhow::Result<Model> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the classifier model", path.display()))?;
        let file: ModelFile = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a classifier model file", path.display()))?;
        if file.schema != MODEL_SCHEMA {
            bail!(
                "{}: schema {:?}, expected {MODEL_SCHEMA:?}",
                path.display(),
                file.schema
            );
        }
        if file.feature_set != FEATURE_SET {
            bail!(
                "{}: trained on feature set {}, this build computes set {FEATURE_SET}; retrain it (anjuan train-classifier)",
                path.display(),
                file.feature_set
            );
        }
        if file.bias.len() != file.classes.len() {
            bail!(
                "{}: {} classes but {} biases",
                path.display(),
                file.classes.len(),
                file.bias.len()
            );
        }
        let n = file.classes.len();
        if let Some((f, _)) = file
            .weights
            .iter()
            .find(|(_, ws)| ws.iter().any(|(c, _)| *c as usize >= n))
        {
            bail!("{}: feature {f:?} names a class beyond {n}", path.display());
        }
        Ok(Model {
            classes: file.classes,
            bias: file.bias,
            weights: file.weights.into_iter().collect(),
            trained_on: file.trained_on,
        })
    }

    /// Writes the model atomically; the same model gives the same bytes.
    pub fn save(&self, path: &Path) -> anyhow::Result<u64> {
        let file = ModelFile {
            schema: MODEL_SCHEMA.to_string(),
            feature_set: FEATURE_SET,
            trained_on: self.trained_on.clone(),
            classes: self.classes.clone(),
            bias: self.bias.clone(),
            weights: self
                .weights
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        let mut bytes = serde_json::to_vec(&file)?;
        bytes.push(b'\n');
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("{}: cannot create", dir.display()))?;
        }
        anjuan_core::fsutil::atomic_write(path, &bytes)
            .with_context(|| format!("{}: cannot write", path.display()))?;
        Ok(bytes.len() as u64)
    }

    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    pub fn trained_on(&self) -> &TrainedOn {
        &self.trained_on
    }

    /// Number of features with a weight.
    pub fn feature_count(&self) -> usize {
        self.weights.len()
    }

    /// Class scores of a feature list.
    pub fn scores(&self, features: &[String]) -> Vec<f32> {
        let mut s = self.bias.clone();
        for f in features {
            if let Some(ws) = self.weights.get(f) {
                for &(c, w) in ws {
                    s[c as usize] += w;
                }
            }
        }
        s
    }

    /// The most likely type of a page.
    pub fn predict(&self, lines: &[&str], ctx: &PageContext) -> Prediction {
        let scores = self.scores(&page_features(lines, ctx));
        let max = scores.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
        let exp: Vec<f32> = scores.iter().map(|s| (s - max).exp()).collect();
        let sum: f32 = exp.iter().sum();
        let mut order: Vec<usize> = (0..scores.len()).collect();
        // Highest first; ties go to the earlier class (deterministic).
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
        let prob = |i: usize| exp[i] / sum;
        Prediction {
            code: self.classes[order[0]].clone(),
            probability: prob(order[0]),
            second: order.get(1).map(|&i| (self.classes[i].clone(), prob(i))),
        }
    }
}

/// Where the model file is: `$ANJUAN_CLASSIFIER`, else `models/classifier.json`
/// beside the running executable or in any of its ancestors (so
/// `target/release/anjuan` finds the checkout's), else in the current
/// directory or its ancestors.
pub fn model_path() -> Option<PathBuf> {
    anjuan_core::paths::locate_file(MODEL_ENV, MODEL_REL_PATH)
}

/// The process's model, loaded once. When there is none (or it cannot be
/// read) classification falls back to the rules, and says so once on stderr.
pub fn model() -> Option<&'static Model> {
    static MODEL: OnceLock<Option<Model>> = OnceLock::new();
    MODEL
        .get_or_init(|| match model_path() {
            None => {
                eprintln!(
                    "anjuan: warning: no page classifier model ({MODEL_REL_PATH} not found above the executable or the current directory, and ${MODEL_ENV} unset); classifying pages by title rules only"
                );
                None
            }
            Some(p) => match Model::load(&p) {
                Ok(m) => Some(m),
                Err(e) => {
                    eprintln!(
                        "anjuan: warning: {e:#}; classifying pages by title rules only"
                    );
                    None
                }
            },
        })
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_cover_title_zone_words_grams_and_layout() {
        let lines = [
            "3",
            "蒲县市场监督管理局",
            "行政处罚决定书",
            "问：你好",
            "第1页共2页",
        ];
        let ctx = PageContext {
            index: 4,
            count: 20,
            prev: Some("penalty_notice"),
        };
        let f = page_features(&lines, &ctx);
        for want in [
            "z:决定书",
            "zw:决定书",
            "z0:处罚",
            "c:问",
            "w:市场",
            "pos:dec2",
            "counter",
            "qa:1",
            "prev:penalty_notice",
        ] {
            assert!(f.iter().any(|x| x == want), "{want} missing from {f:?}");
        }
        // The lone page number is not part of the title zone.
        assert!(!f.iter().any(|x| x == "z:3"));
        let mut sorted = f.clone();
        sorted.sort();
        assert_eq!(f, sorted);
    }
}
