//! The förbundschef manages accounts: add, change role and insatser, deactivate, reset password.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use pinne::domain::account::Role;

#[tokio::test]
async fn accounts_are_created_with_checked_names_roles_and_passwords() {
    let app = TestApp::new();
    let ok = "name=anna.a%40karlskoga.se&role=coach&insats=coachingteamet&password=en+l%C3%A5ng+l%C3%B6senfras";
    let res = app.post_form("/anvandare", ok).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let page = app.get(&res.location()).await.text();
    assert!(page.contains("Konto: anna.a@karlskoga.se"));
    assert!(page.contains(r#"id="insats-coachingteamet" name="insats" value="coachingteamet" checked"#));
    for (body, status, message) in [
        (ok.replace("anna.a", "ANNA.A"), StatusCode::CONFLICT, "finns redan"),
        (
            ok.replace("anna.a%40karlskoga.se", "anna+andersson"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Användarnamnet får ha",
        ),
        (ok.replace("role=coach", "role=kung"), StatusCode::UNPROCESSABLE_ENTITY, "Välj en roll"),
        (
            ok.replace("name=anna.a", "name=bo").replace("en+l%C3%A5ng+l%C3%B6senfras", "kort"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "minst 12",
        ),
        (
            ok.replace("name=anna.a", "name=bo").replace("coachingteamet&", "finns_inte&"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "finns inte",
        ),
    ] {
        let res = app.post_form("/anvandare", &body).await;
        assert_eq!(res.status, status, "{body}");
        assert!(res.text().contains(message), "{body}: {message}");
    }
    let accounts = app.store.read_blocking(pinne::store::account::list).unwrap();
    assert_eq!(accounts.len(), 2, "only chef and anna");
}

#[tokio::test]
async fn a_forbundschef_cannot_lock_themself_out() {
    let app = TestApp::new();
    let me = app.chef.account_id;
    for body in ["role=coach&active=1", "role=forbundschef"] {
        let res = app.post_form(&format!("/anvandare/{me}"), body).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    assert_eq!(app.get("/anvandare").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_reset_password_ends_sessions_and_the_second_factor() {
    let app = TestApp::new();
    let other = app.client("chef2", Role::Forbundschef, &[]);
    assert_eq!(other.get("/anvandare").await.status, StatusCode::OK);
    let weak = app.post_form(&format!("/anvandare/{}/losenord", other.account_id), "password=kort").await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other.get("/anvandare").await.status, StatusCode::OK, "nothing changed");
    let res = app
        .post_form(&format!("/anvandare/{}/losenord", other.account_id), "password=ett+helt+nytt+l%C3%A5ngt+l%C3%B6sen")
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text().contains("Lösenordet är återställt"));
    assert_eq!(other.get("/anvandare").await.location(), "/login");
    let stored = app.store.read_blocking(|c| pinne::store::account::by_id(c, other.account_id)).unwrap().unwrap();
    assert!(stored.totp_secret.is_none());
    assert!(pinne::auth::verify_password("ett helt nytt långt lösen", &stored.password_hash));
    assert!(
        app.get("/logg.csv?action=password_changed")
            .await
            .text()
            .contains("återställt för chef2, 1 API-nycklar återkallade")
    );
    // Its API token died with the reset.
    assert_eq!(other.get("/api/v1/config").await.status, StatusCode::UNAUTHORIZED);
}
