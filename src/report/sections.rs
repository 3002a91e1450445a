//! The report sections beside the participant flow: one per other kind of tally (guidance,
//! surveys, violence questions, ratings), structural events, and the cost per participant.

use super::{Cell, Ctx, Figure, Row, set_tag, share};
use crate::domain::event::StoredEvent;
use crate::domain::{Config, Dimension, Flow, Insats, Kind, Role, Shape};
use crate::store::event::Budget;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, Serialize, PartialEq, utoipa::ToSchema)]
pub struct YearCount {
    pub year: i32,
    pub count: i64,
}

/// A kind of tally that is not a participant flow.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct KindSection {
    pub key: String,
    pub label: String,
    /// Tallies this year, and per gender (share: of the year's tallies).
    pub total: i64,
    pub by_gender: BTreeMap<String, Cell>,
    pub previous_year: Figure,
    /// Tallies per year, the report's five years.
    pub trend: Vec<YearCount>,
    /// One table per category (including the scope, e.g. the respondent group).
    pub tables: Vec<ChoiceTable>,
    /// Survey questions per respondent group.
    pub surveys: Vec<SurveyGroup>,
    /// Ratings per group activity.
    pub ratings: Vec<RatingTable>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct ChoiceTable {
    pub key: String,
    pub label: String,
    /// Several values per tally: a row's share is the share of tallies with that value, and
    /// `choices` is the number of values chosen in all (e.g. agency contacts in total).
    pub multiple: bool,
    pub rows: Vec<Row>,
    pub choices: Option<i64>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct SurveyGroup {
    /// The scope value's key (`alla` when the kind has no scope).
    pub key: String,
    pub label: String,
    pub respondents: i64,
    pub respondents_by_gender: BTreeMap<String, i64>,
    pub questions: Vec<QuestionRow>,
}

/// A survey question: positive answers of those who answered it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct QuestionRow {
    pub key: String,
    pub label: String,
    pub answered: i64,
    pub positive: i64,
    pub share: Option<f64>,
    /// Per gender: positive answers and their share of that gender's answers.
    pub by_gender: BTreeMap<String, Cell>,
    /// Share positive per year, the report's five years.
    pub trend: Vec<YearShare>,
    /// Answers per gender column.
    pub answered_by_gender: BTreeMap<String, i64>,
    /// Protection tags of the positive answers and of all answers (see `set_tag`).
    #[serde(skip)]
    pub positive_tag: String,
    #[serde(skip)]
    pub answered_tag: String,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, utoipa::ToSchema)]
pub struct YearShare {
    pub year: i32,
    pub answered: i64,
    pub positive: i64,
    pub share: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct RatingTable {
    pub key: String,
    pub label: String,
    pub halves: Vec<HalfRating>,
    pub count: i64,
    pub mean: Option<f64>,
    pub previous_mean: Option<f64>,
    pub previous_count: i64,
    /// The scope value's key ("" without a scope) and the rating dimension's key.
    #[serde(skip)]
    pub scope: String,
    #[serde(skip)]
    pub dimension: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct HalfRating {
    /// 1: January–June, 2: July–December.
    pub half: u8,
    pub label: String,
    pub count: i64,
    pub mean: Option<f64>,
    pub mean_by_gender: BTreeMap<String, Option<f64>>,
    pub count_by_gender: BTreeMap<String, i64>,
    /// Ratings per value (0–10), in the scale's order.
    pub distribution: Vec<(String, i64)>,
}

/// Structural events of one kind.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct EventSection {
    pub key: String,
    pub label: String,
    pub events: Vec<EventRow>,
    pub count: i64,
    pub attendees: i64,
    /// Attendees per gender where the organiser counted them.
    pub attendees_by_gender: BTreeMap<String, i64>,
    pub previous_year: EventTotals,
    /// Attendees per year, the report's five years.
    pub trend: Vec<YearCount>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct EventTotals {
    pub count: i64,
    pub attendees: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct EventRow {
    pub id: i64,
    /// ÅÅÅÅ-MM.
    pub period: String,
    pub name: String,
    pub organiser: String,
    pub attendees: i64,
    pub by_gender: BTreeMap<String, i64>,
}

/// The cost per participant (or per guidance meeting, or per attendee, for an insats without
/// participants).
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Cost {
    pub budget_kr: Option<i64>,
    pub outcome_kr: Option<i64>,
    /// What the cost is divided by: "deltagare", or the kind counted instead.
    pub per: String,
    pub people: i64,
    /// Outcome (or, before there is one, budget) per person.
    pub per_person: Option<f64>,
    /// `utfall` or `budget`: what `per_person` was computed from.
    pub basis: Option<&'static str>,
    pub trend: Vec<YearCost>,
    /// The protection tag of `people` (see `people_tag`).
    #[serde(skip)]
    pub people_tag: String,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, utoipa::ToSchema)]
pub struct YearCost {
    pub year: i32,
    pub budget_kr: Option<i64>,
    pub outcome_kr: Option<i64>,
    pub people: i64,
    pub per_person: Option<f64>,
}

impl Ctx<'_> {
    /// The report's five years, oldest first.
    pub(super) fn years(&self) -> Vec<i32> {
        ((self.year - 4)..=self.year).collect()
    }
}

fn half_label(h: u8) -> &'static str {
    if h == 1 { "Januari–juni" } else { "Juli–december" }
}

