//! The JSON API for tallies: the config it offers, a round trip, and every kind of bad input
//! answered 4xx with a Swedish message and nothing stored.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, exit, person};
use serde_json::{Value, json};

#[tokio::test]
async fn config_lists_insatser_kinds_dimensions_and_values() {
    let app = TestApp::new();
    let res = app.get("/api/v1/config").await;
    assert_eq!(res.status, StatusCode::OK);
    let cfg = res.json();
    let coaching = cfg["insatser"].as_array().unwrap().iter().find(|i| i["key"] == "coachingteamet").unwrap();
    assert_eq!(coaching["label"], "Coachingteamet");
    let kinds: Vec<&str> = coaching["kinds"].as_array().unwrap().iter().map(|k| k["key"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["inskrivning", "avslut", "enkat", "fov", "aktivitetsbetyg"]);
    let avslut = &coaching["kinds"][1];
    let dims: Vec<&str> = avslut["dimensions"].as_array().unwrap().iter().map(|d| d["key"].as_str().unwrap()).collect();
    assert_eq!(
        dims,
        [
            "kon",
            "kommun",
            "aldersgrupp",
            "utbildning",
            "forsorjning",
            "tid_forsorjning",
            "avslutsorsak",
            "tid_i_insatsen"
        ]
    );
    let kon = &avslut["dimensions"][0];
    assert_eq!(kon["label"], "Kön");
    assert_eq!(kon["required"], true);
    assert_eq!(
        kon["values"],
        json!([
            {"key": "kvinna", "label": "Kvinna"}, {"key": "man", "label": "Man"}, {"key": "ej_angivet", "label": "Ej angivet"}
        ])
    );
    let reasons: Vec<&str> =
        avslut["dimensions"][6]["values"].as_array().unwrap().iter().map(|v| v["key"].as_str().unwrap()).collect();
    assert_eq!(
        reasons,
        ["anstallning", "studier", "arbetsmarknaden", "rehabilitering", "vard", "foraldraledig_flytt", "ovrigt"]
    );
}

#[tokio::test]
async fn a_tally_round_trips_and_is_counted() {
    let app = TestApp::new();
    let values: serde_json::Map<String, Value> =
        exit("kvinna", "degerfors", "studier").into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    let body = json!({"insats": "coachingteamet", "kind": "avslut", "period": "2026-03", "values": values});
    let res = app.post_json("/api/v1/tallies", &body.to_string()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let stored = res.json();
    let id = stored["id"].as_i64().unwrap();
    assert!(id > 0);
    assert_eq!(res.location(), format!("/api/v1/tallies/{id}"));
    assert_eq!(stored["insats"], "coachingteamet");
    assert_eq!(stored["kind"], "avslut");
    assert_eq!(stored["period"], "2026-03");
    assert_eq!(stored["values"]["avslutsorsak"], "studier");
    assert_eq!(stored["values"]["kommun"], "degerfors");
    assert_eq!(stored["voided"], false);
    // 1 tally, 8 values, counts: 1 (all) + 8 (one per value).
    assert_eq!(app.footprint(), (1, 8, 9));

    let recent = app.get("/api/v1/tallies?insats=coachingteamet").await.json();
    assert_eq!(recent[0]["id"], id);

    let report = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    assert_eq!(report["exits"]["total"], 1);
    let studier = report["exits"]["by_reason"].as_array().unwrap().iter().find(|r| r["key"] == "studier").unwrap();
    assert_eq!(studier["count"], 1);
    assert_eq!(studier["by_gender"]["kvinna"]["count"], 1);
}

#[tokio::test]
async fn period_defaults_to_this_month() {
    let app = TestApp::new();
    let values: serde_json::Map<String, Value> =
        person("man", "karlskoga").into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    let res = app
        .post_json(
            "/api/v1/tallies",
            &json!({"insats": "coachingteamet", "kind": "inskrivning", "values": values}).to_string(),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["period"], "2026-11");
}

fn valid() -> Value {
    let values: serde_json::Map<String, Value> =
        exit("kvinna", "karlskoga", "anstallning").into_iter().map(|(k, v)| (k.into(), v.into())).collect();
    json!({"insats": "coachingteamet", "kind": "avslut", "period": "2026-03", "values": values})
}

fn with(mutate: impl FnOnce(&mut Value)) -> String {
    let mut v = valid();
    mutate(&mut v);
    v.to_string()
}

#[tokio::test]
async fn bad_input_is_refused_with_a_field_and_nothing_is_stored() {
    let app = TestApp::new();
    let cases: Vec<(&str, String, u16, Option<&str>)> = vec![
        ("malformed JSON", "{\"insats\": ".into(), 422, None),
        ("not an object", "[1, 2]".into(), 422, None),
        ("unknown top-level field", with(|v| v["namn"] = "Anna".into()), 422, Some("namn")),
        ("insats not a string", with(|v| v["insats"] = 5.into()), 422, Some("insats")),
        ("values not an object", with(|v| v["values"] = "kvinna".into()), 422, Some("values")),
        ("value not a string", with(|v| v["values"]["kon"] = 1.into()), 422, Some("values.kon")),
        (
            "missing insats",
            with(|v| {
                v.as_object_mut().unwrap().remove("insats");
            }),
            422,
            Some("insats"),
        ),
        ("unknown insats", with(|v| v["insats"] = "okand".into()), 422, Some("insats")),
        ("insats without that kind", with(|v| v["insats"] = "mottagningsteamet".into()), 422, Some("kind")),
        ("unknown kind", with(|v| v["kind"] = "flytt".into()), 422, Some("kind")),
        (
            "unknown dimension",
            with(|v| v["values"]["personnummer"] = "19800101-1234".into()),
            422,
            Some("values.personnummer"),
        ),
        ("unknown value", with(|v| v["values"]["kommun"] = "orebro".into()), 422, Some("values.kommun")),
        (
            "missing required dimension",
            with(|v| {
                v["values"].as_object_mut().unwrap().remove("kon");
            }),
            422,
            Some("values.kon"),
        ),
        (
            "dimension the kind does not take",
            {
                let mut v = valid();
                v["kind"] = "inskrivning".into();
                v.to_string()
            },
            422,
            Some("values.avslutsorsak"),
        ),
        ("malformed period", with(|v| v["period"] = "2026-3".into()), 422, Some("period")),
        ("period as a date", with(|v| v["period"] = "2026-03-14".into()), 422, Some("period")),
        ("month 13", with(|v| v["period"] = "2026-13".into()), 422, Some("period")),
        ("future month", with(|v| v["period"] = "2026-12".into()), 422, Some("period")),
        ("far future", with(|v| v["period"] = "2031-01".into()), 422, Some("period")),
    ];
    for (what, body, status, field) in cases {
        let res = app.post_json("/api/v1/tallies", &body).await;
        assert_eq!(res.status.as_u16(), status, "{what}: {}", res.text());
        let err = res.json();
        let message = err["error"]["message"].as_str().unwrap_or_else(|| panic!("{what}: no message: {err}"));
        assert!(message.len() > 10 && message.ends_with('.'), "{what}: message {message:?}");
        assert_eq!(err["error"]["field"].as_str(), field, "{what}: {err}");
        assert_eq!(app.footprint(), (0, 0, 0), "{what}: something was stored");
    }

    // Without a JSON content type: 415, JSON error, nothing stored.
    let res = app.request(Method::POST, "/api/v1/tallies", Some("text/plain"), &valid().to_string()).await;
    assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(res.json()["error"]["message"].as_str().unwrap().contains("JSON"));
    assert_eq!(app.footprint(), (0, 0, 0));

    // The valid body itself is accepted, so the cases above failed for their own reason.
    assert_eq!(app.post_json("/api/v1/tallies", &valid().to_string()).await.status, StatusCode::CREATED);
    assert_eq!(app.footprint().0, 1);
}

#[tokio::test]
async fn every_problem_is_listed_in_swedish() {
    let app = TestApp::new();
    let body = json!({"insats": "coachingteamet", "kind": "avslut", "period": "2026-12", "values": {"kon": "annat"}});
    let res = app.post_json("/api/v1/tallies", &body.to_string()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = res.json()["errors"].as_array().unwrap().clone();
    let fields: Vec<&str> = errors.iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"period"));
    assert!(fields.contains(&"values.kon"));
    assert!(fields.contains(&"values.avslutsorsak"));
    let period = errors.iter().find(|e| e["field"] == "period").unwrap();
    assert_eq!(period["message"], "december 2026 har inte börjat än. Du kan registrera denna månad eller tidigare.");
}

#[tokio::test]
async fn unknown_api_routes_and_bad_report_urls_answer_json() {
    let app = TestApp::new();
    let res = app.get("/api/v1/nope").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.json()["error"]["message"].is_string());
    let res = app.get("/api/v1/reports/coachingteamet/tjugo").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["error"]["field"], "year");
    let res = app.get("/api/v1/reports/finns_inte/2026").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app.get("/api/v1/reports/coachingteamet/2026?format=pdf").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["error"]["field"], "format");
}

