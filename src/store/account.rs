//! Accounts, sessions, API tokens and login failures.

use super::{Result, StoreError};
use crate::domain::account::{Account, Role};
use rusqlite::{Connection, OptionalExtension, params};

/// An account with what login needs.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub account: Account,
    pub password_hash: String,
    pub totp_secret: Option<String>,
    /// Unix seconds of the last sign-in through the identity provider (federated accounts).
    pub federated_at: Option<i64>,
    /// Whether that sign-in had a second factor asserted by the provider.
    pub federated_mfa: bool,
    /// Whether any sign-in through the provider ever had one.
    pub federated_mfa_seen: bool,
}

fn insatser_of(conn: &Connection, id: i64) -> Result<Vec<i64>> {
    Ok(conn
        .prepare_cached("SELECT insats_id FROM account_insats WHERE account_id = ?1 ORDER BY insats_id")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

const COLUMNS: &str =
    "id, name, role, active, password_hash, totp_secret, federated, federated_at, federated_mfa, federated_mfa_seen";

fn credentials(conn: &Connection, row: Option<Row>) -> Result<Option<Credentials>> {
    let Some((
        id,
        name,
        role,
        active,
        password_hash,
        totp_secret,
        federated,
        federated_at,
        (federated_mfa, federated_mfa_seen),
    )) = row
    else {
        return Ok(None);
    };
    Ok(Some(Credentials {
        account: Account {
            id,
            name,
            role: Role::parse(&role).ok_or(StoreError::NotFound)?,
            active,
            insats_ids: insatser_of(conn, id)?,
            has_totp: totp_secret.is_some(),
            federated,
        },
        password_hash,
        totp_secret,
        federated_at,
        federated_mfa,
        federated_mfa_seen,
    }))
}

type Row = (i64, String, String, bool, String, Option<String>, bool, Option<i64>, (bool, bool));

fn read_row(r: &rusqlite::Row) -> rusqlite::Result<Row> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, (r.get(8)?, r.get(9)?)))
}

pub fn by_name(conn: &Connection, name: &str) -> Result<Option<Credentials>> {
    let row = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM account WHERE name = ?1"))?
        .query_row([name], read_row)
        .optional()?;
    credentials(conn, row)
}

pub fn by_id(conn: &Connection, id: i64) -> Result<Option<Credentials>> {
    let row = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM account WHERE id = ?1"))?
        .query_row([id], read_row)
        .optional()?;
    credentials(conn, row)
}

pub fn list(conn: &Connection) -> Result<Vec<Account>> {
    let rows = conn
        .prepare(&format!("SELECT {COLUMNS} FROM account ORDER BY name"))?
        .query_map([], read_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(|r| Ok(credentials(conn, Some(r))?.expect("row given").account)).collect()
}

pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM account", [], |r| r.get(0))?)
}

/// Creates an account; a taken name (case-insensitive) is a conflict.
pub fn create(
    conn: &Connection,
    name: &str,
    role: Role,
    password_hash: &str,
    insatser: &[i64],
    now: &str,
) -> Result<i64> {
    if by_name(conn, name)?.is_some() {
        return Err(StoreError::Conflict(format!("Användarnamnet ”{name}” finns redan.")));
    }
    conn.execute(
        "INSERT INTO account (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![name, role.as_str(), password_hash, now],
    )?;
    let id = conn.last_insert_rowid();
    set_insatser(conn, id, insatser)?;
    Ok(id)
}

pub fn set_insatser(conn: &Connection, id: i64, insatser: &[i64]) -> Result<()> {
    conn.execute("DELETE FROM account_insats WHERE account_id = ?1", [id])?;
    for i in insatser {
        conn.execute("INSERT OR IGNORE INTO account_insats (account_id, insats_id) VALUES (?1, ?2)", params![id, i])?;
    }
    Ok(())
}

pub fn set_role(conn: &Connection, id: i64, role: Role) -> Result<()> {
    conn.execute("UPDATE account SET role = ?2 WHERE id = ?1", params![id, role.as_str()])?;
    Ok(())
}