/// The section of a kind. For an entry or exit kind (whose person categories, exit reasons and
/// durations have tables of their own) only its other categories, questions and ratings, e.g. a
/// self-assessment at exit.
pub(super) fn kind_section(config: &Config, ctx: &Ctx, kind: &Kind) -> KindSection {
    let k = Some(kind.id);
    let measure = |y: i32, s: Option<i64>, v: i64| ctx.counts.get(k, y, s, v);
    let total_row = ctx.row(&kind.key, &kind.label, &[0], &|y, s, v| if v == 0 { measure(y, s, 0) } else { 0 });
    let dims: Vec<(&Dimension, bool)> = kind
        .dimensions
        .iter()
        .filter_map(|kd| config.dimension_by_id(kd.dimension_id).map(|d| (d, kd.multiple)))
        .collect();
    let tables = dims
        .iter()
        .filter(|(d, _)| !matches!(d.role, Role::Gender | Role::Question | Role::Rating))
        .filter(|(d, _)| kind.flow.is_none() || d.role == Role::Choice)
        .map(|(d, multiple)| {
            let mut rows = ctx.rows(d, true, &measure);
            if *multiple {
                // "Uppgift saknas" is total minus the values' sum, which means nothing when a
                // tally can carry several values.
                rows.retain(|r| !r.unstated);
            }
            ChoiceTable {
                key: d.key.clone(),
                label: d.label.clone(),
                multiple: *multiple,
                choices: multiple.then(|| d.values.iter().map(|v| measure(ctx.year, None, v.id)).sum()),
                rows,
            }
        })
        .collect();
    let scope_dim = kind.scope_dimension_id.and_then(|id| config.dimension_by_id(id));
    let scopes: Vec<(String, String, Option<i64>)> = match scope_dim {
        Some(d) => d.values.iter().map(|v| (v.key.clone(), v.label.clone(), Some(v.id))).collect(),
        None => vec![("alla".into(), "Alla".into(), None)],
    };
    let years = ctx.years();
    let questions: Vec<&Dimension> = dims.iter().map(|(d, _)| *d).filter(|d| d.role == Role::Question).collect();
    let surveys = if questions.is_empty() {
        Vec::new()
    } else {
        scopes
            .iter()
            .filter_map(|(key, label, scope)| {
                let n = |y: i32, s: Option<i64>, v: i64| ctx.counts.fine(k, y, None, *scope, s, v);
                // Shares from earlier annual reports make a survey worth showing too.
                let scope_key = if scope.is_some() { key.as_str() } else { "" };
                let earlier_base = |set: &str| format!("c:{}:{scope_key}:{set}", kind.key);
                let has_earlier = ctx.earlier_bases.iter().any(|b| b.starts_with(&earlier_base("")));
                if !has_earlier && years.iter().all(|y| n(*y, None, 0) == 0) {
                    return None;
                }
                let question_rows = questions
                    .iter()
                    .map(|q| {
                        let answered = |y: i32, s: Option<i64>| q.values.iter().map(|v| n(y, s, v.id)).sum::<i64>();
                        let positive = |y: i32, s: Option<i64>| {
                            q.values.iter().filter(|v| v.positive).map(|v| n(y, s, v.id)).sum::<i64>()
                        };
                        let (a, p) = (answered(ctx.year, None), positive(ctx.year, None));
                        let ids: Vec<i64> = q.values.iter().map(|v| v.id).collect();
                        let positive_ids: Vec<i64> = q.values.iter().filter(|v| v.positive).map(|v| v.id).collect();
                        QuestionRow {
                            positive_tag: set_tag(q, &positive_ids),
                            answered_tag: set_tag(q, &ids),
                            answered_by_gender: ctx
                                .columns
                                .iter()
                                .map(|(gk, s)| (gk.clone(), answered(ctx.year, Some(*s))))
                                .collect(),
                            key: q.key.clone(),
                            label: q.label.clone(),
                            answered: a,
                            positive: p,
                            share: share(p, a),
                            by_gender: ctx
                                .columns
                                .iter()
                                .map(|(gk, s)| {
                                    let p = positive(ctx.year, Some(*s));
                                    (gk.clone(), Cell { count: p, share: share(p, answered(ctx.year, Some(*s))) })
                                })
                                .collect(),
                            trend: years
                                .iter()
                                .map(|y| YearShare {
                                    year: *y,
                                    answered: answered(*y, None),
                                    positive: positive(*y, None),
                                    share: share(positive(*y, None), answered(*y, None)),
                                })
                                .collect(),
                        }
                    })
                    .filter(|q| {
                        q.trend.iter().any(|t| t.answered != 0)
                            || ctx.earlier_bases.contains(&earlier_base(&q.positive_tag))
                    })
                    .collect();
                Some(SurveyGroup {
                    key: key.clone(),
                    label: label.clone(),
                    respondents: n(ctx.year, None, 0),
                    respondents_by_gender: ctx
                        .columns
                        .iter()
                        .map(|(gk, s)| (gk.clone(), n(ctx.year, Some(*s), 0)))
                        .collect(),
                    questions: question_rows,
                })
            })
            .collect()
    };
    let ratings = dims
        .iter()
        .map(|(d, _)| *d)
        .filter(|d| d.role == Role::Rating)
        .flat_map(|d| {
            scopes.iter().filter_map(move |(key, label, scope)| {
                let n = |y: i32, h: Option<u8>, s: Option<i64>, v: i64| ctx.counts.fine(k, y, h, *scope, s, v);
                let stats = |y: i32, h: Option<u8>, s: Option<i64>| {
                    let (mut count, mut sum) = (0i64, 0f64);
                    for v in &d.values {
                        let c = n(y, h, s, v.id);
                        count += c;
                        sum += c as f64 * v.score.unwrap_or(0.0);
                    }
                    (count, (count > 0).then(|| sum / count as f64))
                };
                let (count, mean) = stats(ctx.year, None, None);
                let previous = stats(ctx.year - 1, None, None);
                if count == 0 && previous.0 == 0 {
                    return None;
                }
                let label = if scope.is_some() { label.clone() } else { d.label.clone() };
                Some(RatingTable {
                    scope: if scope.is_some() { key.clone() } else { String::new() },
                    dimension: d.key.clone(),
                    previous_count: previous.0,
                    key: if scope.is_some() { key.clone() } else { d.key.clone() },
                    label,
                    halves: [1u8, 2]
                        .iter()
                        .map(|h| HalfRating {
                            half: *h,
                            label: half_label(*h).into(),
                            count: stats(ctx.year, Some(*h), None).0,
                            mean: stats(ctx.year, Some(*h), None).1,
                            count_by_gender: ctx
                                .columns
                                .iter()
                                .map(|(gk, s)| (gk.clone(), stats(ctx.year, Some(*h), Some(*s)).0))
                                .collect(),
                            mean_by_gender: ctx
                                .columns
                                .iter()
                                .map(|(gk, s)| (gk.clone(), stats(ctx.year, Some(*h), Some(*s)).1))
                                .collect(),
                            distribution: d
                                .values
                                .iter()
                                .map(|v| (v.label.clone(), n(ctx.year, Some(*h), None, v.id)))
                                .collect(),
                        })
                        .collect(),
                    count,
                    mean,
                    previous_mean: previous.1,
                })
            })
        })
        .collect();
    KindSection {
        key: kind.key.clone(),
        label: kind.label.clone(),
        total: total_row.count,
        by_gender: total_row
            .by_gender
            .into_iter()
            .map(|(g, c)| (g, Cell { count: c.count, share: share(c.count, total_row.count) }))
            .collect(),
        previous_year: total_row.previous_year,
        trend: years.iter().map(|y| YearCount { year: *y, count: measure(*y, None, 0) }).collect(),
        tables,
        surveys,
        ratings,
    }
}

