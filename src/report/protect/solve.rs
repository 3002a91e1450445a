//! Secondary suppression as a mixed integer program (HiGHS), checked by an integer attacker.
//!
//! The *master* problem chooses which published candidates to hide at least cost: a binary per
//! candidate, no sum with exactly one hidden member, and the cuts learnt so far. The *attacker*
//! then takes the published system as a reader has it — published figures as constants, every
//! hidden figure an integer of at least 0, every declared sum — and, per connected group of hidden
//! figures, asks the solver whether each hidden small count can be 0 or at least the threshold.
//! (A hidden count that is not small may be worked out: it is a figure that could have been
//! shown, and the attacker's system already contains all it says.) Where one cannot, every pattern
//! that hides none of the figures published beside that group fails the same way (hiding more
//! only widens what the attacker must allow), so the cut "hide at least one of them" is added to
//! the master and the two are solved again until the attacker finds nothing. The same input gives
//! the same problems in the same order, and HiGHS runs single-threaded, so the choice is
//! deterministic.

use super::Protector;
use highs::{HighsModelStatus, RowProblem, Sense};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Rounds of master and attacker before the rest is hidden greedily.
const MAX_ROUNDS: usize = 40;
/// An upper bound for hidden counts, so that every attacker problem is bounded.
const BIG: f64 = 1e7;

/// Chooses which of `free` (published candidates, costing `weights`) to hide so that no hidden
/// figure in a part of the system that `touched` reaches can be worked out. Returns them.
pub fn secondary(p: &mut Protector, free: &[usize], weights: &[f64], touched: &HashSet<usize>) -> Vec<usize> {
    let pos: HashMap<usize, usize> = free.iter().enumerate().map(|(k, i)| (*i, k)).collect();
    let mut cuts: BTreeSet<Vec<usize>> = BTreeSet::new();
    let mut forced: Vec<bool> = vec![false; free.len()];
    for round in 0.. {
        let t0 = std::time::Instant::now();
        let mut hide = master(p, &pos, weights, &cuts).unwrap_or_else(|| {
            // Cannot happen with valid cuts; hide every cut's members rather than publish.
            tracing::warn!("secondary suppression: master problem infeasible");
            let mut h = vec![false; free.len()];
            cuts.iter().flatten().for_each(|k| h[*k] = true);
            h
        });
        for (h, f) in hide.iter_mut().zip(&forced) {
            *h |= *f;
        }
        let hidden = |i: usize| p.hidden(i) || pos.get(&i).is_some_and(|k| hide[*k]);
        let t1 = t0.elapsed();
        let found = attack(p, &hidden, touched);
        if std::env::var_os("PINNE_DEBUG_PROTECT").is_some() {
            let n = hide.iter().filter(|h| **h).count();
            eprintln!(
                "round {round}: {} breaches, {} cuts, {n} hidden of {} free; master {t1:?}, attack {:?}",
                found.len(),
                cuts.len(),
                free.len(),
                t0.elapsed() - t1
            );
        }
        if found.is_empty() {
            return free.iter().zip(&hide).filter(|(_, h)| **h).map(|(i, _)| *i).collect();
        }
        let mut progress = false;
        for b in &found {
            let cut: Vec<usize> = b.blockers.iter().filter_map(|i| pos.get(i).copied()).collect();
            if cut.is_empty() {
                continue;
            }
            if round >= MAX_ROUNDS {
                // Slow to converge: hide every blocker.
                cut.iter().for_each(|k| progress |= !std::mem::replace(&mut forced[*k], true));
            }
            progress |= cuts.insert(cut);
        }
        if !progress {
            // What is left cannot be protected by hiding more (it is pinned by earlier years).
            p.unprotected.extend(found.iter().map(|b| p.names[b.cell].clone()));
            tracing::warn!(cells = ?p.unprotected, "small counts that could not be protected");
            return free.iter().zip(&hide).filter(|(_, h)| **h).map(|(i, _)| *i).collect();
        }
    }
    unreachable!("rounds are unbounded")
}

