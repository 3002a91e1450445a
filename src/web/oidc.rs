//! "Logga in med kommunens konto": the browser side of OpenID Connect (`crate::oidc` does the
//! protocol).
//!
//! - `GET /login/oidc` makes an attempt (random `state`, `nonce` and PKCE verifier, stored
//!   server-side under the state's hash for at most ten minutes), binds it to this browser with a
//!   random value in a `SameSite=Lax` cookie (the provider's redirect back is a cross-site
//!   navigation, which a `Strict` cookie would not survive), and sends the browser to the provider.
//! - `GET /login/oidc/svar` takes the attempt (each is used once), refuses a state it does not
//!   know, from another browser or too old, exchanges the code, lets `crate::oidc` verify the ID
//!   token, finds or makes the account (groups or linked, see `crate::oidc::AccountMode`) and
//!   starts Pinne's own session exactly as a password login does (a new token, CSRF token,
//!   `__Host-` cookie, the same lifetimes). Everything the account needs is written in one
//!   transaction with the audit entry: a refusal leaves nothing behind but its audit entry (and,
//!   with `accounts = "groups"`, a role change the groups made, which the next sign-in would make
//!   anyway).
//!
//! Every failure shows the login page with a plain Swedish message and is audited; the
//! provider's own error text is never shown (only its error code, reduced to `[a-z_]`, is
//! audited).

use super::auth::{ClientAddr, IDLE_TIMEOUT, cookie, now_unix, now_utc};
use super::views::account as views;
use crate::AppState;
use crate::auth as creds;
use crate::domain::account::check_account_name;
use crate::error::{AppError, PageError};
use crate::oidc::{ATTEMPT_LIFETIME, AccountMode, Failure, Identity, Oidc};
use crate::store::{self, account::OidcAttempt, audit::Action};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::sync::Arc;

const TOO_MANY: &str = "För många misslyckade inloggningar från din dator. Försök igen om en kvart.";

/// At most this many sign-ins under way at once (each is kept ten minutes)…
const MAX_ATTEMPTS: i64 = 10_000;
/// …and at most this many started from one address in ten minutes (a whole office behind one
/// address signs in well within it).
const MAX_ATTEMPTS_PER_ADDRESS: i64 = 200;

fn attempt_cookie_name(dev: bool) -> &'static str {
    if dev { "pinne-oidc" } else { "__Host-pinne-oidc" }
}

fn attempt_cookie(dev: bool, value: &str, max_age: i64) -> String {
    let secure = if dev { "" } else { "; Secure" };
    format!("{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}", attempt_cookie_name(dev))
}

fn provider(state: &AppState) -> Result<Arc<Oidc>, PageError> {
    state
        .oidc
        .clone()
        .ok_or_else(|| PageError(AppError::NotFound("Inloggning med kommunens konto är inte påslagen här.".into())))
}

/// The login page with a message, and the status that goes with it.
fn refused(state: &AppState, status: StatusCode, message: &str) -> Response {
    (status, views::login_page(super::auth::login_options(state), Some(message), "")).into_response()
}

/// Audits a refused sign-in (without an account: none was found or made).
async fn audit_refusal(state: &AppState, addr: &Option<String>, detail: String) -> Result<(), PageError> {
    let addr = addr.clone();
    state
        .store
        .write(move |tx| store::audit::append(tx, &now_utc(), None, Action::LoginFailed, &detail, addr.as_deref()))
        .await?;
    Ok(())
}

/// Records a failed way back for the client's address; false if the address is already over the
/// limit of failed logins (`web::auth`'s throttle, shared with password logins).
async fn address_failure(state: &AppState, addr: &Option<String>) -> Result<bool, PageError> {
    let subject = super::auth::address_subject(state.store.throttle_key(), addr);
    let now = now_unix();
    Ok(state
        .store
        .write(move |tx| {
            let (n, _) = store::account::failures(tx, &subject, now - super::auth::WINDOW)?;
            if n >= super::auth::LOCK_ADDRESS_AFTER {
                return Ok(false);
            }
            store::account::record_failure(tx, &subject, now)?;
            Ok(true)
        })
        .await?)
}

