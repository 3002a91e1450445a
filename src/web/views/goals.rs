//! The goal form.

use super::components::{error_summary, field_error};
use super::layout::{Chrome, Section, csrf, page};
use crate::domain::{Config, FieldError, Flow, Insats, Kind, Role, Shape};
use maud::{Markup, html};

/// One goal row as shown in the form (the submitted text is kept on errors).
#[derive(Debug, Clone, Default)]
pub struct GoalRow {
    /// The goal's key once it exists: carried through the form unchanged, so that saving (even
    /// with a new name) never renames it for API and Power Query users. Empty for a new goal.
    pub key: String,
    pub label: String,
    /// `share`, `count` or `cost_per_participant`.
    pub goal_type: String,
    pub kind: String,
    pub measure: String,
    /// `dimension.value` of the scope, or empty.
    pub scope: String,
    pub comparator: String,
    pub target: String,
    /// Numerator values, `dimension.value`.
    pub values: Vec<String>,
    /// Denominator values, `dimension.value`.
    pub denominator: Vec<String>,
    /// Where "delvis uppfyllt" starts, in the target's unit (empty: no band).
    pub partial: String,
    /// `goal` (a floor or a ceiling) or `expectation`.
    pub nature: String,
    /// For a share of survey answers: `answers` or `respondents`.
    pub unit: String,
}

/// The blank row at the end of the form.
pub struct NewRow {
    pub row: GoalRow,
}

/// What a row measures, in words: "Andel av avslut", "Antal deltagare", …
fn describe(cfg: &Config, row: &GoalRow) -> String {
    let kind = cfg.kind(&row.kind).map(|k| k.label.to_lowercase()).unwrap_or_default();
    match (row.goal_type.as_str(), row.measure.as_str()) {
        ("share", _) => format!("Andel av {kind}"),
        ("count", "participants") => "Antal deltagare under året".into(),
        ("count", "attendees") => format!("Antal deltagare på {kind}"),
        ("count", _) => format!("Antal {kind}"),
        _ => "Kostnad per deltagare".into(),
    }
}

fn unit(row: &GoalRow) -> &'static str {
    match row.goal_type.as_str() {
        "share" => "%",
        "cost_per_participant" => "kr",
        _ => "st",
    }
}

/// Whether a kind asks survey questions.
fn has_questions(cfg: &Config, kind: &Kind) -> bool {
    kind.dimensions.iter().filter_map(|kd| cfg.dimension_by_id(kd.dimension_id)).any(|d| d.role == Role::Question)
}

/// Checkboxes for the values of a kind's dimensions, named `name.n`, grouped by dimension.
fn value_boxes(cfg: &Config, kind: &Kind, n: usize, name: &str, chosen: &[String]) -> Markup {
    html! {
        @for d in kind.dimensions.iter().filter_map(|kd| cfg.dimension_by_id(kd.dimension_id)).filter(|d| d.role != Role::Gender && Some(d.id) != kind.scope_dimension_id) {
            @let shown: Vec<_> = d.values.iter().filter(|v| !v.retired || chosen.contains(&format!("{}.{}", d.key, v.key))).collect();
            div.value-group {
                p.group-label { (d.label) }
                @for v in shown {
                    @let r = format!("{}.{}", d.key, v.key);
                    @let id = format!("{name}-{n}-{}-{}", d.key, v.key);
                    div.check {
                        input type="checkbox" id=(id) name=(format!("{name}.{n}")) value=(r) checked[chosen.contains(&r)];
                        label for=(id) { (v.label) @if v.positive { " (positivt)" } }
                    }
                }
            }
        }
    }
}

