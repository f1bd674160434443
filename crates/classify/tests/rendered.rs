//! Pages rendered by anjuan-paper (the generator's renderer: fonts, stamps,
//! scan noise) and read by the real PP-OCRv4 engine, then classified: title
//! variants of `shared/doc-types.md`, Chinese-numeral dates, parties.
//! Needs `third_party/` (scripts/setup.sh) and the system CJK fonts.

use anjuan_classify::{classify_dossier, PageInput};
use anjuan_ocr::{create_engine, read_page, EngineKind, OcrLine};
use anjuan_paper::model::{Align, Block, DocSpec, PageNumberStyle, Run, ScanParams, TextLine};
use anjuan_paper::Renderer;

struct Case {
    title: &'static str,
    code: &'static str,
    number: Option<&'static str>,
    body: &'static str,
    /// As printed at the foot (or in the record's time line).
    date_text: &'static str,
    date: &'static str,
}

const AGENCY: &str = "蒲县市场监督管理局";
const PARTY: &str = "蒲县宏达食品有限责任公司";

const CASES: [Case; 5] = [
    Case {
        title: "行政处罚事先告知书",
        code: "penalty_notice",
        number: Some("蒲市监罚告〔2022〕7号"),
        body: "你单位经营超过保质期的食品一案，经本局调查终结，拟对你单位作出行政处罚。根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你单位享有陈述、申辩的权利。",
        date_text: "二〇二二年三月十五日",
        date: "2022-03-15",
    },
    Case {
        title: "责令改正违法行为通知书",
        code: "correction_order",
        number: Some("蒲市监责改〔2022〕7号"),
        body: "经查，你单位经营超过保质期的食品，违反了《中华人民共和国食品安全法》第三十四条第十项的规定。现责令你单位立即改正上述违法行为。",
        date_text: "二〇二二年十二月三十一日",
        date: "2022-12-31",
    },
    Case {
        title: "查封(扣押)决定书",
        code: "coercive_measure_decision",
        number: Some("蒲市监强措〔2023〕12号"),
        body: "你单位涉嫌经营不符合食品安全标准的食品，依据《中华人民共和国行政强制法》第九条的规定，本局决定对你单位的有关物品实施扣押，期限为三十日。",
        date_text: "二〇二三年十月二十日",
        date: "2023-10-20",
    },
    Case {
        title: "案件处理审批表",
        code: "penalty_decision_approval",
        number: None,
        body: "承办人意见：当事人经营超过保质期的食品，违法事实清楚，证据确凿，建议依法给予警告并处罚款。请领导审批。",
        date_text: "二〇二四年一月九日",
        date: "2024-01-09",
    },
    Case {
        title: "催告书",
        code: "performance_demand",
        number: Some("蒲市监催〔2023〕3号"),
        body: "本局于2023年9月1日对你单位作出的行政处罚决定，你单位至今未履行。根据《中华人民共和国行政强制法》第三十五条的规定，现催告你单位在收到本催告书之日起十日内履行。",
        date_text: "二〇二三年十一月三十日",
        date: "2023-11-30",
    },
];

fn spec(c: &Case) -> DocSpec {
    let mut blocks = vec![Block::Agency(AGENCY.into()), Block::Title(c.title.into())];
    if let Some(n) = c.number {
        blocks.push(Block::Line(
            TextLine::new(vec![Run::printed(n)]).aligned(Align::Right),
        ));
    }
    blocks.push(Block::Space(4.0));
    blocks.push(Block::Line(TextLine::new(vec![
        Run::printed("当事人："),
        Run::printed(PARTY),
    ])));
    blocks.push(Block::Paragraph {
        runs: vec![Run::printed(c.body)],
        indent: true,
    });
    blocks.push(Block::Space(30.0));
    blocks.push(Block::Line(
        TextLine::new(vec![Run::printed(AGENCY)]).aligned(Align::Right),
    ));
    blocks.push(Block::Line(
        TextLine::new(vec![Run::printed(c.date_text)]).aligned(Align::Right),
    ));
    DocSpec {
        doc_type: c.code.into(),
        title: c.title.into(),
        blocks,
        footer: None,
        date: Some(c.date.into()),
        number: c.number.map(str::to_string),
        party: Some(PARTY.into()),
    }
}

#[test]
fn rendered_title_variants_and_chinese_numeral_dates_through_real_ocr() {
    let third_party =
        anjuan_core::paths::third_party_dir().expect("third_party/ (run scripts/setup.sh)");
    let mut engine = create_engine(EngineKind::PpOcr, &third_party).unwrap();
    let renderer = Renderer::new().unwrap();
    let mut pages: Vec<(Vec<OcrLine>, u32, u32)> = Vec::new();
    for (i, c) in CASES.iter().enumerate() {
        let doc = spec(c);
        let layouts = renderer.paginate(&doc, i);
        assert_eq!(layouts.len(), 1, "{} fits one page", c.title);
        let scan = ScanParams {
            dpi: if i % 2 == 0 { 200 } else { 300 },
            grayscale: i % 2 == 1,
            rotation: 0,
            skew_deg: 0.4,
            degradation: 0.3,
            seed: 7 + i as u64,
        };
        let page = renderer.draw(
            &layouts[0],
            &doc,
            Some((i as u32 + 1, PageNumberStyle::Stamped)),
            &scan,
        );
        let read = read_page(engine.as_mut(), &page.image).unwrap();
        pages.push((read.text.lines, read.text.width, read.text.height));
    }
    let inputs: Vec<PageInput> = pages
        .iter()
        .map(|(lines, w, h)| PageInput {
            lines,
            width: *w,
            height: *h,
        })
        .collect();
    let got = classify_dossier(&inputs);
    let docs: Vec<(&str, [u32; 2], Option<&str>)> = got
        .documents
        .iter()
        .map(|d| (d.doc_type.as_str(), d.pages, d.date.as_deref()))
        .collect();
    let want: Vec<(&str, [u32; 2], Option<&str>)> = CASES
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code, [i as u32 + 1, i as u32 + 1], Some(c.date)))
        .collect();
    assert_eq!(docs, want);
    for (i, c) in CASES.iter().enumerate() {
        assert_eq!(got.documents[i].number.as_deref(), c.number, "{}", c.title);
        assert_eq!(got.facts[i].party.as_deref(), Some(PARTY), "{}", c.title);
    }
    // The stamped archival numbers: PP-OCR often finds no text at all in a
    // lone stamped digit; where it read one in the corner, it is the page's.
    for (i, (lines, w, h)) in pages.iter().enumerate() {
        let corner = lines.iter().find(|l| {
            l.bbox[3] < h / 8 && l.bbox[0] > w * 3 / 4 && l.text.trim() == (i + 1).to_string()
        });
        if corner.is_some() {
            assert_eq!(got.pages[i].printed_page_number, Some(i as u32 + 1));
        }
    }
    assert!(got.model_used, "models/classifier.json in the checkout");
}