/// `GET /login/oidc`: to the provider.
pub async fn start(
    State(state): State<AppState>,
    axum::Extension(ClientAddr(addr)): axum::Extension<ClientAddr>,
) -> Result<Response, PageError> {
    let oidc = provider(&state)?;
    // Each start stores an attempt for ten minutes: a flood must not fill the database, nor one
    // address use up what everyone shares.
    let since = now_unix() - ATTEMPT_LIFETIME;
    let subject = super::auth::start_subject(state.store.throttle_key(), &addr);
    let (live, mine) = state
        .store
        .write(move |tx| {
            store::account::prune_failures(tx, now_unix() - 24 * 3600)?;
            let live = store::account::count_attempts(tx, since)?;
            let (mine, _) = store::account::failures(tx, &subject, since)?;
            if live < MAX_ATTEMPTS && mine < MAX_ATTEMPTS_PER_ADDRESS {
                store::account::record_failure(tx, &subject, now_unix())?;
            }
            Ok((live, mine))
        })
        .await?;
    if live >= MAX_ATTEMPTS || mine >= MAX_ATTEMPTS_PER_ADDRESS {
        tracing::warn!(live, mine, "too many sign-ins under way at the identity provider");
        return Ok(refused(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            "Många inloggningar har påbörjats just nu. Vänta några minuter och försök igen.",
        ));
    }
    let start = match oidc.start().await {
        Ok(s) => s,
        Err(failure) => {
            audit_refusal(&state, &addr, format!("kommunens konto: {}", failure.audit())).await?;
            return Ok(refused(&state, StatusCode::SERVICE_UNAVAILABLE, failure.message()));
        }
    };
    let (browser, browser_hash) = creds::new_token();
    let attempt =
        OidcAttempt { browser_hash, nonce: start.nonce, pkce_verifier: start.pkce_verifier, created_at: now_unix() };
    let state_hash = creds::hash_token(&start.state);
    state
        .store
        .write(move |tx| {
            store::account::prune_attempts(tx, now_unix() - ATTEMPT_LIFETIME)?;
            store::account::create_attempt(tx, &state_hash, &attempt)
        })
        .await?;
    let mut res = Redirect::to(start.url.as_str()).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&attempt_cookie(state.auth.dev, &browser, ATTEMPT_LIFETIME)).expect("ascii"),
    );
    Ok(res)
}

#[derive(Debug, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /login/oidc/svar`: back from the provider.
pub async fn callback(
    State(state): State<AppState>,
    axum::Extension(ClientAddr(addr)): axum::Extension<ClientAddr>,
    headers: HeaderMap,
    query: Result<Query<Callback>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let oidc = provider(&state)?;
    let dev = state.auth.dev;
    let Ok(Query(query)) = query else {
        if !address_failure(&state, &addr).await? {
            return Ok(refused(&state, StatusCode::TOO_MANY_REQUESTS, TOO_MANY));
        }
        audit_refusal(&state, &addr, "kommunens konto: svaret kunde inte läsas".into()).await?;
        return Ok(refused(
            &state,
            StatusCode::BAD_REQUEST,
            "Svaret från kommunens inloggning kunde inte läsas. Börja om.",
        ));
    };
    // The attempt is used up whatever happens next.
    let attempt = match query.state.as_deref().filter(|s| !s.is_empty() && s.len() <= 512) {
        Some(s) => {
            let hash = creds::hash_token(s);
            state.store.write(move |tx| store::account::take_attempt(tx, &hash)).await?
        }
        None => None,
    };
    let browser = cookie(&headers, attempt_cookie_name(dev)).map(creds::hash_token);
    let problem = match &attempt {
        None => Some((
            "okänd eller redan använd state",
            "Inloggningen kunde inte kopplas till den här webbläsaren. Börja om från början.",
        )),
        Some(a) if browser.as_deref().is_none_or(|b| !super::auth::same_bytes(b, &a.browser_hash)) => Some((
            "state från en annan webbläsare",
            "Inloggningen kunde inte kopplas till den här webbläsaren. Börja om från början.",
        )),
        Some(a) if now_unix() - a.created_at > ATTEMPT_LIFETIME => {
            Some(("inloggningen tog för lång tid", "Inloggningen tog för lång tid. Börja om från början."))
        }
        Some(_) => None,
    };
    let clear = HeaderValue::from_str(&attempt_cookie(dev, "", 0)).expect("ascii");
    let with_clear = |mut res: Response| {
        res.headers_mut().append(header::SET_COOKIE, clear.clone());
        res
    };
    if let Some((detail, message)) = problem {
        // Counted like failed password logins from the address, so the way back cannot be used to
        // fill the audit log: from the address limit on, refused without an entry.
        if !address_failure(&state, &addr).await? {
            return Ok(with_clear(refused(&state, StatusCode::TOO_MANY_REQUESTS, TOO_MANY)));
        }
        audit_refusal(&state, &addr, format!("kommunens konto: {detail}")).await?;
        return Ok(with_clear(refused(&state, StatusCode::BAD_REQUEST, message)));
    }
    let attempt = attempt.expect("checked");
    if let Some(error) = query.error {
        // Only the error code, reduced to what such codes are made of.
        let code: String = error.chars().filter(|c| c.is_ascii_lowercase() || *c == '_').take(40).collect();
        audit_refusal(&state, &addr, format!("kommunens konto: avbruten hos leverantören ({code})")).await?;
        let message = if code == "access_denied" {
            "Inloggningen avbröts hos kommunens inloggning. Du kan börja om."
        } else {
            "Kommunens inloggning kunde inte logga in dig. Börja om, eller kontakta kommunens it-support om det händer igen."
        };
        return Ok(with_clear(refused(&state, StatusCode::UNAUTHORIZED, message)));
    }
    let Some(code) = query.code.filter(|c| !c.is_empty() && c.len() <= 2048) else {
        audit_refusal(&state, &addr, "kommunens konto: svar utan kod".into()).await?;
        return Ok(with_clear(refused(
            &state,
            StatusCode::BAD_REQUEST,
            "Svaret från kommunens inloggning saknade en kod. Börja om.",
        )));
    };
    let identity = match oidc.finish(&code, &attempt.pkce_verifier, &attempt.nonce).await {
        Ok(i) => i,
        Err(failure) => {
            audit_refusal(&state, &addr, format!("kommunens konto: {}", failure.audit())).await?;
            let status = if failure == Failure::ProviderDown {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::UNAUTHORIZED
            };
            return Ok(with_clear(refused(&state, status, failure.message())));
        }
    };
    let old_session = cookie(&headers, state.auth.cookie_name()).map(creds::hash_token);
    match sign_in(&state, &oidc, identity, old_session, &addr).await? {
        Ok((token, next)) => {
            let mut res =
                views::continue_page("Du är inloggad", "Du har loggats in med kommunens konto.", next).into_response();
            let h = res.headers_mut();
            h.insert(header::SET_COOKIE, HeaderValue::from_str(&state.auth.session_cookie(&token)).expect("ascii"));
            Ok(with_clear(res))
        }
        Err(message) => Ok(with_clear(refused(&state, StatusCode::FORBIDDEN, &message))),
    }
}

