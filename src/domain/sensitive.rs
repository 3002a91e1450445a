//! A guard for short free-text fields (the name of a structural event, its organiser, goal and
//! value labels, account names, token labels): such text must not carry personal data.
//! `personal_data` looks for a personnummer or samordningsnummer, an e-mail address and a phone
//! number, with a small hand-written scanner over the text's chars, after normalising it (Unicode
//! NFKC, format characters such as zero-width spaces removed, every kind of dash made '-') so that
//! fullwidth digits, U+2212 or U+2011 as dashes and invisible characters do not hide a number.
//! `free_text` also refuses control characters and bidirectional overrides.
//!
//! The checks are deliberately generous (a false refusal costs the user a retyped name; a false
//! acceptance stores personal data), but they must let ordinary names through: years, week
//! numbers, dates, visitor counts and organisation numbers.

/// Shown when the text contains something that looks like a personnummer or samordningsnummer.
pub const PERSONAL_NUMBER_MESSAGE: &str = "Texten ser ut att innehålla ett personnummer. Skriv inga personuppgifter.";
/// Shown when the text contains something that looks like an e-mail address.
pub const EMAIL_MESSAGE: &str = "Texten ser ut att innehålla en e-postadress. Skriv inga personuppgifter.";
/// Shown when the text contains something that looks like a phone number.
pub const PHONE_MESSAGE: &str = "Texten ser ut att innehålla ett telefonnummer. Skriv inga personuppgifter.";

/// Shown when the text holds a control character (a line break, a tab, NUL) or a character that
/// reorders text (a bidirectional override or isolate).
pub const CONTROL_MESSAGE: &str =
    "Texten innehåller osynliga styrtecken eller radbrytningar. Skriv den på en rad med vanliga tecken.";

/// Why a one-line free text typed by a person is refused, as a Swedish sentence fit to show next
/// to the field: control or bidirectional-override characters, or something that looks like
/// personal data. `None`: the text may be stored.
pub fn free_text(text: &str) -> Option<&'static str> {
    if text.chars().any(is_forbidden_char) { Some(CONTROL_MESSAGE) } else { personal_data(text) }
}

/// Control characters (C0, DEL, C1), the line and paragraph separators U+2028 and U+2029, and the
/// characters that override or isolate the direction
/// of text (U+202A–U+202E, U+2066–U+2069): they can make a stored text read differently from what
/// is shown, or break a CSV line.
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The text as the checks read it: NFKC (fullwidth and other compatibility digits become ASCII),
/// every decimal digit of any script as its ASCII digit, without format characters (zero-width
/// spaces and joiners, soft hyphens, direction marks), combining marks (U+034F, variation
/// selectors, the keycap) and blank fillers (U+115F, U+1160, U+3164, U+FFA0, U+2800), and with
/// every dash or minus sign as '-'.
pub fn normalise(text: &str) -> String {
    use unicode_general_category::{GeneralCategory as G, get_general_category};
    use unicode_normalization::UnicodeNormalization;
    text.nfkc()
        .filter(|&c| {
            !matches!(get_general_category(c), G::Format | G::NonspacingMark | G::EnclosingMark | G::SpacingMark)
                && !matches!(c, '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{2800}')
        })
        .map(|c| match get_general_category(c) {
            G::DashPunctuation => '-',
            G::DecimalNumber if !c.is_ascii_digit() => ascii_digit(c),
            _ if c == '\u{2212}' => '-',
            _ => c,
        })
        .collect()
}

/// The ASCII digit of a decimal digit of any script: Unicode keeps each script's digits 0–9 in
/// one contiguous run of code points (the mathematical digits in five runs back to back), so the
/// value is the distance from the start of the run, modulo 10.
fn ascii_digit(c: char) -> char {
    use unicode_general_category::{GeneralCategory, get_general_category};
    let mut start = c as u32;
    while let Some(prev) = start.checked_sub(1).and_then(char::from_u32) {
        if get_general_category(prev) != GeneralCategory::DecimalNumber {
            break;
        }
        start -= 1;
    }
    char::from_digit((c as u32 - start) % 10, 10).unwrap_or(c)
}

