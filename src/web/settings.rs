//! The settings page (`/installningar`): the förbundschef adds and retires insatser,
//! municipalities and other category values, exit reasons, survey questions and group activities.
//! A change adds a row or flips a `retired` flag; no stored tally is rewritten, and retired entries
//! stay in history and in past reports.

use super::auth::{ClientAddr, CurrentUser, forbidden, now_utc};
use super::views::components::{error_summary, field_error};
use super::views::layout::{Chrome, Section, csrf, page};
use crate::AppState;
use crate::domain::config::KindDimension;
use crate::domain::{Audience, Config, Dimension, FieldError, Flow, Role, Shape};
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
    Ok(view(Chrome::new(&cfg.association, &user), &user, &cfg, &[], &[]))
}

/// A label typed by a person: 1–80 characters on one line, nothing that looks like personal data.
fn label(pairs: &[(String, String)], errors: &mut Vec<FieldError>) -> String {
    text(pairs, "label", "Skriv ett namn på högst 80 tecken.", errors)
}

/// The text field `name`, checked as a label; `empty` says what to write when it is missing.
fn text(pairs: &[(String, String)], name: &str, empty: &str, errors: &mut Vec<FieldError>) -> String {
    let l = super::field(pairs, name);
    if l.is_empty() || l.chars().count() > 80 {
        errors.push(FieldError::new(name, empty));
    } else if l.chars().any(char::is_control) {
        errors.push(FieldError::new(name, "Skriv namnet på en rad."));
    } else if let Some(m) = crate::domain::sensitive::free_text(&l) {
        errors.push(FieldError::new(name, m));
    }
    l
}

/// Every value of the repeated field `name`, trimmed.
fn all<'a>(pairs: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    pairs.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.trim())
}

fn id(pairs: &[(String, String)], name: &str) -> Option<i64> {
    super::field(pairs, name).parse().ok()
}

