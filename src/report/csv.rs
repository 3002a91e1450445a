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

fn number(x: f64, dialect: Dialect) -> String {
    let s = format!("{}", (x * 10_000.0).round() / 10_000.0);
    if dialect == Dialect::Excel { s.replace('.', ",") } else { s }
}

pub fn write(tables: &[Table], dialect: Dialect) -> Vec<u8> {
    let mut out = Vec::new();
    if dialect == Dialect::Excel {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let delimiter = if dialect == Dialect::Excel { b';' } else { b',' };
    let mut w = csv::WriterBuilder::new().delimiter(delimiter).flexible(true).from_writer(out);
    match dialect {
        Dialect::Excel => {
            for (i, t) in tables.iter().enumerate() {
                if i > 0 {
                    w.write_record([""]).expect("write to memory");
                }
                w.write_record([t.title.as_str()]).expect("write to memory");
                let mut head = vec![t.row_heading.clone()];
                for c in &t.columns {
                    match c.measure {
                        Measure::CountShare => {
                            head.push(format!("{} antal", c.heading()));
                            head.push(format!("{} andel", c.heading()));
                        }
                        _ => head.push(c.heading()),
                    }
                }
                w.write_record(&head).expect("write to memory");
                for r in &t.rows {
                    let mut rec = vec![r.label.clone()];
                    for v in &r.cells {
                        match v {
                            Value::CountShare(n, s) => {
                                rec.push(n.to_string());
                                rec.push(s.map(|s| number(s, dialect)).unwrap_or_default());
                            }
                            Value::Count(n) => rec.push(n.to_string()),
                            Value::Share(s) | Value::Months(s) => {
                                rec.push(s.map(|s| number(s, dialect)).unwrap_or_default())
                            }
                            Value::Text(t) => rec.push(t.clone()),
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
                            Value::Months(s) => rec("months", s.map(|s| number(s, dialect)).unwrap_or_default()),
                            Value::Text(t) => rec("text", t.clone()),
                        }
                    }
                }
            }
        }
    }
    w.into_inner().expect("flush to memory")
}
