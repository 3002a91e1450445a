//! A tally: insats, kind, month and one value per dimension. Validation turns raw input (from a
//! form or a JSON body) into a `NewTally` or a list of Swedish field errors.

use super::{Config, Period};
use serde::Serialize;

/// One problem with the input, in Swedish, tied to the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// `insats`, `kind`, `period`, `values` or `values.<dimension key>`; empty for the whole input.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), message: message.into() }
    }
}

/// Input as it arrives, before anything is known to be valid.
#[derive(Debug, Clone, Default)]
pub struct RawTally {
    pub insats: Option<String>,
    pub kind: Option<String>,
    /// `None` or empty means this month.
    pub period: Option<String>,
    /// (dimension key, value key) in the order given; duplicates are an error.
    pub values: Vec<(String, String)>,
    /// Fields (`insats`, `kind`, `period`, …) that were given more than once: an error each.
    pub duplicates: Vec<String>,
}

/// A validated tally, ready to store. The types carry the proof: every id exists and fits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTally {
    pub insats_id: i64,
    pub kind_id: i64,
    pub period: Period,
    /// (dimension id, value id), in the kind's dimension order.
    pub values: Vec<(i64, i64)>,
    /// The value of the gender dimension, if the kind takes one (0 otherwise): the count split.
    pub split_value_id: i64,
    /// The value of the kind's scope dimension (0 if it has none).
    pub scope_value_id: i64,
}

/// A tally as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTally {
    pub id: i64,
    pub insats_id: i64,
    pub kind_id: i64,
    pub period: Period,
    pub values: Vec<(i64, i64)>,
    pub void_reason: Option<VoidReason>,
    /// The account that registered it (none for demo data and tallies from before accounts).
    pub author: Option<i64>,
}

/// Why a tally was voided. A tally is never deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VoidReason {
    Felregistrering,
    Dubblett,
    FelPeriod,
    FelInsats,
    Annat,
    /// The whole import the tally came from was undone (never chosen by hand).
    ImportAngrad,
}

impl VoidReason {
    pub fn as_str(self) -> &'static str {
        match self {
            VoidReason::Felregistrering => "felregistrering",
            VoidReason::Dubblett => "dubblett",
            VoidReason::FelPeriod => "fel_period",
            VoidReason::FelInsats => "fel_insats",
            VoidReason::Annat => "annat",
            VoidReason::ImportAngrad => "import_angrad",
        }
    }
    /// A reason a person may give (`ALL`): `import_angrad` is set only by undoing an import.
    pub fn parse(s: &str) -> Option<VoidReason> {
        VoidReason::parse_stored(s).filter(|r| *r != VoidReason::ImportAngrad)
    }
    /// Any reason as stored.
    pub fn parse_stored(s: &str) -> Option<VoidReason> {
        Some(match s {
            "import_angrad" => VoidReason::ImportAngrad,
            "felregistrering" => VoidReason::Felregistrering,
            "dubblett" => VoidReason::Dubblett,
            "fel_period" => VoidReason::FelPeriod,
            "fel_insats" => VoidReason::FelInsats,
            "annat" => VoidReason::Annat,
            _ => return None,
        })
    }
    pub const ALL: [VoidReason; 5] = [
        VoidReason::Felregistrering,
        VoidReason::Dubblett,
        VoidReason::FelPeriod,
        VoidReason::FelInsats,
        VoidReason::Annat,
    ];

    pub fn label(self) -> &'static str {
        match self {
            VoidReason::Felregistrering => "Felregistrering",
            VoidReason::Dubblett => "Dubblett",
            VoidReason::FelPeriod => "Fel period",
            VoidReason::FelInsats => "Fel insats",
            VoidReason::Annat => "Annat",
            VoidReason::ImportAngrad => "Import ångrad",
        }
    }
}

