//! Importing tallies from spreadsheets: the template, the checks (every problem placed by sheet,
//! row and column; personal data refused and never repeated), all or nothing, the same file
//! twice, undo, the browser flow and the export that imports back to the same report.

mod common;

use axum::http::StatusCode;
use common::{Client, TestApp, bulk, exit, now, person};
use pinne::domain::account::Role;
use serde_json::Value;
use std::io::Read;

const CSV: &str = "text/csv";

fn csv(lines: &[&str]) -> Vec<u8> {
    let mut s = String::from("\u{feff}");
    for l in lines {
        s.push_str(l);
        s.push_str("\r\n");
    }
    s.into_bytes()
}

const HEADER: &str = "Insats;Registrering;Månad;Kön;Kommun (folkbokföring);Åldersgrupp;Utbildningsnivå;Försörjning vid inskrivning;Tid med offentlig försörjning;Avslutsorsak;Tid i insatsen;Antal";

fn entry_row(month: &str, kon: &str, n: u32) -> String {
    format!(
        "Coachingteamet;Inskrivning;{month};{kon};Karlskoga;25–29 år;Fullföljd gymnasieutbildning;Ersättning från Försäkringskassan;1–3 år;;;{n}"
    )
}

async fn import(client: &Client, query: &str, body: Vec<u8>) -> common::Response {
    client.post_bytes(&format!("/api/v1/imports{query}"), CSV, body).await
}

/// The as-counted report of an insats and year as JSON, without what names the moment it was made.
async fn report(app: &TestApp, insats: &str, year: i32) -> Value {
    let res = app.get(&format!("/api/v1/reports/{insats}/{year}?publicering=nej")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

#[tokio::test]
async fn the_template_has_a_sheet_per_kind_with_drop_down_lists_and_no_retired_choices() {
    let app = TestApp::new();
    let huvudman = app.client("huvudman", Role::Huvudman, &["coachingteamet"]);
    // Retire a municipality value: the template leaves it out.
    let cfg = app.store.config();
    let degerfors = cfg.dimension("kommun").unwrap().value_by_key("degerfors").unwrap().id;
    app.store.write_blocking(|tx| pinne::store::config::set_value_retired(tx, degerfors, true)).unwrap();
    app.store.reload_config().unwrap();

    let res = huvudman.get("/import/mall.xlsx?insats=coachingteamet").await;
    assert_eq!(res.status, StatusCode::OK, "{}", String::from_utf8_lossy(&res.body));
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(res.body.clone())).unwrap();
    let names = book.sheet_names();
    assert_eq!(names.first().map(String::as_str), Some("Instruktioner"));
    for kind in ["Inskrivning", "Avslut", "Enkät (indikatorer)", "Frågor om våld", "Aktivitetsbetyg"] {
        assert!(names.iter().any(|n| n == kind), "no sheet {kind}: {names:?}");
    }
    // Mottagningsteamet's guidance and the structural activities are not Coachingteamet's.
    assert!(!names.iter().any(|n| n == "Vägledning" || n == "Strukturaktivitet"), "{names:?}");
    let exits = book.worksheet_range("Avslut").unwrap();
    let header: Vec<String> = exits.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(
        header,
        [
            "Insats",
            "Månad",
            "Kön",
            "Kommun (folkbokföring)",
            "Åldersgrupp",
            "Utbildningsnivå",
            "Försörjning vid inskrivning",
            "Tid med offentlig försörjning",
            "Avslutsorsak",
            "Tid i insatsen",
            "Antal"
        ]
    );
    let lists = book.worksheet_range("Val").unwrap();
    let cells: Vec<String> = lists.cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(cells.iter().any(|c| c == "Karlskoga") && cells.iter().any(|c| c == "Kvinna"), "{cells:?}");
    assert!(!cells.iter().any(|c| c == "Degerfors"), "a retired choice is offered: {cells:?}");
    let instructions: Vec<String> =
        book.worksheet_range("Instruktioner").unwrap().cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(instructions.iter().any(|l| l.contains("ÅÅÅÅ-MM")), "{instructions:?}");

    // The empty template imports as "no tallies": its instructions and lists are not read as rows.
    let empty = import(&huvudman, "?dry_run=true", huvudman.get("/import/mall.xlsx").await.body).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty.json()["problems"][0]["message"], "Filen innehåller inga registreringar.", "{}", empty.text());

    // Every question column has a drop-down list that points at the hidden sheet.
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(res.body)).unwrap();
    let mut xml = String::new();
    let sheet = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .find(|n| n == "xl/worksheets/sheet3.xml")
        .expect("the exit sheet");
    zip.by_name(&sheet).unwrap().read_to_string(&mut xml).unwrap();
    assert!(xml.matches("type=\"list\"").count() >= 9, "list validations: {}", xml.matches("type=\"list\"").count());
    assert!(xml.contains("Val!$"), "lists are not on the hidden sheet");
    let mut workbook = String::new();
    zip.by_name("xl/workbook.xml").unwrap().read_to_string(&mut workbook).unwrap();
    assert!(workbook.contains("name=\"Val\"") && workbook.contains("state=\"hidden\""), "{workbook}");

    // The CSV template: the same columns for Swedish Excel.
    // One kind only, as the form on /import asks for it.
    let page = huvudman.get("/import").await.text();
    assert!(page.contains("formaction=\"/import/mall.csv\"") && page.contains("name=\"kind\""), "{page}");
    let res = huvudman.get("/import/mall.xlsx?insats=&kind=fov").await;
    let one: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(res.body)).unwrap();
    assert_eq!(one.sheet_names(), ["Instruktioner", "Frågor om våld", "Val"]);
    let res = huvudman.get("/import/mall.csv?insats=coachingteamet").await;
    let text = res.text();
    assert!(text.starts_with('\u{feff}'));
    assert!(text.lines().next().unwrap().starts_with("\u{feff}Insats;Registrering;Månad;Kön;"), "{text}");
    assert_eq!(text.lines().count(), 1, "a template holds no rows");
}

