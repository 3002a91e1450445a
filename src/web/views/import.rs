//! The import pages (`web::import`): the start page with the template and the upload form, and
//! a job's page (progress, problems, preview, result).

use super::layout::{Chrome, Section, csrf, page, page_with};
use crate::domain::{Config, Insats, Kind, Period};
use crate::store::import::Import;
use crate::transfer::{read, rows::Parsed};
use crate::web::auth::CurrentUser;
use crate::web::import::Phase;
use maud::{Markup, html};

/// `/import`: the template, the upload form, the export and the earlier imports.
pub fn index(
    chrome: Chrome,
    user: &CurrentUser,
    mine: &[&Insats],
    kinds: &[&Kind],
    now: Period,
    imports: &[Import],
    error: Option<&str>,
) -> Markup {
    page(
        chrome,
        "Importera registreringar",
        Section::Import,
        html! {
            h1 { "Importera registreringar" }
            p.lead { "För in registreringar från Excel – till exempel era månadsvisa pinnlistor – i stället för att registrera dem en och en. Inget sparas förrän du har sett vad filen ger och bekräftat." }
            @if let Some(e) = error {
                div.error-summary role="alert" tabindex="-1" { h2 { "Filen kunde inte tas emot" } p { (e) } }
            }
            h2 { "1. Hämta mallen" }
            p { "Mallen har ett blad per typ av registrering, en kolumn per fråga med en lista över svaren, en kolumn för månaden och en för antal (en rad kan stå för flera likadana registreringar). Första bladet förklarar hur den fylls i." }
            ul {
                li { a href="/import/mall.xlsx" { "Mall för alla insatser (Excel)" } }
                @for i in mine {
                    li {
                        a href=(format!("/import/mall.xlsx?insats={}", i.key)) { "Mall för " (i.label) " (Excel)" }
                        " · "
                        a href=(format!("/import/mall.csv?insats={}", i.key)) { "som CSV" }
                    }
                }
            }
            details {
                summary { "Mall för en enda typ av registrering" }
                form method="get" action="/import/mall.xlsx" {
                    div.field {
                        label for="mall-insats" { "Insats" }
                        select #mall-insats name="insats" {
                            option value="" { "Alla mina insatser" }
                            @for i in mine { option value=(i.key) { (i.label) } }
                        }
                    }
                    div.field {
                        label for="mall-kind" { "Typ av registrering" }
                        select #mall-kind name="kind" { @for k in kinds { option value=(k.key) { (k.label) } } }
                    }
                    button type="submit" { "Hämta som Excel" }
                    " "
                    button type="submit" formaction="/import/mall.csv" { "Hämta som CSV" }
                }
            }
            h2 { "2. Ladda upp den ifyllda filen" }
            form method="post" action="/import" enctype="multipart/form-data" {
                (csrf(user))
                div.field {
                    label for="fil" { "Fil (Excel .xlsx eller CSV, högst " (read::MAX_FILE / (1024 * 1024)) " MB)" }
                    p.hint #fil-hint { "Filen får inte innehålla namn, personnummer, e-postadresser eller annan fritext om deltagare." }
                    input #fil type="file" name="fil" accept=".xlsx,.csv,text/csv" required aria-describedby="fil-hint";
                }
                button.primary type="submit" { "Kontrollera filen" }
            }
            h2 { "Tidigare år och de som redan är inskrivna" }
            p { "Siffrorna i era tidigare årsrapporter – deltagare, avslut, enkätsvar – och hur många som var inskrivna när ni började räkna läggs in som siffror, inte som registreringar: " a href="/tidigare" { "Tidigare år" } "." }
            h2 { "Exportera registreringar" }
            p { "Alla registreringar för en insats till och med ett år, i mallens format (CSV). Filen kan importeras i en tom Pinne och ger samma årsrapport. Den innehåller registreringar, inte publicerbara tabeller: dela den inte." }
            form method="get" action="/import/export" {
                div.field {
                    label for="export-insats" { "Insats" }
                    select #export-insats name="insats" { @for i in mine { option value=(i.key) { (i.label) } } }
                }
                div.field {
                    label for="export-year" { "Till och med år" }
                    input #export-year name="year" inputmode="numeric" value=(now.year);
                }
                button type="submit" { "Exportera (CSV)" }
            }
            h2 { "Tidigare importer" }
            @if imports.is_empty() {
                p { "Inga importer än." }
            } @else {
                div.scroll tabindex="0" role="region" aria-label="Tidigare importer" {
                    table {
                        thead { tr { th scope="col" { "Nr" } th scope="col" { "Datum" } th scope="col" { "Av" } th.num scope="col" { "Rader" } th.num scope="col" { "Registreringar" } th scope="col" { "Status" } } }
                        tbody {
                            @for i in imports {
                                tr {
                                    td { (i.id) }
                                    td { (i.created_on) }
                                    td { (i.created_by.as_deref().unwrap_or("–")) }
                                    td.num { (crate::sv::count(i.rows)) }
                                    td.num { (crate::sv::count(i.tallies)) }
                                    td {
                                        @if let Some(on) = &i.undone_on {
                                            "Ångrad " (on) @if let Some(by) = &i.undone_by { " av " (by) }
                                        } @else {
                                            form.inline method="post" action=(format!("/import/{}/angra", i.id)) {
                                                (csrf(user))
                                                label.check { input type="checkbox" name="bekrafta" value="ja" required; " Jag vill ångra hela importen" }
                                                " "
                                                button.secondary type="submit" { "Ångra importen" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

fn progress(done: u64, total: u64, what: &str, unit: &str, hint: &str) -> Markup {
    let done = done.min(total);
    html! {
        @if total == 0 {
            // The file is still being unpacked and read: how many rows it has is not known yet.
            p #progress-text aria-live="polite" { "Läser filen …" }
            progress #progress aria-labelledby="progress-text" {}
        } @else {
            p #progress-text aria-live="polite" { (what) ": " (crate::sv::count(done as i64)) " av " (crate::sv::count(total as i64)) " " (unit) "." }
            progress #progress max=(total) value=(done) aria-labelledby="progress-text" { (done * 100 / total) " %" }
        }
        p.hint { (hint) }
    }
}

/// An import job's page: progress (reloading itself), problems, preview or the result. `done` of
/// `total` rows read or tallies stored.
#[allow(clippy::too_many_arguments)]
pub fn job(
    chrome: Chrome,
    config: &Config,
    user: &CurrentUser,
    id: &str,
    phase: &Phase,
    (done, total): (u64, u64),
    error: Option<&str>,
) -> Markup {
    match phase {
        Phase::Reading => page_with(
            chrome,
            "Kontrollerar filen",
            Section::Import,
            Some("1"),
            html! {
                h1 { "Kontrollerar filen …" }
                (progress(done, total, "Kontrollerade", "rader", "Sidan uppdateras av sig själv. Inget sparas förrän du har sett resultatet och bekräftat."))
            },
        ),
        Phase::Storing => page_with(
            chrome,
            "Sparar",
            Section::Import,
            Some("1"),
            html! {
                h1 { "Sparar registreringarna …" }
                p { "Allt sparas på en gång: avbryts något sparas ingenting." }
                (progress(done, total, "Sparade", "registreringar", "Sidan uppdateras av sig själv. Du kan lämna den: sparandet fortsätter."))
            },
        ),
        Phase::Failed(message) => page(
            chrome,
            "Filen kan inte importeras",
            Section::Import,
            html! {
                h1 { "Filen kan inte importeras" }
                div.error-summary role="alert" tabindex="-1" { p { (message) } p { "Inget har sparats." } }
                p { a href="/import" { "Tillbaka till Importera" } }
            },
        ),
        Phase::Stored { import_id, tallies } => page(
            chrome,
            "Importen är sparad",
            Section::Import,
            html! {
                h1 { "Importen är sparad" }
                div.banner.ok role="status" { (crate::sv::count(*tallies as i64)) " registreringar är sparade (import nr " (import_id) ")." }
                p { "Årsrapporterna räknar med dem nu. Blev något fel kan hela importen ångras under " a href="/import" { "Importera" } "." }
                p { a href="/rapport" { "Till årsrapporterna" } }
            },
        ),
        Phase::Checked(c) if !c.parsed.ok() => page(
            chrome,
            "Filen har fel",
            Section::Import,
            html! {
                h1 { "Filen har fel – inget har sparats" }
                div.error-summary role="alert" tabindex="-1" {
                    p { (problem_count(&c.parsed)) " Rätta dem i filen och ladda upp den igen: en import sparas bara hel." }
                }
                (problems_table(&c.parsed))
                p { a href="/import" { "Ladda upp en rättad fil" } }
            },
        ),
        Phase::Checked(c) => page(
            chrome,
            "Förhandsgranska importen",
            Section::Import,
            html! {
                h1 { "Förhandsgranska importen" }
                p.lead { "Filen har " (crate::sv::count(c.parsed.rows as i64)) " rader och ger " strong { (crate::sv::count(c.parsed.total() as i64)) " registreringar" } ". Inget är sparat än." }
                @if let Some(e) = error { div.error-summary role="alert" tabindex="-1" { p { (e) } } }
                @if let Some(same) = &c.same_file {
                    div.banner.warn role="note" {
                        p { "Samma fil importerades " (same.created_on) @if let Some(by) = &same.created_by { " av " (by) } " (import nr " (same.id) ", " (crate::sv::count(same.tallies)) " registreringar). Importeras den igen räknas allt två gånger." }
                    }
                }
                form method="post" action=(format!("/import/jobb/{id}/spara")) {
                    (csrf(user))
                    @if c.same_file.is_some() {
                        div.field { label.check { input type="checkbox" name="igen" value="ja"; " Importera filen en gång till ändå" } }
                    }
                    button.primary type="submit" { "Spara " (crate::sv::count(c.parsed.total() as i64)) " registreringar" }
                    " "
                    a href="/import" { "Avbryt" }
                }
                h2 { "Det här sparas" }
                (summary_table(config, &c.parsed))
            },
        ),
    }
}

fn problem_count(p: &Parsed) -> String {
    let n = p.problems.len() + p.more_problems;
    let shown = if p.more_problems > 0 { format!(" (de första {} visas)", p.problems.len()) } else { String::new() };
    if n == 1 { "Filen har 1 fel.".into() } else { format!("Filen har {} fel{shown}.", crate::sv::count(n as i64)) }
}

fn problems_table(p: &Parsed) -> Markup {
    html! {
        div.scroll tabindex="0" role="region" aria-label="Fel i filen" {
            table {
                caption { "Fel i filen" }
                thead { tr { th scope="col" { "Blad" } th scope="col" { "Rad" } th scope="col" { "Kolumn" } th scope="col" { "Fel" } } }
                tbody {
                    @for e in &p.problems {
                        tr {
                            td { (if e.sheet.is_empty() { "–" } else { e.sheet.as_str() }) }
                            td { @if e.row == 0 { "–" } @else { (e.row) } }
                            td { (if e.column.is_empty() { "–" } else { e.column.as_str() }) }
                            td { (e.message) }
                        }
                    }
                }
            }
        }
    }
}

/// Tallies per insats, kind and year, with a column per month.
fn summary_table(config: &Config, p: &Parsed) -> Markup {
    let mut rows: std::collections::BTreeMap<(i64, i64, i32), [u64; 12]> = Default::default();
    for ((i, k, period), n) in &p.summary {
        rows.entry((*i, *k, period.year)).or_insert([0; 12])[(period.month - 1) as usize] += n;
    }
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
    html! {
        div.scroll tabindex="0" role="region" aria-label="Registreringar per månad" {
            table {
                caption { "Registreringar per månad" }
                thead {
                    tr {
                        th scope="col" { "Insats" } th scope="col" { "Registrering" } th scope="col" { "År" }
                        @for m in MONTHS { th.num scope="col" { (m) } }
                        th.num scope="col" { "Totalt" }
                    }
                }
                tbody {
                    @for ((i, k, year), months) in &rows {
                        tr {
                            td { (config.insats_by_id(*i).map(|x| x.label.as_str()).unwrap_or("")) }
                            th scope="row" { (config.kind_by_id(*k).map(|x| x.label.as_str()).unwrap_or("")) }
                            td { (year) }
                            @for n in months { td.num { @if *n > 0 { (crate::sv::count(*n as i64)) } } }
                            td.num { (crate::sv::count(months.iter().sum::<u64>() as i64)) }
                        }
                    }
                }
            }
        }
    }
}
