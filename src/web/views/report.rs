//! The yearly report page.

use super::components::table;
use super::layout::{self, Chrome, Section, csrf};
use crate::domain::{Config, Period};
use crate::report::tables::Table;
use crate::report::{GoalStatus, Report, summary, tables, trend};
use crate::web::auth::CurrentUser;
use crate::web::report::Built;
use maud::{Markup, html};

pub fn page_title(r: &Report) -> String {
    format!("Årsrapport {} – {}", r.year, r.insats.label)
}

/// How the report page is shown: which version and whether tables span five years.
#[derive(Debug, Clone, Copy, Default)]
pub struct View {
    /// The publication version was asked for (`?publicering=ja`).
    pub publication: bool,
    /// Five years side by side (`?visning=trend`).
    pub trend: bool,
}

impl View {
    /// The query string for this view with `trend` and `publication` as given.
    pub fn query(publication: bool, trend: bool) -> String {
        let mut q = Vec::new();
        if publication {
            q.push("publicering=ja");
        }
        if trend {
            q.push("visning=trend");
        }
        if q.is_empty() { String::new() } else { format!("?{}", q.join("&")) }
    }
}

/// The tables of one part of the report, from the built (possibly protected) tables, in the
/// order the part's builder gives; five years side by side in the trend view.
pub fn part(b: &Built, trend_view: bool, keys: Vec<String>) -> Vec<Table> {
    keys.iter()
        .filter_map(|k| {
            let t = b.tables.iter().find(|t| &t.key == k)?;
            Some(if trend_view { trend::table(k, &b.trend).unwrap_or_else(|| t.clone()) } else { t.clone() })
        })
        .collect()
}

pub fn keys(t: Vec<Table>) -> Vec<String> {
    t.into_iter().map(|t| t.key).collect()
}

