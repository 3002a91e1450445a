//! Pure arithmetic from count rows to the yearly report. No SQL, no HTML.
//!
//! Participants during the year = enrolled at the start + entries. Enrolled at the start of a year
//! is the net of all earlier entries and exits, per gender and category value, so the number still
//! enrolled can be followed per category. Nothing is clamped: a negative balance is a data problem
//! and is reported as one.

pub mod chart;
pub mod coverage;
pub mod csv;
pub mod earlier;
mod goal_status;
pub mod goals;
pub mod json;
pub mod protect;
pub mod publish;
pub mod sections;
pub mod span;
pub mod summary;
pub mod tables;
pub mod trend;
pub mod xlsx;
mod yearly;

use yearly::{Ctx, share};
pub use yearly::{Inputs, UNSTATED_GENDER, yearly};

use crate::domain::event::StoredEvent;
use crate::domain::{Comparator, Config, Dimension, Flow, Goal, Insats, Role, Shape};
use crate::store::event::Budget;
use crate::store::tally::{CountRow, FOLDED_BACK};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct KeyLabel {
    pub key: String,
    pub label: String,
}

/// The flow of participants over one year.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FlowFigures {
    /// Participants during the year: at_start + entries.
    pub total: i64,
    pub at_start: i64,
    pub entries: i64,
    pub exits: i64,
    pub at_end: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct YearFlow {
    #[serde(flatten)]
    pub figures: FlowFigures,
    pub by_gender: BTreeMap<String, FlowFigures>,
}

/// A count and its share of the column total (`None` when the total is 0).
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Cell {
    pub count: i64,
    pub share: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Figure {
    pub count: i64,
    pub share: Option<f64>,
    pub by_gender: BTreeMap<String, Cell>,
}

/// One row of a distribution table: a category value (or a group of values), split by gender,
/// with the previous year beside it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Row {
    pub key: String,
    pub label: String,
    pub count: i64,
    pub share: Option<f64>,
    pub by_gender: BTreeMap<String, Cell>,
    pub previous_year: Figure,
    /// A value group (e.g. "egen försörjning"), not a single value.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub group: bool,
    /// Tallies that did not state this category (only for optional dimensions).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unstated: bool,
    /// The representative months of a duration band (for the mean time in the programme).
    #[serde(skip)]
    pub months: Option<f64>,
    /// The canonical tag of what the row counts within its kind (`dimension.value`, see
    /// `set_tag`), for small-number protection.
    #[serde(skip)]
    pub tag: String,
    /// A group's member tags: the group is their sum.
    #[serde(skip)]
    pub parts: Vec<String>,
}

/// The canonical name of a set of values of one dimension: `dim.*` for all of them, `dim.+` for
/// its positive ones, `dim.value` for one, else the sorted keys joined by `+`. The same set has the
/// same name wherever it is counted, so protection sees that it is the same number.
pub fn set_tag(dim: &Dimension, ids: &[i64]) -> String {
    let mut set: Vec<i64> = ids.to_vec();
    set.sort_unstable();
    set.dedup();
    let mut all: Vec<i64> = dim.values.iter().map(|v| v.id).collect();
    all.sort_unstable();
    let mut positive: Vec<i64> = dim.values.iter().filter(|v| v.positive).map(|v| v.id).collect();
    positive.sort_unstable();
    if set == all && all.len() > 1 {
        return format!("{}.*", dim.key);
    }
    if set == positive && positive.len() > 1 {
        return format!("{}.+", dim.key);
    }
    let mut keys: Vec<&str> = set.iter().filter_map(|id| dim.value_by_id(*id)).map(|v| v.key.as_str()).collect();
    keys.sort_unstable();
    format!("{}.{}", dim.key, keys.join("+"))
}

/// What a goal's figures rest on, per (year, gender column or `*`), for small-number protection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoalBasis {
    /// Sums that tie the goal's numerator and denominator to the counts they add up.
    pub sums: Vec<protect::Sum>,
    pub figures: BTreeMap<(i32, String), GoalFigure>,
}

