//! The report over a span of years.

use super::components::table;
use super::layout::{self, Chrome, Section};
use crate::report::span::Span;
use crate::web::auth::CurrentUser;
use crate::web::report::{Built, must_protect};
use maud::{Markup, html};

pub fn title(b: &Built, s: Span) -> String {
    format!("{} {}", b.report.insats.label, s.label())
}

pub fn page(chrome: Chrome, user: &CurrentUser, b: &Built, s: Span, publication: bool) -> Markup {
    let r = &b.report;
    let here = format!("/rapport/{}/period/{}", r.insats.key, s.key());
    let api = format!("/api/v1/reports/{}/spans/{}", r.insats.key, s.key());
    let pub_q = if publication { "?publicering=ja" } else { "" };
    let t = title(b, s);
    layout::page(
        chrome,
        &t,
        Section::Report,
        html! {
            h1 { (t) }
            p.lead {
                "Rapport för perioden " (s.label()) ". Varje deltagare räknas en gång för hela perioden: de som var inskrivna vid periodens början och de som skrevs in under den. Avslut och andra registreringar räknas över alla periodens år."
            }
            @if b.protected {
                div.banner.protected role="note" {
                    p { strong { "Publiceringsversion." } " Små antal visas inte, och inte heller det som skulle avslöja dem tillsammans med årsrapporterna." }
                    @if !must_protect(user) { p { a href=(here) { "Visa alla siffror" } } }
                }
            } @else {
                div.banner.warn role="note" {
                    p { strong { "Ej för publicering." } " Tabellerna visar alla siffror, även små antal." }
                    p { a href=(format!("{here}?publicering=ja")) { "Visa publiceringsversionen" } }
                }
            }
            @if r.goals.is_empty() {
                p.note { "Inga mål är satta för perioden." }
            } @else {
                section #mal {
                    h2 { "Mål för perioden" }
                    ul.goals {
                        @for g in &r.goals { (super::report::goal_item(b, g, &s.label())) }
                    }
                }
            }
            @if user.account.is_admin() {
                p { a href=(format!("/mal/{}/{}", r.insats.key, s.key())) { "Sätt mål för perioden " (s.label()) } }
            }
            @for tb in &b.tables { (table(tb)) }
            p.no-print {
                "Som fil: "
                a href=(format!("{api}{pub_q}")) { "JSON" }
            }
            p.no-print { a href=(format!("/rapport/{}/{}", r.insats.key, s.last)) { "Till årsrapporten " (s.last) } }
        },
    )
}
