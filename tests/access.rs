//! The whole route × role matrix: for every route and every role (and anonymous), the exact
//! outcome: allowed, redirected to the login page, 401 (API) or 403 with a Swedish message.

mod common;

use axum::http::{Method, StatusCode};
use common::oidc::{Browser, GROUPS, Provider};
use common::{Client, Response, TestApp};
use pinne::domain::account::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Authorised: 2xx, a redirect that is not to the login page, or the handler's own answer on
    /// the merits (404 not found, 409 conflict, 422 invalid input).
    Allowed,
    /// Pages: 303 to /login.
    Login,
    /// API: 401 with a JSON error.
    Unauthorized,
    /// 403 with a Swedish message (HTML for pages, JSON for the API).
    Forbidden,
}
use Outcome::*;

struct World {
    /// Keeps the world's database alive while its clients are used.
    _app: TestApp,
    /// anonymous, coach, huvudman, förbundschef, läsare
    clients: [Client; 5],
}

const ROLES: [&str; 5] = ["anonym", "coach", "huvudman", "förbundschef", "läsare"];

async fn world() -> World {
    world_of(None).await
}

/// A session made by signing in at the provider, with an API token of the account.
async fn federated(app: &TestApp, user: &str, amr: &str) -> Client {
    let mut browser = Browser::new();
    let res = browser.sign_in(app, user, amr).await;
    assert_eq!(res.status, StatusCode::OK, "{user}: {}", res.text());
    let name = format!("{user}@kommunen.se");
    let (token, token_hash) = pinne::auth::new_token();
    let (id, csrf) = app
        .store
        .write_blocking(move |tx| {
            let c = pinne::store::account::by_name(tx, &name)?.unwrap();
            pinne::store::account::create_token(tx, c.account.id, "test", &token_hash, false, "2026-11-01T00:00:00Z")?;
            let csrf: String =
                tx.query_row("SELECT csrf FROM session WHERE account_id = ?1", [c.account.id], |r| r.get(0))?;
            Ok((c.account.id, csrf))
        })
        .unwrap();
    Client { bearer: Some(token), ..browser.client(app, id, &csrf) }
}

/// The world with local accounts, or (with a provider) with accounts that signed in with the
/// municipality's account: roles and insatser from their groups, the förbundschef's second
/// factor asserted by the provider.
async fn world_of(provider: Option<&Provider>) -> World {
    let (app, coach, huvudman, lasare, chef);
    match provider {
        None => {
            app = TestApp::new();
            coach = app.client("coach", Role::Coach, &["coachingteamet", "strukturarbete"]);
            huvudman = app.client("huvudman", Role::Huvudman, &["coachingteamet", "strukturarbete"]);
            lasare = app.client("lasare", Role::Lasare, &[]);
            chef = app.chef.clone();
        }
        Some(p) => {
            app = TestApp::with_oidc(&p.settings(GROUPS));
            coach = federated(&app, "coach", "pwd").await;
            huvudman = federated(&app, "huvudman", "pwd").await;
            lasare = federated(&app, "lasare", "pwd").await;
            chef = federated(&app, "chef", "pwd,mfa").await;
        }
    }
    // Tally 1, registered by the coach.
    let body = r#"{"insats":"coachingteamet","kind":"inskrivning","period":"2026-10","values":{"kon":"man","kommun":"karlskoga","aldersgrupp":"30_39","utbildning":"gymnasium","forsorjning":"ingen","tid_forsorjning":"ingen"}}"#;
    let res = coach.post_json("/api/v1/tallies", body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["id"], 1);
    // Event 1, registered by the coach.
    let res = coach.post_json("/api/v1/events", EVENT_JSON).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["id"], 1);
    let anon = app.anonymous();
    World { clients: [anon, coach, huvudman, chef, lasare], _app: app }
}

