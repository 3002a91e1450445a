//! Every association's configuration is data: each built-in preset produces its own insatser and
//! the goals of its plan, and `pinne init --preset` sets up a database with it.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use pinne::domain::preset::Preset;
use serde_json::{Value, json};

fn goal<'a>(r: &'a Value, key: &str) -> &'a Value {
    r["goals"].as_array().unwrap().iter().find(|g| g["key"] == key).unwrap_or_else(|| panic!("no goal {key}: {r}"))
}

#[tokio::test]
async fn sydnarke_has_150_participants_and_65_percent_step_forward() {
    let app = TestApp::with_preset(&Preset::builtin("sydnarke").unwrap());
    for kommun in ["askersund", "hallsberg", "kumla"] {
        let v = json!({"kon": "kvinna", "kommun": kommun, "aldersgrupp": "16_29", "forsorjning": "ingen"});
        let body = json!({"insats": "samordningsteamet", "kind": "inskrivning", "period": "2025-02", "values": v});
        assert_eq!(app.post_json("/api/v1/tallies", &body.to_string()).await.status, StatusCode::CREATED);
    }
    let r = app.get("/api/v1/reports/samordningsteamet/2025").await.json();
    let count = goal(&r, "deltagare");
    assert_eq!((count["type"].as_str(), count["target"].as_f64()), (Some("count"), Some(150.0)));
    assert_eq!((count["actual"].as_f64(), count["short_by"].as_i64()), (Some(3.0), Some(147)));
    let step = goal(&r, "stegforflyttning");
    assert_eq!((step["type"].as_str(), step["target"].as_f64()), (Some("share"), Some(0.65)));
    // Ciceron: at least 20 young people.
    let r = app.get("/api/v1/reports/ciceron/2025").await.json();
    assert_eq!(goal(&r, "deltagare")["target"], 20.0);
    // The violence questions are asked in Samordningsteamet too.
    let body = json!({"insats": "samordningsteamet", "kind": "fov", "period": "2025-03", "values": {"kon": "man", "fov_svar": "nej_alla"}});
    assert_eq!(app.post_json("/api/v1/tallies", &body.to_string()).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn ornskoldsvik_has_85_percent_satisfied_and_a_third_stepping_forward() {
    let app = TestApp::with_preset(&Preset::builtin("ornskoldsvik").unwrap());
    let cfg = app.get("/api/v1/config").await.json();
    assert_eq!(cfg["association"], "Samordningsförbundet i Örnsköldsvik");
    let exit = |nojd: &str, steg: &str, omraden: &[&str]| {
        let mut v = json!({"kon": "kvinna", "kommun": "ornskoldsvik", "aldersgrupp": "30_49", "forsorjning": "forsorjningsstod",
                           "avslutsorsak": "arbete", "nojd": nojd, "stegforflyttning": steg});
        if !omraden.is_empty() {
            v["omraden"] = json!(omraden);
        }
        json!({"insats": "resurslotsen", "kind": "avslut", "period": "2026-06", "values": v}).to_string()
    };
    let entry = json!({"insats": "resurslotsen", "kind": "inskrivning", "period": "2026-01",
                       "values": {"kon": "kvinna", "kommun": "ornskoldsvik", "aldersgrupp": "30_49", "forsorjning": "forsorjningsstod"}});
    for _ in 0..4 {
        assert_eq!(app.post_json("/api/v1/tallies", &entry.to_string()).await.status, StatusCode::CREATED);
    }
    for body in [
        exit("ja", "ja", &["sjalvkansla", "framtidshopp"]),
        exit("ja", "nej", &[]),
        exit("ja", "ja", &["maende"]),
        exit("nej", "nej", &[]),
    ] {
        let res = app.post_json("/api/v1/tallies", &body).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    let r = app.get("/api/v1/reports/resurslotsen/2026").await.json();
    let nojda = goal(&r, "nojda");
    assert_eq!((nojda["target"].as_f64(), nojda["actual"].as_f64()), (Some(0.85), Some(0.75)));
    assert_eq!(nojda["met"], false);
    let steg = goal(&r, "stegforflyttning");
    assert_eq!(
        (steg["target"].as_f64(), steg["actual"].as_f64(), steg["met"].as_bool()),
        (Some(0.3333), Some(0.5), Some(true))
    );
    assert_eq!(r["flow_problems"].as_array().unwrap().len(), 0);
    // The self-assessment at exit has tables of its own, split by gender.
    let exits = r["sections"].as_array().unwrap().iter().find(|s| s["key"] == "avslut").unwrap();
    let table = |k: &str| exits["tables"].as_array().unwrap().iter().find(|t| t["key"] == k).unwrap().clone();
    let ja = table("nojd")["rows"].as_array().unwrap().iter().find(|r| r["key"] == "ja").unwrap().clone();
    assert_eq!((ja["count"].as_i64(), ja["by_gender"]["kvinna"]["count"].as_i64()), (Some(3), Some(3)));
    let omraden = table("omraden");
    assert_eq!((omraden["multiple"].as_bool(), omraden["choices"].as_i64()), (Some(true), Some(3)));
    assert!(app.get("/rapport/resurslotsen/2026").await.text().contains("Områden med positiv stegförflyttning"));
}

#[tokio::test]
async fn degerfors_karlskoga_carries_the_2026_plan_for_every_insats() {
    let app = TestApp::new();
    let keys = |r: &Value| {
        r["goals"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    let r = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    assert_eq!(
        keys(&r),
        [
            "anstallning",
            "studier",
            "arbetsmarknaden",
            "rehabilitering",
            "stod_inflytande",
            "mer_redo",
            "erfarenheter",
            "kostnad"
        ]
    );
    assert_eq!(goal(&r, "kostnad")["target"], 20_000.0);
    let r = app.get("/api/v1/reports/mottagningsteamet/2026").await.json();
    assert_eq!(keys(&r), ["vagledda", "mote_i_tid"]);
    let r = app.get("/api/v1/reports/strukturarbete/2026").await.json();
    assert_eq!(goal(&r, "deltagare")["target"], 500.0);
    // 2023's own goals, from the annual report.
    let r = app.get("/api/v1/reports/strukturarbete/2023").await.json();
    assert_eq!(goal(&r, "deltagare")["target"], 400.0);
}

#[test]
fn init_sets_up_a_preset_once_and_refuses_unknown_names() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_pinne"))
            .args(args)
            .env("PINNE_DATA_DIR", dir.path())
            .output()
            .unwrap()
    };
    let out = run(&["init", "--preset", "ornskoldsvik"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Samordningsförbundet i Örnsköldsvik"));
    let out = run(&["init", "--preset", "sydnarke"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already holds a database"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = pinne::store::Store::open(dir.path()).unwrap();
    assert_eq!(store.config().association, "Samordningsförbundet i Örnsköldsvik");
    let other = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pinne"))
        .args(["init", "--preset", "nowhere"])
        .env("PINNE_DATA_DIR", other.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("degerfors-karlskoga, sydnarke, ornskoldsvik"));
    assert!(!other.path().join(pinne::store::DB_FILE).exists());
}

#[test]
fn init_from_a_file_refuses_a_bad_configuration_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("forbund.toml");
    let text = include_str!("../schema/presets/ornskoldsvik.toml")
        .replace("year = 2026\nkey = \"nojda\"", "year = 1999\nkey = \"nojda\"");
    std::fs::write(&file, text).unwrap();
    let data = dir.path().join("data");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pinne"))
        .args(["init", "--file", file.to_str().unwrap()])
        .env("PINNE_DATA_DIR", &data)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("2000–2999"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!data.join(pinne::store::DB_FILE).exists());
}
