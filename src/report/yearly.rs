//! The yearly report made from its inputs: the flow arithmetic (participants, entries, exits),
//! the category tables, survey and rating figures, goals and cost, and the data problems.

use super::*;

/// What a yearly report is made from (see `store::report_inputs`).
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub rows: Vec<CountRow>,
    /// How each returned questionnaire answered, this year and the year before (goals by respondent).
    pub answers: Vec<crate::store::tally::AnswerRow>,
    /// The year the goals were set for, and the goals.
    pub goals: (Option<i32>, Vec<Goal>),
    /// Events of the report's five years, voided ones included.
    pub events: Vec<StoredEvent>,
    pub budgets: Vec<(i32, Budget)>,
    /// Figures from earlier annual reports and the enrolled-at-start counts (all years).
    pub earlier: Vec<(i32, crate::domain::earlier::Figure)>,
}

/// Counts indexed for lookup: (kind, year, half, scope, split, value) → n, with every combination
/// of "all halves" (0), "all scopes" and "all splits" (`ALL`) summed in advance. Year
/// `year - FOLDED_BACK` holds all earlier years.
pub(super) struct Counts {
    map: HashMap<(i64, i32, u8, i64, i64, i64), i64>,
}

pub(super) const ALL: i64 = i64::MIN;

impl Counts {
    pub(super) fn new(rows: &[CountRow]) -> Counts {
        let mut map = HashMap::new();
        for r in rows {
            for h in [r.half, 0] {
                for sc in [r.scope_value_id, ALL] {
                    for sp in [r.split_value_id, ALL] {
                        *map.entry((r.kind_id, r.year, h, sc, sp, r.value_id)).or_insert(0) += r.n;
                    }
                }
            }
        }
        Counts { map }
    }
    /// `split` None: summed over all splits (and over halves and scopes).
    pub(super) fn get(&self, kind: Option<i64>, year: i32, split: Option<i64>, value: i64) -> i64 {
        self.fine(kind, year, None, None, split, value)
    }
    /// A count narrowed to a half-year, a scope value and a split, each `None` for all.
    pub(super) fn fine(
        &self,
        kind: Option<i64>,
        year: i32,
        half: Option<u8>,
        scope: Option<i64>,
        split: Option<i64>,
        value: i64,
    ) -> i64 {
        let Some(kind) = kind else { return 0 };
        let key = (kind, year, half.unwrap_or(0), scope.unwrap_or(ALL), split.unwrap_or(ALL), value);
        self.map.get(&key).copied().unwrap_or(0)
    }
}

pub(super) fn share(count: i64, total: i64) -> Option<f64> {
    (total != 0).then(|| count as f64 / total as f64)
}

pub(super) struct Ctx<'a> {
    pub(super) counts: Counts,
    pub(super) entry: Option<i64>,
    pub(super) exit: Option<i64>,
    pub(super) year: i32,
    /// (key, split id) of each gender column.
    pub(super) columns: Vec<(String, i64)>,
    pub(super) gender_dim: Option<&'a Dimension>,
    /// Enrolled at the start of the first tallied year, entered as counts.
    pub(super) opening: Option<super::earlier::Opening>,
    /// The base tags of the earlier figures of the report's years.
    pub(super) earlier_bases: std::collections::BTreeSet<String>,
}

/// The key of the column for tallies that do not state gender.
pub const UNSTATED_GENDER: &str = "uppgift_saknas";