pub fn set_active(conn: &Connection, id: i64, active: bool) -> Result<()> {
    conn.execute("UPDATE account SET active = ?2 WHERE id = ?1", params![id, active])?;
    Ok(())
}

pub fn set_password(conn: &Connection, id: i64, password_hash: &str) -> Result<()> {
    conn.execute("UPDATE account SET password_hash = ?2 WHERE id = ?1", params![id, password_hash])?;
    Ok(())
}

pub fn set_totp(conn: &Connection, id: i64, secret: Option<&str>) -> Result<()> {
    conn.execute("UPDATE account SET totp_secret = ?2, totp_last_step = NULL WHERE id = ?1", params![id, secret])?;
    Ok(())
}

/// Turns TOTP on unless it already is; false if it was.
pub fn set_totp_if_unset(conn: &Connection, id: i64, secret: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE account SET totp_secret = ?2, totp_last_step = NULL WHERE id = ?1 AND totp_secret IS NULL",
        params![id, secret],
    )? == 1)
}

/// Records that a TOTP time step was used; false if it (or a later one) already was, so a code is
/// accepted only once.
pub fn use_totp_step(conn: &Connection, id: i64, step: u64) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE account SET totp_last_step = ?2 WHERE id = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)",
        params![id, step as i64],
    )? == 1)
}

// ---- sessions ----

#[derive(Debug, Clone)]
pub struct Session {
    pub account: Account,
    pub csrf: String,
    pub created_at: i64,
    pub seen_at: i64,
    pub second_factor: bool,
    /// Made by a sign-in at the identity provider that asserted a second factor.
    pub provider_mfa: bool,
    /// The provider's ID token of a federated sign-in (the hint for signing out there).
    pub id_token: Option<String>,
}

pub fn create_session(
    conn: &Connection,
    token_hash: &[u8],
    account_id: i64,
    csrf: &str,
    now: i64,
    second_factor: bool,
) -> Result<()> {
    insert_session(conn, token_hash, account_id, csrf, now, second_factor, false, None)
}

/// A session made by a sign-in at the identity provider.
#[allow(clippy::too_many_arguments)]
pub fn create_federated_session(
    conn: &Connection,
    token_hash: &[u8],
    account_id: i64,
    csrf: &str,
    now: i64,
    second_factor: bool,
    provider_mfa: bool,
    id_token: &str,
) -> Result<()> {
    insert_session(conn, token_hash, account_id, csrf, now, second_factor, provider_mfa, Some(id_token))
}

#[allow(clippy::too_many_arguments)]
fn insert_session(
    conn: &Connection,
    token_hash: &[u8],
    account_id: i64,
    csrf: &str,
    now: i64,
    second_factor: bool,
    provider_mfa: bool,
    id_token: Option<&str>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO session (token_hash, account_id, csrf, created_at, seen_at, second_factor, provider_mfa, id_token) VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7)",
        params![token_hash, account_id, csrf, now, second_factor, provider_mfa, id_token],
    )?;
    Ok(())
}

pub fn session(conn: &Connection, token_hash: &[u8]) -> Result<Option<Session>> {
    let row = conn
        .prepare_cached(
            "SELECT account_id, csrf, created_at, seen_at, second_factor, provider_mfa, id_token FROM session WHERE token_hash = ?1",
        )?
        .query_row([token_hash], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
        })
        .optional()?;
    let Some((account_id, csrf, created_at, seen_at, second_factor, provider_mfa, id_token)) = row else {
        return Ok(None);
    };
    let Some(c) = by_id(conn, account_id)? else { return Ok(None) };
    Ok(Some(Session { account: c.account, csrf, created_at, seen_at, second_factor, provider_mfa, id_token }))
}

pub fn touch_session(conn: &Connection, token_hash: &[u8], now: i64) -> Result<()> {
    conn.execute("UPDATE session SET seen_at = ?2 WHERE token_hash = ?1", params![token_hash, now])?;
    Ok(())
}

