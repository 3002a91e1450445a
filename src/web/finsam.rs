//! "Uppföljning Finsam" (`/uppfoljning/{year}`): exactly the figures the national follow-up system
//! asks for, ready to type in: participants per insats by gender, attendees at structural
//! activities, and budget and outcome. Each figure is read from the insats' own report tables, so
//! a reader sees the protected figures and the huvudman and förbundschef the counted ones.

use super::auth::CurrentUser;
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

/// The section-total row every table of a kind of tally ends with (`report::tables::kinds`).
const ALL_TALLIES: &str = "Alla registreringar";

/// The national figures of one year: participants per insats by gender (insatser followed as a
/// flow of participants), the volume of the others (what they register, per kind: meetings, not
/// people), then attendees at structural activities. Gender columns that are empty in all three
/// (e.g. "Ej angivet" when nobody was registered so) are left out.
pub fn tables(cfg: &crate::domain::Config, built: &[Built], genders: &[String], year: i32) -> Vec<Table> {
    use crate::domain::config::National;
    let y = Some(year);
    let mut groups: Vec<String> = genders.to_vec();
    groups.push("Totalt".into());
    let blank = || Value::Text(String::new());
    let row = |label: String, cells: Vec<Value>| TableRow {
        label,
        cells,
        basis: Vec::new(),
        emphasis: false,
        problem: false,
    };
    let mut participants = Vec::new();
    let mut volume = Vec::new();
    let mut attendees = Vec::new();
    for b in built {
        let r = &b.report;
        let national = cfg.insats(&r.insats.key).map(|i| cfg.national(i)).unwrap_or(National::None);
        let people = || {
            groups
                .iter()
                .map(|g| cell(&b.tables, "deltagare", "Deltagare under året", g, y).cloned().unwrap_or_else(blank))
                .collect::<Vec<Value>>()
        };
        if national == National::Participants && r.has_flow {
            participants.push(row(r.insats.label.clone(), people()));
        } else if national == National::Volume {
            // People met: the participants where the insats follows them, else what it tallies.
            if r.has_flow {
                volume.push(row(format!("{} – Deltagare under året", r.insats.label), people()));
            }
            for s in r.sections.iter().filter(|_| !r.has_flow) {
                let prefix = format!("{}_", s.key);
                let Some(t) = b
                    .tables
                    .iter()
                    .find(|t| t.key.starts_with(&prefix) && t.rows.iter().any(|x| x.label == ALL_TALLIES))
                else {
                    continue;
                };
                let cells = groups
                    .iter()
                    .map(|g| cell(&b.tables, &t.key, ALL_TALLIES, g, y).cloned().unwrap_or_else(blank))
                    .collect();
                volume.push(row(format!("{} – {}", r.insats.label, s.label), cells));
            }
        }
        for e in &r.events {
            let key = format!("{}_aktiviteter", e.key);
            let total = format!("Totalt {} ({})", year, crate::sv::plural(e.count, "aktivitet", "aktiviteter"));
            let mut cells: Vec<Value> =
                genders.iter().map(|g| cell(&b.tables, &key, &total, g, None).cloned().unwrap_or_else(blank)).collect();
            cells.push(cell(&b.tables, &key, &total, "Deltagare", None).cloned().unwrap_or_else(blank));
            attendees.push(row(format!("{} – {}", r.insats.label, e.label), cells));
        }
    }
    // A gender column with nothing in it anywhere is left out (never "Totalt").
    let empty = |v: &Value| {
        matches!(v, Value::Count(0) | Value::CountShare(0, _)) || matches!(v, Value::Text(t) if t.is_empty())
    };
    let keep: Vec<bool> = (0..groups.len())
        .map(|i| {
            i == groups.len() - 1
                || participants
                    .iter()
                    .chain(&volume)
                    .chain(&attendees)
                    .any(|r: &TableRow| !r.cells.get(i).is_none_or(empty))
        })
        .collect();
    let columns: Vec<Column> = groups
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(g, _)| Column { group: g.clone(), year: None, measure: Measure::Count })
        .collect();
    let prune = |rows: Vec<TableRow>| -> Vec<TableRow> {
        rows.into_iter()
            .map(|mut r| {
                r.cells = r.cells.into_iter().zip(&keep).filter(|(_, k)| **k).map(|(c, _)| c).collect();
                r
            })
            .collect()
    };
    let protected = built.iter().any(|b| b.protected);
    let table = |key: &str, title: String, note: &str, heading: &str, rows: Vec<TableRow>| Table {
        key: key.into(),
        title,
        note: Some(note.into()),
        row_heading: heading.into(),
        columns: columns.clone(),
        rows: prune(rows),
        sums: Vec::new(),
        protected,
        earlier: Vec::new(),
        survey: false,
    };
    let mut out = vec![table(
        "finsam_deltagare",
        format!("Deltagare per insats {year}"),
        "Deltagare under året (inskrivna vid årets början och nya inskrivningar) per kön. Det nationella systemet frågar efter dessa för insatser med deltagare.",
        "Insats",
        participants,
    )];
    if !volume.is_empty() {
        out.push(table(
            "finsam_volym",
            format!("Volyminsatser {year}: registreringar per kön"),
            "För insatser som redovisas som volym (antal personer som mötts). Pinne räknar registreringar, till exempel vägledningar: en person som fått vägledning två gånger räknas två gånger, så antalet personer kan vara lägre.",
            "Insats – registrering",
            volume,
        ));
    }
    if !attendees.is_empty() {
        out.push(table(
            "finsam_struktur",
            format!("Deltagare i strukturövergripande aktiviteter {year}"),
            "Per kön där arrangören har räknat dem; tomt annars.",
            "Aktiviteter",
            attendees,
        ));
    }
    out
}

