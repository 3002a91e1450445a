//! A file as it arrives (the bytes of an XLSX workbook or a CSV text) read into sheets of text
//! cells, refusing what is not one: another format, a zip bomb, a formula, a CSV that is not UTF-8.
//! Nothing here is logged and no error repeats a cell's content.

use std::io::{Cursor, Read};

/// The largest file accepted, in bytes (a workbook of 50 000 rows is a few MB).
pub const MAX_FILE: usize = 30 * 1024 * 1024;
/// The most bytes an XLSX file may unpack to, all parts together (a zip bomb unpacks to far more).
pub const MAX_UNPACKED: u64 = 300 * 1024 * 1024;
/// The most rows read, all sheets together (header rows included).
pub const MAX_ROWS: usize = 200_000;

/// One sheet: its name (empty for CSV) and its rows of cells as text, from row 1 (the header).
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<String>>,
}

/// Why a file could not be read at all, in Swedish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FileError(pub String);

fn err(s: impl Into<String>) -> FileError {
    FileError(s.into())
}

/// "B12": a cell's name in Excel's terms (0-based row and column).
pub fn cell_name(row: usize, col: usize) -> String {
    format!("{}{}", column_letters(col), row + 1)
}

/// "A", "B", …, "Z", "AA": a 0-based column as Excel names it.
pub fn column_letters(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

/// Reads an XLSX workbook or a CSV text (told apart by their first bytes, not by the name).
pub fn read(bytes: &[u8]) -> Result<Vec<Sheet>, FileError> {
    if bytes.len() > MAX_FILE {
        return Err(err(format!("Filen är för stor: högst {} MB tas emot.", MAX_FILE / (1024 * 1024))));
    }
    if bytes.is_empty() {
        return Err(err("Filen är tom."));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return xlsx(bytes);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(err(
            "Filen är en äldre Excel-fil (.xls). Spara den som Excel-arbetsbok (.xlsx) eller som CSV UTF-8 och försök igen.",
        ));
    }
    if bytes.starts_with(b"%PDF") || bytes.starts_with(b"PK") || bytes.starts_with(b"\x1f\x8b") {
        return Err(err("Filen är varken en Excel-arbetsbok (.xlsx) eller en CSV-fil."));
    }
    csv(bytes)
}

fn csv(bytes: &[u8]) -> Result<Vec<Sheet>, FileError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(err(
            "Filen är sparad som Unicode-text (UTF-16). Spara den i Excel som ”CSV UTF-8 (kommaavgränsad)” och försök igen.",
        ));
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(text).map_err(|_| {
        err("Filen är inte sparad som UTF-8 (å, ä och ö kan inte läsas). Spara den i Excel som ”CSV UTF-8 (kommaavgränsad)” och försök igen.")
    })?;
    if text.contains('\0') {
        return Err(err("Filen är varken en Excel-arbetsbok (.xlsx) eller en CSV-fil."));
    }
    // The separator is the one the header line uses most: ";" (Swedish Excel), "," or a tab.
    let header = text.lines().next().unwrap_or("");
    let delimiter = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| header.bytes().filter(|b| b == d).count())
        .expect("three separators");
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(String::new(), |p| format!(" på rad {}", p.line()));
            err(format!("CSV-filen kunde inte läsas{line}: kontrollera citattecknen."))
        })?;
        if rows.len() >= MAX_ROWS {
            return Err(err(format!("Filen har fler än {MAX_ROWS} rader. Dela upp den i flera filer.")));
        }
        rows.push(record.iter().map(str::to_string).collect());
    }
    Ok(vec![Sheet { name: String::new(), rows }])
}

/// Unpacks every part of the zip with a running count, so that a zip bomb is stopped after
/// `MAX_UNPACKED` bytes whatever sizes its headers claim.
fn check_unpacked(bytes: &[u8]) -> Result<(), FileError> {
    let not_xlsx = || err("Filen är inte en Excel-arbetsbok som kan läsas (.xlsx).");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_xlsx())?;
    if zip.len() > 10_000 {
        return Err(not_xlsx());
    }
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|_| not_xlsx())?;
        loop {
            let n = part.read(&mut buf).map_err(|_| not_xlsx())?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > MAX_UNPACKED {
                return Err(err(format!(
                    "Filen packas upp till mer än {} MB och läses inte (den kan vara en så kallad zip-bomb).",
                    MAX_UNPACKED / (1024 * 1024)
                )));
            }
        }
    }
    Ok(())
}

fn xlsx(bytes: &[u8]) -> Result<Vec<Sheet>, FileError> {
    use calamine::{Data, Reader, Xlsx};
    check_unpacked(bytes)?;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|_| err("Filen är inte en Excel-arbetsbok som kan läsas (.xlsx)."))?;
    let mut sheets = Vec::new();
    let mut total_rows = 0;
    for name in book.sheet_names() {
        let unreadable = || err(format!("Bladet ”{}” kunde inte läsas.", safe_name(&name)));
        let formulas = book.worksheet_formula(&name).map_err(|_| unreadable())?;
        if let Some(((r, c), _)) = formulas.used_cells().find(|(_, _, f)| !f.is_empty()).map(|(r, c, f)| {
            let (r0, c0) = formulas.start().unwrap_or((0, 0));
            ((r + r0 as usize, c + c0 as usize), f)
        }) {
            return Err(err(format!(
                "Bladet ”{}”, cell {}: cellen innehåller en formel. Pinne läser bara värden: kopiera bladet och klistra in som värden, och försök igen.",
                safe_name(&name),
                cell_name(r, c)
            )));
        }
        let range = book.worksheet_range(&name).map_err(|_| unreadable())?;
        let (r0, c0) = range.start().map(|(r, c)| (r as usize, c as usize)).unwrap_or((0, 0));
        let mut rows: Vec<Vec<String>> = vec![Vec::new(); r0];
        for row in range.rows() {
            total_rows += 1;
            if total_rows > MAX_ROWS {
                return Err(err(format!("Filen har fler än {MAX_ROWS} rader. Dela upp den i flera filer.")));
            }
            let mut cells = vec![String::new(); c0];
            cells.extend(row.iter().map(|d| match d {
                Data::Empty => String::new(),
                Data::String(s) => s.clone(),
                Data::Int(i) => i.to_string(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Bool(b) => if *b { "SANT" } else { "FALSKT" }.to_string(),
                // A date cell (Excel turns "2024-03" into 2024-03-01): its month.
                Data::DateTime(d) => {
                    let (y, m, ..) = d.to_ymd_hms_milli();
                    format!("{y:04}-{m:02}")
                }
                Data::DateTimeIso(s) => s.chars().take(7).collect(),
                Data::DurationIso(s) => s.clone(),
                Data::Error(_) => "#FEL".to_string(),
            }));
            rows.push(cells);
        }
        sheets.push(Sheet { name, rows });
    }
    Ok(sheets)
}

/// A sheet name fit to repeat in a message: the name, unless it could carry personal data.
pub fn safe_name(name: &str) -> String {
    if super::looks_personal(name).is_some() { "(namnet visas inte)".into() } else { name.chars().take(40).collect() }
}
