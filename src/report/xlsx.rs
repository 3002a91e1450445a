//! The whole yearly report as an Excel workbook: a sheet about the report, then one sheet per
//! table, in order. Figures are real numbers with number formats, never numbers as text; text is
//! written as strings, which Excel never runs as formulas.

use super::tables::{Measure, Table, Value};
use rust_xlsxwriter::{Color, Format, FormatAlign, Url, Workbook, Worksheet, XlsxError};
use std::collections::HashSet;

/// What the first sheet says about the report.
pub struct About<'a> {
    pub association: &'a str,
    pub insats: &'a str,
    pub year: i32,
    /// Small-number protection has been applied to the tables.
    pub protected: bool,
    /// How the published figures are protected.
    pub rule: &'a super::protect::Rule,
}

const ABOUT_SHEET: &str = "Om rapporten";
/// Excel's longest sheet name, in UTF-16 units.
const MAX_NAME: usize = 31;
const COUNT: &str = "#,##0";
const SHARE: &str = "0%";
const DECIMAL: &str = "0.0";
const KRONOR: &str = r#"#,##0 "kr""#;
/// The row of each table sheet that holds the headings (0-based): title, note, marking above.
const HEAD: u32 = 3;

impl About<'_> {
    /// The marking: long on the first sheet, short on each table's sheet.
    fn marking(&self, long: bool) -> String {
        match (self.protected, long) {
            (false, _) => "Ej för publicering – innehåller små tal som kan peka ut enskilda personer.".into(),
            (true, long) => format!("Skyddad för publicering: {}", self.rule.describe(long)),
        }
    }
    fn marking_format(&self) -> Format {
        style(!self.protected)
    }
}

fn style(bold: bool) -> Format {
    if bold { Format::new().set_bold() } else { Format::new() }
}

/// `s` cut to at most `max` UTF-16 units, without spaces or apostrophes at the ends (Excel
/// refuses a sheet name starting or ending with `'`).
fn cut(s: &str, max: usize) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if out.encode_utf16().count() + c.len_utf16() > max {
            break;
        }
        out.push(c);
    }
    out.trim_matches(|c: char| c == '\'' || c.is_whitespace()).to_string()
}

/// A sheet name per table: its title without the characters Excel refuses, at most 31 long and
/// unique (Excel compares names without regard to case).
fn sheet_names(tables: &[Table]) -> Vec<String> {
    let mut used: HashSet<String> = [ABOUT_SHEET, "History"].iter().map(|s| s.to_lowercase()).collect();
    tables
        .iter()
        .map(|t| {
            let clean: String = t.title.chars().filter(|c| !"[]:*?/\\".contains(*c) && !c.is_control()).collect();
            let base = Some(cut(&clean, MAX_NAME)).filter(|b| !b.is_empty()).unwrap_or_else(|| "Tabell".into());
            let mut name = base.clone();
            let mut k = 2;
            while !used.insert(name.to_lowercase()) {
                let suffix = format!(" ({k})");
                name = format!("{}{suffix}", cut(&base, MAX_NAME - suffix.len()));
                k += 1;
            }
            name
        })
        .collect()
}

/// The workbook of a report's tables.
pub fn write(about: &About, tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let names = sheet_names(tables);
    about_sheet(workbook.add_worksheet().set_name(ABOUT_SHEET)?, about, tables, &names)?;
    for (t, name) in tables.iter().zip(&names) {
        table_sheet(workbook.add_worksheet().set_name(name)?, about, t)?;
    }
    workbook.save_to_buffer()
}

fn about_sheet(ws: &mut Worksheet, about: &About, tables: &[Table], names: &[String]) -> Result<(), XlsxError> {
    let bold = style(true);
    ws.write_string_with_format(0, 0, format!("Pinnstatistik – årsrapport {}", about.year), &bold)?;
    ws.write_string_with_format(1, 0, "Förbund", &bold)?.write_string(1, 1, about.association)?;
    ws.write_string_with_format(2, 0, "Insats", &bold)?.write_string(2, 1, about.insats)?;
    ws.write_string_with_format(3, 0, "År", &bold)?;
    ws.write_number_with_format(3, 1, about.year, &Format::new().set_num_format("0").set_align(FormatAlign::Left))?;
    ws.write_string_with_format(4, 0, "Skapad med", &bold)?.write_string(4, 1, "Pinne")?;
    ws.write_string_with_format(6, 0, about.marking(true), &about.marking_format())?;
    ws.write_string_with_format(8, 0, "Flik", &bold)?.write_string_with_format(8, 1, "Tabell", &bold)?;
    for (i, (t, name)) in tables.iter().zip(names).enumerate() {
        let row = 9 + i as u32;
        let link = Url::new(format!("internal:'{}'!A1", name.replace('\'', "''"))).set_text(name);
        ws.write_url(row, 0, link)?.write_string(row, 1, &t.title)?;
    }
    let widest = tables.iter().map(|t| t.title.chars().count()).max().unwrap_or(0);
    ws.set_column_width(0, MAX_NAME as f64 + 2.0)?.set_column_width(1, widest.clamp(20, 80) as f64 + 2.0)?;
    Ok(())
}

