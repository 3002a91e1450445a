//! Earlier years as figures: the published figures of the 2023 annual report of Coachingteamet
//! (and the indicator shares of 2019–2023) entered as figures, then 2024 tallied; the 2024 report's
//! previous-year columns, goal comparison and five-year view show them, marked, protected when
//! published, and never in the flow arithmetic. Also the enrolled at the start, and bad input.

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, TestApp, bulk, exit, person};
use pinne::domain::account::Role;
use serde_json::{Value, json};

const QUESTIONS: [&str; 7] =
    ["nns_nytta", "nns_bestammer", "nns_tid", "nns_kontakt", "nns_hantera", "nns_redo", "nns_erfarenheter"];
const PLANNING: [&str; 3] = ["nns_planering", "nns_planering_tillracklig", "nns_planering_i_tid"];

/// Indicator shares of the seed report (per cent), ongoing participants and at exit, 2019–2023.
fn indicators(year: i32) -> ([u32; 7], [u32; 7], [u32; 3]) {
    match year {
        2023 => ([92, 93, 92, 100, 73, 59, 92], [95, 96, 89, 100, 80, 70, 94], [93, 93, 100]),
        2022 => ([95, 91, 96, 100, 78, 65, 95], [98, 97, 97, 100, 79, 65, 97], [91, 92, 90]),
        2021 => ([93, 96, 91, 86, 79, 60, 93], [90, 95, 95, 100, 85, 65, 90], [84, 94, 88]),
        2020 => ([91, 95, 93, 98, 76, 56, 97], [89, 96, 92, 100, 79, 66, 92], [86, 96, 88]),
        2019 => ([87, 92, 89, 99, 87, 78, 98], [94, 93, 81, 93, 68, 67, 100], [67, 100, 90]),
        _ => unreachable!(),
    }
}

fn figures_of(year: i32) -> Value {
    let mut f = Vec::new();
    let (ongoing, at_exit, planning) = indicators(year);
    for (q, p) in QUESTIONS.iter().zip(ongoing) {
        f.push(json!({"measure": "positiva", "kind": "enkat", "scope": "deltagare_pagaende", "question": q, "share": p as f64 / 100.0}));
    }
    for (q, p) in QUESTIONS.iter().chain(&PLANNING).zip(at_exit.iter().chain(&planning)) {
        f.push(json!({"measure": "positiva", "kind": "enkat", "scope": "deltagare_avslut", "question": q, "share": *p as f64 / 100.0}));
    }
    match year {
        2023 => {
            f.push(json!({"measure": "deltagare", "gender": "kvinna", "count": 114}));
            f.push(json!({"measure": "deltagare", "gender": "man", "count": 69}));
            f.push(json!({"measure": "deltagare", "dimension": "kommun", "value": "karlskoga", "share": 0.78}));
            f.push(json!({"measure": "deltagare", "dimension": "kommun", "value": "degerfors", "share": 0.22}));
            f.push(json!({"measure": "avslut", "count": 63}));
            f.push(json!({"measure": "avslut", "dimension": "avslutsorsak", "value": "anstallning", "count": 8}));
            f.push(json!({"measure": "avslut", "dimension": "avslutsorsak", "value": "studier", "count": 13}));
            f.push(json!({"measure": "avslut", "dimension": "avslutsorsak", "value": "arbetsmarknaden", "count": 4}));
            f.push(json!({"measure": "avslut", "dimension": "avslutsorsak", "value": "rehabilitering", "share": 0.27}));
        }
        2022 => {
            f.push(json!({"measure": "deltagare", "count": 255}));
            f.push(json!({"measure": "deltagare", "gender": "kvinna", "count": 147}));
            f.push(json!({"measure": "deltagare", "gender": "man", "count": 108}));
            f.push(json!({"measure": "avslut", "count": 114}));
        }
        2021 => f.push(json!({"measure": "avslut", "count": 68})),
        _ => {}
    }
    json!({"year": year, "figures": f})
}

