//! The OpenAPI document at `/api/v1/openapi.json`: it describes exactly the routes of
//! `api::router()`, is valid OpenAPI 3.1, every `$ref` in it resolves, and what the API really
//! answers (and accepts) matches the schemas it promises.

mod common;

use axum::http::{Method, StatusCode};
use common::{Response, TestApp, now};
use pinne::domain::account::Role;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The official JSON Schema for OpenAPI 3.1 documents (`https://spec.openapis.org/oas/3.1/schema/2022-10-07`),
/// by the OpenAPI Initiative, Apache-2.0. Copied unchanged from the PyPI package
/// `openapi-spec-validator` 0.9.0, `openapi_spec_validator/resources/schemas/v3.1/schema.json`.
const OAS_3_1_SCHEMA: &str = include_str!("fixtures/openapi-3.1-schema.json");

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// (method, path) of every route in `api::router()`, read from its source: `.route("PATH",
/// get(a).post(b))`, `axum::routing::post(c)`, …, also when rustfmt breaks a call over lines.
fn router_routes() -> BTreeSet<(String, String)> {
    let mut routes = routes_in(include_str!("../src/web/api.rs"), "pub fn router()");
    routes.extend(routes_in(include_str!("../src/web/import_api.rs"), "pub fn routes()"));
    assert!(routes.len() >= 10, "too few routes read from api.rs: {routes:?}");
    routes
}

fn routes_in(src: &str, function: &str) -> BTreeSet<(String, String)> {
    let start = src.find(function).expect("the router function");
    let body = &src[start..start + src[start..].find("\n}\n").expect("end of router()")];
    let mut out = BTreeSet::new();
    for chunk in body.split(".route(").skip(1) {
        let chunk = chunk.trim_start().strip_prefix('"').expect("a route's path is a string literal");
        let (path, rest) = chunk.split_once('"').unwrap();
        // The handlers: up to the parenthesis that closes `.route(`.
        let mut depth = 1;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map(|(i, _)| i)
            .expect("balanced .route(…)");
        let handlers = &rest[..end];
        // A method is an identifier called as a function: `get(`, `.post(`, `axum::routing::put(`.
        let mut methods = Vec::new();
        let mut ident = String::new();
        for c in handlers.chars() {
            if c.is_ascii_alphanumeric() || c == '_' {
                ident.push(c);
                continue;
            }
            if c == '(' && METHODS.contains(&ident.as_str()) {
                methods.push(ident.clone());
            }
            ident.clear();
        }
        assert!(!methods.is_empty(), "no method found for route {path}: {handlers}");
        for m in methods {
            assert!(out.insert((m, path.to_string())), "{path} registered twice");
        }
    }
    out
}

#[test]
fn the_route_reader_reads_chained_and_qualified_methods() {
    let src = r#"
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/a", get(one))
        .route("/b/{id}", get(super::x::two).post(three).put(put_it))
        .route("/c", axum::routing::post(four))
        .route(
            "/d",
            axum::routing::delete(five).patch(six),
        )
}
"#;
    let got: Vec<(String, String)> = routes_in(src, "pub fn router()").into_iter().collect();
    let want = [
        ("delete", "/d"),
        ("get", "/a"),
        ("get", "/b/{id}"),
        ("patch", "/d"),
        ("post", "/b/{id}"),
        ("post", "/c"),
        ("put", "/b/{id}"),
    ];
    assert_eq!(got, want.map(|(m, p)| (m.to_string(), p.to_string())));
}

async fn document(app: &TestApp) -> Value {
    let res = app.get("/api/v1/openapi.json").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert!(res.headers["content-type"].to_str().unwrap().starts_with("application/json"));
    res.json()
}

/// (method, path) of every operation in the document.
fn documented_operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (key, _) in item.as_object().unwrap() {
            if ["summary", "description", "servers", "parameters"].contains(&key.as_str()) {
                continue;
            }
            assert!(METHODS.contains(&key.as_str()), "{path}: unexpected key {key} in a path item");
            out.insert((key.clone(), path.clone()));
        }
    }
    out
}

