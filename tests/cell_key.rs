//! The Cell Key Method as the association's rule: how it is chosen, what a reader gets, and that
//! asking again, in another export, another year's report or after a restart gives the same noise.
//! (The integer-programming attacker against it is in `tests/disclosure.rs`.)

mod common;

use axum::http::StatusCode;
use common::{TestApp, bulk, exit, person};
use pinne::domain::account::Role;
use pinne::report::protect::ckm::{KEY_RANGE, PTable};
use serde_json::Value;
use std::collections::BTreeMap;

/// 2025: 20 women and 15 men from Karlskoga, one woman from Degerfors; 11 exits; a few in 2026.
fn scenario() -> TestApp {
    let app = TestApp::new();
    bulk(
        &app,
        "coachingteamet",
        &[
            ("inskrivning", "2025-02", person("kvinna", "karlskoga"), 20),
            ("inskrivning", "2025-02", person("man", "karlskoga"), 15),
            ("inskrivning", "2025-03", person("kvinna", "degerfors"), 1),
            ("avslut", "2025-10", exit("kvinna", "karlskoga", "studier"), 6),
            ("avslut", "2025-10", exit("man", "karlskoga", "anstallning"), 4),
            ("avslut", "2025-11", exit("kvinna", "degerfors", "vard"), 1),
            ("inskrivning", "2026-01", person("man", "degerfors"), 2),
            ("avslut", "2026-03", exit("man", "karlskoga", "studier"), 2),
        ],
    );
    app
}

async fn use_cell_key(app: &TestApp) {
    let res =
        app.post_form("/installningar", "action=privacy&method=cell_key&threshold=3&max_deviation=2&variance=1").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
}

