//! Who sees protected figures, and every output that carries them: the report page, its five-year
//! view, the print view, the summary, CSV, XLSX, JSON per table, the Uppföljning Finsam panel and
//! the configured threshold.

mod common;

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};
use common::{Client, TestApp, bulk, exit, now, person};
use pinne::domain::account::Role;

/// 2025: 20 women and 15 men from Karlskoga, one woman from Degerfors; 11 exits.
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
        ],
    );
    app
}

/// The cells of a row of a table on a page (by table key and row label), as text.
fn cells(html: &str, table: &str, label: &str) -> Vec<String> {
    let start = html.find(&format!(r#"id="tabell-{table}""#)).unwrap_or_else(|| panic!("no table {table}"));
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    let head = format!(r#"<th scope="row">{label}</th>"#);
    let at = section.find(&head).unwrap_or_else(|| panic!("no row {label} in {table}"));
    let row = &section[at + head.len()..];
    let row = &row[..row.find("</tr>").unwrap()];
    row.split("<td").skip(1).map(|c| c.split('>').nth(1).unwrap().split('<').next().unwrap().to_string()).collect()
}

async fn read_only_token(client: &Client) -> Client {
    let page = client.post_form("/konto/nycklar", "name=Publicering&read_only=1").await.text();
    let token = page.split(r#"<p class="secret">"#).nth(1).unwrap().split('<').next().unwrap().to_string();
    Client { bearer: Some(token), session: None, csrf: None, ..client.clone() }
}

#[tokio::test]
async fn readers_coaches_and_read_only_tokens_only_ever_get_the_publication_version() {
    let app = scenario();
    let reader = app.client("styrelsen", Role::Lasare, &[]);
    for path in ["/rapport/coachingteamet/2025", "/rapport/coachingteamet/2025?publicering=nej"] {
        let html = reader.get(path).await.text();
        assert!(html.contains("Publiceringsversion."), "{path}");
        assert!(!html.contains("Ej för publicering."), "{path}");
        // Degerfors: one woman, hidden; its partner cells hidden too.
        let degerfors = cells(&html, "deltagare_kommun", "Degerfors");
        assert_eq!(degerfors[0], "..", "{degerfors:?}");
        assert!(!html.contains("Visa alla siffror"), "a reader cannot switch to the figures as counted");
    }
    // The summary never writes out a hidden figure.
    let html = reader.get("/rapport/coachingteamet/2025").await.text();
    let summary = &html[html.find("Sammanfattning").unwrap()..html.find("Mål 2025").unwrap()];
    assert!(summary.contains("Under 2025 deltog 36 personer"), "{summary}");
    let exits = cells(&html, "deltagare", "Avslutade")[4].clone();
    if exits == ".." {
        assert!(summary.contains("visas inte") && !summary.contains("11 avslutades"), "{summary}");
    }

    // A read-only token of the förbundschef: protected JSON.
    let token = read_only_token(&app.chef).await;
    let json = token.get("/api/v1/reports/coachingteamet/2025").await.json();
    assert_eq!(json["protected"], true);
    assert!(json["tables"].as_array().unwrap().iter().any(|t| t["key"] == "deltagare_kommun"));
    let one = token.get("/api/v1/reports/coachingteamet/2025/tables/deltagare_kommun").await.json();
    let degerfors = one["rows"].as_array().unwrap().iter().find(|r| r["label"] == "Degerfors").unwrap();
    assert_eq!(degerfors["cells"][0]["hidden"], "..");
    assert!(degerfors["cells"][0]["value"].is_null());
    assert!(one["records"].as_array().unwrap().iter().any(|r| r["measure"] == "hidden" && r["value"] == ".."));
    // Asking for the unprotected version does not help.
    assert_eq!(token.get("/api/v1/reports/coachingteamet/2025/tables?publicering=nej").await.json()["protected"], true);

    // A coach sees this year's report, protected.
    let coach = app.client("coach", Role::Coach, &["coachingteamet"]);
    let html = coach.get(&format!("/rapport/coachingteamet/{}", now().year)).await.text();
    assert!(html.contains("Publiceringsversion."));
}

#[tokio::test]
async fn the_huvudman_and_forbundschef_choose_and_see_what_is_not_for_publication() {
    let app = scenario();
    let hm = app.client("huvudman", Role::Huvudman, &["coachingteamet"]);
    for c in [&app.chef, &hm] {
        let html = c.get("/rapport/coachingteamet/2025").await.text();
        assert!(html.contains("Ej för publicering."));
        assert_eq!(cells(&html, "deltagare_kommun", "Degerfors")[0], "1 (5\u{a0}%)");
        assert!(html.contains("Under 2025 deltog 36 personer (21 kvinnor och 15 män)"));
        let html = c.get("/rapport/coachingteamet/2025?publicering=ja").await.text();
        assert!(html.contains("Publiceringsversion."));
        assert_eq!(cells(&html, "deltagare_kommun", "Degerfors")[0], "..");
    }
    let json = app.get("/api/v1/reports/coachingteamet/2025").await.json();
    assert_eq!(json["participants"]["total"], 36, "the whole report as counted");
    let json = app.get("/api/v1/reports/coachingteamet/2025?publicering=ja").await.json();
    assert_eq!(json["protected"], true);
}

#[tokio::test]
async fn bad_choices_in_the_address_are_refused_in_swedish() {
    let app = scenario();
    let res = app.get("/rapport/coachingteamet/2025?publicering=kanske").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.text().contains("”kanske” är inget giltigt värde för publicering"));
    let res = app.get("/rapport/coachingteamet/2025?visning=allt").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = app.get("/rapport/coachingteamet/2025?okant=1").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = app.get("/api/v1/reports/coachingteamet/2025/tables?publicering=kanske").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["error"]["field"], "publicering");
    let res = app.get("/api/v1/reports/coachingteamet/2025/tables/finns_inte").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app.get("/api/v1/reports/coachingteamet/2025?format=pdf").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.json()["error"]["message"].as_str().unwrap().contains("xlsx"));
}

fn workbook(body: &[u8]) -> Xlsx<std::io::Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(std::io::Cursor::new(body.to_vec())).expect("an xlsx workbook")
}

