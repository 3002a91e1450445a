//! The JSON API, `/api/v1`. Errors are `{"error": {"message", "field"}}` with a Swedish message;
//! invalid input is answered 4xx and stores nothing. See `docs/api.md`.

use super::auth::{ClientAddr, CurrentUser};
use super::openapi::{BudgetBody, ErrorBody, EventBody, Publicering, ReportFormat, ReportJson, TallyBody, VoidBody};
use super::{TallyView, describe};
use crate::AppState;
use crate::domain::{RawTally, tally};
use crate::error::{ApiError, AppError};
use crate::report::csv::Dialect;
use crate::store;
use axum::Extension;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The largest request body the API reads: a tally, event or budget is a few hundred bytes.
pub const MAX_BODY: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    use super::earlier;
    Router::new()
        .route("/config", get(config))
        .route("/tallies", get(recent).post(create))
        .route("/tallies/{id}", get(one))
        .route("/tallies/{id}/void", axum::routing::post(void))
        .route("/reports/{insats}/{year}", get(report))
        .route("/reports/{insats}/{year}/tables", get(report_tables))
        .route("/reports/{insats}/spans/{span}", get(span_report))
        .route("/reports/{insats}/{year}/tables/{key}", get(report_table))
        .route("/finsam/{year}", get(finsam))
        .route("/events", axum::routing::post(create_event))
        .route("/events/{id}", get(one_event))
        .route("/events/{id}/void", axum::routing::post(void_event))
        .route("/budgets/{insats}/{year}", get(budget).put(set_budget))
        .route("/openapi.json", get(super::openapi::document))
        .merge(super::import_api::routes())
        .route("/earlier/{insats}/opening", get(earlier::api_opening_get).put(earlier::api_opening_put))
        .route("/earlier/{insats}/{year}", get(earlier::api_get).put(earlier::api_put).delete(earlier::api_delete))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::map_response(json_errors))
}

/// Every error of the API in JSON: the answers axum itself gives before a handler runs (a path
/// that cannot be decoded, 400; a method the route does not take, 405, with its `Allow` header)
/// get the API's error body, with a Swedish message.
async fn json_errors(res: Response) -> Response {
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if !res.status().is_client_error() || is_json {
        return res;
    }
    let message = match res.status() {
        StatusCode::METHOD_NOT_ALLOWED => "Adressen tar inte emot den metoden.",
        StatusCode::BAD_REQUEST => "Adressen kunde inte läsas.",
        StatusCode::PAYLOAD_TOO_LARGE => "Förfrågan är för stor.",
        _ => "Förfrågan kunde inte tas emot.",
    };
    let (mut parts, _) = res.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
    let body = serde_json::json!({ "error": { "message": message, "field": null } });
    Response::from_parts(parts, axum::body::Body::from(body.to_string()))
}

/// The query string's values; a value given twice, or one that cannot be read, is answered 400
/// (JSON, like every API error).
fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, AppError> {
    q.map(|Query(q)| q).map_err(|e| {
        let detail = e.body_text();
        if detail.contains("duplicate field") {
            AppError::BadRequest("Ett val i adressen är angivet mer än en gång.".into())
        } else {
            AppError::BadRequest("Adressens val kunde inte läsas.".into())
        }
    })
}

/// The request body, or a JSON 413 when it is larger than `MAX_BODY` (400 when it cannot be read).
pub(super) fn body_bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, AppError> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge(format!("Förfrågan är för stor: högst {} kB tas emot.", MAX_BODY / 1024))
        } else {
            AppError::BadRequest("Förfrågans innehåll kunde inte läsas.".into())
        }
    })
}

#[derive(Serialize, utoipa::ToSchema)]
struct ConfigJson {
    association: String,
    insatser: Vec<InsatsJson>,
}
#[derive(Serialize, utoipa::ToSchema)]
struct InsatsJson {
    key: String,
    label: String,
    kinds: Vec<KindJson>,
}
#[derive(Serialize, utoipa::ToSchema)]
struct KindJson {
    key: String,
    label: String,
    #[schema(value_type = Option<crate::domain::Flow>)]
    flow: Option<&'static str>,
    /// `tally`, or `event` (posted to /api/v1/events with name, organiser and attendees).
    #[schema(value_type = crate::domain::Shape)]
    shape: &'static str,
    /// `participants`, or `collaboration`: answers from the board, the beredningsgrupp or the
    /// staff (a "styrelseenkät"), kept apart from the participants' kinds.
    #[schema(value_type = crate::domain::Audience)]
    audience: &'static str,
    /// The dimension whose value keys the report's groups (a survey's respondent group).
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    dimensions: Vec<DimensionJson>,
}
#[derive(Serialize, utoipa::ToSchema)]
struct DimensionJson {
    key: String,
    label: String,
    required: bool,
    /// Several values may be given, as a list.
    multiple: bool,
    #[schema(value_type = crate::domain::Role)]
    role: &'static str,
    values: Vec<ValueJson>,
}
#[derive(Serialize, utoipa::ToSchema)]
struct ValueJson {
    key: String,
    label: String,
}

