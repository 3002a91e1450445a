//! The OpenAPI document made exact for this server's configuration: which insatser, kinds,
//! questions and answers a tally or event may carry, which months may be registered, and which
//! amounts a budget takes. The generated document (`openapi.rs`) can only say "a string"; a client
//! (or schemathesis) that sends what the live document allows gets its tally stored, and what it
//! refuses is refused by the server too (issue 11).

use crate::domain::{Config, Period, Role, Shape};
use serde_json::{Value, json};
use std::sync::LazyLock;

/// Attendees of an event written as text: 1–100 000, digits, or grouped by spaces ("1 200").
pub const ATTENDEES: &str = "^([1-9][0-9]{0,4}|100000|[1-9][0-9]? [0-9]{3}|100 000)$";
/// Attendees of one gender written as text: 0–100 000, as `ATTENDEES`; "" is not counted.
pub const GENDER_COUNT: &str = "^(0|[1-9][0-9]{0,4}|100000|[1-9][0-9]? [0-9]{3}|100 000)?$";
/// An amount written as text: whole kronor 0–10 000 000 000, digits or grouped by spaces,
/// optionally with " kr"; "" is not entered.
pub const AMOUNT: &str =
    "^((0|[1-9][0-9]{0,9}|10000000000|[1-9][0-9]{0,2}( [0-9]{3}){1,2}|[1-9]( [0-9]{3}){3}|10 000 000 000)( kr)?)?$";

/// The patterns above, compiled: the API checks strings with exactly what the document says.
pub static ATTENDEES_RE: LazyLock<regex::Regex> = LazyLock::new(|| regex::Regex::new(ATTENDEES).expect("pattern"));
pub static GENDER_COUNT_RE: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(GENDER_COUNT).expect("pattern"));
pub static AMOUNT_RE: LazyLock<regex::Regex> = LazyLock::new(|| regex::Regex::new(AMOUNT).expect("pattern"));

/// Patches the request-body schemas and the `insats` query parameter of `doc` for `cfg` at `now`.
pub fn specialise(doc: &mut Value, cfg: &Config, now: Period) {
    let schemas = &mut doc["components"]["schemas"];
    schemas["TallyBody"] = tally_body(cfg, &period(now));
    schemas["EventBody"] = event_body(cfg, &period(now));
    schemas["BudgetBody"] = budget_body();
    // The generated bodies' building block for numbers, replaced by the exact ones above.
    if let Some(s) = schemas.as_object_mut() {
        s.remove("TextOrNumber");
    }
    // Every `insats` parameter names one of the configured insatser (retired ones included), and
    // reports, goals and budgets exist up to the year after the current one (404 beyond).
    let insatser: Vec<&str> = cfg.insatser.iter().map(|i| i.key.as_str()).collect();
    if let Some(paths) = doc["paths"].as_object_mut() {
        for op in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|p| p.values_mut()) {
            for p in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                if p["name"] == "insats" {
                    p["schema"] = json!({ "type": "string", "enum": insatser });
                } else if p["name"] == "year" && p["in"] == "path" {
                    p["schema"]["maximum"] = json!(now.year + 1);
                    p["description"] = json!(format!(
                        "The year, 2000–{}: reports, goals and budgets exist up to the year after the current one. A later year is answered 404; anything that is not a year 2000–2999, 422 (field `year`).",
                        now.year + 1
                    ));
                }
            }
        }
    }
    // A table of a report is found through the report's list of tables.
    let tables = &mut doc["paths"]["/reports/{insats}/{year}/tables"]["get"]["responses"]["200"];
    if tables.is_object() {
        tables["links"] = json!({ "GetReportTable": {
            "operationId": "getReportTable",
            "parameters": { "insats": "$request.path.insats", "year": "$request.path.year", "key": "$response.body#/tables/0/key" },
            "description": "The report's first table on its own."
        }});
    }
}

/// A month that may be registered: `YYYY-MM` from 2000-01 to the current month; left out, null
/// or `""` mean the current month. (A month of a closed year is answered 409.)
fn period(now: Period) -> Value {
    let mut months = Vec::new();
    for year in crate::domain::period::MIN_YEAR..=now.year {
        let last = if year == now.year { now.month } else { 12 };
        months.extend((1..=last).map(|m| format!("{year}-{m:02}")));
    }
    months.push(String::new());
    json!({
        "description": "The month, `YYYY-MM`, from 2000-01 to the current month (Swedish time); null or `\"\"`: the current month. A month of a year closed for the insats is answered 409.",
        "type": ["string", "null"],
        "enum": months.into_iter().map(Value::String).chain([Value::Null]).collect::<Vec<_>>(),
    })
}

