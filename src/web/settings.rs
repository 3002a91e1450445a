//! The settings page (`/installningar`): the förbundschef adds and retires insatser,
//! municipalities and other category values, exit reasons, survey questions and group activities.
//! A change adds a row or flips a `retired` flag; no stored tally is rewritten, and retired entries
//! stay in history and in past reports.

use super::auth::{ClientAddr, CurrentUser, forbidden, now_utc};
use super::views::components::{error_summary, field_error};
use super::views::layout::{Chrome, Section, csrf, page};
use crate::AppState;
use crate::domain::{Config, Dimension, FieldError, Flow, Role, Shape};
use crate::error::{AppError, PageError};
use crate::store::{self, audit::Action};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

fn admin(user: &CurrentUser) -> Result<(), PageError> {
    if user.account.is_admin() { Ok(()) } else { Err(forbidden("Inställningarna ändras av förbundschefen.")) }
}

/// `GET /installningar`
pub async fn form(State(state): State<AppState>, Extension(user): Extension<CurrentUser>) -> Result<Markup, PageError> {
    admin(&user)?;
    let cfg = state.store.config();
    Ok(view(Chrome::new(&cfg.association, &user), &user, &cfg, &[]))
}

/// A label typed by a person: 1–80 characters on one line, nothing that looks like personal data.
fn label(pairs: &[(String, String)], errors: &mut Vec<FieldError>) -> String {
    let l = super::field(pairs, "label");
    if l.is_empty() || l.chars().count() > 80 {
        errors.push(FieldError::new("label", "Skriv ett namn på högst 80 tecken."));
    } else if let Some(m) = crate::domain::sensitive::free_text(&l) {
        errors.push(FieldError::new("label", m));
    }
    l
}

fn id(pairs: &[(String, String)], name: &str) -> Option<i64> {
    super::field(pairs, name).parse().ok()
}

/// What a change does, checked against the configuration before anything is written.
enum Change {
    AddInsats { label: String, kinds: Vec<i64> },
    RetireInsats { id: i64, retired: bool },
    AddValue { dimension: i64, label: String },
    RetireValue { id: i64, retired: bool },
    AddQuestion { kind: i64, like: i64, label: String },
    RetireQuestion { id: i64, retired: bool },
    Privacy(crate::domain::Privacy),
}

