//! `cargo run -p anjuan-scan --example bench -- DIR [--compare --ocrmypdf PATH]`:
//! the benchmark without the rest of the `anjuan` CLI.

use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: anjuan_scan::BenchArgs,
}

fn main() -> anyhow::Result<()> {
    let code = anjuan_scan::run_bench(&Cli::parse().args)?;
    std::process::exit(code);
}
