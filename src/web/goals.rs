//! The goal form: the förbundschef sets a year's goals for an insats: shares of tallies, counts,
//! and the cost per participant.

use super::auth::{ClientAddr, CurrentUser, forbidden, now_utc};
use super::views::goals::{GoalRow, NewRow, Target, form_page};
use super::views::layout::Chrome;
use crate::AppState;
use crate::domain::goal::{NewGoal, parse_amount, parse_percent, slug};
use crate::domain::{Comparator, Config, FieldError, Flow, GoalSpec, Insats, Kind, Measure, Role, Shape};
use crate::error::{AppError, PageError};
use crate::store;
use crate::store::audit::Action;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::BTreeMap;

fn require_admin(user: &CurrentUser) -> Result<(), PageError> {
    if user.account.is_admin() { Ok(()) } else { Err(forbidden("Målen sätts av förbundschefen.")) }
}

fn insats<'a>(cfg: &'a Config, key: &str) -> Result<&'a Insats, AppError> {
    cfg.insats(key).ok_or_else(|| AppError::NotFound(format!("Insatsen ”{key}” finns inte.")))
}

/// `dimension.value` of a value id.
fn value_ref(cfg: &Config, id: i64) -> Option<String> {
    cfg.dimensions.iter().find_map(|d| d.value_by_id(id).map(|v| format!("{}.{}", d.key, v.key)))
}

fn row_of(cfg: &Config, g: &crate::domain::Goal) -> GoalRow {
    let refs = |ids: &[i64]| ids.iter().filter_map(|v| value_ref(cfg, *v)).collect::<Vec<_>>();
    let kind_key = |id: Option<i64>| id.and_then(|k| cfg.kind_by_id(k)).map(|k| k.key.clone()).unwrap_or_default();
    let mut row = GoalRow {
        key: g.key.clone(),
        label: g.label.clone(),
        comparator: g.comparator.as_str().into(),
        goal_type: g.spec.type_str().into(),
        kind: kind_key(g.spec.kind_id()),
        nature: if g.expectation { "expectation" } else { "goal" }.into(),
        ..GoalRow::default()
    };
    match &g.spec {
        GoalSpec::Share { scope_value_id, numerator, denominator, target_bp, by_respondent, .. } => {
            row.target = crate::sv::percent_number(*target_bp);
            row.partial = g.partial.map(crate::sv::percent_number).unwrap_or_default();
            row.unit = if *by_respondent { "respondents" } else { "answers" }.into();
            row.values = refs(numerator);
            row.denominator = refs(denominator);
            row.scope = scope_value_id.and_then(|v| value_ref(cfg, v)).unwrap_or_default();
        }
        GoalSpec::Count { measure, numerator, target, .. } => {
            row.measure = measure.as_str().into();
            row.target = target.to_string();
            row.values = refs(numerator);
            row.partial = g.partial.map(|p| p.to_string()).unwrap_or_default();
        }
        GoalSpec::CostPerParticipant { target_kr } => {
            row.target = target_kr.to_string();
            row.partial = g.partial.map(|p| p.to_string()).unwrap_or_default();
        }
    }
    row
}

/// The blank row for a new goal, from `?ny=`: a kind key (a share of its tallies, or for an event
/// kind its attendees), `deltagare` (participants) or `kostnad` (cost per participant). Default:
/// a share of exits, or of the insats' first kind.
fn new_row(cfg: &Config, insats: &Insats, ny: Option<&str>) -> GoalRow {
    let blank = |t: &str| GoalRow { goal_type: t.into(), comparator: "at_least".into(), ..GoalRow::default() };
    match ny {
        Some("deltagare") => GoalRow { measure: "participants".into(), ..blank("count") },
        Some("kostnad") => GoalRow { comparator: "at_most".into(), ..blank("cost_per_participant") },
        _ => {
            let kind = ny
                .and_then(|k| cfg.kinds_of(insats).find(|x| x.key == k))
                .or_else(|| cfg.flow_kind(insats, Flow::Exit))
                .or_else(|| cfg.kinds_of(insats).next());
            match kind {
                Some(k) if k.shape == Shape::Event => {
                    GoalRow { kind: k.key.clone(), measure: "attendees".into(), ..blank("count") }
                }
                // A survey goal counts respondents by default: the plans say "95 % av deltagarna".
                Some(k) => GoalRow { kind: k.key.clone(), unit: "respondents".into(), ..blank("share") },
                None => GoalRow { measure: "participants".into(), ..blank("count") },
            }
        }
    }
}

