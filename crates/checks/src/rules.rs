//! What the checks look for, as data: `data/rules.toml` (compiled in).

use crate::sink::Target;
use anjuan_core::CaseKind;
use serde::Deserialize;
use std::sync::OnceLock;

const RULES_TOML: &str = include_str!("../data/rules.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    #[serde(default)]
    pub required: Vec<Required>,
    #[serde(default)]
    pub phrase: Vec<PhraseRule>,
    #[serde(default)]
    pub field: Vec<FieldRule>,
    #[serde(default)]
    pub sign: Vec<SignRule>,
    #[serde(default)]
    pub approval: Vec<ApprovalRule>,
    #[serde(default)]
    pub undated: Vec<UndatedRule>,
    #[serde(default)]
    pub party: Vec<PartyRule>,
    #[serde(default)]
    pub officers: Vec<OfficersRule>,
    #[serde(default)]
    pub citation: Vec<CitationRule>,
    #[serde(default)]
    pub order: Vec<OrderRule>,
    #[serde(default)]
    pub limit: Vec<LimitRule>,
    #[serde(default)]
    pub deadline: Vec<DeadlineRule>,
    pub forbidden_time: ForbiddenTime,
    #[serde(default)]
    pub sequence: Vec<Sequence>,
    pub page_numbers: PageNumbers,
    #[serde(default)]
    pub seal: Vec<SealRule>,
    #[serde(default)]
    pub fingerprint: Vec<FingerprintRule>,
    #[serde(default)]
    pub copy: Vec<CopyRule>,
    #[serde(default)]
    pub interviewee: Vec<IntervieweeRule>,
    pub contents: ContentsRule,
    pub status: StatusPolicy,
}

/// When a finding is suggested and when it needs review (`crate::status`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusPolicy {
    /// A deduction below this confidence needs review.
    pub min_confidence: f32,
    /// A basic-standard finding (it zeroes the file) below this needs review.
    pub basic_min_confidence: f32,
    /// Lines from the top of a page searched for a title that may be the
    /// document a finding says is absent.
    pub title_zone_lines: usize,
    /// Higher floors for the findings of some checks (by rubric check name):
    /// those whose evidence is a detector's silence.
    #[serde(default)]
    pub check_min_confidence: std::collections::BTreeMap<String, f32>,
}

/// A document the procedure needs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Required {
    pub kind: CaseKind,
    pub doc_type: String,
    /// Its name in a reason.
    pub name: String,
    /// Needed only when one of these is in the file (the fact that calls for
    /// it shows); empty: always.
    #[serde(default)]
    pub when_any: Vec<String>,
    /// Words that, in a page's title zone, may name this document under a
    /// county's own title (besides doc-types.toml's titles): then its
    /// absence needs review.
    #[serde(default)]
    pub cues: Vec<String>,
}

/// A statement a document must make: one of `any` (fuzzy) or `re` (over
/// the squashed text) must be found.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhraseRule {
    pub doc_types: Vec<String>,
    #[serde(default)]
    pub any: Vec<String>,
    #[serde(default)]
    pub re: Option<String>,
    /// Statements that, found, are wrong (a wrong period, …).
    #[serde(default)]
    pub wrong: Vec<String>,
    pub reason: String,
    pub target: Target,
}

/// A labelled field whose value must be filled in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldRule {
    pub doc_types: Vec<String>,
    pub labels: Vec<String>,
    /// How many digits the value needs (times, dates, numbers), else CJK characters.
    #[serde(default)]
    pub min_digits: usize,
    #[serde(default)]
    pub min_cjk: usize,
    pub reason: String,
    pub target: Target,
}

/// A place someone must sign (on each page when `per_page`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignRule {
    pub doc_types: Vec<String>,
    pub labels: Vec<String>,
    #[serde(default)]
    pub per_page: bool,
    /// Signature-slot kinds of the marks detector for this place.
    #[serde(default)]
    pub slot_kinds: Vec<String>,
    pub reason: String,
    pub target: Target,
}

/// An approval box (opinion, signature, date) in a form's row.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRule {
    pub doc_types: Vec<String>,
    /// Labels of the row judged.
    pub labels: Vec<String>,
    /// Labels of every approval row of such forms (to tell the rows apart).
    pub row_labels: Vec<String>,
    /// Words that make a line holding one of `labels` another row's label
    /// (`承办部门负责人意见` holds `负责人意见`).
    #[serde(default)]
    pub not_labels: Vec<String>,
    pub reason: String,
    pub target: Target,
}

/// A document whose issuing date must be filled in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UndatedRule {
    pub doc_types: Vec<String>,
    pub reason: String,
    pub target: Target,
}

/// The party's particulars at the head of a document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyRule {
    pub doc_types: Vec<String>,
    /// Judge only that the head names the party as the decision does.
    #[serde(default)]
    pub name_only: bool,
    /// Words that show the party is an organisation.
    pub company_markers: Vec<String>,
    pub company_needs: Vec<String>,
    pub person_needs: Vec<String>,
    /// How many lines from the top hold the particulars.
    pub head_lines: usize,
    pub reason: String,
    pub target: Target,
}

/// Two officers with certificate numbers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficersRule {
    pub doc_types: Vec<String>,
    /// Over the squashed text of the first page: one match per certificate.
    pub certificate_re: String,
    /// A match right after one of these is another paper's number (身份证号码
    /// is an identity card's), not an officer's certificate.
    #[serde(default)]
    pub certificate_not_after: Vec<String>,
    /// The label of the officers' line.
    pub labels: Vec<String>,
    pub no_certificate: String,
    pub one_officer: String,
    pub target: Target,
    pub target_basic: Target,
}