pub fn page(chrome: Chrome, user: &CurrentUser, cfg: &Config, b: &Built, view: View, now: Period) -> Markup {
    let r = &b.report;
    let account = &user.account;
    let insats_id = cfg.insats(&r.insats.key).map(|i| i.id).unwrap_or(0);
    let base = format!("/api/v1/reports/{}/{}", r.insats.key, r.year);
    let here = format!("/rapport/{}/{}", r.insats.key, r.year);
    let first_year = (now.year - 6).max(crate::domain::period::MIN_YEAR);
    let may_choose = !crate::web::report::must_protect(user);
    let pub_q = if b.protected && !crate::web::report::must_protect(user) { "&publicering=ja" } else { "" };
    let charts = crate::report::chart::charts(r, &b.tables, &b.trend);
    layout::page(
        chrome,
        &page_title(r),
        Section::Report,
        html! {
            h1 { (page_title(r)) }
            nav.report-nav aria-label="Välj insats och år" {
                ul.choices.links.small {
                    @for i in cfg.insatser.iter().filter(|i| !i.kind_ids.is_empty() && account.may_read_report(i.id, r.year, now.year)) {
                        li { a.choice href=(format!("/rapport/{}/{}{}", i.key, r.year, View::query(view.publication, view.trend))) aria-current=[(i.key == r.insats.key).then_some("true")] { (i.label) } }
                    }
                }
                ul.choices.links.small {
                    @for y in (first_year..=now.year).filter(|y| account.may_read_report(insats_id, *y, now.year)) {
                        li { a.choice href=(format!("/rapport/{}/{y}{}", r.insats.key, View::query(view.publication, view.trend))) aria-current=[(y == r.year).then_some("true")] { (y) } }
                    }
                }
                ul.choices.links.small {
                    li { a.choice href=(format!("{here}{}", View::query(view.publication, false))) aria-current=[(!view.trend).then_some("true")] { "Året och året innan" } }
                    li { a.choice href=(format!("{here}{}", View::query(view.publication, true))) aria-current=[view.trend.then_some("true")] { "Fem år sida vid sida" } }
                }
            }
            @if account.role != crate::domain::account::Role::Coach {
                form.inline.span-choice method="get" action="/rapport/period" {
                    input type="hidden" name="insats" value=(r.insats.key);
                    label for="span-from" { "Rapport över flera år, från " }
                    input #span-from type="number" name="fran" min="2000" max=(now.year + 1) value=(r.year - 2) inputmode="numeric";
                    label for="span-to" { " till och med " }
                    input #span-to type="number" name="till" min="2000" max=(now.year + 1) value=(r.year) inputmode="numeric";
                    " "
                    button.secondary type="submit" { "Visa perioden" }
                }
            }
            (protection_banner(b, may_choose, &here, view))
            @if r.year == now.year {
                p.note { "Året pågår: siffrorna gäller till och med " (now.label()) "." }
            }
            @if let Some(c) = &r.closed {
                div.banner role="status" {
                    p { strong { "Året är stängt" } " sedan " (c.closed_at) " (UTC) av " (c.closed_by) ". Registreringar kan inte läggas till eller makuleras." }
                    @if account.may_reopen_year() {
                        form.inline method="post" action=(format!("{here}/oppna")) {
                            (csrf(user))
                            label for="reopen-reason" { "Öppna igen, orsak: " }
                            select #reopen-reason name="reason" required {
                                @for (k, l) in crate::web::report::REOPEN_REASONS { option value=(k) { (l) } }
                            }
                            " "
                            button.secondary type="submit" { "Öppna året" }
                        }
                    }
                }
            } @else if account.may_close_year(insats_id) {
                form.inline method="post" action=(format!("{here}/stang")) {
                    (csrf(user))
                    button.secondary type="submit" { "Stäng " (r.year) }
                    " "
                    span.note { "När siffrorna är kontrollerade: sedan kan inget läggas till eller makuleras." }
                }
            }
            @if !b.protected && !r.flow_problems.is_empty() {
                div.banner.warn role="alert" {
                    h2 { "Dataproblem i " (r.year) }
                    p { "I några kategorier har fler avslutats än som någonsin skrivits in. Siffrorna visas som de är; kontrollera registreringarna." }
                    ul { @for f in &r.flow_problems { li { (f.message) } } }
                }
            }
            section.summary {
                h2 { "Sammanfattning" }
                @let paragraphs = summary::paragraphs(r, &b.tables);
                @if paragraphs.is_empty() {
                    p { (r.insats.label) " har inget att räkna för " (r.year) "." }
                }
                @for p in &paragraphs { p { (p) } }
            }
            section.goals {
                h2 { "Mål " (r.year) }
                @if r.goals.is_empty() {
                    p { "Inga mål är satta för " (r.insats.label) "." }
                } @else {
                    @if let Some(y) = r.goals_year.filter(|y| *y != r.year) {
                        p.note { "Inga egna mål är satta för " (r.year) "; målen från " (y) " gäller." }
                    }
                    ul.goal-list {
                        @for g in &r.goals { (goal(b, g)) }
                    }
                    @if let Some(t) = b.tables.iter().find(|t| t.key == "mal") { (table(t)) }
                }
                @if account.is_admin() {
                    p {
                        a href=(format!("/mal/{}/{}", r.insats.key, r.year)) { "Ändra mål för " (r.year) }
                        " · "
                        a href=(format!("/budget/{}/{}", r.insats.key, r.year)) { "Budget och utfall " (r.year) }
                    }
                }
            }
            section.downloads {
                h2 { "Ladda ner" }
                p.note {
                    @if b.protected && b.rule.max_deviation() > 0 { "Filerna är publiceringsversionen: " (b.rule.describe(false).to_lowercase()) }
                    @else if b.protected { "Filerna är publiceringsversionen: små antal är dolda." }
                    @else { "Filerna är märkta ”ej för publicering”: de innehåller alla siffror, även små antal." }
                }
                ul {
                    li { a.button href=(format!("{base}?format=xlsx{pub_q}")) download { "Ladda ner Excel (XLSX)" } " – hela rapporten, en flik per tabell" }
                    li { a href=(format!("{base}?format=csv{pub_q}")) download { "CSV för Excel" } " (semikolon, decimalkomma)" }
                    li { a href=(format!("{base}?format=csv-plain{pub_q}")) download { "CSV för andra program" } " (kommatecken, en rad per siffra)" }
                    li { a href=(format!("{here}/utskrift{}", View::query(view.publication, view.trend))) { "Utskriftsversion" } " – skriv ut eller spara som PDF (A4)" }
                    li { a href=(format!("{base}/tables{}", View::query(b.protected && may_choose, false))) { "JSON per tabell" } " (för Power BI och Power Query)" }
                    li { a href=(format!("/uppfoljning/{}{}", r.year, View::query(b.protected && may_choose, false))) { "Uppföljning Finsam " (r.year) } " – siffrorna till det nationella systemet" }
                }
            }
            @if !charts.is_empty() {
                section.report-part #diagram {
                    h2 { "Diagram" }
                    @for c in &charts { (crate::report::chart::figure(c)) }
                }
            }
            (parts(b, view.trend))
        },
    )
}

