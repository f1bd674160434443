//! Renders real documents with the system fonts and checks the images, the
//! truth lines and the PDFs.

use anjuan_core::truth::TruthLine;
use anjuan_paper::model::*;
use anjuan_paper::pdf::{encode_page, write_pdf, EncodedPage};
use anjuan_paper::Renderer;
use std::sync::OnceLock;

fn renderer() -> &'static Renderer {
    static R: OnceLock<Renderer> = OnceLock::new();
    R.get_or_init(|| Renderer::new().expect("fonts installed (fonts-noto-cjk, fonts-arphic-*)"))
}

fn scan(seed: u64) -> ScanParams {
    ScanParams {
        dpi: 200,
        grayscale: false,
        rotation: 0,
        skew_deg: 0.0,
        degradation: 0.2,
        seed,
    }
}

fn seal() -> Seal {
    Seal {
        agency: "蒲县市场监督管理局".into(),
        label: String::new(),
    }
}

/// A letter with paragraphs, handwritten fields, and a sealed date line.
fn letter() -> DocSpec {
    DocSpec {
        doc_type: "decision".into(),
        title: "行政处罚决定书".into(),
        blocks: vec![
            Block::Agency("蒲县市场监督管理局".into()),
            Block::Title("行政处罚决定书".into()),
            Block::Line(TextLine::new(vec![Run::printed("蒲市监罚〔2022〕15号")]).aligned(Align::Center)),
            Block::Paragraph {
                runs: vec![
                    Run::printed("当事人："),
                    Run::printed("蒲县惠民百货超市有限公司，住所山西省临汾市蒲县城关镇东街18号。"),
                ],
                indent: false,
            },
            Block::Paragraph {
                runs: vec![Run::printed(
                    "2022年3月8日，本局执法人员在日常检查中发现，当事人经营场所货架上陈列销售的饮料共计24瓶已超过保质期，违反了《中华人民共和国食品安全法》第三十四条第（十）项的规定。",
                )],
                indent: true,
            },
            Block::Line(TextLine::new(vec![
                Run::printed("送达时间："),
                Run::hand("2022"),
                Run::printed("年"),
                Run::blank(1),
                Run::hand("4"),
                Run::printed("月"),
            ])),
            Block::Line(TextLine::new(vec![Run::printed("蒲县市场监督管理局")]).aligned(Align::Right)),
            Block::Line(
                TextLine::new(vec![Run::printed("2022年4月12日")])
                    .aligned(Align::Right)
                    .with_marks(SignatureMarks { fingerprint: false, seal: Some(seal()) }),
            ),
        ],
        footer: None,
        date: None,
        number: None,
        party: None,
    }
}

/// An approval form with one-line rows and a tall opinion row.
fn form() -> DocSpec {
    let row = |l: &str, v: &str| TableRow {
        cells: vec![
            Cell::label(l),
            Cell::text(vec![TextLine::new(vec![Run::printed(v)])]),
        ],
        min_height: 9.0,
    };
    DocSpec {
        doc_type: "filing_approval".into(),
        title: "立案审批表".into(),
        blocks: vec![
            Block::Title("立案审批表".into()),
            Block::Table(Table {
                columns: vec![1.0, 3.0],
                rows: vec![
                    row("案由", "涉嫌销售超过保质期食品案"),
                    row("当事人", "蒲县惠民百货超市有限公司"),
                    TableRow {
                        cells: vec![
                            Cell::label("承办人意见"),
                            Cell::text(vec![
                                TextLine::new(vec![Run::hand("建议立案")]),
                                TextLine::new(vec![Run::printed("承办人："), Run::hand("张伟")])
                                    .aligned(Align::Right),
                                TextLine::new(vec![Run::hand("2022年3月9日")])
                                    .aligned(Align::Right)
                                    .with_marks(SignatureMarks {
                                        fingerprint: false,
                                        seal: Some(seal()),
                                    }),
                            ]),
                        ],
                        min_height: 40.0,
                    },
                ],
            }),
        ],
        footer: None,
        date: None,
        number: None,
        party: None,
    }
}