/// An error for each field given more than once.
pub(crate) fn duplicate_errors(duplicates: &[String]) -> Vec<FieldError> {
    duplicates.iter().map(|f| FieldError::new(f.as_str(), format!("”{f}” är angiven mer än en gång."))).collect()
}

/// The insats a new tally or event is for: it must exist and take new tallies.
pub(crate) fn open_insats<'a>(
    config: &'a Config,
    key: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<&'a super::Insats> {
    match key.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::new("insats", "Välj en insats."));
            None
        }
        Some(key) => match config.insats(key) {
            None => {
                errors.push(FieldError::new("insats", format!("Insatsen ”{key}” finns inte.")));
                None
            }
            Some(i) if i.retired => {
                errors.push(FieldError::new(
                    "insats",
                    format!("{} är avslutad och tar inte emot nya registreringar.", i.label),
                ));
                None
            }
            Some(i) => Some(i),
        },
    }
}

/// The month of a new tally or event: empty is `now`, a later month is refused with
/// "… har inte börjat än. {not_yet}".
pub(crate) fn period_field(
    raw: Option<&str>,
    now: Period,
    not_yet: &str,
    errors: &mut Vec<FieldError>,
) -> Option<Period> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(now),
        Some(s) => match Period::parse(s) {
            None => {
                errors.push(FieldError::new(
                    "period",
                    "Ange månaden som ÅÅÅÅ-MM, till exempel 2026-03 (tidigast 2000-01).",
                ));
                None
            }
            Some(p) if p > now => {
                errors.push(FieldError::new("period", format!("{} har inte börjat än. {not_yet}", p.label())));
                None
            }
            Some(p) => Some(p),
        },
    }
}

/// The most answers one tally may carry (`values` pairs, each choice of a multi-choice question
/// counted): far above any configured kind, low enough that validation stays trivial.
pub const MAX_VALUES: usize = 200;

