//! Small-number protection of report tables (see docs/PRIVACY.md).
//!
//! Every figure a table shows rests on *quantities*: counts with a canonical tag such as
//! `c:avslut::avslutsorsak.studier@2023:kvinna` (tallies of a kind, in a scope, with a value, in a
//! year, for a gender). The same tag in two tables is the same number, so a figure hidden in one
//! table is hidden in all. Tables also declare *sums* (a total and the parts it is the sum of).
//!
//! - **Primary suppression**: a quantity above 0 and below the threshold is hidden ("<3").
//! - **Secondary suppression**: further quantities are hidden until no hidden one can be worked
//!   out from the published ones: no sum has exactly one hidden member, a published total never
//!   pins a hidden small part to its lowest possible value, and no hidden quantity is determined by
//!   the whole system of sums (checked by Gaussian elimination).
//! - Shares and means are shown only when everything they are computed from is shown and their
//!   denominator is at least the threshold.
//!
//! Years are protected oldest first. A year's decisions are final: a later year never hides or
//! reveals an earlier year's figure, so every report shows each figure the same way and reading
//! several reports side by side reveals nothing one report hides.

use super::tables::{Hidden, Table, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

/// How much dearer hiding a gender's figure is than hiding a total over all genders.
const GENDER_WEIGHT: i64 = 4;

/// The default threshold: counts 1 and 2 are hidden.
pub const DEFAULT_THRESHOLD: i64 = 3;

/// How a report is protected: counts below `threshold` are shown as `form` ("<3").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub threshold: i64,
    pub form: String,
}

impl Default for Rule {
    fn default() -> Rule {
        Rule::new(DEFAULT_THRESHOLD, None)
    }
}

impl Rule {
    /// A rule with the default form "<N" unless another is configured.
    pub fn new(threshold: i64, form: Option<&str>) -> Rule {
        let threshold = threshold.max(1);
        Rule {
            threshold,
            form: form.map(str::trim).filter(|f| !f.is_empty()).map(String::from).unwrap_or(format!("<{threshold}")),
        }
    }
}

/// A quantity a figure rests on: its canonical tag and its true value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Q {
    pub tag: String,
    pub n: i64,
}

impl Q {
    pub fn new(base: &str, period: impl std::fmt::Display, gender: Option<&str>, n: i64) -> Q {
        Q { tag: format!("{base}@{period}:{}", gender.unwrap_or("*")), n }
    }
}

/// What a table cell shows, in terms of quantities.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Basis {
    /// Text, kronor, or a figure about no person.
    #[default]
    None,
    Count(Q),
    /// A count with its share of `den`.
    CountShare(Q, Q),
    Share {
        num: Q,
        den: Q,
    },
    /// A mean or another figure computed from `deps`, over `den`. `id` names it, so a later year's
    /// report shows it exactly when its own year's report did.
    Derived {
        id: Option<String>,
        den: Option<Q>,
        deps: Vec<Q>,
    },
}

/// `total` = Σ `parts`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sum {
    pub total: Q,
    pub parts: Vec<Q>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Published,
    /// Below the threshold.
    Primary,
    /// Hidden so that a primary one cannot be worked out.
    Secondary,
}

impl Status {
    pub fn hidden(self) -> bool {
        self != Status::Published
    }
}

/// The protection state across a chain of years.
#[derive(Debug, Default)]
pub struct Protector {
    rule: Rule,
    status: HashMap<String, Status>,
    value: HashMap<String, i64>,
    /// Sums as indices into `names`.
    sums: Vec<(usize, Vec<usize>)>,
    sum_keys: HashSet<(usize, Vec<usize>)>,
    names: Vec<String>,
    index: HashMap<String, usize>,
    /// Derived figures by id: shown or not in their own year.
    derived: HashMap<String, bool>,
    /// How many sums each quantity is the total of (the cost of hiding it).
    totals: HashMap<usize, i64>,
}

impl Protector {
    pub fn new(rule: Rule) -> Protector {
        Protector { rule, ..Default::default() }
    }

    pub fn rule(&self) -> &Rule {
        &self.rule
    }

    pub fn status(&self, tag: &str) -> Option<Status> {
        self.status.get(tag).copied()
    }