#[utoipa::path(
    get,
    path = "/config",
    tag = "config",
    operation_id = "getConfig",
    summary = "Vad som kan registreras / What can be tallied",
    description = "The insatser open for tallies, their kinds, and for each kind the dimensions it takes (in form order) with the values that can be chosen. Retired kinds, values and dimensions are left out. Every account may read it.",
    responses(
        (status = 200, description = "The configuration.", body = ConfigJson),
        (status = 401, description = "Not signed in: no credentials, not `Bearer <token>`, or an unknown or revoked token. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The account may not read this (its role or insatser), or a förbundschef without two-step verification. / Ingen behörighet.", body = ErrorBody),
    )
)]
/// `GET /api/v1/config`: what can be tallied, for insatser open for tallies. Retired kinds and values are left out.
async fn config(State(state): State<AppState>) -> Json<ConfigJson> {
    let cfg = state.store.config();
    let insatser = cfg
        .active_insatser()
        .map(|i| InsatsJson {
            key: i.key.clone(),
            label: i.label.clone(),
            kinds: cfg
                .active_kinds_of(i)
                .map(|k| KindJson {
                    key: k.key.clone(),
                    label: k.label.clone(),
                    flow: k.flow.map(|f| f.as_str()),
                    shape: k.shape.as_str(),
                    audience: k.audience.as_str(),
                    scope: k.scope_dimension_id.and_then(|d| cfg.dimension_by_id(d)).map(|d| d.key.clone()),
                    dimensions: k
                        .dimensions
                        .iter()
                        .filter_map(|kd| cfg.dimension_by_id(kd.dimension_id).map(|d| (kd, d)))
                        .filter(|(_, d)| !d.retired)
                        .map(|(kd, d)| DimensionJson {
                            key: d.key.clone(),
                            label: d.label.clone(),
                            required: kd.required,
                            multiple: kd.multiple,
                            role: d.role.as_str(),
                            values: d
                                .active_values()
                                .map(|v| ValueJson { key: v.key.clone(), label: v.label.clone() })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    Json(ConfigJson { association: cfg.association.clone(), insatser })
}

fn bad(field: &str, message: impl Into<String>) -> AppError {
    AppError::Invalid(vec![crate::domain::FieldError::new(field, message)])
}

/// Individual tallies are microdata: a read-only token (the kind given to Power BI, Excel or a
/// script that fetches reports) gets none of them, nor individual events, whoever's token it is.
/// `what` is "registreringar" or "aktiviteter".
fn no_records_for_read_only(user: &CurrentUser, what: &str) -> Result<(), AppError> {
    if user.read_only() {
        return Err(AppError::Forbidden(format!(
            "En API-nyckel som bara får läsa ger inga enskilda {what}, bara rapporter. Använd /api/v1/reports."
        )));
    }
    Ok(())
}

/// A JSON object read as its key–value pairs in order, duplicates kept (a `serde_json::Value`
/// keeps only the last of two equal keys, so `{"kon": "kvinna", "kon": "man"}` would pass unseen).
/// At most `MAX_PAIRS` are kept; the rest are read (so the JSON is still checked) and counted.
struct Pairs(Vec<(String, Box<serde_json::value::RawValue>)>, usize);

/// The most fields one JSON object of a request may have: far above what any body takes.
const MAX_PAIRS: usize = 256;

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Pairs, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Pairs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let (mut out, mut all) = (Vec::new(), 0);
                while all < MAX_PAIRS {
                    match map.next_entry()? {
                        Some(entry) => out.push(entry),
                        None => return Ok(Pairs(out, all)),
                    }
                    all += 1;
                }
                while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {
                    all += 1;
                }
                Ok(Pairs(out, all))
            }
        }
        d.deserialize_map(Visit)
    }
}

fn object(text: &str, what: &str) -> Result<Pairs, AppError> {
    let pairs: Pairs = serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => bad(
            what,
            if what.is_empty() {
                "Skicka data som ett JSON-objekt.".into()
            } else {
                format!("Skicka ”{what}” som ett JSON-objekt.")
            },
        ),
        _ => bad("", format!("Ogiltig JSON (rad {}, kolumn {}).", e.line(), e.column())),
    })?;
    if pairs.1 > MAX_PAIRS {
        let whose = if what.is_empty() { "Objektet".to_string() } else { format!("”{what}”") };
        return Err(bad(what, format!("{whose} har {} fält; högst {MAX_PAIRS} tas emot.", pairs.1)));
    }
    Ok(pairs)
}

/// Reads a tally body by hand so every problem gets a Swedish message naming its field.
fn parse_body(headers: &HeaderMap, body: &[u8]) -> Result<RawTally, AppError> {
    let mut raw = RawTally::default();
    let mut seen = std::collections::HashSet::new();
    for (key, val) in json_pairs(headers, body)?.0 {
        if !seen.insert(key.clone()) {
            raw.duplicates.push(key);
            continue;
        }
        let string = |field: &str| -> Result<Option<String>, AppError> {
            match serde_json::from_str::<Value>(val.get()) {
                Ok(Value::String(s)) => Ok(Some(s)),
                Ok(Value::Null) => Ok(None),
                _ => Err(bad(field, format!("”{field}” ska vara en textsträng."))),
            }
        };
        match key.as_str() {
            "insats" => raw.insats = string("insats")?,
            "kind" => raw.kind = string("kind")?,
            "period" => raw.period = string("period")?,
            "values" if val.get() == "null" => {}
            "values" => {
                for (dim, value) in object(val.get(), "values")?.0 {
                    let wrong = |dim: &str| {
                        bad(
                            &format!("values.{dim}"),
                            format!(
                                "Värdet för ”{dim}” ska vara en textsträng (eller en lista av textsträngar för flerval)."
                            ),
                        )
                    };
                    match serde_json::from_str::<Value>(value.get()) {
                        Ok(Value::String(s)) => raw.values.push((dim, s)),
                        // A multi-choice dimension takes a list; validation refuses it for any other.
                        Ok(Value::Array(items)) if !items.is_empty() => {
                            for item in items {
                                match item {
                                    Value::String(s) => raw.values.push((dim.clone(), s)),
                                    _ => return Err(wrong(&dim)),
                                }
                            }
                        }
                        _ => return Err(wrong(&dim)),
                    }
                }
            }
            other => {
                return Err(bad(
                    other,
                    format!("Okänt fält ”{other}”. Tillåtna fält är insats, kind, period och values."),
                ));
            }
        }
    }
    Ok(raw)
}

#[utoipa::path(
    post,
    path = "/tallies",
    tag = "tallies",
    operation_id = "createTally",
    summary = "Registrera en pinne / Record one tally",
    description = "Validates and stores one tally of a kind with shape `tally`. Needs a token that may write, of a coach who works with the insats or of the förbundschef. Shape problems stop at the first; content problems are all reported (422). A coach can read back (and void) only their own tallies of this month and last month, so a coach's tally of an earlier month is answered without `Location`.",
    request_body(content = TallyBody, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored.", body = super::TallyView,
            headers(("Location" = String, description = "`/api/v1/tallies/{id}`, where the account may read the tally back (not for a coach's tally of a month before last month)"))),
        (status = 401, description = "Not signed in: no credentials, not `Bearer <token>`, or an unknown or revoked token. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The account may not do this (its role or insatser); a read-only token or a browser session; a förbundschef without two-step verification; a request a browser marks as cross-site. / Ingen behörighet.", body = ErrorBody),
        (status = 409, description = "Conflicts with what is stored: the year is closed for the insats, or it is already voided.", body = ErrorBody),
        (status = 415, description = "The body is not sent as `Content-Type: application/json`.", body = ErrorBody),
        (status = 422, description = "Invalid input; nothing is stored. `errors` lists every problem. / Felaktiga uppgifter.", body = ErrorBody),
        (status = 413, description = "The body is larger than 64 kB. / Förfrågan är för stor.", body = ErrorBody),
        (status = 400, description = "The body could not be read (a broken upload). / Förfrågans innehåll kunde inte läsas.", body = ErrorBody),
    )
)]
/// `POST /api/v1/tallies`: validates and stores one tally; `201` with the stored tally.
async fn create(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let cfg = state.store.config();
    // Who may not tally at all is refused before the body is read.
    if !cfg.insatser.iter().any(|i| user.account.may_tally(i.id)) {
        return Err(AppError::Forbidden("Ditt konto får inte registrera.".into()).into());
    }
    let raw = parse_body(&headers, &body_bytes(body)?)?;
    let new = tally::validate(&cfg, &raw, state.clock.now()).map_err(AppError::Invalid)?;
    if !user.account.may_tally(new.insats_id) {
        return Err(AppError::Forbidden("Ditt konto får inte registrera för den här insatsen.".into()).into());
    }
    let stored = super::tally::create(&state, &cfg, &user, addr, new).await?;
    let view = describe(&cfg, &stored);
    // The tally's address, where the account may read it back (a coach: a month before last is
    // not theirs to read, so they get no address that would answer 404).
    if !user.account.may_see_tally(&stored, state.clock.now()) {
        return Ok((StatusCode::CREATED, Json(view)).into_response());
    }
    let location = format!("/api/v1/tallies/{}", view.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(view)).into_response())
}

