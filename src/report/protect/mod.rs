//! Small-number protection of report tables (see docs/PRIVACY.md).
//!
//! Every figure a table shows rests on *quantities*: counts with a canonical tag such as
//! `c:avslut::avslutsorsak.studier@2023:kvinna` (tallies of a kind, in a scope, with a value, in a
//! year, for a gender). The same tag in two tables is the same number, so a figure hidden in one
//! table is hidden in all. Tables also declare *sums* (a total and the parts it is the sum of).
//!
//! - **Primary suppression**: a quantity above 0 and below the threshold is hidden.
//! - **Secondary suppression** (`solve`): the further quantities to hide are chosen by a mixed
//!   integer program that minimises the information lost (`cost`) subject to protection: an
//!   attacker who solves the whole published system over the integers must not be able to narrow
//!   any hidden small count to within 1..threshold−1, nor pin any hidden count to one value.
//! - The column of tallies with another or no stated gender is folded into the totals (never
//!   shown on its own), so it can never hide a total.
//! - Shares and means are shown only when everything they are computed from is shown and their
//!   denominator is at least the threshold (`apply`).
//!
//! Years are protected oldest first. A year's decisions are final: a later year never hides or
//! reveals an earlier year's figure, so every report shows each figure the same way and reading
//! several reports side by side reveals nothing one report hides.

mod apply;
mod bounds;
pub mod ckm;
mod cost;
mod linear;
pub mod perturb;
mod solve;

pub use linear::determined_columns;

use super::tables::Table;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The default threshold: counts 1 and 2 are hidden.
pub const DEFAULT_THRESHOLD: i64 = 3;

/// The one symbol every hidden figure is shown as, unless another is configured.
pub const DEFAULT_FORM: &str = "..";

/// The gender key of the folded column: tallies with another or no stated gender.
pub const FOLDED_GENDER: &str = super::UNSTATED_GENDER;

/// How a report is protected.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Counts 1..threshold−1 are small.
    pub threshold: i64,
    /// The one symbol for every hidden figure.
    pub form: String,
    pub method: Method,
    /// Gender keys whose tallies are counted in the folded column: their own columns (all zero
    /// once folded) are never shown either.
    pub folded_genders: Vec<String>,
}

/// How small counts are kept from readers.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    /// Hide small counts and what would give them away.
    Suppression,
    /// Publish every count perturbed by its cell key (`ckm`).
    CellKey(ckm::PTable),
}

/// The cell keys of quantities: the sum of the record keys of the tallies each counts, by tag.
pub type Keys = HashMap<String, i64>;

impl Default for Rule {
    fn default() -> Rule {
        Rule::new(DEFAULT_THRESHOLD, None)
    }
}

impl Rule {
    /// A suppression rule with the default symbol ".." unless another is configured.
    pub fn new(threshold: i64, form: Option<&str>) -> Rule {
        let threshold = threshold.max(1);
        Rule {
            threshold,
            form: form.map(str::trim).filter(|f| !f.is_empty()).unwrap_or(DEFAULT_FORM).to_string(),
            method: Method::Suppression,
            folded_genders: Vec::new(),
        }
    }

    /// A Cell Key Method rule: counts perturbed by at most `max_deviation`, none published below
    /// the threshold but 0.
    pub fn cell_key(threshold: i64, max_deviation: i64, variance: f64) -> Rule {
        let threshold = threshold.max(1);
        Rule {
            method: Method::CellKey(ckm::PTable::new(threshold, max_deviation, variance)),
            ..Rule::new(threshold, None)
        }
    }

    /// What a reader must know to read the published figures, in Swedish (`long`: with how
    /// totals and shares are made).
    pub fn describe(&self, long: bool) -> String {
        match (&self.method, long) {
            (Method::Suppression, true) => format!(
                "{1} betyder att uppgiften inte visas – ett antal under {0}, eller en uppgift som skulle låta ett sådant räknas fram. Andelar är avrundade till hela procent.",
                self.threshold, self.form
            ),
            (Method::Suppression, false) => {
                format!("{1} betyder dold uppgift (små antal under {0} visas inte).", self.threshold, self.form)
            }
            (Method::CellKey(p), true) => format!(
                "Alla antal är störda med högst {0} (cellnyckelmetoden): samma antal får alltid samma störning, och inget antal visas som 1{1}. Summor är störda för sig och stämmer därför inte alltid med sina delar. Andelar, medelvärden och mål är räknade på de störda antalen; andelar är avrundade till hela procent.",
                p.max_deviation,
                if self.threshold > 2 { format!("–{}", self.threshold - 1) } else { String::new() }
            ),
            (Method::CellKey(p), false) => {
                format!("Antalen är störda med högst {} (cellnyckelmetoden).", p.max_deviation)
            }
        }
    }

