//! A real OpenID Connect provider for tests: `tests/oidc/provider.mjs` (the `oidc-provider`
//! package from npm) in a Node process of its own, and a browser's walk through a sign-in:
//! Pinne (in process, through `oneshot`) → the provider over HTTP → back to Pinne.

use super::{COOKIE, Client, Response, TestApp};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// The client secret the provider script registers for Pinne.
pub const CLIENT_SECRET: &str = "pinne-test-hemlighet";
/// Where the provider sends the browser back (Pinne itself is not listening: the test carries
/// the redirect to the app in process).
pub const REDIRECT: &str = "http://127.0.0.1:1/login/oidc/svar";
pub const AFTER_LOGOUT: &str = "http://127.0.0.1:1/login";

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// Installs the provider's npm packages once (exactly as in package-lock.json).
fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if dir().join("node_modules/oidc-provider/package.json").exists() {
            return;
        }
        let ok = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--silent"])
            .current_dir(dir())
            .status()
            .expect("npm (Node.js) is needed for the OpenID Connect tests: apt-get install nodejs npm");
        assert!(ok.success(), "npm ci in tests/oidc failed");
    });
}

/// The provider process; killed when dropped.
pub struct Provider {
    pub issuer: String,
    child: Child,
    http: reqwest::Client,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Provider {
    pub fn start() -> Provider {
        Provider::start_for("127.0.0.1", REDIRECT, AFTER_LOGOUT)
    }

    /// A provider named `host` (it listens on 127.0.0.1) for a Pinne at these addresses.
    pub fn start_for(host: &str, redirect: &str, after_logout: &str) -> Provider {
        install();
        let mut child = Command::new("node")
            .arg(dir().join("provider.mjs"))
            .args(["--host", host, "--redirect", redirect, "--logout", after_logout])
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("OIDC_DEBUG").is_some() { Stdio::inherit() } else { Stdio::null() })
            .spawn()
            .expect("node is needed for the OpenID Connect tests");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("provider said {line:?}: {e}"));
        let issuer = v["issuer"].as_str().unwrap().to_string();
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Provider { issuer, child, http }
    }

    /// The settings file for Pinne, with `extra` lines (e.g. `accounts = "linked"`) and groups.
    pub fn settings(&self, extra: &str) -> String {
        format!(
            r#"issuer = "{issuer}"
client_id = "pinne"
redirect_url = "{REDIRECT}"
post_logout_redirect_url = "{AFTER_LOGOUT}"
scopes = ["openid", "profile", "email", "groups"]
mfa_amr = ["mfa"]
{extra}
"#,
            issuer = self.issuer
        )
    }

    /// The next ID token the provider issues is changed (see `mutate` in provider.mjs).
    pub async fn next(&self, mode: &str) {
        let r = self.http.post(format!("{}/__test/next?mode={mode}", self.issuer)).send().await.unwrap();
        assert!(r.status().is_success());
    }

    /// The user's groups at the provider from now on.
    pub async fn set_groups(&self, user: &str, groups: &[&str]) {
        let url = format!("{}/__test/groups?user={user}&groups={}", self.issuer, groups.join(","));
        let r = self.http.post(url).send().await.unwrap();
        assert!(r.status().is_success());
    }

    /// The provider publishes a new signing key and signs with it from now on.
    pub async fn rotate(&self) {
        let r = self.http.post(format!("{}/__test/rotate", self.issuer)).send().await.unwrap();
        assert!(r.status().is_success());
    }

    /// Stops the provider: it is down.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The groups mapping the tests use, in the settings file's form.
pub const GROUPS: &str = r#"accounts = "groups"
[[group]]
id = "pinne-coacher-coachingteamet"
role = "coach"
insatser = ["coachingteamet"]
[[group]]
id = "pinne-coacher-strukturarbete"
role = "coach"
insatser = ["strukturarbete"]
[[group]]
id = "pinne-huvudman"
role = "huvudman"
insatser = ["coachingteamet", "strukturarbete"]
[[group]]
id = "pinne-forbundschef"
role = "forbundschef"
[[group]]
id = "pinne-styrelsen"
role = "lasare"
"#;

/// A browser: its own cookie jar at the provider, and Pinne's cookies by hand.
pub struct Browser {
    http: reqwest::Client,
    /// Pinne's cookies: name → value.
    pub pinne: Vec<(String, String)>,
}

/// A sign-in taken as far as the provider's redirect back to Pinne.
pub struct Redirected {
    /// Path and query of the callback to Pinne.
    pub callback: String,
}

impl Default for Browser {
    fn default() -> Self {
        Browser::new()
    }
}

