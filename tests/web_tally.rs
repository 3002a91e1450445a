//! The tally pages: the form, registering, the confirmation with "Ångra", errors next to fields.

mod common;

use axum::http::StatusCode;
use common::TestApp;

const EXIT_FORM: &str = "insats=coachingteamet&kind=avslut&period=2026-10&v.kon=man&v.kommun=degerfors\
&v.aldersgrupp=20_24&v.utbildning=grundskola&v.forsorjning=forsorjningsstod&v.tid_forsorjning=under_1\
&v.avslutsorsak=anstallning&v.tid_i_insatsen=4_6";

#[tokio::test]
async fn the_form_offers_every_dimension_as_one_click_choices() {
    let app = TestApp::new();
    let res = app.get("/registrera?insats=coachingteamet&kind=avslut").await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(html.contains("<html lang=\"sv\">"));
    assert!(html.contains(r#"action="/registrera""#));
    for (dim, value) in
        [("kon", "kvinna"), ("kommun", "degerfors"), ("avslutsorsak", "arbetsmarknaden"), ("tid_i_insatsen", "over_24")]
    {
        let id = format!("v-{dim}-{value}");
        assert!(html.contains(&format!(r#"type="radio" id="{id}" name="v.{dim}" value="{value}""#)), "{id}");
        assert!(html.contains(&format!(r#"<label for="{id}">"#)), "label for {id}");
    }
    assert!(html.contains("Står till arbetsmarknadens förfogande"));
    // This month is preselected and later months are not offered.
    assert!(html.contains(r#"value="2026-11" max="2026-11""#));
    assert!(html.contains(">Registrera</button>"));
    // No scripts needed.
    assert!(!html.contains("<script"));
}

#[tokio::test]
async fn the_start_page_lets_you_pick_insats_and_kind() {
    let app = TestApp::new();
    let res = app.get("/").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let html = app.get("/registrera").await.text();
    for insats in ["coachingteamet", "mottagningsteamet", "strukturarbete"] {
        assert!(html.contains(&format!(r#"href="/registrera?insats={insats}""#)), "{insats}");
    }
    let html = app.get("/registrera?insats=coachingteamet").await.text();
    assert!(html.contains(r#"href="/registrera?insats=coachingteamet&amp;kind=inskrivning""#));
    assert!(html.contains(r#"href="/registrera?insats=coachingteamet&amp;kind=avslut""#));
}

#[tokio::test]
async fn registering_confirms_exactly_what_was_stored_and_can_be_undone() {
    let app = TestApp::new();
    let res = app.post_form("/registrera", EXIT_FORM).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let location = res.location();
    assert!(location.starts_with("/registrerat/"));
    assert_eq!(app.footprint(), (1, 8, 9));

    let page = app.get(&location).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Registrerat"));
    for label in [
        "Avslut",
        "Coachingteamet",
        "oktober 2026",
        "Man",
        "Degerfors",
        "20–24 år",
        "Endast grundskola",
        "Försörjningsstöd",
        "Mindre än 1 år",
        "Anställning",
        "4–6 månader",
    ] {
        assert!(html.contains(label), "confirmation lacks {label}");
    }
    // "Registrera en till" keeps insats, kind and month.
    assert!(html.contains(r#"href="/registrera?insats=coachingteamet&amp;kind=avslut&amp;period=2026-10""#));
    assert!(html.contains(">Ångra</button>"));

    // It shows among the most recent tallies of the insats.
    let id = location.trim_start_matches("/registrerat/");
    let form = app.get("/registrera?insats=coachingteamet&kind=avslut").await.text();
    assert!(form.contains(&format!(r#"<a href="/registrerat/{id}">{id}</a>"#)));

    let report = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    assert_eq!(report["exits"]["total"], 1);

    // Ångra: the tally stays stored but leaves every count.
    let res = app.post_form(&format!("{location}/angra"), "").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let html = app.get(&location).await.text();
    assert!(html.contains("Registreringen är makulerad"));
    assert!(html.contains("<dt>Makulerad</dt><dd>Felregistrering</dd>"));
    assert!(!html.contains(">Ångra</button>"));
    let (tallies, values, counts) = app.footprint();
    assert_eq!((tallies, values, counts), (1, 8, 0));
    let report = app.get("/api/v1/reports/coachingteamet/2026").await.json();
    assert_eq!(report["exits"]["total"], 0);
    assert_eq!(report["participants"]["total"], 0);
    let recent = app.get("/api/v1/tallies?insats=coachingteamet").await.json();
    assert_eq!(recent[0]["voided"], true);
    assert_eq!(recent[0]["void_reason"], "felregistrering");

    // Undoing twice is refused and changes nothing.
    let res = app.post_form(&format!("{location}/angra"), "").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.text().contains("redan ångrad"));
    assert_eq!(app.footprint(), (1, 8, 0));
}

#[tokio::test]
async fn errors_show_next_to_their_field_keep_choices_and_store_nothing() {
    let app = TestApp::new();
    // Missing gender, a future month.
    let body = EXIT_FORM.replace("&v.kon=man", "").replace("period=2026-10", "period=2027-01");
    let res = app.post_form("/registrera", &body).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text();
    assert!(html.contains("Inget har sparats"));
    assert!(html.contains(r#"<p class="field-error" id="fel-values-kon">Välj kön.</p>"#), "{html}");
    assert!(html.contains(r#"<p class="field-error" id="fel-period">januari 2027 har inte börjat än."#));
    // The choices made are kept.
    assert!(html.contains(r#"id="v-kommun-degerfors" name="v.kommun" value="degerfors" checked"#));
    assert!(html.contains(r#"id="v-avslutsorsak-anstallning" name="v.avslutsorsak" value="anstallning" checked"#));
    assert_eq!(app.footprint(), (0, 0, 0));

    // A value that does not exist (a tampered form).
    let res = app.post_form("/registrera", &EXIT_FORM.replace("v.kommun=degerfors", "v.kommun=stockholm")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("”stockholm” är inget giltigt val för kommun (folkbokföring)."));
    // A field that is not a dimension.
    let res = app.post_form("/registrera", &format!("{EXIT_FORM}&v.namn=Anna")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A body that is not a form carries no CSRF token: refused before anything is read.
    let res = app.request(axum::http::Method::POST, "/registrera", Some("application/json"), "{}").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.text().contains("Formuläret kunde inte kontrolleras"));
    assert_eq!(app.footprint(), (0, 0, 0));
}

#[tokio::test]
async fn unknown_pages_and_tallies_get_swedish_404_pages() {
    let app = TestApp::new();
    for path in
        ["/finns-inte", "/registrerat/999", "/registrerat/abc", "/rapport/okand/2026", "/rapport/coachingteamet/abc"]
    {
        let res = app.get(path).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
        assert!(res.text().contains("<html lang=\"sv\">"), "{path}");
    }
    assert_eq!(app.post_form("/registrerat/999/angra", "").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_stylesheet_is_served() {
    let app = TestApp::new();
    let res = app.get("/assets/pinne.css").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.headers["content-type"].to_str().unwrap().starts_with("text/css"));
    assert!(res.text().contains(".choices"));
}

#[tokio::test]
async fn posts_from_other_sites_are_refused_and_store_nothing() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    let app = TestApp::new();
    // A signed-in browser with a valid session and CSRF token: only the site headers differ.
    let cookie = format!("{}={}", common::COOKIE, app.chef.session.as_ref().unwrap());
    let body = format!("{EXIT_FORM}&csrf={}", app.chef.csrf.as_ref().unwrap());
    let send = |headers: &[(&str, &str)]| {
        let mut req = Request::post("/registrera")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie.as_str());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        app.app.clone().oneshot(req.body(Body::from(body.clone())).unwrap())
    };
    for headers in [
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![("origin", "http://evil.example"), ("host", "127.0.0.1:8080")],
        vec![("origin", "null"), ("host", "127.0.0.1:8080")],
    ] {
        let res = send(&headers).await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(app.footprint(), (0, 0, 0), "{headers:?}");
    }
    // The same browser request from Pinne's own pages goes through.
    let res =
        send(&[("sec-fetch-site", "same-origin"), ("origin", "http://127.0.0.1:8080"), ("host", "127.0.0.1:8080")])
            .await
            .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = send(&[("origin", "http://127.0.0.1:8080"), ("host", "127.0.0.1:8080")]).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.footprint().0, 2);
    // Undo and goals are guarded the same way.
    let undo = Request::post("/registrerat/1/angra")
        .header("sec-fetch-site", "cross-site")
        .header("cookie", cookie.as_str())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("csrf={}", app.chef.csrf.as_ref().unwrap())))
        .unwrap();
    assert_eq!(app.app.clone().oneshot(undo).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(app.footprint().2, 18, "both tallies still counted");
}

#[tokio::test]
async fn a_form_with_a_field_twice_is_refused() {
    let app = TestApp::new();
    for extra in ["&kind=inskrivning", "&period=", "&insats=coachingteamet", "&v.kon=kvinna"] {
        let res = app.post_form("/registrera", &format!("{EXIT_FORM}{extra}")).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{extra}");
        assert!(res.text().contains("är angiven mer än en gång."), "{extra}");
    }
    assert_eq!(app.footprint(), (0, 0, 0));
}
