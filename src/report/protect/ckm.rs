//! The Cell Key Method (docs/PRIVACY.md): every published count is its true value plus a small
//! change drawn from a perturbation table by the cell's key, the sum of the record keys of the
//! tallies it counts modulo 2^20. The same tallies give the same key, so the same cell gets the
//! same change in every table, year, export and request, and asking again teaches nothing.
//!
//! The perturbation table, for a largest change D, a variance V and a threshold T:
//! - 0 stays 0;
//! - a count 1..T−1 becomes 0 or T, T with probability n/T (so its expected value is n), and no
//!   published count is ever 1..T−1;
//! - a count n ≥ T changes by e ∈ [max(−D, T−n), D] with expected change 0 and variance V where
//!   the room allows (less near T): the changes are weighted 1/|e| on each side, the sides scaled
//!   to balance, and the rest of the probability is "no change".
//!
//! The table is the same for every n ≥ T + D. Its rows are cut into intervals of the key range
//! [0, R) in order of the change, as the ONS `cell-key-perturbation` package reads its `ptable`
//! (`pcv`, `ckey`, `pvalue`); `scripts/ckm_compare.py` checks the two against each other.

use std::fmt::Write as _;

/// Record keys and cell keys are 0..2^20 (see `store::tally::RECORD_KEYS`).
pub const KEY_RANGE: i64 = crate::store::tally::RECORD_KEYS;

#[derive(Debug, Clone, PartialEq)]
pub struct PTable {
    pub threshold: i64,
    pub max_deviation: i64,
    pub variance: f64,
    /// Row n (0..=T+D): the changes in increasing order with their probabilities.
    rows: Vec<Vec<(i64, f64)>>,
}

impl PTable {
    pub fn new(threshold: i64, max_deviation: i64, variance: f64) -> PTable {
        let t = threshold.max(1);
        let d = max_deviation.max(t - 1).max(1);
        let rows = (0..=t + d).map(|n| row(n, t, d, variance)).collect();
        PTable { threshold: t, max_deviation: d, variance, rows }
    }

    /// The changes a count `n` can get, with their probabilities.
    pub fn distribution(&self, n: i64) -> &[(i64, f64)] {
        &self.rows[n.clamp(0, self.rows.len() as i64 - 1) as usize]
    }

    /// The published value of a count `n` whose cell key is `key` (any integer: it is reduced
    /// modulo the key range `range`).
    pub fn perturb(&self, n: i64, key: i64, range: i64) -> i64 {
        if n <= 0 {
            return n.max(0);
        }
        let k = key.rem_euclid(range);
        let dist = self.distribution(n);
        let mut cum = 0.0;
        for (i, (e, p)) in dist.iter().enumerate() {
            cum += p;
            let bound = if i + 1 == dist.len() { range } else { (cum * range as f64).round() as i64 };
            if k < bound {
                return n + e;
            }
        }
        n
    }

    /// The true counts that can be published as `published`.
    pub fn preimage(&self, published: i64, upto: i64) -> Vec<i64> {
        (0..=upto.max(published + self.max_deviation))
            .filter(|n| self.distribution(*n).iter().any(|(e, p)| *p > 0.0 && n + e == published))
            .collect()
    }

    /// The table in the ONS package's format: `pcv,ckey,pvalue` for cell values 1..=750 and keys
    /// 0..range.
    pub fn ons_csv(&self, range: i64) -> String {
        let mut out = String::from("pcv,ckey,pvalue\n");
        for n in 1..=750 {
            for k in 0..range {
                let _ = writeln!(out, "{n},{k},{}", self.perturb(n, k, range) - n);
            }
        }
        out
    }
}

