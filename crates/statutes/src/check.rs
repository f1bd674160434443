//! Checking a citation against the index: the law's full title and existence,
//! and that the cited article, paragraph and item exist in a version a
//! document of that date may cite (the one in force, or an older one under
//! 从旧兼从轻), and that an article of several paragraphs names its paragraph.

use crate::cite::Citation;
use crate::index::{Index, Law, Version};
use crate::numerals::to_chinese;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// A law cited by an abbreviation (《食品安全法》, 《环保法》).
    Abbreviated,
    /// A title of a law (…法) or regulation (…条例) the index does not know.
    /// Unknown departmental rules (…规定, …办法) are not reported: the
    /// collection lacks nearly all of them.
    UnknownLaw,
    /// A law named as the basis without any article (`违反了《…》的规定`).
    ArticleMissing,
    NoSuchArticle,
    NoSuchParagraph,
    NoSuchItem,
    /// An item of an article of several paragraphs cited without its
    /// paragraph (`第七十二条第一项`). A whole article (`第六十三条`) is complete.
    ParagraphMissing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitationProblem {
    pub kind: ProblemKind,
    /// What is wrong, in Chinese, for the reviewer.
    pub message_zh: String,
}

/// How a cited title matched the index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TitleMatch<'a> {
    /// A full official title.
    Exact(&'a Law),
    /// A full title with an OCR slip (one or two characters off).
    Ocr(&'a Law),
    /// A short title or customary abbreviation of this law; `certain` when it is
    /// the file's own short title (食品安全法), not a guess from the characters.
    Abbreviated {
        law: &'a Law,
        certain: bool,
    },
    /// A provincial or local regulation, not in the national index.
    Local,
    Unknown,
}

const PROVINCES: &[&str] = &[
    "北京",
    "天津",
    "河北",
    "山西",
    "内蒙古",
    "辽宁",
    "吉林",
    "黑龙江",
    "上海",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "广西",
    "海南",
    "重庆",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
];
const PRC: &str = "中华人民共和国";

fn norm_title(t: &str) -> String {
    t.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '《' | '》'))
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            _ => c,
        })
        .collect()
}

/// `…（2021年修正）` / `…(2018年修订)` → without the version note.
fn strip_version_note(t: &str) -> Option<&str> {
    let open = t.rfind('（')?;
    let note = &t[open..];
    (note.ends_with('）') && note.contains('年') && (note.contains('修') || note.contains("版")))
        .then(|| &t[..open])
}

fn is_local(t: &str) -> bool {
    if PROVINCES.iter().any(|p| t.starts_with(p)) {
        return true;
    }
    // Words ending in 市 or 县 that are no place: 城市, 集市, 县级 ….
    const NOT_PLACES: &[&str] = &[
        "城市", "集市", "都市", "超市", "门市", "夜市", "股市", "上市", "菜市", "黑市", "市场",
        "县级", "县域",
    ];
    // The first 市 or 县 near the start names the place, unless it is part
    // of a word like 城市.
    let cs: Vec<char> = t.chars().collect();
    let Some(i) = (1..=5).find(|&i| cs.get(i).is_some_and(|c| matches!(c, '市' | '县'))) else {
        return false;
    };
    let word = |a: usize| cs[a..(a + 2).min(cs.len())].iter().collect::<String>();
    !NOT_PLACES.contains(&word(i - 1).as_str()) && !NOT_PLACES.contains(&word(i).as_str())
}

/// `short` is `long` with characters left out, in order.
fn is_subsequence(short: &str, long: &str) -> bool {
    let mut it = long.chars();
    short.chars().all(|c| it.any(|d| d == c))
}

/// The ending kind of a title (法, 条例, 办法 …), for matching abbreviations.
fn ending(t: &str) -> &'static str {
    ["条例", "办法", "规定", "细则", "规则", "决定", "法"]
        .into_iter()
        .find(|e| t.ends_with(e))
        .unwrap_or("")
}

