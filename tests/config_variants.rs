//! Configurations other than the default: gender left out of some tallies, a category only entries
//! carry, and retired values. The report must stay consistent for each.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use pinne::domain::preset::Preset;
use serde_json::{Value, json};

const PRESET: &str = r#"
association = "Testförbundet"

[[insatser]]
key = "team"
label = "Teamet"
kinds = ["in", "ut"]

[[kinds]]
key = "in"
label = "Inskrivning"
flow = "entry"
dimensions = ["kon", "kommun", "ung", "skola"]
optional = ["kon"]

[[kinds]]
key = "ut"
label = "Avslut"
flow = "exit"
dimensions = ["kon", "kommun", "skola", "orsak", "tid"]
optional = ["kon"]

[[dimensions]]
key = "kon"
label = "Kön"
role = "gender"
values = [{ key = "kvinna", label = "Kvinna", column_label = "Kvinnor" }, { key = "man", label = "Man", column_label = "Män" }]

[[dimensions]]
key = "kommun"
label = "Kommun"
role = "area"
values = [{ key = "a", label = "Aby" }, { key = "b", label = "Bby" }]

[[dimensions]]
key = "ung"
label = "Ung"
role = "person"
values = [{ key = "ja", label = "Ja" }, { key = "nej", label = "Nej" }]

[[dimensions]]
key = "skola"
label = "Skola"
role = "person"
values = [{ key = "s1", label = "Skola 1" }, { key = "s2", label = "Skola 2" }, { key = "s3", label = "Skola 3" }]

[[dimensions]]
key = "orsak"
label = "Avslutsorsak"
role = "outcome"
values = [{ key = "arbete", label = "Arbete" }, { key = "annat", label = "Annat" }]

[[dimensions]]
key = "tid"
label = "Tid"
role = "duration"
values = [{ key = "kort", label = "Kort", months = 3.0 }, { key = "lang", label = "Lång", months = 12.0 }]
"#;

async fn post(app: &TestApp, kind: &str, period: &str, values: Value) -> (StatusCode, Value) {
    let body = json!({"insats": "team", "kind": kind, "period": period, "values": values});
    let res = app.post_json("/api/v1/tallies", &body.to_string()).await;
    (res.status, res.json())
}

fn row<'a>(rows: &'a Value, key: &str) -> Option<&'a Value> {
    rows.as_array().unwrap().iter().find(|r| r["key"] == key)
}

