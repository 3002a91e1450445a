//! Realistic, reproducible demo data: a simulated stream of participants through one insats,
//! tallied the way coaches would tally them. Volumes and shares come from the preset (`[demo]` and
//! value weights), so this module knows no municipality or category.
//!
//! Participants already enrolled when the association starts (before `start_year`) are recorded as
//! entries in December of the year before: the documented way to start using Pinne.

use crate::domain::preset::{BUILTIN, Preset};
use crate::domain::{Config, Dimension, Flow, NewTally, Period, Role};
use crate::store::{self, Store, StoreError};
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A sampler of one dimension's values by weight.
pub struct Sampler {
    pub dimension_id: i64,
    pub role: Role,
    ids: Vec<i64>,
    months: Vec<Option<f64>>,
    dist: WeightedIndex<f64>,
}

impl Sampler {
    pub fn new(dim: &Dimension, preset: Option<&Preset>) -> Sampler {
        Sampler::with_factors(dim, preset, &mut |_| 1.0)
    }

    /// Like `new`, with each weight multiplied by `factor(value index)`.
    pub fn with_factors(dim: &Dimension, preset: Option<&Preset>, factor: &mut dyn FnMut(usize) -> f64) -> Sampler {
        let weights_of = preset.and_then(|p| p.dimensions.iter().find(|d| d.key == dim.key));
        let active: Vec<_> = dim.active_values().collect();
        let weights: Vec<f64> = active
            .iter()
            .enumerate()
            .map(|(i, v)| {
                factor(i)
                    * weights_of
                        .and_then(|d| d.values.iter().find(|pv| pv.key == v.key))
                        .and_then(|pv| pv.weight)
                        .unwrap_or(1.0)
            })
            .collect();
        Sampler {
            dimension_id: dim.id,
            role: dim.role,
            ids: active.iter().map(|v| v.id).collect(),
            months: active.iter().map(|v| v.months).collect(),
            dist: WeightedIndex::new(&weights).expect("positive weights"),
        }
    }

    /// A value id (and its representative months, for duration bands).
    pub fn sample(&self, rng: &mut impl Rng) -> (i64, Option<f64>) {
        let i = self.dist.sample(rng);
        (self.ids[i], self.months[i])
    }
}

/// The builtin preset this configuration came from, if any (for weights and volumes).
pub fn preset_for(config: &Config) -> Option<Preset> {
    BUILTIN.iter().filter_map(|(name, _)| Preset::builtin(name)).find(|p| p.association == config.association)
}

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Filled {
        tallies: usize,
        insats: String,
        from: i32,
        to: Period,
    },
    /// The database already holds tallies: nothing was touched.
    AlreadyHasData,
}

fn month_index(p: Period) -> i32 {
    p.year * 12 + p.month as i32 - 1
}
fn from_index(i: i32) -> Period {
    Period::new(i.div_euclid(12), i.rem_euclid(12) as u32 + 1).expect("demo periods are in range")
}