async fn put(client: &Client, path: &str, body: &Value) -> common::Response {
    client.request(Method::PUT, path, Some("application/json"), &body.to_string()).await
}

/// The figure of a table's record: (row, column group, year) → value, share.
fn record(table: &Value, row: &str, column: &str, year: i32) -> Option<(Value, Option<f64>)> {
    let cells: Vec<&Value> = table["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["row"] == row && r["column"] == column && r["year"] == year)
        .collect();
    if cells.is_empty() {
        return None;
    }
    let get = |m: &str| cells.iter().find(|r| r["measure"] == m).map(|r| r["value"].clone());
    Some((get("count").or_else(|| get("share")).unwrap_or(Value::Null), get("share").and_then(|s| s.as_f64())))
}

fn table<'a>(tables: &'a Value, key: &str) -> &'a Value {
    tables["tables"].as_array().unwrap().iter().find(|t| t["key"] == key).unwrap_or_else(|| panic!("no table {key}"))
}

async fn tables(client: &Client, year: i32, publication: bool) -> Value {
    let p = if publication { "ja" } else { "nej" };
    let res = client.get(&format!("/api/v1/reports/coachingteamet/{year}/tables?publicering={p}")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()
}

fn seed_2024(app: &TestApp) {
    let k = person("kvinna", "karlskoga");
    let m = person("man", "degerfors");
    let x = exit("kvinna", "karlskoga", "anstallning");
    let y = exit("man", "karlskoga", "studier");
    bulk(
        app,
        "coachingteamet",
        &[
            ("inskrivning", "2024-02", k.clone(), 30),
            ("inskrivning", "2024-03", m.clone(), 20),
            ("avslut", "2024-09", x, 6),
            ("avslut", "2024-10", y, 4),
        ],
    );
}

#[tokio::test]
async fn the_2023_report_figures_fill_the_2024_reports_previous_year_and_five_year_view() {
    let app = TestApp::new();
    let huvudman = app.client("huvudman", Role::Huvudman, &["coachingteamet"]);
    for year in 2019..=2023 {
        let res = put(&huvudman, &format!("/api/v1/earlier/coachingteamet/{year}"), &figures_of(year)).await;
        assert_eq!(res.status, StatusCode::OK, "{year}: {}", res.text());
    }
    // The genders give the 2023 total (183), stored beside them.
    let stored = huvudman.get("/api/v1/earlier/coachingteamet/2023").await.json();
    assert!(
        stored["figures"].as_array().unwrap().iter().any(|f| f["measure"] == "deltagare"
            && f.get("gender").is_none()
            && f.get("dimension").is_none()
            && f["count"] == 183),
        "{stored}"
    );
    seed_2024(&app);

    let t = tables(&huvudman, 2024, false).await;
    let flow = table(&t, "deltagare");
    // This year: counted (50 entries, nobody enrolled before: the 2023 figures are not a balance).
    assert_eq!(record(flow, "Inskrivna vid årets början", "Totalt", 2024).unwrap().0, json!(0));
    assert_eq!(record(flow, "Deltagare under året", "Totalt", 2024).unwrap().0, json!(50));
    // The previous year: the report's figures, and nothing where the report had none.
    assert_eq!(record(flow, "Deltagare under året", "Totalt", 2023).unwrap().0, json!(183));
    assert_eq!(record(flow, "Deltagare under året", "Kvinnor", 2023).unwrap().0, json!(114));
    assert_eq!(record(flow, "Deltagare under året", "Män", 2023).unwrap().0, json!(69));
    assert_eq!(record(flow, "Avslutade", "Totalt", 2023).unwrap().0, json!(63));
    assert_eq!(record(flow, "Nya inskrivningar", "Totalt", 2023), None, "never counted: empty, not 0");
    assert!(flow["note"].as_str().unwrap().contains("2023: från tidigare årsrapport"), "{}", flow["note"]);
    let column =
        flow["columns"].as_array().unwrap().iter().find(|c| c["group"] == "Totalt" && c["year"] == 2023).unwrap();
    assert_eq!(column["heading"], "Totalt 2023 (tidigare årsrapport)");
    assert_eq!(column["earlier_report"], true);

    let kommun = table(&t, "deltagare_kommun");
    assert_eq!(record(kommun, "Karlskoga", "Totalt", 2023).unwrap().0, json!(0.78));
    assert_eq!(record(kommun, "Degerfors", "Totalt", 2023).unwrap().0, json!(0.22));
    assert_eq!(record(kommun, "Karlskoga", "Kvinnor", 2023), None);

    let exits = table(&t, "avslut_orsak");
    assert_eq!(record(exits, "Anställning", "Totalt", 2023).unwrap(), (json!(8), Some(8.0 / 63.0)));
    assert_eq!(record(exits, "Studier", "Totalt", 2023).unwrap().0, json!(13));
    assert_eq!(record(exits, "Fortsatt rehabilitering hos en medlem", "Totalt", 2023).unwrap().0, json!(0.27));
    // The group is the sum of its known parts: 8 + 13 + 4.
    assert_eq!(
        record(exits, "Egen försörjning (anställning, studier, arbetsmarknaden)", "Totalt", 2023).unwrap().0,
        json!(25)
    );
    assert_eq!(record(exits, "Andel av deltagarna som avslutats", "Totalt", 2023).unwrap().0, json!(63.0 / 183.0));
    assert_eq!(record(exits, "Anställning", "Totalt", 2024).unwrap().0, json!(6));

    // The goal comparison with last year: egen försörjning 25 / 63, rehabilitering 27 %.
    let goals = table(&t, "mal");
    let row = |label: &str| {
        goals["rows"].as_array().unwrap().iter().find(|r| r["label"] == label).unwrap_or_else(|| panic!("{label}"))
            ["cells"]
            .clone()
    };
    assert_eq!(row("Egen försörjning")[2]["display"], "40\u{a0}%");
    assert_eq!(row("Fortsatt rehabilitering")[2]["display"], "27\u{a0}%");
    // A survey goal over several questions cannot be measured on the report's per-question shares.
    assert_eq!(row("Stöd och inflytande (indikator 1–4, andel av de svarande)")[2]["display"], "–");

    // The indicator trend: the 2024 report shows 2020–2023 from the reports.
    let survey = table(&t, "enkat_svar_deltagare_pagaende");
    let q1 = "1. Får du stöd på ett sätt som är till stor nytta för dig?";
    for (year, share) in [(2020, 0.91), (2021, 0.93), (2022, 0.95), (2023, 0.92)] {
        assert_eq!(record(survey, q1, "Andel positiva", year).unwrap().0, json!(share), "{year}");
    }
    let at_exit = table(&t, "enkat_svar_deltagare_avslut");
    let planning = "Vid avslut: Har ni påbörjat en planering för vad som ska hända efter nuvarande stöd har upphört?";
    assert_eq!(record(at_exit, planning, "Andel positiva", 2021).unwrap().0, json!(0.84));

    // The 2023 report (all its five years from reports) reaches back to 2019.
    let t23 = tables(&huvudman, 2023, false).await;
    let survey23 = table(&t23, "enkat_svar_deltagare_pagaende");
    assert_eq!(record(survey23, q1, "Andel positiva", 2019).unwrap().0, json!(0.87));
    assert_eq!(record(table(&t23, "deltagare"), "Deltagare under året", "Totalt", 2022).unwrap().0, json!(255));

    // The five-year view of the 2024 report: 2022 and 2023 from the reports, 2024 counted.
    let page = huvudman.get("/rapport/coachingteamet/2024?visning=trend").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    let start = html.find("id=\"tabell-deltagare\"").expect("the participants table");
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    for needle in
        ["Deltagare 2020–2024", "255", "183", "tidigare årsrapport", "2022 och 2023: från tidigare årsrapport"]
    {
        assert!(section.contains(needle), "{needle} not in {section}");
    }

    // The publication version shows them too, protected as any figure (none is small here).
    let published = tables(&huvudman, 2024, true).await;
    let flow = table(&published, "deltagare");
    assert_eq!(record(flow, "Deltagare under året", "Totalt", 2023).unwrap().0, json!(183));
    assert_eq!(record(table(&published, "deltagare_kommun"), "Karlskoga", "Totalt", 2023).unwrap().0, json!(0.78));
}

#[tokio::test]
async fn small_earlier_figures_are_hidden_in_the_publication_version() {
    let app = TestApp::new();
    let huvudman = app.client("huvudman", Role::Huvudman, &["coachingteamet"]);
    // Every exit reason given: 2 + 10 + 4 + 4 = 20, the small 2 could be worked out from the rest.
    let mut figures = vec![
        json!({"measure": "deltagare", "gender": "kvinna", "count": 40}),
        json!({"measure": "deltagare", "gender": "man", "count": 30}),
        json!({"measure": "avslut", "count": 20}),
    ];
    for (reason, n) in [
        ("anstallning", 2),
        ("studier", 10),
        ("arbetsmarknaden", 0),
        ("rehabilitering", 4),
        ("vard", 4),
        ("foraldraledig_flytt", 0),
        ("ovrigt", 0),
    ] {
        figures.push(json!({"measure": "avslut", "dimension": "avslutsorsak", "value": reason, "count": n}));
    }
    let body = json!({"year": 2023, "figures": figures});
    assert_eq!(put(&huvudman, "/api/v1/earlier/coachingteamet/2023", &body).await.status, StatusCode::OK);
    seed_2024(&app);
    let counted = tables(&huvudman, 2024, false).await;
    assert_eq!(record(table(&counted, "avslut_orsak"), "Anställning", "Totalt", 2023).unwrap().0, json!(2));
    let reader = app.client("lasare", Role::Lasare, &["coachingteamet"]);
    for client in [&huvudman, &reader] {
        for year in [2023, 2024] {
            let published = tables(client, year, true).await;
            let exits = table(&published, "avslut_orsak");
            let cell = |row: &str| {
                exits["records"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| r["row"] == row && r["column"] == "Totalt" && r["year"] == 2023)
                    .map(|r| (r["measure"].as_str().unwrap().to_string(), r["value"].clone()))
                    .unwrap()
            };
            assert_eq!(cell("Anställning").0, "hidden", "{year}");
            assert_eq!(cell("Alla avslut").1, json!(20), "{year}");
            // 20 − the shown reasons must not give the 2 back: another reason is hidden too.
            let others = [
                "Studier",
                "Står till arbetsmarknadens förfogande",
                "Fortsatt rehabilitering hos en medlem",
                "Vård",
                "Föräldraledighet eller flytt",
                "Övrigt",
            ];
            assert!(others.iter().any(|r| cell(r).0 == "hidden"), "{year}: {exits}");
        }
    }
}

#[tokio::test]
async fn the_enrolled_at_the_start_open_the_first_tallied_year() {
    let app = TestApp::new();
    let huvudman = app.client("huvudman", Role::Huvudman, &["coachingteamet"]);
    let body = json!({"year": 2024, "figures": [
        {"measure": "inskrivna", "gender": "kvinna", "count": 20},
        {"measure": "inskrivna", "gender": "man", "count": 15},
        {"measure": "inskrivna", "gender": "kvinna", "dimension": "kommun", "value": "karlskoga", "count": 14},
        {"measure": "inskrivna", "gender": "kvinna", "dimension": "kommun", "value": "degerfors", "count": 6},
        {"measure": "inskrivna", "gender": "man", "dimension": "kommun", "value": "karlskoga", "count": 15},
    ]});
    let res = put(&huvudman, "/api/v1/earlier/coachingteamet/opening", &body).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    seed_2024(&app);
    let t = tables(&huvudman, 2024, false).await;
    let flow = table(&t, "deltagare");
    assert_eq!(record(flow, "Inskrivna vid årets början", "Totalt", 2024).unwrap().0, json!(35));
    assert_eq!(record(flow, "Inskrivna vid årets början", "Kvinnor", 2024).unwrap().0, json!(20));
    assert_eq!(record(flow, "Deltagare under året", "Totalt", 2024).unwrap().0, json!(85));
    assert_eq!(record(flow, "Inskrivna vid årets slut", "Totalt", 2024).unwrap().0, json!(75));
    // The year before shows the same number as enrolled at its end, from the entered counts.
    assert_eq!(record(flow, "Inskrivna vid årets slut", "Totalt", 2023).unwrap().0, json!(35));
    let kommun = table(&t, "deltagare_kommun");
    // Karlskoga: 14 + 15 enrolled, 30 women entered: 59.
    assert_eq!(record(kommun, "Karlskoga", "Totalt", 2024).unwrap().0, json!(59));
    assert_eq!(record(kommun, "Degerfors", "Män", 2024).unwrap().0, json!(20));
    // And the next year goes on from there: 75 enrolled at the start of 2025.
    let t25 = tables(&huvudman, 2025, false).await;
    assert_eq!(record(table(&t25, "deltagare"), "Inskrivna vid årets början", "Totalt", 2025).unwrap().0, json!(75));

    // Report figures for 2024 or later are refused now; for 2023 they are fine.
    let res = put(
        &huvudman,
        "/api/v1/earlier/coachingteamet/2024",
        &json!({"year": 2024, "figures": [{"measure": "avslut", "count": 5}]}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.text());
    // The whole set goes when removed: the 2024 report as without it.
    let res = huvudman.request(Method::DELETE, "/api/v1/earlier/coachingteamet/2023", None, "").await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert!(app.audit_actions().iter().filter(|a| *a == "earlier_figures_changed").count() >= 2);
}

#[tokio::test]
async fn bad_figures_are_refused_with_swedish_messages_and_nothing_is_stored() {
    let app = TestApp::new();
    let huvudman = app.client("huvudman", Role::Huvudman, &["coachingteamet"]);
    let path = "/api/v1/earlier/coachingteamet/2023";
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"year": 2023, "figures": [{"measure": "deltagare", "count": 180}, {"measure": "deltagare", "gender": "kvinna", "count": 114}, {"measure": "deltagare", "gender": "man", "count": 69}]}),
            "könen blir tillsammans 183, inte 180",
        ),
        (
            json!({"year": 2023, "figures": [{"measure": "deltagare", "dimension": "kommun", "value": "karlskoga", "share": 0.8}, {"measure": "deltagare", "dimension": "kommun", "value": "degerfors", "share": 0.3}]}),
            "mer än 100 %",
        ),
        (
            json!({"year": 2023, "figures": [{"measure": "deltagare", "count": 10}, {"measure": "avslut", "count": 11}]}),
            "fler än deltagarna",
        ),
        (
            json!({"year": 2023, "figures": [{"measure": "deltagare", "dimension": "kommun", "value": "orebro", "count": 3}]}),
            "”orebro” är inget värde",
        ),
        (
            json!({"year": 2023, "figures": [{"measure": "deltagare", "count": 3, "share": 0.5}]}),
            "antingen ett antal eller en andel",
        ),
        (json!({"year": 2023, "figures": [{"measure": "deltagare", "count": -3}]}), "heltal från 0"),
        (
            json!({"year": 2023, "figures": [{"measure": "positiva", "kind": "enkat", "question": "nns_nytta", "share": 0.9}]}),
            "svarandegrupp",
        ),
        (json!({"year": 2023, "figures": [{"measure": "deltagare", "namn": "Anna"}]}), "Okänt fält ”namn”"),
        (json!({"year": 2023, "figures": [{"measure": "inskrivna", "gender": "kvinna", "count": 3}]}), "opening"),
        (json!({"year": 2022, "figures": [{"measure": "deltagare", "count": 3}]}), "Året i innehållet"),
    ];
    for (body, message) in cases {
        let res = put(&huvudman, path, &body).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", res.text());
        assert!(res.text().contains(message), "{body}: {}", res.text());
    }
    let res = huvudman.request(Method::PUT, path, Some("text/plain"), "{}").await;
    assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // A year with tallies takes no report figures.
    seed_2024(&app);
    let res = put(
        &huvudman,
        "/api/v1/earlier/coachingteamet/2024",
        &json!({"year": 2024, "figures": [{"measure": "deltagare", "count": 3}]}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("har registreringar från 2024"), "{}", res.text());
    // Nothing stored, nothing audited.
    assert_eq!(huvudman.get(path).await.json()["figures"], json!([]));
    assert!(!app.audit_actions().iter().any(|a| a == "earlier_figures_changed"));
    // A coach and a reader may not enter figures.
    for (name, role) in [("coach", Role::Coach), ("lasare", Role::Lasare)] {
        let c = app.client(name, role, &["coachingteamet"]);
        assert_eq!(put(&c, path, &figures_of(2023)).await.status, StatusCode::FORBIDDEN, "{name}");
    }
}

