//! The yearly report page and the shared way to build a report for any output.

use crate::AppState;
use crate::error::{AppError, PageError};
use crate::report::csv::{self, Dialect};
use crate::report::{Report, tables, yearly};
use crate::store;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

/// Builds the report for an insats key and year: two short reads, then pure arithmetic.
pub async fn build(state: &AppState, insats_key: &str, year: i32) -> Result<Report, AppError> {
    let cfg = state.store.config();
    let insats = cfg
        .insats(insats_key)
        .ok_or_else(|| AppError::NotFound(format!("Insatsen ”{insats_key}” finns inte.")))?
        .clone();
    let id = insats.id;
    let (rows, goals) = state
        .store
        .read(move |c| Ok((store::tally::counts_for_report(c, id, year)?, store::goal::for_year(c, id, year)?)))
        .await?;
    Ok(yearly(&cfg, &insats, year, &rows, (goals.0, &goals.1)))
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

/// `/rapport`: the first insats with entries and exits, this year.
pub async fn index(State(state): State<AppState>) -> Result<Redirect, PageError> {
    let cfg = state.store.config();
    let insats = cfg
        .active_insatser()
        .find(|i| cfg.flow_kind(i, crate::domain::Flow::Entry).is_some())
        .or_else(|| cfg.insatser.first())
        .ok_or_else(|| AppError::NotFound("Det finns inga insatser.".into()))?;
    Ok(Redirect::to(&format!("/rapport/{}/{}", insats.key, state.clock.now().year)))
}

/// `/rapport/{insats}/{year}`
pub async fn page(
    State(state): State<AppState>,
    Path((insats, year)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let year =
        crate::web::api::parse_year(&year).map_err(|_| AppError::NotFound(format!("”{year}” är inget giltigt år.")))?;
    let report = build(&state, &insats, year).await?;
    let cfg = state.store.config();
    Ok(super::views::report::page(&cfg, &report, state.clock.now()).into_response())
}