/// A figure or text for one spreadsheet cell.
enum Out {
    Number(f64, &'static str),
    Text(String),
    /// Left out by small-number protection: the one symbol, right-aligned like a number.
    Hidden(String),
}

/// A value as its count part and its share part, the way the CSV splits a count+share column: a
/// share alone belongs under the share heading, everything else under the first.
fn split(v: &Value) -> (Option<Out>, Option<Out>) {
    let number = |x: Option<f64>, format| x.map(|x| Out::Number(x, format));
    match v {
        Value::CountShare(n, s) => (Some(Out::Number(*n as f64, COUNT)), number(*s, SHARE)),
        Value::Count(n) => (Some(Out::Number(*n as f64, COUNT)), None),
        Value::Share(s) => (None, number(*s, SHARE)),
        Value::ShareAgainst(s, ..) => (None, number(Some(*s), SHARE)),
        Value::Months(m) | Value::Mean(m) => (number(*m, DECIMAL), None),
        Value::Kronor(k) => (number(k.map(|k| k as f64), KRONOR), None),
        Value::Text(t) if t.is_empty() => (None, None),
        Value::Text(t) => (Some(Out::Text(t.clone())), None),
        Value::Hidden(h) => (Some(Out::Hidden(h.display().to_string())), None),
    }
}

/// Writes a cell; returns the width it needs, in characters.
fn put(ws: &mut Worksheet, row: u32, col: u16, out: Out, bold: bool) -> Result<usize, XlsxError> {
    let f = style(bold);
    Ok(match out {
        Out::Number(x, num) => {
            ws.write_number_with_format(row, col, x, &f.set_num_format(num))?;
            format!("{x:.0}").len() + 4
        }
        Out::Text(s) => {
            ws.write_string_with_format(row, col, &s, &f)?;
            s.chars().count()
        }
        Out::Hidden(s) => {
            ws.write_string_with_format(row, col, &s, &f.set_align(FormatAlign::Right))?;
            s.chars().count()
        }
    })
}

fn table_sheet(ws: &mut Worksheet, about: &About, t: &Table) -> Result<(), XlsxError> {
    let bold = style(true);
    ws.write_string_with_format(0, 0, &t.title, &bold)?;
    if let Some(note) = &t.note {
        ws.write_string(1, 0, note)?;
    }
    ws.write_string_with_format(2, 0, about.marking(false), &about.marking_format())?;
    let mut head = vec![t.row_heading.clone()];
    for (i, c) in t.columns.iter().enumerate() {
        match c.measure {
            Measure::CountShare => head.extend([format!("{} antal", t.heading(i)), format!("{} andel", t.heading(i))]),
            _ => head.push(t.heading(i)),
        }
    }
    let mut widths: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for (i, h) in head.iter().enumerate() {
        ws.write_string_with_format(HEAD, i as u16, h, &bold)?;
    }
    for (i, r) in t.rows.iter().enumerate() {
        let row = HEAD + 1 + i as u32;
        let label = if r.problem { style(r.emphasis).set_font_color(Color::Red) } else { style(r.emphasis) };
        ws.write_string_with_format(row, 0, &r.label, &label)?;
        widths[0] = widths[0].max(r.label.chars().count());
        let mut col = 1;
        for (c, v) in t.columns.iter().zip(&r.cells) {
            let (count, share) = split(v);
            let outs = match (c.measure, v) {
                (Measure::CountShare, _) => vec![count, share],
                (_, Value::Share(_) | Value::ShareAgainst(..)) => vec![share],
                _ => vec![count],
            };
            for out in outs {
                if let Some(out) = out {
                    widths[col] = widths[col].max(put(ws, row, col as u16, out, r.emphasis)?);
                }
                col += 1;
            }
        }
    }
    ws.set_freeze_panes(HEAD + 1, 1)?;
    for (i, w) in widths.into_iter().enumerate() {
        let w = if i == 0 { w.clamp(16, 60) } else { w.clamp(8, 40) };
        ws.set_column_width(i as u16, w as f64 + 2.0)?;
    }
    Ok(())
}
