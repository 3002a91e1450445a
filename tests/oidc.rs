//! Sign-in with the municipality's account against a real OpenID Connect provider
//! (`oidc-provider` from npm, started per test by `common::oidc::Provider`): a sign-in per role
//! from group claims, and the refusals the standard asks for, each with a Swedish message, an
//! audit entry and nothing else left behind.

mod common;

use axum::http::{Method, StatusCode};
use common::oidc::{AFTER_LOGOUT, Browser, GROUPS, Provider};
use common::{COOKIE, TestApp};
use pinne::domain::account::Role;
use pinne::store;

/// The account signed in by this browser's session: (name, role, insats keys, federated, csrf).
fn session_account(app: &TestApp, browser: &Browser) -> Option<(String, Role, Vec<String>, bool, String)> {
    let token = browser.pinne.iter().find(|(k, _)| k == COOKIE)?.1.clone();
    let hash = pinne::auth::hash_token(&token);
    let s = app.store.read_blocking(move |c| store::account::session(c, &hash)).unwrap()?;
    let cfg = app.store.config();
    let keys =
        s.account.insats_ids.iter().map(|id| cfg.insatser.iter().find(|i| i.id == *id).unwrap().key.clone()).collect();
    Some((s.account.name, s.account.role, keys, s.account.federated, s.csrf))
}