#[utoipa::path(
    get,
    path = "/tallies/{id}",
    tag = "tallies",
    operation_id = "getTally",
    summary = "En registrering / One tally",
    description = "One tally, voided or not. Individual tallies are microdata, so an account sees only the ones its work needs: a coach those their own account registered with a period of this month or last month (Europe/Stockholm), to correct a mistake; the huvudman every tally of their insatser; the förbundschef all. A tally the account may not see is answered 404, as if it did not exist. A read-only token gets no individual tallies at all (403), whoever's it is; nor does a läsare.",
    params(("id" = i64, Path, minimum = 1, description = "The tally's number.")),
    responses(
        (status = 200, description = "The tally.", body = super::TallyView),
        (status = 401, description = "Not signed in: no credentials, not `Bearer <token>`, or an unknown or revoked token. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "A read-only token (it gets no individual tallies), a läsare, or a förbundschef without two-step verification. / Ingen behörighet.", body = ErrorBody),
        (status = 404, description = "No tally with that id (or not a positive whole number), or one the account may not see: for a coach, one registered by someone else, with a period before last month, or of an insats they do not work with; for the huvudman, one of another insats.", body = ErrorBody),
    )
)]
/// `GET /api/v1/tallies/{id}`: one tally the account may see, voided or not (see `load_visible`);
/// nothing for a read-only token.
async fn one(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Result<Json<TallyView>, ApiError> {
    no_records_for_read_only(&user, "registreringar")?;
    let (t, _) = super::tally::load_visible(&state, &user, super::tally::parse_id(&id)?).await?;
    Ok(Json(describe(&state.store.config(), &t)))
}

#[utoipa::path(
    post,
    path = "/tallies/{id}/void",
    tag = "tallies",
    operation_id = "voidTally",
    summary = "Makulera en registrering / Void a tally",
    description = "Voids a tally: it stays stored, marked with the reason, and leaves every count. A coach may void the tallies their account registered with a period of this month or last month (exactly those `GET /tallies/{id}` shows them), the huvudman those of their insatser, the förbundschef any.",
    params(("id" = i64, Path, minimum = 1, description = "The tally's number.")),
    request_body(content = VoidBody, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The tally, now voided.", body = super::TallyView),
        (status = 401, description = "Not signed in: no credentials, not `Bearer <token>`, or an unknown or revoked token. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The account may not do this (its role or insatser); a read-only token or a browser session; a förbundschef without two-step verification; a request a browser marks as cross-site. / Ingen behörighet.", body = ErrorBody),
        (status = 404, description = "No tally with that id, or one the account may not see (as for `GET /tallies/{id}`).", body = ErrorBody),
        (status = 409, description = "Conflicts with what is stored: the year is closed for the insats, or it is already voided.", body = ErrorBody),
        (status = 415, description = "The body is not sent as `Content-Type: application/json`.", body = ErrorBody),
        (status = 422, description = "Invalid input; nothing is stored. `errors` lists every problem. / Felaktiga uppgifter.", body = ErrorBody),
        (status = 413, description = "The body is larger than 64 kB. / Förfrågan är för stor.", body = ErrorBody),
        (status = 400, description = "The body could not be read (a broken upload). / Förfrågans innehåll kunde inte läsas.", body = ErrorBody),
    )
)]
/// `POST /api/v1/tallies/{id}/void` with `{"reason": "dubblett"}`: voids a tally (it stays stored).
/// `409` when its year is closed or it is already voided.
async fn void(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<TallyView>, ApiError> {
    let id = super::tally::parse_id(&id)?;
    let reason = void_reason(&headers, &body_bytes(body)?, "registreringen")?;
    let t = super::tally::void(&state, &user, addr, id, reason).await?;
    Ok(Json(describe(&state.store.config(), &t)))
}

/// A void body, `{"reason": "dubblett"}`; `what` names the thing voided in the message.
fn void_reason(headers: &HeaderMap, body: &[u8], what: &str) -> Result<crate::domain::VoidReason, AppError> {
    let mut reason = None;
    for (key, val) in json_pairs(headers, body)?.0 {
        match (key.as_str(), serde_json::from_str::<Value>(val.get())) {
            ("reason", Ok(Value::String(s))) if reason.is_none() => {
                reason = Some(crate::domain::VoidReason::parse(&s).ok_or_else(|| {
                    bad("reason", "Orsaken ska vara felregistrering, dubblett, fel_period, fel_insats eller annat.")
                })?)
            }
            ("reason", _) => return Err(bad("reason", "”reason” ska anges en gång, som text.")),
            (other, _) => return Err(bad(other, format!("Okänt fält ”{other}”. Tillåtet fält är reason."))),
        }
    }
    reason.ok_or_else(|| bad("reason", format!("Ange varför {what} makuleras (reason).")))
}

/// The body as one JSON object's key–value pairs, duplicates kept; 415 unless it is JSON.
fn json_pairs(headers: &HeaderMap, body: &[u8]) -> Result<Pairs, AppError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")));
    if !is_json {
        return Err(AppError::UnsupportedMediaType);
    }
    let text = std::str::from_utf8(body).map_err(|_| bad("", "Skicka JSON som UTF-8."))?;
    object(text, "")
}

/// A JSON string; null as absent.
fn text_only(field: &str, val: &serde_json::value::RawValue) -> Result<Option<String>, AppError> {
    match serde_json::from_str::<Value>(val.get()) {
        Ok(Value::String(s)) => Ok(Some(s)),
        Ok(Value::Null) => Ok(None),
        _ => Err(bad(field, format!("”{field}” ska vara en textsträng."))),
    }
}