fn sheet_text(wb: &mut Xlsx<std::io::Cursor<Vec<u8>>>, name: &str) -> String {
    let range = wb.worksheet_range(name).unwrap();
    range.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect::<Vec<_>>().join("|")
}

#[tokio::test]
async fn the_xlsx_download_is_the_whole_report_marked_for_its_readers() {
    let app = scenario();
    let res = app.get("/api/v1/reports/coachingteamet/2025?format=xlsx").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert!(
        res.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("pinne-coachingteamet-2025-ej-for-publicering.xlsx")
    );
    let mut wb = workbook(&res.body);
    let names = wb.sheet_names();
    assert_eq!(names[0], "Om rapporten");
    assert!(names.len() > 8, "one sheet per table: {names:?}");
    assert!(sheet_text(&mut wb, "Om rapporten").contains("Ej för publicering"));
    // Real numbers: participants during the year, women 2025.
    let range = wb.worksheet_range("Deltagare").unwrap();
    let row = range.rows().find(|r| r[0] == "Deltagare under året").unwrap();
    assert!(row.iter().any(|c| matches!(c, Data::Float(x) if *x == 21.0) || matches!(c, Data::Int(21))));

    let reader = app.client("styrelsen", Role::Lasare, &[]);
    let res = reader.get("/api/v1/reports/coachingteamet/2025?format=xlsx").await;
    assert!(res.headers["content-disposition"].to_str().unwrap().contains("-publicering.xlsx"));
    let mut wb = workbook(&res.body);
    assert!(sheet_text(&mut wb, "Om rapporten").contains("Skyddad för publicering"));
    let name = wb.sheet_names().into_iter().find(|n| n.starts_with("Deltagare under året per")).unwrap();
    assert!(sheet_text(&mut wb, &name).contains(".."));
    // The CSV for Excel says which version it is on its first line.
    let csv = reader.get("/api/v1/reports/coachingteamet/2025?format=csv").await.text();
    assert!(
        csv.trim_start_matches('\u{feff}')
            .starts_with("Publiceringsversion: .. betyder att uppgiften inte visas – ett antal under 3")
    );
}

