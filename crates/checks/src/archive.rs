//! Filing (案卷归档): copies filed in place of originals must be marked as
//! checked against the original (与原本核对无异).

use crate::rules::{CopyRule, Rules};
use crate::sink::Sink;
use crate::text::{fuzzy_find, squash};
use crate::view::{Dossier, Spot};

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
        for &page in &doc.pages {
            let lines = d.lines(page);
            let Some(title) = lines
                .iter()
                .take(r.title_lines)
                .find(|l| is_copy_title(l.text, r))
            else {
                continue;
            };
            let text: Vec<char> = doc.page_text(page).chars().collect();
            if marked.iter().any(|m| fuzzy_find(&text, m).is_some()) {
                continue;
            }
            let spot = Spot::of_line(page, title);
            let reason = format!(
                "第{}页{}{}",
                page + 1,
                squash(title.text),
                r.reason.trim_start_matches("复印件")
            );
            // An absence is as sure as the page was read.
            let conf = 0.8 * doc.confidence(d).max(0.5);
            sink.emit(&r.target, &reason, conf, vec![spot.evidence()]);
        }
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
