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