    fn id(&mut self, q: &Q) -> usize {
        if let Some(i) = self.index.get(&q.tag) {
            return *i;
        }
        let i = self.names.len();
        self.names.push(q.tag.clone());
        self.index.insert(q.tag.clone(), i);
        i
    }

    /// Decides every quantity the tables show that no earlier year decided, then rewrites the
    /// tables' cells: hidden counts as `Hidden`, shares and means over hidden or small counts too.
    pub fn protect(&mut self, tables: &mut [Table]) {
        let t = self.rule.threshold;
        let mut free: Vec<usize> = Vec::new();
        let mut register = |p: &mut Protector, q: &Q| {
            let i = p.id(q);
            if !p.status.contains_key(&q.tag) {
                p.value.insert(q.tag.clone(), q.n);
                let s = if q.n > 0 && q.n < t { Status::Primary } else { Status::Published };
                p.status.insert(q.tag.clone(), s);
                free.push(i);
            }
        };
        let mut new_sums: Vec<Sum> = Vec::new();
        for table in tables.iter() {
            for row in &table.rows {
                for b in &row.basis {
                    for q in quantities(b) {
                        register(self, q);
                    }
                }
            }
            for s in &table.sums {
                register(self, &s.total);
                for q in &s.parts {
                    register(self, q);
                }
                new_sums.push(s.clone());
            }
        }
        new_sums.extend(self.gender_sums(&free));
        for s in new_sums {
            // A sum is declared only where it holds, so it is a fact an attacker could know.
            if s.parts.iter().map(|q| self.value[&q.tag]).sum::<i64>() != self.value[&s.total.tag] {
                tracing::warn!(total = %s.total.tag, "declared sum does not add up; left out");
                continue;
            }
            let total = self.id(&s.total);
            let mut parts: Vec<usize> = s.parts.iter().map(|q| self.id(q)).collect();
            parts.sort_unstable();
            parts.dedup();
            if parts.len() < 2 && parts.first() == Some(&total) {
                continue;
            }
            if self.sum_keys.insert((total, parts.clone())) {
                self.sums.push((total, parts));
            }
        }
        let free: HashSet<usize> = free.into_iter().collect();
        self.small_columns(&free);
        self.secondary(&free);
        for table in tables.iter_mut() {
            self.apply(table);
        }
    }

    /// Σ over genders = the total, for every quantity with a total and all gender columns.
    fn gender_sums(&self, new: &[usize]) -> Vec<Sum> {
        let mut by_base: BTreeMap<&str, (Option<Q>, Vec<Q>)> = BTreeMap::new();
        for i in new {
            let tag = &self.names[*i];
            let Some((base, gender)) = tag.rsplit_once(':') else { continue };
            let q = Q { tag: tag.clone(), n: self.value[tag] };
            let e = by_base.entry(base).or_default();
            if gender == "*" { e.0 = Some(q) } else { e.1.push(q) }
        }
        by_base
            .into_values()
            .filter_map(|(total, parts)| total.filter(|_| parts.len() >= 2).map(|total| Sum { total, parts }))
            .collect()
    }

    /// A gender column that holds only a few people (e.g. "ej angivet") would drag a second
    /// column into hiding in every row it has a small count in. Instead, where such a column has
    /// small counts, the column and the total beside it are hidden together: kvinnor and män stay
    /// published, and no row total can give the small column away.
    fn small_columns(&mut self, free: &HashSet<usize>) {
        // (gender, period) → (counts above 0, small counts)
        let mut columns: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
        for i in free {
            let tag = &self.names[*i];
            let Some((base, gender)) = tag.rsplit_once(':') else { continue };
            let Some((_, period)) = base.rsplit_once('@') else { continue };
            if gender == "*" {
                continue;
            }
            let e = columns.entry((gender.to_string(), period.to_string())).or_insert((0, 0));
            e.0 += usize::from(self.value[tag] > 0);
            e.1 += usize::from(self.status[tag] == Status::Primary);
        }
        let small: HashSet<(String, String)> =
            // Mostly small: at least half of the column's counts above 0.
            columns.into_iter().filter(|(_, (positive, small))| *small > 0 && 2 * small >= *positive).map(|(k, _)| k).collect();
        if small.is_empty() {
            return;
        }
        let mut hide = Vec::new();
        for i in free {
            let tag = &self.names[*i];
            let Some((base, gender)) = tag.rsplit_once(':') else { continue };
            let Some((_, period)) = base.rsplit_once('@') else { continue };
            if gender == "*" || !small.contains(&(gender.to_string(), period.to_string())) {
                continue;
            }
            hide.push(*i);
            if let Some(total) = self.index.get(&format!("{base}:*")).filter(|j| free.contains(j)) {
                hide.push(*total);
            }
        }
        for i in hide {
            if !self.hidden(i) {
                self.hide(i);
            }
        }
    }

