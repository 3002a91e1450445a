//! Figures from earlier annual reports and the enrolled at the start (`domain::earlier`): the
//! pages under `/tidigare` and the API under `/api/v1/earlier`. The huvudman and the förbundschef
//! enter them; every change is checked as a whole, stored in one transaction and audited.

use super::auth::{ClientAddr, CurrentUser, forbidden, now_utc};
use super::openapi::ErrorBody;
use super::views::earlier as views;
use super::views::layout::Chrome;
use crate::AppState;
use crate::domain::earlier::{self, Figure, FigureKeys, Measure, Problem};
use crate::domain::{Config, FieldError, Insats};
use crate::error::{ApiError, AppError, PageError};
use crate::store::{self, audit::Action};
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

const WHO: &str = "Siffror från tidigare årsrapporter läggs in av huvudmannen eller förbundschefen.";

fn may_enter(user: &CurrentUser) -> Result<(), AppError> {
    use crate::domain::account::Role;
    match user.account.role {
        Role::Huvudman | Role::Forbundschef => Ok(()),
        _ => Err(AppError::Forbidden(WHO.into())),
    }
}

fn insats<'a>(config: &'a Config, key: &str) -> Result<&'a Insats, AppError> {
    config
        .insats(key)
        .filter(|i| !i.retired && !i.kind_ids.is_empty())
        .ok_or_else(|| AppError::NotFound(format!("Insatsen ”{key}” finns inte.")))
}

/// One input of a form: a figure's cell (count and share empty).
#[derive(Debug, Clone)]
pub struct Cell {
    pub figure: Figure,
    pub field: String,
    /// Only a share in per cent (survey questions).
    pub percent: bool,
}

/// A row of a form table: a heading row (no cells) or a figure per column.
#[derive(Debug, Clone)]
pub struct FormRow {
    pub label: String,
    pub heading: bool,
    pub cells: Vec<Cell>,
}

/// A table of the form.
#[derive(Debug, Clone)]
pub struct FormTable {
    pub title: String,
    pub hint: String,
    pub columns: Vec<String>,
    pub rows: Vec<FormRow>,
}

fn blank(measure: Measure) -> Figure {
    Figure {
        measure,
        kind_id: 0,
        dimension_id: 0,
        value_id: 0,
        scope_value_id: 0,
        gender_value_id: 0,
        count: None,
        share: None,
    }
}

/// The tables of the form: for the year's report figures (participants, exits, survey shares) or
/// for the enrolled at the start (`opening`).
pub fn form_tables(config: &Config, insats: &Insats, opening: bool) -> Vec<FormTable> {
    let genders: Vec<(String, i64)> = config
        .gender()
        .map(|d| d.active_values().map(|v| (v.column_label().to_string(), v.id)).collect())
        .unwrap_or_default();
    let cell = |f: Figure, percent: bool| Cell { field: earlier::field(config, &f), figure: f, percent };
    // A row per gender column, and a total column except for the enrolled (their total is the sum).
    let by_gender = |label: String, base: Figure| {
        let mut cells: Vec<Cell> =
            genders.iter().map(|(_, g)| cell(Figure { gender_value_id: *g, ..base }, false)).collect();
        if !opening || genders.is_empty() {
            cells.push(cell(base, false));
        }
        FormRow { label, heading: false, cells }
    };
    let mut columns: Vec<String> = genders.iter().map(|(l, _)| l.clone()).collect();
    if !opening || genders.is_empty() {
        columns.push("Totalt".into());
    }
    let measures: &[(Measure, &str, &str, &str)] = if opening {
        &[(
            Measure::Inskrivna,
            "Inskrivna vid årets början",
            "Alla inskrivna",
            "Antal per kön. Fyll i så många kategorier ni kan; det som saknas visas som ”Uppgift saknas”.",
        )]
    } else {
        &[
            (
                Measure::Deltagare,
                "Deltagare under året",
                "Alla deltagare",
                "Antal (114) eller andel av deltagarna i samma kolumn (78 %), som i årsrapporten. Lämna tomt det som inte finns.",
            ),
            (Measure::Avslut, "Avslut under året", "Alla avslut", "Antal eller andel av alla avslut i samma kolumn."),
        ]
    };
    let mut out = Vec::new();
    for (m, title, all, hint) in measures {
        let mut rows = vec![by_gender(all.to_string(), blank(*m))];
        for d in earlier::dimensions(config, insats, *m) {
            rows.push(FormRow { label: d.label.clone(), heading: true, cells: Vec::new() });
            for v in d.active_values() {
                rows.push(by_gender(v.label.clone(), Figure { dimension_id: d.id, value_id: v.id, ..blank(*m) }));
            }
        }
        out.push(FormTable { title: title.to_string(), hint: hint.to_string(), columns: columns.clone(), rows });
    }
    if !opening {
        for (kind, questions) in earlier::surveys(config, insats) {
            let scopes: Vec<(String, i64)> = match kind.scope_dimension_id.and_then(|id| config.dimension_by_id(id)) {
                Some(d) => d.active_values().map(|v| (v.label.clone(), v.id)).collect(),
                None => vec![(String::new(), 0)],
            };
            for (scope_label, scope) in scopes {
                let rows = questions
                    .iter()
                    .map(|q| FormRow {
                        label: q.label.clone(),
                        heading: false,
                        cells: vec![cell(
                            Figure {
                                kind_id: kind.id,
                                dimension_id: q.id,
                                scope_value_id: scope,
                                ..blank(Measure::Positiva)
                            },
                            true,
                        )],
                    })
                    .collect();
                let title = if scope_label.is_empty() {
                    kind.label.clone()
                } else {
                    format!("{} – {scope_label}", kind.label)
                };
                out.push(FormTable {
                    title,
                    hint: "Andel positiva svar i procent, som i årsrapporten.".into(),
                    columns: vec!["Andel positiva (%)".into()],
                    rows,
                });
            }
        }
    }
    out
}