/// A goal figure is shown when `deps` are and `den` (if any) is at least the threshold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoalFigure {
    pub den: Option<protect::Q>,
    pub deps: Vec<protect::Q>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Participants {
    pub total: i64,
    pub at_start: i64,
    pub entries: i64,
    pub exits: i64,
    pub at_end: i64,
    pub by_gender: BTreeMap<String, FlowFigures>,
    pub previous_year: YearFlow,
    /// Participants during the year by municipality, split by gender.
    pub by_municipality: Vec<Row>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct CategoryTable {
    pub key: String,
    pub label: String,
    /// Distribution among participants during the year.
    pub participants: Vec<Row>,
    /// Distribution among new entries of the year.
    pub entries: Vec<Row>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Exits {
    pub total: i64,
    /// Exits as a share of participants during the year.
    pub share_of_participants: Option<f64>,
    /// Exits per gender and their share of that gender's participants.
    pub by_gender: BTreeMap<String, Cell>,
    pub previous_year: ExitsPrevious,
    /// Count and share of exits per exit reason.
    pub by_reason: Vec<Row>,
    /// Configured combinations of reasons, e.g. "egen försörjning".
    pub combined: Vec<Row>,
    /// Mean months in the programme among exits (from the duration bands' representative months).
    pub mean_months: Option<f64>,
    pub mean_months_by_gender: BTreeMap<String, Option<f64>>,
    /// Distribution of time in the programme among exits.
    pub duration: Vec<Row>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ExitsPrevious {
    pub total: i64,
    pub share_of_participants: Option<f64>,
    pub mean_months: Option<f64>,
    pub mean_months_by_gender: BTreeMap<String, Option<f64>>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct GoalStatus {
    pub key: String,
    pub label: String,
    /// `share`, `count` or `cost_per_participant`.
    #[serde(rename = "type")]
    pub goal_type: &'static str,
    pub comparator: Comparator,
    /// A share: 0–1; a count: the number; a cost: kronor per person.
    pub target: f64,
    /// A share: the matching tallies; a count: the number counted; a cost: kronor (outcome or budget).
    pub numerator: i64,
    /// A share: the tallies it is a share of; a cost: the people it is divided among; a count: 0.
    pub denominator: i64,
    /// A share 0–1, a number, or kronor per person (`None` with nothing to measure yet).
    pub actual: Option<f64>,
    pub actual_by_gender: BTreeMap<String, Option<f64>>,
    /// The same measure in the previous year (against this year's definition).
    pub previous_actual: Option<f64>,
    /// Whether the target is reached.
    pub met: Option<bool>,
    /// The verdict the annual report uses: uppfyllt, delvis uppfyllt (within `partial`), inte
    /// uppfyllt.
    pub verdict: crate::domain::Verdict,
    /// The other end of the "delvis uppfyllt" band, in the target's unit (a share 0–1).
    pub partial: Option<f64>,
    /// An expected outcome ("förväntan"), not a floor or a ceiling.
    pub expectation: bool,
    /// A share of survey answers: `answers` or `respondents` (one per questionnaire); else `null`.
    pub unit: Option<&'static str>,
    /// A share: the fewest additional tallies that would meet the goal; a count: how many more are
    /// needed; a cost: how many more people at the same cost.
    pub needed_more: Option<i64>,
    /// A share: how many of this year's tallies would have had to be different; a count: the same
    /// as `needed_more`; a cost: how many kronor lower the cost would have had to be.
    pub short_by: Option<i64>,
    /// The numerator values, by key (`dimension.value` when they span several dimensions).
    pub values: Vec<String>,
    /// The status in plain Swedish.
    pub summary: String,
    #[serde(skip)]
    pub basis: GoalBasis,
}

/// A category cell where more people left than were ever enrolled.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct FlowProblem {
    pub dimension: String,
    pub value: String,
    pub gender: String,
    pub enrolled: i64,
    pub exits: i64,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Report {
    pub association: String,
    pub insats: KeyLabel,
    pub year: i32,
    pub previous_year: i32,
    /// The gender columns in order (the total column is implied).
    pub genders: Vec<KeyLabel>,
    /// The municipality dimension (role `area`) behind `participants.by_municipality`, if any.
    pub area: Option<KeyLabel>,
    pub participants: Participants,
    pub categories: Vec<CategoryTable>,
    pub exits: Exits,
    pub goals: Vec<GoalStatus>,
    /// The year the goals were set for (an earlier year's goals apply until new ones are set).
    pub goals_year: Option<i32>,
    pub flow_problems: Vec<FlowProblem>,
    /// Whether the insats has entries and exits (else the participant tables are left out).
    pub has_flow: bool,
    /// The five years trend tables show, oldest first.
    pub years: Vec<i32>,
    /// One section per other kind of tally: guidance, surveys, violence questions, ratings.
    pub sections: Vec<sections::KindSection>,
    /// Structural events, one section per event kind.
    pub events: Vec<sections::EventSection>,
    /// Budget, outcome and cost per participant, when a budget or outcome is entered.
    pub cost: Option<sections::Cost>,
    /// Set when the huvudman has closed the year: by whom and when (UTC).
    pub closed: Option<crate::store::closure::Closure>,
    /// The keys of the entry and exit kinds, when the insats has both.
    #[serde(skip)]
    pub flow_kinds: Option<(String, String)>,
    /// The report's years whose figures (or some of them) come from earlier annual reports.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub earlier_years: Vec<i32>,
    /// Those figures, by the quantity each stands for (see `earlier`): never in the flow arithmetic.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<earlier::Reported>,
}

/// The protection rule an association has configured.
pub fn rule(config: &Config) -> protect::Rule {
    let p = &config.privacy;
    let mut rule = match p.method {
        crate::domain::PrivacyMethod::Suppression => protect::Rule::new(p.threshold, p.form.as_deref()),
        crate::domain::PrivacyMethod::CellKey => protect::Rule {
            form: protect::Rule::new(p.threshold, p.form.as_deref()).form,
            ..protect::Rule::cell_key(p.threshold, p.max_deviation, p.variance)
        },
    };
    rule.folded_genders = publish::folded_genders(config);
    rule
}
