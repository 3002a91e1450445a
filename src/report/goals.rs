//! Goal arithmetic: met or not, and the distance to the goal, in whole exits.
//! Integer arithmetic on basis points, so 45 % of 63 is exact.

use crate::domain::{Comparator, Verdict};
use crate::report::GoalStatus;

/// How far a share goal is from being met, with `a` matching tallies out of `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Distance {
    /// `None` when there is nothing to measure yet (n = 0).
    pub met: Option<bool>,
    /// The fewest additional tallies that would meet the goal this year: with the outcome for an
    /// "at least" goal, without it for an "at most" goal. `None` when no number of additional
    /// tallies can meet it (at least 100 %, at most 0 %).
    pub needed_more: Option<i64>,
    /// How many of this year's tallies would have had to have (not have) the outcome instead.
    /// `None` when there are no tallies.
    pub short_by: Option<i64>,
}

fn ceil_div(num: i64, den: i64) -> i64 {
    debug_assert!(num >= 0 && den > 0);
    (num + den - 1) / den
}

pub fn distance(cmp: Comparator, target_bp: i64, a: i64, n: i64) -> Distance {
    const FULL: i64 = 10_000;
    let t = target_bp;
    match cmp {
        Comparator::AtLeast => {
            if n == 0 {
                return Distance { met: None, needed_more: Some(i64::from(t > 0)), short_by: None };
            }
            // a/n >= t  <=>  a·FULL >= t·n
            let gap = t * n - a * FULL;
            if gap <= 0 {
                return Distance { met: Some(true), needed_more: Some(0), short_by: Some(0) };
            }
            Distance {
                met: Some(false),
                // (a + x)/(n + x) >= t  <=>  x >= (t·n − a)/(1 − t)
                needed_more: (t < FULL).then(|| ceil_div(gap, FULL - t)),
                // a + y >= t·n  <=>  y >= t·n − a
                short_by: Some(ceil_div(gap, FULL)),
            }
        }
        Comparator::AtMost => {
            if n == 0 {
                return Distance { met: None, needed_more: Some(0), short_by: None };
            }
            let gap = a * FULL - t * n;
            if gap <= 0 {
                return Distance { met: Some(true), needed_more: Some(0), short_by: Some(0) };
            }
            Distance {
                met: Some(false),
                // a/(n + x) <= t  <=>  x >= a/t − n
                needed_more: (t > 0).then(|| ceil_div(gap, t)),
                // a − y <= t·n
                short_by: Some(ceil_div(gap, FULL)),
            }
        }
    }
}

/// A goal's verdict from its figures (as counted, or as published): uppfyllt when the target is
/// reached, delvis uppfyllt when the figure is within the band, else inte uppfyllt. A share is
/// compared in whole tallies, as `distance` does, so a band end is never missed by rounding.
pub fn verdict(g: &GoalStatus) -> Verdict {
    let within = match (g.met, g.partial) {
        (Some(false), Some(p)) => match g.goal_type {
            "share" => {
                let (a, n, p) = (g.numerator as i128, g.denominator as i128, (p * 10_000.0).round() as i128);
                n > 0
                    && match g.comparator {
                        Comparator::AtLeast => a * 10_000 >= p * n,
                        Comparator::AtMost => a * 10_000 <= p * n,
                    }
            }
            "count" => {
                let p = p.round() as i64;
                match g.comparator {
                    Comparator::AtLeast => g.numerator >= p,
                    Comparator::AtMost => g.numerator <= p,
                }
            }
            _ => g.actual.is_some_and(|a| match g.comparator {
                Comparator::AtLeast => a >= p,
                Comparator::AtMost => a <= p,
            }),
        },
        _ => false,
    };
    Verdict::of(g.met, within)
}

