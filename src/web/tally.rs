//! The tally pages: pick insats and kind, choose one value per dimension, "Registrera"; then a page
//! that confirms what was stored, with "Ångra", "Makulera" (with a reason) and "Registrera en till".

use super::auth::{ClientAddr, CurrentUser, forbidden, today_utc};
use super::describe;
use super::views::layout::Chrome;
use super::views::tally::{FormState, VoidControls, confirmation_page, form_page, list_page};
use crate::AppState;
use crate::domain::{Config, FieldError, Period, RawTally, StoredTally, VoidReason, tally};
use crate::error::{AppError, PageError};
use crate::store::{self, audit::Action};
use axum::Extension;
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

/// The tally form. `saved`: a tally of that month was just stored that the account may not open
/// (a coach's, older than last month), so the form says so instead of showing it.
pub async fn render_form(
    state: &AppState,
    user: &CurrentUser,
    raw: RawTally,
    event: Option<crate::domain::event::RawEvent>,
    errors: Vec<FieldError>,
    saved: Option<Period>,
) -> Result<maud::Markup, PageError> {
    let cfg = state.store.config();
    let now = state.clock.now();
    let allowed: Vec<i64> = cfg.active_insatser().filter(|i| user.account.may_tally(i.id)).map(|i| i.id).collect();
    if allowed.is_empty() {
        return Err(forbidden(
            "Du har inga insatser att registrera för. Be förbundschefen koppla ditt konto till en insats.",
        ));
    }
    // Default to the only insats / kind when there is just one to choose.
    let mut raw = raw;
    if raw.insats.as_deref().is_none_or(str::is_empty) && allowed.len() == 1 {
        raw.insats = cfg.insats_by_id(allowed[0]).map(|i| i.key.clone());
    }
    let insats =
        raw.insats.as_deref().and_then(|k| cfg.insats(k)).filter(|i| !i.retired && allowed.contains(&i.id)).cloned();
    if let Some(i) = &insats {
        let kinds: Vec<_> = cfg.active_kinds_of(i).collect();
        if raw.kind.as_deref().is_none_or(str::is_empty) && kinds.len() == 1 {
            raw.kind = Some(kinds[0].key.clone());
        }
    }
    let visible = user.account.visible_tallies(now);
    let own = visible.own_months();
    let recent = match &insats {
        Some(i) => {
            let id = i.id;
            state
                .store
                .read(move |c| store::tally::recent(c, id, &visible, 10))
                .await?
                .iter()
                .map(|t| describe(&cfg, t))
                .collect()
        }
        None => Vec::new(),
    };
    let recent_events = match &insats {
        Some(i) if cfg.active_kinds_of(i).any(|k| k.shape == crate::domain::Shape::Event) => {
            let id = i.id;
            state
                .store
                .read(move |c| store::event::recent(c, id, 10))
                .await?
                .iter()
                .map(|e| super::event::view(&cfg, e))
                .collect()
        }
        _ => Vec::new(),
    };
    let st = FormState { raw, event, recent_events, errors, now, own, saved };
    Ok(form_page(Chrome::new(&cfg.association, user), user, &cfg, &allowed, &st, &recent))
}