impl Index {
    /// Matches a cited title (as written, 《》 optional) against the index.
    pub fn resolve(&self, title: &str) -> TitleMatch<'_> {
        let t = norm_title(title);
        let t = strip_version_note(&t).unwrap_or(&t).to_string();
        if let Some(l) = self.by_title(&t) {
            return TitleMatch::Exact(l);
        }
        if let Some(l) = self.by_stem(&t) {
            return TitleMatch::Abbreviated {
                law: l,
                certain: true,
            };
        }
        let len = t.chars().count();
        // OCR slips: one character off in a title of 6+, two in 12+.
        let allowed = match len {
            0..=5 => 0,
            6..=11 => 1,
            _ => 2,
        };
        if allowed > 0 {
            let best = self
                .by_title
                .iter()
                .map(|(k, &i)| (strsim::levenshtein(k, &t), k, i))
                .filter(|(d, _, _)| *d <= allowed)
                .min();
            if let Some((_, _, i)) = best {
                return TitleMatch::Ocr(&self.laws[i]);
            }
            let stem = self
                .by_stem
                .iter()
                .map(|(k, &i)| (strsim::levenshtein(k, &t), k, i))
                .filter(|(d, _, _)| *d <= 1)
                .min();
            if let Some((_, _, i)) = stem {
                return TitleMatch::Abbreviated {
                    law: &self.laws[i],
                    certain: false,
                };
            }
        }
        // A title whose beginning OCR put elsewhere: `和国土地管理法实施条例`.
        if let Some(l) = self.prc_fragment(&t) {
            return TitleMatch::Ocr(l);
        }
        // A table's label cell read into the middle of a title:
        // `中华人民审核意见共和国大气污染防治法`.
        if let Some(l) = self.with_insertion(&t) {
            return TitleMatch::Ocr(l);
        }
        if is_local(&t) {
            return TitleMatch::Local;
        }
        // A customary abbreviation: its characters in order in a full title of
        // the same kind (环保法 → 环境保护法); the shortest such title, laws first.
        if len >= 3 && !t.starts_with(PRC) {
            let end = ending(&t);
            let best = self
                .laws
                .iter()
                .filter(|l| {
                    let full = l.title();
                    ending(full) == end
                        && full.chars().count() > len
                        && is_subsequence(&t, full.strip_prefix(PRC).unwrap_or(full))
                        && t.chars().next() == full.strip_prefix(PRC).unwrap_or(full).chars().next()
                })
                .min_by_key(|l| {
                    (
                        l.category == "部门规章",
                        l.title().chars().count(),
                        l.stem.clone(),
                    )
                });
            if let Some(l) = best {
                return TitleMatch::Abbreviated {
                    law: l,
                    certain: false,
                };
            }
        }
        TitleMatch::Unknown
    }

    /// `t` is the end of 中华人民共和国 (at least its last two characters)
    /// followed by a short title whose full title has the prefix.
    fn prc_fragment(&self, t: &str) -> Option<&Law> {
        let prc: Vec<char> = PRC.chars().collect();
        (1..prc.len() - 1).find_map(|i| {
            let tail: String = prc[i..].iter().collect();
            let stem = t.strip_prefix(&tail)?;
            let l = self.by_stem(stem)?;
            (l.title() == format!("{PRC}{stem}")).then_some(l)
        })
    }

    /// A full title (of 6+ characters) with one run of at most 8 characters
    /// inserted somewhere inside it.
    fn with_insertion(&self, t: &str) -> Option<&Law> {
        let tc: Vec<char> = t.chars().collect();
        self.by_title
            .iter()
            .filter_map(|(k, &i)| {
                let kc: Vec<char> = k.chars().collect();
                let extra = tc.len().checked_sub(kc.len())?;
                if kc.len() < 6 || !(1..=8).contains(&extra) {
                    return None;
                }
                let head = tc.iter().zip(&kc).take_while(|(a, b)| a == b).count();
                let tail = tc
                    .iter()
                    .rev()
                    .zip(kc.iter().rev())
                    .take_while(|(a, b)| a == b)
                    .count();
                (head >= 1 && tail >= 2 && head + tail >= kc.len()).then_some((kc.len(), i))
            })
            .max()
            .map(|(_, i)| &self.laws[i])
    }

    /// Resolves the title of `c`, also without one of the lines OCR put in
    /// the middle of it (a table's label cell read between its two halves).
    fn resolve_citation(&self, c: &Citation) -> TitleMatch<'_> {
        let title = c.law_title.as_deref().unwrap_or_default();
        let first = self.resolve(title);
        if !matches!(first, TitleMatch::Unknown) || c.inherited {
            return first;
        }
        let close = c.raw.find(['》', '>', '＞', '〉']).unwrap_or(c.raw.len());
        let lines: Vec<&str> = c.raw[..close]
            .trim_start_matches(['《', '<', '＜', '〈'])
            .split('\n')
            .map(str::trim)
            .collect();
        if lines.len() < 3 {
            return first;
        }
        for skip in 1..lines.len() - 1 {
            let t: String = lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, l)| *l)
                .collect();
            let m = self.resolve(&t);
            if matches!(
                m,
                TitleMatch::Exact(_)
                    | TitleMatch::Ocr(_)
                    | TitleMatch::Abbreviated { certain: true, .. }
            ) {
                return m;
            }
        }
        first
    }

    /// The problems of one citation in a document dated `on` (year, month,
    /// day; `None` when the date is unknown: any version will do).
    pub fn check(&self, c: &Citation, on: Option<(i32, u32, u32)>) -> Vec<CitationProblem> {
        let on = on.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d));
        let mut out = Vec::new();
        let Some(title) = &c.law_title else {
            return out;
        };
        let shown = format!("《{}》", norm_title(title));
        let law = match self.resolve_citation(c) {
            TitleMatch::Exact(l) | TitleMatch::Ocr(l) => Some(l),
            TitleMatch::Abbreviated { law, certain } => {
                // A title repeated from an earlier citation is reported there.
                if !c.inherited {
                    let msg = if certain {
                        format!("引用法律名称不完整：{shown}应写全称《{}》", law.title())
                    } else {
                        format!(
                            "引用法律名称为简称或不规范：{shown}，应写全称（疑为《{}》）",
                            law.title()
                        )
                    };
                    out.push(CitationProblem {
                        kind: ProblemKind::Abbreviated,
                        message_zh: msg,
                    });
                }
                certain.then_some(law)
            }
            TitleMatch::Local => None,
            // The collection has national laws and State Council regulations
            // but hardly any departmental rules (5 files): an unknown
            // 规定/办法/细则 is most likely a rule it lacks, not an error.
            TitleMatch::Unknown if !indexed_kind(title) => None,
            TitleMatch::Unknown => {
                if !c.inherited {
                    out.push(CitationProblem {
                        kind: ProblemKind::UnknownLaw,
                        message_zh: format!("法律法规库中未找到{shown}，请核对名称是否准确、完整"),
                    });
                }
                None
            }
        };
        if c.article.is_none() {
            if c.as_basis {
                out.push(CitationProblem {
                    kind: ProblemKind::ArticleMissing,
                    message_zh: format!("引用{shown}未写明具体条款"),
                });
            }
            return out;
        }
        let Some(law) = law else { return out };
        let versions: Vec<&Version> = match on {
            Some(d) => law.citable_on(d),
            None => law.versions.iter().collect(),
        };
        // No version of ours was in force yet: the text it cites is not here.
        let Some(&newest) = versions.last() else {
            return out;
        };
        if versions.iter().any(|v| provision_problem(v, c).is_none()) {
            return out;
        }
        if let Some((kind, msg)) = provision_problem(newest, c) {
            let note = if versions.len() > 1 {
                "（各适用版本均如此）".to_string()
            } else {
                format!("（{}版本）", newest.date.format("%Y年%-m月%-d日"))
            };
            out.push(CitationProblem {
                kind,
                message_zh: format!("{shown}{msg}{note}"),
            });
        }
        out
    }

    /// Parses `text` and checks every citation in it.
    pub fn check_text(
        &self,
        text: &str,
        on: Option<(i32, u32, u32)>,
    ) -> Vec<(Citation, Vec<CitationProblem>)> {
        crate::cite::parse_citations(text)
            .into_iter()
            .map(|c| {
                let p = self.check(&c, on);
                (c, p)
            })
            .collect()
    }
}

