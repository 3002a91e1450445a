//! CSV of the report tables, in two dialects:
//! - `Excel`: what Swedish Excel opens by double-click: UTF-8 with BOM, `;` separator, decimal comma,
//!   Swedish headings, one block per table separated by an empty line.
//! - `Plain`: for machines: UTF-8, `,` separator, decimal point, one tidy row per figure:
//!   `table,row,column,year,measure,value`.

use super::tables::{Measure, Table, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Excel,
    Plain,
}

/// Text for a spreadsheet cell: in the Excel dialect, text that Excel would read as a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, so a label
/// typed into Pinne can never run in someone's spreadsheet. Numbers are written as numbers.
fn text(s: &str, dialect: Dialect) -> String {
    if dialect == Dialect::Excel { spreadsheet_safe(s) } else { s.to_string() }
}

/// Text that Excel would take for a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return) gets a leading `'`, so text typed into Pinne can never run in someone's spreadsheet.
pub fn spreadsheet_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() }
}

fn number(x: f64, dialect: Dialect) -> String {
    let s = format!("{}", (x * 10_000.0).round() / 10_000.0);
    if dialect == Dialect::Excel { s.replace('.', ",") } else { s }
}

/// The tables as CSV. The Excel dialect starts with `marking` on a line of its own (whether the
/// file is the publication version or not for publication).
pub fn write(tables: &[Table], dialect: Dialect, marking: &str) -> Vec<u8> {
    let mut out = Vec::new();
    if dialect == Dialect::Excel {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let delimiter = if dialect == Dialect::Excel { b';' } else { b',' };
    let writer = |out: Vec<u8>| {
        csv::WriterBuilder::new().delimiter(delimiter).flexible(true).terminator(csv::Terminator::CRLF).from_writer(out)
    };
    let mut w = writer(out);
    match dialect {
        Dialect::Excel => {
            w.write_record([text(marking, dialect)]).expect("write to memory");
            for t in tables.iter() {
                {
                    // An empty line between tables (a record with one empty field would be `""`).
                    let mut out = w.into_inner().expect("flush to memory");
                    out.extend_from_slice(b"\r\n");
                    w = writer(out);
                }
                w.write_record([text(&t.title, dialect)]).expect("write to memory");
                let mut head = vec![text(&t.row_heading, dialect)];
                for (i, c) in t.columns.iter().enumerate() {
                    match c.measure {
                        Measure::CountShare => {
                            head.push(text(&format!("{} antal", t.heading(i)), dialect));
                            head.push(text(&format!("{} andel", t.heading(i)), dialect));
                        }
                        _ => head.push(text(&t.heading(i), dialect)),
                    }
                }
                w.write_record(&head).expect("write to memory");
                for r in &t.rows {
                    let mut rec = vec![text(&r.label, dialect)];
                    for (c, v) in t.columns.iter().zip(&r.cells) {
                        let opt = |s: &Option<f64>| s.map(|s| number(s, dialect)).unwrap_or_default();
                        // A count+share column has two CSV columns; every value in it fills both,
                        // so a row of shares or months stays under its headings.
                        let (count, share) = match v {
                            Value::CountShare(n, s) => (n.to_string(), opt(s)),
                            Value::Count(n) => (n.to_string(), String::new()),
                            Value::Share(s) => (String::new(), opt(s)),
                            Value::ShareAgainst(s, ..) => (String::new(), opt(&Some(*s))),
                            Value::Months(s) | Value::Mean(s) => (opt(s), String::new()),
                            Value::Kronor(k) => (k.map(|k| k.to_string()).unwrap_or_default(), String::new()),
                            Value::Text(t) => (text(t, dialect), String::new()),
                            Value::Hidden(h) => (h.display().to_string(), String::new()),
                        };
                        if c.measure == Measure::CountShare {
                            rec.push(count);
                            rec.push(share);
                        } else if matches!(v, Value::Share(_) | Value::ShareAgainst(..)) {
                            rec.push(share);
                        } else {
                            rec.push(count);
                        }
                    }
                    w.write_record(&rec).expect("write to memory");
                }
            }
        }
        Dialect::Plain => {
            w.write_record(["table", "row", "column", "year", "measure", "value"]).expect("write to memory");
            for t in tables {
                for r in &t.rows {
                    for (c, v) in t.columns.iter().zip(&r.cells) {
                        let year = c.year.map(|y| y.to_string()).unwrap_or_default();
                        let mut rec = |measure: &str, value: String| {
                            w.write_record([
                                t.key.as_str(),
                                r.label.as_str(),
                                c.group.as_str(),
                                year.as_str(),
                                measure,
                                value.as_str(),
                            ])
                            .expect("write to memory")
                        };
                        match v {
                            Value::CountShare(n, s) => {
                                rec("count", n.to_string());
                                rec("share", s.map(|s| number(s, dialect)).unwrap_or_default());
                            }
                            Value::Count(n) => rec("count", n.to_string()),
                            Value::Share(s) => rec("share", s.map(|s| number(s, dialect)).unwrap_or_default()),
                            Value::ShareAgainst(s, ..) => rec("share", number(*s, dialect)),
                            Value::Months(s) => rec("months", s.map(|s| number(s, dialect)).unwrap_or_default()),
                            Value::Mean(s) => rec("mean", s.map(|s| number(s, dialect)).unwrap_or_default()),
                            Value::Kronor(k) => rec("kronor", k.map(|k| k.to_string()).unwrap_or_default()),
                            Value::Text(t) => rec("text", t.clone()),
                            // Left out by small-number protection: the one symbol, ".." by default.
                            Value::Hidden(h) => rec("hidden", h.display().to_string()),
                        }
                    }
                }
            }
        }
    }
    w.into_inner().expect("flush to memory")
}
