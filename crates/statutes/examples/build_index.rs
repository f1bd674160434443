//! Builds the statute index: `cargo run -p anjuan-statutes --example build_index -- STATUTES_DIR OUT`
//! (the lead's CLI exposes the same as `anjuan statutes build`).

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [from, out] = args.as_slice() else {
        anyhow::bail!("usage: build_index STATUTES_DIR OUT.json");
    };
    let t = std::time::Instant::now();
    let r = anjuan_statutes::build_index(&PathBuf::from(from), &PathBuf::from(out))?;
    println!(
        "{} files → {} laws, {} versions, {} articles, {} bytes in {:.1}s",
        r.files,
        r.laws,
        r.versions,
        r.articles,
        r.bytes,
        t.elapsed().as_secs_f64()
    );
    for (f, why) in &r.skipped {
        println!("skipped {f}: {why}");
    }
    let t = std::time::Instant::now();
    let idx = anjuan_statutes::Index::load(&PathBuf::from(out))?;
    println!(
        "loads in {:.1} ms ({} laws)",
        t.elapsed().as_secs_f64() * 1e3,
        idx.laws.len()
    );
    Ok(())
}
