//! Bringing tallies in from spreadsheets, for the huvudman and the förbundschef: the template
//! (`/import/mall.xlsx`, `/import/mall.csv`), the upload with its preview and progress
//! (`/import`, `/import/jobb/{id}`), storing all or nothing, undoing a whole import, and the export
//! of a year's tallies in the same layout. The file itself is never stored or logged: only its
//! SHA-256, size and number of rows, in the import's row and the audit log.
//!
//! An upload becomes a job held in memory: read and checked on a blocking thread while its page
//! reloads itself (`<meta http-equiv="refresh">`, so the progress bar needs no JavaScript), then
//! shown as a preview, then stored in one transaction when confirmed.

use super::auth::{ClientAddr, CurrentUser, forbidden, today_utc};
use super::views::{
    self,
    layout::{Chrome, Section, page},
};
use crate::AppState;
use crate::domain::{Config, Insats, Period};
use crate::error::{AppError, PageError};
use crate::store::{self, audit::Action, import::Import, import::Meta};
use crate::transfer::{self, read, rows::Parsed};
use axum::Extension;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long an unfinished job is kept.
const JOB_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// The most jobs held at once (each holds at most one file's tallies).
const MAX_JOBS: usize = 16;

/// Where a job is.
pub enum Phase {
    Reading,
    /// Read and checked: what would be stored, and an earlier import of the same file.
    Checked(Box<Checked>),
    Storing,
    Stored {
        import_id: i64,
        tallies: u64,
    },
    /// The file could not be read, or storing failed: nothing was stored.
    Failed(String),
}

pub struct Checked {
    pub meta: Meta,
    pub parsed: Parsed,
    pub same_file: Option<Import>,
}

pub struct Job {
    owner: i64,
    created: Instant,
    phase: Mutex<Phase>,
    /// Rows read, or tallies stored, so far; and of how many.
    done: AtomicU64,
    total: AtomicU64,
}

/// The jobs of this process, by random id.
#[derive(Default)]
pub struct Jobs {
    map: Mutex<HashMap<String, Arc<Job>>>,
}

impl Jobs {
    /// A new job for `owner`, replacing that account's earlier unfinished one; `None` when too many
    /// others are running.
    fn start(&self, owner: i64) -> Option<(String, Arc<Job>)> {
        let mut map = self.map.lock().expect("jobs lock");
        map.retain(|_, j| j.created.elapsed() < JOB_LIFETIME && j.owner != owner || j.is_busy());
        if map.len() >= MAX_JOBS {
            return None;
        }
        let id = crate::auth::new_token().0;
        let job = Arc::new(Job {
            owner,
            created: Instant::now(),
            phase: Mutex::new(Phase::Reading),
            done: AtomicU64::new(0),
            total: AtomicU64::new(0),
        });
        map.insert(id.clone(), job.clone());
        Some((id, job))
    }
    fn get(&self, id: &str, owner: i64) -> Option<Arc<Job>> {
        self.map.lock().expect("jobs lock").get(id).filter(|j| j.owner == owner).cloned()
    }
}

impl Job {
    fn is_busy(&self) -> bool {
        matches!(*self.phase.lock().expect("job lock"), Phase::Reading | Phase::Storing)
    }
    fn set(&self, phase: Phase) {
        *self.phase.lock().expect("job lock") = phase;
    }
}

fn may_import(user: &CurrentUser) -> Result<(), PageError> {
    use crate::domain::account::Role;
    match user.account.role {
        Role::Huvudman | Role::Forbundschef => Ok(()),
        _ => Err(forbidden("Import av registreringar görs av huvudmannen eller förbundschefen.")),
    }
}

/// The insatser the account may import into and export from (active ones).
fn insatser<'a>(config: &'a Config, user: &CurrentUser) -> Vec<&'a Insats> {
    config.insatser.iter().filter(|i| !i.retired && user.account.works_with(i.id)).collect()
}