fn parse(cfg: &Config, pairs: &[(String, String)]) -> Result<Change, Vec<FieldError>> {
    let mut errors = Vec::new();
    let action = super::field(pairs, "action");
    let retired = action.ends_with("_retire");
    let bad = |m: &str| vec![FieldError::new("", m)];
    let change = match action.as_str() {
        "insats_add" => {
            let label = label(pairs, &mut errors);
            let kinds: Vec<i64> =
                pairs.iter().filter(|(k, _)| k == "kind").filter_map(|(_, v)| cfg.kind(v).map(|k| k.id)).collect();
            let flows =
                |f: Flow| kinds.iter().filter(|k| cfg.kind_by_id(**k).is_some_and(|k| k.flow == Some(f))).count();
            if kinds.is_empty() {
                errors.push(FieldError::new("kind", "Välj minst en sak som insatsen registrerar."));
            } else if flows(Flow::Entry) > 1 || flows(Flow::Exit) > 1 {
                errors.push(FieldError::new("kind", "En insats har högst en sorts inskrivning och en sorts avslut."));
            }
            Change::AddInsats { label, kinds }
        }
        "insats_retire" | "insats_restore" => match id(pairs, "id").filter(|i| cfg.insats_by_id(*i).is_some()) {
            Some(id) => Change::RetireInsats { id, retired },
            None => return Err(bad("Insatsen finns inte.")),
        },
        "value_add" => {
            let Some(d) = id(pairs, "dimension").and_then(|d| cfg.dimension_by_id(d)) else {
                return Err(bad("Uppgiften finns inte."));
            };
            if !addable(d) {
                return Err(bad("Den här uppgiften får nya val bara genom en ny konfiguration (värdena bär tal)."));
            }
            let label = label(pairs, &mut errors);
            if d.values.iter().any(|v| v.label.eq_ignore_ascii_case(&label)) {
                errors.push(FieldError::new("label", format!("”{label}” finns redan för {}.", d.label.to_lowercase())));
            }
            Change::AddValue { dimension: d.id, label }
        }
        "value_retire" | "value_restore" => {
            let Some((d, v)) =
                id(pairs, "id").and_then(|i| cfg.dimensions.iter().find_map(|d| d.value_by_id(i).map(|v| (d, v))))
            else {
                return Err(bad("Valet finns inte."));
            };
            if retired && d.active_values().filter(|x| x.id != v.id).count() == 0 {
                return Err(bad("Minst ett val måste finnas kvar."));
            }
            Change::RetireValue { id: v.id, retired }
        }
        "question_add" => {
            let Some(k) = id(pairs, "kind").and_then(|k| cfg.kind_by_id(k)) else {
                return Err(bad("Registreringstypen finns inte."));
            };
            let Some(like) = questions(cfg, k.id).first().map(|d| d.id) else {
                return Err(bad("Registreringstypen har inga frågor att lägga till fler av."));
            };
            let label = label(pairs, &mut errors);
            Change::AddQuestion { kind: k.id, like, label }
        }
        "question_retire" | "question_restore" => {
            match id(pairs, "id").and_then(|i| cfg.dimension_by_id(i)).filter(|d| d.role == Role::Question) {
                Some(d) => Change::RetireQuestion { id: d.id, retired },
                None => return Err(bad("Frågan finns inte.")),
            }
        }
        "privacy" => {
            use crate::domain::{Privacy, PrivacyMethod};
            let number = |name: &str| super::field(pairs, name).trim().replace(',', ".");
            let method = PrivacyMethod::parse(&super::field(pairs, "method")).unwrap_or(PrivacyMethod::Suppression);
            let form = super::field(pairs, "form");
            let mut p = Privacy {
                threshold: number("threshold").parse().unwrap_or(i64::MIN),
                form: (!form.trim().is_empty()).then_some(form),
                method,
                max_deviation: Privacy::DEFAULT_MAX_DEVIATION,
                variance: Privacy::DEFAULT_VARIANCE,
            };
            if method == PrivacyMethod::CellKey {
                p.max_deviation = number("max_deviation").parse().unwrap_or(i64::MIN);
                p.variance = number("variance").parse().unwrap_or(f64::NAN);
            } else {
                p.max_deviation = cfg.privacy.max_deviation;
                p.variance = cfg.privacy.variance;
            }
            for (field, why) in p.problems() {
                errors.push(FieldError::new(field, why));
            }
            Change::Privacy(p)
        }
        _ => return Err(bad("Okänd ändring.")),
    };
    if errors.is_empty() { Ok(change) } else { Err(errors) }
}

/// Values can be added where they carry no number.
fn addable(d: &Dimension) -> bool {
    !matches!(d.role, Role::Duration | Role::Rating | Role::Question)
}

fn questions(cfg: &Config, kind_id: i64) -> Vec<&Dimension> {
    cfg.kind_by_id(kind_id)
        .map(|k| {
            k.dimensions
                .iter()
                .filter_map(|kd| cfg.dimension_by_id(kd.dimension_id))
                .filter(|d| d.role == Role::Question)
                .collect()
        })
        .unwrap_or_default()
}

