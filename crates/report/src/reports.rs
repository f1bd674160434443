//! The reports, each a pure function of the [`Dataset`] and a [`Query`].
//! Every figure is a count over files the page can list: each cell that
//! counts files links to them ([`Drill`], the files page).

use crate::chart;
use crate::data::{Dataset, FileRecord, Outcome, Problem};
use crate::period::Period;
use crate::{fmt_num, Basis, Cell, Query, Report, Table};
use anjuan_core::contract::{FindingKind, FindingStatus};
use anjuan_core::CaseKind;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// The reports the app lists and `anjuan report` makes, by slug.
pub const REPORTS: &[(&str, &str)] = &[
    ("gaps", "单位问题分布（单位×评查项目）"),
    ("half-year", "半年案卷评查情况报告（评查制度第十三条）"),
    ("rectification", "整改清单（评查制度第十一条）"),
    ("risks", "易错风险点（容错纠错制度第十八条）"),
    (
        "assessment",
        "案卷质量考核得分（日常评议考核制度第四条第7项）",
    ),
    ("annual", "行政执法统计年报数据表（行政执法统计制度）"),
    ("calibration", "机器预审与评查结论对照"),
    ("sample", "抽样方案（评查制度第八条）"),
    ("units", "执法单位"),
];

/// The title of a report by slug.
pub fn title_of(slug: &str) -> Option<&'static str> {
    REPORTS.iter().find(|(s, _)| *s == slug).map(|(_, t)| *t)
}

/// What a drill-down lists: the files (and their problems) behind a cell.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Drill {
    pub unit: Option<String>,
    pub item: Option<String>,
    pub grade: Option<String>,
    /// A required document the file lacks.
    pub missing: Option<String>,
    /// A column of the annual statistics.
    pub stat: Option<String>,
    /// Machine against reviewer: `confirmed`, `rejected`, `missed`,
    /// `nr_confirmed`, `nr_rejected`.
    pub outcome: Option<String>,
    /// One file (its store id).
    pub dossier: Option<i64>,
}

impl Drill {
    /// The files page's query string for this drill-down under `q`.
    pub fn link(&self, q: &Query) -> String {
        let mut parts = vec![
            format!("period={}", enc(&q.period.key)),
            format!("basis={}", q.basis.as_str()),
        ];
        let pairs = [
            ("unit", self.unit.as_ref().or(q.unit.as_ref())),
            ("item", self.item.as_ref()),
            ("grade", self.grade.as_ref()),
            ("missing", self.missing.as_ref()),
            ("stat", self.stat.as_ref()),
            ("outcome", self.outcome.as_ref()),
        ];
        for (k, v) in pairs {
            if let Some(v) = v {
                parts.push(format!("{k}={}", enc(v)));
            }
        }
        if let Some(d) = self.dossier {
            parts.push(format!("dossier={d}"));
        }
        parts.join("&")
    }
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn unit_label(unit: &str) -> String {
    unit.to_string()
}

/// The files a query covers: in its period (by closing date, else decision
/// date), of its unit, with an outcome on its basis.
pub fn files_in<'a>(ds: &'a Dataset, q: &Query) -> Vec<&'a FileRecord> {
    ds.files
        .iter()
        .filter(|f| in_period(f, &q.period))
        .filter(|f| q.unit.as_ref().is_none_or(|u| &f.unit == u))
        .filter(|f| f.outcome(q.basis).is_some())
        .collect()
}

fn in_period(f: &FileRecord, p: &Period) -> bool {
    match &f.date {
        Some(d) => p.contains(d),
        None => p.start.is_none() && p.end.is_none(),
    }
}

/// Files of the query's unit that no period can place (no closing or
/// decision date read): said on every period's page.
fn undated_note(ds: &Dataset, q: &Query) -> Option<String> {
    if q.period.start.is_none() && q.period.end.is_none() {
        return None;
    }
    let n = ds
        .files
        .iter()
        .filter(|f| f.date.is_none())
        .filter(|f| q.unit.as_ref().is_none_or(|u| &f.unit == u))
        .count();
    (n > 0).then(|| {
        format!("另有 {n} 件案卷未读出结案日期和决定日期，不计入任何期间（见“全部期间”）。")
    })
}

fn new_report(slug: &str, q: &Query, basis: Option<Basis>) -> Report {
    Report {
        slug: slug.into(),
        title: title_of(slug).unwrap_or(slug).into(),
        period: q.period.label(),
        basis,
        notes: Vec::new(),
        charts: Vec::new(),
        tables: Vec::new(),
    }
}

fn grades() -> Vec<String> {
    anjuan_rubric::Rubric::builtin(CaseKind::Penalty)
        .map(|r| r.grades.iter().map(|g| g.name.clone()).collect())
        .unwrap_or_default()
}

fn item_text(kind: Option<CaseKind>, id: &str) -> String {
    let kinds = match kind {
        Some(k) => vec![k],
        None => vec![CaseKind::Penalty, CaseKind::Coercion],
    };
    kinds
        .into_iter()
        .filter_map(|k| anjuan_rubric::Rubric::builtin(k))
        .find_map(|r| r.item(id).map(|i| i.text.clone()))
        .unwrap_or_default()
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn kind_label(k: CaseKind) -> &'static str {
    match k {
        CaseKind::Penalty => "行政处罚",
        CaseKind::Coercion => "行政强制",
        CaseKind::Unknown => "未识别",
    }
}

// ---------------------------------------------------------------------------
// Sampling (评查制度 第八条)

/// A file drawn for review.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleLine {
    pub unit: String,
    pub kind: CaseKind,
    pub dossier: i64,
    pub scan_id: String,
    pub case_number: String,
    pub date: Option<String>,
}

