//! A 50 000-row import in a real browser: Chromium, driven by playwright-core
//! (`tests/browser/import_progress.mjs`), signs in as the demo huvudman, uploads the file and
//! follows the import. The progress bar must be seen while the file is checked and while it is
//! stored, then the preview and the result. Needs Chromium and Node with `npm ci` run in
//! `tests/browser`; `.ci/run` does both and runs this with `-- --ignored`.

mod common;

use common::process::free_port;
use std::process::{Command, Stdio};
use std::time::Duration;

const ROWS: usize = 50_000;

/// 50 000 entries of this year, every month so far, with varied categories.
fn file(now: pinne::domain::Period) -> String {
    let kon = ["Kvinna", "Man"];
    let kommun = ["Karlskoga", "Degerfors"];
    let alder = ["16–19 år", "20–24 år", "25–29 år", "30–39 år"];
    let mut s = String::from(
        "\u{feff}Insats;Registrering;Månad;Kön;Kommun (folkbokföring);Åldersgrupp;Utbildningsnivå;Försörjning vid inskrivning;Tid med offentlig försörjning;Antal\r\n",
    );
    for i in 0..ROWS {
        let month = i as u32 % now.month + 1;
        s.push_str(&format!(
            "Coachingteamet;Inskrivning;{}-{month:02};{};{};{};Fullföljd gymnasieutbildning;Ersättning från Försäkringskassan;1–3 år;1\r\n",
            now.year,
            kon[i % 2],
            kommun[i / 2 % 2],
            alder[i / 4 % 4]
        ));
    }
    s
}

#[test]
#[ignore = "needs Chromium and npm ci in tests/browser; run with --ignored (CI does)"]
fn a_large_import_shows_its_progress_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_pinne"))
        .args(["serve", "--demo", "--dev", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    common::process::wait_for_port(port, Duration::from_secs(120));
    let path = dir.path().join("pinnar.csv");
    std::fs::write(&path, file(pinne::Clock::System.now())).unwrap();
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-import");
    std::fs::create_dir_all(&shots).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/import_progress.mjs");
    let out = Command::new("node")
        .arg(script)
        .arg(format!("http://127.0.0.1:{port}"))
        .args(["huvudman", "demo-huvudman-pinne"])
        .arg(&path)
        .arg(&shots)
        .output()
        .expect("node (install nodejs and run npm ci in tests/browser)");
    let _ = server.kill();
    let _ = server.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "browser script failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let seen: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(seen["readingProgress"], true, "no progress bar while checking: {seen}");
    assert_eq!(seen["storingProgress"], true, "no progress bar while storing: {seen}");
    // The bar moves: it was seen part way, not only empty or full.
    assert!(
        seen["readingProgressMoving"] == true || seen["storingProgressMoving"] == true,
        "the bar never showed progress part way: {seen}"
    );
    assert_eq!(seen["preview"], true, "{seen}");
    assert_eq!(seen["stored"], true, "{seen}");
    assert!(seen["storedText"].as_str().unwrap().contains("50 000 registreringar är sparade"), "{seen}");
    eprintln!("screenshots in {}", shots.display());
}