/// One alternative per open insats and tally kind it takes, each with the kind's questions and
/// their answers (retired ones left out), the required ones required.
fn tally_body(cfg: &Config, period: &Value) -> Value {
    let mut alternatives = Vec::new();
    for insats in cfg.active_insatser() {
        for kind in cfg.active_kinds_of(insats).filter(|k| k.shape == Shape::Tally) {
            let mut properties = serde_json::Map::new();
            let mut required = Vec::new();
            let mut questions = Vec::new();
            let mut others = 0;
            for kd in &kind.dimensions {
                let Some(dim) = cfg.dimension_by_id(kd.dimension_id).filter(|d| !d.retired) else { continue };
                let keys: Vec<&str> = dim.values.iter().filter(|v| !v.retired).map(|v| v.key.as_str()).collect();
                let one = json!({ "type": "string", "enum": keys });
                // A single answer may also come as a list of one; a multi-choice one as a list
                // of different answers.
                let list = if kd.multiple {
                    json!({ "type": "array", "items": one, "minItems": 1, "uniqueItems": true })
                } else {
                    json!({ "type": "array", "items": one, "minItems": 1, "maxItems": 1 })
                };
                properties.insert(dim.key.clone(), json!({ "description": dim.label, "oneOf": [one, list] }));
                if kd.required {
                    required.push(dim.key.clone());
                }
                if dim.role == Role::Question {
                    questions.push(dim.key.clone());
                } else if dim.role != Role::Gender && kind.scope_dimension_id != Some(dim.id) {
                    others += 1;
                }
            }
            let mut values = json!({
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": false,
            });
            // A questionnaire needs the answer to at least one question.
            if !questions.is_empty() && others == 0 {
                values["anyOf"] = questions.iter().map(|q| json!({ "required": [q] })).collect();
            }
            alternatives.push(json!({
                "title": format!("{} – {}", insats.label, kind.label),
                "type": "object",
                "properties": {
                    "insats": { "const": insats.key },
                    "kind": { "const": kind.key },
                    "period": period,
                    "values": values,
                },
                "required": ["insats", "kind", "values"],
                "additionalProperties": false,
            }));
        }
    }
    one_of(
        "A tally to record: one alternative per insats and kind (from `GET /config`), with that kind's questions and answers. Any other field, or a field given twice, is refused (422).",
        alternatives,
    )
}

/// A schema of alternatives; with none (no insats takes such records), one that nothing matches,
/// since JSON Schema's `oneOf` may not be empty.
fn one_of(description: &str, alternatives: Vec<Value>) -> Value {
    if alternatives.is_empty() {
        return json!({ "description": format!("{description} This server takes none."), "not": {} });
    }
    json!({ "description": description, "oneOf": alternatives })
}

/// A count: a whole number `min`–`max`, or the same as text matching `pattern`.
fn count(min: u64, max: u64, pattern: &str) -> Value {
    json!({ "oneOf": [
        { "type": "integer", "minimum": min, "maximum": max },
        { "type": "string", "pattern": pattern, "description": format!("A whole number {min}–{max} as text, digits optionally grouped by single spaces (`\"1 200\"`).") },
    ]})
}

/// One alternative per open insats that takes structural events.
fn event_body(cfg: &Config, period: &Value) -> Value {
    let genders: Vec<String> = cfg
        .gender()
        .map(|g| g.values.iter().filter(|v| !v.retired).map(|v| v.key.clone()).collect())
        .unwrap_or_default();
    let max = crate::domain::event::MAX_ATTENDEES as u64;
    // A gender left out or null was not counted.
    let by_gender: serde_json::Map<String, Value> = genders
        .iter()
        .map(|g| {
            let mut c = count(0, max, GENDER_COUNT);
            c["oneOf"].as_array_mut().expect("alternatives").push(json!({ "type": "null" }));
            (g.clone(), c)
        })
        .collect();
    let text = |min: u64| {
        json!({ "type": "string", "minLength": min, "maxLength": 80, "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
            "description": "On one line; nothing that looks like a personnummer, an e-mail address or a phone number (422)." })
    };
    let mut alternatives = Vec::new();
    for insats in cfg.active_insatser() {
        let events: Vec<_> = cfg.active_kinds_of(insats).filter(|k| k.shape == Shape::Event).collect();
        for kind in &events {
            let mut kind_schema = json!({ "const": kind.key });
            let mut required = vec!["insats", "kind", "name", "attendees"];
            if events.len() == 1 {
                // The only event kind of the insats may be left out.
                kind_schema = json!({ "enum": [kind.key, null] });
                required.retain(|r| *r != "kind");
            }
            alternatives.push(json!({
                "title": format!("{} – {}", insats.label, kind.label),
                "type": "object",
                "properties": {
                    "insats": { "const": insats.key },
                    "kind": kind_schema,
                    "period": period,
                    "name": text(1),
                    "organiser": { "oneOf": [text(0), { "type": "null" }] },
                    "attendees": count(1, max, ATTENDEES),
                    "by_gender": { "oneOf": [{
                        "type": "object",
                        "description": "Attendees per gender where the organiser counted them; together at most `attendees` (422).",
                        "properties": by_gender,
                        "additionalProperties": false,
                    }, { "type": "null" }] },
                },
                "required": required,
                "additionalProperties": false,
            }));
        }
    }
    one_of(
        "A structural activity (an event) to record: one alternative per insats and event kind. Any other field is refused (422).",
        alternatives,
    )
}

/// Budget and outcome: whole kronor 0–10 000 000 000, or not entered.
fn budget_body() -> Value {
    let amount = json!({ "oneOf": [
        { "type": "integer", "minimum": 0, "maximum": 10_000_000_000u64 },
        { "type": "string", "pattern": AMOUNT, "description": "Whole kronor 0–10 000 000 000 as text, digits optionally grouped by single spaces, optionally followed by ` kr`; `\"\"` is not entered." },
        { "type": "null" },
    ]});
    json!({
        "description": "The budget and the outcome of an insats for a year, in whole kronor (0–10 000 000 000). The request replaces both: a field left out, null or `\"\"` is stored as not entered. Any other field is refused (422).",
        "type": "object",
        "properties": { "budget_kr": amount, "outcome_kr": amount },
        "additionalProperties": false,
    })
}
