//! Helpers for tests that run the real `pinne` binary.

use std::io::Write;
use std::net::TcpListener;
use std::process::{Command, Stdio};

/// A port on 127.0.0.1 that is free now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Waits until something listens on the port of 127.0.0.1 (a server just started), at most `limit`.
pub fn wait_for_port(port: u16, limit: std::time::Duration) {
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < limit, "server did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Runs `pinne` with the data directory and standard input, returning (success, stdout, stderr).
pub fn pinne(dir: &std::path::Path, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pinne"))
        .args(args)
        .env("PINNE_DATA_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}