impl Ctx<'_> {
    /// The heading of a gender column ("Kvinnor"; "Uppgift saknas" for tallies without gender).
    pub(super) fn column_label(&self, split: i64) -> String {
        self.gender_dim
            .and_then(|d| d.value_by_id(split))
            .map(|v| v.column_label().to_string())
            .unwrap_or_else(|| "Uppgift saknas".into())
    }

    pub(super) fn flow(&self, year: i32, split: Option<i64>, value: i64) -> FlowFigures {
        let c = &self.counts;
        let mut at_start = 0;
        for y in (self.year - FOLDED_BACK)..year {
            at_start += c.get(self.entry, y, split, value) - c.get(self.exit, y, split, value);
        }
        if let Some(o) = self.opening.as_ref().filter(|o| o.year <= year) {
            at_start += match split {
                Some(s) => o.counts.get(&(s, value)).copied().unwrap_or(0),
                None => o.counts.iter().filter(|((_, v), _)| *v == value).map(|(_, n)| n).sum(),
            };
        }
        let entries = c.get(self.entry, year, split, value);
        let exits = c.get(self.exit, year, split, value);
        FlowFigures { total: at_start + entries, at_start, entries, exits, at_end: at_start + entries - exits }
    }

    /// A distribution row: `measure(year, split, value)` gives the count for one value; `totals`
    /// gives the column totals the shares are taken of.
    pub(super) fn row(
        &self,
        key: &str,
        label: &str,
        value_ids: &[i64],
        measure: &dyn Fn(i32, Option<i64>, i64) -> i64,
    ) -> Row {
        let sum = |year: i32, split: Option<i64>| value_ids.iter().map(|v| measure(year, split, *v)).sum::<i64>();
        let figure = |year: i32| {
            let total = sum(year, None);
            let by_gender = self
                .columns
                .iter()
                .map(|(k, s)| {
                    let n = sum(year, Some(*s));
                    (k.clone(), Cell { count: n, share: share(n, measure(year, Some(*s), 0)) })
                })
                .collect();
            Figure { count: total, share: share(total, measure(year, None, 0)), by_gender }
        };
        let this = figure(self.year);
        Row {
            key: key.into(),
            label: label.into(),
            count: this.count,
            share: this.share,
            by_gender: this.by_gender,
            previous_year: figure(self.year - 1),
            group: false,
            unstated: false,
            months: None,
            tag: String::new(),
            parts: Vec::new(),
        }
    }

    /// Rows for every value of a dimension (retired ones only when they have counts), then its
    /// value groups, then an "uppgift saknas" row when an optional dimension was left out.
    pub(super) fn rows(
        &self,
        dim: &Dimension,
        groups: bool,
        measure: &dyn Fn(i32, Option<i64>, i64) -> i64,
    ) -> Vec<Row> {
        let mut rows: Vec<Row> = dim
            .values
            .iter()
            .map(|v| Row {
                tag: format!("{}.{}", dim.key, v.key),
                months: v.months,
                ..self.row(&v.key, &v.label, &[v.id], measure)
            })
            .zip(&dim.values)
            .filter(|(r, v)| !v.retired || r.count != 0 || r.previous_year.count != 0)
            .map(|(r, _)| r)
            .collect();
        let stated = |year: i32, split: Option<i64>| dim.values.iter().map(|v| measure(year, split, v.id)).sum::<i64>();
        // The single pseudo-value -1 counts the tallies that left this (optional) dimension out.
        let unstated_measure = |year: i32, split: Option<i64>, value: i64| {
            if value == 0 { measure(year, split, 0) } else { measure(year, split, 0) - stated(year, split) }
        };
        let unstated = self.row("uppgift_saknas", "Uppgift saknas", &[-1], &unstated_measure);
        if groups {
            rows.extend(
                dim.shown_groups()
                    .map(|g| group_row(dim, self.row(&g.key, &g.label, &g.value_ids, measure), &g.value_ids)),
            );
        }
        if unstated.count != 0 || unstated.previous_year.count != 0 {
            rows.push(Row { unstated: true, group: false, tag: format!("{}.-", dim.key), ..unstated });
        }
        rows
    }
}

/// A row for a group of values: tagged as their set, with the single values as its parts.
pub(super) fn group_row(dim: &Dimension, row: Row, value_ids: &[i64]) -> Row {
    let parts =
        value_ids.iter().filter_map(|id| dim.value_by_id(*id)).map(|v| format!("{}.{}", dim.key, v.key)).collect();
    Row { group: true, tag: set_tag(dim, value_ids), parts, ..row }
}