/// The sampling plan: for each unit, `per_unit` of its ordinary-procedure
/// penalty and coercion files closed in the period (all where fewer),
/// stratified by kind (in proportion, each kind present at least once when
/// the quota allows), drawn with a generator seeded by `seed` and the
/// unit's name over the files ordered by their input's sha256: the same
/// store, period and seed give the same plan.
pub fn sample_plan(ds: &Dataset, period: &Period, per_unit: usize, seed: u64) -> Vec<SampleLine> {
    let mut by_unit: BTreeMap<&str, BTreeMap<&'static str, Vec<&FileRecord>>> = BTreeMap::new();
    for f in &ds.files {
        if !in_period(f, period) || !f.ordinary() {
            continue;
        }
        let kind = match f.kind {
            CaseKind::Penalty => "penalty",
            CaseKind::Coercion => "coercion",
            CaseKind::Unknown => continue,
        };
        by_unit
            .entry(&f.unit)
            .or_default()
            .entry(kind)
            .or_default()
            .push(f);
    }
    let mut out = Vec::new();
    for (unit, strata) in by_unit {
        let total: usize = strata.values().map(Vec::len).sum();
        let quota = per_unit.min(total);
        let mut take: BTreeMap<&str, usize> = BTreeMap::new();
        // Largest remainder, then at least one of each kind present.
        let mut given = 0;
        let mut rema: Vec<(f64, &str)> = Vec::new();
        for (k, v) in &strata {
            let exact = quota as f64 * v.len() as f64 / total as f64;
            let n = exact.floor() as usize;
            take.insert(k, n);
            given += n;
            rema.push((exact - n as f64, k));
        }
        rema.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        for (_, k) in rema.iter().cycle().take(quota - given) {
            *take.get_mut(k).unwrap() += 1;
        }
        if quota >= strata.len() {
            let empty: Vec<&str> = take
                .iter()
                .filter(|(_, n)| **n == 0)
                .map(|(k, _)| *k)
                .collect();
            for k in empty {
                let donor = take
                    .iter()
                    .filter(|(_, n)| **n > 1)
                    .max_by_key(|(_, n)| **n)
                    .map(|(d, _)| *d);
                if let Some(d) = donor {
                    *take.get_mut(d).unwrap() -= 1;
                    *take.get_mut(k).unwrap() += 1;
                }
            }
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ fnv(unit));
        for (k, files) in strata {
            let mut files = files;
            files.sort_by(|a, b| a.sha256.cmp(&b.sha256));
            files.shuffle(&mut rng);
            let mut chosen: Vec<&FileRecord> = files.into_iter().take(take[k]).collect();
            chosen.sort_by(|a, b| a.scan_id.cmp(&b.scan_id).then(a.dossier.cmp(&b.dossier)));
            out.extend(chosen.into_iter().map(|f| SampleLine {
                unit: unit.to_string(),
                kind: f.kind,
                dossier: f.dossier,
                scan_id: f.scan_id.clone(),
                case_number: f.case_number().to_string(),
                date: f.date.clone(),
            }));
        }
    }
    out
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

pub fn sample_report(ds: &Dataset, q: &Query, per_unit: usize, seed: u64) -> Report {
    let plan = sample_plan(ds, &q.period, per_unit, seed);
    let mut r = new_report("sample", q, None);
    r.notes.push(format!(
        "每个单位抽取 {per_unit} 件本期结案的普通程序行政处罚、行政强制案卷（不足 {per_unit} 件的全部抽取），按案件类型分层、按比例分配；随机数种子 {seed}：同一数据、期间和种子得出同一方案。第八条：抽取的案卷数量应能反映其执法活动，通常不少于五件。"
    ));
    if per_unit < 5 {
        r.notes
            .push("注意：每单位少于五件，低于第八条“通常不少于五件”的要求。".into());
    }
    let mut t = Table::new(
        "抽样方案",
        &[
            "序号",
            "单位",
            "案件类型",
            "案卷编号",
            "案号",
            "结案/决定日期",
        ],
    );
    for (i, l) in plan.iter().enumerate() {
        t.rows.push(vec![
            Cell::num((i + 1) as f64),
            Cell::text(&l.unit),
            Cell::text(kind_label(l.kind)),
            Cell::text(format!("{} ({})", l.scan_id, l.dossier))
                .link(format!("dossier={}", l.dossier)),
            Cell::text(&l.case_number),
            Cell::text(l.date.clone().unwrap_or_default()),
        ]);
    }
    let mut s = Table::new(
        "各单位抽样数",
        &["单位", "可抽案卷", "抽取", "行政处罚", "行政强制"],
    );
    let mut pop: BTreeMap<&str, usize> = BTreeMap::new();
    for f in ds
        .files
        .iter()
        .filter(|f| in_period(f, &q.period) && f.ordinary())
    {
        if f.kind != CaseKind::Unknown {
            *pop.entry(&f.unit).or_default() += 1;
        }
    }
    for (unit, n) in pop {
        let mine: Vec<_> = plan.iter().filter(|l| l.unit == unit).collect();
        let k = |kind| mine.iter().filter(|l| l.kind == kind).count() as f64;
        s.rows.push(vec![
            Cell::text(unit),
            Cell::num(n as f64),
            Cell::num(mine.len() as f64),
            Cell::num(k(CaseKind::Penalty)),
            Cell::num(k(CaseKind::Coercion)),
        ]);
    }
    r.tables.push(s);
    r.tables.push(t);
    r
}

/// The plan as `anjuan report sample` prints it: one line per file.
pub fn sample_lines(plan: &[SampleLine]) -> String {
    let mut out = String::new();
    for l in plan {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            l.dossier,
            l.unit,
            kind_label(l.kind),
            l.scan_id,
            l.case_number,
            l.date.as_deref().unwrap_or("")
        ));
    }
    out
}

// ---------------------------------------------------------------------------
// Gaps across units

fn heat(share: f64) -> u8 {
    match share {
        s if s <= 0.0 => 0,
        s if s < 0.2 => 1,
        s if s < 0.4 => 2,
        s if s < 0.6 => 3,
        _ => 4,
    }
}

