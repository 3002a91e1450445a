//! The tally form and its confirmation page.

use super::components::{error_summary, field_error};
use super::layout::{Chrome, Section, csrf, page};
use crate::domain::event::StoredEvent;
use crate::domain::{Audience, Config, FieldError, Insats, Kind, Period, RawTally, Shape, VoidReason};
use crate::web::TallyView;
use crate::web::auth::CurrentUser;
use maud::{Markup, html};
use std::ops::RangeInclusive;

pub struct FormState {
    pub raw: RawTally,
    /// The event typed in, when the kind is an event and the form comes back with errors.
    pub event: Option<crate::domain::event::RawEvent>,
    /// The latest events of the insats, when the kind is an event.
    pub recent_events: Vec<crate::web::event::EventView>,
    pub errors: Vec<FieldError>,
    pub now: Period,
    /// The months of the recent list when it shows only the account's own tallies (a coach's).
    pub own: Option<RangeInclusive<Period>>,
    /// A tally of this month was just stored, one the account may not open (see `render_form`).
    pub saved: Option<Period>,
}

/// "oktober och november 2026", or "december 2025 och januari 2026".
fn months_text(months: &RangeInclusive<Period>) -> String {
    let (a, b) = (months.start(), months.end());
    if a.year == b.year {
        format!("{} och {}", a.label().trim_end_matches(&format!(" {}", a.year)), b.label())
    } else {
        format!("{} och {}", a.label(), b.label())
    }
}

/// Why a coach sees only some tallies.
const MICRODATA: &str = "Äldre registreringar och kollegornas visas inte: enskilda registreringar är mikrodata. \
Behöver en äldre registrering makuleras, be huvudmannen.";

/// What an empty list of tallies says.
fn none_yet(own: bool) -> &'static str {
    if own { "Inga egna registreringar från de här månaderna." } else { "Inga registreringar än." }
}

fn query(insats: &str, kind: Option<&str>) -> String {
    match kind {
        Some(k) => format!("/registrera?insats={insats}&kind={k}"),
        None => format!("/registrera?insats={insats}"),
    }
}

/// What the confirmation page offers for voiding.
pub struct VoidControls {
    pub may_void: bool,
    /// The viewer registered it (so "Ångra" fits).
    pub own: bool,
    pub closed: bool,
    /// The viewer may register for this insats ("Registrera en till").
    pub may_tally: bool,
}

