//! The print view rendered by a real browser: Chromium turns the demo report into a PDF on A4, a
//! part per page. Needs Chromium (`apt-get install chromium`); `.ci/run` installs it and runs
//! this test with `cargo test --test print_pdf -- --ignored`. Set `CHROMIUM` to use another binary.

mod common;

use common::{TestApp, now};
use std::process::Command;

fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// Pages of a PDF and the size of the first (width, height in points).
fn pages(pdf: &[u8]) -> (usize, Option<(f64, f64)>) {
    let text = String::from_utf8_lossy(pdf);
    let count = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    let size = text.split("/MediaBox [").nth(1).and_then(|s| {
        let n: Vec<f64> = s.split(']').next()?.split_whitespace().filter_map(|x| x.parse().ok()).collect();
        (n.len() == 4).then(|| (n[2] - n[0], n[3] - n[1]))
    });
    (count, size)
}

#[tokio::test]
#[ignore = "needs Chromium; run with --ignored (CI does)"]
async fn the_print_view_becomes_a_clean_a4_pdf() {
    let app = TestApp::new();
    pinne::demo::fill(&app.store, now()).unwrap();
    let year = now().year - 1;
    let html = app.get(&format!("/rapport/coachingteamet/{year}/utskrift?publicering=ja")).await.text();
    let css = app.get("/assets/pinne.css").await.text();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pinne.css"), css).unwrap();
    std::fs::write(dir.path().join("rapport.html"), html.replace("/assets/pinne.css", "pinne.css")).unwrap();
    let pdf = dir.path().join("rapport.pdf");
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
        ])
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", dir.path().join("rapport.html").display()))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}; install chromium or set CHROMIUM", chromium()));
    assert!(pdf.exists(), "no PDF: {}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let (count, size) = pages(&bytes);
    let (w, h) = size.expect("a page size");
    // A4 is 595 × 842 points.
    assert!((w - 595.3).abs() < 2.0 && (h - 841.9).abs() < 2.0, "page is {w} × {h} points, not A4");
    // Summary and goals, charts, then a page per part: participants, the other kinds, cost.
    assert!(count >= 4, "only {count} pages");
}