#[tokio::test]
async fn an_export_imported_into_an_empty_database_gives_the_same_report() {
    let source = TestApp::new();
    let mut items = Vec::new();
    for (month, n) in [("2024-02", 9), ("2024-09", 5), ("2025-03", 7), ("2025-10", 4)] {
        items.push(("inskrivning", month, person("kvinna", "karlskoga"), n));
        items.push(("inskrivning", month, person("man", "degerfors"), n / 2));
    }
    items.push(("avslut", "2025-06", exit("kvinna", "karlskoga", "studier"), 3));
    items.push(("avslut", "2025-11", exit("man", "degerfors", "anstallning"), 2));
    items.push((
        "enkat",
        "2025-05",
        vec![
            ("respondentgrupp", "deltagare_pagaende"),
            ("kon", "kvinna"),
            ("nns_nytta", "ofta"),
            ("nns_tid", "alltid"),
        ],
        6,
    ));
    bulk(&source, "coachingteamet", &items);
    bulk(
        &source,
        "mottagningsteamet",
        &[(
            "vagledning",
            "2025-04",
            vec![
                ("kon", "man"),
                ("kommun", "karlskoga"),
                ("aldersgrupp", "25_29"),
                ("forsorjning", "forsakringskassan"),
                ("mote_i_tid", "ja"),
                ("myndighetskontakter", "vard"),
                ("myndighetskontakter", "forsakringskassan"),
                ("nasta_steg", "coachingteamet"),
            ],
            3,
        )],
    );

    let target = TestApp::new();
    for insats in ["coachingteamet", "mottagningsteamet"] {
        let res = source.get(&format!("/api/v1/exports/{insats}/2025")).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let text = res.text();
        assert!(text.contains("Coachingteamet") || text.contains("Mottagningsteamet"));
        let res = import(&target.chef, "", res.body).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        assert!(res.json()["stored"].as_bool().unwrap());
    }
    assert_eq!(source.footprint(), target.footprint());
    for (insats, year) in [("coachingteamet", 2025), ("coachingteamet", 2024), ("mottagningsteamet", 2025)] {
        assert_eq!(report(&source, insats, year).await, report(&target, insats, year).await, "{insats} {year}");
    }
    // A guidance meeting's several agency contacts survive the trip in one cell.
    let text = source.get("/api/v1/exports/mottagningsteamet/2025").await.text();
    assert!(text.contains("Hälso- och sjukvård; Försäkringskassan"), "{text}");
}

