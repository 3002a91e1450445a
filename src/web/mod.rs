//! HTTP: routes, handlers and extractors. Pages are server-rendered HTML (no JavaScript needed);
//! the JSON API lives under `/api/v1`.

pub mod api;
pub mod goals;
pub mod report;
pub mod tally;
pub mod views;

use crate::AppState;
use crate::domain::{Config, StoredTally};
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Serialize;
use std::collections::BTreeMap;

const CSS: &str = include_str!("../../assets/pinne.css");

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/registrera") }))
        .route("/registrera", get(tally::form).post(tally::submit))
        .route("/registrerat/{id}", get(tally::confirmation))
        .route("/registrerat/{id}/angra", post(tally::undo))
        .route("/rapport", get(report::index))
        .route("/rapport/{insats}/{year}", get(report::page))
        .route("/mal/{insats}/{year}", get(goals::form).post(goals::submit))
        .route("/assets/pinne.css", get(css))
        .nest("/api/v1", api::router())
        .fallback(not_found)
        .with_state(state)
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        CSS,
    )
        .into_response()
}

async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        crate::error::ApiError(crate::error::AppError::NotFound("Adressen finns inte i API:t.".into())).into_response()
    } else {
        (StatusCode::NOT_FOUND, views::layout::error_page("Sidan finns inte", "Adressen finns inte i Pinne."))
            .into_response()
    }
}

/// A tally as shown to people and to API clients: keys and Swedish labels.
#[derive(Debug, Clone, Serialize)]
pub struct TallyView {
    pub id: i64,
    pub insats: String,
    pub insats_label: String,
    pub kind: String,
    pub kind_label: String,
    pub period: String,
    pub period_label: String,
    /// dimension key → value key
    pub values: BTreeMap<String, String>,
    /// (dimension label, value label) in form order
    #[serde(skip)]
    pub labels: Vec<(String, String)>,
    pub voided: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub void_reason: Option<&'static str>,
}

pub fn describe(config: &Config, t: &StoredTally) -> TallyView {
    let insats = config.insats_by_id(t.insats_id);
    let kind = config.kind_by_id(t.kind_id);
    let mut values = BTreeMap::new();
    let mut labels = Vec::new();
    for (dim_id, value_id) in &t.values {
        if let Some(d) = config.dimension_by_id(*dim_id) {
            let v = d.value_by_id(*value_id);
            values.insert(d.key.clone(), v.map(|v| v.key.clone()).unwrap_or_default());
            labels.push((d.label.clone(), v.map(|v| v.label.clone()).unwrap_or_default()));
        }
    }
    if let Some(k) = kind {
        labels.sort_by_key(|(l, _)| {
            k.dimensions.iter().position(|kd| config.dimension_by_id(kd.dimension_id).is_some_and(|d| &d.label == l))
        });
    }
    TallyView {
        id: t.id,
        insats: insats.map(|i| i.key.clone()).unwrap_or_default(),
        insats_label: insats.map(|i| i.label.clone()).unwrap_or_default(),
        kind: kind.map(|k| k.key.clone()).unwrap_or_default(),
        kind_label: kind.map(|k| k.label.clone()).unwrap_or_default(),
        period: t.period.to_string(),
        period_label: t.period.label(),
        values,
        labels,
        voided: t.void_reason.is_some(),
        void_reason: t.void_reason.map(|r| r.as_str()),
    }
}
