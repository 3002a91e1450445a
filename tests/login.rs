//! Login that holds: passwords, sessions (cookie, rotation, logout, timeouts, invalidation),
//! CSRF, throttling, the second factor, API tokens and the security headers.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{COOKIE, Client, Response, TestApp};
use pinne::domain::account::Role;
use pinne::store;

const PASSWORD: &str = "en lång och fin lösenfras";

/// Creates an account with a known password through the förbundschef's form.
async fn add_user(app: &TestApp, name: &str, role: &str) -> i64 {
    let body = format!("name={name}&role={role}&insats=coachingteamet&password={}", urlenc(PASSWORD));
    let res = app.post_form("/anvandare", &body).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    res.location().rsplit('/').next().unwrap().parse().unwrap()
}

fn urlenc(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap().trim_start_matches("x=").to_string()
}

async fn login(app: &TestApp, name: &str, password: &str, cookie: Option<&str>) -> Response {
    let mut req = Request::post("/login").header("content-type", "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header("cookie", format!("{COOKIE}={c}"));
    }
    let body = format!("name={name}&password={}", urlenc(password));
    app.anonymous().send(req.body(Body::from(body)).unwrap()).await
}

/// The session token from a Set-Cookie header.
fn session_of(res: &Response) -> String {
    let c = res.headers.get("set-cookie").expect("Set-Cookie").to_str().unwrap();
    c.strip_prefix(&format!("{COOKIE}=")).unwrap().split(';').next().unwrap().to_string()
}

/// A client for a session token, with its CSRF token read from the database.
fn client(app: &TestApp, token: &str) -> Client {
    let hash = pinne::auth::hash_token(token);
    let s = app.store.read_blocking(|c| store::account::session(c, &hash)).unwrap().expect("session exists");
    Client {
        app: app.app.clone(),
        account_id: s.account.id,
        session: Some(token.into()),
        csrf: Some(s.csrf),
        bearer: None,
    }
}