pub fn form_page(
    chrome: Chrome,
    user: &CurrentUser,
    cfg: &Config,
    allowed: &[i64],
    st: &FormState,
    recent: &[TallyView],
) -> Markup {
    let insats = st.raw.insats.as_deref().and_then(|k| cfg.insats(k)).filter(|i| !i.retired && allowed.contains(&i.id));
    let kind = st
        .raw
        .kind
        .as_deref()
        .and_then(|k| cfg.kind(k))
        .filter(|k| !k.retired && insats.is_some_and(|i| i.kind_ids.contains(&k.id)));
    let chosen = |dim: &str| st.raw.values.iter().find(|(d, _)| d == dim).map(|(_, v)| v.as_str());
    let ticked = |dim: &str, value: &str| st.raw.values.iter().any(|(d, v)| d == dim && v == value);
    let period_value = st.raw.period.clone().filter(|p| !p.trim().is_empty()).unwrap_or_else(|| st.now.to_string());
    let title = match (insats, kind) {
        (Some(i), Some(k)) => format!("{} – {}", k.label, i.label),
        _ => "Registrera".to_string(),
    };
    page(
        chrome,
        &title,
        Section::Tally,
        html! {
            h1 { "Registrera" }
            @if let Some(p) = st.saved {
                div.banner.ok role="status" {
                    p {
                        strong { "Registrerat." }
                        " Registreringen för " (p.label()) " är sparad. Du kan öppna och ångra dina registreringar från denna och förra månaden, så den här visas inte. "
                        "Blev något fel, be huvudmannen makulera den."
                    }
                }
            }
            (error_summary(&st.errors))
            nav.step aria-label="Välj insats" {
                h2 { "Insats" }
                ul.choices.links {
                    @for i in cfg.active_insatser().filter(|i| allowed.contains(&i.id)) {
                        li { a.choice href=(query(&i.key, None)) aria-current=[insats.is_some_and(|x| x.id == i.id).then_some("true")] { (i.label) } }
                    }
                }
                (field_error(&st.errors, "insats"))
            }
            @if let Some(i) = insats {
                @let of = |a: Audience| cfg.active_kinds_of(i).filter(move |k| k.audience == a).collect::<Vec<_>>();
                @let (participants, collaboration) = (of(Audience::Participants), of(Audience::Collaboration));
                @if !participants.is_empty() {
                    nav.step aria-label="Välj vad som hände" {
                        h2 { "Vad hände?" }
                        ul.choices.links {
                            @for k in &participants {
                                li { a.choice href=(query(&i.key, Some(&k.key))) aria-current=[kind.is_some_and(|x| x.id == k.id).then_some("true")] { (k.label) } }
                            }
                        }
                        @if collaboration.is_empty() { (field_error(&st.errors, "kind")) }
                    }
                }
                // A board's, beredningsgrupp's or staff's survey: offered apart, never among what
                // happened with a participant.
                @if !collaboration.is_empty() {
                    nav.step aria-label="Välj svar från styrelse, beredningsgrupp eller personal" {
                        h2 { "Svar från styrelse, beredningsgrupp eller personal" }
                        ul.choices.links {
                            @for k in &collaboration {
                                li { a.choice href=(query(&i.key, Some(&k.key))) aria-current=[kind.is_some_and(|x| x.id == k.id).then_some("true")] { (k.label) } }
                            }
                        }
                        (field_error(&st.errors, "kind"))
                    }
                }
            }
            @if let (Some(i), Some(k)) = (insats, kind.filter(|k| k.shape == Shape::Event)) {
                (event_form(user, cfg, i, k, st))
            }
            @if let (Some(i), Some(k)) = (insats, kind.filter(|k| k.shape == Shape::Tally)) {
                form.tally method="post" action="/registrera" {
                    (csrf(user))
                    input type="hidden" name="insats" value=(i.key);
                    input type="hidden" name="kind" value=(k.key);
                    div.field {
                        label for="period" { "Månad" }
                        p.hint #period-hint { "Denna månad är förvald. Välj en tidigare månad för att efterregistrera." }
                        input #period type="month" name="period" value=(period_value) max=(st.now.to_string())
                            pattern="[0-9]{4}-[0-9]{2}" placeholder="ÅÅÅÅ-MM" aria-describedby="period-hint"
                            aria-invalid=[st.errors.iter().any(|e| e.field == "period").then_some("true")];
                        (field_error(&st.errors, "period"))
                    }
                    @for kd in &k.dimensions {
                        @if let Some(d) = cfg.dimension_by_id(kd.dimension_id).filter(|d| !d.retired) {
                            @let field = format!("values.{}", d.key);
                            @let has_error = st.errors.iter().any(|e| e.field == field);
                            fieldset.choice-group.invalid[has_error] {
                                legend { (d.label) @if !kd.required { " (frivillig)" } }
                                @if let Some(h) = &d.hint { p.hint { (h) } }
                                (field_error(&st.errors, &field))
                                div.choices {
                                    @for v in d.active_values() {
                                        @let id = format!("v-{}-{}", d.key, v.key);
                                        @if kd.multiple {
                                            input type="checkbox" id=(id) name=(format!("v.{}", d.key)) value=(v.key)
                                                checked[ticked(&d.key, &v.key)];
                                        } @else {
                                            input type="radio" id=(id) name=(format!("v.{}", d.key)) value=(v.key)
                                                checked[chosen(&d.key) == Some(v.key.as_str())] required[kd.required];
                                        }
                                        label for=(id) { (v.label) }
                                    }
                                }
                            }
                        }
                    }
                    p.note {
                        @if k.flow.is_some() { "Ange kategorierna som de var vid inskrivningen. " }
                        @if k.audience == Audience::Collaboration { "En registrering per svar från styrelse, beredningsgrupp eller personal, inte från deltagare. " }
                        "Inga namn, personnummer eller datum."
                    }
                    button.primary type="submit" { "Registrera" }
                }
            }
            @if let Some(i) = insats {
                section.recent {
                    @if let Some(months) = &st.own {
                        h2 { "Dina senaste registreringar i " (i.label) }
                        p.note { "Från " (months_text(months)) ". " (MICRODATA) }
                    } @else {
                        h2 { "Senaste registreringarna i " (i.label) }
                    }
                    @if !st.recent_events.is_empty() {
                        (recent_events_table(&st.recent_events))
                    }
                    @if recent.is_empty() {
                        @if st.recent_events.is_empty() { p { (none_yet(st.own.is_some())) } }
                    } @else {
                        (recent_table(recent))
                    }
                }
            }
        },
    )
}

