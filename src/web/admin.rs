//! For the förbundschef: accounts (add, change role and insatser, deactivate, reset password) and
//! the audit log (read, filter, export as CSV).

use super::auth::{ClientAddr, CurrentUser, forbidden, now_utc};
use super::views::admin as views;
use super::views::layout::Chrome;
use super::{field, raw_field};
use crate::AppState;
use crate::auth as creds;
use crate::domain::account::{Role, check_account_name, check_password};
use crate::error::{AppError, PageError};
use crate::store::{self, audit::Action};
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

type Form = axum::Form<Vec<(String, String)>>;

fn require_admin(user: &CurrentUser) -> Result<(), PageError> {
    if user.account.is_admin() { Ok(()) } else { Err(forbidden("Det här får bara förbundschefen göra.")) }
}

/// The insatser ticked in a form, checked against the configuration.
fn insatser(state: &AppState, pairs: &[(String, String)]) -> Result<Vec<i64>, String> {
    let cfg = state.store.config();
    pairs
        .iter()
        .filter(|(k, _)| k == "insats")
        .map(|(_, v)| cfg.insats(v).map(|i| i.id).ok_or_else(|| format!("Insatsen ”{v}” finns inte.")))
        .collect()
}

async fn list_page(state: &AppState, user: &CurrentUser, error: Option<&str>) -> Result<maud::Markup, PageError> {
    let accounts = state.store.read(store::account::list).await?;
    let cfg = state.store.config();
    Ok(views::users_page(Chrome::new(&cfg.association, user), user, &cfg, &accounts, state.oidc.is_some(), error))
}

/// `GET /anvandare`
pub async fn users(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<maud::Markup, PageError> {
    require_admin(&user)?;
    list_page(&state, &user, None).await
}

/// `POST /anvandare`: a new account with a first password (the person changes it on their Konto page).
pub async fn create_user(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    axum::Form(pairs): Form,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let name = field(&pairs, "name");
    let password = raw_field(&pairs, "password");
    // An account for the municipality's sign-in has no password here; it is linked to the
    // person at their first sign-in by this user name.
    let federated = pairs.iter().any(|(k, v)| k == "federated" && v == "1");
    let problem = check_account_name(&name)
        .err()
        .or_else(|| Role::parse(&field(&pairs, "role")).is_none().then(|| "Välj en roll.".to_string()))
        .or_else(|| {
            (federated && state.oidc.is_none())
                .then(|| "Inloggning med kommunens konto är inte påslagen här.".to_string())
        })
        .or_else(|| if federated { None } else { check_password(&password, &name).err() })
        .or_else(|| insatser(&state, &pairs).err());
    if let Some(e) = problem {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, list_page(&state, &user, Some(&e)).await?).into_response());
    }
    let role = Role::parse(&field(&pairs, "role")).expect("checked");
    let ids = insatser(&state, &pairs).expect("checked");
    let hash = if federated {
        store::account::NO_PASSWORD.to_string()
    } else {
        super::auth::hashing(move || creds::hash_password(&password)).await?
    };
    let (me, my_name) = user.who();
    let result = state
        .store
        .write(move |tx| {
            let id = store::account::create(tx, &name, role, &hash, &ids, &now_utc())?;
            if federated {
                store::account::set_federated(tx, id, true)?;
            }
            let how = if federated { ", kommunens konto" } else { "" };
            store::audit::append(
                tx,
                &now_utc(),
                Some((me, &my_name)),
                Action::AccountCreated,
                &format!("{name} ({}), insatser {ids:?}{how}", role.as_str()),
                addr.as_deref(),
            )?;
            Ok(id)
        })
        .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/anvandare/{id}")).into_response()),
        Err(store::StoreError::Conflict(m)) => {
            Ok((StatusCode::CONFLICT, list_page(&state, &user, Some(&m)).await?).into_response())
        }
        Err(e) => Err(AppError::from(e).into()),
    }
}

fn parse_id(s: &str) -> Result<i64, PageError> {
    s.parse().map_err(|_| AppError::NotFound("Kontot finns inte.".into()).into())
}

