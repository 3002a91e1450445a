//! Reports over a span of years: `GET /rapport/{insats}/period/{första-sista}`, the form that
//! leads there (`GET /rapport/period`), and the API's `GET /api/v1/reports/{insats}/spans/{span}`.

use super::auth::CurrentUser;
use super::report::{Built, must_protect, publication};
use super::views::layout::Chrome;
use crate::AppState;
use crate::error::{AppError, PageError};
use crate::report::span::Span;
use crate::report::{publish, span, tables};
use crate::store;
use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

/// The span in a URL, or a Swedish 404.
pub fn parse(s: &str) -> Result<Span, AppError> {
    Span::parse(s).ok_or_else(|| {
        AppError::NotFound(format!(
            "”{s}” är ingen period. Skriv första och sista året med bindestreck, till exempel 2024-2027 (högst {} år).",
            span::MAX_YEARS
        ))
    })
}

/// The insats of a span report, if the user may read every year of it (a coach reads only the
/// current year, so never a span).
fn readable(
    state: &AppState,
    user: &CurrentUser,
    insats_key: &str,
    s: Span,
) -> Result<crate::domain::Insats, AppError> {
    super::report::within_reach(state, s.last)?;
    let cfg = state.store.config();
    let insats = cfg
        .insats(insats_key)
        .ok_or_else(|| AppError::NotFound(format!("Insatsen ”{insats_key}” finns inte.")))?
        .clone();
    let now = state.clock.now().year;
    if !(s.first..=s.last).all(|y| user.account.may_read_report(insats.id, y, now)) {
        return Err(AppError::Forbidden(if user.account.role == crate::domain::account::Role::Coach {
            "Som coach ser du innevarande år för dina insatser, inte rapporter över flera år.".into()
        } else {
            "Du får inte läsa rapporter för den här insatsen.".into()
        }));
    }
    Ok(insats)
}

/// The span report with the tables the user may see: protected for readers, coaches, read-only
/// tokens and the publication version (with every year before it, as `report::published`).
pub async fn build(
    state: &AppState,
    user: &CurrentUser,
    insats_key: &str,
    s: Span,
    publication: bool,
) -> Result<Built, AppError> {
    let insats = readable(state, user, insats_key, s)?;
    let cfg = state.store.config();
    let rule = crate::report::rule(&cfg);
    let id = insats.id;
    if !(publication || must_protect(user)) {
        let inputs = state.store.read(move |c| store::span_inputs_until(c, id, s.first, s.last, 12)).await?;
        let report = span::report(&cfg, &insats, s, &inputs);
        let t = span::tables(tables::tables(&report), s);
        return Ok(Built { report, tables: t.clone(), trend: Vec::new(), protected: false, rule });
    }
    // Only the spans goals were set for are published, each protected after the years and after
    // the spans set before it: two spans chosen freely could be subtracted from each other.
    let now = state.clock.now();
    let current = now.year;
    let (years, spans) = state
        .store
        .read(move |c| {
            let declared = store::goal::spans(c, id)?;
            let Some(at) = declared.iter().position(|(f, l)| (*f, *l) == (s.first, s.last)) else {
                return Ok((Vec::new(), Vec::new()));
            };
            let spans: Vec<Span> =
                declared[..=at].iter().map(|(first, last)| Span { first: *first, last: *last }).collect();
            // The years as the running year's publication protects them (from the first with data
            // or four years back), up to the latest year any of these spans reaches.
            let last = spans.iter().map(|x| x.last).max().unwrap_or(s.last).max(current);
            let from = store::first_year(c, id)?.unwrap_or(current).min(current - 4).min(s.first);
            let mut years = Vec::new();
            for y in from..=last {
                years.push((y, store::report_inputs_until(c, id, y, publish::snapshot_month(y, now))?));
            }
            let mut inputs = Vec::new();
            for x in spans {
                let month = publish::snapshot_month(x.last, now);
                inputs.push((x, store::span_inputs_until(c, id, x.first, x.last, month)?));
            }
            Ok((years, inputs))
        })
        .await?;
    if spans.is_empty() {
        return Err(AppError::NotFound(format!(
            "Perioden {} är inte publicerad för {}. Förbundschefen publicerar en period genom att sätta mål för den (målen kan lämnas tomma).",
            s.label(),
            insats.label
        )));
    }
    let cache = state.published.clone();
    let done = tokio::task::spawn_blocking(move || {
        let src = publish::Source { config: &cfg, insats: &insats, years: &years, closed: None };
        cache.publish_span(src, &spans, &rule, &|| false)
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("publishing a span report: {e}")))?
    .ok_or_else(|| AppError::Unavailable("Pinne håller på att stänga av. Försök igen om en stund.".into()))?;
    let rule = crate::report::rule(&state.store.config());
    Ok(Built { report: done.report.clone(), tables: done.tables.clone(), trend: Vec::new(), protected: true, rule })
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpanQuery {
    pub publicering: Option<String>,
}

/// `GET /rapport/{insats}/period/{span}`
pub async fn page(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((insats, span_text)): Path<(String, String)>,
    q: Result<Query<SpanQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let s = parse(&span_text)?;
    let Query(q) =
        q.map_err(|_| AppError::BadRequest("Adressen har okända val. Välj publicering från sidan.".into()))?;
    let publication = publication(q.publicering.as_deref())?;
    let built = build(&state, &user, &insats, s, publication).await?;
    let cfg = state.store.config();
    Ok(super::views::span::page(Chrome::new(&cfg.association, &user), &user, &built, s, publication).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChooseQuery {
    pub insats: Option<String>,
    pub fran: Option<String>,
    pub till: Option<String>,
}

/// `GET /rapport/period?insats=…&fran=…&till=…`: the form on the report page, sent on to the span's
/// address.
pub async fn choose(q: Result<Query<ChooseQuery>, QueryRejection>) -> Result<Redirect, PageError> {
    let Query(q) =
        q.map_err(|_| AppError::BadRequest("Formuläret kunde inte läsas. Välj insats och år igen.".into()))?;
    let insats = q.insats.unwrap_or_default();
    if !crate::domain::goal::is_key(&insats) {
        return Err(AppError::BadRequest("Välj en insats.".into()).into());
    }
    let (fran, till) = (q.fran.unwrap_or_default(), q.till.unwrap_or_default());
    let s = Span::parse(&format!("{}-{}", fran.trim(), till.trim())).ok_or_else(|| {
        AppError::BadRequest(format!(
            "Välj ett första år och ett senare sista år, som mest {} år (till exempel 2024 och 2027).",
            span::MAX_YEARS
        ))
    })?;
    Ok(Redirect::to(&format!("/rapport/{insats}/period/{}", s.key())))
}