/// A whole number (also written `72.0`, as JSON Schema's `integer` allows), or a string matching
/// `pattern` (the one the live OpenAPI document gives, `web::openapi_live`); null as absent. The
/// range of a number is checked where the value is validated.
fn number(field: &str, val: &serde_json::value::RawValue, pattern: &regex::Regex) -> Result<Option<String>, AppError> {
    let refuse = || bad(field, format!("”{field}” ska vara ett heltal, eller text med ett heltal som ”1 200”."));
    match serde_json::from_str::<Value>(val.get()) {
        Ok(Value::String(s)) if pattern.is_match(&s) => Ok(Some(s)),
        Ok(Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
            (Some(u), _) => Ok(Some(u.to_string())),
            (None, Some(f)) if f.fract() == 0.0 && (0.0..1e15).contains(&f) => Ok(Some(format!("{}", f as u64))),
            _ => Err(refuse()),
        },
        Ok(Value::Null) => Ok(None),
        _ => Err(refuse()),
    }
}

#[utoipa::path(
    post,
    path = "/events",
    tag = "events",
    operation_id = "createEvent",
    summary = "Registrera en aktivitet / Record one event",
    description = "Records one structural activity (a kind with shape `event`) with its number of attendees. The name and the organiser must not carry personal data (personnummer, e-mail addresses and phone numbers are refused). Who may: as for tallies.",
    request_body(content = EventBody, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored.", body = super::event::EventView,
            headers(("Location" = String, description = "`/api/v1/events/{id}`"))),
        (status = 401, description = "Not signed in: no credentials, not `Bearer <token>`, or an unknown or revoked token. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The account may not do this (its role or insatser); a read-only token or a browser session; a förbundschef without two-step verification; a request a browser marks as cross-site. / Ingen behörighet.", body = ErrorBody),
        (status = 409, description = "The event's year is closed for the insats.", body = ErrorBody),
        (status = 415, description = "The body is not sent as `Content-Type: application/json`.", body = ErrorBody),
        (status = 422, description = "Invalid input; nothing is stored. `errors` lists every problem. / Felaktiga uppgifter.", body = ErrorBody),
        (status = 413, description = "The body is larger than 64 kB. / Förfrågan är för stor.", body = ErrorBody),
        (status = 400, description = "The body could not be read (a broken upload). / Förfrågans innehåll kunde inte läsas.", body = ErrorBody),
    )
)]
/// `POST /api/v1/events`: `{"insats", "kind"?, "period"?, "name", "organiser"?, "attendees",
/// "by_gender"?: {"kvinna": 90, …}}`; `201` with the stored event.
async fn create_event(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let cfg = state.store.config();
    if !cfg.insatser.iter().any(|i| user.account.may_tally(i.id)) {
        return Err(AppError::Forbidden("Ditt konto får inte registrera.".into()).into());
    }
    let body = body_bytes(body)?;
    let mut raw = crate::domain::event::RawEvent::default();
    let mut seen = std::collections::HashSet::new();
    for (key, val) in json_pairs(&headers, &body)?.0 {
        if !seen.insert(key.clone()) {
            raw.duplicates.push(key);
            continue;
        }
        match key.as_str() {
            "insats" => raw.insats = text_only("insats", &val)?,
            "kind" => raw.kind = text_only("kind", &val)?,
            "period" => raw.period = text_only("period", &val)?,
            "name" => raw.name = text_only("name", &val)?,
            "organiser" => raw.organiser = text_only("organiser", &val)?,
            "attendees" => raw.attendees = number("attendees", &val, &super::openapi_live::ATTENDEES_RE)?,
            "by_gender" if val.get() == "null" => {}
            "by_gender" => {
                for (g, n) in object(val.get(), "by_gender")?.0 {
                    let field = format!("by_gender.{g}");
                    let n = number(&field, &n, &super::openapi_live::GENDER_COUNT_RE)?.unwrap_or_default();
                    raw.by_gender.push((g, n));
                }
            }
            other => {
                return Err(bad(
                    other,
                    format!("Okänt fält ”{other}”. Tillåtna fält är insats, kind, period, name, organiser, attendees och by_gender."),
                )
                .into());
            }
        }
    }
    let e = super::event::create(&state, &user, addr, &raw).await?;
    let view = super::event::view(&state.store.config(), &e);
    Ok((StatusCode::CREATED, [(header::LOCATION, format!("/api/v1/events/{}", e.id))], Json(view)).into_response())
}