    fn hidden(&self, i: usize) -> bool {
        self.status[&self.names[i]].hidden()
    }

    fn hide(&mut self, i: usize) {
        self.status.insert(self.names[i].clone(), Status::Secondary);
    }

    /// The free published member to hide next: the cheapest above 0, else the cheapest.
    ///
    /// A figure costs its value times one more than the number of sums it is the total of, so a
    /// detail is hidden before a total that many tables rest on.
    fn pick(&self, members: &[usize], free: &HashSet<usize>, positive_only: bool) -> Option<usize> {
        members
            .iter()
            .copied()
            .filter(|i| free.contains(i) && !self.hidden(*i))
            .filter(|i| !positive_only || self.value[&self.names[*i]] > 0)
            .min_by_key(|i| {
                let n = self.value[&self.names[*i]];
                let totals = self.totals.get(i).copied().unwrap_or(0);
                // The split by gender is what the report is for: a total over all genders is
                // hidden before a gender's figure.
                let split = if self.names[*i].ends_with(":*") { 1 } else { GENDER_WEIGHT };
                (n <= 0, n.saturating_mul(1 + totals).saturating_mul(split), *i)
            })
    }

    fn secondary(&mut self, free: &HashSet<usize>) {
        self.totals.clear();
        for (t, _) in &self.sums {
            *self.totals.entry(*t).or_insert(0) += 1;
        }
        loop {
            let mut changed = false;
            for s in 0..self.sums.len() {
                let (total, parts) = self.sums[s].clone();
                let mut members = parts.clone();
                members.push(total);
                let hidden = members.iter().filter(|i| self.hidden(**i)).count();
                if hidden == 1 {
                    if let Some(i) = self.pick(&members, free, false) {
                        self.hide(i);
                        changed = true;
                    }
                    continue;
                }
                // A published total: the hidden parts add up to `rest`. With k of them at least 1
                // (the small ones), each small one is at most rest − (k − 1); that must leave room
                // for at least two values, or the small ones are pinned to 1. With no small one,
                // a rest of 0 would give every hidden part away as 0.
                if hidden >= 2 && !self.hidden(total) {
                    let v = |i: &usize| self.value[&self.names[*i]];
                    let rest = v(&total) - parts.iter().filter(|i| !self.hidden(**i)).map(v).sum::<i64>();
                    let small =
                        parts.iter().filter(|i| self.status[&self.names[**i]] == Status::Primary).count() as i64;
                    if rest < small + 1 && parts.iter().any(|i| self.hidden(*i)) {
                        match self.pick(&parts, free, true).or_else(|| free.contains(&total).then_some(total)) {
                            Some(i) => {
                                self.hide(i);
                                changed = true;
                            }
                            None => tracing::warn!(total = %self.names[total], "a small count could not be protected"),
                        }
                    }
                }
            }
            if changed {
                continue;
            }
            // No single sum gives anything away; now the system as a whole.
            let determined = self.determined();
            for x in determined {
                // The cheapest figure in any sum the determined one is in.
                let members: Vec<usize> = self
                    .sums
                    .iter()
                    .filter(|(t, p)| *t == x || p.contains(&x))
                    .flat_map(|(t, p)| p.iter().copied().chain([*t]))
                    .collect();
                let choice = self.pick(&members, free, false);
                match choice {
                    Some(i) => {
                        self.hide(i);
                        changed = true;
                    }
                    None => tracing::warn!(cell = %self.names[x], "a hidden count could not be protected"),
                }
            }
            if !changed {
                return;
            }
        }
    }

