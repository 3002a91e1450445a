//! Tallies in and out of spreadsheets: the Excel template made from the configuration
//! (`template`), reading an uploaded XLSX or CSV file (`read`), turning its rows into validated
//! tallies with every problem listed by sheet, row and column (`rows`), and the export of a year's
//! tallies in the same layout (`template::export_csv`), so that an export can be imported again.
//!
//! The layout: a header row, then one row per tally, or per group of identical tallies with their
//! number in *Antal*. Columns are *Insats*, *Registrering* (in CSV; in a workbook the sheet's name
//! says the kind), *Månad* (ÅÅÅÅ-MM), one column per question (its label, or its key) and *Antal*.
//! Cells hold the choices' labels (or keys); several choices of a multi-choice question are
//! separated by ";".

pub mod read;
pub mod rows;
pub mod template;

use crate::domain::sensitive;

pub const INSATS: &str = "Insats";
pub const KIND: &str = "Registrering";
pub const MONTH: &str = "Månad";
pub const COUNT: &str = "Antal";
/// The template's first sheet, which the import skips.
pub const INSTRUCTIONS: &str = "Instruktioner";
/// The template's hidden sheet with the drop-down lists, which the import skips.
pub const CHOICES: &str = "Val";
/// Between the choices of a multi-choice question in one cell.
pub const MULTI_SEPARATOR: &str = "; ";

/// Text as matched against labels and keys: normalised (dashes, compatibility forms), lower case,
/// single spaces, no spaces at the ends; "_" read as a space, so a key matches its label's words.
pub fn fold(text: &str) -> String {
    let n = sensitive::normalise(text).to_lowercase().replace('_', " ");
    n.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Shown when a cell looks like a person's name.
pub const NAME_MESSAGE: &str = "Cellen ser ut att innehålla ett namn. Filen får inte innehålla personuppgifter.";

/// Why a cell's text looks like personal data (a personnummer or samordningsnummer, an e-mail
/// address, a phone number, or a name: two to four capitalised words of letters), as a Swedish
/// sentence; `None` if it does not.
pub fn looks_personal(text: &str) -> Option<&'static str> {
    if let Some(m) = sensitive::personal_data(text) {
        return Some(m);
    }
    let n = sensitive::normalise(text);
    let words: Vec<&str> = n.split_whitespace().collect();
    // "Anna", "Karl-Erik", "O'Neil": each part capitalised, the rest lower-case letters.
    let capitalised = |w: &&str| {
        w.chars().count() >= 2
            && w.split(['-', '\'']).all(|part| {
                let mut chars = part.chars();
                chars.next().is_some_and(char::is_uppercase) && chars.all(char::is_lowercase)
            })
    };
    if (2..=4).contains(&words.len()) && words.iter().all(capitalised) {
        return Some(NAME_MESSAGE);
    }
    None
}

/// A sheet name for a kind: its label without the characters Excel refuses (`[]:*?/\`), at most
/// 31 characters.
pub fn sheet_name(label: &str) -> String {
    let clean: String = label.chars().filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\')).collect();
    let mut out = String::new();
    for c in clean.chars() {
        if out.encode_utf16().count() + c.len_utf16() > 31 {
            break;
        }
        out.push(c);
    }
    out.trim_matches(|c: char| c == '\'' || c.is_whitespace()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_identity_numbers_are_recognised_but_choices_are_not() {
        assert_eq!(looks_personal("Anna Svensson"), Some(NAME_MESSAGE));
        assert_eq!(looks_personal("Karl-Erik Öberg"), Some(NAME_MESSAGE));
        assert!(looks_personal("19811218-9876").is_some());
        assert!(looks_personal("anna@example.se").is_some());
        for choice in ["Kvinna", "Ej angivet", "Unga 16–29 år (UVAS)", "2024-03", "Karlskoga", "Studier", "12"] {
            assert_eq!(looks_personal(choice), None, "{choice}");
        }
    }

    #[test]
    fn folding_matches_keys_to_labels() {
        assert_eq!(fold("  Ej   Angivet "), "ej angivet");
        assert_eq!(fold("ej_angivet"), "ej angivet");
        assert_eq!(fold("16–29"), fold("16-29"));
    }

    #[test]
    fn sheet_names_fit_excel() {
        assert_eq!(sheet_name("Enkät (indikatorer)"), "Enkät (indikatorer)");
        assert_eq!(sheet_name("A/B: [c]?"), "AB c");
        assert!(sheet_name(&"x".repeat(40)).chars().count() == 31);
    }
}
