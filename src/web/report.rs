//! The yearly report page, the shared way to build a report for any output, and closing a year.

use super::auth::{ClientAddr, CurrentUser, forbidden, now_utc};
use super::views::layout::Chrome;
use crate::AppState;
use crate::domain::Flow;
use crate::error::{AppError, PageError};
use crate::report::csv::{self, Dialect};
use crate::report::{Report, tables, yearly};
use crate::store::{self, audit::Action};
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

/// Builds the report for an insats key and year, if the user may read it: two short reads, then
/// pure arithmetic.
pub async fn build(state: &AppState, user: &CurrentUser, insats_key: &str, year: i32) -> Result<Report, AppError> {
    let cfg = state.store.config();
    let insats = cfg
        .insats(insats_key)
        .ok_or_else(|| AppError::NotFound(format!("Insatsen ”{insats_key}” finns inte.")))?
        .clone();
    if !user.account.may_read_report(insats.id, year, state.clock.now().year) {
        return Err(AppError::Forbidden(if user.account.role == crate::domain::account::Role::Coach {
            "Som coach ser du innevarande år för dina insatser.".into()
        } else {
            "Du får inte läsa rapporter för den här insatsen.".into()
        }));
    }
    let id = insats.id;
    let (inputs, closed) =
        state.store.read(move |c| Ok((store::report_inputs(c, id, year)?, store::closure::get(c, id, year)?))).await?;
    let mut report = yearly(&cfg, &insats, year, &inputs);
    report.closed = closed;
    Ok(report)
}

pub fn csv_response(report: &Report, dialect: Dialect) -> Response {
    let body = csv::write(&tables::tables(report), dialect);
    let suffix = if dialect == Dialect::Plain { "-plain" } else { "" };
    let name = format!("pinne-{}-{}{suffix}.csv", report.insats.key, report.year);
    let ct =
        if dialect == Dialect::Excel { "text/csv; charset=utf-8; header=present" } else { "text/csv; charset=utf-8" };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(ct)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")).expect("ascii file name"),
            ),
        ],
        body,
    )
        .into_response()
}

/// `/rapport`: the first insats with entries the user may read, this year.
pub async fn index(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Redirect, PageError> {
    let cfg = state.store.config();
    let year = state.clock.now().year;
    let insats = cfg
        .insatser
        .iter()
        .filter(|i| cfg.flow_kind(i, Flow::Entry).is_some())
        .find(|i| user.account.may_read_report(i.id, year, year))
        .ok_or_else(|| forbidden("Du har inga insatser att läsa rapporter för."))?;
    Ok(Redirect::to(&format!("/rapport/{}/{year}", insats.key)))
}

/// `/rapport/{insats}/{year}`
pub async fn page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((insats, year)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let year =
        crate::web::api::parse_year(&year).map_err(|_| AppError::NotFound(format!("”{year}” är inget giltigt år.")))?;
    let report = build(&state, &user, &insats, year).await?;
    let cfg = state.store.config();
    Ok(super::views::report::page(Chrome::new(&cfg.association, &user), &user, &cfg, &report, state.clock.now())
        .into_response())
}

/// Why a förbundschef reopens a year: a fixed list, no free text.
pub const REOPEN_REASONS: [(&str, &str); 3] =
    [("rattelse", "Registreringar behöver rättas"), ("konfiguration", "Fel i konfigurationen"), ("annat", "Annat")];

/// `POST /rapport/{insats}/{year}/stang`: the huvudman (or förbundschef) closes the year.
pub async fn close(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path((insats, year)): Path<(String, String)>,
) -> Result<Redirect, PageError> {
    let year = crate::web::api::parse_year(&year).map_err(|e| AppError::NotFound(e.message().0))?;
    let cfg = state.store.config();
    let i = cfg.insats(&insats).ok_or_else(|| AppError::NotFound(format!("Insatsen ”{insats}” finns inte.")))?.clone();
    if !user.account.may_close_year(i.id) {
        return Err(forbidden("Bara huvudmannen för insatsen och förbundschefen kan stänga ett år."));
    }
    let (me, name) = user.who();
    let key = i.key.clone();
    state
        .store
        .write(move |tx| {
            if !store::closure::close(tx, i.id, year, me, &now_utc())? {
                return Err(store::StoreError::Conflict(format!("{year} är redan stängt för {}.", i.label)));
            }
            store::audit::append(
                tx,
                &now_utc(),
                Some((me, &name)),
                Action::YearClosed,
                &format!("{} {year}", i.key),
                addr.as_deref(),
            )
        })
        .await?;
    Ok(Redirect::to(&format!("/rapport/{key}/{year}")))
}

/// `POST /rapport/{insats}/{year}/oppna` with `reason`: the förbundschef reopens a closed year.
pub async fn reopen(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path((insats, year)): Path<(String, String)>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Redirect, PageError> {
    let year = crate::web::api::parse_year(&year).map_err(|e| AppError::NotFound(e.message().0))?;
    if !user.account.may_reopen_year() {
        return Err(forbidden("Bara förbundschefen kan öppna ett stängt år."));
    }
    let reason = pairs
        .iter()
        .find(|(k, _)| k == "reason")
        .and_then(|(_, v)| REOPEN_REASONS.iter().find(|(key, _)| key == v))
        .ok_or_else(|| AppError::BadRequest("Välj varför året öppnas igen.".into()))?
        .0;
    let cfg = state.store.config();
    let i = cfg.insats(&insats).ok_or_else(|| AppError::NotFound(format!("Insatsen ”{insats}” finns inte.")))?.clone();
    let (me, name) = user.who();
    let key = i.key.clone();
    state
        .store
        .write(move |tx| {
            if !store::closure::reopen(tx, i.id, year)? {
                return Err(store::StoreError::Conflict(format!("{year} är inte stängt för {}.", i.label)));
            }
            let detail = format!("{} {year}, orsak {reason}", i.key);
            store::audit::append(tx, &now_utc(), Some((me, &name)), Action::YearReopened, &detail, addr.as_deref())
        })
        .await?;
    Ok(Redirect::to(&format!("/rapport/{key}/{year}")))
}
