//! The report sections beside the participant flow: other kinds of tallies (FOV, the NNS survey,
//! activity ratings, guidance meetings), structural events and the cost per person, on the page
//! and in the CSV for Excel.

mod common;

use axum::http::StatusCode;
use common::{TestApp, person};
use pinne::domain::event::{self, RawEvent};
use pinne::store;
use serde_json::{Value, json};

/// Posts a tally for `insats` through the JSON API, one string per dimension.
async fn tally(app: &TestApp, insats: &str, kind: &str, period: &str, values: &[(&str, &str)]) {
    let values: serde_json::Map<String, Value> =
        values.iter().map(|(k, v)| (k.to_string(), Value::String(v.to_string()))).collect();
    let body = json!({ "insats": insats, "kind": kind, "period": period, "values": values });
    let res = app.post_json("/api/v1/tallies", &body.to_string()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
}

/// The text of an HTML fragment without its tags.
fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// The cells of the row headed `label` in the report table with id `table`.
fn cells(html: &str, table: &str, label: &str) -> Vec<String> {
    let start = html.find(&format!(r#"id="tabell-{table}""#)).unwrap_or_else(|| panic!("no table {table}"));
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    let head = format!(r#"<th scope="row">{label}</th>"#);
    let at = section.find(&head).unwrap_or_else(|| panic!("no row {label} in {table}: {}", strip_tags(section)));
    let row = &section[at + head.len()..];
    let row = &row[..row.find("</tr>").unwrap()];
    row.split("<td").skip(1).map(|c| strip_tags(&format!("<td{c}"))).collect()
}

/// The Excel CSV as records.
fn excel_records(text: &str) -> Vec<csv::StringRecord> {
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.unwrap())
        .collect()
}

/// The value in `column` of the row `label` of the CSV table titled `title`.
fn csv_cell(records: &[csv::StringRecord], title: &str, label: &str, column: &str) -> String {
    let t = records.iter().position(|r| &r[0] == title).unwrap_or_else(|| panic!("no CSV table {title}"));
    let header = &records[t + 1];
    let col = header.iter().position(|h| h == column).unwrap_or_else(|| panic!("no column {column}: {header:?}"));
    let row = records[t + 2..]
        .iter()
        .take_while(|r| r.len() > 1)
        .find(|r| &r[0] == label)
        .unwrap_or_else(|| panic!("no row {label} in {title}"));
    row[col].to_string()
}

/// Coachingteamet 2026: two entries, four FOV questionnaires, five survey answers from ongoing
/// participants and three ratings of the CV group.
async fn coaching_2026() -> TestApp {
    let app = TestApp::new();
    let c = "coachingteamet";
    for _ in 0..2 {
        tally(&app, c, "inskrivning", "2026-02", &person("kvinna", "karlskoga")).await;
    }
    for _ in 0..3 {
        tally(&app, c, "fov", "2026-03", &[("kon", "kvinna"), ("fov_svar", "ja_minst_en")]).await;
    }
    tally(&app, c, "fov", "2026-04", &[("kon", "man"), ("fov_svar", "nej_alla")]).await;
    let survey = |kon: &'static str, answer: &'static str| {
        [("respondentgrupp", "deltagare_pagaende"), ("kon", kon), ("nns_nytta", answer)]
    };
    for (kon, answer) in [("man", "ofta"), ("man", "ofta"), ("man", "alltid"), ("man", "sallan"), ("kvinna", "aldrig")]
    {
        tally(&app, c, "enkat", "2026-05", &survey(kon, answer)).await;
    }
    for (period, betyg) in [("2026-03", "8"), ("2026-04", "9"), ("2026-09", "7")] {
        let values = [("gruppaktivitet", "cv_grupp"), ("betyg", betyg), ("kon", "kvinna")];
        tally(&app, c, "aktivitetsbetyg", period, &values).await;
    }
    app
}

#[tokio::test]
async fn the_page_shows_fov_survey_ratings_cost_and_goals_by_gender() {
    let app = coaching_2026().await;
    let res = app.get("/rapport/coachingteamet/2026").await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(!html.contains("NaN") && !html.contains("None"), "no NaN or None on the page");
    // The flow is still there.
    assert!(html.contains(r#"id="tabell-deltagare""#));

    // Frågor om våld: 3 of 4 questionnaires with a yes, all from women.
    assert!(html.contains("<h2>Frågor om våld</h2>"));
    assert!(html.contains("Frågor om våld: 4 registreringar under 2026 (året innan 0)."));
    assert!(html.contains("Frågor om våld – Svar på frågorna om våld"));
    // Kvinnor 2026, 2025; Män 2026, 2025; Ej angivet 2026, 2025; Totalt 2026, 2025.
    assert_eq!(
        cells(&html, "fov_fov_svar", "Ja på minst en fråga"),
        ["3 (100\u{a0}%)", "0", "0 (0\u{a0}%)", "0", "0", "0", "3 (75\u{a0}%)", "0"]
    );
    assert_eq!(cells(&html, "fov_fov_svar", "Alla registreringar"), ["3", "0", "1", "0", "0", "0", "4", "0"]);

    // The survey: 3 of 5 positive (60 %); men 3 of 4, women 0 of 1.
    assert!(html.contains("Enkät (indikatorer) – Deltagare, pågående"));
    assert!(html.contains("Ofta, för det mesta och alltid räknas som positiva; för ja/nej-frågor ja."));
    assert_eq!(cells(&html, "enkat_svar_deltagare_pagaende", "Besvarade enkäter")[..5], ["5", "1", "4", "0", "5"]);
    let q = cells(&html, "enkat_svar_deltagare_pagaende", "1. Får du stöd på ett sätt som är till stor nytta för dig?");
    // Svar; Kvinnor, Män, Ej angivet, Totalt (positive); share positive 2022–2026.
    assert_eq!(q, ["5", "0 (0\u{a0}%)", "3 (75\u{a0}%)", "0", "3 (60\u{a0}%)", "–", "–", "–", "–", "60\u{a0}%"]);
    assert!(html.contains(r#"<th scope="colgroup" colspan="5">Andel positiva</th>"#));

    // Ratings: 8 and 9 in the first half, 7 in the second.
    assert!(html.contains("Aktivitetsbetyg – CV-grupp"));
    assert_eq!(cells(&html, "aktivitetsbetyg_betyg_cv_grupp", "Januari–juni 2026"), ["2", "8,5", "8,5", "–", "–"]);
    assert_eq!(cells(&html, "aktivitetsbetyg_betyg_cv_grupp", "Juli–december 2026"), ["1", "7,0", "7,0", "–", "–"]);
    assert_eq!(cells(&html, "aktivitetsbetyg_betyg_cv_grupp", "Hela 2026"), ["3", "8,0", "", "", ""]);
    assert_eq!(cells(&html, "aktivitetsbetyg_betyg_cv_grupp_fordelning", "9"), ["1", "0", "1"]);
    assert_eq!(cells(&html, "aktivitetsbetyg_betyg_cv_grupp_fordelning", "7"), ["0", "1", "1"]);

    // Cost: the 2026 budget of 4 173 000 kr over 2 participants.
    assert!(html.contains("Kostnad per deltagare"));
    assert_eq!(
        cells(&html, "kostnad", "2026"),
        ["4\u{a0}173\u{a0}000\u{a0}kr", "–", "2", "2\u{a0}086\u{a0}500\u{a0}kr"]
    );
    assert!(html.contains("Kostnaden per deltagare 2026 är räknad på budget."));

    // Goals of every type in their own unit, status in words beside the symbol.
    assert!(html.contains("Mål: högst 20\u{a0}000\u{a0}kr. Utfall 2026: 2\u{a0}086\u{a0}500\u{a0}kr."));
    assert!(html.contains(r#"<span class="symbol" aria-hidden="true">✘</span> Inte uppfyllt"#));
    assert!(html.contains("Mål: minst 95\u{a0}%. Utfall 2026: 60\u{a0}%."), "stöd och inflytande: 3 of 5");
    assert!(html.contains(r#"<span class="symbol" aria-hidden="true">–</span> Kan inte mätas än"#));
    let cost_goal = cells(&html, "mal", "Kostnad per deltagare");
    assert_eq!(cost_goal[0], "högst 20\u{a0}000\u{a0}kr");
    assert_eq!(cost_goal[1], "2\u{a0}086\u{a0}500\u{a0}kr");
}

#[tokio::test]
async fn the_excel_csv_has_the_new_sections() {
    let app = coaching_2026().await;
    let res = app.get("/api/v1/reports/coachingteamet/2026?format=csv").await;
    assert_eq!(res.status, StatusCode::OK);
    let text = res.text();
    let records = excel_records(&text);
    let fov = "Frågor om våld – Svar på frågorna om våld";
    assert_eq!(csv_cell(&records, fov, "Ja på minst en fråga", "Totalt 2026 antal"), "3");
    assert_eq!(csv_cell(&records, fov, "Ja på minst en fråga", "Totalt 2026 andel"), "0,75");
    assert_eq!(csv_cell(&records, fov, "Ja på minst en fråga", "Kvinnor 2026 andel"), "1");
    assert_eq!(csv_cell(&records, fov, "Alla registreringar", "Män 2026 antal"), "1");

    let survey = "Enkät (indikatorer) – Deltagare, pågående";
    let q = "1. Får du stöd på ett sätt som är till stor nytta för dig?";
    assert_eq!(csv_cell(&records, survey, q, "Svar 2026"), "5");
    assert_eq!(csv_cell(&records, survey, q, "Totalt 2026 antal"), "3");
    assert_eq!(csv_cell(&records, survey, q, "Totalt 2026 andel"), "0,6");
    assert_eq!(csv_cell(&records, survey, q, "Män 2026 andel"), "0,75");
    assert_eq!(csv_cell(&records, survey, q, "Andel positiva 2026"), "0,6");
    assert_eq!(csv_cell(&records, survey, q, "Andel positiva 2025"), "");

    let rating = "Aktivitetsbetyg – CV-grupp";
    assert_eq!(csv_cell(&records, rating, "Januari–juni 2026", "Medelbetyg"), "8,5");
    assert_eq!(csv_cell(&records, rating, "Januari–juni 2026", "Medelbetyg kvinnor"), "8,5");
    assert_eq!(csv_cell(&records, rating, "Hela 2026", "Antal betyg"), "3");
    assert_eq!(csv_cell(&records, "Aktivitetsbetyg – CV-grupp: antal per betyg 2026", "8", "Hela året"), "1");

    assert_eq!(csv_cell(&records, "Kostnad per deltagare", "2026", "Budget"), "4173000");
    assert_eq!(csv_cell(&records, "Kostnad per deltagare", "2026", "Kostnad per deltagare"), "2086500");
    assert_eq!(csv_cell(&records, "Kostnad per deltagare", "2023", "Utfall"), "4847077");
    assert_eq!(csv_cell(&records, "Kostnad per deltagare", "2024", "Utfall"), "");
    assert_eq!(csv_cell(&records, "Målen 2026 i siffror", "Kostnad per deltagare", "Utfall 2026"), "2086500");
    assert_eq!(
        csv_cell(
            &records,
            "Målen 2026 i siffror",
            "Stöd och inflytande (indikator 1–4, andel av de svarande)",
            "Utfall 2026"
        ),
        "0,6"
    );

    // Every row has as many cells as its table's header row.
    let mut header_len = None;
    let (_marking, tables) = text.trim_start_matches('\u{feff}').split_once("\r\n").unwrap();
    for line in tables.split("\r\n").filter(|l| !l.is_empty()) {
        let n = line.split(';').count();
        match header_len {
            None => header_len = Some(0),
            Some(0) => header_len = Some(n),
            Some(_) if n == 1 => header_len = Some(0),
            Some(h) => assert_eq!(n, h, "misaligned row: {line}"),
        }
    }
    assert!(!text.contains("NaN") && !text.contains("None"));

    // The plain CSV: one row per figure, with its measure.
    let plain = app.get("/api/v1/reports/coachingteamet/2026?format=csv-plain").await;
    let rows: Vec<csv::StringRecord> =
        csv::Reader::from_reader(plain.body.as_slice()).records().map(|r| r.unwrap()).collect();
    let find = |table: &str, row: &str, column: &str, year: &str, measure: &str| -> String {
        rows.iter()
            .find(|r| &r[0] == table && &r[1] == row && &r[2] == column && &r[3] == year && &r[4] == measure)
            .unwrap_or_else(|| panic!("no {table}/{row}/{column}/{year}/{measure}"))[5]
            .to_string()
    };
    assert_eq!(find("fov_fov_svar", "Ja på minst en fråga", "Totalt", "2026", "share"), "0.75");
    assert_eq!(find("enkat_svar_deltagare_pagaende", q, "Andel positiva", "2026", "share"), "0.6");
    assert_eq!(find("aktivitetsbetyg_betyg_cv_grupp", "Januari–juni 2026", "Medelbetyg", "", "mean"), "8.5");
    assert_eq!(find("kostnad", "2026", "Kostnad per deltagare", "", "kronor"), "2086500");
}

#[tokio::test]
async fn an_insats_without_flow_shows_its_sections_instead_of_participant_tables() {
    let app = TestApp::new();
    let meeting = |kontakt: &'static str, i_tid: &'static str| {
        vec![
            ("kon", "kvinna"),
            ("kommun", "degerfors"),
            ("aldersgrupp", "30_39"),
            ("forsorjning", "forsorjningsstod"),
            ("myndighetskontakter", kontakt),
            ("nasta_steg", "coachingteamet"),
            ("mote_i_tid", i_tid),
            ("vagledd", "ja"),
        ]
    };
    tally(&app, "mottagningsteamet", "vagledning", "2026-02", &meeting("vard", "ja")).await;
    tally(&app, "mottagningsteamet", "vagledning", "2026-03", &meeting("socialtjanst", "nej")).await;
    let html = app.get("/rapport/mottagningsteamet/2026").await.text();
    assert!(!html.contains(r#"id="tabell-deltagare""#), "no participant tables");
    assert!(!html.contains("Avslut per avslutsorsak"));
    assert!(!html.contains("Under 2026 deltog"));
    assert!(html.contains("<h2>Vägledning</h2>"));
    assert!(html.contains("Flera val per registrering: andelen är andelen av registreringarna med valet."));
    assert_eq!(cells(&html, "vagledning_myndighetskontakter", "Antal val")[6], "2");
    assert_eq!(
        cells(&html, "vagledning_mote_i_tid", "Ja"),
        ["1 (50\u{a0}%)", "0", "0", "0", "0", "0", "1 (50\u{a0}%)", "0"]
    );
    // The yes/no question, and the goal on it (2 of 2).
    assert_eq!(
        cells(&html, "vagledning_svar", "Upplever att hen fått vägledning kring rehabiliteringsmöjligheter")[4],
        "2 (100\u{a0}%)"
    );
    assert!(html.contains("Mål: minst 100\u{a0}%. Utfall 2026: 50\u{a0}%."));
    // The cost is per guidance meeting: 160 000 kr over 2.
    assert_eq!(cells(&html, "kostnad", "2026")[3], "80\u{a0}000\u{a0}kr");
    // The insats is in the report navigation.
    assert!(html.contains(r#"href="/rapport/strukturarbete/2026""#));
}

#[tokio::test]
async fn structural_events_are_listed_with_totals_trend_and_the_count_goal() {
    let app = TestApp::new();
    let cfg = app.store.config();
    let add = |name: &str, period: &str, attendees: &str, women: Option<&str>| {
        let raw = RawEvent {
            insats: Some("strukturarbete".into()),
            period: Some(period.into()),
            name: Some(name.into()),
            organiser: Some("Finsam".into()),
            attendees: Some(attendees.into()),
            by_gender: women.map(|w| vec![("kvinna".to_string(), w.to_string())]).unwrap_or_default(),
            ..Default::default()
        };
        let e = event::validate(&cfg, &raw, common::now()).expect("valid event");
        app.store.write_blocking(|tx| store::event::insert(tx, &e, None)).unwrap();
    };
    add("Finsammässan", "2026-04", "170", Some("100"));
    add("Kanonverkstan", "2026-05", "70", None);
    add("Psykiatriveckan", "2025-10", "60", None);
    let html = app.get("/rapport/strukturarbete/2026").await.text();
    assert!(!html.contains(r#"id="tabell-deltagare""#));
    assert!(!html.contains("NaN") && !html.contains("None"));
    assert!(html.contains("240 deltagare vid 2 aktiviteter under 2026."));
    // Aktivitet | Månad, Arrangör, Deltagare, Kvinnor, Män, Ej angivet: blank where not counted.
    assert_eq!(
        cells(&html, "strukturaktivitet_aktiviteter", "Finsammässan"),
        ["april 2026", "Finsam", "170", "100", "", ""]
    );
    assert_eq!(cells(&html, "strukturaktivitet_aktiviteter", "Kanonverkstan")[3], "");
    assert_eq!(
        cells(&html, "strukturaktivitet_aktiviteter", "Totalt 2026 (2 aktiviteter)"),
        ["", "", "240", "100", "", ""]
    );
    assert_eq!(cells(&html, "strukturaktivitet_aktiviteter", "Totalt 2025 (1 aktivitet)")[2], "60");
    assert_eq!(cells(&html, "strukturaktivitet_per_ar", "Deltagare"), ["0", "0", "0", "60", "240"]);
    // The count goal in numbers: at least 500 attendees.
    assert!(html.contains("Mål: minst 500. Utfall 2026: 240. 2025: 60."));
    assert!(html.contains("Inte uppfyllt: 240 deltagare mot målet minst 500; 260 till behövs."));
    let goal = cells(&html, "mal", "Deltagare i strukturövergripande aktiviteter");
    assert_eq!(goal[..3], ["minst 500", "240", "60"]);
    // The cost per attendee: 485 000 kr over 240.
    assert!(html.contains("Kostnad per besökare"));
    assert_eq!(cells(&html, "kostnad", "2026")[3], "2\u{a0}021\u{a0}kr");

    let csv = app.get("/api/v1/reports/strukturarbete/2026?format=csv").await.text();
    let records = excel_records(&csv);
    assert_eq!(csv_cell(&records, "Strukturaktivitet 2026", "Finsammässan", "Deltagare"), "170");
    assert_eq!(csv_cell(&records, "Strukturaktivitet 2026", "Finsammässan", "Månad"), "april 2026");
    assert_eq!(csv_cell(&records, "Strukturaktivitet – deltagare per år", "Deltagare", "2025"), "60");
    assert!(!records.iter().any(|r| &r[0] == "Inskrivna vid årets början"), "no participant table");
}
