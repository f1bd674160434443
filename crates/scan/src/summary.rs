//! A readable terminal summary of one dossier's review: what the file is,
//! the documents found, the draft score and every suggested finding with
//! the pages that show it.

use anjuan_core::contract::{Finding, FindingKind, FindingStatus, Review};
use anjuan_core::CaseKind;
use std::fmt::Write;

fn kind_zh(kind: CaseKind) -> &'static str {
    match kind {
        CaseKind::Penalty => "行政处罚",
        CaseKind::Coercion => "行政强制",
        CaseKind::Unknown => "案件类型未识别",
    }
}

/// `1`, `0.5`, `1.5`: points without trailing zeros.
fn points(p: f64) -> String {
    let s = format!("{p:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// `(p.7)`, `(p.7, 9)`, or nothing for a whole-file absence.
fn pages(f: &Finding) -> String {
    let mut ps: Vec<u32> = f.evidence.iter().filter_map(|e| e.page).collect();
    ps.sort_unstable();
    ps.dedup();
    if ps.is_empty() {
        return String::new();
    }
    let list: Vec<String> = ps.iter().map(u32::to_string).collect();
    format!(" (p.{})", list.join(", "))
}

/// One line per finding: `P-2.2.7   −1    询问笔录…（第2页） (p.7)`;
/// basic-standard breaches are marked, not scored.
fn finding_line(f: &Finding) -> String {
    let value = match (f.kind, f.points) {
        (FindingKind::Basic, _) => "基础".to_string(),
        (_, Some(p)) => format!("−{}", points(p)),
        (_, None) => "−".to_string(),
    };
    let flag = if f.kind == FindingKind::Basic {
        "  ⚠ 疑似违反基础标准"
    } else {
        ""
    };
    format!(
        "  {:<9} {:<5} {}{}  [{:.0}%]{}",
        f.item,
        value,
        f.reason,
        pages(f),
        f.confidence * 100.0,
        flag
    )
}

/// Findings one per line, basic standards first: they decide the score.
fn finding_lines(s: &mut String, mut findings: Vec<&Finding>) {
    findings.sort_by_key(|f| f.kind != FindingKind::Basic);
    for f in findings {
        let _ = writeln!(s, "{}", finding_line(f));
    }
}

/// The summary of one review, several lines, ending in a newline.
pub fn summary(review: &Review) -> String {
    let mut s = String::new();
    let d = &review.dossier;
    let _ = writeln!(
        s,
        "{}  {}  {}页  {}份文书  ({})",
        d.id,
        kind_zh(review.case_kind),
        d.page_count,
        review.documents.len(),
        d.source
    );
    for doc in &review.documents {
        let range = if doc.pages[0] == doc.pages[1] {
            format!("p.{}", doc.pages[0])
        } else {
            format!("p.{}-{}", doc.pages[0], doc.pages[1])
        };
        let title = doc.title.as_deref().unwrap_or(&doc.doc_type);
        let mut extra = Vec::new();
        if let Some(date) = &doc.date {
            extra.push(date.clone());
        }
        if let Some(n) = &doc.number {
            extra.push(n.clone());
        }
        let _ = writeln!(s, "    {range:<9} {title}  {}", extra.join("  "));
    }
    let sc = &review.score;
    let basic = if sc.basic_breach_suspected {
        "疑似违反基础标准，草拟得分为0"
    } else {
        "未发现违反基础标准"
    };
    let _ = writeln!(
        s,
        "  草拟得分 {}（{}）  {}",
        points(sc.draft),
        sc.grade,
        basic
    );
    let (sure, unsure): (Vec<&Finding>, Vec<&Finding>) = review
        .findings
        .iter()
        .partition(|f| f.status != FindingStatus::NeedsReview);
    if review.findings.is_empty() {
        let _ = writeln!(s, "  机器预审未发现问题");
    }
    // Needs review first, as reviewers see them: they are not in the score.
    if !unsure.is_empty() {
        let _ = writeln!(
            s,
            "  需人工复核 {} 项（机器无法确认，不计入草拟得分）：",
            unsure.len()
        );
        finding_lines(&mut s, unsure);
    }
    if !sure.is_empty() {
        let _ = writeln!(
            s,
            "  机器预审发现 {} 项（均为建议，待评查人员确认）：",
            sure.len()
        );
        finding_lines(&mut s, sure);
    }
    let _ = writeln!(
        s,
        "  人工评查 {} 项，不适用 {} 项",
        review.manual.len(),
        review.not_applicable.len()
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use anjuan_core::contract::{
        CaseInfo, DocumentEntry, DossierInfo, Evidence, Score, REVIEW_SCHEMA,
    };

    fn finding(
        item: &str,
        kind: FindingKind,
        points: Option<f64>,
        reason: &str,
        page: u32,
    ) -> Finding {
        Finding {
            item: item.into(),
            kind,
            status: FindingStatus::Suggested,
            points,
            reason: reason.into(),
            confidence: 0.85,
            evidence: vec![Evidence {
                page: Some(page),
                bbox: Some([1, 2, 3, 4]),
                text: Some("被询问人签名：".into()),
            }],
        }
    }

    #[test]
    fn findings_read_as_item_points_reason_and_page() {
        let review = Review {
            schema: REVIEW_SCHEMA.into(),
            dossier: DossierInfo {
                id: "d1".into(),
                source: "in/d1.pdf".into(),
                sha256: String::new(),
                page_count: 20,
            },
            case_kind: CaseKind::Penalty,
            case: CaseInfo::default(),
            pages: vec![],
            documents: vec![DocumentEntry {
                index: 1,
                doc_type: "interview_record".into(),
                title: Some("询问笔录".into()),
                pages: [7, 8],
                confidence: 1.0,
                date: Some("2022-09-07".into()),
                number: None,
            }],
            findings: vec![
                finding(
                    "P-2.2.7",
                    FindingKind::Deduction,
                    Some(1.0),
                    "询问笔录被询问人签名处空白（第8页）",
                    8,
                ),
                finding(
                    "P-B4-3",
                    FindingKind::Basic,
                    None,
                    "行政处罚决定书日期早于告知书",
                    15,
                ),
            ],
            manual: vec!["P-2.2.4".into()],
            not_applicable: vec![],
            score: Score {
                draft: 0.0,
                grade: "不合格".into(),
                basic_breach_suspected: true,
            },
        };
        let s = summary(&review);
        assert!(s.starts_with("d1  行政处罚  20页  1份文书"));
        assert!(s.contains("p.7-8     询问笔录  2022-09-07"));
        assert!(s.contains("P-2.2.7   −1    询问笔录被询问人签名处空白（第8页） (p.8)"));
        let basic = s.find("P-B4-3").unwrap();
        assert!(basic < s.find("P-2.2.7").unwrap(), "basic breaches first");
        assert!(s.contains("疑似违反基础标准"));
        assert!(s.contains("人工评查 1 项"));
    }
}
