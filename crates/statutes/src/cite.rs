//! Statutory citations in OCR'd text: `《中华人民共和国食品安全法》第三十四条第（十）项`,
//! `第一百二十四条第一款第（五）项`, `第124条`, lists (`第十条、第十一条`,
//! `第一款、第二款`, `第（一）项、第（三）项`), a law named once and cited
//! again (`该法第…`), a law named without any article (`违反了《…》的规定`).
//!
//! OCR noise tolerated: line breaks and spaces anywhere, `<…>` or `〈…〉` for
//! `《…》`, ASCII or mixed brackets around items, full-width digits, `弟` for `第`,
//! a lost closing `》` before `第`.

use crate::numerals::{is_number_char, parse_number};
use serde::{Deserialize, Serialize};
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    /// Byte range in the parsed text (for the first citation of a list it
    /// starts at the law's title).
    pub span: Range<usize>,
    /// The law's title as written, without 《》, spaces and line breaks.
    pub law_title: Option<String>,
    /// The title comes from an earlier citation (a list, or `该法`).
    pub inherited: bool,
    pub article: Option<u32>,
    pub paragraph: Option<u32>,
    pub item: Option<u32>,
    /// A law named without any article where a provision was due: `违反了《…》的规定`.
    pub as_basis: bool,
    /// The text of `span` as it stands.
    pub raw: String,
}

impl Citation {
    /// `span` in characters of `text` (the text it was parsed from), for
    /// callers that index text by `char`.
    pub fn char_span(&self, text: &str) -> Range<usize> {
        let start = text[..self.span.start].chars().count();
        start..start + text[self.span.clone()].chars().count()
    }
}

/// Endings of the titles of laws, regulations and rules; anything else in
/// 《》 (a licence, a form) is not a citation.
const TITLE_ENDINGS: &[&str] = &[
    "法", "条例", "规定", "办法", "细则", "规则", "决定", "解释", "通则", "法典", "规程",
];

/// Words that refer back to the law last named.
const BACK_REFERENCES: &[&str] = &[
    "该法",
    "该条例",
    "该办法",
    "该规定",
    "该细则",
    "该规则",
    "同法",
    "上述法律",
];

/// Words after a title (with no article) that show it was cited as a basis.
/// (A bare `规定` is not enough: OCR of tables puts lines out of order, and
/// `…》` at a line's end is then often followed by the rest of another line.)
const RULE_WORDS: &[&str] = &[
    "的规定",
    "之规定",
    "的有关规定",
    "有关规定",
    "相关规定",
    "的相关规定",
];

/// Joins between the members of a list of provisions.
const JOINS: &[&str] = &[
    "以及", "或者", "、", "，", ",", "和", "及", "或", "与", "至",
];

const MAX_TITLE: usize = 40;

/// The text with spaces and line breaks dropped and OCR look-alikes mapped,
/// each char remembering its byte range in the original.
struct Norm {
    cs: Vec<char>,
    at: Vec<Range<usize>>,
}

impl Norm {
    fn new(text: &str) -> Norm {
        let mut cs = Vec::new();
        let mut at = Vec::new();
        for (i, c) in text.char_indices() {
            if c.is_whitespace() {
                continue;
            }
            let m = match c {
                '<' | '＜' | '〈' | '«' | '﹤' => '《',
                '>' | '＞' | '〉' | '»' | '﹥' => '》',
                '(' | '﹙' => '（',
                ')' | '﹚' => '）',
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '弟' => '第',
                _ => c,
            };
            cs.push(m);
            at.push(i..i + c.len_utf8());
        }
        Norm { cs, at }
    }

    fn starts_with(&self, j: usize, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(i, c)| self.cs.get(j + i) == Some(&c))
    }

    fn string(&self, r: Range<usize>) -> String {
        self.cs[r].iter().collect()
    }

    /// Byte range of normalised chars `r` (non-empty).
    fn bytes(&self, r: Range<usize>) -> Range<usize> {
        self.at[r.start].start..self.at[r.end - 1].end
    }
}

/// A number at `j`: (value, end).
fn number_at(n: &Norm, j: usize) -> Option<(u32, usize)> {
    let mut k = j;
    while k < n.cs.len() && is_number_char(n.cs[k]) && k - j < 8 {
        k += 1;
    }
    if k == j {
        return None;
    }
    parse_number(&n.string(j..k)).map(|v| (v, k))
}

