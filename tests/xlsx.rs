//! The yearly report as an Excel workbook, read back with calamine: a sheet about the report, one
//! sheet per table with Swedish headings, figures as real numbers and the publication marking.

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use pinne::domain::Period;
use pinne::report::tables::{self, Hidden, Measure, Table, Value};
use pinne::report::xlsx::{self, About};
use pinne::store::{self, Store};
use std::io::Cursor;

/// Where the header row of a table sheet is (0-based): title, note and marking come first.
const HEAD: u32 = 3;

/// The tables of Coachingteamet's 2025 report on the demo data of the default preset.
fn demo_tables() -> Vec<Table> {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    pinne::demo::fill(&store, Period::new(2026, 11).unwrap()).unwrap();
    let cfg = store.config();
    let insats = cfg.insats("coachingteamet").expect("the default preset has Coachingteamet").clone();
    let inputs = store.read_blocking(|c| store::report_inputs(c, insats.id, 2025)).unwrap();
    tables::tables(&pinne::report::yearly(&cfg, &insats, 2025, &inputs))
}

fn about(protected: bool) -> About<'static> {
    static RULE: std::sync::LazyLock<pinne::report::protect::Rule> = std::sync::LazyLock::new(Default::default);
    About {
        association: "Samordningsförbundet Degerfors–Karlskoga",
        insats: "Coachingteamet",
        year: 2025,
        protected,
        rule: &RULE,
    }
}

fn read(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes)).expect("a workbook calamine can read")
}

fn sheet(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Range<Data> {
    book.worksheet_range(name).unwrap_or_else(|e| panic!("no sheet {name}: {e}"))
}

fn text(range: &Range<Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        other => panic!("({row}, {col}) is not text: {other:?}"),
    }
}

fn number(range: &Range<Data>, row: u32, col: u32) -> f64 {
    match range.get_value((row, col)) {
        Some(Data::Float(x)) => *x,
        Some(Data::Int(n)) => *n as f64,
        other => panic!("({row}, {col}) is not a number: {other:?}"),
    }
}

/// All text on a sheet.
fn strings(range: &Range<Data>) -> Vec<String> {
    range.used_cells().filter_map(|(_, _, d)| if let Data::String(s) = d { Some(s.clone()) } else { None }).collect()
}

#[test]
fn one_sheet_per_table_after_the_one_about_the_report() {
    let tables = demo_tables();
    assert!(tables.len() > 3, "{} tables", tables.len());
    let mut book = read(xlsx::write(&about(false), &tables).unwrap());
    let names = book.sheet_names();
    assert_eq!(names[0], "Om rapporten");
    assert_eq!(names.len(), tables.len() + 1);
    let mut seen = std::collections::HashSet::new();
    for (name, t) in names[1..].iter().zip(&tables) {
        assert!(name.encode_utf16().count() <= 31, "{name}");
        assert!(!name.contains(['[', ']', ':', '*', '?', '/', '\\']), "{name}");
        assert!(seen.insert(name.to_lowercase()), "{name} twice");
        assert_eq!(text(&sheet(&mut book, name), 0, 0), t.title);
    }
    let first = sheet(&mut book, "Om rapporten");
    let all = strings(&first);
    for expected in ["Samordningsförbundet Degerfors–Karlskoga", "Coachingteamet", "Pinne"] {
        assert!(all.iter().any(|s| s == expected), "{expected} missing: {all:?}");
    }
    assert_eq!(number(&first, 3, 1), 2025.0);
    for t in &tables {
        assert!(all.contains(&t.title), "{} not listed", t.title);
    }
}

#[test]
fn long_and_repeated_titles_get_short_unique_sheet_names() {
    let base = demo_tables().remove(0);
    let long = "Deltagare per [kategori]: ålder/kön * mycket lång rubrik?";
    let tables: Vec<Table> = [long, long, "OM RAPPORTEN", long]
        .iter()
        .map(|title| Table { title: title.to_string(), ..base.clone() })
        .collect();
    let book = read(xlsx::write(&about(false), &tables).unwrap());
    let names = book.sheet_names();
    assert_eq!(names.len(), 5);
    assert_eq!(names[1], "Deltagare per kategori ålderkön");
    assert_eq!(names[2], "Deltagare per kategori ålde (2)");
    assert_eq!(names[3], "OM RAPPORTEN (2)");
    assert_eq!(names[4], "Deltagare per kategori ålde (3)");
}

