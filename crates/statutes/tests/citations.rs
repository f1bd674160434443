//! Citation checking with the shipped index (`models/statutes.json`) on
//! strings from real OCR output of generated dossiers (/tmp/tune-run, seed
//! 4242; quoted as read, line breaks included), some altered where noted to
//! make the fault.

use anjuan_statutes::{Index, ProblemKind};
use std::path::Path;
use std::sync::OnceLock;

fn index() -> &'static Index {
    static I: OnceLock<Index> = OnceLock::new();
    I.get_or_init(|| {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/statutes.json");
        Index::load(&p).expect("models/statutes.json (build it with the build_index example)")
    })
}

/// Problem kinds of every citation in `text`, in order.
fn kinds(text: &str, on: Option<(i32, u32, u32)>) -> Vec<Vec<ProblemKind>> {
    index()
        .check_text(text, on)
        .into_iter()
        .map(|(_, ps)| ps.into_iter().map(|p| p.kind).collect())
        .collect()
}

const D2024: Option<(i32, u32, u32)> = Some((2024, 5, 9));

#[test]
fn valid_citations_have_no_problem() {
    // d4242-002 p18, penalty decision.
    let text = "罚款数额的百分之三加处罚款。逾期不缴纳罚款的，依据《中华\n人民共和国行政处罚法》第七十二条第一款第（一）项的规定，每日按";
    assert_eq!(kinds(text, D2024), vec![vec![]]);
    // d4242-000, filing approval and decision (the text as OCR read it).
    let text = "违反了《中华人民共和国食品安全法》第三十四条第（十）项的规定，依据《中华人民共和国食品安全法》第一百二十四条第一款第（五）项";
    assert_eq!(kinds(text, Some((2022, 10, 28))), vec![vec![], vec![]]);
    let text = "违反了《公共场所卫生管理条例》第十四条第一款第（四)\n项的规定";
    assert_eq!(kinds(text, Some((2022, 12, 26))), vec![vec![]]);
    // A whole article of several paragraphs is a complete citation.
    let text = "根据《中华人民共和国行政处罚法》第六十三条的规定，你（单位）有权要求听证";
    assert_eq!(kinds(text, D2024), vec![vec![]]);
}

#[test]
fn abbreviated_titles() {
    // d4242-002 p18 with the decision's title shortened as 《行政处罚法》.
    let text = "逾期不缴纳罚款的，依据《行政处罚法》第七十二条第一款第（一）项的规定";
    assert_eq!(kinds(text, D2024), vec![vec![ProblemKind::Abbreviated]]);
    let r = index().check_text(text, D2024);
    assert!(r[0].1[0]
        .message_zh
        .contains("《中华人民共和国行政处罚法》"));
    // A customary abbreviation, characters left out.
    let text = "违反了《大气法》第四十八条第二\n款的规定";
    assert_eq!(kinds(text, D2024), vec![vec![ProblemKind::Abbreviated]]);
    // OCR that lost part of the prefix is not an abbreviation: one character
    // off, or a table's label cell read into the middle of the title.
    let text = "违反了《中华人民共和国食品安全去》第三十四条第（十）项的规定";
    assert_eq!(kinds(text, D2024), vec![vec![]]);
    let text = "《中华人民\n审核意见\n共和国大气污染防治法》第一百零八条第（五）项";
    assert_eq!(kinds(text, D2024), vec![vec![]]);
    // The same with the line breaks squashed out.
    let text = "《公立案依据共场所卫生管理条例》第十四条第一款第（四）项";
    assert_eq!(kinds(text, D2024), vec![vec![]]);
}

#[test]
fn unknown_law() {
    // d4242-002 p18 (the generator's abbreviation of 《公路安全保护条例》).
    let text = "本局认为，当事人的上述行为违反了《路政条例》第三十三条第一\n款的规定。依据《路政条例》第六十四条的规定";
    assert_eq!(
        kinds(text, D2024),
        vec![vec![ProblemKind::UnknownLaw], vec![ProblemKind::UnknownLaw]]
    );
    // A provincial regulation is not in the national index: nothing to say.
    let text = "依据《山西省食品小作坊小经营店小摊点管理条例》第三十条";
    assert_eq!(kinds(text, D2024), vec![vec![]]);
    // Nor is a departmental rule: the collection holds almost none.
    let text = "依据《市场监督管理行政处罚程序规定》第十八条第一款";
    assert_eq!(kinds(text, D2024), vec![vec![]]);
    // A regulation that does not exist is reported.
    let text = "依据《农村集市卫生管理条例》第十八条第一款";
    assert_eq!(kinds(text, D2024), vec![vec![ProblemKind::UnknownLaw]]);
}

