//! The rows of an uploaded file turned into validated tallies, or into a list of problems, each
//! tied to its sheet, row and column. Every cell of every sheet is checked for personal data;
//! no problem repeats a cell that might hold any.

use super::read::{Sheet, column_letters, safe_name};
use super::{CHOICES, COUNT, INSATS, INSTRUCTIONS, KIND, MONTH, fold, looks_personal, sheet_name};
use crate::domain::{Config, Dimension, Kind, NewTally, Period, RawTally, Shape, tally};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The most problems listed; the rest are counted.
pub const MAX_PROBLEMS: usize = 500;
/// The largest *Antal* of one row.
pub const MAX_COUNT: u32 = 10_000;
/// The most tallies one import may hold.
pub const MAX_TALLIES: u64 = 1_000_000;

/// One problem, in Swedish, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// The sheet's name (empty for a CSV file).
    pub sheet: String,
    /// 1-based, as Excel numbers rows (0: the whole sheet or file).
    pub row: usize,
    /// The column, as Excel names it and with its heading: "C (Kön)" (empty: the whole row).
    pub column: String,
    pub message: String,
}

/// What a file holds: its tallies (each with its *Antal*) and what is wrong with it.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Data rows read (header rows and empty rows not counted).
    pub rows: usize,
    pub tallies: Vec<(NewTally, u32)>,
    pub problems: Vec<Problem>,
    /// Problems found beyond the listed `MAX_PROBLEMS`.
    pub more_problems: usize,
    /// Tallies per (insats id, kind id, month).
    pub summary: BTreeMap<(i64, i64, Period), u64>,
}

impl Parsed {
    pub fn total(&self) -> u64 {
        self.summary.values().sum()
    }
    fn problem(&mut self, sheet: &str, row: usize, column: String, message: impl Into<String>) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem { sheet: safe_name(sheet), row, column, message: message.into() });
        } else {
            self.more_problems += 1;
        }
    }
    pub fn ok(&self) -> bool {
        self.problems.is_empty() && self.more_problems == 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Insats,
    Kind,
    Month,
    Count,
    Dimension(usize),
    Ignored,
}

/// Lookups built once per file: folded label or key → index or key.
struct Lookup<'a> {
    config: &'a Config,
    insatser: HashMap<String, &'a str>,
    kinds: HashMap<String, &'a Kind>,
    sheets: HashMap<String, &'a Kind>,
    dimensions: HashMap<String, usize>,
    values: Vec<HashMap<String, &'a str>>,
}

