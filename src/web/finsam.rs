//! "Uppföljning Finsam" (`/uppfoljning/{year}`): exactly the figures the national follow-up system
//! asks for, ready to type in: participants per insats by gender, attendees at structural
//! activities, and budget and outcome. Each figure is read from the insats' own report tables, so
//! a reader sees the protected figures and the huvudman and förbundschef the counted ones.

use super::auth::{CurrentUser, forbidden};
use super::report::{Built, build_tables, publication};
use super::views::components::table;
use super::views::layout::{Chrome, Section, page};
use super::views::report::{View, protection_banner};
use crate::AppState;
use crate::error::{AppError, PageError};
use crate::report::summary::cell;
use crate::report::tables::{Column, Measure, Table, TableRow, Value};
use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use maud::{Markup, html};

/// The national figures of one year: participants per insats by gender, then attendees.
pub fn tables(built: &[Built], genders: &[String], year: i32) -> [Table; 2] {
    let y = Some(year);
    let mut columns: Vec<Column> =
        genders.iter().map(|g| Column { group: g.clone(), year: None, measure: Measure::Count }).collect();
    columns.push(Column { group: "Totalt".into(), year: None, measure: Measure::Count });
    let blank = || Value::Text(String::new());
    let mut participants = Vec::new();
    let mut attendees = Vec::new();
    for b in built {
        let r = &b.report;
        if r.has_flow {
            let mut cells: Vec<Value> = genders
                .iter()
                .map(|g| cell(&b.tables, "deltagare", "Deltagare under året", g, y).cloned().unwrap_or_else(blank))
                .collect();
            cells
                .push(cell(&b.tables, "deltagare", "Deltagare under året", "Totalt", y).cloned().unwrap_or_else(blank));
            participants.push(TableRow {
                label: r.insats.label.clone(),
                cells,
                basis: Vec::new(),
                emphasis: false,
                problem: false,
            });
        }
        for e in &r.events {
            let key = format!("{}_aktiviteter", e.key);
            let total = format!("Totalt {} ({})", year, crate::sv::plural(e.count, "aktivitet", "aktiviteter"));
            let mut cells: Vec<Value> =
                genders.iter().map(|g| cell(&b.tables, &key, &total, g, None).cloned().unwrap_or_else(blank)).collect();
            cells.push(cell(&b.tables, &key, &total, "Deltagare", None).cloned().unwrap_or_else(blank));
            attendees.push(TableRow {
                label: format!("{} – {}", r.insats.label, e.label),
                cells,
                basis: Vec::new(),
                emphasis: false,
                problem: false,
            });
        }
    }
    let protected = built.iter().any(|b| b.protected);
    let table = |key: &str, title: String, note: &str, heading: &str, rows: Vec<TableRow>| Table {
        key: key.into(),
        title,
        note: Some(note.into()),
        row_heading: heading.into(),
        columns: columns.clone(),
        rows,
        sums: Vec::new(),
        protected,
        earlier: Vec::new(),
        survey: false,
    };
    [
        table(
            "finsam_deltagare",
            format!("Deltagare per insats {year}"),
            "Deltagare under året (inskrivna vid årets början och nya inskrivningar) per kön.",
            "Insats",
            participants,
        ),
        table(
            "finsam_struktur",
            format!("Deltagare i strukturövergripande aktiviteter {year}"),
            "Per kön där arrangören har räknat dem; tomt annars.",
            "Aktiviteter",
            attendees,
        ),
    ]
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinsamQuery {
    pub publicering: Option<String>,
}

/// `GET /uppfoljning/{year}`
pub async fn page_handler(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(year): Path<String>,
    q: Result<Query<FinsamQuery>, QueryRejection>,
) -> Result<Markup, PageError> {
    let year =
        crate::web::api::parse_year(&year).map_err(|_| AppError::NotFound(format!("”{year}” är inget giltigt år.")))?;
    let Query(q) = q.map_err(|_| AppError::BadRequest("Adressen har okända val.".into()))?;
    let publication = publication(q.publicering.as_deref())?;
    let cfg = state.store.config();
    let now = state.clock.now();
    let mut built = Vec::new();
    for i in cfg.active_insatser().filter(|i| user.account.may_read_report(i.id, year, now.year)) {
        built.push(build_tables(&state, &user, &i.key, year, publication).await?);
    }
    if built.is_empty() {
        return Err(forbidden("Du har inga insatser att läsa för det året."));
    }
    let genders: Vec<String> = built[0].report.genders.iter().map(|g| g.label.clone()).collect();
    let [participants, attendees] = tables(&built, &genders, year);
    let here = format!("/uppfoljning/{year}");
    let may_choose = !super::report::must_protect(&user);
    let budgets: Vec<(String, Option<i64>, Option<i64>)> = built
        .iter()
        .filter_map(|b| b.report.cost.as_ref().map(|c| (b.report.insats.label.clone(), c.budget_kr, c.outcome_kr)))
        .collect();
    Ok(page(
        Chrome::new(&cfg.association, &user),
        &format!("Uppföljning Finsam {year}"),
        Section::Report,
        html! {
            h1 { "Uppföljning Finsam " (year) }
            p { "Siffrorna som det nationella uppföljningssystemet frågar efter, klara att skriva in: deltagare per insats och kön, deltagare i strukturövergripande aktiviteter, och budget och utfall." }
            nav.report-nav aria-label="Välj år" {
                ul.choices.links.small {
                    @for y in (now.year - 4)..=now.year {
                        li { a.choice href=(format!("/uppfoljning/{y}{}", View::query(publication, false))) aria-current=[(y == year).then_some("true")] { (y) } }
                    }
                }
            }
            (protection_banner(&built[0], may_choose, &here, View { publication, trend: false }))
            @if year == now.year { p.note { "Året pågår: siffrorna gäller till och med " (now.label()) "." } }
            (table(&participants))
            @if !attendees.rows.is_empty() { (table(&attendees)) }
            @if !budgets.is_empty() {
                section.report-table {
                    h3 { "Budget och utfall " (year) }
                    table {
                        thead { tr { th scope="col" { "Insats" } th scope="col" { "Budget" } th scope="col" { "Utfall" } } }
                        tbody {
                            @for (label, budget, outcome) in &budgets {
                                tr {
                                    th scope="row" { (label) }
                                    td { (budget.map(crate::sv::kronor).unwrap_or_else(|| "–".into())) }
                                    td { (outcome.map(crate::sv::kronor).unwrap_or_else(|| "–".into())) }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}
