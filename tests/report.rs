//! The yearly report on known scenarios: the 2023 figures, the goal distances, CSV read back,
//! the flow check, goal inheritance, and the count table against the raw tallies.

mod common;

use axum::http::StatusCode;
use common::{TestApp, bulk, exit, person};
use pinne::domain::{RawTally, tally};
use pinne::store;
use serde_json::Value;

/// The 2023 annual report of Finsam Degerfors/Karlskoga: 183 participants (114 women, 69 men),
/// 63 exits: 8 anställning, 13 studier, 4 arbetsmarknaden, 17 rehabilitering, 19 vård, 2 flytt.
fn scenario_2023() -> TestApp {
    let app = TestApp::new();
    let k = "karlskoga";
    let d = "degerfors";
    bulk(
        &app,
        "coachingteamet",
        &[
            // Enrolled before 2023, recorded as entries in December 2022.
            ("inskrivning", "2022-12", person("kvinna", k), 60),
            ("inskrivning", "2022-12", person("kvinna", d), 15),
            ("inskrivning", "2022-12", person("man", k), 35),
            ("inskrivning", "2022-12", person("man", d), 10),
            ("inskrivning", "2023-02", person("kvinna", k), 30),
            ("inskrivning", "2023-05", person("kvinna", d), 9),
            ("inskrivning", "2023-08", person("man", k), 17),
            ("inskrivning", "2023-09", person("man", d), 7),
            ("avslut", "2023-03", exit("kvinna", k, "anstallning"), 5),
            ("avslut", "2023-04", exit("kvinna", k, "studier"), 9),
            ("avslut", "2023-06", exit("kvinna", k, "arbetsmarknaden"), 2),
            ("avslut", "2023-06", exit("kvinna", k, "rehabilitering"), 11),
            ("avslut", "2023-10", exit("kvinna", k, "vard"), 12),
            ("avslut", "2023-11", exit("kvinna", k, "foraldraledig_flytt"), 1),
            ("avslut", "2023-03", exit("man", k, "anstallning"), 3),
            ("avslut", "2023-04", exit("man", k, "studier"), 4),
            ("avslut", "2023-06", exit("man", k, "arbetsmarknaden"), 2),
            ("avslut", "2023-06", exit("man", k, "rehabilitering"), 6),
            ("avslut", "2023-10", exit("man", k, "vard"), 7),
            ("avslut", "2023-12", exit("man", k, "foraldraledig_flytt"), 1),
        ],
    );
    app
}

fn row<'a>(rows: &'a Value, key: &str) -> &'a Value {
    rows.as_array().unwrap().iter().find(|r| r["key"] == key).unwrap_or_else(|| panic!("no row {key}"))
}

fn close(a: &Value, b: f64) -> bool {
    (a.as_f64().unwrap() - b).abs() < 1e-9
}

