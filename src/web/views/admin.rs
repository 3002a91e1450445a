//! Pages for the förbundschef: accounts and the audit log.

use super::layout::{Chrome, Section, csrf, page};
use crate::domain::Config;
use crate::domain::account::{Account, Role};
use crate::store::audit::{Action, Entry};
use crate::web::auth::CurrentUser;
use maud::{Markup, html};

fn insats_names(cfg: &Config, a: &Account) -> String {
    if !a.role.has_insatser() {
        return "alla".into();
    }
    let names: Vec<&str> =
        a.insats_ids.iter().filter_map(|id| cfg.insats_by_id(*id)).map(|i| i.label.as_str()).collect();
    if names.is_empty() { "inga".into() } else { names.join(", ") }
}

fn role_and_insatser(cfg: &Config, role: Option<Role>, insatser: &[i64]) -> Markup {
    html! {
        div.field {
            label for="role" { "Roll" }
            select #role name="role" required {
                @if role.is_none() { option value="" { "Välj roll" } }
                @for r in Role::ALL { option value=(r.as_str()) selected[role == Some(r)] { (r.label()) } }
            }
        }
        fieldset.values {
            legend { "Insatser (för coach och huvudman)" }
            @for i in &cfg.insatser {
                @let id = format!("insats-{}", i.key);
                div.check {
                    input type="checkbox" id=(id) name="insats" value=(i.key) checked[insatser.contains(&i.id)];
                    label for=(id) { (i.label) }
                }
            }
        }
    }
}

