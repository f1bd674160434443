//! Filing (案卷归档): copies filed in place of originals must be marked as
//! checked against the original (与原本核对无异); the contents page must
//! list the documents the file holds, on the pages they are on.

use crate::rules::{CopyRule, Rules};
use crate::sink::Sink;
use crate::text::{fuzzy_find, squash};
use crate::view::{Dossier, Spot};
use crate::ContentsIssue;
use anjuan_core::contract::Evidence;

pub fn check(d: &Dossier, rules: &Rules, sink: &mut Sink) {
    for r in &rules.copy {
        copies(d, r, sink);
    }
}

/// Whether a line is a copy's title: short, ending as a copy's title does.
fn is_copy_title(line: &str, r: &CopyRule) -> bool {
    let s = squash(line);
    s.chars().count() <= r.max_title_chars && r.title_ends.iter().any(|e| s.ends_with(e.as_str()))
}

/// Every page titled as a copy must carry the marking: a page, not the
/// document, since one document of copies may hold several.
fn copies(d: &Dossier, r: &CopyRule, sink: &mut Sink) {
    let marked: Vec<Vec<char>> = r
        .marked
        .iter()
        .map(|m| squash(m).chars().collect())
        .collect();
    for doc in d.docs.iter().filter(|x| r.doc_types.contains(&x.doc_type)) {
        let is_marked = |page: usize| {
            let text: Vec<char> = doc.page_text(page).chars().collect();
            marked.iter().any(|m| fuzzy_find(&text, m).is_some())
        };
        // A set of copies bound as one document (营业执照及身份证复印件) may
        // be marked once, on its last page: an unmarked page beside a marked
        // one is a suspicion, not a finding.
        let set_marked = doc.pages.iter().any(|&p| is_marked(p));
        for &page in &doc.pages {
            let lines = d.lines(page);
            let Some(title) = lines
                .iter()
                .take(r.title_lines)
                .find(|l| is_copy_title(l.text, r))
            else {
                continue;
            };
            if is_marked(page) {
                continue;
            }
            let spot = Spot::of_line(page, title);
            let mut reason = format!(
                "第{}页{}{}",
                page + 1,
                squash(title.text),
                r.reason.trim_start_matches("复印件")
            );
            // An absence is as sure as the page was read.
            let mut conf = 0.8 * doc.confidence(d).max(0.5);
            if set_marked {
                reason.push_str(&r.set_marked_note);
                conf *= r.set_marked_factor;
            }
            sink.emit(&r.target, &reason, conf, vec![spot.evidence()]);
        }
    }
}

/// Whether a contents page of the file holds `doc`'s title as read or one
/// of its type's titles (fuzzily, as phrases are matched).
fn contents_names(d: &Dossier, doc: &crate::view::Doc) -> bool {
    let mut titles: Vec<String> = anjuan_core::doctype::DocTypes::builtin()
        .get(&doc.doc_type)
        .map(|t| t.titles().map(str::to_string).collect())
        .unwrap_or_default();
    titles.extend(doc.title.clone());
    d.docs_of("contents").any(|c| {
        titles
            .iter()
            .filter(|t| crate::text::squash(t).chars().count() >= 4)
            .any(|t| d.find(c, t).is_some())
    })
}

/// Whether each bound of `a` and `b` is equal, or one's digits lie within
/// the other's (7 and 17, 12 and 112): OCR drops and adds digits.
fn misread(a: &[u32; 2], b: &[u32; 2]) -> bool {
    a != b
        && a.iter().zip(b).all(|(x, y)| {
            let (x, y) = (x.to_string(), y.to_string());
            x == y || x.contains(&y) || y.contains(&x)
        })
}

fn range(r: [u32; 2]) -> String {
    if r[0] == r[1] {
        r[0].to_string()
    } else {
        format!("{}-{}", r[0], r[1])
    }
}