/// (accounts, sessions, sign-ins under way) in the database.
fn counts(app: &TestApp) -> (i64, i64, i64) {
    app.store
        .read_blocking(|c| {
            Ok(c.query_row(
                "SELECT (SELECT count(*) FROM account), (SELECT count(*) FROM session), (SELECT count(*) FROM oidc_attempt)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?)
        })
        .unwrap()
}

/// The last audit entry: (action, detail).
fn last_audit(app: &TestApp) -> (String, String) {
    app.store
        .read_blocking(|c| {
            Ok(c.query_row("SELECT action, detail FROM audit ORDER BY id DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?)
        })
        .unwrap()
}

#[tokio::test]
async fn every_role_signs_in_from_group_claims() {
    let provider = Provider::start();
    let app = TestApp::with_oidc(&provider.settings(GROUPS));
    let login = app.anonymous().get("/login").await;
    assert!(login.text().contains("href=\"/login/oidc\""), "{}", login.text());
    assert!(login.text().contains("Logga in med kommunens konto"));
    assert!(login.text().contains("name=\"password\""), "local accounts stay possible by default");

    let cases: [(&str, &str, Role, &[&str], &str); 4] = [
        ("coach", "pwd", Role::Coach, &["coachingteamet", "strukturarbete"], "/registrera"),
        ("huvudman", "pwd", Role::Huvudman, &["coachingteamet", "strukturarbete"], "/registreringar"),
        ("chef", "pwd,mfa", Role::Forbundschef, &[], "/anvandare"),
        ("lasare", "pwd", Role::Lasare, &[], "/rapport/coachingteamet/2026"),
    ];
    for (user, amr, role, insatser, page) in cases {
        let mut browser = Browser::new();
        let res = browser.sign_in(&app, user, amr).await;
        assert_eq!(res.status, StatusCode::OK, "{user}: {}", res.text());
        // A page of Pinne's own goes on to the start page, so the SameSite=Strict cookie is sent.
        assert!(res.text().contains("content=\"0; url=/\""), "{}", res.text());
        let set: Vec<_> = res.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect();
        assert!(
            set.iter().any(|c| c.starts_with("__Host-pinne=")
                && c.contains("SameSite=Strict")
                && c.contains("Secure")
                && c.contains("HttpOnly")),
            "{set:?}"
        );
        assert!(set.iter().any(|c| c.starts_with("__Host-pinne-oidc=;") && c.contains("Max-Age=0")), "{set:?}");
        let (name, got_role, keys, federated, _) = session_account(&app, &browser).expect("a session");
        assert_eq!(name, format!("{user}@kommunen.se"));
        assert_eq!((got_role, federated), (role, true), "{user}");
        assert_eq!(keys, insatser.iter().map(|s| s.to_string()).collect::<Vec<_>>(), "{user}");
        let res = browser.pinne(&app, Method::GET, page, "").await;
        assert_eq!(
            res.status,
            StatusCode::OK,
            "{user} on {page}: {:?} {:?}",
            res.headers.get("location"),
            last_audit(&app)
        );
        let (action, detail) = last_audit(&app);
        assert_eq!(action, "login_succeeded");
        assert!(detail.starts_with("kommunens konto"), "{detail}");
    }
    // The förbundschef's provider asserted a second factor (amr "mfa"): no TOTP in Pinne.
    assert!(app.audit_actions().iter().filter(|a| *a == "account_created").count() == 4);

    // A second sign-in finds the same account by its subject (no new account).
    let before = counts(&app).0;
    let mut again = Browser::new();
    assert_eq!(again.sign_in(&app, "coach", "pwd").await.status, StatusCode::OK);
    assert_eq!(counts(&app).0, before);
}

#[tokio::test]
async fn a_forbundschef_without_a_second_factor_at_the_provider_needs_totp() {
    let provider = Provider::start();
    let app = TestApp::with_oidc(&provider.settings(GROUPS));
    let mut browser = Browser::new();
    let res = browser.sign_in(&app, "chef", "pwd").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // Signed in, but every page leads to setting up TOTP first.
    let res = browser.pinne(&app, Method::GET, "/anvandare", "").await;
    assert_eq!((res.status, res.location()), (StatusCode::SEE_OTHER, "/konto/tvasteg".to_string()));
    // With TOTP set up, the provider's sign-in is followed by the code.
    let (name, ..) = session_account(&app, &browser).unwrap();
    app.store
        .write_blocking(move |tx| {
            let c = store::account::by_name(tx, &name)?.unwrap();
            store::account::set_totp(tx, c.account.id, Some(&pinne::auth::totp::new_secret()))
        })
        .unwrap();
    let mut browser = Browser::new();
    let res = browser.sign_in(&app, "chef", "pwd").await;
    assert!(res.text().contains("url=/login/kod"), "{}", res.text());
    let res = browser.pinne(&app, Method::GET, "/anvandare", "").await;
    assert_eq!(res.location(), "/login/kod");
    assert_eq!(last_audit(&app).1, "kommunens konto, väntar på kod");
}

/// Each changed ID token is refused with the same plain message; no account, no session.
#[tokio::test]
async fn forged_expired_and_misdirected_id_tokens_are_refused() {
    let provider = Provider::start();
    let app = TestApp::with_oidc(&provider.settings(GROUPS));
    let cases = [
        ("wrong_aud", "ID-token för ett annat system (aud)"),
        ("wrong_azp", "ID-token för ett annat system (aud)"),
        ("wrong_iss", "ID-token från en annan utfärdare (iss)"),
        ("expired", "ID-token har gått ut (exp)"),
        ("wrong_nonce", "ID-token hör till en annan inloggning (nonce)"),
        ("tampered", "ID-token med ogiltig eller otillåten signatur"),
        ("alg_none", ""),
        ("hs256_public_key", "ID-token med ogiltig eller otillåten signatur"),
    ];
    for (mode, detail) in cases {
        let before = counts(&app);
        provider.next(mode).await;
        let mut browser = Browser::new();
        // "lasare" would be läsare; the forged tokens claim förbundschef.
        let res = browser.sign_in(&app, "lasare", "pwd").await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{mode}: {}", res.text());
        let text = res.text();
        assert!(text.contains("Inloggningen med kommunens konto kunde inte godkännas"), "{mode}: {text}");
        assert!(!text.contains("Error") && !text.contains("aud") && !text.contains("nonce"), "{mode}: raw error shown");
        assert!(!browser.pinne.iter().any(|(k, _)| k == COOKIE), "{mode}: a session cookie");
        let after = counts(&app);
        assert_eq!((after.0, after.1), (before.0, before.1), "{mode}: something was created");
        assert_eq!(after.2, 0, "{mode}: the attempt is used up");
        let (action, got) = last_audit(&app);
        assert_eq!(action, "login_failed", "{mode}");
        if detail.is_empty() {
            // `alg: none` is refused as unreadable or as an unsigned token, never accepted.
            assert!(got.starts_with("kommunens konto: "), "{mode}: {got}");
        } else {
            assert_eq!(got, format!("kommunens konto: {detail}"), "{mode}");
        }
    }
    // The provider's next token is untouched again: the same user signs in.
    let mut browser = Browser::new();
    assert_eq!(browser.sign_in(&app, "lasare", "pwd").await.status, StatusCode::OK);
    assert_eq!(session_account(&app, &browser).unwrap().1, Role::Lasare);
}

#[tokio::test]
async fn a_replayed_code_and_a_mismatched_state_are_refused() {
    let provider = Provider::start();
    let app = TestApp::with_oidc(&provider.settings(GROUPS));
    let mut browser = Browser::new();
    let back = browser.via_provider(&app, "coach", "pwd").await;
    let res = browser.pinne(&app, Method::GET, &back.callback, "").await;
    assert_eq!(res.status, StatusCode::OK);
    let sessions = counts(&app).1;

    // The same callback again: its state is used up.
    let mut replay = Browser::new();
    replay.pinne = browser.pinne.clone();
    let res = replay.pinne(&app, Method::GET, &back.callback, "").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text());
    assert!(res.text().contains("Börja om från början"));
    assert_eq!(last_audit(&app).1, "kommunens konto: okänd eller redan använd state");

    // The used code with a fresh state of this browser: the provider refuses the code.
    let res = browser.pinne(&app, Method::GET, "/login/oidc", "").await;
    let fresh_state = url_param(&res.location(), "state");
    let code = url_param(&back.callback, "code");
    let res = browser.pinne(&app, Method::GET, &format!("/login/oidc/svar?code={code}&state={fresh_state}"), "").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.text());
    assert!(res.text().contains("den kan redan ha använts"), "{}", res.text());
    assert!(last_audit(&app).1.contains("koden från kommunens inloggning godtogs inte"));

    // A state nobody sent.
    let res = browser.pinne(&app, Method::GET, "/login/oidc/svar?code=abc&state=gissad", "").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    // A callback carried to another browser (login CSRF): its attempt cookie is missing.
    let mut victim = Browser::new();
    let attacker = Browser::new().via_provider(&app, "lasare", "pwd").await;
    let res = victim.pinne(&app, Method::GET, &attacker.callback, "").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text());
    assert_eq!(last_audit(&app).1, "kommunens konto: state från en annan webbläsare");
    assert!(!victim.pinne.iter().any(|(k, _)| k == COOKIE));
    // Nothing but the first sign-in's session exists (the browser's own replay above ended none).
    assert_eq!(counts(&app).1, sessions);
    // The provider's error (the user cancelled) is reduced to its code.
    let res = browser.pinne(&app, Method::GET, "/login/oidc", "").await;
    let state = url_param(&res.location(), "state");
    let res = browser
        .pinne(
            &app,
            Method::GET,
            &format!("/login/oidc/svar?error=access_denied&error_description=%3Cscript%3E&state={state}"),
            "",
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert!(res.text().contains("Inloggningen avbröts"));
    assert!(!res.text().contains("script"));
    assert_eq!(last_audit(&app).1, "kommunens konto: avbruten hos leverantören (access_denied)");
}

/// Ways back that belong to no sign-in count as failed logins of the address: from the limit on
/// they are refused without filling the audit log.
#[tokio::test]
async fn failed_ways_back_are_throttled_per_address() {
    let provider = Provider::start();
    let app = TestApp::with_oidc(&provider.settings(GROUPS));
    let entries = || app.audit_actions().len();
    let before = entries();
    for i in 0..30 {
        let res =
            Browser::new().pinne(&app, Method::GET, &format!("/login/oidc/svar?code=x&state=gissning{i}"), "").await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "attempt {i}");
    }
    assert_eq!(entries(), before + 30);
    let res = Browser::new().pinne(&app, Method::GET, "/login/oidc/svar?code=x&state=en-till", "").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().contains("För många misslyckade inloggningar"));
    assert_eq!(entries(), before + 30, "no entry once over the limit");
}

