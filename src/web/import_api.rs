//! The import through the API (`/api/v1/imports`): the same checks as in the browser, answered at
//! once: a preview (`dry_run=true`), every problem (`422`), or the stored import (`201`).

use super::auth::{ClientAddr, CurrentUser};
use super::import::{self, TemplateQuery};
use super::openapi::ErrorBody;
use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::store::{self, import::Import};
use crate::transfer::rows::Problem;
use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::atomic::AtomicU64;

fn may_import(user: &CurrentUser) -> Result<(), AppError> {
    use crate::domain::account::Role;
    match user.account.role {
        Role::Huvudman | Role::Forbundschef => Ok(()),
        _ => Err(AppError::Forbidden("Import av registreringar görs av huvudmannen eller förbundschefen.".into())),
    }
}

/// Tallies of one insats, kind and month in a preview.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PreviewMonth {
    insats: String,
    kind: String,
    /// `YYYY-MM`.
    period: String,
    tallies: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Preview {
    /// Data rows read.
    rows: usize,
    /// Tallies the file gives (rows times their *Antal*).
    tallies: u64,
    months: Vec<PreviewMonth>,
    /// Every problem (the first 500); none when the file can be stored.
    problems: Vec<Problem>,
    /// Problems beyond the listed ones.
    more_problems: usize,
    /// An earlier import of the same file that is not undone.
    same_file: Option<Import>,
    /// Whether the tallies were stored.
    stored: bool,
    /// The stored import.
    import: Option<Import>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true`: check and preview only; nothing is stored.
    dry_run: Option<bool>,
    /// `true`: store even if the same file (by SHA-256) was imported before and not undone.
    again: Option<bool>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ImportList {
    imports: Vec<Import>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Undone {
    import: Import,
    /// Tallies voided with reason `import_angrad`.
    voided: i64,
}

#[utoipa::path(
    get,
    path = "/imports",
    tag = "imports",
    operation_id = "listImports",
    summary = "Importer / Imports",
    description = "The latest 100 imports, newest first: size, rows, tallies, by whom, undone or not. Never the content. Huvudman and förbundschef.",
    responses(
        (status = 200, description = "The imports.", body = ImportList),
        (status = 401, description = "Not signed in. / Inte inloggad.", body = ErrorBody),
        (status = 403, description = "Not a huvudman or förbundschef. / Ingen behörighet.", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Json<ImportList>, ApiError> {
    may_import(&user)?;
    let imports = state.store.read(|c| store::import::list(c, 100)).await.map_err(AppError::from)?;
    Ok(Json(ImportList { imports }))
}

#[utoipa::path(
    post,
    path = "/imports",
    tag = "imports",
    operation_id = "importTallies",
    summary = "Importera registreringar / Import tallies",
    description = "The body is the file itself: an XLSX workbook or a CSV text (UTF-8) in the layout of the template (`GET /imports/template`), at most 30 MB. Every row is checked; with any problem nothing is stored and `422` lists them by sheet, row and column. `dry_run=true` only previews. The same file imported before (and not undone) is refused with `409` unless `again=true`. Stored in one transaction: all or nothing.",
    params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The preview (`dry_run=true`): nothing stored.", body = Preview),
        (status = 201, description = "Stored.", body = Preview),
        (status = 400, description = "The file cannot be read: not XLSX or CSV, not UTF-8, a formula, a zip bomb. / Filen kan inte läsas.", body = ErrorBody),
        (status = 401, description = "Not signed in. / Inte inloggad.", body = ErrorBody),
        (status = 403, description = "Not a huvudman or förbundschef, a read-only token, or a browser session. / Ingen behörighet.", body = ErrorBody),
        (status = 409, description = "The same file was imported before (send `again=true`), or a year is closed. / Redan importerad.", body = ErrorBody),
        (status = 413, description = "The file is larger than 30 MB. / Filen är för stor.", body = ErrorBody),
        (status = 422, description = "Problems in the file; nothing stored. The error object, with the preview's fields beside it: `problems` lists every problem by sheet, row and column.", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    q: Result<Query<ImportQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    may_import(&user)?;
    let q = q.map(|Query(q)| q).map_err(|_| AppError::BadRequest("Adressens val kunde inte läsas.".into()))?;
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge(format!(
                "Filen är för stor: högst {} MB tas emot.",
                crate::transfer::read::MAX_FILE / (1024 * 1024)
            ))
        } else {
            AppError::BadRequest("Förfrågans innehåll kunde inte läsas.".into())
        }
    })?;
    let (st, u) = (state.clone(), user.clone());
    let dry_run = q.dry_run.unwrap_or(false);
    let again = q.again.unwrap_or(false);
    let result = tokio::task::spawn_blocking(move || -> Result<(StatusCode, Preview), AppError> {
        let (done, total) = (AtomicU64::new(0), AtomicU64::new(0));
        let checked = import::check(&st, &u, &bytes, &done, &total)?;
        let config = st.store.config();
        let mut preview = Preview {
            rows: checked.parsed.rows,
            tallies: checked.parsed.total(),
            months: import::months(&checked.parsed)
                .into_iter()
                .map(|(i, k, p, n)| PreviewMonth {
                    insats: config.insats_by_id(i).map(|x| x.key.clone()).unwrap_or_default(),
                    kind: config.kind_by_id(k).map(|x| x.key.clone()).unwrap_or_default(),
                    period: p.to_string(),
                    tallies: n,
                })
                .collect(),
            problems: checked.parsed.problems.clone(),
            more_problems: checked.parsed.more_problems,
            same_file: checked.same_file.clone(),
            stored: false,
            import: None,
        };
        if !checked.parsed.ok() {
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, preview));
        }
        if dry_run {
            return Ok((StatusCode::OK, preview));
        }
        if let Some(same) = &checked.same_file
            && !again
        {
            return Err(AppError::Conflict(format!(
                "Samma fil importerades {} (import nr {}). Skicka again=true om den ska importeras en gång till.",
                same.created_on, same.id
            )));
        }
        let stored = import::save(&st, &u, addr.as_deref(), &checked, &done)?;
        preview.stored = true;
        preview.import = Some(stored);
        Ok((StatusCode::CREATED, preview))
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("import task: {e}")))??;
    let (status, preview) = result;
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        // The API's error object, with the preview (and its problems) beside it.
        let n = preview.problems.len() + preview.more_problems;
        let mut body = serde_json::to_value(&preview).map_err(|e| AppError::Internal(e.into()))?;
        let first = preview.problems.first();
        body["error"] = serde_json::json!({
            "message": format!(
                "Filen har {} och kan inte importeras; inget har sparats.{}",
                crate::sv::plural(n as i64, "fel", "fel"),
                first.map_or(String::new(), |p| format!(" Första: {}", p.message))
            ),
            "field": null,
        });
        return Ok((status, Json(body)).into_response());
    }
    Ok((status, Json(preview)).into_response())
}

#[utoipa::path(
    post,
    path = "/imports/{id}/undo",
    tag = "imports",
    operation_id = "undoImport",
    summary = "Ångra en import / Undo an import",
    description = "Voids every tally of the import with reason `import_angrad`; the reports are as before it. `409` when it is already undone or a year it touches is closed.",
    params(("id" = i64, Path, minimum = 1, description = "The import's number.")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Undone.", body = Undone),
        (status = 401, description = "Not signed in. / Inte inloggad.", body = ErrorBody),
        (status = 403, description = "Not allowed (role, insatser, read-only token). / Ingen behörighet.", body = ErrorBody),
        (status = 404, description = "No such import.", body = ErrorBody),
        (status = 409, description = "Already undone, or a closed year.", body = ErrorBody),
    )
)]
pub async fn undo(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path(id): Path<String>,
) -> Result<Json<Undone>, ApiError> {
    may_import(&user)?;
    let id: i64 =
        id.parse().ok().filter(|i| *i > 0).ok_or_else(|| AppError::NotFound("Importen finns inte.".into()))?;
    let (import, voided) = import::undo(&state, &user, addr, id).await?;
    Ok(Json(Undone { import, voided }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateParams {
    /// An insats key: only its kinds (default: every insats of the account).
    insats: Option<String>,
    /// A kind key: only that kind.
    kind: Option<String>,
    /// `xlsx` (default) or `csv`.
    format: Option<String>,
}

#[utoipa::path(
    get,
    path = "/imports/template",
    tag = "imports",
    operation_id = "importTemplate",
    summary = "Mall för import / Import template",
    description = "The template made from the configuration: XLSX with one sheet per kind, a column per question with a drop-down list of its choices, a month and an *Antal* column, instructions first; or the same as CSV for Swedish Excel.",
    params(TemplateParams),
    responses(
        (status = 200, description = "The template.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, description = "An unknown format.", body = ErrorBody),
        (status = 401, description = "Not signed in. / Inte inloggad.", body = ErrorBody),
        (status = 403, description = "Not a huvudman or förbundschef.", body = ErrorBody),
        (status = 404, description = "No such insats or kind.", body = ErrorBody),
    )
)]
pub async fn template(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    q: Result<Query<TemplateParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    may_import(&user)?;
    let q = q.map(|Query(q)| q).map_err(|_| AppError::BadRequest("Adressens val kunde inte läsas.".into()))?;
    let xlsx = match q.format.as_deref() {
        None | Some("xlsx") => true,
        Some("csv") => false,
        Some(_) => return Err(AppError::BadRequest("format ska vara xlsx eller csv.".into()).into()),
    };
    Ok(import::template(&state, &user, &TemplateQuery { insats: q.insats, kind: q.kind }, xlsx)?)
}

#[utoipa::path(
    get,
    path = "/exports/{insats}/{year}",
    tag = "imports",
    operation_id = "exportTallies",
    summary = "Exportera registreringar / Export tallies",
    description = "Every active tally of the insats up to and including the year, grouped by kind, month and answers, in the import's CSV layout (Swedish Excel). Imported into an empty database with the same configuration it gives the same reports. Microdata, not for publication.",
    params(
        ("insats" = String, Path, description = "The insats key."),
        ("year" = i32, Path, minimum = 2000, description = "The last year included."),
    ),
    responses(
        (status = 200, description = "The CSV.", content_type = "text/csv", body = String),
        (status = 401, description = "Not signed in. / Inte inloggad.", body = ErrorBody),
        (status = 403, description = "Not a huvudman or förbundschef.", body = ErrorBody),
        (status = 404, description = "No such insats (or not the account's), or a year too far ahead.", body = ErrorBody),
    )
)]
pub async fn export(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((insats, year)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    may_import(&user)?;
    let year = super::api::parse_year(&year).map_err(|e| AppError::NotFound(e.message().0))?;
    Ok(import::export(&state, &user, &insats, year).await?)
}

/// The routes, under `/api/v1`.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route(
            "/imports",
            get(list).post(create).layer(axum::extract::DefaultBodyLimit::max(crate::transfer::read::MAX_FILE)),
        )
        .route("/imports/template", get(template))
        .route("/imports/{id}/undo", post(undo))
        .route("/exports/{insats}/{year}", get(export))
}
