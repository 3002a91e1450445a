//! The goal form: the förbundschef sets a year's exit goals for an insats.

use super::auth::{ClientAddr, CurrentUser, forbidden, now_utc};
use super::views::goals::{GoalRow, form_page};
use super::views::layout::Chrome;
use crate::AppState;
use crate::domain::goal::{NewGoal, parse_percent, slug};
use crate::domain::{Comparator, Config, Dimension, FieldError, Flow, Insats, Kind, Role};
use crate::error::{AppError, PageError};
use crate::store;
use crate::store::audit::Action;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::BTreeMap;

fn require_admin(user: &CurrentUser) -> Result<(), PageError> {
    if user.account.is_admin() { Ok(()) } else { Err(forbidden("Målen sätts av förbundschefen.")) }
}

/// The insats, its exit kind and the outcome dimension goals are set on.
fn target<'a>(cfg: &'a Config, key: &str) -> Result<(&'a Insats, &'a Kind, &'a Dimension), AppError> {
    let insats = cfg.insats(key).ok_or_else(|| AppError::NotFound(format!("Insatsen ”{key}” finns inte.")))?;
    let kind = cfg
        .flow_kind(insats, Flow::Exit)
        .ok_or_else(|| AppError::NotFound(format!("{} har inga avslut att sätta mål för.", insats.label)))?;
    let dim = kind
        .dimensions
        .iter()
        .filter_map(|kd| cfg.dimension_by_id(kd.dimension_id))
        .find(|d| d.role == Role::Outcome)
        .ok_or_else(|| AppError::NotFound(format!("{} har ingen avslutsorsak att sätta mål för.", insats.label)))?;
    Ok((insats, kind, dim))
}

/// `GET /mal/{insats}/{year}`
pub async fn form(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((insats, year)): Path<(String, String)>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let year = crate::web::api::parse_year(&year).map_err(|e| AppError::NotFound(e.message().0))?;
    let cfg = state.store.config();
    let (i, _, dim) = target(&cfg, &insats)?;
    let id = i.id;
    let (source, goals) = state.store.read(move |c| store::goal::for_year(c, id, year)).await?;
    let rows = goals
        .iter()
        .map(|g| GoalRow {
            label: g.label.clone(),
            comparator: g.comparator.as_str().into(),
            target: crate::sv::percent_number(g.target_bp),
            values: g.value_ids.iter().filter_map(|v| dim.value_by_id(*v)).map(|v| v.key.clone()).collect(),
        })
        .collect();
    Ok(form_page(Chrome::new(&cfg.association, &user), &user, &cfg, i, dim, year, source, rows, &[]).into_response())
}

/// Parses the submitted rows. Field names: `label.N`, `comparator.N`, `target.N`, `values.N`
/// (repeated) and `remove.N`. A row with nothing filled in is ignored.
/// Rows numbered 0 to 99 are read; a form with more is refused.
const MAX_GOALS: usize = 100;

type Parsed = (Vec<GoalRow>, Result<Vec<NewGoal>, Vec<FieldError>>);

fn parse(pairs: &[(String, String)], kind: &Kind, dim: &Dimension) -> Parsed {
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
            "comparator" => row.comparator = v.clone(),
            "target" => row.target = v.trim().to_string(),
            "values" => row.values.push(v.clone()),
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
    for (row, remove) in rows.into_values() {
        if remove || (row.label.is_empty() && row.target.is_empty() && row.values.is_empty()) {
            continue;
        }
        let n = kept.len();
        let field = |f: &str| format!("{f}.{n}");
        if row.label.is_empty() || row.label.chars().count() > 80 {
            errors.push(FieldError::new(field("label"), "Ge målet ett namn (högst 80 tecken)."));
        }
        let target = parse_percent(&row.target);
        if target.is_none() {
            errors.push(FieldError::new(field("target"), "Ange målet i procent, 0–100, till exempel 45 eller 12,5."));
        }
        let comparator = Comparator::parse(&row.comparator);
        if comparator.is_none() {
            errors.push(FieldError::new(field("comparator"), "Välj minst eller högst."));
        }
        let mut value_ids = Vec::new();
        for v in &row.values {
            match dim.value_by_key(v) {
                Some(dv) if value_ids.contains(&dv.id) => {}
                Some(dv) => value_ids.push(dv.id),
                None => errors.push(FieldError::new(field("values"), format!("”{v}” är ingen avslutsorsak."))),
            }
        }
        if row.values.is_empty() {
            errors.push(FieldError::new(field("values"), "Välj minst en avslutsorsak som räknas mot målet."));
        }
        let mut key = slug(&row.label);
        if key.is_empty() {
            key = format!("mal_{}", n + 1);
        }
        while keys.contains(&key) {
            key.push_str("_2");
        }
        keys.push(key.clone());
        if let (Some(t), Some(c)) = (target, comparator) {
            goals.push(NewGoal {
                key,
                label: row.label.clone(),
                kind_id: kind.id,
                dimension_id: dim.id,
                value_ids,
                comparator: c,
                target_bp: t,
            });
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
    Path((insats, year)): Path<(String, String)>,
    form: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let year = crate::web::api::parse_year(&year).map_err(|e| AppError::NotFound(e.message().0))?;
    let axum::Form(pairs) =
        form.map_err(|_| AppError::BadRequest("Formuläret kunde inte läsas. Ladda om sidan och försök igen.".into()))?;
    let cfg = state.store.config();
    let (i, kind, dim) = target(&cfg, &insats)?;
    let (rows, parsed) = parse(&pairs, kind, dim);
    match parsed {
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(Chrome::new(&cfg.association, &user), &user, &cfg, i, dim, year, Some(year), rows, &errors),
        )
            .into_response()),
        Ok(goals) => {
            let id = i.id;
            let (me, name) = user.who();
            let detail = format!(
                "{} {year}: {}",
                i.key,
                goals
                    .iter()
                    .map(|g| format!("{} {} {}", g.key, g.comparator.as_str(), g.target_bp))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            state
                .store
                .write(move |tx| {
                    store::goal::replace(tx, id, year, &goals)?;
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
            Ok(Redirect::to(&format!("/rapport/{}/{year}#mal", i.key)).into_response())
        }
    }
}
