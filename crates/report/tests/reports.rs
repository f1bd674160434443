//! The reports on a store whose figures are worked out by hand
//! (`fixture/mod.rs` has the table of files, machine findings and reviews).

mod fixture;

use anjuan_report::data::Dataset;
use anjuan_report::period::Period;
use anjuan_report::reports::{self, Drill};
use anjuan_report::{export, Basis, Query, Report, Table};
use anjuan_store::{NewRectification, RectStatus, SqliteStore, Store};
use fixture::{E, M, T, Z};

fn q(period: &str, basis: Basis) -> Query {
    Query {
        period: Period::parse(period).unwrap(),
        basis,
        unit: None,
    }
}

fn table<'a>(r: &'a Report, title: &str) -> &'a Table {
    r.tables
        .iter()
        .find(|t| t.title.starts_with(title))
        .unwrap_or_else(|| panic!("{}: no table {title}", r.slug))
}

/// The row whose first cells read `keys`, as column -> text.
fn row(t: &Table, keys: &[&str]) -> std::collections::BTreeMap<String, String> {
    let r = t
        .rows
        .iter()
        .find(|r| keys.iter().enumerate().all(|(i, k)| r[i].text == *k))
        .unwrap_or_else(|| panic!("{}: no row {keys:?}", t.title));
    t.columns
        .iter()
        .cloned()
        .zip(r.iter().map(|c| c.text.clone()))
        .collect()
}

/// The texts of `cols` in a row of [`row`].
fn pick<'a>(r: &'a std::collections::BTreeMap<String, String>, cols: &[&str]) -> Vec<&'a str> {
    cols.iter().map(|c| r[*c].as_str()).collect()
}

/// The files a drill-down under `period` (confirmed) lists, row by row.
fn files_of(ds: &Dataset, period: &str, d: Drill) -> Vec<String> {
    let r = reports::drill(ds, &q(period, Basis::Confirmed), &d);
    r.tables[0].rows.iter().map(|r| r[1].text.clone()).collect()
}

/// The files behind one number of the annual table of 2023: `stat` of `unit`.
fn stat_files(ds: &Dataset, unit: &str, stat: &str) -> Vec<String> {
    let d = Drill {
        unit: Some(unit.into()),
        stat: Some(stat.into()),
        ..Drill::default()
    };
    files_of(ds, "2023", d)
}

fn has_row(t: &Table, keys: &[&str]) -> bool {
    t.rows
        .iter()
        .any(|r| keys.iter().enumerate().all(|(i, k)| r[i].text == *k))
}

fn setup() -> (tempfile::TempDir, SqliteStore, fixture::Fixture) {
    let dir = tempfile::tempdir().unwrap();
    let fx = fixture::build(&dir.path().join("anjuan.db"), "unused");
    let store = SqliteStore::open_existing(dir.path()).unwrap();
    (dir, store, fx)
}

#[test]
fn units_come_from_the_scan_folder_else_the_agency_and_follow_renamings() {
    let (_d, store, fx) = setup();
    let ds = Dataset::load(&store).unwrap();
    assert_eq!(ds.units(), vec![E, T, M, Z]);
    let x1 = ds.files.iter().find(|f| f.scan_id == "x1").unwrap();
    assert_eq!(x1.unit, T, "no folder: the agency read");
    // Rename the town, then merge the environment branch into 市场 and undo.
    store.rename_unit(Z, "蒲县黑龙关镇", fx.supervisor).unwrap();
    store.rename_unit(E, M, fx.supervisor).unwrap();
    let ds = Dataset::load(&store).unwrap();
    assert_eq!(ds.units(), vec![T, M, "蒲县黑龙关镇"]);
    let u = reports::units(&ds);
    let r = row(&u.tables[0], &[M]);
    assert_eq!(r["案卷数"], "4");
    assert_eq!(r["曾用名"], E);
    store.rename_unit(E, E, fx.supervisor).unwrap();
    let ds = Dataset::load(&store).unwrap();
    assert_eq!(ds.units(), vec![E, T, M, "蒲县黑龙关镇"]);
}

