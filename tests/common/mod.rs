//! Test helpers: the app on a temporary SQLite file, driven through `app()` with `oneshot`.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use pinne::domain::Period;
use pinne::domain::preset::Preset;
use pinne::store::Store;
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

impl TestApp {
    pub fn new() -> TestApp {
        TestApp::with_preset(&Preset::builtin("degerfors-karlskoga").unwrap())
    }

    pub fn with_preset(preset: &Preset) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_with_preset(dir.path(), preset).unwrap();
        let app = pinne::app(AppState::new(store.clone(), Clock::Fixed(now())));
        TestApp { dir, store, app }
    }

    pub async fn request(&self, method: Method, path: &str, content_type: Option<&str>, body: &str) -> Response {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let res = self.app.clone().oneshot(req.body(Body::from(body.to_string())).unwrap()).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Response { status, headers, body }
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