#[tokio::test]
async fn the_document_matches_the_routes() {
    let app = TestApp::new();
    let doc = document(&app).await;
    // Paths are relative to the one server, /api/v1, as the router is nested there.
    assert_eq!(doc["servers"].as_array().unwrap().len(), 1);
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    let documented = documented_operations(&doc);
    let routed = router_routes();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(undocumented.is_empty(), "routes missing from the OpenAPI document: {undocumented:?}");
    assert!(unrouted.is_empty(), "documented operations the router does not have: {unrouted:?}");
    assert!(routed.contains(&("get".to_string(), "/openapi.json".to_string())));

    // Every `{name}` of a path is a required path parameter of each of its operations, and no
    // operation declares a path parameter its path does not have.
    for (method, path) in &documented {
        let op = &doc["paths"][path][method];
        let in_path: BTreeSet<&str> = path.split('{').skip(1).map(|s| s.split('}').next().unwrap()).collect();
        let declared: BTreeSet<&str> = op["parameters"]
            .as_array()
            .map(|ps| ps.iter().filter(|p| p["in"] == "path").map(|p| p["name"].as_str().unwrap()).collect())
            .unwrap_or_default();
        assert_eq!(in_path, declared, "{method} {path}: path parameters");
        for p in op["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "path") {
            assert_eq!(p["required"], true, "{method} {path}: {p}");
        }
        // Each operation answers 401 with the error object, and says what it answers on success.
        assert!(op["responses"]["401"].is_object(), "{method} {path}: no 401");
        assert!(
            op["responses"].as_object().unwrap().keys().any(|s| s.starts_with('2')),
            "{method} {path}: no 2xx answer"
        );
        for (status, response) in op["responses"].as_object().unwrap() {
            if status.starts_with('4') {
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody",
                    "{method} {path} {status}"
                );
            }
        }
        // Changes need a token; reading also works with a browser session.
        let security: Vec<&str> = op["security"]
            .as_array()
            .or(doc["security"].as_array())
            .unwrap()
            .iter()
            .flat_map(|r| r.as_object().unwrap().keys().map(String::as_str))
            .collect();
        if method == "get" {
            assert_eq!(security, ["bearer", "session"], "{method} {path}");
        } else {
            assert_eq!(security, ["bearer"], "{method} {path}");
        }
    }
}

fn oas_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(OAS_3_1_SCHEMA).unwrap();
    assert_eq!(schema["$id"], "https://spec.openapis.org/oas/3.1/schema/2022-10-07");
    jsonschema::draft202012::new(&schema).expect("the OpenAPI 3.1 schema compiles offline")
}

#[tokio::test]
async fn the_document_is_valid_openapi_3_1() {
    let app = TestApp::new();
    let doc = document(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    assert_eq!(doc["info"]["title"], "Pinne API");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert_eq!(doc["components"]["securitySchemes"]["session"]["in"], "cookie");

    let validator = oas_validator();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "not valid OpenAPI 3.1:\n{}", errors.join("\n"));

    // The check is real: broken copies are refused.
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut d = doc.clone();
        edit(&mut d);
        d
    };
    let cases = [
        ("paths is a number", broken(&|d| d["paths"] = json!(5))),
        ("no info", broken(&|d| drop(d.as_object_mut().unwrap().remove("info")))),
        ("OpenAPI 3.0", broken(&|d| d["openapi"] = json!("3.0.3"))),
        ("info without title", broken(&|d| drop(d["info"].as_object_mut().unwrap().remove("title")))),
        ("a path not starting with /", broken(&|d| d["paths"]["config"] = d["paths"]["/config"].clone())),
        (
            "an optional path parameter",
            broken(&|d| d["paths"]["/tallies/{id}"]["get"]["parameters"][0]["required"] = json!(false)),
        ),
        (
            "a response without a description",
            broken(&|d| {
                drop(d["paths"]["/config"]["get"]["responses"]["200"].as_object_mut().unwrap().remove("description"))
            }),
        ),
        (
            "an unknown security scheme type",
            broken(&|d| d["components"]["securitySchemes"]["bearer"]["type"] = json!("magic")),
        ),
    ];
    for (what, d) in cases {
        assert!(!validator.is_valid(&d), "a document with {what} was accepted");
    }
}

