//! The yearly report page.

use super::components::table;
use super::layout::{self, Chrome, Section, csrf};
use crate::domain::{Config, Period};
use crate::report::sections::{EventSection, KindSection};
use crate::report::{GoalStatus, Report, tables};
use crate::sv;
use crate::web::auth::CurrentUser;
use maud::{Markup, html};

pub fn page_title(r: &Report) -> String {
    format!("Årsrapport {} – {}", r.year, r.insats.label)
}

pub fn page(chrome: Chrome, user: &CurrentUser, cfg: &Config, r: &Report, now: Period) -> Markup {
    let account = &user.account;
    let insats_id = cfg.insats(&r.insats.key).map(|i| i.id).unwrap_or(0);
    let p = &r.participants;
    let base = format!("/api/v1/reports/{}/{}", r.insats.key, r.year);
    let first_year = (now.year - 6).max(crate::domain::period::MIN_YEAR);
    let gender_text = r
        .genders
        .iter()
        .map(|g| (g, p.by_gender.get(&g.key).map(|f| f.total).unwrap_or(0)))
        // A column only other kinds need (e.g. surveys without gender) says nothing about participants.
        .filter(|(g, n)| *n != 0 || g.key != crate::report::UNSTATED_GENDER)
        .map(|(g, n)| format!("{} {}", sv::count(n), g.label.to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ");
    layout::page(
        chrome,
        &page_title(r),
        Section::Report,
        html! {
            h1 { (page_title(r)) }
            nav.report-nav aria-label="Välj insats och år" {
                ul.choices.links.small {
                    @for i in cfg.insatser.iter().filter(|i| !i.kind_ids.is_empty() && account.may_read_report(i.id, r.year, now.year)) {
                        li { a.choice href=(format!("/rapport/{}/{}", i.key, r.year)) aria-current=[(i.key == r.insats.key).then_some("true")] { (i.label) } }
                    }
                }
                ul.choices.links.small {
                    @for y in (first_year..=now.year).filter(|y| account.may_read_report(insats_id, *y, now.year)) {
                        li { a.choice href=(format!("/rapport/{}/{y}", r.insats.key)) aria-current=[(y == r.year).then_some("true")] { (y) } }
                    }
                }
            }
            @if r.year == now.year {
                p.note { "Året pågår: siffrorna gäller till och med " (now.label()) "." }
            }
            @if let Some(c) = &r.closed {
                div.banner role="status" {
                    p { strong { "Året är stängt" } " sedan " (c.closed_at) " (UTC) av " (c.closed_by) ". Registreringar kan inte läggas till eller makuleras." }
                    @if account.may_reopen_year() {
                        form.inline method="post" action=(format!("/rapport/{}/{}/oppna", r.insats.key, r.year)) {
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
                form.inline method="post" action=(format!("/rapport/{}/{}/stang", r.insats.key, r.year)) {
                    (csrf(user))
                    button.secondary type="submit" { "Stäng " (r.year) }
                    " "
                    span.note { "När siffrorna är kontrollerade: sedan kan inget läggas till eller makuleras." }
                }
            }
            @if !r.flow_problems.is_empty() {
                div.banner.warn role="alert" {
                    h2 { "Dataproblem i " (r.year) }
                    p { "I några kategorier har fler avslutats än som någonsin skrivits in. Siffrorna visas som de är; kontrollera registreringarna." }
                    ul { @for f in &r.flow_problems { li { (f.message) } } }
                }
            }
            section.summary {
                h2 { "Sammanfattning" }
                @if r.has_flow {
                    p {
                        "Under " (r.year) " deltog " (sv::count(p.total)) " personer"
                        @if !gender_text.is_empty() { " (" (gender_text) ")" }
                        ", " (sv::count(p.entries)) " skrevs in och " (sv::count(p.exits)) " avslutades"
                        @if let Some(s) = r.exits.share_of_participants { " (" (sv::percent(s)) " av deltagarna)" }
                        ". Vid årets slut var " (sv::count(p.at_end)) " inskrivna."
                        " Året innan: " (sv::count(p.previous_year.figures.total)) " deltagare och " (sv::count(p.previous_year.figures.exits)) " avslut."
                    }
                } @else {
                    @if r.sections.is_empty() && r.events.is_empty() {
                        p { (r.insats.label) " har inget att räkna för " (r.year) "." }
                    }
                    ul {
                        @for s in &r.sections { li { strong { (s.label) } ": " (section_line(r, s)) } }
                        @for e in &r.events { li { strong { (e.label) } ": " (event_line(r, e)) } }
                    }
                }
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
                        @for g in &r.goals { (goal(r, g)) }
                    }
                    @if let Some(t) = tables::goal_table(r) { (table(&t)) }
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
                ul {
                    li { a href=(format!("{base}?format=csv")) download { "CSV för Excel" } " (semikolon, decimalkomma)" }
                    li { a href=(format!("{base}?format=csv-plain")) download { "CSV för andra program" } " (kommatecken, en rad per siffra)" }
                    li { a href=(base) { "JSON" } }
                }
            }
            @if r.has_flow {
                section.report-part #flode {
                    h2 { "Deltagare och avslut" }
                    @for t in tables::flow_tables(r) { (table(&t)) }
                    @if let Some(t) = tables::problem_table(r) { (table(&t)) }
                }
            }
            @for s in &r.sections {
                section.report-part id=(format!("del-{}", s.key)) {
                    h2 { (s.label) }
                    p { (section_line(r, s)) }
                    @for t in tables::section_tables(r, s) { (table(&t)) }
                }
            }
            @for e in &r.events {
                section.report-part id=(format!("del-{}", e.key)) {
                    h2 { (e.label) }
                    p { (event_line(r, e)) }
                    @for t in tables::event_tables(r, e) { (table(&t)) }
                }
            }
            @if let Some(c) = &r.cost {
                section.report-part #del-kostnad {
                    h2 { "Kostnad" }
                    (table(&tables::cost_table(r, c)))
                }
            }
        },
    )
}

/// "3 kvinnor, 0 män, 0 ej angivet" for the report's gender columns.
fn by_gender(r: &Report, n: impl Fn(&str) -> i64) -> String {
    r.genders
        .iter()
        .map(|g| format!("{} {}", sv::count(n(&g.key)), g.label.to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tallies of a kind this year and the year before.
fn section_line(r: &Report, s: &KindSection) -> Markup {
    let genders = by_gender(r, |k| s.by_gender.get(k).map(|c| c.count).unwrap_or(0));
    html! {
        (sv::plural(s.total, "registrering", "registreringar")) " under " (r.year)
        @if !genders.is_empty() { " (" (genders) ")" }
        ". Året innan: " (sv::count(s.previous_year.count)) "."
    }
}

/// Events of a kind and their attendees this year and the year before.
fn event_line(r: &Report, e: &EventSection) -> Markup {
    html! {
        (sv::plural(e.count, "aktivitet", "aktiviteter")) " med " (sv::count(e.attendees)) " deltagare under " (r.year)
        ". Året innan: " (sv::plural(e.previous_year.count, "aktivitet", "aktiviteter")) " med "
        (sv::count(e.previous_year.attendees)) " deltagare."
    }
}

/// One goal: its status in words and a symbol (never colour alone), its figures and the summary.
fn goal(r: &Report, g: &GoalStatus) -> Markup {
    let (class, symbol, word) = match g.met {
        Some(true) => ("met", "✔", "Nått"),
        Some(false) => ("unmet", "✘", "Inte nått"),
        None => ("unknown", "–", "Kan inte mätas än"),
    };
    html! {
        li class=(format!("goal {class}")) {
            h3 { (g.label) }
            p.status { span.symbol aria-hidden="true" { (symbol) } " " (word) }
            p.figures {
                "Mål: " (tables::goal_target(g)) ". Utfall " (r.year) ": " (tables::goal_value(g, g.actual).display())
                ". " (r.previous_year) ": " (tables::goal_value(g, g.previous_actual).display()) "."
            }
            p { (g.summary) }
        }
    }
}
