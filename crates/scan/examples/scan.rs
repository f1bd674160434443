//! `cargo run -p anjuan-scan --example scan -- PATH... --out DIR`: the scan
//! command without the rest of the `anjuan` CLI.

use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: anjuan_scan::ScanArgs,
}

fn main() -> anyhow::Result<()> {
    let code = anjuan_scan::run(&Cli::parse().args)?;
    std::process::exit(code);
}
