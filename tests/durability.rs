//! Storage that holds: durable pragmas, and acknowledged tallies surviving a hard kill of the
//! real `pinne serve` process. Also: `serve` refuses to listen beyond loopback (no login yet).

mod common;

use common::process::{free_port, pinne};
use pinne::store::Store;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn connections_are_durable_and_check_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let read = |sql: &'static str| -> (String, i64, i64) {
        store
            .write_blocking(|tx| {
                Ok((
                    tx.pragma_query_value(None, "journal_mode", |r| r.get(0))?,
                    tx.pragma_query_value(None, "synchronous", |r| r.get(0))?,
                    tx.query_row(sql, [], |r| r.get(0))?,
                ))
            })
            .unwrap()
    };
    let (mode, sync, fk) = read("PRAGMA foreign_keys");
    assert_eq!((mode.as_str(), sync, fk), ("wal", 2, 1), "WAL, synchronous=FULL, foreign keys on");
    // A tally of an insats that does not exist is refused by the database itself.
    let bad = store.write_blocking(|tx| {
        Ok(tx.execute(
            "INSERT INTO tally (insats_id, kind_id, year, month, value_ids) VALUES (999, 1, 2026, 1, '[]')",
            [],
        )?)
    });
    assert!(bad.is_err(), "foreign keys are enforced");
    let bad = store.write_blocking(|tx| {
        Ok(tx.execute(
            "INSERT INTO tally (insats_id, kind_id, year, month, value_ids) VALUES (1, 1, 2026, 1, 'kvinna')",
            [],
        )?)
    });
    assert!(bad.is_err(), "values must be a JSON array");
}

fn post(port: u16, body: &str, token: Option<&str>) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(
        s,
        "POST /api/v1/tallies HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    let status = out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = out.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Ok((status, body))
}

#[test]
fn acknowledged_tallies_survive_a_hard_kill() {
    let dir = tempfile::tempdir().unwrap();
    // The first account and its API token, from the command line.
    let (ok, _, err) = pinne(
        dir.path(),
        &["user", "add", "anna", "--role", "coach", "--insats", "coachingteamet", "--password-stdin"],
        "en lång lösenfras för anna\n",
    );
    assert!(ok, "{err}");
    let (ok, token, err) = pinne(dir.path(), &["token", "create", "anna"], "");
    assert!(ok, "{err}");
    let token = token.trim().to_string();
    assert_eq!(token.len(), 64, "the token alone on standard output: {token:?}");
    assert!(err.contains("shown only now"));

    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pinne"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    common::process::wait_for_port(port, Duration::from_secs(20));
    let body = r#"{"insats":"coachingteamet","kind":"inskrivning","period":"2025-12","values":{"kon":"kvinna","kommun":"degerfors","aldersgrupp":"16_19","utbildning":"grundskola","forsorjning":"ingen","tid_forsorjning":"ingen"}}"#;
    let (status, _) = post(port, body, None).unwrap();
    assert_eq!(status, 401, "no token, no tally");
    let mut acknowledged = Vec::new();
    for _ in 0..25 {
        let (status, reply) = post(port, body, Some(&token)).unwrap();
        assert_eq!(status, 201, "{reply}");
        let v: serde_json::Value = serde_json::from_str(&reply).unwrap();
        acknowledged.push(v["id"].as_i64().unwrap());
    }
    // SIGKILL: no shutdown, no flush, no checkpoint.
    child.kill().unwrap();
    child.wait().unwrap();

    let store = Store::open(dir.path()).unwrap();
    let stored: Vec<i64> = store
        .read_blocking(|c| {
            let mut stmt = c.prepare("SELECT id FROM tally ORDER BY id")?;
            Ok(stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?)
        })
        .unwrap();
    assert_eq!(stored, acknowledged);
    let counted: i64 = store
        .read_blocking(|c| Ok(c.query_row("SELECT sum(n) FROM tally_count WHERE value_id = 0", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(counted, 25);
}

#[test]
fn development_mode_refuses_to_listen_beyond_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pinne"))
        .args(["serve", "--dev", "--listen", "0.0.0.0:0"])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("may only listen on loopback"));
    // PINNE_LISTEN and PINNE_DEV are read too.
    let out = Command::new(env!("CARGO_BIN_EXE_pinne"))
        .arg("serve")
        .env("PINNE_LISTEN", "10.0.0.1:8080")
        .env("PINNE_DEV", "1")
        .env("PINNE_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("10.0.0.1:8080"));
}

#[test]
fn the_command_line_refuses_weak_passwords_and_unknown_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) =
        pinne(dir.path(), &["user", "add", "bo", "--role", "forbundschef", "--password-stdin"], "password1234\n");
    assert!(!ok);
    assert!(err.contains("vanligaste"), "{err}");
    let (ok, _, err) =
        pinne(dir.path(), &["user", "add", "bo", "--role", "kung", "--password-stdin"], "en lång lösenfras för bo\n");
    assert!(!ok);
    assert!(err.contains("unknown role"), "{err}");
    let (ok, out, err) = pinne(dir.path(), &["token", "create", "ingen"], "");
    assert!(!ok && out.is_empty(), "{err}");
}

#[test]
fn demo_command_fills_once() {
    let dir = tempfile::tempdir().unwrap();
    let run =
        || Command::new(env!("CARGO_BIN_EXE_pinne")).arg("demo").env("PINNE_DATA_DIR", dir.path()).output().unwrap();
    assert!(run().status.success());
    assert!(dir.path().join("pinne.sqlite3").exists());
    let second = run();
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("demo data was not added"));
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.read_blocking(pinne::store::account::count).unwrap(), 4, "one demo account per role, once");
}

#[test]
fn demo_accounts_never_land_next_to_real_tallies() {
    // A database with tallies but no accounts (e.g. from before accounts existed).
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let cfg = store.config();
        let raw = pinne::domain::RawTally {
            insats: Some("coachingteamet".into()),
            kind: Some("inskrivning".into()),
            period: Some("2025-01".into()),
            values: [
                ("kon", "man"),
                ("kommun", "karlskoga"),
                ("aldersgrupp", "30_39"),
                ("utbildning", "gymnasium"),
                ("forsorjning", "ingen"),
                ("tid_forsorjning", "ingen"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .to_vec(),
            ..Default::default()
        };
        let t = pinne::domain::tally::validate(&cfg, &raw, pinne::domain::Period::new(2026, 1).unwrap()).unwrap();
        store.write_blocking(|tx| pinne::store::tally::insert(tx, &t, None)).unwrap();
    }
    let (ok, _, err) = pinne(dir.path(), &["demo"], "");
    assert!(!ok, "{err}");
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(
        store.read_blocking(pinne::store::account::count).unwrap(),
        0,
        "no public demo passwords next to real data"
    );
}