/// The band end as the sentences write it, in the goal's unit: "65 %", "400", "18 000 kr".
pub fn band_text(g: &GoalStatus) -> Option<String> {
    let p = g.partial?;
    Some(match g.goal_type {
        "share" => crate::sv::percent_exact((p * 10_000.0).round() as i64),
        "cost_per_participant" => crate::sv::kronor(p.round() as i64),
        _ => crate::sv::count(p.round() as i64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Comparator::*;

    #[test]
    fn report_2023_egen_forsorjning() {
        // 63 exits, 8 anställning + 13 studier + 4 arbetsmarknaden = 25 → 40 % against 45 %.
        let d = distance(AtLeast, 4500, 8 + 13 + 4, 63);
        assert_eq!(d, Distance { met: Some(false), short_by: Some(4), needed_more: Some(7) });
    }

    /// The closed forms agree with the definitions, found by search, over many cases.
    #[test]
    fn closed_forms_match_brute_force() {
        let meets = |cmp, t: i64, a: i64, n: i64| match cmp {
            AtLeast => a * 10_000 >= t * n,
            AtMost => a * 10_000 <= t * n,
        };
        for cmp in [AtLeast, AtMost] {
            for t in [0, 500, 1500, 2500, 3333, 4000, 4500, 9999, 10_000] {
                for n in 1..40 {
                    for a in 0..=n {
                        let d = distance(cmp, t, a, n);
                        assert_eq!(d.met, Some(meets(cmp, t, a, n)));
                        // Fewest outcomes switched among the existing n.
                        let short = (0..=n)
                            .find(|y| match cmp {
                                AtLeast => a + y <= n && meets(cmp, t, a + y, n),
                                AtMost => *y <= a && meets(cmp, t, a - y, n),
                            })
                            .unwrap();
                        assert_eq!(d.short_by, Some(short), "{cmp:?} t={t} a={a} n={n}");
                        // Fewest added tallies (with the outcome for at least, without for at most).
                        let more = (0..5_000).find(|x| match cmp {
                            AtLeast => meets(cmp, t, a + x, n + x),
                            AtMost => meets(cmp, t, a, n + x),
                        });
                        match more {
                            Some(x) => assert_eq!(d.needed_more, Some(x), "{cmp:?} t={t} a={a} n={n}"),
                            // Beyond the search: unreachable, or more than 5 000 away.
                            None => assert!(d.needed_more.is_none_or(|x| x >= 5_000), "{cmp:?} t={t} a={a} n={n}"),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn met_goals_have_no_distance() {
        assert_eq!(
            distance(AtLeast, 2500, 25, 100),
            Distance { met: Some(true), needed_more: Some(0), short_by: Some(0) }
        );
        assert_eq!(
            distance(AtMost, 1500, 15, 100),
            Distance { met: Some(true), needed_more: Some(0), short_by: Some(0) }
        );
    }

    #[test]
    fn at_most_counts_the_other_way() {
        // 19 of 63 to care (30 %) against at most 15 %: 15 % of 63 = 9.45 → 10 should have gone elsewhere.
        let d = distance(AtMost, 1500, 19, 63);
        assert_eq!(d.short_by, Some(10));
        // 19/(63+x) <= 0.15 → x >= 63.67 → 64.
        assert_eq!(d.needed_more, Some(64));
        assert_eq!(d.met, Some(false));
    }

    #[test]
    fn edge_cases() {
        assert_eq!(distance(AtLeast, 4500, 0, 0), Distance { met: None, needed_more: Some(1), short_by: None });
        assert_eq!(distance(AtLeast, 10_000, 9, 10).needed_more, None);
        assert_eq!(distance(AtLeast, 10_000, 9, 10).short_by, Some(1));
        assert_eq!(distance(AtMost, 0, 1, 10).needed_more, None);
        assert_eq!(distance(AtLeast, 0, 0, 10).met, Some(true));
        // Exactly on target counts as met.
        assert_eq!(distance(AtLeast, 4000, 40, 100).met, Some(true));
    }
}