/// The closed years, for the check of each row: (insats id, year) → the closed year it would change.
fn closed_years(state: &AppState) -> Result<Vec<(i64, i32)>, AppError> {
    state
        .store
        .read_blocking(|c| {
            Ok(c.prepare("SELECT insats_id, year FROM year_closure")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .map_err(AppError::from)
}

/// Reads and checks a file: every problem, or the tallies with a preview. Runs on a blocking
/// thread; `done`/`total` follow its rows.
pub fn check(
    state: &AppState,
    user: &CurrentUser,
    bytes: &[u8],
    done: &AtomicU64,
    total: &AtomicU64,
) -> Result<Checked, AppError> {
    use sha2::Digest;
    let sha256: String = sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    let sheets = read::read(bytes).map_err(|e| AppError::BadRequest(e.0))?;
    total.store(sheets.iter().map(|s| s.rows.len() as u64).sum(), Ordering::Relaxed);
    let config = state.store.config();
    let closed = closed_years(state)?;
    let closed_from =
        |insats: i64, year: i32| closed.iter().filter(|(i, y)| *i == insats && *y >= year).map(|(_, y)| *y).min();
    let mut parsed = transfer::rows::parse(&config, &sheets, state.clock.now(), &closed_from, &|d, _| {
        done.store(d as u64, Ordering::Relaxed)
    });
    let foreign: Vec<String> = parsed
        .summary
        .keys()
        .map(|(i, ..)| *i)
        .filter(|i| !user.account.works_with(*i))
        .filter_map(|i| config.insats_by_id(i).map(|i| i.label.clone()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if !foreign.is_empty() {
        parsed.problems.insert(
            0,
            transfer::rows::Problem {
                sheet: String::new(),
                row: 0,
                column: String::new(),
                message: format!("Filen har registreringar för {}, som du inte arbetar med.", foreign.join(", ")),
            },
        );
        parsed.tallies.clear();
        parsed.summary.clear();
    }
    let meta = Meta { sha256: sha256.clone(), bytes: bytes.len() as i64, rows: parsed.rows as i64 };
    let same_file = state.store.read_blocking(move |c| store::import::same_file(c, &sha256))?;
    Ok(Checked { meta, parsed, same_file })
}

/// Stores a checked file in one transaction with its audit entry: the file's size, rows and
/// tallies, never its content.
pub fn save(
    state: &AppState,
    user: &CurrentUser,
    addr: Option<&str>,
    checked: &Checked,
    done: &AtomicU64,
) -> Result<Import, AppError> {
    if !checked.parsed.ok() {
        return Err(AppError::BadRequest("Filen har fel och kan inte sparas.".into()));
    }
    let (me, name) = user.who();
    let on = today_utc();
    let tallies = checked.parsed.total();
    let detail = format!(
        "{} byte, {} rader, {} registreringar, sha256 {}",
        checked.meta.bytes,
        checked.meta.rows,
        tallies,
        &checked.meta.sha256[..16]
    );
    let id = state.store.write_blocking(|tx| {
        let id = store::import::store(tx, &checked.meta, &checked.parsed.tallies, Some(me), &on, done)?;
        store::audit::append(
            tx,
            &on,
            Some((me, &name)),
            Action::ImportStored,
            &format!("import {id}: {detail}"),
            addr,
        )?;
        Ok(id)
    })?;
    Ok(state.store.read_blocking(move |c| store::import::get(c, id))?)
}

/// Undoes a whole import the account may change (every insats of it), with an audit entry.
pub async fn undo(
    state: &AppState,
    user: &CurrentUser,
    addr: Option<String>,
    id: i64,
) -> Result<(Import, i64), AppError> {
    let ids = state.store.read(move |c| store::import::insatser(c, id)).await?;
    state.store.read(move |c| store::import::get(c, id)).await?;
    if let Some(other) = ids.iter().find(|i| !user.account.works_with(**i)) {
        let label = state.store.config().insats_by_id(*other).map(|i| i.label.clone()).unwrap_or_default();
        return Err(AppError::Forbidden(format!("Importen har registreringar för {label}, som du inte arbetar med.")));
    }
    let (me, name) = user.who();
    let on = today_utc();
    let voided = state
        .store
        .write(move |tx| {
            let n = store::import::undo(tx, id, Some(me), &on)?;
            store::audit::append(
                tx,
                &on,
                Some((me, &name)),
                Action::ImportUndone,
                &format!("import {id}: {n} registreringar makulerade (import ångrad)"),
                addr.as_deref(),
            )?;
            Ok(n)
        })
        .await?;
    let import = state.store.read(move |c| store::import::get(c, id)).await?;
    Ok((import, voided))
}

#[derive(Deserialize, Default)]
pub struct TemplateQuery {
    pub insats: Option<String>,
    pub kind: Option<String>,
}

/// The template for the account's insatser (or one insats, one kind), as XLSX or CSV.
pub fn template(state: &AppState, user: &CurrentUser, q: &TemplateQuery, xlsx: bool) -> Result<Response, AppError> {
    let config = state.store.config();
    let mut chosen = insatser(&config, user);
    if let Some(key) = q.insats.as_deref().filter(|k| !k.is_empty()) {
        chosen.retain(|i| i.key == key);
        if chosen.is_empty() {
            return Err(AppError::NotFound(format!("Insatsen ”{key}” finns inte eller är inte din.")));
        }
    }
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(key) => Some(
            config
                .kind(key)
                .filter(|k| k.shape == crate::domain::Shape::Tally)
                .ok_or_else(|| AppError::NotFound(format!("Registreringstypen ”{key}” finns inte.")))?,
        ),
        None => None,
    };
    let kinds = transfer::template::kinds(&config, &chosen, kind);
    if kinds.is_empty() {
        return Err(AppError::NotFound("Det finns inga registreringstyper att göra en mall för.".into()));
    }
    let what = match (q.insats.as_deref().filter(|k| !k.is_empty()), kind) {
        (Some(i), Some(k)) => format!("{i}-{}", k.key),
        (Some(i), None) => i.to_string(),
        (None, Some(k)) => k.key.clone(),
        (None, None) => "alla".into(),
    };
    if xlsx {
        let body = transfer::template::xlsx(&config, &chosen, kind)
            .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))?;
        Ok(download(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("pinne-mall-{what}.xlsx"),
            body,
        ))
    } else {
        Ok(download(
            "text/csv; charset=utf-8; header=present",
            &format!("pinne-mall-{what}.csv"),
            transfer::template::csv(&config, &kinds, &[]),
        ))
    }
}

/// Every active tally of an insats up to and including `year`, in the import's CSV layout.
pub async fn export(state: &AppState, user: &CurrentUser, insats_key: &str, year: i32) -> Result<Response, AppError> {
    let config = state.store.config();
    let insats = config
        .insats(insats_key)
        .filter(|i| user.account.works_with(i.id))
        .ok_or_else(|| AppError::NotFound(format!("Insatsen ”{insats_key}” finns inte eller är inte din.")))?
        .clone();
    super::report::within_reach(state, year)?;
    let id = insats.id;
    let groups = state.store.read(move |c| store::tally::groups_until(c, id, year)).await?;
    let kinds = transfer::template::kinds(&config, &[&insats], None);
    let body = transfer::template::csv(&config, &kinds, &groups);
    Ok(download(
        "text/csv; charset=utf-8; header=present",
        &format!("pinne-registreringar-{}-till-{year}.csv", insats.key),
        body,
    ))
}

fn download(content_type: &'static str, name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")).expect("ascii file name"),
            ),
        ],
        body,
    )
        .into_response()
}

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

