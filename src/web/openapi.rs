//! The OpenAPI 3.1 description of the JSON API, served at `GET /api/v1/openapi.json`. It is
//! generated from the code: each handler's `#[utoipa::path]` in `api.rs` and the `ToSchema` derives
//! of the types the handlers answer with, so it cannot describe a field the API does not send.
//! Request bodies are read by hand (see `api.rs`); the types here only describe them.
//! `tests/openapi.rs` checks the document against the router and the official 3.1 schema.

use super::api;
use crate::domain::FieldError;
use axum::http::header;
use axum::response::IntoResponse;
use std::collections::BTreeMap;
use std::sync::LazyLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

const DESCRIPTION: &str = "\
Pinnes JSON-API: vad som kan registreras, registreringar (pinnar), aktiviteter, årsrapporter och \
budget. Varje anrop kräver en API-nyckel (`Authorization: Bearer …`, skapas under Konto) eller, \
för läsning, en inloggad webbläsare. Fel svaras med `{\"error\": {\"message\", \"field\"}}` och ett \
meddelande på svenska.\n\n\
Pinne's JSON API: what can be tallied, tallies, structural events, yearly reports and budgets. \
Every request needs an API token (`Authorization: Bearer …`, created on the Konto page) or, for \
reading, a signed-in browser session; changes need a token. Errors are \
`{\"error\": {\"message\", \"field\"}}` with a Swedish message (and `errors` listing every \
problem on 422). Keys are stable ASCII slugs; labels are Swedish and may change. \
See docs/api.md for every field.";

/// The document: every route of `api::router()`.
#[derive(OpenApi)]
#[openapi(
    info(title = "Pinne API", version = env!("CARGO_PKG_VERSION"), description = DESCRIPTION),
    servers((url = "/api/v1", description = "This Pinne server's JSON API")),
    paths(
        api::config,
        api::recent,
        api::create,
        api::one,
        api::void,
        api::report,
        api::report_tables,
        api::span_report,
        api::report_table,
        api::finsam,
        api::create_event,
        api::one_event,
        api::void_event,
        api::budget,
        api::set_budget,
        super::import_api::list,
        super::import_api::create,
        super::import_api::undo,
        super::import_api::template,
        super::import_api::export,
        super::earlier::api_get,
        super::earlier::api_put,
        super::earlier::api_delete,
        super::earlier::api_opening_get,
        super::earlier::api_opening_put,
        document,
    ),
    components(schemas(ErrorBody, ErrorDetail, ReportFormat, Publicering)),
    modifiers(&Security),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "config", description = "Vad som kan registreras / What can be tallied"),
        (name = "tallies", description = "Registreringar / Tallies"),
        (name = "events", description = "Strukturövergripande aktiviteter / Structural events"),
        (name = "reports", description = "Årsrapporter / Yearly reports"),
        (name = "budgets", description = "Budget och utfall / Budgets and outcomes"),
        (name = "imports", description = "Import och export av registreringar / Importing and exporting tallies"),
        (name = "earlier", description = "Siffror från tidigare årsrapporter / Figures from earlier annual reports"),
        (name = "openapi", description = "Den här beskrivningen / This description"),
    )
)]
pub struct ApiDoc;

/// The security schemes: API tokens and the browser's session cookie.
struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("64 hexadecimal characters")
                    .description(Some(
                        "A personal API token (Konto → API-nycklar, or `pinne token create`), sent as \
                         `Authorization: Bearer <token>`. A read-only token may only use GET.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "__Host-pinne",
                "A signed-in browser's session cookie (`pinne` in development mode): it may GET, \
                 never change anything through the API.",
            ))),
        );
    }
}

static DOCUMENT: LazyLock<serde_json::Value> =
    LazyLock::new(|| serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document serialises"));

/// `GET /api/v1/openapi.json`: this API described as OpenAPI 3.1.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "openapi",
    operation_id = "getOpenApi",
    summary = "API-beskrivningen / This API as OpenAPI 3.1",
    description = "The OpenAPI 3.1 document describing every route of the API, generated from the code and made exact for this server's configuration: the request bodies list its insatser, kinds, questions and answers, and the months that may be registered.",
    responses(
        (status = 200, description = "The OpenAPI document.", body = Object, content_type = "application/json"),
        (status = 401, description = "Not signed in. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "A förbundschef without two-step verification.", body = ErrorBody),
    )
)]
pub async fn document(axum::extract::State(state): axum::extract::State<crate::AppState>) -> impl IntoResponse {
    let mut doc = DOCUMENT.clone();
    super::openapi_live::specialise(&mut doc, &state.store.config(), state.clock.now());
    ([(header::CONTENT_TYPE, "application/json")], doc.to_string())
}

