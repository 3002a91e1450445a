//! The whole Finsam follow-up beside entries and exits: guidance meetings with several agency
//! contacts, the indicator survey by respondent group, the violence questions, activity ratings,
//! structural events (with names checked for personal data) and budgets, each with its goals.

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use pinne::domain::account::Role;
use serde_json::{Value, json};

fn post(insats: &str, kind: &str, period: &str, values: Value) -> String {
    json!({"insats": insats, "kind": kind, "period": period, "values": values}).to_string()
}

fn find<'a>(rows: &'a Value, key: &str) -> &'a Value {
    rows.as_array().unwrap().iter().find(|r| r["key"] == key).unwrap_or_else(|| panic!("no {key} in {rows}"))
}

fn rows_of(app: &TestApp, sql: &str) -> i64 {
    app.store.read_blocking(|c| Ok(c.query_row(sql, [], |r| r.get(0))?)).unwrap()
}

fn guidance(kon: &str, contacts: &[&str], next: &str, in_time: &str) -> Value {
    json!({"kon": kon, "kommun": "karlskoga", "aldersgrupp": "20_24", "forsorjning": "forsakringskassan",
           "myndighetskontakter": contacts, "nasta_steg": next, "mote_i_tid": in_time})
}

#[tokio::test]
async fn guidance_meetings_count_people_with_each_contact_and_contacts_in_total() {
    let app = TestApp::new();
    for (kon, contacts, next, in_time) in [
        ("kvinna", vec!["vard", "forsakringskassan"], "coachingteamet", "ja"),
        ("kvinna", vec!["vard"], "coachingteamet", "ja"),
        ("man", vec!["vard", "socialtjanst", "arbetsformedlingen"], "vard", "nej"),
        ("man", vec!["forsakringskassan"], "coachingteamet", "ja"),
    ] {
        let res = app
            .post_json(
                "/api/v1/tallies",
                &post("mottagningsteamet", "vagledning", "2026-05", guidance(kon, &contacts, next, in_time)),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        assert_eq!(res.json()["values"]["myndighetskontakter"], json!(contacts));
    }
    let r = app.get("/api/v1/reports/mottagningsteamet/2026").await.json();
    assert_eq!(r["has_flow"], false);
    let s = find(&r["sections"], "vagledning");
    assert_eq!(s["total"], 4);
    assert_eq!(s["by_gender"]["kvinna"]["count"], 2);
    let contacts = find(&s["tables"], "myndighetskontakter");
    assert_eq!(contacts["multiple"], true);
    assert_eq!(contacts["choices"], 7, "contacts in total");
    let vard = find(&contacts["rows"], "vard");
    assert_eq!(vard["count"], 3, "people with a healthcare contact");
    assert_eq!(vard["share"], 0.75);
    assert_eq!(vard["by_gender"]["man"]["count"], 1);
    assert_eq!(find(&find(&s["tables"], "nasta_steg")["rows"], "coachingteamet")["share"], 0.75);
    assert_eq!(find(&s["tables"], "kommun")["rows"][0]["count"], 4);
    // The 2026 goal: 100 % offered a meeting within 30 working days; 3 of 4 → 1 short.
    let goal = find(&r["goals"], "mote_i_tid");
    assert_eq!((goal["numerator"].as_i64(), goal["denominator"].as_i64()), (Some(3), Some(4)));
    assert_eq!(goal["met"], false);
    assert_eq!(goal["short_by"], 1);
    assert_eq!(goal["needed_more"], Value::Null, "100 % cannot be reached by adding meetings");
    let html = app.get("/rapport/mottagningsteamet/2026").await.text();
    assert!(html.contains("Myndighetskontakter"), "{html}");
}

#[tokio::test]
async fn bad_guidance_input_stores_nothing() {
    let app = TestApp::new();
    let ok = guidance("kvinna", &["vard"], "coachingteamet", "ja");
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = ok.clone();
        f(&mut v);
        post("mottagningsteamet", "vagledning", "2026-05", v)
    };
    for (what, body, field) in [
        (
            "same contact twice",
            with(&|v| v["myndighetskontakter"] = json!(["vard", "vard"])),
            "values.myndighetskontakter",
        ),
        (
            "unknown contact",
            with(&|v| v["myndighetskontakter"] = json!(["vard", "polisen"])),
            "values.myndighetskontakter",
        ),
        ("list for a single choice", with(&|v| v["nasta_steg"] = json!(["vard", "annat"])), "values.nasta_steg"),
        ("empty list", with(&|v| v["myndighetskontakter"] = json!([])), "values.myndighetskontakter"),
        ("numbers in the list", with(&|v| v["myndighetskontakter"] = json!([1, 2])), "values.myndighetskontakter"),
        (
            "missing next step",
            with(&|v| v.as_object_mut().unwrap().remove("nasta_steg").map(|_| ()).unwrap()),
            "values.nasta_steg",
        ),
        ("an exit reason", with(&|v| v["avslutsorsak"] = "studier".into()), "values.avslutsorsak"),
    ] {
        let res = app.post_json("/api/v1/tallies", &body).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {}", res.text());
        assert_eq!(res.json()["error"]["field"], field, "{what}: {}", res.text());
    }
    assert_eq!(app.footprint(), (0, 0, 0));
}