fn url_param(url: &str, name: &str) -> String {
    let query = url.split_once('?').unwrap().1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in {url}"))
        .to_string()
}

#[tokio::test]
async fn an_unknown_group_gets_no_account_and_a_removed_user_loses_access() {
    let provider = Provider::start();
    let app = TestApp::with_oidc(&provider.settings(GROUPS));
    let before = counts(&app);
    for user in ["okand", "utan"] {
        let mut browser = Browser::new();
        let res = browser.sign_in(&app, user, "pwd").await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
        assert!(res.text().contains("Ditt konto i kommunen har ingen roll i Pinne"), "{}", res.text());
        assert_eq!(
            last_audit(&app),
            ("login_failed".into(), "kommunens konto: ingen grupp som ger en roll i Pinne".into())
        );
        assert_eq!(counts(&app), (before.0, before.1, 0), "{user}");
    }

    // A coach signs in, makes an API token; then leaves the group.
    let mut browser = Browser::new();
    assert_eq!(browser.sign_in(&app, "coach", "pwd").await.status, StatusCode::OK);
    let (.., csrf) = session_account(&app, &browser).unwrap();
    let res = browser.pinne(&app, Method::POST, "/konto/nycklar", &format!("name=Power+Query&csrf={csrf}")).await;
    assert!(res.status.is_success() || res.status.is_redirection(), "{}", res.text());
    let token = between(&res.text(), "<p class=\"secret\">", "</p>").expect("the new token is shown once");
    let api = |token: String| {
        let app = app.anonymous();
        async move {
            let req = axum::http::Request::builder()
                .uri("/api/v1/config")
                .header("authorization", format!("Bearer {token}"))
                .body(axum::body::Body::empty())
                .unwrap();
            app.send(req).await.status
        }
    };
    assert_eq!(api(token.clone()).await, StatusCode::OK);
    provider.set_groups("coach", &["kommunens-alla-anstallda"]).await;
    let mut later = Browser::new();
    let res = later.sign_in(&app, "coach", "pwd").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Its sessions and tokens ended with it.
    let res = browser.pinne(&app, Method::GET, "/registrera", "").await;
    assert_eq!(res.location(), "/login");
    assert_eq!(api(token.clone()).await, StatusCode::UNAUTHORIZED);
    // Back in a group that gives another role: the role follows the groups.
    provider.set_groups("coach", &["pinne-huvudman"]).await;
    let mut back = Browser::new();
    assert_eq!(back.sign_in(&app, "coach", "pwd").await.status, StatusCode::OK);
    assert_eq!(session_account(&app, &back).unwrap().1, Role::Huvudman);
    assert!(app.audit_actions().contains(&"account_changed".to_string()));
}