#[derive(serde::Deserialize)]
pub struct FormQuery {
    ny: Option<String>,
}

/// `GET /mal/{insats}/{year}[?ny=…]`
pub async fn form(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((insats_key, year)): Path<(String, String)>,
    Query(q): Query<FormQuery>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let period = period(&state, &year)?;
    let cfg = state.store.config();
    let i = insats(&cfg, &insats_key)?;
    let id = i.id;
    let (target, goals) = state
        .store
        .read(move |c| match period {
            Period::Year(year) => {
                let (source, goals) = store::goal::for_year(c, id, year)?;
                Ok((Target::Year { year, source }, goals))
            }
            Period::Span(span) => {
                let set = store::goal::span_set(c, id, span.first, span.last)?;
                Ok((Target::Span { span, set }, store::goal::of_span(c, id, span.first, span.last)?))
            }
        })
        .await?;
    let rows = goals.iter().map(|g| row_of(&cfg, g)).collect();
    let new = NewRow { row: new_row(&cfg, i, q.ny.as_deref()) };
    Ok(form_page(Chrome::new(&cfg.association, &user), &user, &cfg, i, target, rows, new, &[]).into_response())
}

/// A year or a span of years ("2024-2027") in the goal form's address.
#[derive(Debug, Clone, Copy)]
enum Period {
    Year(i32),
    Span(crate::report::span::Span),
}

fn period(state: &AppState, text: &str) -> Result<Period, AppError> {
    let p = match crate::report::span::Span::parse(text) {
        Some(s) => Period::Span(s),
        None if text.contains('-') || text.contains('–') => return Err(super::span::parse(text).unwrap_err()),
        None => Period::Year(crate::web::api::parse_year(text).map_err(|e| AppError::NotFound(e.message().0))?),
    };
    super::report::within_reach(
        state,
        match p {
            Period::Year(y) => y,
            Period::Span(s) => s.last,
        },
    )?;
    Ok(p)
}

/// Rows numbered 0 to 99 are read; a form with more is refused.
const MAX_GOALS: usize = 100;

type Parsed = (Vec<GoalRow>, Result<Vec<NewGoal>, Vec<FieldError>>);

/// Resolves `dimension.value` (or a bare value key that only one of the kind's dimensions has) to a
/// value id of one of `kind`'s dimensions.
fn resolve(cfg: &Config, kind: &Kind, r: &str) -> Option<i64> {
    let dims = kind.dimensions.iter().filter_map(|kd| cfg.dimension_by_id(kd.dimension_id));
    match r.split_once('.') {
        Some((d, v)) => dims.filter(|x| x.key == d).find_map(|x| x.value_by_key(v)).map(|v| v.id),
        None => {
            let found: Vec<i64> = dims.filter_map(|x| x.value_by_key(r)).map(|v| v.id).collect();
            (found.len() == 1).then(|| found[0])
        }
    }
}