/// What a change does, checked against the configuration before anything is written.
enum Change {
    AddInsats { label: String, kinds: Vec<i64> },
    RetireInsats { id: i64, retired: bool },
    InsatsNational { id: i64, national: Option<crate::domain::config::National> },
    AddValue { dimension: i64, label: String },
    RetireValue { id: i64, retired: bool },
    AddQuestion { kind: i64, like: i64, label: String },
    RetireQuestion { id: i64, retired: bool },
    AddKind(store::config::NewKind),
    RetireKind { id: i64, retired: bool },
    AddGroup { dimension: i64, label: String, values: Vec<i64> },
    RetireGroup { id: i64, retired: bool },
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
            if let Some(k) = kinds.iter().filter_map(|k| cfg.kind_by_id(*k)).find(|k| k.retired) {
                errors.push(FieldError::new("kind", format!("{} används inte längre.", k.label)));
            }
            let flows =
                |f: Flow| kinds.iter().filter(|k| cfg.kind_by_id(**k).is_some_and(|k| k.flow == Some(f))).count();
            if kinds.is_empty() {
                errors.push(FieldError::new("kind", "Välj minst en sak som insatsen registrerar."));
            } else if flows(Flow::Entry) > 1 || flows(Flow::Exit) > 1 {
                errors.push(FieldError::new("kind", "En insats har högst en sorts inskrivning och en sorts avslut."));
            }
            Change::AddInsats { label, kinds }
        }
        "insats_national" => {
            use crate::domain::config::National;
            let Some(i) = id(pairs, "id").and_then(|i| cfg.insats_by_id(i)) else {
                return Err(bad("Insatsen finns inte."));
            };
            let national = match super::field(pairs, "national").as_str() {
                "" => None,
                n => match National::parse(n) {
                    Some(National::Participants)
                        if cfg.flow_kind(i, Flow::Entry).is_none() || cfg.flow_kind(i, Flow::Exit).is_none() =>
                    {
                        return Err(vec![FieldError::new(
                            format!("national-{}", i.id),
                            format!(
                                "{} har inga inskrivningar och avslut, så den kan inte redovisas som deltagare.",
                                i.label
                            ),
                        )]);
                    }
                    Some(n) => Some(n),
                    None => {
                        return Err(vec![FieldError::new(
                            format!("national-{}", i.id),
                            "Välj hur insatsen redovisas.",
                        )]);
                    }
                },
            };
            Change::InsatsNational { id: i.id, national }
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
        "kind_add" => Change::AddKind(new_kind(cfg, pairs, &mut errors)),
        "kind_retire" | "kind_restore" => match id(pairs, "id").and_then(|i| cfg.kind_by_id(i)) {
            Some(k) if k.flow.is_some() && retired => {
                return Err(bad("Inskrivning och avslut hör till insatsen och slutar användas när insatsen gör det."));
            }
            Some(k) => Change::RetireKind { id: k.id, retired },
            None => return Err(bad("Registreringstypen finns inte.")),
        },
        "group_add" => {
            let Some(d) = id(pairs, "dimension").and_then(|d| cfg.dimension_by_id(d)) else {
                return Err(bad("Uppgiften finns inte."));
            };
            if !groupable(d) {
                return Err(bad(
                    "Grupper visas bara för kommuner, personkategorier, avslutsorsaker och andra val, inte för den här uppgiften.",
                ));
            }
            let label = label(pairs, &mut errors);
            let taken = d.groups.iter().map(|g| &g.label).chain(d.values.iter().map(|v| &v.label));
            if !label.is_empty() && taken.into_iter().any(|l| l.to_lowercase() == label.to_lowercase()) {
                errors.push(FieldError::new("label", format!("”{label}” finns redan för {}.", d.label.to_lowercase())));
            }
            let mut values: Vec<i64> = Vec::new();
            for v in all(pairs, "value") {
                let owner = v
                    .parse::<i64>()
                    .ok()
                    .and_then(|v| cfg.dimensions.iter().find_map(|x| x.value_by_id(v).map(|value| (x, value.id))));
                match owner {
                    None => errors.push(FieldError::new("value", "Valet finns inte.")),
                    Some((x, _)) if x.id != d.id => errors.push(FieldError::new(
                        "value",
                        format!("Alla val i en grupp ska höra till {}.", d.label.to_lowercase()),
                    )),
                    Some((_, v)) if !values.contains(&v) => values.push(v),
                    Some(_) => {}
                }
            }
            values.sort_by_key(|v| d.values.iter().position(|x| x.id == *v));
            if values.len() < 2 {
                errors.push(FieldError::new("value", "En grupp består av minst två val."));
            } else if let Some(g) = d.groups.iter().find(|g| {
                let mut ids = g.value_ids.clone();
                ids.sort_by_key(|v| d.values.iter().position(|x| x.id == *v));
                ids == values
            }) {
                errors.push(FieldError::new("value", format!("Gruppen ”{}” har redan de valen.", g.label)));
            }
            Change::AddGroup { dimension: d.id, label, values }
        }
        "group_retire" | "group_restore" => {
            match id(pairs, "id").and_then(|i| cfg.dimensions.iter().flat_map(|d| &d.groups).find(|g| g.id == i)) {
                Some(g) => Change::RetireGroup { id: g.id, retired },
                None => return Err(bad("Gruppen finns inte.")),
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

/// A new kind of tallies (`kind_add`): a structural activity (`shape=event`), a plain tally kind
/// taking existing dimensions (`tally`), or a survey whose first question copies an existing
/// question's answers (`survey`); each taken by chosen insatser. Never an entry or exit kind.
fn new_kind(cfg: &Config, pairs: &[(String, String)], errors: &mut Vec<FieldError>) -> store::config::NewKind {
    let shape = super::field(pairs, "shape");
    if !super::field(pairs, "flow").is_empty() || matches!(shape.as_str(), "entry" | "exit") {
        errors.push(FieldError::new(
            "shape",
            "Inskrivning och avslut läggs in när databasen skapas: en insats har högst en av varje.",
        ));
    } else if !matches!(shape.as_str(), "event" | "tally" | "survey") {
        errors.push(FieldError::new("shape", "Välj en sorts registreringstyp: aktivitet, registrering eller enkät."));
    }
    let label = label(pairs, errors);
    if !label.is_empty() && cfg.kinds.iter().any(|k| k.label.to_lowercase() == label.to_lowercase()) {
        errors.push(FieldError::new("label", format!("Registreringstypen ”{label}” finns redan.")));
    }
    let mut insatser: Vec<i64> = Vec::new();
    for i in all(pairs, "insats") {
        match i.parse::<i64>().ok().and_then(|i| cfg.insats_by_id(i)) {
            None => errors.push(FieldError::new("insats", "Insatsen finns inte.")),
            Some(i) if i.retired => errors.push(FieldError::new(
                "insats",
                format!("{} används inte längre och tar inga nya registreringstyper.", i.label),
            )),
            Some(i) if !insatser.contains(&i.id) => insatser.push(i.id),
            Some(_) => {}
        }
    }
    if insatser.is_empty() && !errors.iter().any(|e| e.field == "insats") {
        errors.push(FieldError::new("insats", "Välj minst en insats som ska registrera den."));
    }
    let audience = match shape.as_str() {
        "event" => Audience::Participants,
        _ => Audience::parse(&super::field(pairs, "audience")).unwrap_or_else(|| {
            errors.push(FieldError::new("audience", "Välj om registreringarna gäller deltagare eller samverkan."));
            Audience::Participants
        }),
    };
    let mut k = store::config::NewKind {
        label,
        shape: if shape == "event" { Shape::Event } else { Shape::Tally },
        audience,
        dimensions: Vec::new(),
        scope_dimension_id: None,
        question: None,
        insatser,
    };
    match shape.as_str() {
        "tally" => {
            // `dim.<id>`: `required`, `optional`, `multiple` (several values), or empty (not taken).
            for (name, how) in pairs.iter().filter_map(|(n, v)| n.strip_prefix("dim.").map(|n| (n, v.trim()))) {
                let Some(d) = name.parse::<i64>().ok().and_then(|d| cfg.dimension_by_id(d)) else {
                    errors.push(FieldError::new("dimensions", "Uppgiften finns inte."));
                    continue;
                };
                match how {
                    "" => continue,
                    "required" | "optional" => {}
                    "multiple" if d.role == Role::Choice => {}
                    "multiple" => {
                        errors.push(FieldError::new(
                            "dimensions",
                            format!("{} kan bara ha ett val per registrering.", d.label),
                        ));
                        continue;
                    }
                    _ => {
                        errors.push(FieldError::new("dimensions", format!("Välj hur {} ska användas.", d.label)));
                        continue;
                    }
                }
                if d.retired {
                    errors.push(FieldError::new("dimensions", format!("{} används inte längre.", d.label)));
                } else if k.dimensions.iter().any(|kd| kd.dimension_id == d.id) {
                    errors.push(FieldError::new("dimensions", format!("{} är vald mer än en gång.", d.label)));
                } else {
                    k.dimensions.push(KindDimension {
                        dimension_id: d.id,
                        required: how != "optional",
                        multiple: how == "multiple",
                    });
                }
            }
            // In the configuration's order, the form's.
            k.dimensions.sort_by_key(|kd| cfg.dimensions.iter().position(|d| d.id == kd.dimension_id));
            if k.dimensions.is_empty() && !errors.iter().any(|e| e.field == "dimensions") {
                errors.push(FieldError::new("dimensions", "Välj minst en uppgift som registreringen ska ha."));
            }
            let scope = super::field(pairs, "scope");
            if !scope.is_empty() {
                let taken =
                    scope.parse::<i64>().ok().and_then(|s| k.dimensions.iter_mut().find(|kd| kd.dimension_id == s));
                match taken {
                    Some(kd)
                        if !kd.multiple
                            && cfg.dimension_by_id(kd.dimension_id).is_some_and(|d| d.role == Role::Choice) =>
                    {
                        // The scope keys every count row: every tally has one.
                        kd.required = true;
                        k.scope_dimension_id = Some(kd.dimension_id);
                    }
                    _ => errors.push(FieldError::new(
                        "scope",
                        "Rapporten kan delas upp efter ett av registreringens val med ett svar per registrering.",
                    )),
                }
            }
        }
        "survey" => {
            let like = id(pairs, "like").and_then(|d| cfg.dimension_by_id(d)).filter(|d| d.role == Role::Question);
            if like.is_none() {
                errors.push(FieldError::new("like", "Välj en svarsskala som finns."));
            }
            let question = text(pairs, "question", "Skriv den första frågan, högst 80 tecken.", errors);
            if super::field(pairs, "gender") == "1"
                && let Some(g) = cfg.gender().filter(|g| !g.retired)
            {
                k.dimensions.push(KindDimension { dimension_id: g.id, required: false, multiple: false });
            }
            k.question = like.map(|d| (question, d.id));
        }
        _ => {}
    }
    k
}

/// Value groups are rows in tables where the values are rows: categories, municipalities, exit
/// reasons and other choices (not the gender columns, questions, ratings or durations).
fn groupable(d: &Dimension) -> bool {
    matches!(d.role, Role::Area | Role::Person | Role::Outcome | Role::Choice)
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
            let page = view(Chrome::new(&cfg.association, &user), &user, &cfg, &errors, &pairs);
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
                Change::InsatsNational { id, national } => {
                    store::config::set_insats_national(tx, *id, *national)?;
                    format!(
                        "insats {id} redovisas i Uppföljning Finsam som {}",
                        national.map(|n| n.as_str()).unwrap_or("automatiskt")
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
                Change::AddKind(k) => {
                    format!(
                        "ny registreringstyp {} ({}, {}, {} insatser)",
                        store::config::add_kind(tx, k)?,
                        if k.question.is_some() { "enkät" } else { k.shape.as_str() },
                        k.audience.as_str(),
                        k.insatser.len()
                    )
                }
                Change::RetireKind { id, retired } => {
                    store::config::set_kind_retired(tx, *id, *retired)?;
                    format!("registreringstyp {id} {}", if *retired { "avslutad" } else { "öppnad igen" })
                }
                Change::AddGroup { dimension, label, values } => {
                    format!(
                        "ny grupp {} i uppgift {dimension} ({} val)",
                        store::config::add_group(tx, *dimension, label, values)?,
                        values.len()
                    )
                }
                Change::RetireGroup { id, retired } => {
                    store::config::set_group_retired(tx, *id, *retired)?;
                    format!("grupp {id} {}", if *retired { "visas inte längre" } else { "visas igen" })
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

/// How Uppföljning Finsam takes an insats: automatic (as its tallies suggest), participants,
/// volume or not at all.
fn national_form(user: &CurrentUser, cfg: &Config, i: &crate::domain::Insats, errors: &[FieldError]) -> Markup {
    use crate::domain::config::National;
    let field = format!("national-{}", i.id);
    let flow = cfg.flow_kind(i, Flow::Entry).is_some() && cfg.flow_kind(i, Flow::Exit).is_some();
    let set = i.national.map(|n| n.as_str()).unwrap_or("");
    html! {
        form.inline method="post" action="/installningar" {
            (csrf(user))
            input type="hidden" name="action" value="insats_national";
            input type="hidden" name="id" value=(i.id);
            label.visually-hidden for=(field) { "Hur " (i.label) " redovisas i Uppföljning Finsam" }
            select id=(field) name="national" {
                option value="" selected[set.is_empty()] { "Automatiskt (" (cfg.national(&crate::domain::Insats { national: None, ..i.clone() }).label().to_lowercase()) ")" }
                @for n in [National::Participants, National::Volume, National::None].into_iter().filter(|n| flow || *n != National::Participants) {
                    option value=(n.as_str()) selected[set == n.as_str()] { (n.label()) }
                }
            }
            " "
            button.secondary type="submit" { "Spara" }
            (field_error(errors, &field))
        }
    }
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

/// What a kind is, in a word or two.
fn kind_sort(cfg: &Config, k: &crate::domain::Kind) -> &'static str {
    match (k.flow, k.shape) {
        (Some(Flow::Entry), _) => "Inskrivning",
        (Some(Flow::Exit), _) => "Avslut",
        (None, Shape::Event) => "Aktiviteter",
        (None, Shape::Tally) if questionnaire(cfg, k) => "Enkät",
        (None, Shape::Tally) => "Registrering",
    }
}

/// A kind of questions only, besides gender and its scope (the rule of `tally::validate`).
fn questionnaire(cfg: &Config, k: &crate::domain::Kind) -> bool {
    let dims = || k.dimensions.iter().filter_map(|kd| cfg.dimension_by_id(kd.dimension_id));
    dims().any(|d| d.role == Role::Question)
        && dims().all(|d| matches!(d.role, Role::Question | Role::Gender) || k.scope_dimension_id == Some(d.id))
}

/// The answer scales of the existing questions: one question per distinct list of answers (a new
/// survey's first question copies that question's answers, as `question_add` does).
fn scales(cfg: &Config) -> Vec<(&Dimension, String)> {
    let mut out: Vec<(&Dimension, String)> = Vec::new();
    for d in cfg.dimensions.iter().filter(|d| d.role == Role::Question) {
        let answers = d.active_values().map(|v| v.label.as_str()).collect::<Vec<_>>().join(", ");
        if !answers.is_empty() && !out.iter().any(|(_, a)| *a == answers) {
            out.push((d, answers));
        }
    }
    out
}

/// The checkboxes of the insatser that take a new kind.
fn insats_choices(user_sent: &Sent, cfg: &Config, form: &str) -> Markup {
    html! {
        fieldset.values {
            legend { "Insatser som registrerar den" }
            @for i in cfg.insatser.iter().filter(|i| !i.retired) {
                @let id = format!("{form}-insats-{}", i.key);
                div.check {
                    input type="checkbox" id=(id) name="insats" value=(i.id) checked[user_sent.has("insats", &i.id.to_string())];
                    label for=(id) { (i.label) }
                }
            }
        }
    }
}

fn audience_choice(sent: &Sent, form: &str, default: Audience) -> Markup {
    let chosen = Audience::parse(&sent.get("audience")).unwrap_or(default);
    html! {
        fieldset.values {
            legend { "Vilka gäller registreringarna?" }
            @for a in [Audience::Participants, Audience::Collaboration] {
                @let id = format!("{form}-audience-{}", a.as_str());
                div.check {
                    input type="radio" id=(id) name="audience" value=(a.as_str()) checked[chosen == a];
                    label for=(id) { (a.label()) }
                }
            }
        }
    }
}

/// The fields of the form that failed, to fill it in again (only for the form of that action and
/// shape).
struct Sent<'a> {
    pairs: &'a [(String, String)],
}

impl Sent<'_> {
    fn of<'a>(pairs: &'a [(String, String)], action: &str, shape: Option<&str>, dimension: Option<i64>) -> Sent<'a> {
        let ours = super::field(pairs, "action") == action
            && shape.is_none_or(|s| super::field(pairs, "shape") == s)
            && dimension.is_none_or(|d| super::field(pairs, "dimension") == d.to_string());
        Sent { pairs: if ours { pairs } else { &[] } }
    }
    fn get(&self, name: &str) -> String {
        super::field(self.pairs, name)
    }
    fn has(&self, name: &str, value: &str) -> bool {
        self.pairs.iter().any(|(k, v)| k == name && v == value)
    }
}

fn view(chrome: Chrome, user: &CurrentUser, cfg: &Config, errors: &[FieldError], pairs: &[(String, String)]) -> Markup {
    let status = |retired: bool| if retired { "Används inte längre" } else { "Används" };
    let shown = |retired: bool| if retired { "Visas inte" } else { "Visas" };
    let event_sent = Sent::of(pairs, "kind_add", Some("event"), None);
    let tally_sent = Sent::of(pairs, "kind_add", Some("tally"), None);
    let survey_sent = Sent::of(pairs, "kind_add", Some("survey"), None);
    page(
        chrome,
        "Inställningar",
        Section::Settings,
        html! {
            h1 { "Inställningar för " (cfg.association) }
            p.lead { "Lägg till och sluta använda insatser, registreringstyper, kommuner, kategorier, avslutsorsaker, grupper, enkätfrågor och gruppaktiviteter. Sådant som inte används längre finns kvar i tidigare registreringar och rapporter; inget som redan är registrerat ändras." }
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
                    thead { tr { th scope="col" { "Insats" } th scope="col" { "Registrerar" } th scope="col" { "I Uppföljning Finsam" } th scope="col" { "Status" } th scope="col" { span.visually-hidden { "Ändra" } } } }
                    tbody {
                        @for i in &cfg.insatser {
                            tr {
                                th scope="row" { (i.label) }
                                td { (cfg.kinds_of(i).map(|k| k.label.as_str()).collect::<Vec<_>>().join(", ")) }
                                td { (national_form(user, cfg, i, errors)) }
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
                        @for k in cfg.kinds.iter().filter(|k| !k.retired) {
                            div.check {
                                input type="checkbox" id=(format!("kind-{}", k.key)) name="kind" value=(k.key);
                                label for=(format!("kind-{}", k.key)) { (k.label) @if k.shape == Shape::Event { " (aktiviteter)" } }
                            }
                        }
                    }
                    button.secondary type="submit" { "Lägg till insatsen" }
                }
            }
            section #registreringstyper {
                h2 { "Registreringstyper" }
                p { "Vad insatserna registrerar. Inskrivning och avslut läggs in när databasen skapas (en insats har högst en av varje); aktiviteter, registreringar och enkäter kan läggas till här. Svar från styrelse, beredningsgrupp och personal visas för sig i registreringen, aldrig bland deltagarnas." }
                table {
                    thead { tr { th scope="col" { "Registreringstyp" } th scope="col" { "Sort" } th scope="col" { "Gäller" } th scope="col" { "Insatser" } th scope="col" { "Status" } th scope="col" { span.visually-hidden { "Ändra" } } } }
                    tbody {
                        @for k in &cfg.kinds {
                            tr {
                                th scope="row" { (k.label) }
                                td { (kind_sort(cfg, k)) }
                                td { @if k.shape == Shape::Tally { (k.audience.label()) } @else { "–" } }
                                td { (cfg.insatser.iter().filter(|i| i.kind_ids.contains(&k.id)).map(|i| i.label.as_str()).collect::<Vec<_>>().join(", ")) }
                                td { (status(k.retired)) }
                                td { @if k.flow.is_none() { (toggle(user, "kind", k.id, k.retired)) } }
                            }
                        }
                    }
                }
                form.add method="post" action="/installningar" {
                    (csrf(user))
                    input type="hidden" name="action" value="kind_add";
                    input type="hidden" name="shape" value="event";
                    h3 { "Ny aktivitetstyp" }
                    p.hint { "Aktiviteter med namn, arrangör och antal deltagare, till exempel mässor, temaveckor och samverkansdagar." }
                    div.field {
                        label for="event-label" { "Namn" }
                        input #event-label name="label" maxlength="80" required value=(event_sent.get("label"));
                    }
                    (insats_choices(&event_sent, cfg, "event"))
                    button.secondary type="submit" { "Lägg till aktivitetstypen" }
                }
                form.add method="post" action="/installningar" {
                    (csrf(user))
                    input type="hidden" name="action" value="kind_add";
                    input type="hidden" name="shape" value="tally";
                    h3 { "Ny registrering" }
                    p.hint { "En registrering per sak som räknas, med val ur uppgifter som redan finns." }
                    div.field {
                        label for="tally-label" { "Namn" }
                        input #tally-label name="label" maxlength="80" required value=(tally_sent.get("label"));
                    }
                    (audience_choice(&tally_sent, "tally", Audience::Participants))
                    table {
                        caption { "Uppgifter i registreringen" }
                        thead { tr { th scope="col" { "Uppgift" } th scope="col" { "Används" } } }
                        tbody {
                            @for d in cfg.dimensions.iter().filter(|d| !d.retired) {
                                @let name = format!("dim.{}", d.id);
                                @let was = tally_sent.get(&name);
                                tr {
                                    th scope="row" { label for=(format!("tally-dim-{}", d.key)) { (d.label) } }
                                    td {
                                        select id=(format!("tally-dim-{}", d.key)) name=(name) {
                                            option value="" selected[was.is_empty()] { "Ingår inte" }
                                            option value="required" selected[was == "required"] { "Måste anges" }
                                            option value="optional" selected[was == "optional"] { "Frivillig" }
                                            @if d.role == Role::Choice {
                                                option value="multiple" selected[was == "multiple"] { "Flera val" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    div.field {
                        label for="tally-scope" { "Dela upp rapporten efter (frivilligt)" }
                        select #tally-scope name="scope" {
                            option value="" { "Ingen uppdelning" }
                            @for d in cfg.dimensions.iter().filter(|d| !d.retired && d.role == Role::Choice) {
                                option value=(d.id) selected[tally_sent.get("scope") == d.id.to_string()] { (d.label) }
                            }
                        }
                    }
                    (insats_choices(&tally_sent, cfg, "tally"))
                    button.secondary type="submit" { "Lägg till registreringen" }
                }
                form.add method="post" action="/installningar" {
                    (csrf(user))
                    input type="hidden" name="action" value="kind_add";
                    input type="hidden" name="shape" value="survey";
                    h3 { "Ny enkät" }
                    p.hint { "Till exempel en styrelseenkät. En registrering per besvarad enkät; fler frågor läggs till under enkäten när den finns." }
                    div.field {
                        label for="survey-label" { "Namn" }
                        input #survey-label name="label" maxlength="80" required value=(survey_sent.get("label"));
                    }
                    (audience_choice(&survey_sent, "survey", Audience::Collaboration))
                    div.field {
                        label for="survey-like" { "Svarsskala" }
                        select #survey-like name="like" required {
                            @for (d, answers) in scales(cfg) {
                                option value=(d.id) selected[survey_sent.get("like") == d.id.to_string()] { (answers) }
                            }
                        }
                    }
                    div.field {
                        label for="survey-question" { "Första frågan" }
                        input #survey-question name="question" maxlength="80" required value=(survey_sent.get("question"));
                    }
                    @if cfg.gender().is_some() {
                        div.check {
                            input #survey-gender type="checkbox" name="gender" value="1" checked[survey_sent.has("gender", "1")];
                            label for="survey-gender" { "Fråga om kön (frivilligt)" }
                        }
                    }
                    (insats_choices(&survey_sent, cfg, "survey"))
                    button.secondary type="submit" { "Lägg till enkäten" }
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
                    @if groupable(d) {
                        @if !d.groups.is_empty() {
                            table {
                                caption { "Grupper (extra rader i rapporten)" }
                                thead { tr { th scope="col" { "Grupp" } th scope="col" { "Val" } th scope="col" { "Status" } th scope="col" { span.visually-hidden { "Ändra" } } } }
                                tbody {
                                    @for g in &d.groups {
                                        tr {
                                            th scope="row" { (g.label) }
                                            td { (g.value_ids.iter().filter_map(|v| d.value_by_id(*v)).map(|v| v.label.as_str()).collect::<Vec<_>>().join(", ")) }
                                            td { (shown(g.retired)) }
                                            td { (toggle(user, "group", g.id, g.retired)) }
                                        }
                                    }
                                }
                            }
                        }
                        @let sent = Sent::of(pairs, "group_add", None, Some(d.id));
                        details open[!sent.pairs.is_empty()] {
                            summary { "Ny grupp av " (d.label.to_lowercase()) }
                            form.add method="post" action="/installningar" {
                                (csrf(user))
                                input type="hidden" name="action" value="group_add";
                                input type="hidden" name="dimension" value=(d.id);
                                div.field {
                                    label for=(format!("group-{}", d.key)) { "Gruppens namn" }
                                    input id=(format!("group-{}", d.key)) name="label" maxlength="80" required value=(sent.get("label"));
                                }
                                fieldset.values {
                                    legend { "Val i gruppen (minst två)" }
                                    @for v in d.active_values() {
                                        @let id = format!("group-{}-{}", d.key, v.key);
                                        div.check {
                                            input type="checkbox" id=(id) name="value" value=(v.id) checked[sent.has("value", &v.id.to_string())];
                                            label for=(id) { (v.label) }
                                        }
                                    }
                                }
                                button.secondary type="submit" { "Lägg till gruppen" }
                            }
                        }
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