/// Events of `kind` that count: not voided.
fn active<'e>(events: &'e [StoredEvent], kind: &Kind, year: i32) -> impl Iterator<Item = &'e StoredEvent> {
    let kind_id = kind.id;
    events.iter().filter(move |e| e.kind_id == kind_id && e.period.year == year && e.void_reason.is_none())
}

/// Attendees of events of `kind` in `year`, in all and per gender column (where known).
pub(super) fn attendees(events: &[StoredEvent], kind: &Kind, year: i32, split: Option<i64>) -> i64 {
    active(events, kind, year)
        .map(|e| match split {
            None => e.attendees,
            Some(s) => e.by_gender.iter().filter(|(g, _)| *g == s).map(|(_, n)| n).sum(),
        })
        .sum()
}

pub(super) fn event_section(ctx: &Ctx, events: &[StoredEvent], kind: &Kind) -> EventSection {
    let label_of = |id: i64| ctx.columns.iter().find(|(_, s)| *s == id).map(|(k, _)| k.clone());
    let rows: Vec<EventRow> = active(events, kind, ctx.year)
        .map(|e| EventRow {
            id: e.id,
            period: e.period.to_string(),
            name: e.name.clone(),
            organiser: e.organiser.clone(),
            attendees: e.attendees,
            by_gender: e.by_gender.iter().filter_map(|(g, n)| label_of(*g).map(|k| (k, *n))).collect(),
        })
        .collect();
    let totals = |y: i32| EventTotals {
        count: active(events, kind, y).count() as i64,
        attendees: attendees(events, kind, y, None),
    };
    EventSection {
        key: kind.key.clone(),
        label: kind.label.clone(),
        count: rows.len() as i64,
        attendees: rows.iter().map(|r| r.attendees).sum(),
        attendees_by_gender: ctx
            .columns
            .iter()
            .map(|(k, s)| (k.clone(), attendees(events, kind, ctx.year, Some(*s))))
            .collect(),
        events: rows,
        previous_year: totals(ctx.year - 1),
        trend: ctx.years().iter().map(|y| YearCount { year: *y, count: totals(*y).attendees }).collect(),
    }
}

