//! Statute index (laws, regulations, rules by version) and statutory-citation
//! parsing and checking, and the calendar of statutory holidays.

pub mod calendar;
pub mod check;
pub mod cite;
pub mod cli;
pub mod index;
pub mod numerals;

pub use check::{CitationProblem, ProblemKind, TitleMatch};
pub use cite::{parse_citations, Citation};
pub use index::{build_index, default_index_path, BuildReport, Index, Law, Version};
