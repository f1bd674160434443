//! Shared pieces of documents: headers, party particulars, signature and
//! seal lines, citations, remedies.

use crate::case::Case;
use crate::data::{self, Citation, PartyKind};
use crate::defects::{Defect, Defects};
use crate::family::{Family, Forms, Wording};
use crate::text::{date_cn, fill, Vars};
use anjuan_core::doctype::DocTypes;
use anjuan_core::CaseKind;
use anjuan_paper::model::{
    Align, Block, Cell, DocSpec, Run, Seal, SignatureMarks, Table, TableRow, TextLine,
};
use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// Where on a document a defect shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shows {
    /// On every page of the document.
    All,
    /// On one page (0-based within the document); clamped to the last page.
    Page(usize),
}

/// A document and the defects it carries.
#[derive(Debug, Clone)]
pub struct Built {
    pub spec: DocSpec,
    pub shows: Vec<(Defect, Shows)>,
}

/// Everything a document builder reads.
pub struct Ctx<'a> {
    pub case: &'a Case,
    pub defects: &'a Defects,
    /// The title this dossier uses for each document type.
    pub titles: BTreeMap<String, String>,
    /// Records (笔录) written by hand on the printed form rather than typed.
    pub hand_records: bool,
    /// The template family's wording, as drawn for this dossier.
    pub words: Wording,
}

