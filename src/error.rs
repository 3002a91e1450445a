//! One error type for the web layer. Pages get a Swedish HTML page, the API gets
//! `{"error": {"message", "field"}}`. Internal errors are logged (never shown) and answered 500.

use crate::domain::FieldError;
use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    BadRequest(String),
    #[error("not found")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("not signed in")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    TooManyRequests(String),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The server is shutting down (work under way was stopped).
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::NotFound("Det du söker finns inte.".into()),
            StoreError::Conflict(m) => AppError::Conflict(m),
            other => AppError::Internal(other.into()),
        }
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The first message and field, in Swedish.
    pub fn message(&self) -> (String, Option<String>) {
        match self {
            AppError::Invalid(errs) => match errs.first() {
                Some(e) => (e.message.clone(), (!e.field.is_empty()).then(|| e.field.clone())),
                None => ("Felaktiga uppgifter.".into(), None),
            },
            AppError::BadRequest(m)
            | AppError::NotFound(m)
            | AppError::Conflict(m)
            | AppError::Forbidden(m)
            | AppError::TooManyRequests(m)
            | AppError::PayloadTooLarge(m)
            | AppError::Unavailable(m) => (m.clone(), None),
            AppError::Unauthorized => {
                ("Logga in först. API:t tar en API-nyckel: Authorization: Bearer <nyckel>.".into(), None)
            }
            AppError::UnsupportedMediaType => ("Skicka data som JSON (Content-Type: application/json).".into(), None),
            AppError::Internal(_) => ("Något gick fel hos Pinne. Försök igen om en stund.".into(), None),
        }
    }

    /// 5xx are errors; refused access is logged as a warning (ASVS V16: access-control failures).
    fn log(&self) {
        match self {
            AppError::Internal(e) => tracing::error!(error = %format!("{e:#}"), "internal error"),
            AppError::Forbidden(m) => tracing::warn!(reason = %m, "access refused (403)"),
            _ => {}
        }
    }
}

/// The most problems an API error lists one by one.
pub const MAX_LISTED: usize = 50;

/// An error answered as JSON (API routes).
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> ApiError {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let (message, field) = self.0.message();
        let mut body = serde_json::json!({ "error": { "message": message, "field": field } });
        if let AppError::Invalid(errs) = &self.0 {
            // Every problem up to a bound; beyond it, one entry saying how many more there are.
            let mut listed: Vec<serde_json::Value> =
                errs.iter().take(MAX_LISTED).map(|e| serde_json::to_value(e).unwrap_or_default()).collect();
            if errs.len() > MAX_LISTED {
                let more = errs.len() - MAX_LISTED;
                listed.push(serde_json::json!({ "field": "", "message": format!("… och {more} fel till.") }));
            }
            body["errors"] = serde_json::Value::Array(listed);
        }
        let mut res = (self.0.status(), axum::Json(body)).into_response();
        if matches!(self.0, AppError::Unauthorized) {
            res.headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        }
        res
    }
}

/// An error answered as an HTML page (page routes).
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> PageError {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log();
        let (message, _) = self.0.message();
        let title = match self.0.status() {
            StatusCode::NOT_FOUND => "Sidan finns inte",
            StatusCode::FORBIDDEN => "Ingen behörighet",
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => "Vänta en stund",
            StatusCode::INTERNAL_SERVER_ERROR => "Något gick fel",
            _ => "Det gick inte",
        };
        (self.0.status(), crate::web::views::layout::error_page(title, &message)).into_response()
    }
}
