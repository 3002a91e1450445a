//! Staff accounts, roles and what each role may do. Pure rules; the web layer asks these.

use super::{Period, StoredTally};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Tallies for the insatser they belong to; sees their own tallies of this month and last month,
    /// and the current year's report of those insatser.
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
    /// Signs in with the municipality's account (OpenID Connect), never with a password here.
    pub federated: bool,
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
    /// Whether the role ever sees individual tallies or events (a läsare never does).
    pub fn may_see_any_tally(&self) -> bool {
        self.role != Role::Lasare
    }
    /// The lists of individual tallies and the events of an insats (for a coach, only what
    /// `visible_tallies` lets through).
    pub fn may_see_tallies(&self, insats_id: i64) -> bool {
        match self.role {
            Role::Coach | Role::Huvudman => self.works_with(insats_id),
            Role::Forbundschef => true,
            Role::Lasare => false,
        }
    }
    /// One individual tally. Tallies are microdata, so a coach sees only those they registered
    /// themselves, of this month and last month (`now` is the current month): enough to notice
    /// and correct a mistake. The huvudman sees every tally of their insatser, the förbundschef all.
    pub fn may_see_tally(&self, t: &StoredTally, now: Period) -> bool {
        match self.visible_tallies(now) {
            Visible::All => self.may_see_tallies(t.insats_id),
            Visible::Own { author, months } => {
                self.may_see_tallies(t.insats_id) && t.author == Some(author) && months.contains(&t.period)
            }
        }
    }
    /// Which tallies of an insats (one the account may see, `may_see_tallies`) a list shows it.
    pub fn visible_tallies(&self, now: Period) -> Visible {
        match self.role {
            Role::Coach => Visible::Own { author: self.id, months: coach_months(now) },
            Role::Huvudman | Role::Forbundschef | Role::Lasare => Visible::All,
        }
    }
    /// Voiding a tally (the year being open is checked separately): one the account may see
    /// (`may_see_tally`) and may void (`may_void`).
    pub fn may_void_tally(&self, t: &StoredTally, now: Period) -> bool {
        self.may_see_tally(t, now) && self.may_void(t.insats_id, t.author)
    }
    /// The yearly report; a coach sees the current year of their insatser.
    pub fn may_read_report(&self, insats_id: i64, year: i32, current_year: i32) -> bool {
        match self.role {
            Role::Forbundschef | Role::Lasare => true,
            Role::Huvudman => self.works_with(insats_id),
            Role::Coach => self.works_with(insats_id) && year == current_year,
        }
    }
    /// Voiding a tally or an event (the year being open is checked separately): its author, or the
    /// huvudman of the insats, or the förbundschef. For tallies, `may_void_tally` also keeps a
    /// coach to this month and last month.
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

/// The individual tallies a list shows an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visible {
    /// Every tally of the insats.
    All,
    /// Only those registered by `author`, with a period within `months`.
    Own { author: i64, months: std::ops::RangeInclusive<Period> },
}

impl Visible {
    /// The months of a list of the account's own tallies; `None` when it shows every tally.
    pub fn own_months(&self) -> Option<std::ops::RangeInclusive<Period>> {
        match self {
            Visible::All => None,
            Visible::Own { months, .. } => Some(months.clone()),
        }
    }
}

/// The months whose own tallies a coach sees and may void: last month and this month.
pub fn coach_months(now: Period) -> std::ops::RangeInclusive<Period> {
    now.previous()..=now
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
    if !ok {
        return Err("Användarnamnet får ha 1–64 tecken: bokstäver, siffror och . _ - @".into());
    }
    // A staff member's e-mail address is a fine account name; their personnummer or phone is not.
    if super::sensitive::identity_or_phone(name) {
        return Err("Användarnamnet ser ut att innehålla ett personnummer eller telefonnummer. Välj ett annat.".into());
    }
    Ok(())
}

/// A token's label: 1–80 characters on one line, nothing that looks like personal data.
pub fn check_token_label(label: &str) -> Result<(), String> {
    if label.trim().is_empty() || label.chars().count() > 80 {
        return Err("Ge nyckeln ett namn (högst 80 tecken).".into());
    }
    match super::sensitive::free_text(label) {
        Some(m) => Err(m.into()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(role: Role, insatser: &[i64]) -> Account {
        Account {
            id: 7,
            name: "x".into(),
            role,
            active: true,
            insats_ids: insatser.to_vec(),
            has_totp: false,
            federated: false,
        }
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
    fn coaches_see_and_void_only_their_own_tallies_of_this_month_and_last() {
        let now = Period::new(2026, 1).unwrap();
        let tally = |author: Option<i64>, year: i32, month: u32| StoredTally {
            id: 1,
            insats_id: 1,
            kind_id: 1,
            period: Period::new(year, month).unwrap(),
            values: Vec::new(),
            void_reason: None,
            author,
        };
        let coach = account(Role::Coach, &[1]);
        // This month and last month (across the turn of the year), registered by the coach.
        for t in [tally(Some(7), 2026, 1), tally(Some(7), 2025, 12)] {
            assert!(coach.may_see_tally(&t, now) && coach.may_void_tally(&t, now), "{:?}", t.period);
        }
        // Older, by someone else, by no one (demo data), or of another insats: neither.
        let other_insats = StoredTally { insats_id: 2, ..tally(Some(7), 2026, 1) };
        for t in [tally(Some(7), 2025, 11), tally(Some(8), 2026, 1), tally(None, 2026, 1), other_insats] {
            assert!(!coach.may_see_tally(&t, now) && !coach.may_void_tally(&t, now), "{t:?}");
        }
        let months = coach_months(now);
        assert_eq!(coach.visible_tallies(now), Visible::Own { author: 7, months });
        // The huvudman and the förbundschef see and void every tally of any month; a läsare none.
        let old = tally(Some(8), 2021, 3);
        let hm = account(Role::Huvudman, &[1]);
        assert!(hm.may_see_tally(&old, now) && hm.may_void_tally(&old, now) && hm.visible_tallies(now) == Visible::All);
        let chef = account(Role::Forbundschef, &[]);
        assert!(chef.may_see_tally(&old, now) && chef.may_void_tally(&old, now));
        let reader = account(Role::Lasare, &[]);
        assert!(!reader.may_see_any_tally() && !reader.may_see_tally(&old, now) && !reader.may_void_tally(&old, now));
        assert!(coach.may_see_any_tally() && hm.may_see_any_tally() && chef.may_see_any_tally());
    }

    #[test]
    fn account_names() {
        assert!(check_account_name("anna.andersson@karlskoga.se").is_ok());
        assert!(check_account_name("").is_err());
        assert!(check_account_name("anna andersson").is_err());
        assert!(check_account_name(&"a".repeat(65)).is_err());
    }
}