/// An interview record long enough for two pages, signed at the foot of each.
fn record(unsigned: Vec<usize>) -> DocSpec {
    let mut blocks = vec![Block::Title("询问笔录".into())];
    for i in 0..14 {
        blocks.push(Block::Paragraph {
            runs: vec![Run::printed(format!(
                "问：第{i}个问题，请你如实说明当事人经营场所货架上陈列销售的饮料从何处购进、购进数量和销售情况？"
            ))],
            indent: false,
        });
        blocks.push(Block::Paragraph {
            runs: vec![Run::printed(
                "答：是今年1月从临汾市一家商贸公司进的货，一共48瓶，卖了24瓶。",
            )],
            indent: false,
        });
    }
    DocSpec {
        doc_type: "inquiry_record".into(),
        title: "询问笔录".into(),
        blocks,
        footer: Some(Footer {
            lines: vec![
                TextLine::new(vec![Run::printed("被询问人签名："), Run::hand("王志强")])
                    .with_marks(SignatureMarks {
                        fingerprint: true,
                        seal: None,
                    }),
            ],
            page_counter: true,
            unsigned_pages: unsigned,
        }),
        date: None,
        number: None,
        party: None,
    }
}

fn render_all(doc: &DocSpec, seed: u64) -> Vec<RenderedPage> {
    let r = renderer();
    r.paginate(doc, 0)
        .iter()
        .enumerate()
        .map(|(i, p)| r.draw(p, doc, None, &scan(seed + i as u64)))
        .collect()
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .collect()
}

fn block_runs(b: &Block) -> Vec<Run> {
    match b {
        Block::Agency(t) | Block::Title(t) => vec![Run::printed(t.clone())],
        Block::Line(l) => l.runs.clone(),
        Block::Paragraph { runs, .. } => runs.clone(),
        Block::Table(t) => t
            .rows
            .iter()
            .flat_map(|r| &r.cells)
            .flat_map(|c| &c.lines)
            .flat_map(|l| l.runs.clone())
            .collect(),
        Block::Photo { caption, .. } => caption.runs.clone(),
        _ => vec![],
    }
}

