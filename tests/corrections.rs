//! Corrections without losing history: voiding with a reason, closed years, the audit log.

mod common;

use axum::http::StatusCode;
use common::{Client, TestApp};
use pinne::domain::account::Role;

const ENTRY: &str = r#"{"insats":"coachingteamet","kind":"inskrivning","period":"2025-06","values":{"kon":"kvinna","kommun":"karlskoga","aldersgrupp":"30_39","utbildning":"gymnasium","forsorjning":"ingen","tid_forsorjning":"ingen"}}"#;

async fn tally(c: &Client) -> i64 {
    tally_of(c, "2025-06").await
}

/// A tally of `period` (a coach sees and voids their own of this month and last month only:
/// November and October 2026 in the tests).
async fn tally_of(c: &Client, period: &str) -> i64 {
    let res = c.post_json("/api/v1/tallies", &ENTRY.replace("2025-06", period)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()["id"].as_i64().unwrap()
}

fn void(reason: &str) -> String {
    format!(r#"{{"reason":"{reason}"}}"#)
}

#[tokio::test]
async fn coaches_void_their_own_tallies_the_huvudman_and_forbundschef_any() {
    let app = TestApp::new();
    let anna = app.client("anna", Role::Coach, &["coachingteamet"]);
    let bo = app.client("bo", Role::Coach, &["coachingteamet"]);
    let hm = app.client("hm", Role::Huvudman, &["coachingteamet"]);
    let (a1, a2, a3) =
        (tally_of(&anna, "2026-10").await, tally_of(&anna, "2026-10").await, tally_of(&anna, "2026-11").await);
    // Bo may not void Anna's tally, nor even see it: to him it does not exist. Nothing changes.
    let res = bo.post_json(&format!("/api/v1/tallies/{a1}/void"), &void("dubblett")).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(app.footprint().0, 3);
    let page = bo.post_form(&format!("/registrerat/{a1}/makulera"), "reason=dubblett").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(bo.get(&format!("/registrerat/{a1}")).await.status, StatusCode::NOT_FOUND);
    // Anna's view of it offers "Ångra".
    assert!(anna.get(&format!("/registrerat/{a1}")).await.text().contains(">Ångra</button>"));
    // Anna voids her own, the huvudman and the förbundschef any, each with a reason.
    let res = anna.post_json(&format!("/api/v1/tallies/{a1}/void"), &void("dubblett")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["void_reason"], "dubblett");
    assert_eq!(
        hm.post_form(&format!("/registrerat/{a2}/makulera"), "reason=fel_period").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.post_form(&format!("/registrerat/{a3}/makulera"), "reason=fel_insats").await.status,
        StatusCode::SEE_OTHER
    );
    // All three stay stored, but leave every count.
    assert_eq!(app.footprint(), (3, 18, 0));
    let r = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    assert_eq!(r["participants"]["entries"], 0);
    // Voiding twice, or with a reason not on the list, is refused.
    assert_eq!(
        anna.post_json(&format!("/api/v1/tallies/{a1}/void"), &void("dubblett")).await.status,
        StatusCode::CONFLICT
    );
    let res = hm.post_json(&format!("/api/v1/tallies/{a1}/void"), &void("tycker_inte_om")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["error"]["field"], "reason");
    // Every void is in the audit log with who and why (date only, no categories).
    let log = app.get("/logg.csv?action=tally_voided").await.text();
    for (who, why) in [("anna", "dubblett"), ("hm", "fel_period"), ("chef", "fel_insats")] {
        assert!(log.lines().any(|l| l.contains(&format!(";{who};")) && l.contains(why)), "{who} {why}: {log}");
    }
    assert!(!log.contains("kvinna") && !log.contains("karlskoga"));
}

#[tokio::test]
async fn a_closed_year_no_longer_moves_until_the_forbundschef_reopens_it() {
    let app = TestApp::new();
    let anna = app.client("anna", Role::Coach, &["coachingteamet"]);
    let hm = app.client("hm", Role::Huvudman, &["coachingteamet"]);
    let other_hm = app.client("hm2", Role::Huvudman, &["mottagningsteamet"]);
    let t = tally(&anna).await;
    // Only the huvudman of the insats (or the förbundschef) may close it.
    assert_eq!(other_hm.post_form("/rapport/coachingteamet/2025/stang", "").await.status, StatusCode::FORBIDDEN);
    assert_eq!(anna.post_form("/rapport/coachingteamet/2025/stang", "").await.status, StatusCode::FORBIDDEN);
    assert_eq!(hm.post_form("/rapport/coachingteamet/2025/stang", "").await.status, StatusCode::SEE_OTHER);
    let report = hm.get("/api/v1/reports/coachingteamet/2025").await.json();
    assert_eq!(report["closed"]["closed_by"], "hm");
    assert!(report["closed"]["closed_at"].as_str().unwrap().ends_with('Z'));
    assert!(hm.get("/rapport/coachingteamet/2025").await.text().contains("Året är stängt"));
    // No new tallies (409 on the API, a clear message on the form), no voids.
    let res = anna.post_json("/api/v1/tallies", ENTRY).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.json()["error"]["message"].as_str().unwrap().contains("2025 är stängt"));
    let form = "insats=coachingteamet&kind=inskrivning&period=2025-06&v.kon=man&v.kommun=karlskoga&v.aldersgrupp=30_39\
&v.utbildning=gymnasium&v.forsorjning=ingen&v.tid_forsorjning=ingen";
    let res = anna.post_form("/registrera", form).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.text().contains("2025 är stängt"));
    let res = hm.post_json(&format!("/api/v1/tallies/{t}/void"), &void("dubblett")).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let page = hm.get(&format!("/registrerat/{t}")).await.text();
    assert!(
        page.contains("Året är stängt: registreringen kan inte makuleras.") && !page.contains(">Makulera</button>")
    );
    assert_eq!(app.footprint().0, 1);
    // 2026 is still open.
    let res = anna.post_json("/api/v1/tallies", &ENTRY.replace("2025-06", "2026-01")).await;
    assert_eq!(res.status, StatusCode::CREATED);
    // The huvudman cannot reopen; the förbundschef can, with a reason from the list.
    assert_eq!(
        hm.post_form("/rapport/coachingteamet/2025/oppna", "reason=rattelse").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post_form("/rapport/coachingteamet/2025/oppna", "reason=vet_inte").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.post_form("/rapport/coachingteamet/2025/oppna", "reason=rattelse").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(hm.post_json(&format!("/api/v1/tallies/{t}/void"), &void("dubblett")).await.status, StatusCode::OK);
    let log = app.get("/logg.csv").await.text();
    assert!(log.contains("Stängt år") && log.contains("coachingteamet 2025, orsak rattelse"));
}

#[tokio::test]
async fn the_audit_log_is_append_only_filterable_and_exportable() {
    let app = TestApp::new();
    let anna = app.client("anna", Role::Coach, &["coachingteamet"]);
    tally(&anna).await;
    app.post_form("/mal/coachingteamet/2027", "label.0=Studier&comparator.0=at_least&target.0=25&values.0=studier")
        .await;
    app.post_form("/anvandare", "name=ny&role=lasare&password=en+l%C3%A5ng+l%C3%B6senfras+f%C3%B6r+ny").await;
    let actions = app.audit_actions();
    for a in ["tally_created", "goals_changed", "account_created"] {
        assert!(actions.contains(&a.to_string()), "{a} in {actions:?}");
    }
    // The database refuses to change or remove an entry.
    for sql in ["UPDATE audit SET detail = 'x'", "DELETE FROM audit"] {
        let err = app.store.write_blocking(|tx| Ok(tx.execute(sql, [])?)).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    // Tally entries carry the date only; others the time to the second, all UTC.
    let at: Vec<(String, String)> = app
        .store
        .read_blocking(|c| {
            let mut s = c.prepare("SELECT action, at FROM audit")?;
            Ok(s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .unwrap();
    for (action, at) in &at {
        if action.starts_with("tally_") {
            assert_eq!(at.len(), 10, "{action} {at}");
        } else {
            assert!(at.len() == 20 && at.ends_with('Z'), "{action} {at}");
        }
    }
    // Filter by action and by account.
    let page = app.get("/logg?action=goals_changed").await.text();
    assert!(page.contains("<td>Ändrade mål</td>") && !page.contains("<td>Registrering</td>"));
    let page = app.get("/logg?account=anna").await.text();
    assert!(page.contains("<td>Registrering</td>") && !page.contains("<td>Ändrade mål</td>"));
    let bad = app.get("/logg?from=igår").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The CSV for Swedish Excel holds the same, and no secret.
    let csv = app.get("/logg.csv").await;
    assert!(csv.body.starts_with("\u{feff}".as_bytes()));
    let text = csv.text();
    assert!(text.contains("Nr;Tid (UTC);Konto;Händelse;Uppgifter;Adress"));
    assert!(text.contains("Nytt konto") && !text.contains("lösenfras"));
    assert!(!text.contains(app.chef.bearer.as_ref().unwrap()) && !text.contains("$argon2"));
}

#[tokio::test]
async fn nothing_that_would_change_a_closed_report_is_accepted() {
    let app = TestApp::new();
    let anna = app.client("anna", Role::Coach, &["coachingteamet"]);
    tally(&anna).await;
    assert_eq!(app.post_form("/rapport/coachingteamet/2025/stang", "").await.status, StatusCode::SEE_OTHER);
    let before = app.get("/api/v1/reports/coachingteamet/2025?format=csv-plain").await.body;
    // A tally dated before 2025 would change 2025's "enrolled at the start".
    let res = anna.post_json("/api/v1/tallies", &ENTRY.replace("2025-06", "2024-12")).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.json()["error"]["message"].as_str().unwrap().contains("skulle ändra 2025, som är stängt"));
    // Goals 2025 use those set for 2023 (none for 2024 or 2025): 2023, 2024 and 2025 are locked.
    let goal = "label.0=Studier&comparator.0=at_least&target.0=25&values.0=studier";
    for year in [2023, 2024, 2025] {
        let res = app.post_form(&format!("/mal/coachingteamet/{year}"), goal).await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{year}");
        assert!(res.text().contains("2025 är stängt"), "{year}");
    }
    assert_eq!(
        app.get("/api/v1/reports/coachingteamet/2025?format=csv-plain").await.body,
        before,
        "the closed report did not move"
    );
    // 2022's goals (2023 has its own) and 2026 are free; so are tallies after 2025.
    assert_eq!(app.post_form("/mal/coachingteamet/2022", goal).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post_form("/mal/coachingteamet/2026", goal).await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        anna.post_json("/api/v1/tallies", &ENTRY.replace("2025-06", "2026-02")).await.status,
        StatusCode::CREATED
    );
    assert_eq!(app.get("/api/v1/reports/coachingteamet/2025?format=csv-plain").await.body, before);
}

#[tokio::test]
async fn the_huvudman_finds_tallies_to_correct_on_a_list() {
    let app = TestApp::new();
    let anna = app.client("anna", Role::Coach, &["coachingteamet"]);
    let hm = app.client("hm", Role::Huvudman, &["coachingteamet"]);
    let id = tally(&anna).await;
    let page = hm.get("/registreringar").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Registreringar i Coachingteamet"));
    assert!(html.contains(&format!(r#"<a href="/registrerat/{id}">{id}</a>"#)));
    assert!(html.contains(r#"href="/registreringar""#), "in the menu");
    assert_eq!(
        hm.post_form(&format!("/registrerat/{id}/makulera"), "reason=dubblett").await.status,
        StatusCode::SEE_OTHER
    );
    assert!(hm.get("/registreringar").await.text().contains("Makulerad"));
    assert_eq!(hm.get("/registreringar?insats=mottagningsteamet").await.status, StatusCode::FORBIDDEN);
    assert_eq!(hm.get("/registreringar?insats=finns_inte").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_coach_corrects_this_month_and_last_the_huvudman_anything_older() {
    let app = TestApp::new();
    let anna = app.client("anna", Role::Coach, &["coachingteamet"]);
    let hm = app.client("hm", Role::Huvudman, &["coachingteamet"]);
    let form = |period: &str| {
        format!(
            "insats=coachingteamet&kind=inskrivning&period={period}&v.kon=man&v.kommun=karlskoga&v.aldersgrupp=30_39\
&v.utbildning=gymnasium&v.forsorjning=ingen&v.tid_forsorjning=ingen"
        )
    };
    // Last month: stored and shown, with "Ångra".
    let res = anna.post_form("/registrera", &form("2026-10")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let recent = res.location();
    assert!(anna.get(&recent).await.text().contains(">Ångra</button>"));
    // September, registered late: stored, but Anna cannot open it afterwards, so the form says it
    // was stored instead of sending her to a page she may not see.
    let res = anna.post_form("/registrera", &form("2026-09")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/registrera?insats=coachingteamet&kind=inskrivning&period=2026-09&sparad=1");
    let page = anna.get(&res.location()).await.text();
    assert!(page.contains("Registreringen för september 2026 är sparad."), "{page}");
    assert!(page.contains("be huvudmannen makulera den"));
    assert!(page.contains("Dina senaste registreringar i Coachingteamet"));
    assert!(page.contains("Från oktober och november 2026."));
    assert_eq!(app.footprint().0, 2);
    let september = 2;
    assert_eq!(anna.get(&format!("/registrerat/{september}")).await.status, StatusCode::NOT_FOUND);
    // Her page of tallies says why it holds only hers of two months.
    let list = anna.get("/registreringar").await.text();
    assert!(list.contains("Dina egna registreringar från oktober och november 2026"));
    assert!(list.contains(&format!(r#"href="{recent}""#)) && !list.contains(r#"href="/registrerat/2""#));
    // The huvudman corrects it.
    assert!(hm.get("/registreringar").await.text().contains(r#"href="/registrerat/2""#));
    let res = hm.post_form(&format!("/registrerat/{september}/makulera"), "reason=fel_period").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
}
