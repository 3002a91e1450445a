//! The published version of an insats' reports, as readers, coaches and read-only tokens see them.
//!
//! - Every year from the first with data is protected, oldest first, so each year's figures are
//!   hidden the same way in every report (see `protect`).
//! - The running year is shown as it stood at the end of the last complete month: a snapshot that
//!   changes at most once a month, so a tally of this month changes nothing a reader sees.
//! - Tallies with another or no stated gender are counted in one folded column, which is never
//!   shown on its own (see docs/PRIVACY.md).
//! - The protection decisions are cached per insats, year and snapshot. An entry is reused while
//!   nothing has been written to the database; after a write it is reused if the reports it was
//!   made from are unchanged (compared by a fingerprint), else made anew.

use super::tables::{self, Table};
use super::{Inputs, Report, protect, yearly};
use crate::domain::{Config, Insats, Period};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long an entry is trusted without looking at the data again (another process may write).
const TRUST: Duration = Duration::from_secs(60);

/// The month a year's published version stands at: the last complete month of the running year,
/// December of a closed year, and nothing of a year that has not begun.
pub fn snapshot_month(year: i32, now: Period) -> u32 {
    if year < now.year {
        12
    } else if year == now.year {
        now.month - 1
    } else {
        0
    }
}

/// The keys of the gender values other than woman and man: their columns are folded.
pub fn folded_genders(config: &Config) -> Vec<String> {
    let Some(d) = config.gender() else { return Vec::new() };
    d.values.iter().filter(|v| !matches!(v.key.as_str(), "kvinna" | "man")).map(|v| v.key.clone()).collect()
}

/// Counts tallies whose gender is neither woman nor man in the one folded column.
pub fn fold_genders(config: &Config, inputs: &mut Inputs) {
    let Some(d) = config.gender() else { return };
    let kept: Vec<i64> = d.values.iter().filter(|v| matches!(v.key.as_str(), "kvinna" | "man")).map(|v| v.id).collect();
    for r in &mut inputs.rows {
        if !kept.contains(&r.split_value_id) {
            r.split_value_id = 0;
        }
    }
    for a in &mut inputs.answers {
        if !kept.contains(&a.split_value_id) {
            a.split_value_id = 0;
        }
    }
    // The enrolled-at-start counts are per gender like tallies (earlier report figures keep
    // theirs: the columns of folded genders are left out of published tables).
    for (_, f) in &mut inputs.earlier {
        if f.measure == crate::domain::earlier::Measure::Inskrivna && !kept.contains(&f.gender_value_id) {
            f.gender_value_id = 0;
        }
    }
}

/// A report's protected tables: the report itself (of the snapshot) and the tables of its five
/// years, oldest first.
#[derive(Debug, Clone)]
pub struct Published {
    pub report: Report,
    pub trend: Vec<(i32, Vec<Table>)>,
    /// Hidden figures the solver could not protect (to be looked into; normally empty).
    pub unprotected: Vec<String>,
    /// Cell Key Method: quantities that had no cell key (to be looked into; normally empty).
    pub keyless: Vec<String>,
}

struct Entry {
    generation: u64,
    checked: Instant,
    fingerprint: u64,
    published: Arc<Published>,
}

/// Protection decisions per (insats, year, snapshot month, rule).
#[derive(Default)]
pub struct Cache {
    entries: Mutex<HashMap<(i64, i32, u32, String), Entry>>,
    /// Protected runs of closed years, by a fingerprint of their reports: the next year, or the
    /// running year's next snapshot, continues from them instead of from the first year.
    runs: Mutex<HashMap<u64, Arc<Chain>>>,
    /// Protected span reports, by a fingerprint of everything they are made from.
    spans: Mutex<HashMap<u64, Arc<PublishedSpan>>>,
    /// Set when the server shuts down: work under way stops at its next year.
    stopping: std::sync::atomic::AtomicBool,
}

/// What a published version is made from: each year's inputs from the first with data, oldest
/// first (the last is the report's year, as of its snapshot).
pub type Years = Vec<(i32, Inputs)>;

/// What one published version is made from.
pub struct Source<'a> {
    pub config: &'a Config,
    pub insats: &'a Insats,
    pub years: &'a Years,
    /// The closure of the report's year, if it is closed.
    pub closed: Option<crate::store::closure::Closure>,
}

