//! HTTP: routes, handlers and extractors. Pages are server-rendered HTML (no JavaScript needed);
//! the JSON API lives under `/api/v1`.

pub mod account;
pub mod admin;
pub mod api;
pub mod auth;
pub mod budget;
pub mod dashboard;
pub mod earlier;
pub mod event;
pub mod finsam;
pub mod goals;
pub mod import;
pub mod import_api;
pub mod oidc;
pub mod openapi;
pub mod openapi_live;
pub mod report;
pub mod settings;
pub mod span;
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

/// Every route. Anonymous requests reach only `/login` and `/assets/…` (`auth::authenticate`);
/// each handler checks the signed-in account's role.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/login/kod", get(auth::code_form).post(auth::code))
        .route("/login/oidc", get(oidc::start))
        .route("/login/oidc/svar", get(oidc::callback))
        .route("/logout", post(auth::logout))
        .route("/registrera", get(tally::form).post(tally::submit))
        .route("/registreringar", get(tally::list))
        .route("/registrerat/{id}", get(tally::confirmation))
        .route("/registrerat/{id}/angra", post(tally::undo))
        .route("/registrerat/{id}/makulera", post(tally::void_with_reason))
        .route("/registrera/aktivitet", post(event::submit))
        .route("/aktivitet/{id}", get(event::page))
        .route("/aktivitet/{id}/makulera", post(event::void_page))
        .route("/budget/{insats}/{year}", get(budget::form).post(budget::submit))
        .route("/oversikt", get(dashboard::page_handler))
        .route("/installningar", get(settings::form).post(settings::submit))
        .route("/rapport", get(report::index))
        .route("/rapport/period", get(span::choose))
        .route("/rapport/{insats}/period/{span}", get(span::page))
        .route("/rapport/{insats}/{year}", get(report::page))
        .route("/rapport/{insats}/{year}/utskrift", get(report::print))
        .route("/uppfoljning/{year}", get(finsam::page_handler))
        .route("/rapport/{insats}/{year}/stang", post(report::close))
        .route("/rapport/{insats}/{year}/oppna", post(report::reopen))
        .route("/mal/{insats}/{year}", get(goals::form).post(goals::submit))
        .route("/konto", get(account::show))
        .route("/konto/losenord", post(account::change_password))
        .route("/konto/tvasteg", get(account::totp_form).post(account::totp_enable))
        .route("/konto/nycklar", post(account::create_token))
        .route("/konto/nycklar/{id}/aterkalla", post(account::revoke_token))
        .route("/anvandare", get(admin::users).post(admin::create_user))
        .route("/anvandare/{id}", get(admin::user).post(admin::update_user))
        .route("/anvandare/{id}/losenord", post(admin::reset_password))
        .route("/logg", get(admin::audit))
        .route("/logg.csv", get(admin::audit_csv))
        .route("/import", get(import::index).post(import::upload).layer(import_limit()))
        .route("/import/mall.xlsx", get(import::template_xlsx))
        .route("/import/mall.csv", get(import::template_csv))
        .route("/import/export", get(import::export_page))
        .route("/import/jobb/{id}", get(import::job_page))
        .route("/import/jobb/{id}/spara", post(import::save_page))
        .route("/import/{id}/angra", post(import::undo_page))
        .route("/tidigare", get(earlier::index))
        .route("/tidigare/{insats}/{year}", get(earlier::form).post(earlier::submit))
        .route("/assets/pinne.css", get(css))
        .nest("/api/v1", api::router())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::authenticate))
        .layer(axum::middleware::from_fn(same_site_only))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::security_headers))
        .with_state(state)
}

/// An upload may be as large as the largest file accepted, with room for the form around it.
fn import_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(crate::transfer::read::MAX_FILE + 64 * 1024)
}

/// `/`: where the account's work is.
async fn home(axum::Extension(user): axum::Extension<auth::CurrentUser>) -> Redirect {
    use crate::domain::account::Role;
    Redirect::to(match user.account.role {
        Role::Coach => "/registrera",
        Role::Forbundschef => "/oversikt",
        Role::Huvudman | Role::Lasare => "/rapport",
    })
}