#[test]
fn gaps_count_confirmed_problems_per_unit_and_item_and_never_mix_drafts() {
    let (_d, store, _fx) = setup();
    let ds = Dataset::load(&store).unwrap();
    let g = reports::gaps(&ds, &q("all", Basis::Confirmed));
    let long = table(&g, "问题明细");
    // (unit, item): problem files, points, unit files, share.
    for (unit, item, n, pts, files, share) in [
        (M, "P-2.2.7", "2", "1.5", "2", "100.0%"),
        (M, "P-3.2.5", "1", "1", "2", "50.0%"),
        (T, "P-B4-2", "1", "0", "2", "50.0%"),
        (T, "P-2.2.7", "1", "1", "2", "50.0%"),
        (E, "C-1.1.5", "1", "2", "1", "100.0%"),
    ] {
        let r = row(long, &[unit, item]);
        assert_eq!(
            (
                r["问题案卷数"].as_str(),
                r["扣分合计"].as_str(),
                r["单位案卷数"].as_str(),
                r["占比"].as_str()
            ),
            (n, pts, files, share),
            "{unit} {item}"
        );
    }
    assert_eq!(long.rows.len(), 5, "z1's rejected finding is no problem");
    // The matrix: P-2.2.7 is in 3 files over two units, first by count.
    let m = table(&g, "单位×评查项目");
    assert_eq!(m.rows[0][0].text, "P-2.2.7");
    assert_eq!(m.rows[0].last().unwrap().text, "3 / −2.5");
    let foot = m.rows.last().unwrap();
    assert_eq!(foot[0].text, "案卷数");
    assert_eq!(foot.last().unwrap().text, "6");
    // Grades and means: 市场 (99 + 98.5) / 2 = 98.75 -> 98.8; 交通 (0 + 99) / 2.
    let gt = table(&g, "等次分布");
    let r = row(gt, &[M]);
    assert_eq!(pick(&r, &["案卷数", "平均分", "优秀"]), ["2", "98.8", "2"]);
    let r = row(gt, &[T]);
    assert_eq!(
        pick(&r, &["平均分", "基础标准不合格", "优秀", "不合格"]),
        ["49.5", "1", "1", "1"]
    );
    assert_eq!(row(gt, &[Z])["平均分"], "100");
    // Drafts: every imported file, suggested findings only (m3 and x1 too;
    // m1's needs-review finding is not counted).
    let d = reports::gaps(&ds, &q("all", Basis::Draft));
    assert_eq!(d.basis, Some(Basis::Draft));
    assert!(d.notes[0].contains("机器草拟"));
    let long = table(&d, "问题明细");
    assert_eq!(row(long, &[M, "P-2.2.7"])["问题案卷数"], "3");
    assert_eq!(row(long, &[T, "P-6.1.3"])["问题案卷数"], "1");
    assert!(!has_row(long, &[M, "P-6.1.3"]));
    // Every figure drills down to the files behind it.
    let col = m.columns.iter().position(|c| c == M).unwrap();
    let link = m.rows[0][col].link.clone().unwrap_or_default();
    assert!(
        link.contains("item=P-2.2.7") && link.contains("unit="),
        "{link}"
    );
    let col = m.columns.iter().position(|c| c == E).unwrap();
    assert_eq!(
        (m.rows[0][col].text.as_str(), m.rows[0][col].link.as_ref()),
        ("0", None)
    );
    assert_eq!(
        files_of(
            &ds,
            "all",
            Drill {
                unit: Some(M.into()),
                item: Some("P-2.2.7".into()),
                ..Drill::default()
            }
        ),
        vec!["m1", "m2"]
    );
}

#[test]
fn the_half_year_report_compares_with_the_half_year_before() {
    let (_d, store, _fx) = setup();
    let ds = Dataset::load(&store).unwrap();
    let h = reports::half_year(&ds, &q("2023H2", Basis::Confirmed));
    let t = table(&h, "各单位评查情况");
    // 2023H2: t1 alone (0, basic); 2023H1 before it: m1, m2, z1, e1.
    let r = row(t, &[T]);
    assert_eq!(
        pick(
            &r,
            &["评查案卷数", "平均分", "基础标准不合格", "上期案卷数"]
        ),
        ["1", "0", "1", "0"]
    );
    let r = row(t, &[M]);
    assert_eq!(
        pick(&r, &["评查案卷数", "上期案卷数", "上期平均分"]),
        ["0", "2", "98.8"]
    );
    let h1 = reports::half_year(&ds, &q("2023H1", Basis::Confirmed));
    let t = table(&h1, "各单位评查情况");
    let r = row(t, &[M]);
    assert_eq!(r["主要问题"], "P-2.2.7 笔录有被询问人逐页签名，并按压指印；被询问人拒绝的，应有二名以上执法人员签名并说明原因（2件）；P-3.2.5 处罚机关的印章、日期完整准确（1件）");
    // 交通's t2 closed in 2022H2, the half-year before.
    let r = row(t, &[T]);
    assert_eq!(
        pick(&r, &["评查案卷数", "上期案卷数", "上期平均分"]),
        ["0", "1", "99"]
    );
    assert!(
        h1.notes.iter().any(|n| n.contains("另有 1 件案卷未读出")),
        "x1 has no date: {:?}",
        h1.notes
    );
    assert_eq!(h1.charts.len(), 1);
    assert!(h1.charts[0].starts_with("<svg"));
}

