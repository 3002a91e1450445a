//! A tally's only time: a year and a month.

use std::fmt;

/// The earliest year a tally may be dated to.
pub const MIN_YEAR: i32 = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    pub month: u32,
}

impl Period {
    pub fn new(year: i32, month: u32) -> Option<Period> {
        ((MIN_YEAR..=2999).contains(&year) && (1..=12).contains(&month)).then_some(Period { year, month })
    }

    /// Parses `YYYY-MM` exactly (four-digit year, two-digit month).
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        Period::new(y.parse().ok()?, m.parse().ok()?)
    }

    /// The month before this one.
    pub fn previous(self) -> Period {
        if self.month == 1 {
            Period { year: self.year - 1, month: 12 }
        } else {
            Period { year: self.year, month: self.month - 1 }
        }
    }

    /// Swedish month name and year, e.g. "mars 2026".
    pub fn label(self) -> String {
        const MONTHS: [&str; 12] = [
            "januari",
            "februari",
            "mars",
            "april",
            "maj",
            "juni",
            "juli",
            "augusti",
            "september",
            "oktober",
            "november",
            "december",
        ];
        format!("{} {}", MONTHS[(self.month - 1) as usize], self.year)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_exact_year_month() {
        assert_eq!(Period::parse("2026-03"), Some(Period { year: 2026, month: 3 }));
        assert_eq!(Period::parse(" 2026-12 "), Some(Period { year: 2026, month: 12 }));
        for bad in
            ["2026-3", "2026-13", "2026-00", "26-03", "2026/03", "2026-03-01", "", "abcd-ef", "1999-12", "+202-03"]
        {
            assert_eq!(Period::parse(bad), None, "{bad:?} should be refused");
        }
    }

    #[test]
    fn orders_and_steps_back() {
        let p = Period::parse("2026-01").unwrap();
        assert_eq!(p.previous(), Period::parse("2025-12").unwrap());
        assert!(Period::parse("2025-12").unwrap() < p);
        assert_eq!(p.to_string(), "2026-01");
        assert_eq!(Period::parse("2026-03").unwrap().label(), "mars 2026");
    }
}