fn between(s: &str, start: &str, end: &str) -> Option<String> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)? + i;
    Some(s[i..j].to_string())
}

#[tokio::test]
async fn a_provider_that_is_down_gets_a_clear_message_and_leaves_nothing() {
    let mut provider = Provider::start();
    let app = TestApp::with_oidc(&provider.settings(GROUPS));
    // Down between the start and the way back: the code cannot be exchanged.
    let mut browser = Browser::new();
    let back = browser.via_provider(&app, "coach", "pwd").await;
    provider.stop();
    let before = counts(&app);
    let res = browser.pinne(&app, Method::GET, &back.callback, "").await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{}", res.text());
    assert!(res.text().contains("Kommunens inloggning svarar inte just nu"), "{}", res.text());
    assert_eq!(counts(&app), (before.0, before.1, 0));
    assert_eq!(last_audit(&app).1, "kommunens konto: kommunens inloggning svarade inte");

    // Down from the start (a fresh server: nothing cached).
    let app = TestApp::with_oidc(&provider.settings(GROUPS));
    let before = counts(&app);
    let res = Browser::new().pinne(&app, Method::GET, "/login/oidc", "").await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.text().contains("Kommunens inloggning svarar inte just nu"));
    assert!(res.text().contains("name=\"password\""), "the password form stays");
    assert_eq!(counts(&app), before);
    assert_eq!(last_audit(&app), ("login_failed".into(), "kommunens konto: kommunens inloggning svarade inte".into()));
}

