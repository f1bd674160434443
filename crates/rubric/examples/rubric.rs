//! `anjuan rubric …` without the rest of the pipeline:
//! `cargo run -p anjuan-rubric --example rubric -- show penalty`.

use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: anjuan_rubric::RubricArgs,
}

fn main() -> anyhow::Result<()> {
    anjuan_rubric::run(&Cli::parse().args)
}