/// Finds or makes the account and starts the session, in one transaction with its audit entry.
/// `Ok((session token, where to go))`, or the Swedish reason for a refusal (audited).
async fn sign_in(
    state: &AppState,
    oidc: &Oidc,
    identity: Identity,
    old_session: Option<Vec<u8>>,
    addr: &Option<String>,
) -> Result<Result<(String, &'static str), String>, PageError> {
    let settings = oidc.settings.clone();
    let cfg = state.store.config();
    let mapped = match settings.accounts {
        AccountMode::Groups => match settings.role_from_groups(&identity.groups) {
            Some((role, keys)) => {
                let ids: Vec<i64> = keys.iter().filter_map(|k| cfg.insats(k).map(|i| i.id)).collect();
                Some((role, ids))
            }
            None => None,
        },
        AccountMode::Linked => None,
    };
    let mfa = settings.mfa(&identity.amr, identity.acr.as_deref());
    let (token, hash) = creds::new_token();
    let (csrf, _) = creds::new_token();
    let auth = state.auth.clone();
    let addr = addr.clone();
    let now = now_unix();
    Ok(state
        .store
        .write(move |tx| {
            let refuse = |tx: &rusqlite::Connection, account: Option<(i64, &str)>, detail: &str| {
                store::audit::append(
                    tx,
                    &now_utc(),
                    account,
                    Action::LoginFailed,
                    &format!("kommunens konto: {detail}"),
                    addr.as_deref(),
                )
            };
            let stopped = "Ditt konto är avstängt i Pinne. Kontakta förbundschefen.".to_string();
            // 1. The account linked to this subject; else one made in Pinne for the municipality's
            //    sign-in (no password) and not yet linked, by its name. A stopped account is
            //    refused before anything is linked or changed.
            //    The link is written only once nothing below refuses the sign-in.
            let mut found = store::account::by_subject(tx, &identity.issuer, &identity.subject)?;
            let mut link = false;
            if found.is_none() && identity.username_trusted {
                found = store::account::unlinked_by_name(tx, &identity.username)?;
                link = found.is_some();
            }
            if let Some(c) = &found
                && !c.account.active
            {
                refuse(tx, Some((c.account.id, &c.account.name)), "kontot är avstängt i Pinne")?;
                return Ok(Err(stopped));
            }
            // 2. Groups: the role and insatser follow them (and make the account at the first
            //    sign-in). Linked: Pinne's account as the förbundschef made it.
            let account_id = match settings.accounts {
                AccountMode::Groups => {
                    let Some((role, ids)) = mapped else {
                        // Removed from every group: no access, and its sessions and tokens end now.
                        if let Some(c) = &found {
                            store::account::delete_sessions_of(tx, c.account.id)?;
                            store::account::revoke_tokens_of(tx, c.account.id, &now_utc())?;
                        }
                        refuse(tx, found.as_ref().map(|c| (c.account.id, c.account.name.as_str())), "ingen grupp som ger en roll i Pinne")?;
                        return Ok(Err("Ditt konto i kommunen har ingen roll i Pinne. Be förbundschefen eller kommunens it-support att lägga till dig i rätt grupp.".to_string()));
                    };
                    match &found {
                        Some(c) => {
                            let a = &c.account;
                            let mut sorted = ids.clone();
                            sorted.sort_unstable();
                            if a.role != role || a.insats_ids != sorted {
                                // As when the förbundschef changes a role: other sessions end.
                                store::account::set_role(tx, a.id, role)?;
                                store::account::set_insatser(tx, a.id, &ids)?;
                                store::account::delete_sessions_of(tx, a.id)?;
                                store::audit::append(
                                    tx,
                                    &now_utc(),
                                    Some((a.id, &a.name)),
                                    Action::AccountChanged,
                                    &format!("roll {} och insatser {ids:?} från kommunens grupper", role.as_str()),
                                    addr.as_deref(),
                                )?;
                            }
                            a.id
                        }
                        None => {
                            let name = identity.username.clone();
                            if let Err(e) = check_account_name(&name) {
                                refuse(tx, None, "användarnamnet från kommunen går inte att använda")?;
                                return Ok(Err(format!("Användarnamnet från kommunens konto går inte att använda i Pinne: {e}")));
                            }
                            if store::account::by_name(tx, &name)?.is_some() {
                                refuse(tx, None, "användarnamnet finns redan som ett annat konto")?;
                                return Ok(Err(format!(
                                    "Det finns redan ett annat konto med namnet ”{name}” i Pinne. Be förbundschefen att ta bort det eller göra det till ett konto för kommunens inloggning."
                                )));
                            }
                            let id = store::account::create(tx, &name, role, store::account::NO_PASSWORD, &ids, &now_utc())?;
                            store::account::set_federated(tx, id, true)?;
                            store::account::link_subject(tx, id, &identity.issuer, &identity.subject)?;
                            store::audit::append(
                                tx,
                                &now_utc(),
                                Some((id, &name)),
                                Action::AccountCreated,
                                &format!("{name} ({}), insatser {ids:?}, från kommunens grupper", role.as_str()),
                                addr.as_deref(),
                            )?;
                            id
                        }
                    }
                }
                AccountMode::Linked => {
                    let Some(c) = &found else {
                        refuse(tx, None, "inget konto i Pinne för användaren")?;
                        return Ok(Err(format!(
                            "Du har inget konto i Pinne. Be förbundschefen att lägga upp ett konto för kommunens inloggning med användarnamnet ”{}”.",
                            identity.username
                        )));
                    };
                    c.account.id
                }
            };
            let c = store::account::by_id(tx, account_id)?.expect("found or made");
            let account = c.account;
            // 3. The second factor. Asked for whenever the account has TOTP and the provider
            //    asserted none (as after a password). A förbundschef with neither may set TOTP up
            //    right after this sign-in only until the account has once had a second factor;
            //    from then on, a sign-in without one is refused (it would let a password alone
            //    enrol a new authenticator).
            let needs_code = account.has_totp && !mfa;
            if auth.totp_required(&account) && !mfa && !account.has_totp && c.federated_mfa_seen {
                refuse(tx, Some((account.id, &account.name)), "ingen tvåstegsverifiering, varken hos kommunen eller i Pinne")?;
                return Ok(Err("Kommunens inloggning intygade ingen tvåstegsverifiering den här gången, och du har ingen i Pinne. Logga in med tvåstegsverifiering hos kommunen.".to_string()));
            }
            if link {
                store::account::link_subject(tx, account.id, &identity.issuer, &identity.subject)?;
                store::audit::append(
                    tx,
                    &now_utc(),
                    Some((account.id, &account.name)),
                    Action::AccountChanged,
                    "kopplat till kommunens konto vid första inloggningen",
                    addr.as_deref(),
                )?;
            }
            // The session, as after a password: the old one dropped, a second factor where needed.
            if let Some(old) = old_session {
                store::account::delete_session(tx, &old)?;
            }
            store::account::delete_expired_sessions(tx, now - IDLE_TIMEOUT, now - super::auth::ABSOLUTE_LIFETIME)?;
            store::account::create_federated_session(
                tx,
                &hash,
                account.id,
                &csrf,
                now,
                !needs_code,
                mfa,
                &identity.id_token,
            )?;
            store::account::federated_sign_in(tx, account.id, now, mfa)?;
            let detail = match (mfa, needs_code) {
                (true, _) => "kommunens konto, tvåstegsverifiering hos kommunen",
                (false, true) => "kommunens konto, väntar på kod",
                (false, false) => "kommunens konto",
            };
            store::audit::append(
                tx,
                &now_utc(),
                Some((account.id, &account.name)),
                Action::LoginSucceeded,
                detail,
                addr.as_deref(),
            )?;
            Ok(Ok((token, if needs_code { "/login/kod" } else { "/" })))
        })
        .await?)
}