impl<'a> Ctx<'a> {
    /// The context of a dossier in `family`: titles and the records' ink
    /// from the dossier's stream `rng` (always drawn, so a family never
    /// shifts the later draws), the family's choices from its own stream
    /// `frng`.
    pub fn new(
        rng: &mut ChaCha8Rng,
        frng: &mut ChaCha8Rng,
        family: &'static Family,
        case: &'a Case,
        defects: &'a Defects,
    ) -> Ctx<'a> {
        let w = data::world();
        let mut titles = BTreeMap::new();
        for t in &DocTypes::builtin().types {
            let mut options: Vec<&str> = t
                .titles()
                .filter(|s| !w.title_exclude.iter().any(|x| x == s))
                .filter(|s| match (t.code.as_str(), case.kind) {
                    ("cover", CaseKind::Penalty) => *s != "行政强制案卷",
                    ("cover", _) => *s != "行政处罚案卷",
                    _ => true,
                })
                .collect();
            // The usual title is the most common one.
            options.push(t.title.as_str());
            titles.insert(
                t.code.clone(),
                options.choose(rng).expect("a title").to_string(),
            );
        }
        let hand_records = rng.gen_bool(0.3);
        if !family.is_default() {
            let kind = match case.kind {
                CaseKind::Penalty => "行政处罚",
                _ => "行政强制",
            };
            let vars: Vars = [("kind", kind.to_string())].into_iter().collect();
            for t in &DocTypes::builtin().types {
                let title = match family.titles.get(&t.code) {
                    Some(options) => fill(options.choose(frng).expect("a title"), &vars),
                    None => t.title.clone(),
                };
                titles.insert(t.code.clone(), title);
            }
        }
        Ctx {
            case,
            defects,
            titles,
            hand_records,
            words: Wording::draw(family, frng),
        }
    }

    /// A label of the family's forms (`询问人`, `执法证号` …).
    pub fn label(&self, key: &str) -> &str {
        self.words.label(key)
    }

    /// A fixed statement in the family's wording.
    pub fn say(&self, key: &str, vars: &[(&'static str, String)]) -> String {
        self.words.say(key, vars)
    }

    /// Officers' names as the family lists them in a line.
    pub fn names(&self, names: &[&str]) -> String {
        names.join(&self.words.separator)
    }

    /// Officers' handwritten names on a signature line: the family's
    /// separator, or `default` (what each default form uses).
    pub fn sign_names(&self, names: &[&str], default: &str) -> String {
        names.join(
            self.words
                .family
                .sign_separator
                .as_deref()
                .unwrap_or(default),
        )
    }

    /// An approval or review form: a ruled table, or, in a family that
    /// writes its forms as prose, the same fields as `label：` lines (the
    /// opinions' signatures and dates keep their lines and marks).
    pub fn form(&self, table: Table) -> Vec<Block> {
        match self.words.family.forms {
            Forms::Table => vec![Block::Table(table)],
            Forms::Prose => prose_form(table),
        }
    }

    /// What the contents page calls a document.
    pub fn contents_name(&self, spec: &DocSpec) -> String {
        self.words
            .family
            .contents_names
            .get(&spec.doc_type)
            .cloned()
            .unwrap_or_else(|| spec.title.clone())
    }

    pub fn has(&self, d: Defect) -> bool {
        self.defects.has(d)
    }

    pub fn title(&self, code: &str) -> String {
        self.titles
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    /// Ink of the body of records: typed or handwritten.
    pub fn rec(&self, text: impl Into<String>) -> Run {
        if self.hand_records {
            Run::hand(text)
        } else {
            Run::printed(text)
        }
    }

    pub fn seal(&self) -> Seal {
        Seal {
            agency: self.case.agency.name.clone(),
            label: self.case.agency.seal_label.clone(),
        }
    }

    /// A new document: agency line and title.
    pub fn doc(&self, code: &str, date: NaiveDate, number: Option<String>) -> DocSpec {
        let title = self.title(code);
        let mut blocks = vec![
            Block::Agency(self.case.agency.name.clone()),
            Block::Title(title.clone()),
        ];
        if let Some(n) = &number {
            blocks.push(Block::Line(
                TextLine::new(vec![Run::printed(n.clone())]).aligned(Align::Right),
            ));
        }
        DocSpec {
            doc_type: code.to_string(),
            title,
            blocks,
            footer: None,
            date: Some(crate::text::iso(date)),
            number,
            party: Some(self.case.party.name.clone()),
        }
    }

    /// A citation `《中华人民共和国食品安全法》第三十四条第（十）项`, abbreviated or
    /// without its article when asked.
    pub fn cite(&self, c: &Citation, abbreviate: bool, no_article: bool) -> String {
        let law = data::world().law(&c.0);
        let title = if abbreviate { &law.short } else { &law.title };
        if no_article {
            title.clone()
        } else {
            format!("{title}{}", c.1)
        }
    }

    pub fn cites(&self, cs: &[Citation], abbreviate: bool, no_article: bool) -> String {
        let mut out: Vec<String> = Vec::new();
        for c in cs {
            let s = self.cite(c, abbreviate, no_article);
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out.join("、")
    }

    /// Party particulars as paragraphs of an issued document.
    pub fn party_block(&self, incomplete: bool) -> Vec<Block> {
        self.party_block_as("party", incomplete)
    }

    /// [`Ctx::party_block`] under the family's label `label` for the party.
    pub fn party_block_as(&self, label: &str, incomplete: bool) -> Vec<Block> {
        let p = &self.case.party;
        let who = self.label(label);
        let mut lines = Vec::new();
        match p.kind {
            PartyKind::Company => {
                lines.push(format!("{who}：{}", p.name));
                if !incomplete {
                    lines.push(format!(
                        "统一社会信用代码：{}",
                        p.credit_code.clone().unwrap_or_default()
                    ));
                }
                lines.push(format!("住所：{}", p.address));
                lines.push(format!(
                    "法定代表人：{}",
                    p.legal_rep.clone().unwrap_or_default()
                ));
            }
            PartyKind::Person => {
                lines.push(format!("{who}：{}", p.name));
                if !incomplete {
                    lines.push(format!(
                        "性别：{}　　身份证号码：{}",
                        p.signer_sex, p.signer_id
                    ));
                }
                lines.push(format!("住址：{}", p.address));
                if p.shop != p.name {
                    let code = p
                        .credit_code
                        .as_ref()
                        .map(|c| format!("（统一社会信用代码：{c}）"))
                        .unwrap_or_default();
                    lines.push(format!("经营场所：{}{code}", p.shop));
                }
            }
        }
        lines
            .into_iter()
            .map(|l| Block::Line(TextLine::new(vec![Run::printed(l)])))
            .collect()
    }

    /// Party particulars as the rows of an approval form.
    pub fn party_rows(&self) -> Vec<TableRow> {
        let p = &self.case.party;
        let (id_label, id) = match p.kind {
            PartyKind::Company => (
                "统一社会信用代码",
                p.credit_code.clone().unwrap_or_default(),
            ),
            PartyKind::Person => ("身份证号码", p.signer_id.clone()),
        };
        let rep = match p.kind {
            PartyKind::Company => {
                format!("法定代表人：{}", p.legal_rep.clone().unwrap_or_default())
            }
            PartyKind::Person => format!("性别：{}　年龄：{}", p.signer_sex, p.signer_age),
        };
        vec![
            row(
                vec![Cell::label(self.label("party")), text_cell(&p.name).span(3)],
                9.0,
            ),
            row(
                vec![
                    Cell::label(id_label),
                    text_cell(&id),
                    Cell::label("联系电话"),
                    text_cell(&p.phone),
                ],
                9.0,
            ),
            row(
                vec![Cell::label("住所（址）"), text_cell(&p.address).span(3)],
                9.0,
            ),
            row(
                vec![Cell::label("法定代表人（负责人）"), text_cell(&rep).span(3)],
                9.0,
            ),
        ]
    }

    /// `执法人员：张三（执法证号：…）、李四（…）`
    pub fn officers_line(&self, label: &str, one_officer: bool, no_cert: bool) -> TextLine {
        let n = if one_officer {
            1
        } else {
            self.case.officers.len().min(2)
        };
        let list: Vec<String> = self.case.officers[..n]
            .iter()
            .map(|o| {
                if no_cert {
                    o.name.clone()
                } else {
                    format!("{}（{}：{}）", o.name, self.label("cert"), o.cert)
                }
            })
            .collect();
        TextLine::new(vec![
            Run::printed(format!("{label}：")),
            self.rec(list.join(&self.words.separator)),
        ])
    }

    /// Officers' handwritten signatures.
    pub fn officer_signatures(&self, label: &str, one_officer: bool) -> TextLine {
        let n = if one_officer { 1 } else { 2 };
        let mut runs = vec![Run::printed(format!("{label}："))];
        for o in &self.case.officers[..n] {
            runs.push(Run::hand(o.name.clone()));
            runs.push(Run::blank(1));
        }
        TextLine::new(runs)
    }

    /// The agency name and the printed date, with the seal pressed over the date.
    pub fn issuer(&self, date: NaiveDate, sealed: bool) -> Vec<Block> {
        self.issuer_dated(Some(date), sealed)
    }

    /// [`Ctx::issuer`] with the date left blank (`　　年　　月　　日`) when `None`.
    pub fn issuer_dated(&self, date: Option<NaiveDate>, sealed: bool) -> Vec<Block> {
        let marks = SignatureMarks {
            fingerprint: false,
            seal: sealed.then(|| self.seal()),
        };
        vec![
            Block::Space(12.0),
            Block::Line(
                TextLine::new(vec![Run::printed(self.case.agency.name.clone())])
                    .aligned(Align::Right),
            ),
            Block::Line(
                TextLine::new(vec![Run::printed(
                    date.map(date_cn).unwrap_or_else(|| BLANK_DATE.to_string()),
                )])
                .aligned(Align::Right)
                .with_marks(marks),
            ),
        ]
    }

    /// The remedies sentence of a decision: correct, wrong periods, or litigation left out.
    pub fn remedies(&self, date: NaiveDate, wrong: bool, omit_litigation: bool) -> String {
        let a = &self.case.agency;
        let organ = if date >= NaiveDate::from_ymd_opt(2024, 1, 1).expect("date") {
            format!("{}人民政府", a.county)
        } else if a.upper.ends_with("人民政府") {
            a.upper.clone()
        } else {
            format!("{}人民政府或者{}", a.county, a.upper)
        };
        let (recon, lit) = if wrong {
            ("三十日", "三个月")
        } else {
            ("六十日", "六个月")
        };
        let court = format!("{}人民法院", a.county);
        let key = if omit_litigation {
            "remedies_no_litigation"
        } else {
            "remedies"
        };
        self.say(
            key,
            &[
                ("recon", recon.to_string()),
                ("organ", organ),
                ("lit", lit.to_string()),
                ("court", court),
            ],
        )
    }
}

/// A form's rows as lines: each label, then its cell's lines.
fn prose_form(table: Table) -> Vec<Block> {
    let mut out = Vec::new();
    for r in table.rows {
        let mut label: Option<String> = None;
        for cell in r.cells {
            if cell.label {
                let text: String = cell
                    .lines
                    .iter()
                    .flat_map(|l| l.runs.iter().map(|r| r.text.as_str()))
                    .collect();
                label = Some(text);
                continue;
            }
            let mut lines = cell.lines.into_iter();
            let mut first = lines
                .next()
                .unwrap_or_else(|| TextLine::new(vec![Run::blank(4)]));
            if let Some(l) = label.take() {
                first.runs.insert(0, Run::printed(format!("{l}：")));
                first.align = Align::Left;
            }
            out.push(Block::Line(first));
            out.extend(lines.map(Block::Line));
        }
        if let Some(l) = label {
            out.push(Block::Line(TextLine::new(vec![Run::printed(format!(
                "{l}："
            ))])));
        }
    }
    out.push(Block::Space(4.0));
    out
}

/// A date line left unfilled.
pub const BLANK_DATE: &str = "　　年　　月　　日";

pub fn row(cells: Vec<Cell>, min_height: f32) -> TableRow {
    TableRow { cells, min_height }
}

pub fn text_cell(s: &str) -> Cell {
    Cell::text(vec![TextLine::new(vec![Run::printed(s.to_string())])])
}

pub fn hand_cell(s: &str) -> Cell {
    Cell::text(vec![TextLine::new(vec![Run::hand(s.to_string())])])
}

/// An opinion cell of an approval form: the opinion, then `签名：` + name and
/// the date, by hand. `blank` leaves the opinion, signature and date empty.
pub fn opinion_cell(opinion: &str, signer: &str, date: NaiveDate, blank: bool) -> Cell {
    if blank {
        return Cell::text(vec![
            TextLine::new(vec![Run::blank(6)]),
            TextLine::new(vec![Run::printed("签名："), Run::blank(6)]).aligned(Align::Right),
            TextLine::new(vec![Run::printed("　　年　　月　　日")]).aligned(Align::Right),
        ]);
    }
    Cell::text(vec![
        TextLine::new(vec![Run::hand(opinion.to_string())]),
        TextLine::new(vec![Run::printed("签名："), Run::hand(signer.to_string())])
            .aligned(Align::Right),
        TextLine::new(vec![Run::hand(date_cn(date))]).aligned(Align::Right),
    ])
}

pub fn para(text: impl Into<String>) -> Block {
    Block::Paragraph {
        runs: vec![Run::printed(text)],
        indent: true,
    }
}

pub fn line(text: impl Into<String>) -> Block {
    Block::Line(TextLine::new(vec![Run::printed(text)]))
}

/// A signature line: printed label, handwritten name (or a blank), optional fingerprint.
pub fn sign_line(label: &str, name: Option<&str>, fingerprint: bool) -> TextLine {
    let mut runs = vec![Run::printed(format!("{label}："))];
    match name {
        Some(n) => runs.push(Run::hand(n.to_string())),
        None => runs.push(Run::blank(5)),
    }
    TextLine::new(runs).with_marks(SignatureMarks {
        fingerprint: fingerprint && name.is_some(),
        seal: None,
    })
}

/// `签名 + 日期` on one line, handwritten.
pub fn sign_date_line(
    label: &str,
    name: Option<&str>,
    date: NaiveDate,
    fingerprint: bool,
) -> TextLine {
    let mut l = sign_line(label, name, fingerprint);
    l.runs.push(Run::blank(2));
    match name {
        Some(_) => l.runs.push(Run::hand(date_cn(date))),
        None => l.runs.push(Run::printed("　　年　　月　　日")),
    }
    l
}

/// The three opinion rows that close an approval form: the handling
/// officers', their unit's and the agency head's, each signed and dated on
/// `date`; `head_blank` leaves the head's signature and date out (a defect).
pub fn approval_rows(
    cx: &Ctx,
    opinions: [&str; 3],
    date: NaiveDate,
    head_blank: bool,
    height: f32,
) -> [TableRow; 3] {
    let c = cx.case;
    let officers = cx.sign_names(&[&c.officers[0].name, &c.officers[1].name], " ");
    let signers = [
        officers.as_str(),
        c.unit_head.as_str(),
        c.agency_head.as_str(),
    ];
    let labels = [
        cx.label("approval_officer"),
        cx.label("approval_unit"),
        cx.label("approval_head"),
    ];
    std::array::from_fn(|i| {
        let cell = opinion_cell(opinions[i], signers[i], date, i == 2 && head_blank);
        row(vec![Cell::label(labels[i]), cell.span(3)], height)
    })
}
