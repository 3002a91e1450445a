//! Under the Cell Key Method a published 0 tells a reader that a count is at most threshold − 1,
//! a published count above 0 that it is at least 1, and every published count that it is within
//! its preimage in the (public) perturbation table. With the sums between figures these bounds
//! can pin a small count to 1..threshold−1. `consistent` finds such counts of the year being
//! published and publishes each as its other possible value (0 ↔ threshold) instead, or a larger
//! neighbour as another value of its support: first by propagating bounds through every sum, then
//! by asking HiGHS, per connected group of the year's sums, whether each small count can be 0 or
//! at least the threshold.

use super::ckm::PTable;
use super::{Protector, Status};
use highs::{HighsModelStatus, RowProblem, Sense};
use std::collections::{BTreeMap, HashMap, HashSet};

/// What an attacker who knows the perturbation table knows of a count published as `p`.
fn range(pt: &PTable, p: i64) -> (i64, i64) {
    if p == 0 {
        return (0, pt.threshold - 1);
    }
    if p >= pt.threshold + pt.max_deviation {
        return (p - pt.max_deviation, p + pt.max_deviation);
    }
    let pre = pt.preimage(p, p + pt.max_deviation);
    (pre.first().copied().unwrap_or(p), pre.last().copied().unwrap_or(p))
}

/// A figure never shown (the folded column, a figure in sums only) is unknown to a reader.
const UNKNOWN: i64 = 1 << 40;

/// A published 0 says "at most threshold − 1" and a published count above 0 says "at least 1";
/// together with the sums between figures they can pin a small count to 1..threshold−1: a part
/// published above 0 beside its total published 0, or a small count published 0 that sums of
/// large perturbed counts show to be at least 1 (participants during the year minus those enrolled
/// at its end). The bounds a reader can derive are propagated through every declared sum of every
/// year until they settle, and HiGHS checks the year's sums as integers; a small count of this
/// year that they narrow to 1..threshold−1 is published as its other possible value instead
/// (0 ↔ threshold), and where that cannot help, a larger count beside it in a sum as another value
/// of its own perturbation. What no move fixes is listed as unprotected. (The attacker in
/// tests/disclosure.rs solves the whole system.)
pub(super) fn consistent(p: &mut Protector, pt: &PTable, first_new: usize) {
    let mut left = Vec::new();
    for _ in 0..4 {
        left = flip_until_settled(p, pt, first_new);
        // Where flipping the small count itself cannot help, a neighbour in one of its sums is
        // published as another value its own perturbation could have given.
        if left.is_empty() || !left.iter().any(|x| move_neighbour(p, pt, first_new, *x)) {
            break;
        }
    }
    // Whatever is still narrowed is listed, as the solver's leftovers are under suppression.
    let names: Vec<String> = left.iter().map(|x| p.names[*x].clone()).collect();
    p.unprotected.extend(names);
}

fn narrowed_by(p: &Protector, t: i64, b: &[(i64, i64)], x: usize) -> bool {
    (1..t).contains(&p.value[x]) && p.status[x] == Some(Status::Published) && b[x].0 >= 1 && b[x].1 < t
}

/// Flips small counts (0 ↔ threshold) until no check narrows one, each a few times at most (a
/// later flip of a neighbour can make an earlier choice wrong again). Returns what is still
/// narrowed.
fn flip_until_settled(p: &mut Protector, pt: &PTable, first_new: usize) -> Vec<usize> {
    let t = pt.threshold;
    let mut flips: HashMap<usize, u32> = HashMap::new();
    for _ in 0..256 {
        let b = derived_bounds(p, pt);
        let open: HashSet<usize> = flips.iter().filter(|(_, n)| **n >= MAX_FLIPS).map(|(i, _)| *i).collect();
        // One at a time by propagation (cheap), then all the solver finds.
        let narrowed: Vec<usize> =
            (first_new..p.names.len()).filter(|x| !open.contains(x) && narrowed_by(p, t, &b, *x)).take(1).collect();
        let narrowed = if narrowed.is_empty() { solver_breaches(p, pt, first_new, &b, &open) } else { narrowed };
        if narrowed.is_empty() {
            break;
        }
        for x in narrowed {
            let now = p.perturbed[x].unwrap_or(p.value[x]);
            p.perturbed[x] = Some(if now == 0 { t } else { 0 });
            *flips.entry(x).or_default() += 1;
        }
    }
    let b = derived_bounds(p, pt);
    solver_breaches(p, pt, first_new, &b, &HashSet::new())
}

/// Publishes a larger count of this year that shares a sum with `x` as another value of its own
/// perturbation's support, the nearest that leaves `x` open. Whether it found one.
fn move_neighbour(p: &mut Protector, pt: &PTable, first_new: usize, x: usize) -> bool {
    let t = pt.threshold;
    let neighbours: Vec<usize> = p
        .sums
        .iter()
        .filter(|(total, parts)| *total == x || parts.contains(&x))
        .flat_map(|(total, parts)| std::iter::once(*total).chain(parts.iter().copied()))
        .filter(|y| *y != x && *y >= first_new && p.status[*y] == Some(Status::Published) && p.value[*y] >= t)
        .collect::<std::collections::BTreeSet<usize>>()
        .into_iter()
        .collect();
    for y in neighbours {
        let now = p.perturbed[y].unwrap_or(p.value[y]);
        let n = p.value[y];
        let mut options: Vec<i64> =
            pt.distribution(n).iter().map(|(e, _)| n + e).filter(|v| *v != now && *v >= t).collect();
        options.sort_by_key(|v| ((v - now).abs(), *v));
        for v in options {
            p.perturbed[y] = Some(v);
            let b = derived_bounds(p, pt);
            let open: HashSet<usize> = HashSet::new();
            if !narrowed_by(p, t, &b, x) && !solver_breaches(p, pt, first_new, &b, &open).contains(&x) {
                return true;
            }
        }
        p.perturbed[y] = Some(now);
    }
    false
}