#[utoipa::path(
    get,
    path = "/events/{id}",
    tag = "events",
    operation_id = "getEvent",
    summary = "En aktivitet / One event",
    description = "One event, voided or not. Coaches and the huvudman may read the events of their insatser, the förbundschef all. A read-only token gets no individual events (403), as it gets no individual tallies.",
    params(("id" = i64, Path, minimum = 1, description = "The event's number.")),
    responses(
        (status = 200, description = "The event.", body = super::event::EventView),
        (status = 401, description = "Not signed in: no credentials, not `Bearer <token>`, or an unknown or revoked token. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The account may not read this (its role or insatser), a read-only token (it gets no individual events), or a förbundschef without two-step verification. / Ingen behörighet.", body = ErrorBody),
        (status = 404, description = "No event with that id (or not a positive whole number).", body = ErrorBody),
    )
)]
/// `GET /api/v1/events/{id}`
async fn one_event(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Result<Json<super::event::EventView>, ApiError> {
    no_records_for_read_only(&user, "aktiviteter")?;
    let e = super::event::load(&state, super::event::parse_id(&id)?).await?;
    if !user.account.may_see_tallies(e.insats_id) {
        return Err(AppError::Forbidden("Ditt konto får inte se aktiviteter för den här insatsen.".into()).into());
    }
    Ok(Json(super::event::view(&state.store.config(), &e)))
}

#[utoipa::path(
    post,
    path = "/events/{id}/void",
    tag = "events",
    operation_id = "voidEvent",
    summary = "Makulera en aktivitet / Void an event",
    description = "Voids an event: it stays stored, marked with the reason, and no longer counts in any report.",
    params(("id" = i64, Path, minimum = 1, description = "The event's number.")),
    request_body(content = VoidBody, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The event, now voided.", body = super::event::EventView),
        (status = 401, description = "Not signed in: no credentials, not `Bearer <token>`, or an unknown or revoked token. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The account may not do this (its role or insatser); a read-only token or a browser session; a förbundschef without two-step verification; a request a browser marks as cross-site. / Ingen behörighet.", body = ErrorBody),
        (status = 404, description = "No event with that id.", body = ErrorBody),
        (status = 409, description = "Conflicts with what is stored: the year is closed for the insats, or it is already voided.", body = ErrorBody),
        (status = 415, description = "The body is not sent as `Content-Type: application/json`.", body = ErrorBody),
        (status = 422, description = "Invalid input; nothing is stored. `errors` lists every problem. / Felaktiga uppgifter.", body = ErrorBody),
        (status = 413, description = "The body is larger than 64 kB. / Förfrågan är för stor.", body = ErrorBody),
        (status = 400, description = "The body could not be read (a broken upload). / Förfrågans innehåll kunde inte läsas.", body = ErrorBody),
    )
)]
/// `POST /api/v1/events/{id}/void` with `{"reason": "dubblett"}`.
async fn void_event(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<super::event::EventView>, ApiError> {
    let id = super::event::parse_id(&id)?;
    let reason = void_reason(&headers, &body_bytes(body)?, "aktiviteten")?;
    let e = super::event::void(&state, &user, addr, id, reason).await?;
    Ok(Json(super::event::view(&state.store.config(), &e)))
}

#[utoipa::path(
    get,
    path = "/budgets/{insats}/{year}",
    tag = "budgets",
    operation_id = "getBudget",
    summary = "Budget och utfall / Budget and outcome",
    description = "The budget and the outcome of an insats for a year, in whole kronor; null where nothing is entered. Who may: whoever may read the report of that insats and year.",
    params(
        ("insats" = String, Path, description = "Insats key, e.g. `coachingteamet` (retired insatser are allowed)."),
        ("year" = i32, Path, minimum = 2000, maximum = 2999, description = "The year; anything else is answered 422 (field `year`)."),
    ),
    responses(
        (status = 200, description = "The amounts.", body = crate::store::event::Budget),
        (status = 401, description = "Not signed in: no credentials, not `Bearer <token>`, or an unknown or revoked token. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The account may not read this (its role or insatser), or a förbundschef without two-step verification. / Ingen behörighet.", body = ErrorBody),
        (status = 404, description = "Unknown insats, or a year after the next one (reports exist up to the year after the current one).", body = ErrorBody),
        (status = 422, description = "`{year}` is not a year 2000–2999.", body = ErrorBody),
    )
)]
/// `GET /api/v1/budgets/{insats}/{year}`: `{"budget_kr": …, "outcome_kr": …}` (null when not entered).
async fn budget(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((insats, year)): Path<(String, String)>,
) -> Result<Json<store::event::Budget>, ApiError> {
    let year = parse_year(&year)?;
    super::report::within_reach(&state, year)?;
    let cfg = state.store.config();
    let i = cfg.insats(&insats).ok_or_else(|| AppError::NotFound(format!("Insatsen ”{insats}” finns inte.")))?;
    if !user.account.may_read_report(i.id, year, state.clock.now().year) {
        return Err(AppError::Forbidden("Du får inte läsa rapporter för den här insatsen.".into()).into());
    }
    let id = i.id;
    let b = state.store.read(move |c| store::event::budgets(c, id, year, year)).await?;
    Ok(Json(b.first().map(|(_, b)| *b).unwrap_or_default()))
}

#[utoipa::path(
    put,
    path = "/budgets/{insats}/{year}",
    tag = "budgets",
    operation_id = "setBudget",
    summary = "Ange budget och utfall / Set budget and outcome",
    description = "Replaces both amounts (a field left out, null or \"\" is stored as not entered; both empty removes the year's entry). Only the förbundschef, with a token that may write.",
    params(
        ("insats" = String, Path, description = "Insats key, e.g. `coachingteamet` (retired insatser are allowed)."),
        ("year" = i32, Path, minimum = 2000, maximum = 2999, description = "The year; anything else is answered 422 (field `year`)."),
    ),
    request_body(content = BudgetBody, content_type = "application/json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The amounts as stored.", body = crate::store::event::Budget),
        (status = 401, description = "Not signed in: no credentials, not `Bearer <token>`, or an unknown or revoked token. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The account may not do this (its role or insatser); a read-only token or a browser session; a förbundschef without two-step verification; a request a browser marks as cross-site. / Ingen behörighet.", body = ErrorBody),
        (status = 404, description = "Unknown insats, or a year after the next one (reports exist up to the year after the current one).", body = ErrorBody),
        (status = 409, description = "The year is closed for the insats.", body = ErrorBody),
        (status = 415, description = "The body is not sent as `Content-Type: application/json`.", body = ErrorBody),
        (status = 422, description = "Invalid input; nothing is stored. `errors` lists every problem. / Felaktiga uppgifter.", body = ErrorBody),
        (status = 413, description = "The body is larger than 64 kB. / Förfrågan är för stor.", body = ErrorBody),
        (status = 400, description = "The body could not be read (a broken upload). / Förfrågans innehåll kunde inte läsas.", body = ErrorBody),
    )
)]
/// `PUT /api/v1/budgets/{insats}/{year}` with `{"budget_kr": 4173000, "outcome_kr": null}`
/// (förbundschef only); both null removes the year's entry.
async fn set_budget(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path((insats, year)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<store::event::Budget>, ApiError> {
    let year = parse_year(&year)?;
    super::report::within_reach(&state, year)?;
    if !user.account.is_admin() {
        return Err(AppError::Forbidden("Budget och utfall anges av förbundschefen.".into()).into());
    }
    let cfg = state.store.config();
    let i = cfg.insats(&insats).ok_or_else(|| AppError::NotFound(format!("Insatsen ”{insats}” finns inte.")))?;
    let body = body_bytes(body)?;
    let (mut budget, mut outcome) = (None::<String>, None::<String>);
    let mut seen = std::collections::HashSet::new();
    for (key, val) in json_pairs(&headers, &body)?.0 {
        if !seen.insert(key.clone()) {
            return Err(bad(&key, format!("”{key}” är angiven mer än en gång.")).into());
        }
        match key.as_str() {
            "budget_kr" => budget = number("budget_kr", &val, &super::openapi_live::AMOUNT_RE)?,
            "outcome_kr" => outcome = number("outcome_kr", &val, &super::openapi_live::AMOUNT_RE)?,
            other => {
                return Err(
                    bad(other, format!("Okänt fält ”{other}”. Tillåtna fält är budget_kr och outcome_kr.")).into()
                );
            }
        }
    }
    let b = super::budget::parse(budget.as_deref().unwrap_or(""), outcome.as_deref().unwrap_or(""))
        .map_err(AppError::Invalid)?;
    super::budget::save(&state, &user, addr, i.id, i.key.clone(), year, b).await?;
    Ok(Json(b))
}

#[derive(Deserialize)]
struct RecentQuery {
    insats: Option<String>,
    limit: Option<String>,
}

#[utoipa::path(
    get,
    path = "/tallies",
    tag = "tallies",
    operation_id = "listTallies",
    summary = "Senaste registreringarna / The most recent tallies",
    description = "The most recently registered tallies of one insats, newest first (by registration order), voided ones included. Individual tallies are microdata: a coach gets only those their own account registered with a period of this month or last month (Europe/Stockholm); the huvudman lists every tally of their insatser, the förbundschef of any insats. A read-only token gets none (403), whoever's it is; nor does a läsare.",
    params(
        ("insats" = String, Query, description = "Insats key, required."),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 200, description = "How many, 1–200; default 20."),
    ),
    responses(
        (status = 200, description = "The tallies, newest first.", body = Vec<super::TallyView>),
        (status = 400, description = "A query parameter given twice (`?publicering=ja&publicering=nej`) or unreadable.", body = ErrorBody),
        (status = 401, description = "Not signed in: no credentials, not `Bearer <token>`, or an unknown or revoked token. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The account may not list the tallies of this insats (its role or insatser), a read-only token (it gets no individual tallies), or a förbundschef without two-step verification. / Ingen behörighet.", body = ErrorBody),
        (status = 422, description = "`insats` missing or unknown, or `limit` not an integer 1–200.", body = ErrorBody),
    )
)]
/// `GET /api/v1/tallies?insats=KEY&limit=N`: the most recent tallies of an insats (default 20, max
/// 200) that the account may see (a coach: their own of this month and last month); nothing for a
/// read-only token.
async fn recent(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    q: Result<Query<RecentQuery>, QueryRejection>,
) -> Result<Json<Vec<TallyView>>, ApiError> {
    let q = query(q)?;
    no_records_for_read_only(&user, "registreringar")?;
    let cfg = state.store.config();
    let key = q.insats.ok_or_else(|| bad("insats", "Ange insats, till exempel ?insats=coachingteamet."))?;
    let insats = cfg.insats(&key).ok_or_else(|| bad("insats", format!("Insatsen ”{key}” finns inte.")))?;
    if !user.account.may_see_tallies(insats.id) {
        return Err(AppError::Forbidden("Ditt konto får inte se registreringar för den här insatsen.".into()).into());
    }
    let limit = match q.limit.as_deref() {
        None => 20,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| bad("limit", "limit ska vara ett heltal 1–200."))?,
    };
    let id = insats.id;
    let visible = user.account.visible_tallies(state.clock.now());
    let tallies = state.store.read(move |c| store::tally::recent(c, id, &visible, limit)).await?;
    Ok(Json(tallies.iter().map(|t| describe(&cfg, t)).collect()))
}