/// `GET /import/mall.xlsx`
pub async fn template_xlsx(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<TemplateQuery>,
) -> Result<Response, PageError> {
    may_import(&user)?;
    Ok(template(&state, &user, &q, true)?)
}

/// `GET /import/mall.csv`
pub async fn template_csv(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<TemplateQuery>,
) -> Result<Response, PageError> {
    may_import(&user)?;
    Ok(template(&state, &user, &q, false)?)
}

#[derive(Deserialize)]
pub struct ExportQuery {
    insats: String,
    year: String,
}

/// `GET /import/export?insats=…&year=…`
pub async fn export_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, PageError> {
    may_import(&user)?;
    let year = super::api::parse_year(&q.year).map_err(|e| AppError::NotFound(e.message().0))?;
    Ok(export(&state, &user, &q.insats, year).await?)
}

/// `GET /import`: the template, the upload form, the export and the earlier imports.
pub async fn index(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<Markup, PageError> {
    may_import(&user)?;
    let imports = state.store.read(|c| store::import::list(c, 50)).await?;
    Ok(index_page(&state, &user, &imports, None))
}

fn index_page(state: &AppState, user: &CurrentUser, imports: &[Import], error: Option<&str>) -> Markup {
    let config = state.store.config();
    let mine = insatser(&config, user);
    let kinds = transfer::template::kinds(&config, &mine, None);
    views::import::index(Chrome::new(&config.association, user), user, &mine, &kinds, state.clock.now(), imports, error)
}

fn render_job(state: &AppState, user: &CurrentUser, id: &str, job: &Job, error: Option<&str>) -> Markup {
    let config = state.store.config();
    let progress = (job.done.load(Ordering::Relaxed), job.total.load(Ordering::Relaxed));
    let phase = job.phase.lock().expect("job lock");
    views::import::job(Chrome::new(&config.association, user), &config, user, id, &phase, progress, error)
}

/// `POST /import`: a multipart upload (the CSRF field, then the file). Starts a job and sends the
/// browser to its page.
pub async fn upload(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    req: axum::extract::Request,
) -> Result<Response, PageError> {
    may_import(&user)?;
    use axum::extract::FromRequest;
    let Ok(mut multipart) = Multipart::from_request(req, &state).await else {
        let imports = state.store.read(|c| store::import::list(c, 50)).await?;
        let page = index_page(&state, &user, &imports, Some("Välj en fil att ladda upp."));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let too_large = || {
        PageError(AppError::PayloadTooLarge(format!(
            "Filen är för stor: högst {} MB tas emot. Dela upp den i flera filer.",
            read::MAX_FILE / (1024 * 1024)
        )))
    };
    let unreadable =
        || PageError(AppError::BadRequest("Uppladdningen kunde inte läsas. Välj filen och försök igen.".into()));
    let mut token_ok = false;
    let mut file: Option<Vec<u8>> = None;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| if e.status() == StatusCode::PAYLOAD_TOO_LARGE { too_large() } else { unreadable() })?
    {
        match field.name() {
            Some("csrf") => {
                let text = field.text().await.map_err(|_| unreadable())?;
                token_ok = super::auth::same(&text, user.csrf());
            }
            Some("fil") if token_ok => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|e| if e.status() == StatusCode::PAYLOAD_TOO_LARGE { too_large() } else { unreadable() })?
                {
                    if bytes.len() + chunk.len() > read::MAX_FILE {
                        return Err(too_large());
                    }
                    bytes.extend_from_slice(&chunk);
                }
                file = Some(bytes);
            }
            _ => {}
        }
    }
    if !token_ok {
        tracing::warn!(account = %user.account.name, "upload without the session's CSRF token refused");
        return Err(PageError(AppError::Forbidden(
            "Formuläret kunde inte kontrolleras (det kan ha blivit för gammalt). Ladda om sidan och försök igen."
                .into(),
        )));
    }
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        let imports = state.store.read(|c| store::import::list(c, 50)).await?;
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            index_page(&state, &user, &imports, Some("Välj en fil att ladda upp.")),
        )
            .into_response());
    };
    let Some((id, job)) = state.imports.start(user.account.id) else {
        return Err(PageError(AppError::Unavailable("Många importer pågår just nu. Försök igen om en stund.".into())));
    };
    let (st, u) = (state.clone(), user.clone());
    tokio::task::spawn_blocking(move || {
        let phase = guarded("check", || match check(&st, &u, &bytes, &job.done, &job.total) {
            Ok(c) => Phase::Checked(Box::new(c)),
            Err(e) => failed(e, ""),
        });
        job.set(phase);
    });
    Ok(Redirect::to(&format!("/import/jobb/{id}")).into_response())
}