/// Whether the text holds something that looks like a personnummer, samordningsnummer or phone
/// number (what an account name may not be; an e-mail address is allowed there).
pub fn identity_or_phone(text: &str) -> bool {
    let chars: Vec<char> = normalise(text).chars().collect();
    contains_personal_number(&chars) || contains_phone_number(&chars)
}

/// Why a text was refused, as a Swedish sentence fit to show next to the field.
///
/// `None` means nothing in the text looks like personal data. The personnummer check runs before
/// the phone check, so a valid personnummer that starts with 0 is reported as a personnummer.
pub fn personal_data(text: &str) -> Option<&'static str> {
    let chars: Vec<char> = normalise(text).chars().collect();
    if contains_personal_number(&chars) {
        Some(PERSONAL_NUMBER_MESSAGE)
    } else if contains_email(&chars) {
        Some(EMAIL_MESSAGE)
    } else if contains_phone_number(&chars) {
        Some(PHONE_MESSAGE)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Personnummer and samordningsnummer
// ---------------------------------------------------------------------------------------------

/// The maximal runs of ASCII digits in `chars`, as half-open index ranges `(start, end)`.
///
/// Working on maximal runs means a ten-digit number is never found inside a longer run of
/// digits: "11212121212" is one eleven-digit run, not "1212121212" with a stray 1 in front.
fn digit_groups(chars: &[char]) -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            groups.push((start, i));
        } else {
            i += 1;
        }
    }
    groups
}

/// Whether `chars` holds a Luhn-valid personnummer or samordningsnummer with a plausible date.
///
/// Accepted shapes, each made of maximal digit runs joined by separators (see `is_separator_gap`):
/// - a standalone run of 10 digits (`YYMMDDNNNC`) or 12 digits (`YYYYMMDDNNNC`);
/// - a date part of 6 or 8 digits written as one run, as `YY MM DD` or as `YYYY MM DD`, then a
///   run of 4 digits: "121212-1212", "19121212 - 1212", "1912 12 12-1212", "121212--1212",
///   "12.12.12/1212".
fn contains_personal_number(chars: &[char]) -> bool {
    let groups = digit_groups(chars);
    let joined = |runs: &[(usize, usize)]| -> bool {
        runs.windows(2).all(|w| is_separator_gap(&chars[w[0].1..w[1].0]))
            && is_personal_number(&runs.iter().flat_map(|&(a, b)| chars[a..b].iter().copied()).collect::<Vec<_>>())
    };
    let len = |&(a, b): &(usize, usize)| b - a;
    groups.iter().enumerate().any(|(k, run)| {
        if matches!(len(run), 10 | 12) && is_personal_number(&chars[run.0..run.1]) {
            return true;
        }
        // `run` as the last four digits, after a date part of one or three runs.
        len(run) == 4
            && [&[6][..], &[8], &[2, 2, 2], &[4, 2, 2]].iter().any(|shape| {
                k >= shape.len() && {
                    let date = &groups[k - shape.len()..k];
                    date.iter().map(len).eq(shape.iter().copied()) && joined(&groups[k - shape.len()..=k])
                }
            })
    })
}

/// Whether the text between two digit runs of a personnummer is a separator: one to three
/// characters that are neither letters nor digits (`-`, `/`, `_`, `.`, `,`, spaces, blanks of any
/// kind, …).
fn is_separator_gap(gap: &[char]) -> bool {
    (1..=3).contains(&gap.len()) && gap.iter().all(|c| !c.is_alphanumeric())
}

/// Whether 10 or 12 ASCII digits form a personnummer or samordningsnummer: a plausible date
/// (month 01–12; day 01–31, or 61–91 for a samordningsnummer, whose day is the birth day + 60)
/// and a valid Luhn check digit. For 12 digits the century must be 18, 19 or 20 and is left out
/// of the Luhn sum, which is always taken over the 10-digit form.
fn is_personal_number(digits: &[char]) -> bool {
    let Some(all): Option<Vec<u32>> = digits.iter().map(|c| c.to_digit(10)).collect() else {
        return false;
    };
    let short = match all.len() {
        10 => &all[..],
        12 if (18..=20).contains(&(all[0] * 10 + all[1])) => &all[2..],
        _ => return false,
    };
    let month = short[2] * 10 + short[3];
    let day = short[4] * 10 + short[5];
    (1..=12).contains(&month) && ((1..=31).contains(&day) || (61..=91).contains(&day)) && luhn_valid(short)
}