/// Who the cost is divided among: participants during the year for an insats with entries and
/// exits; otherwise the tallies of its first kind (e.g. guidance meetings), or event attendees.
pub(super) fn people(
    config: &Config,
    ctx: &Ctx,
    insats: &Insats,
    events: &[StoredEvent],
    year: i32,
    split: Option<i64>,
) -> (String, i64) {
    if config.flow_kind(insats, Flow::Entry).is_some() {
        return ("deltagare".into(), ctx.flow(year, split, 0).total);
    }
    if let Some(k) = config.kinds_of(insats).find(|k| k.shape == Shape::Tally) {
        return (k.label.to_lowercase(), ctx.counts.get(Some(k.id), year, split, 0));
    }
    if let Some(k) = config.kinds_of(insats).find(|k| k.shape == Shape::Event) {
        return ("besökare".into(), attendees(events, k, year, split));
    }
    ("deltagare".into(), 0)
}

/// The protection tag of `people`: participants, a kind's tallies or an event kind's attendees.
pub(super) fn people_tag(config: &Config, insats: &Insats) -> String {
    if config.flow_kind(insats, Flow::Entry).is_some() {
        return "p:*".into();
    }
    if let Some(k) = config.kinds_of(insats).find(|k| k.shape == Shape::Tally) {
        return format!("c:{}::*", k.key);
    }
    if let Some(k) = config.kinds_of(insats).find(|k| k.shape == Shape::Event) {
        return format!("ev:{}", k.key);
    }
    "p:*".into()
}

/// Outcome per person, or budget per person while the year has no outcome.
pub(super) fn per_person(b: Option<&Budget>, people: i64) -> (Option<f64>, Option<&'static str>) {
    let (amount, basis) = match b {
        Some(Budget { outcome_kr: Some(o), .. }) => (*o, "utfall"),
        Some(Budget { budget_kr: Some(b), .. }) => (*b, "budget"),
        _ => return (None, None),
    };
    (share(amount, people), Some(basis))
}

pub(super) fn cost(
    config: &Config,
    ctx: &Ctx,
    insats: &Insats,
    events: &[StoredEvent],
    budgets: &[(i32, Budget)],
) -> Option<Cost> {
    let of = |y: i32| budgets.iter().find(|(by, _)| *by == y).map(|(_, b)| b);
    let this = of(ctx.year);
    let trend: Vec<YearCost> = ctx
        .years()
        .iter()
        .map(|y| {
            let b = of(*y);
            let people = people(config, ctx, insats, events, *y, None).1;
            YearCost {
                year: *y,
                budget_kr: b.and_then(|b| b.budget_kr),
                outcome_kr: b.and_then(|b| b.outcome_kr),
                people,
                per_person: per_person(b, people).0,
            }
        })
        .collect();
    if trend.iter().all(|t| t.budget_kr.is_none() && t.outcome_kr.is_none()) {
        return None;
    }
    let (per, n) = people(config, ctx, insats, events, ctx.year, None);
    let (per_person, basis) = per_person(this, n);
    Some(Cost {
        people_tag: people_tag(config, insats),
        budget_kr: this.and_then(|b| b.budget_kr),
        outcome_kr: this.and_then(|b| b.outcome_kr),
        per,
        people: n,
        per_person,
        basis,
        trend,
    })
}