pub fn users_page(
    chrome: Chrome,
    user: &CurrentUser,
    cfg: &Config,
    accounts: &[Account],
    federated_available: bool,
    error: Option<&str>,
) -> Markup {
    page(
        chrome,
        "Användare",
        Section::Users,
        html! {
            h1 { "Användare" }
            @if let Some(e) = error { div.error-summary role="alert" { h2 { "Kontot skapades inte" } p { (e) } } }
            table.list {
                thead { tr { th scope="col" { "Användarnamn" } th scope="col" { "Roll" } th scope="col" { "Insatser" } th scope="col" { "Status" } } }
                tbody {
                    @for a in accounts {
                        tr.voided[!a.active] {
                            td { a href=(format!("/anvandare/{}", a.id)) { (a.name) } }
                            td { (a.role.label()) }
                            td { (insats_names(cfg, a)) }
                            td {
                                @if !a.active { "Avstängt" } @else if a.federated { "Aktivt, kommunens konto" }
                                @else if a.has_totp { "Aktivt, tvåsteg" } @else { "Aktivt" }
                            }
                        }
                    }
                }
            }
            h2 { "Nytt konto" }
            p.note { "Användarnamnet är personalens, inte deltagarnas. Ge personen det första lösenordet på ett säkert sätt; hen byter det under Konto." }
            form.login method="post" action="/anvandare" {
                (csrf(user))
                div.field { label for="name" { "Användarnamn" } input #name name="name" maxlength="64" required autocomplete="off"; }
                (role_and_insatser(cfg, None, &[]))
                @if federated_available {
                    div.check {
                        input #federated type="checkbox" name="federated" value="1" aria-describedby="federated-hint";
                        label for="federated" { "Loggar in med kommunens konto (inget lösenord i Pinne)" }
                    }
                    p.note #federated-hint { "Skriv då användarnamnet som i kommunens inloggning (oftast e-postadressen). Kontot kopplas till personen första gången hen loggar in." }
                    div.field { label for="password" { "Första lösenord, för konton utan kommunens inloggning (minst 12 tecken)" } input #password name="password" type="password" minlength="12" maxlength="128" autocomplete="new-password"; }
                } @else {
                    div.field { label for="password" { "Första lösenord (minst 12 tecken)" } input #password name="password" type="password" minlength="12" maxlength="128" autocomplete="new-password" required; }
                }
                button.primary type="submit" { "Skapa konto" }
            }
        },
    )
}

pub fn user_page(
    chrome: Chrome,
    user: &CurrentUser,
    cfg: &Config,
    a: &Account,
    federated_available: bool,
    message: Option<&str>,
    error: Option<&str>,
) -> Markup {
    page(
        chrome,
        &a.name,
        Section::Users,
        html! {
            h1 { "Konto: " (a.name) }
            @if let Some(m) = message { div.banner.ok role="status" { p { (m) } } }
            @if let Some(e) = error { div.error-summary role="alert" { p { (e) } } }
            form.login method="post" action=(format!("/anvandare/{}", a.id)) {
                (csrf(user))
                (role_and_insatser(cfg, Some(a.role), &a.insats_ids))
                div.check { input #active type="checkbox" name="active" value="1" checked[a.active]; label for="active" { "Kontot är aktivt" } }
                @if federated_available && !a.federated {
                    div.check {
                        input #federated type="checkbox" name="federated" value="1";
                        label for="federated" { "Logga in med kommunens konto i stället för lösenord (användarnamnet som i kommunens inloggning)" }
                    }
                }
                p.note { "Ändras roll eller insatser, eller stängs kontot, loggas personen ut." }
                button.primary type="submit" { "Spara" }
            }
            @if a.federated {
                h2 { "Inloggning" }
                p { "Kontot loggar in med kommunens konto och har inget lösenord i Pinne." }
                h3 { "Gör om till ett konto med lösenord" }
            } @else {
                h2 { "Återställ lösenord" }
            }
            form.login method="post" action=(format!("/anvandare/{}/losenord", a.id)) {
                (csrf(user))
                div.field { label for="password" { "Nytt lösenord (minst 12 tecken)" } input #password name="password" type="password" minlength="12" maxlength="128" autocomplete="new-password" required; }
                p.note { "Personen loggas ut, hens API-nycklar återkallas och hen får sätta upp tvåstegsverifiering igen." }
                button.secondary type="submit" { "Återställ lösenordet" }
            }
            p { a href="/anvandare" { "Alla användare" } }
        },
    )
}

pub fn audit_page(chrome: Chrome, q: &[(String, String)], entries: &[Entry], error: Option<&str>) -> Markup {
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).unwrap_or("");
    let query = serde_urlencoded::to_string(q).unwrap_or_default();
    page(
        chrome,
        "Logg",
        Section::Audit,
        html! {
            h1 { "Logg" }
            p.note { "Allt som ändrar något i Pinne, och varje inloggning, skrivs hit och kan inte ändras i efterhand. Tider i UTC; registreringar och makuleringar bara med datum." }
            @if let Some(e) = error { div.error-summary role="alert" { p { (e) } } }
            form.filters method="get" action="/logg" {
                div.field.inline {
                    label for="action" { "Händelse" }
                    select #action name="action" {
                        option value="" { "Alla" }
                        @for a in Action::ALL { option value=(a.as_str()) selected[get("action") == a.as_str()] { (a.label()) } }
                    }
                }
                div.field.inline { label for="account" { "Konto" } input #account name="account" value=(get("account")); }
                div.field.inline { label for="from" { "Från" } input #from name="from" type="date" value=(get("from")); }
                div.field.inline { label for="to" { "Till" } input #to name="to" type="date" value=(get("to")); }
                button.primary type="submit" { "Visa" }
            }
            p { a href=(format!("/logg.csv?{query}")) download { "Ladda ner som CSV" } }
            table.list {
                thead { tr { th scope="col" { "Nr" } th scope="col" { "Tid (UTC)" } th scope="col" { "Konto" } th scope="col" { "Händelse" } th scope="col" { "Uppgifter" } th scope="col" { "Adress" } } }
                tbody {
                    @for e in entries {
                        tr {
                            td { (e.id) }
                            td { (e.at) }
                            td { (e.account.as_deref().unwrap_or("–")) }
                            td { (Action::parse(&e.action).map(|a| a.label()).unwrap_or(&e.action)) }
                            td { (e.detail) }
                            td { (e.address.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
            @if entries.len() >= 500 { p.note { "Visar de 500 senaste. Ladda ner CSV för alla." } }
        },
    )
}
