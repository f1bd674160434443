//! Statutory holidays and the State Council's adjusted working days (调休) for
//! 2018–2026, from `data/holidays.toml` (each year names its notice), and
//! night time for 行政强制法 第四十三条 (no execution at night or on statutory
//! holidays, emergencies aside).

pub use chrono::NaiveDate as Date;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use std::sync::OnceLock;

const DATA: &str = include_str!("../data/holidays.toml");

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Holiday {
    /// 元旦, 春节, 国庆节、中秋节 …
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The notice's own words for it.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Year {
    pub year: i32,
    /// The notice (and amendments) the dates come from.
    pub notice: String,
    /// Weekend days made working days (调休上班).
    pub workdays: Vec<NaiveDate>,
    pub holidays: Vec<Holiday>,
}

#[derive(Debug, Deserialize)]
struct File {
    year: Vec<Year>,
}

/// The years of the data file, oldest first.
pub fn years() -> &'static [Year] {
    static YEARS: OnceLock<Vec<Year>> = OnceLock::new();
    YEARS.get_or_init(|| {
        let mut f: File = toml::from_str(DATA).expect("crates/statutes/data/holidays.toml parses");
        f.year.sort_by_key(|y| y.year);
        f.year
    })
}

/// Whether the data has the notice for `date`'s year: outside it (before 2018,
/// after 2026) the answers below know only weekends, and a caller must not
/// report a holiday breach from them.
pub fn covers(date: NaiveDate) -> bool {
    years().iter().any(|y| y.year == date.year())
}

/// The statutory holiday period (放假) `date` falls in, if any.
pub fn holiday(date: NaiveDate) -> Option<&'static Holiday> {
    years()
        .iter()
        .flat_map(|y| &y.holidays)
        .find(|h| h.from <= date && date <= h.to)
}

/// A day of a statutory holiday period as the State Council's notice sets it
/// (including the weekend days it joins to the holiday).
pub fn is_statutory_holiday(date: NaiveDate) -> bool {
    holiday(date).is_some()
}

/// A weekend day the notice makes a working day (调休上班).
pub fn is_adjusted_workday(date: NaiveDate) -> bool {
    years().iter().any(|y| y.workdays.contains(&date))
}

/// A day off: a statutory holiday, or a Saturday or Sunday not made a working day.
pub fn is_rest_day(date: NaiveDate) -> bool {
    is_statutory_holiday(date)
        || (matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !is_adjusted_workday(date))
}

/// Night for 行政强制法 第四十三条: from 22:00 to 06:00 (22:00 is night, 06:00 is not).
pub fn is_night(hour: u32, minute: u32) -> bool {
    let m = hour * 60 + minute;
    !(6 * 60..22 * 60).contains(&m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn known_dates() {
        assert!(is_statutory_holiday(d("2024-10-01")));
        assert!(is_statutory_holiday(d("2024-10-07")));
        assert!(!is_statutory_holiday(d("2024-10-08")));
        assert!(is_adjusted_workday(d("2024-10-12")));
        assert!(
            !is_rest_day(d("2024-10-12")),
            "a Saturday made a working day"
        );
        assert!(is_rest_day(d("2024-10-13")), "an ordinary Sunday");
        assert!(!is_statutory_holiday(d("2024-10-13")));
        assert!(is_statutory_holiday(d("2024-02-10")));
        assert!(
            !is_rest_day(d("2024-02-18")),
            "Sunday 2024-02-18 was a working day"
        );
        assert!(
            is_statutory_holiday(d("2023-12-30")),
            "元旦 2024 joined to the weekend"
        );
        assert!(is_statutory_holiday(d("2020-02-02")), "春节 2020 extended");
        assert!(
            !is_adjusted_workday(d("2020-02-01")),
            "cancelled by the extension"
        );
        assert!(
            is_statutory_holiday(d("2019-05-04")),
            "劳动节 2019 as amended"
        );
        assert!(is_adjusted_workday(d("2019-05-05")));
        assert!(is_statutory_holiday(d("2026-02-23")));
        assert!(is_adjusted_workday(d("2026-01-04")));
        assert!(!is_rest_day(d("2023-06-21")), "an ordinary Wednesday");
        assert!(covers(d("2018-03-01")) && covers(d("2026-12-31")));
        assert!(!covers(d("2017-06-01")) && !covers(d("2027-01-01")));
    }

    #[test]
    fn night() {
        assert!(!is_night(21, 30));
        assert!(is_night(22, 0));
        assert!(is_night(23, 59));
        assert!(is_night(0, 0));
        assert!(is_night(5, 59));
        assert!(!is_night(6, 0));
        assert!(!is_night(14, 0));
    }

    /// The data agree with themselves: adjusted working days are weekends
    /// outside every holiday; a holiday period's weekdays are days the notice
    /// gave off, and each year's periods are in that year's span (元旦 may
    /// start in the December before).
    #[test]
    fn data_is_consistent() {
        let ys = years();
        assert_eq!(
            ys.iter().map(|y| y.year).collect::<Vec<_>>(),
            (2018..=2026).collect::<Vec<_>>()
        );
        for y in ys {
            assert!(y.notice.contains("国务院办公厅"), "{}", y.year);
            for w in &y.workdays {
                assert!(
                    matches!(w.weekday(), Weekday::Sat | Weekday::Sun),
                    "{w} is not a weekend day"
                );
                assert!(!is_statutory_holiday(*w), "{w} is both");
            }
            for h in &y.holidays {
                assert!(h.from <= h.to, "{}: {} {}", y.year, h.name, h.from);
                assert!((h.to - h.from).num_days() < 10);
                assert!(h.to.year() == y.year, "{}: {}", y.year, h.name);
            }
        }
    }

    /// Every holiday the generator may put an execution on (its world.toml,
    /// the `execution_on_holiday` defect takes a period's first day) is one here.
    #[test]
    fn generator_holidays_are_covered() {
        #[derive(Deserialize)]
        struct World {
            holiday: Vec<Period>,
        }
        #[derive(Deserialize)]
        struct Period {
            from: NaiveDate,
            to: NaiveDate,
        }
        let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../gen/data/world.toml");
        let w: World = toml::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        assert!(w.holiday.len() > 10);
        for h in w.holiday {
            let mut day = h.from;
            while day <= h.to {
                assert!(is_statutory_holiday(day), "generator holiday {day}");
                day = day.succ_opt().unwrap();
            }
        }
    }
}
