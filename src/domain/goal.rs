//! Goals per insats and year: a share of tallies, a count, or a cost per participant, at least or
//! at most a target.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

/// What a count goal counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Participants during the year (enrolled at the start + entries).
    Participants,
    /// Tallies of a kind (with one of the numerator values, if any are given).
    Tallies,
    /// Attendees at events of a kind.
    Attendees,
}

impl Measure {
    pub fn parse(s: &str) -> Option<Measure> {
        match s {
            "participants" => Some(Measure::Participants),
            "tallies" => Some(Measure::Tallies),
            "attendees" => Some(Measure::Attendees),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Participants => "participants",
            Measure::Tallies => "tallies",
            Measure::Attendees => "attendees",
        }
    }
}

/// What a goal measures and its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoalSpec {
    /// Σ tallies of `kind_id` with a numerator value / Σ with a denominator value (all tallies of
    /// the kind when `denominator` is empty), only those with `scope_value_id` if set.
    /// With `by_respondent`, a returned questionnaire counts once instead of each answer: among
    /// the tallies answering at least one of the goal's questions (the dimensions of its values),
    /// those whose every answer to them is a numerator value.
    Share {
        kind_id: i64,
        scope_value_id: Option<i64>,
        numerator: Vec<i64>,
        denominator: Vec<i64>,
        target_bp: i64,
        by_respondent: bool,
    },
    /// A number: participants, tallies (of `kind_id`, with a numerator value if any) or attendees.
    Count { measure: Measure, kind_id: Option<i64>, numerator: Vec<i64>, target: i64 },
    /// The year's outcome in kronor (the budget while there is none) per participant.
    CostPerParticipant { target_kr: i64 },
}

impl GoalSpec {
    pub fn type_str(&self) -> &'static str {
        match self {
            GoalSpec::Share { .. } => "share",
            GoalSpec::Count { .. } => "count",
            GoalSpec::CostPerParticipant { .. } => "cost_per_participant",
        }
    }
    pub fn kind_id(&self) -> Option<i64> {
        match self {
            GoalSpec::Share { kind_id, .. } => Some(*kind_id),
            GoalSpec::Count { kind_id, .. } => *kind_id,
            GoalSpec::CostPerParticipant { .. } => None,
        }
    }
    /// The target as stored: basis points for a share, a number or kronor otherwise.
    pub fn target_text(&self) -> String {
        match self {
            GoalSpec::Share { target_bp, .. } => format!("{target_bp} bp"),
            GoalSpec::Count { target, .. } => target.to_string(),
            GoalSpec::CostPerParticipant { target_kr } => format!("{target_kr} kr"),
        }
    }
}

/// A goal as stored for an insats and year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    pub id: i64,
    pub insats_id: i64,
    /// The first year of the span the goal is for; `year` for a yearly goal.
    pub first_year: i32,
    /// The (last) year the goal is for.
    pub year: i32,
    pub key: String,
    pub label: String,
    pub comparator: Comparator,
    pub spec: GoalSpec,
    /// The other end of the "delvis uppfyllt" band, in the target's unit (basis points, a number,
    /// kronor): below the target of an "at least" goal, above that of an "at most" goal.
    pub partial: Option<i64>,
    /// An expected outcome rather than a floor or a ceiling to steer by.
    pub expectation: bool,
}

/// A goal to store, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGoal {
    pub key: String,
    pub label: String,
    pub comparator: Comparator,
    pub spec: GoalSpec,
    pub partial: Option<i64>,
    pub expectation: bool,
}

/// A goal's verdict, in the words of the annual reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// "Uppfyllt".
    Met,
    /// "Delvis uppfyllt": short of the target, within the goal's band.
    PartlyMet,
    /// "Inte uppfyllt".
    NotMet,
    /// Nothing to measure yet.
    Unknown,
}

impl Verdict {
    /// From whether the target is met and whether the figure is within the partial band.
    pub fn of(met: Option<bool>, within_band: bool) -> Verdict {
        match met {
            None => Verdict::Unknown,
            Some(true) => Verdict::Met,
            Some(false) if within_band => Verdict::PartlyMet,
            Some(false) => Verdict::NotMet,
        }
    }
    /// "Uppfyllt", "Delvis uppfyllt", "Inte uppfyllt", "Kan inte mätas än".
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Met => "Uppfyllt",
            Verdict::PartlyMet => "Delvis uppfyllt",
            Verdict::NotMet => "Inte uppfyllt",
            Verdict::Unknown => "Kan inte mätas än",
        }
    }
    /// A symbol beside the words (never colour alone).
    pub fn symbol(self) -> &'static str {
        match self {
            Verdict::Met => "✔",
            Verdict::PartlyMet => "◐",
            Verdict::NotMet => "✘",
            Verdict::Unknown => "–",
        }
    }
    /// The CSS class of a goal with this verdict.
    pub fn class(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::PartlyMet => "partly",
            Verdict::NotMet => "unmet",
            Verdict::Unknown => "unknown",
        }
    }
}

/// Whether a band end lies on the right side of the target: below it for "at least", above it for
/// "at most" (a band that starts at the target would never be used).
pub fn band_fits(cmp: Comparator, target: i64, partial: i64) -> bool {
    match cmp {
        Comparator::AtLeast => partial < target,
        Comparator::AtMost => partial > target,
    }
}

/// Parses a whole number typed by a person: "500", "20 000", "20000 kr".
pub fn parse_amount(s: &str) -> Option<i64> {
    let t: String = s.trim().trim_end_matches("kr").chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() || t.len() > 12 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
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
/// Whether a text is a goal key: 1–64 of `a`–`z`, `0`–`9` and `_` (what `slug` and the presets make).
pub fn is_key(key: &str) -> bool {
    (1..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

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
    fn amounts_accept_spaces_and_kronor() {
        assert_eq!(parse_amount("500"), Some(500));
        assert_eq!(parse_amount("20 000"), Some(20_000));
        assert_eq!(parse_amount("20 000 kr"), Some(20_000));
        for bad in ["", "-1", "1,5", "abc", "1e3"] {
            assert_eq!(parse_amount(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(slug("Egen försörjning"), "egen_forsorjning");
        assert_eq!(slug("  Står till AF:s förfogande! "), "star_till_af_s_forfogande");
    }
}