fn row_fields(cfg: &Config, row: &GoalRow, n: usize, errors: &[FieldError], removable: bool) -> Markup {
    let kind = cfg.kind(&row.kind);
    let many = kind.is_some_and(|k| {
        k.dimensions.iter().filter_map(|kd| cfg.dimension_by_id(kd.dimension_id)).map(|d| d.values.len()).sum::<usize>()
            > 24
    });
    html! {
        @if !row.key.is_empty() { input type="hidden" name=(format!("key.{n}")) value=(row.key); }
        input type="hidden" name=(format!("type.{n}")) value=(row.goal_type);
        input type="hidden" name=(format!("kind.{n}")) value=(row.kind);
        input type="hidden" name=(format!("measure.{n}")) value=(row.measure);
        (field_error(errors, &format!("type.{n}")))
        (field_error(errors, &format!("kind.{n}")))
        (field_error(errors, &format!("measure.{n}")))
        div.field {
            label for=(format!("label-{n}")) { "Namn" }
            input id=(format!("label-{n}")) name=(format!("label.{n}")) value=(row.label) maxlength="80";
            (field_error(errors, &format!("label.{n}")))
        }
        div.field.inline {
            label for=(format!("comparator-{n}")) { (describe(cfg, row)) }
            select id=(format!("comparator-{n}")) name=(format!("comparator.{n}")) {
                option value="at_least" selected[row.comparator != "at_most"] { "minst" }
                option value="at_most" selected[row.comparator == "at_most"] { "högst" }
            }
            input.percent id=(format!("target-{n}")) name=(format!("target.{n}")) value=(row.target) inputmode="decimal" aria-label=(format!("Mål i {}", unit(row)));
            span { (unit(row)) }
            (field_error(errors, &format!("comparator.{n}")))
            (field_error(errors, &format!("target.{n}")))
        }
        div.field.inline {
            label for=(format!("partial-{n}")) { "Delvis uppfyllt från (tomt: inget)" }
            input.percent id=(format!("partial-{n}")) name=(format!("partial.{n}")) value=(row.partial) inputmode="decimal" aria-describedby=(format!("partial-hint-{n}"));
            span { (unit(row)) }
            p.hint id=(format!("partial-hint-{n}")) { "Under målet för ”minst”, över målet för ”högst”." }
            (field_error(errors, &format!("partial.{n}")))
        }
        div.field {
            label for=(format!("nature-{n}")) { "Slag" }
            select id=(format!("nature-{n}")) name=(format!("nature.{n}")) {
                option value="goal" selected[row.nature != "expectation"] { "Mål (golv för ”minst”, tak för ”högst”)" }
                option value="expectation" selected[row.nature == "expectation"] { "Förväntan (redovisas utan avstånd till målet)" }
            }
        }
        @if row.goal_type == "share" && kind.is_some_and(|k| has_questions(cfg, k)) {
            div.field {
                label for=(format!("unit-{n}")) { "Räkna" }
                select id=(format!("unit-{n}")) name=(format!("unit.{n}")) {
                    option value="respondents" selected[row.unit == "respondents"] { "per svarande: andel av de svarande som svarat positivt på alla frågorna" }
                    option value="answers" selected[row.unit != "respondents"] { "per svar: andel av alla svar på frågorna" }
                }
            }
        }
        @if let Some(k) = kind.filter(|k| k.shape == Shape::Tally) {
            @if row.goal_type == "share" {
                @if let Some(scope) = k.scope_dimension_id.and_then(|d| cfg.dimension_by_id(d)) {
                    div.field {
                        label for=(format!("scope-{n}")) { (scope.label) }
                        select id=(format!("scope-{n}")) name=(format!("scope.{n}")) {
                            option value="" selected[row.scope.is_empty()] { "Alla" }
                            @for v in &scope.values {
                                @let r = format!("{}.{}", scope.key, v.key);
                                option value=(r) selected[row.scope == r] { (v.label) }
                            }
                        }
                        (field_error(errors, &format!("scope.{n}")))
                    }
                }
            }
            @if row.goal_type == "share" || row.goal_type == "count" {
                details.values open[!many || !row.values.is_empty() && row.values.len() < 8] {
                    summary { @if row.goal_type == "share" { "Det som räknas mot målet" } @else { "Räkna bara registreringar med (tomt: alla)" } }
                    (value_boxes(cfg, k, n, "values", &row.values))
                }
                (field_error(errors, &format!("values.{n}")))
            }
            @if row.goal_type == "share" {
                details.values open[!row.denominator.is_empty()] {
                    summary { "Andel av (tomt: alla registreringar av typen)" }
                    (value_boxes(cfg, k, n, "den", &row.denominator))
                }
                (field_error(errors, &format!("den.{n}")))
            }
        }
        @if removable {
            div.check {
                input type="checkbox" id=(format!("remove-{n}")) name=(format!("remove.{n}")) value="1";
                label for=(format!("remove-{n}")) { "Ta bort målet" }
            }
        }
    }
}