/// How often a count may be flipped before it is left (and listed as unprotected).
const MAX_FLIPS: u32 = 3;

/// The interval a reader can derive for every quantity: its published value's preimage (unknown
/// if never shown), tightened through every sum until nothing changes.
fn derived_bounds(p: &Protector, pt: &PTable) -> Vec<(i64, i64)> {
    let mut b: Vec<(i64, i64)> = (0..p.names.len())
        .map(|i| match p.status[i] {
            Some(Status::Published) => range(pt, p.perturbed[i].unwrap_or(p.value[i])),
            _ => (0, UNKNOWN),
        })
        .collect();
    for _ in 0..50 {
        let mut changed = false;
        for (total, parts) in &p.sums {
            let members: Vec<usize> = std::iter::once(*total).chain(parts.iter().copied()).collect();
            let lo_parts: i64 = parts.iter().map(|i| b[*i].0).sum();
            let hi_parts: i64 = parts.iter().map(|i| b[*i].1.min(UNKNOWN)).sum();
            for (j, &x) in members.iter().enumerate() {
                let (lo, hi) = if j == 0 {
                    (lo_parts, hi_parts)
                } else {
                    (b[*total].0 - (hi_parts - b[x].1.min(UNKNOWN)), b[*total].1 - (lo_parts - b[x].0))
                };
                let new = (b[x].0.max(lo), b[x].1.min(hi));
                if new != b[x] && new.0 <= new.1 {
                    b[x] = new;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    b
}

/// The small counts of this year that integer reasoning pins to 1..threshold−1: every sum with a
/// figure of this year, its figures as integers within the bounds `b` a reader can derive.
fn solver_breaches(
    p: &Protector,
    pt: &PTable,
    first_new: usize,
    b: &[(i64, i64)],
    open: &HashSet<usize>,
) -> Vec<usize> {
    let t = pt.threshold;
    let sums: Vec<usize> = (0..p.sums.len())
        .filter(|s| {
            let (total, parts) = &p.sums[*s];
            std::iter::once(total).chain(parts).any(|i| *i >= first_new)
        })
        .collect();
    // Connected groups of the year's sums.
    let mut parent: Vec<usize> = (0..p.names.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for s in &sums {
        let (total, parts) = &p.sums[*s];
        for i in parts {
            let (a, c) = (root(&mut parent, *i), root(&mut parent, *total));
            parent[a.max(c)] = a.min(c);
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for s in sums {
        let r = root(&mut parent, p.sums[s].0);
        groups.entry(r).or_default().push(s);
    }
    let candidate = |i: usize| {
        i >= first_new && !open.contains(&i) && (1..t).contains(&p.value[i]) && p.status[i] == Some(Status::Published)
    };
    let mut out = Vec::new();
    for group in groups.values() {
        let mut col: BTreeMap<usize, usize> = BTreeMap::new();
        for s in group {
            let (total, parts) = &p.sums[*s];
            for i in std::iter::once(total).chain(parts) {
                let next = col.len();
                col.entry(*i).or_insert(next);
            }
        }
        let vars: Vec<usize> = {
            let mut v = vec![0; col.len()];
            col.iter().for_each(|(i, c)| v[*c] = *i);
            v
        };
        if !vars.iter().any(|i| candidate(*i)) {
            continue;
        }
        let mut pb = RowProblem::default();
        let cols: Vec<highs::Col> =
            vars.iter().map(|i| pb.add_integer_column(0.0, b[*i].0 as f64..=b[*i].1 as f64)).collect();
        for s in group {
            let (total, parts) = &p.sums[*s];
            let mut row: BTreeMap<usize, f64> = BTreeMap::new();
            for (i, coef) in parts.iter().map(|i| (*i, 1.0)).chain([(*total, -1.0)]) {
                *row.entry(col[&i]).or_default() += coef;
            }
            pb.add_row(0.0..=0.0, row.into_iter().filter(|(_, c)| *c != 0.0).map(|(c, v)| (cols[c], v)));
        }
        // What solutions found so far show: (reaches the threshold, reaches 0).
        let mut seen = vec![(false, false); vars.len()];
        let feasible = |c: usize, lo: f64, hi: f64, seen: &mut Vec<(bool, bool)>| -> bool {
            if lo > hi {
                return false;
            }
            let mut q = pb.clone();
            q.change_column_bounds(cols[c], lo..=hi);
            let mut m = q.optimise(Sense::Minimise);
            m.make_quiet();
            m.set_option("threads", 1);
            m.set_option("random_seed", 0);
            m.set_option("time_limit", 20.0);
            let solved = m.solve();
            if solved.status() != HighsModelStatus::Optimal {
                return false;
            }
            for (k, x) in solved.get_solution().columns().iter().enumerate() {
                let x = x.round() as i64;
                seen[k] = (seen[k].0 || x >= t, seen[k].1 || x <= 0);
            }
            true
        };
        for (c, i) in vars.iter().enumerate() {
            if !candidate(*i) || seen[c].0 || seen[c].1 {
                continue;
            }
            let hi = b[*i].1 as f64;
            if !(feasible(c, 0.0, 0.0, &mut seen) || feasible(c, t as f64, hi, &mut seen)) {
                out.push(*i);
            }
        }
    }
    out
}