pub fn delete_session(conn: &Connection, token_hash: &[u8]) -> Result<()> {
    conn.execute("DELETE FROM session WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}

/// Ends every session of an account (password or role changed, account deactivated).
pub fn delete_sessions_of(conn: &Connection, account_id: i64) -> Result<usize> {
    Ok(conn.execute("DELETE FROM session WHERE account_id = ?1", [account_id])?)
}

pub fn delete_expired_sessions(conn: &Connection, idle_before: i64, created_before: i64) -> Result<usize> {
    Ok(conn
        .execute("DELETE FROM session WHERE seen_at < ?1 OR created_at < ?2", params![idle_before, created_before])?)
}

// ---- federated accounts (OpenID Connect) ----

/// The password hash of a federated account: not a PHC string, so no password ever matches it.
pub const NO_PASSWORD: &str = "!federated";

/// The account linked to the provider's subject.
pub fn by_subject(conn: &Connection, issuer: &str, subject: &str) -> Result<Option<Credentials>> {
    let row = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM account WHERE oidc_issuer = ?1 AND oidc_subject = ?2"))?
        .query_row([issuer, subject], read_row)
        .optional()?;
    credentials(conn, row)
}

/// A federated account made in Pinne and not yet linked to a subject, by its name.
pub fn unlinked_by_name(conn: &Connection, name: &str) -> Result<Option<Credentials>> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM account WHERE name = ?1 AND federated = 1 AND oidc_subject IS NULL"
        ))?
        .query_row([name], read_row)
        .optional()?;
    credentials(conn, row)
}

/// Makes an account federated (it then has no password) or local again (it keeps the marker
/// until a password is set).
pub fn set_federated(conn: &Connection, id: i64, federated: bool) -> Result<()> {
    if federated {
        conn.execute(
            "UPDATE account SET federated = 1, password_hash = ?2, totp_secret = NULL WHERE id = ?1",
            params![id, NO_PASSWORD],
        )?;
    } else {
        conn.execute(
            "UPDATE account SET federated = 0, oidc_issuer = NULL, oidc_subject = NULL, federated_at = NULL, federated_mfa = 0, federated_mfa_seen = 0 WHERE id = ?1",
            [id],
        )?;
    }
    Ok(())
}

/// Links a federated account to the provider's subject (its first sign-in).
pub fn link_subject(conn: &Connection, id: i64, issuer: &str, subject: &str) -> Result<()> {
    conn.execute(
        "UPDATE account SET oidc_issuer = ?2, oidc_subject = ?3 WHERE id = ?1 AND federated = 1",
        params![id, issuer, subject],
    )?;
    Ok(())
}

/// Records a sign-in through the provider, and whether it had a second factor.
pub fn federated_sign_in(conn: &Connection, id: i64, now: i64, mfa: bool) -> Result<()> {
    conn.execute(
        "UPDATE account SET federated_at = ?2, federated_mfa = ?3, federated_mfa_seen = max(federated_mfa_seen, ?3) WHERE id = ?1",
        params![id, now, mfa],
    )?;
    Ok(())
}

/// A sign-in under way at the provider.
#[derive(Debug, Clone)]
pub struct OidcAttempt {
    pub browser_hash: Vec<u8>,
    pub nonce: String,
    pub pkce_verifier: String,
    pub created_at: i64,
}

pub fn create_attempt(conn: &Connection, state_hash: &[u8], a: &OidcAttempt) -> Result<()> {
    conn.execute(
        "INSERT INTO oidc_attempt (state_hash, browser_hash, nonce, pkce_verifier, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![state_hash, a.browser_hash, a.nonce, a.pkce_verifier, a.created_at],
    )?;
    Ok(())
}

/// Takes (reads and deletes) the attempt of a `state`: each is used once.
pub fn take_attempt(conn: &Connection, state_hash: &[u8]) -> Result<Option<OidcAttempt>> {
    let found = conn
        .prepare_cached(
            "DELETE FROM oidc_attempt WHERE state_hash = ?1 RETURNING browser_hash, nonce, pkce_verifier, created_at",
        )?
        .query_row([state_hash], |r| {
            Ok(OidcAttempt {
                browser_hash: r.get(0)?,
                nonce: r.get(1)?,
                pkce_verifier: r.get(2)?,
                created_at: r.get(3)?,
            })
        })
        .optional()?;
    Ok(found)
}

