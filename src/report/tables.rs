//! The report as a list of plain tables: what the HTML page, the CSV and later exports render.
//! One place decides which tables exist, their headings and their order.

use super::sections::{ChoiceTable, Cost, EventSection, KindSection, RatingTable, SurveyGroup};
use super::{Cell, Figure, FlowFigures, GoalStatus, Report, Row};
use crate::sv;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Count,
    /// A count with its share of the column total: two CSV columns.
    CountShare,
    /// A share alone.
    Share,
    Text,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column group, e.g. "Kvinnor" or "Totalt".
    pub group: String,
    pub year: Option<i32>,
    pub measure: Measure,
}

impl Column {
    /// The full heading: "Kvinnor 2023".
    pub fn heading(&self) -> String {
        match self.year {
            Some(y) => format!("{} {y}", self.group),
            None => self.group.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Count(i64),
    CountShare(i64, Option<f64>),
    Share(Option<f64>),
    Months(Option<f64>),
    /// A mean with one decimal on the page (e.g. a rating 0–10).
    Mean(Option<f64>),
    /// Whole kronor.
    Kronor(Option<i64>),
    Text(String),
}

impl Value {
    /// As shown on a page.
    pub fn display(&self) -> String {
        match self {
            Value::Count(n) => sv::count(*n),
            Value::CountShare(n, s) => match s {
                Some(s) => format!("{} ({})", sv::count(*n), sv::percent(*s)),
                None => sv::count(*n),
            },
            Value::Share(s) => s.map(sv::percent).unwrap_or_else(|| "–".into()),
            Value::Months(m) | Value::Mean(m) => m.map(sv::decimal).unwrap_or_else(|| "–".into()),
            Value::Kronor(k) => k.map(sv::kronor).unwrap_or_else(|| "–".into()),
            Value::Text(t) => t.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    pub label: String,
    pub cells: Vec<Value>,
    /// A total or a group of values: shown in bold.
    pub emphasis: bool,
    /// A data problem: shown as one.
    pub problem: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub key: String,
    pub title: String,
    pub note: Option<String>,
    pub row_heading: String,
    pub columns: Vec<Column>,
    pub rows: Vec<TableRow>,
}

struct Cols<'a> {
    r: &'a Report,
}

impl Cols<'_> {
    /// (group label, gender key or None for the total)
    fn groups(&self) -> Vec<(String, Option<String>)> {
        let mut g: Vec<_> = self.r.genders.iter().map(|k| (k.label.clone(), Some(k.key.clone()))).collect();
        g.push(("Totalt".into(), None));
        g
    }
    fn columns(&self, measure: Measure) -> Vec<Column> {
        self.groups()
            .into_iter()
            .flat_map(|(group, _)| {
                [self.r.year, self.r.previous_year].map(|y| Column { group: group.clone(), year: Some(y), measure })
            })
            .collect()
    }
    fn flow_row(&self, label: &str, pick: fn(&FlowFigures) -> i64, emphasis: bool) -> TableRow {
        let p = &self.r.participants;
        let this =
            FlowFigures { total: p.total, at_start: p.at_start, entries: p.entries, exits: p.exits, at_end: p.at_end };
        let mut cells = Vec::new();
        for (_, key) in self.groups() {
            let (a, b) = match &key {
                Some(k) => (
                    p.by_gender.get(k).copied().unwrap_or_default(),
                    p.previous_year.by_gender.get(k).copied().unwrap_or_default(),
                ),
                None => (this, p.previous_year.figures),
            };
            cells.push(Value::Count(pick(&a)));
            cells.push(Value::Count(pick(&b)));
        }
        let problem = cells.iter().any(|v| matches!(v, Value::Count(n) if *n < 0));
        TableRow { label: label.into(), cells, emphasis, problem }
    }
    fn dist_row(&self, row: &Row) -> TableRow {
        let cell = |by: &BTreeMap<String, Cell>, k: &str| {
            by.get(k).map(|c| Value::CountShare(c.count, c.share)).unwrap_or(Value::CountShare(0, None))
        };
        let total = |f: &Figure| Value::CountShare(f.count, f.share);
        let mut cells = Vec::new();
        for (_, key) in self.groups() {
            match &key {
                Some(k) => {
                    cells.push(cell(&row.by_gender, k));
                    cells.push(cell(&row.previous_year.by_gender, k));
                }
                None => {
                    cells.push(Value::CountShare(row.count, row.share));
                    cells.push(total(&row.previous_year));
                }
            }
        }
        let problem = row.count < 0 || row.by_gender.values().any(|c| c.count < 0);
        TableRow { label: row.label.clone(), cells, emphasis: row.group || row.unstated, problem }
    }
    /// One column per year of the report's five years, headed by the year alone.
    fn year_columns(&self) -> Vec<Column> {
        self.r.years.iter().map(|y| Column { group: y.to_string(), year: None, measure: Measure::Count }).collect()
    }
    /// Tallies of a kind this year and the year before, per gender.
    fn section_total_row(&self, s: &KindSection) -> TableRow {
        let mut cells = Vec::new();
        for (_, key) in self.groups() {
            match &key {
                Some(k) => {
                    cells.push(Value::CountShare(s.by_gender.get(k).map(|c| c.count).unwrap_or(0), None));
                    cells.push(Value::CountShare(s.previous_year.by_gender.get(k).map(|c| c.count).unwrap_or(0), None));
                }
                None => {
                    cells.push(Value::CountShare(s.total, None));
                    cells.push(Value::CountShare(s.previous_year.count, None));
                }
            }
        }
        TableRow { label: "Alla registreringar".into(), cells, emphasis: true, problem: false }
    }
    fn choice_table(&self, s: &KindSection, t: &ChoiceTable) -> Table {
        let note = if t.multiple {
            format!(
                "Flera val per registrering: andelen är andelen av registreringarna med valet. Totalt {} val.",
                sv::count(t.choices.unwrap_or(0))
            )
        } else {
            "Andel av registreringarna i samma kolumn.".into()
        };
        let mut table = self.dist_table(
            &format!("{}_{}", s.key, t.key),
            format!("{} – {}", s.label, t.label),
            Some(note),
            &t.label,
            &t.rows,
        );
        table.rows.push(self.section_total_row(s));
        table
    }
    /// Survey questions × answers, positive answers per gender and in all, and the share positive
    /// over the report's five years.
    fn survey_table(&self, s: &KindSection, g: &SurveyGroup) -> Table {
        let r = self.r;
        let y = Some(r.year);
        let mut columns = vec![Column { group: "Svar".into(), year: y, measure: Measure::Count }];
        for (group, _) in self.groups() {
            columns.push(Column { group, year: y, measure: Measure::CountShare });
        }
        columns.extend(r.years.iter().map(|ty| Column {
            group: "Andel positiva".into(),
            year: Some(*ty),
            measure: Measure::Share,
        }));
        let rows = g
            .questions
            .iter()
            .map(|q| {
                let mut cells = vec![Value::Count(q.answered)];
                for (_, key) in self.groups() {
                    cells.push(match &key {
                        Some(k) => q
                            .by_gender
                            .get(k)
                            .map(|c| Value::CountShare(c.count, c.share))
                            .unwrap_or(Value::CountShare(0, None)),
                        None => Value::CountShare(q.positive, q.share),
                    });
                }
                // The trend follows the report's years; a year missing from it had no answers.
                cells.extend(
                    r.years.iter().map(|ty| Value::Share(q.trend.iter().find(|t| t.year == *ty).and_then(|t| t.share))),
                );
                TableRow { label: q.label.clone(), cells, emphasis: false, problem: false }
            })
            .collect();
        let respondents = r
            .genders
            .iter()
            .map(|k| {
                format!(
                    "{} {}",
                    sv::count(g.respondents_by_gender.get(&k.key).copied().unwrap_or(0)),
                    k.label.to_lowercase()
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut note = format!("{} {}", sv::plural(g.respondents, "besvarad enkät", "besvarade enkäter"), r.year);
        if !respondents.is_empty() {
            note += &format!(" ({respondents})");
        }
        note += ". Svar: hur många som svarade på frågan. Per kön och totalt: antal positiva svar och andelen av dem som svarade. Ofta, för det mesta och alltid räknas som positiva; för ja/nej-frågor ja.";
        let (key, title) = if g.key == "alla" {
            (format!("{}_svar", s.key), format!("{} – frågor", s.label))
        } else {
            (format!("{}_svar_{}", s.key, g.key), format!("{} – {}", s.label, g.label))
        };
        Table { key, title, note: Some(note), row_heading: "Fråga".into(), columns, rows }
    }
    /// A rated activity: count and mean per half-year, then the ratings' distribution.
    fn rating_tables(&self, s: &KindSection, t: &RatingTable) -> [Table; 2] {
        let r = self.r;
        let blank = || Value::Text(String::new());
        let mut columns = vec![
            Column { group: "Antal betyg".into(), year: None, measure: Measure::Count },
            Column { group: "Medelbetyg".into(), year: None, measure: Measure::Count },
        ];
        columns.extend(r.genders.iter().map(|g| Column {
            group: format!("Medelbetyg {}", g.label.to_lowercase()),
            year: None,
            measure: Measure::Count,
        }));
        let mut rows: Vec<TableRow> = t
            .halves
            .iter()
            .map(|h| {
                let mut cells = vec![Value::Count(h.count), Value::Mean(h.mean)];
                cells.extend(r.genders.iter().map(|g| Value::Mean(h.mean_by_gender.get(&g.key).copied().flatten())));
                TableRow { label: format!("{} {}", h.label, r.year), cells, emphasis: false, problem: false }
            })
            .collect();
        let mut year = vec![Value::Count(t.count), Value::Mean(t.mean)];
        year.extend(r.genders.iter().map(|_| blank()));
        rows.push(TableRow { label: format!("Hela {}", r.year), cells: year, emphasis: true, problem: false });
        let mut previous = vec![blank(), Value::Mean(t.previous_mean)];
        previous.extend(r.genders.iter().map(|_| blank()));
        rows.push(TableRow {
            label: format!("Hela {}", r.previous_year),
            cells: previous,
            emphasis: false,
            problem: false,
        });
        let key = format!("{}_betyg_{}", s.key, t.key);
        let means = Table {
            key: key.clone(),
            title: format!("{} – {}", s.label, t.label),
            note: Some("Betyg från 0 till 10. Medelbetyget visas med en decimal.".into()),
            row_heading: "Period".into(),
            columns,
            rows,
        };
        let mut columns: Vec<Column> =
            t.halves.iter().map(|h| Column { group: h.label.clone(), year: None, measure: Measure::Count }).collect();
        columns.push(Column { group: "Hela året".into(), year: None, measure: Measure::Count });
        let labels: Vec<&String> =
            t.halves.first().map(|h| h.distribution.iter().map(|(l, _)| l).collect()).unwrap_or_default();
        let distribution = Table {
            key: format!("{key}_fordelning"),
            title: format!("{} – {}: antal per betyg {}", s.label, t.label, r.year),
            note: None,
            row_heading: "Betyg".into(),
            columns,
            rows: labels
                .iter()
                .map(|label| {
                    let of = |h: &super::sections::HalfRating| {
                        h.distribution.iter().find(|(l, _)| l == *label).map(|(_, n)| *n).unwrap_or(0)
                    };
                    let mut cells: Vec<Value> = t.halves.iter().map(|h| Value::Count(of(h))).collect();
                    cells.push(Value::Count(t.halves.iter().map(of).sum()));
                    TableRow { label: (*label).clone(), cells, emphasis: false, problem: false }
                })
                .collect(),
        };
        [means, distribution]
    }
    fn dist_table(&self, key: &str, title: String, note: Option<String>, heading: &str, rows: &[Row]) -> Table {
        Table {
            key: key.into(),
            title,
            note,
            row_heading: heading.into(),
            columns: self.columns(Measure::CountShare),
            rows: rows.iter().map(|r| self.dist_row(r)).collect(),
        }
    }
}

/// Every table of the report, in reading order: the participant flow (when the insats has one),
/// the other kinds of tallies, events, cost, goals and data problems.
pub fn tables(r: &Report) -> Vec<Table> {
    let mut out = flow_tables(r);
    for s in &r.sections {
        out.extend(section_tables(r, s));
    }
    for e in &r.events {
        out.extend(event_tables(r, e));
    }
    out.extend(r.cost.as_ref().map(|c| cost_table(r, c)));
    out.extend(goal_table(r));
    out.extend(problem_table(r));
    out
}

/// Participants, exits and person categories: nothing for an insats without entries and exits.
pub fn flow_tables(r: &Report) -> Vec<Table> {
    let c = Cols { r };
    let mut out = Vec::new();
    if !r.has_flow {
        return out;
    }

    out.push(Table {
        key: "deltagare".into(),
        title: "Deltagare".into(),
        note: Some("Deltagare under året = inskrivna vid årets början + nya inskrivningar.".into()),
        row_heading: "".into(),
        columns: c.columns(Measure::Count),
        rows: vec![
            c.flow_row("Inskrivna vid årets början", |f| f.at_start, false),
            c.flow_row("Nya inskrivningar", |f| f.entries, false),
            c.flow_row("Deltagare under året", |f| f.total, true),
            c.flow_row("Avslutade", |f| f.exits, false),
            c.flow_row("Inskrivna vid årets slut", |f| f.at_end, true),
        ],
    });

    if let Some(area) = r.area.as_ref().filter(|_| !r.participants.by_municipality.is_empty()) {
        out.push(c.dist_table(
            "deltagare_kommun",
            format!("Deltagare under året per {}", area.label.to_lowercase()),
            Some("Andel av deltagarna i samma kolumn.".into()),
            &area.label,
            &r.participants.by_municipality,
        ));
    }

    let e = &r.exits;
    let mut reason_rows: Vec<Row> = e.by_reason.clone();
    reason_rows.extend(e.combined.iter().cloned());
    let mut exits_table = c.dist_table(
        "avslut_orsak",
        "Avslut per avslutsorsak".into(),
        Some("Andel av alla avslut i samma kolumn.".into()),
        "Avslutsorsak",
        &reason_rows,
    );
    let mut total_cells = Vec::new();
    for (_, key) in c.groups() {
        match &key {
            Some(k) => {
                let this = e.by_gender.get(k).map(|c| c.count).unwrap_or(0);
                let prev = r.participants.previous_year.by_gender.get(k).map(|f| f.exits).unwrap_or(0);
                total_cells.push(Value::CountShare(this, None));
                total_cells.push(Value::CountShare(prev, None));
            }
            None => {
                total_cells.push(Value::CountShare(e.total, None));
                total_cells.push(Value::CountShare(e.previous_year.total, None));
            }
        }
    }
    exits_table.rows.push(TableRow { label: "Alla avslut".into(), cells: total_cells, emphasis: true, problem: false });
    let mut share_cells = Vec::new();
    for (_, key) in c.groups() {
        match &key {
            Some(k) => {
                share_cells.push(Value::Share(e.by_gender.get(k).and_then(|c| c.share)));
                let prev = r.participants.previous_year.by_gender.get(k).copied().unwrap_or_default();
                share_cells.push(Value::Share((prev.total != 0).then(|| prev.exits as f64 / prev.total as f64)));
            }
            None => {
                share_cells.push(Value::Share(e.share_of_participants));
                share_cells.push(Value::Share(e.previous_year.share_of_participants));
            }
        }
    }
    exits_table.rows.push(TableRow {
        label: "Andel av deltagarna som avslutats".into(),
        cells: share_cells,
        emphasis: false,
        problem: false,
    });
    out.push(exits_table);

    if !e.duration.is_empty() {
        let mut t = c.dist_table(
            "avslut_tid",
            "Tid i insatsen vid avslut".into(),
            Some("Genomsnittet räknas på mitten av varje tidsintervall och är en uppskattning.".into()),
            "Tid i insatsen",
            &e.duration,
        );
        let mut cells = Vec::new();
        for (_, key) in c.groups() {
            match &key {
                Some(k) => {
                    cells.push(Value::Months(e.mean_months_by_gender.get(k).copied().flatten()));
                    cells.push(Value::Months(e.previous_year.mean_months_by_gender.get(k).copied().flatten()));
                }
                None => {
                    cells.push(Value::Months(e.mean_months));
                    cells.push(Value::Months(e.previous_year.mean_months));
                }
            }
        }
        t.rows.push(TableRow { label: "Genomsnittlig tid (månader)".into(), cells, emphasis: true, problem: false });
        out.push(t);
    }

    for cat in &r.categories {
        if !cat.participants.is_empty() {
            out.push(c.dist_table(
                &format!("{}_deltagare", cat.key),
                format!("{} – deltagare under året", cat.label),
                None,
                &cat.label,
                &cat.participants,
            ));
        }
        out.push(c.dist_table(
            &format!("{}_nya", cat.key),
            format!("{} – nya inskrivningar", cat.label),
            None,
            &cat.label,
            &cat.entries,
        ));
    }

    out
}

/// The tables of one other kind of tally: one per category, one per survey group, and two per
/// rated activity (means and the distribution of ratings).
pub fn section_tables(r: &Report, s: &KindSection) -> Vec<Table> {
    let c = Cols { r };
    let mut out: Vec<Table> = s.tables.iter().map(|t| c.choice_table(s, t)).collect();
    if out.is_empty() {
        out.push(Table {
            key: format!("{}_antal", s.key),
            title: format!("{} – antal", s.label),
            note: None,
            row_heading: "".into(),
            columns: c.columns(Measure::CountShare),
            rows: vec![c.section_total_row(s)],
        });
    }
    out.extend(s.surveys.iter().map(|g| c.survey_table(s, g)));
    for t in &s.ratings {
        out.extend(c.rating_tables(s, t));
    }
    out
}

/// Events of one kind: every event of the year with totals, and attendees per year.
pub fn event_tables(r: &Report, e: &EventSection) -> Vec<Table> {
    let c = Cols { r };
    let mut columns = vec![
        Column { group: "Månad".into(), year: None, measure: Measure::Text },
        Column { group: "Arrangör".into(), year: None, measure: Measure::Text },
        Column { group: "Deltagare".into(), year: None, measure: Measure::Count },
    ];
    columns.extend(r.genders.iter().map(|g| Column { group: g.label.clone(), year: None, measure: Measure::Count }));
    let blank = || Value::Text(String::new());
    let mut rows: Vec<TableRow> = e
        .events
        .iter()
        .map(|ev| {
            let month =
                crate::domain::Period::parse(&ev.period).map(|p| p.label()).unwrap_or_else(|| ev.period.clone());
            let mut cells = vec![Value::Text(month), Value::Text(ev.organiser.clone()), Value::Count(ev.attendees)];
            cells.extend(
                r.genders.iter().map(|g| ev.by_gender.get(&g.key).map(|n| Value::Count(*n)).unwrap_or_else(blank)),
            );
            TableRow { label: ev.name.clone(), cells, emphasis: false, problem: false }
        })
        .collect();
    let mut total = vec![blank(), blank(), Value::Count(e.attendees)];
    total.extend(r.genders.iter().map(|g| {
        // A gender total only where some event counted that gender.
        let known = e.events.iter().any(|ev| ev.by_gender.contains_key(&g.key));
        if known { Value::Count(e.attendees_by_gender.get(&g.key).copied().unwrap_or(0)) } else { blank() }
    }));
    rows.push(TableRow {
        label: format!("Totalt {} ({})", r.year, sv::plural(e.count, "aktivitet", "aktiviteter")),
        cells: total,
        emphasis: true,
        problem: false,
    });
    let mut previous = vec![blank(), blank(), Value::Count(e.previous_year.attendees)];
    previous.extend(r.genders.iter().map(|_| blank()));
    rows.push(TableRow {
        label: format!(
            "Totalt {} ({})",
            r.previous_year,
            sv::plural(e.previous_year.count, "aktivitet", "aktiviteter")
        ),
        cells: previous,
        emphasis: false,
        problem: false,
    });
    vec![
        Table {
            key: format!("{}_aktiviteter", e.key),
            title: format!("{} {}", e.label, r.year),
            note: Some("Deltagare per kön där arrangören har räknat dem; tomt annars.".into()),
            row_heading: "Aktivitet".into(),
            columns,
            rows,
        },
        Table {
            key: format!("{}_per_ar", e.key),
            title: format!("{} – deltagare per år", e.label),
            note: None,
            row_heading: "".into(),
            columns: c.year_columns(),
            rows: vec![TableRow {
                label: "Deltagare".into(),
                cells: e.trend.iter().map(|t| Value::Count(t.count)).collect(),
                emphasis: false,
                problem: false,
            }],
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
        (Some(p), Some(basis)) => {
            let amount = if basis == "budget" { cost.budget_kr } else { cost.outcome_kr };
            note += &format!(
                "Kostnad per {per}: {}, räknat på {basis} ({} för {} {per}).",
                sv::kronor(p.round() as i64),
                amount.map(sv::kronor).unwrap_or_default(),
                sv::count(cost.people)
            );
        }
        (None, Some(_)) => note += &format!("Kostnad per {per} kan inte räknas: inga {per} är registrerade för året."),
        _ => note += &format!("Kostnad per {per} kan inte räknas: ingen budget eller inget utfall är inlagt för året."),
    }
    note += " Kostnaden per person räknas på utfallet, eller på budgeten så länge året saknar utfall.";
    let mut people = per.clone();
    if let Some(first) = people.get(..1) {
        people = first.to_uppercase() + &people[1..];
    }
    Table {
        key: "kostnad".into(),
        title: format!("Kostnad per {per}"),
        note: Some(note),
        row_heading: "År".into(),
        columns: vec![
            Column { group: "Budget".into(), year: None, measure: Measure::Count },
            Column { group: "Utfall".into(), year: None, measure: Measure::Count },
            Column { group: people, year: None, measure: Measure::Count },
            Column { group: format!("Kostnad per {per}"), year: None, measure: Measure::Count },
        ],
        rows: cost
            .trend
            .iter()
            .map(|t| TableRow {
                label: t.year.to_string(),
                cells: vec![
                    Value::Kronor(t.budget_kr),
                    Value::Kronor(t.outcome_kr),
                    Value::Count(t.people),
                    Value::Kronor(t.per_person.map(|p| p.round() as i64)),
                ],
                emphasis: t.year == r.year,
                problem: false,
            })
            .collect(),
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
        Column { group: "Nått".into(), year: None, measure: Measure::Text },
        Column { group: "Saknas i år".into(), year: None, measure: Measure::Count },
        Column { group: "Behövs fler".into(), year: None, measure: Measure::Count },
    ]);
    let rows = r
        .goals
        .iter()
        .map(|g| {
            let mut cells =
                vec![Value::Text(goal_target(g)), goal_value(g, g.actual), goal_value(g, g.previous_actual)];
            for k in &r.genders {
                cells.push(goal_value(g, g.actual_by_gender.get(&k.key).copied().flatten()));
            }
            cells.push(Value::Text(
                match g.met {
                    Some(true) => "Ja",
                    Some(false) => "Nej",
                    None => "Kan inte mätas",
                }
                .into(),
            ));
            cells.push(goal_gap(g, g.short_by, true));
            cells.push(goal_gap(g, g.needed_more, false));
            TableRow { label: g.label.clone(), cells, emphasis: false, problem: false }
        })
        .collect();
    Some(Table {
        key: "mal".into(),
        title: format!("Målen {} i siffror", r.year),
        note: Some(goal_note(r)),
        row_heading: "Mål".into(),
        columns,
        rows,
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
        key: "dataproblem".into(),
        title: "Dataproblem".into(),
        note: Some(
            "Fler avslut än deltagare i en kategori betyder att något är felregistrerat. Siffrorna visas som de är."
                .into(),
        ),
        row_heading: "Kategori".into(),
        columns: vec![
            Column { group: "Kön".into(), year: None, measure: Measure::Text },
            Column { group: "Deltagare".into(), year: None, measure: Measure::Count },
            Column { group: "Avslut".into(), year: None, measure: Measure::Count },
        ],
        rows: r
            .flow_problems
            .iter()
            .map(|p| TableRow {
                label: if p.dimension.is_empty() { p.value.clone() } else { format!("{}: {}", p.dimension, p.value) },
                cells: vec![Value::Text(p.gender.clone()), Value::Count(p.enrolled), Value::Count(p.exits)],
                emphasis: false,
                problem: true,
            })
            .collect(),
    })
}
