//! Who is asking: sessions (pages) and API tokens (the JSON API), checked for every request by one
//! middleware, plus login, the second factor and logout.
//!
//! - A session is a random 256-bit token in a cookie (`__Host-pinne`; `Secure`, `HttpOnly`,
//!   `SameSite=Strict`), stored as its SHA-256 hash with a per-session CSRF token. It is replaced at
//!   every login, deleted at logout and when the account's password or role changes, and ends after
//!   `IDLE_TIMEOUT` without use or `ABSOLUTE_LIFETIME` after login.
//! - Every state-changing form carries the session's CSRF token (`csrf` field), checked here before
//!   any handler runs; `Origin`/`Sec-Fetch-Site` are checked too (`web::same_site_only`).
//! - The API takes `Authorization: Bearer <token>` (personal API tokens, optionally read-only); a
//!   session cookie is accepted for reading only.

use crate::AppState;
use crate::auth as creds;
use crate::domain::account::{Account, Role};
use crate::error::{ApiError, AppError, PageError};
use crate::store::{self, audit::Action};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;

/// A session ends after this long without a request (seconds).
pub const IDLE_TIMEOUT: i64 = 30 * 60;
/// …and at the latest this long after login (seconds).
pub const ABSOLUTE_LIFETIME: i64 = 12 * 60 * 60;
/// `seen_at` is written at most this often (seconds), so reading pages does not mean a write each.
const TOUCH_EVERY: i64 = 60;

/// How Pinne authenticates, set by the operator.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Development mode: plain http on loopback. The cookie drops `Secure` and the `__Host-`
    /// prefix, no HSTS is sent, and a förbundschef may sign in without a second factor.
    pub dev: bool,
    /// Whether a förbundschef must use TOTP (default yes; turning it off is a documented risk).
    pub require_totp_for_chef: bool,
    /// Take the client address from the last `X-Forwarded-For` entry (only behind a trusted proxy).
    pub trust_proxy: bool,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings { dev: false, require_totp_for_chef: true, trust_proxy: false }
    }
}

impl AuthSettings {
    pub fn cookie_name(&self) -> &'static str {
        if self.dev { "pinne" } else { "__Host-pinne" }
    }
    pub(crate) fn session_cookie(&self, token: &str) -> String {
        let secure = if self.dev { "" } else { "; Secure" };
        format!("{}={token}; Path=/; HttpOnly; SameSite=Strict{secure}", self.cookie_name())
    }
    fn clear_cookie(&self) -> String {
        let secure = if self.dev { "" } else { "; Secure" };
        format!("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}", self.cookie_name())
    }
    /// Whether this account must use a second factor before anything else.
    pub fn totp_required(&self, account: &Account) -> bool {
        account.role == Role::Forbundschef && self.require_totp_for_chef && !self.dev
    }
}

#[derive(Debug, Clone)]
pub enum Credential {
    /// `provider_mfa`: made by a sign-in at the identity provider that asserted a second factor.
    Session { token_hash: Vec<u8>, csrf: String, provider_mfa: bool },
    /// `provider_mfa`: the token's account signs in at the identity provider, and its last sign-in
    /// there had a second factor.
    Token { id: i64, read_only: bool, provider_mfa: bool },
}

/// The signed-in account of this request (in the request's extensions).
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub account: Account,
    pub credential: Credential,
}

impl CurrentUser {
    /// The CSRF token to put in forms (empty for API tokens, which post no forms).
    pub fn csrf(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf, .. } => csrf,
            Credential::Token { .. } => "",
        }
    }
    /// Whether this request comes with an API token that may only read.
    pub fn read_only(&self) -> bool {
        matches!(self.credential, Credential::Token { read_only: true, .. })
    }
    /// (id, name) for the audit log.
    pub fn who(&self) -> (i64, String) {
        (self.account.id, self.account.name.clone())
    }
}

/// The client's address, for the audit log and throttling.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub Option<String>);

pub fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// UTC now, RFC 3339 to the second.
pub fn now_utc() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// UTC today (tally events are audited by date only: see docs/SECURITY.md).
pub fn today_utc() -> String {
    chrono::Utc::now().format("%Y-%m-%d").to_string()
}

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn client_addr(req: &Request, settings: &AuthSettings) -> Option<String> {
    if settings.trust_proxy {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(|s| s.trim().to_string());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())
}

