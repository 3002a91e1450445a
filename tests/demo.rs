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

/// A newcomer sees a complete yearly report: every kind of tally, events and the cost per
/// participant, at the volumes of the 2023 report.
#[tokio::test]
async fn demo_data_covers_every_kind_of_the_follow_up() {
    let app = TestApp::new();
    demo::fill(&app.store, now()).unwrap();
    let section =
        |r: &Value, key: &str| r["sections"].as_array().unwrap().iter().find(|s| s["key"] == key).unwrap().clone();
    let r = app.get("/api/v1/reports/coachingteamet/2023").await.json();
    // Surveys: both participant groups, five years side by side, most answers positive.
    let enkat = section(&r, "enkat");
    assert!((84..=156).contains(&enkat["total"].as_i64().unwrap()), "{}", enkat["total"]);
    for group in ["deltagare_pagaende", "deltagare_avslut"] {
        let g = enkat["surveys"].as_array().unwrap().iter().find(|s| s["key"] == group).unwrap();
        let q = &g["questions"][0];
        assert!((0.75..=1.0).contains(&q["share"].as_f64().unwrap()), "{group}: {q}");
        assert!(q["trend"].as_array().unwrap().iter().filter(|t| t["answered"].as_i64().unwrap() > 0).count() >= 3);
    }
    // Violence questions: about 400 a year, about 71 % yes to at least one.
    let fov = section(&r, "fov");
    assert!((300..=480).contains(&fov["total"].as_i64().unwrap()));
    let ja = fov["tables"][0]["rows"].as_array().unwrap().iter().find(|x| x["key"] == "ja_minst_en").unwrap();
    assert!((0.6..=0.8).contains(&ja["share"].as_f64().unwrap()));
    // Ratings twice a year, per activity.
    let ratings = section(&r, "aktivitetsbetyg")["ratings"].clone();
    assert_eq!(ratings.as_array().unwrap().len(), 4);
    assert!(
        ratings[0]["halves"][0]["count"].as_i64().unwrap() > 0
            && ratings[0]["halves"][1]["count"].as_i64().unwrap() > 0
    );
    // Cost per participant from the 2023 outcome.
    assert_eq!(r["cost"]["outcome_kr"], 4_847_077);
    assert!(r["cost"]["per_person"].as_f64().unwrap() > 15_000.0);
    // Guidance meetings: about 117 a year with several contacts each.
    let r = app.get("/api/v1/reports/mottagningsteamet/2023").await.json();
    let v = section(&r, "vagledning");
    assert!((84..=156).contains(&v["total"].as_i64().unwrap()));
    let contacts = v["tables"].as_array().unwrap().iter().find(|t| t["key"] == "myndighetskontakter").unwrap();
    assert!(contacts["choices"].as_i64().unwrap() > v["total"].as_i64().unwrap());
    // Structural events: five a year, several hundred attendees.
    let r = app.get("/api/v1/reports/strukturarbete/2023").await.json();
    assert_eq!(r["events"][0]["count"], 5);
    assert!((380..=580).contains(&r["events"][0]["attendees"].as_i64().unwrap()));
    // And every goal of the 2023 report can be measured.
    for insats in ["coachingteamet", "mottagningsteamet", "strukturarbete"] {
        let r = app.get(&format!("/api/v1/reports/{insats}/2023")).await.json();
        for g in r["goals"].as_array().unwrap() {
            assert!(g["met"].is_boolean(), "{insats} {}: {}", g["key"], g["summary"]);
        }
    }
}
