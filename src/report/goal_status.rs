//! Each goal's status for a year: outcome, met or not, how far from it, and the quantities its
//! figures rest on (for small-number protection).

use super::{Ctx, GoalBasis, GoalFigure, GoalStatus, Inputs, goals, protect, sections, set_tag, share};
use crate::domain::{Comparator, Config, Dimension, Flow, Goal, GoalSpec, Insats, Measure, Role, Verdict};
use std::collections::BTreeMap;

/// A goal's status; a previous year from an earlier annual report is measured on its figures,
/// when they hold what the goal counts (else it has no previous outcome, never 0).
pub(super) fn goal_status(
    config: &Config,
    ctx: &Ctx,
    insats: &Insats,
    inputs: &Inputs,
    g: &Goal,
    earlier: &[super::earlier::Reported],
) -> GoalStatus {
    let mut status = of_tallies(config, ctx, insats, inputs, g);
    let prev = ctx.year - 1;
    if !earlier.iter().any(|f| f.year == prev) {
        return status;
    }
    let known: BTreeMap<&str, i64> =
        earlier.iter().filter(|f| f.year == prev).filter_map(|f| Some((f.tag.as_str(), f.count?))).collect();
    // A quantity of that year: a figure, or a sum of figures.
    let value = |q: &protect::Q, sums: &[protect::Sum]| -> Option<i64> {
        known.get(q.tag.as_str()).copied().or_else(|| {
            let s = sums.iter().find(|s| s.total.tag == q.tag)?;
            s.parts.iter().map(|p| known.get(p.tag.as_str()).copied()).sum()
        })
    };
    let sums = status.basis.sums.clone();
    let figure = status.basis.figures.get(&(prev, "*".to_string())).cloned();
    let resolved = figure.clone().and_then(|f| {
        let den = match &f.den {
            Some(d) => Some(value(d, &sums)?),
            None => None,
        };
        let deps: Option<Vec<i64>> = f.deps.iter().map(|q| value(q, &sums)).collect();
        Some((f, den, deps?))
    });
    status.basis.figures.retain(|(y, _), _| *y != prev);
    status
        .basis
        .sums
        .retain(|s| !std::iter::once(&s.total).chain(&s.parts).any(|q| q.tag.contains(&format!("@{prev}:"))));
    status.previous_actual = None;
    // A share goal whose one numerator figure is published as a share of all of its kind.
    let share_only = || -> Option<(GoalFigure, f64)> {
        let f = figure?;
        let (den, [num]) = (f.den.as_ref()?, f.deps.as_slice()) else { return None };
        let base = |t: &str| t.rsplit_once('@').map(|(b, _)| b.to_string()).unwrap_or_default();
        if status.goal_type != "share"
            || !base(&den.tag).ends_with("::*")
            || !base(&num.tag).starts_with(&base(&den.tag)[..base(&den.tag).len() - 1])
        {
            return None;
        }
        let s = earlier.iter().find(|e| e.tag == num.tag)?.share?;
        let d = value(den, &sums)?;
        Some((GoalFigure { den: Some(protect::Q { tag: den.tag.clone(), n: d }), deps: Vec::new() }, s))
    };
    if resolved.is_none()
        && let Some((f, s)) = share_only()
    {
        status.previous_actual = Some(s);
        status.basis.figures.insert((prev, "*".into()), f);
        return status;
    }
    if let Some((f, den, deps)) = resolved {
        status.previous_actual = match (status.goal_type, den, deps.as_slice()) {
            ("share", Some(d), [n]) => share(*n, d),
            ("count", None, [n]) => Some(*n as f64),
            ("cost_per_participant", Some(d), []) => {
                let b = inputs.budgets.iter().find(|(y, _)| *y == prev).map(|(_, b)| b);
                b.and_then(|b| b.outcome_kr.or(b.budget_kr)).filter(|_| d > 0).map(|kr| kr as f64 / d as f64)
            }
            _ => None,
        };
        if status.previous_actual.is_some() {
            let with = |q: &protect::Q, n: i64| protect::Q { tag: q.tag.clone(), n };
            // Sums over figures become the figures themselves (a sum of a goal's parts).
            let deps = f.deps.iter().zip(&deps).map(|(q, n)| with(q, *n)).collect();
            let den = f.den.as_ref().zip(den).map(|(q, n)| with(q, n));
            status.basis.figures.insert((prev, "*".into()), GoalFigure { den, deps });
        }
    }
    status
}

