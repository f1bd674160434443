//! anjuan-report: what supervisors see across files, from the reviewers'
//! store: no single 评查表 shows it.
//!
//! The data flows one way: [`data::Dataset::load`] reads the store once (the
//! imported scans, every final review, the units' renamings, the
//! rectification edits) into plain records; each report is a pure function
//! of that dataset and a [`Query`] (period, basis, unit) returning a
//! [`Report`]: titled [`Table`]s with notes and charts. The app renders a
//! report as a page, `anjuan report` prints or writes it, both export it as
//! CSV and XLSX: the same numbers everywhere.
//!
//! - [`data`]: the dataset; a file's unit, period date, draft and confirmed
//!   outcome.
//! - [`period`]: years, half-years (上半年/下半年), custom ranges.
//! - [`sheet`]: the 评查表 of a review (deductions, basic standards, grade).
//! - [`reports`]: sampling (评查制度 第八条), gaps across units, the
//!   half-year report (第十三条), rectification (第十一条), risk points
//!   (容错纠错制度 第十八条), unit assessment (日常评议考核制度 第四条),
//!   annual statistics (行政执法统计制度), machine against reviewer.
//! - [`export`]: CSV (BOM, formula-safe), XLSX, plain text.
//! - [`chart`]: bar charts as SVG, drawn here.
//! - [`cli`]: `anjuan report`.

pub mod chart;
pub mod cli;
pub mod data;
pub mod export;
pub mod period;
pub mod reports;
pub mod sheet;

use serde::Serialize;

/// Which reviews a figure counts. Drafts never mix silently with confirmed
/// reviews: every report says which it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// Final reviews (closed after both reviewers signed).
    Confirmed,
    /// The machine's draft (suggested findings only), of every imported file.
    Draft,
}

impl Basis {
    pub fn parse(s: &str) -> Option<Basis> {
        match s {
            "confirmed" => Some(Basis::Confirmed),
            "draft" => Some(Basis::Draft),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Confirmed => "confirmed",
            Basis::Draft => "draft",
        }
    }

    /// What the figures count, in words on every page and export.
    pub fn label(self) -> &'static str {
        match self {
            Basis::Confirmed => "经评查确认（已定稿的评查表）",
            Basis::Draft => "机器草拟（未经评查人员确认，仅含“建议”项，不含“需人工复核”项）",
        }
    }
}

/// What a report is asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub period: period::Period,
    pub basis: Basis,
    /// One unit only (its name now, after renamings).
    pub unit: Option<String>,
}

/// A cell: its text, its number when it is one (sorting, XLSX), the
/// drill-down to the files behind it (a query string of the files page),
/// and how strongly a matrix shades it (0–4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub text: String,
    pub num: Option<f64>,
    pub link: Option<String>,
    pub heat: u8,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell {
            text: s.into(),
            num: None,
            link: None,
            heat: 0,
        }
    }

    pub fn num(n: f64) -> Cell {
        Cell {
            text: fmt_num(n),
            num: Some(n),
            link: None,
            heat: 0,
        }
    }

    /// A share 0..=1 shown as a percentage.
    pub fn pct(share: f64) -> Cell {
        Cell {
            text: format!("{:.1}%", share * 100.0),
            num: Some((share * 1000.0).round() / 10.0),
            link: None,
            heat: 0,
        }
    }

    pub fn link(mut self, query: impl Into<String>) -> Cell {
        self.link = Some(query.into());
        self
    }

    pub fn heat(mut self, heat: u8) -> Cell {
        self.heat = heat.min(4);
        self
    }
}

/// A number as people write it: no trailing zeros, two decimals at most.
pub fn fmt_num(n: f64) -> String {
    if (n - n.round()).abs() < 1e-9 {
        format!("{}", n.round() as i64)
    } else {
        let s = format!("{n:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// The sheet's name in an XLSX, the table's caption on a page.
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(title: impl Into<String>, columns: &[&str]) -> Table {
        Table {
            title: title.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }
}

/// A report: what the app shows as a page and `anjuan report` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Its route and file name (`gaps`, `half-year` …).
    pub slug: String,
    pub title: String,
    /// What the period and basis were ("2023年上半年", basis label).
    pub period: String,
    pub basis: Option<Basis>,
    /// The method and the caveats, in sentences.
    pub notes: Vec<String>,
    /// SVG charts drawn from the tables.
    pub charts: Vec<String>,
    pub tables: Vec<Table>,
}