/// A failed job: its Swedish message (an internal error is logged, without the file's content,
/// and shown as the generic one).
fn failed(e: AppError, then: &str) -> Phase {
    if let AppError::Internal(inner) = &e {
        tracing::error!(error = %inner, "import failed");
    }
    Phase::Failed(format!("{}{then}", e.message().0))
}

/// Runs a job's work so that a panic ends the job as failed (a transaction in progress is rolled
/// back when it is dropped) instead of leaving its page reloading for ever.
fn guarded(what: &str, work: impl FnOnce() -> Phase) -> Phase {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|_| {
        tracing::error!(step = what, "import job panicked");
        Phase::Failed(
            "Något gick fel i Pinne. Inget har sparats; försök igen eller kontakta den som driver Pinne.".into(),
        )
    })
}

/// `GET /import/jobb/{id}`: progress, problems, preview or the result.
pub async fn job_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Result<Markup, PageError> {
    may_import(&user)?;
    let job = state.imports.get(&id, user.account.id).ok_or_else(|| {
        AppError::NotFound("Importen finns inte längre (den sparas i en timme). Ladda upp filen igen.".into())
    })?;
    Ok(render_job(&state, &user, &id, &job, None))
}

/// `POST /import/jobb/{id}/spara`: stores a checked file, all or nothing.
pub async fn save_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(addr): Extension<ClientAddr>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    may_import(&user)?;
    let job = state.imports.get(&id, user.account.id).ok_or_else(|| {
        AppError::NotFound("Importen finns inte längre (den sparas i en timme). Ladda upp filen igen.".into())
    })?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let again = super::field(&pairs, "igen") == "ja";
    let checked = {
        let mut phase = job.phase.lock().expect("job lock");
        match std::mem::replace(&mut *phase, Phase::Reading) {
            Phase::Checked(c) if c.parsed.ok() && (c.same_file.is_none() || again) => {
                job.total.store(c.parsed.total(), Ordering::Relaxed);
                job.done.store(0, Ordering::Relaxed);
                *phase = Phase::Storing;
                Some(c)
            }
            other => {
                let refused = matches!(&other, Phase::Checked(c) if c.parsed.ok());
                *phase = other;
                if !refused {
                    // Stored already, still running, or a file with errors: show where it stands.
                    return Ok(Redirect::to(&format!("/import/jobb/{id}")).into_response());
                }
                None
            }
        }
    };
    let Some(checked) = checked else {
        let msg = "Samma fil har redan importerats. Kryssa i rutan om den ska importeras en gång till.";
        return Ok((StatusCode::CONFLICT, render_job(&state, &user, &id, &job, Some(msg))).into_response());
    };
    let (st, u) = (state.clone(), user.clone());
    let address = addr.0.clone();
    tokio::task::spawn_blocking(move || {
        let phase = guarded("store", || match save(&st, &u, address.as_deref(), &checked, &job.done) {
            Ok(import) => Phase::Stored { import_id: import.id, tallies: import.tallies as u64 },
            Err(e) => failed(e, " Inget har sparats."),
        });
        job.set(phase);
    });
    Ok(Redirect::to(&format!("/import/jobb/{id}")).into_response())
}

