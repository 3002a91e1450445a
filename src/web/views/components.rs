//! Shared pieces: report tables, error messages, choice buttons.

use crate::report::tables::{Measure, Table, Value};
use maud::{Markup, html};

/// A report table. Columns with a year are grouped under their group heading (e.g. "Kvinnor").
pub fn table(t: &Table) -> Markup {
    let grouped = t.columns.iter().any(|c| c.year.is_some());
    // Columns of an earlier year than the latest (the previous year, earlier trend years) are
    // shown muted.
    let first_year = t.columns.iter().filter_map(|c| c.year).max();
    let hidden_form = t.rows.iter().flat_map(|r| &r.cells).find_map(|v| match v {
        Value::Hidden(h) => Some(h.display().to_string()),
        _ => None,
    });
    // Column groups: (label, span)
    let mut groups: Vec<(String, usize)> = Vec::new();
    for c in &t.columns {
        match groups.last_mut() {
            Some((g, n)) if *g == c.group => *n += 1,
            _ => groups.push((c.group.clone(), 1)),
        }
    }
    html! {
        section.report-table id=(format!("tabell-{}", t.key)) {
            h3 { (t.title) }
            @if let Some(n) = &t.note { p.note { (n) } }
            div.scroll tabindex="0" role="region" aria-label=(t.title) {
                table {
                    thead {
                        @if grouped {
                            tr {
                                th scope="col" rowspan="2" { (t.row_heading) }
                                @for (g, n) in &groups { th scope="colgroup" colspan=(n) { (g) } }
                            }
                            tr {
                                @for c in &t.columns {
                                    th scope="col" .prev[c.year.is_some_and(|y| first_year != Some(y))] {
                                        (c.year.map(|y| y.to_string()).unwrap_or_default())
                                        @if c.year.is_some_and(|y| t.earlier.contains(&y)) { br; small.earlier { "tidigare årsrapport" } }
                                    }
                                }
                            }
                        } @else {
                            tr {
                                th scope="col" { (t.row_heading) }
                                @for (i, c) in t.columns.iter().enumerate() {
                                    th scope="col" { @if c.year.is_some_and(|y| t.earlier.contains(&y)) { (t.heading(i)) } @else { (c.group) } }
                                }
                            }
                        }
                    }
                    tbody {
                        @for r in &t.rows {
                            tr.emphasis[r.emphasis].problem[r.problem] {
                                th scope="row" { (r.label) @if r.problem { " " span.badge { "Dataproblem" } } }
                                @for (i, v) in r.cells.iter().enumerate() {
                                    td .hidden[v.is_hidden()] .prev[t.columns.get(i).and_then(|c| c.year).is_some_and(|y| first_year != Some(y))] .neg[matches!(v, Value::Count(n) | Value::CountShare(n, _) if *n < 0)] .text[matches!(v, Value::Text(_)) && t.columns.get(i).is_some_and(|c| c.measure == Measure::Text)] { (v.display()) }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(f) = &hidden_form {
                p.note.legend {
                    "”" (f) "” betyder att uppgiften inte visas, så att ingen enskild person kan pekas ut: ett litet antal, en uppgift som skulle låta ett litet antal räknas fram, eller en andel eller ett medelvärde som bygger på för få."
                }
            }
        }
    }
}

/// The message next to a field, if any.
pub fn field_error(errors: &[crate::domain::FieldError], field: &str) -> Markup {
    html! {
        @for e in errors.iter().filter(|e| e.field == field) {
            p.field-error id=(format!("fel-{}", field.replace('.', "-"))) { (e.message) }
        }
    }
}

/// A summary of all problems at the top of a form.
pub fn error_summary(errors: &[crate::domain::FieldError]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" tabindex="-1" {
                h2 { "Det gick inte att spara" }
                p { "Inget har sparats. Rätta det som är markerat och försök igen." }
                ul { @for e in errors { li { (e.message) } } }
            }
        }
    }
}
