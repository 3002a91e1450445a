//! The yearly report page, the shared way to build a report for any output, and closing a year.

use super::auth::{ClientAddr, CurrentUser, forbidden, now_utc};
use super::views::layout::Chrome;
use super::views::report::View;
use crate::AppState;
use crate::domain::Flow;
use crate::error::{AppError, PageError};
use crate::report::csv::{self, Dialect};
use crate::report::publish::Source;
use crate::report::tables::Table;
use crate::report::{Report, tables, yearly};
use crate::store::{self, audit::Action};
use axum::Extension;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

/// The insats of a report, if the user may read the report. Reports exist up to the year after
/// the current one (the year being planned: its goals and budget); a later year has no report, so
/// no request can make Pinne protect decades of empty years.
fn readable(
    state: &AppState,
    user: &CurrentUser,
    insats_key: &str,
    year: i32,
) -> Result<crate::domain::Insats, AppError> {
    within_reach(state, year)?;
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
    Ok(insats)
}

/// Reports, goals and budgets exist up to the year after the current one: 404 for a later year.
pub fn within_reach(state: &AppState, year: i32) -> Result<(), AppError> {
    let last = state.clock.now().year + 1;
    if year > last {
        return Err(AppError::NotFound(format!(
            "År {year} ligger för långt fram: rapporter, mål och budget finns till och med {last}."
        )));
    }
    Ok(())
}

/// Builds the report for an insats key and year, if the user may read it: two short reads, then
/// pure arithmetic.
pub async fn build(state: &AppState, user: &CurrentUser, insats_key: &str, year: i32) -> Result<Report, AppError> {
    let cfg = state.store.config();
    let insats = readable(state, user, insats_key, year)?;
    let id = insats.id;
    let (inputs, closed) =
        state.store.read(move |c| Ok((store::report_inputs(c, id, year)?, store::closure::get(c, id, year)?))).await?;
    let mut report = yearly(&cfg, &insats, year, &inputs);
    report.closed = closed;
    Ok(report)
}

/// A report with the tables a user may see: protected for readers, coaches, read-only tokens and
/// publication versions; as counted for the huvudman and förbundschef otherwise.
pub struct Built {
    pub report: Report,
    pub tables: Vec<Table>,
    /// The tables of the report's five years, oldest first (the last is `tables`).
    pub trend: Vec<(i32, Vec<Table>)>,
    pub protected: bool,
    /// The protection rule the published figures follow.
    pub rule: crate::report::protect::Rule,
}

/// Whether this user only ever sees protected figures: readers, coaches and read-only tokens.
pub fn must_protect(user: &CurrentUser) -> bool {
    use crate::domain::account::Role;
    matches!(user.account.role, Role::Lasare | Role::Coach)
        || matches!(user.credential, super::auth::Credential::Token { read_only: true, .. })
}

/// `?publicering=ja` asks for the publication version; anything but ja/nej is refused.
pub fn publication(value: Option<&str>) -> Result<bool, AppError> {
    match value {
        None | Some("nej") => Ok(false),
        Some("ja") => Ok(true),
        Some(other) => {
            Err(AppError::BadRequest(format!("”{other}” är inget giltigt värde för publicering: välj ja eller nej.")))
        }
    }
}

/// Builds a report and its tables, protected when the user must only see protected figures or asks
/// for the publication version (see `report::publish`: every year from the first with data,
/// the running year as of the end of its last complete month, decisions cached).
pub async fn build_tables(
    state: &AppState,
    user: &CurrentUser,
    insats_key: &str,
    year: i32,
    publication: bool,
) -> Result<Built, AppError> {
    if !(publication || must_protect(user)) {
        let report = build(state, user, insats_key, year).await?;
        let cfg = state.store.config();
        let insats = cfg.insats(insats_key).expect("checked by build").clone();
        let id = insats.id;
        let years: Vec<i32> = ((year - 4)..year).collect();
        let inputs = state
            .store
            .read(move |c| {
                years.iter().map(|y| Ok((*y, store::report_inputs(c, id, *y)?))).collect::<Result<Vec<_>, _>>()
            })
            .await?;
        let mut trend: Vec<(i32, Vec<Table>)> =
            inputs.iter().map(|(y, i)| (*y, tables::tables(&yearly(&cfg, &insats, *y, i)))).collect();
        let tables = tables::tables(&report);
        trend.push((year, tables.clone()));
        return Ok(Built { report, tables, trend, protected: false, rule: crate::report::rule(&cfg) });
    }
    let insats = readable(state, user, insats_key, year)?;
    let published = published(state, insats, year).await?;
    let tables = published.trend.last().map(|(_, t)| t.clone()).unwrap_or_default();
    let rule = crate::report::rule(&state.store.config());
    Ok(Built { report: published.report.clone(), tables, trend: published.trend.clone(), protected: true, rule })
}