#[test]
fn figures_are_numbers_under_swedish_headings() {
    let tables = demo_tables();
    let mut book = read(xlsx::write(&about(false), &tables).unwrap());
    let names = book.sheet_names();
    // A count+share table: two columns per heading.
    let (i, t) = tables
        .iter()
        .enumerate()
        .find(|(_, t)| t.columns.iter().all(|c| c.measure == Measure::CountShare))
        .expect("a count+share table");
    let range = sheet(&mut book, &names[i + 1]);
    assert_eq!(text(&range, HEAD, 0), t.row_heading);
    let heading = t.columns[0].heading();
    assert_eq!(text(&range, HEAD, 1), format!("{heading} antal"));
    assert_eq!(text(&range, HEAD, 2), format!("{heading} andel"));
    let (r, n, s) = t
        .rows
        .iter()
        .enumerate()
        .find_map(|(r, row)| match row.cells[0] {
            Value::CountShare(n, Some(s)) if n > 0 => Some((r as u32, n, s)),
            _ => None,
        })
        .expect("a count with a share");
    let row = HEAD + 1 + r;
    assert_eq!(text(&range, row, 0), t.rows[r as usize].label);
    assert_eq!(number(&range, row, 1), n as f64);
    let share = number(&range, row, 2);
    assert!((0.0..=1.0).contains(&share) && (share - s).abs() < 1e-9, "{share} vs {s}");
    // A plain count table: the flow of participants.
    let (i, t) = tables
        .iter()
        .enumerate()
        .find(|(_, t)| t.columns.iter().all(|c| c.measure == Measure::Count))
        .expect("a count table");
    let range = sheet(&mut book, &names[i + 1]);
    assert_eq!(text(&range, HEAD, 1), t.columns[0].heading());
    let Value::Count(n) = t.rows[0].cells[0] else { panic!("not a count: {:?}", t.rows[0].cells[0]) };
    assert_eq!(number(&range, HEAD + 1, 1), n as f64);
}

#[test]
fn every_sheet_is_marked_for_publication_or_not() {
    let tables = demo_tables();
    let mut book = read(xlsx::write(&about(false), &tables).unwrap());
    let names = book.sheet_names();
    let not = "Ej för publicering – innehåller små tal som kan peka ut enskilda personer.";
    assert!(strings(&sheet(&mut book, "Om rapporten")).iter().any(|s| s == not));
    for name in &names[1..] {
        assert_eq!(text(&sheet(&mut book, name), 2, 0), not, "{name}");
    }
    let mut book = read(xlsx::write(&about(true), &tables).unwrap());
    let all = strings(&sheet(&mut book, "Om rapporten"));
    assert!(all.iter().any(|s| s
        == "Skyddad för publicering: .. betyder att uppgiften inte visas – ett antal under 3, eller en uppgift som skulle låta ett sådant räknas fram. Andelar är avrundade till hela procent."));
    assert!(!all.iter().any(|s| s.starts_with("Ej för publicering")));
    for name in &names[1..] {
        let marking = text(&sheet(&mut book, name), 2, 0);
        assert!(marking.starts_with("Skyddad för publicering: .. betyder dold uppgift"), "{name}: {marking}");
    }
}

#[test]
fn hidden_figures_and_text_read_back_as_text() {
    let mut tables = demo_tables();
    let (i, c) = tables
        .iter()
        .enumerate()
        .find_map(|(i, t)| t.columns.iter().position(|c| c.measure == Measure::Count).map(|c| (i, c)))
        .expect("a count column");
    let col =
        1 + tables[i].columns[..c].iter().map(|c| if c.measure == Measure::CountShare { 2 } else { 1 }).sum::<u32>();
    tables[i].rows[0].cells[c] = Value::Hidden(Hidden("..".into()));
    tables[i].rows[1].cells[c] = Value::Hidden(Hidden("..".into()));
    tables[i].rows[2].cells[c] = Value::Text("=1+1".into());
    let mut book = read(xlsx::write(&about(true), &tables).unwrap());
    let name = book.sheet_names()[i + 1].clone();
    let range = sheet(&mut book, &name);
    assert_eq!(text(&range, HEAD + 1, col), "..");
    assert_eq!(text(&range, HEAD + 2, col), "..");
    // Text is a string, never a formula.
    assert_eq!(text(&range, HEAD + 3, col), "=1+1");
    assert!(book.worksheet_formula(&name).unwrap().used_cells().next().is_none());
}
