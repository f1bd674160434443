//! `anjuan eval` without building the whole CLI:
//! `cargo run -p anjuan-eval --example eval -- --truth DIR --out RUN_OUT [...]`.

use clap::Parser;

#[derive(Parser)]
#[command(name = "eval", about = "Compare a scan's output with the ground truth")]
struct Cli {
    #[command(flatten)]
    args: anjuan_eval::EvalArgs,
}

fn main() -> std::process::ExitCode {
    match anjuan_eval::run(&Cli::parse().args) {
        Ok(code) => std::process::ExitCode::from(code.clamp(0, 255) as u8),
        Err(e) => {
            eprintln!("eval: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
