//! The goal dashboard (`/oversikt`) for the förbundschef: the current year so far for every
//! insats, every goal at a glance, and what changed since the end of last month.

use super::auth::{CurrentUser, forbidden};
use super::views::layout::{Chrome, Section, page};
use crate::AppState;
use crate::error::PageError;
use crate::report::{GoalStatus, yearly};
use crate::store;
use axum::Extension;
use axum::extract::State;
use maud::{Markup, html};

/// One goal on the dashboard: now, and at the end of last month (None in January).
pub struct Line {
    pub now: GoalStatus,
    pub before: Option<GoalStatus>,
}

pub struct InsatsGoals {
    pub key: String,
    pub label: String,
    pub lines: Vec<Line>,
}

/// `GET /oversikt`
pub async fn page_handler(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Markup, PageError> {
    if !user.account.is_admin() {
        return Err(forbidden("Översikten över målen är förbundschefens."));
    }
    let cfg = state.store.config();
    let now = state.clock.now();
    let mut out = Vec::new();
    for i in cfg.active_insatser() {
        let id = i.id;
        let (inputs, before) = state
            .store
            .read(move |c| {
                let inputs = store::report_inputs(c, id, now.year)?;
                let before = if now.month > 1 {
                    Some(store::report_inputs_until(c, id, now.year, now.month - 1)?)
                } else {
                    None
                };
                Ok((inputs, before))
            })
            .await?;
        let report = yearly(&cfg, i, now.year, &inputs);
        let previous = before.map(|b| yearly(&cfg, i, now.year, &b));
        let lines = report
            .goals
            .into_iter()
            .map(|g| {
                let before = previous.as_ref().and_then(|p| p.goals.iter().find(|x| x.key == g.key).cloned());
                Line { now: g, before }
            })
            .collect();
        out.push(InsatsGoals { key: i.key.clone(), label: i.label.clone(), lines });
    }
    Ok(view(Chrome::new(&cfg.association, &user), now, &out))
}

/// "✔ Uppfyllt", "◐ Delvis uppfyllt", "✘ Inte uppfyllt", "– Kan inte mätas än": a symbol and
/// words, never colour alone.
pub fn status(v: crate::domain::Verdict) -> (&'static str, &'static str, &'static str) {
    (v.symbol(), v.label(), v.class())
}

/// The year's actual value of a goal, as the goal table shows it (a share with the decimals that
/// make it read as its verdict).
pub fn actual(g: &GoalStatus) -> String {
    match crate::report::tables::goal_actual(g) {
        crate::report::tables::Value::ShareAgainst(_, shown, _) => shown,
        _ => value(g, g.actual),
    }
}

/// A goal's actual value in its own unit: "40 %", "830", "26 487 kr".
pub fn value(g: &GoalStatus, v: Option<f64>) -> String {
    match (g.goal_type, v) {
        (_, None) => "–".into(),
        ("share", Some(x)) => crate::sv::percent(x),
        ("cost_per_participant", Some(x)) => crate::sv::kronor(x.round() as i64),
        (_, Some(x)) => crate::sv::count(x.round() as i64),
    }
}

fn target(g: &GoalStatus) -> String {
    let v = match g.goal_type {
        "share" => crate::sv::percent_exact((g.target * 10_000.0).round() as i64),
        "cost_per_participant" => crate::sv::kronor(g.target as i64),
        _ => crate::sv::count(g.target as i64),
    };
    format!("{} {v}", g.comparator.label())
}

/// What changed since last month, in words.
pub fn change(line: &Line) -> String {
    let Some(before) = &line.before else { return "Nytt år".into() };
    let mut parts = Vec::new();
    if before.verdict != line.now.verdict {
        parts.push(format!("{} → {}", status(before.verdict).1, status(line.now.verdict).1.to_lowercase()));
    }
    match (line.now.goal_type, before.actual, line.now.actual) {
        ("share", Some(a), Some(b)) if (b - a).abs() >= 0.005 => {
            let pp = ((b - a) * 100.0).round() as i64;
            let unit = if pp.abs() == 1 { "procentenhet" } else { "procentenheter" };
            parts.push(format!("{}{} {unit}", if pp > 0 { "+" } else { "−" }, pp.abs()))
        }
        ("count", Some(a), Some(b)) if b != a => {
            parts.push(format!("{}{}", if b > a { "+" } else { "−" }, crate::sv::count((b - a).abs().round() as i64)))
        }
        ("cost_per_participant", Some(a), Some(b)) if (b - a).abs() >= 1.0 => parts.push(format!(
            "{}{} per deltagare",
            if b > a { "+" } else { "−" },
            crate::sv::kronor((b - a).abs().round() as i64)
        )),
        (_, None, Some(_)) => parts.push("mäts nu".into()),
        _ => {}
    }
    if line.now.numerator != before.numerator && line.now.goal_type == "share" {
        parts.push(format!("{} nya som räknas mot målet", crate::sv::count(line.now.numerator - before.numerator)));
    }
    if parts.is_empty() { "Oförändrat".into() } else { parts.join(", ") }
}

fn view(chrome: Chrome, now: crate::domain::Period, insatser: &[InsatsGoals]) -> Markup {
    page(
        chrome,
        "Översikt",
        Section::Overview,
        html! {
            h1 { "Målen " (now.year) " hittills" }
            p.lead { "Alla insatsers mål för året, med utfallet till och med " (now.label().to_lowercase()) ". Förändringen jämför med läget i slutet av förra månaden." }
            @for i in insatser {
                section.dashboard {
                    h2 { a href=(format!("/rapport/{}/{}#mal", i.key, now.year)) { (i.label) } }
                    @if i.lines.is_empty() {
                        p { "Inga mål är satta. " a href=(format!("/mal/{}/{}", i.key, now.year)) { "Sätt mål" } }
                    } @else {
                        ul.goal-list {
                            @for l in &i.lines {
                                @let (symbol, words, class) = status(l.now.verdict);
                                li class=(format!("goal {class}")) {
                                    h3 { (l.now.label) }
                                    p.status { span.symbol aria-hidden="true" { (symbol) } " " (words) }
                                    p.figures {
                                        "Mål: " (target(&l.now)) ". Utfall hittills: " (actual(&l.now))
                                        ". Sedan förra månaden: " (change(l)) "."
                                    }
                                    p { (l.now.summary) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