pub fn gaps(ds: &Dataset, q: &Query) -> Report {
    let files = files_in(ds, q);
    let mut r = new_report("gaps", q, Some(q.basis));
    r.notes.push(format!(
        "计数口径：{}。一件案卷同一评查项目计一次；扣分为该项目扣分合计；占比为该单位本期有此问题的案卷数除以该单位本期案卷数。点击数字列出其后的案卷与问题。",
        q.basis.label()
    ));
    r.notes.extend(undated_note(ds, q));
    let units: Vec<String> = {
        let mut u: Vec<String> = files.iter().map(|f| f.unit.clone()).collect();
        u.sort();
        u.dedup();
        u
    };
    let per_unit_files: BTreeMap<&str, usize> = units
        .iter()
        .map(|u| (u.as_str(), files.iter().filter(|f| &f.unit == u).count()))
        .collect();
    // (item) -> (unit) -> (files, points)
    let mut cells: BTreeMap<String, BTreeMap<String, (usize, f64)>> = BTreeMap::new();
    let mut kinds: BTreeMap<String, CaseKind> = BTreeMap::new();
    for f in &files {
        let o = f.outcome(q.basis).unwrap();
        for p in &o.problems {
            let c = cells
                .entry(p.item.clone())
                .or_default()
                .entry(f.unit.clone())
                .or_default();
            c.0 += 1;
            c.1 += p.points.unwrap_or(0.0);
            kinds.insert(p.item.clone(), f.kind);
        }
    }
    let mut cols: Vec<&str> = vec!["项目", "内容"];
    cols.extend(units.iter().map(String::as_str));
    cols.push("合计");
    let mut matrix = Table::new("单位×评查项目（问题案卷数 / 扣分）", &cols);
    let mut long = Table::new(
        "问题明细（单位×项目）",
        &[
            "单位",
            "项目",
            "内容",
            "问题案卷数",
            "扣分合计",
            "单位案卷数",
            "占比",
        ],
    );
    let mut order: Vec<(&String, usize, f64)> = cells
        .iter()
        .map(|(item, m)| {
            (
                item,
                m.values().map(|c| c.0).sum::<usize>(),
                m.values().map(|c| c.1).sum::<f64>(),
            )
        })
        .collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.total_cmp(&a.2)).then(a.0.cmp(b.0)));
    for (item, n, pts) in order {
        let m = &cells[item];
        let text = item_text(kinds.get(item).copied(), item);
        let mut row = vec![Cell::text(item), Cell::text(&text)];
        for u in &units {
            let total = per_unit_files[u.as_str()];
            match m.get(u) {
                Some(&(c, p)) => {
                    let share = c as f64 / total as f64;
                    let drill = Drill {
                        unit: Some(u.clone()),
                        item: Some(item.clone()),
                        ..Drill::default()
                    };
                    row.push(
                        Cell {
                            text: if p > 0.0 {
                                format!("{c} / −{}", fmt_num(p))
                            } else {
                                format!("{c} / 基础")
                            },
                            num: Some(c as f64),
                            link: None,
                            heat: 0,
                        }
                        .link(drill.link(q))
                        .heat(heat(share)),
                    );
                    long.rows.push(vec![
                        Cell::text(u),
                        Cell::text(item),
                        Cell::text(&text),
                        Cell::num(c as f64).link(drill.link(q)),
                        Cell::num(p),
                        Cell::num(total as f64),
                        Cell::pct(share),
                    ]);
                }
                None => row.push(Cell::num(0.0)),
            }
        }
        let drill = Drill {
            item: Some(item.clone()),
            ..Drill::default()
        };
        row.push(Cell {
            text: if pts > 0.0 {
                format!("{n} / −{}", fmt_num(pts))
            } else {
                format!("{n} / 基础")
            },
            num: Some(n as f64),
            link: Some(drill.link(q)),
            heat: 0,
        });
        matrix.rows.push(row);
    }
    let mut foot = vec![Cell::text("案卷数"), Cell::text("")];
    for u in &units {
        foot.push(
            Cell::num(per_unit_files[u.as_str()] as f64).link(
                Drill {
                    unit: Some(u.clone()),
                    ..Drill::default()
                }
                .link(q),
            ),
        );
    }
    foot.push(Cell::num(files.len() as f64).link(Drill::default().link(q)));
    matrix.rows.push(foot);
    r.tables.push(matrix);

    // Grades per unit.
    let gs = grades();
    let mut cols: Vec<&str> = vec!["单位", "案卷数", "平均分", "基础标准不合格"];
    cols.extend(gs.iter().map(String::as_str));
    let mut gt = Table::new("等次分布与平均分", &cols);
    let mut series = Vec::new();
    for u in &units {
        let mine: Vec<&&FileRecord> = files.iter().filter(|f| &f.unit == u).collect();
        let outs: Vec<&Outcome> = mine.iter().map(|f| f.outcome(q.basis).unwrap()).collect();
        let scores: Vec<f64> = outs.iter().map(|o| o.score).collect();
        let basic = outs
            .iter()
            .filter(|o| o.problems.iter().any(Problem::basic))
            .count();
        let mut row = vec![
            Cell::text(u),
            Cell::num(mine.len() as f64).link(
                Drill {
                    unit: Some(u.clone()),
                    ..Drill::default()
                }
                .link(q),
            ),
            Cell::num(round1(mean(&scores).unwrap_or(0.0))),
            Cell::num(basic as f64),
        ];
        let mut counts = Vec::new();
        for g in &gs {
            let n = outs.iter().filter(|o| &o.grade == g).count();
            counts.push(n as f64);
            row.push(
                Cell::num(n as f64).link(
                    Drill {
                        unit: Some(u.clone()),
                        grade: Some(g.clone()),
                        ..Drill::default()
                    }
                    .link(q),
                ),
            );
        }
        series.push((unit_label(u), counts));
        gt.rows.push(row);
    }
    r.charts
        .push(chart::stacked_bars("各单位等次分布", &gs, &series));
    r.tables.push(gt);

    // Missing documents by doc type.
    r.tables.push(missing_documents(&files, q));
    r.tables.push(long);
    r
}

/// Whether a file lacks a required document as far as the machine read it
/// (no document of the type among its documents), and whether the machine
/// suggested it (or only asked for review), and whether a final review
/// confirmed a problem on an item of that document.
fn missing_documents(files: &[&FileRecord], q: &Query) -> Table {
    let rules = anjuan_checks::rules::rules();
    let mut t = Table::new(
        "文书缺失率（按文书类型）",
        &[
            "文书类型",
            "文书",
            "应有案卷数",
            "机器未见（建议）",
            "机器未见（需复核）",
            "经评查确认缺失",
            "缺失率",
        ],
    );
    for req in &rules.required {
        let applicable: Vec<&&FileRecord> = files
            .iter()
            .filter(|f| f.kind == req.kind)
            .filter(|f| {
                req.when_any.is_empty()
                    || req
                        .when_any
                        .iter()
                        .any(|t| f.documents.iter().any(|d| &d.doc_type == t))
            })
            .collect();
        if applicable.is_empty() {
            continue;
        }
        let reason = format!("卷内未见{}", req.name);
        let absent: Vec<&&&FileRecord> = applicable
            .iter()
            .filter(|f| !f.documents.iter().any(|d| d.doc_type == req.doc_type))
            .collect();
        let with_status = |st: FindingStatus| {
            absent
                .iter()
                .filter(|f| {
                    f.findings.iter().any(|x| {
                        x.status == st && x.kind == FindingKind::Basic && x.reason == reason
                    })
                })
                .count()
        };
        let rubric = anjuan_rubric::Rubric::builtin(req.kind);
        let confirmed = absent
            .iter()
            .filter(|f| {
                f.confirmed.as_ref().is_some_and(|c| {
                    c.outcome.problems.iter().any(|p| {
                        rubric
                            .and_then(|r| r.item(&p.item))
                            .is_some_and(|i| i.doc_types.contains(&req.doc_type))
                    })
                })
            })
            .count();
        let drill = Drill {
            missing: Some(req.doc_type.clone()),
            ..Drill::default()
        };
        let counted = match q.basis {
            Basis::Confirmed => confirmed,
            Basis::Draft => with_status(FindingStatus::Suggested),
        };
        t.rows.push(vec![
            Cell::text(&req.doc_type),
            Cell::text(&req.name),
            Cell::num(applicable.len() as f64),
            Cell::num(with_status(FindingStatus::Suggested) as f64).link(drill.link(q)),
            Cell::num(with_status(FindingStatus::NeedsReview) as f64),
            Cell::num(confirmed as f64),
            Cell::pct(counted as f64 / applicable.len() as f64),
        ]);
    }
    t
}

// ---------------------------------------------------------------------------
// The half-year report (第十三条) and the unit assessment (考核 第四条 7)

struct UnitStats {
    files: usize,
    mean: Option<f64>,
    min: Option<f64>,
    basic: usize,
    grades: Vec<usize>,
    /// (item, files, points), most frequent first.
    problems: Vec<(String, usize, f64)>,
}

fn unit_stats(files: &[&FileRecord], basis: Basis, gs: &[String]) -> UnitStats {
    let outs: Vec<&Outcome> = files.iter().filter_map(|f| f.outcome(basis)).collect();
    let scores: Vec<f64> = outs.iter().map(|o| o.score).collect();
    let mut problems: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for o in &outs {
        for p in &o.problems {
            let e = problems.entry(p.item.clone()).or_default();
            e.0 += 1;
            e.1 += p.points.unwrap_or(0.0);
        }
    }
    let mut problems: Vec<(String, usize, f64)> =
        problems.into_iter().map(|(k, (n, p))| (k, n, p)).collect();
    problems.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.total_cmp(&a.2)).then(a.0.cmp(&b.0)));
    UnitStats {
        files: outs.len(),
        mean: mean(&scores),
        min: scores.iter().copied().reduce(f64::min),
        basic: outs
            .iter()
            .filter(|o| o.problems.iter().any(Problem::basic))
            .count(),
        grades: gs
            .iter()
            .map(|g| outs.iter().filter(|o| &o.grade == g).count())
            .collect(),
        problems,
    }
}