#[derive(Deserialize)]
pub struct ReportQuery {
    pub format: Option<String>,
    /// `ja`: the publication version (small numbers protected) for those who may see both.
    pub publicering: Option<String>,
}

/// A protected report: its tables, with small counts hidden.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PublishedReport {
    pub association: String,
    pub insats: crate::report::KeyLabel,
    pub year: i32,
    pub protected: bool,
    /// Counts below this are small: hidden and shown as `hidden_form` (`suppression`), or never
    /// published but as 0 or at least this (`cell_key`).
    pub threshold: i64,
    pub hidden_form: String,
    /// `suppression` or `cell_key`.
    pub method: String,
    /// The largest change of a published count (0 under suppression).
    pub max_deviation: i64,
    /// How to read the figures, in Swedish.
    pub note: String,
    pub tables: Vec<crate::report::json::TableJson>,
}

impl PublishedReport {
    pub fn new(state: &AppState, built: &super::report::Built) -> PublishedReport {
        let rule = crate::report::rule(&state.store.config());
        PublishedReport {
            association: built.report.association.clone(),
            insats: built.report.insats.clone(),
            year: built.report.year,
            protected: built.protected,
            threshold: rule.threshold,
            method: match rule.method {
                crate::report::protect::Method::Suppression => "suppression".into(),
                crate::report::protect::Method::CellKey(_) => "cell_key".into(),
            },
            max_deviation: rule.max_deviation(),
            note: rule.describe(true),
            hidden_form: rule.form.clone(),
            tables: built.tables.iter().map(crate::report::json::table).collect(),
        }
    }
}

/// A report over a span of years: its tables (protected as the yearly report's) and, for those
/// who may see the figures as counted, its goals.
#[derive(Serialize, utoipa::ToSchema)]
pub struct SpanReport {
    pub first_year: i32,
    pub last_year: i32,
    /// The tables; `year` is the span's last year.
    pub report: PublishedReport,
    /// The span's goals with their verdicts, as counted; `null` in a protected report (the
    /// verdicts are then in the table `mal`, made from the published figures).
    pub goals: Option<Vec<crate::report::GoalStatus>>,
}

