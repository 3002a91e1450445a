//! Goals: a share of an insats' tallies of one kind with given values, at least or at most a target.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    AtLeast,
    AtMost,
}

impl Comparator {
    pub fn parse(s: &str) -> Option<Comparator> {
        match s {
            "at_least" => Some(Comparator::AtLeast),
            "at_most" => Some(Comparator::AtMost),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Comparator::AtLeast => "at_least",
            Comparator::AtMost => "at_most",
        }
    }
    /// "minst" / "högst".
    pub fn label(self) -> &'static str {
        match self {
            Comparator::AtLeast => "minst",
            Comparator::AtMost => "högst",
        }
    }
}

/// A goal as stored for an insats and year.
#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub id: i64,
    pub insats_id: i64,
    pub year: i32,
    pub key: String,
    pub label: String,
    /// The tallies counted: the denominator.
    pub kind_id: i64,
    /// The dimension whose values make the numerator.
    pub dimension_id: i64,
    pub value_ids: Vec<i64>,
    pub comparator: Comparator,
    /// Target in basis points: 4500 = 45 %.
    pub target_bp: i64,
}

/// A goal to store, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct NewGoal {
    pub key: String,
    pub label: String,
    pub kind_id: i64,
    pub dimension_id: i64,
    pub value_ids: Vec<i64>,
    pub comparator: Comparator,
    pub target_bp: i64,
}

/// Parses a percentage typed by a person: "45", "45 %", "12,5", "12.5". Returns basis points.
pub fn parse_percent(s: &str) -> Option<i64> {
    let t = s.trim().trim_end_matches('%').trim().replace(',', ".");
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let v: f64 = t.parse().ok()?;
    let bp = (v * 100.0).round();
    ((0.0..=10000.0).contains(&bp) && ((v * 100.0) - bp).abs() < 1e-6).then_some(bp as i64)
}

/// A slug from a label: lower-case ASCII letters, digits and underscores (å, ä → a, ö → o).
pub fn slug(label: &str) -> String {
    let mut out = String::new();
    for c in label.to_lowercase().chars() {
        let c = match c {
            'å' | 'ä' | 'á' | 'à' => 'a',
            'ö' | 'ó' | 'ø' => 'o',
            'é' | 'è' => 'e',
            'ü' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_parsing_accepts_swedish_forms() {
        assert_eq!(parse_percent("45"), Some(4500));
        assert_eq!(parse_percent("45 %"), Some(4500));
        assert_eq!(parse_percent("12,5"), Some(1250));
        assert_eq!(parse_percent("0"), Some(0));
        assert_eq!(parse_percent("100"), Some(10000));
        for bad in ["", "101", "-5", "abc", "1e2", "12,345"] {
            assert_eq!(parse_percent(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(slug("Egen försörjning"), "egen_forsorjning");
        assert_eq!(slug("  Står till AF:s förfogande! "), "star_till_af_s_forfogande");
    }
}