pub fn half_year(ds: &Dataset, q: &Query) -> Report {
    let mut r = new_report("half-year", q, Some(q.basis));
    let prev = q.period.previous();
    r.notes.push(format!(
        "第十三条：各执法队每半年向县司法局报告本单位案卷评查情况。计数口径：{}。得分为评查表得分（基础标准不合格的案卷计0分）；主要问题为本期出现案卷数最多的三个评查项目。{}",
        q.basis.label(),
        match &prev {
            Some(p) => format!("对比期间：{}。", p.label()),
            None => "自定义期间无上期对比。".into(),
        }
    ));
    r.notes.extend(undated_note(ds, q));
    let gs = grades();
    let files = files_in(ds, q);
    let prev_q = prev.clone().map(|p| Query {
        period: p,
        ..q.clone()
    });
    let prev_files = prev_q
        .as_ref()
        .map(|pq| files_in(ds, pq))
        .unwrap_or_default();
    let mut units: BTreeSet<String> = files.iter().map(|f| f.unit.clone()).collect();
    units.extend(prev_files.iter().map(|f| f.unit.clone()));
    let mut cols: Vec<&str> = vec!["单位", "评查案卷数", "平均分", "最低分", "基础标准不合格"];
    cols.extend(gs.iter().map(String::as_str));
    cols.extend(["主要问题", "上期案卷数", "上期平均分", "平均分变化"]);
    let mut t = Table::new("各单位评查情况", &cols);
    let mut pt = Table::new(
        "各单位问题明细",
        &[
            "单位",
            "项目",
            "内容",
            "本期案卷数",
            "本期扣分",
            "上期案卷数",
        ],
    );
    let mut bars = Vec::new();
    for u in &units {
        let mine: Vec<&FileRecord> = files.iter().copied().filter(|f| &f.unit == u).collect();
        let before: Vec<&FileRecord> = prev_files
            .iter()
            .copied()
            .filter(|f| &f.unit == u)
            .collect();
        let s = unit_stats(&mine, q.basis, &gs);
        let p = unit_stats(&before, q.basis, &gs);
        let main: Vec<String> = s
            .problems
            .iter()
            .take(3)
            .map(|(item, n, _)| format!("{item} {}（{n}件）", item_text(None, item)))
            .collect();
        let uq = Drill {
            unit: Some(u.clone()),
            ..Drill::default()
        };
        let mut row = vec![
            Cell::text(u),
            Cell::num(s.files as f64).link(uq.link(q)),
            opt_num(s.mean.map(round1)),
            opt_num(s.min),
            Cell::num(s.basic as f64),
        ];
        row.extend(s.grades.iter().map(|n| Cell::num(*n as f64)));
        row.push(Cell::text(main.join("；")));
        row.push(match &prev_q {
            Some(pq) => Cell::num(p.files as f64).link(uq.link(pq)),
            None => Cell::text("—"),
        });
        row.push(opt_num(p.mean.map(round1)));
        row.push(match (s.mean, p.mean) {
            (Some(a), Some(b)) => {
                let d = round1(a - b);
                Cell {
                    text: format!("{}{}", if d > 0.0 { "+" } else { "" }, fmt_num(d)),
                    num: Some(d),
                    link: None,
                    heat: 0,
                }
            }
            _ => Cell::text("—"),
        });
        t.rows.push(row);
        let prev_count: BTreeMap<&str, usize> = p
            .problems
            .iter()
            .map(|(i, n, _)| (i.as_str(), *n))
            .collect();
        for (item, n, pts) in &s.problems {
            pt.rows.push(vec![
                Cell::text(u),
                Cell::text(item),
                Cell::text(item_text(None, item)),
                Cell::num(*n as f64).link(
                    Drill {
                        unit: Some(u.clone()),
                        item: Some(item.clone()),
                        ..Drill::default()
                    }
                    .link(q),
                ),
                Cell::num(*pts),
                Cell::num(prev_count.get(item.as_str()).copied().unwrap_or(0) as f64),
            ]);
        }
        bars.push((
            unit_label(u),
            vec![
                s.mean.map(round1).unwrap_or(0.0),
                p.mean.map(round1).unwrap_or(0.0),
            ],
        ));
    }
    let legend = [
        q.period.label(),
        prev.map(|p| p.label()).unwrap_or_else(|| "上期".into()),
    ];
    r.charts.push(chart::grouped_bars(
        "各单位平均分：本期与上期",
        &legend,
        &bars,
        100.0,
    ));
    r.tables.push(t);
    r.tables.push(pt);
    r
}

fn opt_num(x: Option<f64>) -> Cell {
    match x {
        Some(x) => Cell::num(x),
        None => Cell::text("—"),
    }
}

pub fn assessment(ds: &Dataset, q: &Query) -> Report {
    let mut r = new_report("assessment", q, Some(q.basis));
    r.notes.push(format!(
        "日常评议考核制度第四条第7项“案卷质量情况”的输入。方法：单位本期案卷质量得分 = 本期{}案卷评查得分的算术平均（满分100分，基础标准不合格的案卷计0分），保留一位小数；优良率 = 等次为“优秀”或“良好”的案卷占比。按考核表的分值折算时乘以该项分值再除以100。无本期评查案卷的单位不计分（“—”），不作0分。",
        match q.basis {
            Basis::Confirmed => "经评查确认的",
            Basis::Draft => "机器草拟的（仅供参考，不得作为考核依据）",
        }
    ));
    r.notes.extend(undated_note(ds, q));
    let gs = grades();
    let files = files_in(ds, q);
    let units: BTreeSet<String> = ds.files.iter().map(|f| f.unit.clone()).collect();
    let mut t = Table::new(
        "案卷质量得分",
        &[
            "单位",
            "评查案卷数",
            "案卷质量得分",
            "最低分",
            "基础标准不合格",
            "优良率",
        ],
    );
    let mut bars = Vec::new();
    for u in units
        .iter()
        .filter(|u| q.unit.as_ref().is_none_or(|x| x == *u))
    {
        let mine: Vec<&FileRecord> = files.iter().copied().filter(|f| &f.unit == u).collect();
        let s = unit_stats(&mine, q.basis, &gs);
        let good = s.grades.iter().take(2).sum::<usize>();
        t.rows.push(vec![
            Cell::text(u),
            Cell::num(s.files as f64).link(
                Drill {
                    unit: Some(u.clone()),
                    ..Drill::default()
                }
                .link(q),
            ),
            opt_num(s.mean.map(round1)),
            opt_num(s.min),
            Cell::num(s.basic as f64),
            if s.files > 0 {
                Cell::pct(good as f64 / s.files as f64)
            } else {
                Cell::text("—")
            },
        ]);
        if let Some(m) = s.mean {
            bars.push((unit_label(u), vec![round1(m)]));
        }
    }
    r.charts.push(chart::grouped_bars(
        "案卷质量得分",
        &[q.period.label()],
        &bars,
        100.0,
    ));
    r.tables.push(t);
    r
}

// ---------------------------------------------------------------------------
// Rectification (第十一条)

/// A confirmed problem of a final review, with its rectification now.
#[derive(Debug, Clone, PartialEq)]
pub struct RectLine {
    pub unit: String,
    pub round: i64,
    pub dossier: i64,
    pub scan_id: String,
    pub case_number: String,
    pub problem: Problem,
    pub measure: String,
    pub deadline: Option<String>,
    pub status: anjuan_store::RectStatus,
    /// Past its deadline and not done at `today`.
    pub overdue: bool,
}