#[utoipa::path(
    get,
    path = "/reports/{insats}/spans/{span}",
    tag = "reports",
    operation_id = "getSpanReport",
    summary = "Rapport över flera år / A report over a span of years",
    description = "The report over the years `first-last` (e.g. `2024-2027`, at least two and at most 25 years): participants counted once over the span (enrolled at its start plus its entries), exits and other tallies summed over its years, and the goals set for the span. Protected like the yearly reports, together with them: no figure hidden in a year's report can be worked out from the span's.",
    params(
        ("insats" = String, Path, description = "Insats key, e.g. `ciceron`."),
        ("span" = String, Path, description = "First and last year, e.g. `2024-2027`."),
        ("publicering" = Option<Publicering>, Query, description = "`ja`: the publication version, small numbers hidden. Readers and read-only tokens always get it."),
    ),
    responses(
        (status = 200, description = "The span report.", body = SpanReport),
        (status = 400, description = "A query parameter given twice or unreadable.", body = ErrorBody),
        (status = 401, description = "Not signed in: no credentials, not `Bearer <token>`, or an unknown or revoked token. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The account may not read every year of the span (a coach reads only the current year). / Ingen behörighet.", body = ErrorBody),
        (status = 404, description = "Unknown insats, a span that is not two to 25 years, or one ending after the next year.", body = ErrorBody),
        (status = 422, description = "`publicering` neither `ja` nor `nej`.", body = ErrorBody),
        (status = 503, description = "The server is shutting down. / Pinne håller på att stänga av.", body = ErrorBody),
    )
)]
/// `GET /api/v1/reports/{insats}/spans/{span}`: a report over a span of years.
pub(crate) async fn span_report(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((insats, span)): Path<(String, String)>,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<SpanReport>, ApiError> {
    let q = query(q)?;
    if q.format.is_some() {
        return Err(bad("format", "Rapporter över flera år finns som JSON.").into());
    }
    let s = super::span::parse(&span)?;
    let publication =
        super::report::publication(q.publicering.as_deref()).map_err(|e| bad("publicering", e.message().0))?;
    let built = super::span::build(&state, &user, &insats, s, publication).await?;
    let goals = (!built.protected).then(|| built.report.goals.clone());
    Ok(Json(SpanReport { first_year: s.first, last_year: s.last, report: PublishedReport::new(&state, &built), goals }))
}

#[utoipa::path(
    get,
    path = "/reports/{insats}/{year}/tables",
    tag = "reports",
    operation_id = "getReportTables",
    summary = "Rapportens tabeller / The report's tables",
    description = "Every table of the yearly report as JSON, each with its columns, rows and tidy records (for Power BI and Excel Power Query). Protected (small numbers hidden) for readers, coaches and read-only tokens, and with `publicering=ja`.",
    params(
        ("insats" = String, Path, description = "Insats key, e.g. `coachingteamet` (retired insatser are allowed)."),
        ("year" = i32, Path, minimum = 2000, maximum = 2999, description = "The year; anything else is answered 422 (field `year`)."),
        ("publicering" = Option<Publicering>, Query, description = "`ja`: the publication version, small numbers hidden. Readers, coaches and read-only tokens always get it; a huvudman or förbundschef gets the unprotected figures unless `ja` is given."),
    ),
    responses(
        (status = 200, description = "The tables.", body = PublishedReport),
        (status = 400, description = "A query parameter given twice (`?publicering=ja&publicering=nej`) or unreadable.", body = ErrorBody),
        (status = 401, description = "Not signed in: no credentials, not `Bearer <token>`, or an unknown or revoked token. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The account may not read this (its role or insatser), or a förbundschef without two-step verification. / Ingen behörighet.", body = ErrorBody),
        (status = 404, description = "Unknown insats, or a year after the next one (reports exist up to the year after the current one).", body = ErrorBody),
        (status = 422, description = "`{year}` not a year 2000–2999, or `publicering` neither `ja` nor `nej`.", body = ErrorBody),
        (status = 503, description = "The server is shutting down; the protection under way was stopped. / Pinne håller på att stänga av.", body = ErrorBody),
    )
)]
/// `GET /api/v1/reports/{insats}/{year}/tables`: every table of the report as JSON, protected
/// for readers, coaches and read-only tokens, and with `?publicering=ja`.
async fn report_tables(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((insats, year)): Path<(String, String)>,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<PublishedReport>, ApiError> {
    let q = query(q)?;
    let year = parse_year(&year)?;
    let publication =
        super::report::publication(q.publicering.as_deref()).map_err(|e| bad("publicering", e.message().0))?;
    let built = super::report::build_tables(&state, &user, &insats, year, publication).await?;
    Ok(Json(PublishedReport::new(&state, &built)))
}

#[utoipa::path(
    get,
    path = "/reports/{insats}/{year}/tables/{key}",
    tag = "reports",
    operation_id = "getReportTable",
    summary = "En tabell i rapporten / One table of the report",
    description = "One table of the yearly report, with tidy records for Power Query's `Table.FromRecords`. Protected as `/reports/{insats}/{year}/tables`.",
    params(
        ("insats" = String, Path, description = "Insats key, e.g. `coachingteamet` (retired insatser are allowed)."),
        ("year" = i32, Path, minimum = 2000, maximum = 2999, description = "The year; anything else is answered 422 (field `year`)."),
        ("key" = String, Path, description = "The table's key, e.g. `deltagare` (see `tables[].key`)."),
        ("publicering" = Option<Publicering>, Query, description = "`ja`: the publication version, small numbers hidden. Readers, coaches and read-only tokens always get it; a huvudman or förbundschef gets the unprotected figures unless `ja` is given."),
    ),
    responses(
        (status = 200, description = "The table.", body = crate::report::json::TableJson),
        (status = 400, description = "A query parameter given twice (`?publicering=ja&publicering=nej`) or unreadable.", body = ErrorBody),
        (status = 401, description = "Not signed in: no credentials, not `Bearer <token>`, or an unknown or revoked token. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The account may not read this (its role or insatser), or a förbundschef without two-step verification. / Ingen behörighet.", body = ErrorBody),
        (status = 404, description = "Unknown insats, a year after the next one, or the report has no table with that key.", body = ErrorBody),
        (status = 422, description = "`{year}` not a year 2000–2999, or `publicering` neither `ja` nor `nej`.", body = ErrorBody),
        (status = 503, description = "The server is shutting down; the protection under way was stopped. / Pinne håller på att stänga av.", body = ErrorBody),
    )
)]
/// `GET /api/v1/reports/{insats}/{year}/tables/{key}`: one table, with tidy records for Power Query.
async fn report_table(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((insats, year, key)): Path<(String, String, String)>,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<crate::report::json::TableJson>, ApiError> {
    let q = query(q)?;
    let year = parse_year(&year)?;
    let publication =
        super::report::publication(q.publicering.as_deref()).map_err(|e| bad("publicering", e.message().0))?;
    let built = super::report::build_tables(&state, &user, &insats, year, publication).await?;
    let table = built
        .tables
        .iter()
        .find(|t| t.key == key)
        .ok_or_else(|| AppError::NotFound(format!("Rapporten har ingen tabell ”{key}”.")))?;
    Ok(Json(crate::report::json::table(table)))
}

/// The "Uppföljning Finsam" panel of a year: what the national follow-up system asks for.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FinsamPanel {
    pub association: String,
    pub year: i32,
    /// Whether small counts are protected (as in `PublishedReport`).
    pub protected: bool,
    /// How to read the figures, in Swedish.
    pub note: String,
    /// `finsam_deltagare` (participants per insats and gender), `finsam_volym` (volume insatser:
    /// tallies, e.g. guidance meetings, per gender: not people), `finsam_struktur` (attendees at
    /// structural activities) and `finsam_budget` (budget and outcome, kronor), each when it has rows.
    pub tables: Vec<crate::report::json::TableJson>,
}

