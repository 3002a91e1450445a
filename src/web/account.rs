//! The signed-in account's own page: password, second factor, API tokens.

use super::auth::{ClientAddr, CurrentUser, now_utc};
use super::views::account as views;
use super::views::layout::Chrome;
use super::{field, raw_field};
use crate::AppState;
use crate::auth as creds;
use crate::domain::account::check_password;
use crate::error::{AppError, PageError};
use crate::store::{self, audit::Action};
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

type Form = axum::Form<Vec<(String, String)>>;

/// A federated account has no password to confirm a change of how it signs in with: its
/// sign-in at the provider must be at most this old instead (seconds).
const FRESH_SIGN_IN: i64 = 10 * 60;

async fn page(
    state: &AppState,
    user: &CurrentUser,
    message: Option<&str>,
    error: Option<&str>,
) -> Result<maud::Markup, PageError> {
    let id = user.account.id;
    let tokens = state.store.read(move |c| store::account::tokens_of(c, id)).await?;
    let cfg = state.store.config();
    Ok(views::account_page(Chrome::new(&cfg.association, user), user, &tokens, message, error))
}

/// `GET /konto`
pub async fn show(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<maud::Markup, PageError> {
    page(&state, &user, None, None).await
}

/// `POST /konto/losenord`: needs the current password; ends every session of the account.
pub async fn change_password(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    axum::Form(pairs): Form,
) -> Result<Response, PageError> {
    let (current, new) = (raw_field(&pairs, "current"), raw_field(&pairs, "new"));
    if user.account.federated {
        return Err(AppError::Conflict(
            "Du loggar in med kommunens konto och har inget lösenord i Pinne. Lösenordet byter du hos kommunen.".into(),
        )
        .into());
    }
    if let Err(e) = check_password(&new, &user.account.name) {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, &user, None, Some(&e)).await?).into_response());
    }
    let hash = match super::auth::check_current_password(&state, &user.account, &addr, current).await? {
        Err(message) => {
            return Ok(
                (StatusCode::TOO_MANY_REQUESTS, page(&state, &user, None, Some(&message)).await?).into_response()
            );
        }
        Ok(true) => Some(super::auth::hashing(move || creds::hash_password(&new)).await?),
        Ok(false) => None,
    };
    let Some(hash) = hash else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&state, &user, None, Some("Det nuvarande lösenordet stämmer inte.")).await?,
        )
            .into_response());
    };
    let (id, name) = user.who();
    state
        .store
        .write(move |tx| {
            store::account::set_password(tx, id, &hash)?;
            store::account::delete_sessions_of(tx, id)?;
            store::audit::append(
                tx,
                &now_utc(),
                Some((id, &name)),
                Action::PasswordChanged,
                "eget byte",
                addr.as_deref(),
            )
        })
        .await?;
    Ok(Redirect::to("/login").into_response())
}

/// `GET /konto/tvasteg`: a new secret to add to an authenticator app.
pub async fn totp_form(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
) -> Result<maud::Markup, PageError> {
    let secret = creds::totp::new_secret();
    totp_page(&state, &user, &secret, None)
}

fn totp_page(
    state: &AppState,
    user: &CurrentUser,
    secret: &str,
    error: Option<&str>,
) -> Result<maud::Markup, PageError> {
    let url = creds::totp::url(secret, &user.account.name).unwrap_or_default();
    let cfg = state.store.config();
    let required = state.auth.totp_required(&user.account) && !user.account.has_totp;
    Ok(views::totp_setup_page(Chrome::new(&cfg.association, user), user, secret, &url, error, required))
}