#[tokio::test]
async fn the_threshold_and_its_form_are_set_in_the_settings_and_checked() {
    let app = scenario();
    let before = app.store.config().privacy.clone();
    let res = app.post_form("/installningar", "action=privacy&threshold=1&form=").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("Gränsen är ett heltal från 2 till 20."));
    assert_eq!(app.store.config().privacy, before, "nothing stored");
    let res = app.post_form("/installningar", "action=privacy&threshold=5&form=f%C3%A4rre+%C3%A4n+5").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.config().privacy.threshold, 5);
    let reader = app.client("styrelsen", Role::Lasare, &[]);
    let html = reader.get("/rapport/coachingteamet/2025").await.text();
    // Four exits to anställning are now below the threshold too.
    assert_eq!(cells(&html, "avslut_orsak", "Anställning")[2], "färre än 5");
    assert!(app.audit_actions().contains(&"config_changed".to_string()));
}

#[tokio::test]
async fn the_five_year_view_and_the_print_view_show_the_whole_report() {
    let app = scenario();
    let html = app.get("/rapport/coachingteamet/2025?visning=trend").await.text();
    // Each gender group spans the five years 2021–2025.
    assert!(html.contains(r#"<th scope="colgroup" colspan="5">Kvinnor</th>"#));
    assert!(html.contains("Deltagare 2021–2025"));
    let print = app.get("/rapport/coachingteamet/2025/utskrift").await;
    assert_eq!(print.status, StatusCode::OK);
    let html = print.text();
    assert!(html.contains(r#"<body class="print-view">"#));
    assert!(!html.contains("Huvudmeny"), "no navigation on paper");
    for key in ["deltagare", "deltagare_kommun", "avslut_orsak", "mal"] {
        assert!(html.contains(&format!(r#"id="tabell-{key}""#)), "{key}");
    }
    assert!(html.contains("Ej för publicering."));
    let css = app.get("/assets/pinne.css").await.text();
    assert!(css.contains("@page { size: A4;"));
    let reader = app.client("styrelsen", Role::Lasare, &[]);
    assert!(reader.get("/rapport/coachingteamet/2025/utskrift").await.text().contains("Publiceringsversion."));
}

#[tokio::test]
async fn the_finsam_panel_has_the_national_figures_ready_to_type_in() {
    let app = scenario();
    // Mottagningsteamet has no participants: it is reported as volume, and it counts meetings.
    bulk(
        &app,
        "mottagningsteamet",
        &[
            ("vagledning", "2025-05", common::meeting("kvinna"), 70),
            ("vagledning", "2025-06", common::meeting("man"), 47),
        ],
    );
    let html = app.get("/uppfoljning/2025").await.text();
    assert!(html.contains("Deltagare per insats 2025"));
    // Kvinnor, Män, Totalt: the "Ej angivet" column is empty everywhere, so it is left out.
    assert_eq!(cells(&html, "finsam_deltagare", "Coachingteamet"), ["21", "15", "36"]);
    assert!(!html.contains("<th scope=\"col\">Ej angivet</th>"), "an empty column is left out");
    // The volume insats, with what its figures are: meetings, not people.
    assert_eq!(cells(&html, "finsam_volym", "Mottagningsteamet – Vägledning"), ["70", "47", "117"]);
    assert!(html.contains("räknas två gånger"), "the page says meetings are not people");
    // So does the insats' own report, at its tables.
    let report = app.get("/rapport/mottagningsteamet/2025").await.text();
    assert!(
        report.contains("Antalen är registreringar (till exempel möten eller besvarade enkäter), inte personer"),
        "{report}"
    );
    // The same as files and JSON, linked from the page.
    assert!(html.contains(r#"href="/api/v1/finsam/2025?format=csv""#), "{html}");
    let json = app.get("/api/v1/finsam/2025").await.json();
    assert_eq!(json["protected"], false);
    let keys: Vec<&str> = json["tables"].as_array().unwrap().iter().map(|t| t["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["finsam_deltagare", "finsam_volym", "finsam_struktur", "finsam_budget"]);
    let csv = app.get("/api/v1/finsam/2025?format=csv-plain").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers["content-disposition"].to_str().unwrap().contains("ej-for-publicering"));
    let text = csv.text();
    assert!(text.contains("Mottagningsteamet – Vägledning") && text.contains("117"), "{text}");
    assert_eq!(app.get("/api/v1/finsam/2025?format=pdf").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A reader gets the publication version, on the page and through the API.
    let reader = app.client("styrelsen", Role::Lasare, &[]);
    let html = reader.get("/uppfoljning/2025").await.text();
    assert!(html.contains("Publiceringsversion."));
    assert_eq!(cells(&html, "finsam_deltagare", "Coachingteamet")[2], "36");
    assert_eq!(reader.get("/api/v1/finsam/2025").await.json()["protected"], true);
    assert_eq!(app.get("/uppfoljning/2025?publicering=x").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_summary_gives_the_split_by_gender_when_the_folded_gender_is_not_shown() {
    let app = TestApp::new();
    let other = |kon| {
        vec![
            ("kon", kon),
            ("kommun", "karlskoga"),
            ("aldersgrupp", "30_39"),
            ("utbildning", "grundskola"),
            ("forsorjning", "forsorjningsstod"),
            ("tid_forsorjning", "3_8"),
        ]
    };
    bulk(
        &app,
        "coachingteamet",
        &[
            ("inskrivning", "2025-02", person("kvinna", "karlskoga"), 10),
            ("inskrivning", "2025-02", other("kvinna"), 10),
            ("inskrivning", "2025-02", person("man", "karlskoga"), 8),
            ("inskrivning", "2025-02", other("man"), 7),
            ("inskrivning", "2025-03", person("ej_angivet", "karlskoga"), 1),
        ],
    );
    let reader = app.client("styrelsen", Role::Lasare, &[]);
    let html = reader.get("/rapport/coachingteamet/2025").await.text();
    let at = html.find("Sammanfattning").unwrap();
    let summary = &html[at..at + html[at..].find("</section>").unwrap()];
    assert!(
        summary.contains("Under 2025 deltog 36 personer (20 kvinnor, 15 män och några med annat eller ej angivet kön)"),
        "{summary}"
    );
    assert!(!summary.contains("uppdelningen per kön visas inte"), "{summary}");
}

/// Each insats says how Uppföljning Finsam takes it: participants, volume (people met) or not at
/// all; unset, as its tallies suggest. A setting that does not fit is refused and nothing changes.
#[tokio::test]
async fn each_insats_says_how_the_national_system_takes_it() {
    let app = scenario();
    let cfg = app.store.config();
    let id = |key: &str| cfg.insats(key).unwrap().id;
    let panel = || async { app.get("/api/v1/finsam/2025").await.json() };
    let rows = |json: &serde_json::Value, key: &str| -> Vec<String> {
        json["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["key"] == key)
            .map(|t| t["rows"].as_array().unwrap().iter().map(|r| r["label"].as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    assert_eq!(rows(&panel().await, "finsam_deltagare"), ["Coachingteamet"]);
    // Coachingteamet as volume: its participants are the people met.
    let body = format!("action=insats_national&id={}&national=volume", id("coachingteamet"));
    assert_eq!(app.post_form("/installningar", &body).await.status, StatusCode::SEE_OTHER);
    let json = panel().await;
    assert!(rows(&json, "finsam_deltagare").is_empty());
    assert!(rows(&json, "finsam_volym").contains(&"Coachingteamet – Deltagare under året".to_string()), "{json}");
    let page = app.get("/installningar").await.text();
    assert!(page.contains(r#"<option value="volume" selected>"#), "{page}");
    // Mottagningsteamet not at all.
    let body = format!("action=insats_national&id={}&national=none", id("mottagningsteamet"));
    assert_eq!(app.post_form("/installningar", &body).await.status, StatusCode::SEE_OTHER);
    assert!(!rows(&panel().await, "finsam_volym").iter().any(|r| r.starts_with("Mottagningsteamet")));
    // Participants need entries and exits; an unknown choice is refused too.
    let before = app.store.config().insats("mottagningsteamet").unwrap().national;
    for bad in ["participants", "alla"] {
        let body = format!("action=insats_national&id={}&national={bad}", id("mottagningsteamet"));
        let res = app.post_form("/installningar", &body).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(res.text().contains("redovisas"), "{bad}");
        assert_eq!(app.store.config().insats("mottagningsteamet").unwrap().national, before, "nothing stored");
    }
    // Back to automatic.
    let body = format!("action=insats_national&id={}&national=", id("coachingteamet"));
    assert_eq!(app.post_form("/installningar", &body).await.status, StatusCode::SEE_OTHER);
    assert_eq!(rows(&panel().await, "finsam_deltagare"), ["Coachingteamet"]);
    assert!(app.audit_actions().iter().filter(|a| a.as_str() == "config_changed").count() >= 3);
}