/// The report's tables, part by part.
pub fn parts(b: &Built, trend_view: bool) -> Markup {
    let r = &b.report;
    html! {
        @if r.has_flow {
            section.report-part #flode {
                h2 { "Deltagare och avslut" }
                @for t in part(b, trend_view, keys(tables::flow_tables(r))) { (table(&t)) }
                @if !b.protected { @if let Some(t) = tables::problem_table(r) { (table(&t)) } }
            }
        }
        @for s in &r.sections {
            section.report-part id=(format!("del-{}", s.key)) {
                h2 { (s.label) }
                p { (summary::section_line(r, &b.tables, &s.key, &s.label)) }
                @for t in part(b, trend_view, keys(tables::section_tables(r, s))) { (table(&t)) }
            }
        }
        @for e in &r.events {
            section.report-part id=(format!("del-{}", e.key)) {
                h2 { (e.label) }
                @for t in part(b, trend_view, keys(tables::event_tables(r, e))) { (table(&t)) }
            }
        }
        @if r.cost.is_some() {
            section.report-part #del-kostnad {
                h2 { "Kostnad" }
                @for t in part(b, trend_view, vec!["kostnad".into()]) { (table(&t)) }
            }
        }
    }
}

/// Says which version the page shows: protected, or every figure and not for publication.
pub fn protection_banner(b: &Built, may_choose: bool, here: &str, view: View) -> Markup {
    html! {
        @if b.protected {
            div.banner.protected role="status" {
                p {
                    strong { "Publiceringsversion." }
                    @if b.rule.max_deviation() > 0 {
                        " Ingen enskild person kan pekas ut, även när tabellerna läses tillsammans. "
                        (b.rule.describe(true))
                    } @else {
                        " Små antal är dolda så att ingen enskild person kan pekas ut, även när tabellerna läses tillsammans."
                    }
                }
                @if may_choose {
                    p.no-print { a href=(format!("{here}{}", View::query(false, view.trend))) { "Visa alla siffror (ej för publicering)" } }
                }
            }
        } @else {
            div.banner.warn.not-for-publication role="status" {
                p {
                    strong { "Ej för publicering." }
                    " Tabellerna visar alla siffror, även små antal som kan peka ut enskilda personer. Använd publiceringsversionen för allt som ska spridas."
                }
                p.no-print { a href=(format!("{here}{}", View::query(true, view.trend))) { "Visa publiceringsversionen" } }
            }
        }
    }
}

/// One goal: its status in words and a symbol (never colour alone), its figures and the summary.
/// The figures come from the goal table, so a protected report shows only what may be published.
fn goal(b: &Built, g: &GoalStatus) -> Markup {
    goal_with(b, g, None)
}

