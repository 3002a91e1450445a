//! Login, the second factor, and the account page (password, TOTP, API tokens).

use super::layout::{Chrome, Section, csrf, page, page_with};
use crate::store::account::ApiToken;
use crate::web::auth::CurrentUser;
use maud::{Markup, html};

/// How the login page offers to sign in.
#[derive(Debug, Clone, Copy)]
pub struct LoginOptions {
    /// "Logga in med kommunens konto" (OpenID Connect is configured).
    pub federated: bool,
    /// Name and password (local accounts).
    pub local: bool,
}

pub fn login_page(options: LoginOptions, message: Option<&str>, name: &str) -> Markup {
    page(
        Chrome::anonymous(),
        "Logga in",
        Section::None,
        html! {
            h1 { "Logga in" }
            @if let Some(m) = message { div.error-summary role="alert" { p { (m) } } }
            @if options.federated {
                // A link, not a form: the provider is another site (the CSP allows forms to Pinne only).
                p { a.button.primary href="/login/oidc" { "Logga in med kommunens konto" } }
                @if options.local { h2 { "Eller med användarnamn och lösenord i Pinne" } }
            }
            @if options.local { (password_form(name)) }
            @if !options.local && !options.federated { p { "Inloggning är avstängd. Kontakta den som driver Pinne." } }
        },
    )
}

/// A short page that goes on by itself: after a sign-in at the provider (the new session's
/// cookie is `SameSite=Strict`, so it is sent only on a request Pinne's own page starts), or to
/// the provider's sign-out.
pub fn continue_page(title: &str, text: &str, to: &str) -> Markup {
    let refresh = format!("0; url={to}");
    page_with(
        Chrome::anonymous(),
        title,
        Section::None,
        Some(&refresh),
        html! {
            h1 { (title) }
            p { (text) }
            p { a.button.primary href=(to) { "Fortsätt" } }
        },
    )
}

fn password_form(name: &str) -> Markup {
    html! {
            form.login method="post" action="/login" {
                div.field {
                    label for="name" { "Användarnamn" }
                    input #name name="name" value=(name) autocomplete="username" required autofocus;
                }
                div.field {
                    label for="password" { "Lösenord" }
                    input #password name="password" type="password" autocomplete="current-password" required;
                }
                button.primary type="submit" { "Logga in" }
            }
    }
}

pub fn code_page(user: &CurrentUser, message: Option<&str>) -> Markup {
    page(
        Chrome::anonymous(),
        "Kod",
        Section::None,
        html! {
            h1 { "Ange koden" }
            p { "Öppna appen för tvåstegsverifiering och skriv in den sexsiffriga koden för Pinne." }
            @if let Some(m) = message { div.error-summary role="alert" { p { (m) } } }
            form.login method="post" action="/login/kod" {
                (csrf(user))
                div.field {
                    label for="code" { "Kod" }
                    input #code name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" required autofocus;
                }
                button.primary type="submit" { "Fortsätt" }
            }
            form.inline method="post" action="/logout" { (csrf(user)) button.link type="submit" { "Avbryt och logga ut" } }
        },
    )
}