#[test]
fn annual_statistics_count_every_processed_file_by_decision_year() {
    let (_d, store, _fx) = setup();
    let ds = Dataset::load(&store).unwrap();
    let a = reports::annual(&ds, &q("2023", Basis::Confirmed));
    let t = table(&a, "行政执法数据");
    let r = row(t, &[M]);
    // m1, m2, m3 (m3 was never reviewed: statistics count every file).
    assert_eq!(
        pick(
            &r,
            &[
                "行政处罚案件（件）",
                "罚款（件）",
                "警告（件）",
                "罚款金额（元）"
            ]
        ),
        ["3", "3", "1", "9000"]
    );
    let r = row(t, &[T]);
    assert_eq!(
        pick(
            &r,
            &[
                "行政处罚案件（件）",
                "没收违法所得（件）",
                "罚款金额（元）",
                "没收金额（元）",
                "举行听证（件）"
            ]
        ),
        ["1", "1", "20000", "1200", "1"]
    );
    assert_eq!(row(t, &[Z])["查封（件）"], "1");
    assert_eq!(row(t, &[E])["扣押（件）"], "1");
    let total = row(t, &["合计"]);
    assert_eq!(
        pick(
            &total,
            &["行政处罚案件（件）", "行政强制案件（件）", "罚款金额（元）"]
        ),
        ["4", "2", "29000"]
    );
    assert_eq!(table(&a, "案卷明细").rows.len(), 6);
    // The files behind a number.
    assert_eq!(stat_files(&ds, M, "kind:警告"), vec!["m2"]);
    // m3 was never reviewed, and still counts (and is listed) among 罚款.
    assert_eq!(stat_files(&ds, M, "kind:罚款"), vec!["m1", "m2", "m3"]);
    // It opens in a spreadsheet: a zip with a sheet per table.
    let x = export::report_xlsx(&a).unwrap();
    assert!(x.starts_with(b"PK\x03\x04"));
    let csv = export::report_csv(&a);
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("蒲县市场监督管理局,"));
}

#[test]
fn machine_against_reviewer_per_item() {
    let (_d, store, _fx) = setup();
    let ds = Dataset::load(&store).unwrap();
    let c = reports::calibration_counts(&ds, &q("all", Basis::Confirmed));
    let get = |i: &str| c[i];
    // P-2.2.7: m1 and m2 (adjusted) confirmed; t2 added by the reviewers.
    assert_eq!(
        (
            get("P-2.2.7").confirmed,
            get("P-2.2.7").rejected,
            get("P-2.2.7").missed
        ),
        (2, 0, 1)
    );
    assert_eq!(get("P-6.1.3").nr_rejected, 1);
    assert_eq!(get("P-3.2.5").missed, 1);
    assert_eq!(get("P-B4-2").confirmed, 1);
    assert_eq!(get("C-1.2.4").rejected, 1);
    assert_eq!(get("C-1.1.5").confirmed, 1);
    let r = reports::calibration(&ds, &q("all", Basis::Confirmed));
    let total = row(&r.tables[0], &["合计"]);
    assert_eq!(
        pick(&total, &["机器建议", "确认", "驳回", "确认率", "漏报"]),
        ["5", "4", "1", "80.0%", "2"]
    );
}

