//! `pinne bench --reader`: the published report as a läsare gets it, over HTTP on 127.0.0.1.
//!
//! Builds two databases with the default configuration, the same number of tallies a year in
//! one insats, one with 2 years and one with 10, serves each with the real app on a loopback port
//! and times `GET /rapport/{insats}/{year}` with a läsare's session: the first request (the
//! protection is computed: every year from the first, oldest first) and then `runs` more (the
//! published version is cached per data version). Each response is checked to be the protected
//! page.

use super::{Generator, median, ms, percentile};
use crate::domain::Period;
use crate::domain::account::Role;
use crate::domain::config::PrivacyMethod;
use crate::store::{self, Store};
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Tallies a year in each database (an association's volume, all in one insats).
const PER_YEAR: usize = 3_000;

pub struct Figures {
    /// The protection rule: `suppression` or `cell_key`.
    pub rule: &'static str,
    pub years: i32,
    pub tallies: usize,
    pub first: Duration,
    pub p50: Duration,
    pub p99: Duration,
    /// The first request after a tally of the current month was written (the cache checks that
    /// the snapshot's reports are unchanged).
    pub after_write: Duration,
}

fn build(dir: &Path, years: i32, now: Period) -> anyhow::Result<(Store, i64)> {
    let store = Store::open(dir)?;
    let n = PER_YEAR * years as usize;
    if store.read_blocking(store::tally::count_all)? == 0 {
        let mut generator = Generator::new(&store, n as u64)?;
        store.write_blocking(|tx| {
            for _ in 0..n {
                store::tally::insert(tx, &generator.next(now.year - years + 1, now), None)?;
            }
            Ok(())
        })?;
    }
    let insats = Generator::new(&store, 0)?.insats_id;
    Ok((store, insats))
}

/// A läsare's session token, made directly in the store.
fn reader_session(store: &Store) -> anyhow::Result<String> {
    let (session, hash) = crate::auth::new_token();
    let (csrf, _) = crate::auth::new_token();
    let password = crate::auth::hash_password(&crate::auth::new_token().0);
    let now = crate::web::auth::now_utc();
    store.write_blocking(|tx| {
        let name = format!("bench-lasare-{}", store::account::count(tx)?);
        let id = store::account::create(tx, &name, Role::Lasare, &password, &[], &now)?;
        store::account::create_session(tx, &hash, id, &csrf, crate::web::auth::now_unix(), true)?;
        Ok(())
    })?;
    Ok(session)
}

async fn get(addr: std::net::SocketAddr, path: &str, session: &str) -> anyhow::Result<(Duration, String)> {
    let started = Instant::now();
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {}={session}\r\nConnection: close\r\n\r\n",
        crate::web::auth::AuthSettings::default().cookie_name()
    );
    s.write_all(req.as_bytes()).await?;
    let mut body = Vec::new();
    s.read_to_end(&mut body).await?;
    let elapsed = started.elapsed();
    let text = String::from_utf8_lossy(&body).into_owned();
    anyhow::ensure!(text.starts_with("HTTP/1.1 200"), "{path}: {}", text.lines().next().unwrap_or(""));
    anyhow::ensure!(text.contains("Publiceringsversion."), "{path}: not the publication version");
    Ok((elapsed, text))
}

fn measure(dir: &Path, years: i32, runs: usize, now: Period, method: PrivacyMethod) -> anyhow::Result<Figures> {
    let (store, insats) = build(dir, years, now)?;
    let privacy = crate::domain::Privacy { method, ..Default::default() };
    store.write_blocking(|tx| store::config::set_privacy(tx, &privacy))?;
    store.reload_config()?;
    let tallies = store.read_blocking(store::tally::count_all)? as usize;
    let key = store.config().insatser.iter().find(|i| i.id == insats).expect("insats").key.clone();
    let session = reader_session(&store)?;
    let state = crate::AppState::new(store.clone(), crate::Clock::Fixed(now));
    let mut generator = Generator::new(&store, 1)?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = crate::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let path = format!("/rapport/{key}/{}", now.year);
        let (first, _) = get(addr, &path, &session).await?;
        let mut lat = Vec::with_capacity(runs);
        for _ in 0..runs {
            lat.push(get(addr, &path, &session).await?.0);
        }
        lat.sort();
        let p99 = percentile(&lat, 0.99);
        let mut t = generator.next(now.year, now);
        t.period = now;
        store.write_blocking(|tx| store::tally::insert(tx, &t, None).map(|_| ()))?;
        let (after_write, _) = get(addr, &path, &session).await?;
        Ok(Figures { rule: method.key(), years, tallies, first, p50: median(lat), p99, after_write })
    })
}

/// Both sizes under both rules, printed as Markdown.
pub fn run(dir: &Path, runs: usize) -> anyhow::Result<()> {
    let now = crate::Clock::System.now();
    let mut all = Vec::new();
    for method in [PrivacyMethod::Suppression, PrivacyMethod::CellKey] {
        all.push(measure(&dir.join("reader-2y"), 2, runs, now, method)?);
        all.push(measure(&dir.join("reader-10y"), 10, runs, now, method)?);
    }
    println!(
        "| published report page, läsare | rule | first request (protection computed) | p50 | p99 | after a write |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    for f in &all {
        println!(
            "| {} years, {} tallies | {} | {} ms | {} ms | {} ms | {} ms |",
            f.years,
            f.tallies,
            f.rule,
            ms(f.first),
            ms(f.p50),
            ms(f.p99),
            ms(f.after_write)
        );
    }
    let ok = |b: bool| if b { "met" } else { "NOT MET" };
    println!();
    println!("| target (issue 10) | rule | result | |");
    println!("| --- | --- | --- | --- |");
    for pair in all.chunks(2) {
        let (two, ten) = (&pair[0], &pair[1]);
        let ratio = ten.p50.as_secs_f64() / two.p50.as_secs_f64();
        println!(
            "| reader report p50 ≤ 30 ms (10 years) | {} | {} ms | {} |",
            ten.rule,
            ms(ten.p50),
            ok(ten.p50 <= Duration::from_millis(30))
        );
        println!("| 10 years ≤ 1.5 × 2 years (p50) | {} | {ratio:.2} × | {} |", ten.rule, ok(ratio <= 1.5));
    }
    Ok(())
}
