//! Renders demo documents to PNGs (and one PDF) so that anyone can look at them:
//! `cargo run --release -p anjuan-paper --example demo -- OUT_DIR [DPI]`.
//! Prints ms per page (draw + scan, and JPEG encode).

use anjuan_paper::model::*;
use anjuan_paper::pdf::{encode_page, write_pdf};
use anjuan_paper::Renderer;
use std::path::PathBuf;
use std::time::Instant;

fn seal() -> Seal {
    Seal {
        agency: "蒲县市场监督管理局".into(),
        label: String::new(),
    }
}

fn decision() -> DocSpec {
    let mut blocks = vec![
        Block::Agency("蒲县市场监督管理局".into()),
        Block::Title("行政处罚决定书".into()),
        Block::Line(
            TextLine::new(vec![Run::printed("蒲市监罚〔2022〕15号")]).aligned(Align::Center),
        ),
        Block::Space(4.0),
        Block::Paragraph {
            runs: vec![Run::printed("当事人：蒲县惠民百货超市有限公司")],
            indent: false,
        },
        Block::Paragraph {
            runs: vec![Run::printed("统一社会信用代码：91141034MA0K8XYZ3Q")],
            indent: false,
        },
        Block::Paragraph {
            runs: vec![Run::printed("住所：山西省临汾市蒲县城关镇东街18号")],
            indent: false,
        },
        Block::Paragraph {
            runs: vec![Run::printed("法定代表人：王志强")],
            indent: false,
        },
    ];
    let body = [
        "2022年3月8日，本局执法人员在日常检查中发现，当事人经营场所货架上陈列销售的“康师傅”牌饮料共计24瓶已超过保质期。本局于2022年3月9日立案调查。",
        "经查，当事人于2022年1月从临汾市某商贸公司购进上述饮料，截至检查时已销售部分，违法所得共计人民币120元。以上事实有现场检查笔录、询问笔录、进货单据、照片等证据为证。",
        "本局认为，当事人销售超过保质期食品的行为，违反了《中华人民共和国食品安全法》第三十四条第（十）项的规定。依据《中华人民共和国食品安全法》第一百二十四条第一款第（五）项的规定，本局决定对当事人作出如下行政处罚：",
        "一、没收超过保质期的饮料24瓶；二、没收违法所得人民币120元；三、罚款人民币50000元。",
        "当事人应当自收到本决定书之日起十五日内，将罚款缴至指定银行。逾期不缴纳罚款的，本局可以每日按罚款数额的百分之三加处罚款。",
        "当事人如不服本处罚决定，可以在收到本决定书之日起六十日内向蒲县人民政府申请行政复议，也可以在六个月内依法向蒲县人民法院提起行政诉讼。",
    ];
    for p in body {
        blocks.push(Block::Paragraph {
            runs: vec![Run::printed(p)],
            indent: true,
        });
    }
    blocks.push(Block::Space(12.0));
    blocks.push(Block::Line(
        TextLine::new(vec![Run::printed("蒲县市场监督管理局")]).aligned(Align::Right),
    ));
    blocks.push(Block::Line(
        TextLine::new(vec![Run::printed("2022年4月12日")])
            .aligned(Align::Right)
            .with_marks(SignatureMarks {
                fingerprint: false,
                seal: Some(seal()),
            }),
    ));
    DocSpec {
        doc_type: "decision".into(),
        title: "行政处罚决定书".into(),
        blocks,
        footer: None,
        date: Some("2022-04-12".into()),
        number: Some("蒲市监罚〔2022〕15号".into()),
        party: Some("蒲县惠民百货超市有限公司".into()),
    }
}

fn field(label: &str, value: Vec<Run>) -> TableRow {
    TableRow {
        cells: vec![
            Cell::label(label),
            Cell::text(vec![TextLine::new(value)]).span(3),
        ],
        min_height: 10.0,
    }
}

fn opinion(label: &str, text: &str, who: &str, signer: &str, date: &str, seal: bool) -> TableRow {
    TableRow {
        cells: vec![
            Cell::label(label),
            Cell::text(vec![
                TextLine::new(vec![Run::hand(text)]),
                TextLine::new(vec![Run::printed(format!("{who}：")), Run::hand(signer)])
                    .aligned(Align::Right),
                TextLine::new(vec![Run::hand(date)])
                    .aligned(Align::Right)
                    .with_marks(SignatureMarks {
                        fingerprint: false,
                        seal: seal.then(self::seal),
                    }),
            ])
            .span(3),
        ],
        min_height: 42.0,
    }
}