#[tokio::test]
async fn a_new_signing_key_at_the_provider_is_fetched() {
    let provider = Provider::start();
    let app = TestApp::with_oidc(&provider.settings(GROUPS));
    assert_eq!(Browser::new().sign_in(&app, "lasare", "pwd").await.status, StatusCode::OK);
    // Pinne has the provider's keys cached; the provider now signs with a key it did not have.
    provider.rotate().await;
    let mut browser = Browser::new();
    let res = browser.sign_in(&app, "lasare", "pwd").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(session_account(&app, &browser).is_some());
}

#[tokio::test]
async fn signing_out_ends_the_session_here_and_at_the_provider() {
    let provider = Provider::start();
    let app = TestApp::with_oidc(&provider.settings(GROUPS));
    let mut browser = Browser::new();
    assert_eq!(browser.sign_in(&app, "huvudman", "pwd").await.status, StatusCode::OK);
    let (.., csrf) = session_account(&app, &browser).unwrap();
    let sessions = counts(&app).1;
    let res = browser.pinne(&app, Method::POST, "/logout", &format!("csrf={csrf}")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(counts(&app).1, sessions - 1);
    assert!(!browser.pinne.iter().any(|(k, _)| k == COOKIE));
    let text = res.text();
    let to = between(&text, "content=\"0; url=", "\"").expect("goes on to the provider").replace("&amp;", "&");
    assert!(to.starts_with(&format!("{}/session/end?", provider.issuer)), "{to}");
    assert!(to.contains("id_token_hint=") && to.contains("post_logout_redirect_uri="), "{to}");
    assert_eq!(last_audit(&app), ("logout".into(), "kommunens konto".into()));
    // The provider ends its session and sends the browser back to Pinne's login page.
    assert_eq!(browser.provider_logout(&to).await, AFTER_LOGOUT);
}

#[tokio::test]
async fn local_accounts_can_be_switched_off() {
    let provider = Provider::start();
    let app = TestApp::with_oidc(&provider.settings(&format!("local_login = false\n{GROUPS}")));
    let login = app.anonymous().get("/login").await;
    assert!(login.text().contains("Logga in med kommunens konto"));
    assert!(!login.text().contains("name=\"password\""), "{}", login.text());
    let res = app.anonymous().post_form("/login", "name=chef&password=chef-l%C3%B6senord-f%C3%B6r-test").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.text().contains("Inloggning med lösenord är avstängd"));
    // Without OpenID Connect the login page has no such button (the other switch).
    let plain = TestApp::new();
    assert!(!plain.anonymous().get("/login").await.text().contains("kommunens konto"));
    assert_eq!(plain.anonymous().get("/login/oidc").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn linked_accounts_are_made_in_pinne_and_linked_at_the_first_sign_in() {
    let provider = Provider::start();
    let app = TestApp::with_oidc(&provider.settings("accounts = \"linked\"\n"));
    // The förbundschef makes the account, without a password.
    let page = app.get("/anvandare").await.text();
    assert!(page.contains("Loggar in med kommunens konto (inget lösenord i Pinne)"), "{page}");
    let res = app
        .post_form("/anvandare", "name=huvudman%40kommunen.se&role=huvudman&insats=mottagningsteamet&federated=1")
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert!(app.get("/anvandare").await.text().contains("Aktivt, kommunens konto"));
    // Nobody can sign in to it with a password (there is none).
    let res = app.anonymous().post_form("/login", "name=huvudman%40kommunen.se&password=").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);

    // Someone the förbundschef has not made an account for.
    let mut stranger = Browser::new();
    let res = stranger.sign_in(&app, "coach", "pwd").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.text().contains("Du har inget konto i Pinne"), "{}", res.text());
    assert!(res.text().contains("coach@kommunen.se"));

    // The first sign-in links the account; the role and insatser are Pinne's, not the groups'.
    let mut browser = Browser::new();
    assert_eq!(browser.sign_in(&app, "huvudman", "pwd").await.status, StatusCode::OK);
    let (name, role, insatser, ..) = session_account(&app, &browser).unwrap();
    assert_eq!(
        (name.as_str(), role, insatser),
        ("huvudman@kommunen.se", Role::Huvudman, vec!["mottagningsteamet".to_string()])
    );
    let subject = app
        .store
        .read_blocking(|c| {
            Ok(c.query_row("SELECT oidc_subject FROM account WHERE name = 'huvudman@kommunen.se'", [], |r| {
                r.get::<_, String>(0)
            })?)
        })
        .unwrap();
    assert_eq!(subject, "huvudman");
    // The account page says how one signs in, and offers no password change.
    let page = browser.pinne(&app, Method::GET, "/konto", "").await.text();
    assert!(page.contains("Du loggar in med kommunens konto"), "{page}");
    assert!(!page.contains("Byt lösenord"));
    let (.., csrf) = session_account(&app, &browser).unwrap();
    let res = browser
        .pinne(&app, Method::POST, "/konto/losenord", &format!("current=x&new=ett-langt-nytt-losenord&csrf={csrf}"))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);

    // Deactivated in Pinne: the provider's sign-in no longer helps.
    let id = app
        .store
        .read_blocking(|c| Ok(store::account::by_name(c, "huvudman@kommunen.se")?.unwrap().account.id))
        .unwrap();
    let res = app.post_form(&format!("/anvandare/{id}"), "role=huvudman&insats=mottagningsteamet").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let res = Browser::new().sign_in(&app, "huvudman", "pwd").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.text().contains("Ditt konto är avstängt i Pinne"));

    // A local account moved to the municipality's sign-in, and a federated one back to a password.
    let lasare = app.client("lasare@kommunen.se", Role::Lasare, &[]);
    let res = app.post_form(&format!("/anvandare/{}", lasare.account_id), "role=lasare&active=1&federated=1").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(lasare.get("/rapport").await.location(), "/login", "its session ended");
    let mut browser = Browser::new();
    assert_eq!(browser.sign_in(&app, "lasare", "pwd").await.status, StatusCode::OK);
    let res = app
        .post_form(&format!("/anvandare/{}/losenord", lasare.account_id), "password=ett-nytt-langt-losenord-2026")
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let c = app.store.read_blocking(|c| store::account::by_name(c, "lasare@kommunen.se")).unwrap().unwrap();
    assert!(!c.account.federated);
}