/// Validates raw input against the configuration. `now` is the current month: later months are refused.
/// Collects every problem rather than stopping at the first (linear in the number of answers).
pub fn validate(config: &Config, raw: &RawTally, now: Period) -> Result<NewTally, Vec<FieldError>> {
    // More answers than any kind has questions (with every choice of a multi-choice question) is
    // not a tally; refused before any work that grows with them.
    if raw.values.len() > MAX_VALUES {
        return Err(vec![FieldError::new(
            "values",
            format!("För många uppgifter ({}): en registrering har högst {MAX_VALUES}.", raw.values.len()),
        )]);
    }
    let mut errors = duplicate_errors(&raw.duplicates);
    let insats = open_insats(config, raw.insats.as_deref(), &mut errors);

    let kind = match raw.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::new("kind", "Välj vad du registrerar."));
            None
        }
        Some(key) => match config.kind(key) {
            None => {
                errors.push(FieldError::new("kind", format!("Registreringstypen ”{key}” finns inte.")));
                None
            }
            Some(k) if k.shape == super::Shape::Event => {
                errors.push(FieldError::new(
                    "kind",
                    format!("{} registreras som en aktivitet med namn och antal deltagare.", k.label),
                ));
                None
            }
            Some(k) if k.retired => {
                errors.push(FieldError::new(
                    "kind",
                    format!("{} används inte längre och tar inte emot nya registreringar.", k.label),
                ));
                None
            }
            Some(k) => match insats {
                Some(i) if !i.kind_ids.contains(&k.id) => {
                    errors.push(FieldError::new(
                        "kind",
                        format!("{} tar inte emot registreringar av typen {}.", i.label, k.label.to_lowercase()),
                    ));
                    None
                }
                _ => Some(k),
            },
        },
    };

    let period = period_field(raw.period.as_deref(), now, "Du kan registrera denna månad eller tidigare.", &mut errors);

    let mut values: Vec<(i64, i64)> = Vec::new();
    let mut split_value_id = 0;
    let mut scope_value_id = 0;
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut chosen: std::collections::HashSet<(i64, i64)> = std::collections::HashSet::new();
    for (dim_key, value_key) in &raw.values {
        // Built only when there is a problem to report.
        let field = || format!("values.{dim_key}");
        let multiple =
            kind.and_then(|k| config.dimension(dim_key).and_then(|d| k.takes(d.id))).is_some_and(|kd| kd.multiple);
        if seen.contains(&dim_key.as_str()) && !multiple {
            errors.push(FieldError::new(field(), format!("”{dim_key}” är angiven mer än en gång.")));
            continue;
        }
        seen.insert(dim_key);
        let Some(dim) = config.dimension(dim_key) else {
            errors.push(FieldError::new(field(), format!("Det finns ingen uppgift som heter ”{dim_key}”.")));
            continue;
        };
        if let Some(k) = kind
            && k.takes(dim.id).is_none()
        {
            errors.push(FieldError::new(
                field(),
                format!("{} ska inte anges vid {}.", dim.label, k.label.to_lowercase()),
            ));
            continue;
        }
        if dim.retired {
            errors.push(FieldError::new(
                field(),
                format!("”{}” används inte längre och kan inte anges i nya registreringar.", dim.label),
            ));
            continue;
        }
        if multiple && dim.value_by_key(value_key.trim()).is_some_and(|v| chosen.contains(&(dim.id, v.id))) {
            errors.push(FieldError::new(field(), format!("”{}” är valt mer än en gång.", value_key.trim())));
            continue;
        }
        match dim.value_by_key(value_key.trim()) {
            None if value_key.trim().is_empty() => {
                errors.push(FieldError::new(field(), format!("Välj {}.", dim.label.to_lowercase())))
            }
            None => errors.push(FieldError::new(
                field(),
                format!("”{value_key}” är inget giltigt val för {}.", dim.label.to_lowercase()),
            )),
            Some(v) if v.retired => errors.push(FieldError::new(
                field(),
                format!(
                    "”{}” används inte längre för {}. Välj ett annat alternativ.",
                    v.label,
                    dim.label.to_lowercase()
                ),
            )),
            Some(v) => {
                if dim.role == super::Role::Gender {
                    split_value_id = v.id;
                }
                if kind.is_some_and(|k| k.scope_dimension_id == Some(dim.id)) {
                    scope_value_id = v.id;
                }
                values.push((dim.id, v.id));
                chosen.insert((dim.id, v.id));
            }
        }
    }

    if let Some(k) = kind {
        let (mut questions, mut others) = (0, 0);
        for kd in &k.dimensions {
            let dim = config.dimension_by_id(kd.dimension_id).expect("kind dimension exists");
            if kd.required && !dim.retired && !seen.contains(&dim.key.as_str()) {
                errors.push(FieldError::new(
                    format!("values.{}", dim.key),
                    format!("Välj {}.", dim.label.to_lowercase()),
                ));
            }
            if dim.role == super::Role::Question && !dim.retired {
                questions += 1;
            } else if dim.role != super::Role::Gender && k.scope_dimension_id != Some(dim.id) {
                others += 1;
            }
        }
        let answered = values
            .iter()
            .filter(|(d, _)| config.dimension_by_id(*d).is_some_and(|d| d.role == super::Role::Question))
            .count();
        // A questionnaire (a kind of questions only, besides who answered) needs one answer.
        if questions > 0 && others == 0 && answered == 0 && errors.is_empty() {
            errors.push(FieldError::new("values", "Ange svaret på minst en fråga."));
        }
        values.sort_by_key(|(dim_id, _)| k.dimensions.iter().position(|d| d.dimension_id == *dim_id));
    }

    match (insats, kind, period) {
        (Some(i), Some(k), Some(p)) if errors.is_empty() => {
            Ok(NewTally { insats_id: i.id, kind_id: k.id, period: p, values, split_value_id, scope_value_id })
        }
        _ => Err(errors),
    }
}
