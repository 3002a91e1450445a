//! Report tables as JSON, for Power BI, Excel Power Query and other programs: each table with its
//! columns and rows, and the same figures as tidy records (one per figure).

use super::tables::{Measure, Table, Value};
use serde::Serialize;

#[derive(Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct TableJson {
    pub key: String,
    pub title: String,
    pub note: Option<String>,
    /// Small-number protection was applied: hidden figures are `null` with `hidden` set.
    pub protected: bool,
    pub row_heading: String,
    pub columns: Vec<ColumnJson>,
    pub rows: Vec<RowJson>,
    /// One record per figure: what Power Query's `Table.FromRecords` wants.
    pub records: Vec<Record>,
}

#[derive(Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ColumnJson {
    pub heading: String,
    pub group: String,
    pub year: Option<i32>,
    /// `count`, `count_share`, `share` or `text`.
    pub measure: &'static str,
    /// The column's figures come from an earlier annual report, not from tallies.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub earlier_report: bool,
}

#[derive(Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct RowJson {
    pub label: String,
    pub emphasis: bool,
    pub cells: Vec<CellJson>,
}

#[derive(Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct CellJson {
    /// A number (count, mean, months, kronor), a text, or `null` (none, or hidden).
    pub value: serde_json::Value,
    /// A share 0–1 beside a count, or the value itself for a share column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// How a hidden figure is shown (the one symbol, ".." by default); absent when shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<String>,
    /// As shown on the page.
    pub display: String,
}

#[derive(Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Record {
    pub table: String,
    pub row: String,
    pub column: String,
    pub year: Option<i32>,
    /// `count`, `share`, `mean`, `months`, `kronor`, `text` or `hidden`.
    pub measure: &'static str,
    pub value: serde_json::Value,
}

fn measure(m: Measure) -> &'static str {
    match m {
        Measure::Count => "count",
        Measure::CountShare => "count_share",
        Measure::Share => "share",
        Measure::Text => "text",
    }
}

fn cell(v: &Value) -> CellJson {
    let num = |x: Option<f64>| x.map(serde_json::Value::from).unwrap_or(serde_json::Value::Null);
    let (value, share, hidden) = match v {
        Value::Count(n) => ((*n).into(), None, None),
        Value::CountShare(n, s) => ((*n).into(), *s, None),
        Value::Share(s) => (num(*s), *s, None),
        Value::ShareAgainst(s, ..) => ((*s).into(), Some(*s), None),
        Value::Months(m) | Value::Mean(m) => (num(*m), None, None),
        Value::Kronor(k) => (k.map(serde_json::Value::from).unwrap_or_default(), None, None),
        Value::Text(t) => (t.clone().into(), None, None),
        Value::Hidden(h) => (serde_json::Value::Null, None, Some(h.display().to_string())),
    };
    CellJson { value, share, hidden, display: v.display() }
}

fn records(t: &Table) -> Vec<Record> {
    let mut out = Vec::new();
    for r in &t.rows {
        for (c, v) in t.columns.iter().zip(&r.cells) {
            let mut rec = |measure: &'static str, value: serde_json::Value| {
                out.push(Record {
                    table: t.key.clone(),
                    row: r.label.clone(),
                    column: c.group.clone(),
                    year: c.year,
                    measure,
                    value,
                })
            };
            let num = |x: &Option<f64>| x.map(serde_json::Value::from).unwrap_or_default();
            match v {
                Value::Count(n) => rec("count", (*n).into()),
                Value::CountShare(n, s) => {
                    rec("count", (*n).into());
                    if s.is_some() {
                        rec("share", num(s));
                    }
                }
                Value::Share(s) => rec("share", num(s)),
                Value::ShareAgainst(s, ..) => rec("share", num(&Some(*s))),
                Value::Months(m) => rec("months", num(m)),
                Value::Mean(m) => rec("mean", num(m)),
                Value::Kronor(k) => rec("kronor", k.map(serde_json::Value::from).unwrap_or_default()),
                Value::Text(s) if s.is_empty() => {}
                Value::Text(s) => rec("text", s.clone().into()),
                Value::Hidden(h) => rec("hidden", h.display().into()),
            }
        }
    }
    out
}

pub fn table(t: &Table) -> TableJson {
    TableJson {
        key: t.key.clone(),
        title: t.title.clone(),
        note: t.note.clone(),
        protected: t.protected,
        row_heading: t.row_heading.clone(),
        columns: t
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| ColumnJson {
                heading: t.heading(i),
                earlier_report: c.year.is_some_and(|y| t.earlier.contains(&y)),
                group: c.group.clone(),
                year: c.year,
                measure: measure(c.measure),
            })
            .collect(),
        rows: t
            .rows
            .iter()
            .map(|r| RowJson {
                label: r.label.clone(),
                emphasis: r.emphasis,
                cells: r.cells.iter().map(cell).collect(),
            })
            .collect(),
        records: records(t),
    }
}
