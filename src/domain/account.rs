//! Staff accounts, roles and what each role may do. Pure rules; the web layer asks these.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Tallies for the insatser they belong to; sees recent tallies and the current year of those.
    Coach,
    /// Reports of their insatser; closes years.
    Huvudman,
    /// Everything: users, goals, configuration, audit log, all insatser; reopens years.
    Forbundschef,
    /// Reads reports, nothing else.
    Lasare,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Coach, Role::Huvudman, Role::Forbundschef, Role::Lasare];

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Coach => "coach",
            Role::Huvudman => "huvudman",
            Role::Forbundschef => "forbundschef",
            Role::Lasare => "lasare",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Coach => "Coach",
            Role::Huvudman => "Huvudman",
            Role::Forbundschef => "Förbundschef",
            Role::Lasare => "Läsare",
        }
    }
    /// Whether the role works with a chosen set of insatser (the others see all).
    pub fn has_insatser(self) -> bool {
        matches!(self, Role::Coach | Role::Huvudman)
    }
}

/// A signed-in account, as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub insats_ids: Vec<i64>,
    pub has_totp: bool,
}

impl Account {
    /// Whether the account works with this insats.
    pub fn works_with(&self, insats_id: i64) -> bool {
        !self.role.has_insatser() || self.insats_ids.contains(&insats_id)
    }
    pub fn is_admin(&self) -> bool {
        self.role == Role::Forbundschef
    }
    pub fn may_tally(&self, insats_id: i64) -> bool {
        match self.role {
            Role::Coach => self.works_with(insats_id),
            Role::Forbundschef => true,
            Role::Huvudman | Role::Lasare => false,
        }
    }
    /// Individual tallies (the recent list, one tally's page).
    pub fn may_see_tallies(&self, insats_id: i64) -> bool {
        match self.role {
            Role::Coach | Role::Huvudman => self.works_with(insats_id),
            Role::Forbundschef => true,
            Role::Lasare => false,
        }
    }
    /// The yearly report; a coach sees the current year of their insatser.
    pub fn may_read_report(&self, insats_id: i64, year: i32, current_year: i32) -> bool {
        match self.role {
            Role::Forbundschef | Role::Lasare => true,
            Role::Huvudman => self.works_with(insats_id),
            Role::Coach => self.works_with(insats_id) && year == current_year,
        }
    }
    /// Voiding a tally (the year being open is checked separately): its author, or the huvudman of
    /// the insats, or the förbundschef.
    pub fn may_void(&self, insats_id: i64, author: Option<i64>) -> bool {
        match self.role {
            Role::Coach => self.works_with(insats_id) && author == Some(self.id),
            Role::Huvudman => self.works_with(insats_id),
            Role::Forbundschef => true,
            Role::Lasare => false,
        }
    }
    pub fn may_close_year(&self, insats_id: i64) -> bool {
        match self.role {
            Role::Huvudman => self.works_with(insats_id),
            Role::Forbundschef => true,
            Role::Coach | Role::Lasare => false,
        }
    }
    pub fn may_reopen_year(&self) -> bool {
        self.role == Role::Forbundschef
    }
}

pub const MIN_PASSWORD_CHARS: usize = 12;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// The password policy (ASVS 5.0 V6.2): at least 12 and at most 128 characters, any characters, no
/// composition rules; refused when it is the account name, one of the most common passwords
/// (zxcvbn's 30 000-entry list), or easy to guess from such words (zxcvbn estimates fewer than 10⁸
/// guesses, score below 3: e.g. `Password1234`, `p@ssword1234`, `qwertyuiop12`). A phrase of a few
/// ordinary words passes.
pub fn check_password(password: &str, account_name: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(format!("Lösenordet måste ha minst {MIN_PASSWORD_CHARS} tecken."));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(format!("Lösenordet får ha högst {MAX_PASSWORD_CHARS} tecken."));
    }
    if password.trim().eq_ignore_ascii_case(account_name.trim()) {
        return Err("Lösenordet får inte vara samma som användarnamnet.".into());
    }
    use zxcvbn::matching::patterns::MatchPattern;
    let estimate = zxcvbn::zxcvbn(password, &[account_name]);
    // The whole password is one word of the "passwords" dictionary (zxcvbn's default dictionary).
    let common = matches!(estimate.sequence(), [only]
        if matches!(&only.pattern, MatchPattern::Dictionary(d) if d.dictionary_name == Default::default()));
    if common {
        return Err("Lösenordet är ett av de vanligaste lösenorden och går lätt att gissa. Välj ett annat.".into());
    }
    if (estimate.score() as u8) < 3 {
        return Err(
            "Lösenordet är för lätt att gissa: det bygger på vanliga lösenord, ord eller mönster. Välj till exempel några ord som inte hör ihop."
                .into(),
        );
    }
    Ok(())
}