fn is_public(path: &str) -> bool {
    path == "/login" || path == "/login/oidc" || path == "/login/oidc/svar" || path.starts_with("/assets/")
}

/// Paths a session may reach before its second factor is done: entering the code, or giving up.
fn pending_paths(path: &str) -> bool {
    path == "/login/kod" || path == "/logout"
}

/// Paths a förbundschef who must set up a second factor may reach before doing so.
fn setup_paths(path: &str) -> bool {
    path == "/konto/tvasteg" || path == "/logout"
}

/// Constant-time comparison of two tokens.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Constant-time comparison of two hashes.
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Resolves the session or token of every request, and enforces sign-in, session lifetimes, the
/// second factor and CSRF tokens before any handler runs.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let settings = state.auth.clone();
    // Development mode is for one machine: a request that came through a proxy means it is being
    // used for more, over plain http. Refuse rather than serve.
    if settings.dev && (req.headers().contains_key("x-forwarded-for") || req.headers().contains_key(header::FORWARDED))
    {
        tracing::warn!("refused a proxied request in development mode");
        return PageError(AppError::Forbidden(
            "Pinne körs i utvecklingsläge (--dev) och tar inte emot anrop via en proxy. Starta utan --dev för riktig användning."
                .into(),
        ))
        .into_response();
    }
    let addr = client_addr(&req, &settings);
    req.extensions_mut().insert(ClientAddr(addr));
    let path = req.uri().path().to_string();
    let api = path.starts_with("/api/");
    let now = now_unix();

    // 1. Who is it?
    let mut user: Option<CurrentUser> = None;
    let mut pending_second_factor = false;
    let bearer = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_string);
    if api && let Some(auth) = bearer {
        let Some(token) = auth.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty()) else {
            tracing::warn!(address = ?req.extensions().get::<ClientAddr>().and_then(|a| a.0.clone()), "malformed Authorization header");
            return ApiError(AppError::Unauthorized).into_response();
        };
        let hash = creds::hash_token(token);
        let found = state
            .store
            .read(move |c| {
                let Some(t) = store::account::token_by_hash(c, &hash)? else { return Ok(None) };
                let Some(a) = store::account::by_id(c, t.account_id)? else { return Ok(None) };
                let (last, mfa) = (a.federated_at, a.account.federated && a.federated_mfa);
                Ok(a.account.active.then_some((a.account, t, last, mfa)))
            })
            .await;
        match found {
            // A federated account's tokens work while its owner still signs in through the
            // provider: someone who left stops signing in, and their tokens stop with them.
            Ok(Some((account, _, last, _)))
                if account.federated && last.is_none_or(|last| now - last > crate::oidc::TOKEN_GRACE) =>
            {
                tracing::warn!(account = %account.name, "API token of a federated account that has not signed in for 30 days");
                return ApiError(AppError::Unauthorized).into_response();
            }
            Ok(Some((account, t, _, provider_mfa))) => {
                // Record the last use, at most once a minute (RFC 3339 UTC strings order by time).
                let stale = (chrono::Utc::now() - chrono::Duration::seconds(TOUCH_EVERY))
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                if t.last_used_at.as_deref().is_none_or(|at| at < stale.as_str()) {
                    let id = t.id;
                    if let Err(e) = state.store.write(move |tx| store::account::touch_token(tx, id, &now_utc())).await {
                        return ApiError(e.into()).into_response();
                    }
                }
                user = Some(CurrentUser {
                    account,
                    credential: Credential::Token { id: t.id, read_only: t.read_only, provider_mfa },
                })
            }
            Ok(None) => {
                tracing::warn!(address = ?req.extensions().get::<ClientAddr>().and_then(|a| a.0.clone()), "unknown, revoked or deactivated API token");
                return ApiError(AppError::Unauthorized).into_response();
            }
            Err(e) => return ApiError(e.into()).into_response(),
        }
    } else if let Some(token) = cookie(req.headers(), settings.cookie_name()) {
        let hash = creds::hash_token(token);
        let lookup = {
            let key = hash.clone();
            let found = state.store.read(move |c| store::account::session(c, &key)).await;
            match found {
                Ok(Some(s)) => {
                    // Expired sessions are deleted; live ones marked as used at most once a minute.
                    let expired =
                        !s.account.active || now - s.seen_at > IDLE_TIMEOUT || now - s.created_at > ABSOLUTE_LIFETIME;
                    let write = if expired {
                        let hash = hash.clone();
                        Some(state.store.write(move |tx| store::account::delete_session(tx, &hash)).await)
                    } else if now - s.seen_at > TOUCH_EVERY {
                        let hash = hash.clone();
                        Some(state.store.write(move |tx| store::account::touch_session(tx, &hash, now)).await)
                    } else {
                        None
                    };
                    match write {
                        Some(Err(e)) => Err(e),
                        _ if expired => Ok(None),
                        _ => Ok(Some(s)),
                    }
                }
                other => other,
            }
        };
        match lookup {
            Ok(Some(s)) => {
                pending_second_factor = !s.second_factor;
                user = Some(CurrentUser {
                    account: s.account,
                    credential: Credential::Session { token_hash: hash, csrf: s.csrf, provider_mfa: s.provider_mfa },
                });
            }
            Ok(None) => {}
            Err(e) => return error(api, e.into()),
        }
    }

    // 2. The login page and assets are open to all. Signing in again replaces any session (the
    //    handler rotates it), so the login form needs no session CSRF token; a signed-in visit to
    //    the form goes home.
    if is_public(&path) {
        if path == "/login" && req.method() == Method::GET && user.is_some() && !pending_second_factor {
            return Redirect::to("/").into_response();
        }
        return next.run(req).await;
    }
    let Some(user) = user else {
        if api {
            return ApiError(AppError::Unauthorized).into_response();
        }
        return Redirect::to("/login").into_response();
    };

    // 3. Half-way through login, or a förbundschef who must set up a second factor first.
    if pending_second_factor && !pending_paths(&path) {
        return if api {
            ApiError(AppError::Unauthorized).into_response()
        } else {
            Redirect::to("/login/kod").into_response()
        };
    }
    // The provider asserted a second factor for this session, or (an API token) for the last
    // sign-in of the token's account: then a förbundschef needs no TOTP in Pinne.
    let provider_mfa = match user.credential {
        Credential::Session { provider_mfa, .. } | Credential::Token { provider_mfa, .. } => provider_mfa,
    };
    if !pending_second_factor
        && settings.totp_required(&user.account)
        && !user.account.has_totp
        && !provider_mfa
        && !setup_paths(&path)
    {
        return if api {
            ApiError(AppError::Forbidden("Sätt upp tvåstegsverifiering i Pinne innan du använder API:t.".into()))
                .into_response()
        } else {
            Redirect::to("/konto/tvasteg").into_response()
        };
    }

    // 4. Changes: API changes need a token; page changes need the session's CSRF token.
    if !req.method().is_safe() {
        match &user.credential {
            Credential::Session { .. } if api => {
                return ApiError(AppError::Forbidden(
                    "Ändringar via API:t kräver en API-nyckel (Authorization: Bearer), inte en inloggning i webbläsaren."
                        .into(),
                ))
                .into_response();
            }
            // A file upload (multipart) is read by its handler, which checks the CSRF field it
            // carries (`web::import::upload`); no other route takes multipart.
            Credential::Session { .. } if is_multipart(&req) => {
                if !(req.method() == axum::http::Method::POST && path == "/import") {
                    return PageError(AppError::BadRequest("Formuläret kunde inte läsas.".into())).into_response();
                }
            }
            Credential::Session { csrf, .. } => {
                let expected = csrf.clone();
                let (parts, body) = req.into_parts();
                let bytes = match axum::body::to_bytes(body, 256 * 1024).await {
                    Ok(b) => b,
                    Err(_) => {
                        return PageError(AppError::BadRequest("Formuläret är för stort.".into())).into_response();
                    }
                };
                let given = form_field(&bytes, "csrf");
                if !given.as_deref().is_some_and(|g| same(g, &expected)) {
                    // No path: it can name a tally, and a log line carries an exact time.
                    tracing::warn!(account = %user.account.name, "form without the session's CSRF token refused");
                    return PageError(AppError::Forbidden(
                        "Formuläret kunde inte kontrolleras (det kan ha blivit för gammalt). Ladda om sidan och försök igen."
                            .into(),
                    ))
                    .into_response();
                }
                req = Request::from_parts(parts, Body::from(bytes));
            }
            Credential::Token { read_only: true, .. } => {
                return ApiError(AppError::Forbidden("API-nyckeln får bara läsa.".into())).into_response();
            }
            Credential::Token { .. } => {}
        }
    }

    req.extensions_mut().insert(user);
    next.run(req).await
}