/// `第 N <unit>` at `j`: (N, end).
fn numbered(n: &Norm, j: usize, unit: char) -> Option<(u32, usize)> {
    if n.cs.get(j) != Some(&'第') {
        return None;
    }
    let (v, k) = number_at(n, j + 1)?;
    (n.cs.get(k) == Some(&unit) && v > 0).then_some((v, k + 1))
}

/// An item at `j`: `第（五）项`, `第五项`, `（五）项`, `（五）`.
fn item_at(n: &Norm, j: usize) -> Option<(u32, usize)> {
    if let Some(r) = numbered(n, j, '项') {
        return Some(r);
    }
    let open = if n.cs.get(j) == Some(&'第') {
        j + 1
    } else {
        j
    };
    if n.cs.get(open) != Some(&'（') {
        return None;
    }
    let (v, k) = number_at(n, open + 1)?;
    if n.cs.get(k) != Some(&'）') || v == 0 {
        return None;
    }
    let end = if n.cs.get(k + 1) == Some(&'项') {
        k + 2
    } else {
        k + 1
    };
    // `第（五）` needs its 项 unless it follows directly; `（五）` alone is accepted.
    Some((v, end))
}

/// Skips a join (`、`, `和` …) at `j`.
fn join_at(n: &Norm, j: usize) -> Option<usize> {
    JOINS
        .iter()
        .find(|w| n.starts_with(j, w))
        .map(|w| j + w.chars().count())
}

fn is_law_title(t: &str) -> bool {
    let len = t.chars().count();
    (2..=MAX_TITLE).contains(&len) && TITLE_ENDINGS.iter().any(|e| t.ends_with(e))
}

/// A title opening at `j` (`《`): (title, end after `》`). Accepts a lost `》`
/// when the title's ending is followed by `第`.
fn title_at(n: &Norm, j: usize) -> Option<(String, usize)> {
    if n.cs.get(j) != Some(&'《') {
        return None;
    }
    let lim = (j + 1 + MAX_TITLE + 1).min(n.cs.len());
    for k in j + 1..lim {
        match n.cs[k] {
            '》' => {
                let t = n.string(j + 1..k);
                // Any title followed by an article is cited as a law (its
                // ending may be an OCR slip: 《…食品安全去》第三十四条).
                let cited = k - j > 2 && numbered(n, k + 1, '条').is_some();
                return (is_law_title(&t) || cited).then_some((t, k + 1));
            }
            '《' | '。' | '；' => break,
            '第' if k > j + 1 => {
                let t = n.string(j + 1..k);
                if is_law_title(&t) && numbered(n, k, '条').is_some() {
                    return Some((t, k));
                }
            }
            _ => {}
        }
    }
    None
}

/// A title whose `《` OCR lost, ending at `close` (`》`): back to the
/// previous punctuation or a verb like 违反 / 依据.
fn title_before(n: &Norm, close: usize) -> Option<(usize, String)> {
    const LEADS: &[&str] = &[
        "违反了",
        "违反",
        "依据",
        "根据",
        "依照",
        "按照",
        "适用",
        "对照",
    ];
    let mut s = close;
    while s > 0 && close - s < MAX_TITLE {
        let c = n.cs[s - 1];
        if !('\u{4e00}'..='\u{9fff}').contains(&c) {
            break;
        }
        s -= 1;
    }
    let mut start = s;
    let whole = n.string(s..close);
    // The title starts after the last lead verb.
    for lead in LEADS {
        if let Some(p) = whole.rfind(lead) {
            let chars_before = whole[..p].chars().count() + lead.chars().count();
            start = start.max(s + chars_before);
        }
    }
    let t = n.string(start..close);
    is_law_title(&t).then_some((start, t))
}

/// Skips a version note after a title: `（2021年修订）`.
fn skip_version_note(n: &Norm, j: usize) -> usize {
    if n.cs.get(j) != Some(&'（') {
        return j;
    }
    let close = (j + 1..(j + 14).min(n.cs.len())).find(|&k| n.cs[k] == '）');
    match close {
        Some(k) if n.cs[j..k].contains(&'年') => k + 1,
        _ => j,
    }
}