#[tokio::test]
async fn a_broken_row_anywhere_stores_nothing_and_every_problem_is_placed() {
    let app = TestApp::new();
    let before = app.footprint();
    let mut lines = vec![HEADER.to_string()];
    for i in 0..300 {
        lines.push(entry_row(&format!("2025-{:02}", i % 12 + 1), if i % 2 == 0 { "Kvinna" } else { "Man" }, 1));
    }
    // Row 302: an unknown choice; row 303: a month after today; row 304: a required answer missing.
    lines.push(entry_row("2025-05", "Kvina", 1));
    lines.push(entry_row("2027-01", "Man", 1));
    lines.push("Coachingteamet;Inskrivning;2025-05;;Karlskoga;25–29 år;Fullföljd gymnasieutbildning;Ersättning från Försäkringskassan;1–3 år;;;1".into());
    lines.push(entry_row("2025-05", "Man", 1).replace(";1–3 år;;;1", ";1–3 år;;;tre"));
    let body = csv(&lines.iter().map(String::as_str).collect::<Vec<_>>());
    let res = import(&app.chef, "", body).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    let json = res.json();
    let problems = json["problems"].as_array().unwrap();
    let at = |row: u64| {
        problems.iter().find(|p| p["row"] == row).unwrap_or_else(|| panic!("no problem on row {row}: {problems:?}"))
    };
    assert_eq!(at(302)["column"], "D (Kön)");
    assert!(at(302)["message"].as_str().unwrap().contains("”Kvina” är inget giltigt val för kön"), "{}", at(302));
    assert_eq!(at(303)["column"], "C (Månad)");
    assert!(at(303)["message"].as_str().unwrap().contains("har inte börjat"), "{}", at(303));
    assert_eq!(at(304)["column"], "D (Kön)");
    assert!(at(304)["message"].as_str().unwrap().contains("Välj kön"), "{}", at(304));
    assert_eq!(at(305)["column"], "L (Antal)");
    assert_eq!(problems.len(), 4, "{problems:?}");
    assert!(!json["stored"].as_bool().unwrap());
    assert_eq!(app.footprint(), before, "a file with a broken row stored something");
    assert!(!app.audit_actions().iter().any(|a| a == "import_stored"));
}

