//! The page shell.

use maud::{DOCTYPE, Markup, html};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Tally,
    Report,
    None,
}

pub fn page(title: &str, association: &str, section: Section, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="sv" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " – Pinne" }
                link rel="stylesheet" href="/assets/pinne.css";
            }
            body {
                a.skip href="#main" { "Hoppa till innehållet" }
                header.site {
                    div.brand {
                        a href="/" { "Pinne" }
                        @if !association.is_empty() { span.assoc { (association) } }
                    }
                    nav aria-label="Huvudmeny" {
                        ul {
                            li { a href="/registrera" aria-current=[(section == Section::Tally).then_some("page")] { "Registrera" } }
                            li { a href="/rapport" aria-current=[(section == Section::Report).then_some("page")] { "Årsrapport" } }
                        }
                    }
                }
                main #main { (body) }
                footer.site {
                    p { "Pinne lagrar inga personuppgifter: bara antal per månad och kategori." }
                }
            }
        }
    }
}

pub fn error_page(title: &str, message: &str) -> Markup {
    page(
        title,
        "",
        Section::None,
        html! {
            h1 { (title) }
            p.lead { (message) }
            p { a href="/registrera" { "Till registreringen" } " · " a href="/rapport" { "Till årsrapporten" } }
        },
    )
}