#[test]
fn law_without_article() {
    let text = "本局认为，当事人的上述行为违反了《中华人民共和国食品安全法》第三十四条第（十）项的规定。依据《中华人民共和国食品安全法》的规定，本局决定";
    assert_eq!(
        kinds(text, D2024),
        vec![vec![], vec![ProblemKind::ArticleMissing]]
    );
}

#[test]
fn non_existent_provisions() {
    let base = "依据《中华人民共和国行政处罚法》第七十二条第一款第（一）项的规定";
    let cases = [
        (
            "第七十二条第一款第（一）项",
            "第一百七十二条第一款第（一）项",
            ProblemKind::NoSuchArticle,
        ),
        (
            "第七十二条第一款第（一）项",
            "第七十二条第三款",
            ProblemKind::NoSuchParagraph,
        ),
        (
            "第七十二条第一款第（一）项",
            "第七十二条第一款第（五）项",
            ProblemKind::NoSuchItem,
        ),
        (
            "第七十二条第一款第（一）项",
            "第七十二条第二款第（一）项",
            ProblemKind::NoSuchItem,
        ),
        // legal-rules.md: an item of an article of several paragraphs needs its 款.
        (
            "第七十二条第一款第（一）项",
            "第七十二条第一项",
            ProblemKind::ParagraphMissing,
        ),
    ];
    for (from, to, want) in cases {
        let text = base.replace(from, to);
        assert_eq!(kinds(&text, D2024), vec![vec![want]], "{text}");
    }
}

#[test]
fn versions_by_the_documents_date() {
    // 农产品质量安全法: 56 articles in the 2018 text; 81 in the 2022 revision,
    // in force from 2023-01-01.
    let text = "违反了《中华人民共和国农产品质量安全法》第八十条的规定";
    assert_eq!(
        kinds(text, Some((2020, 6, 1))),
        vec![vec![ProblemKind::NoSuchArticle]]
    );
    assert_eq!(
        kinds(text, Some((2022, 10, 1))),
        vec![vec![ProblemKind::NoSuchArticle]]
    );
    assert_eq!(kinds(text, Some((2023, 3, 1))), vec![vec![]]);
    // 第三十三条 had items (一)–(五) in 2018 and has none since 2023: a later
    // decision may still cite the older text (从旧).
    let text = "违反了《中华人民共和国农产品质量安全法》第三十三条第（五）项的规定";
    assert_eq!(kinds(text, Some((2023, 3, 1))), vec![vec![]]);
    assert_eq!(kinds(text, None), vec![vec![]]);
    let text = "违反了《中华人民共和国农产品质量安全法》第三十三条第二款的规定";
    assert_eq!(
        kinds(text, Some((2020, 6, 1))),
        vec![vec![ProblemKind::NoSuchParagraph]]
    );
    assert_eq!(kinds(text, Some((2023, 3, 1))), vec![vec![]]);
    // Before our only version of 行政处罚法 took effect (2021-07-15) its
    // articles cannot be checked: the old numbering is not flagged blindly.
    let text = "依据《中华人民共和国行政处罚法》第五十一条第一款第（一）项";
    assert_eq!(kinds(text, Some((2020, 6, 1))), vec![vec![]]);
    assert_eq!(kinds(text, D2024), vec![vec![ProblemKind::NoSuchItem]]);
}

#[test]
fn index_is_reproducible_from_the_statute_texts() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/statutes");
    if !src.is_dir() {
        eprintln!("{}: absent, reproducibility not checked", src.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("statutes.json");
    let r = anjuan_statutes::build_index(&src, &out).unwrap();
    assert!(r.laws > 900 && r.articles > 40_000, "{r:?}");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/statutes.json");
    assert!(
        std::fs::read(&out).unwrap() == std::fs::read(&shipped).unwrap(),
        "models/statutes.json is not what build_index makes from {}: rebuild it",
        src.display()
    );
}
