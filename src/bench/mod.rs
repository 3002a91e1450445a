//! `pinne bench`: national-scale figures for tally writes and yearly reports.
//!
//! Builds two databases with the default configuration, all tallies in one insats (the worst case)
//! over ten years: the full national scale (default 2.5 million tallies, ~80 associations × 10
//! years) and a tenth of it. Then measures, in one run:
//! - durable tally writes (validation + one `BEGIN IMMEDIATE` transaction each, `synchronous=FULL`)
//!   against a bare rusqlite insert loop with the same pragmas on the same file, interleaved in
//!   blocks so both see the same disk;
//! - the yearly report from the count table against the same report from a plain `GROUP BY` over
//!   the raw tallies, at both sizes (and checks that both give the same report).
//!
//! `--reader` instead times the published report page as a läsare gets it (`reader.rs`).

pub mod import;
pub mod reader;

use crate::demo::{Sampler, preset_for};
use crate::domain::{Flow, NewTally, Period, RawTally, Role, tally};
use crate::report::yearly;
use crate::store::{self, Store};
use anyhow::Context;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Directory for the benchmark databases (reused by later runs when the sizes match).
    #[arg(long, default_value = "bench-data")]
    pub dir: PathBuf,
    /// Tallies at national scale; the small database gets a tenth.
    #[arg(long, default_value_t = 2_500_000)]
    pub tallies: usize,
    /// Durable writes to time for each of the two write loops.
    #[arg(long, default_value_t = 2_000)]
    pub writes: usize,
    /// Timed runs of the yearly report per size (the raw GROUP BY gets a fifth, at least 3).
    #[arg(long, default_value_t = 25)]
    pub report_runs: usize,
    /// Only time the writes (skips the reports: quicker when working on the write path).
    #[arg(long)]
    pub writes_only: bool,
    /// Only time the published report page as a läsare gets it, with 2 and 10 years of tallies.
    #[arg(long)]
    pub reader: bool,
    /// Only time an import of a spreadsheet of `--rows` rows: the preview and storing it.
    #[arg(long)]
    pub import: bool,
    /// Rows of the file `--import` checks and stores.
    #[arg(long, default_value_t = 50_000)]
    pub rows: usize,
}

/// Generates random valid tallies for the insats the default demo uses.
struct Generator {
    insats_id: i64,
    entry: (i64, Vec<Sampler>),
    exit: (i64, Vec<Sampler>),
    rng: ChaCha8Rng,
}

impl Generator {
    fn new(store: &Store, seed: u64) -> anyhow::Result<Generator> {
        let cfg = store.config();
        let preset = preset_for(&cfg);
        let insats = cfg
            .active_insatser()
            .find(|i| cfg.flow_kind(i, Flow::Exit).is_some())
            .context("configuration has no insats with exits")?;
        let kind = |f| -> anyhow::Result<(i64, Vec<Sampler>)> {
            let k = cfg.flow_kind(insats, f).context("insats lacks entry or exit kind")?;
            Ok((
                k.id,
                k.dimensions
                    .iter()
                    .map(|kd| Sampler::new(cfg.dimension_by_id(kd.dimension_id).expect("dim"), preset.as_ref()))
                    .collect(),
            ))
        };
        Ok(Generator {
            insats_id: insats.id,
            entry: kind(Flow::Entry)?,
            exit: kind(Flow::Exit)?,
            rng: ChaCha8Rng::seed_from_u64(seed),
        })
    }

    fn next(&mut self, first_year: i32, last: Period) -> NewTally {
        let exit = self.rng.random_bool(0.5);
        let (kind_id, samplers) = if exit { &self.exit } else { &self.entry };
        let year = self.rng.random_range(first_year..=last.year);
        let month =
            if year == last.year { self.rng.random_range(1..=last.month) } else { self.rng.random_range(1..=12) };
        let values: Vec<(i64, i64)> = samplers.iter().map(|s| (s.dimension_id, s.sample(&mut self.rng).0)).collect();
        let split = samplers.iter().zip(&values).find(|(s, _)| s.role == Role::Gender).map(|(_, v)| v.1).unwrap_or(0);
        NewTally {
            insats_id: self.insats_id,
            kind_id: *kind_id,
            period: Period::new(year, month).expect("valid"),
            values,
            split_value_id: split,
            scope_value_id: 0,
        }
    }
}