#[tokio::test]
async fn a_federated_forbundschef_sets_up_totp_only_right_after_signing_in() {
    let provider = Provider::start();
    let app = TestApp::with_oidc(&provider.settings(GROUPS));
    let mut browser = Browser::new();
    assert_eq!(browser.sign_in(&app, "chef", "pwd").await.status, StatusCode::OK);
    let page = browser.pinne(&app, Method::GET, "/konto/tvasteg", "").await.text();
    assert!(!page.contains("name=\"password\""), "no password to ask for: {page}");
    let secret = pinne::auth::totp::new_secret();
    let code = |secret: &str| pinne::auth::totp::code_at(secret, pinne::web::auth::now_unix() as u64).unwrap();
    let (.., csrf) = session_account(&app, &browser).unwrap();
    // An old sign-in (more than ten minutes) is not enough.
    let token = browser.pinne.iter().find(|(k, _)| k == COOKIE).unwrap().1.clone();
    let hash = pinne::auth::hash_token(&token);
    let h = hash.clone();
    app.store
        .write_blocking(move |tx| {
            Ok(tx.execute("UPDATE session SET created_at = created_at - 700 WHERE token_hash = ?1", [&h])?)
        })
        .unwrap();
    let body = format!("secret={secret}&code={}&csrf={csrf}", code(&secret));
    let res = browser.pinne(&app, Method::POST, "/konto/tvasteg", &body).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("logga in igen med kommunens konto"), "{}", res.text());
    app.store
        .write_blocking(move |tx| {
            Ok(tx.execute("UPDATE session SET created_at = created_at + 700 WHERE token_hash = ?1", [&hash])?)
        })
        .unwrap();
    let res = browser.pinne(&app, Method::POST, "/konto/tvasteg", &body).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(browser.pinne(&app, Method::GET, "/anvandare", "").await.status, StatusCode::OK);
}