impl Cache {
    /// Stops all protection under way (at its next year) and refuses new work: the server is
    /// shutting down.
    pub fn stop(&self) {
        self.stopping.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// The entry for a key if nothing was written since it was checked, recently.
    pub fn fresh(&self, key: &(i64, i32, u32, String), generation: u64) -> Option<Arc<Published>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|e| e.generation == generation && e.checked.elapsed() < TRUST)
            .map(|e| e.published.clone())
    }

    /// The published version of `years`, reusing the decisions made for the same reports; `None`
    /// when `cancelled` (the client has gone) or the server is stopping, checked before each year
    /// (the years protected so far stay cached for the next request).
    pub fn publish(
        &self,
        key: (i64, i32, u32, String),
        generation: u64,
        src: Source,
        rule: &protect::Rule,
        cancelled: &dyn Fn() -> bool,
    ) -> Option<Arc<Published>> {
        let Source { config, insats, years, closed } = src;
        let mut reports: Vec<Report> = years
            .iter()
            .map(|(y, i)| {
                let mut inputs = i.clone();
                fold_genders(config, &mut inputs);
                yearly(config, insats, *y, &inputs)
            })
            .collect();
        if let Some(r) = reports.last_mut() {
            r.closed = closed;
        }
        // The Cell Key Method needs each quantity's cell key: the same report made from the sums
        // of record keys in place of the counts gives every quantity's key sum under its tag.
        let keys: Vec<protect::Keys> = match rule.method {
            protect::Method::Suppression => vec![protect::Keys::new(); years.len()],
            protect::Method::CellKey(_) => years
                .iter()
                .map(|(y, i)| {
                    let mut inputs = key_inputs(i);
                    fold_genders(config, &mut inputs);
                    cell_keys(&yearly(config, insats, *y, &inputs))
                })
                .collect(),
        };
        let fingerprint = fingerprint(&reports, &keys, rule);
        {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(e) = entries.get_mut(&key).filter(|e| e.fingerprint == fingerprint) {
                e.generation = generation;
                e.checked = Instant::now();
                return Some(e.published.clone());
            }
        }
        let stop = || cancelled() || self.stopping.load(std::sync::atomic::Ordering::Relaxed);
        let published = Arc::new(self.protect(key.0, reports, keys, rule, &stop)?);
        let entry = Entry { generation, checked: Instant::now(), fingerprint, published: published.clone() };
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).insert(key, entry);
        Some(published)
    }

    /// `protect_reports`, continuing from the longest run of earlier years already protected.
    fn protect(
        &self,
        insats: i64,
        mut reports: Vec<Report>,
        mut cell_keys: Vec<protect::Keys>,
        rule: &protect::Rule,
        stop: &dyn Fn() -> bool,
    ) -> Option<Published> {
        let mut last = reports.pop().expect("at least the published year");
        let last_keys = cell_keys.pop().unwrap_or_default();
        let mut chain = self.run(insats, reports, cell_keys, rule, stop)?;
        chain.step(&mut last, &last_keys);
        Some(chain.finish(last))
    }

    /// The protection state after `reports` (oldest first), continuing from the longest run of
    /// them already protected; `None` when stopped.
    fn run(
        &self,
        insats: i64,
        mut reports: Vec<Report>,
        cell_keys: Vec<protect::Keys>,
        rule: &protect::Rule,
        stop: &dyn Fn() -> bool,
    ) -> Option<Chain> {
        // A run of closed years is keyed by a fingerprint of all its reports (and cell keys).
        let mut keys = Vec::with_capacity(reports.len());
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (insats, format!("{rule:?}")).hash(&mut h);
        for (r, k) in reports.iter().zip(&cell_keys) {
            serde_json::to_string(r).unwrap_or_default().hash(&mut h);
            hash_keys(k, &mut h);
            keys.push(h.finish());
        }
        let mut chain = {
            let runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
            (0..keys.len()).rev().find_map(|k| runs.get(&keys[k]).map(|c| (k + 1, c.clone())))
        }
        .map(|(done, c)| (done, Chain::clone(&c)))
        .unwrap_or_else(|| (0, Chain { protector: protect::Protector::new(rule.clone()), years: Vec::new() }));
        for (k, r) in reports.iter_mut().enumerate().skip(chain.0) {
            if stop() {
                return None;
            }
            chain.1.step(r, &cell_keys[k]);
            let mut runs = self.runs.lock().unwrap_or_else(|e| e.into_inner());
            if runs.len() >= MAX_RUNS {
                runs.clear();
            }
            runs.insert(keys[k], Arc::new(chain.1.clone()));
        }
        if stop() {
            return None;
        }
        Some(chain.1)
    }

    /// The publication version of a span of years: every year from the first with data protected
    /// as for its own report (`years`, the running year as of its snapshot), then each published
    /// span in the order they were set (`spans`, the one asked for last, inputs as of the same
    /// snapshot) with its quantities tied to the years' (`span::links`), so that no figure hidden
    /// in a year's report or an earlier span can be worked out from a span, nor the other way
    /// round. Decisions are cached by a fingerprint of everything they are made from.
    pub fn publish_span(
        &self,
        src: Source,
        spans: &[(super::span::Span, Inputs)],
        rule: &protect::Rule,
        stop: &dyn Fn() -> bool,
    ) -> Option<Arc<PublishedSpan>> {
        let Source { config, insats, years, .. } = src;
        let year_inputs = |i: &Inputs| {
            let mut inputs = i.clone();
            fold_genders(config, &mut inputs);
            inputs
        };
        let reports: Vec<Report> = years.iter().map(|(y, i)| yearly(config, insats, *y, &year_inputs(i))).collect();
        let keys: Vec<protect::Keys> = match rule.method {
            protect::Method::Suppression => vec![protect::Keys::new(); years.len()],
            protect::Method::CellKey(_) => years
                .iter()
                .map(|(y, i)| cell_keys(&yearly(config, insats, *y, &year_inputs(&key_inputs(i)))))
                .collect(),
        };
        let span_reports: Vec<(super::span::Span, Report, protect::Keys)> = spans
            .iter()
            .map(|(span, inputs)| {
                let mut report = super::span::report(config, insats, *span, &year_inputs(inputs));
                super::span::retag_goals(&mut report, *span);
                let keys = match rule.method {
                    protect::Method::Suppression => protect::Keys::new(),
                    protect::Method::CellKey(_) => {
                        let key_report = super::span::report(config, insats, *span, &year_inputs(&key_inputs(inputs)));
                        let t = super::span::tables(tables::tables(&key_report), *span);
                        let mut keys = protect::Keys::new();
                        for q in t.iter().flat_map(|t| {
                            t.rows.iter().flat_map(|r| r.basis.iter().flat_map(protect::Basis::quantities))
                        }) {
                            keys.insert(q.tag.clone(), q.n);
                        }
                        keys
                    }
                };
                (*span, report, keys)
            })
            .collect();
        let fingerprint = {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            fingerprint(&reports, &keys, rule).hash(&mut h);
            for (span, report, keys) in &span_reports {
                (span.first, span.last).hash(&mut h);
                serde_json::to_string(report).unwrap_or_default().hash(&mut h);
                hash_keys(keys, &mut h);
            }
            insats.id.hash(&mut h);
            h.finish()
        };
        if let Some(p) = self.spans.lock().unwrap_or_else(|e| e.into_inner()).get(&fingerprint) {
            return Some(p.clone());
        }
        let mut chain = self.run(insats.id, reports, keys, rule, &|| {
            stop() || self.stopping.load(std::sync::atomic::Ordering::Relaxed)
        })?;
        let mut last = None;
        for (span, mut report, span_keys) in span_reports {
            if stop() || self.stopping.load(std::sync::atomic::Ordering::Relaxed) {
                return None;
            }
            let mut t = super::span::tables(tables::tables(&report), span);
            let known: HashMap<String, i64> =
                chain.protector.quantities().into_iter().map(|(tag, n, _)| (tag, n)).collect();
            let entry = report.flow_kinds.as_ref().map(|(entry, _)| entry.clone());
            let links = super::span::links(&t, span, &known, entry.as_deref());
            if let Some(first) = t.first_mut() {
                first.sums.extend(links);
            }
            let counted = t.clone();
            chain.protector.protect(&mut t, &span_keys);
            if matches!(chain.protector.rule().method, protect::Method::Suppression) {
                super::span::reveal_derivable(&mut t, &counted, &chain.protector);
            }
            if let protect::Method::CellKey(pt) = &chain.protector.rule().method {
                let pt = pt.clone();
                protect::perturb::goals(&chain.protector, &mut report);
                let goals = tables::goal_table(&report).and_then(|g| super::span::adapt(g, span));
                if let (Some(slot), Some(mut goals)) = (t.iter_mut().find(|t| t.key == "mal"), goals) {
                    protect::perturb::apply_table(&mut chain.protector, &pt, &mut goals);
                    *slot = goals;
                }
            }
            last = Some(PublishedSpan { report, tables: t, unprotected: chain.protector.unprotected.clone() });
        }
        let published = Arc::new(last?);
        let mut spans = self.spans.lock().unwrap_or_else(|e| e.into_inner());
        if spans.len() >= MAX_RUNS {
            spans.clear();
        }
        spans.insert(fingerprint, published.clone());
        Some(published)
    }
}