#[tokio::test]
async fn login_sets_a_strict_cookie_and_rotates_the_session() {
    let app = TestApp::new();
    add_user(&app, "anna", "coach").await;
    let res = login(&app, "anna", PASSWORD, None).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/");
    let cookie = res.headers.get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-pinne="), "{cookie}");
    for attr in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(cookie.contains(attr), "{attr} in {cookie}");
    }
    assert!(!cookie.contains("Domain"));
    let first = session_of(&res);
    assert_eq!(first.len(), 64, "256 random bits, hex");
    // Stored only as a hash.
    let stored: Vec<Vec<u8>> = app
        .store
        .read_blocking(|c| {
            let mut s = c.prepare("SELECT token_hash FROM session")?;
            Ok(s.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .unwrap();
    assert!(stored.contains(&pinne::auth::hash_token(&first)));
    assert!(!stored.iter().any(|h| h == first.as_bytes()));
    assert_eq!(client(&app, &first).get("/registrera").await.status, StatusCode::OK);

    // Logging in again from the same browser replaces the session: the old token stops working.
    let res = login(&app, "anna", PASSWORD, Some(&first)).await;
    let second = session_of(&res);
    assert_ne!(first, second);
    let old = Client { session: Some(first.clone()), ..client(&app, &second) };
    assert_eq!(old.get("/registrera").await.location(), "/login");
    assert_eq!(client(&app, &second).get("/registrera").await.status, StatusCode::OK);
}

#[tokio::test]
async fn wrong_passwords_fail_the_same_way_and_are_audited() {
    let app = TestApp::new();
    add_user(&app, "anna", "coach").await;
    for (name, password) in [("anna", "fel lösenord helt och hållet"), ("ingen", PASSWORD)] {
        let res = login(&app, name, password, None).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
        assert!(res.text().contains("Fel användarnamn eller lösenord."));
        assert!(res.headers.get("set-cookie").is_none());
    }
    let log = app.get("/logg?action=login_failed").await.text();
    assert!(log.contains("fel lösenord") && log.contains("okänt användarnamn"));
    // A mistyped password in the name field is never written down, and no password ever is.
    let res = login(&app, "min hemliga fras", PASSWORD, None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let all = app.get("/logg.csv").await.text();
    assert!(!all.contains("min hemliga fras") && !all.contains(PASSWORD) && !all.contains("fel lösenord helt"));
    assert!(login(&app, "anna", PASSWORD, None).await.status == StatusCode::SEE_OTHER);
    assert!(app.audit_actions().contains(&"login_succeeded".to_string()));
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::new();
    add_user(&app, "anna", "coach").await;
    let token = session_of(&login(&app, "anna", PASSWORD, None).await);
    let anna = client(&app, &token);
    let res = anna.post_form("/logout", "").await;
    assert_eq!(res.location(), "/login");
    assert!(res.headers.get("set-cookie").unwrap().to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(anna.get("/registrera").await.location(), "/login");
    assert!(app.audit_actions().contains(&"logout".to_string()));
}

#[tokio::test]
async fn sessions_end_after_idle_time_and_absolute_lifetime() {
    use pinne::web::auth::{ABSOLUTE_LIFETIME, IDLE_TIMEOUT, now_unix};
    let app = TestApp::new();
    add_user(&app, "anna", "coach").await;
    let age = |token: &str, seen: i64, created: i64| {
        let hash = pinne::auth::hash_token(token);
        app.store
            .write_blocking(|tx| {
                Ok(tx.execute(
                    "UPDATE session SET seen_at = ?2, created_at = ?3 WHERE token_hash = ?1",
                    rusqlite::params![hash, seen, created],
                )?)
            })
            .unwrap();
    };
    let now = now_unix();
    // Idle just under the limit: still in, and it counts as use.
    let t = session_of(&login(&app, "anna", PASSWORD, None).await);
    let c = client(&app, &t);
    age(&t, now - IDLE_TIMEOUT + 30, now - 3600);
    assert_eq!(c.get("/konto").await.status, StatusCode::OK);
    // Idle over the limit: out.
    age(&t, now - IDLE_TIMEOUT - 1, now - 3600);
    assert_eq!(c.get("/konto").await.location(), "/login");
    // In use all the time, but older than the absolute lifetime: out.
    let t = session_of(&login(&app, "anna", PASSWORD, None).await);
    let c = client(&app, &t);
    age(&t, now, now - ABSOLUTE_LIFETIME - 1);
    assert_eq!(c.get("/konto").await.location(), "/login");
}

#[tokio::test]
async fn password_and_role_changes_end_sessions() {
    let app = TestApp::new();
    let id = add_user(&app, "anna", "coach").await;
    let anna = client(&app, &session_of(&login(&app, "anna", PASSWORD, None).await));
    // The förbundschef changes the role: Anna is signed out.
    let res = app.post_form(&format!("/anvandare/{id}"), "role=lasare&active=1").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(anna.get("/konto").await.location(), "/login");
    // Anna changes her own password: every session of hers ends, the new password works.
    let anna = client(&app, &session_of(&login(&app, "anna", PASSWORD, None).await));
    let other = client(&app, &session_of(&login(&app, "anna", PASSWORD, None).await));
    let new = "ännu en lång och fin fras";
    let res = anna.post_form("/konto/losenord", &format!("current={}&new={}", urlenc(PASSWORD), urlenc(new))).await;
    assert_eq!(res.location(), "/login");
    assert_eq!(other.get("/konto").await.location(), "/login");
    assert_eq!(login(&app, "anna", PASSWORD, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&app, "anna", new, None).await.status, StatusCode::SEE_OTHER);
    // A weak new password is refused and nothing changes.
    let anna = client(&app, &session_of(&login(&app, "anna", new, None).await));
    let res = anna.post_form("/konto/losenord", &format!("current={}&new=password1234", urlenc(new))).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("vanligaste"));
    // Deactivated: out, and cannot sign in.
    app.post_form(&format!("/anvandare/{id}"), "role=lasare").await;
    assert_eq!(anna.get("/konto").await.location(), "/login");
    assert_eq!(login(&app, "anna", new, None).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn forms_without_the_session_csrf_token_change_nothing() {
    let app = TestApp::new();
    let cookie = format!("{COOKIE}={}", app.chef.session.as_ref().unwrap());
    let form = "label.0=Studier&comparator.0=at_least&target.0=99&values.0=studier";
    for csrf in ["", "&csrf=", "&csrf=0000", "&csrf=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"] {
        let req = Request::post("/mal/coachingteamet/2026")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &cookie)
            .body(Body::from(format!("{form}{csrf}")))
            .unwrap();
        let res = app.chef.send(req).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{csrf:?}");
        assert!(res.text().contains("Ladda om sidan"));
    }
    let goals = app.get("/api/v1/reports/coachingteamet/2026").await.json()["goals"].clone();
    assert_eq!(goals.as_array().unwrap().len(), 8, "nothing changed");
    // Another session's token does not do either.
    let other = app.client("other", Role::Forbundschef, &[]);
    let req = Request::post("/mal/coachingteamet/2026")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &cookie)
        .body(Body::from(format!("{form}&csrf={}", other.csrf.unwrap())))
        .unwrap();
    assert_eq!(app.chef.send(req).await.status, StatusCode::FORBIDDEN);
    // Every form on the pages carries it.
    for page in [
        "/registrera?insats=coachingteamet&kind=avslut",
        "/mal/coachingteamet/2026",
        "/konto",
        "/konto/tvasteg",
        "/anvandare",
    ] {
        let html = app.get(page).await.text();
        let forms = html.matches("method=\"post\"").count();
        let tokens = html.matches(&format!(r#"name="csrf" value="{}""#, app.chef.csrf.as_ref().unwrap())).count();
        assert!(forms > 0 && forms == tokens, "{page}: {forms} forms, {tokens} tokens");
    }
    // And GET never changes anything.
    let before = app.footprint();
    app.get("/registrerat/1/angra").await;
    app.get("/rapport/coachingteamet/2025/stang").await;
    assert_eq!(app.footprint(), before);
    assert!(!app.get("/rapport/coachingteamet/2025").await.text().contains("Året är stängt"));
}

#[tokio::test]
async fn failed_logins_slow_down_then_lock_the_account() {
    let app = TestApp::new();
    add_user(&app, "anna", "coach").await;
    let wrong = "fel lösenord helt och hållet";
    for _ in 0..3 {
        assert_eq!(login(&app, "anna", wrong, None).await.status, StatusCode::UNAUTHORIZED);
    }
    // After three failures the next try must wait, even with the right password.
    let res = login(&app, "anna", PASSWORD, None).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().contains("Vänta"), "{}", res.text());
    // Ten failures in the window lock the account for a quarter of an hour.
    let now = pinne::web::auth::now_unix();
    app.store
        .write_blocking(|tx| {
            for i in 0..7 {
                store::account::record_failure(
                    tx,
                    &pinne::web::auth::account_subject(app.store.throttle_key(), "anna"),
                    now - 600 + i,
                )?;
            }
            Ok(())
        })
        .unwrap();
    let res = login(&app, "anna", PASSWORD, None).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().contains("tillfälligt spärrat"), "{}", res.text());
    assert!(app.get("/logg?action=login_failed").await.text().contains("spärrad av för många försök"));
    // Other accounts are not affected; once the window has passed, Anna gets in again.
    add_user(&app, "bo", "coach").await;
    assert_eq!(login(&app, "bo", PASSWORD, None).await.status, StatusCode::SEE_OTHER);
    app.store.write_blocking(|tx| Ok(tx.execute("UPDATE login_failure SET at = at - 3600", [])?)).unwrap();
    assert_eq!(login(&app, "anna", PASSWORD, None).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn failed_logins_lock_a_client_address() {
    let app = TestApp::new();
    add_user(&app, "anna", "coach").await;
    let now = pinne::web::auth::now_unix();
    // Thirty failures from the same (unknown, in tests) address against many names.
    app.store
        .write_blocking(|tx| {
            for i in 0..30 {
                store::account::record_failure(
                    tx,
                    &pinne::web::auth::address_subject(app.store.throttle_key(), &None),
                    now - 100 + i,
                )?;
            }
            Ok(())
        })
        .unwrap();
    let res = login(&app, "anna", PASSWORD, None).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().contains("från din dator"));
}

#[tokio::test]
async fn a_second_factor_is_asked_for_and_required_for_the_forbundschef() {
    let app = TestApp::new();
    add_user(&app, "chef2", "forbundschef").await;
    // Signed in with the password, a förbundschef without TOTP must set it up before anything else.
    let c = client(&app, &session_of(&login(&app, "chef2", PASSWORD, None).await));
    assert_eq!(c.get("/rapport/coachingteamet/2026").await.location(), "/konto/tvasteg");
    let setup = c.get("/konto/tvasteg").await.text();
    assert!(setup.contains("Som förbundschef loggar du in med lösenord och en kod"));
    let secret = setup.split(r#"name="secret" value=""#).nth(1).unwrap().split('"').next().unwrap().to_string();
    // The page's own form asks for exactly these fields (so the POSTs below are what a browser sends).
    let form = setup.split(r#"action="/konto/tvasteg""#).nth(1).unwrap().split("</form>").next().unwrap();
    let mut names: Vec<&str> = form.split(r#"name=""#).skip(1).map(|s| s.split('"').next().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["code", "csrf", "password", "secret"]);
    let pw = urlenc(PASSWORD);
    assert_eq!(
        c.post_form("/konto/tvasteg", &format!("secret={secret}&code=000000&password={pw}")).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let now = pinne::web::auth::now_unix() as u64;
    let code = pinne::auth::totp::code_at(&secret, now).unwrap();
    // The password is asked for again.
    let res = c.post_form("/konto/tvasteg", &format!("secret={secret}&code={code}&password=fel")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("Lösenordet stämmer inte"));
    let res = c.post_form("/konto/tvasteg", &format!("secret={secret}&code={code}&password={pw}")).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(res.location(), "/konto");
    assert_eq!(c.get("/rapport/coachingteamet/2026").await.status, StatusCode::OK);
    // Once on, it cannot be replaced from the account page (a reset by the förbundschef clears it).
    let other = pinne::auth::totp::new_secret();
    let other_code = pinne::auth::totp::code_at(&other, now).unwrap();
    let res = c.post_form("/konto/tvasteg", &format!("secret={other}&code={other_code}&password={pw}")).await;
    assert_eq!(res.status, StatusCode::CONFLICT);

    // Next login: password, then the code.
    let res = login(&app, "chef2", PASSWORD, None).await;
    assert_eq!(res.location(), "/login/kod");
    let half_token = session_of(&res);
    let c = client(&app, &half_token);
    assert_eq!(c.get("/rapport/coachingteamet/2026").await.location(), "/login/kod");
    assert_eq!(c.get("/anvandare").await.location(), "/login/kod");
    // A half-way session cannot reach the setup page to plant its own secret.
    assert_eq!(c.get("/konto/tvasteg").await.location(), "/login/kod");
    let planted = pinne::auth::totp::new_secret();
    let planted_code = pinne::auth::totp::code_at(&planted, now).unwrap();
    let res = c.post_form("/konto/tvasteg", &format!("secret={planted}&code={planted_code}&password={pw}")).await;
    assert_eq!(res.location(), "/login/kod");
    assert_eq!(c.post_form("/login/kod", &format!("code={planted_code}")).await.status, StatusCode::UNAUTHORIZED);
    // The code used to switch TOTP on cannot be used again (RFC 6238 §5.2) ...
    let res = c.post_form("/login/kod", &format!("code={code}")).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    // Those were four failures (throttled from three on); let the window pass.
    app.store.write_blocking(|tx| Ok(tx.execute("UPDATE login_failure SET at = at - 3600", [])?)).unwrap();
    // ... the next one can, and completes the login with a new session token.
    let next = pinne::auth::totp::code_at(&secret, now + 30).unwrap();
    let res = c.post_form("/login/kod", &format!("code={next}")).await;
    assert_eq!(res.location(), "/");
    let full = session_of(&res);
    assert_ne!(full, half_token);
    assert_eq!(c.get("/anvandare").await.location(), "/login", "the half-way token is gone");
    assert_eq!(client(&app, &full).get("/anvandare").await.status, StatusCode::OK);
    assert!(app.get("/logg?action=login_failed").await.text().contains("kod som redan använts"));
    // The API is closed to a half-finished login.
    let res = login(&app, "chef2", PASSWORD, None).await;
    let half = client(&app, &session_of(&res));
    assert_eq!(half.get("/api/v1/config").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_correct_password_does_not_clear_code_failures() {
    let app = TestApp::new();
    add_user(&app, "chef3", "forbundschef").await;
    let secret = pinne::auth::totp::new_secret();
    let id: i64 = app
        .store
        .read_blocking(|c| Ok(c.query_row("SELECT id FROM account WHERE name = 'chef3'", [], |r| r.get(0))?))
        .unwrap();
    app.store.write_blocking(|tx| pinne::store::account::set_totp(tx, id, Some(&secret))).unwrap();
    // Guess codes, each time after a fresh (correct) password: the account slows down all the same.
    let mut throttled = false;
    for _ in 0..4 {
        let res = login(&app, "chef3", PASSWORD, None).await;
        if res.status == StatusCode::TOO_MANY_REQUESTS {
            throttled = true;
            break;
        }
        let c = client(&app, &session_of(&res));
        assert_eq!(c.post_form("/login/kod", "code=000000").await.status, StatusCode::UNAUTHORIZED);
    }
    assert!(throttled, "code guessing is throttled per account");
}

#[tokio::test]
async fn api_tokens_are_shown_once_scoped_listed_and_revocable() {
    let app = TestApp::new();
    let coach = app.client("coach", Role::Coach, &["coachingteamet"]);
    let page = coach.post_form("/konto/nycklar", "name=Power+BI&read_only=1").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    let token = html.split(r#"<p class="secret">"#).nth(1).unwrap().split('<').next().unwrap().to_string();
    assert_eq!(token.len(), 64);
    // Never shown again.
    let konto = coach.get("/konto").await.text();
    assert!(konto.contains("Power BI") && !konto.contains(&token));
    let reader = Client { bearer: Some(token.clone()), session: None, csrf: None, ..coach.clone() };
    assert_eq!(reader.get("/api/v1/reports/coachingteamet/2026").await.status, StatusCode::OK);
    let body = r#"{"insats":"coachingteamet","kind":"inskrivning","values":{"kon":"man","kommun":"karlskoga","aldersgrupp":"30_39","utbildning":"gymnasium","forsorjning":"ingen","tid_forsorjning":"ingen"}}"#;
    let res = reader.post_json("/api/v1/tallies", body).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.json()["error"]["message"], "API-nyckeln får bara läsa.");
    assert_eq!(app.footprint().0, 0);
    // Last use is recorded.
    let last_used: Option<String> = app
        .store
        .read_blocking(|c| {
            Ok(c.query_row("SELECT last_used_at FROM api_token WHERE name = 'Power BI'", [], |r| r.get(0))?)
        })
        .unwrap();
    assert!(last_used.is_some_and(|t| t.starts_with("20")));
    // Revoked: 401 from then on.
    let id: i64 = app
        .store
        .read_blocking(|c| Ok(c.query_row("SELECT id FROM api_token WHERE name = 'Power BI'", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(coach.post_form(&format!("/konto/nycklar/{id}/aterkalla"), "").await.location(), "/konto");
    let res = reader.get("/api/v1/reports/coachingteamet/2026").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers["www-authenticate"], "Bearer");
    // Someone else's token cannot be revoked by another account.
    let other = app.client("other", Role::Coach, &["coachingteamet"]);
    let chef_token: i64 = 1;
    assert_eq!(
        other.post_form(&format!("/konto/nycklar/{chef_token}/aterkalla"), "").await.status,
        StatusCode::NOT_FOUND
    );
    // Bad bearer values: 401 JSON.
    for auth in ["Bearer", "Bearer nonsense", "Basic YTpi"] {
        let req = Request::get("/api/v1/config").header("authorization", auth).body(Body::empty()).unwrap();
        let res = app.chef.send(req).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{auth}");
        assert!(res.json()["error"]["message"].is_string());
    }
    // A browser session may read the API but not write through it.
    let session_only = Client { bearer: None, ..app.chef.clone() };
    assert_eq!(session_only.get("/api/v1/config").await.status, StatusCode::OK);
    assert_eq!(session_only.post_json("/api/v1/tallies", body).await.status, StatusCode::FORBIDDEN);
    let actions = app.audit_actions();
    assert!(actions.contains(&"token_created".into()) && actions.contains(&"token_revoked".into()));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new();
    for (client, path) in [
        (app.chef.clone(), "/rapport/coachingteamet/2026"),
        (app.chef.clone(), "/api/v1/config"),
        (app.anonymous(), "/login"),
        (app.anonymous(), "/registrera"),
        (app.anonymous(), "/api/v1/config"),
        (app.anonymous(), "/assets/pinne.css"),
        (app.chef.clone(), "/finns-inte"),
    ] {
        let res = client.get(path).await;
        let h = |n: &str| res.headers.get(n).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        let csp = h("content-security-policy");
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("referrer-policy"), "no-referrer", "{path}");
        assert!(h("strict-transport-security").starts_with("max-age="), "{path}");
        if path.starts_with("/assets/") {
            assert!(h("cache-control").starts_with("public"), "{path}");
        } else {
            assert_eq!(h("cache-control"), "no-store", "{path}");
        }
    }
    // No inline style or script anywhere in the pages.
    let html = app.get("/rapport/coachingteamet/2026").await.text();
    assert!(!html.contains("<script") && !html.contains(" style=") && !html.contains("<style"));
}

#[tokio::test]
async fn development_mode_drops_secure_cookies_and_hsts_only() {
    use pinne::web::auth::AuthSettings;
    let dir = tempfile::tempdir().unwrap();
    let store = pinne::store::Store::open(dir.path()).unwrap();
    let settings = AuthSettings { dev: true, ..AuthSettings::default() };
    let router = pinne::app(pinne::AppState::with_auth(store.clone(), pinne::Clock::Fixed(common::now()), settings));
    pinne::demo::accounts(&store).unwrap();
    let req = Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("name=forbundschef&password=demo-forbundschef-pinne"))
        .unwrap();
    let res = Client { app: router.clone(), account_id: 0, session: None, csrf: None, bearer: None }.send(req).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/", "no second factor needed in development mode");
    let cookie = res.headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("pinne=")
            && !cookie.contains("Secure")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
    );
    assert!(res.headers.get("strict-transport-security").is_none());
    // …and refuses anything that came through a proxy: development mode is for one machine.
    let req = Request::get("/login").header("x-forwarded-for", "10.1.2.3").body(Body::empty()).unwrap();
    let res = Client { app: router, account_id: 0, session: None, csrf: None, bearer: None }.send(req).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.text().contains("utvecklingsläge"));
}

#[tokio::test]
async fn spaces_around_a_password_are_part_of_it() {
    let app = TestApp::new();
    let spaced = "  mellanslag runt om lösenordet  ";
    let body = format!("name=sara&role=coach&insats=coachingteamet&password={}", urlenc(spaced));
    assert_eq!(app.post_form("/anvandare", &body).await.status, StatusCode::SEE_OTHER);
    assert_eq!(login(&app, "sara", spaced.trim(), None).await.status, StatusCode::UNAUTHORIZED);
    let sara = client(&app, &session_of(&login(&app, "sara", spaced, None).await));
    // Changing it keeps the spaces of the new one too.
    let new = " ny fras med mellanslag först";
    let res = sara.post_form("/konto/losenord", &format!("current={}&new={}", urlenc(spaced), urlenc(new))).await;
    assert_eq!(res.location(), "/login");
    assert_eq!(login(&app, "sara", new.trim(), None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login(&app, "sara", new, None).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_attempts_are_throttled_too() {
    let app = TestApp::new();
    add_user(&app, "anna", "coach").await;
    let mut handles = Vec::new();
    for _ in 0..12 {
        let anon = app.anonymous();
        handles.push(tokio::spawn(async move {
            let req = Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from("name=anna&password=fel+l%C3%B6senord+helt+och+h%C3%A5llet"))
                .unwrap();
            anon.send(req).await.status
        }));
    }
    let mut checked = 0;
    for h in handles {
        match h.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            s => panic!("unexpected {s}"),
        }
    }
    // Each attempt is counted before its password is checked, so only the first three are tried.
    assert_eq!(checked, 3, "{checked} passwords were checked");
}

#[tokio::test]
async fn guessing_the_current_password_on_the_account_page_is_throttled() {
    let app = TestApp::new();
    add_user(&app, "anna", "coach").await;
    let anna = client(&app, &session_of(&login(&app, "anna", PASSWORD, None).await));
    let body = format!("current=fel+gissning+nummer+ett&new={}", urlenc("en helt ny och lång fras"));
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(anna.post_form("/konto/losenord", &body).await.status);
    }
    assert_eq!(statuses[..3], [StatusCode::UNPROCESSABLE_ENTITY; 3]);
    assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS);
    assert!(app.get("/logg?action=login_failed").await.text().contains("fel nuvarande lösenord"));
}

#[tokio::test]
async fn throttling_keeps_no_typed_name_or_address_in_the_clear() {
    let app = TestApp::new();
    let typed = "min hemliga fras";
    login(&app, typed, PASSWORD, None).await;
    let subjects: Vec<String> = app
        .store
        .read_blocking(|c| {
            let mut s = c.prepare("SELECT subject FROM login_failure")?;
            Ok(s.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .unwrap();
    assert_eq!(subjects.len(), 2);
    for s in &subjects {
        assert!(!s.contains(typed) && !s.contains("okänd"), "{s}");
        assert!(s.starts_with("konto:") || s.starts_with("adress:"));
    }
    // Keyed: not the plain SHA-256 of the name.
    let plain = pinne::auth::hash_token(&format!("konto:{typed}"));
    let plain: String = plain.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!subjects.iter().any(|s| s.contains(&plain)));
    assert!(subjects.contains(&pinne::web::auth::account_subject(app.store.throttle_key(), typed)));
}