/// Parses the submitted rows. Field names per row N: `label`, `type`, `kind`, `measure`, `scope`,
/// `comparator`, `target`, `values` and `den` (repeated, `dimension.value`), `remove`. A row with
/// nothing filled in is ignored; a row without a type is a share of exits (the form before
/// goal types).
fn parse(pairs: &[(String, String)], cfg: &Config, insats: &Insats) -> Parsed {
    let mut rows: BTreeMap<usize, (GoalRow, bool)> = BTreeMap::new();
    let mut too_many = false;
    for (k, v) in pairs {
        let Some((name, idx)) = k.split_once('.') else {
            continue;
        };
        let Ok(idx) = idx.parse::<usize>() else {
            continue;
        };
        if idx >= MAX_GOALS {
            too_many = true;
            continue;
        }
        let (row, remove) = rows.entry(idx).or_insert_with(|| (GoalRow::default(), false));
        match name {
            "label" => row.label = v.trim().to_string(),
            "key" => row.key = v.trim().to_string(),
            "type" => row.goal_type = v.clone(),
            "kind" => row.kind = v.clone(),
            "measure" => row.measure = v.clone(),
            "scope" => row.scope = v.clone(),
            "comparator" => row.comparator = v.clone(),
            "target" => row.target = v.trim().to_string(),
            "values" => row.values.push(v.clone()),
            "den" => row.denominator.push(v.clone()),
            "partial" => row.partial = v.trim().to_string(),
            "nature" => row.nature = v.clone(),
            "unit" => row.unit = v.clone(),
            "remove" => *remove = true,
            _ => {}
        }
    }
    let mut errors = Vec::new();
    if too_many {
        errors.push(FieldError::new("", format!("Ett år kan ha högst {MAX_GOALS} mål.")));
    }
    let mut goals = Vec::new();
    let mut kept = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let exit = cfg.flow_kind(insats, Flow::Exit);
    for (mut row, remove) in rows.into_values() {
        if remove || (row.label.is_empty() && row.target.is_empty() && row.values.is_empty()) {
            continue;
        }
        if row.goal_type.is_empty() {
            row.goal_type = "share".into();
            if row.kind.is_empty() {
                row.kind = exit.map(|k| k.key.clone()).unwrap_or_default();
            }
        }
        let n = kept.len();
        let field = |f: &str| format!("{f}.{n}");
        let before = errors.len();
        if row.label.is_empty() || row.label.chars().count() > 80 {
            errors.push(FieldError::new(field("label"), "Ge målet ett namn (högst 80 tecken)."));
        } else if let Some(m) = crate::domain::sensitive::free_text(&row.label) {
            errors.push(FieldError::new(field("label"), m));
        }
        let comparator = Comparator::parse(&row.comparator);
        if comparator.is_none() {
            errors.push(FieldError::new(field("comparator"), "Välj minst eller högst."));
        }
        let kind = match row.kind.as_str() {
            "" => None,
            k => match cfg.kinds_of(insats).find(|x| x.key == k) {
                Some(x) => Some(x),
                None => {
                    errors.push(FieldError::new(
                        field("kind"),
                        format!("{} har ingen registreringstyp ”{k}”.", insats.label),
                    ));
                    None
                }
            },
        };
        let ids = |refs: &[String], what: &str, errors: &mut Vec<FieldError>| -> Vec<i64> {
            let mut out = Vec::new();
            for r in refs {
                match kind.and_then(|k| resolve(cfg, k, r)) {
                    Some(id) if out.contains(&id) => {}
                    Some(id) => out.push(id),
                    None => errors
                        .push(FieldError::new(field(what), format!("”{r}” är inget val för målets registreringstyp."))),
                }
            }
            out
        };
        let numerator = ids(&row.values, "values", &mut errors);
        let denominator = ids(&row.denominator, "den", &mut errors);
        let spec = match row.goal_type.as_str() {
            "share" => {
                let target = parse_percent(&row.target);
                if target.is_none() {
                    errors.push(FieldError::new(
                        field("target"),
                        "Ange målet i procent, 0–100, till exempel 45 eller 12,5.",
                    ));
                }
                if kind.is_none_or(|k| k.shape == Shape::Event) {
                    errors.push(FieldError::new(field("kind"), "Välj vilka registreringar andelen räknas på."));
                }
                if row.values.is_empty() {
                    let what = if kind.is_some_and(|k| k.flow == Some(Flow::Exit)) {
                        "avslutsorsak"
                    } else {
                        "svar eller kategori"
                    };
                    errors
                        .push(FieldError::new(field("values"), format!("Välj minst en {what} som räknas mot målet.")));
                }
                let scope = match (row.scope.as_str(), kind.and_then(|k| k.scope_dimension_id)) {
                    ("", _) => None,
                    (s, Some(_)) => match kind.and_then(|k| resolve(cfg, k, s)) {
                        Some(id)
                            if kind.and_then(|k| k.scope_dimension_id)
                                == cfg.dimensions.iter().find(|d| d.value_by_id(id).is_some()).map(|d| d.id) =>
                        {
                            Some(id)
                        }
                        _ => {
                            errors.push(FieldError::new(
                                field("scope"),
                                format!("”{s}” är ingen grupp för målets registreringstyp."),
                            ));
                            None
                        }
                    },
                    (s, None) => {
                        errors.push(FieldError::new(
                            field("scope"),
                            format!("”{s}” är ingen grupp för målets registreringstyp."),
                        ));
                        None
                    }
                };
                let by_respondent = match row.unit.as_str() {
                    "respondents" => true,
                    "answers" | "" => false,
                    _ => {
                        errors.push(FieldError::new(field("unit"), "Välj per svarande eller per svar."));
                        false
                    }
                };
                let asks = |ids: &[i64]| {
                    ids.iter()
                        .any(|v| cfg.dimensions.iter().any(|d| d.role == Role::Question && d.value_by_id(*v).is_some()))
                };
                if by_respondent && !asks(&numerator) && errors.len() == before {
                    errors.push(FieldError::new(
                        field("unit"),
                        "Per svarande går bara att räkna för svar på enkätfrågor.",
                    ));
                }
                match (kind, target) {
                    (Some(k), Some(t)) => Some(GoalSpec::Share {
                        kind_id: k.id,
                        scope_value_id: scope,
                        numerator,
                        denominator,
                        target_bp: t,
                        by_respondent,
                    }),
                    _ => None,
                }
            }
            "count" => {
                let target = parse_amount(&row.target);
                if target.is_none() {
                    errors.push(FieldError::new(field("target"), "Ange målet som ett heltal, till exempel 150."));
                }
                let measure = Measure::parse(&row.measure);
                let fits = match (measure, kind) {
                    (Some(Measure::Participants), None) => cfg.flow_kind(insats, Flow::Entry).is_some(),
                    (Some(Measure::Tallies), Some(k)) => k.shape == Shape::Tally,
                    (Some(Measure::Attendees), Some(k)) => k.shape == Shape::Event,
                    _ => false,
                };
                if !fits {
                    errors.push(FieldError::new(
                        field("measure"),
                        "Välj vad som räknas: deltagare, registreringar av en typ eller besökare på aktiviteter.",
                    ));
                }
                match (measure, target) {
                    (Some(m), Some(t)) if fits => {
                        Some(GoalSpec::Count { measure: m, kind_id: kind.map(|k| k.id), numerator, target: t })
                    }
                    _ => None,
                }
            }
            "cost_per_participant" => {
                let target = parse_amount(&row.target);
                if target.is_none() {
                    errors.push(FieldError::new(
                        field("target"),
                        "Ange målet i hela kronor per deltagare, till exempel 20 000.",
                    ));
                }
                target.map(|t| GoalSpec::CostPerParticipant { target_kr: t })
            }
            other => {
                errors.push(FieldError::new(field("type"), format!("”{other}” är ingen måltyp.")));
                None
            }
        };
        // The band, in the target's unit, on the far side of the target from the goal's direction.
        let partial = match (row.partial.as_str(), spec.as_ref()) {
            ("", _) => None,
            (text, Some(spec)) => {
                let (value, target, what) = match spec {
                    GoalSpec::Share { target_bp, .. } => (parse_percent(text), *target_bp, "i procent, 0–100"),
                    GoalSpec::Count { target, .. } => (parse_amount(text), *target, "som ett heltal"),
                    GoalSpec::CostPerParticipant { target_kr } => (parse_amount(text), *target_kr, "i hela kronor"),
                };
                match (value, comparator) {
                    (Some(p), Some(c)) if crate::domain::goal::band_fits(c, target, p) => Some(p),
                    (Some(_), Some(c)) => {
                        let side = if c == Comparator::AtLeast { "under" } else { "över" };
                        errors.push(FieldError::new(
                            field("partial"),
                            format!("”Delvis uppfyllt från” ska ligga {side} målet."),
                        ));
                        None
                    }
                    (None, _) => {
                        errors.push(FieldError::new(
                            field("partial"),
                            format!("Ange var delvis uppfyllt börjar {what}."),
                        ));
                        None
                    }
                    _ => None,
                }
            }
            (_, None) => None,
        };
        let expectation = match row.nature.as_str() {
            "expectation" => true,
            "goal" | "" => false,
            _ => {
                errors.push(FieldError::new(field("nature"), "Välj mål eller förväntan."));
                false
            }
        };
        // A goal keeps the key it was made with; a new one gets one from its name. (A key that
        // is not one Pinne could have made, or one taken by an earlier row, is made anew.)
        let mut key = if crate::domain::goal::is_key(&row.key) && !keys.contains(&row.key) {
            row.key.clone()
        } else {
            slug(&row.label)
        };
        if key.is_empty() {
            key = format!("mal_{}", n + 1);
        }
        while keys.contains(&key) {
            key.push_str("_2");
        }
        keys.push(key.clone());
        if let (Some(spec), Some(c)) = (spec, comparator)
            && errors.len() == before
        {
            goals.push(NewGoal { key, label: row.label.clone(), comparator: c, spec, partial, expectation });
        }
        kept.push(row);
    }
    let result = if errors.is_empty() { Ok(goals) } else { Err(errors) };
    (kept, result)
}