fn error(api: bool, e: AppError) -> Response {
    if api { ApiError(e).into_response() } else { PageError(e).into_response() }
}

fn is_multipart(req: &Request) -> bool {
    req.headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.trim_start().to_ascii_lowercase().starts_with("multipart/"))
}

fn form_field(body: &Bytes, name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

// ---- login throttling ----

/// Failures within this window count (seconds).
pub(crate) const WINDOW: i64 = 15 * 60;
/// From this many failures of an account on, each attempt must wait (doubling from 2 s, at most 60 s).
const SLOW_AFTER: i64 = 3;
/// From this many failures of an account, it is locked until the window passes.
const LOCK_ACCOUNT_AFTER: i64 = 10;
/// From this many failures from one address, the address is locked until the window passes.
pub(crate) const LOCK_ADDRESS_AFTER: i64 = 30;

/// Throttling subjects are stored as keyed hashes (the installation's `throttle_key`): a typed name
/// may be a password typed in the wrong field, and addresses should not be listable.
fn subject(key: &[u8], kind: &str, value: &str) -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::new().chain_update(key).chain_update(kind).chain_update(b":").chain_update(value).finalize();
    format!("{kind}:{}", hash.iter().map(|b| format!("{b:02x}")).collect::<String>())
}
pub fn account_subject(key: &[u8], name: &str) -> String {
    subject(key, "konto", &name.trim().to_lowercase())
}
/// Sign-ins started at the identity provider from an address (`web::oidc`).
pub fn start_subject(key: &[u8], addr: &Option<String>) -> String {
    subject(key, "start", addr.as_deref().unwrap_or("okänd"))
}
pub fn address_subject(key: &[u8], addr: &Option<String>) -> String {
    subject(key, "adress", addr.as_deref().unwrap_or("okänd"))
}