/// `POST /import/{id}/angra`: undoes a whole import (confirmed with a checkbox).
pub async fn undo_page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(addr): Extension<ClientAddr>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    may_import(&user)?;
    let id: i64 = id.parse().map_err(|_| AppError::NotFound("Importen finns inte.".into()))?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    if super::field(&pairs, "bekrafta") != "ja" {
        let imports = state.store.read(|c| store::import::list(c, 50)).await?;
        let msg = "Kryssa i rutan ”Jag vill ångra hela importen” för att ångra den.";
        return Ok((StatusCode::BAD_REQUEST, index_page(&state, &user, &imports, Some(msg))).into_response());
    }
    let (import, voided) = undo(&state, &user, addr.0.clone(), id).await?;
    let config = state.store.config();
    Ok(page(
        Chrome::new(&config.association, &user),
        "Importen är ångrad",
        Section::Import,
        html! {
            h1 { "Importen är ångrad" }
            div.banner.ok role="status" { "Import nr " (import.id) " är ångrad: " (crate::sv::count(voided)) " registreringar är makulerade med orsaken ”Import ångrad”. Rapporterna är som före importen." }
            p { a href="/import" { "Tillbaka till Importera" } }
        },
    )
    .into_response())
}

/// The months a file's tallies fall in, for tests and the API preview.
pub fn months(p: &Parsed) -> Vec<(i64, i64, Period, u64)> {
    p.summary.iter().map(|((i, k, m), n)| (*i, *k, *m, *n)).collect()
}