/// An error answer. `error` holds the (first) problem; on 422 (invalid input) `errors` lists them all.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorBody {
    pub error: ErrorDetail,
    /// Only on 422: every problem found, `error` being the first. A problem with the whole
    /// request has `"field": ""`.
    #[schema(nullable = false)]
    pub errors: Option<Vec<FieldError>>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ErrorDetail {
    /// A Swedish sentence that can be shown to a person as it is.
    pub message: String,
    /// The input the problem concerns (`insats`, `values.kon`, `by_gender.kvinna`, `year`, …), or
    /// null when it concerns the whole request.
    #[schema(required = true)]
    pub field: Option<String>,
}

/// A tally to record. Keys come from `GET /config`; any other field is refused (422), and so is a
/// field given twice.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct TallyBody {
    /// Insats key.
    pub insats: String,
    /// Kind key: a kind with shape `tally` that the insats takes.
    pub kind: String,
    /// The month, `YYYY-MM`, 2000-01 or later and not after the current month (Swedish time).
    /// Left out, null or `""`: the current month.
    pub period: Option<String>,
    /// Dimension key → value key: one for every required dimension of the kind, optionally for its
    /// optional ones, nothing else. A multi-choice dimension (`multiple`) takes a list of keys.
    pub values: BTreeMap<String, DimensionValue>,
}

/// One value key, or a non-empty list of them for a multi-choice dimension.
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum DimensionValue {
    One(String),
    Several(Vec<String>),
}

/// A structural activity (an event) to record. Any other field is refused (422). The name and the
/// organiser must not carry personal data.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct EventBody {
    /// Insats key.
    pub insats: String,
    /// The event kind (shape `event`); may be left out when the insats takes exactly one.
    pub kind: Option<String>,
    /// The month of the event, `YYYY-MM`; left out, null or `""`: the current month.
    pub period: Option<String>,
    /// The event's name, on one line.
    #[schema(min_length = 1, max_length = 80)]
    pub name: String,
    /// Who arranged it, on one line.
    #[schema(max_length = 80)]
    pub organiser: Option<String>,
    /// The number of attendees, a whole number 1–100 000 (or a string such as `"1 200"`).
    pub attendees: TextOrNumber,
    /// Gender value key → attendees, where the organiser counted them; at most `attendees` in all.
    pub by_gender: Option<BTreeMap<String, TextOrNumber>>,
}

/// A whole number, or a string holding one (spaces and `kr` allowed where the field says so).
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum TextOrNumber {
    Number(u64),
    Text(String),
}

/// Why a tally or an event is voided.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct VoidBody {
    pub reason: VoidChoice,
}

/// A reason a person may give when voiding (`VoidReason` without `import_angrad`, which only
/// undoing an import sets).
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum VoidChoice {
    Felregistrering,
    Dubblett,
    FelPeriod,
    FelInsats,
    Annat,
}

/// The budget and the outcome of an insats for a year, in whole kronor (0–10 000 000 000). The
/// request replaces both: a field left out, null or `""` is stored as not entered.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct BudgetBody {
    pub budget_kr: Option<TextOrNumber>,
    pub outcome_kr: Option<TextOrNumber>,
}

/// The file format of `GET /reports/{insats}/{year}`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub enum ReportFormat {
    #[serde(rename = "json")]
    Json,
    /// For Swedish Excel: `;`, decimal comma, UTF-8 with a byte-order mark.
    #[serde(rename = "csv")]
    Csv,
    /// For programs: one line per figure, `,` and a decimal point.
    #[serde(rename = "csv-plain")]
    CsvPlain,
    /// An Excel workbook, one sheet per table.
    #[serde(rename = "xlsx")]
    Xlsx,
}

/// `ja`: the publication version, with small numbers hidden.
#[derive(ToSchema)]
#[allow(dead_code)]
pub enum Publicering {
    #[serde(rename = "ja")]
    Ja,
    #[serde(rename = "nej")]
    Nej,
}

/// The yearly report as JSON: the whole report as counted (`Report`) for a huvudman or
/// förbundschef, or its protected tables (`PublishedReport`) for readers, coaches, read-only
/// tokens and with `publicering=ja`.
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum ReportJson {
    Whole(Box<crate::report::Report>),
    Published(api::PublishedReport),
}