/// `POST /mal/{insats}/{year}`: replaces the year's goals; on any problem nothing is stored.
pub async fn submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path((insats_key, year)): Path<(String, String)>,
    form: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let period = period(&state, &year)?;
    let axum::Form(pairs) =
        form.map_err(|_| AppError::BadRequest("Formuläret kunde inte läsas. Ladda om sidan och försök igen.".into()))?;
    let cfg = state.store.config();
    let i = insats(&cfg, &insats_key)?;
    let (mut rows, parsed) = parse(&pairs, &cfg, i);
    match parsed {
        Err(errors) => {
            // The last row with errors stays the "new" row if it was one.
            let new = NewRow { row: rows.pop().unwrap_or_else(|| new_row(&cfg, i, None)) };
            let target = match period {
                Period::Year(year) => Target::Year { year, source: Some(year) },
                Period::Span(span) => Target::Span { span, set: true },
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                form_page(Chrome::new(&cfg.association, &user), &user, &cfg, i, target, rows, new, &errors),
            )
                .into_response())
        }
        Ok(goals) => {
            let id = i.id;
            let (me, name) = user.who();
            let (label, report) = match period {
                Period::Year(year) => (year.to_string(), format!("/rapport/{}/{year}#mal", i.key)),
                Period::Span(s) => (s.key(), format!("/rapport/{}/period/{}#mal", i.key, s.key())),
            };
            let detail = format!(
                "{} {label}: {}",
                i.key,
                goals
                    .iter()
                    .map(|g| {
                        let mut s = format!("{} {} {}", g.key, g.comparator.as_str(), g.spec.target_text());
                        if let Some(p) = g.partial {
                            s += &format!(" delvis från {p}");
                        }
                        if g.expectation {
                            s += " förväntan";
                        }
                        if matches!(g.spec, GoalSpec::Share { by_respondent: true, .. }) {
                            s += " per svarande";
                        }
                        s
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            state
                .store
                .write(move |tx| {
                    match period {
                        Period::Year(year) => store::goal::replace(tx, id, year, &goals)?,
                        Period::Span(s) => store::goal::replace_span(tx, id, s.first, s.last, &goals)?,
                    }
                    store::audit::append(
                        tx,
                        &now_utc(),
                        Some((me, &name)),
                        Action::GoalsChanged,
                        &detail,
                        addr.as_deref(),
                    )
                })
                .await?;
            Ok(Redirect::to(&report).into_response())
        }
    }
}