/// Whether a title without an article, ending at `k`, is cited as a basis
/// (`…》的规定`, also `…》、《…》的规定`).
fn cited_as_basis(n: &Norm, mut k: usize) -> bool {
    for _ in 0..6 {
        if RULE_WORDS.iter().any(|w| n.starts_with(k, w)) {
            return true;
        }
        let Some(j) = join_at(n, k) else { return false };
        let Some((_, end)) = title_at(n, j) else {
            return false;
        };
        if numbered(n, end, '条').is_some() {
            return false;
        }
        k = end;
    }
    false
}

/// One provision parsed from a list.
struct Prov {
    article: u32,
    paragraph: Option<u32>,
    item: Option<u32>,
    range: Range<usize>,
}

/// A list of provisions starting at `j` with an article; (provisions, end).
fn provisions_at(n: &Norm, j: usize) -> (Vec<Prov>, usize) {
    let mut out = Vec::new();
    let Some((mut article, mut k)) = numbered(n, j, '条') else {
        return (out, j);
    };
    let mut start = j;
    let mut paragraph = None;
    if let Some((p, e)) = numbered(n, k, '款') {
        paragraph = Some(p);
        k = e;
    }
    loop {
        // Items of the current article (and paragraph).
        let mut any_item = false;
        let mut kk = k;
        while let Some((it, e)) = item_at(n, kk) {
            out.push(Prov {
                article,
                paragraph,
                item: Some(it),
                range: start..e,
            });
            any_item = true;
            k = e;
            let Some(after) = join_at(n, e) else { break };
            if item_at(n, after).is_none() {
                break;
            }
            start = after;
            kk = after;
        }
        if !any_item {
            out.push(Prov {
                article,
                paragraph,
                item: None,
                range: start..k,
            });
        }
        // A further article or paragraph of the list.
        let Some(after) = join_at(n, k) else { break };
        if let Some((a, e)) = numbered(n, after, '条') {
            article = a;
            paragraph = None;
            start = after;
            k = e;
            if let Some((p, e2)) = numbered(n, k, '款') {
                paragraph = Some(p);
                k = e2;
            }
        } else if let Some((p, e)) = numbered(n, after, '款') {
            paragraph = Some(p);
            start = after;
            k = e;
        } else {
            break;
        }
    }
    (out, k)
}

/// Finds every statutory citation in `text` (see the module doc).
pub fn parse_citations(text: &str) -> Vec<Citation> {
    let n = Norm::new(text);
    let mut out = Vec::new();
    let mut last_law: Option<String> = None;
    let mut j = 0;
    while j < n.cs.len() {
        // 《title》 or a title whose 《 was lost.
        let titled = match title_at(&n, j) {
            Some((t, end)) => Some((j, t, end)),
            None if n.cs[j] == '》' => title_before(&n, j).map(|(s, t)| (s, t, j + 1)),
            None => None,
        };
        if let Some((start, title, end)) = titled {
            let end = skip_version_note(&n, end);
            let (provs, pend) = provisions_at(&n, end);
            if provs.is_empty() {
                out.push(Citation {
                    span: n.bytes(start..end),
                    law_title: Some(title.clone()),
                    inherited: false,
                    article: None,
                    paragraph: None,
                    item: None,
                    as_basis: cited_as_basis(&n, end),
                    raw: text[n.bytes(start..end)].to_string(),
                });
            } else {
                push_list(&mut out, text, &n, &title, false, start, provs);
            }
            last_law = Some(title);
            j = pend.max(end);
            continue;
        }
        if let Some(law) = &last_law {
            if let Some(w) = BACK_REFERENCES.iter().find(|w| n.starts_with(j, w)) {
                let after = j + w.chars().count();
                let (provs, pend) = provisions_at(&n, after);
                if !provs.is_empty() {
                    push_list(&mut out, text, &n, &law.clone(), true, j, provs);
                    j = pend;
                    continue;
                }
            }
        }
        j += 1;
    }
    out
}

