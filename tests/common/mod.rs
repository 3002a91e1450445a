//! Test helpers: the app on a temporary SQLite file, driven through `app()` with `oneshot`.
#![allow(dead_code)]

pub mod oidc;
pub mod process;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use pinne::domain::Period;
use pinne::domain::account::Role;
use pinne::domain::preset::Preset;
use pinne::store::{self, Store};
use pinne::{AppState, Clock};
use serde_json::Value;
use tower::ServiceExt;

/// "Now" in tests: November 2026.
pub fn now() -> Period {
    Period::new(2026, 11).unwrap()
}

pub struct TestApp {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub app: Router,
    /// The förbundschef, who may do everything: what `get`, `post_form` and `post_json` act as.
    pub chef: Client,
}

/// Credentials for one account: a session (pages) and a full API token.
#[derive(Clone)]
pub struct Client {
    pub app: Router,
    pub account_id: i64,
    pub session: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("utf-8 body")
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn location(&self) -> String {
        self.headers.get(header::LOCATION).expect("Location header").to_str().unwrap().to_string()
    }
}

pub const COOKIE: &str = "__Host-pinne";

impl Client {
    pub async fn send(&self, req: Request<Body>) -> Response {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Response { status, headers, body }
    }

    /// A request with this client's session cookie (pages), or its token (API). Form bodies get
    /// the session's CSRF token appended.
    pub async fn request(&self, method: Method, path: &str, content_type: Option<&str>, body: &str) -> Response {
        let mut req = Request::builder().method(method.clone()).uri(path);
        let mut body = body.to_string();
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        if let Some(token) = self.bearer.as_ref().filter(|_| path.starts_with("/api/")) {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        } else if let Some(s) = &self.session {
            req = req.header(header::COOKIE, format!("{COOKIE}={s}"));
            if method == Method::POST
                && content_type.is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
            {
                let csrf = self.csrf.clone().unwrap();
                body = if body.is_empty() { format!("csrf={csrf}") } else { format!("{body}&csrf={csrf}") };
            }
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path, None, "").await
    }

    pub async fn post_json(&self, path: &str, body: &str) -> Response {
        self.request(Method::POST, path, Some("application/json"), body).await
    }

    pub async fn post_form(&self, path: &str, body: &str) -> Response {
        self.request(Method::POST, path, Some("application/x-www-form-urlencoded"), body).await
    }

    /// A POST with a binary body through the API (with the token).
    pub async fn post_bytes(&self, path: &str, content_type: &str, body: Vec<u8>) -> Response {
        let mut req = Request::builder().method(Method::POST).uri(path).header(header::CONTENT_TYPE, content_type);
        if let Some(token) = &self.bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    /// A browser's file upload (`multipart/form-data`) with the session: the CSRF field, then the
    /// file as field `fil`.
    pub async fn upload(&self, path: &str, file_name: &str, file: &[u8]) -> Response {
        let boundary = "----pinne-test-boundary-7d3f";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
                self.csrf.clone().unwrap_or_default()
            )
            .as_bytes(),
        );
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"fil\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .header(header::COOKIE, format!("{COOKIE}={}", self.session.clone().unwrap()));
        self.send(req.body(Body::from(body)).unwrap()).await
    }
}

/// Creates an account (with a TOTP secret for a förbundschef), a completed session and a token.
pub fn account(store: &Store, app: &Router, name: &str, role: Role, insatser: &[&str]) -> Client {
    let cfg = store.config();
    let ids: Vec<i64> = insatser.iter().map(|k| cfg.insats(k).unwrap().id).collect();
    let hash = pinne::auth::hash_password(&format!("{name}-lösenord-för-test"));
    let (session, session_hash) = pinne::auth::new_token();
    let (csrf, _) = pinne::auth::new_token();
    let (token, token_hash) = pinne::auth::new_token();
    let id = store
        .write_blocking(|tx| {
            let id = store::account::create(tx, name, role, &hash, &ids, "2026-11-01T00:00:00Z")?;
            if role == Role::Forbundschef {
                store::account::set_totp(tx, id, Some(&pinne::auth::totp::new_secret()))?;
            }
            store::account::create_session(tx, &session_hash, id, &csrf, pinne::web::auth::now_unix(), true)?;
            store::account::create_token(tx, id, "test", &token_hash, false, "2026-11-01T00:00:00Z")?;
            Ok(id)
        })
        .unwrap();
    Client { app: app.clone(), account_id: id, session: Some(session), csrf: Some(csrf), bearer: Some(token) }
}

impl TestApp {
    /// A second server process on the same database (a restart): its own store and caches.
    pub fn restarted(&self) -> (Store, Router) {
        let store = Store::open(self.dir.path()).unwrap();
        let app = pinne::app(AppState::new(store.clone(), Clock::Fixed(now())));
        (store, app)
    }

    pub fn new() -> TestApp {
        TestApp::with_preset(&Preset::builtin("degerfors-karlskoga").unwrap())
    }