#[tokio::test]
async fn api_tokens_of_a_federated_account_end_when_its_owner_stops_signing_in() {
    let provider = Provider::start();
    let app = TestApp::with_oidc(&provider.settings(GROUPS));
    let mut browser = Browser::new();
    assert_eq!(browser.sign_in(&app, "lasare", "pwd").await.status, StatusCode::OK);
    let (token, token_hash) = pinne::auth::new_token();
    app.store
        .write_blocking(move |tx| {
            let c = store::account::by_name(tx, "lasare@kommunen.se")?.unwrap();
            store::account::create_token(tx, c.account.id, "Power BI", &token_hash, true, "2026-11-01T00:00:00Z")
        })
        .unwrap();
    let reader = common::Client { bearer: Some(token), ..app.anonymous() };
    assert_eq!(reader.get("/api/v1/reports/coachingteamet/2026").await.status, StatusCode::OK);
    // 31 days since the last sign-in at the provider.
    app.store
        .write_blocking(|tx| {
            Ok(tx.execute(
                "UPDATE account SET federated_at = federated_at - 31 * 86400 WHERE name = 'lasare@kommunen.se'",
                [],
            )?)
        })
        .unwrap();
    assert_eq!(reader.get("/api/v1/reports/coachingteamet/2026").await.status, StatusCode::UNAUTHORIZED);
    // Signing in again brings the token back.
    assert_eq!(Browser::new().sign_in(&app, "lasare", "pwd").await.status, StatusCode::OK);
    assert_eq!(reader.get("/api/v1/reports/coachingteamet/2026").await.status, StatusCode::OK);
}

/// The förbundschef's second factor cannot be skipped through the provider: TOTP set up in Pinne
/// is asked for whenever the provider asserts none; once the account has had a second factor, a
/// sign-in with neither is refused (a password alone must not enrol a new authenticator); an API
/// token counts the last sign-in's.
#[tokio::test]
async fn the_second_factor_is_never_skipped_through_the_provider() {
    let provider = Provider::start();
    let app = TestApp::with_oidc(&provider.settings(GROUPS));
    // A coach with TOTP in Pinne is asked for the code after a sign-in without MFA.
    let mut coach = Browser::new();
    assert_eq!(coach.sign_in(&app, "coach", "pwd").await.status, StatusCode::OK);
    app.store
        .write_blocking(|tx| {
            let c = store::account::by_name(tx, "coach@kommunen.se")?.unwrap();
            store::account::set_totp(tx, c.account.id, Some(&pinne::auth::totp::new_secret()))
        })
        .unwrap();
    let mut again = Browser::new();
    assert!(again.sign_in(&app, "coach", "pwd").await.text().contains("url=/login/kod"));

    // The coach made an API token (no second factor needed), then becomes förbundschef.
    let (token, token_hash) = pinne::auth::new_token();
    app.store
        .write_blocking(move |tx| {
            let c = store::account::by_name(tx, "coach@kommunen.se")?.unwrap();
            store::account::set_totp(tx, c.account.id, None)?;
            store::account::create_token(tx, c.account.id, "skript", &token_hash, false, "2026-11-01T00:00:00Z")
        })
        .unwrap();
    let api = common::Client { bearer: Some(token), ..app.anonymous() };
    assert_eq!(api.get("/api/v1/config").await.status, StatusCode::OK);
    provider.set_groups("coach", &["pinne-forbundschef"]).await;
    // Promoted at a sign-in without MFA: the token may not act as förbundschef without one.
    let mut promoted = Browser::new();
    assert_eq!(promoted.sign_in(&app, "coach", "pwd").await.status, StatusCode::OK);
    assert_eq!(api.get("/api/v1/config").await.status, StatusCode::FORBIDDEN);
    // The session is held at the TOTP setup (the account never had a second factor yet).
    assert_eq!(promoted.pinne(&app, Method::GET, "/anvandare", "").await.location(), "/konto/tvasteg");
    // A sign-in with MFA at the provider: the token works again.
    assert_eq!(Browser::new().sign_in(&app, "coach", "pwd,mfa").await.status, StatusCode::OK);
    let res = api.get("/api/v1/config").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // From now on a sign-in with neither MFA nor TOTP is refused, not held at the setup.
    let before = counts(&app).1;
    let res = Browser::new().sign_in(&app, "coach", "pwd").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.text());
    assert!(res.text().contains("intygade ingen tvåstegsverifiering"), "{}", res.text());
    assert_eq!(counts(&app).1, before, "no session");
    assert_eq!(last_audit(&app).1, "kommunens konto: ingen tvåstegsverifiering, varken hos kommunen eller i Pinne");
    // With MFA at the provider no code is asked for.
    let mut browser = Browser::new();
    assert!(browser.sign_in(&app, "coach", "pwd,mfa").await.text().contains("url=/\""));
    assert_eq!(browser.pinne(&app, Method::GET, "/anvandare", "").await.status, StatusCode::OK);
}

