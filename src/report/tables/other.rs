//! The tables of events, cost, goals and data problems.

use super::{Cols, Column, Measure, Table, TableRow, Value};
use crate::report::protect::{Basis, Q, Sum};
use crate::report::sections::{Cost, EventSection};
use crate::report::{GoalStatus, Report};
use crate::sv;

/// Events of one kind: every event of the year with totals, and attendees per year.
pub fn event_tables(r: &Report, e: &EventSection) -> Vec<Table> {
    let c = Cols { r };
    let base = format!("ev:{}", e.key);
    let mut columns = vec![
        Column { group: "Månad".into(), year: None, measure: Measure::Text },
        Column { group: "Arrangör".into(), year: None, measure: Measure::Text },
        Column { group: "Deltagare".into(), year: None, measure: Measure::Count },
    ];
    columns.extend(r.genders.iter().map(|g| Column { group: g.label.clone(), year: None, measure: Measure::Count }));
    let blank = || Value::Text(String::new());
    let mut sums = vec![Sum {
        total: Q::new(&base, r.year, None, e.attendees),
        parts: e.events.iter().map(|ev| Q::new(&format!("{base}#{}", ev.id), r.year, None, ev.attendees)).collect(),
    }];
    let mut rows: Vec<TableRow> = e
        .events
        .iter()
        .map(|ev| {
            let month =
                crate::domain::Period::parse(&ev.period).map(|p| p.label()).unwrap_or_else(|| ev.period.clone());
            let tag = format!("{base}#{}", ev.id);
            let mut row = TableRow::new(
                ev.name.clone(),
                vec![Value::Text(month), Value::Text(ev.organiser.clone()), Value::Count(ev.attendees)],
                vec![Basis::None, Basis::None, Basis::Count(Q::new(&tag, r.year, None, ev.attendees))],
            );
            for g in &r.genders {
                match ev.by_gender.get(&g.key) {
                    Some(n) => {
                        row.cells.push(Value::Count(*n));
                        row.basis.push(Basis::Count(Q::new(&tag, r.year, Some(&g.key), *n)));
                    }
                    None => {
                        row.cells.push(blank());
                        row.basis.push(Basis::None);
                    }
                }
            }
            row
        })
        .collect();
    let mut total = TableRow::new(
        format!("Totalt {} ({})", r.year, sv::plural(e.count, "aktivitet", "aktiviteter")),
        vec![blank(), blank(), Value::Count(e.attendees)],
        vec![Basis::None, Basis::None, Basis::Count(Q::new(&base, r.year, None, e.attendees))],
    )
    .emphasis();
    for g in &r.genders {
        // A gender total only where some event counted that gender.
        let counted: Vec<_> = e.events.iter().filter_map(|ev| ev.by_gender.get(&g.key).map(|n| (ev.id, *n))).collect();
        if counted.is_empty() {
            total.cells.push(blank());
            total.basis.push(Basis::None);
        } else {
            let n = e.attendees_by_gender.get(&g.key).copied().unwrap_or(0);
            let q = Q::new(&base, r.year, Some(&g.key), n);
            total.cells.push(Value::Count(n));
            total.basis.push(Basis::Count(q.clone()));
            sums.push(Sum {
                total: q,
                parts: counted
                    .iter()
                    .map(|(id, n)| Q::new(&format!("{base}#{id}"), r.year, Some(&g.key), *n))
                    .collect(),
            });
        }
    }
    rows.push(total);
    let mut previous = TableRow::new(
        format!("Totalt {} ({})", r.previous_year, sv::plural(e.previous_year.count, "aktivitet", "aktiviteter")),
        vec![blank(), blank(), Value::Count(e.previous_year.attendees)],
        vec![Basis::None, Basis::None, Basis::Count(Q::new(&base, r.previous_year, None, e.previous_year.attendees))],
    );
    for _ in &r.genders {
        previous.cells.push(blank());
        previous.basis.push(Basis::None);
    }
    rows.push(previous);
    vec![
        Table {
            columns,
            rows,
            sums,
            ..Table::new(
                format!("{}_aktiviteter", e.key),
                format!("{} {}", e.label, r.year),
                Some("Deltagare per kön där arrangören har räknat dem; tomt annars.".into()),
                "Aktivitet",
            )
        },
        Table {
            columns: c.year_columns(),
            rows: vec![TableRow::new(
                "Deltagare",
                e.trend.iter().map(|t| Value::Count(t.count)).collect(),
                e.trend.iter().map(|t| Basis::Count(Q::new(&base, t.year, None, t.count))).collect(),
            )],
            ..Table::new(format!("{}_per_ar", e.key), format!("{} – deltagare per år", e.label), None, "")
        },
    ]
}

