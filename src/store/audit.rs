//! The audit log: append-only (the database refuses UPDATE and DELETE on it).

use super::Result;
use rusqlite::{Connection, params};
use serde::Serialize;

/// What happened, in the audit log's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    LoginSucceeded,
    LoginFailed,
    Logout,
    TallyCreated,
    TallyVoided,
    GoalsChanged,
    ConfigChanged,
    AccountCreated,
    AccountChanged,
    PasswordChanged,
    SecondFactorChanged,
    TokenCreated,
    TokenRevoked,
    YearClosed,
    YearReopened,
    BudgetChanged,
    ImportStored,
    ImportUndone,
    /// Figures from an earlier annual report, or the enrolled at the start, entered or removed.
    EarlierFiguresChanged,
}

impl Action {
    pub const ALL: [Action; 19] = [
        Action::LoginSucceeded,
        Action::LoginFailed,
        Action::Logout,
        Action::TallyCreated,
        Action::TallyVoided,
        Action::GoalsChanged,
        Action::ConfigChanged,
        Action::AccountCreated,
        Action::AccountChanged,
        Action::PasswordChanged,
        Action::SecondFactorChanged,
        Action::TokenCreated,
        Action::TokenRevoked,
        Action::YearClosed,
        Action::YearReopened,
        Action::BudgetChanged,
        Action::ImportStored,
        Action::ImportUndone,
        Action::EarlierFiguresChanged,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Action::LoginSucceeded => "login_succeeded",
            Action::LoginFailed => "login_failed",
            Action::Logout => "logout",
            Action::TallyCreated => "tally_created",
            Action::TallyVoided => "tally_voided",
            Action::GoalsChanged => "goals_changed",
            Action::ConfigChanged => "config_changed",
            Action::AccountCreated => "account_created",
            Action::AccountChanged => "account_changed",
            Action::PasswordChanged => "password_changed",
            Action::SecondFactorChanged => "second_factor_changed",
            Action::TokenCreated => "token_created",
            Action::TokenRevoked => "token_revoked",
            Action::YearClosed => "year_closed",
            Action::YearReopened => "year_reopened",
            Action::BudgetChanged => "budget_changed",
            Action::ImportStored => "import_stored",
            Action::ImportUndone => "import_undone",
            Action::EarlierFiguresChanged => "earlier_figures_changed",
        }
    }
    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Action::LoginSucceeded => "Inloggning",
            Action::LoginFailed => "Misslyckad inloggning",
            Action::Logout => "Utloggning",
            Action::TallyCreated => "Registrering",
            Action::TallyVoided => "Makulerad registrering",
            Action::GoalsChanged => "Ändrade mål",
            Action::ConfigChanged => "Ändrad konfiguration",
            Action::AccountCreated => "Nytt konto",
            Action::AccountChanged => "Ändrat konto",
            Action::PasswordChanged => "Nytt lösenord",
            Action::SecondFactorChanged => "Tvåstegsverifiering",
            Action::TokenCreated => "Ny API-nyckel",
            Action::TokenRevoked => "Återkallad API-nyckel",
            Action::YearClosed => "Stängt år",
            Action::YearReopened => "Öppnat år",
            Action::BudgetChanged => "Ändrad budget",
            Action::ImportStored => "Import",
            Action::ImportUndone => "Ångrad import",
            Action::EarlierFiguresChanged => "Siffror från tidigare årsrapport",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: i64,
    /// UTC, RFC 3339. Tally events carry only the date (see docs/SECURITY.md).
    pub at: String,
    pub account: Option<String>,
    pub action: String,
    pub detail: String,
    pub address: Option<String>,
}

/// Appends an entry. `at` is UTC RFC 3339; call inside the transaction of the change it records.
pub fn append(
    conn: &Connection,
    at: &str,
    account: Option<(i64, &str)>,
    action: Action,
    detail: &str,
    address: Option<&str>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit (at, account_id, account_name, action, detail, address) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![at, account.map(|a| a.0), account.map(|a| a.1), action.as_str(), detail, address])?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub action: Option<Action>,
    pub account: Option<String>,
    /// `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: usize,
}

/// Entries matching the filter, newest first.
pub fn list(conn: &Connection, f: &Filter) -> Result<Vec<Entry>> {
    let to = f.to.as_ref().map(|d| format!("{d}T99"));
    let rows = conn
        .prepare_cached(
            "SELECT id, at, account_name, action, detail, address FROM audit
             WHERE (?1 IS NULL OR action = ?1) AND (?2 IS NULL OR account_name = ?2 COLLATE NOCASE)
               AND (?3 IS NULL OR at >= ?3) AND (?4 IS NULL OR at <= ?4)
             ORDER BY id DESC LIMIT ?5",
        )?
        .query_map(params![f.action.map(|a| a.as_str()), f.account, f.from, to, f.limit.max(1) as i64], |r| {
            Ok(Entry {
                id: r.get(0)?,
                at: r.get(1)?,
                account: r.get(2)?,
                action: r.get(3)?,
                detail: r.get(4)?,
                address: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
