//! How much of a published report is kept: count cells shown, of all count cells, and whether
//! every headline figure is shown. `pinne skydd` prints it per insats, year and rule.

use super::protect::{Basis, Rule};
use super::publish;
use super::tables::{Table, Value};
use crate::domain::{Config, Period};
use crate::store::{self, Store, StoreError};

/// One published report's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept {
    pub insats: String,
    pub year: i32,
    pub rule: String,
    /// Count cells shown (perturbed ones count as shown).
    pub kept: usize,
    pub cells: usize,
    /// Count cells whose true value is small (1..threshold−1): hidden by any suppression.
    pub small: usize,
    /// Headline figures that are hidden (should be none).
    pub hidden_headlines: Vec<String>,
    pub unprotected: Vec<String>,
    /// Cell Key Method: quantities without a cell key (should be none).
    pub keyless: Vec<String>,
}

impl Kept {
    pub fn share(&self) -> f64 {
        if self.cells == 0 { 1.0 } else { self.kept as f64 / self.cells as f64 }
    }
}

/// (shown, all, small) count cells of tables; small ones are those of true value 1..threshold−1.
pub fn count_cells(tables: &[Table], threshold: i64) -> (usize, usize, usize) {
    let (mut kept, mut all, mut small) = (0, 0, 0);
    for t in tables {
        for r in &t.rows {
            for (c, b) in r.cells.iter().zip(&r.basis) {
                if let Basis::Count(q) | Basis::CountShare(q, _) = b {
                    all += 1;
                    kept += usize::from(!matches!(c, Value::Hidden(_)));
                    small += usize::from(q.n > 0 && q.n < threshold);
                }
            }
        }
    }
    (kept, all, small)
}

/// The headline figures of a report's own year that are hidden though not small themselves:
/// participants, entries, exits and those enrolled (in all, women, men), each exit reason's
/// total, the goals' outcomes, the cost per person, and the survey responses.
pub fn hidden_headlines(tables: &[Table], year: i32, threshold: i64) -> Vec<String> {
    let mut out = Vec::new();
    for t in tables {
        for r in &t.rows {
            for (i, (c, col)) in r.cells.iter().zip(&t.columns).enumerate() {
                let this_year = col.year.is_none_or(|y| y == year);
                let headline = match t.key.as_str() {
                    "deltagare" => this_year && matches!(col.group.as_str(), "Totalt" | "Kvinnor" | "Män"),
                    "avslut_orsak" => this_year && col.group == "Totalt",
                    "mal" => i == 1,
                    "kostnad" => r.label == year.to_string(),
                    _ if t.survey => r.label == "Besvarade enkäter" && col.group == "Svar",
                    _ => false,
                };
                let small = match r.basis.get(i) {
                    Some(Basis::Count(q) | Basis::CountShare(q, _)) => q.n > 0 && q.n < threshold,
                    _ => false,
                };
                if headline && !small && matches!(c, Value::Hidden(_)) {
                    out.push(format!("{} | {} | {}", t.title, r.label, col.heading()));
                }
            }
        }
    }
    out
}

/// Every insats with tallies, every year from the first with data to `now`, as a reader sees it.
pub fn measure(store: &Store, config: &Config, rule: &Rule, now: Period) -> Result<Vec<Kept>, StoreError> {
    let cache = publish::Cache::default();
    let mut out = Vec::new();
    for insats in config.insatser.iter().filter(|i| !i.kind_ids.is_empty()) {
        let id = insats.id;
        let Some(first) = store.read_blocking(|c| store::first_year(c, id))? else { continue };
        for year in first..=now.year {
            let month = publish::snapshot_month(year, now);
            let years = store.read_blocking(|c| {
                (first.min(year - 4)..=year)
                    .map(|y| Ok((y, store::report_inputs_until(c, id, y, if y == year { month } else { 12 })?)))
                    .collect::<Result<Vec<_>, _>>()
            })?;
            let key = (id, year, month, format!("{rule:?}"));
            let src = publish::Source { config, insats, years: &years, closed: None };
            let p = cache.publish(key, 0, src, rule, &|| false).expect("never cancelled");
            let tables = p.trend.last().map(|(_, t)| t.as_slice()).unwrap_or_default();
            let (kept, cells, small) = count_cells(tables, rule.threshold);
            out.push(Kept {
                insats: insats.key.clone(),
                year,
                rule: rule_name(rule),
                kept,
                cells,
                small,
                hidden_headlines: hidden_headlines(tables, year, rule.threshold),
                unprotected: p.unprotected.clone(),
                keyless: p.keyless.clone(),
            });
        }
    }
    Ok(out)
}