/// What the goals are for: a year (with the year its goals come from, if any were set), or a span
/// of years (whether goals were set for it).
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Year { year: i32, source: Option<i32> },
    Span { span: crate::report::span::Span, set: bool },
}

impl Target {
    /// "2026", "2024–2027".
    pub fn label(&self) -> String {
        match self {
            Target::Year { year, .. } => year.to_string(),
            Target::Span { span, .. } => span.label(),
        }
    }
    /// "2026", "2024-2027": in the goal form's address.
    pub fn path(&self) -> String {
        match self {
            Target::Year { year, .. } => year.to_string(),
            Target::Span { span, .. } => span.key(),
        }
    }
    /// The report the goals belong to.
    pub fn report(&self, insats: &Insats) -> String {
        match self {
            Target::Year { year, .. } => format!("/rapport/{}/{year}", insats.key),
            Target::Span { span, .. } => format!("/rapport/{}/period/{}", insats.key, span.key()),
        }
    }
}

/// Links that put a blank row of another type at the end of the form.
fn new_goal_links(cfg: &Config, insats: &Insats, target: &Target) -> Markup {
    let base = format!("/mal/{}/{}", insats.key, target.path());
    html! {
        nav.new-goal aria-label="Nytt mål" {
            p { "Nytt mål av annan typ:" }
            ul.links {
                @for k in cfg.kinds_of(insats) {
                    li { a href=(format!("{base}?ny={}#nytt", k.key)) {
                        @if k.shape == Shape::Event { "Antal deltagare på " (k.label.to_lowercase()) } @else { "Andel av " (k.label.to_lowercase()) }
                    } }
                }
                @if cfg.flow_kind(insats, Flow::Entry).is_some() {
                    li { a href=(format!("{base}?ny=deltagare#nytt")) { @if matches!(target, Target::Span { .. }) { "Antal deltagare under perioden" } @else { "Antal deltagare under året" } } }
                }
                li { a href=(format!("{base}?ny=kostnad#nytt")) { "Kostnad per deltagare" } }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub fn form_page(
    chrome: Chrome,
    user: &crate::web::auth::CurrentUser,
    cfg: &Config,
    insats: &Insats,
    target: Target,
    rows: Vec<GoalRow>,
    new: NewRow,
    errors: &[FieldError],
) -> Markup {
    let last = rows.len();
    let label = target.label();
    page(
        chrome,
        &format!("Mål {label} – {}", insats.label),
        Section::Report,
        html! {
            h1 { "Mål " (label) " – " (insats.label) }
            @match target {
                Target::Year { year, source } => {
                    p.lead { "Ett mål är en andel av registreringarna, ett antal eller en kostnad per deltagare. Ett mål gäller också senare år tills nya mål sätts." }
                    @if let Some(s) = source.filter(|s| *s != year) {
                        p.note { "Inga egna mål är satta för " (year) ". Formuläret visar målen från " (s) "; när du sparar blir de " (year) " års mål." }
                    }
                    @if source.is_none() { p.note { "Inga mål är satta för " (year) " eller tidigare år." } }
                }
                Target::Span { set, .. } => {
                    p.lead { "Mål för hela perioden " (label) ", till exempel ett antal deltagare under projekttiden eller en andel av periodens avslut. Årens egna mål ändras inte." }
                    @if !set { p.note { "Inga mål är satta för perioden " (label) "." } }
                }
            }
            (error_summary(errors))
            form.goals method="post" action=(format!("/mal/{}/{}", insats.key, target.path())) {
                (csrf(user))
                @for (n, row) in rows.iter().enumerate() {
                    fieldset.goal-row {
                        legend { "Mål " (n + 1) }
                        (row_fields(cfg, row, n, errors, true))
                    }
                }
                fieldset.goal-row #nytt {
                    legend { "Nytt mål: " (describe(cfg, &new.row).to_lowercase()) }
                    (row_fields(cfg, &new.row, last, errors, false))
                }
                button.primary type="submit" { "Spara mål för " (label) }
                " "
                a href=(target.report(insats)) { "Avbryt" }
            }
            (new_goal_links(cfg, insats, &target))
        },
    )
}