    pub fn with_preset(preset: &Preset) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_with_preset(dir.path(), preset).unwrap();
        let app = pinne::app(AppState::new(store.clone(), Clock::Fixed(now())));
        let chef = account(&store, &app, "chef", Role::Forbundschef, &[]);
        TestApp { dir, store, app, chef }
    }

    /// With sign-in through an OpenID Connect provider (settings as in the `--oidc` file).
    pub fn with_oidc(settings: &str) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_with_preset(dir.path(), &Preset::builtin("degerfors-karlskoga").unwrap()).unwrap();
        let oidc = pinne::oidc::Settings::parse(settings, Some(oidc::CLIENT_SECRET.into()), dir.path()).unwrap();
        let state = AppState::new(store.clone(), Clock::Fixed(now())).with_oidc(pinne::oidc::Oidc::new(oidc).unwrap());
        let app = pinne::app(state);
        let chef = account(&store, &app, "chef", Role::Forbundschef, &[]);
        TestApp { dir, store, app, chef }
    }

    /// A new account of this role, working with these insatser.
    pub fn client(&self, name: &str, role: Role, insatser: &[&str]) -> Client {
        account(&self.store, &self.app, name, role, insatser)
    }

    /// No credentials at all.
    pub fn anonymous(&self) -> Client {
        Client { app: self.app.clone(), account_id: 0, session: None, csrf: None, bearer: None }
    }

    pub async fn request(&self, method: Method, path: &str, content_type: Option<&str>, body: &str) -> Response {
        self.chef.request(method, path, content_type, body).await
    }

    pub async fn get(&self, path: &str) -> Response {
        self.chef.get(path).await
    }

    pub async fn post_json(&self, path: &str, body: &str) -> Response {
        self.chef.post_json(path, body).await
    }

    pub async fn post_form(&self, path: &str, body: &str) -> Response {
        self.chef.post_form(path, body).await
    }

    /// Posts a tally through the API and asserts it was stored; returns its id.
    pub async fn tally(&self, kind: &str, period: &str, values: &[(&str, &str)]) -> i64 {
        let values: serde_json::Map<String, Value> =
            values.iter().map(|(k, v)| (k.to_string(), Value::String(v.to_string()))).collect();
        let insats = self.store.config().active_insatser().next().unwrap().key.clone();
        let body = serde_json::json!({ "insats": insats, "kind": kind, "period": period, "values": values });
        let res = self.post_json("/api/v1/tallies", &body.to_string()).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        res.json()["id"].as_i64().unwrap()
    }

    /// Everything a tally writes: (tallies, values held by tallies, sum of all counts).
    pub fn footprint(&self) -> (i64, i64, i64) {
        self.store
            .read_blocking(|c| {
                Ok(c.query_row(
                    "SELECT (SELECT count(*) FROM tally), (SELECT coalesce(sum(json_array_length(value_ids)), 0) FROM tally),
                            (SELECT coalesce(sum(n), 0) FROM tally_count)",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?)
            })
            .unwrap()
    }

    /// The audit log's actions, oldest first.
    pub fn audit_actions(&self) -> Vec<String> {
        self.store
            .read_blocking(|c| {
                let mut stmt = c.prepare("SELECT action FROM audit ORDER BY id")?;
                Ok(stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?)
            })
            .unwrap()
    }
}

/// A full set of person categories for the default configuration.
pub fn person<'a>(kon: &'a str, kommun: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kon", kon),
        ("kommun", kommun),
        ("aldersgrupp", "25_29"),
        ("utbildning", "gymnasium"),
        ("forsorjning", "forsakringskassan"),
        ("tid_forsorjning", "1_3"),
    ]
}

/// Person categories plus exit reason and time in the programme.
pub fn exit<'a>(kon: &'a str, kommun: &'a str, reason: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut v = person(kon, kommun);
    v.push(("avslutsorsak", reason));
    v.push(("tid_i_insatsen", "7_12"));
    v
}

/// One of Mottagningsteamet's guidance meetings, offered in time.
pub fn meeting(kon: &str) -> Vec<(&str, &str)> {
    vec![
        ("kon", kon),
        ("kommun", "karlskoga"),
        ("aldersgrupp", "16_19"),
        ("forsorjning", "forsakringskassan"),
        ("myndighetskontakter", "vard"),
        ("nasta_steg", "coachingteamet"),
        ("mote_i_tid", "ja"),
    ]
}

/// (kind, period, values, how many)
pub type Batch<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, usize);

/// Stores `n` copies of a tally of `insats` through validation, in one transaction (fast for big
/// scenarios).
pub fn bulk(app: &TestApp, insats: &str, items: &[Batch]) {
    let cfg = app.store.config();
    let mut all = Vec::new();
    for (kind, period, values, n) in items {
        let raw = pinne::domain::RawTally {
            insats: Some(insats.into()),
            kind: Some(kind.to_string()),
            period: Some(period.to_string()),
            values: values.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..Default::default()
        };
        let t = pinne::domain::tally::validate(&cfg, &raw, now()).expect("valid scenario tally");
        all.extend(std::iter::repeat_n(t, *n));
    }
    app.store
        .write_blocking(|tx| {
            for t in &all {
                store::tally::insert(tx, t, None)?;
            }
            Ok(())
        })
        .unwrap();
}