async fn edit_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    message: Option<&str>,
    error: Option<&str>,
) -> Result<maud::Markup, PageError> {
    let target = state
        .store
        .read(move |c| store::account::by_id(c, id))
        .await?
        .ok_or_else(|| AppError::NotFound("Kontot finns inte.".into()))?;
    let cfg = state.store.config();
    Ok(views::user_page(
        Chrome::new(&cfg.association, user),
        user,
        &cfg,
        &target.account,
        state.oidc.is_some(),
        message,
        error,
    ))
}

/// `GET /anvandare/{id}`
pub async fn user(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Result<maud::Markup, PageError> {
    require_admin(&user)?;
    edit_page(&state, &user, parse_id(&id)?, None, None).await
}

/// `POST /anvandare/{id}`: role, insatser, active. A changed role or a deactivation ends the
/// account's sessions.
pub async fn update_user(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path(id): Path<String>,
    axum::Form(pairs): Form,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let id = parse_id(&id)?;
    let Some(role) = Role::parse(&field(&pairs, "role")) else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            edit_page(&state, &user, id, None, Some("Välj en roll.")).await?,
        )
            .into_response());
    };
    let ids = match insatser(&state, &pairs) {
        Ok(ids) => ids,
        Err(e) => {
            return Ok(
                (StatusCode::UNPROCESSABLE_ENTITY, edit_page(&state, &user, id, None, Some(&e)).await?).into_response()
            );
        }
    };
    let active = pairs.iter().any(|(k, _)| k == "active");
    let to_federated = pairs.iter().any(|(k, v)| k == "federated" && v == "1") && state.oidc.is_some();
    if id == user.account.id && (!active || role != Role::Forbundschef) {
        let e = "Du kan inte ta bort din egen roll som förbundschef eller stänga ditt eget konto.";
        return Ok(
            (StatusCode::UNPROCESSABLE_ENTITY, edit_page(&state, &user, id, None, Some(e)).await?).into_response()
        );
    }
    let (me, my_name) = user.who();
    state
        .store
        .write(move |tx| {
            let before = store::account::by_id(tx, id)?.ok_or(store::StoreError::NotFound)?.account;
            store::account::set_role(tx, id, role)?;
            store::account::set_insatser(tx, id, &ids)?;
            store::account::set_active(tx, id, active)?;
            let ended = if before.role != role || !active || before.insats_ids != ids {
                store::account::delete_sessions_of(tx, id)?
            } else {
                0
            };
            // Moved to the municipality's sign-in: no password, no TOTP, sessions and tokens end.
            let converted = to_federated && !before.federated;
            if converted {
                store::account::set_federated(tx, id, true)?;
                store::account::delete_sessions_of(tx, id)?;
            }
            // A deactivated account's API tokens are revoked, so reactivating it does not revive them.
            let revoked =
                if active && !converted { 0 } else { store::account::revoke_tokens_of(tx, id, &now_utc())? };
            let detail = format!(
                "{}: roll {} → {}, insatser {:?} → {ids:?}, aktiv {} → {active}, {ended} inloggningar avslutade, {revoked} API-nycklar återkallade{}",
                before.name,
                before.role.as_str(),
                role.as_str(),
                before.insats_ids,
                before.active,
                if converted { ", loggar nu in med kommunens konto" } else { "" }
            );
            store::audit::append(tx, &now_utc(), Some((me, &my_name)), Action::AccountChanged, &detail, addr.as_deref())
        })
        .await?;
    Ok(edit_page(&state, &user, id, Some("Ändringarna är sparade."), None).await?.into_response())
}