/// The panel of a year: the insatser the user may read, built as their reports are (protected
/// for those who only see protected figures, or with `publication`).
pub async fn build(
    state: &AppState,
    user: &CurrentUser,
    year: i32,
    publication: bool,
) -> Result<(Vec<Built>, Vec<Table>), AppError> {
    let cfg = state.store.config();
    let now = state.clock.now();
    let mut built = Vec::new();
    for i in cfg.active_insatser().filter(|i| user.account.may_read_report(i.id, year, now.year)) {
        built.push(build_tables(state, user, &i.key, year, publication).await?);
    }
    if built.is_empty() {
        return Err(AppError::Forbidden("Du har inga insatser att läsa för det året.".into()));
    }
    let genders: Vec<String> = built[0].report.genders.iter().map(|g| g.label.clone()).collect();
    let mut tables = tables(&cfg, &built, &genders, year);
    let budgets: Vec<TableRow> = built
        .iter()
        .filter_map(|b| {
            b.report.cost.as_ref().map(|c| TableRow {
                label: b.report.insats.label.clone(),
                cells: vec![Value::Kronor(c.budget_kr), Value::Kronor(c.outcome_kr)],
                basis: Vec::new(),
                emphasis: false,
                problem: false,
            })
        })
        .collect();
    if !budgets.is_empty() {
        tables.push(Table {
            key: "finsam_budget".into(),
            title: format!("Budget och utfall {year}"),
            note: Some("Kronor per insats.".into()),
            row_heading: "Insats".into(),
            columns: ["Budget", "Utfall"]
                .iter()
                .map(|g| Column { group: (*g).into(), year: None, measure: Measure::Count })
                .collect(),
            rows: budgets,
            sums: Vec::new(),
            protected: built.iter().any(|b| b.protected),
            earlier: Vec::new(),
            survey: false,
        });
    }
    Ok((built, tables))
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
    let (built, tables) = build(&state, &user, year, publication).await?;
    let here = format!("/uppfoljning/{year}");
    let may_choose = !super::report::must_protect(&user);
    let files =
        format!("/api/v1/finsam/{year}{}", if built[0].protected && may_choose { "?publicering=ja" } else { "" });
    let sep = if files.contains('?') { '&' } else { '?' };
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
            @for t in &tables { (table(t)) }
            p.downloads {
                "Hämta panelen som "
                a href=(format!("{files}{sep}format=csv")) download { "CSV för Excel" }
                ", "
                a href=(format!("{files}{sep}format=csv-plain")) download { "CSV för program" }
                " eller "
                a href=(files) { "JSON" }
                "."
            }
        },
    ))
}
