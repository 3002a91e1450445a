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
        let weights_of = preset.and_then(|p| p.dimensions.iter().find(|d| d.key == dim.key).map(|d| p.values_of(d)));
        let active: Vec<_> = dim.active_values().collect();
        let weights: Vec<f64> = active
            .iter()
            .enumerate()
            .map(|(i, v)| {
                factor(i)
                    * weights_of
                        .and_then(|values| values.iter().find(|pv| pv.key == v.key))
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
    let (Some(entry), Some(exit)) = (config.flow_kind(&insats, Flow::Entry), config.flow_kind(&insats, Flow::Exit))
    else {
        return Err(StoreError::Conflict(format!(
            "demo data needs entries and exits, and {} has not both",
            insats.key
        )));
    };
    let (entry, exit) = (entry.clone(), exit.clone());
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
    // The other kinds (guidance meetings, surveys, violence questions, ratings) and events.
    if let (Some(demo), Some(p)) = (&demo, &preset) {
        for dk in &demo.kinds {
            let (Some(i), Some(k)) = (config.insats(&dk.insats), config.kind(&dk.kind)) else { continue };
            other_kind(&config, p, i.id, k, dk, start, now_i, &mut rng, &mut tallies);
        }
    }
    let events = demo_events(&config, demo.as_ref(), start_year, now, &mut rng);
    // Store in month order, as coaches would have.
    tallies.sort_by_key(|t| (t.period, t.kind_id));
    let n = tallies.len() + events.len();
    let stored = store.write_blocking(|tx| {
        if store::tally::count_all(tx)? > 0 {
            return Ok(false);
        }
        for t in &tallies {
            store::tally::insert(tx, t, None)?;
        }
        for e in &events {
            store::event::insert(tx, e, None)?;
        }
        Ok(true)
    })?;
    Ok(if stored {
        Outcome::Filled { tallies: n, insats: insats.key, from: start_year, to: now }
    } else {
        Outcome::AlreadyHasData
    })
}

/// Tallies of a kind that is not a flow: `per_month` a month (in the configured months), each
/// required dimension sampled by weight, optional ones left out one time in ten, and a multi-choice
/// dimension's values each chosen with their weight as a percentage (at least one).
#[allow(clippy::too_many_arguments)]
fn other_kind(
    config: &Config,
    preset: &Preset,
    insats_id: i64,
    kind: &crate::domain::Kind,
    dk: &crate::domain::preset::PresetDemoKind,
    start: i32,
    now_i: i32,
    rng: &mut ChaCha8Rng,
    out: &mut Vec<NewTally>,
) {
    let dims: Vec<(crate::domain::config::KindDimension, &Dimension, Sampler)> = kind
        .dimensions
        .iter()
        .filter_map(|kd| config.dimension_by_id(kd.dimension_id).filter(|d| !d.retired).map(|d| (*kd, d)))
        .map(|(kd, d)| (kd, d, Sampler::new(d, Some(preset))))
        .collect();
    let weight = |d: &Dimension, key: &str| {
        preset
            .dimensions
            .iter()
            .find(|p| p.key == d.key)
            .and_then(|p| preset.values_of(p).iter().find(|v| v.key == key))
            .and_then(|v| v.weight)
            .unwrap_or(50.0)
    };
    let [lo, hi] = dk.per_month;
    for m in start..=now_i {
        let period = from_index(m);
        if dk.months.as_ref().is_some_and(|ms| !ms.contains(&period.month)) {
            continue;
        }
        for _ in 0..rng.random_range(lo..=hi) {
            let mut values = Vec::new();
            for (kd, d, sampler) in &dims {
                if !kd.required && rng.random_range(0..10) == 0 {
                    continue;
                }
                if kd.multiple {
                    let before = values.len();
                    for v in d.active_values() {
                        if rng.random_range(0.0..100.0) < weight(d, &v.key) {
                            values.push((d.id, v.id));
                        }
                    }
                    if values.len() == before {
                        values.push((d.id, sampler.sample(rng).0));
                    }
                } else {
                    values.push((d.id, sampler.sample(rng).0));
                }
            }
            let of_role = |pred: &dyn Fn(&Dimension) -> bool| {
                values
                    .iter()
                    .find(|(dim, _)| config.dimension_by_id(*dim).is_some_and(pred))
                    .map(|(_, v)| *v)
                    .unwrap_or(0)
            };
            let split_value_id = of_role(&|d| d.role == Role::Gender);
            let scope_value_id = of_role(&|d| Some(d.id) == kind.scope_dimension_id);
            out.push(NewTally { insats_id, kind_id: kind.id, period, values, split_value_id, scope_value_id });
        }
    }
}

/// The preset's demo events every year from `start_year`, attendees varied by ±20 %, about half of
/// them counted by gender.
fn demo_events(
    config: &Config,
    demo: Option<&crate::domain::preset::PresetDemo>,
    start_year: i32,
    now: Period,
    rng: &mut ChaCha8Rng,
) -> Vec<crate::domain::event::NewEvent> {
    let mut out = Vec::new();
    let Some(demo) = demo else { return out };
    let genders: Vec<i64> =
        config.gender().map(|g| g.active_values().map(|v| v.id).take(2).collect()).unwrap_or_default();
    for year in start_year..=now.year {
        for e in &demo.events {
            let (Some(i), Some(k)) = (config.insats(&e.insats), config.kind(&e.kind)) else { continue };
            let Some(period) = Period::new(year, e.month).filter(|p| *p <= now) else { continue };
            let attendees = (f64::from(e.attendees) * rng.random_range(0.8..1.2)).round().max(1.0) as i64;
            let by_gender = if genders.len() == 2 && rng.random_bool(0.5) {
                let women = (attendees as f64 * rng.random_range(0.5..0.7)).round() as i64;
                vec![(genders[0], women), (genders[1], attendees - women)]
            } else {
                Vec::new()
            };
            out.push(crate::domain::event::NewEvent {
                insats_id: i.id,
                kind_id: k.id,
                period,
                name: e.name.clone(),
                organiser: e.organiser.clone(),
                attendees,
                by_gender,
            });
        }
    }
    out
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