/// The Luhn (mod 10) check used by Swedish personnummer: the first nine digits are weighted
/// 2, 1, 2, 1, … ; the digit sums of the products are added, and the tenth digit must bring the
/// total up to a multiple of ten.
fn luhn_valid(ten: &[u32]) -> bool {
    let sum: u32 = ten[..9]
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let product = if i % 2 == 0 { d * 2 } else { d };
            product / 10 + product % 10
        })
        .sum();
    (10 - sum % 10) % 10 == ten[9]
}

// ---------------------------------------------------------------------------------------------
// E-mail addresses
// ---------------------------------------------------------------------------------------------

/// Whether some '@' has a non-space character right before it and, after it, a run of non-space
/// characters (the domain) with a dot that is neither its first nor its last character. Trailing
/// punctuation ("info@x.se.", "(info@x.se)") is not counted as part of the domain.
fn contains_email(chars: &[char]) -> bool {
    chars.iter().enumerate().filter(|&(_, &c)| c == '@').any(|(at, _)| {
        let has_local_part = at > 0 && !chars[at - 1].is_whitespace();
        let mut domain: &[char] = &chars[at + 1..];
        if let Some(space) = domain.iter().position(|c| c.is_whitespace()) {
            domain = &domain[..space];
        }
        while let [rest @ .., last] = domain {
            if !matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '}' | '>' | '"' | '\'') {
                break;
            }
            domain = rest;
        }
        has_local_part && domain.iter().skip(1).any(|&c| c == '.')
    })
}

// ---------------------------------------------------------------------------------------------
// Phone numbers
// ---------------------------------------------------------------------------------------------

/// How many digits a number must have, after the trunk prefix 0 or the country code +46 / 0046,
/// to count as a phone number. Swedish subscriber numbers with area code have 7–9 such digits.
const MIN_PHONE_DIGITS: usize = 7;

/// Whether the text holds a run that starts with '+' or '0' and is made of digits with small
/// gaps (spaces, one dash, parentheses) between them, with at least `MIN_PHONE_DIGITS` digits
/// once the prefix is dropped: "070-123 45 67", "+46 (0)70 123 45 67", "0046701234567".
fn contains_phone_number(chars: &[char]) -> bool {
    (0..chars.len()).any(|start| {
        phone_digits_from(chars, start)
            .is_some_and(|(international, digits)| national_digit_count(international, &digits) >= MIN_PHONE_DIGITS)
    })
}

/// If a phone number can start at `start`, its digits (without the '+') and whether it began
/// with '+'. A number starts at '+' followed by a digit, or at '0', and only where a new token
/// begins: not right after a letter or digit ("2026", "A0"), nor after '-', '.', ',', '/' or '+',
/// which would make it the tail of a date, decimal or other number ("2026-03-15", "1,05").
fn phone_digits_from(chars: &[char], start: usize) -> Option<(bool, String)> {
    let international = match chars[start] {
        '+' if chars.get(start + 1).is_some_and(|c| c.is_ascii_digit()) => true,
        '0' => false,
        _ => return None,
    };
    let before = start.checked_sub(1).map(|i| chars[i]);
    if before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '-' | '\u{2013}' | '.' | ',' | '/' | '+')) {
        return None;
    }

    let mut digits = String::new();
    let mut i = if international { start + 1 } else { start };
    loop {
        // A run of digits.
        while let Some(&c) = chars.get(i).filter(|c| c.is_ascii_digit()) {
            digits.push(c);
            i += 1;
        }
        // A gap, which only counts if it is small and followed by more digits. At most three
        // characters (") (", " - ") and at most one dash keep two separate numbers written with a
        // spaced dash between them ("2026-03-15 - 2026-03-17") from being read as one.
        let gap_start = i;
        let mut dashes = 0;
        while let Some(&c) = chars.get(i) {
            if c.is_whitespace() || c == '(' || c == ')' {
                i += 1;
            } else if c == '-' || c == '\u{2013}' {
                dashes += 1;
                i += 1;
            } else {
                break;
            }
        }
        let gap_ok = i > gap_start && i - gap_start <= 3 && dashes <= 1;
        if !gap_ok || !chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
            break;
        }
    }
    Some((international, digits))
}