/// The publication version of an insats' year: from the cache while the data is unchanged, else
/// protected anew (on a blocking thread: it can take seconds).
pub async fn published(
    state: &AppState,
    insats: crate::domain::Insats,
    year: i32,
) -> Result<std::sync::Arc<crate::report::publish::Published>, AppError> {
    let cfg = state.store.config();
    let rule = crate::report::rule(&cfg);
    let month = crate::report::publish::snapshot_month(year, state.clock.now());
    let key = (insats.id, year, month, format!("{rule:?}"));
    let generation = state.store.generation();
    let id = insats.id;
    if let Some(p) = state.published.fresh(&key, generation) {
        return Ok(p);
    }
    let (years, closed) = state
        .store
        .read(move |c| {
            let first = store::first_year(c, id)?.unwrap_or(year).min(year - 4);
            let mut out = Vec::new();
            for y in first..=year {
                let m = if y == year { month } else { 12 };
                out.push((y, store::report_inputs_until(c, id, y, m)?));
            }
            Ok((out, store::closure::get(c, id, year)?))
        })
        .await?;
    let cache = state.published.clone();
    // Dropped with this future when the client goes away: the protection stops at its next year.
    let gone = Gone::default();
    let flag = gone.0.clone();
    tokio::task::spawn_blocking(move || {
        let src = Source { config: &cfg, insats: &insats, years: &years, closed };
        let gone = || flag.load(std::sync::atomic::Ordering::Relaxed);
        let published = cache.publish(key, generation, src, &rule, &gone);
        if published.is_none() && gone() {
            tracing::info!(year, "protection stopped: the request is gone");
        }
        published
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("publishing a report: {e}")))?
    .ok_or_else(|| AppError::Unavailable("Pinne håller på att stänga av. Försök igen om en stund.".into()))
}

/// Set when dropped: tells work on a blocking thread that the request it serves is gone.
#[derive(Default)]
struct Gone(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Drop for Gone {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Protects the running year of every insats with tallies in the background, so that the first
/// reader after a start does not wait for it.
pub async fn warm(state: AppState) {
    let started = std::time::Instant::now();
    let year = state.clock.now().year;
    for insats in state.store.config().insatser.iter().filter(|i| !i.kind_ids.is_empty()) {
        if let Err(e) = published(&state, insats.clone(), year).await {
            tracing::warn!(insats = %insats.key, error = %e, "could not prepare the publication version");
        }
    }
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "publication versions prepared");
}

/// What an export says about itself on its first line.
pub fn marking(protected: bool, rule: &crate::report::protect::Rule) -> String {
    if protected {
        format!("Publiceringsversion: {}", rule.describe(true))
    } else {
        "EJ FÖR PUBLICERING: innehåller små antal som kan peka ut enskilda personer.".into()
    }
}

/// The file name of an export: marked as the publication version or not for publication.
fn file_name(built: &Built, extension: &str) -> String {
    let version = if built.protected { "publicering" } else { "ej-for-publicering" };
    format!("pinne-{}-{}-{version}.{extension}", built.report.insats.key, built.report.year)
}

/// The whole report as an Excel workbook, one sheet per table.
pub fn xlsx_response(built: &Built) -> Result<Response, AppError> {
    let rule = built.rule.clone();
    let about = crate::report::xlsx::About {
        association: &built.report.association,
        insats: &built.report.insats.label,
        year: built.report.year,
        protected: built.protected,
        rule: &rule,
    };
    let body = crate::report::xlsx::write(&about, &built.tables)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("writing the workbook: {e}")))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file_name(built, "xlsx")))
                    .expect("ascii file name"),
            ),
        ],
        body,
    )
        .into_response())
}

pub fn csv_response(state: &AppState, built: &Built, dialect: Dialect) -> Response {
    let report = &built.report;
    let rule = crate::report::rule(&state.store.config());
    let body = csv::write(&built.tables, dialect, &marking(built.protected, &rule));
    let suffix = match (dialect, built.protected) {
        (Dialect::Plain, true) => "-publicering-plain",
        (Dialect::Plain, false) => "-ej-for-publicering-plain",
        (Dialect::Excel, true) => "-publicering",
        (Dialect::Excel, false) => "-ej-for-publicering",
    };
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

/// The report page's query: `publicering=ja|nej`, `visning=ar|trend`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub publicering: Option<String>,
    pub visning: Option<String>,
}

impl PageQuery {
    fn view(&self) -> Result<View, AppError> {
        let trend = match self.visning.as_deref() {
            None | Some("ar") => false,
            Some("trend") => true,
            Some(other) => {
                return Err(AppError::BadRequest(format!("”{other}” är ingen visning: välj ar eller trend.")));
            }
        };
        Ok(View { publication: publication(self.publicering.as_deref())?, trend })
    }
}

async fn page_parts(
    state: &AppState,
    user: &CurrentUser,
    insats: &str,
    year: &str,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<(Built, View), AppError> {
    let year =
        crate::web::api::parse_year(year).map_err(|_| AppError::NotFound(format!("”{year}” är inget giltigt år.")))?;
    let Query(q) = q.map_err(|_| {
        AppError::BadRequest("Adressen har okända val. Välj publicering och visning från sidan.".into())
    })?;
    let view = q.view()?;
    let built = build_tables(state, user, insats, year, view.publication).await?;
    Ok((built, view))
}

/// `/rapport/{insats}/{year}`
pub async fn page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((insats, year)): Path<(String, String)>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let (built, view) = page_parts(&state, &user, &insats, &year, q).await?;
    let cfg = state.store.config();
    Ok(super::views::report::page(Chrome::new(&cfg.association, &user), &user, &cfg, &built, view, state.clock.now())
        .into_response())
}

/// `/rapport/{insats}/{year}/utskrift`: the whole report for A4 print or PDF.
pub async fn print(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((insats, year)): Path<(String, String)>,
    q: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let (built, view) = page_parts(&state, &user, &insats, &year, q).await?;
    Ok(super::views::report::print(&built, view, state.clock.now()).into_response())
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
    within_reach(&state, year)?;
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
    within_reach(&state, year)?;
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
