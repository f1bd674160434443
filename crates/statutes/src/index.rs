//! The statute index: per law (file stem) its versions, per version the full
//! title, dates, and for each article the number of items (项) in each of its
//! paragraphs (款). Built from `shared/statutes/` by [`build_index`], stored as
//! JSON under `models/`, loaded by [`Index::load`].

use crate::numerals::parse_number;
use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub const INDEX_SCHEMA: &str = "anjuan.statutes/1";
/// The index's file name under `models/`.
pub const INDEX_FILE: &str = "statutes.json";
/// Environment variable naming the index file, overriding the search.
pub const ENV_VAR: &str = "ANJUAN_STATUTES";

/// One article: its number and, per paragraph, how many items it lists.
/// `[5, [0, 3]]`: article 5 has two paragraphs, the second with items (一)–(三).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article(pub u32, pub Vec<u16>);

impl Article {
    pub fn number(&self) -> u32 {
        self.0
    }
    /// Items per paragraph; its length is the number of paragraphs (≥ 1).
    pub fn paragraphs(&self) -> &[u16] {
        &self.1
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// The date in the file name: adoption, amendment or revision.
    pub date: NaiveDate,
    /// The date the text says it takes effect (自…起施行), when later than
    /// `date`; otherwise `date` (amendments take effect on promulgation).
    pub effective: NaiveDate,
    /// `# …` of the file: the full official title.
    pub title: String,
    /// Source file, relative to the statutes directory.
    pub file: String,
    pub articles: Vec<Article>,
}

impl Version {
    pub fn article(&self, n: u32) -> Option<&Article> {
        self.articles
            .binary_search_by_key(&n, |a| a.0)
            .ok()
            .map(|i| &self.articles[i])
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Law {
    /// The file stem: the short title (食品安全法).
    pub stem: String,
    /// The category folder (行政法, 行政法规, 部门规章 …).
    pub category: String,
    /// Oldest first.
    pub versions: Vec<Version>,
}

impl Law {
    /// The newest version's full title.
    pub fn title(&self) -> &str {
        &self.versions.last().expect("a law has versions").title
    }

    /// The versions a document dated `on` may cite: the one in force that day
    /// and the older ones (从旧); empty when none was in force yet.
    pub fn citable_on(&self, on: NaiveDate) -> Vec<&Version> {
        self.versions.iter().filter(|v| v.effective <= on).collect()
    }

    /// The version in force on `on`, if any.
    pub fn in_force_on(&self, on: NaiveDate) -> Option<&Version> {
        self.citable_on(on).into_iter().last()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexFile {
    pub schema: String,
    /// What the index was built from (a description, not a path).
    pub source: String,
    pub laws: Vec<Law>,
}

/// What [`build_index`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildReport {
    pub files: usize,
    pub laws: usize,
    pub versions: usize,
    pub articles: usize,
    pub bytes: usize,
    /// Files skipped, with the reason (no title, no date in the name …).
    pub skipped: Vec<(String, String)>,
}

/// The loaded index with its title lookups.
#[derive(Debug, Clone)]
pub struct Index {
    pub laws: Vec<Law>,
    /// Every version's full title → law.
    pub(crate) by_title: HashMap<String, usize>,
    /// File stem (short title) → law.
    pub(crate) by_stem: HashMap<String, usize>,
}

impl Index {
    pub fn from_file(file: IndexFile) -> Result<Index> {
        if file.schema != INDEX_SCHEMA {
            bail!(
                "statute index has schema {:?}, expected {INDEX_SCHEMA:?} (rebuild it)",
                file.schema
            );
        }
        let mut by_title = HashMap::new();
        let mut by_stem = HashMap::new();
        for (i, law) in file.laws.iter().enumerate() {
            by_stem.insert(law.stem.clone(), i);
            for v in &law.versions {
                by_title.insert(v.title.clone(), i);
            }
        }
        Ok(Index {
            laws: file.laws,
            by_title,
            by_stem,
        })
    }

    /// Loads an index written by [`build_index`].
    pub fn load(path: &Path) -> Result<Index> {
        let bytes = std::fs::read(path)
            .with_context(|| format!("{}: cannot read the statute index", path.display()))?;
        let file: IndexFile = serde_json::from_slice(&bytes)
            .with_context(|| format!("{}: not a statute index", path.display()))?;
        Index::from_file(file).with_context(|| path.display().to_string())
    }

    /// Loads the index from [`default_index_path`].
    pub fn load_default() -> Result<Index> {
        let p = default_index_path().with_context(|| {
            format!(
                "models/{INDEX_FILE} not found beside the executable or the current directory \
                 (set {ENV_VAR}, or build it with `anjuan statutes build`)"
            )
        })?;
        Index::load(&p)
    }

    /// The law whose full title (in any version) is exactly `title`.
    pub fn by_title(&self, title: &str) -> Option<&Law> {
        self.by_title.get(title).map(|&i| &self.laws[i])
    }

    /// The law whose file stem (short title) is `stem`.
    pub fn by_stem(&self, stem: &str) -> Option<&Law> {
        self.by_stem.get(stem).map(|&i| &self.laws[i])
    }
}

/// `models/statutes.json`: the `ANJUAN_STATUTES` variable, else `models/` beside
/// the running executable or in any of its ancestors, else in the current
/// directory or its ancestors.
pub fn default_index_path() -> Option<PathBuf> {
    anjuan_core::paths::locate_file(ENV_VAR, &format!("models/{INDEX_FILE}"))
}

/// Builds the index from the statute texts under `statutes_dir` (category
/// folders of `<stem>(<YYYY-MM-DD>).md`) and writes it atomically to `out`.
/// Deterministic: the same texts give the same bytes.
pub fn build_index(statutes_dir: &Path, out: &Path) -> Result<BuildReport> {
    let (file, mut report) = index_dir(statutes_dir)?;
    let mut bytes = serde_json::to_vec(&file)?;
    bytes.push(b'\n');
    report.bytes = bytes.len();
    anjuan_core::fsutil::atomic_write(out, &bytes)
        .with_context(|| format!("{}: cannot write the statute index", out.display()))?;
    Ok(report)
}

/// Reads and parses every statute file under `dir`.
pub fn index_dir(dir: &Path) -> Result<(IndexFile, BuildReport)> {
    if !dir.is_dir() {
        bail!("{}: not a directory of statutes", dir.display());
    }
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for cat in std::fs::read_dir(dir).with_context(|| dir.display().to_string())? {
        let cat = cat?.path();
        if !cat.is_dir() {
            continue;
        }
        let cat_name = file_name(&cat);
        for f in std::fs::read_dir(&cat).with_context(|| cat.display().to_string())? {
            let f = f?.path();
            let name = file_name(&f);
            if name.ends_with(".md") && !name.starts_with('_') {
                files.push((cat_name.clone(), f));
            }
        }
    }
    files.sort();
    let mut report = BuildReport {
        files: files.len(),
        laws: 0,
        versions: 0,
        articles: 0,
        bytes: 0,
        skipped: Vec::new(),
    };
    let mut laws: BTreeMap<String, Law> = BTreeMap::new();
    for (cat, path) in &files {
        let rel = format!("{cat}/{}", file_name(path));
        let Some((stem, date)) = stem_and_date(&file_name(path)) else {
            report
                .skipped
                .push((rel, "name is not <title>(YYYY-MM-DD).md".into()));
            continue;
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let parsed = match parse_statute(&text) {
            Ok(p) => p,
            Err(e) => {
                report.skipped.push((rel, e.to_string()));
                continue;
            }
        };
        let effective = parsed.effective.filter(|&e| e > date).unwrap_or(date);
        let law = laws.entry(stem.clone()).or_insert_with(|| Law {
            stem: stem.clone(),
            category: cat.clone(),
            versions: Vec::new(),
        });
        if law.versions.iter().any(|v| v.date == date) {
            report
                .skipped
                .push((rel, format!("a second version of {stem} dated {date}")));
            continue;
        }
        report.articles += parsed.articles.len();
        law.versions.push(Version {
            date,
            effective,
            title: parsed.title,
            file: rel,
            articles: parsed.articles,
        });
    }
    let mut laws: Vec<Law> = laws.into_values().collect();
    for l in &mut laws {
        l.versions.sort_by_key(|v| v.date);
    }
    report.laws = laws.len();
    report.versions = laws.iter().map(|l| l.versions.len()).sum();
    Ok((
        IndexFile {
            schema: INDEX_SCHEMA.into(),
            source: "shared/statutes (LawRefBook/Laws snapshot 2025-04-19)".into(),
            laws,
        },
        report,
    ))
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `食品安全法(2021-04-29).md` → (`食品安全法`, 2021-04-29).
fn stem_and_date(name: &str) -> Option<(String, NaiveDate)> {
    let base = name.strip_suffix(".md")?;
    let open = base.rfind('(')?;
    let date = base[open + 1..].strip_suffix(')')?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let stem = base[..open].trim();
    (!stem.is_empty()).then(|| (stem.to_string(), date))
}

/// One statute text, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedStatute {
    pub title: String,
    pub effective: Option<NaiveDate>,
    pub articles: Vec<Article>,
}

/// Parses a statute file: `# title`, the adoption history up to
/// `<!-- INFO END -->`, then headings (`#`) and articles (`第X条 …`) whose
/// following lines are paragraphs, or items when they start with `（一）`.
pub fn parse_statute(text: &str) -> Result<ParsedStatute> {
    let title = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("# "))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .context("no `# title` line")?;
    let body = match text.find("<!-- INFO END -->") {
        Some(i) => &text[i..],
        None => text,
    };
    let mut articles: Vec<Article> = Vec::new();
    let mut effective = None;
    let mut current: Option<Article> = None;
    for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        // Headings end an article; so does an appendix (附件, 附表, 附录 …:
        // tables and forms after the last article).
        if line.starts_with('#')
            || line.starts_with("<!--")
            || ["附件", "附表", "附录", "附：", "附:"]
                .iter()
                .any(|a| line.starts_with(a))
        {
            articles.extend(current.take());
            continue;
        }
        if let Some((n, rest)) = article_head(line) {
            articles.extend(current.take());
            current = Some(Article(n, vec![0]));
            effective = effective_date(rest).or(effective);
            continue;
        }
        let Some(a) = current.as_mut() else { continue };
        effective = effective_date(line).or(effective);
        if is_item(line) {
            let last = a.1.last_mut().expect("an article has a paragraph");
            *last = last.saturating_add(1);
        } else {
            a.1.push(0);
        }
    }
    articles.extend(current.take());
    // Articles in order, without repeats (a repeated number keeps the first).
    let mut seen = std::collections::HashSet::new();
    articles.retain(|a| seen.insert(a.0));
    articles.sort_by_key(|a| a.0);
    Ok(ParsedStatute {
        title,
        effective,
        articles,
    })
}

/// `第一百二十四条 text` → (124, `text`).
fn article_head(line: &str) -> Option<(u32, &str)> {
    let rest = line.strip_prefix('第')?;
    let end = rest.find('条')?;
    let n = parse_number(&rest[..end])?;
    let after = &rest[end + '条'.len_utf8()..];
    let first = after.chars().next();
    // A heading is followed by a space (or nothing); `第五条规定的…` is prose.
    match first {
        None => Some((n, after)),
        Some(c) if c.is_whitespace() => Some((n, after.trim_start())),
        _ => None,
    }
}

/// `（一）…` or `(一)…`.
fn is_item(line: &str) -> bool {
    let rest = line.strip_prefix('（').or_else(|| line.strip_prefix('('));
    let Some(rest) = rest else { return false };
    let end = rest.find(['）', ')']);
    end.is_some_and(|e| e > 0 && parse_number(&rest[..e]).is_some())
}

/// `本法自2021年7月15日起施行` → 2021-07-15 (Arabic, full-width or Chinese
/// numerals). Only the text's own commencement (本法, 本条例 …): the last one
/// in the text wins.
fn effective_date(line: &str) -> Option<NaiveDate> {
    let end = line.find("起施行")?;
    let head = &line[..end];
    let start = head.rfind('自')?;
    if !head[..start].contains('本') {
        return None;
    }
    let d = head[start + '自'.len_utf8()..].trim();
    let norm: String = d
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect();
    let (y, rest) = norm.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let (day, _) = rest.split_once('日')?;
    let (y, m, day) = (parse_number(y)?, parse_number(m)?, parse_number(day)?);
    NaiveDate::from_ymd_opt(y as i32, m, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# 中华人民共和国测试法\n\n2020年1月1日 通过\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 为了测试，制定本法。\n\n第二条 下列行为禁止：\n\n（一）甲；\n\n(二)乙。\n\n违反前款的，处罚款。\n\n### 第一节 细则\n\n第十条 第二条规定的行为，从重处罚。\n\n第一百零八条 本法自2021年7月15日起施行。\n\n附件：\n\n表格一\n\n表格二\n";

    #[test]
    fn parses_articles_paragraphs_and_items() {
        let p = parse_statute(TEXT).unwrap();
        assert_eq!(p.title, "中华人民共和国测试法");
        assert_eq!(p.effective, NaiveDate::from_ymd_opt(2021, 7, 15));
        assert_eq!(
            p.articles,
            vec![
                Article(1, vec![0]),
                Article(2, vec![2, 0]),
                Article(10, vec![0]),
                Article(108, vec![0]),
            ]
        );
    }

    #[test]
    fn names_and_dates() {
        assert_eq!(
            stem_and_date("食品安全法(2021-04-29).md"),
            Some((
                "食品安全法".into(),
                NaiveDate::from_ymd_opt(2021, 4, 29).unwrap()
            ))
        );
        assert_eq!(stem_and_date("_index.md"), None);
        assert_eq!(
            effective_date("本条例自一九九四年一月一日起施行。"),
            NaiveDate::from_ymd_opt(1994, 1, 1)
        );
        assert_eq!(
            effective_date("本办法自２０１３年７月１日起施行。"),
            NaiveDate::from_ymd_opt(2013, 7, 1)
        );
        assert_eq!(effective_date("本法自公布之日起施行。"), None);
    }
}