pub fn rect_lines(ds: &Dataset, q: &Query, today: &str) -> Vec<RectLine> {
    let q = Query {
        basis: Basis::Confirmed,
        ..q.clone()
    };
    let mut out = Vec::new();
    for f in files_in(ds, &q) {
        let c = f.confirmed.as_ref().unwrap();
        for p in &c.outcome.problems {
            let st = ds.rectifications.get(&(c.round, f.dossier, p.item.clone()));
            let status = st
                .map(|s| s.status)
                .unwrap_or(anjuan_store::RectStatus::Open);
            let deadline = st.and_then(|s| s.deadline.clone());
            out.push(RectLine {
                unit: f.unit.clone(),
                round: c.round,
                dossier: f.dossier,
                scan_id: f.scan_id.clone(),
                case_number: f.case_number().to_string(),
                problem: p.clone(),
                measure: st.map(|s| s.measure.clone()).unwrap_or_default(),
                overdue: status != anjuan_store::RectStatus::Done
                    && deadline.as_deref().is_some_and(|d| d < today),
                deadline,
                status,
            });
        }
    }
    out.sort_by(|a, b| {
        a.unit
            .cmp(&b.unit)
            .then(a.scan_id.cmp(&b.scan_id))
            .then(a.problem.item.cmp(&b.problem.item))
    });
    out
}

pub fn rectification(ds: &Dataset, q: &Query, today: &str) -> Report {
    let q = Query {
        basis: Basis::Confirmed,
        ..q.clone()
    };
    let mut r = new_report("rectification", &q, Some(Basis::Confirmed));
    r.notes.push(format!(
        "第十一条：受查单位针对评查指出的问题制定整改措施。清单列出本期已定稿评查表中每一项扣分和不合格的基础标准；整改措施、期限和状态由单位负责人在系统中填写，每次修改都留有记录。逾期：截至 {today} 期限已过而未整改完毕。"
    ));
    r.notes.extend(undated_note(ds, &q));
    let lines = rect_lines(ds, &q, today);
    let mut t = Table::new(
        "整改清单",
        &[
            "单位",
            "案卷",
            "案号",
            "项目",
            "问题",
            "扣分",
            "页码",
            "整改措施",
            "整改期限",
            "状态",
        ],
    );
    let mut summary: BTreeMap<&str, [usize; 5]> = BTreeMap::new();
    for l in &lines {
        let s = summary.entry(&l.unit).or_default();
        s[0] += 1;
        s[match l.status {
            anjuan_store::RectStatus::Done => 1,
            anjuan_store::RectStatus::InProgress => 2,
            anjuan_store::RectStatus::Open => 3,
        }] += 1;
        if l.overdue {
            s[4] += 1;
        }
        t.rows.push(vec![
            Cell::text(&l.unit),
            Cell::text(&l.scan_id).link(format!("dossier={}", l.dossier)),
            Cell::text(&l.case_number),
            Cell::text(&l.problem.item),
            Cell::text(&l.problem.reason),
            match l.problem.points {
                Some(p) => Cell::num(p),
                None => Cell::text("基础标准"),
            },
            Cell::text(
                l.problem
                    .pages
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
            Cell::text(&l.measure),
            Cell::text(l.deadline.clone().unwrap_or_default()),
            Cell::text(format!(
                "{}{}",
                l.status.label(),
                if l.overdue { "（逾期）" } else { "" }
            )),
        ]);
    }
    let mut st = Table::new(
        "整改进度",
        &["单位", "问题数", "已整改", "整改中", "待整改", "逾期"],
    );
    for (u, s) in summary {
        let mut row = vec![Cell::text(u)];
        row.extend(s.iter().map(|n| Cell::num(*n as f64)));
        st.rows.push(row);
    }
    r.tables.push(st);
    r.tables.push(t);
    r
}

// ---------------------------------------------------------------------------
// Risk points (容错纠错制度 第十八条)

#[derive(Deserialize)]
struct Fields {
    field: Vec<Field>,
}

#[derive(Deserialize)]
struct Field {
    name: String,
    words: Vec<String>,
}

/// The field of enforcement a unit works in, by the words of its name
/// (`data/fields.toml`), else 其他.
pub fn field_of(unit: &str) -> String {
    static FIELDS: std::sync::OnceLock<Fields> = std::sync::OnceLock::new();
    let fields = FIELDS.get_or_init(|| {
        toml::from_str(include_str!("../data/fields.toml"))
            .unwrap_or_else(|e| panic!("shipped data/fields.toml is invalid: {e}"))
    });
    fields
        .field
        .iter()
        .find(|f| f.words.iter().any(|w| unit.contains(w.as_str())))
        .map(|f| f.name.clone())
        .unwrap_or_else(|| "其他".into())
}

pub fn risks(ds: &Dataset, q: &Query) -> Report {
    let mut r = new_report("risks", q, Some(q.basis));
    r.notes.push(format!(
        "第十八条：对同一类问题频繁出现或者同一领域集中出现的易错情形，找出易错风险点并警示提醒。本表列出本期在同一单位两件以上案卷中出现的问题，以及在同一执法领域（按单位名称归类，见 data/fields.toml）同类案件两个以上单位出现的问题；按案卷数、再按扣分排序。趋势为最近四个半年的问题案卷数。计数口径：{}。",
        q.basis.label()
    ));
    r.notes.extend(undated_note(ds, q));
    let files = files_in(ds, q);
    // Trend: the four half-years ending with the period's last.
    let last = q
        .period
        .end
        .as_deref()
        .and_then(Period::half_of)
        .or_else(|| {
            files
                .iter()
                .filter_map(|f| f.date.as_deref())
                .max()
                .and_then(Period::half_of)
        });
    let mut halves = Vec::new();
    let mut h = last;
    for _ in 0..4 {
        match h {
            Some(p) => {
                h = p.previous();
                halves.push(p);
            }
            None => break,
        }
    }
    halves.reverse();
    // Each unit's field, worked out once; the trend of every (scope, name,
    // item) counted in one pass over the files.
    let fields: BTreeMap<&str, String> = ds
        .files
        .iter()
        .map(|f| (f.unit.as_str(), field_of(&f.unit)))
        .collect();
    let field_key = |f: &FileRecord| format!("{}·{}", fields[f.unit.as_str()], kind_label(f.kind));
    let mut trends: BTreeMap<(&str, String, String), Vec<usize>> = BTreeMap::new();
    for f in &ds.files {
        let Some(i) = halves.iter().position(|p| in_period(f, p)) else {
            continue;
        };
        let Some(o) = f.outcome(q.basis) else {
            continue;
        };
        let items: BTreeSet<&str> = o.problems.iter().map(|p| p.item.as_str()).collect();
        let field = field_key(f);
        for item in items {
            for key in [
                ("单位", f.unit.clone(), item.to_string()),
                ("领域", field.clone(), item.to_string()),
            ] {
                trends.entry(key).or_insert_with(|| vec![0; halves.len()])[i] += 1;
            }
        }
    }
    let trend_of = |scope: &str, name: &str, item: &str| -> String {
        let counts = trends.get(&(scope, name.to_string(), item.to_string()));
        halves
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{}:{}", p.key, counts.map_or(0, |c| c[i])))
            .collect::<Vec<_>>()
            .join(" → ")
    };
    let mut t = Table::new(
        "易错风险点",
        &[
            "范围",
            "名称",
            "项目",
            "内容",
            "案卷数",
            "扣分合计",
            "涉及单位",
            "趋势",
            "常见情形",
        ],
    );
    // (scope, name, item) -> (files, points, units, reasons)
    type Acc = (usize, f64, BTreeSet<String>, BTreeMap<String, usize>);
    let mut acc: BTreeMap<(String, String, String), Acc> = BTreeMap::new();
    for f in &files {
        let o = f.outcome(q.basis).unwrap();
        let field = field_key(f);
        let mut seen = BTreeSet::new();
        for p in &o.problems {
            if !seen.insert(p.item.clone()) {
                continue;
            }
            for key in [
                ("单位".to_string(), f.unit.clone(), p.item.clone()),
                ("领域".to_string(), field.clone(), p.item.clone()),
            ] {
                let e = acc.entry(key).or_default();
                e.0 += 1;
                e.1 += p.points.unwrap_or(0.0);
                e.2.insert(f.unit.clone());
                *e.3.entry(p.reason.clone()).or_default() += 1;
            }
        }
    }
    let mut rows: Vec<_> = acc
        .into_iter()
        .filter(|((scope, _, _), e)| {
            if scope == "单位" {
                e.0 >= 2
            } else {
                e.2.len() >= 2
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.1 .0
            .cmp(&a.1 .0)
            .then(b.1 .1.total_cmp(&a.1 .1))
            .then(a.0.cmp(&b.0))
    });
    for ((scope, name, item), (n, pts, units, reasons)) in rows {
        let common = reasons
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(r, _)| r.clone())
            .unwrap_or_default();
        let trend = trend_of(&scope, &name, &item);
        let link = Drill {
            unit: (scope == "单位").then(|| name.clone()),
            item: Some(item.clone()),
            ..Drill::default()
        }
        .link(q);
        t.rows.push(vec![
            Cell::text(&scope),
            Cell::text(&name),
            Cell::text(&item),
            Cell::text(item_text(None, &item)),
            Cell::num(n as f64).link(link),
            Cell::num(pts),
            Cell::num(units.len() as f64),
            Cell::text(trend),
            Cell::text(common),
        ]);
    }
    r.tables.push(t);
    r
}

// ---------------------------------------------------------------------------
// Annual statistics (行政执法统计制度)

/// The penalty kinds as the law names them (the contract's words).
pub const PENALTY_KINDS: &[&str] = &[
    "警告",
    "通报批评",
    "罚款",
    "没收违法所得",
    "没收非法财物",
    "暂扣许可证件",
    "降低资质等级",
    "吊销许可证件",
    "限制开展生产经营活动",
    "责令停产停业",
    "责令关闭",
    "限制从业",
    "行政拘留",
];

/// The annual table's counting columns: (key, heading); what each counts of
/// a file is [`stat_of`].
pub fn stat_columns() -> Vec<(String, String)> {
    let mut cols = vec![
        ("penalty".to_string(), "行政处罚案件（件）".to_string()),
        ("coercion".into(), "行政强制案件（件）".into()),
    ];
    cols.extend(
        PENALTY_KINDS
            .iter()
            .map(|k| (format!("kind:{k}"), format!("{k}（件）"))),
    );
    cols.extend([
        ("fine".into(), "罚款金额（元）".into()),
        ("confiscated".into(), "没收金额（元）".into()),
        ("hearing".into(), "举行听证（件）".into()),
        ("measure:查封".into(), "查封（件）".into()),
        ("measure:扣押".into(), "扣押（件）".into()),
        ("unread".into(), "要素未读出（件）".into()),
    ]);
    cols
}

/// What a file adds to a column of the annual table (None: nothing).
pub fn stat_of(f: &FileRecord, key: &str) -> Option<f64> {
    let c = &f.case;
    let yes = |b: bool| b.then_some(1.0);
    match key {
        "penalty" => yes(f.kind == CaseKind::Penalty),
        "coercion" => yes(f.kind == CaseKind::Coercion),
        "fine" => c.fine_yuan.filter(|x| *x > 0.0),
        "confiscated" => c.confiscated_yuan.filter(|x| *x > 0.0),
        "hearing" => yes(c.hearing == Some(true)),
        "unread" => yes(match f.kind {
            CaseKind::Penalty => c.penalty_kinds.is_none() || c.decided.is_none(),
            CaseKind::Coercion => c.measure.is_none() && c.decided.is_none(),
            CaseKind::Unknown => true,
        }),
        k => {
            if let Some(kind) = k.strip_prefix("kind:") {
                yes(c
                    .penalty_kinds
                    .as_ref()
                    .is_some_and(|ks| ks.iter().any(|x| x == kind)))
            } else if let Some(m) = k.strip_prefix("measure:") {
                yes(c.measure.as_deref() == Some(m))
            } else {
                None
            }
        }
    }
}

/// The statistics year of a file: the year of its decision, else of its
/// closing.
fn stat_date(f: &FileRecord) -> Option<&str> {
    f.case.decided.as_deref().or(f.case.closed.as_deref())
}

/// The files the annual table counts: every processed file decided (else
/// closed) in the period, reviewed or not.
pub fn annual_files<'a>(ds: &'a Dataset, q: &Query) -> Vec<&'a FileRecord> {
    ds.files
        .iter()
        .filter(|f| match stat_date(f) {
            Some(d) => q.period.contains(d),
            None => q.period.start.is_none() && q.period.end.is_none(),
        })
        .filter(|f| q.unit.as_ref().is_none_or(|u| &f.unit == u))
        .collect()
}