fn build(dir: &Path, n: usize, now: Period) -> anyhow::Result<(Store, Duration)> {
    let store = Store::open(dir)?;
    let have = store.read_blocking(store::tally::count_all)? as usize;
    if have >= n {
        eprintln!("reusing {} ({have} tallies)", dir.display());
        return Ok((store, Duration::ZERO));
    }
    anyhow::ensure!(have == 0, "{} holds {have} tallies, fewer than {n}: delete it and rerun", dir.display());
    let mut generator = Generator::new(&store, n as u64)?;
    let started = Instant::now();
    let mut done = 0;
    while done < n {
        let batch = (n - done).min(100_000);
        store.write_blocking(|tx| {
            for _ in 0..batch {
                store::tally::insert(tx, &generator.next(now.year - 9, now), None)?;
            }
            Ok(())
        })?;
        done += batch;
        eprintln!("  {}: {done} / {n} tallies", dir.display());
    }
    Ok((store, started.elapsed()))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    percentile(&v, 0.5)
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

struct WriteFigures {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

fn figures(mut lat: Vec<Duration>, total: Duration) -> WriteFigures {
    lat.sort();
    WriteFigures {
        per_second: lat.len() as f64 / total.as_secs_f64(),
        p50: percentile(&lat, 0.5),
        p99: percentile(&lat, 0.99),
    }
}

fn writes(store: &Store, n: usize, now: Period) -> anyhow::Result<(WriteFigures, WriteFigures)> {
    let cfg = store.config();
    let mut generator = Generator::new(store, 7)?;
    // The bare loop: one flat row per tally, one transaction each, same file and pragmas.
    let bare = rusqlite::Connection::open(store.path())?;
    store::configure(&bare)?;
    bare.execute_batch(
        "CREATE TABLE IF NOT EXISTS bench_bare (id INTEGER PRIMARY KEY, insats_id INTEGER, kind_id INTEGER,
         year INTEGER, month INTEGER, v1 INTEGER, v2 INTEGER, v3 INTEGER, v4 INTEGER, v5 INTEGER, v6 INTEGER, v7 INTEGER, v8 INTEGER)",
    )?;
    // Ours: the whole path a request takes after parsing: validate, then a durable write.
    let ours_once = |generator: &mut Generator| -> anyhow::Result<Duration> {
        let t = generator.next(now.year, now);
        let raw = RawTally {
            insats: cfg.insats_by_id(t.insats_id).map(|i| i.key.clone()),
            kind: cfg.kind_by_id(t.kind_id).map(|k| k.key.clone()),
            period: Some(t.period.to_string()),
            values: t
                .values
                .iter()
                .map(|(d, v)| {
                    let dim = cfg.dimension_by_id(*d).expect("dim");
                    (dim.key.clone(), dim.value_by_id(*v).expect("value").key.clone())
                })
                .collect(),
            ..Default::default()
        };
        let started = Instant::now();
        let new = tally::validate(&cfg, &raw, now).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        store.write_blocking(|tx| store::tally::insert(tx, &new, None))?;
        Ok(started.elapsed())
    };
    let bare_once = |generator: &mut Generator| -> anyhow::Result<Duration> {
        let t = generator.next(now.year, now);
        let v = |i: usize| t.values.get(i).map(|x| x.1);
        let started = Instant::now();
        bare.execute_batch("BEGIN IMMEDIATE")?;
        bare.prepare_cached("INSERT INTO bench_bare (insats_id, kind_id, year, month, v1, v2, v3, v4, v5, v6, v7, v8) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")?
            .execute(rusqlite::params![t.insats_id, t.kind_id, t.period.year, t.period.month, v(0), v(1), v(2), v(3), v(4), v(5), v(6), v(7)])?;
        bare.execute_batch("COMMIT")?;
        Ok(started.elapsed())
    };
    // Start both from the same state: the bulk load's WAL checkpointed away, caches warm.
    bare.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    for _ in 0..200 {
        ours_once(&mut generator)?;
        bare_once(&mut generator)?;
    }
    // Alternate single writes, so checkpoints and anything else on the disk fall on both loops;
    // a checkpoint is charged to the loop whose commit triggers it, i.e. by pages written.
    let (mut ours, mut theirs) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        ours.push(ours_once(&mut generator)?);
        theirs.push(bare_once(&mut generator)?);
    }
    let ours_total = ours.iter().sum();
    let theirs_total = theirs.iter().sum();
    Ok((figures(ours, ours_total), figures(theirs, theirs_total)))
}

struct ReportFigures {
    tallies: usize,
    counts: Duration,
    raw: Duration,
}