fn approval() -> DocSpec {
    let rows = vec![
        field("案由", vec![Run::printed("涉嫌销售超过保质期食品案")]),
        TableRow {
            cells: vec![
                Cell::label("当事人"),
                Cell::text(vec![TextLine::new(vec![Run::printed("蒲县惠民百货超市有限公司")])]),
                Cell::label("法定代表人"),
                Cell::text(vec![TextLine::new(vec![Run::printed("王志强")])]),
            ],
            min_height: 10.0,
        },
        field("住所", vec![Run::printed("山西省临汾市蒲县城关镇东街18号")]),
        field("案件来源", vec![Run::printed("日常监督检查")]),
        TableRow {
            cells: vec![
                Cell::label("简要案情"),
                Cell::text(vec![TextLine::new(vec![Run::printed(
                    "2022年3月8日，执法人员对当事人经营场所进行检查，发现货架上陈列销售的饮料24瓶已超过保质期，涉嫌违反《中华人民共和国食品安全法》第三十四条第（十）项的规定。",
                )])])
                .span(3),
            ],
            min_height: 30.0,
        },
        opinion("承办人意见", "建议立案调查。", "承办人", "张伟  李明", "2022年3月9日", false),
        opinion("负责人审批意见", "同意立案。", "负责人", "赵国庆", "2022年3月9日", true),
        field("备注", vec![Run::blank(4)]),
    ];
    DocSpec {
        doc_type: "filing_approval".into(),
        title: "立案审批表".into(),
        blocks: vec![
            Block::Title("立案审批表".into()),
            Block::Line(
                TextLine::new(vec![Run::printed("蒲市监立〔2022〕15号")]).aligned(Align::Right),
            ),
            Block::Table(Table {
                columns: vec![1.0, 2.2, 1.0, 1.6],
                rows,
            }),
        ],
        footer: None,
        date: Some("2022-03-09".into()),
        number: None,
        party: Some("蒲县惠民百货超市有限公司".into()),
    }
}