/// The figures a form gives, or its problems (by field).
pub fn read_form(
    config: &Config,
    tables: &[FormTable],
    pairs: &[(String, String)],
) -> Result<Vec<Figure>, Vec<FieldError>> {
    let mut figures = Vec::new();
    let mut errors = Vec::new();
    for c in tables.iter().flat_map(|t| &t.rows).flat_map(|r| &r.cells) {
        match earlier::parse_cell(&super::field(pairs, &c.field), c.percent) {
            Ok(Some((count, share))) => figures.push(Figure { count, share, ..c.figure }),
            Ok(None) => {}
            Err(m) => errors.push(FieldError::new(&c.field, format!("{}: {m}", earlier::describe(config, &c.figure)))),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    earlier::check(config, figures).map_err(|ps| ps.into_iter().map(|p| FieldError::new(p.field, p.message)).collect())
}

/// A figure as the form shows it: "114", "78 %", "12,5 %".
pub fn show(f: &Figure, percent: bool) -> String {
    match (f.count, f.share) {
        (Some(n), _) => n.to_string(),
        (None, Some(s)) => {
            let p = (s * 1000.0).round() / 10.0;
            let text = if p.fract() == 0.0 { format!("{p:.0}") } else { format!("{p:.1}").replace('.', ",") };
            if percent { text } else { format!("{text} %") }
        }
        _ => String::new(),
    }
}

/// The closed report that shows these figures, in words, if one does: a closed report never
/// changes. Report figures of a year show in the reports of that year and the four after it; the
/// enrolled at the start in every report from the year before them on.
fn closed_report(
    conn: &rusqlite::Connection,
    insats: &Insats,
    year: i32,
    opening: bool,
) -> store::Result<Option<String>> {
    let closed = store::closure::closed_from(conn, insats.id, if opening { year - 1 } else { year })?;
    Ok(closed.filter(|c| opening || *c <= year + 4).map(|c| {
        format!(
            "Årsrapporten {c} för {} är stängd och visar de här siffrorna. Öppna året igen först (Årsrapport → Öppna året).",
            insats.label
        )
    }))
}

/// Why a year cannot take these figures, if it cannot: report figures only for a year before the
/// first tallied one (and before the enrolled-at-start year); the enrolled at the start only for a
/// year with no tallies before it and no report figures from it on.
fn year_problem(
    conn: &rusqlite::Connection,
    insats: &Insats,
    year: i32,
    opening: bool,
    now_year: i32,
) -> store::Result<Option<String>> {
    if !(2000..=now_year).contains(&year) {
        return Ok(Some(format!("Välj ett år från 2000 till och med {now_year}.")));
    }
    if let Some(p) = closed_report(conn, insats, year, opening)? {
        return Ok(Some(p));
    }
    let tallied = store::earlier::tallied_years(conn, insats.id)?;
    let figures = store::earlier::of_insats(conn, insats.id)?;
    if opening {
        if let Some((first, _)) = tallied.filter(|(first, _)| *first < year) {
            return Ok(Some(format!(
                "{} har registreringar redan {first}: inskrivna vid årets början behövs bara för det första året med registreringar, och det är {first} eller tidigare.",
                insats.label
            )));
        }
        if let Some((y, _)) = figures.iter().find(|(y, f)| *y >= year && f.measure != Measure::Inskrivna) {
            return Ok(Some(format!(
                "Det finns siffror från årsrapporten för {y}: inskrivna vid årets början gäller ett år efter de åren."
            )));
        }
    } else {
        if let Some((first, _)) = tallied.filter(|(first, _)| *first <= year) {
            return Ok(Some(format!(
                "{} har registreringar från {first}: siffror från tidigare årsrapporter läggs in för åren före det.",
                insats.label
            )));
        }
        if let Some((y, _)) = figures.iter().find(|(y, f)| f.measure == Measure::Inskrivna && *y <= year) {
            return Ok(Some(format!(
                "Inskrivna vid årets början är angivna för {y}: siffror från tidigare årsrapporter gäller åren före {y}."
            )));
        }
    }
    Ok(None)
}

/// Stores (or, with no figures, removes) a year's figures or the enrolled at the start, with an
/// audit entry; `Err` with a message when the year cannot take them.
async fn store(
    state: &AppState,
    user: &CurrentUser,
    addr: Option<String>,
    insats: &Insats,
    year: i32,
    opening: bool,
    figures: Vec<Figure>,
) -> Result<Result<usize, String>, AppError> {
    let (me, name) = user.who();
    let now_year = state.clock.now().year;
    let i = insats.clone();
    let what = if opening { "inskrivna vid årets början" } else { "siffror från tidigare årsrapport" };
    let detail = format!("{} {year}: {} {what}", insats.key, figures.len());
    Ok(state
        .store
        .write(move |tx| {
            if let Some(p) = year_problem(tx, &i, year, opening, now_year)? {
                return Ok(Err(p));
            }
            let n = store::earlier::replace(tx, i.id, year, opening, &figures)?;
            store::audit::append(
                tx,
                &now_utc(),
                Some((me, &name)),
                Action::EarlierFiguresChanged,
                &detail,
                addr.as_deref(),
            )?;
            Ok(Ok(n))
        })
        .await?)
}

/// What the index shows per insats: the years with report figures and the enrolled-at-start year.
pub struct Overview {
    pub insats: Insats,
    pub years: Vec<(i32, usize)>,
    pub opening: Option<(i32, i64)>,
    pub first_tallied: Option<i32>,
}

/// `GET /tidigare`
pub async fn index(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<maud::Markup, PageError> {
    may_enter(&user)?;
    let cfg = state.store.config();
    let insatser: Vec<Insats> = cfg.active_insatser().filter(|i| !i.kind_ids.is_empty()).cloned().collect();
    let list = insatser.clone();
    let overview = state
        .store
        .read(move |c| {
            list.into_iter()
                .map(|i| {
                    let figures = store::earlier::of_insats(c, i.id)?;
                    let mut years: Vec<(i32, usize)> = Vec::new();
                    for (y, _) in figures.iter().filter(|(_, f)| f.measure != Measure::Inskrivna) {
                        match years.last_mut() {
                            Some((ly, n)) if ly == y => *n += 1,
                            _ => years.push((*y, 1)),
                        }
                    }
                    let opening = figures
                        .iter()
                        .filter(|(_, f)| f.measure == Measure::Inskrivna && f.dimension_id == 0)
                        .fold(None, |acc: Option<(i32, i64)>, (y, f)| {
                            Some((*y, acc.map(|a| a.1).unwrap_or(0) + f.count.unwrap_or(0)))
                        });
                    let first_tallied = store::earlier::tallied_years(c, i.id)?.map(|t| t.0);
                    Ok(Overview { insats: i, years, opening, first_tallied })
                })
                .collect::<store::Result<Vec<_>>>()
        })
        .await?;
    Ok(views::index(Chrome::new(&cfg.association, &user), &user, &overview, state.clock.now().year))
}

/// `GET /tidigare/{insats}/{year}` and `/tidigare/{insats}/start?ar=`
pub async fn form(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((key, year)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    may_enter(&user)?;
    let cfg = state.store.config();
    let i = insats(&cfg, &key)?.clone();
    // The index's year field: to the year's own address.
    if year == "ar" {
        let y = super::field(&q, "ar");
        let y = super::api::parse_year(&y)
            .map_err(|_| AppError::NotFound(format!("”{y}” är inget år. Skriv till exempel 2023.")))?;
        return Ok(Redirect::to(&format!("/tidigare/{}/{y}", i.key)).into_response());
    }
    let opening = year == "start";
    let id = i.id;
    let stored = state.store.read(move |c| store::earlier::of_insats(c, id)).await?;
    let (year, figures): (i32, Vec<Figure>) = if opening {
        let y = stored.iter().find(|(_, f)| f.measure == Measure::Inskrivna).map(|(y, _)| *y);
        let asked = super::field(&q, "ar").parse().ok();
        let y = asked.or(y).unwrap_or(state.clock.now().year);
        (y, stored.iter().filter(|(_, f)| f.measure == Measure::Inskrivna).map(|(_, f)| *f).collect())
    } else {
        let y = super::api::parse_year(&year).map_err(|e| AppError::NotFound(e.message().0))?;
        (y, stored.iter().filter(|(sy, f)| *sy == y && f.measure != Measure::Inskrivna).map(|(_, f)| *f).collect())
    };
    let tables = form_tables(&cfg, &i, opening);
    let values: Vec<(String, String)> = tables
        .iter()
        .flat_map(|t| &t.rows)
        .flat_map(|r| &r.cells)
        .filter_map(|c| {
            figures.iter().find(|f| f.identity() == c.figure.identity()).map(|f| (c.field.clone(), show(f, c.percent)))
        })
        .collect();
    let saved = super::field(&q, "sparat") == "1";
    Ok(views::form(Chrome::new(&cfg.association, &user), &user, &i, year, opening, &tables, &values, &[], saved)
        .into_response())
}

/// `POST /tidigare/{insats}/{year}` (or `start`, with `ar`): the whole form; `ta_bort=1` removes.
pub async fn submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path((key, year)): Path<(String, String)>,
    form: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    may_enter(&user)?;
    let axum::Form(pairs) =
        form.map_err(|_| AppError::BadRequest("Formuläret kunde inte läsas. Ladda om sidan och försök igen.".into()))?;
    let cfg = state.store.config();
    let i = insats(&cfg, &key)?.clone();
    let opening = year == "start";
    let tables = form_tables(&cfg, &i, opening);
    let chrome = || Chrome::new(&cfg.association, &user);
    let year_text = if opening { super::field(&pairs, "ar") } else { year.clone() };
    let Some(y) = year_text.parse::<i32>().ok().filter(|y| (2000..=2999).contains(y)) else {
        if !opening {
            return Err(AppError::NotFound(format!("”{year}” är inget år.")).into());
        }
        let errors = [FieldError::new("ar", "Ange året som ett årtal, till exempel 2024.")];
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            views::form(chrome(), &user, &i, 0, opening, &tables, &pairs, &errors, false),
        )
            .into_response());
    };
    let remove = super::field(&pairs, "ta_bort") == "1";
    let figures = if remove { Ok(Vec::new()) } else { read_form(&cfg, &tables, &pairs) };
    let errors = match figures {
        Ok(f) if f.is_empty() && !remove => {
            vec![FieldError::new("", "Fyll i minst en siffra, eller ta bort årets siffror.")]
        }
        Ok(f) => match store(&state, &user, addr, &i, y, opening, f).await? {
            Ok(_) => {
                let back = if opening {
                    format!("/tidigare/{}/start?sparat=1", i.key)
                } else {
                    format!("/tidigare/{}/{y}?sparat=1", i.key)
                };
                return Ok(Redirect::to(if remove { "/tidigare" } else { &back }).into_response());
            }
            Err(p) => vec![FieldError::new(if opening { "ar" } else { "" }, p)],
        },
        Err(e) => e,
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        views::form(chrome(), &user, &i, y, opening, &tables, &pairs, &errors, false),
    )
        .into_response())
}