    /// Hidden quantities whose value follows from the published ones through the sums.
    fn determined(&self) -> Vec<usize> {
        let hidden: Vec<usize> = (0..self.names.len()).filter(|i| self.hidden(*i)).collect();
        let col: HashMap<usize, usize> = hidden.iter().enumerate().map(|(c, i)| (*i, c)).collect();
        let mut rows: Vec<Vec<f64>> = Vec::new();
        for (total, parts) in &self.sums {
            let mut row = vec![0.0; hidden.len()];
            let mut any = false;
            for (i, coef) in parts.iter().map(|p| (*p, 1.0)).chain([(*total, -1.0)]) {
                if let Some(c) = col.get(&i) {
                    row[*c] += coef;
                    any = true;
                }
            }
            if any {
                rows.push(row);
            }
        }
        determined_columns(rows, hidden.len()).into_iter().map(|c| hidden[c]).collect()
    }

    /// Rewrites a table's cells by the statuses and records its derived figures' fate.
    fn apply(&mut self, table: &mut Table) {
        let t = self.rule.threshold;
        let mut derived = std::mem::take(&mut self.derived);
        for row in &mut table.rows {
            for (cell, basis) in row.cells.iter_mut().zip(&row.basis) {
                let st = |q: &Q| self.status.get(&q.tag).copied().unwrap_or(Status::Published);
                let hidden = |q: &Q| st(q).hidden();
                let small_or_hidden = |q: &Q| hidden(q) || q.n < t;
                let count_hidden = |q: &Q| match st(q) {
                    Status::Published => None,
                    Status::Primary => Some(Hidden::Small(self.rule.form.clone())),
                    Status::Secondary => Some(Hidden::Other),
                };
                match basis {
                    Basis::None => {}
                    Basis::Count(q) => {
                        if let Some(h) = count_hidden(q) {
                            *cell = Value::Hidden(h);
                        }
                    }
                    Basis::CountShare(q, den) => {
                        if let Some(h) = count_hidden(q) {
                            *cell = Value::Hidden(h);
                        } else if small_or_hidden(den)
                            && let Value::CountShare(_, s) = cell
                        {
                            *s = None;
                        }
                    }
                    Basis::Share { num, den } => {
                        if hidden(num) || small_or_hidden(den) {
                            *cell = Value::Hidden(Hidden::Other);
                        }
                    }
                    Basis::Derived { id, den, deps } => {
                        let own = !deps.iter().any(hidden) && !den.as_ref().is_some_and(small_or_hidden);
                        let shown = match id {
                            Some(id) => *derived.entry(id.clone()).or_insert(own) && own,
                            None => own,
                        };
                        if !shown {
                            *cell = Value::Hidden(Hidden::Other);
                        }
                    }
                }
            }
        }
        self.derived = derived;
        table.protected = true;
    }

    /// Every quantity the protector knows with its value and status, for tests and audits.
    pub fn quantities(&self) -> Vec<(String, i64, Status)> {
        self.names.iter().map(|n| (n.clone(), self.value[n], self.status[n])).collect()
    }

    /// Every sum the protector knows: (total tag, part tags).
    pub fn sums(&self) -> Vec<(String, Vec<String>)> {
        self.sums
            .iter()
            .map(|(t, p)| (self.names[*t].clone(), p.iter().map(|i| self.names[*i].clone()).collect()))
            .collect()
    }
}

fn quantities(b: &Basis) -> Vec<&Q> {
    match b {
        Basis::None => vec![],
        Basis::Count(q) => vec![q],
        Basis::CountShare(q, d) => vec![q, d],
        Basis::Share { num, den } => vec![num, den],
        Basis::Derived { den, deps, .. } => den.iter().chain(deps).collect(),
    }
}

