//! Structural activities on the web and in the API: register one (name, organiser, month,
//! attendees), see it, void it. Validation is `domain::event::validate`; nothing is stored on
//! bad input.

use super::auth::{ClientAddr, CurrentUser, forbidden, today_utc};
use super::views::layout::Chrome;
use crate::AppState;
use crate::domain::event::{NewEvent, RawEvent, StoredEvent, validate};
use crate::domain::{Config, VoidReason};
use crate::error::{AppError, PageError};
use crate::store::{self, audit::Action};
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;
use std::collections::BTreeMap;

/// Form fields: `insats`, `kind`, `period`, `name`, `organiser`, `attendees`, `g.<gender value>`.
pub fn raw_from_pairs(pairs: &[(String, String)]) -> RawEvent {
    let mut raw = RawEvent::default();
    for (k, v) in pairs {
        let slot = match k.as_str() {
            "insats" => Some(&mut raw.insats),
            "kind" => Some(&mut raw.kind),
            "period" => Some(&mut raw.period),
            "name" => Some(&mut raw.name),
            "organiser" => Some(&mut raw.organiser),
            "attendees" => Some(&mut raw.attendees),
            _ => None,
        };
        match slot {
            Some(slot) if slot.is_some() => raw.duplicates.push(k.clone()),
            Some(slot) => *slot = Some(v.clone()),
            None => {
                if let Some(g) = k.strip_prefix("g.") {
                    raw.by_gender.push((g.to_string(), v.clone()));
                }
            }
        }
    }
    raw
}

/// One line for the audit log: never the name or organiser.
fn audit_line(cfg: &Config, e: &StoredEvent) -> String {
    let insats = cfg.insats_by_id(e.insats_id).map(|i| i.key.as_str()).unwrap_or("?");
    let kind = cfg.kind_by_id(e.kind_id).map(|k| k.key.as_str()).unwrap_or("?");
    format!("aktivitet {} ({kind}, {insats}, {}, {} deltagare)", e.id, e.period, e.attendees)
}

/// An event as shown to API clients.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventView {
    pub id: i64,
    pub insats: String,
    pub kind: String,
    pub period: String,
    pub name: String,
    pub organiser: String,
    pub attendees: i64,
    /// gender value key → attendees, where known
    pub by_gender: BTreeMap<String, i64>,
    pub voided: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::domain::VoidReason>, nullable = false)]
    pub void_reason: Option<&'static str>,
}

pub fn view(cfg: &Config, e: &StoredEvent) -> EventView {
    let gender = cfg.gender();
    EventView {
        id: e.id,
        insats: cfg.insats_by_id(e.insats_id).map(|i| i.key.clone()).unwrap_or_default(),
        kind: cfg.kind_by_id(e.kind_id).map(|k| k.key.clone()).unwrap_or_default(),
        period: e.period.to_string(),
        name: e.name.clone(),
        organiser: e.organiser.clone(),
        attendees: e.attendees,
        by_gender: e
            .by_gender
            .iter()
            .filter_map(|(g, n)| gender.and_then(|d| d.value_by_id(*g)).map(|v| (v.key.clone(), *n)))
            .collect(),
        voided: e.void_reason.is_some(),
        void_reason: e.void_reason.map(|r| r.as_str()),
    }
}

/// Validates for a user and stores with an audit entry, in one transaction.
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    addr: Option<String>,
    raw: &RawEvent,
) -> Result<StoredEvent, AppError> {
    let cfg = state.store.config();
    let new: NewEvent = validate(&cfg, raw, state.clock.now()).map_err(AppError::Invalid)?;
    if !user.account.may_tally(new.insats_id) {
        return Err(AppError::Forbidden("Ditt konto får inte registrera för den här insatsen.".into()));
    }
    let (author, name) = user.who();
    Ok(state
        .store
        .write(move |tx| {
            let id = store::event::insert(tx, &new, Some(author))?;
            let e = store::event::get(tx, id)?;
            store::audit::append(
                tx,
                &today_utc(),
                Some((author, &name)),
                Action::TallyCreated,
                &audit_line(&cfg, &e),
                addr.as_deref(),
            )?;
            Ok(e)
        })
        .await?)
}

