//! The pages for figures from earlier annual reports (`web::earlier`).

use super::components::error_summary;
use super::layout::{Chrome, Section, csrf, page};
use crate::domain::{FieldError, Insats};
use crate::web::auth::CurrentUser;
use crate::web::earlier::{FormTable, Overview};
use maud::{Markup, html};

/// `/tidigare`: per insats, the years with figures and the enrolled at the start.
pub fn index(chrome: Chrome, _user: &CurrentUser, overview: &[Overview], now_year: i32) -> Markup {
    page(
        chrome,
        "Tidigare år",
        Section::Import,
        html! {
            h1 { "Tidigare år från årsrapporterna" }
            p.lead { "Lägg in de siffror ni redan har publicerat för åren före Pinne – deltagare per kön och kommun, avslut per orsak, andelar positiva enkätsvar – så får rapporternas jämförelser med föregående år, femårstabellerna och diagrammen något att visa från första dagen. Siffrorna märks ”från tidigare årsrapport” och räknas aldrig ihop med registreringarna." }
            p { "Registrerar ni ett pågående arbete: ange också hur många som var inskrivna när ni började räkna i Pinne, så blir deltagarna under det första året rätt." }
            @for o in overview {
                section.card {
                    h2 { (o.insats.label) }
                    @match o.first_tallied {
                        Some(y) => p { "Registreringar från " (y) ". Siffror från årsrapporter läggs in för åren före " (y) "." }
                        None => p { "Inga registreringar ännu." }
                    }
                    @if o.years.is_empty() {
                        p { "Inga siffror från tidigare årsrapporter." }
                    } @else {
                        ul {
                            @for (y, n) in &o.years {
                                li { a href=(format!("/tidigare/{}/{y}", o.insats.key)) { (y) } " – " (crate::sv::plural(*n as i64, "siffra", "siffror")) }
                            }
                        }
                    }
                    form method="get" action=(format!("/tidigare/{}/ar", o.insats.key)) .inline {
                        div.field {
                            label for=(format!("ar-{}", o.insats.key)) { "Lägg in siffror för år" }
                            input id=(format!("ar-{}", o.insats.key)) name="ar" inputmode="numeric" size="6"
                                value=(o.first_tallied.unwrap_or(now_year) - 1);
                        }
                        button type="submit" { "Öppna" }
                    }
                    p {
                        a href=(format!("/tidigare/{}/start", o.insats.key)) { "Inskrivna vid årets början" }
                        @match o.opening {
                            Some((y, n)) => { " – " (crate::sv::count(n)) " inskrivna vid början av " (y) }
                            None => { " – inte angivna" }
                        }
                    }
                }
            }
        },
    )
}

/// The form for a year's report figures, or for the enrolled at the start (`opening`).
#[allow(clippy::too_many_arguments)]
pub fn form(
    chrome: Chrome,
    user: &CurrentUser,
    insats: &Insats,
    year: i32,
    opening: bool,
    tables: &[FormTable],
    values: &[(String, String)],
    errors: &[FieldError],
    saved: bool,
) -> Markup {
    let title = if opening {
        format!("Inskrivna vid årets början – {}", insats.label)
    } else {
        format!("Siffror från årsrapporten {year} – {}", insats.label)
    };
    let action =
        if opening { format!("/tidigare/{}/start", insats.key) } else { format!("/tidigare/{}/{year}", insats.key) };
    let value = |field: &str| values.iter().find(|(k, _)| k == field).map(|(_, v)| v.as_str()).unwrap_or("");
    let has_error = |field: &str| errors.iter().any(|e| e.field == field);
    page(
        chrome,
        &title,
        Section::Import,
        html! {
            p { a href="/tidigare" { "Tidigare år" } }
            h1 { (title) }
            @if saved {
                div.banner.success role="status" { "Siffrorna är sparade. Rapporterna visar dem från och med nu." }
            }
            @if opening {
                p.lead { "Hur många var inskrivna när ni började registrera i Pinne? Antalet blir ”Inskrivna vid årets början” det första året och räknas sedan vidare med årets inskrivningar och avslut – i stället för att registrera en inskrivning per deltagare i december året före." }
            } @else {
                p.lead { "Skriv in siffrorna som de står i årsrapporten för " (year) ". Ett antal skrivs som 114, en andel som 78 %. Fyll bara i det som finns – det som lämnas tomt visas som tomt, aldrig som 0. Siffrorna visas i rapporternas kolumner för " (year) ", märkta ”från tidigare årsrapport”." }
            }
            (error_summary(errors))
            form method="post" action=(action) {
                (csrf(user))
                @if opening {
                    div.field {
                        label for="ar" { "Första året med registreringar" }
                        input #ar name="ar" inputmode="numeric" size="6" value=(if year > 0 { year.to_string() } else { value("ar").to_string() })
                            aria-invalid=[has_error("ar").then_some("true")];
                        @for e in errors.iter().filter(|e| e.field == "ar") { p.field-error { (e.message) } }
                    }
                }
                @for t in tables {
                    section.report-table {
                        h2 { (t.title) }
                        p.hint { (t.hint) }
                        div.scroll tabindex="0" role="region" aria-label=(t.title) {
                            table.figures {
                                thead { tr { th scope="col" { "" } @for c in &t.columns { th scope="col" { (c) } } } }
                                tbody {
                                    @for r in &t.rows {
                                        @if r.heading {
                                            tr.group { th scope="rowgroup" colspan=(t.columns.len() + 1) { (r.label) } }
                                        } @else {
                                            tr {
                                                th scope="row" { (r.label) }
                                                @for (c, col) in r.cells.iter().zip(&t.columns) {
                                                    td {
                                                        input name=(c.field) value=(value(&c.field)) size="6" inputmode="decimal"
                                                            aria-label=(format!("{}, {}", r.label, col))
                                                            aria-invalid=[has_error(&c.field).then_some("true")];
                                                        @for e in errors.iter().filter(|e| e.field == c.field) { p.field-error { (e.message) } }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                button.primary type="submit" { "Spara" }
                " "
                a href="/tidigare" { "Avbryt" }
            }
            @if !values.is_empty() && errors.is_empty() {
                form method="post" action=(action) {
                    (csrf(user))
                    input type="hidden" name="ta_bort" value="1";
                    @if opening { input type="hidden" name="ar" value=(year); }
                    button.danger type="submit" { @if opening { "Ta bort inskrivna vid årets början" } @else { "Ta bort siffrorna för " (year) } }
                }
            }
        },
    )
}