fn of_tallies(config: &Config, ctx: &Ctx, insats: &Insats, inputs: &Inputs, g: &Goal) -> GoalStatus {
    let value_keys = |ids: &[i64]| -> Vec<String> {
        let found: Vec<(&Dimension, &crate::domain::DimensionValue)> = ids
            .iter()
            .filter_map(|v| config.dimensions.iter().find_map(|d| d.value_by_id(*v).map(|dv| (d, dv))))
            .collect();
        let one_dimension = found.windows(2).all(|w| w[0].0.id == w[1].0.id);
        found.iter().map(|(d, v)| if one_dimension { v.key.clone() } else { format!("{}.{}", d.key, v.key) }).collect()
    };
    let columns = |f: &dyn Fn(Option<i64>) -> Option<f64>| -> BTreeMap<String, Option<f64>> {
        ctx.columns.iter().map(|(k, s)| (k.clone(), f(Some(*s)))).collect()
    };
    let unit = match &g.spec {
        GoalSpec::Share { by_respondent, numerator, .. }
            if numerator
                .iter()
                .any(|v| config.dimensions.iter().any(|d| d.role == Role::Question && d.value_by_id(*v).is_some())) =>
        {
            Some(if *by_respondent { "respondents" } else { "answers" })
        }
        _ => None,
    };
    // The band in the target's unit (a share 0–1, as `target`).
    let partial = g.partial.map(|p| match g.spec {
        GoalSpec::Share { .. } => p as f64 / 10_000.0,
        _ => p as f64,
    });
    // The verdict and the sentence's judgement, once the figures are known.
    let judge = |s: &GoalStatus| -> (Verdict, crate::sv::Judgement) {
        let v = goals::verdict(s);
        (v, crate::sv::Judgement { verdict: v, band: goals::band_text(s), expectation: g.expectation })
    };
    let base = |goal_type, target: f64| GoalStatus {
        key: g.key.clone(),
        label: g.label.clone(),
        goal_type,
        comparator: g.comparator,
        target,
        numerator: 0,
        denominator: 0,
        actual: None,
        actual_by_gender: BTreeMap::new(),
        previous_actual: None,
        met: None,
        verdict: Verdict::Unknown,
        partial,
        expectation: g.expectation,
        unit,
        needed_more: None,
        short_by: None,
        values: Vec::new(),
        summary: String::new(),
        basis: GoalBasis::default(),
    };
    let genders = || ctx.columns.iter().map(|(k, s)| (k.clone(), Some(*s))).chain([("*".to_string(), None)]);
    let years = [ctx.year, ctx.year - 1];
    match &g.spec {
        GoalSpec::Share { kind_id, scope_value_id, numerator, denominator, target_bp, by_respondent } => {
            let kind = Some(*kind_id);
            // By respondent, over two or more questions: a questionnaire counts once (with one
            // question, respondents and answers are the same numbers, and are counted as answers).
            let mut questions: Vec<i64> = (if denominator.is_empty() { numerator } else { denominator })
                .iter()
                .filter_map(|v| {
                    config.dimensions.iter().find(|d| d.role == Role::Question && d.value_by_id(*v).is_some())
                })
                .map(|d| d.id)
                .collect();
            questions.dedup();
            let by_respondent = *by_respondent && questions.len() >= 2;
            let unit = unit.map(|u| if u == "respondents" && !by_respondent { "answers" } else { u });
            let respondents = |year: i32, split: Option<i64>| -> (i64, i64) {
                let (mut a, mut n) = (0, 0);
                for r in inputs.answers.iter().filter(|r| {
                    r.kind_id == *kind_id
                        && r.year == year
                        && scope_value_id.is_none_or(|s| r.scope_value_id == s)
                        && split.is_none_or(|s| r.split_value_id == s)
                }) {
                    let mut asked = r
                        .answers
                        .iter()
                        .filter(|(d, v)| questions.contains(d) && (denominator.is_empty() || denominator.contains(v)))
                        .peekable();
                    if asked.peek().is_none() {
                        continue;
                    }
                    n += r.n;
                    if asked.all(|(_, v)| numerator.contains(v)) {
                        a += r.n;
                    }
                }
                (a, n)
            };
            let count_in = |year: i32, split: Option<i64>| -> (i64, i64) {
                if by_respondent {
                    return respondents(year, split);
                }
                let sum = |ids: &[i64]| -> i64 {
                    ids.iter().map(|v| ctx.counts.fine(kind, year, None, *scope_value_id, split, *v)).sum()
                };
                let n = if denominator.is_empty() {
                    ctx.counts.fine(kind, year, None, *scope_value_id, split, 0)
                } else {
                    sum(denominator)
                };
                (sum(numerator), n)
            };
            let (a, n) = count_in(ctx.year, None);
            let (prev_a, prev_n) = count_in(ctx.year - 1, None);
            let scope_key = scope_value_id
                .and_then(|id| config.dimensions.iter().find_map(|d| d.value_by_id(id)))
                .map(|v| v.key.clone())
                .unwrap_or_default();
            let kind_key = config.kind_by_id(*kind_id).map(|k| k.key.clone()).unwrap_or_default();
            let mut basis = GoalBasis::default();
            for y in years.into_iter().filter(|_| by_respondent) {
                // Respondents positive on all the questions, the others, and all of them: the first
                // two add up to the third, so a small one is protected like any other count.
                for (gk, split) in genders() {
                    let (a, n) = respondents(y, split);
                    let q = |part: &str, n: i64| protect::Q::new(&format!("goal:{}:{part}", g.key), y, Some(&gk), n);
                    let (num, rest, den) = (q("resp_num", a), q("resp_rest", n - a), q("resp_den", n));
                    basis.sums.push(protect::Sum { total: den.clone(), parts: vec![num.clone(), rest] });
                    basis.figures.insert((y, gk.clone()), GoalFigure { den: Some(den), deps: vec![num] });
                }
            }
            for y in years.into_iter().filter(|_| !by_respondent) {
                for (gk, split) in genders() {
                    let n = |v: i64| ctx.counts.fine(kind, y, None, *scope_value_id, split, v);
                    let mut side = |ids: &[i64], name: &str| -> protect::Q {
                        let tag = |set: &str| format!("c:{kind_key}:{scope_key}:{set}");
                        if ids.is_empty() {
                            return protect::Q::new(&tag("*"), y, Some(&gk), n(0));
                        }
                        let parts: Vec<protect::Q> = by_dimension(config, ids)
                            .into_iter()
                            .map(|(d, vs)| {
                                protect::Q::new(&tag(&set_tag(d, &vs)), y, Some(&gk), vs.iter().map(|v| n(*v)).sum())
                            })
                            .collect();
                        if parts.len() == 1 {
                            return parts[0].clone();
                        }
                        let total = protect::Q::new(
                            &format!("goal:{}:{name}", g.key),
                            y,
                            Some(&gk),
                            parts.iter().map(|q| q.n).sum(),
                        );
                        basis.sums.push(protect::Sum { total: total.clone(), parts });
                        total
                    };
                    let num = side(numerator, "num");
                    let den = side(denominator, "den");
                    basis.figures.insert((y, gk.clone()), GoalFigure { den: Some(den), deps: vec![num] });
                }
            }
            let d = goals::distance(g.comparator, *target_bp, a, n);
            let k = config.kind_by_id(*kind_id);
            // What one unit is: an exit, an answer (survey questions), or a tally of the kind.
            let counts_answers = numerator
                .iter()
                .any(|v| config.dimensions.iter().any(|d| d.role == Role::Question && d.value_by_id(*v).is_some()));
            // Exits name themselves ("avslut"); other kinds are "registreringar", answers "svar".
            let noun = match (k, counts_answers) {
                (_, true) if by_respondent => "svarande".to_string(),
                (_, true) => "svar".to_string(),
                (Some(k), _) if k.flow == Some(Flow::Exit) => k.label.to_lowercase(),
                _ => "registreringar".to_string(),
            };
            let mut status = GoalStatus {
                numerator: a,
                denominator: n,
                actual: share(a, n),
                actual_by_gender: columns(&|s| {
                    let (a, n) = count_in(ctx.year, s);
                    share(a, n)
                }),
                previous_actual: share(prev_a, prev_n),
                met: d.met,
                needed_more: d.needed_more,
                short_by: d.short_by,
                values: value_keys(numerator),
                basis,
                unit,
                ..base("share", *target_bp as f64 / 10_000.0)
            };
            let (verdict, j) = judge(&status);
            status.verdict = verdict;
            status.summary = if k.is_some_and(|k| k.flow == Some(Flow::Exit)) {
                crate::sv::goal_summary(&g.label, g.comparator, *target_bp, a, n, &d, &noun, &j)
            } else {
                crate::sv::share_summary(&g.label, g.comparator, *target_bp, a, n, &d, &noun, &j)
            };
            status
        }
        GoalSpec::Count { measure, kind_id, numerator, target } => {
            let kind = kind_id.and_then(|k| config.kind_by_id(k));
            let count = |year: i32, split: Option<i64>| -> i64 {
                match (measure, kind) {
                    (Measure::Participants, _) => ctx.flow(year, split, 0).total,
                    (Measure::Tallies, Some(k)) if numerator.is_empty() => ctx.counts.get(Some(k.id), year, split, 0),
                    (Measure::Tallies, Some(k)) => {
                        numerator.iter().map(|v| ctx.counts.get(Some(k.id), year, split, *v)).sum()
                    }
                    (Measure::Attendees, Some(k)) => sections::attendees(&inputs.events, k, year, split),
                    _ => 0,
                }
            };
            let n = count(ctx.year, None);
            let mut basis = GoalBasis::default();
            for y in years {
                for (gk, split) in genders() {
                    let base = match (measure, kind) {
                        (Measure::Participants, _) => "p:*".to_string(),
                        (Measure::Tallies, Some(k)) if numerator.is_empty() => format!("c:{}::*", k.key),
                        (Measure::Tallies, Some(k)) => {
                            let parts: Vec<protect::Q> = by_dimension(config, numerator)
                                .into_iter()
                                .map(|(d, vs)| {
                                    let n = vs.iter().map(|v| ctx.counts.get(Some(k.id), y, split, *v)).sum();
                                    protect::Q::new(&format!("c:{}::{}", k.key, set_tag(d, &vs)), y, Some(&gk), n)
                                })
                                .collect();
                            if parts.len() == 1 {
                                parts[0].tag.rsplit_once('@').map(|(b, _)| b.to_string()).unwrap_or_default()
                            } else {
                                let total =
                                    protect::Q::new(&format!("goal:{}:num", g.key), y, Some(&gk), count(y, split));
                                basis.sums.push(protect::Sum { total, parts });
                                format!("goal:{}:num", g.key)
                            }
                        }
                        (Measure::Attendees, Some(k)) => format!("ev:{}", k.key),
                        _ => format!("goal:{}:num", g.key),
                    };
                    let q = protect::Q::new(&base, y, Some(&gk), count(y, split));
                    basis.figures.insert((y, gk.clone()), GoalFigure { den: None, deps: vec![q] });
                }
            }
            let met = match g.comparator {
                Comparator::AtLeast => n >= *target,
                Comparator::AtMost => n <= *target,
            };
            let gap = (target - n).abs();
            let noun = match measure {
                Measure::Participants => "deltagare".to_string(),
                Measure::Attendees => "deltagare".to_string(),
                Measure::Tallies => kind.map(|k| k.label.to_lowercase()).unwrap_or_default(),
            };
            let mut status = GoalStatus {
                numerator: n,
                actual: Some(n as f64),
                actual_by_gender: columns(&|s| Some(count(ctx.year, s) as f64)),
                previous_actual: Some(count(ctx.year - 1, None) as f64),
                met: Some(met),
                needed_more: Some(if met { 0 } else { gap }),
                short_by: Some(if met { 0 } else { gap }),
                values: value_keys(numerator),
                basis,
                ..base("count", *target as f64)
            };
            let (verdict, j) = judge(&status);
            status.verdict = verdict;
            status.summary = crate::sv::count_summary(g.comparator, *target, n, &noun, &j);
            status
        }
        GoalSpec::CostPerParticipant { target_kr } => {
            let of = |y: i32| inputs.budgets.iter().find(|(by, _)| *by == y).map(|(_, b)| b);
            let (per, people) = sections::people(config, ctx, insats, &inputs.events, ctx.year, None);
            let (actual, basis) = sections::per_person(of(ctx.year), people);
            let amount = of(ctx.year).and_then(|b| b.outcome_kr.or(b.budget_kr));
            let prev_people = sections::people(config, ctx, insats, &inputs.events, ctx.year - 1, None).1;
            let mut goal_basis = GoalBasis::default();
            let people_tag = sections::people_tag(config, insats);
            for y in years {
                let n = sections::people(config, ctx, insats, &inputs.events, y, None).1;
                let q = protect::Q::new(&people_tag, y, None, n);
                goal_basis.figures.insert((y, "*".into()), GoalFigure { den: Some(q), deps: vec![] });
            }
            let met = actual.map(|a| match g.comparator {
                Comparator::AtMost => a <= *target_kr as f64,
                Comparator::AtLeast => a >= *target_kr as f64,
            });
            let (needed_more, short_by) = match (met, amount) {
                (Some(false), Some(kr)) if g.comparator == Comparator::AtMost && *target_kr > 0 => {
                    // kr / (people + x) <= target  <=>  x >= kr / target − people
                    (Some((kr + target_kr - 1) / target_kr - people), Some(kr - target_kr * people))
                }
                (Some(true), _) => (Some(0), Some(0)),
                _ => (None, None),
            };
            let mut status = GoalStatus {
                numerator: amount.unwrap_or(0),
                denominator: people,
                actual,
                previous_actual: sections::per_person(of(ctx.year - 1), prev_people).0,
                met,
                needed_more,
                short_by,
                basis: goal_basis,
                ..base("cost_per_participant", *target_kr as f64)
            };
            let (verdict, j) = judge(&status);
            status.verdict = verdict;
            status.summary = crate::sv::cost_summary(
                g.comparator,
                *target_kr,
                amount,
                people,
                &per,
                basis,
                short_by,
                needed_more,
                &j,
            );
            status
        }
    }
}

/// Value ids grouped by their dimension, in the order first met.
fn by_dimension<'c>(config: &'c Config, ids: &[i64]) -> Vec<(&'c Dimension, Vec<i64>)> {
    let mut out: Vec<(&Dimension, Vec<i64>)> = Vec::new();
    for id in ids {
        if let Some(d) = config.dimensions.iter().find(|d| d.value_by_id(*id).is_some()) {
            match out.iter_mut().find(|(od, _)| od.id == d.id) {
                Some((_, vs)) => vs.push(*id),
                None => out.push((d, vec![*id])),
            }
        }
    }
    out
}
