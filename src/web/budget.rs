//! Budget and outcome (utfall) per insats and year, in kronor, entered by the förbundschef; the
//! report divides them by the year's participants.

use super::auth::{ClientAddr, CurrentUser, forbidden, now_utc};
use super::views::components::{error_summary, field_error};
use super::views::layout::{Chrome, Section, csrf, page};
use crate::AppState;
use crate::domain::FieldError;
use crate::domain::goal::parse_amount;
use crate::error::{AppError, PageError};
use crate::store::{self, audit::Action, event::Budget};
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

/// Parses the two amounts; empty means "not entered".
pub fn parse(budget: &str, outcome: &str) -> Result<Budget, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut amount = |s: &str, field: &str, what: &str| -> Option<i64> {
        if s.trim().is_empty() {
            return None;
        }
        match parse_amount(s) {
            Some(n) if n <= 10_000_000_000 => Some(n),
            _ => {
                errors.push(FieldError::new(field, format!("Ange {what} i hela kronor, till exempel 4 173 000.")));
                None
            }
        }
    };
    let b = Budget {
        budget_kr: amount(budget, "budget_kr", "budgeten"),
        outcome_kr: amount(outcome, "outcome_kr", "utfallet"),
    };
    if errors.is_empty() { Ok(b) } else { Err(errors) }
}

/// Stores a budget with an audit entry.
pub async fn save(
    state: &AppState,
    user: &CurrentUser,
    addr: Option<String>,
    insats_id: i64,
    insats_key: String,
    year: i32,
    b: Budget,
) -> Result<(), AppError> {
    let (me, name) = user.who();
    let detail = format!(
        "{insats_key} {year}: budget {}, utfall {}",
        b.budget_kr.map_or("–".into(), |n| n.to_string()),
        b.outcome_kr.map_or("–".into(), |n| n.to_string())
    );
    state
        .store
        .write(move |tx| {
            store::event::set_budget(tx, insats_id, year, b)?;
            store::audit::append(tx, &now_utc(), Some((me, &name)), Action::BudgetChanged, &detail, addr.as_deref())
        })
        .await?;
    Ok(())
}

fn form_page(
    chrome: Chrome,
    user: &CurrentUser,
    insats: &crate::domain::Insats,
    year: i32,
    budget: &str,
    outcome: &str,
    errors: &[FieldError],
) -> Markup {
    page(
        chrome,
        &format!("Budget {year} – {}", insats.label),
        Section::Report,
        html! {
            h1 { "Budget och utfall " (year) " – " (insats.label) }
            p.lead { "Årsrapporten räknar kostnaden per deltagare av utfallet, och av budgeten så länge utfallet saknas." }
            (error_summary(errors))
            form method="post" action=(format!("/budget/{}/{year}", insats.key)) {
                (csrf(user))
                div.field {
                    label for="budget_kr" { "Budget (kr)" }
                    input #budget_kr name="budget_kr" inputmode="numeric" value=(budget);
                    (field_error(errors, "budget_kr"))
                }
                div.field {
                    label for="outcome_kr" { "Utfall (kr)" }
                    p.hint { "Lämna tomt tills året är slut." }
                    input #outcome_kr name="outcome_kr" inputmode="numeric" value=(outcome);
                    (field_error(errors, "outcome_kr"))
                }
                button.primary type="submit" { "Spara" }
                " "
                a href=(format!("/rapport/{}/{year}", insats.key)) { "Avbryt" }
            }
        },
    )
}

fn admin(user: &CurrentUser) -> Result<(), PageError> {
    if user.account.is_admin() { Ok(()) } else { Err(forbidden("Budget och utfall anges av förbundschefen.")) }
}

/// `GET /budget/{insats}/{year}`
pub async fn form(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((insats, year)): Path<(String, String)>,
) -> Result<Markup, PageError> {
    admin(&user)?;
    let year = super::api::parse_year(&year).map_err(|e| AppError::NotFound(e.message().0))?;
    super::report::within_reach(&state, year)?;
    let cfg = state.store.config();
    let i = cfg.insats(&insats).ok_or_else(|| AppError::NotFound(format!("Insatsen ”{insats}” finns inte.")))?;
    let id = i.id;
    let b = state.store.read(move |c| store::event::budgets(c, id, year, year)).await?;
    let b = b.first().map(|(_, b)| *b).unwrap_or_default();
    let show = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    Ok(form_page(Chrome::new(&cfg.association, &user), &user, i, year, &show(b.budget_kr), &show(b.outcome_kr), &[]))
}

/// `POST /budget/{insats}/{year}` with `budget_kr`, `outcome_kr`.
pub async fn submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path((insats, year)): Path<(String, String)>,
    form: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    admin(&user)?;
    let year = super::api::parse_year(&year).map_err(|e| AppError::NotFound(e.message().0))?;
    super::report::within_reach(&state, year)?;
    let axum::Form(pairs) =
        form.map_err(|_| AppError::BadRequest("Formuläret kunde inte läsas. Ladda om sidan och försök igen.".into()))?;
    let cfg = state.store.config();
    let i = cfg.insats(&insats).ok_or_else(|| AppError::NotFound(format!("Insatsen ”{insats}” finns inte.")))?;
    let (budget, outcome) = (super::field(&pairs, "budget_kr"), super::field(&pairs, "outcome_kr"));
    match parse(&budget, &outcome) {
        Ok(b) => {
            save(&state, &user, addr, i.id, i.key.clone(), year, b).await?;
            Ok(Redirect::to(&format!("/rapport/{}/{year}#kostnad", i.key)).into_response())
        }
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(Chrome::new(&cfg.association, &user), &user, i, year, &budget, &outcome, &errors),
        )
            .into_response()),
    }
}