/// At most this many password hashes at once (argon2id takes 19 MiB each): parallel logins queue
/// instead of exhausting memory.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Runs CPU-heavy credential work off the async runtime, at most `HASHING` at a time.
pub async fn hashing<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let _permit = HASHING.acquire().await.map_err(|e| AppError::Internal(e.into()))?;
    tokio::task::spawn_blocking(f).await.map_err(|e| AppError::Internal(e.into()))
}

/// Checks the throttle and records this attempt as a failure, in one write transaction, so
/// parallel attempts see each other. The attempt's rows are removed again if it succeeds.
/// Returns the refusal message, or the (account, address) failure rows of this attempt.
async fn begin_attempt(
    state: &AppState,
    name: &str,
    addr: &Option<String>,
    now: i64,
) -> Result<Result<(i64, i64), String>, AppError> {
    let (name, addr) = (name.to_string(), addr.clone());
    let key = state.store.throttle_key().to_vec();
    Ok(state
        .store
        .write(move |tx| {
            if let Some(message) = throttle(tx, &key, &name, &addr, now)? {
                let known = store::account::by_name(tx, &name)?.map(|c| (c.account.id, c.account.name));
                store::audit::append(
                    tx,
                    &now_utc(),
                    known.as_ref().map(|(id, n)| (*id, n.as_str())),
                    Action::LoginFailed,
                    "spärrad av för många försök",
                    addr.as_deref(),
                )?;
                return Ok(Err(message));
            }
            store::account::prune_failures(tx, now - 24 * 3600)?;
            let a = store::account::record_failure(tx, &account_subject(&key, &name), now)?;
            let b = store::account::record_failure(tx, &address_subject(&key, &addr), now)?;
            Ok(Ok((a, b)))
        })
        .await?)
}