/// The cheapest choice: `hide[k]` for `free[k]`, or `None` if no choice meets the constraints.
fn master(
    p: &Protector,
    pos: &HashMap<usize, usize>,
    weights: &[f64],
    cuts: &BTreeSet<Vec<usize>>,
) -> Option<Vec<bool>> {
    if weights.is_empty() {
        return Some(Vec::new());
    }
    let mut pb = RowProblem::default();
    let cols: Vec<_> = weights.iter().map(|w| pb.add_integer_column(*w, 0..=1)).collect();
    for (total, parts) in &p.sums {
        let members = parts.iter().copied().chain([*total]);
        let fixed: Vec<usize> = members.clone().filter(|i| p.hidden(*i) && !p.known_zero(*i)).collect();
        let vars: Vec<_> = members.filter_map(|i| pos.get(&i).map(|k| cols[*k])).collect();
        match fixed.len() {
            0 if vars.len() == 1 => pb.add_row(..=0, [(vars[0], 1.0)]),
            0 => {
                for v in &vars {
                    // Hidden → another member hidden too.
                    pb.add_row(0.., vars.iter().map(|w| (*w, if w == v { -1.0 } else { 1.0 })));
                }
            }
            // A small count alone among the hidden: the sum would give it away.
            1 if !vars.is_empty() && small(p, fixed[0]) => pb.add_row(1.., vars.iter().map(|v| (*v, 1.0))),
            _ => {}
        }
    }
    for cut in cuts {
        pb.add_row(1.., cut.iter().map(|k| (cols[*k], 1.0)));
    }
    let solved = quiet(pb.optimise(Sense::Minimise)).solve();
    if solved.status() != HighsModelStatus::Optimal {
        return None;
    }
    Some(solved.get_solution().columns().iter().map(|x| *x > 0.5).collect())
}

fn quiet(mut m: highs::Model) -> highs::Model {
    m.make_quiet();
    m.set_option("threads", 1);
    m.set_option("random_seed", 0);
    m.set_option("mip_rel_gap", 1e-6);
    m.set_option("time_limit", 60.0);
    m
}

/// A hidden figure an attacker can work out, and the published figures that keep it so: hiding
/// none of them leaves it worked out.
#[derive(Debug)]
pub struct Breach {
    pub cell: usize,
    pub blockers: BTreeSet<usize>,
}