impl<'a> Lookup<'a> {
    fn new(config: &'a Config) -> Lookup<'a> {
        let mut insatser = HashMap::new();
        for i in &config.insatser {
            insatser.insert(fold(&i.label), i.key.as_str());
            insatser.insert(fold(&i.key), i.key.as_str());
        }
        let mut kinds = HashMap::new();
        let mut sheets = HashMap::new();
        for k in config.kinds.iter().filter(|k| k.shape == Shape::Tally) {
            kinds.insert(fold(&k.label), k);
            kinds.insert(fold(&k.key), k);
            sheets.insert(fold(&sheet_name(&k.label)), k);
        }
        let mut dimensions = HashMap::new();
        let mut values = Vec::new();
        for (i, d) in config.dimensions.iter().enumerate() {
            dimensions.insert(fold(&d.label), i);
            dimensions.insert(fold(&d.key), i);
            let mut v = HashMap::new();
            for value in &d.values {
                v.insert(fold(&value.label), value.key.as_str());
                v.insert(fold(&value.key), value.key.as_str());
            }
            values.push(v);
        }
        Lookup { config, insatser, kinds, sheets, dimensions, values }
    }
}

/// Reads "2024-03", "2024-3", "2024-03-15" (the day is dropped) or "mars 2024" as a month.
pub fn parse_month(text: &str) -> Option<Period> {
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
    let t = fold(text);
    let mut parts = t.split(['-', '/', ' ', 'T', 't']);
    let a = parts.next()?;
    let b = parts.next()?;
    if a.len() == 4 && a.bytes().all(|c| c.is_ascii_digit()) && (1..=2).contains(&b.len()) {
        return Period::new(a.parse().ok()?, b.parse().ok()?);
    }
    let month = MONTHS.iter().position(|m| a.starts_with(m))? as u32 + 1;
    (b.len() == 4).then(|| Period::new(b.parse().ok()?, month)).flatten()
}

/// Turns the sheets of a file into tallies. `closed(insats id, year)` names the closed year that a
/// tally of that year would change; `progress(done, total)` is called every few thousand rows.
pub fn parse(
    config: &Config,
    sheets: &[Sheet],
    now: Period,
    closed: &dyn Fn(i64, i32) -> Option<i32>,
    progress: &dyn Fn(usize, usize),
) -> Parsed {
    let lookup = Lookup::new(config);
    let mut out = Parsed::default();
    let total_rows: usize = sheets.iter().map(|s| s.rows.len()).sum();
    let mut done = 0;
    let mut tallies: u64 = 0;
    for sheet in sheets {
        // Personal data anywhere, even in a sheet that is skipped, stops the import.
        // Progress: each row counts half when scanned and half when read as a tally.
        for (r, row) in sheet.rows.iter().enumerate() {
            if r % 1000 == 0 {
                progress(done + r / 2, total_rows);
            }
            for (c, cell) in row.iter().enumerate() {
                if let Some(m) = crate::domain::sensitive::personal_data(cell) {
                    out.problem(&sheet.name, r + 1, column_letters(c), m);
                }
            }
        }
        let skipped = [INSTRUCTIONS, CHOICES].iter().any(|n| fold(n) == fold(&sheet.name));
        if skipped || sheet.rows.iter().all(|r| r.iter().all(|c| c.trim().is_empty())) {
            done += sheet.rows.len();
            continue;
        }
        let half = sheet.rows.len() / 2;
        let at = |r: usize| progress(done + half + r / 2, total_rows);
        parse_sheet(&lookup, sheet, now, closed, &mut out, &mut tallies, &at);
        done += sheet.rows.len();
        progress(done, total_rows);
    }
    if tallies > MAX_TALLIES {
        out.problem(
            "",
            0,
            String::new(),
            format!("Filen ger {tallies} registreringar; högst {MAX_TALLIES} tas emot i en import. Dela upp den."),
        );
    }
    if out.ok() && out.rows == 0 {
        out.problem("", 0, String::new(), "Filen innehåller inga registreringar.");
    }
    if !out.ok() {
        out.tallies.clear();
        out.summary.clear();
    }
    out
}

fn parse_sheet(
    lookup: &Lookup,
    sheet: &Sheet,
    now: Period,
    closed: &dyn Fn(i64, i32) -> Option<i32>,
    out: &mut Parsed,
    tallies: &mut u64,
    progress: &dyn Fn(usize),
) {
    let config = lookup.config;
    let Some(header_at) = sheet.rows.iter().position(|r| r.iter().any(|c| !c.trim().is_empty())) else { return };
    let header = &sheet.rows[header_at];
    let mut columns = Vec::with_capacity(header.len());
    let mut heading: Vec<String> = Vec::with_capacity(header.len());
    for (c, text) in header.iter().enumerate() {
        let f = fold(text);
        let column = if f.is_empty() {
            Column::Ignored
        } else if f == fold(INSATS) {
            Column::Insats
        } else if f == fold(KIND) {
            Column::Kind
        } else if f == fold(MONTH) {
            Column::Month
        } else if f == fold(COUNT) {
            Column::Count
        } else if let Some(&d) = lookup.dimensions.get(&f) {
            Column::Dimension(d)
        } else {
            let shown = if looks_personal(text).is_some() { String::new() } else { format!(" ”{}”", text.trim()) };
            out.problem(
                &sheet.name,
                header_at + 1,
                column_letters(c),
                format!("Okänd kolumn{shown}. Använd rubrikerna i Pinnes mall; ta bort kolumner som inte hör dit."),
            );
            Column::Ignored
        };
        if column != Column::Ignored && columns.contains(&column) {
            out.problem(&sheet.name, header_at + 1, column_letters(c), "Kolumnen finns två gånger.");
        }
        columns.push(column);
        heading.push(format!("{} ({})", column_letters(c), text.trim()));
    }
    let sheet_kind = lookup.sheets.get(&fold(&sheet.name)).or_else(|| lookup.kinds.get(&fold(&sheet.name))).copied();
    let has = |col: Column| columns.contains(&col);
    if !has(Column::Kind) && sheet_kind.is_none() {
        let what = if sheet.name.is_empty() {
            "Filen".to_string()
        } else {
            format!("Bladet ”{}”", safe_name(&sheet.name))
        };
        out.problem(&sheet.name, header_at + 1, String::new(), format!(
            "{what} säger inte vad som registreras: lägg till kolumnen {KIND} eller ge bladet namnet på en registreringstyp."
        ));
        return;
    }
    for (name, col) in [(INSATS, Column::Insats), (MONTH, Column::Month)] {
        if !has(col) {
            out.problem(&sheet.name, header_at + 1, String::new(), format!("Kolumnen {name} saknas."));
        }
    }
    // A sheet of one kind without a column its kind requires: said once, not on every row.
    if let (Some(k), false) = (sheet_kind, has(Column::Kind)) {
        for kd in k.dimensions.iter().filter(|kd| kd.required) {
            let Some(d) = config.dimensions.iter().position(|d| d.id == kd.dimension_id && !d.retired) else {
                continue;
            };
            if !has(Column::Dimension(d)) {
                out.problem(
                    &sheet.name,
                    header_at + 1,
                    String::new(),
                    format!(
                        "Kolumnen {} saknas: den krävs vid {}.",
                        config.dimensions[d].label,
                        k.label.to_lowercase()
                    ),
                );
            }
        }
    }
    if !out.ok() && out.problems.iter().any(|p| p.row == header_at + 1 && p.sheet == safe_name(&sheet.name)) {
        return;
    }
    let col_of = |col: Column| columns.iter().position(|c| *c == col);
    let where_dim = |key: &str| -> String {
        config
            .dimensions
            .iter()
            .position(|d| d.key == key)
            .and_then(|d| col_of(Column::Dimension(d)))
            .map(|c| heading[c].clone())
            .unwrap_or_default()
    };

    for (r, row) in sheet.rows.iter().enumerate().skip(header_at + 1) {
        if r % 1000 == 0 {
            progress(r);
        }
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        out.rows += 1;
        let line = r + 1;
        let cell = |c: usize| row.get(c).map(|s| s.trim()).unwrap_or("");
        let mut problems: Vec<(String, String)> = Vec::new();
        let mut raw = RawTally::default();
        let mut count: u32 = 1;
        let mut kind = sheet_kind;
        let mut insats_key: Option<&str> = None;
        for (c, column) in columns.iter().enumerate() {
            let text = cell(c);
            if text.starts_with(['=', '+', '@']) && text.len() > 1 {
                problems.push((heading[c].clone(), "Cellen börjar som en formel. Skriv bara värden.".into()));
                continue;
            }
            let unknown = |what: &str| -> String {
                match looks_personal(text) {
                    Some(m) => m.to_string(),
                    None if text.chars().count() <= 60 => format!("”{text}” är inget giltigt val för {what}."),
                    None => format!("Cellen är inget giltigt val för {what}."),
                }
            };
            match column {
                Column::Ignored => {
                    if !text.is_empty() && looks_personal(text).is_some() {
                        problems.push((column_letters(c), looks_personal(text).unwrap_or_default().to_string()));
                    }
                }
                Column::Insats => {
                    if text.is_empty() {
                        problems.push((heading[c].clone(), "Ange insatsen.".into()));
                    } else {
                        match lookup.insatser.get(&fold(text)) {
                            Some(k) => insats_key = Some(k),
                            None => problems.push((heading[c].clone(), unknown("insats"))),
                        }
                    }
                }
                Column::Kind => {
                    if text.is_empty() {
                        problems.push((heading[c].clone(), "Ange vad som registreras.".into()));
                    } else {
                        match lookup.kinds.get(&fold(text)) {
                            Some(k) => kind = Some(k),
                            None => problems.push((heading[c].clone(), unknown("registreringstyp"))),
                        }
                    }
                }
                Column::Month => {
                    if text.is_empty() {
                        problems.push((heading[c].clone(), "Ange månaden (ÅÅÅÅ-MM).".into()));
                    } else {
                        match parse_month(text) {
                            Some(p) => raw.period = Some(p.to_string()),
                            None => problems.push((
                                heading[c].clone(),
                                match looks_personal(text) {
                                    Some(m) => m.to_string(),
                                    None => "Ange månaden som ÅÅÅÅ-MM, till exempel 2024-03.".into(),
                                },
                            )),
                        }
                    }
                }
                Column::Count => {
                    if !text.is_empty() {
                        match text.replace(['\u{a0}', ' '], "").parse::<u32>() {
                            Ok(n) if n <= MAX_COUNT => count = n,
                            _ => problems.push((
                                heading[c].clone(),
                                format!("Antal ska vara ett heltal från 0 till {MAX_COUNT} (tomt betyder 1)."),
                            )),
                        }
                    }
                }
                Column::Dimension(d) => {
                    if text.is_empty() {
                        continue;
                    }
                    let dim: &Dimension = &config.dimensions[*d];
                    let values = &lookup.values[*d];
                    let what = dim.label.to_lowercase();
                    if let Some(v) = values.get(&fold(text)) {
                        raw.values.push((dim.key.clone(), (*v).to_string()));
                        continue;
                    }
                    // Several choices in one cell: "A; B" (or "A, B").
                    let split = |sep: &[char]| -> Option<Vec<&str>> {
                        let parts: Vec<&str> = text.split(sep).map(str::trim).filter(|p| !p.is_empty()).collect();
                        (parts.len() > 1)
                            .then(|| parts.iter().map(|p| values.get(&fold(p)).copied()).collect::<Option<Vec<_>>>())
                            .flatten()
                    };
                    match split(&[';', '|', '\n']).or_else(|| split(&[','])) {
                        Some(keys) => raw.values.extend(keys.into_iter().map(|k| (dim.key.clone(), k.to_string()))),
                        None => problems.push((heading[c].clone(), unknown(&what))),
                    }
                }
            }
        }
        if count == 0 && problems.is_empty() {
            continue;
        }
        // The kind's questions that the sheet has no column for are "not stated": validation
        // reports the required ones.
        if problems.is_empty() {
            raw.insats = insats_key.map(str::to_string);
            raw.kind = kind.map(|k| k.key.clone());
            match tally::validate(config, &raw, now) {
                Ok(t) => {
                    if let Some(year) = closed(t.insats_id, t.period.year) {
                        let message = if year == t.period.year {
                            format!(
                                "{year} är stängt för insatsen; be förbundschefen öppna året om det ska kompletteras."
                            )
                        } else {
                            format!(
                                "En registrering i {} ändrar {year}, som är stängt (de inskrivna vid årets början).",
                                t.period.year
                            )
                        };
                        problems.push((col_of(Column::Month).map(|c| heading[c].clone()).unwrap_or_default(), message));
                    } else {
                        *out.summary.entry((t.insats_id, t.kind_id, t.period)).or_insert(0) += u64::from(count);
                        *tallies += u64::from(count);
                        if out.ok() {
                            out.tallies.push((t, count));
                        }
                    }
                }
                Err(errors) => {
                    for e in errors {
                        let column = match e.field.as_str() {
                            "insats" => col_of(Column::Insats).map(|c| heading[c].clone()).unwrap_or_default(),
                            "kind" => col_of(Column::Kind).map(|c| heading[c].clone()).unwrap_or_default(),
                            "period" => col_of(Column::Month).map(|c| heading[c].clone()).unwrap_or_default(),
                            f => f.strip_prefix("values.").map(where_dim).unwrap_or_default(),
                        };
                        let message = if e.field.starts_with("values.") && column.is_empty() {
                            format!("{} Kolumnen saknas i bladet.", e.message)
                        } else {
                            e.message
                        };
                        problems.push((column, message));
                    }
                }
            }
        }
        for (column, message) in problems {
            out.problem(&sheet.name, line, column, message);
        }
    }
}