pub fn annual(ds: &Dataset, q: &Query) -> Report {
    let mut r = new_report("annual", q, None);
    r.notes.push(
        "行政执法统计制度：各行政执法机关于每年1月31日前公开上年度行政执法统计年报。本表为年报的行政执法数据部分，由系统处理的全部案卷（不论是否已评查）按决定日期（未读出时按结案日期）归年统计；数据为机器从案卷中读出的要素（执法单位、案件类型、处罚种类、罚没金额、听证、强制措施），报送前应核对“案卷明细”表；“要素未读出”为处罚种类、强制措施或决定日期未读出的案卷，其数据可能少计。每个数字可点开查看其后的案卷。".into(),
    );
    let files = annual_files(ds, q);
    let undated = ds.files.iter().filter(|f| stat_date(f).is_none()).count();
    if undated > 0 && q.period.start.is_some() {
        r.notes.push(format!(
            "另有 {undated} 件案卷未读出决定日期和结案日期，未计入本年。"
        ));
    }
    let cols = stat_columns();
    let mut heads: Vec<&str> = vec!["执法单位"];
    heads.extend(cols.iter().map(|(_, h)| h.as_str()));
    let mut t = Table::new("行政执法数据", &heads);
    let units: BTreeSet<&str> = files.iter().map(|f| f.unit.as_str()).collect();
    let mut totals = vec![0.0; cols.len()];
    for u in &units {
        let mine: Vec<&&FileRecord> = files.iter().filter(|f| f.unit == *u).collect();
        let mut row = vec![Cell::text(*u)];
        for (i, (key, _)) in cols.iter().enumerate() {
            let v: f64 = mine.iter().filter_map(|f| stat_of(f, key)).sum();
            totals[i] += v;
            row.push(
                Cell::num(v).link(
                    Drill {
                        unit: Some(u.to_string()),
                        stat: Some(key.clone()),
                        ..Drill::default()
                    }
                    .link(q),
                ),
            );
        }
        t.rows.push(row);
    }
    let mut row = vec![Cell::text("合计")];
    for (i, (key, _)) in cols.iter().enumerate() {
        row.push(
            Cell::num(totals[i]).link(
                Drill {
                    stat: Some(key.clone()),
                    ..Drill::default()
                }
                .link(q),
            ),
        );
    }
    t.rows.push(row);
    r.tables.push(t);
    let mut d = Table::new(
        "案卷明细",
        &[
            "执法单位",
            "案卷编号",
            "案号",
            "案件类型",
            "当事人",
            "决定日期",
            "结案日期",
            "处罚种类",
            "罚款（元）",
            "没收（元）",
            "听证",
            "强制措施",
        ],
    );
    for f in &files {
        let c = &f.case;
        d.rows.push(vec![
            Cell::text(&f.unit),
            Cell::text(&f.scan_id).link(format!("dossier={}", f.dossier)),
            Cell::text(f.case_number()),
            Cell::text(kind_label(f.kind)),
            Cell::text(c.party.clone().unwrap_or_default()),
            Cell::text(c.decided.clone().unwrap_or_default()),
            Cell::text(c.closed.clone().unwrap_or_default()),
            Cell::text(c.penalty_kinds.clone().unwrap_or_default().join("、")),
            opt_num(c.fine_yuan),
            opt_num(c.confiscated_yuan),
            Cell::text(match c.hearing {
                Some(true) => "是",
                Some(false) => "否",
                None => "",
            }),
            Cell::text(c.measure.clone().unwrap_or_default()),
        ]);
    }
    r.tables.push(d);
    r
}

