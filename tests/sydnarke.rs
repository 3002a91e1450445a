//! A second association's configuration: Samordningsförbundet Sydnärke, four municipalities,
//! insats Samordningsteamet and a "stegförflyttning" goal. The same code must serve it.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use pinne::domain::preset::Preset;
use serde_json::json;

fn values(kon: &str, kommun: &str, extra: &[(&str, &str)]) -> serde_json::Value {
    let mut v = json!({"kon": kon, "kommun": kommun, "aldersgrupp": "16_29", "forsorjning": "forsorjningsstod"});
    for (k, x) in extra {
        v[*k] = json!(x);
    }
    v
}

#[tokio::test]
async fn sydnarke_configuration_serves_tallies_and_reports() {
    let app = TestApp::with_preset(&Preset::builtin("sydnarke").unwrap());
    let cfg = app.get("/api/v1/config").await.json();
    assert_eq!(cfg["association"], "Samordningsförbundet Sydnärke");
    assert_eq!(cfg["insatser"][0]["key"], "samordningsteamet");
    let kommuner: Vec<&str> = cfg["insatser"][0]["kinds"][0]["dimensions"][1]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["key"].as_str().unwrap())
        .collect();
    assert_eq!(kommuner, ["askersund", "hallsberg", "kumla", "laxa"]);

    let post = |kind: &str, period: &str, values: serde_json::Value| {
        json!({"insats": "samordningsteamet", "kind": kind, "period": period, "values": values}).to_string()
    };
    let mut created = 0;
    for (kommun, n) in [("askersund", 3), ("hallsberg", 4), ("kumla", 5), ("laxa", 2)] {
        for i in 0..n {
            let kon = if i % 2 == 0 { "kvinna" } else { "man" };
            let res = app.post_json("/api/v1/tallies", &post("inskrivning", "2025-02", values(kon, kommun, &[]))).await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
            created += 1;
        }
    }
    for reason in ["arbete", "studier", "annan_insats", "ingen_forandring"] {
        let res = app
            .post_json(
                "/api/v1/tallies",
                &post(
                    "avslut",
                    "2025-09",
                    values("kvinna", "kumla", &[("avslutsorsak", reason), ("tid_i_insatsen", "7_12")]),
                ),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    // Degerfors/Karlskoga categories mean nothing here.
    let res =
        app.post_json("/api/v1/tallies", &post("inskrivning", "2025-02", values("kvinna", "karlskoga", &[]))).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["error"]["field"], "values.kommun");
    let res =
        app.post_json("/api/v1/tallies", &json!({"insats": "coachingteamet", "kind": "inskrivning"}).to_string()).await;
    assert_eq!(res.json()["error"]["field"], "insats");

    let r = app.get("/api/v1/reports/samordningsteamet/2025").await.json();
    assert_eq!(r["association"], "Samordningsförbundet Sydnärke");
    assert_eq!(r["participants"]["total"], created);
    assert_eq!(r["participants"]["at_end"], created - 4);
    let munis: Vec<(&str, i64)> = r["participants"]["by_municipality"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["label"].as_str().unwrap(), m["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(munis, [("Askersund", 3), ("Hallsberg", 4), ("Kumla", 5), ("Laxå", 2)]);
    // ≥ 65 % stegförflyttning: 3 of 4 = 75 %, met.
    let goal = &r["goals"][0];
    assert_eq!(goal["key"], "stegforflyttning");
    assert_eq!(goal["target"], 0.65);
    assert_eq!(
        (goal["numerator"].as_i64(), goal["denominator"].as_i64(), goal["met"].as_bool()),
        (Some(3), Some(4), Some(true))
    );
    let combined = &r["exits"]["combined"][0];
    assert_eq!((combined["key"].as_str(), combined["count"].as_i64()), (Some("stegforflyttning"), Some(3)));

    let html = app.get("/rapport/samordningsteamet/2025").await.text();
    assert!(html.contains("Årsrapport 2025 – Samordningsteamet"));
    assert!(html.contains("Laxå"));
    assert!(html.contains("Deltagare under året per kommun (folkbokföring)"));
    assert!(!html.contains("Karlskoga"));
    let csv = app.get("/api/v1/reports/samordningsteamet/2025?format=csv").await.text();
    assert!(csv.contains("Laxå;"));
}