fn record() -> DocSpec {
    let mut blocks = vec![
        Block::Title("询问笔录".into()),
        Block::Line(TextLine::new(vec![
            Run::printed("时间："),
            Run::hand("2022"),
            Run::printed("年"),
            Run::hand("3"),
            Run::printed("月"),
            Run::hand("10"),
            Run::printed("日"),
        ])),
        Block::Line(TextLine::new(vec![Run::printed(
            "地点：蒲县市场监督管理局城关所",
        )])),
        Block::Line(TextLine::new(vec![Run::printed(
            "询问人：张伟 李明  记录人：李明",
        )])),
        Block::Line(TextLine::new(vec![Run::printed(
            "被询问人：王志强  性别：男  年龄：45",
        )])),
    ];
    let qa = [
        (
            "问：我们是蒲县市场监督管理局的执法人员，这是我们的执法证件，请过目。你是否看清楚了？",
            "答：看清楚了。",
        ),
        (
            "问：根据法律规定，你有权申请执法人员回避，你是否申请回避？",
            "答：不申请。",
        ),
        (
            "问：请介绍一下你的基本情况。",
            "答：我叫王志强，是蒲县惠民百货超市有限公司的法定代表人，负责超市的日常经营。",
        ),
        (
            "问：2022年3月8日我局执法人员在你超市货架上发现的24瓶饮料是从哪里购进的？",
            "答：是今年1月从临汾市一家商贸公司进的货，有进货单。",
        ),
        (
            "问：这些饮料的保质期到什么时候？",
            "答：到2022年2月底，过期了我们没有及时下架。",
        ),
        (
            "问：这批饮料一共进了多少，卖了多少？",
            "答：一共进了48瓶，卖了24瓶，每瓶5元，一共卖了120元。",
        ),
        (
            "问：你对以上事实还有什么补充？",
            "答：没有了，我们以后一定加强管理，及时清理过期商品。",
        ),
        (
            "问：以上笔录你看一下，是否与你说的一致？",
            "答：我看过了，与我说的一致。",
        ),
    ];
    for _ in 0..2 {
        for (q, a) in qa {
            blocks.push(Block::Paragraph {
                runs: vec![Run::printed(q)],
                indent: false,
            });
            blocks.push(Block::Paragraph {
                runs: vec![Run::printed(a)],
                indent: false,
            });
        }
    }
    blocks.push(Block::Line(TextLine::new(vec![Run::hand(
        "以上笔录我已看过，与我说的一致。",
    )])));
    blocks.push(Block::Photo {
        height: 70.0,
        caption: TextLine::new(vec![Run::printed("照片1：当事人货架上陈列的过期饮料")])
            .aligned(Align::Center),
    });
    blocks.push(Block::PageBreak);
    for cap in ["照片2：当事人身份证复印件", "照片3：营业执照复印件"] {
        blocks.push(Block::Photo {
            height: 80.0,
            caption: TextLine::new(vec![Run::printed(cap)]).aligned(Align::Center),
        });
    }
    DocSpec {
        doc_type: "inquiry_record".into(),
        title: "询问笔录".into(),
        blocks,
        footer: Some(Footer {
            lines: vec![TextLine::new(vec![
                Run::printed("被询问人签名："),
                Run::hand("王志强"),
                Run::printed("    询问人签名："),
                Run::hand("张伟 李明"),
            ])
            .with_marks(SignatureMarks {
                fingerprint: true,
                seal: None,
            })],
            page_counter: true,
            unsigned_pages: vec![],
        }),
        date: Some("2022-03-10".into()),
        number: None,
        party: Some("王志强".into()),
    }
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "demo-out".into()));
    let dpi: u32 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(300);
    std::fs::create_dir_all(&out)?;
    let t = Instant::now();
    let r = Renderer::new()?;
    eprintln!("fonts loaded in {} ms", t.elapsed().as_millis());
    let docs = [decision(), approval(), record()];
    let mut encoded = Vec::new();
    let (mut draw_ms, mut enc_ms, mut n) = (0.0, 0.0, 0);
    let mut page_no = 1;
    for (di, doc) in docs.iter().enumerate() {
        for page in r.paginate(doc, di) {
            let scan = ScanParams {
                dpi,
                grayscale: di == 2 && page.page_in_doc == 1,
                rotation: 0,
                skew_deg: [0.4, -0.8, 1.1, -0.3][page_no % 4],
                degradation: [0.15, 0.4, 0.7, 0.3][page_no % 4],
                seed: 1000 + page_no as u64,
            };
            let style = if page_no % 2 == 0 {
                PageNumberStyle::Stamped
            } else {
                PageNumberStyle::Handwritten
            };
            let t = Instant::now();
            let rp = r.draw(&page, doc, Some((page_no as u32, style)), &scan);
            draw_ms += t.elapsed().as_secs_f64() * 1000.0;
            let t = Instant::now();
            let enc = encode_page(&rp, rp.jpeg_quality);
            enc_ms += t.elapsed().as_secs_f64() * 1000.0;
            n += 1;
            let name = out.join(format!(
                "{:02}_{}_{}.png",
                page_no,
                doc.doc_type,
                page.page_in_doc + 1
            ));
            rp.image.save(&name)?;
            let truth: Vec<String> = rp
                .lines
                .iter()
                .map(|l| {
                    format!(
                        "{:?} {}{}",
                        l.bbox,
                        if l.handwritten { "[手] " } else { "" },
                        l.text
                    )
                })
                .collect();
            std::fs::write(name.with_extension("txt"), truth.join("\n") + "\n")?;
            eprintln!("{}: {} lines", name.display(), rp.lines.len());
            encoded.push(enc);
            page_no += 1;
        }
    }
    let pdf = write_pdf(&encoded)?;
    anjuan_core::fsutil::atomic_write(&out.join("demo.pdf"), &pdf)?;
    eprintln!(
        "{n} pages at {dpi} DPI: draw+scan {:.0} ms/page, JPEG {:.0} ms/page; PDF {} KB",
        draw_ms / n as f64,
        enc_ms / n as f64,
        pdf.len() / 1024
    );
    Ok(())
}
