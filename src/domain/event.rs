//! Structural activities (strukturövergripande aktiviteter): events such as a fair or a conference,
//! counted in attendees. An event is not about a person, but its name and organiser are free text,
//! so anything that looks like personal data is refused (`super::sensitive`).

use super::{Config, FieldError, Period, Shape, VoidReason};

/// Longest name or organiser, in characters.
pub const MAX_TEXT: usize = 80;
/// Most attendees of one event.
pub const MAX_ATTENDEES: i64 = 100_000;

/// Input as it arrives.
#[derive(Debug, Clone, Default)]
pub struct RawEvent {
    pub insats: Option<String>,
    pub kind: Option<String>,
    pub period: Option<String>,
    pub name: Option<String>,
    pub organiser: Option<String>,
    pub attendees: Option<String>,
    /// (gender value key, attendees as typed), where known.
    pub by_gender: Vec<(String, String)>,
    pub duplicates: Vec<String>,
}

/// A validated event, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub insats_id: i64,
    pub kind_id: i64,
    pub period: Period,
    pub name: String,
    pub organiser: String,
    pub attendees: i64,
    /// (gender value id, attendees); their sum is at most `attendees`.
    pub by_gender: Vec<(i64, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: i64,
    pub insats_id: i64,
    pub kind_id: i64,
    pub period: Period,
    pub name: String,
    pub organiser: String,
    pub attendees: i64,
    pub by_gender: Vec<(i64, i64)>,
    pub void_reason: Option<VoidReason>,
    pub author: Option<i64>,
    /// The Cell Key Method's random record key (never shown or exported).
    pub record_key: i64,
}

/// A whole number of attendees typed by a person ("170", "1 200").
fn parse_count(s: &str) -> Option<i64> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) || t.len() > 7 {
        return None;
    }
    t.parse().ok()
}

/// A short text: trimmed, required or not, at most `MAX_TEXT` characters, no personal data.
fn text(errors: &mut Vec<FieldError>, field: &str, what: &str, value: Option<&str>, required: bool) -> String {
    let v = value.map(str::trim).unwrap_or("");
    if v.is_empty() {
        if required {
            errors.push(FieldError::new(field, format!("Skriv {what}.")));
        }
        return String::new();
    }
    if v.chars().count() > MAX_TEXT {
        errors.push(FieldError::new(field, format!("Skriv {what} med högst {MAX_TEXT} tecken.")));
    } else if v.chars().any(char::is_control) {
        errors.push(FieldError::new(field, format!("Skriv {what} på en rad.")));
    } else if let Some(message) = super::sensitive::free_text(v) {
        errors.push(FieldError::new(field, message));
    }
    v.to_string()
}

/// Validates an event against the configuration; `now` is the current month (later ones are refused).
pub fn validate(config: &Config, raw: &RawEvent, now: Period) -> Result<NewEvent, Vec<FieldError>> {
    let mut errors = super::tally::duplicate_errors(&raw.duplicates);
    let insats = super::tally::open_insats(config, raw.insats.as_deref(), &mut errors);
    let kind = match insats {
        None => None,
        Some(i) => {
            let events: Vec<_> = config.active_kinds_of(i).filter(|k| k.shape == Shape::Event).collect();
            match raw.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None if events.len() == 1 => Some(events[0]),
                None => {
                    errors.push(FieldError::new("kind", format!("{} tar inte emot aktiviteter.", i.label)));
                    None
                }
                Some(key) => match events.iter().find(|k| k.key == key) {
                    Some(k) => Some(*k),
                    None => {
                        errors
                            .push(FieldError::new("kind", format!("”{key}” är ingen aktivitetstyp för {}.", i.label)));
                        None
                    }
                },
            }
        }
    };
    let period = super::tally::period_field(
        raw.period.as_deref(),
        now,
        "Registrera aktiviteten när den har ägt rum.",
        &mut errors,
    );
    let name = text(&mut errors, "name", "aktivitetens namn", raw.name.as_deref(), true);
    let organiser = text(&mut errors, "organiser", "arrangören", raw.organiser.as_deref(), false);
    let attendees = match raw.attendees.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.push(FieldError::new("attendees", "Ange antalet deltagare."));
            None
        }
        Some(s) => match parse_count(s) {
            Some(n) if (1..=MAX_ATTENDEES).contains(&n) => Some(n),
            _ => {
                errors.push(FieldError::new(
                    "attendees",
                    format!("Ange antalet deltagare som ett heltal från 1 till {MAX_ATTENDEES}."),
                ));
                None
            }
        },
    };
    let mut by_gender = Vec::new();
    let gender = config.gender();
    for (key, n) in &raw.by_gender {
        let field = format!("by_gender.{key}");
        let Some(v) = gender.and_then(|g| g.value_by_key(key.trim())).filter(|v| !v.retired) else {
            errors.push(FieldError::new(field, format!("”{key}” är inget kön att räkna deltagare för.")));
            continue;
        };
        if n.trim().is_empty() {
            continue;
        }
        if by_gender.iter().any(|(id, _)| *id == v.id) {
            errors.push(FieldError::new(field, format!("{} är angivet mer än en gång.", v.column_label())));
            continue;
        }
        match parse_count(n) {
            Some(c) if c <= MAX_ATTENDEES => {
                if c > 0 {
                    by_gender.push((v.id, c));
                }
            }
            _ => errors.push(FieldError::new(
                field,
                format!("Ange antalet {} som ett heltal.", v.column_label().to_lowercase()),
            )),
        }
    }
    if let Some(total) = attendees
        && by_gender.iter().map(|(_, n)| n).sum::<i64>() > total
    {
        errors.push(FieldError::new("by_gender", "Antalen per kön är fler än deltagarna totalt."));
    }
    match (insats, kind, period, attendees) {
        (Some(i), Some(k), Some(p), Some(a)) if errors.is_empty() => {
            Ok(NewEvent { insats_id: i.id, kind_id: k.id, period: p, name, organiser, attendees: a, by_gender })
        }
        _ => Err(errors),
    }
}