// ---- API ----

/// A year's figures from an earlier annual report, or the enrolled at the start.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Figures {
    /// The year (for the enrolled at the start: the first tallied year they open).
    pub year: i32,
    pub figures: Vec<FigureKeys>,
}

fn api_year(year: &str) -> Result<i32, AppError> {
    super::api::parse_year(year).map_err(|e| AppError::NotFound(e.message().0))
}

async fn read_figures(
    state: &AppState,
    insats: &Insats,
    year: Option<i32>,
    opening: bool,
) -> Result<Figures, AppError> {
    let id = insats.id;
    let stored = state.store.read(move |c| store::earlier::of_insats(c, id)).await?;
    let cfg = state.store.config();
    let picked: Vec<(i32, Figure)> = stored
        .into_iter()
        .filter(|(y, f)| (f.measure == Measure::Inskrivna) == opening && year.is_none_or(|want| *y == want))
        .collect();
    Ok(Figures {
        year: year.or_else(|| picked.first().map(|(y, _)| *y)).unwrap_or(0),
        figures: picked.iter().map(|(_, f)| earlier::keys(&cfg, f)).collect(),
    })
}

fn invalid(problems: Vec<Problem>) -> AppError {
    AppError::Invalid(problems.into_iter().map(|p| FieldError::new(p.field, p.message)).collect())
}