#[tokio::test]
async fn the_2023_report_in_figures() {
    let app = scenario_2023();
    let res = app.get("/api/v1/reports/coachingteamet/2023").await;
    assert_eq!(res.status, StatusCode::OK);
    let r = res.json();
    assert_eq!(r["year"], 2023);
    assert_eq!(r["previous_year"], 2022);
    let p = &r["participants"];
    assert_eq!((p["total"].as_i64(), p["at_start"].as_i64(), p["entries"].as_i64()), (Some(183), Some(120), Some(63)));
    assert_eq!((p["exits"].as_i64(), p["at_end"].as_i64()), (Some(63), Some(120)));
    assert_eq!(p["by_gender"]["kvinna"]["total"], 114);
    assert_eq!(p["by_gender"]["man"]["total"], 69);
    assert_eq!(p["by_gender"]["ej_angivet"]["total"], 0);
    assert_eq!(p["by_gender"]["kvinna"]["exits"], 40);
    // The previous year beside it: 120 entries in December 2022, nobody enrolled before.
    assert_eq!(p["previous_year"]["total"], 120);
    assert_eq!(p["previous_year"]["at_start"], 0);
    assert_eq!(p["previous_year"]["by_gender"]["man"]["entries"], 45);

    // Gender × municipality.
    let karlskoga = row(&p["by_municipality"], "karlskoga");
    assert_eq!(karlskoga["count"], 142);
    assert!(close(&karlskoga["share"], 142.0 / 183.0));
    assert_eq!(karlskoga["by_gender"]["kvinna"]["count"], 90);
    assert!(close(&karlskoga["by_gender"]["kvinna"]["share"], 90.0 / 114.0));
    assert_eq!(karlskoga["previous_year"]["count"], 95);
    assert_eq!(row(&p["by_municipality"], "degerfors")["by_gender"]["man"]["count"], 17);

    // Exits by reason, by gender, combined.
    let e = &r["exits"];
    assert_eq!(e["total"], 63);
    assert!(close(&e["share_of_participants"], 63.0 / 183.0));
    let anst = row(&e["by_reason"], "anstallning");
    assert_eq!((anst["count"].as_i64(), anst["label"].as_str()), (Some(8), Some("Anställning")));
    assert!(close(&anst["share"], 8.0 / 63.0));
    assert_eq!(anst["by_gender"]["man"]["count"], 3);
    assert!(close(&anst["by_gender"]["man"]["share"], 3.0 / 23.0));
    assert_eq!(row(&e["by_reason"], "vard")["count"], 19);
    let egen = row(&e["combined"], "egen_forsorjning");
    assert_eq!(egen["count"], 25);
    assert!(close(&egen["share"], 25.0 / 63.0));
    assert!(close(&e["mean_months"], 9.5));

    // Goals 2023: 45 % egen försörjning (40 % reached: short by 4, 7 more needed), 40 % rehabilitering.
    assert_eq!(r["goals_year"], 2023);
    let g = row(&r["goals"], "egen_forsorjning");
    assert!(close(&g["target"], 0.45));
    assert!(close(&g["actual"], 25.0 / 63.0));
    assert_eq!(
        (g["met"].as_bool(), g["short_by"].as_i64(), g["needed_more"].as_i64()),
        (Some(false), Some(4), Some(7))
    );
    let g = row(&r["goals"], "rehabilitering");
    assert_eq!(
        (g["met"].as_bool(), g["short_by"].as_i64(), g["needed_more"].as_i64()),
        (Some(false), Some(9), Some(14))
    );

    // Every person category, among participants and among new entries, split by gender.
    let age = r["categories"].as_array().unwrap().iter().find(|c| c["key"] == "aldersgrupp").unwrap();
    assert_eq!(row(&age["participants"], "25_29")["count"], 183);
    assert_eq!(row(&age["participants"], "25_29")["by_gender"]["kvinna"]["count"], 114);
    assert_eq!(row(&age["entries"], "25_29")["count"], 63);
    assert_eq!(row(&age["participants"], "uvas")["count"], 183);
    assert_eq!(row(&age["participants"], "50_65")["count"], 0);
    let keys: Vec<&str> = r["categories"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["kommun", "aldersgrupp", "utbildning", "forsorjning", "tid_forsorjning"]);
    assert_eq!(r["flow_problems"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_report_page_says_the_distance_in_plain_swedish() {
    let app = scenario_2023();
    let res = app.get("/rapport/coachingteamet/2023").await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(html.contains("Årsrapport 2023 – Coachingteamet"));
    assert!(html.contains("Under 2023 deltog 183 personer (114 kvinnor och 69 män)"));
    assert!(html.contains("Inte uppfyllt: 40\u{a0}% (25 av 63) mot målet minst 45\u{a0}%."));
    assert!(html.contains("4 fler av årets 63 avslut hade behövt gå till egen försörjning för att nå målet."));
    assert!(html.contains("behövs 7 avslut till med egen försörjning"));
    // Tables split by gender with the previous year beside.
    assert!(html.contains(r#"<th scope="colgroup" colspan="2">Kvinnor</th>"#));
    assert!(html.contains(r#"<th scope="colgroup" colspan="2">Ej angivet</th>"#));
    assert!(html.contains(r#"<th scope="colgroup" colspan="2">Totalt</th>"#));
    assert!(html.contains("Egen försörjning (anställning, studier, arbetsmarknaden)"));
    assert!(html.contains("Utbildningsnivå – nya inskrivningar"));
    assert!(html.contains("/api/v1/reports/coachingteamet/2023?format=csv"));
}

#[tokio::test]
async fn csv_for_swedish_excel_reads_back() {
    let app = scenario_2023();
    let res = app.get("/api/v1/reports/coachingteamet/2023?format=csv").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.headers["content-type"].to_str().unwrap().starts_with("text/csv; charset=utf-8"));
    assert!(
        res.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("pinne-coachingteamet-2023-ej-for-publicering.csv")
    );
    assert!(res.body.starts_with("\u{feff}".as_bytes()), "UTF-8 BOM");
    let text = res.text();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    // The participants table: heading, header row, rows.
    let title = records.iter().position(|r| &r[0] == "Deltagare").unwrap();
    let header = &records[title + 1];
    let col =
        |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}: {header:?}"));
    let during = records.iter().find(|r| &r[0] == "Deltagare under året").unwrap();
    assert_eq!(&during[col("Totalt 2023")], "183");
    assert_eq!(&during[col("Kvinnor 2023")], "114");
    assert_eq!(&during[col("Män 2022")], "45");
    // Shares with a decimal comma, Swedish headings.
    let anst = records.iter().find(|r| &r[0] == "Anställning").unwrap();
    let exit_header = records.iter().find(|r| &r[0] == "Avslutsorsak").unwrap();
    let share_col = exit_header.iter().position(|h| h == "Totalt 2023 andel").unwrap();
    assert_eq!(&anst[share_col], "0,127");
    assert!(!text.contains("0.127"));
    // Every row has exactly as many cells as its table's header row, and tables are separated by
    // truly empty lines.
    // The first line says the file is not for publication.
    let (marking, tables) = text.trim_start_matches('\u{feff}').split_once("\r\n").unwrap();
    assert!(marking.starts_with("EJ FÖR PUBLICERING"), "{marking}");
    let mut header_len = None;
    for line in tables.split("\r\n").filter(|l| !l.is_empty()) {
        let cells = line.split(';').count();
        match header_len {
            None => header_len = Some(0),
            Some(0) => header_len = Some(cells),
            Some(n) if cells == 1 => {
                assert!(n > 0);
                header_len = Some(0);
            }
            Some(n) => assert_eq!(cells, n, "misaligned row: {line}"),
        }
    }
    assert!(text.contains("\r\n\r\nAvslut per avslutsorsak\r\n"));
    // The share of participants who left sits under the share heading, not a count heading.
    let share_row = records.iter().find(|r| &r[0] == "Andel av deltagarna som avslutats").unwrap();
    assert_eq!(share_row.len(), exit_header.len());
    assert_eq!(&share_row[share_col], "0,3443");
    assert_eq!(&share_row[share_col - 1], "");
}

#[tokio::test]
async fn plain_csv_for_machines_reads_back() {
    let app = scenario_2023();
    let res = app.get("/api/v1/reports/coachingteamet/2023?format=csv-plain").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(!res.body.starts_with("\u{feff}".as_bytes()));
    let mut reader = csv::Reader::from_reader(res.body.as_slice());
    assert_eq!(reader.headers().unwrap(), vec!["table", "row", "column", "year", "measure", "value"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let find = |table: &str, row: &str, column: &str, year: &str, measure: &str| -> String {
        rows.iter()
            .find(|r| &r[0] == table && &r[1] == row && &r[2] == column && &r[3] == year && &r[4] == measure)
            .unwrap_or_else(|| panic!("no {table}/{row}/{column}/{year}/{measure}"))[5]
            .to_string()
    };
    assert_eq!(find("deltagare", "Deltagare under året", "Totalt", "2023", "count"), "183");
    assert_eq!(find("deltagare", "Inskrivna vid årets början", "Män", "2023", "count"), "45");
    assert_eq!(find("avslut_orsak", "Studier", "Totalt", "2023", "count"), "13");
    assert_eq!(find("avslut_orsak", "Studier", "Totalt", "2023", "share"), "0.2063");
    assert_eq!(find("deltagare_kommun", "Karlskoga", "Kvinnor", "2022", "count"), "60");
    assert_eq!(find("deltagare_kommun", "Degerfors", "Kvinnor", "2022", "count"), "15");
}

#[tokio::test]
async fn more_exits_than_entries_is_shown_as_a_data_problem_not_clamped() {
    let app = TestApp::new();
    app.tally("inskrivning", "2026-01", &person("man", "karlskoga")).await;
    app.tally("avslut", "2026-02", &exit("man", "degerfors", "vard")).await;
    app.tally("avslut", "2026-03", &exit("man", "degerfors", "vard")).await;
    let r = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    assert_eq!(r["participants"]["at_end"], -1);
    assert_eq!(r["participants"]["by_gender"]["man"]["at_end"], -1);
    let problems = r["flow_problems"].as_array().unwrap();
    let degerfors = problems
        .iter()
        .find(|p| p["value"] == "Degerfors" && p["gender"] == "Män")
        .unwrap_or_else(|| panic!("{problems:?}"));
    assert_eq!((degerfors["enrolled"].as_i64(), degerfors["exits"].as_i64()), (Some(0), Some(2)));
    assert!(problems.iter().any(|p| p["value"] == "Alla deltagare" && p["gender"] == "Totalt"));
    // Karlskoga men balance (1 in, 0 out): not a problem.
    assert!(!problems.iter().any(|p| p["value"] == "Karlskoga"));
    let html = app.get("/rapport/coachingteamet/2026").await.text();
    assert!(html.contains("Dataproblem"));
    assert!(html.contains("Kommun (folkbokföring) Degerfors, Män: 2 avslut men bara 0 deltagare under året."));
    assert!(html.contains("Alla deltagare, Totalt: 2 avslut men bara 1 deltagare under året."));
}

#[tokio::test]
async fn goals_apply_until_new_ones_are_set() {
    let app = TestApp::new();
    let r = app.get("/api/v1/reports/coachingteamet/2027").await.json();
    assert_eq!(r["goals_year"], 2026);
    let keys: Vec<&str> = r["goals"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
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
    let targets: Vec<f64> = r["goals"].as_array().unwrap().iter().map(|g| g["target"].as_f64().unwrap()).collect();
    assert_eq!(targets, [0.15, 0.25, 0.05, 0.40, 0.95, 0.70, 0.95, 20_000.0]);
    // No exits yet: not measurable, one exit of the right kind would meet it.
    assert_eq!(r["goals"][0]["met"], Value::Null);
    assert_eq!(r["goals"][0]["needed_more"], 1);
    assert_eq!(app.get("/api/v1/reports/coachingteamet/2024").await.json()["goals_year"], 2023);
    let r2021 = app.get("/api/v1/reports/coachingteamet/2021").await.json();
    assert_eq!(r2021["goals_year"], Value::Null);
    assert_eq!(r2021["goals"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn counts_agree_with_the_raw_tallies() {
    use rand::{Rng, SeedableRng};
    let app = TestApp::new();
    let cfg = app.store.config();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let pick = |rng: &mut rand_chacha::ChaCha8Rng, dim: &str| {
        let d = cfg.dimension(dim).unwrap();
        d.values[rng.random_range(0..d.values.len())].key.clone()
    };
    let mut ids = Vec::new();
    for _ in 0..400 {
        let kind = if rng.random_bool(0.5) { "inskrivning" } else { "avslut" };
        let k = cfg.kind(kind).unwrap();
        let values = k
            .dimensions
            .iter()
            .map(|kd| {
                let key = cfg.dimension_by_id(kd.dimension_id).unwrap().key.clone();
                let v = pick(&mut rng, &key);
                (key, v)
            })
            .collect();
        let raw = RawTally {
            insats: Some("coachingteamet".into()),
            kind: Some(kind.into()),
            period: Some(format!("{}-{:02}", rng.random_range(2019..=2026), rng.random_range(1..=11))),
            values,
            ..Default::default()
        };
        let t = tally::validate(&cfg, &raw, common::now()).unwrap();
        ids.push(app.store.write_blocking(|tx| store::tally::insert(tx, &t, None)).unwrap());
    }
    for id in ids.iter().step_by(7) {
        app.store.write_blocking(|tx| store::tally::void(tx, *id, pinne::domain::VoidReason::Dubblett)).unwrap();
    }
    let insats = cfg.insats("coachingteamet").unwrap().id;
    let gender = cfg.gender().unwrap().id;
    for year in 2019..=2026 {
        let (mut counted, mut raw) = app
            .store
            .read_blocking(|c| {
                Ok((
                    store::tally::counts_for_report(c, insats, year)?,
                    store::tally::counts_from_raw(c, insats, year, gender)?,
                ))
            })
            .unwrap();
        counted.retain(|r| r.n != 0);
        let key = |r: &store::tally::CountRow| (r.kind_id, r.year, r.split_value_id, r.value_id);
        counted.sort_by_key(key);
        raw.sort_by_key(key);
        assert!(!raw.is_empty());
        assert_eq!(counted, raw, "year {year}");
    }
}

/// An independent recount: participants during the year per category and gender, computed here
/// straight from the raw tallies (no count table, no folding of years), must equal the report.
#[tokio::test]
async fn participants_per_category_match_a_recount_of_the_raw_tallies() {
    let app = TestApp::new();
    pinne::demo::fill(&app.store, common::now()).unwrap();
    // Void a few so voids are part of the check.
    for id in [5, 50, 300] {
        app.store.write_blocking(|tx| store::tally::void(tx, id, pinne::domain::VoidReason::Dubblett)).unwrap();
    }
    let cfg = app.store.config();
    let entry = cfg.kind("inskrivning").unwrap().id;
    let exit = cfg.kind("avslut").unwrap().id;
    // (kind id, year, [(dimension id, value id)])
    type Raw = (i64, i32, Vec<(i64, i64)>);
    let raw: Vec<Raw> = app
        .store
        .read_blocking(|c| {
            let mut stmt = c.prepare(
                "SELECT kind_id, year, value_ids FROM tally WHERE void_reason IS NULL AND kind_id IN (?1, ?2)",
            )?;
            let rows = stmt
                .query_map([entry, exit], |r| {
                    Ok((r.get(0)?, r.get(1)?, serde_json::from_str(&r.get::<_, String>(2)?).unwrap()))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .unwrap();
    let gender = cfg.gender().unwrap();
    let has = |values: &[(i64, i64)], v: i64| values.iter().any(|(_, x)| *x == v);
    let mut checked = 0;
    for year in 2021..=2026 {
        let r = app.get(&format!("/api/v1/reports/coachingteamet/{year}")).await.json();
        for cat in r["categories"].as_array().unwrap() {
            let dim = cfg.dimension(cat["key"].as_str().unwrap()).unwrap();
            for row in cat["participants"].as_array().unwrap().iter().filter(|r| r.get("group").is_none()) {
                let value = dim.value_by_key(row["key"].as_str().unwrap()).unwrap().id;
                let recount = |g: Option<i64>| -> i64 {
                    raw.iter()
                        .filter(|(_, _, vals)| has(vals, value) && g.is_none_or(|g| has(vals, g)))
                        .map(|(kind, y, _)| match (*kind == entry, *y) {
                            (true, y) if y <= year => 1,
                            (false, y) if y < year => -1,
                            _ => 0,
                        })
                        .sum()
                };
                assert_eq!(row["count"].as_i64().unwrap(), recount(None), "{year} {} {}", dim.key, row["key"]);
                for g in &gender.values {
                    let got = row["by_gender"][&g.key]["count"].as_i64().unwrap();
                    assert_eq!(got, recount(Some(g.id)), "{year} {} {} {}", dim.key, row["key"], g.key);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 400, "{checked} cells checked");
}