/// A span report's protected tables.
#[derive(Debug, Clone)]
pub struct PublishedSpan {
    /// The report of the span's inputs (made for its last year).
    pub report: Report,
    pub tables: Vec<Table>,
    /// Hidden figures the solver could not protect (normally empty).
    pub unprotected: Vec<String>,
}

/// Cached runs of protected years at most (each a few hundred kilobytes).
const MAX_RUNS: usize = 512;

/// The protection state after a run of years, with each year's protected tables.
#[derive(Clone)]
struct Chain {
    protector: protect::Protector,
    years: Vec<(i32, Vec<Table>)>,
}

impl Chain {
    fn step(&mut self, r: &mut Report, keys: &protect::Keys) {
        let mut t: Vec<Table> = tables::tables(r).into_iter().filter(|t| t.key != "dataproblem").collect();
        self.protector.protect(&mut t, keys);
        if let protect::Method::CellKey(pt) = &self.protector.rule().method {
            // Goals from the published counts, and their table made anew from them.
            let pt = pt.clone();
            protect::perturb::goals(&self.protector, r);
            if let (Some(slot), Some(mut goals)) = (t.iter_mut().find(|t| t.key == "mal"), tables::goal_table(r)) {
                protect::perturb::apply_table(&mut self.protector, &pt, &mut goals);
                *slot = goals;
            }
        }
        self.years.push((r.year, t));
    }