// ---------------------------------------------------------------------------
// Machine against reviewer

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Calib {
    /// Suggested, and the final review counts the problem.
    pub confirmed: usize,
    /// Suggested, and the final review does not.
    pub rejected: usize,
    /// Asked for review (needs_review), and the final review counts it.
    pub nr_confirmed: usize,
    pub nr_rejected: usize,
    /// Counted by the final review, not suggested nor asked by the machine.
    pub missed: usize,
}

/// What became of a machine finding (or its absence) on item `item` of a
/// reviewed file: one of the [`Calib`] fields by name.
fn calib_outcome(f: &FileRecord, item: &str) -> Option<&'static str> {
    let c = f.confirmed.as_ref()?;
    let finding = f.findings.iter().find(|x| x.item == item);
    let counted = c.outcome.problems.iter().any(|p| p.item == item);
    match (finding.map(|x| x.status), counted) {
        (Some(FindingStatus::Suggested), true) => Some("confirmed"),
        (Some(FindingStatus::Suggested), false) => Some("rejected"),
        (Some(FindingStatus::NeedsReview), true) => Some("nr_confirmed"),
        (Some(FindingStatus::NeedsReview), false) => Some("nr_rejected"),
        (_, true) => Some("missed"),
        _ => None,
    }
}

pub fn calibration_counts(ds: &Dataset, q: &Query) -> BTreeMap<String, Calib> {
    let q = Query {
        basis: Basis::Confirmed,
        ..q.clone()
    };
    let mut out: BTreeMap<String, Calib> = BTreeMap::new();
    for f in files_in(ds, &q) {
        let mut items: BTreeSet<&str> = f.findings.iter().map(|x| x.item.as_str()).collect();
        let c = f.confirmed.as_ref().unwrap();
        items.extend(c.outcome.problems.iter().map(|p| p.item.as_str()));
        for item in items {
            let e = out.entry(item.to_string()).or_default();
            match calib_outcome(f, item) {
                Some("confirmed") => e.confirmed += 1,
                Some("rejected") => e.rejected += 1,
                Some("nr_confirmed") => e.nr_confirmed += 1,
                Some("nr_rejected") => e.nr_rejected += 1,
                Some("missed") => e.missed += 1,
                _ => {}
            }
        }
    }
    out
}

pub fn calibration(ds: &Dataset, q: &Query) -> Report {
    let q = Query {
        basis: Basis::Confirmed,
        ..q.clone()
    };
    let mut r = new_report("calibration", &q, Some(Basis::Confirmed));
    r.notes.push(
        "对已定稿评查表的案卷，逐个评查项目比较机器预审与评查结论：机器“建议”的扣分被确认或驳回的次数；“需人工复核”的结果；评查人员新增而机器未提示的（漏报）。确认率 = 确认 ÷（确认 + 驳回）：确认率高的检查可以放心采用，低的应先复核。".into(),
    );
    let counts = calibration_counts(ds, &q);
    let mut t = Table::new(
        "机器预审与评查结论对照（按评查项目）",
        &[
            "项目",
            "内容",
            "机器建议",
            "确认",
            "驳回",
            "确认率",
            "需复核→确认",
            "需复核→否",
            "漏报",
        ],
    );
    let mut total = Calib::default();
    let link = |item: &str, o: &str| {
        Drill {
            item: Some(item.to_string()),
            outcome: Some(o.to_string()),
            ..Drill::default()
        }
        .link(&q)
    };
    for (item, c) in &counts {
        total.confirmed += c.confirmed;
        total.rejected += c.rejected;
        total.nr_confirmed += c.nr_confirmed;
        total.nr_rejected += c.nr_rejected;
        total.missed += c.missed;
        let suggested = c.confirmed + c.rejected;
        t.rows.push(vec![
            Cell::text(item),
            Cell::text(item_text(None, item)),
            Cell::num(suggested as f64),
            Cell::num(c.confirmed as f64).link(link(item, "confirmed")),
            Cell::num(c.rejected as f64).link(link(item, "rejected")),
            if suggested > 0 {
                Cell::pct(c.confirmed as f64 / suggested as f64)
            } else {
                Cell::text("—")
            },
            Cell::num(c.nr_confirmed as f64).link(link(item, "nr_confirmed")),
            Cell::num(c.nr_rejected as f64).link(link(item, "nr_rejected")),
            Cell::num(c.missed as f64).link(link(item, "missed")),
        ]);
    }
    // What the reviewers made of each item's suggestions, and what they
    // added: an item whose bar is mostly 驳回 is a check to doubt.
    let parts = ["确认".to_string(), "驳回".to_string(), "漏报".to_string()];
    let mut bars: Vec<(String, Vec<f64>)> = counts
        .iter()
        .map(|(item, c)| {
            (
                item.clone(),
                vec![c.confirmed as f64, c.rejected as f64, c.missed as f64],
            )
        })
        .filter(|(_, v)| v.iter().sum::<f64>() > 0.0)
        .collect();
    bars.sort_by(|a, b| {
        b.1.iter()
            .sum::<f64>()
            .total_cmp(&a.1.iter().sum::<f64>())
            .then(a.0.cmp(&b.0))
    });
    bars.truncate(25);
    r.charts.push(chart::stacked_bars(
        "各评查项目：机器建议的确认、驳回与漏报（前25项）",
        &parts,
        &bars,
    ));
    let suggested = total.confirmed + total.rejected;
    t.rows.push(vec![
        Cell::text("合计"),
        Cell::text(""),
        Cell::num(suggested as f64),
        Cell::num(total.confirmed as f64),
        Cell::num(total.rejected as f64),
        if suggested > 0 {
            Cell::pct(total.confirmed as f64 / suggested as f64)
        } else {
            Cell::text("—")
        },
        Cell::num(total.nr_confirmed as f64),
        Cell::num(total.nr_rejected as f64),
        Cell::num(total.missed as f64),
    ]);
    r.tables.push(t);
    r
}

// ---------------------------------------------------------------------------
// Units