#[utoipa::path(
    get,
    path = "/finsam/{year}",
    tag = "reports",
    operation_id = "getFinsamPanel",
    summary = "Uppföljning Finsam / The national follow-up figures",
    description = "The figures the national follow-up system (Uppföljning Finsam) asks for, for every insats the account may read: participants per insats and gender, the volume of insatser without participants (their tallies, e.g. guidance meetings, which are not people), attendees at structural activities, and budget and outcome. Gender columns empty everywhere are left out. Protected as the reports are; `format=csv` (Swedish Excel) or `csv-plain` gives the same tables as a file.",
    params(
        ("year" = i32, Path, minimum = 2000, maximum = 2999, description = "The year; anything else is answered 422 (field `year`)."),
        ("format" = Option<String>, Query, description = "`json` (default), `csv` or `csv-plain`."),
        ("publicering" = Option<Publicering>, Query, description = "`ja`: the publication version, small numbers hidden. Readers, coaches and read-only tokens always get it; a huvudman or förbundschef gets the unprotected figures unless `ja` is given."),
    ),
    responses(
        (status = 200, description = "The panel.", content(
            (FinsamPanel = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "A query parameter given twice or unreadable.", body = ErrorBody),
        (status = 401, description = "Not signed in: no credentials, not `Bearer <token>`, or an unknown or revoked token. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The account may read no insats for that year, or a förbundschef without two-step verification. / Ingen behörighet.", body = ErrorBody),
        (status = 404, description = "A year after the next one.", body = ErrorBody),
        (status = 422, description = "`{year}` not a year 2000–2999, an unknown `format`, or `publicering` neither `ja` nor `nej`.", body = ErrorBody),
        (status = 503, description = "The server is shutting down. / Pinne håller på att stänga av.", body = ErrorBody),
    )
)]
/// `GET /api/v1/finsam/{year}`: the Uppföljning Finsam panel as JSON or CSV.
async fn finsam(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(year): Path<String>,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = query(q)?;
    let year = parse_year(&year)?;
    let dialect = match q.format.as_deref() {
        None | Some("json") => None,
        Some("csv") => Some(Dialect::Excel),
        Some("csv-plain") => Some(Dialect::Plain),
        Some(other) => {
            return Err(bad("format", format!("Okänt format ”{other}”. Välj json, csv eller csv-plain.")).into());
        }
    };
    let publication =
        super::report::publication(q.publicering.as_deref()).map_err(|e| bad("publicering", e.message().0))?;
    let (built, tables) = super::finsam::build(&state, &user, year, publication).await?;
    let protected = built.iter().any(|b| b.protected);
    let rule = crate::report::rule(&state.store.config());
    Ok(match dialect {
        None => Json(FinsamPanel {
            association: built[0].report.association.clone(),
            year,
            protected,
            note: if protected { rule.describe(true) } else { super::report::marking(false, &rule) },
            tables: tables.iter().map(crate::report::json::table).collect(),
        })
        .into_response(),
        Some(d) => {
            let body = crate::report::csv::write(&tables, d, &super::report::marking(protected, &rule));
            let name = format!(
                "pinne-uppfoljning-finsam-{year}{}{}.csv",
                if protected { "-publicering" } else { "-ej-for-publicering" },
                if d == Dialect::Plain { "-plain" } else { "" }
            );
            (
                [
                    (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
                ],
                body,
            )
                .into_response()
        }
    })
}

/// Parses the `{year}` of a report URL.
pub fn parse_year(s: &str) -> Result<i32, AppError> {
    s.parse::<i32>()
        .ok()
        .filter(|y| (crate::domain::period::MIN_YEAR..=2999).contains(y))
        .ok_or_else(|| bad("year", format!("”{s}” är inget giltigt år.")))
}

#[utoipa::path(
    get,
    path = "/reports/{insats}/{year}",
    tag = "reports",
    operation_id = "getReport",
    summary = "Årsrapporten / The yearly report",
    description = "The yearly report of an insats. As JSON, a huvudman or förbundschef gets the whole report as counted (`Report`), unless `publicering=ja`; readers, coaches and read-only tokens, and anyone with `publicering=ja`, get its protected tables (`PublishedReport`). `format=csv` (Swedish Excel), `csv-plain` (for programs) and `xlsx` give the tables as files, protected the same way.",
    params(
        ("insats" = String, Path, description = "Insats key, e.g. `coachingteamet` (retired insatser are allowed)."),
        ("year" = i32, Path, minimum = 2000, maximum = 2999, description = "The year; anything else is answered 422 (field `year`)."),
        ("format" = Option<ReportFormat>, Query, description = "`json` (default), `csv`, `csv-plain` or `xlsx`."),
        ("publicering" = Option<Publicering>, Query, description = "`ja`: the publication version, small numbers hidden. Readers, coaches and read-only tokens always get it; a huvudman or förbundschef gets the unprotected figures unless `ja` is given."),
    ),
    responses(
        (status = 200, description = "The report.", content(
            (ReportJson = "application/json"),
            (String = "text/csv"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, description = "A query parameter given twice (`?publicering=ja&publicering=nej`) or unreadable.", body = ErrorBody),
        (status = 401, description = "Not signed in: no credentials, not `Bearer <token>`, or an unknown or revoked token. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The account may not read this (its role or insatser), or a förbundschef without two-step verification. / Ingen behörighet.", body = ErrorBody),
        (status = 404, description = "Unknown insats, or a year after the next one (reports exist up to the year after the current one).", body = ErrorBody),
        (status = 422, description = "`{year}` not a year 2000–2999, an unknown `format`, or `publicering` neither `ja` nor `nej`.", body = ErrorBody),
        (status = 503, description = "The server is shutting down; the protection under way was stopped. / Pinne håller på att stänga av.", body = ErrorBody),
    )
)]
/// `GET /api/v1/reports/{insats}/{year}`: the yearly report as JSON, or `?format=csv` (Swedish
/// Excel) / `?format=csv-plain` (comma-separated, tidy, for machines).
async fn report(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((insats, year)): Path<(String, String)>,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let q = query(q)?;
    let year = parse_year(&year)?;
    let (dialect, xlsx) = match q.format.as_deref() {
        None | Some("json") => (None, false),
        Some("csv") => (Some(Dialect::Excel), false),
        Some("csv-plain") => (Some(Dialect::Plain), false),
        Some("xlsx") => (None, true),
        Some(other) => {
            return Err(bad("format", format!("Okänt format ”{other}”. Välj json, csv, csv-plain eller xlsx.")).into());
        }
    };
    let publication =
        super::report::publication(q.publicering.as_deref()).map_err(|e| bad("publicering", e.message().0))?;
    let built = super::report::build_tables(&state, &user, &insats, year, publication).await?;
    if xlsx {
        return Ok(super::report::xlsx_response(&built)?);
    }
    Ok(match dialect {
        // Those who may see unprotected figures get the whole report as counted.
        None if !built.protected => Json(built.report).into_response(),
        None => Json(PublishedReport::new(&state, &built)).into_response(),
        Some(d) => super::report::csv_response(&state, &built, d),
    })
}