#[tokio::test]
async fn a_stored_tally_can_be_read_at_its_location() {
    let app = TestApp::new();
    let res = app.post_json("/api/v1/tallies", &valid().to_string()).await;
    let location = res.location();
    let one = app.get(&location).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.json(), res.json());
    for missing in ["/api/v1/tallies/999", "/api/v1/tallies/0", "/api/v1/tallies/x"] {
        let res = app.get(missing).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(res.json()["error"]["message"], "Registreringen finns inte.");
    }
}

#[tokio::test]
async fn cross_site_api_posts_are_refused() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    let app = TestApp::new();
    let req = Request::post("/api/v1/tallies")
        .header("content-type", "application/json")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(valid().to_string()))
        .unwrap();
    let res = app.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.footprint(), (0, 0, 0));
}

#[tokio::test]
async fn duplicated_keys_are_refused_not_silently_merged() {
    let app = TestApp::new();
    let body = valid().to_string();
    // The same top-level key twice.
    let twice = body.replacen("{", r#"{"kind":"inskrivning","#, 1);
    let res = app.post_json("/api/v1/tallies", &twice).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    assert_eq!(res.json()["error"]["field"], "kind");
    assert_eq!(res.json()["error"]["message"], "”kind” är angiven mer än en gång.");
    // The same dimension twice inside values.
    let twice = body.replacen(r#""values":{"#, r#""values":{"kon":"man","#, 1);
    assert_ne!(twice, body);
    let res = app.post_json("/api/v1/tallies", &twice).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    assert_eq!(res.json()["error"]["field"], "values.kon");
    assert_eq!(app.footprint(), (0, 0, 0));
}