#[tokio::test]
async fn the_form_takes_counts_and_shares_and_shows_problems_at_their_fields() {
    let app = TestApp::new();
    let huvudman = app.client("huvudman", Role::Huvudman, &["coachingteamet"]);
    let page = huvudman.get("/tidigare/coachingteamet/2023").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    for field in [
        "deltagare._._.kvinna",
        "deltagare.kommun.karlskoga._",
        "avslut.avslutsorsak.studier.man",
        "positiva.enkat.deltagare_pagaende.nns_nytta",
    ] {
        assert!(html.contains(&format!("name=\"{field}\"")), "no field {field}");
    }
    let res = huvudman
        .post_form(
            "/tidigare/coachingteamet/2023",
            "deltagare._._.kvinna=114&deltagare._._.man=69&deltagare.kommun.karlskoga._=78+%25&deltagare.kommun.degerfors._=22%25&positiva.enkat.deltagare_pagaende.nns_nytta=92",
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let again = huvudman.get("/tidigare/coachingteamet/2023?sparat=1").await.text();
    assert!(again.contains("value=\"114\"") && again.contains("value=\"78 %\"") && again.contains("value=\"92\""));
    assert!(again.contains("value=\"183\""), "the total from the genders");
    // A bad cell: the page again with the message at the field, and nothing changed.
    let res = huvudman.post_form("/tidigare/coachingteamet/2023", "deltagare._._.kvinna=tio").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("”tio” är inget antal"), "{}", res.text());
    assert!(res.text().contains("aria-invalid=\"true\""));
    let stored = huvudman.get("/api/v1/earlier/coachingteamet/2023").await.json();
    assert_eq!(stored["figures"].as_array().unwrap().len(), 6, "{stored}");
}