/// Fills an empty database with demo tallies up to and including `now`. Never touches a database
/// that already holds tallies.
pub fn fill(store: &Store, now: Period) -> Result<Outcome, StoreError> {
    let config = store.config();
    let preset = preset_for(&config);
    let demo = preset.as_ref().and_then(|p| p.demo.clone());
    let insats = demo
        .as_ref()
        .and_then(|d| d.insats.as_deref())
        .and_then(|k| config.insats(k))
        .or_else(|| {
            config
                .active_insatser()
                .find(|i| config.flow_kind(i, Flow::Entry).is_some() && config.flow_kind(i, Flow::Exit).is_some())
        })
        .ok_or_else(|| StoreError::Conflict("no insats with entries and exits to fill with demo data".into()))?
        .clone();
    let entry = config.flow_kind(&insats, Flow::Entry).expect("checked").clone();
    let exit = config.flow_kind(&insats, Flow::Exit).expect("checked").clone();
    let start_year = demo.as_ref().and_then(|d| d.start_year).unwrap_or(now.year - 5).min(now.year);
    let [lo, hi] = demo.as_ref().and_then(|d| d.entries_per_month).unwrap_or([3, 8]);

    let mut rng = ChaCha8Rng::seed_from_u64(20_230_101);
    let dim = |dim_id: i64| config.dimension_by_id(dim_id).expect("kind dimension");
    let person: Vec<Sampler> =
        entry.dimensions.iter().map(|kd| Sampler::new(dim(kd.dimension_id), preset.as_ref())).collect();
    let split_pos = person.iter().position(|s| s.role == Role::Gender);
    let exit_dims: Vec<&Dimension> = exit
        .dimensions
        .iter()
        .filter(|kd| entry.takes(kd.dimension_id).is_none())
        .map(|kd| dim(kd.dimension_id))
        .collect();
    // Exit outcomes drift from year to year (weights × 0.7–1.4), so the trend tables show movement.
    let first_sim_year = start_year - 4;
    let exit_samplers: Vec<Vec<Sampler>> = (first_sim_year..=now.year + 5)
        .map(|_| {
            exit_dims
                .iter()
                .map(|d| match d.role {
                    Role::Outcome => Sampler::with_factors(d, preset.as_ref(), &mut |_| rng.random_range(0.7..1.4)),
                    _ => Sampler::new(d, preset.as_ref()),
                })
                .collect()
        })
        .collect();

    let start = month_index(Period::new(start_year, 1).expect("valid"));
    let now_i = month_index(now);
    let mut tallies: Vec<NewTally> = Vec::new();
    // Simulate from four years before the start so the enrolled stock is in a steady state.
    for m in (first_sim_year * 12)..=now_i {
        for _ in 0..rng.random_range(lo..=hi) {
            let values: Vec<(i64, i64)> = person.iter().map(|s| (s.dimension_id, s.sample(&mut rng).0)).collect();
            let split = split_pos.map(|i| values[i].1).unwrap_or(0);
            // Months in the programme: around the representative months of a sampled band.
            let mut months = 12.0;
            let mut exit_values = values.clone();
            let mut exit_extra = Vec::new();
            for s in &exit_samplers[0] {
                if s.role == Role::Duration {
                    let (v, band) = s.sample(&mut rng);
                    months = (band.unwrap_or(12.0) * rng.random_range(0.7..1.4)).max(1.0);
                    exit_extra.push((s.dimension_id, v));
                }
            }
            let exit_m = m + months.round() as i32;
            let exit_year = (exit_m.div_euclid(12) - first_sim_year).clamp(0, exit_samplers.len() as i32 - 1) as usize;
            for s in exit_samplers[exit_year].iter().filter(|s| s.role != Role::Duration) {
                exit_extra.push((s.dimension_id, s.sample(&mut rng).0));
            }
            exit_values.extend(exit_extra);
            exit_values.sort_by_key(|(d, _)| exit.dimensions.iter().position(|kd| kd.dimension_id == *d));
            let enrolled_at_start = m < start && exit_m >= start;
            if m >= start || enrolled_at_start {
                let period = if m >= start { from_index(m) } else { from_index(start - 1) };
                tallies.push(NewTally {
                    insats_id: insats.id,
                    kind_id: entry.id,
                    period,
                    values: values.clone(),
                    split_value_id: split,
                    scope_value_id: 0,
                });
            }
            if exit_m >= start && exit_m <= now_i {
                tallies.push(NewTally {
                    insats_id: insats.id,
                    kind_id: exit.id,
                    period: from_index(exit_m),
                    values: exit_values,
                    split_value_id: split,
                    scope_value_id: 0,
                });
            }
        }
    }
    // Store in month order, as coaches would have.
    tallies.sort_by_key(|t| (t.period, t.kind_id));
    let n = tallies.len();
    let stored = store.write_blocking(|tx| {
        if store::tally::count_all(tx)? > 0 {
            return Ok(false);
        }
        for t in &tallies {
            store::tally::insert(tx, t, None)?;
        }
        Ok(true)
    })?;
    Ok(if stored {
        Outcome::Filled { tallies: n, insats: insats.key, from: start_year, to: now }
    } else {
        Outcome::AlreadyHasData
    })
}

/// The demo accounts, one per role (README lists them). Their passwords are public: demo only.
pub const ACCOUNTS: [(&str, crate::domain::account::Role, &str); 4] = [
    ("coach", crate::domain::account::Role::Coach, "demo-coach-pinne"),
    ("huvudman", crate::domain::account::Role::Huvudman, "demo-huvudman-pinne"),
    ("forbundschef", crate::domain::account::Role::Forbundschef, "demo-forbundschef-pinne"),
    ("lasare", crate::domain::account::Role::Lasare, "demo-lasare-pinne"),
];

/// Creates the demo accounts in a database without accounts (coach and huvudman work with every
/// insats). Returns false, touching nothing, if there are accounts already.
pub fn accounts(store: &Store) -> Result<bool, StoreError> {
    let config = store.config();
    let all: Vec<i64> = config.insatser.iter().map(|i| i.id).collect();
    let hashed: Vec<_> =
        ACCOUNTS.iter().map(|(name, role, pw)| (*name, *role, crate::auth::hash_password(pw))).collect();
    store.write_blocking(|tx| {
        if store::account::count(tx)? > 0 {
            return Ok(false);
        }
        let now = crate::web::auth::now_utc();
        for (name, role, hash) in &hashed {
            let insatser = if role.has_insatser() { all.as_slice() } else { &[] };
            store::account::create(tx, name, *role, hash, insatser, &now)?;
            store::audit::append(
                tx,
                &now,
                None,
                store::audit::Action::AccountCreated,
                &format!("{name} ({}), demo", role.as_str()),
                Some("kommandorad"),
            )?;
        }
        Ok(true)
    })
}