fn push_list(
    out: &mut Vec<Citation>,
    text: &str,
    n: &Norm,
    title: &str,
    inherited: bool,
    start: usize,
    provs: Vec<Prov>,
) {
    for (i, p) in provs.into_iter().enumerate() {
        let r = if i == 0 { start..p.range.end } else { p.range };
        let span = n.bytes(r);
        out.push(Citation {
            raw: text[span.clone()].to_string(),
            span,
            law_title: Some(title.to_string()),
            inherited: inherited || i > 0,
            article: Some(p.article),
            paragraph: p.paragraph,
            item: p.item,
            as_basis: true,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Short = (String, Option<u32>, Option<u32>, Option<u32>);

    fn short(cs: &[Citation]) -> Vec<Short> {
        cs.iter()
            .map(|c| {
                (
                    c.law_title.clone().unwrap_or_default(),
                    c.article,
                    c.paragraph,
                    c.item,
                )
            })
            .collect()
    }

    fn t(s: &str, a: Option<u32>, p: Option<u32>, i: Option<u32>) -> Short {
        (s.to_string(), a, p, i)
    }

    #[test]
    fn full_citation() {
        let text = "违反了《中华人民共和国食品安全法》第三十四条第（十）项的规定";
        let cs = parse_citations(text);
        assert_eq!(
            short(&cs),
            vec![t("中华人民共和国食品安全法", Some(34), None, Some(10))]
        );
        assert_eq!(
            cs[0].raw,
            "《中华人民共和国食品安全法》第三十四条第（十）项"
        );
        assert_eq!(&text[cs[0].span.clone()], cs[0].raw);
        assert_eq!(cs[0].char_span(text), 3..3 + cs[0].raw.chars().count());
    }

    #[test]
    fn ocr_noise_and_line_breaks() {
        // From /tmp/tune-run d4242-002 page 18 (real OCR).
        let text = "逾期不缴纳罚款的，依据《中华\n人民共和国行政处罚法》第七十二条第一款第（一）项的规定，每日按";
        assert_eq!(
            short(&parse_citations(text)),
            vec![t("中华人民共和国行政处罚法", Some(72), Some(1), Some(1))]
        );
        let text = "依据<中华人民共和国行政强制法 >第二十八条第一款第(四)项";
        assert_eq!(
            short(&parse_citations(text)),
            vec![t("中华人民共和国行政强制法", Some(28), Some(1), Some(4))]
        );
        let text = "违反了《公共场所卫生管理条例》第十四条第一款第（四)\n项的规定";
        assert_eq!(
            short(&parse_citations(text)),
            vec![t("公共场所卫生管理条例", Some(14), Some(1), Some(4))]
        );
        let text = "依据《中华人民共和国食品安全法第124条第1款第（五）项";
        assert_eq!(
            short(&parse_citations(text)),
            vec![t("中华人民共和国食品安全法", Some(124), Some(1), Some(5))]
        );
    }

    #[test]
    fn version_note_after_the_title() {
        let text = "依据《中华人民共和国行政处罚法》（2021年修订）第五十四条";
        assert_eq!(
            short(&parse_citations(text)),
            vec![t("中华人民共和国行政处罚法", Some(54), None, None)]
        );
    }

    #[test]
    fn lists_and_back_references() {
        let text = "《中华人民共和国行政强制法》第十条、第十一条第一款、第二款和该法第二十五条第（一）项、第（三）项";
        assert_eq!(
            short(&parse_citations(text)),
            vec![
                t("中华人民共和国行政强制法", Some(10), None, None),
                t("中华人民共和国行政强制法", Some(11), Some(1), None),
                t("中华人民共和国行政强制法", Some(11), Some(2), None),
                t("中华人民共和国行政强制法", Some(25), None, Some(1)),
                t("中华人民共和国行政强制法", Some(25), None, Some(3)),
            ]
        );
    }

    #[test]
    fn law_without_article_and_non_laws() {
        let cs = parse_citations(
            "当事人违反了《中华人民共和国食品安全法》的规定。经营《公共场所卫生许可证》后",
        );
        assert_eq!(
            short(&cs),
            vec![t("中华人民共和国食品安全法", None, None, None)]
        );
        assert!(cs[0].as_basis);
        let cs =
            parse_citations("根据《中华人民共和国土地管理法》、《中华人民共和国城乡规划法》的规定");
        assert_eq!(cs.len(), 2);
        assert!(cs.iter().all(|c| c.as_basis && c.article.is_none()));
        let cs = parse_citations("学习《中华人民共和国行政处罚法》宣传册");
        assert_eq!(cs.len(), 1);
        assert!(!cs[0].as_basis);
    }
}
