//! The goal form.

use super::components::{error_summary, field_error};
use super::layout::{Chrome, Section, csrf, page};
use crate::domain::{Config, Dimension, FieldError, Insats};
use maud::{Markup, html};

/// One goal row as shown in the form (the submitted text is kept on errors).
#[derive(Debug, Clone, Default)]
pub struct GoalRow {
    pub label: String,
    pub comparator: String,
    pub target: String,
    pub values: Vec<String>,
}

#[allow(clippy::too_many_arguments)]
pub fn form_page(
    chrome: Chrome,
    user: &crate::web::auth::CurrentUser,
    cfg: &Config,
    insats: &Insats,
    dim: &Dimension,
    year: i32,
    source: Option<i32>,
    rows: Vec<GoalRow>,
    errors: &[FieldError],
) -> Markup {
    let mut rows = rows;
    rows.push(GoalRow { comparator: "at_least".into(), ..GoalRow::default() });
    let last = rows.len() - 1;
    let _ = cfg;
    page(
        chrome,
        &format!("Mål {year} – {}", insats.label),
        Section::Report,
        html! {
            h1 { "Mål " (year) " – " (insats.label) }
            p.lead { "Målen är andelar av årets avslut. Ett mål gäller också senare år tills nya mål sätts." }
            @if let Some(s) = source.filter(|s| *s != year) {
                p.note { "Inga egna mål är satta för " (year) ". Formuläret visar målen från " (s) "; när du sparar blir de " (year) " års mål." }
            }
            @if source.is_none() { p.note { "Inga mål är satta för " (year) " eller tidigare år." } }
            (error_summary(errors))
            form.goals method="post" action=(format!("/mal/{}/{year}", insats.key)) {
                (csrf(user))
                @for (n, row) in rows.iter().enumerate() {
                    fieldset.goal-row {
                        legend { @if n == last { "Nytt mål" } @else { "Mål " (n + 1) } }
                        div.field {
                            label for=(format!("label-{n}")) { "Namn" }
                            input id=(format!("label-{n}")) name=(format!("label.{n}")) value=(row.label) maxlength="80";
                            (field_error(errors, &format!("label.{n}")))
                        }
                        div.field.inline {
                            label for=(format!("comparator-{n}")) { "Andel av avsluten" }
                            select id=(format!("comparator-{n}")) name=(format!("comparator.{n}")) {
                                option value="at_least" selected[row.comparator != "at_most"] { "minst" }
                                option value="at_most" selected[row.comparator == "at_most"] { "högst" }
                            }
                            input.percent id=(format!("target-{n}")) name=(format!("target.{n}")) value=(row.target) inputmode="decimal" aria-label="Procent";
                            span { "%" }
                            (field_error(errors, &format!("comparator.{n}")))
                            (field_error(errors, &format!("target.{n}")))
                        }
                        fieldset.values {
                            legend { "Avslutsorsaker som räknas" }
                            @for v in dim.values.iter().filter(|v| !v.retired || row.values.contains(&v.key)) {
                                @let id = format!("values-{n}-{}", v.key);
                                div.check {
                                    input type="checkbox" id=(id) name=(format!("values.{n}")) value=(v.key) checked[row.values.contains(&v.key)];
                                    label for=(id) { (v.label) }
                                }
                            }
                            (field_error(errors, &format!("values.{n}")))
                        }
                        @if n != last {
                            div.check {
                                input type="checkbox" id=(format!("remove-{n}")) name=(format!("remove.{n}")) value="1";
                                label for=(format!("remove-{n}")) { "Ta bort målet" }
                            }
                        }
                    }
                }
                button.primary type="submit" { "Spara mål för " (year) }
                " "
                a href=(format!("/rapport/{}/{year}", insats.key)) { "Avbryt" }
            }
        },
    )
}