/// `POST /anvandare/{id}/losenord`: a new password set by the förbundschef (e.g. after a suspected
/// compromise); ends the account's sessions, revokes its API tokens and removes its second factor
/// (the person sets it up again).
pub async fn reset_password(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path(id): Path<String>,
    axum::Form(pairs): Form,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let id = parse_id(&id)?;
    let target = state
        .store
        .read(move |c| store::account::by_id(c, id))
        .await?
        .ok_or_else(|| AppError::NotFound("Kontot finns inte.".into()))?;
    let password = raw_field(&pairs, "password");
    if let Err(e) = check_password(&password, &target.account.name) {
        return Ok(
            (StatusCode::UNPROCESSABLE_ENTITY, edit_page(&state, &user, id, None, Some(&e)).await?).into_response()
        );
    }
    let hash = super::auth::hashing(move || creds::hash_password(&password)).await?;
    let (me, my_name) = user.who();
    let target_name = target.account.name.clone();
    state
        .store
        .write(move |tx| {
            // A federated account with a password is a local account again.
            store::account::set_federated(tx, id, false)?;
            store::account::set_password(tx, id, &hash)?;
            store::account::set_totp(tx, id, None)?;
            store::account::delete_sessions_of(tx, id)?;
            let revoked = store::account::revoke_tokens_of(tx, id, &now_utc())?;
            store::audit::append(
                tx,
                &now_utc(),
                Some((me, &my_name)),
                Action::PasswordChanged,
                &format!(
                    "återställt för {target_name}, {revoked} API-nycklar återkallade, tvåstegsverifiering borttagen"
                ),
                addr.as_deref(),
            )
        })
        .await?;
    Ok(edit_page(
        &state,
        &user,
        id,
        Some("Lösenordet är återställt. Personen loggar in med det nya och byter det sedan."),
        None,
    )
    .await?
    .into_response())
}

fn filter(q: &[(String, String)], limit: usize) -> Result<store::audit::Filter, String> {
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).filter(|v| !v.is_empty());
    let date = |k: &str| -> Result<Option<String>, String> {
        match get(k) {
            None => Ok(None),
            Some(d) if chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").is_ok() => Ok(Some(d)),
            Some(d) => Err(format!("”{d}” är inget datum (ÅÅÅÅ-MM-DD).")),
        }
    };
    let action = match get("action") {
        None => None,
        Some(a) => Some(Action::parse(&a).ok_or_else(|| format!("”{a}” är ingen händelse i loggen."))?),
    };
    Ok(store::audit::Filter { action, account: get("account"), from: date("from")?, to: date("to")?, limit })
}

/// `GET /logg?action=&account=&from=&to=`
pub async fn audit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let cfg = state.store.config();
    let chrome = Chrome::new(&cfg.association, &user);
    match filter(&q, 500) {
        Err(e) => Ok((StatusCode::UNPROCESSABLE_ENTITY, views::audit_page(chrome, &q, &[], Some(&e))).into_response()),
        Ok(f) => {
            let entries = state.store.read(move |c| store::audit::list(c, &f)).await?;
            Ok(views::audit_page(chrome, &q, &entries, None).into_response())
        }
    }
}

/// `GET /logg.csv?…`: the filtered log for Swedish Excel (all matching entries).
pub async fn audit_csv(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let f = filter(&q, usize::MAX >> 1).map_err(AppError::BadRequest)?;
    let entries = state.store.read(move |c| store::audit::list(c, &f)).await?;
    let mut out = "\u{feff}".as_bytes().to_vec();
    let mut w = csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(&mut out);
    w.write_record(["Nr", "Tid (UTC)", "Konto", "Händelse", "Uppgifter", "Adress"])
        .map_err(|e| AppError::Internal(e.into()))?;
    let safe = crate::report::csv::spreadsheet_safe;
    for e in &entries {
        let action = Action::parse(&e.action).map(|a| a.label()).unwrap_or(&e.action);
        w.write_record([
            e.id.to_string(),
            e.at.clone(),
            safe(e.account.as_deref().unwrap_or("")),
            action.to_string(),
            safe(&e.detail),
            e.address.clone().unwrap_or_default(),
        ])
        .map_err(|e| AppError::Internal(e.into()))?;
    }
    drop(w);
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
            (header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"pinne-logg.csv\"")),
        ],
        out,
    )
        .into_response())
}