    /// The largest change of a published count (0 under suppression).
    pub fn max_deviation(&self) -> i64 {
        match &self.method {
            Method::Suppression => 0,
            Method::CellKey(p) => p.max_deviation,
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
        /// For a mean of `deps` weighted by these (a score, months), in the same order: the Cell
        /// Key Method computes it from the published counts (NaN: not in the mean).
        weights: Vec<f64>,
    },
}

impl Basis {
    /// The quantities the figure is computed from.
    pub fn quantities(&self) -> Vec<&Q> {
        match self {
            Basis::None => vec![],
            Basis::Count(q) => vec![q],
            Basis::CountShare(q, d) => vec![q, d],
            Basis::Share { num, den } => vec![num, den],
            Basis::Derived { den, deps, .. } => den.iter().chain(deps).collect(),
        }
    }
}

/// `total` = Σ `parts`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sum {
    pub total: Q,
    pub parts: Vec<Q>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Published,
    /// Below the threshold.
    Primary,
    /// Hidden so that a small one cannot be worked out.
    Secondary,
    /// Never shown as a figure of its own: in sums only, or in the folded gender column.
    Unpublished,
}

impl Status {
    pub fn hidden(self) -> bool {
        self != Status::Published
    }
}

/// The gender a tag is for (`*` for all), and its base without year and gender.
fn split_tag(tag: &str) -> (&str, &str) {
    let (rest, gender) = tag.rsplit_once(':').unwrap_or((tag, "*"));
    (rest.rsplit_once('@').map(|(b, _)| b).unwrap_or(rest), gender)
}

impl Rule {
    /// Whether a quantity is of the folded gender column (or a gender folded into it).
    pub(crate) fn folded(&self, tag: &str) -> bool {
        let g = split_tag(tag).1;
        g == FOLDED_GENDER || self.folded_genders.iter().any(|f| f == g)
    }
}

/// The protection state across a chain of years.
#[derive(Debug, Default, Clone)]
pub struct Protector {
    rule: Rule,
    names: Vec<String>,
    index: HashMap<String, usize>,
    value: Vec<i64>,
    /// Decided quantities (every registered one after `protect`).
    status: Vec<Option<Status>>,
    /// Sums as indices into `names`.
    sums: Vec<(usize, Vec<usize>)>,
    sum_keys: HashSet<(usize, Vec<usize>)>,
    /// Derived figures by id: shown or not in their own year.
    derived: HashMap<String, bool>,
    /// Hidden small counts an attacker may know exactly: the folded column's kind totals.
    exempt: HashSet<usize>,
    /// The Cell Key Method: each quantity's published value, decided once.
    perturbed: Vec<Option<i64>>,
    /// The Cell Key Method: derived figures (means) by id, as published in their own year.
    derived_values: HashMap<String, Option<f64>>,
    /// Quantities with no cell key (should be none: every quantity counts tallies or events).
    pub keyless: Vec<String>,
    /// Published quantities the solver could not keep from pinning or narrowing a hidden one.
    pub unprotected: Vec<String>,
}

impl Protector {
    pub fn new(rule: Rule) -> Protector {
        Protector { rule, ..Default::default() }
    }

    pub fn rule(&self) -> &Rule {
        &self.rule
    }

    pub fn status(&self, tag: &str) -> Option<Status> {
        self.index.get(tag).and_then(|i| self.status[*i])
    }

    fn id(&mut self, q: &Q) -> usize {
        if let Some(i) = self.index.get(&q.tag) {
            return *i;
        }
        let i = self.names.len();
        self.names.push(q.tag.clone());
        self.index.insert(q.tag.clone(), i);
        self.value.push(q.n);
        self.status.push(None);
        self.perturbed.push(None);
        i
    }

    /// The published value of a quantity under the Cell Key Method (its true value otherwise).
    pub fn published(&self, q: &Q) -> i64 {
        self.index.get(&q.tag).and_then(|i| self.perturbed[*i]).unwrap_or(q.n)
    }