/// `POST /konto/tvasteg`: turns TOTP on once a code from the app matches the secret.
pub async fn totp_enable(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    axum::Form(pairs): Form,
) -> Result<Response, PageError> {
    let (secret, code, password) = (field(&pairs, "secret"), field(&pairs, "code"), raw_field(&pairs, "password"));
    if user.account.has_totp {
        return Err(AppError::Conflict(
            "Tvåstegsverifiering är redan på. Har du bytt telefon: be förbundschefen återställa ditt lösenord, så sätter du upp den igen.".into(),
        )
        .into());
    }
    // At least 128 bits: 26 base32 characters.
    if secret.len() < 26 || totp_rs::Secret::try_from_base32(&secret).is_err() {
        return Err(AppError::BadRequest("Nyckeln är ogiltig. Börja om.".into()).into());
    }
    // Changing how one signs in asks for the password again; a federated account has none, so
    // its sign-in at the provider must be fresh instead.
    let password_ok = if user.account.federated {
        let super::auth::Credential::Session { token_hash, .. } = user.credential.clone() else {
            return Err(
                AppError::Forbidden("Logga in i webbläsaren för att sätta upp tvåstegsverifiering.".into()).into()
            );
        };
        let session = state.store.read(move |c| store::account::session(c, &token_hash)).await?;
        if session.is_none_or(|s| super::auth::now_unix() - s.created_at > FRESH_SIGN_IN) {
            let message = "Logga ut och logga in igen med kommunens konto, och sätt sedan upp tvåstegsverifiering inom tio minuter.";
            let page = totp_page(&state, &user, &secret, Some(message))?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        true
    } else {
        match super::auth::check_current_password(&state, &user.account, &addr, password).await? {
            Err(message) => {
                let page = totp_page(&state, &user, &secret, Some(&message))?;
                return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
            }
            Ok(ok) => ok,
        }
    };
    if !password_ok {
        let page = totp_page(&state, &user, &secret, Some("Lösenordet stämmer inte."))?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let Some(step) = creds::totp::check(&secret, &code) else {
        let message = "Koden stämmer inte. Kontrollera klockan i telefonen och försök igen.";
        return Ok(
            (StatusCode::UNPROCESSABLE_ENTITY, totp_page(&state, &user, &secret, Some(message))?).into_response()
        );
    };
    let (id, name) = user.who();
    state
        .store
        .write(move |tx| {
            // Only if still unset: two setups at once cannot overwrite each other.
            if !store::account::set_totp_if_unset(tx, id, &secret)? {
                return Err(store::StoreError::Conflict("Tvåstegsverifiering är redan på.".into()));
            }
            store::account::use_totp_step(tx, id, step)?;
            store::audit::append(
                tx,
                &now_utc(),
                Some((id, &name)),
                Action::SecondFactorChanged,
                "påslagen",
                addr.as_deref(),
            )
        })
        .await?;
    Ok(Redirect::to("/konto").into_response())
}

/// `POST /konto/nycklar`: a new API token, shown once.
pub async fn create_token(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    axum::Form(pairs): Form,
) -> Result<Response, PageError> {
    let name = field(&pairs, "name").trim().to_string();
    if let Err(why) = crate::domain::account::check_token_label(&name) {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page(&state, &user, None, Some(&why)).await?).into_response());
    }
    let read_only = pairs.iter().any(|(k, _)| k == "read_only");
    let (token, hash) = creds::new_token();
    let (id, account) = user.who();
    let label = name.clone();
    state
        .store
        .write(move |tx| {
            let token_id = store::account::create_token(tx, id, &label, &hash, read_only, &now_utc())?;
            let scope = if read_only { "läsa" } else { "som kontot" };
            store::audit::append(
                tx,
                &now_utc(),
                Some((id, &account)),
                Action::TokenCreated,
                &format!("nyckel {token_id} ”{label}” ({scope})"),
                addr.as_deref(),
            )
        })
        .await?;
    let cfg = state.store.config();
    Ok(views::token_created_page(Chrome::new(&cfg.association, &user), &name, &token).into_response())
}

/// `POST /konto/nycklar/{id}/aterkalla`
pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    Path(token_id): Path<String>,
) -> Result<Response, PageError> {
    let token_id: i64 = token_id.parse().map_err(|_| AppError::NotFound("Nyckeln finns inte.".into()))?;
    let (id, name) = user.who();
    let revoked = state
        .store
        .write(move |tx| {
            let done = store::account::revoke_token(tx, id, token_id, &now_utc())?;
            if done {
                store::audit::append(
                    tx,
                    &now_utc(),
                    Some((id, &name)),
                    Action::TokenRevoked,
                    &format!("nyckel {token_id}"),
                    addr.as_deref(),
                )?;
            }
            Ok(done)
        })
        .await?;
    if !revoked {
        return Err(AppError::NotFound("Nyckeln finns inte eller är redan återkallad.".into()).into());
    }
    Ok(Redirect::to("/konto").into_response())
}