fn reports(store: &Store, runs: usize, year: i32) -> anyhow::Result<ReportFigures> {
    let cfg = store.config();
    let insats = cfg.active_insatser().find(|i| cfg.flow_kind(i, Flow::Exit).is_some()).context("insats")?.clone();
    let gender = cfg.gender().context("gender dimension")?.id;
    let tallies = store.read_blocking(store::tally::count_all)? as usize;
    let run = |raw: bool| -> anyhow::Result<(Duration, crate::report::Report)> {
        let started = Instant::now();
        let inputs = store.read_blocking(|c| {
            let mut inputs = store::report_inputs(c, insats.id, year)?;
            if raw {
                inputs.rows = store::tally::counts_from_raw(c, insats.id, year, gender)?;
            }
            Ok(inputs)
        })?;
        let report = yearly(&cfg, &insats, year, &inputs);
        Ok((started.elapsed(), report))
    };
    let (_, warm) = run(false)?;
    let (_, from_raw) = run(true)?;
    anyhow::ensure!(warm == from_raw, "the count table and the raw GROUP BY disagree");
    let counts = (0..runs).map(|_| run(false).map(|r| r.0)).collect::<anyhow::Result<Vec<_>>>()?;
    let raw = (0..(runs / 5).max(3)).map(|_| run(true).map(|r| r.0)).collect::<anyhow::Result<Vec<_>>>()?;
    Ok(ReportFigures { tallies, counts: median(counts), raw: median(raw) })
}

pub fn run(opts: &Options) -> anyhow::Result<()> {
    if opts.reader {
        return reader::run(&opts.dir, opts.report_runs.max(20));
    }
    if opts.import {
        return import::run(&opts.dir, opts.rows, opts.report_runs.clamp(1, 5));
    }
    let now = crate::Clock::System.now();
    eprintln!("building benchmark databases in {} …", opts.dir.display());
    let (large, large_build) = build(&opts.dir.join("national"), opts.tallies, now)?;
    let (small, small_build) = build(&opts.dir.join("tenth"), opts.tallies / 10, now)?;
    eprintln!("timing {} durable writes each …", opts.writes);
    let (ours, bare) = writes(&large, opts.writes, now)?;
    if opts.writes_only {
        println!(
            "| tally writes, Pinne | {:.0} /s, p50 {} ms, p99 {} ms |",
            ours.per_second,
            ms(ours.p50),
            ms(ours.p99)
        );
        println!(
            "| tally writes, bare loop | {:.0} /s, p50 {} ms, p99 {} ms |",
            bare.per_second,
            ms(bare.p50),
            ms(bare.p99)
        );
        println!("| ratio | {:.2} × |", ours.per_second / bare.per_second);
        return Ok(());
    }
    eprintln!("timing yearly reports …");
    let big = reports(&large, opts.report_runs, now.year)?;
    let tenth = reports(&small, opts.report_runs, now.year)?;

    let write_ratio = ours.per_second / bare.per_second;
    let scale_ratio = big.counts.as_secs_f64() / tenth.counts.as_secs_f64();
    let speedup = big.raw.as_secs_f64() / big.counts.as_secs_f64();
    let ok = |b: bool| if b { "met" } else { "NOT met" };
    println!("| measure | figure |");
    println!("| --- | --- |");
    let took = |d: Duration| if d.is_zero() { "reused".to_string() } else { format!("{:.1} s", d.as_secs_f64()) };
    println!(
        "| bulk load (setup, not a target; 100 000 tallies a transaction) | {} for {} tallies, {} for {} |",
        took(large_build),
        opts.tallies,
        took(small_build),
        opts.tallies / 10
    );
    println!(
        "| tally writes, Pinne (validate + durable transaction) | {:.0} /s, p50 {} ms, p99 {} ms |",
        ours.per_second,
        ms(ours.p50),
        ms(ours.p99)
    );
    println!(
        "| tally writes, bare rusqlite loop (same pragmas) | {:.0} /s, p50 {} ms, p99 {} ms |",
        bare.per_second,
        ms(bare.p50),
        ms(bare.p99)
    );
    println!("| yearly report from counts, {} tallies | {} ms (median) |", tenth.tallies, ms(tenth.counts));
    println!("| yearly report from counts, {} tallies | {} ms (median) |", big.tallies, ms(big.counts));
    println!("| yearly report by raw GROUP BY, {} tallies | {} ms (median) |", tenth.tallies, ms(tenth.raw));
    println!("| yearly report by raw GROUP BY, {} tallies | {} ms (median) |", big.tallies, ms(big.raw));
    println!();
    println!("| target | result | |");
    println!("| --- | --- | --- |");
    println!("| writes ≥ 0.8 × bare loop | {write_ratio:.2} × | {} |", ok(write_ratio >= 0.8));
    println!("| report at full scale ≤ 2 × report at a tenth | {scale_ratio:.2} × | {} |", ok(scale_ratio <= 2.0));
    println!("| report ≥ 10 × faster than raw GROUP BY (full scale) | {speedup:.0} × | {} |", ok(speedup >= 10.0));
    Ok(())
}