/// The breaches in the groups of hidden figures that `touched` reaches: a small count narrowed
/// to within 1..threshold−1.
pub fn attack(p: &Protector, hidden: &dyn Fn(usize) -> bool, touched: &HashSet<usize>) -> Vec<Breach> {
    let n = p.names.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut sums_of: HashMap<usize, Vec<usize>> = HashMap::new();
    for (s, (total, parts)) in p.sums.iter().enumerate() {
        let members: Vec<usize> =
            parts.iter().copied().chain([*total]).filter(|i| hidden(*i) && !p.known_zero(*i)).collect();
        for w in members.windows(2) {
            let (a, b) = (root(&mut parent, w[0]), root(&mut parent, w[1]));
            parent[a.max(b)] = a.min(b);
        }
        for m in members {
            sums_of.entry(m).or_default().push(s);
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = std::collections::BTreeMap::new();
    for i in (0..n).filter(|i| hidden(*i) && sums_of.contains_key(i)) {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    groups
        .into_values()
        .filter(|g| g.iter().any(|i| touched.contains(i)))
        .flat_map(|g| Attacker::new(p, &g, &sums_of, hidden).breaches())
        .collect()
}

fn small(p: &Protector, i: usize) -> bool {
    let v = p.value[i];
    v > 0 && v < p.rule.threshold && !p.exempt.contains(&i)
}

/// The attacker's problem for one group: the group's hidden figures as integers, the published
/// figures beside them fixed at their values, and every sum they are in.
struct Attacker<'a> {
    p: &'a Protector,
    group: &'a [usize],
    /// The group's figures, then the published ones beside it.
    vars: Vec<usize>,
    pb: RowProblem,
    /// The same, continuous (the linear relaxation).
    lp: RowProblem,
    cols: Vec<highs::Col>,
}

impl<'a> Attacker<'a> {
    fn new(
        p: &'a Protector,
        group: &'a [usize],
        sums_of: &HashMap<usize, Vec<usize>>,
        hidden: &dyn Fn(usize) -> bool,
    ) -> Attacker<'a> {
        let sums: BTreeSet<usize> = group.iter().flat_map(|i| sums_of[i].iter().copied()).collect();
        let mut vars: Vec<usize> = group.to_vec();
        let mut col: HashMap<usize, usize> = group.iter().enumerate().map(|(c, i)| (*i, c)).collect();
        for s in &sums {
            let (total, parts) = &p.sums[*s];
            for i in parts.iter().chain([total]) {
                if !col.contains_key(i) {
                    col.insert(*i, vars.len());
                    vars.push(*i);
                }
            }
        }
        let build = |integer: bool| {
            let mut pb = RowProblem::default();
            let cols: Vec<_> = vars
                .iter()
                .map(|i| {
                    let v = p.value[*i] as f64;
                    let bounds = if hidden(*i) && !p.known_zero(*i) { v.min(0.0)..=BIG } else { v..=v };
                    pb.add_column_with_integrality(0.0, bounds, integer)
                })
                .collect();
            for s in &sums {
                let (total, parts) = &p.sums[*s];
                let mut row: std::collections::BTreeMap<usize, f64> = Default::default();
                for (i, coef) in parts.iter().map(|i| (*i, 1.0)).chain([(*total, -1.0)]) {
                    *row.entry(col[&i]).or_default() += coef;
                }
                pb.add_row(0.0..=0.0, row.into_iter().filter(|(_, c)| *c != 0.0).map(|(c, v)| (cols[c], v)));
            }
            (pb, cols)
        };
        let (pb, cols) = build(true);
        let (lp, _) = build(false);
        Attacker { p, group, vars, pb, lp, cols }
    }

    /// Solves with figure `c` bounded to `lo..=hi`: the solution if there is one.
    fn solve(&self, c: usize, lo: f64, hi: f64) -> Option<Vec<f64>> {
        let mut q = self.pb.clone();
        q.change_column_bounds(self.cols[c], lo..=hi);
        let solved = quiet(q.optimise(Sense::Minimise)).solve();
        (solved.status() == HighsModelStatus::Optimal).then(|| solved.get_solution().columns().to_vec())
    }

    /// The published figures whose bounds hold figure `c` down (`up`) or up, by the duals of the
    /// linear relaxation: as long as they stay published, the relaxation's bound stays.
    fn blockers(&self, c: usize, up: bool) -> Option<BTreeSet<usize>> {
        let mut q = self.lp.clone();
        q.change_column_cost(self.cols[c], 1.0);
        let solved = quiet(q.optimise(if up { Sense::Maximise } else { Sense::Minimise })).solve();
        if solved.status() != HighsModelStatus::Optimal {
            return None;
        }
        let sol = solved.get_solution();
        let value = sol.columns()[c];
        let t = self.p.rule.threshold as f64;
        // The relaxation must show the breach too, or its duals explain nothing.
        let breach = if up { value < t - 1e-6 } else { value > 1e-6 };
        if !breach {
            return None;
        }
        Some(
            sol.dual_columns()
                .iter()
                .enumerate()
                .filter(|(k, d)| *k >= self.group.len() && d.abs() > 1e-9)
                .map(|(k, _)| self.vars[k])
                .collect(),
        )
    }

    fn breaches(&self) -> Vec<Breach> {
        let p = self.p;
        let t = p.rule.threshold;
        // What solutions found so far show: (reaches the threshold, reaches 0).
        let mut seen = vec![(false, false); self.group.len()];
        let feasible = |c: usize, lo: f64, hi: f64, seen: &mut Vec<(bool, bool)>| -> bool {
            let Some(x) = self.solve(c, lo, hi) else { return false };
            for (k, s) in seen.iter_mut().enumerate() {
                let x = x[k].round() as i64;
                *s = (s.0 || x >= t, s.1 || x <= 0);
            }
            true
        };
        let mut out = Vec::new();
        for (c, i) in self.group.iter().enumerate() {
            let broken = small(p, *i)
                && !(seen[c].0
                    || seen[c].1
                    || feasible(c, t as f64, BIG, &mut seen)
                    || feasible(c, 0.0, 0.0, &mut seen));
            if broken {
                let blockers = match (self.blockers(c, true), self.blockers(c, false)) {
                    (Some(a), Some(b)) => a.union(&b).copied().collect(),
                    // The integers close what the relaxation leaves open: every published figure
                    // beside the group.
                    _ => self.vars[self.group.len()..].iter().copied().collect(),
                };
                out.push(Breach { cell: *i, blockers });
            }
        }
        out
    }
}
