//! What hiding a figure costs: the information a reader loses.
//!
//! Headline figures — participants during the year, entries, exits and those enrolled (in all, for
//! women and for men), each exit reason's total, every goal's outcome, the people a cost is
//! divided among, the number of survey responses and each question's positive answers in all —
//! cost a thousand times more than any detail, so the solver hides them only when nothing else
//! protects a small count. Among details, a figure costs a fixed amount (a hidden cell is a cell
//! lost) plus its value (a large figure says more), and a total over all genders twice as much as
//! a gender's figure, since the split by gender is what the report is for.

use super::Basis;
use crate::report::tables::Table;
use std::collections::HashSet;

const HEADLINE: f64 = 1000.0;
const PER_CELL: f64 = 10.0;

pub fn weight(tag: &str, n: i64, headline: bool) -> f64 {
    let all_genders = tag.ends_with(":*");
    let w = (PER_CELL + n.max(0) as f64) * if all_genders { 2.0 } else { 1.0 };
    if headline { w * HEADLINE } else { w }
}

/// A kind's total of tallies (or participants, or those enrolled) in a year: the folded gender
/// column's value of such a figure is a registration quality figure that an attacker may know.
pub fn kind_total(base: &str) -> bool {
    base == "p:*" || base == "e:*" || (base.starts_with("c:") && base.ends_with("::*"))
}

/// The tags of the headline figures the tables show.
pub fn headline(tables: &[Table]) -> HashSet<String> {
    let mut out = HashSet::new();
    let main_gender = |tag: &str| {
        let g = tag.rsplit(':').next().unwrap_or("*");
        matches!(g, "*" | "kvinna" | "man")
    };
    for t in tables {
        let column = |i: usize| t.columns.get(i).map(|c| c.group.as_str()).unwrap_or("");
        for row in &t.rows {
            for (i, b) in row.basis.iter().enumerate() {
                let take = match t.key.as_str() {
                    "deltagare" => true,
                    "avslut_orsak" => column(i) == "Totalt",
                    "mal" => column(i).starts_with("Utfall ") && i <= 2,
                    "kostnad" => true,
                    k if k.contains("_svar") => {
                        row.label == "Besvarade enkäter" || matches!(column(i), "Svar" | "Totalt")
                    }
                    k if k.contains("_betyg_") => column(i) == "Antal betyg",
                    _ => row.label == "Alla registreringar" && column(i) == "Totalt",
                };
                if !take {
                    continue;
                }
                let qs = match b {
                    Basis::Derived { den, deps, .. } => den.iter().chain(deps).collect(),
                    b => b.quantities(),
                };
                out.extend(qs.into_iter().filter(|q| main_gender(&q.tag)).map(|q| q.tag.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headlines_cost_most_and_details_least() {
        let detail = weight("c:avslut::kommun.degerfors@2025:kvinna", 40, false);
        let total = weight("c:avslut::kommun.degerfors@2025:*", 40, false);
        let head = weight("p:*@2025:*", 40, true);
        assert!(detail < total && total < head);
        assert!(weight("x@2025:man", 3, false) < weight("x@2025:man", 30, false));
    }

    #[test]
    fn kind_totals_are_recognised() {
        assert!(kind_total("p:*") && kind_total("e:*") && kind_total("c:avslut::*"));
        assert!(!kind_total("c:avslut::avslutsorsak.studier"));
    }
}
