//! Every article, paragraph and item the scenarios cite exists in each
//! version of its statute in force while generated cases happen (2022-03 to
//! 2024-12), by the texts in `shared/statutes/` beside the checkout.

use anjuan_gen::data;
use std::path::{Path, PathBuf};

const WINDOW: (&str, &str) = ("2022-03-01", "2024-12-31");

fn statutes_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/statutes");
    assert!(
        d.is_dir(),
        "{}: shared/statutes/ must lie beside the checkout",
        d.display()
    );
    d
}

/// Files of `stem` whose version was in force at some time in the window:
/// the last one dated on or before its start, and any dated inside it.
fn versions(dir: &Path, stem: &str) -> Vec<PathBuf> {
    let mut all: Vec<(String, PathBuf)> = Vec::new();
    for cat in std::fs::read_dir(dir).unwrap() {
        let cat = cat.unwrap().path();
        if !cat.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&cat).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            if let Some(rest) = name.strip_prefix(&format!("{stem}(")) {
                all.push((rest[..10].to_string(), f));
            }
        }
    }
    all.sort();
    let before = all
        .iter()
        .rev()
        .find(|(d, _)| d.as_str() <= WINDOW.0)
        .cloned();
    let mut out: Vec<PathBuf> = before.into_iter().map(|(_, p)| p).collect();
    out.extend(
        all.iter()
            .filter(|(d, _)| d.as_str() > WINDOW.0 && d.as_str() <= WINDOW.1)
            .map(|(_, p)| p.clone()),
    );
    assert!(!out.is_empty(), "no version of {stem} in {}", dir.display());
    out
}

/// `第一百二十四条第一款第（五）项` → (`第一百二十四条`, Some(1), Some(`（五）`)).
fn parse(cite: &str) -> (String, Option<usize>, Option<String>) {
    let end = cite.find('条').expect("an article") + '条'.len_utf8();
    let article = cite[..end].to_string();
    let rest = &cite[end..];
    let mut para = None;
    let mut item = None;
    if let Some(r) = rest.strip_prefix('第') {
        if let Some(k) = r.find('款') {
            para = Some(cn_number(&r[..k]));
            let after = &r[k + '款'.len_utf8()..];
            if let Some(i) = after.strip_prefix('第') {
                item = Some(i.trim_end_matches('项').to_string());
            }
        } else {
            item = Some(r.trim_end_matches('项').to_string());
        }
    }
    (article, para, item)
}

fn cn_number(s: &str) -> usize {
    const D: &str = "零一二三四五六七八九";
    let digit = |c: char| D.chars().position(|d| d == c).expect("a Chinese digit");
    match s.chars().collect::<Vec<_>>().as_slice() {
        ['十'] => 10,
        [a] => digit(*a),
        ['十', b] => 10 + digit(*b),
        [a, '十'] => digit(*a) * 10,
        [a, '十', b] => digit(*a) * 10 + digit(*b),
        _ => panic!("number {s}"),
    }
}

/// The paragraphs of an article: each is its lines (the first line, then items).
fn article(text: &str, head: &str) -> Option<Vec<Vec<String>>> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    lines
        .by_ref()
        .find(|l| l.starts_with(&format!("{head} ")) || *l == head)?;
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&format!("{head} ")) || *l == head)?;
    let mut paras: Vec<Vec<String>> = vec![vec![first.to_string()]];
    for l in lines {
        if l.starts_with('#')
            || (l.starts_with('第')
                && l.split_whitespace()
                    .next()
                    .is_some_and(|w| w.ends_with('条')))
        {
            break;
        }
        let is_item = l.starts_with('（') || l.starts_with('(');
        if is_item {
            paras.last_mut().unwrap().push(l.to_string());
        } else {
            paras.push(vec![l.to_string()]);
        }
    }
    Some(paras)
}

#[test]
fn every_cited_provision_exists_in_the_versions_in_force() {
    let dir = statutes_dir();
    let w = data::world();
    let mut checked = 0;
    for s in data::scenarios() {
        for c in s
            .violated
            .iter()
            .chain(&s.basis)
            .chain(&s.correction_basis)
            .chain(&s.measure_basis)
            .chain(&s.exec_basis)
        {
            let law = w.law(&c.0);
            let (art, para, item) = parse(&c.1);
            for file in versions(&dir, &law.statute) {
                let text = std::fs::read_to_string(&file).unwrap();
                let paras = article(&text, &art).unwrap_or_else(|| {
                    panic!("{}: {} {art} not in {}", s.key, law.title, file.display())
                });
                let in_para: Vec<&String> = match para {
                    Some(k) => {
                        assert!(
                            k <= paras.len(),
                            "{}: {}{} has {} paragraphs ({})",
                            s.key,
                            law.title,
                            c.1,
                            paras.len(),
                            file.display()
                        );
                        paras[k - 1].iter().collect()
                    }
                    None => paras.iter().flatten().collect(),
                };
                if let Some(item) = &item {
                    let ascii = item.replace('（', "(").replace('）', ")");
                    assert!(
                        in_para
                            .iter()
                            .any(|l| l.starts_with(item.as_str()) || l.starts_with(ascii.as_str())),
                        "{}: {}{}: no item {item} ({})",
                        s.key,
                        law.title,
                        c.1,
                        file.display()
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 30, "only {checked} citations checked");
}

#[test]
fn citation_parts_are_read_correctly() {
    assert_eq!(
        parse("第一百二十四条第一款第（五）项"),
        ("第一百二十四条".into(), Some(1), Some("（五）".into()))
    );
    assert_eq!(
        parse("第三十四条第（十）项"),
        ("第三十四条".into(), None, Some("（十）".into()))
    );
    assert_eq!(parse("第六十八条"), ("第六十八条".into(), None, None));
    let text = "## 第一章\n\n第五条 甲\n\n乙款\n\n（一）项一\n\n第六条 丙\n";
    let a = article(text, "第五条").unwrap();
    assert_eq!(a.len(), 2);
    assert_eq!(a[1], vec!["乙款".to_string(), "（一）项一".to_string()]);
    assert!(article(text, "第七条").is_none());
}