pub fn units(ds: &Dataset) -> Report {
    let q = Query {
        period: Period::all(),
        basis: Basis::Draft,
        unit: None,
    };
    let mut r = new_report("units", &q, None);
    r.notes.push(
        "案卷的单位：按单位分文件夹扫描的档案（anjuan scan 档案目录，目录下每个单位一个文件夹），取案卷所在的单位文件夹；否则取案卷文书上读出的执法单位。单位可以改名或并入另一单位，改名记录保留。".into(),
    );
    let mut t = Table::new(
        "执法单位",
        &[
            "单位",
            "领域",
            "案卷数",
            "按文件夹",
            "按文书",
            "已定稿评查",
            "曾用名",
        ],
    );
    for u in ds.units() {
        let mine: Vec<&FileRecord> = ds.files.iter().filter(|f| f.unit == u).collect();
        let from = |k| mine.iter().filter(|f| f.unit_from == k).count() as f64;
        let old: Vec<&str> = ds
            .renamed
            .iter()
            .filter(|(_, to)| **to == u)
            .map(|(from, _)| from.as_str())
            .collect();
        t.rows.push(vec![
            Cell::text(&u),
            Cell::text(field_of(&u)),
            Cell::num(mine.len() as f64).link(
                Drill {
                    unit: Some(u.clone()),
                    ..Drill::default()
                }
                .link(&q),
            ),
            Cell::num(from(crate::data::UnitFrom::Folder)),
            Cell::num(from(crate::data::UnitFrom::Agency)),
            Cell::num(mine.iter().filter(|f| f.confirmed.is_some()).count() as f64),
            Cell::text(old.join("、")),
        ]);
    }
    r.tables.push(t);
    r
}

// ---------------------------------------------------------------------------
// Drill-down: the files behind a figure

pub fn drill(ds: &Dataset, q: &Query, d: &Drill) -> Report {
    let mut r = new_report("files", q, Some(q.basis));
    r.title = "案卷与问题".into();
    let mut what = Vec::new();
    if let Some(u) = &d.unit {
        what.push(format!("单位：{u}"));
    }
    if let Some(i) = &d.item {
        what.push(format!("项目：{i} {}", item_text(None, i)));
    }
    if let Some(g) = &d.grade {
        what.push(format!("等次：{g}"));
    }
    if let Some(m) = &d.missing {
        what.push(format!("机器未见文书：{m}"));
    }
    if let Some(s) = &d.stat {
        let h = stat_columns()
            .into_iter()
            .find(|(k, _)| k == s)
            .map(|(_, h)| h)
            .unwrap_or_else(|| s.clone());
        what.push(format!("统计项：{h}"));
    }
    if let Some(o) = &d.outcome {
        what.push(format!("机器对照：{o}"));
    }
    if let Some(id) = d.dossier {
        if let Some(f) = ds.files.iter().find(|f| f.dossier == id) {
            what.push(format!("案卷：{}（{}）", f.scan_id, f.case_number()));
        }
    }
    r.notes.push(format!(
        "{}。计数口径：{}。",
        if what.is_empty() {
            "全部案卷".to_string()
        } else {
            what.join("；")
        },
        if d.stat.is_some() {
            "机器读出的案卷要素（统计年报口径，按决定日期归期）"
        } else {
            q.basis.label()
        }
    ));
    let q = Query {
        unit: d.unit.clone().or(q.unit.clone()),
        ..q.clone()
    };
    let pool: Vec<&FileRecord> = if d.stat.is_some() {
        annual_files(ds, &q)
    } else {
        files_in(ds, &q)
    };
    let mut t = Table::new(
        "案卷",
        &[
            "单位",
            "案卷",
            "案号",
            "案件类型",
            "日期",
            "得分",
            "等次",
            "问题",
            "扣分",
            "理由",
            "页码",
        ],
    );
    for f in pool {
        if d.dossier.is_some_and(|id| id != f.dossier) {
            continue;
        }
        if let Some(s) = &d.stat {
            if stat_of(f, s).is_none() {
                continue;
            }
        }
        if let Some(o) = &d.outcome {
            if d.item.as_deref().and_then(|i| calib_outcome(f, i)) != Some(o.as_str()) {
                continue;
            }
        }
        if let Some(m) = &d.missing {
            let absent = !f.documents.iter().any(|x| &x.doc_type == m);
            let reason = anjuan_checks::rules::rules()
                .required
                .iter()
                .find(|r| &r.doc_type == m && r.kind == f.kind)
                .map(|r| format!("卷内未见{}", r.name));
            let suggested = f.findings.iter().any(|x| {
                x.status == FindingStatus::Suggested
                    && x.kind == FindingKind::Basic
                    && Some(&x.reason) == reason.as_ref()
            });
            if !(absent && suggested) {
                continue;
            }
        }
        // A statistics figure counts every processed file, reviewed or
        // not: one row per file, its review's outcome when it has one.
        let o = f.outcome(q.basis);
        if o.is_none() && d.stat.is_none() {
            continue;
        }
        if let Some(g) = &d.grade {
            if o.is_none_or(|o| &o.grade != g) {
                continue;
            }
        }
        let problems: Vec<&Problem> = match o {
            Some(o) if d.stat.is_none() => o
                .problems
                .iter()
                .filter(|p| d.item.as_ref().is_none_or(|i| &p.item == i))
                .collect(),
            _ => Vec::new(),
        };
        if d.item.is_some() && problems.is_empty() && d.outcome.is_none() {
            continue;
        }
        let head = |p: Option<&Problem>| {
            vec![
                Cell::text(&f.unit),
                Cell::text(&f.scan_id).link(format!("dossier={}", f.dossier)),
                Cell::text(f.case_number()),
                Cell::text(kind_label(f.kind)),
                Cell::text(f.date.clone().unwrap_or_default()),
                o.map_or_else(|| Cell::text("未评查"), |o| Cell::num(o.score)),
                Cell::text(o.map(|o| o.grade.as_str()).unwrap_or("")),
                Cell::text(p.map(|p| p.item.clone()).unwrap_or_default()),
                match p.and_then(|p| p.points) {
                    Some(x) => Cell::num(x),
                    None if p.is_some() => Cell::text("基础标准"),
                    None => Cell::text(""),
                },
                Cell::text(p.map(|p| p.reason.clone()).unwrap_or_default()),
                Cell::text(
                    p.map(|p| {
                        p.pages
                            .iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join("、")
                    })
                    .unwrap_or_default(),
                ),
            ]
        };
        if problems.is_empty() {
            t.rows.push(head(None));
        } else {
            for p in problems {
                t.rows.push(head(Some(p)));
            }
        }
    }
    r.tables.push(t);
    r
}

/// The report `slug` for `q` (`today` for the rectification's deadlines;
/// `per_unit`, `seed` for the sampling plan).
pub fn by_slug(
    ds: &Dataset,
    slug: &str,
    q: &Query,
    today: &str,
    per_unit: usize,
    seed: u64,
) -> Option<Report> {
    Some(match slug {
        "gaps" => gaps(ds, q),
        "half-year" => half_year(ds, q),
        "rectification" => rectification(ds, q, today),
        "risks" => risks(ds, q),
        "assessment" => assessment(ds, q),
        "annual" => annual(ds, q),
        "calibration" => calibration(ds, q),
        "sample" => sample_report(ds, q, per_unit, seed),
        "units" => units(ds),
        _ => return None,
    })
}