#[test]
fn truth_reproduces_letter_text_in_order() {
    let doc = letter();
    let pages = render_all(&doc, 7);
    let all: String = pages
        .iter()
        .flat_map(|p| &p.lines)
        .map(|l| squash(&l.text))
        .collect();
    let mut pos = 0;
    for b in &doc.blocks {
        for run in block_runs(b) {
            let t = squash(&run.text);
            if t.is_empty() {
                continue;
            }
            let found = all[pos..]
                .find(&t)
                .unwrap_or_else(|| panic!("{t:?} not found in order after {pos} in {all}"));
            pos += found + t.len();
        }
    }
    // The title is centred; every box lies on the page and has ink in it.
    let p = &pages[0];
    let title = p
        .lines
        .iter()
        .find(|l| l.text == "行政处罚决定书")
        .expect("title line");
    let centre = (title.bbox[0] + title.bbox[2]) as f32 / 2.0;
    assert!(
        (centre - p.image.width() as f32 / 2.0).abs() < p.image.width() as f32 * 0.02,
        "title not centred: {:?}",
        title.bbox
    );
    let gray = p.image.to_luma8();
    for l in &p.lines {
        let [x0, y0, x1, y1] = l.bbox;
        assert!(
            x1 > x0 && y1 > y0 && x1 <= gray.width() && y1 <= gray.height(),
            "{l:?}"
        );
        let darkest = (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .map(|(x, y)| gray.get_pixel(x, y)[0])
            .min()
            .unwrap();
        assert!(darkest < 110, "no ink under {l:?} (darkest {darkest})");
    }
}

#[test]
fn table_cells_and_handwriting_are_in_the_truth_and_flagged() {
    let doc = form();
    let pages = render_all(&doc, 11);
    assert_eq!(pages.len(), 1);
    let lines = &pages[0].lines;
    let find = |t: &str| -> &TruthLine {
        lines
            .iter()
            .find(|l| l.text == t)
            .unwrap_or_else(|| panic!("{t} missing: {lines:?}"))
    };
    for t in [
        "立案审批表",
        "案由",
        "涉嫌销售超过保质期食品案",
        "当事人",
        "承办人意见",
        "承办人：",
    ] {
        assert!(!find(t).handwritten, "{t} flagged handwritten");
    }
    for t in ["建议立案", "张伟", "2022年3月9日"] {
        assert!(find(t).handwritten, "{t} not flagged handwritten");
    }
    // Label and value of a row are on one row, label first.
    let i = lines.iter().position(|l| l.text == "案由").unwrap();
    assert_eq!(lines[i + 1].text, "涉嫌销售超过保质期食品案");
    // Signature and date sit at the bottom right of the tall opinion cell.
    let (op, date) = (find("建议立案"), find("2022年3月9日"));
    assert!(
        date.bbox[1] > op.bbox[3] + 100,
        "date not at the cell bottom: {op:?} {date:?}"
    );
    assert!(date.bbox[0] > pages[0].image.width() / 2);
}

#[test]
fn two_page_record_counts_its_pages() {
    let doc = record(vec![]);
    let pages = render_all(&doc, 3);
    assert_eq!(pages.len(), 2, "record should take two pages");
    for (i, p) in pages.iter().enumerate() {
        let counter = format!("第{}页 共2页", i + 1);
        let c = p
            .lines
            .iter()
            .find(|l| l.text == counter)
            .unwrap_or_else(|| panic!("{counter} missing"));
        // The counter is the last line, at the foot of the page.
        assert_eq!(p.lines.last().unwrap().text, counter);
        assert!(c.bbox[1] > p.image.height() * 9 / 10);
        let sig = p
            .lines
            .iter()
            .find(|l| l.text == "王志强")
            .expect("signature on every page");
        assert!(sig.handwritten);
    }
}

#[test]
fn unsigned_pages_lose_their_handwriting_in_image_and_truth() {
    let r = renderer();
    let signed = record(vec![]);
    let unsigned = record(vec![1]);
    let lay_s = r.paginate(&signed, 0);
    let lay_u = r.paginate(&unsigned, 0);
    assert_eq!(lay_s.len(), 2);
    let s = r.draw(&lay_s[1], &signed, None, &scan(5));
    let u = r.draw(&lay_u[1], &unsigned, None, &scan(5));
    let sig = s
        .lines
        .iter()
        .find(|l| l.text == "王志强")
        .expect("signed page has the signature");
    assert!(
        !u.lines.iter().any(|l| l.handwritten),
        "unsigned page has handwriting in its truth"
    );
    assert!(
        u.lines.iter().any(|l| l.text == "被询问人签名："),
        "the printed label stays"
    );
    // The signature's area (and the fingerprint beside it) is blank paper on the unsigned page.
    let mean = |img: &image::DynamicImage| {
        let g = img.to_luma8();
        let [x0, y0, x1, y1] = sig.bbox;
        let x1 = (x1 + 60).min(g.width());
        let n = ((x1 - x0) * (y1 - y0)) as f64;
        (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .map(|(x, y)| g.get_pixel(x, y)[0] as f64)
            .sum::<f64>()
            / n
    };
    let (ms, mu) = (mean(&s.image), mean(&u.image));
    assert!(
        mu > ms + 15.0 && mu > 215.0,
        "signed {ms:.1} vs unsigned {mu:.1}"
    );
    // Page 1 stays signed.
    let u0 = r.draw(&lay_u[0], &unsigned, None, &scan(5));
    assert!(u0.lines.iter().any(|l| l.text == "王志强" && l.handwritten));
}

#[test]
fn rotation_turns_the_image() {
    let r = renderer();
    let doc = form();
    let lay = r.paginate(&doc, 0);
    let up = r.draw(&lay[0], &doc, None, &scan(1));
    let (w, h) = (up.image.width(), up.image.height());
    assert_eq!((w, h), (1654, 2339), "A4 at 200 DPI");
    for (rot, dims) in [(90u16, (h, w)), (180, (w, h)), (270, (h, w))] {
        let p = r.draw(
            &lay[0],
            &doc,
            None,
            &ScanParams {
                rotation: rot,
                ..scan(1)
            },
        );
        assert_eq!((p.image.width(), p.image.height()), dims, "rotation {rot}");
        assert_eq!(p.rotation, rot);
        // Truth stays on the upright page.
        assert_eq!(p.lines, up.lines);
    }
    // 180°: the title (top centre, upright) is at the bottom of the turned image.
    let p = r.draw(
        &lay[0],
        &doc,
        None,
        &ScanParams {
            rotation: 180,
            ..scan(1)
        },
    );
    let ink_rows = |img: &image::DynamicImage, y0: u32, y1: u32| {
        let g = img.to_luma8();
        (y0..y1)
            .filter(|&y| (0..g.width()).any(|x| g.get_pixel(x, y)[0] < 100))
            .count()
    };
    assert!(ink_rows(&up.image, 100, 300) > 20);
    assert!(ink_rows(&p.image, h - 300, h - 100) > 20);
}

fn encode_doc(doc: &DocSpec, seed: u64, grayscale: bool) -> Vec<EncodedPage> {
    let r = renderer();
    r.paginate(doc, 0)
        .iter()
        .map(|p| {
            let s = ScanParams {
                grayscale,
                skew_deg: 0.7,
                degradation: 0.6,
                ..scan(seed)
            };
            let rp = r.draw(p, doc, Some((3, PageNumberStyle::Stamped)), &s);
            encode_page(&rp, rp.jpeg_quality)
        })
        .collect()
}

#[test]
fn same_seed_same_bytes_different_seed_different_bytes() {
    let doc = letter();
    let a = encode_doc(&doc, 42, false);
    let b = encode_doc(&doc, 42, false);
    let c = encode_doc(&doc, 43, false);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.jpeg, y.jpeg);
    }
    assert_ne!(a[0].jpeg, c[0].jpeg);
    assert_eq!(write_pdf(&a).unwrap(), write_pdf(&b).unwrap());
    assert_ne!(write_pdf(&a).unwrap(), write_pdf(&c).unwrap());
}