/// The form for a structural activity: name, organiser, month and attendees (by gender where known).
fn event_form(user: &CurrentUser, cfg: &Config, insats: &Insats, kind: &Kind, st: &FormState) -> Markup {
    let ev = st.event.clone().unwrap_or_default();
    let period_value = ev.period.clone().filter(|p| !p.trim().is_empty()).unwrap_or_else(|| st.now.to_string());
    let invalid = |f: &str| st.errors.iter().any(|e| e.field == f).then_some("true");
    let typed = |key: &str| ev.by_gender.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default();
    html! {
        form.tally method="post" action="/registrera/aktivitet" {
            (csrf(user))
            input type="hidden" name="insats" value=(insats.key);
            input type="hidden" name="kind" value=(kind.key);
            p.note { "En registrering per aktivitet, till exempel en mässa eller en utbildningsdag. Skriv inga namn på personer, personnummer, e-postadresser eller telefonnummer." }
            div.field {
                label for="name" { "Aktivitetens namn" }
                input #name name="name" value=(ev.name.unwrap_or_default()) maxlength="80" required aria-invalid=[invalid("name")];
                (field_error(&st.errors, "name"))
            }
            div.field {
                label for="organiser" { "Arrangör (frivillig)" }
                input #organiser name="organiser" value=(ev.organiser.unwrap_or_default()) maxlength="80" aria-invalid=[invalid("organiser")];
                (field_error(&st.errors, "organiser"))
            }
            div.field {
                label for="period" { "Månad" }
                input #period type="month" name="period" value=(period_value) max=(st.now.to_string()) pattern="[0-9]{4}-[0-9]{2}" placeholder="ÅÅÅÅ-MM" aria-invalid=[invalid("period")];
                (field_error(&st.errors, "period"))
            }
            div.field {
                label for="attendees" { "Antal deltagare" }
                input #attendees name="attendees" inputmode="numeric" value=(ev.attendees.unwrap_or_default()) required aria-invalid=[invalid("attendees")];
                (field_error(&st.errors, "attendees"))
            }
            @if let Some(g) = cfg.gender() {
                fieldset.choice-group {
                    legend { "Deltagare per kön (frivilligt, om det är känt)" }
                    (field_error(&st.errors, "by_gender"))
                    @for v in g.active_values() {
                        div.field.inline {
                            label for=(format!("g-{}", v.key)) { (v.column_label()) }
                            input id=(format!("g-{}", v.key)) name=(format!("g.{}", v.key)) inputmode="numeric" value=(typed(&v.key));
                            (field_error(&st.errors, &format!("by_gender.{}", v.key)))
                        }
                    }
                }
            }
            button.primary type="submit" { "Registrera aktiviteten" }
        }
    }
}

/// The confirmation page of a stored event.
pub fn event_page(chrome: Chrome, user: &CurrentUser, cfg: &Config, e: &StoredEvent, may_void: bool) -> Markup {
    let insats = cfg.insats_by_id(e.insats_id);
    let kind = cfg.kind_by_id(e.kind_id);
    let v = crate::web::event::view(cfg, e);
    page(
        chrome,
        "Aktivitet",
        Section::Tally,
        html! {
            @if v.voided {
                div.banner.warn role="status" { h1 { "Aktiviteten är makulerad" } p { "Den räknas inte i någon rapport." } }
            } @else {
                div.banner.ok role="status" { h1 { "Registrerat" } p { (e.name) ", " (e.period.label()) ", " (e.attendees) " deltagare." } }
            }
            dl.stored {
                dt { "Nummer" } dd { (e.id) }
                dt { "Insats" } dd { (insats.map(|i| i.label.as_str()).unwrap_or("")) }
                dt { "Typ" } dd { (kind.map(|k| k.label.as_str()).unwrap_or("")) }
                dt { "Aktivitet" } dd { (e.name) }
                @if !e.organiser.is_empty() { dt { "Arrangör" } dd { (e.organiser) } }
                dt { "Månad" } dd { (e.period.label()) }
                dt { "Deltagare" } dd { (e.attendees) }
                @for (g, n) in &v.by_gender {
                    dt { (cfg.gender().and_then(|d| d.value_by_key(g)).map(|x| x.column_label().to_string()).unwrap_or_default()) } dd { (n) }
                }
                @if let Some(r) = e.void_reason { dt { "Makulerad" } dd { (r.label()) } }
            }
            @if may_void && !v.voided { (void_form(user, &format!("/aktivitet/{}/makulera", e.id))) }
            @if let (Some(i), Some(k)) = (insats, kind) {
                p { a.button.primary href=(format!("/registrera?insats={}&kind={}", i.key, k.key)) { "Registrera en till" } }
            }
        },
    )
}

/// "Makulera med orsak": a reason from the list, posted to `action`.
fn void_form(user: &CurrentUser, action: &str) -> Markup {
    html! {
        form.void method="post" action=(action) {
            (csrf(user))
            div.field.inline {
                label for="reason" { "Makulera med orsak" }
                select #reason name="reason" required {
                    @for r in VoidReason::ALL { option value=(r.as_str()) { (r.label()) } }
                }
                " "
                button.secondary type="submit" { "Makulera" }
            }
        }
    }
}