/// Every count cell of a tables document: (table, row, column heading with year) → value.
fn counts(doc: &Value) -> BTreeMap<(String, String, String), Value> {
    let mut out = BTreeMap::new();
    // Kronor and goals are not counts, though their columns are numbers.
    for t in doc["tables"].as_array().unwrap().iter().filter(|t| !matches!(t["key"].as_str(), Some("kostnad" | "mal")))
    {
        let cols = t["columns"].as_array().unwrap();
        // Rows of shares and means sit in count columns too.
        let rows = t["rows"].as_array().unwrap().iter();
        for r in
            rows.filter(|r| !["Andel", "Genomsnittlig"].iter().any(|p| r["label"].as_str().unwrap().starts_with(p)))
        {
            for (c, cell) in cols.iter().zip(r["cells"].as_array().unwrap()) {
                if matches!(c["measure"].as_str(), Some("count" | "count_share")) {
                    let col = format!("{} {}", c["group"].as_str().unwrap(), c["year"]);
                    out.insert(
                        (t["key"].as_str().unwrap().into(), r["label"].as_str().unwrap().into(), col),
                        cell.clone(),
                    );
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn the_rule_is_chosen_in_the_settings_and_bad_parameters_store_nothing() {
    let app = scenario();
    let before = app.store.config().privacy.clone();
    // D below threshold − 1 could not move a count of 1 to 0 or 3.
    let res =
        app.post_form("/installningar", "action=privacy&method=cell_key&threshold=3&max_deviation=1&variance=1").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("Största störningen är ett heltal från 2"), "{}", res.text());
    let res =
        app.post_form("/installningar", "action=privacy&method=cell_key&threshold=3&max_deviation=2&variance=5").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("Variansen är ett tal över 0 och högst 2,00"), "{}", res.text());
    assert_eq!(app.store.config().privacy, before, "nothing stored");
    use_cell_key(&app).await;
    let p = app.store.config().privacy.clone();
    assert_eq!((p.method, p.max_deviation, p.variance), (pinne::domain::PrivacyMethod::CellKey, 2, 1.0));
    // The settings page shows the choice.
    let page = app.get("/installningar").await.text();
    assert!(page.contains(r#"value="cell_key" checked"#), "the method is shown as chosen");
}

#[tokio::test]
async fn a_reader_gets_every_count_perturbed_by_at_most_d_and_never_a_small_one() {
    let app = scenario();
    use_cell_key(&app).await;
    let reader = app.client("styrelsen", Role::Lasare, &[]);
    let path = "/api/v1/reports/coachingteamet/2025/tables";
    let doc = reader.get(path).await.json();
    assert_eq!(doc["protected"], true);
    assert_eq!(doc["method"], "cell_key");
    assert_eq!(doc["max_deviation"], 2);
    assert!(doc["note"].as_str().unwrap().contains("störda med högst 2"));
    let truth = counts(&app.get(path).await.json());
    let published = counts(&doc);
    let (mut changed, mut cells) = (0, 0);
    for (k, v) in &published {
        let p = v["value"].as_i64().unwrap_or_else(|| panic!("{k:?} is not published as a count: {v}"));
        assert!(!(1..=2).contains(&p), "{k:?} is published as {p}");
        let t = truth[k]["value"].as_i64().unwrap();
        assert!((p - t).abs() <= 2, "{k:?}: {t} published as {p}");
        if t == 0 {
            assert_eq!(p, 0, "{k:?}: a zero stays zero");
        }
        cells += 1;
        changed += usize::from(p != t);
    }
    assert!(cells > 50 && changed > 5, "{changed} of {cells} counts changed");
    // The one woman from Degerfors is 0 or 3, never 1.
    let degerfors = &published[&("deltagare_kommun".into(), "Degerfors".into(), "Totalt 2025".into())];
    assert!(matches!(degerfors["value"].as_i64(), Some(0 | 3)), "{degerfors}");
    // Shares are the published count over the published total.
    let total = published[&("deltagare".into(), "Deltagare under året".into(), "Totalt 2025".into())]["value"]
        .as_f64()
        .unwrap();
    for (k, v) in published.iter().filter(|(k, _)| k.0 == "deltagare_kommun" && k.2 == "Totalt 2025") {
        if let Some(s) = v["share"].as_f64() {
            let want = (v["value"].as_f64().unwrap() / total * 100.0).round() / 100.0;
            assert!((s - want).abs() < 1e-9, "{k:?}: share {s}, published counts give {want}");
        }
    }
    // The page says the figures are perturbed, and by how much.
    let html = reader.get("/rapport/coachingteamet/2025").await.text();
    assert!(html.contains("Alla antal är störda med högst 2 (cellnyckelmetoden)"));
}

#[tokio::test]
async fn the_same_cell_gets_the_same_noise_in_every_export_year_request_and_after_a_restart() {
    let app = scenario();
    use_cell_key(&app).await;
    let reader = app.client("styrelsen", Role::Lasare, &[]);
    let first = counts(&reader.get("/api/v1/reports/coachingteamet/2025/tables").await.json());
    // Averaging repeated requests: every answer is the same, so the mean is the published value.
    for _ in 0..5 {
        assert_eq!(counts(&reader.get("/api/v1/reports/coachingteamet/2025/tables").await.json()), first);
    }
    // The next year's report shows 2025 with the same values in its previous-year columns.
    let next = counts(&reader.get("/api/v1/reports/coachingteamet/2026/tables").await.json());
    let mut compared = 0;
    for (k, v) in next.iter().filter(|(k, _)| k.2.ends_with(" 2025")) {
        if let Some(w) = first.get(k) {
            assert_eq!(v["value"], w["value"], "{k:?} differs between the 2025 and 2026 reports");
            compared += 1;
        }
    }
    assert!(compared > 10, "{compared} cells compared");
    // The CSV carries the same numbers as the JSON.
    let csv = reader.get("/api/v1/reports/coachingteamet/2025/tables?format=csv").await.text();
    let total = first[&("deltagare".into(), "Deltagare under året".into(), "Totalt 2025".into())]["value"].to_string();
    assert!(csv.contains(&total), "{csv}");
    // A restart (a fresh cache over the same database) decides every cell the same way.
    let (store, router) = app.restarted();
    let reader = common::account(&store, &router, "styrelsen-2", Role::Lasare, &[]);
    assert_eq!(counts(&reader.get("/api/v1/reports/coachingteamet/2025/tables").await.json()), first);
}

#[tokio::test]
async fn voiding_a_tally_and_registering_it_again_draws_new_noise_only_for_its_cells() {
    let app = scenario();
    use_cell_key(&app).await;
    let keys = |app: &TestApp| -> Vec<(i64, i64)> {
        app.store
            .read_blocking(|c| {
                let mut s = c.prepare("SELECT id, record_key FROM tally ORDER BY id")?;
                let rows = s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .unwrap()
    };
    let k = keys(&app);
    assert!(k.iter().all(|(_, key)| (0..KEY_RANGE).contains(key)));
    let distinct: std::collections::BTreeSet<i64> = k.iter().map(|(_, key)| *key).collect();
    assert!(distinct.len() > k.len() * 9 / 10, "record keys are drawn at random");
    // The count rows carry the sum of their tallies' keys.
    let (sum, rows): (i64, i64) = app
        .store
        .read_blocking(|c| {
            Ok(c.query_row(
                "SELECT (SELECT sum(record_key) FROM tally WHERE void_reason IS NULL AND kind_id = 1),
                        (SELECT sum(k) FROM tally_count WHERE kind_id = 1 AND value_id = 0)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    assert_eq!(sum, rows, "tally_count.k is the sum of the record keys");
}

/// Differencing two monthly snapshots: a total n and n + 1 are perturbed with independent keys
/// (the new tally's key is uniform), so the published difference is 1 in a minority of cases and
/// every difference seen is as likely under "no one came" as under "one came" within a factor.
#[test]
fn a_difference_of_two_perturbed_totals_does_not_tell_whether_one_person_came() {
    let p = PTable::new(3, 2, 1.0);
    for n in [5i64, 10, 40] {
        let mut diff_if_one: BTreeMap<i64, f64> = BTreeMap::new();
        let mut diff_if_none: BTreeMap<i64, f64> = BTreeMap::new();
        for (e1, p1) in p.distribution(n) {
            for (e2, p2) in p.distribution(n + 1) {
                *diff_if_one.entry(1 + e2 - e1).or_default() += p1 * p2;
            }
            for (e2, p2) in p.distribution(n) {
                *diff_if_none.entry(e2 - e1).or_default() += p1 * p2;
            }
        }
        assert!(diff_if_one[&1] < 0.5, "n={n}: the difference is the truth in {} of cases", diff_if_one[&1]);
        // Every difference that is at all likely is possible without the person too, at most five
        // times less likely.
        for (d, q) in diff_if_one.iter().filter(|(_, q)| **q > 0.05) {
            let other = diff_if_none.get(d).copied().unwrap_or(0.0);
            assert!(other > 0.0 && q / other <= 5.0, "n={n}: a difference of {d} is {q} vs {other}");
        }
    }
}