pub fn rule_name(rule: &Rule) -> String {
    match &rule.method {
        super::protect::Method::Suppression => format!("undertryckning (gräns {})", rule.threshold),
        super::protect::Method::CellKey(p) => format!("cellnyckel (gräns {}, D {})", rule.threshold, p.max_deviation),
    }
}

/// The rules `pinne skydd` compares: the configured threshold with suppression and with the Cell
/// Key Method (the configured D and V, or the defaults).
pub fn both_rules(config: &Config) -> Vec<Rule> {
    let p = &config.privacy;
    let mut suppression = Rule::new(p.threshold, p.form.as_deref());
    suppression.folded_genders = publish::folded_genders(config);
    let (d, v) = match p.method {
        crate::domain::PrivacyMethod::CellKey => (p.max_deviation, p.variance),
        crate::domain::PrivacyMethod::Suppression => (
            crate::domain::Privacy::DEFAULT_MAX_DEVIATION.max(p.threshold - 1),
            crate::domain::Privacy::DEFAULT_VARIANCE,
        ),
    };
    let mut cell_key = Rule::cell_key(p.threshold, d, v.min(crate::domain::Privacy::max_variance(d)));
    cell_key.folded_genders = suppression.folded_genders.clone();
    vec![suppression, cell_key]
}

/// `measure` on the demo data of each built-in preset, each in a database of its own under a
/// temporary directory that is removed afterwards, for every rule `rules_of` gives.
pub fn demo_presets(now: Period, rules_of: &dyn Fn(&Config) -> Vec<Rule>) -> anyhow::Result<Vec<(String, Vec<Kept>)>> {
    let mut out = Vec::new();
    for (name, _) in crate::domain::preset::BUILTIN {
        let dir = std::env::temp_dir().join(format!("pinne-skydd-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let result = (|| -> anyhow::Result<Vec<Kept>> {
            let preset = crate::domain::preset::Preset::builtin(name).expect("built-in preset");
            let store = Store::open_with_preset(&dir, &preset)?;
            crate::demo::fill(&store, now)?;
            let config = store.config();
            let mut kept = Vec::new();
            for rule in rules_of(&config) {
                kept.extend(measure(&store, &config, &rule, now)?);
            }
            Ok(kept)
        })();
        let _ = std::fs::remove_dir_all(&dir);
        out.push((name.to_string(), result?));
    }
    Ok(out)
}

/// The figures as a plain table, one line per insats, year and rule.
pub fn print(preset: &str, kept: &[Kept]) -> String {
    let mut s = String::new();
    for k in kept {
        s += &format!(
            "{preset:<20} {:<20} {} {:<26} {:>4} av {:>4} antal visas ({:>5.1} %), {:>3} små{}{}\n",
            k.insats,
            k.year,
            k.rule,
            k.kept,
            k.cells,
            100.0 * k.share(),
            k.small,
            if k.hidden_headlines.is_empty() {
                String::new()
            } else {
                format!("; DOLDA HUVUDTAL: {:?}", k.hidden_headlines)
            },
            if k.unprotected.is_empty() { String::new() } else { format!("; OSKYDDADE: {:?}", k.unprotected) },
        );
        if !k.keyless.is_empty() {
            s += &format!("    UTAN CELLNYCKEL: {:?}\n", k.keyless);
        }
    }
    s
}
