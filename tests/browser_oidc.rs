//! Signing in with the municipality's account in a real browser: Chromium (playwright-core,
//! `tests/browser/oidc_login.mjs`) against `pinne serve` and the real OpenID provider
//! (`tests/oidc/provider.mjs`) on another site (localhost vs 127.0.0.1), so the session cookie
//! (`SameSite=Strict`) and the attempt's cookie (`SameSite=Lax`) meet a real cross-site redirect.
//! Needs Chromium and `npm ci` in `tests/browser`; `.ci/run` runs this with `-- --ignored`.

mod common;

use common::oidc::{GROUPS, Provider};
use common::process::free_port;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
#[ignore = "needs Chromium and npm ci in tests/browser; run with --ignored (CI does)"]
fn signing_in_and_out_with_the_municipalitys_account_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let provider = Provider::start_for("localhost", &format!("{base}/login/oidc/svar"), &format!("{base}/login"));
    let settings = provider
        .settings(GROUPS)
        .replace(common::oidc::REDIRECT, &format!("{base}/login/oidc/svar"))
        .replace(common::oidc::AFTER_LOGOUT, &format!("{base}/login"));
    let file = dir.path().join("oidc.toml");
    std::fs::write(&file, settings).unwrap();
    let data = dir.path().join("data");
    let mut server = Command::new(env!("CARGO_BIN_EXE_pinne"))
        .args(["serve", "--demo", "--dev", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(&data)
        .arg("--oidc")
        .arg(&file)
        .env("PINNE_OIDC_CLIENT_SECRET", common::oidc::CLIENT_SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    common::process::wait_for_port(port, Duration::from_secs(120));
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-oidc");
    std::fs::create_dir_all(&shots).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/oidc_login.mjs");
    let out = Command::new("node").arg(script).arg(&base).arg(&shots).output().expect("node");
    let _ = server.kill();
    let _ = server.wait();
    drop(provider);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "browser script failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let seen: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert!(seen.get("error").is_none(), "{seen}");
    assert_eq!(seen["button"], 1, "{seen}");
    assert_eq!(seen["providerHost"], "localhost", "the provider is another site: {seen}");
    // Signed in after the cross-site redirect: the förbundschef's start page (MFA at the provider).
    assert_eq!(seen["afterSignIn"], "/oversikt", "{seen}");
    assert!(seen["header"].as_str().unwrap().contains("chef@kommunen.se"), "{seen}");
    assert_eq!((seen["usersStatus"].as_i64(), seen["usersPath"].as_str()), (Some(200), Some("/anvandare")), "{seen}");
    // The account page says how one signs in, and has no password to change.
    let account = seen["account"].as_str().unwrap();
    assert!(account.contains("Du loggar in med kommunens konto") && !account.contains("Byt lösenord"), "{seen}");
    assert!(account.contains("Hos kommunen"), "the provider's second factor is shown: {seen}");
    // Signed out here and at the provider.
    assert_eq!(seen["afterLogout"], "/login", "{seen}");
    assert_eq!(seen["afterLogoutUsers"], "/login", "{seen}");
    assert!(seen.get("providerStillSignedIn").is_none(), "the provider kept its session: {seen}");
    // Refused with a plain Swedish message on the login page.
    assert_eq!(seen["refusedPath"], "/login/oidc/svar", "{seen}");
    assert!(seen["refusedText"].as_str().unwrap().contains("ingen roll i Pinne"), "{seen}");
}