/// Every `$ref` in a JSON value.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn every_ref_resolves() {
    let app = TestApp::new();
    let doc = document(&app).await;
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 50, "only {} $refs", all.len());
    for r in &all {
        let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("{r} points outside the document"));
        assert!(pointer.starts_with("/components/"), "{r}");
        assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
    }
    // And every schema component is used somewhere.
    let used: BTreeSet<&str> = all.iter().filter_map(|r| r.strip_prefix("#/components/schemas/")).collect();
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        assert!(used.contains(name.as_str()), "component {name} is never referenced");
    }
}

/// Validates `instance` against a schema of the document, with the document's components beside
/// it so that its `$ref`s resolve.
fn conforms(doc: &Value, schema: &Value, instance: &Value) -> Result<(), String> {
    let mut root = schema.clone();
    let obj = match &mut root {
        Value::Object(o) => o,
        other => panic!("not a schema object: {other}"),
    };
    obj.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
    obj.insert("components".into(), doc["components"].clone());
    let validator = jsonschema::draft202012::new(&root).map_err(|e| format!("schema does not compile: {e}"))?;
    let errors: Vec<String> =
        validator.iter_errors(instance).map(|e| format!("{e} at {}", e.instance_path())).collect();
    if errors.is_empty() { Ok(()) } else { Err(errors.join("\n")) }
}

/// Checks a real answer against what the document promises for this operation and status: the
/// status is documented, the content type is one of its media types, and a JSON body matches the
/// schema.
fn check_answer(doc: &Value, method: &str, path: &str, res: &Response) {
    let op = &doc["paths"][path][method];
    assert!(op.is_object(), "{method} {path} is not documented");
    let status = res.status.as_u16().to_string();
    let response = &op["responses"][&status];
    assert!(response.is_object(), "{method} {path} answered {status}, which is not documented: {}", res.text());
    let media = res.headers["content-type"].to_str().unwrap().split(';').next().unwrap().trim().to_string();
    let content = &response["content"][&media];
    assert!(content.is_object(), "{method} {path} {status}: {media} is not documented ({})", response["content"]);
    if media == "application/json" {
        let body = res.json();
        conforms(doc, &content["schema"], &body).unwrap_or_else(|e| {
            panic!("{method} {path} {status}: the answer does not match the document:\n{e}\n{body:#}")
        });
    }
}

/// Checks a request body against the operation's documented request body.
fn request_conforms(doc: &Value, method: &str, path: &str, body: &str) -> Result<(), String> {
    let schema = &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "{method} {path} documents no JSON request body");
    conforms(doc, schema, &serde_json::from_str(body).unwrap())
}

const TALLY: &str = r#"{"insats":"coachingteamet","kind":"avslut","period":"2026-10","values":{"kon":"man","kommun":"degerfors","aldersgrupp":"20_24","utbildning":"grundskola","forsorjning":"forsorjningsstod","tid_forsorjning":"under_1","avslutsorsak":"anstallning","tid_i_insatsen":"4_6"}}"#;
const VAGLEDNING: &str = r#"{"insats":"mottagningsteamet","kind":"vagledning","period":"2026-10","values":{"kon":"man","kommun":"degerfors","aldersgrupp":"30_39","forsorjning":"forsorjningsstod","myndighetskontakter":["vard","socialtjanst"],"nasta_steg":"coachingteamet","mote_i_tid":"ja","vagledd":"ja"}}"#;
const EVENT: &str = r#"{"insats":"strukturarbete","period":"2026-10","name":"Psykiatriveckan","organiser":"Karlskoga kommun och Finsam","attendees":72,"by_gender":{"kvinna":45,"man":25}}"#;
const VOID: &str = r#"{"reason":"dubblett"}"#;
const BUDGET: &str = r#"{"budget_kr": 4173000, "outcome_kr": "4 050 000"}"#;

