//! Dossier IDs: the input's stem, made file-system-safe and unique.

use std::collections::HashSet;

/// A file-system-safe form of `stem`: path separators, characters Windows
/// forbids and control characters become `_`; leading dots and blanks go
/// (so an ID never names `.cache` or a hidden folder); at most 100 characters.
pub fn safe_id(stem: &str) -> String {
    let cleaned: String = stem
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .take(100)
        .collect();
    let trimmed = cleaned
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    if trimmed.is_empty() {
        "dossier".to_string()
    } else {
        trimmed.to_string()
    }
}

/// IDs for `stems` in order: safe, and unique ignoring case (a second
/// `2022-015` becomes `2022-015-2`).
pub fn unique_ids<'a>(stems: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut taken = HashSet::new();
    let mut out = Vec::new();
    for stem in stems {
        let base = safe_id(stem);
        let mut id = base.clone();
        let mut n = 2;
        while !taken.insert(id.to_lowercase()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        out.push(id);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_safe_and_unique() {
        let ids = unique_ids([
            "2022-015",
            "2022-015",
            "a/b:c",
            "..",
            "卷宗 一",
            "2022-015-2",
        ]);
        assert_eq!(
            ids,
            [
                "2022-015",
                "2022-015-2",
                "a_b_c",
                "dossier",
                "卷宗 一",
                "2022-015-2-2"
            ]
        );
    }
}