/// Titles of the kinds the collection holds fully: laws (法) and
/// administrative regulations (条例).
fn indexed_kind(title: &str) -> bool {
    let t = norm_title(title);
    t.ends_with('法') || t.ends_with("条例")
}

/// What is wrong with the provision `c` cites in version `v`, if anything.
fn provision_problem(v: &Version, c: &Citation) -> Option<(ProblemKind, String)> {
    let n = c.article?;
    let an = format!("第{}条", to_chinese(n));
    let Some(a) = v.article(n) else {
        let last = v.articles.last().map_or(0, |a| a.number());
        return Some((
            ProblemKind::NoSuchArticle,
            format!("无{an}（共{}条）", to_chinese(last)),
        ));
    };
    let paras = a.paragraphs();
    let item_name = |i: u32| format!("第（{}）项", to_chinese(i));
    match (c.paragraph, c.item) {
        (Some(p), item) => {
            let Some(&items) = paras.get(p as usize - 1) else {
                return Some((
                    ProblemKind::NoSuchParagraph,
                    format!("{an}只有{}款，无第{}款", paras.len(), to_chinese(p)),
                ));
            };
            match item {
                Some(i) if i > items as u32 => Some((
                    ProblemKind::NoSuchItem,
                    format!(
                        "{an}第{}款{}，无{}",
                        to_chinese(p),
                        if items == 0 {
                            "未列项".to_string()
                        } else {
                            format!("只有{items}项")
                        },
                        item_name(i)
                    ),
                )),
                _ => None,
            }
        }
        (None, Some(i)) => {
            if !paras.iter().any(|&k| k as u32 >= i) {
                Some((ProblemKind::NoSuchItem, format!("{an}无{}", item_name(i))))
            } else if paras.len() > 1 {
                Some((
                    ProblemKind::ParagraphMissing,
                    format!("{an}有{}款，引用{}未写明第几款", paras.len(), item_name(i)),
                ))
            } else {
                None
            }
        }
        // A whole article, all its paragraphs: a complete citation.
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_titles() {
        assert!(is_local("山西省食品小作坊小经营店小摊点管理条例"));
        assert!(is_local("临汾市城市市容和环境卫生管理条例"));
        assert!(is_local("吉县农村人居环境整治办法"));
        assert!(!is_local("城市市容和环境卫生管理条例"));
        assert!(!is_local("农村集市卫生管理条例"));
        assert!(!is_local("中华人民共和国城市房地产管理法"));
    }

    #[test]
    fn title_helpers() {
        assert!(is_subsequence("环保法", "环境保护法"));
        assert!(!is_subsequence("路政条例", "公路安全保护条例"));
        assert_eq!(
            strip_version_note("中华人民共和国行政处罚法（2021年修订）"),
            Some("中华人民共和国行政处罚法")
        );
        assert_eq!(strip_version_note("某某办法（试行）"), None);
        assert_eq!(
            norm_title("《中华人民 共和国(试行)》"),
            "中华人民共和国（试行）"
        );
    }
}