/// `GET /registrera?insats=…&kind=…&period=…`
pub async fn form(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<maud::Markup, PageError> {
    let raw = raw_from_pairs(&pairs);
    // `sparad=1` after a registration the account may not open: the month comes from `period`.
    let saved = pairs
        .iter()
        .any(|(k, v)| k == "sparad" && v == "1")
        .then(|| raw.period.as_deref().and_then(Period::parse))
        .flatten()
        .filter(|p| *p <= state.clock.now());
    render_form(&state, &user, raw, None, Vec::new(), saved).await
}

/// `POST /registrera`: stores the tally and redirects to its confirmation, or shows the form again
/// with the problems next to their fields (nothing stored).
pub async fn submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    form: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    let axum::Form(pairs) =
        form.map_err(|_| AppError::BadRequest("Formuläret kunde inte läsas. Ladda om sidan och försök igen.".into()))?;
    let raw = raw_from_pairs(&pairs);
    let cfg = state.store.config();
    match tally::validate(&cfg, &raw, state.clock.now()) {
        Ok(new) => {
            if !user.account.may_tally(new.insats_id) {
                return Err(forbidden("Du får inte registrera för den här insatsen."));
            }
            let t = create(&state, &cfg, &user, addr, new).await.map_err(PageError)?;
            if user.account.may_see_tally(&t, state.clock.now()) {
                return Ok(Redirect::to(&format!("/registrerat/{}", t.id)).into_response());
            }
            // A coach's tally of a month before last: stored, but not theirs to open any more.
            let insats = cfg.insats_by_id(t.insats_id).map(|i| i.key.as_str()).unwrap_or_default();
            let kind = cfg.kind_by_id(t.kind_id).map(|k| k.key.as_str()).unwrap_or_default();
            let back = format!("/registrera?insats={insats}&kind={kind}&period={}&sparad=1", t.period);
            Ok(Redirect::to(&back).into_response())
        }
        Err(errors) => {
            let page = render_form(&state, &user, raw, None, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// One line describing a tally for the audit log: never its categories (see docs/SECURITY.md).
pub fn audit_line(cfg: &Config, t: &StoredTally) -> String {
    let insats = cfg.insats_by_id(t.insats_id).map(|i| i.key.as_str()).unwrap_or("?");
    let kind = cfg.kind_by_id(t.kind_id).map(|k| k.key.as_str()).unwrap_or("?");
    format!("registrering {} ({kind}, {insats}, {})", t.id, t.period)
}

/// Stores a validated tally with its author and an audit entry, in one transaction.
pub async fn create(
    state: &AppState,
    cfg: &std::sync::Arc<Config>,
    user: &CurrentUser,
    addr: Option<String>,
    new: crate::domain::NewTally,
) -> Result<StoredTally, AppError> {
    let (author, name) = user.who();
    let cfg = cfg.clone();
    Ok(state
        .store
        .write(move |tx| {
            let id = store::tally::insert(tx, &new, Some(author))?;
            let t = StoredTally {
                id,
                insats_id: new.insats_id,
                kind_id: new.kind_id,
                period: new.period,
                values: new.values,
                void_reason: None,
                author: Some(author),
            };
            store::audit::append(
                tx,
                &today_utc(),
                Some((author, &name)),
                Action::TallyCreated,
                &audit_line(&cfg, &t),
                addr.as_deref(),
            )?;
            Ok(t)
        })
        .await?)
}

fn not_found() -> AppError {
    AppError::NotFound("Registreringen finns inte.".into())
}

pub fn parse_id(s: &str) -> Result<i64, AppError> {
    s.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(not_found)
}

/// A tally the account may see, and whether its year is closed. 403 for a role that never sees
/// individual tallies (a läsare), before anything is looked up; 404 both for a tally that does not
/// exist and for one the account may not see (a coach: someone else's, one older than last month,
/// or of another insats), so the answer does not tell whether it exists.
pub async fn load_visible(state: &AppState, user: &CurrentUser, id: i64) -> Result<(StoredTally, bool), AppError> {
    if !user.account.may_see_any_tally() {
        return Err(AppError::Forbidden("Ditt konto får inte se enskilda registreringar.".into()));
    }
    let (t, closed) = state
        .store
        .read(move |c| {
            let t = store::tally::get(c, id)?;
            let closed = store::closure::get(c, t.insats_id, t.period.year)?.is_some();
            Ok((t, closed))
        })
        .await
        .map_err(|e| match e {
            store::StoreError::NotFound => not_found(),
            e => e.into(),
        })?;
    if !user.account.may_see_tally(&t, state.clock.now()) {
        return Err(not_found());
    }
    Ok((t, closed))
}

/// `GET /registrerat/{id}`
pub async fn confirmation(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Result<maud::Markup, PageError> {
    let (t, closed) = load_visible(&state, &user, parse_id(&id)?).await?;
    let cfg = state.store.config();
    let controls = VoidControls {
        may_void: user.account.may_void_tally(&t, state.clock.now()) && !closed,
        own: t.author == Some(user.account.id),
        closed,
        may_tally: user.account.may_tally(t.insats_id),
    };
    Ok(confirmation_page(Chrome::new(&cfg.association, &user), &user, &describe(&cfg, &t), controls))
}

/// Voids a tally for a user, checking rights (only a tally they may see, as `load_visible`); the
/// year being open is checked in the transaction.
pub async fn void(
    state: &AppState,
    user: &CurrentUser,
    addr: Option<String>,
    id: i64,
    reason: VoidReason,
) -> Result<StoredTally, AppError> {
    let (t, _) = load_visible(state, user, id).await?;
    if !user.account.may_void_tally(&t, state.clock.now()) {
        return Err(AppError::Forbidden(
            "Du får inte makulera den här registreringen. En coach kan makulera sina egna från denna och förra månaden; huvudman och förbundschef alla.".into(),
        ));
    }
    let cfg = state.store.config();
    let (me, name) = user.who();
    Ok(state
        .store
        .write(move |tx| {
            let t = store::tally::void(tx, id, reason)?;
            let line = format!("{}, orsak {}", audit_line(&cfg, &t), reason.as_str());
            store::audit::append(tx, &today_utc(), Some((me, &name)), Action::TallyVoided, &line, addr.as_deref())?;
            Ok(t)
        })
        .await?)
}

/// `POST /registrerat/{id}/angra`: "Ångra" right after registering, a void by the author.
pub async fn undo(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path(id): Path<String>,
) -> Result<Redirect, PageError> {
    let id = parse_id(&id)?;
    void(&state, &user, addr, id, VoidReason::Felregistrering).await?;
    Ok(Redirect::to(&format!("/registrerat/{id}")))
}

/// `POST /registrerat/{id}/makulera` with `reason`.
pub async fn void_with_reason(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path(id): Path<String>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Redirect, PageError> {
    let id = parse_id(&id)?;
    let reason = pairs
        .iter()
        .find(|(k, _)| k == "reason")
        .and_then(|(_, v)| VoidReason::parse(v))
        .ok_or_else(|| AppError::BadRequest("Välj varför registreringen ska makuleras.".into()))?;
    void(&state, &user, addr, id, reason).await?;
    Ok(Redirect::to(&format!("/registrerat/{id}")))
}

/// `GET /registreringar?insats=…`: the latest 100 tallies of an insats the account may see (a
/// coach: their own of this month and last month).
pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<maud::Markup, PageError> {
    let cfg = state.store.config();
    let allowed: Vec<i64> = cfg.insatser.iter().filter(|i| user.account.may_see_tallies(i.id)).map(|i| i.id).collect();
    let wanted = pairs.iter().find(|(k, _)| k == "insats").map(|(_, v)| v.as_str());
    let insats = match wanted {
        Some(key) => cfg.insats(key).ok_or_else(|| AppError::NotFound(format!("Insatsen ”{key}” finns inte.")))?,
        None => allowed
            .first()
            .and_then(|id| cfg.insats_by_id(*id))
            .ok_or_else(|| forbidden("Du får inte se registreringar för någon insats."))?,
    }
    .clone();
    if !allowed.contains(&insats.id) {
        return Err(forbidden("Du får inte se registreringar för den här insatsen."));
    }
    let id = insats.id;
    let visible = user.account.visible_tallies(state.clock.now());
    let own = visible.own_months();
    let tallies: Vec<_> = state
        .store
        .read(move |c| store::tally::recent(c, id, &visible, 100))
        .await?
        .iter()
        .map(|t| describe(&cfg, t))
        .collect();
    let cfg = state.store.config();
    Ok(list_page(Chrome::new(&cfg.association, &user), &cfg, &allowed, &insats, &tallies, own))
}