/// Builds the yearly report of `insats` for `year` from its count rows (as from
/// `store::tally::counts_for_report`) and the goals that apply.
pub fn yearly(config: &Config, insats: &Insats, year: i32, inputs: &Inputs) -> Report {
    let rows = &inputs.rows;
    let gender_dim = config.gender();
    let mut columns: Vec<(String, i64)> = match gender_dim {
        Some(d) => d
            .values
            .iter()
            .filter(|v| !v.retired || rows.iter().any(|r| r.split_value_id == v.id))
            .map(|v| (v.key.clone(), v.id))
            .collect(),
        None => Vec::new(),
    };
    // Tallies of a kind where gender is optional (or absent) get a column of their own, so the
    // gender columns always add up to the total.
    let opening = super::earlier::Opening::from_figures(&inputs.earlier);
    let opening_unstated = opening.as_ref().is_some_and(|o| o.counts.iter().any(|((g, _), n)| *g == 0 && *n != 0));
    if gender_dim.is_some() && (opening_unstated || rows.iter().any(|r| r.split_value_id == 0 && r.n != 0)) {
        columns.push((UNSTATED_GENDER.into(), 0));
    }
    let entry_kind = config.flow_kind(insats, Flow::Entry);
    let exit_kind = config.flow_kind(insats, Flow::Exit);
    let window: Vec<i32> = ((year - 4)..=year).collect();
    let earlier = super::earlier::tagged(config, insats, &inputs.earlier, &window);
    let ctx = Ctx {
        counts: Counts::new(&inputs.rows),
        entry: entry_kind.map(|k| k.id),
        exit: exit_kind.map(|k| k.id),
        year,
        columns,
        gender_dim,
        opening,
        earlier_bases: super::earlier::bases(&earlier),
    };
    let genders = ctx.columns.iter().map(|(k, id)| KeyLabel { key: k.clone(), label: ctx.column_label(*id) }).collect();

    let year_flow = |y: i32| YearFlow {
        figures: ctx.flow(y, None, 0),
        by_gender: ctx.columns.iter().map(|(k, s)| (k.clone(), ctx.flow(y, Some(*s), 0))).collect(),
    };
    let this = year_flow(year);
    let participants_measure = |y: i32, s: Option<i64>, v: i64| ctx.flow(y, s, v).total;
    let entries_measure = |y: i32, s: Option<i64>, v: i64| ctx.counts.get(ctx.entry, y, s, v);
    let exits_measure = |y: i32, s: Option<i64>, v: i64| ctx.counts.get(ctx.exit, y, s, v);

    // Person categories: dimensions that both entries and exits carry (or entries alone).
    let person_dims: Vec<&Dimension> = config
        .dimensions
        .iter()
        .filter(|d| d.role.is_person() && d.role != Role::Gender)
        .filter(|d| entry_kind.is_some_and(|k| k.takes(d.id).is_some()))
        .collect();
    // Participants during the year per category need exits to carry the category too (else exits
    // would never reduce it); a category only entries carry gets the new-entries table alone.
    let balances = |d: &Dimension| exit_kind.is_none_or(|k| k.takes(d.id).is_some());
    let area_dim = person_dims.iter().find(|d| d.role == Role::Area && balances(d));
    let by_municipality = area_dim.map(|d| ctx.rows(d, true, &participants_measure)).unwrap_or_default();
    let categories = person_dims
        .iter()
        .map(|d| CategoryTable {
            key: d.key.clone(),
            label: d.label.clone(),
            participants: if balances(d) { ctx.rows(d, true, &participants_measure) } else { Vec::new() },
            entries: ctx.rows(d, true, &entries_measure),
        })
        .collect();

    let outcome_dim =
        exit_kind.and_then(|k| config.dimensions.iter().find(|d| d.role == Role::Outcome && k.takes(d.id).is_some()));
    let duration_dim =
        exit_kind.and_then(|k| config.dimensions.iter().find(|d| d.role == Role::Duration && k.takes(d.id).is_some()));
    let mean_months = |y: i32, split: Option<i64>| -> Option<f64> {
        let d = duration_dim?;
        let (mut n, mut sum) = (0i64, 0f64);
        for v in &d.values {
            let c = exits_measure(y, split, v.id);
            if let Some(m) = v.months {
                n += c;
                sum += c as f64 * m;
            }
        }
        (n > 0).then(|| sum / n as f64)
    };
    let prev = year_flow(year - 1);
    let exits = Exits {
        total: this.figures.exits,
        share_of_participants: share(this.figures.exits, this.figures.total),
        by_gender: this
            .by_gender
            .iter()
            .map(|(k, f)| (k.clone(), Cell { count: f.exits, share: share(f.exits, f.total) }))
            .collect(),
        previous_year: ExitsPrevious {
            total: prev.figures.exits,
            share_of_participants: share(prev.figures.exits, prev.figures.total),
            mean_months: mean_months(year - 1, None),
            mean_months_by_gender: ctx
                .columns
                .iter()
                .map(|(k, s)| (k.clone(), mean_months(year - 1, Some(*s))))
                .collect(),
        },
        by_reason: outcome_dim.map(|d| ctx.rows(d, false, &exits_measure)).unwrap_or_default(),
        combined: outcome_dim
            .map(|d| {
                d.shown_groups()
                    .map(|g| group_row(d, ctx.row(&g.key, &g.label, &g.value_ids, &exits_measure), &g.value_ids))
                    .collect()
            })
            .unwrap_or_default(),
        mean_months: mean_months(year, None),
        mean_months_by_gender: ctx.columns.iter().map(|(k, s)| (k.clone(), mean_months(year, Some(*s)))).collect(),
        duration: duration_dim.map(|d| ctx.rows(d, false, &exits_measure)).unwrap_or_default(),
    };

    let goal_statuses =
        inputs.goals.1.iter().map(|g| goal_status::goal_status(config, &ctx, insats, inputs, g, &earlier)).collect();
    let kind_sections = config
        .kinds_of(insats)
        .filter(|k| k.shape == Shape::Tally)
        .map(|k| sections::kind_section(config, &ctx, k))
        // Entries and exits have their own tables; a section only for what those do not show.
        .filter(|s| {
            let flow = config.kind(&s.key).is_some_and(|k| k.flow.is_some());
            !flow || !s.tables.is_empty() || !s.surveys.is_empty() || !s.ratings.is_empty()
        })
        .collect();
    let event_sections = config
        .kinds_of(insats)
        .filter(|k| k.shape == Shape::Event)
        .map(|k| sections::event_section(&ctx, &inputs.events, k))
        .collect();
    let flow_problems = flow_problems(
        config,
        &ctx,
        exit_kind.map(|k| k.dimensions.iter().map(|d| d.dimension_id).collect()).unwrap_or_default(),
    );

    Report {
        association: config.association.clone(),
        insats: KeyLabel { key: insats.key.clone(), label: insats.label.clone() },
        year,
        previous_year: year - 1,
        genders,
        area: area_dim.map(|d| KeyLabel { key: d.key.clone(), label: d.label.clone() }),
        participants: Participants {
            total: this.figures.total,
            at_start: this.figures.at_start,
            entries: this.figures.entries,
            exits: this.figures.exits,
            at_end: this.figures.at_end,
            by_gender: this.by_gender,
            previous_year: prev,
            by_municipality,
        },
        categories,
        exits,
        goals: goal_statuses,
        goals_year: inputs.goals.0,
        flow_problems,
        has_flow: entry_kind.is_some() && exit_kind.is_some(),
        years: ctx.years(),
        sections: kind_sections,
        events: event_sections,
        cost: sections::cost(config, &ctx, insats, &inputs.events, &inputs.budgets),
        closed: None,
        flow_kinds: entry_kind.zip(exit_kind).map(|(e, x)| (e.key.clone(), x.key.clone())),
        earlier_years: {
            let mut y: Vec<i32> = earlier.iter().map(|f| f.year).collect();
            y.sort_unstable();
            y.dedup();
            y
        },
        earlier,
    }
}

fn flow_problems(config: &Config, ctx: &Ctx, exit_dims: Vec<i64>) -> Vec<FlowProblem> {
    let mut out = Vec::new();
    let mut cells: Vec<(String, String, i64)> = vec![(String::new(), "Alla deltagare".into(), 0)];
    for d in
        config.dimensions.iter().filter(|d| d.role.is_person() && d.role != Role::Gender && exit_dims.contains(&d.id))
    {
        for v in &d.values {
            cells.push((d.label.clone(), v.label.clone(), v.id));
        }
    }
    let mut splits: Vec<(String, Option<i64>)> =
        ctx.columns.iter().map(|(_, s)| (ctx.column_label(*s), Some(*s))).collect();
    splits.push(("Totalt".into(), None));
    for (dim_label, value_label, value) in &cells {
        for (gender_label, split) in &splits {
            let f = ctx.flow(ctx.year, *split, *value);
            if f.at_end < 0 {
                out.push(FlowProblem {
                    dimension: dim_label.clone(),
                    value: value_label.clone(),
                    gender: gender_label.clone(),
                    enrolled: f.total,
                    exits: f.exits,
                    message: crate::sv::flow_problem(dim_label, value_label, gender_label, f.total, f.exits),
                });
            }
        }
    }
    out
}
