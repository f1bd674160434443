//! The dataset every report reads: one record per imported file, with its
//! unit, its date, the machine's draft outcome and, once a review of it is
//! final, the confirmed outcome; and the rectification of each confirmed
//! problem. Read from the store once per report.

use crate::sheet::Sheet;
use crate::Basis;
use anjuan_core::contract::{CaseInfo, DocumentEntry, Finding, FindingKind, FindingStatus};
use anjuan_core::CaseKind;
use anjuan_store::{
    agreed_state, unit_map, DossierId, Millis, RectStatus, Rectification, RoundId, Store,
    StoreError,
};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The unit a file is counted under when neither its folder nor its
/// documents name one.
pub const NO_UNIT: &str = "（未识别单位）";

/// Where a file's unit came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitFrom {
    /// The folder it was scanned from (`ARCHIVE/<unit>/…`).
    Folder,
    /// The agency read from its documents (`case.agency`).
    Agency,
    None,
}

/// A problem of a file: a deduction, or a basic standard failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub item: String,
    pub text: String,
    /// Points lost; None for a basic standard (the file scores 0).
    pub points: Option<f64>,
    pub reason: String,
    pub pages: Vec<u32>,
}

impl Problem {
    pub fn basic(&self) -> bool {
        self.points.is_none()
    }
}

/// What a review of a file came to.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub problems: Vec<Problem>,
    pub score: f64,
    pub grade: String,
}

/// The final review of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirmed {
    pub round: RoundId,
    pub closed_ms: Millis,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FileRecord {
    pub dossier: DossierId,
    pub sha256: String,
    pub scan_id: String,
    pub source: String,
    /// Its unit now (after renamings).
    pub unit: String,
    pub unit_from: UnitFrom,
    pub kind: CaseKind,
    pub case: CaseInfo,
    /// The closing date, else the decision date (ISO).
    pub date: Option<String>,
    pub documents: Vec<DocumentEntry>,
    /// The machine's findings as the scan wrote them.
    pub findings: Vec<Finding>,
    /// The draft: suggested findings only.
    pub draft: Outcome,
    /// The latest final review, if any.
    pub confirmed: Option<Confirmed>,
}

impl FileRecord {
    /// The outcome a report on `basis` counts, if the file has one.
    pub fn outcome(&self, basis: Basis) -> Option<&Outcome> {
        match basis {
            Basis::Draft => Some(&self.draft),
            Basis::Confirmed => self.confirmed.as_ref().map(|c| &c.outcome),
        }
    }

    /// Whether it was handled in the ordinary procedure (普通程序): a
    /// coercion file, or a penalty file not decided on the spot (当场, the
    /// summary procedure).
    pub fn ordinary(&self) -> bool {
        match self.kind {
            CaseKind::Coercion => true,
            CaseKind::Penalty => !self.documents.iter().any(|d| {
                d.doc_type == "penalty_decision"
                    && d.title.as_deref().is_some_and(|t| t.contains("当场"))
            }),
            CaseKind::Unknown => false,
        }
    }

    pub fn case_number(&self) -> &str {
        self.case.case_number.as_deref().unwrap_or("")
    }
}

/// A confirmed problem's rectification now (its last edit).
#[derive(Debug, Clone, PartialEq)]
pub struct RectState {
    pub measure: String,
    pub deadline: Option<String>,
    pub status: RectStatus,
    pub at_ms: Millis,
}

#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub files: Vec<FileRecord>,
    /// By (round, dossier, item).
    pub rectifications: BTreeMap<(RoundId, DossierId, String), RectState>,
    /// Renamed units and what they read as now.
    pub renamed: BTreeMap<String, String>,
}

/// The part of `review.json` the reports read (the pages are skipped).
#[derive(Deserialize)]
struct Light {
    case_kind: CaseKind,
    #[serde(default)]
    case: CaseInfo,
    documents: Vec<DocumentEntry>,
    findings: Vec<Finding>,
    score: anjuan_core::contract::Score,
}

