//! Progress: indicatif bars (dossiers; pages with rate and ETA) on a terminal,
//! plain lines otherwise, nothing with `--quiet`.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Instant;

pub enum Progress {
    Quiet,
    Plain {
        start: Instant,
        dossiers: u64,
        done: u64,
        pages: u64,
        pages_done: u64,
        last_line: Instant,
    },
    Bars {
        dossiers: ProgressBar,
        pages: ProgressBar,
        _multi: MultiProgress,
    },
}

impl Progress {
    pub fn new(quiet: bool, dossiers: u64, pages: u64) -> Self {
        if quiet {
            return Progress::Quiet;
        }
        if !std::io::stderr().is_terminal() {
            if pages > 0 {
                eprintln!("anjuan scan: {dossiers} dossier(s), {pages} page(s) to read");
            } else {
                eprintln!("anjuan scan: {dossiers} dossier(s)");
            }
            return Progress::Plain {
                start: Instant::now(),
                dossiers,
                done: 0,
                pages,
                pages_done: 0,
                last_line: Instant::now(),
            };
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let d = multi.add(ProgressBar::new(dossiers));
        d.set_style(
            ProgressStyle::with_template("dossiers {bar:30.cyan/blue} {pos}/{len} {wide_msg}")
                .expect("valid template"),
        );
        let p = multi.add(ProgressBar::new(pages));
        p.set_style(
            ProgressStyle::with_template(
                "pages    {bar:30.green/white} {pos}/{len} {per_sec} ETA {eta} (elapsed {elapsed})",
            )
            .expect("valid template"),
        );
        Progress::Bars {
            dossiers: d,
            pages: p,
            _multi: multi,
        }
    }

    /// `n` pages are left to read (a supervised run learns the pages of
    /// its dossiers from each worker it starts).
    pub fn pages_left(&mut self, n: u64) {
        match self {
            Progress::Bars { pages, .. } => pages.set_length(pages.position() + n),
            Progress::Plain {
                pages, pages_done, ..
            } => {
                if *pages == 0 && n > 0 {
                    eprintln!("anjuan scan: {n} page(s) to read");
                }
                *pages = *pages_done + n;
            }
            Progress::Quiet => {}
        }
    }

    pub fn pages_done(&mut self, n: u64) {
        match self {
            Progress::Bars { pages, .. } => pages.inc(n),
            Progress::Plain {
                start,
                pages,
                pages_done,
                last_line,
                ..
            } => {
                *pages_done += n;
                // A line every 30 s, so that a long dossier shows it is moving.
                if last_line.elapsed().as_secs() >= 30 {
                    *last_line = Instant::now();
                    let secs = start.elapsed().as_secs_f64();
                    let rate = *pages_done as f64 / secs.max(1e-9);
                    let eta = (*pages - (*pages_done).min(*pages)) as f64 / rate.max(1e-9);
                    eprintln!(
                        "pages {pages_done}/{pages}, {rate:.2} pages/s, ETA {:.0} s ({secs:.0} s elapsed)",
                        eta
                    );
                }
            }
            Progress::Quiet => {}
        }
    }

    /// A dossier finished (ok or failed); `line` says how.
    pub fn dossier_done(&mut self, line: &str) {
        match self {
            Progress::Quiet => {}
            Progress::Plain {
                start,
                dossiers,
                done,
                ..
            } => {
                *done += 1;
                eprintln!(
                    "[{done}/{dossiers}] {line} ({:.1} s elapsed)",
                    start.elapsed().as_secs_f64()
                );
            }
            Progress::Bars { dossiers, .. } => {
                dossiers.inc(1);
                dossiers.set_message(line.to_string());
                if line.contains("FAILED") {
                    dossiers.println(line);
                }
            }
        }
    }

    pub fn finish(&self) {
        if let Progress::Bars {
            dossiers, pages, ..
        } = self
        {
            pages.finish();
            dossiers.finish();
        }
    }
}