/// The distribution of the change of a count `n`.
fn row(n: i64, t: i64, d: i64, v: f64) -> Vec<(i64, f64)> {
    if n == 0 {
        return vec![(0, 1.0)];
    }
    if n < t {
        let up = n as f64 / t as f64;
        return vec![(-n, 1.0 - up), (t - n, up)];
    }
    let low = (t - n).max(-d);
    if low == 0 {
        return vec![(0, 1.0)];
    }
    // Weights 1/|e|: Σ w·|e| is the number of changes on a side, Σ w·e² = Σ |e|.
    let (neg, pos) = (-low as f64, d as f64);
    let (neg_sq, pos_sq) = (neg * (neg + 1.0) / 2.0, pos * (pos + 1.0) / 2.0);
    // Mean 0: c₋·neg = c₊·pos; variance c₋·neg_sq + c₊·pos_sq = v.
    let mut c_pos = v / (pos / neg * neg_sq + pos_sq);
    let h = |k: f64| (1..=k as i64).map(|e| 1.0 / e as f64).sum::<f64>();
    let mass = |c_pos: f64| c_pos * pos / neg * h(neg) + c_pos * h(pos);
    if mass(c_pos) > 1.0 {
        c_pos /= mass(c_pos);
    }
    let c_neg = c_pos * pos / neg;
    let mut out = Vec::new();
    for e in low..=d {
        let p = match e {
            0 => 0.0,
            e if e < 0 => c_neg / (-e) as f64,
            e => c_pos / e as f64,
        };
        out.push((e, p));
    }
    let rest = 1.0 - out.iter().map(|(_, p)| p).sum::<f64>();
    if let Some(z) = out.iter_mut().find(|(e, _)| *e == 0) {
        z.1 = rest.max(0.0);
    }
    out.retain(|(_, p)| *p > 0.0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(t: &PTable, n: i64) -> (f64, f64) {
        let d = t.distribution(n);
        let mean: f64 = d.iter().map(|(e, p)| *e as f64 * p).sum();
        let var: f64 = d.iter().map(|(e, p)| (*e as f64 - mean).powi(2) * p).sum();
        (mean, var)
    }

    #[test]
    fn every_row_is_unbiased_bounded_and_never_publishes_a_small_count() {
        for (t, d, v) in [(3, 2, 1.0), (3, 2, 2.0), (3, 3, 1.5), (5, 4, 2.0), (2, 1, 0.5)] {
            let p = PTable::new(t, d, v);
            for n in 0..60 {
                let dist = p.distribution(n);
                let total: f64 = dist.iter().map(|(_, p)| p).sum();
                assert!((total - 1.0).abs() < 1e-9, "row {n} sums to {total}");
                let (mean, var) = moments(&p, n);
                assert!(mean.abs() < 1e-9, "row {n} of T={t} D={d} has mean {mean}");
                for (e, _) in dist {
                    assert!(e.abs() <= d, "change {e} of {n} exceeds D={d}");
                    let out = n + e;
                    assert!(out == 0 || out >= t, "{n} can be published as {out} under T={t}");
                    assert!(n > 0 || out == 0, "a zero must stay zero");
                }
                if n >= t + d {
                    assert!((var - v).abs() < 1e-9, "row {n}: variance {var}, wanted {v}");
                } else if n >= t {
                    assert!(var <= v + 1e-9, "row {n}: variance {var} above {v}");
                } else if n > 0 {
                    // 0 or T with the mean n.
                    assert!((var - (n * (t - n)) as f64).abs() < 1e-9);
                }
            }
        }
    }

    #[test]
    fn keys_pick_changes_in_proportion_to_their_probability() {
        let p = PTable::new(3, 2, 1.0);
        for n in [1, 2, 4, 10] {
            let mut seen = std::collections::BTreeMap::new();
            for k in 0..KEY_RANGE {
                *seen.entry(p.perturb(n, k, KEY_RANGE) - n).or_insert(0i64) += 1;
            }
            for (e, prob) in p.distribution(n) {
                let share = seen[e] as f64 / KEY_RANGE as f64;
                assert!((share - prob).abs() < 1e-5, "n={n} e={e}: {share} vs {prob}");
            }
        }
        // The same key always gives the same change; a key beyond the range wraps.
        assert_eq!(p.perturb(10, 12345, KEY_RANGE), p.perturb(10, 12345 + 7 * KEY_RANGE, KEY_RANGE));
        assert_eq!(p.perturb(0, 999, KEY_RANGE), 0);
    }

    #[test]
    fn the_preimage_of_a_published_count_holds_every_possible_true_count() {
        let p = PTable::new(3, 2, 1.0);
        assert_eq!(p.preimage(0, 10), vec![0, 1, 2]);
        assert_eq!(p.preimage(3, 10), vec![1, 2, 3, 4, 5]);
        assert_eq!(p.preimage(10, 20), vec![8, 9, 10, 11, 12]);
    }
}
