//! Trains the page model, as `anjuan train-classifier` does.
//!
//! ```text
//! cargo run --release -p anjuan-classify --example train_classifier -- \
//!     --truth GEN1 --run RUN1 [--truth GEN2 --run RUN2 …] --out models/classifier.json
//! ```
//!
//! `GENn` holds `anjuan generate` output (`*.truth.json`), `RUNn` its
//! `anjuan scan` output (`<id>/pages/NNNN.txt`). Then it times loading the
//! written model and a first prediction (which loads jieba's dictionary when
//! the process has not yet). With `--out FILE` alone it only times those.

use anyhow::{bail, Result};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mut truth, mut run, mut out) = (Vec::new(), Vec::new(), None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .map(PathBuf::from)
                .ok_or_else(|| anyhow::anyhow!("{a} needs a value"))
        };
        match a.as_str() {
            "--truth" => truth.push(value()?),
            "--run" => run.push(value()?),
            "--out" => out = Some(value()?),
            _ => bail!("unknown argument {a}; usage: --truth DIR --run DIR [...] --out FILE"),
        }
    }
    let Some(out) = out else {
        bail!("usage: --truth DIR --run DIR [...] --out FILE");
    };
    // Without --truth only the load of an existing model is timed.
    if !truth.is_empty() {
        let t = Instant::now();
        let report = anjuan_classify::train::train(&truth, &run, &out)?;
        println!("{report} in {:.1} s", t.elapsed().as_secs_f64());
    }
    let t = Instant::now();
    let m = anjuan_classify::Model::load(&out)?;
    println!(
        "load: {} features, {:.1} ms",
        m.feature_count(),
        t.elapsed().as_secs_f64() * 1000.0
    );
    let t = Instant::now();
    let p = m.predict(
        &["蒲县市场监督管理局", "行政处罚决定书"],
        &anjuan_classify::PageContext {
            index: 3,
            count: 20,
            prev: None,
        },
    );
    println!(
        "first prediction (jieba dictionary load included): {} {:.3} in {:.1} ms",
        p.code,
        p.probability,
        t.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}