#[test]
fn pdf_parses_back_with_pages_and_media_box() {
    let mut pages = encode_doc(&record(vec![]), 9, true);
    pages.extend(encode_doc(&form(), 9, false));
    assert!(pages[0].gray && !pages[2].gray);
    let bytes = write_pdf(&pages).unwrap();
    let doc = lopdf::Document::load_mem(&bytes).expect("PDF parses");
    let ids = doc.get_pages();
    assert_eq!(ids.len(), 3);
    for (n, id) in ids.values().enumerate() {
        let page = doc.get_dictionary(*id).unwrap();
        let mb = page.get(b"MediaBox").unwrap().as_array().unwrap();
        let v: Vec<f32> = mb.iter().map(|o| o.as_float().unwrap()).collect();
        assert!(
            (v[2] - 595.3).abs() < 0.5 && (v[3] - 841.9).abs() < 0.5,
            "page {n}: {v:?}"
        );
        let res = page.get(b"Resources").unwrap().as_dict().unwrap();
        let xo = res.get(b"XObject").unwrap().as_dict().unwrap();
        let img = doc
            .get_object(xo.get(b"Im0").unwrap().as_reference().unwrap())
            .unwrap()
            .as_stream()
            .unwrap();
        assert_eq!(
            img.dict.get(b"Filter").unwrap().as_name().unwrap(),
            b"DCTDecode"
        );
        let cs = img.dict.get(b"ColorSpace").unwrap().as_name().unwrap();
        assert_eq!(
            cs,
            if n < 2 {
                b"DeviceGray".as_slice()
            } else {
                b"DeviceRGB".as_slice()
            }
        );
        // The stream is the JPEG itself and decodes to the page size.
        let dec =
            image::load_from_memory_with_format(&img.content, image::ImageFormat::Jpeg).unwrap();
        assert_eq!((dec.width(), dec.height()), (1654, 2339));
    }
}

#[test]
fn page_numbers_are_in_the_truth() {
    let r = renderer();
    let doc = form();
    let lay = r.paginate(&doc, 0);
    let h = r.draw(
        &lay[0],
        &doc,
        Some((17, PageNumberStyle::Handwritten)),
        &scan(2),
    );
    let n = h
        .lines
        .iter()
        .find(|l| l.text == "17")
        .expect("handwritten page number");
    assert!(
        n.handwritten && n.bbox[0] > h.image.width() * 3 / 4 && n.bbox[3] < h.image.height() / 10
    );
    assert_eq!(h.printed_page_number, Some(17));
    let s = r.draw(
        &lay[0],
        &doc,
        Some((17, PageNumberStyle::Stamped)),
        &scan(2),
    );
    let n = s
        .lines
        .iter()
        .find(|l| l.text.trim_start_matches('0') == "17")
        .expect("stamped page number");
    assert!(!n.handwritten);
}