/// `POST /installningar` with `action` and its fields.
pub async fn submit(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Extension(ClientAddr(addr)): Extension<ClientAddr>,
    form: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    admin(&user)?;
    let axum::Form(pairs) =
        form.map_err(|_| AppError::BadRequest("Formuläret kunde inte läsas. Ladda om sidan och försök igen.".into()))?;
    let cfg = state.store.config();
    let change = match parse(&cfg, &pairs) {
        Ok(c) => c,
        Err(errors) => {
            let page = view(Chrome::new(&cfg.association, &user), &user, &cfg, &errors);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let (me, name) = user.who();
    state
        .store
        .write(move |tx| {
            let detail = match &change {
                Change::AddInsats { label, kinds } => {
                    format!(
                        "ny insats {} ({} registreringstyper)",
                        store::config::add_insats(tx, label, kinds)?,
                        kinds.len()
                    )
                }
                Change::RetireInsats { id, retired } => {
                    store::config::set_insats_retired(tx, *id, *retired)?;
                    format!("insats {id} {}", if *retired { "avslutad" } else { "öppnad igen" })
                }
                Change::AddValue { dimension, label } => {
                    format!("nytt val {} i uppgift {dimension}", store::config::add_value(tx, *dimension, label)?)
                }
                Change::RetireValue { id, retired } => {
                    store::config::set_value_retired(tx, *id, *retired)?;
                    format!("val {id} {}", if *retired { "avslutat" } else { "öppnat igen" })
                }
                Change::AddQuestion { kind, like, label } => {
                    format!(
                        "ny fråga {} i registreringstyp {kind}",
                        store::config::add_question(tx, *kind, *like, label)?
                    )
                }
                Change::RetireQuestion { id, retired } => {
                    store::config::set_dimension_retired(tx, *id, *retired)?;
                    format!("fråga {id} {}", if *retired { "avslutad" } else { "öppnad igen" })
                }
                Change::Privacy(p) => {
                    store::config::set_privacy(tx, p)?;
                    format!("skydd av små tal: {} gräns {}", p.method.key(), p.threshold)
                }
            };
            store::audit::append(tx, &now_utc(), Some((me, &name)), Action::ConfigChanged, &detail, addr.as_deref())
        })
        .await?;
    state.store.reload_config().map_err(AppError::from)?;
    Ok(Redirect::to("/installningar").into_response())
}

fn toggle(user: &CurrentUser, action: &str, id: i64, retired: bool) -> Markup {
    let (act, text) = if retired { ("restore", "Använd igen") } else { ("retire", "Sluta använda") };
    html! {
        form.inline method="post" action="/installningar" {
            (csrf(user))
            input type="hidden" name="action" value=(format!("{action}_{act}"));
            input type="hidden" name="id" value=(id);
            button.link type="submit" { (text) }
        }
    }
}

fn add_form(user: &CurrentUser, action: &str, hidden: &[(&str, String)], label_text: &str, id: &str) -> Markup {
    html! {
        form.inline.add method="post" action="/installningar" {
            (csrf(user))
            input type="hidden" name="action" value=(action);
            @for (k, v) in hidden { input type="hidden" name=(k) value=(v); }
            label for=(id) { (label_text) }
            " "
            input id=(id) name="label" maxlength="80" required;
            " "
            button.secondary type="submit" { "Lägg till" }
        }
    }
}

fn view(chrome: Chrome, user: &CurrentUser, cfg: &Config, errors: &[FieldError]) -> Markup {
    let status = |retired: bool| if retired { "Används inte längre" } else { "Används" };
    page(
        chrome,
        "Inställningar",
        Section::Settings,
        html! {
            h1 { "Inställningar för " (cfg.association) }
            p.lead { "Lägg till och sluta använda insatser, kommuner, kategorier, avslutsorsaker, enkätfrågor och gruppaktiviteter. Sådant som inte används längre finns kvar i tidigare registreringar och rapporter; inget som redan är registrerat ändras." }
            (error_summary(errors))
            section #skydd {
                h2 { "Skydd av små tal" }
                p {
                    "Allt som läsare, API-nycklar med bara läsrätt och publiceringsversioner visar är skyddat. "
                    "Med "
                    strong { "döljning" }
                    " visas antal under gränsen, och de siffror som skulle låta dem räknas fram, som "
                    strong { (crate::report::rule(cfg).form) }
                    ". Med "
                    strong { "cellnyckelmetoden" }
                    " (som SCB använder) visas alla antal men störda med högst den största störningen, samma störning för samma registreringar överallt, och inget antal visas som 1 eller 2. Se docs/PRIVACY.md för metoderna."
                }
                form.add method="post" action="/installningar" {
                    (csrf(user))
                    input type="hidden" name="action" value="privacy";
                    fieldset.field {
                        legend { "Metod" }
                        @for (key, label) in [("suppression", "Döljning av små antal"), ("cell_key", "Cellnyckelmetoden (störda antal)")] {
                            label {
                                input type="radio" name="method" value=(key) checked[cfg.privacy.method.key() == key];
                                " " (label)
                            }
                        }
                    }
                    div.field {
                        label for="privacy-threshold" { "Små antal är under" }
                        input #privacy-threshold name="threshold" type="number" min=(crate::domain::Privacy::MIN_THRESHOLD) max=(crate::domain::Privacy::MAX_THRESHOLD) value=(cfg.privacy.threshold) required;
                        (field_error(errors, "threshold"))
                    }
                    div.field {
                        label for="privacy-form" { "Visa dolda uppgifter som (döljning)" }
                        input #privacy-form name="form" maxlength="20" value=(cfg.privacy.form.clone().unwrap_or_default()) placeholder=(crate::report::protect::DEFAULT_FORM);
                        (field_error(errors, "form"))
                    }
                    div.field {
                        label for="privacy-max-deviation" { "Största störning (cellnyckelmetoden)" }
                        input #privacy-max-deviation name="max_deviation" type="number" min="1" max=(crate::domain::Privacy::MAX_DEVIATION_LIMIT) value=(cfg.privacy.max_deviation);
                        (field_error(errors, "max_deviation"))
                    }
                    div.field {
                        label for="privacy-variance" { "Varians (cellnyckelmetoden)" }
                        input #privacy-variance name="variance" inputmode="decimal" value=(cfg.privacy.variance.to_string().replace('.', ","));
                        (field_error(errors, "variance"))
                    }
                    button type="submit" { "Spara skyddet" }
                }
            }
            section {
                h2 { "Insatser" }
                table {
                    thead { tr { th scope="col" { "Insats" } th scope="col" { "Registrerar" } th scope="col" { "Status" } th scope="col" { span.visually-hidden { "Ändra" } } } }
                    tbody {
                        @for i in &cfg.insatser {
                            tr {
                                th scope="row" { (i.label) }
                                td { (cfg.kinds_of(i).map(|k| k.label.as_str()).collect::<Vec<_>>().join(", ")) }
                                td { (status(i.retired)) }
                                td { (toggle(user, "insats", i.id, i.retired)) }
                            }
                        }
                    }
                }
                form.add method="post" action="/installningar" {
                    (csrf(user))
                    input type="hidden" name="action" value="insats_add";
                    div.field {
                        label for="insats-label" { "Ny insats" }
                        input #insats-label name="label" maxlength="80" required;
                    }
                    fieldset.values {
                        legend { "Registrerar" }
                        @for k in &cfg.kinds {
                            div.check {
                                input type="checkbox" id=(format!("kind-{}", k.key)) name="kind" value=(k.key);
                                label for=(format!("kind-{}", k.key)) { (k.label) @if k.shape == Shape::Event { " (aktiviteter)" } }
                            }
                        }
                    }
                    button.secondary type="submit" { "Lägg till insatsen" }
                }
            }
            @for d in cfg.dimensions.iter().filter(|d| d.role != Role::Question) {
                section {
                    h2 #(format!("uppgift-{}", d.key)) { (d.label) }
                    table {
                        thead { tr { th scope="col" { "Val" } th scope="col" { "Status" } th scope="col" { span.visually-hidden { "Ändra" } } } }
                        tbody {
                            @for v in &d.values {
                                tr {
                                    th scope="row" { (v.label) }
                                    td { (status(v.retired)) }
                                    td { (toggle(user, "value", v.id, v.retired)) }
                                }
                            }
                        }
                    }
                    @if addable(d) {
                        (add_form(user, "value_add", &[("dimension", d.id.to_string())], "Nytt val", &format!("add-{}", d.key)))
                    }
                }
            }
            @for k in cfg.kinds.iter().filter(|k| !questions(cfg, k.id).is_empty()) {
                section {
                    h2 { "Frågor i " (k.label.to_lowercase()) }
                    table {
                        thead { tr { th scope="col" { "Fråga" } th scope="col" { "Status" } th scope="col" { span.visually-hidden { "Ändra" } } } }
                        tbody {
                            @for q in questions(cfg, k.id) {
                                tr {
                                    th scope="row" { (q.label) }
                                    td { (status(q.retired)) }
                                    td { (toggle(user, "question", q.id, q.retired)) }
                                }
                            }
                        }
                    }
                    (add_form(user, "question_add", &[("kind", k.id.to_string())], "Ny fråga (samma svarsskala)", &format!("add-q-{}", k.key)))
                }
            }
        },
    )
}
