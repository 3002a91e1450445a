//! The förbundschef sets a year's goals on a form; bad input is refused and nothing changes.

mod common;

use axum::http::StatusCode;
use common::TestApp;

#[tokio::test]
async fn the_form_shows_the_year_goals() {
    let app = TestApp::new();
    let res = app.get("/mal/coachingteamet/2026").await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(html.contains(r#"name="label.0" value="Anställning""#));
    assert!(html.contains(r#"name="target.0" value="15""#));
    assert!(html.contains(r#"name="label.3" value="Fortsatt rehabilitering""#));
    assert!(html.contains(
        r#"id="values-3-avslutsorsak-rehabilitering" name="values.3" value="avslutsorsak.rehabilitering" checked"#
    ));
    // 2027 inherits 2026's goals, and says so.
    let html = app.get("/mal/coachingteamet/2027").await.text();
    assert!(html.contains("Formuläret visar målen från 2026"));
    // Mottagningsteamet's goals are shares of guidance meetings.
    let html = app.get("/mal/mottagningsteamet/2026").await.text();
    assert!(html.contains(r#"name="label.1" value="Erbjudits ett möte inom 30 arbetsdagar""#), "{html}");
    assert_eq!(app.get("/mal/nope/2026").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn saving_replaces_the_year_goals_and_the_report_follows() {
    let app = TestApp::new();
    let body = "label.0=Egen+f%C3%B6rs%C3%B6rjning&comparator.0=at_least&target.0=45&values.0=anstallning&values.0=studier&values.0=arbetsmarknaden\
&label.1=V%C3%A5rd&comparator.1=at_most&target.1=15%2C5&values.1=vard\
&label.2=Tas+bort&comparator.2=at_least&target.2=10&values.2=ovrigt&remove.2=1\
&label.3=&comparator.3=at_least&target.3=";
    let res = app.post_form("/mal/coachingteamet/2027", body).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(res.location(), "/rapport/coachingteamet/2027#mal");
    let r = app.get("/api/v1/reports/coachingteamet/2027").await.json();
    assert_eq!(r["goals_year"], 2027);
    let goals = r["goals"].as_array().unwrap();
    assert_eq!(goals.len(), 2);
    assert_eq!(goals[0]["key"], "egen_forsorjning");
    assert_eq!(goals[0]["values"], serde_json::json!(["anstallning", "studier", "arbetsmarknaden"]));
    assert_eq!(goals[1]["label"], "Vård");
    assert_eq!(goals[1]["comparator"], "at_most");
    assert_eq!(goals[1]["target"], 0.155);
    // 2026 is untouched.
    assert_eq!(app.get("/api/v1/reports/coachingteamet/2026").await.json()["goals"].as_array().unwrap().len(), 8);
}

#[tokio::test]
async fn bad_goals_are_refused_and_nothing_changes() {
    let app = TestApp::new();
    let before = app.get("/api/v1/reports/coachingteamet/2026").await.json()["goals"].clone();
    for (body, message) in [
        ("label.0=Studier&comparator.0=at_least&target.0=150&values.0=studier", "Ange målet i procent, 0–100"),
        ("label.0=Studier&comparator.0=at_least&target.0=m%C3%A5nga&values.0=studier", "Ange målet i procent, 0–100"),
        ("label.0=Studier&comparator.0=at_least&target.0=25", "Välj minst en avslutsorsak"),
        ("label.0=&comparator.0=at_least&target.0=25&values.0=studier", "Ge målet ett namn"),
        ("label.0=Studier&comparator.0=ungefar&target.0=25&values.0=studier", "Välj minst eller högst"),
        (
            "label.0=Studier&comparator.0=at_least&target.0=25&values.0=lotto",
            "”lotto” är inget val för målets registreringstyp",
        ),
    ] {
        let res = app.post_form("/mal/coachingteamet/2026", body).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(res.text().contains(message), "{body}: {}", res.text());
        let after = app.get("/api/v1/reports/coachingteamet/2026").await.json()["goals"].clone();
        assert_eq!(before, after, "{body}");
    }
}

#[tokio::test]
async fn a_year_can_be_set_to_no_goals_and_repeated_values_are_harmless() {
    let app = TestApp::new();
    let res = app.post_form("/mal/coachingteamet/2026", "label.0=&comparator.0=at_least&target.0=").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let r = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    assert_eq!(r["goals_year"], 2026);
    assert_eq!(r["goals"].as_array().unwrap().len(), 0);
    assert!(app.get("/rapport/coachingteamet/2026").await.text().contains("Inga mål är satta"));
    // 2027 follows 2026: still none.
    assert_eq!(app.get("/api/v1/reports/coachingteamet/2027").await.json()["goals"].as_array().unwrap().len(), 0);

    let res = app
        .post_form(
            "/mal/coachingteamet/2027",
            "label.0=Studier&comparator.0=at_least&target.0=25&values.0=studier&values.0=studier",
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let r = app.get("/api/v1/reports/coachingteamet/2027").await.json();
    assert_eq!(r["goals"][0]["values"], serde_json::json!(["studier"]));
}

#[tokio::test]
async fn targets_keep_their_decimals_through_the_form() {
    let app = TestApp::new();
    let res = app
        .post_form(
            "/mal/coachingteamet/2027",
            "label.0=Studier&comparator.0=at_least&target.0=12%2C05&values.0=studier",
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let r = app.get("/api/v1/reports/coachingteamet/2027").await.json();
    assert_eq!(r["goals"][0]["target"], 0.1205);
    let html = app.get("/mal/coachingteamet/2027").await.text();
    assert!(html.contains(r#"name="target.0" value="12,05""#), "the form shows the exact target");
    assert!(app.get("/rapport/coachingteamet/2027").await.text().contains("minst 12,05\u{a0}%"));
    // Saving the form unchanged keeps the target.
    let res = app
        .post_form(
            "/mal/coachingteamet/2027",
            "label.0=Studier&comparator.0=at_least&target.0=12%2C05&values.0=studier",
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/api/v1/reports/coachingteamet/2027").await.json()["goals"][0]["target"], 0.1205);
    // Three decimals cannot be stored exactly and are refused.
    let res = app
        .post_form(
            "/mal/coachingteamet/2027",
            "label.0=Studier&comparator.0=at_least&target.0=12%2C055&values.0=studier",
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn goal_names_cannot_become_spreadsheet_formulas() {
    let app = TestApp::new();
    let body =
        "label.0=%3DHYPERLINK(%22http%3A%2F%2Fx%22%2C%22y%22)&comparator.0=at_least&target.0=10&values.0=studier";
    assert_eq!(app.post_form("/mal/coachingteamet/2026", body).await.status, StatusCode::SEE_OTHER);
    let csv = app.get("/api/v1/reports/coachingteamet/2026?format=csv").await.text();
    let line = csv.lines().find(|l| l.contains("HYPERLINK")).unwrap();
    assert!(line.starts_with(r#""'=HYPERLINK"#), "{line}");
    // Negative counts stay numbers.
    assert!(!csv.contains("'-"));
}

#[tokio::test]
async fn too_many_goal_rows_are_refused() {
    let app = TestApp::new();
    let res = app
        .post_form("/mal/coachingteamet/2026", "label.100=X&comparator.100=at_least&target.100=10&values.100=studier")
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("högst 100 mål"));
}

/// The fields a browser would post back from a form, unchanged: text and hidden inputs, ticked
/// boxes and chosen options (the CSRF field is left to the test client).
fn form_as_posted(html: &str) -> Vec<(String, String)> {
    let unescape = |s: &str| s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    let attr = |tag: &str, name: &str| {
        regex::Regex::new(&format!(r#"\s{name}="([^"]*)""#)).unwrap().captures(tag).map(|c| unescape(&c[1]))
    };
    let mut out = Vec::new();
    for m in regex::Regex::new(r"<input[^>]*>").unwrap().find_iter(html) {
        let tag = m.as_str();
        let (Some(name), kind) = (attr(tag, "name"), attr(tag, "type").unwrap_or_default()) else { continue };
        if name == "csrf" || (kind == "checkbox" && !tag.contains(" checked")) {
            continue;
        }
        out.push((name, attr(tag, "value").unwrap_or_default()));
    }
    let select = regex::Regex::new(r#"(?s)<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>"#).unwrap();
    let chosen = regex::Regex::new(r#"<option value="([^"]*)" selected"#).unwrap();
    for c in select.captures_iter(html) {
        let value = chosen.captures(&c[2]).map(|o| o[1].to_string()).unwrap_or_default();
        out.push((c[1].to_string(), value));
    }
    out
}

/// Saving the goals unchanged, or with a goal renamed, never changes a goal's key: API and Power
/// Query users read goals by key.
#[tokio::test]
async fn goal_keys_never_change_when_the_goals_are_saved() {
    let app = TestApp::new();
    let keys = |r: serde_json::Value| -> Vec<String> {
        r["goals"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap().to_string()).collect()
    };
    let before = keys(app.get("/api/v1/reports/coachingteamet/2026").await.json());
    assert_eq!(before.len(), 8);
    let page = app.get("/mal/coachingteamet/2026").await.text();
    let mut fields = form_as_posted(&page);
    assert!(fields.iter().any(|(k, _)| k == "key.0"), "the form carries the keys");
    let body = serde_urlencoded::to_string(&fields).unwrap();
    let res = app.post_form("/mal/coachingteamet/2026", &body).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(keys(app.get("/api/v1/reports/coachingteamet/2026").await.json()), before);
    // A new name keeps the key too.
    let label = fields.iter_mut().find(|(k, _)| k == "label.0").unwrap();
    label.1 = "Ett helt nytt namn".into();
    let res = app.post_form("/mal/coachingteamet/2026", &serde_urlencoded::to_string(&fields).unwrap()).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let r = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    assert_eq!(keys(r.clone()), before);
    assert_eq!(r["goals"][0]["label"], "Ett helt nytt namn");
    // A forged key that Pinne could not have made is replaced by one from the name.
    let forged = "label.0=Studier&key.0=..%2Fx&comparator.0=at_least&target.0=10&values.0=studier";
    assert_eq!(app.post_form("/mal/coachingteamet/2027", forged).await.status, StatusCode::SEE_OTHER);
    assert_eq!(keys(app.get("/api/v1/reports/coachingteamet/2027").await.json()), vec!["studier".to_string()]);
}

/// A miss just under the target is never shown rounded up to it: 84,8 % against "minst 85 %",
/// in the summary, the goal table and the förbundschef's overview; files and JSON keep the share,
/// and the publication version its rounded share.
#[tokio::test]
async fn a_near_miss_shows_the_decimal_that_makes_it_a_miss() {
    let app = TestApp::new();
    common::bulk(
        &app,
        "coachingteamet",
        &[
            ("inskrivning", "2026-01", common::person("kvinna", "karlskoga"), 125),
            ("avslut", "2026-05", common::exit("kvinna", "karlskoga", "anstallning"), 106),
            ("avslut", "2026-05", common::exit("kvinna", "karlskoga", "studier"), 19),
        ],
    );
    let body = "label.0=Arbete&comparator.0=at_least&target.0=85&values.0=anstallning";
    assert_eq!(app.post_form("/mal/coachingteamet/2026", body).await.status, StatusCode::SEE_OTHER);
    let page = app.get("/rapport/coachingteamet/2026").await.text();
    assert!(page.contains("Inte uppfyllt: 84,8\u{a0}% (106 av 125) mot målet minst 85\u{a0}%"), "{page}");
    assert!(!page.contains("Inte uppfyllt: 85\u{a0}%"));
    let json = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    let goal = &json["goals"][0];
    assert_eq!(goal["met"], false);
    assert!((goal["actual"].as_f64().unwrap() - 0.848).abs() < 1e-9);
    let tables = app.get("/api/v1/reports/coachingteamet/2026/tables/mal").await.json();
    let cell = &tables["rows"][0]["cells"][1];
    assert_eq!(cell["display"], "84,8\u{a0}%", "{tables}");
    assert!((cell["share"].as_f64().unwrap() - 0.848).abs() < 1e-9);
    let overview = app.get("/oversikt").await.text();
    assert!(overview.contains("Utfall hittills: 84,8\u{a0}%"), "{overview}");
    // The publication version keeps its whole-percent shares.
    let published = app.get("/api/v1/reports/coachingteamet/2026/tables/mal?publicering=ja").await.json();
    let cell = &published["rows"][0]["cells"][1];
    // Published, the share is whole percent, and "85 %" would read as met: only the side of the
    // target is said (which the verdict says anyway), in the table and the texts built from it.
    assert_eq!(cell["display"], "under 85\u{a0}%", "{published}");
    assert!((cell["share"].as_f64().unwrap() - 0.85).abs() < 1e-9, "the share is rounded");
    let page = app.get("/rapport/coachingteamet/2026?publicering=ja").await.text();
    assert!(page.contains("Utfall 2026: under 85\u{a0}%"), "{page}");
    assert!(page.contains("Arbete: under 85\u{a0}% 2026 (mål minst 85\u{a0}%)"), "{page}");
    assert!(!page.contains("84,8"), "no decimals in the publication version");
}

/// A goal's verdict in the annual report's words: a band makes 70 % against "minst 75 %"
/// *delvis uppfyllt*, below the band it is *inte uppfyllt*; an expectation is reported against
/// the expectation, without what "would have been needed". Bad bands are refused.
#[tokio::test]
async fn verdicts_use_the_band_and_expectations_read_as_expectations() {
    let app = TestApp::new();
    common::bulk(
        &app,
        "coachingteamet",
        &[
            ("inskrivning", "2026-01", common::person("kvinna", "karlskoga"), 100),
            ("avslut", "2026-05", common::exit("kvinna", "karlskoga", "anstallning"), 70),
            ("avslut", "2026-05", common::exit("kvinna", "karlskoga", "vard"), 30),
        ],
    );
    let body = "label.0=Arbete&comparator.0=at_least&target.0=75&partial.0=65&values.0=anstallning\
&label.1=Arbete+utan+band&comparator.1=at_least&target.1=75&values.1=anstallning\
&label.2=Arbete+smalt+band&comparator.2=at_least&target.2=75&partial.2=70%2C5&values.2=anstallning\
&label.3=V%C3%A5rd&comparator.3=at_least&target.3=15&nature.3=expectation&values.3=vard";
    let res = app.post_form("/mal/coachingteamet/2026", body).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let json = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    let verdicts: Vec<(&str, &str)> = json["goals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["key"].as_str().unwrap(), g["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        [("arbete", "partly_met"), ("arbete_utan_band", "not_met"), ("arbete_smalt_band", "not_met"), ("vard", "met")]
    );
    assert!((json["goals"][0]["partial"].as_f64().unwrap() - 0.65).abs() < 1e-9);
    assert_eq!(json["goals"][3]["expectation"], true);
    let page = app.get("/rapport/coachingteamet/2026").await.text().replace('\u{a0}', " ");
    assert!(
        page.contains("Delvis uppfyllt: 70 % (70 av 100) mot målet minst 75 % (delvis uppfyllt från 65 %)."),
        "{page}"
    );
    assert!(page.contains("Inte uppfyllt: 70 % (70 av 100) mot målet minst 75 %. 5 fler"), "{page}");
    assert!(page.contains("Uppfyllt: 30 % (30 av 100) mot förväntan minst 15 %.</p>"), "{page}");
    assert!(page.contains(r#"<span class="symbol" aria-hidden="true">◐</span> Delvis uppfyllt"#), "{page}");
    assert!(page.contains("Förväntan: minst 15 %"), "{page}");
    // The goal table's verdict column, and the publication version's sentence built from it.
    let table = app.get("/api/v1/reports/coachingteamet/2026/tables/mal").await.json();
    let verdict_column = table["columns"].as_array().unwrap().iter().position(|c| c["group"] == "Bedömning").unwrap();
    let shown: Vec<&str> = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["cells"][verdict_column]["display"].as_str().unwrap())
        .collect();
    assert_eq!(shown, ["Delvis uppfyllt", "Inte uppfyllt", "Inte uppfyllt", "Uppfyllt"]);
    let published = app.get("/rapport/coachingteamet/2026?publicering=ja").await.text().replace('\u{a0}', " ");
    assert!(
        published.contains("Arbete: 70 % 2026 (mål minst 75 %); delvis uppfyllt, 5 fler hade behövts."),
        "{published}"
    );
    assert!(published.contains("Vård: 30 % 2026 (förväntan minst 15 %); uppfyllt."), "{published}");
    // The form shows the band and the kind of figure back.
    let form = app.get("/mal/coachingteamet/2026").await.text();
    assert!(form.contains(r#"name="partial.0" value="65""#), "{form}");
    assert!(form.contains(r#"<option value="expectation" selected>"#), "{form}");

    // A band on the wrong side of the target, or not a number, is refused and nothing changes.
    for bad in ["partial.0=80", "partial.0=75", "partial.0=abc"] {
        let body = format!("label.0=Arbete&comparator.0=at_least&target.0=75&{bad}&values.0=anstallning");
        let res = app.post_form("/mal/coachingteamet/2026", &body).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(res.text().contains("Delvis uppfyllt"), "{bad}");
    }
    let body = "label.0=Kostnad&type.0=cost_per_participant&comparator.0=at_most&target.0=20000&partial.0=15000";
    assert_eq!(app.post_form("/mal/coachingteamet/2026", body).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let after = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    assert_eq!(after["goals"].as_array().unwrap().len(), 4, "nothing stored");
}

/// "95 % av deltagarna": a survey goal over several questions counts each returned questionnaire
/// once, positive when every one of the goal's questions it answers is positive; per answer it
/// pools the answers. The page names which; a question left blank counts neither way.
#[tokio::test]
async fn survey_goals_count_respondents_or_answers_and_say_which() {
    let app = TestApp::new();
    let sheet = |a: &'static str, b: &'static str| {
        let mut v = vec![("respondentgrupp", "deltagare_pagaende"), ("kon", "kvinna"), ("nns_nytta", a)];
        if !b.is_empty() {
            v.push(("nns_bestammer", b));
        }
        v
    };
    common::bulk(
        &app,
        "coachingteamet",
        &[
            ("enkat", "2026-03", sheet("alltid", "ofta"), 12),
            ("enkat", "2026-03", sheet("alltid", "sallan"), 6),
            ("enkat", "2026-04", sheet("ibland", "ibland"), 2),
            // Only the first question answered, positively.
            ("enkat", "2026-04", sheet("ofta", ""), 4),
        ],
    );
    let goal = |unit: &str| {
        format!(
            "label.0=St%C3%B6d&comparator.0=at_least&target.0=70&kind.0=enkat&unit.0={unit}\
&values.0=nns_nytta.ofta&values.0=nns_nytta.for_det_mesta&values.0=nns_nytta.alltid\
&values.0=nns_bestammer.ofta&values.0=nns_bestammer.for_det_mesta&values.0=nns_bestammer.alltid\
&den.0=nns_nytta.aldrig&den.0=nns_nytta.sallan&den.0=nns_nytta.ibland&den.0=nns_nytta.ofta&den.0=nns_nytta.for_det_mesta&den.0=nns_nytta.alltid\
&den.0=nns_bestammer.aldrig&den.0=nns_bestammer.sallan&den.0=nns_bestammer.ibland&den.0=nns_bestammer.ofta&den.0=nns_bestammer.for_det_mesta&den.0=nns_bestammer.alltid"
        )
    };
    // By respondent: 24 questionnaires, 12 + 4 positive on all they answered = 16 → 66,7 %.
    let res = app.post_form("/mal/coachingteamet/2026", &goal("respondents")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let g = &app.get("/api/v1/reports/coachingteamet/2026").await.json()["goals"][0];
    assert_eq!(
        (g["numerator"].as_i64(), g["denominator"].as_i64(), g["unit"].as_str()),
        (Some(16), Some(24), Some("respondents"))
    );
    assert_eq!(g["verdict"], "not_met");
    let page = app.get("/rapport/coachingteamet/2026").await.text().replace('\u{a0}', " ");
    assert!(page.contains("Inte uppfyllt: 67 % (16 av 24 svarande) mot målet minst 70 %."), "{page}");
    // By answer: 24 + 20 answers, 22 + 12 positive = 34 of 44 → 77 %.
    let res = app.post_form("/mal/coachingteamet/2026", &goal("answers")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let g = &app.get("/api/v1/reports/coachingteamet/2026").await.json()["goals"][0];
    assert_eq!(
        (g["numerator"].as_i64(), g["denominator"].as_i64(), g["unit"].as_str()),
        (Some(34), Some(44), Some("answers"))
    );
    let page = app.get("/rapport/coachingteamet/2026").await.text().replace('\u{a0}', " ");
    assert!(page.contains("Uppfyllt: 77 % (34 av 44 svar) mot målet minst 70 %."), "{page}");
    // A new survey goal on the form counts respondents unless told otherwise.
    let form = app.get("/mal/coachingteamet/2026?ny=enkat").await.text();
    assert!(form.contains(r#"<option value="respondents" selected>"#), "{form}");
    // Voiding a questionnaire takes it out of the respondents too: the counts follow every void.
    let cfg = app.store.config();
    let kind = cfg.kind("enkat").unwrap().id;
    let id: i64 = app
        .store
        .read_blocking(move |c| Ok(c.query_row("SELECT max(id) FROM tally WHERE kind_id = ?1", [kind], |r| r.get(0))?))
        .unwrap();
    app.store
        .write_blocking(move |tx| pinne::store::tally::void(tx, id, pinne::domain::VoidReason::Dubblett).map(|_| ()))
        .unwrap();
    let res = app.post_form("/mal/coachingteamet/2026", &goal("respondents")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let g = &app.get("/api/v1/reports/coachingteamet/2026").await.json()["goals"][0];
    assert_eq!((g["numerator"].as_i64(), g["denominator"].as_i64()), (Some(15), Some(23)));
}