/// Whether a login for `name` from `addr` may be tried now; the Swedish reason if not.
fn throttle(
    conn: &rusqlite::Connection,
    key: &[u8],
    name: &str,
    addr: &Option<String>,
    now: i64,
) -> store::Result<Option<String>> {
    let since = now - WINDOW;
    let minutes = |last: Option<i64>| ((last.unwrap_or(now) + WINDOW - now).max(60) + 59) / 60;
    let (n, last) = store::account::failures(conn, &address_subject(key, addr), since)?;
    if n >= LOCK_ADDRESS_AFTER {
        return Ok(Some(format!(
            "För många misslyckade inloggningar från din dator. Försök igen om {} minuter.",
            minutes(last)
        )));
    }
    let (n, last) = store::account::failures(conn, &account_subject(key, name), since)?;
    if n >= LOCK_ACCOUNT_AFTER {
        return Ok(Some(format!(
            "Kontot är tillfälligt spärrat efter för många misslyckade inloggningar. Försök igen om {} minuter.",
            minutes(last)
        )));
    }
    if n >= SLOW_AFTER {
        let wait = (2i64 << (n - SLOW_AFTER).min(5)).min(60);
        let left = last.unwrap_or(now) + wait - now;
        if left > 0 {
            return Ok(Some(format!("Vänta {left} sekunder innan du försöker igen.")));
        }
    }
    Ok(None)
}

/// Checks a signed-in account's current password before it changes how it signs in, throttled,
/// counted and audited like a login attempt. `Err` holds the throttle's refusal.
pub async fn check_current_password(
    state: &AppState,
    account: &Account,
    addr: &Option<String>,
    password: String,
) -> Result<Result<bool, String>, AppError> {
    let now = now_unix();
    let (account_row, address_row) = match begin_attempt(state, &account.name, addr, now).await? {
        Ok(rows) => rows,
        Err(message) => return Ok(Err(message)),
    };
    let id = account.id;
    let stored = state.store.read(move |c| store::account::by_id(c, id)).await?.ok_or(AppError::Unauthorized)?;
    let ok = hashing(move || creds::verify_password(&password, &stored.password_hash)).await?;
    let (name, addr) = (account.name.clone(), addr.clone());
    state
        .store
        .write(move |tx| {
            if ok {
                store::account::delete_failure(tx, account_row)?;
                store::account::delete_failure(tx, address_row)
            } else {
                store::audit::append(
                    tx,
                    &now_utc(),
                    Some((id, &name)),
                    Action::LoginFailed,
                    "fel nuvarande lösenord",
                    addr.as_deref(),
                )
            }
        })
        .await?;
    Ok(Ok(ok))
}

// ---- handlers ----

use super::views::account as views;

/// What the login page offers: the municipality's account when configured, and name and
/// password unless the operator switched local accounts off.
pub fn login_options(state: &AppState) -> views::LoginOptions {
    views::LoginOptions {
        federated: state.oidc.is_some(),
        local: state.oidc.as_ref().is_none_or(|o| o.settings.local_login),
    }
}

/// `GET /login`
pub async fn login_form(State(state): State<AppState>) -> maud::Markup {
    views::login_page(login_options(&state), None, "")
}

