//! The page shell: header with the menu the signed-in account may use, and a logout button.

use crate::web::auth::CurrentUser;
use maud::{DOCTYPE, Markup, html};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Tally,
    Tallies,
    Report,
    Users,
    Audit,
    Account,
    Overview,
    Settings,
    Import,
    None,
}

/// What every page shows around its content.
#[derive(Clone, Copy)]
pub struct Chrome<'a> {
    pub association: &'a str,
    pub user: Option<&'a CurrentUser>,
}

impl<'a> Chrome<'a> {
    pub fn new(association: &'a str, user: &'a CurrentUser) -> Chrome<'a> {
        Chrome { association, user: Some(user) }
    }
    pub fn anonymous() -> Chrome<'static> {
        Chrome { association: "", user: None }
    }
}

/// The hidden CSRF field every state-changing form carries.
pub fn csrf(user: &CurrentUser) -> Markup {
    html! { input type="hidden" name="csrf" value=(user.csrf()); }
}

pub fn page(chrome: Chrome, title: &str, section: Section, body: Markup) -> Markup {
    page_with(chrome, title, section, None, body)
}

/// A page that reloads itself (`refresh` is the meta refresh: `"1"` reloads after a second, a
/// progress page that works without JavaScript; `"0; url=/"` goes on to the start page).
pub fn page_with(chrome: Chrome, title: &str, section: Section, refresh: Option<&str>, body: Markup) -> Markup {
    let current = |s: Section| (section == s).then_some("page");
    html! {
        (DOCTYPE)
        html lang="sv" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(seconds) = refresh { meta http-equiv="refresh" content=(seconds); }
                title { (title) " – Pinne" }
                link rel="stylesheet" href="/assets/pinne.css";
            }
            body {
                a.skip href="#main" { "Hoppa till innehållet" }
                header.site {
                    div.brand {
                        a href="/" { "Pinne" }
                        @if !chrome.association.is_empty() { span.assoc { (chrome.association) } }
                    }
                    @if let Some(user) = chrome.user {
                        @let a = &user.account;
                        nav aria-label="Huvudmeny" {
                            ul {
                                @if matches!(a.role, crate::domain::account::Role::Coach | crate::domain::account::Role::Forbundschef) {
                                    li { a href="/registrera" aria-current=[current(Section::Tally)] { "Registrera" } }
                                }
                                @if matches!(a.role, crate::domain::account::Role::Huvudman | crate::domain::account::Role::Forbundschef) {
                                    li { a href="/registreringar" aria-current=[current(Section::Tallies)] { "Registreringar" } }
                                    li { a href="/import" aria-current=[current(Section::Import)] { "Importera" } }
                                }
                                @if a.is_admin() {
                                    li { a href="/oversikt" aria-current=[current(Section::Overview)] { "Översikt" } }
                                }
                                li { a href="/rapport" aria-current=[current(Section::Report)] { "Årsrapport" } }
                                @if a.is_admin() {
                                    li { a href="/installningar" aria-current=[current(Section::Settings)] { "Inställningar" } }
                                    li { a href="/anvandare" aria-current=[current(Section::Users)] { "Användare" } }
                                    li { a href="/logg" aria-current=[current(Section::Audit)] { "Logg" } }
                                }
                                li { a href="/konto" aria-current=[current(Section::Account)] { "Konto" } }
                                li {
                                    form.inline method="post" action="/logout" {
                                        (csrf(user))
                                        button.link type="submit" { "Logga ut " span.who { "(" (a.name) ")" } }
                                    }
                                }
                            }
                        }
                    }
                }
                main #main { (body) }
                footer.site {
                    p { "Pinne lagrar inga personuppgifter om deltagare: bara antal per månad och kategori." }
                }
            }
        }
    }
}

pub fn error_page(title: &str, message: &str) -> Markup {
    page(
        Chrome::anonymous(),
        title,
        Section::None,
        html! {
            h1 { (title) }
            p.lead { (message) }
            p { a href="/" { "Till startsidan" } }
        },
    )
}