pub fn account_page(
    chrome: Chrome,
    user: &CurrentUser,
    tokens: &[ApiToken],
    message: Option<&str>,
    error: Option<&str>,
) -> Markup {
    let a = &user.account;
    page(
        chrome,
        "Konto",
        Section::Account,
        html! {
            h1 { "Ditt konto" }
            @if let Some(m) = message { div.banner.ok role="status" { p { (m) } } }
            @if let Some(e) = error { div.error-summary role="alert" { p { (e) } } }
            dl.stored {
                dt { "Användarnamn" } dd { (a.name) }
                dt { "Roll" } dd { (a.role.label()) }
                dt { "Inloggning" } dd { @if a.federated { "Kommunens konto" } @else { "Lösenord i Pinne" } }
                dt { "Tvåstegsverifiering" } dd {
                    @if a.has_totp { "På, i Pinne" }
                    @else if matches!(user.credential, crate::web::auth::Credential::Session { provider_mfa: true, .. }) { "Hos kommunen" }
                    @else { "Av" }
                }
            }
            @if a.federated {
                section {
                    h2 { "Inloggning" }
                    p { "Du loggar in med kommunens konto. Lösenordet byter du hos kommunen; Pinne har inget lösenord för dig." }
                }
            } @else {
            section {
                h2 { "Byt lösenord" }
                p.note { "Minst 12 tecken. Välj gärna en fras av flera ord. När lösenordet är bytt loggas du ut överallt." }
                form.login method="post" action="/konto/losenord" {
                    (csrf(user))
                    div.field { label for="current" { "Nuvarande lösenord" } input #current name="current" type="password" autocomplete="current-password" required; }
                    div.field { label for="new" { "Nytt lösenord" } input #new name="new" type="password" autocomplete="new-password" minlength="12" maxlength="128" required; }
                    button.primary type="submit" { "Byt lösenord" }
                }
            }
            }
            section {
                h2 { "Tvåstegsverifiering" }
                @if a.has_totp {
                    p { "Du loggar in med lösenord och en kod från en app." }
                } @else {
                    @if a.federated {
                        p.note { "Med kommunens konto behövs den bara när kommunens inloggning inte intygar tvåstegsverifiering: då frågar Pinne efter koden." }
                    }
                    p { a href="/konto/tvasteg" { "Sätt upp tvåstegsverifiering" } }
                }
            }
            section {
                h2 { "API-nycklar" }
                p.note { "En API-nyckel ger ett program samma behörighet som du har, eller bara läsrätt. Nyckeln visas en gång." }
                @if !tokens.is_empty() {
                    table.list {
                        thead { tr { th scope="col" { "Namn" } th scope="col" { "Behörighet" } th scope="col" { "Skapad" } th scope="col" { "Senast använd" } th scope="col" { "" } } }
                        tbody {
                            @for t in tokens {
                                tr.voided[t.revoked_at.is_some()] {
                                    td { (t.name) }
                                    td { @if t.read_only { "Bara läsa" } @else { "Som ditt konto" } }
                                    td { (t.created_at) }
                                    td { (t.last_used_at.as_deref().unwrap_or("aldrig")) }
                                    td {
                                        @if t.revoked_at.is_some() { "Återkallad" } @else {
                                            form.inline method="post" action=(format!("/konto/nycklar/{}/aterkalla", t.id)) {
                                                (csrf(user)) button.secondary type="submit" { "Återkalla" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                form.login method="post" action="/konto/nycklar" {
                    (csrf(user))
                    div.field { label for="token-name" { "Vad nyckeln är till" } input #token-name name="name" maxlength="80" required placeholder="t.ex. Power BI"; }
                    div.check { input #read-only type="checkbox" name="read_only" value="1" checked; label for="read-only" { "Bara läsa" } }
                    button.primary type="submit" { "Skapa API-nyckel" }
                }
            }
        },
    )
}

pub fn token_created_page(chrome: Chrome, name: &str, token: &str) -> Markup {
    page(
        chrome,
        "Ny API-nyckel",
        Section::Account,
        html! {
            h1 { "Ny API-nyckel: " (name) }
            p { "Kopiera nyckeln nu. Den visas bara den här gången; Pinne sparar bara ett kontrollvärde." }
            p.secret { (token) }
            p { "Använd den som " code { "Authorization: Bearer <nyckel>" } "." }
            p { a href="/konto" { "Tillbaka till kontot" } }
        },
    )
}

pub fn totp_setup_page(
    chrome: Chrome,
    user: &CurrentUser,
    secret: &str,
    url: &str,
    error: Option<&str>,
    required: bool,
) -> Markup {
    page(
        chrome,
        "Tvåstegsverifiering",
        Section::Account,
        html! {
            h1 { "Sätt upp tvåstegsverifiering" }
            @if required {
                p.lead { "Som förbundschef loggar du in med lösenord och en kod från en app. Sätt upp det innan du fortsätter." }
            }
            @if let Some(e) = error { div.error-summary role="alert" { p { (e) } } }
            ol {
                li { "Öppna en app för tvåstegsverifiering (t.ex. Microsoft Authenticator, Google Authenticator eller FreeOTP)." }
                li { "Lägg till ett konto med den här nyckeln:" p.secret { (secret) } "eller med adressen " code { (url) } }
                li { "Skriv in koden som appen visar." }
            }
            form.login method="post" action="/konto/tvasteg" {
                (csrf(user))
                input type="hidden" name="secret" value=(secret);
                div.field { label for="code" { "Kod" } input #code name="code" inputmode="numeric" autocomplete="one-time-code" required; }
                @if user.account.federated {
                    p.note { "Du loggar in med kommunens konto: har du loggat in för mer än tio minuter sedan, logga ut och in igen först." }
                } @else {
                    div.field { label for="password" { "Ditt lösenord" } input #password name="password" type="password" autocomplete="current-password" required; }
                }
                button.primary type="submit" { "Slå på" }
            }
        },
    )
}
