//! A table with five years side by side, as in the 2023 annual report: each year's own columns
//! (per gender and in total) taken from that year's table. The tables are the years' own, already
//! protected or not, so a trend table hides exactly what each year's report hides.

use super::tables::{Column, Table, TableRow, Value};

/// Tables that already span the report's years, or list one year's single events: shown as they are.
fn as_is(key: &str) -> bool {
    key == "mal"
        || key == "kostnad"
        || key.ends_with("_aktiviteter")
        || key.ends_with("_per_ar")
        || key.contains("_svar")
}

/// A row label without its year ("Januari–juni 2023" → "Januari–juni"); `None` for a row about
/// another year (the previous year's line of a year's table).
fn label(l: &str, year: i32) -> Option<String> {
    if l.contains(&(year - 1).to_string()) {
        return None;
    }
    Some(l.replace(&year.to_string(), "").trim().to_string())
}

/// The year's own columns of a table: those headed with the year, else all.
fn own_columns(t: &Table, year: i32) -> Vec<usize> {
    let own: Vec<usize> = (0..t.columns.len()).filter(|i| t.columns[*i].year == Some(year)).collect();
    if own.is_empty() { (0..t.columns.len()).collect() } else { own }
}

/// The table `key` over the given years (oldest first); `None` when it is shown as it is.
pub fn table(key: &str, years: &[(i32, Vec<Table>)]) -> Option<Table> {
    if as_is(key) {
        return None;
    }
    let (last_year, last) = years.iter().rev().find_map(|(y, ts)| ts.iter().find(|t| t.key == key).map(|t| (*y, t)))?;
    let groups: Vec<Column> = own_columns(last, last_year).iter().map(|i| last.columns[*i].clone()).collect();
    let mut labels: Vec<(String, bool)> = Vec::new();
    for (y, ts) in years.iter().rev() {
        for r in ts.iter().filter(|t| t.key == key).flat_map(|t| &t.rows) {
            if let Some(l) = label(&r.label, *y)
                && !labels.iter().any(|(x, _)| *x == l)
            {
                labels.push((l, r.emphasis));
            }
        }
    }
    let mut columns = Vec::new();
    for g in &groups {
        for (y, _) in years {
            columns.push(Column { group: g.group.clone(), year: Some(*y), measure: g.measure });
        }
    }
    let rows = labels
        .iter()
        .map(|(l, emphasis)| {
            let mut cells = Vec::new();
            for g in &groups {
                for (y, ts) in years {
                    let t = ts.iter().find(|t| t.key == key);
                    let v = t.and_then(|t| {
                        let col = own_columns(t, *y).into_iter().find(|i| t.columns[*i].group == g.group)?;
                        let row = t.rows.iter().find(|r| label(&r.label, *y).as_deref() == Some(l.as_str()))?;
                        row.cells.get(col).cloned()
                    });
                    cells.push(v.unwrap_or(Value::Text(String::new())));
                }
            }
            TableRow { label: l.clone(), cells, basis: Vec::new(), emphasis: *emphasis, problem: false }
        })
        .collect();
    let first = years.first().map(|(y, _)| *y).unwrap_or(last_year);
    // A year from an earlier annual report in any year's table is marked in the trend.
    let mut earlier: Vec<i32> = years
        .iter()
        .filter_map(|(y, ts)| ts.iter().find(|t| t.key == key).filter(|t| t.earlier.contains(y)).map(|_| *y))
        .collect();
    earlier.sort_unstable();
    // The last year's own note, without its own mark of earlier figures, then the trend's mark.
    let own = last.note.clone().map(|n| n.replace(&super::earlier::note(&last.earlier), "").trim().to_string());
    let note = if earlier.is_empty() {
        own.filter(|n| !n.is_empty())
    } else {
        Some(format!("{} {}", own.unwrap_or_default(), super::earlier::note(&earlier)).trim().to_string())
    };
    Some(Table {
        key: last.key.clone(),
        title: format!("{} {first}–{last_year}", last.title.replace(&format!(" {last_year}"), "")),
        note,
        row_heading: last.row_heading.clone(),
        columns,
        rows,
        sums: Vec::new(),
        protected: last.protected,
        earlier,
        survey: last.survey,
    })
}