/// A JSON body read into `T`: 415 without a JSON content type, 422 with a Swedish message when it
/// does not fit (an unknown field, a wrong type).
fn json_body<T: serde::de::DeserializeOwned>(
    headers: &axum::http::HeaderMap,
    body: Result<axum::body::Bytes, BytesRejection>,
) -> Result<T, AppError> {
    let body = super::api::body_bytes(body)?;
    let is_json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")));
    if !is_json {
        return Err(AppError::UnsupportedMediaType);
    }
    serde_json::from_slice(&body).map_err(|e| {
        let text = e.to_string();
        let message = match text.split('`').nth(1) {
            Some(name) if text.starts_with("unknown field") => format!("Okänt fält ”{name}”."),
            Some(name) if text.starts_with("missing field") => format!("Fältet ”{name}” saknas."),
            Some(name) if text.starts_with("unknown variant") => {
                format!("”{name}” är inget mått: välj deltagare, avslut, positiva eller inskrivna.")
            }
            _ => format!(
                "Innehållet kunde inte läsas (rad {}, tecken {}): jämför med API-beskrivningen.",
                e.line(),
                e.column()
            ),
        };
        AppError::Invalid(vec![FieldError::new("", message)])
    })
}

async fn put(
    state: &AppState,
    user: &CurrentUser,
    addr: Option<String>,
    insats: &Insats,
    year: i32,
    opening: bool,
    body: Figures,
) -> Result<Response, AppError> {
    let cfg = state.store.config();
    if body.year != year && !opening {
        return Err(invalid(vec![Problem {
            field: "year".into(),
            message: format!("Året i innehållet ({}) är inte årets adress ({year}).", body.year),
        }]));
    }
    let mut problems = Vec::new();
    let mut figures = Vec::new();
    for (n, k) in body.figures.iter().enumerate() {
        match earlier::resolve(&cfg, insats, k, &format!("figures[{n}]")) {
            Ok(f) if (f.measure == Measure::Inskrivna) == opening => figures.push(f),
            Ok(_) if opening => problems.push(Problem {
                field: format!("figures[{n}]"),
                message: "Här anges bara inskrivna vid årets början (measure inskrivna).".into(),
            }),
            Ok(_) => problems.push(Problem {
                field: format!("figures[{n}]"),
                message: "Inskrivna vid årets början anges under /earlier/{insats}/opening.".into(),
            }),
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let figures = earlier::check(&cfg, figures).map_err(invalid)?;
    let y = body.year;
    match store(state, user, addr, insats, y, opening, figures).await? {
        Ok(_) => Ok(Json(read_figures(state, insats, Some(y), opening).await?).into_response()),
        Err(p) => Err(invalid(vec![Problem { field: "year".into(), message: p }])),
    }
}

#[utoipa::path(
    get,
    path = "/earlier/{insats}/{year}",
    tag = "earlier",
    params(("insats" = String, Path, description = "The insats key"), ("year" = i32, Path, description = "A year before the first tallied one")),
    responses(
        (status = 200, description = "The year's figures from an earlier annual report", body = Figures),
        (status = 401, description = "Not signed in. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "Not the huvudman or the förbundschef", body = ErrorBody),
        (status = 404, description = "No such insats or year", body = ErrorBody)
    )
)]
pub async fn api_get(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((key, year)): Path<(String, String)>,
) -> Result<Json<Figures>, ApiError> {
    may_enter(&user)?;
    let cfg = state.store.config();
    let i = insats(&cfg, &key)?;
    let year = api_year(&year)?;
    Ok(Json(read_figures(&state, i, Some(year), false).await?))
}

#[utoipa::path(
    put,
    path = "/earlier/{insats}/{year}",
    tag = "earlier",
    params(("insats" = String, Path, description = "The insats key"), ("year" = i32, Path, description = "A year before the first tallied one")),
    request_body = Figures,
    responses(
        (status = 200, description = "Stored: the year's figures replace what it had", body = Figures),
        (status = 401, description = "Not signed in. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "Not the huvudman or the förbundschef", body = ErrorBody),
        (status = 404, description = "No such insats", body = ErrorBody),
        (status = 415, description = "Not `Content-Type: application/json`", body = ErrorBody),
        (status = 422, description = "Every problem (`errors`, each with its field); nothing stored", body = ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn api_put(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path((key, year)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    body: Result<axum::body::Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    may_enter(&user)?;
    let cfg = state.store.config();
    let i = insats(&cfg, &key)?.clone();
    let year = api_year(&year)?;
    let body: Figures = json_body(&headers, body)?;
    Ok(put(&state, &user, addr, &i, year, false, body).await?)
}

#[utoipa::path(
    delete,
    path = "/earlier/{insats}/{year}",
    tag = "earlier",
    params(("insats" = String, Path, description = "The insats key"), ("year" = i32, Path, description = "The year")),
    responses(
        (status = 204, description = "The year's figures are removed"),
        (status = 409, description = "A closed report shows them: reopen its year first", body = ErrorBody),
        (status = 401, description = "Not signed in. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "Not the huvudman or the förbundschef", body = ErrorBody),
        (status = 404, description = "No such insats", body = ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn api_delete(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path((key, year)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    may_enter(&user)?;
    let cfg = state.store.config();
    let i = insats(&cfg, &key)?.clone();
    let year = api_year(&year)?;
    let (me, name) = user.who();
    let detail = format!("{} {year}: siffror från tidigare årsrapport borttagna", i.key);
    state
        .store
        .write(move |tx| {
            if let Some(p) = closed_report(tx, &i, year, false)? {
                return Err(store::StoreError::Conflict(p));
            }
            store::earlier::replace(tx, i.id, year, false, &[])?;
            store::audit::append(
                tx,
                &now_utc(),
                Some((me, &name)),
                Action::EarlierFiguresChanged,
                &detail,
                addr.as_deref(),
            )
        })
        .await
        .map_err(AppError::from)?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/earlier/{insats}/opening",
    tag = "earlier",
    params(("insats" = String, Path, description = "The insats key")),
    responses(
        (status = 200, description = "The enrolled at the start of the first tallied year (none: year 0)", body = Figures),
        (status = 401, description = "Not signed in. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "Not the huvudman or the förbundschef", body = ErrorBody),
        (status = 404, description = "No such insats", body = ErrorBody)
    )
)]
pub async fn api_opening_get(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(key): Path<String>,
) -> Result<Json<Figures>, ApiError> {
    may_enter(&user)?;
    let cfg = state.store.config();
    let i = insats(&cfg, &key)?;
    Ok(Json(read_figures(&state, i, None, true).await?))
}

#[utoipa::path(
    put,
    path = "/earlier/{insats}/opening",
    tag = "earlier",
    params(("insats" = String, Path, description = "The insats key")),
    request_body = Figures,
    responses(
        (status = 200, description = "Stored: replaces the enrolled at the start, whatever their year", body = Figures),
        (status = 401, description = "Not signed in. / Inte inloggad.", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "Not the huvudman or the förbundschef", body = ErrorBody),
        (status = 404, description = "No such insats", body = ErrorBody),
        (status = 415, description = "Not `Content-Type: application/json`", body = ErrorBody),
        (status = 422, description = "Every problem (`errors`, each with its field); nothing stored", body = ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn api_opening_put(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path(key): Path<String>,
    headers: axum::http::HeaderMap,
    body: Result<axum::body::Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    may_enter(&user)?;
    let cfg = state.store.config();
    let i = insats(&cfg, &key)?.clone();
    let body: Figures = json_body(&headers, body)?;
    let year = body.year;
    Ok(put(&state, &user, addr, &i, year, true, body).await?)
}

/// Whether a user may see the `/tidigare` pages (for the menu and the import page).
pub fn may_see(user: &CurrentUser) -> bool {
    may_enter(user).is_ok()
}

/// Refused pages say who enters the figures.
pub fn refused() -> PageError {
    forbidden(WHO)
}