#[test]
fn rectification_lists_every_confirmed_problem_and_tracks_it() {
    let (_d, store, fx) = setup();
    let by = fx.head;
    let rect = |dossier: &str, item: &str, status, deadline: Option<&str>| NewRectification {
        round: fx.round,
        dossier: fx.ids[dossier],
        item: item.into(),
        measure: "补盖印章，整改到人".into(),
        deadline: deadline.map(Into::into),
        status,
        by,
    };
    store
        .rectify(&rect(
            "m2",
            "P-3.2.5",
            RectStatus::InProgress,
            Some("2023-12-31"),
        ))
        .unwrap();
    store
        .rectify(&rect("m1", "P-2.2.7", RectStatus::Done, None))
        .unwrap();
    // Only a final review's problems are rectified.
    assert!(store
        .rectify(&rect("m3", "P-2.2.7", RectStatus::Open, None))
        .is_err());
    let ds = Dataset::load(&store).unwrap();
    let r = reports::rectification(&ds, &q("all", Basis::Draft), "2024-01-01");
    assert_eq!(r.basis, Some(Basis::Confirmed), "always of final reviews");
    let list = table(&r, "整改清单");
    assert_eq!(list.rows.len(), 6);
    let s = row(table(&r, "整改进度"), &[M]);
    assert_eq!(
        pick(&s, &["问题数", "已整改", "整改中", "待整改", "逾期"]),
        ["3", "1", "1", "1", "1"]
    );
    let line = row(list, &[M, "m2", "蒲m2〔2023〕2号", "P-3.2.5"]);
    assert_eq!(line["状态"], "整改中（逾期）");
    assert_eq!(line["整改期限"], "2023-12-31");
    // The last edit holds.
    store
        .rectify(&rect("m2", "P-3.2.5", RectStatus::Done, Some("2023-12-31")))
        .unwrap();
    let ds = Dataset::load(&store).unwrap();
    let r = reports::rectification(&ds, &q("all", Basis::Confirmed), "2024-01-01");
    assert_eq!(row(table(&r, "整改进度"), &[M])["逾期"], "0");
}

#[test]
fn the_sampling_plan_is_stratified_reproducible_and_skips_summary_cases() {
    let (_d, store, _fx) = setup();
    let ds = Dataset::load(&store).unwrap();
    let all = Period::all();
    // Fewer than five each: all ordinary files; x1 was decided on the spot.
    let plan = reports::sample_plan(&ds, &all, 5, 1);
    let mut names: Vec<&str> = plan.iter().map(|l| l.scan_id.as_str()).collect();
    names.sort();
    assert_eq!(names, vec!["e1", "m1", "m2", "m3", "t1", "t2", "z1"]);
    // One per unit, the same for the same seed, another for another seed.
    let one = reports::sample_plan(&ds, &all, 1, 7);
    assert_eq!(one.len(), 4);
    assert_eq!(one, reports::sample_plan(&ds, &all, 1, 7));
    let draws: std::collections::BTreeSet<Vec<i64>> = (0..20)
        .map(|s| {
            reports::sample_plan(&ds, &all, 1, s)
                .iter()
                .map(|l| l.dossier)
                .collect()
        })
        .collect();
    assert!(draws.len() > 1, "the seed changes the draw");
    let text = reports::sample_lines(&one);
    assert_eq!(text.lines().count(), 4);
    assert!(text
        .lines()
        .all(|l| l.split('\t').next().unwrap().parse::<i64>().is_ok()));
    // A half-year's plan holds only its files.
    let h = reports::sample_plan(&ds, &Period::parse("2023H2").unwrap(), 5, 1);
    assert_eq!(
        h.iter().map(|l| l.scan_id.as_str()).collect::<Vec<_>>(),
        vec!["t1"]
    );
}

#[test]
fn risk_points_and_assessment() {
    let (_d, store, _fx) = setup();
    let ds = Dataset::load(&store).unwrap();
    let r = reports::risks(&ds, &q("all", Basis::Confirmed));
    let text = export::report_text(&r);
    assert!(text.contains("P-2.2.7"), "{text}");
    // P-2.2.7 recurs in 市场 (m1, m2): a risk point of that unit.
    let recurring = r
        .tables
        .iter()
        .flat_map(|t| t.rows.iter())
        .any(|row| row.iter().any(|c| c.text == M) && row.iter().any(|c| c.text == "P-2.2.7"));
    assert!(recurring, "{text}");
    // Its trend over the last four half-years: both in 2023H1.
    let t = &r.tables[0];
    let trend = t.columns.iter().position(|c| c == "趋势").unwrap();
    let line = t
        .rows
        .iter()
        .find(|row| row[0].text == "单位" && row[1].text == M && row[2].text == "P-2.2.7")
        .unwrap();
    assert_eq!(
        line[trend].text,
        "2022H1:0 → 2022H2:0 → 2023H1:2 → 2023H2:0"
    );
    let a = reports::assessment(&ds, &q("2023H1", Basis::Confirmed));
    let t = &a.tables[0];
    assert_eq!(row(t, &[M])["案卷质量得分"], "98.8");
    assert_eq!(row(t, &[M])["优良率"], "100.0%");
    // No reviewed file this half-year: no score, not a zero.
    assert_eq!(row(t, &[T])["案卷质量得分"], "—");
    assert!(a.notes[0].contains("算术平均"));
}