/// The disagreements between the contents page and the documents found, as
/// one finding on the contents item. Page ranges that disagree are left
/// out when the archival numbering was found broken: a skipped or repeated
/// number shifts the pages, whichever of the two is wrong. Documents
/// unlisted are left out when part of the table was taken for another
/// document (its rows were not read).
pub fn contents(d: &Dossier, rules: &Rules, issues: &[ContentsIssue], sink: &mut Sink) {
    let r = &rules.contents;
    let numbering_broken = sink.found_by(&r.numbering_check);
    let listing = regex::Regex::new(&r.listing_line).expect("rules.toml: bad regex");
    let table_partly_read = d.docs.iter().any(|doc| {
        doc.doc_type != "contents"
            && doc.pages.iter().any(|&p| {
                d.lines(p)
                    .iter()
                    .filter(|l| listing.is_match(l.text.trim()))
                    .count()
                    >= r.listing_min
            })
    });
    let row = |page: u32, bbox: Option<[u32; 4]>, text: String| Evidence {
        page: Some(page),
        bbox,
        text: Some(text),
    };
    let mut said: Vec<(String, Evidence)> = Vec::new();
    let mut listed_absent = false;
    let unmatched_rows = issues
        .iter()
        .any(|i| matches!(i, ContentsIssue::ListedButAbsent { .. }));
    for issue in issues {
        match issue {
            ContentsIssue::ListedButAbsent { title, page, bbox } => {
                // The contents page's own title read as a row.
                if d.docs_of("contents").any(|c| {
                    c.title
                        .as_deref()
                        .is_some_and(|t| squash(t) == squash(title))
                }) {
                    continue;
                }
                // A title some page holds is there, bound inside another
                // document (an items list in its notice) or under a name the
                // split did not give it: only what is sure is claimed.
                if crate::status::page_holding(d, title).is_some() {
                    continue;
                }
                listed_absent = true;
                said.push((
                    format!("卷内目录列有“{title}”，卷内未见该文书"),
                    row(*page, *bbox, title.clone()),
                ))
            }
            ContentsIssue::PresentButUnlisted { document } => {
                // A row the split matched to nothing may list this document
                // under the county's own name.
                if table_partly_read || unmatched_rows {
                    continue;
                }
                let Some(doc) = d.docs.iter().find(|x| x.index == *document) else {
                    continue;
                };
                // The contents page names it, though its row was not read
                // whole (a page cell read as "?").
                if contents_names(d, doc) {
                    continue;
                }
                said.push((
                    format!(
                        "卷内“{}”（第{}页）未列入卷内目录",
                        doc.name(),
                        doc.first_page() + 1
                    ),
                    doc.title_evidence(d),
                ));
            }
            ContentsIssue::PagesDisagree {
                title,
                listed,
                actual,
                page,
                bbox,
                ..
            } => {
                // A broken numbering shifts the pages, whichever is wrong;
                // a number that differs from the true one by a dropped or an
                // added digit (7 for 17) is more likely misread than wrong.
                if numbering_broken || misread(listed, actual) {
                    continue;
                }
                said.push((
                    format!(
                        "卷内目录所列“{title}”页号为{}，卷内实为{}",
                        range(*listed),
                        range(*actual)
                    ),
                    row(*page, *bbox, title.clone()),
                ))
            }
        }
    }
    if said.is_empty() {
        return;
    }
    let more = said.len().saturating_sub(r.max_listed);
    said.truncate(r.max_listed);
    let mut reason = said
        .iter()
        .map(|(s, _)| s.as_str())
        .collect::<Vec<_>>()
        .join("；");
    if more > 0 {
        reason.push_str(&format!("（另有{more}处不符）"));
    }
    let evidence = said.into_iter().map(|(_, e)| e).collect();
    // As sure as the table was read and the documents told apart.
    let conf = match d.docs_of("contents").next() {
        Some(doc) => 0.65 * doc.confidence(d).max(0.5),
        None => 0.5,
    };
    let from = sink.len();
    sink.emit(&r.target, &reason, conf, evidence);
    if listed_absent {
        sink.mark_absent(from, crate::status::Absence::Listed(String::new()));
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{one_page_findings, stacked};
    use anjuan_core::marks::PageMarks;
    use anjuan_core::CaseKind;

    fn copy_page(texts: &[&str]) -> Vec<String> {
        one_page_findings(
            CaseKind::Penalty,
            "evidence_other",
            "营业执照复印件",
            None,
            stacked(texts, [200, 300, 2000], 0.97),
            &PageMarks::default(),
        )
        .into_iter()
        .filter(|f| f.item == "P-6.1.5")
        .map(|f| f.reason)
        .collect()
    }

    #[test]
    fn a_copy_set_marked_once_is_a_suspicion_on_its_other_pages() {
        use anjuan_core::contract::FindingStatus;
        let licence = [
            "县自然资源局",
            "营业执照及身份证复印件",
            "营业执照复印件名称：县盛世养殖有限责任公司",
        ];
        let id_marked = ["身份证复印件", "姓名：赵伟", "此复印件与原件核对无异"];
        let id_unmarked = ["身份证复印件", "姓名：赵伟"];
        let run = |second: &[&'static str]| {
            crate::testing::one_document_findings(
                CaseKind::Penalty,
                "evidence_other",
                "营业执照及身份证复印件",
                None,
                vec![
                    stacked(&licence, [200, 300, 2000], 0.97),
                    stacked(second, [200, 300, 2000], 0.97),
                ],
                &PageMarks::default(),
            )
            .into_iter()
            .filter(|f| f.item == "P-6.1.5")
            .collect::<Vec<_>>()
        };
        // Marked on the ID page only: the licence page needs review.
        let f = run(&id_marked);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].status, FindingStatus::NeedsReview, "{f:?}");
        assert!(f[0].reason.contains("另页已标注"), "{}", f[0].reason);
        // Marked nowhere: both pages are suggested.
        let f = run(&id_unmarked);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(
            f.iter().all(|x| x.status == FindingStatus::Suggested),
            "{f:?}"
        );
    }

    #[test]
    fn a_digit_dropped_or_added_is_a_misread() {
        assert!(super::misread(&[7, 7], &[17, 17]));
        assert!(super::misread(&[12, 13], &[112, 13]));
        assert!(!super::misread(&[7, 8], &[9, 10]));
        assert!(!super::misread(&[7, 7], &[7, 7]));
        assert!(!super::misread(&[7, 8], &[17, 19]));
    }

    #[test]
    fn copies_marked_as_checked() {
        let head = [
            "县自然资源局",
            "营业执照复印件",
            "营业执照复印件名称：县盛世养殖有限责任公司",
        ];
        let unmarked = copy_page(&[head[0], head[1], head[2], "提供人签名：赵伟"]);
        assert_eq!(unmarked.len(), 1, "{unmarked:?}");
        assert!(unmarked[0].contains("营业执照复印件"), "{unmarked:?}");
        let marked = copy_page(&[
            head[0],
            head[1],
            head[2],
            "此复印件与原件核对无异",
            "提供人签名：赵伟",
        ]);
        assert!(marked.is_empty(), "{marked:?}");
        // One character misread in the handwriting still marks it.
        assert!(copy_page(&[head[0], head[1], "此复印件与原件核对无昇"]).is_empty());
    }
}