#[tokio::test]
async fn the_answers_match_the_document() {
    let app = TestApp::new();
    pinne::demo::fill(&app.store, now()).unwrap();
    let doc = document(&app).await;
    let reader = app.client("lasare", Role::Lasare, &[]);
    let put_json = |path: &str, body: &str| {
        let path = path.to_string();
        let body = body.to_string();
        let chef = app.chef.clone();
        async move { chef.request(Method::PUT, &path, Some("application/json"), &body).await }
    };

    // Requests as documented are accepted, and pass the documented request schemas.
    for (path, body) in [("/tallies", TALLY), ("/tallies", VAGLEDNING), ("/events", EVENT), ("/tallies/1/void", VOID)] {
        let template = if path.ends_with("/void") { "/tallies/{id}/void" } else { path };
        request_conforms(&doc, "post", template, body).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    request_conforms(&doc, "put", "/budgets/{insats}/{year}", BUDGET).unwrap();
    request_conforms(&doc, "post", "/events/{id}/void", VOID).unwrap();
    // … and what the API refuses for its shape, they refuse too.
    for (path, body) in [
        ("/tallies", r#"{"insats":"coachingteamet","kind":"avslut","namn":"x","values":{}}"#),
        ("/tallies", r#"{"insats":"coachingteamet","kind":"avslut","values":{"kon":5}}"#),
        ("/tallies/{id}/void", r#"{"reason":"tråkig"}"#),
        ("/events", r#"{"insats":"strukturarbete","name":"x","attendees":[1]}"#),
    ] {
        assert!(request_conforms(&doc, "post", path, body).is_err(), "{path}: {body} passed the schema");
    }
    assert!(request_conforms(&doc, "put", "/budgets/{insats}/{year}", r#"{"budget":1}"#).is_err());

    let res = app.post_json("/api/v1/tallies", TALLY).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    check_answer(&doc, "post", "/tallies", &res);
    let id = res.json()["id"].as_i64().unwrap();
    // The check is real: a document that promised one more field would not match.
    let mut stricter = doc.clone();
    stricter["components"]["schemas"]["TallyView"]["required"].as_array_mut().unwrap().push(json!("nope"));
    assert!(conforms(&stricter, &json!({"$ref": "#/components/schemas/TallyView"}), &res.json()).is_err());
    let res = app.post_json("/api/v1/tallies", VAGLEDNING).await;
    check_answer(&doc, "post", "/tallies", &res);
    let multi = res.json()["id"].as_i64().unwrap();
    check_answer(&doc, "get", "/tallies/{id}", &app.get(&format!("/api/v1/tallies/{multi}")).await);
    let res = app.post_json(&format!("/api/v1/tallies/{id}/void"), VOID).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    check_answer(&doc, "post", "/tallies/{id}/void", &res);
    check_answer(&doc, "get", "/tallies/{id}", &app.get(&format!("/api/v1/tallies/{id}")).await);
    check_answer(&doc, "get", "/tallies", &app.get("/api/v1/tallies?insats=coachingteamet&limit=200").await);
    check_answer(&doc, "get", "/tallies", &app.get("/api/v1/tallies?insats=mottagningsteamet").await);

    let res = app.post_json("/api/v1/events", EVENT).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    check_answer(&doc, "post", "/events", &res);
    let event = res.json()["id"].as_i64().unwrap();
    check_answer(&doc, "get", "/events/{id}", &app.get(&format!("/api/v1/events/{event}")).await);
    let res = app.post_json(&format!("/api/v1/events/{event}/void"), VOID).await;
    check_answer(&doc, "post", "/events/{id}/void", &res);

    let res = put_json("/api/v1/budgets/coachingteamet/2026", BUDGET).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    check_answer(&doc, "put", "/budgets/{insats}/{year}", &res);
    check_answer(&doc, "get", "/budgets/{insats}/{year}", &app.get("/api/v1/budgets/coachingteamet/2026").await);
    check_answer(&doc, "get", "/budgets/{insats}/{year}", &app.get("/api/v1/budgets/coachingteamet/2019").await);
    check_answer(&doc, "get", "/config", &app.get("/api/v1/config").await);

    // Every insats's report, whole and published, in every format; its tables one by one.
    let insatser: Vec<String> = app.store.config().active_insatser().map(|i| i.key.clone()).collect();
    assert!(insatser.len() >= 3);
    for insats in &insatser {
        for year in [2025, 2026] {
            let base = format!("/api/v1/reports/{insats}/{year}");
            let whole = app.get(&base).await;
            assert_eq!(whole.status, StatusCode::OK, "{}", whole.text());
            assert!(whole.json().get("participants").is_some(), "the förbundschef gets the whole report");
            check_answer(&doc, "get", "/reports/{insats}/{year}", &whole);
            let published = app.get(&format!("{base}?publicering=ja")).await;
            assert!(published.json().get("tables").is_some());
            check_answer(&doc, "get", "/reports/{insats}/{year}", &published);
            check_answer(&doc, "get", "/reports/{insats}/{year}", &reader.get(&base).await);
            for format in ["json", "csv", "csv-plain", "xlsx"] {
                let res = app.get(&format!("{base}?format={format}&publicering=nej")).await;
                assert_eq!(res.status, StatusCode::OK, "{format}: {}", res.text());
                check_answer(&doc, "get", "/reports/{insats}/{year}", &res);
            }
            let tables = app.get(&format!("{base}/tables")).await;
            check_answer(&doc, "get", "/reports/{insats}/{year}/tables", &tables);
            check_answer(&doc, "get", "/reports/{insats}/{year}/tables", &reader.get(&format!("{base}/tables")).await);
            // One table at a time (a few: each answer builds the whole report; `/tables` above
            // checked them all against the same `TableJson`).
            let tables = tables.json()["tables"].as_array().unwrap().clone();
            assert!(!tables.is_empty());
            for (i, t) in tables.iter().enumerate().filter(|(i, _)| *i < 2 || *i == tables.len() - 1) {
                let key = t["key"].as_str().unwrap();
                let client = if i == 0 { &reader } else { &app.chef };
                let res = client.get(&format!("{base}/tables/{key}")).await;
                assert_eq!(res.status, StatusCode::OK, "{key}: {}", res.text());
                check_answer(&doc, "get", "/reports/{insats}/{year}/tables/{key}", &res);
            }
        }
    }

    // Errors: 401, 403, 404, 409, 415 and 422 (with `errors`) have the documented error object.
    let anonymous = app.anonymous();
    let res = anonymous.get("/api/v1/config").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    check_answer(&doc, "get", "/config", &res);
    check_answer(&doc, "get", "/openapi.json", &anonymous.get("/api/v1/openapi.json").await);
    let res = reader.get("/api/v1/tallies/1").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    check_answer(&doc, "get", "/tallies/{id}", &res);
    let res = app.get("/api/v1/tallies/999999").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    check_answer(&doc, "get", "/tallies/{id}", &res);
    let res = app.post_json(&format!("/api/v1/tallies/{id}/void"), VOID).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    check_answer(&doc, "post", "/tallies/{id}/void", &res);
    let res = app.request(Method::POST, "/api/v1/tallies", Some("text/plain"), TALLY).await;
    assert_eq!(res.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    check_answer(&doc, "post", "/tallies", &res);
    let res = app
        .post_json(
            "/api/v1/tallies",
            r#"{"insats":"coachingteamet","kind":"inskrivning","values":{"kommun":"orebro"}}"#,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.json()["errors"].as_array().unwrap().len() > 1);
    check_answer(&doc, "post", "/tallies", &res);
    for (path, template) in [
        ("/api/v1/tallies", "/tallies"),
        ("/api/v1/tallies?insats=coachingteamet&limit=0", "/tallies"),
        ("/api/v1/reports/coachingteamet/abc", "/reports/{insats}/{year}"),
        ("/api/v1/reports/coachingteamet/2026?format=xml", "/reports/{insats}/{year}"),
        ("/api/v1/reports/coachingteamet/2026/tables?publicering=kanske", "/reports/{insats}/{year}/tables"),
        ("/api/v1/reports/nope/2026/tables/deltagare", "/reports/{insats}/{year}/tables/{key}"),
        ("/api/v1/reports/coachingteamet/2026/tables/nope", "/reports/{insats}/{year}/tables/{key}"),
        ("/api/v1/budgets/nope/2026", "/budgets/{insats}/{year}"),
    ] {
        let res = app.get(path).await;
        assert!(res.status.is_client_error(), "{path}: {}", res.status);
        check_answer(&doc, "get", template, &res);
    }
}

#[tokio::test]
async fn the_enumerations_are_the_codes() {
    let app = TestApp::new();
    let doc = document(&app).await;
    let values = |name: &str| -> Vec<String> {
        doc["components"]["schemas"][name]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{name} is not an enumeration: {}", doc["components"]["schemas"][name]))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    use pinne::domain::{Flow, Role as DimensionRole, Shape, VoidReason};
    // What a person may give when voiding; a stored tally may also say import_angrad.
    let mut reasons: Vec<&str> = VoidReason::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(values("VoidChoice"), reasons);
    reasons.push(VoidReason::ImportAngrad.as_str());
    assert_eq!(values("VoidReason"), reasons);
    for v in values("DimensionRole") {
        assert_eq!(DimensionRole::parse(&v).map(|r| r.as_str()), Some(v.as_str()));
    }
    assert_eq!(values("DimensionRole").len(), 8);
    for v in values("Flow") {
        assert_eq!(Flow::parse(&v).map(|f| f.as_str()), Some(v.as_str()));
    }
    for v in values("Shape") {
        assert_eq!(Shape::parse(&v).map(|s| s.as_str()), Some(v.as_str()));
    }
    for v in values("Comparator") {
        assert!(pinne::domain::Comparator::parse(&v).is_some(), "{v}");
    }
    // The year bounds are those `parse_year` accepts.
    let year = doc["paths"]["/budgets/{insats}/{year}"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "year")
        .unwrap()
        .clone();
    let (min, max) = (year["schema"]["minimum"].as_i64().unwrap(), year["schema"]["maximum"].as_i64().unwrap());
    assert_eq!(min, i64::from(pinne::domain::period::MIN_YEAR));
    for (y, ok) in [(min - 1, false), (min, true), (max, true)] {
        assert_eq!(pinne::web::api::parse_year(&y.to_string()).is_ok(), ok, "{y}");
    }
    // The live document's last year is the year after the current one; the next is answered 404.
    assert_eq!(max, i64::from(now().year) + 1);
    assert_eq!(app.get(&format!("/api/v1/budgets/coachingteamet/{max}")).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/v1/budgets/coachingteamet/{}", max + 1)).await.status, StatusCode::NOT_FOUND);
    // Every documented report format and publicering value is accepted.
    for f in values("ReportFormat") {
        let res = app.get(&format!("/api/v1/reports/coachingteamet/2026?format={f}")).await;
        assert_eq!(res.status, StatusCode::OK, "format={f}: {}", res.text());
    }
    for p in values("Publicering") {
        let res = app.get(&format!("/api/v1/reports/coachingteamet/2026?publicering={p}")).await;
        assert_eq!(res.status, StatusCode::OK, "publicering={p}: {}", res.text());
    }
}
