//! The real `pinne serve` process (issue 11): one server per data directory, the command line
//! beside a running server, and a shutdown that does not wait for long protection work.

mod common;

use common::process::{free_port, pinne};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn serve(dir: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_pinne"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(dir)
        .env("PINNE_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_listening(port: u16) {
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(60), "server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn post_tally(port: u16, token: &str) -> u16 {
    let body = r#"{"insats":"coachingteamet","kind":"inskrivning","period":"2025-01","values":{"kon":"kvinna","kommun":"degerfors","aldersgrupp":"16_19","utbildning":"grundskola","forsorjning":"ingen","tid_forsorjning":"ingen"}}"#;
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST /api/v1/tallies HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

/// The year after the current one (the server runs on the real clock): its report is protected
/// from the first year with data, the longest work a reader can ask for.
fn next_year() -> i32 {
    pinne::Clock::System.now().year + 1
}

fn terminate(child: &Child) {
    let ok = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success();
    assert!(ok, "kill -TERM");
}

#[test]
fn a_second_server_on_the_same_data_directory_refuses_to_start_and_the_command_line_works_beside_one() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut first = serve(dir.path(), port);
    wait_listening(port);

    let second_port = free_port();
    let second = serve(dir.path(), second_port).wait_with_output().unwrap();
    assert!(!second.status.success(), "the second server must not run");
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("another Pinne server"), "{err}");
    assert!(err.contains(&format!("(process {})", first.id())), "{err}");
    assert!(TcpStream::connect(("127.0.0.1", second_port)).is_err(), "nothing listens for the second");

    // Accounts and tokens made on the command line are used by the running server at once.
    let (ok, _, err) = pinne(
        dir.path(),
        &["user", "add", "anna", "--role", "coach", "--insats", "coachingteamet", "--password-stdin"],
        "en lång lösenfras för anna\n",
    );
    assert!(ok, "{err}");
    let (ok, token, err) = pinne(dir.path(), &["token", "create", "anna"], "");
    assert!(ok, "{err}");
    assert_eq!(post_tally(port, token.trim()), 201);
    // `init` refuses the database the server uses; `demo` refuses one with accounts.
    let (ok, _, err) = pinne(dir.path(), &["init", "--preset", "degerfors-karlskoga"], "");
    assert!(!ok && err.contains("already holds a database"), "{err}");
    let (ok, _, err) = pinne(dir.path(), &["demo"], "");
    assert!(!ok && err.contains("already has accounts"), "{err}");

    terminate(&first);
    assert!(first.wait().unwrap().success());
    // The lock goes with the process: a new server starts.
    let mut again = serve(dir.path(), port);
    wait_listening(port);
    again.kill().unwrap();
    again.wait().unwrap();
}

fn get(port: u16, path: &str, token: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn shutdown_does_not_wait_for_protection_under_way() {
    // Demo data: eight years of tallies, whose protection takes a debug build well over a minute.
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = pinne(dir.path(), &["demo"], "");
    assert!(ok, "{err}");
    let (ok, token, err) = pinne(dir.path(), &["token", "create", "lasare", "--read-only"], "");
    assert!(ok, "{err}");
    let port = free_port();
    let mut server = serve(dir.path(), port);
    wait_listening(port);
    // A reader's report of next year: every year from 2019 protected, oldest first.
    let token = token.trim().to_string();
    let path = format!("/api/v1/reports/coachingteamet/{}/tables", next_year());
    let reader = std::thread::spawn(move || get(port, &path, &token));
    std::thread::sleep(Duration::from_millis(500));
    let asked = Instant::now();
    terminate(&server);
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        if asked.elapsed() > Duration::from_secs(10) {
            server.kill().unwrap();
            panic!("still running 10 s after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut log = String::new();
    server.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    assert!(status.success(), "{log}");
    assert!(log.contains("stopping: finishing the requests under way"), "{log}");
    assert!(log.contains("stopped"), "{log}");
    // The reader was told, in Swedish, to come back.
    let answer = reader.join().unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("Pinne håller på att stänga av"), "{answer}");
}

#[test]
fn protection_stops_when_the_client_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = pinne(dir.path(), &["demo"], "");
    assert!(ok, "{err}");
    let (ok, token, err) = pinne(dir.path(), &["token", "create", "lasare", "--read-only"], "");
    assert!(ok, "{err}");
    let port = free_port();
    let mut server = serve(dir.path(), port);
    let log = std::io::BufReader::new(server.stderr.take().unwrap());
    let (lines, seen) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in log.lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    wait_listening(port);
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET /api/v1/reports/coachingteamet/{}/tables HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\n\r\n",
        next_year(),
        token.trim()
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    drop(s);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut log = Vec::new();
    let stopped = loop {
        match seen.recv_timeout(Duration::from_millis(100)) {
            Ok(line) if line.contains("protection stopped: the request is gone") => break true,
            Ok(line) => log.push(line),
            Err(_) if Instant::now() > deadline => break false,
            Err(_) => {}
        }
    };
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(stopped, "{}", log.join("\n"));
}
