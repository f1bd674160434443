//! Periods: a year, a half-year (上半年 1 January – 30 June, 下半年 1 July –
//! 31 December), or a custom range of ISO dates, both ends included. A file
//! falls in a period by its closing date (结案), else its decision date.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// As written: `2023`, `2023H1`, `2023-03-01..2023-05-31`, `all`.
    pub key: String,
    /// First and last day, ISO; None: unbounded.
    pub start: Option<String>,
    pub end: Option<String>,
}

impl Period {
    pub fn all() -> Period {
        Period {
            key: "all".into(),
            start: None,
            end: None,
        }
    }

    pub fn year(y: i32) -> Period {
        Period {
            key: format!("{y}"),
            start: Some(format!("{y:04}-01-01")),
            end: Some(format!("{y:04}-12-31")),
        }
    }

    /// `half` 1 (上半年) or 2 (下半年).
    pub fn half(y: i32, half: u8) -> Period {
        let (s, e) = if half == 1 {
            ("01-01", "06-30")
        } else {
            ("07-01", "12-31")
        };
        Period {
            key: format!("{y}H{}", if half == 1 { 1 } else { 2 }),
            start: Some(format!("{y:04}-{s}")),
            end: Some(format!("{y:04}-{e}")),
        }
    }

    /// Reads `all`, `2023`, `2023H1` / `2023H2` (or `2023上半年` /
    /// `2023下半年`), `YYYY-MM-DD..YYYY-MM-DD`.
    pub fn parse(s: &str) -> Result<Period, String> {
        let s = s.trim();
        let bad = || {
            format!(
                "period {s:?}: write a year (2023), a half-year (2023H1, 2023H2) or a range (2023-01-01..2023-03-31)"
            )
        };
        if s.is_empty() || s == "all" {
            return Ok(Period::all());
        }
        if let Some((a, b)) = s.split_once("..") {
            let (a, b) = (a.trim(), b.trim());
            if !is_iso(a) || !is_iso(b) || a > b {
                return Err(bad());
            }
            return Ok(Period {
                key: format!("{a}..{b}"),
                start: Some(a.into()),
                end: Some(b.into()),
            });
        }
        let (y, rest) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
        let year: i32 = y.parse().map_err(|_| bad())?;
        if !(1900..=2999).contains(&year) || y.len() != 4 {
            return Err(bad());
        }
        match rest.trim_start_matches('年') {
            "" => Ok(Period::year(year)),
            "H1" | "h1" | "上半年" => Ok(Period::half(year, 1)),
            "H2" | "h2" | "下半年" => Ok(Period::half(year, 2)),
            _ => Err(bad()),
        }
    }

    pub fn contains(&self, date: &str) -> bool {
        self.start.as_deref().is_none_or(|s| date >= s)
            && self.end.as_deref().is_none_or(|e| date <= e)
    }

    /// The half-year or year before this one (None for a custom range).
    pub fn previous(&self) -> Option<Period> {
        let year: i32 = self.key.get(0..4)?.parse().ok()?;
        match &self.key[4..] {
            "" => Some(Period::year(year - 1)),
            "H1" => Some(Period::half(year - 1, 2)),
            "H2" => Some(Period::half(year, 1)),
            _ => None,
        }
    }

    /// In words: 2023年, 2023年上半年, 2023-03-01至2023-05-31, 全部.
    pub fn label(&self) -> String {
        let year = self.key.get(0..4).unwrap_or_default();
        match self.key.get(4..) {
            _ if self.key == "all" => "全部期间".into(),
            Some("") => format!("{year}年"),
            Some("H1") => format!("{year}年上半年"),
            Some("H2") => format!("{year}年下半年"),
            _ => format!(
                "{}至{}",
                self.start.as_deref().unwrap_or(""),
                self.end.as_deref().unwrap_or("")
            ),
        }
    }

    /// The half-year a date falls in (`2023H1`).
    pub fn half_of(date: &str) -> Option<Period> {
        let year: i32 = date.get(0..4)?.parse().ok()?;
        let month: u32 = date.get(5..7)?.parse().ok()?;
        Some(Period::half(year, if month <= 6 { 1 } else { 2 }))
    }
}

/// `2024-07-05` of a time in milliseconds (China Standard Time, UTC+8).
pub fn date_of(ms: i64) -> String {
    let days = (ms + 8 * 3_600_000).div_euclid(86_400_000);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Today in China (UTC+8), ISO.
pub fn today() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    date_of(ms)
}

fn is_iso(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && s.chars()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::Period;

    #[test]
    fn periods_read_and_follow_each_other() {
        let h1 = Period::parse("2023H1").unwrap();
        assert!(h1.contains("2023-06-30") && !h1.contains("2023-07-01"));
        assert_eq!(h1.label(), "2023年上半年");
        assert_eq!(h1.previous().unwrap().key, "2022H2");
        assert_eq!(Period::parse("2023下半年").unwrap().key, "2023H2");
        assert_eq!(
            Period::parse("2023H2").unwrap().previous().unwrap().key,
            "2023H1"
        );
        let r = Period::parse("2023-03-01..2023-05-31").unwrap();
        assert!(r.contains("2023-03-01") && r.contains("2023-05-31") && !r.contains("2023-06-01"));
        assert!(r.previous().is_none());
        assert!(Period::parse("23H1").is_err());
        assert!(Period::parse("2023-05-31..2023-03-01").is_err());
        assert_eq!(Period::half_of("2022-11-02").unwrap().key, "2022H2");
    }
}