/// `POST /login`: name and password. Throttled per account and per address; every attempt audited.
pub async fn login(
    State(state): State<AppState>,
    axum::Extension(ClientAddr(addr)): axum::Extension<ClientAddr>,
    headers: HeaderMap,
    form: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    let axum::Form(pairs) = form.map_err(|_| AppError::BadRequest("Formuläret kunde inte läsas.".into()))?;
    let (name, password) = (super::field(&pairs, "name"), super::raw_field(&pairs, "password"));
    let now = now_unix();
    let settings = state.auth.clone();
    let options = login_options(&state);
    if !options.local {
        return Ok((
            StatusCode::FORBIDDEN,
            views::login_page(
                options,
                Some("Inloggning med lösenord är avstängd här. Logga in med kommunens konto."),
                "",
            ),
        )
            .into_response());
    }
    let old_session = cookie(&headers, settings.cookie_name()).map(creds::hash_token);

    // Throttle before any password work; the attempt counts as a failure until it succeeds.
    let (account_row, address_row) = match begin_attempt(&state, &name, &addr, now).await? {
        Ok(rows) => rows,
        Err(message) => {
            return Ok(
                (StatusCode::TOO_MANY_REQUESTS, views::login_page(options, Some(&message), &name)).into_response()
            );
        }
    };

    let found = {
        let name = name.clone();
        state.store.read(move |c| store::account::by_name(c, &name)).await?
    };
    // Hash even for unknown names (and federated accounts, which have no password), so timing
    // does not tell which names exist.
    let phc = found.as_ref().filter(|c| c.account.active && !c.account.federated).map(|c| c.password_hash.clone());
    let ok = hashing(move || match phc {
        Some(h) => creds::verify_password(&password, &h),
        None => {
            creds::verify_password(&password, creds::dummy_hash());
            false
        }
    })
    .await?;

    // Only a name that exists is written down: a mistyped password in the name field must not be.
    let known = found.as_ref().map(|c| (c.account.id, c.account.name.clone()));
    let Some(c) = found.filter(|_| ok) else {
        let from = addr.clone();
        state
            .store
            .write(move |tx| {
                // The attempt's failure rows (from begin_attempt) stay.
                let detail = if known.is_some() { "fel lösenord" } else { "okänt användarnamn" };
                store::audit::append(
                    tx,
                    &now_utc(),
                    known.as_ref().map(|(id, n)| (*id, n.as_str())),
                    Action::LoginFailed,
                    detail,
                    from.as_deref(),
                )
            })
            .await?;
        return Ok((
            StatusCode::UNAUTHORIZED,
            views::login_page(options, Some("Fel användarnamn eller lösenord."), &name),
        )
            .into_response());
    };

    // Success: a new session (the old one, if any, is dropped), failures of the account cleared.
    let (token, hash) = creds::new_token();
    let (csrf, _) = creds::new_token();
    let second_factor_done = !c.account.has_totp;
    let account = c.account.clone();
    let key = state.store.throttle_key().to_vec();
    {
        let addr = addr.clone();
        state
            .store
            .write(move |tx| {
                if let Some(old) = old_session {
                    store::account::delete_session(tx, &old)?;
                }
                store::account::delete_expired_sessions(tx, now - IDLE_TIMEOUT, now - ABSOLUTE_LIFETIME)?;
                // A correct password does not wipe earlier failures while the code is still to come,
                // so guessing codes stays limited per account.
                store::account::delete_failure(tx, address_row)?;
                if second_factor_done {
                    store::account::clear_failures(tx, &account_subject(&key, &account.name))?;
                } else {
                    store::account::delete_failure(tx, account_row)?;
                }
                store::account::create_session(tx, &hash, account.id, &csrf, now, second_factor_done)?;
                let detail = if second_factor_done { "lösenord" } else { "lösenord, väntar på kod" };
                store::audit::append(
                    tx,
                    &now_utc(),
                    Some((account.id, &account.name)),
                    Action::LoginSucceeded,
                    detail,
                    addr.as_deref(),
                )
            })
            .await?;
    }
    let next = if second_factor_done { "/" } else { "/login/kod" };
    let mut res = Redirect::to(next).into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, HeaderValue::from_str(&settings.session_cookie(&token)).expect("ascii"));
    Ok(res)
}

/// `GET /login/kod`
pub async fn code_form(axum::Extension(user): axum::Extension<CurrentUser>) -> maud::Markup {
    views::code_page(&user, None)
}

