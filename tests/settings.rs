//! The förbundschef's settings page and goal dashboard: configuration changes add rows or retire
//! them, never rewrite a stored tally, and show up at once in forms, the API and reports.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::json;

fn value_id(app: &TestApp, dim: &str, key: &str) -> i64 {
    app.store.config().dimension(dim).unwrap().value_by_key(key).unwrap().id
}

#[tokio::test]
async fn a_new_municipality_can_be_tallied_and_a_retired_one_stays_in_history() {
    let app = TestApp::new();
    let kommun = app.store.config().dimension("kommun").unwrap().id;
    let res = app.post_form("/installningar", &format!("action=value_add&dimension={kommun}&label=Storfors")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    // Tally with it, then retire Degerfors after a tally there.
    app.tally("inskrivning", "2026-03", &common::person("kvinna", "storfors")).await;
    app.tally("inskrivning", "2026-03", &common::person("man", "degerfors")).await;
    let before: String = app
        .store
        .read_blocking(|c| Ok(c.query_row("SELECT group_concat(value_ids, '|') FROM tally", [], |r| r.get(0))?))
        .unwrap();
    let degerfors = value_id(&app, "kommun", "degerfors");
    let res = app.post_form("/installningar", &format!("action=value_retire&id={degerfors}")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    // No stored tally changed.
    let after: String = app
        .store
        .read_blocking(|c| Ok(c.query_row("SELECT group_concat(value_ids, '|') FROM tally", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(before, after);
    // New tallies cannot use it; the form no longer offers it; the report still counts it.
    let values: serde_json::Map<String, serde_json::Value> =
        common::person("man", "degerfors").into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    let res = app
        .post_json(
            "/api/v1/tallies",
            &json!({"insats": "coachingteamet", "kind": "inskrivning", "period": "2026-04", "values": values})
                .to_string(),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!app.get("/registrera?insats=coachingteamet&kind=inskrivning").await.text().contains("v-kommun-degerfors"));
    let r = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    let rows = r["participants"]["by_municipality"].as_array().unwrap();
    let count = |k: &str| rows.iter().find(|x| x["key"] == k).unwrap()["count"].as_i64().unwrap();
    assert_eq!((count("storfors"), count("degerfors")), (1, 1));
    // And it can be used again.
    let res = app.post_form("/installningar", &format!("action=value_restore&id={degerfors}")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(app.get("/registrera?insats=coachingteamet&kind=inskrivning").await.text().contains("v-kommun-degerfors"));
    assert!(app.audit_actions().iter().filter(|a| *a == "config_changed").count() >= 3);
}

#[tokio::test]
async fn insatser_questions_and_group_activities_are_added_and_retired() {
    let app = TestApp::new();
    let res = app
        .post_form("/installningar", "action=insats_add&label=Unga+vuxna&kind=inskrivning&kind=avslut&kind=fov")
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let cfg = app.get("/api/v1/config").await.json();
    let unga = cfg["insatser"].as_array().unwrap().iter().find(|i| i["key"] == "unga_vuxna").unwrap().clone();
    assert_eq!(unga["kinds"].as_array().unwrap().len(), 3);
    // A new survey question, answered on the same six-point scale.
    let enkat = app.store.config().kind("enkat").unwrap().id;
    let res = app
        .post_form("/installningar", &format!("action=question_add&kind={enkat}&label=K%C3%A4nner+du+dig+trygg%3F"))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let body = json!({"insats": "coachingteamet", "kind": "enkat", "period": "2026-05",
                      "values": {"respondentgrupp": "deltagare_pagaende", "fraga_kanner_du_dig_trygg": "for_det_mesta"}});
    let res = app.post_json("/api/v1/tallies", &body.to_string()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let r = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    let group = r["sections"].as_array().unwrap().iter().find(|s| s["key"] == "enkat").unwrap()["surveys"][0].clone();
    let q = group["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["key"] == "fraga_kanner_du_dig_trygg")
        .unwrap()
        .clone();
    assert_eq!(q["share"], 1.0, "för det mesta counts as positive, like the scale it copies");
    // A new group activity.
    let aktivitet = app.store.config().dimension("gruppaktivitet").unwrap().id;
    let res =
        app.post_form("/installningar", &format!("action=value_add&dimension={aktivitet}&label=Friskv%C3%A5rd")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        app.get("/registrera?insats=coachingteamet&kind=aktivitetsbetyg")
            .await
            .text()
            .contains("v-gruppaktivitet-friskvard")
    );
    // Retiring an insats closes it for tallies.
    let id = app.store.config().insats("unga_vuxna").unwrap().id;
    assert_eq!(
        app.post_form("/installningar", &format!("action=insats_retire&id={id}")).await.status,
        StatusCode::SEE_OTHER
    );
    let body = json!({"insats": "unga_vuxna", "kind": "fov", "values": {"kon": "man", "fov_svar": "avbojt"}});
    assert_eq!(app.post_json("/api/v1/tallies", &body.to_string()).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn bad_settings_changes_store_nothing() {
    let app = TestApp::new();
    let kommun = app.store.config().dimension("kommun").unwrap().id;
    let betyg = app.store.config().dimension("betyg").unwrap().id;
    let before = app.store.config().dimensions.iter().map(|d| d.values.len()).sum::<usize>();
    for (body, message) in [
        (format!("action=value_add&dimension={kommun}&label="), "Skriv ett namn"),
        (format!("action=value_add&dimension={kommun}&label=Karlskoga"), "finns redan"),
        (format!("action=value_add&dimension={kommun}&label=Ring+070-123+45+67"), "telefonnummer"),
        (format!("action=value_add&dimension={betyg}&label=11"), "bär tal"),
        ("action=insats_add&label=Ny".to_string(), "Välj minst en"),
        (
            "action=insats_add&label=Dubbel&kind=inskrivning&kind=avslut&kind=inskrivning".to_string(),
            "högst en sorts inskrivning",
        ),
        ("action=value_retire&id=99999".to_string(), "Valet finns inte"),
        ("action=nonsense".to_string(), "Okänd ändring"),
    ] {
        let res = app.post_form("/installningar", &body).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(res.text().contains(message), "{body}: {}", res.text());
    }
    let after = app.store.config().dimensions.iter().map(|d| d.values.len()).sum::<usize>();
    assert_eq!(before, after);
    // The only value of a one-value dimension cannot be retired.
    let app = TestApp::with_preset(&pinne::domain::preset::Preset::builtin("ornskoldsvik").unwrap());
    let only = value_id(&app, "kommun", "ornskoldsvik");
    let res = app.post_form("/installningar", &format!("action=value_retire&id={only}")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("Minst ett val måste finnas kvar"));
}

#[tokio::test]
async fn the_dashboard_shows_every_goal_and_what_changed_since_last_month() {
    let app = TestApp::new();
    // October: one exit to studies; November (now): one to care.
    app.tally("avslut", "2026-10", &common::exit("kvinna", "karlskoga", "studier")).await;
    app.tally("avslut", "2026-11", &common::exit("man", "degerfors", "vard")).await;
    let body = json!({"insats": "strukturarbete", "period": "2026-11", "name": "Finsammässan", "attendees": 600});
    assert_eq!(app.post_json("/api/v1/events", &body.to_string()).await.status, StatusCode::CREATED);
    let res = app.get("/oversikt").await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    for insats in ["Coachingteamet", "Mottagningsteamet", "Strukturövergripande aktiviteter"] {
        assert!(html.contains(insats), "{insats}");
    }
    // Studier: 100 % in October, 50 % now (goal 25 %), still met.
    assert!(html.contains("−50 procentenheter"), "{html}");
    // Attendance: not measured by the end of October, met now, with a symbol and words.
    assert!(html.contains("Inte uppfyllt → uppfyllt"), "{html}");
    assert!(html.contains("✔"), "{html}");
    assert!(html.contains("Uppfyllt"));
    // The förbundschef lands here.
    assert_eq!(app.get("/").await.location(), "/oversikt");
}

// New kinds of tallies and value groups from the settings page (issue 14, item 7).

/// A form body from pairs, URL-encoded.
fn body(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

/// Every configuration row, so a refused change can be shown to have stored nothing.
fn config_rows(app: &TestApp) -> String {
    app.store
        .read_blocking(|c| {
            Ok(c.query_row(
                "SELECT (SELECT json_group_array(json_array(id, key, label, flow, shape, scope_dimension_id, audience, retired)) FROM kind)
                     || (SELECT json_group_array(json_array(kind_id, dimension_id, required, multiple, position)) FROM kind_dimension)
                     || (SELECT json_group_array(json_array(insats_id, kind_id)) FROM insats_kind)
                     || (SELECT json_group_array(json_array(id, key, label, role, retired)) FROM dimension)
                     || (SELECT json_group_array(json_array(id, dimension_id, key, label, positive, retired)) FROM dimension_value)
                     || (SELECT json_group_array(json_array(id, dimension_id, key, label, retired)) FROM value_group)
                     || (SELECT json_group_array(json_array(group_id, value_id)) FROM value_group_member)
                     || (SELECT json_group_array(json_array(id, key, label, retired)) FROM insats)",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap()
}

fn insats_id(app: &TestApp, key: &str) -> String {
    app.store.config().insats(key).unwrap().id.to_string()
}

fn dim_id(app: &TestApp, key: &str) -> String {
    app.store.config().dimension(key).unwrap().id.to_string()
}

/// The part of a page from `start` to the end of the element it opens (`</nav>`, `</form>` …).
fn part<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let Some(from) = html.find(start) else { return "" };
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[tokio::test]
async fn a_structural_activity_kind_is_added_and_its_events_are_reported() {
    // Sydnärke has no event kind in its preset: its fairs and theme weeks are added from the web.
    let app = TestApp::with_preset(&pinne::domain::preset::Preset::builtin("sydnarke").unwrap());
    let team = insats_id(&app, "samordningsteamet");
    let res = app
        .post_form(
            "/installningar",
            &body(&[
                ("action", "kind_add"),
                ("shape", "event"),
                ("label", "Strukturövergripande aktivitet"),
                ("insats", &team),
            ]),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let cfg = app.store.config();
    let kind = cfg.kind("strukturovergripande_aktivitet").expect("a slug key made from the name");
    assert_eq!(kind.shape, pinne::domain::Shape::Event);
    assert_eq!((kind.flow, kind.audience), (None, pinne::domain::Audience::Participants));
    assert!(cfg.insats("samordningsteamet").unwrap().kind_ids.contains(&kind.id));
    assert!(!cfg.insats("ciceron").unwrap().kind_ids.contains(&kind.id));
    assert_eq!(app.audit_actions().last().unwrap(), "config_changed");

    // A coach of the team registers events of it on the normal form.
    let coach = app.client("coach", pinne::domain::account::Role::Coach, &["samordningsteamet"]);
    let page = coach.get("/registrera?insats=samordningsteamet&kind=strukturovergripande_aktivitet").await.text();
    assert!(page.contains("Aktivitetens namn"), "{page}");
    for (name, organiser, period, attendees) in [
        ("Rehabiliteringsmässan", "Samordningsförbundet Sydnärke", "2026-03", "120"),
        ("Psykiatriveckan", "Region Örebro län", "2026-10", "45"),
        ("Samverkansdag", "", "2026-05", "30"),
    ] {
        let res = coach
            .post_form(
                "/registrera/aktivitet",
                &body(&[
                    ("insats", "samordningsteamet"),
                    ("kind", "strukturovergripande_aktivitet"),
                    ("name", name),
                    ("organiser", organiser),
                    ("period", period),
                    ("attendees", attendees),
                ]),
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{name}: {}", res.text());
    }
    let r = app.get("/api/v1/reports/samordningsteamet/2026").await.json();
    let events = r["events"].as_array().unwrap();
    let section = events.iter().find(|e| e["key"] == "strukturovergripande_aktivitet").expect("an event section");
    assert_eq!((section["count"].as_i64(), section["attendees"].as_i64()), (Some(3), Some(195)));
    let names: Vec<&str> = section["events"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Rehabiliteringsmässan") && names.contains(&"Psykiatriveckan"), "{names:?}");
    // Ciceron does not take it.
    let res = app
        .post_json(
            "/api/v1/events",
            &json!({"insats": "ciceron", "kind": "strukturovergripande_aktivitet", "period": "2026-05", "name": "Mässa", "attendees": 5})
                .to_string(),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_plain_tally_kind_takes_the_chosen_dimensions_and_gets_a_report_section() {
    let app = TestApp::new();
    let (kon, nasta, team) = (dim_id(&app, "kon"), dim_id(&app, "nasta_steg"), insats_id(&app, "mottagningsteamet"));
    let res = app
        .post_form(
            "/installningar",
            &body(&[
                ("action", "kind_add"),
                ("shape", "tally"),
                ("label", "Stödsamtal"),
                ("audience", "participants"),
                (&format!("dim.{kon}"), "required"),
                (&format!("dim.{nasta}"), "optional"),
                ("dim.1", ""),
                ("scope", ""),
                ("insats", &team),
            ]),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let cfg = app.store.config();
    let kind = cfg.kind("stodsamtal").unwrap();
    let taken: Vec<(&str, bool)> = kind
        .dimensions
        .iter()
        .map(|kd| (cfg.dimension_by_id(kd.dimension_id).unwrap().key.as_str(), kd.required))
        .collect();
    assert_eq!(taken, [("kon", true), ("nasta_steg", false)]);
    assert_eq!((kind.flow, kind.shape), (None, pinne::domain::Shape::Tally));

    // A coach of Mottagningsteamet tallies it on the form and through the API.
    let coach = app.client("coach", pinne::domain::account::Role::Coach, &["mottagningsteamet"]);
    let form = coach.get("/registrera?insats=mottagningsteamet&kind=stodsamtal").await.text();
    assert!(form.contains("v-kon-kvinna") && form.contains("v-nasta_steg-vard"), "{form}");
    assert!(!form.contains("v-kommun-"), "only the chosen dimensions are asked");
    let res = coach
        .post_form(
            "/registrera",
            &body(&[
                ("insats", "mottagningsteamet"),
                ("kind", "stodsamtal"),
                ("period", "2026-06"),
                ("v.kon", "kvinna"),
                ("v.nasta_steg", "vard"),
            ]),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let tally =
        json!({"insats": "mottagningsteamet", "kind": "stodsamtal", "period": "2026-07", "values": {"kon": "man"}});
    assert_eq!(coach.post_json("/api/v1/tallies", &tally.to_string()).await.status, StatusCode::CREATED);
    let other =
        json!({"insats": "mottagningsteamet", "kind": "stodsamtal", "values": {"kon": "man", "kommun": "degerfors"}});
    assert_eq!(coach.post_json("/api/v1/tallies", &other.to_string()).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Coachingteamet does not take it.
    let elsewhere = json!({"insats": "coachingteamet", "kind": "stodsamtal", "values": {"kon": "man"}});
    assert_eq!(app.post_json("/api/v1/tallies", &elsewhere.to_string()).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    let r = app.get("/api/v1/reports/mottagningsteamet/2026").await.json();
    let section =
        r["sections"].as_array().unwrap().iter().find(|s| s["key"] == "stodsamtal").expect("a section").clone();
    assert_eq!(section["total"], 2);
    let table = section["tables"].as_array().unwrap().iter().find(|t| t["key"] == "nasta_steg").unwrap().clone();
    let row = |k: &str| table["rows"].as_array().unwrap().iter().find(|r| r["key"] == k).unwrap()["count"].clone();
    assert_eq!((row("vard"), row("uppgift_saknas")), (json!(1), json!(1)));
    assert!(app.get("/rapport/mottagningsteamet/2026").await.text().contains("Stödsamtal"));
}

#[tokio::test]
async fn a_tally_kind_can_split_its_report_by_one_of_its_choices() {
    let app = TestApp::new();
    let (aktivitet, betyg, team) =
        (dim_id(&app, "gruppaktivitet"), dim_id(&app, "betyg"), insats_id(&app, "coachingteamet"));
    let res = app
        .post_form(
            "/installningar",
            &body(&[
                ("action", "kind_add"),
                ("shape", "tally"),
                ("label", "Betyg på workshop"),
                ("audience", "participants"),
                (&format!("dim.{aktivitet}"), "optional"),
                (&format!("dim.{betyg}"), "required"),
                ("scope", &aktivitet),
                ("insats", &team),
            ]),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let cfg = app.store.config();
    let kind = cfg.kind("betyg_pa_workshop").unwrap();
    assert_eq!(kind.scope_dimension_id, Some(cfg.dimension("gruppaktivitet").unwrap().id));
    assert!(kind.takes(kind.scope_dimension_id.unwrap()).unwrap().required, "a scope is always given");
    common::bulk(
        &app,
        "coachingteamet",
        &[
            ("betyg_pa_workshop", "2026-03", vec![("gruppaktivitet", "cv_grupp"), ("betyg", "8")], 2),
            ("betyg_pa_workshop", "2026-03", vec![("gruppaktivitet", "min_vag"), ("betyg", "4")], 1),
        ],
    );
    let r = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    let section = r["sections"].as_array().unwrap().iter().find(|s| s["key"] == "betyg_pa_workshop").unwrap().clone();
    let ratings = section["ratings"].as_array().unwrap();
    let mean = |scope: &str| {
        ratings.iter().find(|t| t["key"] == scope).unwrap_or_else(|| panic!("{ratings:?}"))["mean"].as_f64().unwrap()
    };
    assert_eq!((mean("cv_grupp"), mean("min_vag")), (8.0, 4.0));
}

#[tokio::test]
async fn a_board_survey_is_kept_apart_from_the_participant_survey() {
    let app = TestApp::new();
    let (nytta, kon, team) = (dim_id(&app, "nns_nytta"), dim_id(&app, "kon"), insats_id(&app, "coachingteamet"));
    let question = "Bidrar samverkan till bättre stöd för individen?";
    let res = app
        .post_form(
            "/installningar",
            &body(&[
                ("action", "kind_add"),
                ("shape", "survey"),
                ("label", "Styrelseenkät"),
                ("audience", "collaboration"),
                ("like", &nytta),
                ("question", question),
                ("gender", "1"),
                ("insats", &team),
            ]),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let cfg = app.store.config();
    let kind = cfg.kind("styrelseenkat").unwrap();
    assert_eq!(kind.audience, pinne::domain::Audience::Collaboration);
    let q = cfg.dimension("fraga_bidrar_samverkan_till_battre_stod_for_individen").expect("the first question");
    assert_eq!(q.role, pinne::domain::Role::Question);
    let answers: Vec<(&str, bool)> = q.values.iter().map(|v| (v.key.as_str(), v.positive)).collect();
    let scale: Vec<(&str, bool)> =
        cfg.dimension("nns_nytta").unwrap().values.iter().map(|v| (v.key.as_str(), v.positive)).collect();
    assert_eq!(answers, scale, "asked on the NNS scale it copies");
    assert!(kind.takes(kon.parse().unwrap()).is_some_and(|kd| !kd.required));
    // A second question is added to it the usual way, and is not the participant survey's.
    let res = app
        .post_form(
            "/installningar",
            &body(&[
                ("action", "question_add"),
                ("kind", &kind.id.to_string()),
                ("label", "Har styrelsen en gemensam bild av behoven?"),
            ]),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let cfg = app.store.config();
    let enkat = cfg.kind("enkat").unwrap();
    for key in
        ["fraga_bidrar_samverkan_till_battre_stod_for_individen", "fraga_har_styrelsen_en_gemensam_bild_av_behoven"]
    {
        assert!(enkat.takes(cfg.dimension(key).unwrap().id).is_none(), "{key}");
    }

    let coach = app.client("coach", pinne::domain::account::Role::Coach, &["coachingteamet"]);
    // The choice of kind: the board's survey is offered apart, not among what happened with a participant.
    let page = coach.get("/registrera?insats=coachingteamet").await.text();
    let participants = part(&page, "aria-label=\"Välj vad som hände\"", "</nav>");
    assert!(participants.contains("Enkät (indikatorer)") && !participants.contains("Styrelseenkät"), "{participants}");
    let board = part(&page, "aria-label=\"Välj svar från styrelse, beredningsgrupp eller personal\"", "</nav>");
    assert!(board.contains("Styrelseenkät") && !board.contains("Enkät (indikatorer)"), "{page}");
    // The participant survey does not ask the board's questions, and the board's asks none of the participants'.
    let survey = coach.get("/registrera?insats=coachingteamet&kind=enkat").await.text();
    assert!(survey.contains("v-nns_nytta-ofta"));
    assert!(!survey.contains("fraga_bidrar") && !survey.contains(question) && !survey.contains("fraga_har_styrelsen"));
    let boards = coach.get("/registrera?insats=coachingteamet&kind=styrelseenkat").await.text();
    assert!(boards.contains("v-fraga_bidrar_samverkan_till_battre_stod_for_individen-ofta"), "{boards}");
    assert!(!boards.contains("v-nns_") && !boards.contains("v-respondentgrupp-"), "{boards}");
    // Nor does the participant survey take an answer to a board question.
    let mixed = json!({"insats": "coachingteamet", "kind": "enkat", "values": {"respondentgrupp": "deltagare_avslut",
        "fraga_bidrar_samverkan_till_battre_stod_for_individen": "ofta"}});
    assert_eq!(coach.post_json("/api/v1/tallies", &mixed.to_string()).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The coach registers a returned board survey; the report has it as a survey of its own.
    let res = coach
        .post_form(
            "/registrera",
            &body(&[
                ("insats", "coachingteamet"),
                ("kind", "styrelseenkat"),
                ("period", "2026-09"),
                ("v.fraga_bidrar_samverkan_till_battre_stod_for_individen", "alltid"),
            ]),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let answer = json!({"insats": "coachingteamet", "kind": "styrelseenkat", "period": "2026-09",
        "values": {"kon": "kvinna", "fraga_bidrar_samverkan_till_battre_stod_for_individen": "sallan"}});
    assert_eq!(coach.post_json("/api/v1/tallies", &answer.to_string()).await.status, StatusCode::CREATED);
    let r = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    let section = r["sections"].as_array().unwrap().iter().find(|s| s["key"] == "styrelseenkat").unwrap().clone();
    let q = section["surveys"][0]["questions"][0].clone();
    assert_eq!((q["answered"].as_i64(), q["share"].as_f64()), (Some(2), Some(0.5)));
    let enkat = r["sections"].as_array().unwrap().iter().find(|s| s["key"] == "enkat");
    assert!(enkat.is_none_or(|s| s["total"] == 0), "no board answer counts as a participant's");
    // The API tells the two apart.
    let cfg = coach.get("/api/v1/config").await.json();
    let kinds = cfg["insatser"][0]["kinds"].as_array().unwrap();
    let audience = |k: &str| kinds.iter().find(|x| x["key"] == k).unwrap()["audience"].clone();
    assert_eq!((audience("enkat"), audience("styrelseenkat")), (json!("participants"), json!("collaboration")));
}

#[tokio::test]
async fn a_value_group_is_a_report_row_and_can_be_hidden_again() {
    let app = TestApp::new();
    let alder = dim_id(&app, "aldersgrupp");
    let (a, b) =
        (value_id(&app, "aldersgrupp", "20_24").to_string(), value_id(&app, "aldersgrupp", "25_29").to_string());
    let res = app
        .post_form(
            "/installningar",
            &body(&[
                ("action", "group_add"),
                ("dimension", &alder),
                ("label", "UVAS 20–29"),
                ("value", &a),
                ("value", &b),
            ]),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let group =
        app.store.config().dimension("aldersgrupp").unwrap().groups.iter().find(|g| g.key == "uvas_20_29").cloned();
    let group = group.expect("a slug key made from the name");
    let entry = |age: &'static str| {
        let mut v = common::person("kvinna", "karlskoga");
        v.retain(|(k, _)| *k != "aldersgrupp");
        v.push(("aldersgrupp", age));
        v
    };
    common::bulk(
        &app,
        "coachingteamet",
        &[
            ("inskrivning", "2026-02", entry("16_19"), 1),
            ("inskrivning", "2026-02", entry("20_24"), 2),
            ("inskrivning", "2026-03", entry("25_29"), 3),
        ],
    );
    let rows = |r: &serde_json::Value| -> Vec<(String, i64, bool)> {
        let t = r["categories"].as_array().unwrap().iter().find(|c| c["key"] == "aldersgrupp").unwrap().clone();
        t["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["key"].as_str().unwrap().to_string(),
                    r["count"].as_i64().unwrap(),
                    r["group"].as_bool().unwrap_or(false),
                )
            })
            .collect()
    };
    let r = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    let with = rows(&r);
    assert!(with.contains(&("uvas_20_29".into(), 5, true)), "{with:?}");
    assert!(with.contains(&("uvas".into(), 6, true)), "the preset's group beside it: {with:?}");
    assert!(app.get("/rapport/coachingteamet/2026").await.text().contains("UVAS 20–29"));

    // Hidden again: the report loses the row, no tally or count changes, and it can come back.
    let footprint = app.footprint();
    let res = app.post_form("/installningar", &format!("action=group_retire&id={}", group.id)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(app.footprint(), footprint);
    let without = rows(&app.get("/api/v1/reports/coachingteamet/2026").await.json());
    assert!(!without.iter().any(|(k, _, _)| k == "uvas_20_29"), "{without:?}");
    assert_eq!(with.iter().filter(|r| r.0 != "uvas_20_29").cloned().collect::<Vec<_>>(), without);
    assert!(app.get("/installningar").await.text().contains("UVAS 20–29"), "still listed, to be shown again");
    let res = app.post_form("/installningar", &format!("action=group_restore&id={}", group.id)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(rows(&app.get("/api/v1/reports/coachingteamet/2026").await.json()), with);
    assert!(app.audit_actions().iter().filter(|a| *a == "config_changed").count() >= 3);
}

#[tokio::test]
async fn a_retired_kind_takes_no_new_tallies_and_stays_in_the_report() {
    let app = TestApp::new();
    let (kon, team) = (dim_id(&app, "kon"), insats_id(&app, "mottagningsteamet"));
    let add = body(&[
        ("action", "kind_add"),
        ("shape", "tally"),
        ("label", "Telefonrådgivning"),
        ("audience", "participants"),
        (&format!("dim.{kon}"), "required"),
        ("insats", &team),
    ]);
    assert_eq!(app.post_form("/installningar", &add).await.status, StatusCode::SEE_OTHER);
    let id = app.store.config().kind("telefonradgivning").unwrap().id;
    let tally = json!({"insats": "mottagningsteamet", "kind": "telefonradgivning", "period": "2026-04", "values": {"kon": "man"}});
    assert_eq!(app.post_json("/api/v1/tallies", &tally.to_string()).await.status, StatusCode::CREATED);
    let footprint = app.footprint();
    assert_eq!(
        app.post_form("/installningar", &format!("action=kind_retire&id={id}")).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.footprint(), footprint);
    let res = app.post_json("/api/v1/tallies", &tally.to_string()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("används inte längre"), "{}", res.text());
    let page = app.get("/registrera?insats=mottagningsteamet").await.text();
    assert!(!part(&page, "aria-label=\"Välj vad som hände\"", "</nav>").contains("Telefonrådgivning"), "{page}");
    assert!(part(&page, "aria-label=\"Välj vad som hände\"", "</nav>").contains("Vägledning"));
    let r = app.get("/api/v1/reports/mottagningsteamet/2026").await.json();
    let section = r["sections"].as_array().unwrap().iter().find(|s| s["key"] == "telefonradgivning").unwrap().clone();
    assert_eq!(section["total"], 1, "its tallies stay in the report");
    assert_eq!(
        app.post_form("/installningar", &format!("action=kind_restore&id={id}")).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.post_json("/api/v1/tallies", &tally.to_string()).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn bad_kinds_and_groups_store_nothing() {
    let app = TestApp::new();
    let (team, kon, kommun, nasta, betyg, nytta, alder) = (
        insats_id(&app, "coachingteamet"),
        dim_id(&app, "kon"),
        dim_id(&app, "kommun"),
        dim_id(&app, "nasta_steg"),
        dim_id(&app, "betyg"),
        dim_id(&app, "nns_nytta"),
        dim_id(&app, "aldersgrupp"),
    );
    let age = |k: &str| value_id(&app, "aldersgrupp", k).to_string();
    let karlskoga = value_id(&app, "kommun", "karlskoga").to_string();
    let inskrivning = app.store.config().kind("inskrivning").unwrap().id.to_string();
    let (dkon, dkommun, dnasta) = (format!("dim.{kon}"), format!("dim.{kommun}"), format!("dim.{nasta}"));
    let event = |label: &'static str| {
        vec![("action", "kind_add"), ("shape", "event"), ("label", label), ("insats", team.as_str())]
    };
    fn tally_form(team: &str, extra: &[(&str, &str)]) -> String {
        let mut v = vec![
            ("action", "kind_add"),
            ("shape", "tally"),
            ("label", "Ny sak"),
            ("audience", "participants"),
            ("insats", team),
        ];
        v.extend_from_slice(extra);
        body(&v)
    }
    let tally = |extra: &[(&str, &str)]| tally_form(&team, extra);
    let survey = |like: &str, question: &str| {
        body(&[
            ("action", "kind_add"),
            ("shape", "survey"),
            ("label", "Beredningsgruppens enkät"),
            ("audience", "collaboration"),
            ("like", like),
            ("question", question),
            ("insats", &team),
        ])
    };
    let group = |dimension: &str, label: &str, values: &[&str]| {
        let mut v = vec![("action", "group_add"), ("dimension", dimension), ("label", label)];
        v.extend(values.iter().map(|x| ("value", *x)));
        body(&v)
    };
    let before = config_rows(&app);
    let audits = app.audit_actions().len();
    for (form, message) in [
        (body(&event("")), "Skriv ett namn"),
        (body(&event("Ring 070-123 45 67")), "telefonnummer"),
        (body(&event("Mässa hos anna.andersson@example.se")), "e-post"),
        (body(&event("Frågor om våld")), "finns redan"),
        (
            body(&[("action", "kind_add"), ("shape", "event"), ("label", "Mässa"), ("insats", "99999")]),
            "Insatsen finns inte",
        ),
        (body(&[("action", "kind_add"), ("shape", "event"), ("label", "Mässa")]), "Välj minst en insats"),
        (tally(&[]), "Välj minst en uppgift"),
        (tally(&[(dkon.as_str(), "")]), "Välj minst en uppgift"),
        (tally(&[("dim.99999", "required")]), "Uppgiften finns inte"),
        (tally(&[(dkommun.as_str(), "multiple")]), "kan bara ha ett val"),
        (tally(&[(dkon.as_str(), "always")]), "Välj hur"),
        (tally(&[(dkon.as_str(), "required"), ("scope", &nasta)]), "Rapporten kan delas upp"),
        (tally(&[(dkommun.as_str(), "required"), ("scope", &kommun)]), "Rapporten kan delas upp"),
        (tally(&[(dnasta.as_str(), "multiple"), ("scope", &nasta)]), "Rapporten kan delas upp"),
        (
            body(&[
                ("action", "kind_add"),
                ("shape", "tally"),
                ("label", "Ny sak"),
                ("insats", &team),
                (&dkon, "required"),
            ]),
            "Välj om registreringarna",
        ),
        (survey("99999", "Fungerar samverkan?"), "Välj en svarsskala"),
        (survey(&kommun, "Fungerar samverkan?"), "Välj en svarsskala"),
        (survey(&nytta, ""), "Skriv den första frågan"),
        (survey(&nytta, "Ring 070-123 45 67"), "telefonnummer"),
        // Entries and exits come only with the configuration: an insats has at most one of each.
        (
            body(&[("action", "kind_add"), ("shape", "entry"), ("label", "Inskrivning 2"), ("insats", &team)]),
            "Inskrivning och avslut",
        ),
        (tally(&[(dkon.as_str(), "required"), ("flow", "exit")]), "Inskrivning och avslut"),
        (body(&[("action", "kind_add"), ("shape", "sak"), ("label", "Sak"), ("insats", &team)]), "Välj en sorts"),
        (group(&alder, "", &[&age("20_24"), &age("25_29")]), "Skriv ett namn"),
        (group(&alder, "Unga 070-123 45 67", &[&age("20_24"), &age("25_29")]), "telefonnummer"),
        (group(&alder, "Unga 16–29 år (UVAS)", &[&age("20_24"), &age("25_29")]), "finns redan"),
        (group(&alder, "20–24 år", &[&age("20_24"), &age("25_29")]), "finns redan"),
        (group(&alder, "Unga", &[&age("20_24")]), "minst två"),
        (group(&alder, "Unga", &[&age("20_24"), &age("20_24")]), "minst två"),
        (group(&alder, "Unga", &[]), "minst två"),
        (group(&alder, "Unga", &[&age("20_24"), &karlskoga]), "ska höra till"),
        (group(&alder, "Unga", &[&age("20_24"), "99999"]), "Valet finns inte"),
        (group(&alder, "Unga", &[&age("16_19"), &age("25_29"), &age("20_24")]), "har redan de valen"),
        (
            group(
                &betyg,
                "Höga betyg",
                &[&value_id(&app, "betyg", "9").to_string(), &value_id(&app, "betyg", "10").to_string()],
            ),
            "Grupper visas bara",
        ),
        (group("99999", "Unga", &[&age("20_24"), &age("25_29")]), "Uppgiften finns inte"),
        ("action=group_retire&id=99999".to_string(), "Gruppen finns inte"),
        ("action=kind_retire&id=99999".to_string(), "Registreringstypen finns inte"),
        (format!("action=kind_retire&id={inskrivning}"), "Inskrivning och avslut hör till insatsen"),
    ] {
        let res = app.post_form("/installningar", &form).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{form}");
        assert!(res.text().contains(message), "{form}: {message}: {}", res.text());
        assert_eq!(config_rows(&app), before, "{form}");
    }
    assert_eq!(app.audit_actions().len(), audits);
    // The form comes back filled in, so the förbundschef need not start over.
    let res = app.post_form("/installningar", &tally(&[(dkon.as_str(), "required"), ("scope", &kommun)])).await;
    let form = part(&res.text(), "value=\"tally\"", "</form>").to_string();
    assert!(form.contains("value=\"Ny sak\"") && form.contains("<option value=\"required\" selected"), "{form}");
}

#[tokio::test]
async fn only_the_forbundschef_adds_kinds_and_groups() {
    use pinne::domain::account::Role;
    let app = TestApp::new();
    let (team, kon, alder) = (insats_id(&app, "coachingteamet"), dim_id(&app, "kon"), dim_id(&app, "aldersgrupp"));
    let (a, b) =
        (value_id(&app, "aldersgrupp", "20_24").to_string(), value_id(&app, "aldersgrupp", "25_29").to_string());
    let uvas = app.store.config().dimension("aldersgrupp").unwrap().groups[0].id.to_string();
    let enkat = app.store.config().kind("enkat").unwrap().id.to_string();
    let nytta = dim_id(&app, "nns_nytta");
    let forms = [
        body(&[("action", "kind_add"), ("shape", "event"), ("label", "Mässa"), ("insats", &team)]),
        body(&[
            ("action", "kind_add"),
            ("shape", "tally"),
            ("label", "Sak"),
            ("audience", "participants"),
            (&format!("dim.{kon}"), "required"),
            ("insats", &team),
        ]),
        body(&[
            ("action", "kind_add"),
            ("shape", "survey"),
            ("label", "Styrelseenkät"),
            ("audience", "collaboration"),
            ("like", &nytta),
            ("question", "Fungerar det?"),
            ("insats", &team),
        ]),
        body(&[("action", "kind_retire"), ("id", &enkat)]),
        body(&[("action", "group_add"), ("dimension", &alder), ("label", "UVAS 20–29"), ("value", &a), ("value", &b)]),
        body(&[("action", "group_retire"), ("id", &uvas)]),
    ];
    let before = config_rows(&app);
    for role in [Role::Coach, Role::Huvudman] {
        let client = app.client(&format!("{role:?}"), role, &["coachingteamet"]);
        for form in &forms {
            let res = client.post_form("/installningar", form).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{role:?} {form}");
        }
    }
    assert_eq!(config_rows(&app), before);
    // The same forms are the förbundschef's.
    for form in &forms {
        assert_eq!(app.post_form("/installningar", form).await.status, StatusCode::SEE_OTHER, "{form}");
    }
    assert_ne!(config_rows(&app), before);
}