fn classify(path: &str, res: &Response) -> Outcome {
    let api = path.starts_with("/api/");
    match res.status {
        StatusCode::UNAUTHORIZED if api => {
            assert!(res.json()["error"]["message"].as_str().unwrap().contains("Logga in"));
            Unauthorized
        }
        StatusCode::FORBIDDEN => {
            if api {
                assert!(!res.json()["error"]["message"].as_str().unwrap().is_empty());
            } else {
                let html = res.text();
                assert!(html.contains("<html lang=\"sv\">") && html.contains("Ingen behörighet"), "{html}");
            }
            Forbidden
        }
        // A logout also ends at the login page, but clears the session cookie on the way.
        StatusCode::SEE_OTHER
            if res.location() == "/login"
                && res.headers.get("set-cookie").is_some_and(|c| c.to_str().unwrap().contains("Max-Age=0")) =>
        {
            Allowed
        }
        StatusCode::SEE_OTHER if res.location() == "/login" => Login,
        s if s.is_success() || s.is_redirection() => Allowed,
        // A sign-in's way back that does not belong to a sign-in under way (the answer on the merits).
        StatusCode::BAD_REQUEST if path.starts_with("/login/oidc/svar") => Allowed,
        // A password for an account that has none (it signs in at the provider): refused on the merits.
        StatusCode::UNAUTHORIZED if path == "/login" => Allowed,
        StatusCode::NOT_FOUND | StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY => Allowed,
        s => panic!("{path}: unexpected {s}: {}", res.text()),
    }
}

/// (method, path, form or JSON body, expected for anonymous, coach, huvudman, förbundschef, läsare)
type Case = (Method, &'static str, &'static str, [Outcome; 5]);

const EXIT: &str = "insats=coachingteamet&kind=avslut&period=2026-10&v.kon=man&v.kommun=degerfors&v.aldersgrupp=20_24\
&v.utbildning=grundskola&v.forsorjning=forsorjningsstod&v.tid_forsorjning=under_1&v.avslutsorsak=anstallning&v.tid_i_insatsen=4_6";
const EXIT_JSON: &str = r#"{"insats":"coachingteamet","kind":"avslut","period":"2026-10","values":{"kon":"man","kommun":"degerfors","aldersgrupp":"20_24","utbildning":"grundskola","forsorjning":"forsorjningsstod","tid_forsorjning":"under_1","avslutsorsak":"anstallning","tid_i_insatsen":"4_6"}}"#;

const EVENT_JSON: &str =
    r#"{"insats":"strukturarbete","period":"2026-10","name":"Finsammässan","organiser":"Finsam","attendees":170}"#;