/// The number of digits left once the prefixes are dropped: the international prefix 00 (or the
/// '+' already left out), the Swedish country code 46, and a trunk 0 (also written "(0)").
fn national_digit_count(international: bool, digits: &str) -> usize {
    let mut rest = digits;
    let international = if !international && rest.starts_with("00") {
        rest = &rest[2..];
        true
    } else {
        international
    };
    if international {
        rest = rest.strip_prefix("46").unwrap_or(rest);
    }
    rest = rest.strip_prefix('0').unwrap_or(rest);
    rest.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `first_nine` digits followed by the Luhn check digit that makes them valid.
    fn with_check_digit(first_nine: &str) -> String {
        assert_eq!(first_nine.len(), 9);
        for check in 0..10 {
            let candidate = format!("{first_nine}{check}");
            let digits: Vec<u32> = candidate.chars().map(|c| c.to_digit(10).unwrap()).collect();
            if luhn_valid(&digits) {
                return candidate;
            }
        }
        unreachable!("one check digit always fits")
    }

    /// The same ten digits with the check digit off by one, so the Luhn check fails.
    fn with_wrong_check_digit(first_nine: &str) -> String {
        let valid = with_check_digit(first_nine);
        let check = valid[9..].parse::<u32>().unwrap();
        format!("{first_nine}{}", (check + 1) % 10)
    }

    /// Every written form of a 10-digit number `ten`, with `century` for the 12-digit ones.
    fn all_forms(century: &str, ten: &str) -> Vec<String> {
        let (date, last) = ten.split_at(6);
        vec![
            ten.to_string(),
            format!("{date}-{last}"),
            format!("{date}+{last}"),
            format!("{date} - {last}"),
            format!("{date} {last}"),
            format!("{date}\u{2013}{last}"),
            format!("{century}{ten}"),
            format!("{century}{date}-{last}"),
            format!("{century}{date} -{last}"),
        ]
    }

    fn assert_refused_as(texts: &[&str], message: &str) {
        for text in texts {
            assert_eq!(personal_data(text), Some(message), "{text:?}");
        }
    }

    #[test]
    fn luhn_check_digits() {
        assert!(luhn_valid(&[1, 2, 1, 2, 1, 2, 1, 2, 1, 2]));
        assert!(!luhn_valid(&[1, 2, 1, 2, 1, 2, 1, 2, 1, 3]));
        assert_eq!(with_check_digit("811218987"), "8112189876");
    }

    #[test]
    fn the_well_known_test_number_in_every_form() {
        assert_refused_as(
            &["19121212-1212", "121212-1212", "1212121212", "191212121212", "121212+1212", "19121212 - 1212"],
            PERSONAL_NUMBER_MESSAGE,
        );
    }

    #[test]
    fn generated_personal_numbers_in_every_form_and_in_context() {
        for first_nine in ["811218987", "900101123", "450630555", "011231999", "770228010", "991001876"] {
            let century = if first_nine.starts_with('0') { "20" } else { "19" };
            for form in all_forms(century, &with_check_digit(first_nine)) {
                assert_eq!(personal_data(&form), Some(PERSONAL_NUMBER_MESSAGE), "{form:?}");
                for text in [format!("Anmälan: {form}, tack"), format!("({form})"), format!("Kalle {form}")] {
                    assert_eq!(personal_data(&text), Some(PERSONAL_NUMBER_MESSAGE), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn samordningsnummer_have_day_plus_sixty() {
        for first_nine in ["701063238", "850761001", "020391234", "991161999"] {
            let century = if first_nine.starts_with('0') { "20" } else { "19" };
            for form in all_forms(century, &with_check_digit(first_nine)) {
                assert_eq!(personal_data(&form), Some(PERSONAL_NUMBER_MESSAGE), "{form:?}");
            }
        }
    }

    #[test]
    fn luhn_invalid_numbers_pass() {
        for first_nine in ["121212121", "811218987", "701063238", "450630555"] {
            for form in all_forms("19", &with_wrong_check_digit(first_nine)) {
                assert_eq!(personal_data(&form), None, "{form:?}");
            }
        }
    }

    #[test]
    fn implausible_dates_pass_even_with_a_valid_check_digit() {
        for first_nine in [
            "811318987", // month 13
            "810018987", // month 00
            "811200987", // day 00
            "811232987", // day 32
            "811260987", // day 60
            "811292987", // day 92
            "202100211", // month 21: an organisation number shape
        ] {
            for form in all_forms("19", &with_check_digit(first_nine)) {
                assert_eq!(personal_data(&form), None, "{form:?}");
            }
        }
        // A 12-digit number outside the centuries 18–20.
        assert_eq!(personal_data("251212121212"), None);
    }

    #[test]
    fn digits_inside_longer_runs_are_not_personal_numbers() {
        for text in [
            "11212121212",     // 11 digits containing 1212121212
            "12121212121212",  // 14 digits
            "1912121212120",   // 13 digits
            "121212-12120",    // five digits after the dash
            "1121212-1212",    // seven digits before the dash
            "121212 - - 1212", // a gap of more than three characters
            "12 1212-1212",    // a date part of two runs
        ] {
            assert_eq!(personal_data(text), None, "{text:?}");
        }
    }

    #[test]
    fn disguised_personal_numbers_are_found() {
        assert_refused_as(
            &[
                "121212--1212",
                "121212  1212",
                "121212/1212",
                "121212_1212",
                "121212.1212",
                "1912 12 12-1212",
                "12 12 12-1212",
                "12.12.12 1212",
                "1912-12-12-1212",
                "19121212\u{2212}1212", // minus sign
                "19121212\u{2011}1212", // non-breaking hyphen
                "19121212\u{2014}1212", // em dash
                "\u{FF11}\u{FF19}\u{FF11}\u{FF12}\u{FF11}\u{FF12}\u{FF11}\u{FF12}-\u{FF11}\u{FF12}\u{FF11}\u{FF12}", // fullwidth
                "1912\u{200B}1212-1212", // zero-width space
                "19121212\u{00AD}1212",  // soft hyphen
                "Anställning 19121212-1212",
                "121212,1212",
                "1912\u{034F}1212-1212",         // combining grapheme joiner
                "1\u{FE0F}\u{20E3}9121212-1212", // keycap
                "\u{661}\u{669}\u{661}\u{662}\u{661}\u{662}\u{661}\u{662}-\u{661}\u{662}\u{661}\u{662}", // Arabic-Indic digits
                "\u{967}\u{96F}\u{967}\u{968}\u{967}\u{968}\u{967}\u{968}-\u{967}\u{968}\u{967}\u{968}", // Devanagari digits
                "19121212\u{2800}1212", // braille blank
                "19121212\u{3164}1212", // Hangul filler
                "\u{1D7CF}\u{1D7D7}\u{1D7CF}\u{1D7D0}\u{1D7CF}\u{1D7D0}\u{1D7CF}\u{1D7D0}-1212", // mathematical bold digits
            ],
            PERSONAL_NUMBER_MESSAGE,
        );
    }

    #[test]
    fn phone_numbers_with_other_dashes_and_digits_are_found() {
        assert_refused_as(
            &["070\u{2011}123 45 67", "070\u{2212}1234567", "\u{FF10}\u{FF17}\u{FF10}-123 45 67", "07\u{200B}01234567"],
            PHONE_MESSAGE,
        );
    }

    #[test]
    fn ordinary_labels_with_numbers_and_dates_pass() {
        for text in [
            "Anställning",
            "Studier 2026",
            "Mässa 2026-03-15 10.00–12.00",
            "Vecka 12, 2026",
            "Psykiatriveckan v. 41 2025",
            "Uppföljning 2019–2026",
            "Org.nr 202100-2114",
            "Minst 85 % inom 30 dagar",
            "1–3 år",
            "16–19 år",
        ] {
            assert_eq!(free_text(text), None, "{text:?}");
        }
    }

    #[test]
    fn control_and_direction_characters_are_refused() {
        for text in
            ["a\nb", "a\rb", "a\tb", "a\u{0}b", "a\u{7f}b", "a\u{85}b", "a\u{202E}b", "a\u{2066}b", "a\u{2069}b"]
        {
            assert_eq!(free_text(text), Some(CONTROL_MESSAGE), "{text:?}");
        }
        assert_eq!(free_text("Anställning 19121212-1212"), Some(PERSONAL_NUMBER_MESSAGE));
    }

    #[test]
    fn a_personal_number_starting_with_zero_is_not_called_a_phone_number() {
        assert_refused_as(&["0101011237", "010101-1237", "20010101-1237"], PERSONAL_NUMBER_MESSAGE);
        // With a wrong check digit it still looks like a phone number.
        assert_refused_as(&["0101011234"], PHONE_MESSAGE);
    }

    #[test]
    fn email_addresses() {
        assert_refused_as(
            &[
                "kalle@example.se",
                "Kontakt: anna.svensson@regionorebrolan.se.",
                "Frågor till info@kanonverkstan.nu, tack",
                "(info@finsam.se)",
                "åsa.öberg@örebro.se",
                "a@b.c",
                "Region Örebro län <registrator@regionorebrolan.se>",
            ],
            EMAIL_MESSAGE,
        );
    }

    #[test]
    fn at_signs_that_are_not_email_addresses_pass() {
        for text in ["Fika @ Kanonverkstan", "@finsam.se", "Kalle@hemma", "Träff @home.se", "a@.se", "a@se.", "@"] {
            assert_eq!(personal_data(text), None, "{text:?}");
        }
    }

    #[test]
    fn phone_numbers() {
        assert_refused_as(
            &[
                "070-123 45 67",
                "0701234567",
                "+46 70 123 45 67",
                "+46701234567",
                "+46 (0)70-123 45 67",
                "019-21 00 00",
                "08-123 456 78",
                "0046701234567",
                "0046 70 123 45 67",
                "(070) 123 45 67",
                "070 - 123 45 67",
                "Ring 070-123 45 67 för info",
                "Finsammässan 2026, tel:019-602 10 00",
                "Mässa 2026 0701234567",
                "+47 22 12 34 56",
            ],
            PHONE_MESSAGE,
        );
    }

    #[test]
    fn innocent_event_names_and_organisers_pass() {
        for text in [
            "",
            "   ",
            "Finsammässan 2026",
            "Finsammässan 2026-03",
            "Vecka 12",
            "v. 12",
            "v.12 2026",
            "170 besökare",
            "2026-03",
            "2026-03-15",
            "15/3 2026",
            "2026-03-15 - 2026-03-17",
            "2026-03-15 – 2026-03-17",
            "Kanonverkstan 2",
            "Psykiatriveckan",
            "Jobbmässa 150 besökare och 33 företag",
            "Region Örebro län",
            "Arbetsförmedlingen",
            "Arbetsförmedlingen, org.nr 202100-2114",
            "Försäkringskassan",
            "Åsa-Nisse-dagen i Älvsjö",
            "Öppet hus 10.00–15.00",
            "Frukostmöte kl. 08.30",
            "Föreläsning 0 kr",
            "Mässa med 1 000 000 kr i budget",
            "Samverkansdag 2026 (vår)",
            "Kurs 18+ för unga vuxna",
            "Idrott 0-18 år",
            "Finsam 2025/2026",
            "Rapport 1,05 miljoner",
        ] {
            assert_eq!(personal_data(text), None, "{text:?}");
        }
    }

    #[test]
    fn the_national_digit_count_drops_prefixes() {
        assert_eq!(national_digit_count(false, "0701234567"), 9);
        assert_eq!(national_digit_count(true, "46701234567"), 9);
        assert_eq!(national_digit_count(true, "460701234567"), 9);
        assert_eq!(national_digit_count(false, "0046701234567"), 9);
        assert_eq!(national_digit_count(false, "019210000"), 8);
    }
}