#[tokio::test]
async fn a_closed_report_keeps_its_earlier_figures() {
    let app = TestApp::new();
    let huvudman = app.client("huvudman", Role::Huvudman, &["coachingteamet"]);
    let path = "/api/v1/earlier/coachingteamet/2023";
    assert_eq!(put(&huvudman, path, &figures_of(2023)).await.status, StatusCode::OK);
    seed_2024(&app);
    assert_eq!(huvudman.post_form("/rapport/coachingteamet/2024/stang", "").await.status, StatusCode::SEE_OTHER);
    // The closed 2024 report shows 2023 beside it: neither changed nor removed.
    let res = put(&huvudman, path, &json!({"year": 2023, "figures": [{"measure": "avslut", "count": 60}]})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("Årsrapporten 2024 för Coachingteamet är stängd"), "{}", res.text());
    let res = huvudman.request(Method::DELETE, path, None, "").await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.text());
    let t = tables(&huvudman, 2024, false).await;
    assert_eq!(record(table(&t, "deltagare"), "Avslutade", "Totalt", 2023).unwrap().0, json!(63));
    // A year the closed report does not show is still open for figures (2019 is in 2023's window only).
    let res = put(&huvudman, "/api/v1/earlier/coachingteamet/2019", &figures_of(2019)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}