/// Linking by name takes only an address the provider verified, and never a stopped account.
#[tokio::test]
async fn linking_by_name_needs_a_verified_address_and_an_active_account() {
    let provider = Provider::start();
    let app = TestApp::with_oidc(&provider.settings("accounts = \"linked\"\nusername_claim = \"email\"\n"));
    for name in ["coach%40kommunen.se", "lasare%40kommunen.se", "huvudman%40kommunen.se"] {
        let res = app.post_form("/anvandare", &format!("name={name}&role=lasare&federated=1")).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    }
    let subject = |name: &'static str| {
        app.store
            .read_blocking(move |c| {
                Ok(c.query_row("SELECT oidc_subject FROM account WHERE name = ?1", [name], |r| {
                    r.get::<_, Option<String>>(0)
                })?)
            })
            .unwrap()
    };
    // The coach's address is not verified by the provider: no link.
    let res = Browser::new().sign_in(&app, "coach", "pwd").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.text().contains("Du har inget konto i Pinne"));
    assert_eq!(subject("coach@kommunen.se"), None);
    // A verified address links.
    assert_eq!(Browser::new().sign_in(&app, "lasare", "pwd").await.status, StatusCode::OK);
    assert_eq!(subject("lasare@kommunen.se").as_deref(), Some("lasare"));
    // A stopped account is refused and stays unlinked, so reactivating it later links nobody.
    let id = app
        .store
        .read_blocking(|c| Ok(store::account::by_name(c, "huvudman@kommunen.se")?.unwrap().account.id))
        .unwrap();
    assert_eq!(app.post_form(&format!("/anvandare/{id}"), "role=lasare").await.status, StatusCode::OK);
    let res = Browser::new().sign_in(&app, "huvudman", "pwd").await;
    assert!(res.text().contains("Ditt konto är avstängt i Pinne"));
    assert_eq!(subject("huvudman@kommunen.se"), None);
}

/// One address cannot use up the sign-ins everyone shares.
#[tokio::test]
async fn starting_sign_ins_is_limited_per_address() {
    let provider = Provider::start();
    let app = TestApp::with_oidc(&provider.settings(GROUPS));
    for i in 0..200 {
        let res = Browser::new().pinne(&app, Method::GET, "/login/oidc", "").await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "start {i}");
    }
    let res = Browser::new().pinne(&app, Method::GET, "/login/oidc", "").await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.text().contains("Vänta några minuter"));
    assert_eq!(counts(&app).2, 200, "no attempt stored beyond the limit");
}