/// Account names: 1–64 characters of letters, digits and `. _ - @`.
pub fn check_account_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok { Ok(()) } else { Err("Användarnamnet får ha 1–64 tecken: bokstäver, siffror och . _ - @".into()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(role: Role, insatser: &[i64]) -> Account {
        Account { id: 7, name: "x".into(), role, active: true, insats_ids: insatser.to_vec(), has_totp: false }
    }

    #[test]
    fn password_policy() {
        assert!(check_password("kort", "anna").unwrap_err().contains("minst 12"));
        assert!(check_password(&"x".repeat(129), "anna").unwrap_err().contains("högst 128"));
        assert!(check_password("password1234", "anna").unwrap_err().contains("vanligaste"));
        for weak in ["Password1234", "p@ssword1234", "4321drowssap", "qwertyuiop12", "aaaaaaaaaaaa", "anna.andersson1"]
        {
            assert!(check_password(weak, "anna.andersson").is_err(), "{weak}");
        }
        // The demo passwords and the kind of phrase people are told to choose pass.
        for (_, _, pw) in crate::demo::ACCOUNTS {
            assert_eq!(check_password(pw, "x"), Ok(()), "{pw}");
        }
        assert_eq!(check_password("en lång och fin lösenfras", "anna"), Ok(()));
        assert!(check_password("anna.andersson", "anna.andersson").unwrap_err().contains("användarnamnet"));
        // No composition rules: a long phrase of lower-case words is fine.
        assert_eq!(check_password("tre gröna äpplen på bordet", "anna"), Ok(()));
        let long: String = "när solen går ned över vänern tänker jag på kaffe, fåglar och en gammal cykel som står i förrådet hos mormor i degerfors ibland på vintern"
            .chars()
            .take(128)
            .collect();
        assert_eq!(long.chars().count(), 128);
        assert_eq!(check_password(&long, "anna"), Ok(()));
        assert!(check_password(&"å".repeat(128), "anna").is_err(), "one letter repeated is easy to guess");
    }

    #[test]
    fn roles_and_insatser() {
        let coach = account(Role::Coach, &[1]);
        assert!(coach.may_tally(1) && !coach.may_tally(2));
        assert!(coach.may_read_report(1, 2026, 2026) && !coach.may_read_report(1, 2025, 2026));
        assert!(coach.may_void(1, Some(7)) && !coach.may_void(1, Some(8)) && !coach.may_void(1, None));
        assert!(!coach.may_close_year(1) && !coach.is_admin());
        let hm = account(Role::Huvudman, &[1]);
        assert!(!hm.may_tally(1) && hm.may_read_report(1, 2020, 2026) && !hm.may_read_report(2, 2026, 2026));
        assert!(hm.may_void(1, Some(99)) && hm.may_close_year(1) && !hm.may_close_year(2) && !hm.may_reopen_year());
        let chef = account(Role::Forbundschef, &[]);
        assert!(chef.may_tally(5) && chef.may_void(5, None) && chef.may_reopen_year() && chef.is_admin());
        let reader = account(Role::Lasare, &[]);
        assert!(reader.may_read_report(3, 2001, 2026));
        assert!(
            !reader.may_tally(3)
                && !reader.may_see_tallies(3)
                && !reader.may_void(3, None)
                && !reader.may_close_year(3)
        );
    }

    #[test]
    fn account_names() {
        assert!(check_account_name("anna.andersson@karlskoga.se").is_ok());
        assert!(check_account_name("").is_err());
        assert!(check_account_name("anna andersson").is_err());
        assert!(check_account_name(&"a".repeat(65)).is_err());
    }
}
