//! Bounded work per request (issue 11): reports for years far past the data, and tally bodies
//! with very many keys, are answered at once and store nothing.

mod common;

use axum::http::StatusCode;
use common::*;
use pinne::domain::account::Role;
use std::time::{Duration, Instant};

/// What "at once" means here: far below what the work used to take (minutes for 2100, 15 s for
/// 100 000 keys), far above a debug build's real cost.
const AT_ONCE: Duration = Duration::from_secs(1);

#[tokio::test]
async fn a_reader_asking_for_the_report_of_2999_is_answered_at_once_with_a_swedish_404() {
    let app = TestApp::new();
    bulk(&app, "coachingteamet", &[("inskrivning", "2026-03", person("kvinna", "karlskoga"), 12)]);
    let reader = app.client("lasare", Role::Lasare, &[]);
    for path in [
        "/api/v1/reports/coachingteamet/2999",
        "/api/v1/reports/coachingteamet/2999/tables",
        "/api/v1/reports/coachingteamet/2100/tables/deltagare_kon",
        "/api/v1/reports/coachingteamet/2028?format=csv",
    ] {
        let started = Instant::now();
        let res = reader.get(path).await;
        assert!(started.elapsed() < AT_ONCE, "{path}: {:?}", started.elapsed());
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}: {}", res.text());
        let message = res.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains("rapporter, mål och budget finns till och med 2027"), "{path}: {message}");
    }
    for path in ["/rapport/coachingteamet/2999", "/rapport/coachingteamet/2100/utskrift", "/uppfoljning/2999"] {
        let started = Instant::now();
        let res = reader.get(path).await;
        assert!(started.elapsed() < AT_ONCE, "{path}: {:?}", started.elapsed());
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
        assert!(res.text().contains("rapporter, mål och budget finns till och med 2027"), "{path}: {}", res.text());
    }
    // The year being planned (its goals and budget) still has its report, for the reader too.
    assert_eq!(reader.get("/api/v1/reports/coachingteamet/2027/tables").await.status, StatusCode::OK);
    assert_eq!(app.get("/rapport/coachingteamet/2027").await.status, StatusCode::OK);
}

fn values_body(keys: usize) -> String {
    let values: Vec<String> = (0..keys).map(|i| format!("\"okand{i}\":\"x\"")).collect();
    format!(
        r#"{{"insats":"coachingteamet","kind":"inskrivning","period":"2026-11","values":{{{}}}}}"#,
        values.join(",")
    )
}