    /// Decides every quantity the tables show that no earlier year decided, then rewrites the
    /// tables' cells: hidden counts by the one symbol, shares and means over hidden or small
    /// counts too, and the folded gender column left out.
    pub fn protect(&mut self, tables: &mut [Table], keys: &Keys) {
        if let Method::CellKey(pt) = &self.rule.method {
            let pt = pt.clone();
            return perturb::protect(self, &pt, tables, keys);
        }
        let t = self.rule.threshold;
        let first_new = self.names.len();
        let mut shown: HashSet<usize> = HashSet::new();
        let mut new_sums: Vec<Sum> = Vec::new();
        for table in tables.iter() {
            for row in &table.rows {
                for q in row.basis.iter().flat_map(Basis::quantities) {
                    let i = self.id(q);
                    shown.insert(i);
                }
            }
            for s in &table.sums {
                for q in s.parts.iter().chain([&s.total]) {
                    self.id(q);
                }
                new_sums.push(s.clone());
            }
        }
        new_sums.extend(self.gender_sums(first_new));
        let mut touched: HashSet<usize> = (first_new..self.names.len()).collect();
        for s in new_sums {
            // A sum is declared only where it holds, so it is a fact an attacker could know.
            let value = |q: &Q| self.value[self.index[&q.tag]];
            if s.parts.iter().map(value).sum::<i64>() != value(&s.total) {
                tracing::warn!(total = %s.total.tag, "declared sum does not add up; left out");
                continue;
            }
            let total = self.index[&s.total.tag];
            let mut parts: Vec<usize> = s.parts.iter().map(|q| self.index[&q.tag]).collect();
            parts.sort_unstable();
            parts.dedup();
            if parts.len() < 2 && parts.first() == Some(&total) {
                continue;
            }
            if self.sum_keys.insert((total, parts.clone())) {
                touched.insert(total);
                touched.extend(parts.iter().copied());
                self.sums.push((total, parts));
            }
        }
        let headline = cost::headline(tables);
        let mut free = Vec::new();
        for i in first_new..self.names.len() {
            let (base, _) = split_tag(&self.names[i]);
            let small = self.value[i] > 0 && self.value[i] < t;
            let folded = self.rule.folded(&self.names[i]);
            let status = if folded || !shown.contains(&i) {
                if folded && cost::kind_total(base) {
                    self.exempt.insert(i);
                }
                Status::Unpublished
            } else if small {
                Status::Primary
            } else {
                free.push(i);
                Status::Published
            };
            self.status[i] = Some(status);
        }
        let weights: Vec<f64> = free
            .iter()
            .map(|i| cost::weight(&self.names[*i], self.value[*i], headline.contains(&self.names[*i])))
            .collect();
        let hide = solve::secondary(self, &free, &weights, &touched);
        for i in hide {
            self.status[i] = Some(Status::Secondary);
        }
        for table in tables.iter_mut() {
            apply::apply(self, table);
        }
    }

    /// Σ over genders = the total, for every new quantity with a total and gender columns.
    fn gender_sums(&self, first_new: usize) -> Vec<Sum> {
        let mut by_base: BTreeMap<&str, (Option<Q>, Vec<Q>)> = BTreeMap::new();
        for i in first_new..self.names.len() {
            let tag = &self.names[i];
            let Some((base, gender)) = tag.rsplit_once(':') else { continue };
            let q = Q { tag: tag.clone(), n: self.value[i] };
            let e = by_base.entry(base).or_default();
            if gender == "*" { e.0 = Some(q) } else { e.1.push(q) }
        }
        by_base
            .into_values()
            .filter_map(|(total, parts)| total.filter(|_| parts.len() >= 2).map(|total| Sum { total, parts }))
            .collect()
    }

    fn hidden(&self, i: usize) -> bool {
        self.status[i].is_some_and(Status::hidden)
    }

    /// A quantity of a gender folded into the one column: 0 by construction, and a reader knows
    /// it (there is no such column), so it hides nothing.
    fn known_zero(&self, i: usize) -> bool {
        let g = split_tag(&self.names[i]).1;
        self.rule.folded_genders.iter().any(|f| f == g)
    }

    /// Every quantity the protector knows with its value and status, for tests and audits.
    pub fn quantities(&self) -> Vec<(String, i64, Status)> {
        (0..self.names.len())
            .filter_map(|i| self.status[i].map(|s| (self.names[i].clone(), self.value[i], s)))
            .collect()
    }

    /// Every sum the protector knows: (total tag, part tags).
    pub fn sums(&self) -> Vec<(String, Vec<String>)> {
        self.sums
            .iter()
            .map(|(t, p)| (self.names[*t].clone(), p.iter().map(|i| self.names[*i].clone()).collect()))
            .collect()
    }
}

#[cfg(test)]
mod tests;