#[tokio::test]
async fn personal_data_in_any_cell_is_refused_and_never_repeated() {
    let app = TestApp::new();
    let before = app.footprint();
    let secrets = ["19811218-9876", "anna.svensson@example.se", "Anna Svensson", "070-123 45 67"];
    let cases = [
        // In a choice column.
        entry_row("2025-05", secrets[2], 1),
        // In a column of its own.
        format!("{};{}", entry_row("2025-05", "Kvinna", 1), secrets[0]),
        // In the month and the insats.
        entry_row(secrets[1], "Kvinna", 1),
        entry_row("2025-05", "Kvinna", 1).replacen("Coachingteamet", secrets[3], 1),
    ];
    for (i, row) in cases.iter().enumerate() {
        let body = csv(&[HEADER, &entry_row("2025-04", "Man", 1), row]);
        let res = import(&app.chef, "?dry_run=true", body).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "case {i}: {}", res.text());
        let text = res.text();
        for s in secrets {
            assert!(!text.contains(s), "case {i} repeats {s}: {text}");
        }
        assert!(text.contains("personuppgifter"), "case {i}: {text}");
    }
    // In an XLSX: a name in any cell of any sheet, even one that is not read as tallies.
    let mut book = rust_xlsxwriter::Workbook::new();
    let s = book.add_worksheet().set_name("Anteckningar").unwrap();
    s.write_string(4, 2, "Ring 19811218-9876").unwrap();
    let body = book.save_to_buffer().unwrap();
    let res = import(&app.chef, "", body).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    let p = &res.json()["problems"][0];
    assert_eq!(
        (p["sheet"].as_str(), p["row"].as_u64(), p["column"].as_str()),
        (Some("Anteckningar"), Some(5), Some("C"))
    );
    assert!(!res.text().contains("9876"));
    assert_eq!(app.footprint(), before);
    let log = app
        .store
        .read_blocking(|c| {
            Ok(c.query_row("SELECT group_concat(detail, ' ') FROM audit", [], |r| r.get::<_, Option<String>>(0))?)
        })
        .unwrap();
    assert!(!log.unwrap_or_default().contains("9876"));
}

#[tokio::test]
async fn files_that_are_not_tally_sheets_get_a_clear_error() {
    let app = TestApp::new();
    let before = app.footprint();
    let error = |res: &common::Response| res.json()["error"]["message"].as_str().unwrap_or_default().to_string();

    let res = import(&app.chef, "", b"%PDF-1.7 not a sheet".to_vec()).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(error(&res).contains("varken en Excel-arbetsbok"), "{}", error(&res));

    let res = import(&app.chef, "", vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]).await;
    assert!(error(&res).contains(".xls"), "{}", error(&res));

    // Latin-1, as an old "CSV (semikolonavgränsad)" from Excel is saved.
    let latin1: Vec<u8> = "Insats;Registrering;Månad;Kön\nCoachingteamet;Inskrivning;2025-05;Kvinna\n"
        .chars()
        .map(|c| c as u32 as u8)
        .collect();
    let res = import(&app.chef, "", latin1).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(error(&res).contains("UTF-8"), "{}", error(&res));

    let res = import(&app.chef, "", vec![0xFF, 0xFE, b'I', 0, b'n', 0]).await;
    assert!(error(&res).contains("UTF-16"), "{}", error(&res));

    // A formula in a workbook.
    let mut book = rust_xlsxwriter::Workbook::new();
    let s = book.add_worksheet().set_name("Inskrivning").unwrap();
    s.write_string(0, 0, "Insats").unwrap();
    s.write_formula(1, 0, "=HYPERLINK(\"http://example.com\",\"Coachingteamet\")").unwrap();
    let res = import(&app.chef, "", book.save_to_buffer().unwrap()).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(error(&res).contains("cell A2") && error(&res).contains("formel"), "{}", error(&res));
    // And one in CSV.
    let res = import(&app.chef, "", csv(&[HEADER, &entry_row("2025-05", "=1+1", 1)])).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("formel"), "{}", res.text());

    // A zip bomb: a workbook part that unpacks to 310 MB of zeros.
    let bomb = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bomb.xlsx")).unwrap();
    assert!(bomb.len() < 1024 * 1024);
    let res = import(&app.chef, "", bomb).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(error(&res).contains("zip-bomb"), "{}", error(&res));

    // 100 MB: over the limit, in the API and in the browser.
    let big = vec![b'a'; 100 * 1024 * 1024];
    let res = import(&app.chef, "", big.clone()).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(error(&res).contains("30 MB"), "{}", error(&res));
    let res = app.chef.upload("/import", "stor.csv", &big).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text().contains("Filen är för stor"), "{}", res.text());

    // An empty file and a sheet that is not a kind.
    let res = import(&app.chef, "", Vec::new()).await;
    assert!(error(&res).contains("tom"), "{}", error(&res));
    let res = import(&app.chef, "", csv(&["Datum;Besökare", "2025-05;3"])).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("Okänd kolumn"), "{}", res.text());

    assert_eq!(app.footprint(), before);
}

