//! The tally pages: pick insats and kind, choose one value per dimension, "Registrera"; then a page
//! that confirms what was stored, with "Ångra" and "Registrera en till".

use super::describe;
use super::views::tally::{FormState, confirmation_page, form_page};
use crate::AppState;
use crate::domain::{FieldError, RawTally, VoidReason, tally};
use crate::error::{AppError, PageError};
use crate::store;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// Form fields: `insats`, `kind`, `period` and `v.<dimension key>`.
/// A field given twice (a tampered form) is kept as a duplicate, which validation refuses.
fn raw_from_pairs(pairs: &[(String, String)]) -> RawTally {
    let mut raw = RawTally::default();
    for (k, v) in pairs {
        let slot = match k.as_str() {
            "insats" => Some(&mut raw.insats),
            "kind" => Some(&mut raw.kind),
            "period" => Some(&mut raw.period),
            _ => None,
        };
        match slot {
            Some(slot) if slot.is_some() => raw.duplicates.push(k.clone()),
            Some(slot) => *slot = Some(v.clone()),
            None => {
                if let Some(dim) = k.strip_prefix("v.") {
                    raw.values.push((dim.to_string(), v.clone()));
                }
            }
        }
    }
    raw
}

async fn render_form(state: &AppState, raw: RawTally, errors: Vec<FieldError>) -> Result<maud::Markup, PageError> {
    let cfg = state.store.config();
    let now = state.clock.now();
    // Default to the only insats / kind when there is just one to choose.
    let mut raw = raw;
    let active: Vec<_> = cfg.active_insatser().collect();
    if raw.insats.as_deref().is_none_or(str::is_empty) && active.len() == 1 {
        raw.insats = Some(active[0].key.clone());
    }
    let insats = raw.insats.as_deref().and_then(|k| cfg.insats(k)).filter(|i| !i.retired).cloned();
    if let Some(i) = &insats {
        let kinds: Vec<_> = cfg.kinds_of(i).collect();
        if raw.kind.as_deref().is_none_or(str::is_empty) && kinds.len() == 1 {
            raw.kind = Some(kinds[0].key.clone());
        }
    }
    let recent = match &insats {
        Some(i) => {
            let id = i.id;
            state
                .store
                .read(move |c| store::tally::recent(c, id, 10))
                .await?
                .iter()
                .map(|t| describe(&cfg, t))
                .collect()
        }
        None => Vec::new(),
    };
    Ok(form_page(&cfg, &FormState { raw, errors, now }, &recent))
}

/// `GET /registrera?insats=…&kind=…&period=…`
pub async fn form(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<maud::Markup, PageError> {
    render_form(&state, raw_from_pairs(&pairs), Vec::new()).await
}

/// `POST /registrera`: stores the tally and redirects to its confirmation, or shows the form again
/// with the problems next to their fields (nothing stored).
pub async fn submit(
    State(state): State<AppState>,
    form: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    let axum::Form(pairs) =
        form.map_err(|_| AppError::BadRequest("Formuläret kunde inte läsas. Ladda om sidan och försök igen.".into()))?;
    let raw = raw_from_pairs(&pairs);
    let cfg = state.store.config();
    match tally::validate(&cfg, &raw, state.clock.now()) {
        Ok(new) => {
            let id = state.store.write(move |tx| store::tally::insert(tx, &new)).await?;
            Ok(Redirect::to(&format!("/registrerat/{id}")).into_response())
        }
        Err(errors) => Ok((StatusCode::UNPROCESSABLE_ENTITY, render_form(&state, raw, errors).await?).into_response()),
    }
}

fn parse_id(s: &str) -> Result<i64, AppError> {
    s.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| AppError::NotFound("Registreringen finns inte.".into()))
}

/// `GET /registrerat/{id}`
pub async fn confirmation(State(state): State<AppState>, Path(id): Path<String>) -> Result<maud::Markup, PageError> {
    let id = parse_id(&id)?;
    let t = state.store.read(move |c| store::tally::get(c, id)).await.map_err(|e| match e {
        store::StoreError::NotFound => AppError::NotFound("Registreringen finns inte.".into()),
        e => e.into(),
    })?;
    let cfg = state.store.config();
    Ok(confirmation_page(&cfg.association, &describe(&cfg, &t)))
}

/// `POST /registrerat/{id}/angra`: voids the tally (it stays stored, marked as a mistake).
pub async fn undo(State(state): State<AppState>, Path(id): Path<String>) -> Result<Redirect, PageError> {
    let id = parse_id(&id)?;
    state.store.write(move |tx| store::tally::void(tx, id, VoidReason::Felregistrering)).await?;
    Ok(Redirect::to(&format!("/registrerat/{id}")))
}