fn cases() -> Vec<Case> {
    use Method as M;
    vec![
        // Reading pages.
        (M::GET, "/", "", [Login, Allowed, Allowed, Allowed, Allowed]),
        (M::GET, "/login", "", [Allowed, Allowed, Allowed, Allowed, Allowed]),
        (M::GET, "/assets/pinne.css", "", [Allowed, Allowed, Allowed, Allowed, Allowed]),
        (M::GET, "/registrera", "", [Login, Allowed, Forbidden, Allowed, Forbidden]),
        (M::GET, "/registrera?insats=coachingteamet&kind=avslut", "", [Login, Allowed, Forbidden, Allowed, Forbidden]),
        (M::GET, "/registrerat/1", "", [Login, Allowed, Allowed, Allowed, Forbidden]),
        (M::GET, "/registreringar", "", [Login, Allowed, Allowed, Allowed, Forbidden]),
        (M::GET, "/registreringar?insats=mottagningsteamet", "", [Login, Forbidden, Forbidden, Allowed, Forbidden]),
        (M::GET, "/rapport", "", [Login, Allowed, Allowed, Allowed, Allowed]),
        (M::GET, "/rapport/coachingteamet/2026", "", [Login, Allowed, Allowed, Allowed, Allowed]),
        (M::GET, "/rapport/coachingteamet/2025", "", [Login, Forbidden, Allowed, Allowed, Allowed]),
        (M::GET, "/rapport/coachingteamet/2025/utskrift", "", [Login, Forbidden, Allowed, Allowed, Allowed]),
        (M::GET, "/rapport/coachingteamet/period/2024-2026", "", [Login, Forbidden, Allowed, Allowed, Allowed]),
        (
            M::GET,
            "/rapport/period?insats=coachingteamet&fran=2024&till=2026",
            "",
            [Login, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            M::GET,
            "/api/v1/reports/coachingteamet/spans/2024-2026",
            "",
            [Unauthorized, Forbidden, Allowed, Allowed, Allowed],
        ),
        (M::GET, "/mal/coachingteamet/2024-2026", "", [Login, Forbidden, Forbidden, Allowed, Forbidden]),
        (M::GET, "/uppfoljning/2025", "", [Login, Forbidden, Allowed, Allowed, Allowed]),
        (M::GET, "/api/v1/finsam/2025", "", [Unauthorized, Forbidden, Allowed, Allowed, Allowed]),
        (M::GET, "/api/v1/finsam/2026?format=csv", "", [Unauthorized, Allowed, Allowed, Allowed, Allowed]),
        (M::GET, "/mal/coachingteamet/2026", "", [Login, Forbidden, Forbidden, Allowed, Forbidden]),
        (M::GET, "/konto", "", [Login, Allowed, Allowed, Allowed, Allowed]),
        (M::GET, "/konto/tvasteg", "", [Login, Allowed, Allowed, Allowed, Allowed]),
        (M::GET, "/login/kod", "", [Login, Allowed, Allowed, Allowed, Allowed]),
        (M::GET, "/login/oidc", "", [Allowed, Allowed, Allowed, Allowed, Allowed]),
        (M::GET, "/login/oidc/svar?code=x&state=y", "", [Allowed, Allowed, Allowed, Allowed, Allowed]),
        (M::GET, "/anvandare", "", [Login, Forbidden, Forbidden, Allowed, Forbidden]),
        (M::GET, "/anvandare/2", "", [Login, Forbidden, Forbidden, Allowed, Forbidden]),
        (M::GET, "/logg", "", [Login, Forbidden, Forbidden, Allowed, Forbidden]),
        (M::GET, "/logg.csv", "", [Login, Forbidden, Forbidden, Allowed, Forbidden]),
        (M::GET, "/aktivitet/1", "", [Login, Allowed, Allowed, Allowed, Forbidden]),
        (M::GET, "/oversikt", "", [Login, Forbidden, Forbidden, Allowed, Forbidden]),
        (M::GET, "/installningar", "", [Login, Forbidden, Forbidden, Allowed, Forbidden]),
        (M::GET, "/budget/coachingteamet/2026", "", [Login, Forbidden, Forbidden, Allowed, Forbidden]),
        (M::GET, "/tidigare", "", [Login, Forbidden, Allowed, Allowed, Forbidden]),
        (M::GET, "/tidigare/coachingteamet/2020", "", [Login, Forbidden, Allowed, Allowed, Forbidden]),
        (M::GET, "/tidigare/coachingteamet/start", "", [Login, Forbidden, Allowed, Allowed, Forbidden]),
        (M::GET, "/import", "", [Login, Forbidden, Allowed, Allowed, Forbidden]),
        (M::GET, "/import/mall.xlsx", "", [Login, Forbidden, Allowed, Allowed, Forbidden]),
        (M::GET, "/import/mall.csv?insats=coachingteamet", "", [Login, Forbidden, Allowed, Allowed, Forbidden]),
        (M::GET, "/import/export?insats=coachingteamet&year=2025", "", [Login, Forbidden, Allowed, Allowed, Forbidden]),
        (M::GET, "/import/jobb/123", "", [Login, Forbidden, Allowed, Allowed, Forbidden]),
        // Changes from pages (each with the session's CSRF token).
        (M::POST, "/registrera", EXIT, [Login, Allowed, Forbidden, Allowed, Forbidden]),
        (M::POST, "/registrerat/1/angra", "", [Login, Allowed, Allowed, Allowed, Forbidden]),
        (M::POST, "/registrerat/1/makulera", "reason=dubblett", [Login, Allowed, Allowed, Allowed, Forbidden]),
        (M::POST, "/rapport/coachingteamet/2025/stang", "", [Login, Forbidden, Allowed, Allowed, Forbidden]),
        (
            M::POST,
            "/registrera/aktivitet",
            "insats=strukturarbete&kind=strukturaktivitet&period=2026-09&name=Kanonverkstan&attendees=70",
            [Login, Allowed, Forbidden, Allowed, Forbidden],
        ),
        (M::POST, "/aktivitet/1/makulera", "reason=dubblett", [Login, Allowed, Allowed, Allowed, Forbidden]),
        (
            M::POST,
            "/installningar",
            "action=value_add&dimension=2&label=Lax%C3%A5",
            [Login, Forbidden, Forbidden, Allowed, Forbidden],
        ),
        (M::POST, "/budget/coachingteamet/2026", "budget_kr=100", [Login, Forbidden, Forbidden, Allowed, Forbidden]),
        (
            M::POST,
            "/rapport/coachingteamet/2025/oppna",
            "reason=rattelse",
            [Login, Forbidden, Forbidden, Allowed, Forbidden],
        ),
        (
            M::POST,
            "/mal/coachingteamet/2024-2026",
            "label.0=Deltagare&type.0=count&measure.0=participants&comparator.0=at_least&target.0=60",
            [Login, Forbidden, Forbidden, Allowed, Forbidden],
        ),
        (
            M::POST,
            "/mal/coachingteamet/2027",
            "label.0=Studier&comparator.0=at_least&target.0=25&values.0=studier",
            [Login, Forbidden, Forbidden, Allowed, Forbidden],
        ),
        (
            M::POST,
            "/anvandare",
            "name=ny&role=lasare&password=en+lång+lösenfras+för+ny",
            [Login, Forbidden, Forbidden, Allowed, Forbidden],
        ),
        (
            M::POST,
            "/anvandare/2",
            "role=coach&insats=coachingteamet&active=1",
            [Login, Forbidden, Forbidden, Allowed, Forbidden],
        ),
        (
            M::POST,
            "/anvandare/2/losenord",
            "password=ett+helt+nytt+långt+lösenord",
            [Login, Forbidden, Forbidden, Allowed, Forbidden],
        ),
        (M::POST, "/konto/nycklar", "name=Power+BI&read_only=1", [Login, Allowed, Allowed, Allowed, Allowed]),
        (M::POST, "/konto/nycklar/999/aterkalla", "", [Login, Allowed, Allowed, Allowed, Allowed]),
        (
            M::POST,
            "/konto/losenord",
            "current=fel&new=ett+helt+nytt+långt+lösenord",
            [Login, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            M::POST,
            "/konto/tvasteg",
            "secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&code=000000",
            [Login, Allowed, Allowed, Allowed, Allowed],
        ),
        (
            M::POST,
            "/login",
            "name=coach&password=coach-lösenord-för-test",
            [Allowed, Allowed, Allowed, Allowed, Allowed],
        ),
        (M::POST, "/login/kod", "code=000000", [Login, Allowed, Allowed, Allowed, Allowed]),
        (M::POST, "/import", "", [Login, Forbidden, Allowed, Allowed, Forbidden]),
        (M::POST, "/import/jobb/123/spara", "", [Login, Forbidden, Allowed, Allowed, Forbidden]),
        (M::POST, "/import/1/angra", "bekrafta=ja", [Login, Forbidden, Allowed, Allowed, Forbidden]),
        (
            M::POST,
            "/tidigare/coachingteamet/2019",
            "deltagare._._.kvinna=5",
            [Login, Forbidden, Allowed, Allowed, Forbidden],
        ),
        (M::POST, "/logout", "", [Login, Allowed, Allowed, Allowed, Allowed]),
        // The JSON API (Bearer tokens).
        (M::GET, "/api/v1/config", "", [Unauthorized, Allowed, Allowed, Allowed, Allowed]),
        (M::GET, "/api/v1/openapi.json", "", [Unauthorized, Allowed, Allowed, Allowed, Allowed]),
        (M::POST, "/api/v1/tallies", EXIT_JSON, [Unauthorized, Allowed, Forbidden, Allowed, Forbidden]),
        (M::GET, "/api/v1/tallies?insats=coachingteamet", "", [Unauthorized, Allowed, Allowed, Allowed, Forbidden]),
        (M::GET, "/api/v1/tallies/1", "", [Unauthorized, Allowed, Allowed, Allowed, Forbidden]),
        (
            M::POST,
            "/api/v1/tallies/1/void",
            r#"{"reason":"dubblett"}"#,
            [Unauthorized, Allowed, Allowed, Allowed, Forbidden],
        ),
        (M::GET, "/api/v1/reports/coachingteamet/2026", "", [Unauthorized, Allowed, Allowed, Allowed, Allowed]),
        (
            M::GET,
            "/api/v1/reports/coachingteamet/2025/tables",
            "",
            [Unauthorized, Forbidden, Allowed, Allowed, Allowed],
        ),
        (
            M::GET,
            "/api/v1/reports/coachingteamet/2025/tables/deltagare",
            "",
            [Unauthorized, Forbidden, Allowed, Allowed, Allowed],
        ),
        (M::POST, "/api/v1/events", EVENT_JSON, [Unauthorized, Allowed, Forbidden, Allowed, Forbidden]),
        (M::GET, "/api/v1/events/1", "", [Unauthorized, Allowed, Allowed, Allowed, Forbidden]),
        (
            M::POST,
            "/api/v1/events/1/void",
            r#"{"reason":"dubblett"}"#,
            [Unauthorized, Allowed, Allowed, Allowed, Forbidden],
        ),
        (M::GET, "/api/v1/budgets/coachingteamet/2025", "", [Unauthorized, Forbidden, Allowed, Allowed, Allowed]),
        (
            M::PUT,
            "/api/v1/budgets/coachingteamet/2026",
            r#"{"budget_kr":100}"#,
            [Unauthorized, Forbidden, Forbidden, Allowed, Forbidden],
        ),
        (M::GET, "/api/v1/imports", "", [Unauthorized, Forbidden, Allowed, Allowed, Forbidden]),
        (M::GET, "/api/v1/earlier/coachingteamet/2019", "", [Unauthorized, Forbidden, Allowed, Allowed, Forbidden]),
        (
            M::PUT,
            "/api/v1/earlier/coachingteamet/2019",
            r#"{"year":2019,"figures":[{"measure":"deltagare","count":40}]}"#,
            [Unauthorized, Forbidden, Allowed, Allowed, Forbidden],
        ),
        (M::DELETE, "/api/v1/earlier/coachingteamet/2018", "", [Unauthorized, Forbidden, Allowed, Allowed, Forbidden]),
        (M::GET, "/api/v1/earlier/coachingteamet/opening", "", [Unauthorized, Forbidden, Allowed, Allowed, Forbidden]),
        (
            M::PUT,
            "/api/v1/earlier/coachingteamet/opening",
            r#"{"year":2026,"figures":[]}"#,
            [Unauthorized, Forbidden, Allowed, Allowed, Forbidden],
        ),
        (M::POST, "/api/v1/imports", "Datum;Antal", [Unauthorized, Forbidden, Allowed, Allowed, Forbidden]),
        (M::GET, "/api/v1/imports/template", "", [Unauthorized, Forbidden, Allowed, Allowed, Forbidden]),
        (M::POST, "/api/v1/imports/1/undo", "", [Unauthorized, Forbidden, Allowed, Allowed, Forbidden]),
        (M::GET, "/api/v1/exports/coachingteamet/2025", "", [Unauthorized, Forbidden, Allowed, Allowed, Forbidden]),
        (
            M::GET,
            "/api/v1/reports/coachingteamet/2025?format=csv",
            "",
            [Unauthorized, Forbidden, Allowed, Allowed, Allowed],
        ),
    ]
}

#[tokio::test]
async fn every_route_for_every_role() {
    matrix(None).await;
}

/// The same matrix for sessions made by signing in with the municipality's account (a real
/// OpenID Connect provider).
#[tokio::test]
async fn every_route_for_every_role_signed_in_with_the_municipalitys_account() {
    let provider = Provider::start();
    matrix(Some(&provider)).await;
}

async fn matrix(provider: Option<&Provider>) {
    let mut failures = Vec::new();
    let mut checked = 0;
    // Reads share one world; every change gets a fresh world per role, so one role's change
    // cannot decide the next role's outcome.
    let shared = world_of(provider).await;
    for (method, path, body, expected) in cases() {
        for (i, want) in expected.iter().enumerate() {
            let fresh;
            let w = if method == Method::GET {
                &shared
            } else {
                fresh = world_of(provider).await;
                &fresh
            };
            let client = &w.clients[i];
            let res = match (&method, path.starts_with("/api/")) {
                (&Method::GET, _) => client.get(path).await,
                (&Method::PUT, _) => client.request(Method::PUT, path, Some("application/json"), body).await,
                (&Method::DELETE, _) => client.request(Method::DELETE, path, None, body).await,
                (_, true) => client.post_json(path, body).await,
                (_, false) => client.post_form(path, body).await,
            };
            let got = classify(path, &res);
            checked += 1;
            if got != *want {
                failures
                    .push(format!("{method} {path} as {}: expected {want:?}, got {got:?} ({})", ROLES[i], res.status));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} wrong:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(checked, cases().len() * 5);
}

/// Routes the router knows, so a new route cannot be added without a line in the matrix.
#[tokio::test]
async fn the_matrix_covers_every_route() {
    let routes_in = |src: &str, prefix: &str| -> Vec<String> {
        src.split(".route(\"").skip(1).map(|s| format!("{prefix}{}", s.split('"').next().unwrap())).collect()
    };
    let mut routes = routes_in(include_str!("../src/web/mod.rs"), "");
    routes.extend(routes_in(include_str!("../src/web/api.rs"), "/api/v1"));
    routes.extend(routes_in(include_str!("../src/web/import_api.rs"), "/api/v1"));
    routes.sort();
    routes.dedup();
    let covered: Vec<String> = cases().iter().map(|(_, p, _, _)| p.split('?').next().unwrap().to_string()).collect();
    let normalise = |r: &str| {
        r.replace("{insats}", "coachingteamet")
            .replace("{year}", "")
            .replace("{id}", "")
            .replace("{key}", "deltagare")
            .replace("{span}", "2024-2026")
            .split('/')
            .map(|seg| if seg.chars().all(|c| c.is_ascii_digit()) { "" } else { seg })
            .collect::<Vec<_>>()
            .join("/")
    };
    for full in routes {
        assert!(covered.iter().any(|c| normalise(c) == normalise(&full)), "route {full} is not in the access matrix");
    }
}

/// A read-only API token of this client's account, made on the account page as a person would.
async fn read_only_token(client: &Client) -> Client {
    let page = client.post_form("/konto/nycklar", "name=Power+BI&read_only=1").await.text();
    let token = page.split(r#"<p class="secret">"#).nth(1).unwrap().split('<').next().unwrap().to_string();
    Client { bearer: Some(token), session: None, csrf: None, ..client.clone() }
}

/// Posts a tally of Coachingteamet as `client` for `period`; returns its id.
async fn tally(client: &Client, period: &str) -> i64 {
    let body = format!(
        r#"{{"insats":"coachingteamet","kind":"inskrivning","period":"{period}","values":{{"kon":"kvinna","kommun":"degerfors","aldersgrupp":"25_29","utbildning":"gymnasium","forsorjning":"ingen","tid_forsorjning":"ingen"}}}}"#
    );
    let res = client.post_json("/api/v1/tallies", &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()["id"].as_i64().unwrap()
}

/// The ids a list of tallies holds, sorted.
fn ids(res: &Response) -> Vec<i64> {
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let mut ids: Vec<i64> = res.json().as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect();
    ids.sort();
    ids
}

/// Individual tallies are microdata: a coach sees only the tallies they registered themselves, of
/// this month and last month (November and October 2026 in the tests), to correct a mistake.
/// Anything else is answered as if it did not exist; the huvudman still sees every tally.
#[tokio::test]
async fn a_coach_sees_and_voids_only_their_own_tallies_of_this_month_and_last() {
    let app = TestApp::new();
    let coach = app.client("coach", Role::Coach, &["coachingteamet"]);
    let colleague = app.client("kollega", Role::Coach, &["coachingteamet"]);
    let huvudman = app.client("huvudman", Role::Huvudman, &["coachingteamet"]);
    let this_month = tally(&coach, "2026-11").await;
    let last_month = tally(&coach, "2026-10").await;
    let september = tally(&coach, "2026-09").await;
    let last_year = tally(&coach, "2025-06").await;
    let colleagues = tally(&colleague, "2026-11").await;

    // Own, this month or last month: allowed.
    for id in [this_month, last_month] {
        let res = coach.get(&format!("/api/v1/tallies/{id}")).await;
        assert_eq!(res.status, StatusCode::OK, "{id}: {}", res.text());
        assert_eq!(res.json()["id"], id);
        assert_eq!(coach.get(&format!("/registrerat/{id}")).await.status, StatusCode::OK, "{id}");
    }
    // Someone else's, or older than last month: 404, word for word what a tally that does not
    // exist gets, so the answer does not tell that it exists.
    let missing = coach.get("/api/v1/tallies/999999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    for id in [colleagues, september, last_year] {
        let res = coach.get(&format!("/api/v1/tallies/{id}")).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{id}: {}", res.text());
        assert_eq!(res.json(), missing.json(), "{id}");
        assert_eq!(coach.get(&format!("/registrerat/{id}")).await.status, StatusCode::NOT_FOUND, "{id}");
    }
    // The lists leave them out: the API's, the page of tallies and the form's recent tallies.
    assert_eq!(ids(&coach.get("/api/v1/tallies?insats=coachingteamet&limit=200").await), [this_month, last_month]);
    for page in ["/registreringar?insats=coachingteamet", "/registrera?insats=coachingteamet"] {
        let html = coach.get(page).await.text();
        let link = |id: i64| format!(r#"<a href="/registrerat/{id}">{id}</a>"#);
        assert!(html.contains(&link(this_month)) && html.contains(&link(last_month)), "{page}");
        for id in [colleagues, september, last_year] {
            assert!(!html.contains(&link(id)), "{page} shows {id}");
        }
    }
    // Voiding goes as far as seeing: the hidden ones are not found, and nothing moves.
    let before = app.footprint();
    for id in [colleagues, september, last_year] {
        let res = coach.post_json(&format!("/api/v1/tallies/{id}/void"), r#"{"reason":"dubblett"}"#).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{id}: {}", res.text());
        let res = coach.post_form(&format!("/registrerat/{id}/makulera"), "reason=dubblett").await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{id}");
        assert_eq!(coach.post_form(&format!("/registrerat/{id}/angra"), "").await.status, StatusCode::NOT_FOUND);
    }
    assert_eq!(app.footprint(), before);
    let res = coach.post_json(&format!("/api/v1/tallies/{last_month}/void"), r#"{"reason":"dubblett"}"#).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // The huvudman keeps every tally of the insats, of any month, to correct it.
    let all = [this_month, last_month, september, last_year, colleagues];
    let mut sorted = all.to_vec();
    sorted.sort();
    assert_eq!(ids(&huvudman.get("/api/v1/tallies?insats=coachingteamet&limit=200").await), sorted);
    for id in all {
        assert_eq!(huvudman.get(&format!("/api/v1/tallies/{id}")).await.status, StatusCode::OK, "{id}");
    }
    let res = huvudman.post_json(&format!("/api/v1/tallies/{september}/void"), r#"{"reason":"fel_period"}"#).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

/// A read-only token (for Power BI, Excel or a script fetching reports) gets no individual tallies
/// or events, whoever's token it is; the same account with a full token still does.
#[tokio::test]
async fn read_only_tokens_get_no_individual_tallies() {
    let w = world().await;
    let [_, coach, huvudman, chef, _] = &w.clients;
    for (who, full) in [("huvudman", huvudman), ("förbundschef", chef), ("coach", coach)] {
        let read_only = read_only_token(full).await;
        for path in ["/api/v1/tallies?insats=coachingteamet", "/api/v1/tallies/1", "/api/v1/events/1"] {
            assert_eq!(full.get(path).await.status, StatusCode::OK, "{who} with a full token: {path}");
            let res = read_only.get(path).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{who}, read-only: {path}: {}", res.text());
            let message = res.json()["error"]["message"].as_str().unwrap().to_string();
            assert!(message.starts_with("En API-nyckel som bara får läsa ger inga enskilda"), "{message}");
        }
        // Not even whether a tally exists.
        assert_eq!(read_only.get("/api/v1/tallies/999999").await.status, StatusCode::FORBIDDEN, "{who}");
        // The reports are what it is for.
        let res = read_only.get("/api/v1/reports/coachingteamet/2026").await;
        assert_eq!(res.status, StatusCode::OK, "{who}: {}", res.text());
    }
}