/// `POST /login/kod`: the TOTP code completes the login.
pub async fn code(
    State(state): State<AppState>,
    axum::Extension(user): axum::Extension<CurrentUser>,
    axum::Extension(ClientAddr(addr)): axum::Extension<ClientAddr>,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let code = pairs.iter().find(|(k, _)| k == "code").map(|(_, v)| v.clone()).unwrap_or_default();
    let Credential::Session { token_hash, .. } = user.credential.clone() else {
        return Err(AppError::Forbidden("Ingen inloggning pågår.".into()).into());
    };
    let pending = {
        let hash = token_hash.clone();
        state.store.read(move |c| store::account::session(c, &hash)).await?.is_some_and(|s| !s.second_factor)
    };
    if !pending {
        return Ok(Redirect::to("/").into_response());
    }
    let now = now_unix();
    let id = user.account.id;
    let name = user.account.name.clone();
    let (_, address_row) = match begin_attempt(&state, &name, &addr, now).await? {
        Ok(rows) => rows,
        Err(message) => {
            return Ok((StatusCode::TOO_MANY_REQUESTS, views::code_page(&user, Some(&message))).into_response());
        }
    };
    let secret = state.store.read(move |c| store::account::by_id(c, id)).await?.and_then(|c| c.totp_secret);
    let step = secret.as_deref().and_then(|s| creds::totp::check(s, &code));
    // The login is complete: a fresh session token replaces the half-way one.
    let (token, new_hash) = creds::new_token();
    let (csrf, _) = creds::new_token();
    let key = state.store.throttle_key().to_vec();
    let ok = state
        .store
        .write(move |tx| {
            // Each code is accepted once (RFC 6238 §5.2).
            let ok = match step {
                Some(step) => store::account::use_totp_step(tx, id, step)?,
                None => false,
            };
            if ok {
                store::account::delete_session(tx, &token_hash)?;
                store::account::create_session(tx, &new_hash, id, &csrf, now, true)?;
                store::account::clear_failures(tx, &account_subject(&key, &name))?;
                store::account::delete_failure(tx, address_row)?;
                store::audit::append(
                    tx,
                    &now_utc(),
                    Some((id, &name)),
                    Action::LoginSucceeded,
                    "kod",
                    addr.as_deref(),
                )?;
            } else {
                // The attempt's failure rows (from begin_attempt) stay.
                let detail = if step.is_some() { "kod som redan använts" } else { "fel kod" };
                store::audit::append(tx, &now_utc(), Some((id, &name)), Action::LoginFailed, detail, addr.as_deref())?;
            }
            Ok(ok)
        })
        .await?;
    if ok {
        let mut res = Redirect::to("/").into_response();
        res.headers_mut()
            .insert(header::SET_COOKIE, HeaderValue::from_str(&state.auth.session_cookie(&token)).expect("ascii"));
        Ok(res)
    } else {
        Ok((StatusCode::UNAUTHORIZED, views::code_page(&user, Some("Koden stämmer inte. Försök igen.")))
            .into_response())
    }
}

/// `POST /logout`
pub async fn logout(
    State(state): State<AppState>,
    axum::Extension(user): axum::Extension<CurrentUser>,
    axum::Extension(ClientAddr(addr)): axum::Extension<ClientAddr>,
) -> Result<Response, PageError> {
    let mut provider_logout = None;
    if let Credential::Session { token_hash, .. } = user.credential.clone() {
        let (id, name) = user.who();
        let id_token = state
            .store
            .write(move |tx| {
                let id_token = store::account::session(tx, &token_hash)?.and_then(|s| s.id_token);
                store::account::delete_session(tx, &token_hash)?;
                let detail = if id_token.is_some() { "kommunens konto" } else { "" };
                store::audit::append(tx, &now_utc(), Some((id, &name)), Action::Logout, detail, addr.as_deref())?;
                Ok(id_token)
            })
            .await?;
        if let (Some(oidc), Some(id_token)) = (&state.oidc, id_token) {
            provider_logout = oidc.logout_url(&id_token).await;
        }
    }
    // Signed in through the provider: sign out there too (a page that goes on by itself, since
    // the CSP lets forms lead only to Pinne).
    let mut res = match provider_logout {
        Some(url) => views::continue_page(
            "Du är utloggad från Pinne",
            "Du loggas nu ut från kommunens konto också.",
            url.as_str(),
        )
        .into_response(),
        None => Redirect::to("/login").into_response(),
    };
    res.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&state.auth.clear_cookie()).expect("ascii"));
    Ok(res)
}

/// A 403 for pages.
pub fn forbidden(message: &str) -> PageError {
    PageError(AppError::Forbidden(message.into()))
}

/// Security headers on every response (ASVS V3.4): a strict CSP with no inline script or style,
/// no framing, no sniffing, no referrer, HSTS unless in development mode, and `no-store` on
/// everything but the stylesheet.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if !state.auth.dev {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