impl Dataset {
    /// Reads the whole store.
    pub fn load(store: &dyn Store) -> Result<Dataset, StoreError> {
        let renamed = unit_map(&store.unit_names()?);
        // The latest final review of each dossier.
        let mut finals: BTreeMap<DossierId, anjuan_store::FinalRow> = BTreeMap::new();
        for f in store.finals()? {
            let newer = finals
                .get(&f.dossier)
                .is_none_or(|g| g.fin.closed_ms <= f.fin.closed_ms);
            if newer {
                finals.insert(f.dossier, f);
            }
        }
        let mut files = Vec::new();
        for row in store.dossiers()? {
            let text = store.review_text(row.id)?;
            let light: Light = serde_json::from_str(&text).map_err(|e| {
                StoreError::Db(format!("dossier {}: stored review.json: {e}", row.id))
            })?;
            let (unit, unit_from) = match (&row.folder_unit, &light.case.agency) {
                (Some(f), _) => (f.clone(), UnitFrom::Folder),
                (None, Some(a)) if !a.trim().is_empty() => (a.trim().to_string(), UnitFrom::Agency),
                _ => (NO_UNIT.to_string(), UnitFrom::None),
            };
            let unit = renamed.get(&unit).cloned().unwrap_or(unit);
            let confirmed = match finals.get(&row.id) {
                Some(f) => {
                    let assignments = store.assignments_of_dossier(f.round, row.id)?;
                    let mut reviews = Vec::with_capacity(assignments.len());
                    for a in &assignments {
                        reviews.push(store.decisions(a.id)?);
                    }
                    let agreed = store.agreed_decisions(f.round, row.id)?;
                    let (state, _) = agreed_state(&reviews, &agreed);
                    let state: BTreeMap<String, &anjuan_store::Decision> =
                        state.iter().map(|(k, v)| (k.clone(), v)).collect();
                    let sheet = Sheet::of(light.case_kind, &light.findings, &state);
                    Some(Confirmed {
                        round: f.round,
                        closed_ms: f.fin.closed_ms,
                        outcome: from_sheet(&sheet),
                    })
                }
                None => None,
            };
            let draft = draft_outcome(light.case_kind, &light.findings, &light.score);
            let date = light
                .case
                .closed
                .clone()
                .or_else(|| light.case.decided.clone());
            files.push(FileRecord {
                dossier: row.id,
                sha256: row.sha256,
                scan_id: row.scan_id,
                source: row.source,
                unit,
                unit_from,
                kind: light.case_kind,
                case: light.case,
                date,
                documents: light.documents,
                findings: light.findings,
                draft,
                confirmed,
            });
        }
        let mut rectifications = BTreeMap::new();
        for r in store.rectifications()? {
            let Rectification {
                round,
                dossier,
                item,
                measure,
                deadline,
                status,
                at_ms,
                ..
            } = r;
            rectifications.insert(
                (round, dossier, item),
                RectState {
                    measure,
                    deadline,
                    status,
                    at_ms,
                },
            );
        }
        Ok(Dataset {
            files,
            rectifications,
            renamed,
        })
    }

    /// The units files are counted under, sorted.
    pub fn units(&self) -> Vec<String> {
        let mut u: Vec<String> = self.files.iter().map(|f| f.unit.clone()).collect();
        u.sort();
        u.dedup();
        u
    }
}

fn from_sheet(sheet: &Sheet) -> Outcome {
    let mut problems: Vec<Problem> = sheet
        .basic_failures
        .iter()
        .map(|b| Problem {
            item: b.item.clone(),
            text: b.text.clone(),
            points: None,
            reason: b.reason.clone(),
            pages: b.pages.clone(),
        })
        .collect();
    problems.extend(sheet.deductions.iter().map(|d| Problem {
        item: d.item.clone(),
        text: d.text.clone(),
        points: Some(d.points),
        reason: d.reason.clone(),
        pages: d.pages.clone(),
    }));
    Outcome {
        problems,
        score: sheet.score,
        grade: sheet.grade.clone(),
    }
}

/// The machine's draft as a review would read it: its suggested findings
/// (a `needs_review` finding is a question, not a problem), its draft score.
fn draft_outcome(
    kind: CaseKind,
    findings: &[Finding],
    score: &anjuan_core::contract::Score,
) -> Outcome {
    let rubric = anjuan_rubric::Rubric::for_kind(kind, &[]);
    let problems = findings
        .iter()
        .filter(|f| f.status == FindingStatus::Suggested)
        .map(|f| {
            let item = rubric.and_then(|r| r.item(&f.item));
            let basic = f.kind == FindingKind::Basic || item.is_some_and(|i| i.basic);
            let mut pages: Vec<u32> = f.evidence.iter().filter_map(|e| e.page).collect();
            pages.sort_unstable();
            pages.dedup();
            Problem {
                item: f.item.clone(),
                text: item.map(|i| i.text.clone()).unwrap_or_default(),
                points: if basic {
                    None
                } else {
                    Some(f.points.unwrap_or(0.0))
                },
                reason: f.reason.clone(),
                pages,
            }
        })
        .collect();
    Outcome {
        problems,
        score: score.draft,
        grade: score.grade.clone(),
    }
}
