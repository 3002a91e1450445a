//! Sign-in with the municipality's account against a real OpenID Connect provider
//! (`oidc-provider` from npm, started per test by `common::oidc::Provider`).

mod common;

use axum::http::{Method, StatusCode};
use common::oidc::{Browser, GROUPS, Provider};
use common::{COOKIE, TestApp};
use pinne::domain::account::Role;
use pinne::store;

/// The account signed in by this browser's session: (name, role, insats keys, federated).
fn session_account(app: &TestApp, browser: &Browser) -> Option<(String, Role, Vec<String>, bool, String)> {
    let token = browser.pinne.iter().find(|(k, _)| k == COOKIE)?.1.clone();
    let hash = pinne::auth::hash_token(&token);
    let s = app.store.read_blocking(move |c| store::account::session(c, &hash)).unwrap()?;
    let cfg = app.store.config();
    let keys =
        s.account.insats_ids.iter().map(|id| cfg.insatser.iter().find(|i| i.id == *id).unwrap().key.clone()).collect();
    Some((s.account.name, s.account.role, keys, s.account.federated, s.csrf))
}

#[tokio::test]
async fn a_coach_signs_in_from_group_claims() {
    let provider = Provider::start();
    let app = TestApp::with_oidc(&provider.settings(GROUPS));
    let login = app.anonymous().get("/login").await;
    assert!(login.text().contains("Logga in med kommunens konto"));
    let mut browser = Browser::new();
    let res = browser.sign_in(&app, "coach", "pwd").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.text().contains("url=/"), "{}", res.text());
    let (name, role, insatser, federated, _) = session_account(&app, &browser).expect("a session");
    assert_eq!((name.as_str(), role, federated), ("coach@kommunen.se", Role::Coach, true));
    assert_eq!(insatser, vec!["coachingteamet".to_string()]);
    let home = browser.pinne(&app, Method::GET, "/registrera", "").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.text());
}
