//! `pinne bench --import`: a file of 50 000 rows (default) checked and stored as an import.
//!
//! Builds a fresh database with the default configuration, writes the rows (random valid entries
//! and exits of the last five years, one tally each) as CSV in the import's layout and as an XLSX
//! workbook with a sheet per kind, then times, `runs` times each: reading and checking the CSV,
//! reading and checking the XLSX (the preview: every row validated, every cell checked for
//! personal data), storing the tallies in one transaction, and undoing the import. Prints Markdown.

use super::{Generator, median, ms};
use crate::domain::Period;
use crate::store::{self, Store};
use crate::transfer;
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

pub fn run(dir: &Path, rows: usize, runs: usize) -> anyhow::Result<()> {
    let now = crate::Clock::System.now();
    let dir = dir.join("import");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    let store = Store::open(&dir)?;
    let config = store.config();
    let mut generator = Generator::new(&store, 12)?;
    let last = Period::new(now.year - 1, 12).expect("valid");
    let groups: Vec<store::tally::Group> = (0..rows)
        .map(|_| {
            let t = generator.next(now.year - 5, last);
            store::tally::Group { insats_id: t.insats_id, kind_id: t.kind_id, period: t.period, values: t.values, n: 1 }
        })
        .collect();
    let insats = config.insats_by_id(generator.insats_id).expect("insats").clone();
    let kinds = transfer::template::kinds(&config, &[&insats], None);
    let csv = transfer::template::csv(&config, &kinds, &groups);
    let xlsx = workbook(&config, &groups)?;
    eprintln!("{rows} rows: CSV {} kB, XLSX {} kB", csv.len() / 1024, xlsx.len() / 1024);

    let check = |bytes: &[u8]| -> anyhow::Result<(Duration, transfer::rows::Parsed)> {
        let started = Instant::now();
        use sha2::Digest;
        let _hash = sha2::Sha256::digest(bytes);
        let sheets = transfer::read::read(bytes).map_err(|e| anyhow::anyhow!(e.0))?;
        let parsed = transfer::rows::parse(&config, &sheets, now, &|_, _| None, &|_, _| {});
        let elapsed = started.elapsed();
        anyhow::ensure!(parsed.ok(), "the benchmark file has problems: {:?}", parsed.problems.first());
        anyhow::ensure!(parsed.total() == rows as u64, "{} tallies, not {rows}", parsed.total());
        Ok((elapsed, parsed))
    };
    let (mut csv_times, mut xlsx_times, mut store_times, mut undo_times) = (vec![], vec![], vec![], vec![]);
    for run in 0..runs {
        let (t, parsed) = check(&csv)?;
        csv_times.push(t);
        xlsx_times.push(check(&xlsx)?.0);
        let meta = store::import::Meta { sha256: format!("{run:064}"), bytes: csv.len() as i64, rows: rows as i64 };
        let started = Instant::now();
        let id = store.write_blocking(|tx| {
            store::import::store(tx, &meta, &parsed.tallies, None, "2026-01-01", &AtomicU64::new(0))
        })?;
        store_times.push(started.elapsed());
        let started = Instant::now();
        store.write_blocking(|tx| store::import::undo(tx, id, None, "2026-01-01"))?;
        undo_times.push(started.elapsed());
        eprintln!("  run {}: check CSV {} ms, store {} ms", run + 1, ms(t), ms(*store_times.last().expect("one")));
    }
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_else(|| "?".into());
    println!("| import of {rows} rows ({runs} runs, median) | |");
    println!("| --- | --- |");
    println!("| file sizes | CSV {} kB, XLSX {} kB |", csv.len() / 1024, xlsx.len() / 1024);
    println!("| read + check CSV (the preview) | {} ms |", ms(median(csv_times.clone())));
    println!("| read + check XLSX (the preview) | {} ms |", ms(median(xlsx_times)));
    println!("| store {rows} tallies, one transaction | {} ms |", ms(median(store_times.clone())));
    println!(
        "| preview + store, CSV | {} ms |",
        ms(median(csv_times.iter().zip(&store_times).map(|(a, b)| *a + *b).collect()))
    );
    println!("| undo the import | {} ms |", ms(median(undo_times)));
    println!("| peak memory of the process (VmHWM) | {rss} |");
    Ok(())
}

/// The rows as a workbook: a sheet per kind with the template's headings (no *Registrering* column).
fn workbook(config: &crate::domain::Config, groups: &[store::tally::Group]) -> anyhow::Result<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let mut kinds: Vec<i64> = groups.iter().map(|g| g.kind_id).collect();
    kinds.sort_unstable();
    kinds.dedup();
    for kind_id in kinds {
        let kind = config.kind_by_id(kind_id).expect("kind");
        let dims = transfer::template::csv_columns(config, &[kind]);
        let sheet = book.add_worksheet().set_name(transfer::sheet_name(&kind.label))?;
        let mut header = vec![transfer::INSATS.to_string(), transfer::MONTH.to_string()];
        header.extend(dims.iter().map(|d| d.label.clone()));
        header.push(transfer::COUNT.into());
        for (c, h) in header.iter().enumerate() {
            sheet.write_string(0, c as u16, h)?;
        }
        for (r, g) in (1u32..).zip(groups.iter().filter(|g| g.kind_id == kind_id)) {
            sheet.write_string(r, 0, &config.insats_by_id(g.insats_id).expect("insats").label)?;
            sheet.write_string(r, 1, g.period.to_string())?;
            for (c, d) in dims.iter().enumerate() {
                if let Some(v) = g.values.iter().find(|(dim, _)| *dim == d.id).and_then(|(_, v)| d.value_by_id(*v)) {
                    sheet.write_string(r, 2 + c as u16, &v.label)?;
                }
            }
            sheet.write_number(r, 2 + dims.len() as u16, g.n as f64)?;
        }
    }
    Ok(book.save_to_buffer()?)
}