    /// The published version of `report`, the run's last year.
    fn finish(self, report: Report) -> Published {
        let window = (report.year - 4)..=report.year;
        let trend = self.years.into_iter().filter(|(y, _)| window.contains(y)).collect();
        Published {
            report,
            trend,
            unprotected: self.protector.unprotected.clone(),
            keyless: self.protector.keyless.clone(),
        }
    }
}

fn fingerprint(reports: &[Report], keys: &[protect::Keys], rule: &protect::Rule) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for r in reports {
        serde_json::to_string(r).unwrap_or_default().hash(&mut h);
    }
    for k in keys {
        hash_keys(k, &mut h);
    }
    format!("{rule:?}").hash(&mut h);
    h.finish()
}

fn hash_keys(keys: &protect::Keys, h: &mut impl Hasher) {
    let mut sorted: Vec<(&String, &i64)> = keys.iter().collect();
    sorted.sort_unstable();
    sorted.hash(h);
}

/// The inputs with every count replaced by the sum of its tallies' record keys, and every event's
/// attendees counted with the event's record key: a report made from them holds each quantity's
/// key sum where the real one holds its count (every quantity is a sum or difference of counts).
pub fn key_inputs(inputs: &Inputs) -> Inputs {
    let mut out = inputs.clone();
    for r in &mut out.rows {
        r.n = r.k;
    }
    for r in &mut out.answers {
        r.n = r.k;
    }
    for e in &mut out.events {
        e.attendees = e.attendees.saturating_mul(e.record_key.max(1));
        for (_, n) in &mut e.by_gender {
            *n = n.saturating_mul(e.record_key.max(1));
        }
    }
    out
}

/// Every quantity's key sum from a report made from `key_inputs`, by tag.
pub fn cell_keys(key_report: &Report) -> protect::Keys {
    let mut keys = protect::Keys::new();
    for t in tables::tables(key_report) {
        for row in &t.rows {
            for q in row.basis.iter().flat_map(protect::Basis::quantities) {
                keys.insert(q.tag.clone(), q.n);
            }
        }
        for s in &t.sums {
            for q in s.parts.iter().chain([&s.total]) {
                keys.insert(q.tag.clone(), q.n);
            }
        }
    }
    keys
}

/// Protects consecutive years' reports, oldest first; the last is the one published. The
/// data-problem list is left out: it is for the people who correct data. `keys`: each year's cell
/// keys (`cell_keys`), needed by the Cell Key Method only.
pub fn protect_reports(mut reports: Vec<Report>, keys: &[protect::Keys], rule: &protect::Rule) -> Published {
    let mut report = reports.pop().expect("at least the published year");
    let none = protect::Keys::new();
    let key = |i: usize| keys.get(i).unwrap_or(&none);
    let mut chain = Chain { protector: protect::Protector::new(rule.clone()), years: Vec::new() };
    let last = reports.len();
    for (i, r) in reports.iter_mut().enumerate() {
        chain.step(r, key(i));
    }
    chain.step(&mut report, key(last));
    chain.finish(report)
}