impl Browser {
    pub fn new() -> Browser {
        let http =
            reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { http, pinne: Vec::new() }
    }

    fn cookie_header(&self) -> String {
        self.pinne.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    /// A request to Pinne with this browser's cookies; keeps the cookies it sets.
    pub async fn pinne(&mut self, app: &TestApp, method: Method, path: &str, body: &str) -> Response {
        let mut req = Request::builder().method(method).uri(path);
        if !self.pinne.is_empty() {
            req = req.header(header::COOKIE, self.cookie_header());
        }
        if !body.is_empty() {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let res = app.anonymous().send(req.body(Body::from(body.to_string())).unwrap()).await;
        for v in res.headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let (kv, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = kv.split_once('=').unwrap();
            self.pinne.retain(|(n, _)| n != k);
            if !attrs.contains("Max-Age=0") && !val.is_empty() {
                self.pinne.push((k.to_string(), val.to_string()));
            }
        }
        res
    }

    /// Pinne's `GET /login/oidc`, then the provider: `user` signs in (with `amr`, e.g. "pwd" or
    /// "pwd,mfa") and the request is granted. Stops at the redirect back to Pinne.
    pub async fn via_provider(&mut self, app: &TestApp, user: &str, amr: &str) -> Redirected {
        let res = self.pinne(app, Method::GET, "/login/oidc", "").await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
        self.at_provider(&res.location(), user, amr).await
    }

    /// From the provider's authorization URL to the redirect back to Pinne.
    pub async fn at_provider(&mut self, authorize: &str, user: &str, amr: &str) -> Redirected {
        let mut url = reqwest::Url::parse(authorize).unwrap();
        for _ in 0..10 {
            let res = self.http.get(url.clone()).send().await.unwrap();
            let location = res
                .headers()
                .get(reqwest::header::LOCATION)
                .unwrap_or_else(|| panic!("no redirect from {url}: {}", res.status()))
                .to_str()
                .unwrap()
                .to_string();
            let next = url.join(&location).unwrap();
            if next.as_str().starts_with(REDIRECT) {
                let path = &next.as_str()["http://127.0.0.1:1".len()..];
                return Redirected { callback: path.to_string() };
            }
            url = if next.path().starts_with("/interaction/") && !next.path().ends_with("/login") {
                let mut u = next.clone();
                u.set_path(&format!("{}/login", next.path()));
                u.set_query(Some(&format!("user={user}&amr={amr}")));
                u
            } else {
                next
            };
        }
        panic!("the provider did not send the browser back");
    }

    /// The whole sign-in; returns Pinne's answer to the callback.
    pub async fn sign_in(&mut self, app: &TestApp, user: &str, amr: &str) -> Response {
        let back = self.via_provider(app, user, amr).await;
        self.pinne(app, Method::GET, &back.callback, "").await
    }

    /// Follows the provider's sign-out page (the URL Pinne's page goes on to) to where the
    /// provider sends the browser afterwards.
    pub async fn provider_logout(&self, url: &str) -> String {
        let res = self.http.get(url).send().await.unwrap();
        let page = res.text().await.unwrap();
        // The provider's page posts a form (its own CSRF field) by script: do what it does.
        let action = between(&page, "action=\"", "\"").expect("a logout form");
        let xsrf = between(&page, "name=\"xsrf\" value=\"", "\"").expect("the form's xsrf field");
        let target = reqwest::Url::parse(url).unwrap().join(&action).unwrap();
        let mut res =
            self.http.post(target.clone()).form(&[("xsrf", xsrf.as_str()), ("logout", "yes")]).send().await.unwrap();
        let mut at = target;
        for _ in 0..5 {
            let Some(l) = res.headers().get(reqwest::header::LOCATION) else { break };
            let next = at.join(l.to_str().unwrap()).unwrap();
            if next.as_str().starts_with(AFTER_LOGOUT) {
                return next.to_string();
            }
            res = self.http.get(next.clone()).send().await.unwrap();
            at = next;
        }
        panic!("the provider did not send the browser back after signing out");
    }

    /// This browser's Pinne session as a test client (for the access matrix), once signed in.
    pub fn client(&self, app: &TestApp, account_id: i64, csrf: &str) -> Client {
        let session = self.pinne.iter().find(|(k, _)| k == COOKIE).map(|(_, v)| v.clone()).expect("a session");
        Client { app: app.app.clone(), account_id, session: Some(session), csrf: Some(csrf.into()), bearer: None }
    }
}

fn between(s: &str, start: &str, end: &str) -> Option<String> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)? + i;
    Some(s[i..j].replace("&amp;", "&"))
}
