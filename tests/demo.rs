//! Demo data: realistic volumes, reproducible, and never written into a database with tallies.

mod common;

use common::{TestApp, now};
use pinne::demo::{self, Outcome};
use serde_json::Value;

fn figures(r: &Value) -> (i64, i64, f64, f64) {
    let p = &r["participants"];
    let total = p["total"].as_i64().unwrap();
    let karlskoga = p["by_municipality"].as_array().unwrap().iter().find(|m| m["key"] == "karlskoga").unwrap();
    let women = p["by_gender"]["kvinna"]["total"].as_i64().unwrap();
    (total, r["exits"]["total"].as_i64().unwrap(), karlskoga["share"].as_f64().unwrap(), women as f64 / total as f64)
}

#[tokio::test]
async fn demo_data_looks_like_the_2023_report_every_year() {
    let app = TestApp::new();
    let outcome = demo::fill(&app.store, now()).unwrap();
    let Outcome::Filled { tallies, insats, from, .. } = outcome else { panic!("not filled") };
    assert_eq!((insats.as_str(), from), ("coachingteamet", 2021));
    assert!(tallies > 500);
    for year in 2021..=2025 {
        let r = app.get(&format!("/api/v1/reports/coachingteamet/{year}")).await.json();
        let (participants, exits, karlskoga, women) = figures(&r);
        assert!((150..=215).contains(&participants), "{year}: {participants} participants");
        assert!((45..=85).contains(&exits), "{year}: {exits} exits");
        assert!((0.70..=0.86).contains(&karlskoga), "{year}: Karlskoga {karlskoga}");
        assert!((0.52..=0.68).contains(&women), "{year}: women {women}");
        assert_eq!(r["flow_problems"].as_array().unwrap().len(), 0, "{year}");
        // Participants enrolled before 2021 are counted from the first year.
        if year == 2021 {
            assert!(r["participants"]["at_start"].as_i64().unwrap() > 80);
        }
    }
    // 2026 so far, with the 2026 goals.
    let r = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    assert_eq!(r["goals"].as_array().unwrap().len(), 8);
    assert!(r["exits"]["total"].as_i64().unwrap() > 30);
}

#[tokio::test]
async fn demo_data_is_reproducible() {
    let (a, b) = (TestApp::new(), TestApp::new());
    demo::fill(&a.store, now()).unwrap();
    demo::fill(&b.store, now()).unwrap();
    let ra = a.get("/api/v1/reports/coachingteamet/2024?format=csv-plain").await.body;
    let rb = b.get("/api/v1/reports/coachingteamet/2024?format=csv-plain").await.body;
    assert_eq!(ra, rb);
}

#[tokio::test]
async fn demo_never_touches_a_database_with_tallies() {
    let app = TestApp::new();
    app.tally("inskrivning", "2026-01", &common::person("kvinna", "degerfors")).await;
    assert_eq!(demo::fill(&app.store, now()).unwrap(), Outcome::AlreadyHasData);
    assert_eq!(app.footprint().0, 1);
}