/// A goal of a report over a span of years (`label`: "2024–2027"): the same, without the year
/// before.
pub fn goal_item(b: &Built, g: &GoalStatus, label: &str) -> Markup {
    goal_with(b, g, Some(label))
}

fn goal_with(b: &Built, g: &GoalStatus, span: Option<&str>) -> Markup {
    let r = &b.report;
    let table = b.tables.iter().find(|t| t.key == "mal");
    let row = table.and_then(|t| t.rows.iter().find(|row| row.label == g.label));
    // Published, the verdict is shown exactly when the figure it judges is.
    let verdict_hidden = b.protected
        && table
            .and_then(|t| t.columns.iter().position(|c| c.group == "Bedömning"))
            .and_then(|i| row.and_then(|row| row.cells.get(i)))
            .is_some_and(|v| v.is_hidden());
    let (class, symbol, word) = if verdict_hidden {
        ("unknown", "–", "Visas inte (för få)")
    } else {
        (g.verdict.class(), g.verdict.symbol(), g.verdict.label())
    };
    let cell = |i: usize| row.and_then(|row| row.cells.get(i)).map(|v| v.display()).unwrap_or_else(|| "–".into());
    let any_hidden = row.is_some_and(|row| row.cells.iter().any(|v| v.is_hidden()));
    let text = if !b.protected || (!any_hidden && !g.summary.is_empty()) {
        g.summary.clone()
    } else {
        summary::goal_sentence(r, &b.tables, g)
    };
    let text = match span {
        Some(label) => text.replace("årets", "periodens").replace(&format!(" {} (", r.year), &format!(" {label} (")),
        None => text,
    };
    html! {
        li class=(format!("goal {class}")) {
            h3 { (g.label) }
            p.status { span.symbol aria-hidden="true" { (symbol) } " " (word) }
            p.figures {
                @if g.expectation { "Förväntan: " } @else { "Mål: " } (tables::goal_target(g))
                @if let Some(label) = span {
                    ". Utfall " (label) ": " (cell(1)) "."
                } @else {
                    ". Utfall " (r.year) ": " (cell(1)) ". " (r.previous_year) ": " (cell(2)) "."
                }
            }
            p { (text) }
        }
    }
}

/// The whole report on A4 for printing or saving as PDF: no navigation, a title block, the
/// summary, goals, charts and every table, page breaks between parts (see `@page` in pinne.css).
pub fn print(b: &Built, view: View, now: Period) -> Markup {
    let r = &b.report;
    let charts = crate::report::chart::charts(r, &b.tables, &b.trend);
    html! {
        (maud::DOCTYPE)
        html lang="sv" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (page_title(r)) " – " (r.association) }
                link rel="stylesheet" href="/assets/pinne.css";
            }
            body.print-view {
                header.print-title {
                    p.assoc { (r.association) }
                    h1 { (page_title(r)) }
                    p.note {
                        @if r.year == now.year { "Året pågår: siffrorna gäller till och med " (now.label()) ". " }
                        @if let Some(c) = &r.closed { "Året stängdes " (c.closed_at) " (UTC). " }
                        "Utskrivet från Pinne " (now.label()) "."
                    }
                    (protection_banner(b, false, "", view))
                }
                main {
                    section.summary {
                        h2 { "Sammanfattning" }
                        @for p in summary::paragraphs(r, &b.tables) { p { (p) } }
                    }
                    @if let Some(t) = b.tables.iter().find(|t| t.key == "mal") {
                        section.goals { h2 { "Mål " (r.year) } (table(t)) }
                    }
                    @if !charts.is_empty() {
                        section.report-part.print-charts {
                            h2 { "Diagram" }
                            @for c in &charts { (crate::report::chart::figure(c)) }
                        }
                    }
                    (parts(b, view.trend))
                }
            }
        }
    }
}