/// Budget, outcome and cost per person over the report's five years.
pub fn cost_table(r: &Report, cost: &Cost) -> Table {
    let per = &cost.per;
    let mut note = format!(
        "Budget {}: {}. Utfall {}: {}. ",
        r.year,
        cost.budget_kr.map(sv::kronor).unwrap_or_else(|| "inte inlagd".into()),
        r.year,
        cost.outcome_kr.map(sv::kronor).unwrap_or_else(|| "inte inlagt".into())
    );
    match (cost.per_person, cost.basis) {
        (Some(_), Some(basis)) => note += &format!("Kostnaden per {per} {} är räknad på {basis}. ", r.year),
        (None, Some(_)) => note += &format!("Kostnad per {per} kan inte räknas: inga {per} är registrerade för året. "),
        _ => {
            note += &format!("Kostnad per {per} kan inte räknas: ingen budget eller inget utfall är inlagt för året. ")
        }
    }
    note += "Kostnaden per person räknas på utfallet, eller på budgeten så länge året saknar utfall.";
    let mut people = per.clone();
    if let Some(first) = people.get(..1) {
        people = first.to_uppercase() + &people[1..];
    }
    Table {
        columns: vec![
            Column { group: "Budget".into(), year: None, measure: Measure::Count },
            Column { group: "Utfall".into(), year: None, measure: Measure::Count },
            Column { group: people, year: None, measure: Measure::Count },
            Column { group: format!("Kostnad per {per}"), year: None, measure: Measure::Count },
        ],
        rows: cost
            .trend
            .iter()
            .map(|t| {
                let q = Q::new(&cost.people_tag, t.year, None, t.people);
                TableRow {
                    emphasis: t.year == r.year,
                    ..TableRow::new(
                        t.year.to_string(),
                        vec![
                            Value::Kronor(t.budget_kr),
                            Value::Kronor(t.outcome_kr),
                            Value::Count(t.people),
                            Value::Kronor(t.per_person.map(|p| p.round() as i64)),
                        ],
                        vec![
                            Basis::None,
                            Basis::None,
                            Basis::Count(q.clone()),
                            Basis::Derived { id: None, den: Some(q), deps: vec![], weights: vec![] },
                        ],
                    )
                }
            })
            .collect(),
        ..Table::new("kostnad", format!("Kostnad per {per}"), Some(note), "År")
    }
}

/// The target of a goal in its own unit: "minst 45 %", "minst 500", "högst 20 000 kr".
pub fn goal_target(g: &GoalStatus) -> String {
    let target = match g.goal_type {
        "share" => sv::percent_exact((g.target * 10_000.0).round() as i64),
        "cost_per_participant" => sv::kronor(g.target.round() as i64),
        _ => sv::count(g.target.round() as i64),
    };
    format!("{} {target}", g.comparator.label())
}

/// A measured value of a goal in its own unit: a share, a number, or kronor per person.
pub fn goal_value(g: &GoalStatus, x: Option<f64>) -> Value {
    match g.goal_type {
        "share" => Value::Share(x),
        "cost_per_participant" => Value::Kronor(x.map(|x| x.round() as i64)),
        _ => x.map(|x| Value::Count(x.round() as i64)).unwrap_or(Value::Text("–".into())),
    }
}

/// The year's measured share of a share goal, with the decimals it takes to read as its verdict
/// (`sv::percent_against`: "84,8 %" for a miss of "minst 85 %"); other goals as `goal_value`.
pub fn goal_actual(g: &GoalStatus) -> Value {
    match (g.goal_type, g.actual, g.met) {
        ("share", Some(x), Some(met)) if g.denominator > 0 => {
            let bp = (g.target * 10_000.0).round() as i64;
            let shown = sv::percent_against(g.numerator, g.denominator, g.comparator, bp, met);
            if shown == sv::percent(x) {
                return Value::Share(Some(x));
            }
            // Published shares are whole percent: where that would read as the other verdict,
            // only the side of the target is said.
            let side = match (met, g.comparator) {
                (false, crate::domain::Comparator::AtLeast) => "under",
                (false, crate::domain::Comparator::AtMost) => "över",
                (true, c) => c.label(),
            };
            Value::ShareAgainst(x, shown, format!("{side} {}", sv::percent_exact(bp)))
        }
        _ => goal_value(g, g.actual),
    }
}

/// How far from the goal, in its own unit: tallies or a number, kronor for a cost.
fn goal_gap(g: &GoalStatus, n: Option<i64>, kronor: bool) -> Value {
    match n {
        None => Value::Text("–".into()),
        Some(n) if kronor && g.goal_type == "cost_per_participant" => Value::Kronor(Some(n)),
        Some(n) => Value::Count(n),
    }
}