#[tokio::test]
async fn a_count_per_combination_workbook_is_read_with_dates_and_zero_rows() {
    let app = TestApp::new();
    let mut book = rust_xlsxwriter::Workbook::new();
    let s = book.add_worksheet().set_name("Avslut").unwrap();
    // Headings may be the questions' keys as well as their labels; the sheet's name says the kind.
    let headings = [
        "Insats",
        "Månad",
        "Kön",
        "kommun",
        "Avslutsorsak",
        "Antal",
        "aldersgrupp",
        "utbildning",
        "forsorjning",
        "tid_forsorjning",
        "Tid i insatsen",
    ];
    for (c, h) in headings.iter().enumerate() {
        s.write_string(0, c as u16, *h).unwrap();
    }
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 3, 1).unwrap();
    let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm");
    let rows = [
        ("Kvinna", "Karlskoga", "Studier", 4.0),
        ("Man", "Degerfors", "Anställning", 0.0),
        ("man", "karlskoga", "studier", 2.0),
    ];
    for (r, (kon, kommun, reason, n)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        s.write_string(r, 0, "coachingteamet").unwrap();
        s.write_datetime_with_format(r, 1, &date, &fmt).unwrap();
        s.write_string(r, 2, *kon).unwrap();
        s.write_string(r, 3, *kommun).unwrap();
        s.write_string(r, 4, *reason).unwrap();
        s.write_number(r, 5, *n).unwrap();
        for (c, v) in
            ["25–29 år", "gymnasium", "Ersättning från Försäkringskassan", "1_3", "7–12 månader"].iter().enumerate()
        {
            s.write_string(r, 6 + c as u16, *v).unwrap();
        }
    }
    let res = import(&app.chef, "?dry_run=true", book.save_to_buffer().unwrap()).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let json = res.json();
    assert_eq!(json["rows"], 3);
    assert_eq!(json["tallies"], 6);
    assert_eq!(
        json["months"],
        serde_json::json!([{"insats": "coachingteamet", "kind": "avslut", "period": "2025-03", "tallies": 6}])
    );
    assert_eq!(app.footprint().0, 0, "a dry run stored something");

    // A sheet without a required question's column says so once, at its heading.
    let mut book = rust_xlsxwriter::Workbook::new();
    let s = book.add_worksheet().set_name("Inskrivning").unwrap();
    for (c, h) in ["Insats", "Månad", "Kön", "Antal"].iter().enumerate() {
        s.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=50 {
        s.write_string(r, 0, "Coachingteamet").unwrap();
        s.write_string(r, 1, "2025-03").unwrap();
        s.write_string(r, 2, "Kvinna").unwrap();
    }
    let res = import(&app.chef, "?dry_run=true", book.save_to_buffer().unwrap()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    let problems = res.json()["problems"].as_array().unwrap().clone();
    assert_eq!(problems.len(), 5, "one problem per missing column, not per row: {problems:?}");
    assert!(problems.iter().all(|p| p["sheet"] == "Inskrivning" && p["row"] == 1), "{problems:?}");
    assert!(
        problems[0]["message"].as_str().unwrap().contains("Kolumnen Kommun (folkbokföring) saknas"),
        "{problems:?}"
    );
}

#[tokio::test]
async fn the_same_file_twice_needs_confirmation_and_undo_restores_the_reports() {
    let app = TestApp::new();
    bulk(&app, "coachingteamet", &[("inskrivning", "2025-02", person("kvinna", "karlskoga"), 5)]);
    let before = report(&app, "coachingteamet", 2025).await;
    let body = csv(&[HEADER, &entry_row("2025-03", "Man", 4), &entry_row("2025-04", "Kvinna", 3)]);
    let res = import(&app.chef, "", body.clone()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let first = res.json()["import"]["id"].as_i64().unwrap();
    assert_eq!(res.json()["import"]["tallies"], 7);
    assert_eq!(report(&app, "coachingteamet", 2025).await["participants"]["entries"], 12);

    let res = import(&app.chef, "", body.clone()).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());
    assert!(res.text().contains("again=true"));
    let res = import(&app.chef, "?again=true", body.clone()).await;
    assert_eq!(res.status, StatusCode::CREATED);
    let second = res.json()["import"]["id"].as_i64().unwrap();
    assert_eq!(report(&app, "coachingteamet", 2025).await["participants"]["entries"], 19);

    for id in [second, first] {
        let res = app.chef.post_json(&format!("/api/v1/imports/{id}/undo"), "").await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert_eq!(res.json()["voided"], 7);
    }
    assert_eq!(report(&app, "coachingteamet", 2025).await, before, "undo left the report changed");
    let res = app.chef.post_json(&format!("/api/v1/imports/{first}/undo"), "").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let reasons = app
        .store
        .read_blocking(|c| {
            Ok(c.query_row("SELECT count(*) FROM tally WHERE void_reason = 'import_angrad'", [], |r| {
                r.get::<_, i64>(0)
            })?)
        })
        .unwrap();
    assert_eq!(reasons, 14);
    // Undone, the file may be imported again without confirming.
    assert_eq!(import(&app.chef, "?dry_run=true", body).await.json()["same_file"], Value::Null);
    let audit = app
        .store
        .read_blocking(|c| {
            let mut s = c.prepare("SELECT action, detail FROM audit WHERE action LIKE 'import%' ORDER BY id")?;
            Ok(s.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .unwrap();
    assert_eq!(
        audit.iter().map(|a| a.0.as_str()).collect::<Vec<_>>(),
        ["import_stored", "import_stored", "import_undone", "import_undone"]
    );
    assert!(
        audit[0].1.contains("byte") && audit[0].1.contains("2 rader") && audit[0].1.contains("7 registreringar"),
        "{}",
        audit[0].1
    );
    assert!(!audit.iter().any(|a| a.1.contains("Kvinna") || a.1.contains("Karlskoga")));
}

/// Follows the job page until it leaves its progress state.
async fn settle(client: &Client, job: &str) -> String {
    for _ in 0..400 {
        let res = client.get(job).await;
        assert_eq!(res.status, StatusCode::OK);
        let text = res.text();
        if !text.contains("http-equiv=\"refresh\"") {
            return text;
        }
        assert!(text.contains("<progress"), "{text}");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the job never finished");
}

#[tokio::test]
async fn the_browser_flow_checks_previews_stores_and_undoes() {
    let app = TestApp::new();
    let huvudman = app.client("huvudman", Role::Huvudman, &["coachingteamet"]);
    let page = huvudman.get("/import").await.text();
    assert!(page.contains("enctype=\"multipart/form-data\"") && page.contains("/import/mall.xlsx"), "{page}");

    // A file with an error: listed, nothing stored.
    let bad = csv(&[HEADER, &entry_row("2025-03", "Kvina", 1)]);
    let res = huvudman.upload("/import", "pinnar.csv", &bad).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let text = settle(&huvudman, &res.location()).await;
    assert!(text.contains("Filen har fel – inget har sparats") && text.contains("D (Kön)"), "{text}");

    let good = csv(&[HEADER, &entry_row("2025-03", "Man", 4), &entry_row("2025-04", "Kvinna", 3)]);
    let res = huvudman.upload("/import", "pinnar.csv", &good).await;
    let job = res.location();
    let text = settle(&huvudman, &job).await;
    assert!(text.contains("Förhandsgranska importen") && text.contains("Spara 7 registreringar"), "{text}");
    assert_eq!(app.footprint().0, 0, "a preview stored something");
    let res = huvudman.post_form(&format!("{job}/spara"), "").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let text = settle(&huvudman, &job).await;
    assert!(text.contains("7 registreringar är sparade"), "{text}");
    assert_eq!(app.footprint().0, 7);
    // Posting again shows where it stands and stores nothing more.
    huvudman.post_form(&format!("{job}/spara"), "").await;
    assert_eq!(app.footprint().0, 7);

    // The same file again: the preview warns, and storing needs the box ticked.
    let res = huvudman.upload("/import", "pinnar.csv", &good).await;
    let job = res.location();
    let text = settle(&huvudman, &job).await;
    assert!(text.contains("Samma fil importerades"), "{text}");
    let res = huvudman.post_form(&format!("{job}/spara"), "").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(app.footprint().0, 7);

    // Another account cannot see the job; an upload without the CSRF field is refused.
    let other = app.client("annan", Role::Huvudman, &["coachingteamet"]);
    assert_eq!(other.get(&job).await.status, StatusCode::NOT_FOUND);
    let forged = Client { csrf: Some("fel".into()), ..huvudman.clone() };
    assert_eq!(forged.upload("/import", "pinnar.csv", &good).await.status, StatusCode::FORBIDDEN);

    // Undo needs the box ticked, then voids the whole import.
    let id = app
        .store
        .read_blocking(|c| Ok(c.query_row("SELECT max(id) FROM import", [], |r| r.get::<_, i64>(0))?))
        .unwrap();
    let res = huvudman.post_form(&format!("/import/{id}/angra"), "").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = huvudman.post_form(&format!("/import/{id}/angra"), "bekrafta=ja").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.text().contains("7 registreringar är makulerade"), "{}", res.text());
    let counted = app
        .store
        .read_blocking(|c| Ok(c.query_row("SELECT coalesce(sum(n), 0) FROM tally_count", [], |r| r.get::<_, i64>(0))?))
        .unwrap();
    assert_eq!(counted, 0);
}

#[tokio::test]
async fn coaches_readers_and_other_insatser_may_not_import() {
    let app = TestApp::new();
    let coach = app.client("coach", Role::Coach, &["coachingteamet"]);
    let reader = app.client("lasare", Role::Lasare, &[]);
    let body = csv(&[HEADER, &entry_row("2025-03", "Man", 1)]);
    for c in [&coach, &reader] {
        assert_eq!(c.get("/import").await.status, StatusCode::FORBIDDEN);
        assert_eq!(c.get("/import/mall.xlsx").await.status, StatusCode::FORBIDDEN);
        assert_eq!(c.get("/api/v1/exports/coachingteamet/2025").await.status, StatusCode::FORBIDDEN);
        assert_eq!(import(c, "", body.clone()).await.status, StatusCode::FORBIDDEN);
        assert_eq!(c.upload("/import", "a.csv", &body).await.status, StatusCode::FORBIDDEN);
    }
    let other = app.client("huvudman2", Role::Huvudman, &["mottagningsteamet"]);
    let res = import(&other, "", body).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("som du inte arbetar med"), "{}", res.text());
    assert_eq!(other.get("/api/v1/exports/coachingteamet/2025").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.footprint().0, 0);
}

#[tokio::test]
async fn a_closed_year_is_refused_row_by_row() {
    let app = TestApp::new();
    let res = app.post_form("/rapport/coachingteamet/2024/stang", "").await;
    assert!(res.status.is_redirection() || res.status == StatusCode::OK, "{}", res.status);
    let body = csv(&[
        HEADER,
        &entry_row("2025-03", "Man", 1),
        &entry_row("2024-12", "Man", 1),
        &entry_row("2023-05", "Kvinna", 1),
    ]);
    let res = import(&app.chef, "", body).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    let problems = res.json()["problems"].as_array().unwrap().clone();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0]["row"], 3);
    assert!(problems[0]["message"].as_str().unwrap().contains("2024 är stängt"));
    assert!(problems[1]["message"].as_str().unwrap().contains("ändrar 2024"));
    assert_eq!(app.footprint().0, 0);
    let _ = now();
}