#[tokio::test]
async fn the_guidance_form_takes_several_contacts_by_checkbox() {
    let app = TestApp::new();
    let form = app.get("/registrera?insats=mottagningsteamet&kind=vagledning").await.text();
    assert!(form.contains(r#"type="checkbox" id="v-myndighetskontakter-vard" name="v.myndighetskontakter""#), "{form}");
    let body = "insats=mottagningsteamet&kind=vagledning&period=2026-04&v.kon=man&v.kommun=degerfors&v.aldersgrupp=30_39\
&v.forsorjning=ingen&v.myndighetskontakter=vard&v.myndighetskontakter=skola_kaa&v.nasta_steg=annat&v.mote_i_tid=ja";
    let res = app.post_form("/registrera", body).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let page = app.get(&res.location()).await.text();
    assert!(page.contains("Hälso- och sjukvård, Skola eller kommunala aktivitetsansvaret (KAA)"), "{page}");
}

#[tokio::test]
async fn the_survey_reports_share_positive_per_question_group_and_gender() {
    let app = TestApp::new();
    let survey = |group: &str, kon: Option<&str>, answers: &[(&str, &str)]| {
        let mut v = json!({"respondentgrupp": group});
        if let Some(k) = kon {
            v["kon"] = k.into();
        }
        for (q, a) in answers {
            v[*q] = (*a).into();
        }
        post("coachingteamet", "enkat", "2026-03", v)
    };
    for (group, kon, answers) in [
        ("deltagare_pagaende", Some("kvinna"), vec![("nns_nytta", "alltid"), ("nns_redo", "ofta")]),
        ("deltagare_pagaende", Some("kvinna"), vec![("nns_nytta", "ibland"), ("nns_redo", "sallan")]),
        ("deltagare_pagaende", Some("man"), vec![("nns_nytta", "for_det_mesta")]),
        ("deltagare_avslut", None, vec![("nns_redo", "alltid"), ("nns_planering", "ja")]),
        ("deltagare_avslut", Some("man"), vec![("nns_redo", "aldrig"), ("nns_planering", "nej")]),
    ] {
        let res = app.post_json("/api/v1/tallies", &survey(group, kon, &answers)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    // A questionnaire with no answer at all is refused.
    let res = app.post_json("/api/v1/tallies", &survey("deltagare_pagaende", Some("man"), &[])).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("minst en fråga"));

    let r = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    let s = find(&r["sections"], "enkat");
    assert_eq!(s["total"], 5);
    let pagaende = find(&s["surveys"], "deltagare_pagaende");
    assert_eq!(pagaende["respondents"], 3);
    let nytta = find(&pagaende["questions"], "nns_nytta");
    assert_eq!((nytta["answered"].as_i64(), nytta["positive"].as_i64()), (Some(3), Some(2)));
    assert_eq!(nytta["by_gender"]["kvinna"]["share"], 0.5);
    assert_eq!(nytta["by_gender"]["man"]["share"], 1.0);
    assert_eq!(nytta["trend"].as_array().unwrap().len(), 5, "five years side by side");
    assert_eq!(nytta["trend"][4]["year"], 2026);
    let avslut = find(&s["surveys"], "deltagare_avslut");
    assert_eq!(find(&avslut["questions"], "nns_redo")["share"], 0.5);
    assert_eq!(find(&avslut["questions"], "nns_planering")["share"], 0.5);
    // One respondent at exit gave no gender: the column of its own keeps the totals adding up.
    assert_eq!(avslut["respondents_by_gender"]["uppgift_saknas"], 1);
    // The 2026 goal "mer redo vid avslut" counts only exit respondents: 1 of 2 positive.
    let goal = find(&r["goals"], "mer_redo");
    assert_eq!((goal["numerator"].as_i64(), goal["denominator"].as_i64()), (Some(1), Some(2)));
    assert_eq!(goal["target"], 0.7);
    assert_eq!(goal["met"], false);
    assert!(goal["summary"].as_str().unwrap().contains("1 av 2 svar"), "{}", goal["summary"]);
    // "Stöd och inflytande" pools the answers to questions 1–4: 2 positive of 3.
    let goal = find(&r["goals"], "stod_inflytande");
    assert_eq!((goal["numerator"].as_i64(), goal["denominator"].as_i64()), (Some(2), Some(3)));
}

#[tokio::test]
async fn violence_questions_and_activity_ratings() {
    let app = TestApp::new();
    for (kon, svar) in [("kvinna", "ja_minst_en"), ("kvinna", "ja_minst_en"), ("kvinna", "nej_alla"), ("man", "avbojt")]
    {
        let res = app
            .post_json(
                "/api/v1/tallies",
                &post("coachingteamet", "fov", "2026-02", json!({"kon": kon, "fov_svar": svar})),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    for (period, activity, score, kon) in [
        ("2026-05", "cv_grupp", "9", "kvinna"),
        ("2026-06", "cv_grupp", "7", "man"),
        ("2026-10", "cv_grupp", "10", "kvinna"),
    ] {
        let v = json!({"gruppaktivitet": activity, "betyg": score, "kon": kon});
        let res = app.post_json("/api/v1/tallies", &post("coachingteamet", "aktivitetsbetyg", period, v)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    let res = app
        .post_json(
            "/api/v1/tallies",
            &post("coachingteamet", "aktivitetsbetyg", "2026-05", json!({"gruppaktivitet": "cv_grupp", "betyg": "11"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "a rating above 10 is refused");

    let r = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    let fov = find(&r["sections"], "fov");
    let ja = find(&find(&fov["tables"], "fov_svar")["rows"], "ja_minst_en");
    assert_eq!((ja["count"].as_i64(), ja["share"].as_f64()), (Some(2), Some(0.5)));
    assert_eq!(ja["by_gender"]["kvinna"]["share"].as_f64().unwrap(), 2.0 / 3.0);
    let cv = find(&find(&r["sections"], "aktivitetsbetyg")["ratings"], "cv_grupp");
    assert_eq!(cv["count"], 3);
    assert_eq!(cv["halves"][0]["count"], 2);
    assert_eq!(cv["halves"][0]["mean"], 8.0);
    assert_eq!(cv["halves"][0]["mean_by_gender"]["man"], 7.0);
    assert_eq!(cv["halves"][1]["mean"], 10.0);
    let nine = cv["halves"][0]["distribution"].as_array().unwrap().iter().find(|d| d[0] == "9").unwrap().clone();
    assert_eq!(nine[1], 1);
}

fn event(name: &str, organiser: &str, attendees: Value) -> String {
    json!({"insats": "strukturarbete", "period": "2026-04", "name": name, "organiser": organiser, "attendees": attendees})
        .to_string()
}

#[tokio::test]
async fn structural_events_refuse_anything_that_looks_like_personal_data() {
    let app = TestApp::new();
    for (name, organiser) in [
        ("Träff med 19121212-1212", "Finsam"),
        ("Träff med 121212-1212", "Finsam"),
        ("Träff med 1212121212", "Finsam"),
        ("Träff med 191212121212", "Finsam"),
        ("Finsammässan", "anna.andersson@karlskoga.se"),
        ("Ring 070-123 45 67", "Finsam"),
        ("Finsammässan", "+46 70 123 45 67"),
    ] {
        let res = app.post_json("/api/v1/events", &event(name, organiser, json!(100))).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{name} / {organiser}: {}", res.text());
        assert!(
            res.json()["error"]["message"].as_str().unwrap().contains("Skriv inga personuppgifter"),
            "{}",
            res.text()
        );
    }
    // The web form says the same, in Swedish, and keeps what was typed.
    let res = app
        .post_form(
            "/registrera/aktivitet",
            "insats=strukturarbete&kind=strukturaktivitet&period=2026-04&name=M%C3%B6te+19121212-1212&organiser=&attendees=12",
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("Texten ser ut att innehålla ett personnummer"), "{}", res.text());
    // Other bad input.
    for (body, field) in [
        (event("", "Finsam", json!(10)), "name"),
        (event(&"x".repeat(81), "Finsam", json!(10)), "name"),
        (event("Mässa", "Finsam", json!(0)), "attendees"),
        (event("Mässa", "Finsam", json!("många")), "attendees"),
        (event("Mässa", "Finsam", json!(-5)), "attendees"),
        (
            json!({"insats": "strukturarbete", "name": "Mässa", "attendees": 10, "by_gender": {"kvinna": 8, "man": 5}})
                .to_string(),
            "by_gender",
        ),
        (json!({"insats": "coachingteamet", "name": "Mässa", "attendees": 10}).to_string(), "kind"),
        (
            json!({"insats": "strukturarbete", "name": "Mässa", "attendees": 10, "period": "2099-01"}).to_string(),
            "period",
        ),
        (json!({"insats": "strukturarbete", "name": "Mässa", "attendees": 10, "namn": "x"}).to_string(), "namn"),
    ] {
        let res = app.post_json("/api/v1/events", &body).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", res.text());
        assert_eq!(res.json()["error"]["field"], field, "{body}: {}", res.text());
    }
    assert_eq!(rows_of(&app, "SELECT count(*) FROM event"), 0, "nothing stored");
}

#[tokio::test]
async fn structural_events_are_counted_against_the_attendance_goal() {
    let app = TestApp::new();
    let res =
        app.post_json("/api/v1/events", &event("Finsammässan", "Samordningsförbunden i Örebro län", json!(170))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let id = res.json()["id"].as_i64().unwrap();
    let body = json!({"insats": "strukturarbete", "period": "2026-10", "name": "Psykiatriveckan", "attendees": "1 200",
                      "by_gender": {"kvinna": 700, "man": 400}});
    let res = app.post_json("/api/v1/events", &body.to_string()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["by_gender"]["kvinna"], 700);
    let r = app.get("/api/v1/reports/strukturarbete/2026").await.json();
    let ev = find(&r["events"], "strukturaktivitet");
    assert_eq!((ev["count"].as_i64(), ev["attendees"].as_i64()), (Some(2), Some(1370)));
    assert_eq!(ev["attendees_by_gender"]["kvinna"], 700);
    let goal = find(&r["goals"], "deltagare");
    assert_eq!(goal["type"], "count");
    assert_eq!((goal["actual"].as_f64(), goal["met"].as_bool()), (Some(1370.0), Some(true)));
    // Voiding the big one brings the year below 500: 330 short.
    let big = res.json()["id"].as_i64().unwrap();
    let res = app.post_json(&format!("/api/v1/events/{big}/void"), r#"{"reason": "dubblett"}"#).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let r = app.get("/api/v1/reports/strukturarbete/2026").await.json();
    let goal = find(&r["goals"], "deltagare");
    assert_eq!((goal["met"].as_bool(), goal["short_by"].as_i64()), (Some(false), Some(330)));
    assert!(goal["summary"].as_str().unwrap().contains("330 till behövs"));
    // The web page of the event, and the audit log without the name.
    assert!(app.get(&format!("/aktivitet/{id}")).await.text().contains("Finsammässan"));
    let audit: String = app
        .store
        .read_blocking(|c| Ok(c.query_row("SELECT group_concat(detail, ' | ') FROM audit", [], |r| r.get(0))?))
        .unwrap();
    assert!(audit.contains(&format!("aktivitet {id}")) && !audit.contains("Finsammässan"), "{audit}");
}

#[tokio::test]
async fn budgets_give_the_cost_per_participant_and_only_the_forbundschef_sets_them() {
    let app = TestApp::new();
    // Six participants in 2026 (entries), against the seeded 2026 budget of 4 173 000 kr.
    for _ in 0..6 {
        app.tally("inskrivning", "2026-02", &common::person("kvinna", "karlskoga")).await;
    }
    let r = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    assert_eq!(r["cost"]["budget_kr"], 4_173_000);
    assert_eq!(r["cost"]["basis"], "budget");
    assert_eq!(r["cost"]["per_person"], 695_500.0);
    let goal = find(&r["goals"], "kostnad");
    assert_eq!(goal["met"], false);
    // 4 173 000 / 20 000 = 208.65 → 209 participants: 203 more; or 4 053 000 kr lower.
    assert_eq!((goal["needed_more"].as_i64(), goal["short_by"].as_i64()), (Some(203), Some(4_053_000)));
    // The outcome replaces the budget once entered.
    let res = app
        .request(
            Method::PUT,
            "/api/v1/budgets/coachingteamet/2026",
            Some("application/json"),
            r#"{"budget_kr": 4173000, "outcome_kr": "90 000"}"#,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let r = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    assert_eq!((r["cost"]["basis"].as_str(), r["cost"]["per_person"].as_f64()), (Some("utfall"), Some(15_000.0)));
    assert_eq!(find(&r["goals"], "kostnad")["met"], true);
    // Bad amounts and other roles change nothing.
    let res = app
        .request(
            Method::PUT,
            "/api/v1/budgets/coachingteamet/2026",
            Some("application/json"),
            r#"{"outcome_kr": "mycket"}"#,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let huvudman = app.client("hm", Role::Huvudman, &["coachingteamet"]);
    let res = huvudman
        .request(Method::PUT, "/api/v1/budgets/coachingteamet/2026", Some("application/json"), r#"{"outcome_kr": 1}"#)
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app.post_form("/budget/coachingteamet/2026", "budget_kr=4+173+000&outcome_kr=-3").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("Ange utfallet i hela kronor"));
    let b = app.get("/api/v1/budgets/coachingteamet/2026").await.json();
    assert_eq!((b["budget_kr"].as_i64(), b["outcome_kr"].as_i64()), (Some(4_173_000), Some(90_000)));
    assert!(app.audit_actions().contains(&"budget_changed".to_string()));
}

#[tokio::test]
async fn a_retired_survey_question_takes_no_new_answers_but_stays_in_the_report() {
    let app = TestApp::new();
    let answer =
        post("coachingteamet", "enkat", "2026-03", json!({"respondentgrupp": "deltagare_pagaende", "nns_tid": "ofta"}));
    assert_eq!(app.post_json("/api/v1/tallies", &answer).await.status, StatusCode::CREATED);
    app.store
        .write_blocking(|tx| Ok(tx.execute("UPDATE dimension SET retired = 1 WHERE key = 'nns_tid'", [])?))
        .unwrap();
    app.store.reload_config().unwrap();
    let res = app.post_json("/api/v1/tallies", &answer).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("används inte längre"), "{}", res.text());
    assert!(!app.get("/registrera?insats=coachingteamet&kind=enkat").await.text().contains("v.nns_tid"));
    let cfg = app.get("/api/v1/config").await.json();
    assert!(!cfg.to_string().contains("nns_tid"));
    let r = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    let q = find(&find(&find(&r["sections"], "enkat")["surveys"], "deltagare_pagaende")["questions"], "nns_tid");
    assert_eq!(q["answered"], 1);
}