#[tokio::test]
async fn a_tally_with_100000_keys_gets_a_bounded_answer_at_once_and_stores_nothing() {
    let app = TestApp::new();
    let coach = app.client("coach", Role::Coach, &["coachingteamet"]);
    let before = app.footprint();

    // 1.3 MB: over the API's body limit, refused before it is parsed.
    let body = values_body(100_000);
    assert!(body.len() > 1_000_000);
    let started = Instant::now();
    let res = coach.post_json("/api/v1/tallies", &body).await;
    assert!(started.elapsed() < AT_ONCE, "{:?}", started.elapsed());
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", res.text());
    assert_eq!(res.json()["error"]["message"], "Förfrågan är för stor: högst 64 kB tas emot.");

    // Under the body limit, 3 000 keys: refused for their number, in one line.
    let body = values_body(3_000);
    assert!(body.len() < 64 * 1024);
    let started = Instant::now();
    let res = coach.post_json("/api/v1/tallies", &body).await;
    assert!(started.elapsed() < AT_ONCE, "{:?}", started.elapsed());
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    let j = res.json();
    assert_eq!(j["error"]["field"], "values");
    assert_eq!(j["error"]["message"], "”values” har 3000 fält; högst 256 tas emot.");

    // More answers than a tally can have: one error.
    let res = coach.post_json("/api/v1/tallies", &values_body(250)).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    let j = res.json();
    assert_eq!(j["errors"].as_array().unwrap().len(), 1, "{j}");
    assert_eq!(j["errors"][0]["message"], "För många uppgifter (250): en registrering har högst 200.");
    // Within every bound, 150 unknown keys (and the six required answers missing) are refused
    // with one error each, listed up to 50.
    let res = coach.post_json("/api/v1/tallies", &values_body(150)).await;
    let j = res.json();
    let errors = j["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 51, "{j}");
    assert_eq!(errors[0]["message"], "Det finns ingen uppgift som heter ”okand0”.");
    assert_eq!(errors[50]["message"], "… och 106 fel till.");

    // Many repeated top-level keys are bounded the same way.
    let repeated: Vec<&str> = (0..1_000).map(|_| r#""insats":"coachingteamet""#).collect();
    let res = coach.post_json("/api/v1/tallies", &format!("{{{}}}", repeated.join(","))).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    assert_eq!(res.json()["error"]["message"], "Objektet har 1000 fält; högst 256 tas emot.");

    assert_eq!(app.footprint(), before, "nothing stored");
}

#[tokio::test]
async fn an_account_that_may_not_tally_is_refused_before_its_body_is_read() {
    let app = TestApp::new();
    let reader = app.client("lasare", Role::Lasare, &[]);
    let huvudman = app.client("huvudman", Role::Huvudman, &["coachingteamet"]);
    for who in [&reader, &huvudman] {
        for (path, body) in [
            ("/api/v1/tallies", values_body(3_000)),
            ("/api/v1/tallies", "{not json".to_string()),
            ("/api/v1/events", "{not json".to_string()),
        ] {
            let res = who.post_json(path, &body).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}: {}", res.text());
            assert_eq!(res.json()["error"]["message"], "Ditt konto får inte registrera.");
        }
    }
}

/// Every text any role can store, as one string: account names, token labels, events, goal
/// labels, configured labels and settings.
fn stored_text(app: &TestApp) -> String {
    app.store
        .read_blocking(|c| {
            let mut out = String::new();
            for q in [
                "SELECT name FROM account",
                "SELECT name FROM api_token",
                "SELECT name || ' ' || coalesce(organiser, '') FROM event",
                "SELECT label FROM goal",
                "SELECT label FROM dimension_value",
                "SELECT label FROM dimension",
                "SELECT label FROM insats",
                "SELECT key || '=' || value FROM setting",
            ] {
                let mut stmt = c.prepare(q)?;
                for row in stmt.query_map([], |r| r.get::<_, String>(0))? {
                    out.push_str(&row?);
                    out.push('\n');
                }
            }
            Ok(out)
        })
        .unwrap()
}

#[tokio::test]
async fn personal_data_is_refused_in_every_free_text_field_whatever_its_disguise() {
    let app = TestApp::new();
    let kommun = app.store.config().dimension("kommun").unwrap().id;
    let before = stored_text(&app);
    // Identity numbers and phone numbers in the disguises of the review, URL-encoded for forms.
    let disguised = [
        "19121212-1212",
        "1912%2012%2012-1212",
        "121212--1212",
        "121212%2F1212",
        "121212_1212",
        "19121212%E2%88%921212", // U+2212 minus sign
        "19121212%E2%80%911212", // U+2011 non-breaking hyphen
        "%EF%BC%91%EF%BC%99%EF%BC%91%EF%BC%92%EF%BC%91%EF%BC%92%EF%BC%91%EF%BC%92-1212", // fullwidth
        "1912%E2%80%8B1212-1212", // zero-width space
        "070%E2%80%91123%2045%2067", // phone with U+2011
    ];
    for text in disguised {
        let label = format!("Anst%C3%A4llning+{text}");
        let goal = app
            .post_form(
                "/mal/coachingteamet/2026",
                &format!("label.0={label}&comparator.0=at_least&target.0=15&values.0=avslutsorsak.anstallning"),
            )
            .await;
        assert_eq!(goal.status, StatusCode::UNPROCESSABLE_ENTITY, "goal label {text}");
        assert!(goal.text().contains("Skriv inga personuppgifter"), "goal label {text}");
        let value =
            app.post_form("/installningar", &format!("action=value_add&dimension={kommun}&label={label}")).await;
        assert!(value.text().contains("Skriv inga personuppgifter"), "value label {text}");
        let form = app
            .post_form("/installningar", &format!("action=privacy&method=suppression&threshold=3&form={text}"))
            .await;
        assert!(form.text().contains("Skriv inga personuppgifter"), "hidden-count form {text}");
        let token = app.post_form("/konto/nycklar", &format!("name=Power+BI+{text}")).await;
        assert_eq!(token.status, StatusCode::UNPROCESSABLE_ENTITY, "token label {text}");
        assert!(token.text().contains("Skriv inga personuppgifter"), "token label {text}");
    }
    // Account names may be e-mail addresses, never identity or phone numbers.
    for name in [
        "19121212-1212",
        "121212%2F1212",
        "%EF%BC%91%EF%BC%92%EF%BC%91%EF%BC%92%EF%BC%91%EF%BC%92-1212",
        "0701234567",
        "0701234567%40kommun.se",
        "19121212-1212%40kommun.se",
    ] {
        let res = app
            .post_form(
                "/anvandare",
                &format!("name={name}&role=lasare&password=en+l%C3%A5ng+l%C3%B6senfras+f%C3%B6r+ny"),
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "account {name}");
        // ("/" is outside the characters of a name in any case.)
        let why = if name.contains("%2F") { "bokstäver, siffror och" } else { "personnummer eller telefonnummer" };
        assert!(res.text().contains(why), "account {name}");
    }
    // Control and direction-override characters, anywhere.
    for text in ["a%00b", "a%0Ab", "a%E2%80%AEb", "a%E2%81%A6b"] {
        let goal = app
            .post_form(
                "/mal/coachingteamet/2026",
                &format!("label.0={text}&comparator.0=at_least&target.0=15&values.0=avslutsorsak.anstallning"),
            )
            .await;
        assert_eq!(goal.status, StatusCode::UNPROCESSABLE_ENTITY, "goal label {text}");
        let form = app
            .post_form("/installningar", &format!("action=privacy&method=suppression&threshold=3&form={text}"))
            .await;
        assert!(form.text().contains("styrtecken"), "hidden-count form {text}");
        let token = app.post_form("/konto/nycklar", &format!("name={text}")).await;
        assert!(token.text().contains("styrtecken"), "token label {text}");
    }
    let event = serde_json::json!({"insats": "strukturarbete", "period": "2026-04", "attendees": 40,
        "name": "M\u{e4}ssa \u{ff11}\u{ff19}\u{ff11}\u{ff12}\u{ff11}\u{ff12}\u{ff11}\u{ff12}-1212", "organiser": "Region"});
    let res = app.post_json("/api/v1/events", &event.to_string()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    assert_eq!(stored_text(&app), before, "nothing stored");
    // An e-mail address is a fine account name.
    let res = app
        .post_form("/anvandare", "name=anna%40kommun.se&role=lasare&password=en+l%C3%A5ng+l%C3%B6senfras+f%C3%B6r+ny")
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
}

#[tokio::test]
async fn a_query_parameter_given_twice_is_answered_400_in_json_as_documented() {
    let app = TestApp::new();
    for path in [
        "/api/v1/reports/coachingteamet/2026?format=csv&format=xlsx",
        "/api/v1/reports/coachingteamet/2026/tables?publicering=ja&publicering=nej",
        "/api/v1/reports/coachingteamet/2026/tables/deltagare_kon?publicering=ja&publicering=ja",
        "/api/v1/tallies?insats=coachingteamet&insats=mottagningsteamet",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{path}: {}", res.text());
        assert_eq!(res.json()["error"]["message"], "Ett val i adressen är angivet mer än en gång.", "{path}");
    }
    let doc = app.get("/api/v1/openapi.json").await.json();
    for (path, op) in [
        ("/reports/{insats}/{year}", "get"),
        ("/reports/{insats}/{year}/tables", "get"),
        ("/reports/{insats}/{year}/tables/{key}", "get"),
        ("/tallies", "get"),
    ] {
        assert!(doc["paths"][path][op]["responses"]["400"].is_object(), "{path}: 400 documented");
    }
}

#[tokio::test]
async fn a_coach_gets_a_location_only_for_a_tally_they_may_read_back() {
    let app = TestApp::new();
    let coach = app.client("coach", Role::Coach, &["coachingteamet"]);
    let body = |period: &str| {
        format!(
            r#"{{"insats":"coachingteamet","kind":"inskrivning","period":"{period}","values":{{"kon":"kvinna","kommun":"degerfors","aldersgrupp":"25_29","utbildning":"gymnasium","forsorjning":"ingen","tid_forsorjning":"ingen"}}}}"#
        )
    };
    let recent = coach.post_json("/api/v1/tallies", &body("2026-10")).await;
    assert_eq!(recent.status, StatusCode::CREATED);
    assert_eq!(coach.get(&recent.location()).await.status, StatusCode::OK);
    let older = coach.post_json("/api/v1/tallies", &body("2026-09")).await;
    assert_eq!(older.status, StatusCode::CREATED, "{}", older.text());
    assert!(older.headers.get("location").is_none(), "no address that would answer 404");
    // The förbundschef reads every tally back.
    let chefs = app.post_json("/api/v1/tallies", &body("2016-09")).await;
    assert_eq!(app.get(&chefs.location()).await.status, StatusCode::OK);
}

#[tokio::test]
async fn what_axum_refuses_before_a_handler_is_answered_in_json_too() {
    let app = TestApp::new();
    let res = app.get("/api/v1/tallies/%FF").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text());
    assert_eq!(res.json()["error"]["message"], "Adressen kunde inte läsas.");
    let res = app.request(axum::http::Method::DELETE, "/api/v1/tallies", None, "").await;
    assert_eq!(res.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.json()["error"]["message"], "Adressen tar inte emot den metoden.");
    assert!(res.headers.get("allow").is_some(), "the methods it takes");
}