/// Columns `c` of the linear system `rows · x = b` whose unknown `x_c` is fixed by it: those whose
/// unit vector lies in the row space, i.e. a row of the reduced row echelon form with a single
/// non-zero entry.
pub fn determined_columns(mut rows: Vec<Vec<f64>>, n: usize) -> Vec<usize> {
    const EPS: f64 = 1e-9;
    let mut pivot_row = 0;
    for c in 0..n {
        let Some(p) = (pivot_row..rows.len()).find(|r| rows[*r][c].abs() > EPS) else { continue };
        rows.swap(pivot_row, p);
        let lead = rows[pivot_row][c];
        for v in rows[pivot_row].iter_mut() {
            *v /= lead;
        }
        let pivot = rows[pivot_row].clone();
        for (r, row) in rows.iter_mut().enumerate() {
            if r != pivot_row && row[c].abs() > EPS {
                let f = row[c];
                for (v, p) in row.iter_mut().zip(&pivot) {
                    *v -= f * p;
                }
            }
        }
        pivot_row += 1;
        if pivot_row == rows.len() {
            break;
        }
    }
    rows.iter()
        .filter_map(|row| {
            let mut nz = row.iter().enumerate().filter(|(_, v)| v.abs() > EPS);
            match (nz.next(), nz.next()) {
                (Some((c, _)), None) => Some(c),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tables::{Column, Measure, TableRow};

    fn q(tag: &str, n: i64) -> Q {
        Q { tag: tag.into(), n }
    }

    /// A gender × municipality table with row and column totals.
    fn table(cells: [[i64; 2]; 2]) -> Table {
        let g = ["k", "m"];
        let mut rows = Vec::new();
        let mut sums = Vec::new();
        for (r, name) in ["a", "b"].iter().enumerate() {
            let parts: Vec<Q> = (0..2).map(|c| q(&format!("{name}:{}", g[c]), cells[r][c])).collect();
            let total = q(&format!("{name}:*"), cells[r][0] + cells[r][1]);
            let mut basis: Vec<Basis> = parts.iter().cloned().map(Basis::Count).collect();
            basis.push(Basis::Count(total.clone()));
            rows.push(TableRow {
                label: name.to_string(),
                cells: basis
                    .iter()
                    .map(|b| if let Basis::Count(q) = b { Value::Count(q.n) } else { unreachable!() })
                    .collect(),
                basis,
                emphasis: false,
                problem: false,
            });
        }
        for c in 0..2 {
            sums.push(Sum {
                total: q(&format!("t:{}", g[c]), cells[0][c] + cells[1][c]),
                parts: vec![q(&format!("a:{}", g[c]), cells[0][c]), q(&format!("b:{}", g[c]), cells[1][c])],
            });
        }
        let all = cells.iter().flatten().sum();
        sums.push(Sum {
            total: q("t:*", all),
            parts: vec![q("a:*", cells[0][0] + cells[0][1]), q("b:*", cells[1][0] + cells[1][1])],
        });
        Table {
            key: "t".into(),
            title: "t".into(),
            note: None,
            row_heading: String::new(),
            columns: vec![Column { group: "x".into(), year: None, measure: Measure::Count }; 3],
            rows,
            sums,
            protected: false,
        }
    }

    fn shown(t: &Table) -> Vec<Vec<String>> {
        t.rows.iter().map(|r| r.cells.iter().map(|c| c.display()).collect()).collect()
    }

    #[test]
    fn a_lone_small_cell_takes_a_partner_in_its_row_and_column() {
        let mut t = [table([[1, 20], [30, 40]])];
        Protector::new(Rule::default()).protect(&mut t);
        let s = shown(&t[0]);
        assert_eq!(s[0][0], "<3");
        // Its row total and its column total are published, so a second cell hides in each.
        assert!(s[0].iter().filter(|c| c.starts_with('<') || *c == "..").count() >= 2, "{s:?}");
        assert!(s.iter().filter(|r| r[0] == "<3" || r[0] == "..").count() >= 2, "{s:?}");
    }

    #[test]
    fn nothing_small_nothing_hidden() {
        let mut t = [table([[5, 20], [30, 0]])];
        Protector::new(Rule::default()).protect(&mut t);
        assert!(shown(&t[0]).iter().flatten().all(|c| !c.contains('<') && c != ".."));
    }

    #[test]
    fn threshold_and_form_are_configurable() {
        let mut t = [table([[4, 20], [30, 40]])];
        Protector::new(Rule::new(5, Some("färre än 5"))).protect(&mut t);
        assert_eq!(shown(&t[0])[0][0], "färre än 5");
        assert_eq!(Rule::new(5, None).form, "<5");
    }

    #[test]
    fn the_system_check_finds_what_single_sums_miss() {
        // x + y = 5, x - z = 1 and y + z = 4 fix nothing alone but the first two with the third do not
        // fix x either; x + y = 5 and x = 2 (second row) does.
        let d = determined_columns(vec![vec![1.0, 1.0, 0.0], vec![1.0, 0.0, 0.0]], 3);
        assert_eq!(d.len(), 2);
        let d = determined_columns(vec![vec![1.0, 1.0, 0.0], vec![0.0, 1.0, 1.0]], 3);
        assert!(d.is_empty());
    }
}