/// Voids an event for a user (the huvudman and förbundschef any; a coach their own).
pub async fn void(
    state: &AppState,
    user: &CurrentUser,
    addr: Option<String>,
    id: i64,
    reason: VoidReason,
) -> Result<StoredEvent, AppError> {
    let e = load(state, id).await?;
    if !user.account.may_void(e.insats_id, e.author) {
        return Err(AppError::Forbidden("Du får inte makulera den här aktiviteten.".into()));
    }
    let cfg = state.store.config();
    let (me, name) = user.who();
    Ok(state
        .store
        .write(move |tx| {
            let e = store::event::void(tx, id, reason)?;
            let line = format!("{}, orsak {}", audit_line(&cfg, &e), reason.as_str());
            store::audit::append(tx, &today_utc(), Some((me, &name)), Action::TallyVoided, &line, addr.as_deref())?;
            Ok(e)
        })
        .await?)
}

pub fn parse_id(s: &str) -> Result<i64, AppError> {
    s.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| AppError::NotFound("Aktiviteten finns inte.".into()))
}

pub async fn load(state: &AppState, id: i64) -> Result<StoredEvent, AppError> {
    state.store.read(move |c| store::event::get(c, id)).await.map_err(|e| match e {
        store::StoreError::NotFound => AppError::NotFound("Aktiviteten finns inte.".into()),
        e => e.into(),
    })
}

/// `POST /registrera/aktivitet`: stores the event and shows it, or the form again with the problems.
pub async fn submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    form: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    let axum::Form(pairs) =
        form.map_err(|_| AppError::BadRequest("Formuläret kunde inte läsas. Ladda om sidan och försök igen.".into()))?;
    let raw = raw_from_pairs(&pairs);
    match create(&state, &user, addr, &raw).await {
        Ok(e) => Ok(Redirect::to(&format!("/aktivitet/{}", e.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let tally = crate::domain::RawTally {
                insats: raw.insats.clone(),
                kind: raw.kind.clone(),
                period: raw.period.clone(),
                ..Default::default()
            };
            let page = super::tally::render_form(&state, &user, tally, Some(raw), errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /aktivitet/{id}`: the stored event, with "Makulera".
pub async fn page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Result<maud::Markup, PageError> {
    let e = load(&state, parse_id(&id)?).await?;
    if !user.account.may_see_tallies(e.insats_id) {
        return Err(forbidden("Du får inte se aktiviteter för den här insatsen."));
    }
    let cfg = state.store.config();
    let closed = {
        let (i, y) = (e.insats_id, e.period.year);
        state.store.read(move |c| store::closure::closed_from(c, i, y)).await? == Some(e.period.year)
    };
    let may_void = user.account.may_void(e.insats_id, e.author) && !closed;
    Ok(super::views::tally::event_page(Chrome::new(&cfg.association, &user), &user, &cfg, &e, may_void))
}

/// `POST /aktivitet/{id}/makulera` with `reason`.
pub async fn void_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path(id): Path<String>,
    form: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Result<Redirect, PageError> {
    let id = parse_id(&id)?;
    let axum::Form(pairs) =
        form.map_err(|_| AppError::BadRequest("Formuläret kunde inte läsas. Ladda om sidan och försök igen.".into()))?;
    let reason = VoidReason::parse(&super::field(&pairs, "reason"))
        .ok_or_else(|| AppError::BadRequest("Välj en orsak till makuleringen.".into()))?;
    void(&state, &user, addr, id, reason).await?;
    Ok(Redirect::to(&format!("/aktivitet/{id}")))
}