#[tokio::test]
async fn optional_gender_entry_only_categories_and_retired_values() {
    let app = TestApp::with_preset(&Preset::parse(PRESET).unwrap());
    for _ in 0..2 {
        let v = json!({"kon": "kvinna", "kommun": "a", "ung": "ja", "skola": "s1"});
        assert_eq!(post(&app, "in", "2025-03", v).await.0, StatusCode::CREATED);
    }
    let v = json!({"kommun": "b", "ung": "nej", "skola": "s2"});
    assert_eq!(post(&app, "in", "2025-04", v).await.0, StatusCode::CREATED);
    let v = json!({"kommun": "b", "skola": "s2", "orsak": "arbete", "tid": "kort"});
    assert_eq!(post(&app, "ut", "2026-02", v).await.0, StatusCode::CREATED);
    let v = json!({"kon": "kvinna", "kommun": "a", "skola": "s1", "orsak": "annat", "tid": "lang"});
    assert_eq!(post(&app, "ut", "2026-03", v).await.0, StatusCode::CREATED);

    let r = app.get("/api/v1/reports/team/2026").await.json();
    let p = &r["participants"];
    assert_eq!((p["total"].as_i64(), p["exits"].as_i64(), p["at_end"].as_i64()), (Some(3), Some(2), Some(1)));
    // Tallies without gender get their own column, so the columns add up to the total.
    let columns: Vec<&str> = r["genders"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
    assert_eq!(columns, ["kvinna", "man", "uppgift_saknas"]);
    assert_eq!(r["genders"][2]["label"], "Uppgift saknas");
    let sum: i64 = columns.iter().map(|k| p["by_gender"][k]["total"].as_i64().unwrap()).sum();
    assert_eq!(sum, 3);
    assert_eq!(p["by_gender"]["uppgift_saknas"]["exits"], 1);
    assert!(app.get("/rapport/team/2026").await.text().contains(r#"colspan="2">Uppgift saknas</th>"#));

    // "ung" is carried by entries only: no participants table (exits never reduce it), entries kept.
    let ung = r["categories"].as_array().unwrap().iter().find(|c| c["key"] == "ung").unwrap();
    assert_eq!(ung["participants"], json!([]));
    let r2025 = app.get("/api/v1/reports/team/2025").await.json();
    let ung2025 = r2025["categories"].as_array().unwrap().iter().find(|c| c["key"] == "ung").unwrap();
    assert_eq!(row(&ung2025["entries"], "ja").unwrap()["count"], 2);
    assert!(!app.get("/rapport/team/2026").await.text().contains("Ung – deltagare under året"));
    let skola = r["categories"].as_array().unwrap().iter().find(|c| c["key"] == "skola").unwrap();
    assert_eq!(row(&skola["participants"], "s1").unwrap()["count"], 2);
    assert_eq!(row(&skola["participants"], "s2").unwrap()["by_gender"]["uppgift_saknas"]["count"], 1);

    // Retire s2 (used) and s3 (never used).
    app.store
        .write_blocking(|tx| Ok(tx.execute("UPDATE dimension_value SET retired = 1 WHERE key IN ('s2', 's3')", [])?))
        .unwrap();
    app.store.reload_config().unwrap();
    let (status, err) =
        post(&app, "in", "2026-05", json!({"kon": "man", "kommun": "a", "ung": "ja", "skola": "s2"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["error"]["field"], "values.skola");
    assert!(err["error"]["message"].as_str().unwrap().contains("används inte längre"));
    let cfg = app.get("/api/v1/config").await.json();
    let offered: Vec<&str> = cfg["insatser"][0]["kinds"][0]["dimensions"][3]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["key"].as_str().unwrap())
        .collect();
    assert_eq!(offered, ["s1"]);
    let form = app.get("/registrera?insats=team&kind=in").await.text();
    assert!(form.contains(r#"id="v-skola-s1""#) && !form.contains(r#"id="v-skola-s2""#));
    // History keeps the retired value that was used; the unused one disappears from reports.
    let r = app.get("/api/v1/reports/team/2026").await.json();
    let skola = r["categories"].as_array().unwrap().iter().find(|c| c["key"] == "skola").unwrap();
    assert_eq!(row(&skola["participants"], "s2").unwrap()["count"], 1);
    assert!(row(&skola["participants"], "s3").is_none());
}

#[test]
fn goals_must_refer_to_what_their_kind_carries() {
    let goal = |body: &str| {
        format!(
            "{PRESET}\n[[goals]]\ninsats = \"team\"\nyear = 2026\nkey = \"x\"\nlabel = \"X\"\ncomparator = \"at_least\"\n{body}\n"
        )
    };
    // A share of entries by a category entries carry is fine; one by a category they lack is not.
    assert!(Preset::parse(&goal("kind = \"in\"\nnumerator = [\"skola.s1\"]\ntarget_percent = 10")).is_ok());
    assert!(
        Preset::parse(&goal("kind = \"in\"\nnumerator = [\"orsak.arbete\"]\ntarget_percent = 10"))
            .unwrap_err()
            .contains("orsak is not a dimension of its kind")
    );
    assert!(Preset::parse(&goal("kind = \"ut\"\nnumerator = [\"orsak.lotto\"]\ntarget_percent = 10")).is_err());
    // A share needs a percentage, a count a measure and a number.
    assert!(Preset::parse(&goal("kind = \"ut\"\nnumerator = [\"orsak.arbete\"]\ntarget = 10")).is_err());
    assert!(Preset::parse(&goal("type = \"count\"\nmeasure = \"participants\"\ntarget = 150")).is_ok());
    assert!(Preset::parse(&goal("type = \"count\"\nmeasure = \"attendees\"\nkind = \"ut\"\ntarget = 150")).is_err());
    assert!(Preset::parse(&goal("type = \"cost_per_participant\"\ntarget = 20000")).is_ok());
}

/// A preset can make a kind the collaboration's (`audience = "collaboration"`): it is stored so
/// and offered apart from the participants' kinds.
#[tokio::test]
async fn a_preset_kind_for_the_collaboration_is_offered_apart() {
    let text = include_str!("../schema/presets/sydnarke.toml")
        .replace("key = \"fov\"\n", "key = \"fov\"\naudience = \"collaboration\"\n");
    let app = TestApp::with_preset(&Preset::parse(&text).unwrap());
    let cfg = app.store.config();
    assert_eq!(cfg.kind("fov").unwrap().audience, pinne::domain::Audience::Collaboration);
    assert_eq!(cfg.kind("inskrivning").unwrap().audience, pinne::domain::Audience::Participants);
    let page = app.get("/registrera?insats=samordningsteamet").await.text();
    let participants = &page[page.find("Vad hände?").unwrap()..];
    let participants = &participants[..participants.find("</nav>").unwrap()];
    assert!(participants.contains("Inskrivning") && !participants.contains("Frågor om våld"), "{participants}");
    assert!(page.contains("Svar från styrelse, beredningsgrupp eller personal"));
}
