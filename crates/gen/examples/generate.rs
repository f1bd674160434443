//! `cargo run --release -p anjuan-gen --example generate -- --seed 1 --count 20 --out /tmp/gen`:
//! the generator without the rest of the `anjuan` CLI (for timing it alone).

use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: anjuan_gen::GenerateArgs,
}

fn main() -> anyhow::Result<()> {
    anjuan_gen::run(&Cli::parse().args)
}