/// Citations of laws in a document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CitationRule {
    pub doc_types: Vec<String>,
    /// Title endings of laws, regulations and rules.
    pub title_ends: Vec<String>,
    /// Title endings that are not laws although they end like one.
    pub not_law_ends: Vec<String>,
    /// The prefix a law's full title carries.
    pub law_prefix: String,
    /// Law titles ending in 法 that carry no prefix (other bodies' laws).
    #[serde(default)]
    pub unprefixed_laws: Vec<String>,
    #[serde(default)]
    pub abbreviated: Option<Target>,
    #[serde(default)]
    pub no_article: Option<Target>,
}

/// `after` must not be dated before `before`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderRule {
    pub before: String,
    pub after: String,
    pub reason: String,
    pub target: Target,
}

/// `to` within `max_days` of `from`, unless one of `unless_any` is in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitRule {
    pub from: String,
    pub to: String,
    pub max_days: i64,
    #[serde(default)]
    pub unless_any: Vec<String>,
    pub reason: String,
    pub target: Target,
}

/// `doc` not dated before the deadline that `deadline_doc` sets.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    pub deadline_doc: String,
    /// Over the squashed text; group 1 holds the deadline date.
    pub deadline_re: String,
    pub doc: String,
    pub reason: String,
    pub target: Target,
}

/// No execution at night or on statutory holidays without an emergency.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForbiddenTime {
    pub doc_types: Vec<String>,
    /// Night: from this hour …
    pub night_from: u32,
    /// … to this hour.
    pub night_to: u32,
    /// Words that state an emergency.
    pub emergency: Vec<String>,
    pub target: Target,
}

/// The order key documents of a kind follow in a file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sequence {
    pub kind: CaseKind,
    pub order: Vec<String>,
    pub target: Target,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageNumbers {
    pub target: Target,
    /// Reads of the new numbering needed on each side of a step.
    pub min_support: usize,
    /// The corner the number is written in: top fraction of the page
    /// height, right fraction of its width (classify's window).
    pub corner: [f32; 2],
    /// A page without a number read is called unnumbered only in a file
    /// where at least this share of pages had theirs read …
    pub min_read_share: f32,
    /// … and at most this many pages had none.
    pub max_unnumbered: usize,
    /// The confidence of an unnumbered page whose corner holds ink the OCR
    /// read no number from (below the status policy's floor: needs review).
    pub inked_corner_confidence: f32,
}

/// A document that must bear the agency's seal.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealRule {
    pub doc_types: Vec<String>,
    pub reason: String,
    pub target: Target,
}

/// Records signed and fingerprinted on every page.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FingerprintRule {
    pub doc_types: Vec<String>,
    pub slot_kinds: Vec<String>,
    pub reason: String,
    pub target: Target,
}

/// Copies filed in place of originals must say they were checked against
/// the original (与原本核对无异).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopyRule {
    pub doc_types: Vec<String>,
    /// How a copy's title line ends (`营业执照复印件`).
    pub title_ends: Vec<String>,
    /// A title line is short: at most this many characters.
    pub max_title_chars: usize,
    /// How many lines from the top of a page the title may be.
    pub title_lines: usize,
    /// Statements that the copy was checked (fuzzy).
    pub marked: Vec<String>,
    pub reason: String,
    pub target: Target,
    /// Said, and the confidence multiplied by this, when another page of
    /// the same document is marked (a set of copies marked once).
    pub set_marked_note: String,
    pub set_marked_factor: f32,
}

/// The contents page against the documents found.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContentsRule {
    /// Disagreements reported in one finding, at most.
    pub max_listed: usize,
    /// A line of a listing (a contents row's date), over the line as read.
    pub listing_line: String,
    /// How many such lines make a page a listing.
    pub listing_min: usize,
    pub target: Target,
    /// The check whose findings show the archival numbering itself is
    /// broken (then page ranges disagreeing say nothing of the contents).
    pub numbering_check: String,
}

/// One record, one interviewee: the head of a record names one person.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntervieweeRule {
    pub doc_types: Vec<String>,
    /// The label of the interviewee's field in the head.
    pub labels: Vec<String>,
    /// What may follow the label instead of a name (`签名`: the signature
    /// place at the foot, not the head's field).
    pub not_followed_by: Vec<String>,
    /// Labels of the next fields, where a value read onto the same line ends.
    pub next_labels: Vec<String>,
    /// The head ends at the first line starting with one of these.
    pub head_ends: Vec<String>,
    pub reason: String,
    pub target: Target,
}

/// A fingerprint of the compiled-in rules (FNV-1a of the TOML and the crate
/// version): part of a scan's run key, so that changed checks redo reviews.
pub fn rules_fingerprint() -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in RULES_TOML.bytes().chain(env!("CARGO_PKG_VERSION").bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The compiled-in rules.
pub fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        toml::from_str(RULES_TOML)
            .unwrap_or_else(|e| panic!("crates/checks/data/rules.toml is invalid: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_load_and_name_known_checks_and_types() {
        let r = rules();
        assert!(!r.required.is_empty());
        let types = anjuan_core::doctype::DocTypes::builtin();
        let mut all: Vec<&str> = Vec::new();
        for p in &r.phrase {
            all.extend(p.doc_types.iter().map(String::as_str));
        }
        for p in &r.required {
            all.push(&p.doc_type);
        }
        for t in all {
            assert!(types.get(t).is_some(), "unknown doc type {t}");
        }
    }
}
