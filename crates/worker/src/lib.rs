//! anjuan-worker: scanning on many machines.
//!
//! A province's dossiers are independent, so the scan scales by dossier:
//! `anjuan enqueue PATH…` puts one job per dossier on a queue in the
//! reviewers' PostgreSQL database, and any number of `anjuan worker`
//! processes, on any machines, take jobs, scan them (the ordinary,
//! supervised `anjuan scan` of one dossier, with the page cache shared
//! through object storage) and commit each result into the store.
//!
//! The queue is [pgmq](https://github.com/pgmq/pgmq), installed as plain SQL
//! from the copy its crate embeds (no extension to build, nothing fetched):
//! SQS's semantics on a PostgreSQL table.
//! - A job read is invisible to other workers for a *lease* (visibility
//!   timeout); a worker renews its lease while it works (heartbeat); a
//!   worker that dies or freezes stops renewing, the job becomes visible
//!   again and another worker takes it (pgmq counts the reads: `read_ct`).
//! - Every commit is fenced by that count: in one transaction the worker
//!   locks the job's message, checks it is still the reader it was
//!   (`read_ct` unchanged, message not yet archived), imports the dossier,
//!   marks the job done and archives the message. A late worker (frozen past
//!   its lease, then woken) finds another read or no message, and its result
//!   is refused: a dossier is recorded once.
//! - A scan that fails is retried after a delay; after `--max-attempts`
//!   reads (failures, or workers lost on it) the job is a dead letter: its
//!   message goes to the `anjuan_scan_dead` queue and the job is `dead`
//!   with the last error, for a person to look at.
//!
//! Job states (`scan_jobs`, shown in the app): queued → running → done, or
//! → retrying → running …, or → dead.

pub mod bench;
pub mod cli;
pub mod queue;
pub mod run;

pub use queue::{Commit, Failure, JobMessage, Lease, Queue};