/// Sign-ins under way, started at `since` or later.
pub fn count_attempts(conn: &Connection, since: i64) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM oidc_attempt WHERE created_at >= ?1", [since], |r| r.get(0))?)
}

pub fn prune_attempts(conn: &Connection, before: i64) -> Result<usize> {
    Ok(conn.execute("DELETE FROM oidc_attempt WHERE created_at < ?1", [before])?)
}

// ---- API tokens ----

#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub read_only: bool,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

const TOKEN_COLUMNS: &str = "id, account_id, name, read_only, created_at, last_used_at, revoked_at";

fn token_row(r: &rusqlite::Row) -> rusqlite::Result<ApiToken> {
    Ok(ApiToken {
        id: r.get(0)?,
        account_id: r.get(1)?,
        name: r.get(2)?,
        read_only: r.get(3)?,
        created_at: r.get(4)?,
        last_used_at: r.get(5)?,
        revoked_at: r.get(6)?,
    })
}

pub fn create_token(
    conn: &Connection,
    account_id: i64,
    name: &str,
    token_hash: &[u8],
    read_only: bool,
    now: &str,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO api_token (account_id, name, token_hash, read_only, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![account_id, name, token_hash, read_only, now],
    )?;
    Ok(conn.last_insert_rowid())
}

/// A live (not revoked) token by its hash.
pub fn token_by_hash(conn: &Connection, token_hash: &[u8]) -> Result<Option<ApiToken>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {TOKEN_COLUMNS} FROM api_token WHERE token_hash = ?1 AND revoked_at IS NULL"))?
        .query_row([token_hash], token_row)
        .optional()?)
}

pub fn tokens_of(conn: &Connection, account_id: i64) -> Result<Vec<ApiToken>> {
    Ok(conn
        .prepare(&format!("SELECT {TOKEN_COLUMNS} FROM api_token WHERE account_id = ?1 ORDER BY id DESC"))?
        .query_map([account_id], token_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

pub fn touch_token(conn: &Connection, id: i64, now: &str) -> Result<()> {
    conn.execute("UPDATE api_token SET last_used_at = ?2 WHERE id = ?1", params![id, now])?;
    Ok(())
}

/// Revokes every live token of an account (its password was reset); returns how many.
pub fn revoke_tokens_of(conn: &Connection, account_id: i64, now: &str) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE api_token SET revoked_at = ?2 WHERE account_id = ?1 AND revoked_at IS NULL",
        params![account_id, now],
    )?)
}

/// Revokes a token of the account; false if there was no such live token.
pub fn revoke_token(conn: &Connection, account_id: i64, id: i64, now: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE api_token SET revoked_at = ?3 WHERE id = ?1 AND account_id = ?2 AND revoked_at IS NULL",
        params![id, account_id, now],
    )? == 1)
}

// ---- login throttling ----

/// Records a failed (or not yet successful) attempt; returns its row id.
pub fn record_failure(conn: &Connection, subject: &str, now: i64) -> Result<i64> {
    conn.execute("INSERT INTO login_failure (subject, at) VALUES (?1, ?2)", params![subject, now])?;
    Ok(conn.last_insert_rowid())
}

pub fn delete_failure(conn: &Connection, rowid: i64) -> Result<()> {
    conn.execute("DELETE FROM login_failure WHERE rowid = ?1", [rowid])?;
    Ok(())
}

/// Failures for a subject since `since`: (count, time of the latest).
pub fn failures(conn: &Connection, subject: &str, since: i64) -> Result<(i64, Option<i64>)> {
    Ok(conn
        .prepare_cached("SELECT count(*), max(at) FROM login_failure WHERE subject = ?1 AND at >= ?2")?
        .query_row(params![subject, since], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

pub fn clear_failures(conn: &Connection, subject: &str) -> Result<()> {
    conn.execute("DELETE FROM login_failure WHERE subject = ?1", [subject])?;
    Ok(())
}

pub fn prune_failures(conn: &Connection, before: i64) -> Result<()> {
    conn.execute("DELETE FROM login_failure WHERE at < ?1", [before])?;
    Ok(())
}