/// Refuses state-changing requests that a browser says come from another site (`Sec-Fetch-Site`),
/// or whose `Origin` is not this host: a page elsewhere must not be able to post a tally or change
/// goals through a visitor's browser. Clients that send neither header (curl, scripts) pass.
async fn same_site_only(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if !req.method().is_safe() {
        let h = req.headers();
        let text = |name: header::HeaderName| h.get(name).and_then(|v| v.to_str().ok());
        let cross = match text(header::HeaderName::from_static("sec-fetch-site")) {
            Some(site) => !matches!(site, "same-origin" | "none"),
            None => match (text(header::ORIGIN), text(header::HOST)) {
                (Some(origin), Some(host)) => {
                    origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) != Some(host)
                }
                (Some(_), None) => true,
                _ => false,
            },
        };
        if cross {
            tracing::warn!("cross-site state-changing request refused");
            let message = "Förfrågan kom från en annan webbplats och stoppades. Öppna Pinne direkt och försök igen.";
            return if req.uri().path().starts_with("/api/") {
                (StatusCode::FORBIDDEN, axum::Json(serde_json::json!({"error": {"message": message, "field": null}})))
                    .into_response()
            } else {
                (StatusCode::FORBIDDEN, views::layout::error_page("Stoppad förfrågan", message)).into_response()
            };
        }
    }
    next.run(req).await
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

/// A form field, trimmed; empty if absent.
pub fn field(pairs: &[(String, String)], name: &str) -> String {
    raw_field(pairs, name).trim().to_string()
}

/// A form field exactly as sent (passwords: spaces are part of them); empty if absent.
pub fn raw_field(pairs: &[(String, String)], name: &str) -> String {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

/// A tally as shown to people and to API clients: keys and Swedish labels.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TallyView {
    pub id: i64,
    pub insats: String,
    pub insats_label: String,
    pub kind: String,
    pub kind_label: String,
    pub period: String,
    pub period_label: String,
    /// dimension key → value key (a list of keys for a multi-choice dimension)
    #[schema(value_type = BTreeMap<String, openapi::DimensionValue>)]
    pub values: BTreeMap<String, serde_json::Value>,
    /// (dimension label, value label) in form order
    #[serde(skip)]
    pub labels: Vec<(String, String)>,
    pub voided: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::domain::VoidReason>, nullable = false)]
    pub void_reason: Option<&'static str>,
}

pub fn describe(config: &Config, t: &StoredTally) -> TallyView {
    let insats = config.insats_by_id(t.insats_id);
    let kind = config.kind_by_id(t.kind_id);
    // Labels in the kind's form order; values of dimensions the kind no longer takes go last.
    let position = |dim_id: i64| kind.and_then(|k| k.dimensions.iter().position(|kd| kd.dimension_id == dim_id));
    let mut ordered = t.values.clone();
    ordered.sort_by_key(|(dim_id, _)| position(*dim_id).unwrap_or(usize::MAX));
    let mut values = BTreeMap::new();
    let mut labels: Vec<(String, String)> = Vec::new();
    for (dim_id, value_id) in &ordered {
        if let Some(d) = config.dimension_by_id(*dim_id) {
            let v = d.value_by_id(*value_id);
            let key = v.map(|v| v.key.clone()).unwrap_or_default();
            let label = v.map(|v| v.label.clone()).unwrap_or_default();
            let multiple = kind.and_then(|k| k.takes(d.id)).is_some_and(|kd| kd.multiple);
            if multiple {
                match values.entry(d.key.clone()).or_insert_with(|| serde_json::Value::Array(Vec::new())) {
                    serde_json::Value::Array(keys) => keys.push(key.into()),
                    other => *other = serde_json::Value::Array(vec![key.into()]),
                }
                match labels.last_mut() {
                    Some((l, text)) if *l == d.label => {
                        text.push_str(", ");
                        text.push_str(&label);
                    }
                    _ => labels.push((d.label.clone(), label)),
                }
            } else {
                values.insert(d.key.clone(), key.into());
                labels.push((d.label.clone(), label));
            }
        }
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