/// The goals and how far from them the year is.
pub fn goal_table(r: &Report) -> Option<Table> {
    if r.goals.is_empty() {
        return None;
    }
    let mut columns = vec![
        Column { group: "Målvärde".into(), year: None, measure: Measure::Text },
        Column { group: format!("Utfall {}", r.year), year: None, measure: Measure::Text },
        Column { group: format!("Utfall {}", r.previous_year), year: None, measure: Measure::Text },
    ];
    for g in &r.genders {
        columns.push(Column {
            group: format!("Utfall {}", g.label.to_lowercase()),
            year: None,
            measure: Measure::Text,
        });
    }
    columns.extend([
        Column { group: "Bedömning".into(), year: None, measure: Measure::Text },
        Column { group: "Saknas i år".into(), year: None, measure: Measure::Count },
        Column { group: "Behövs fler".into(), year: None, measure: Measure::Count },
    ]);
    let mut sums = Vec::new();
    let rows = r
        .goals
        .iter()
        .map(|g| {
            sums.extend(g.basis.sums.iter().cloned());
            // A figure with no known basis is never published.
            let figure = |year: i32, gender: &str| match g.basis.figures.get(&(year, gender.to_string())) {
                Some(f) => Basis::Derived { id: None, den: f.den.clone(), deps: f.deps.clone(), weights: vec![] },
                None => {
                    Basis::Derived { id: None, den: Some(Q { tag: "?".into(), n: 0 }), deps: vec![], weights: vec![] }
                }
            };
            let mut row = TableRow::new(
                g.label.clone(),
                vec![Value::Text(goal_target(g)), goal_actual(g), goal_value(g, g.previous_actual)],
                vec![Basis::None, figure(r.year, "*"), figure(r.previous_year, "*")],
            );
            for k in &r.genders {
                row.cells.push(goal_value(g, g.actual_by_gender.get(&k.key).copied().flatten()));
                row.basis.push(figure(r.year, &k.key));
            }
            // The verdict says which side of the target (and of the band) the figure is on: it is
            // shown exactly when the figure is.
            row.cells.push(Value::Text(g.verdict.label().into()));
            row.basis.push(figure(r.year, "*"));
            row.cells.push(goal_gap(g, g.short_by, true));
            row.basis.push(figure(r.year, "*"));
            row.cells.push(goal_gap(g, g.needed_more, false));
            row.basis.push(figure(r.year, "*"));
            row
        })
        .collect();
    Some(Table {
        columns,
        rows,
        sums,
        ..Table::new("mal", format!("Målen {} i siffror", r.year), Some(goal_note(r)), "Mål")
    })
}

/// What the goal table's distance columns mean, for the kinds of goals it holds.
fn goal_note(r: &Report) -> String {
    let mut note = r
        .goals_year
        .filter(|y| *y != r.year)
        .map(|y| format!("Inga egna mål är satta för {}; målen från {y} gäller. ", r.year))
        .unwrap_or_default();
    let has = |t: &str| r.goals.iter().any(|g| g.goal_type == t);
    let mut short = Vec::new();
    let mut more = Vec::new();
    if has("share") {
        short.push("för ett andelsmål hur många av årets registreringar som hade behövt vara annorlunda");
        more.push("för ett andelsmål hur många fler registreringar som behövs");
    }
    if has("count") {
        short.push("för ett antalsmål hur många som saknas");
        more.push("för ett antalsmål hur många fler som behövs");
    }
    if has("cost_per_participant") {
        short.push("för ett kostnadsmål hur många kronor lägre kostnaden hade behövt vara");
        more.push("för ett kostnadsmål hur många fler personer som behövs till samma kostnad");
    }
    note += &format!("Saknas i år: {}. Behövs fler: {}.", short.join("; "), more.join("; "));
    note
}

/// Categories where more left than were ever enrolled.
pub fn problem_table(r: &Report) -> Option<Table> {
    if r.flow_problems.is_empty() {
        return None;
    }
    Some(Table {
        columns: vec![
            Column { group: "Kön".into(), year: None, measure: Measure::Text },
            Column { group: "Deltagare".into(), year: None, measure: Measure::Count },
            Column { group: "Avslut".into(), year: None, measure: Measure::Count },
        ],
        rows: r
            .flow_problems
            .iter()
            .map(|p| TableRow {
                problem: true,
                ..TableRow::new(
                    if p.dimension.is_empty() { p.value.clone() } else { format!("{}: {}", p.dimension, p.value) },
                    vec![Value::Text(p.gender.clone()), Value::Count(p.enrolled), Value::Count(p.exits)],
                    Vec::new(),
                )
            })
            .collect(),
        ..Table::new(
            "dataproblem",
            "Dataproblem",
            Some(
                "Fler avslut än deltagare i en kategori betyder att något är felregistrerat. Siffrorna visas som de är."
                    .into(),
            ),
            "Kategori",
        )
    })
}