fn recent_events_table(events: &[crate::web::event::EventView]) -> Markup {
    html! {
        div.scroll tabindex="0" role="region" aria-label="Senaste aktiviteterna" {
            table.recent {
                thead { tr { th scope="col" { "Nr" } th scope="col" { "Månad" } th scope="col" { "Aktivitet" } th scope="col" { "Deltagare" } th scope="col" { "Status" } } }
                tbody {
                    @for e in events {
                        tr.voided[e.voided] {
                            td { a href=(format!("/aktivitet/{}", e.id)) { (e.id) } }
                            td { (e.period) }
                            td { (e.name) }
                            td { (e.attendees) }
                            td { @if e.voided { "Makulerad" } @else { "Räknas" } }
                        }
                    }
                }
            }
        }
    }
}

/// `/registreringar`: the latest tallies of an insats, to check and correct them.
pub fn list_page(
    chrome: Chrome,
    cfg: &Config,
    allowed: &[i64],
    insats: &crate::domain::Insats,
    tallies: &[TallyView],
    own: Option<RangeInclusive<Period>>,
) -> Markup {
    page(
        chrome,
        &format!("Registreringar – {}", insats.label),
        Section::Tallies,
        html! {
            h1 { "Registreringar i " (insats.label) }
            @if allowed.len() > 1 {
                nav aria-label="Välj insats" {
                    ul.choices.links.small {
                        @for i in cfg.insatser.iter().filter(|i| allowed.contains(&i.id)) {
                            li { a.choice href=(format!("/registreringar?insats={}", i.key)) aria-current=[(i.id == insats.id).then_some("true")] { (i.label) } }
                        }
                    }
                }
            }
            @if let Some(months) = &own {
                p.note { "Dina egna registreringar från " (months_text(months)) ", nyast först (högst 100). Öppna en för att ångra eller makulera den. " (MICRODATA) }
            } @else {
                p.note { "De senaste 100 registreringarna, nyast först. Öppna en för att makulera den." }
            }
            @if tallies.is_empty() { p { (none_yet(own.is_some())) } } @else { (recent_table(tallies)) }
        },
    )
}

fn recent_table(recent: &[TallyView]) -> Markup {
    html! {
        div.scroll tabindex="0" role="region" aria-label="Senaste registreringarna" {
            table.recent {
                thead { tr { th scope="col" { "Nr" } th scope="col" { "Månad" } th scope="col" { "Typ" } th scope="col" { "Uppgifter" } th scope="col" { "Status" } } }
                tbody {
                    @for t in recent {
                        tr.voided[t.voided] {
                            td { a href=(format!("/registrerat/{}", t.id)) { (t.id) } }
                            td { (t.period_label) }
                            td { (t.kind_label) }
                            td { (t.labels.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(" · ")) }
                            td { @if t.voided { "Makulerad" } @else { "Räknas" } }
                        }
                    }
                }
            }
        }
    }
}

pub fn confirmation_page(chrome: Chrome, user: &CurrentUser, t: &TallyView, controls: VoidControls) -> Markup {
    let again = format!("/registrera?insats={}&kind={}&period={}", t.insats, t.kind, t.period);
    page(
        chrome,
        "Registrerat",
        Section::Tally,
        html! {
            @if t.voided {
                div.banner.warn role="status" {
                    h1 { "Registreringen är makulerad" }
                    p { "Den räknas inte i någon rapport. Den finns kvar som makulerad så att ändringen går att följa i loggen." }
                }
            } @else {
                div.banner.ok role="status" {
                    h1 { "Registrerat" }
                    p { (t.kind_label) " i " (t.insats_label) ", " (t.period_label) "." }
                }
            }
            dl.stored {
                dt { "Nummer" } dd { (t.id) }
                dt { "Insats" } dd { (t.insats_label) }
                dt { "Typ" } dd { (t.kind_label) }
                dt { "Månad" } dd { (t.period_label) }
                @for (d, v) in &t.labels { dt { (d) } dd { (v) } }
                @if let Some(r) = t.void_reason.and_then(VoidReason::parse_stored) { dt { "Makulerad" } dd { (r.label()) } }
            }
            div.actions {
                @if controls.may_tally {
                    a.button.primary href=(again) autofocus { "Registrera en till" }
                }
                @if !t.voided && controls.may_void && controls.own {
                    form method="post" action=(format!("/registrerat/{}/angra", t.id)) {
                        (csrf(user))
                        button.secondary type="submit" { "Ångra" }
                    }
                }
            }
            @if !t.voided && controls.may_void { (void_form(user, &format!("/registrerat/{}/makulera", t.id))) }
            @if !t.voided && controls.closed {
                p.note { "Året är stängt: registreringen kan inte makuleras." }
            }
            p { a href=(format!("/registrera?insats={}", t.insats)) { "Tillbaka till registreringen" } }
        },
    )
}
