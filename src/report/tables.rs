//! The report as a list of plain tables: what the HTML page, the CSV and later exports render.
//! One place decides which tables exist, their headings and their order.

use super::protect::{Basis, Q, Sum};
use super::sections::{ChoiceTable, Cost, EventSection, KindSection, RatingTable, SurveyGroup};
use super::{Cell, FlowFigures, GoalStatus, Report, Row};
use crate::sv;

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
    /// Left out by small-number protection.
    Hidden(Hidden),
}

/// A figure left out of a protected table, shown as the one configured symbol ("..") whatever
/// the reason: a small count, a figure that would give one away, or a share or mean of too few.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hidden(pub String);

impl Hidden {
    pub fn display(&self) -> &str {
        &self.0
    }
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
            Value::Hidden(h) => h.display().to_string(),
        }
    }
    pub fn is_hidden(&self) -> bool {
        matches!(self, Value::Hidden(_))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    pub label: String,
    pub cells: Vec<Value>,
    /// What each cell rests on, for small-number protection (empty: nothing to protect).
    pub basis: Vec<Basis>,
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
    /// Totals and the parts they add up to, across the table's cells and beyond.
    pub sums: Vec<Sum>,
    /// Set once small-number protection has been applied.
    pub protected: bool,
}

impl TableRow {
    fn new(label: impl Into<String>, cells: Vec<Value>, basis: Vec<Basis>) -> TableRow {
        TableRow { label: label.into(), cells, basis, emphasis: false, problem: false }
    }
    fn emphasis(self) -> TableRow {
        TableRow { emphasis: true, ..self }
    }
}

impl Table {
    fn new(key: impl Into<String>, title: impl Into<String>, note: Option<String>, heading: &str) -> Table {
        Table {
            key: key.into(),
            title: title.into(),
            note,
            row_heading: heading.into(),
            columns: Vec::new(),
            rows: Vec::new(),
            sums: Vec::new(),
            protected: false,
        }
    }
}

/// The count of a report row for a year (this or the previous) and a gender column (`None`: all).
fn row_count(row: &Row, this_year: bool, gender: Option<&str>) -> i64 {
    let (count, by) =
        if this_year { (row.count, &row.by_gender) } else { (row.previous_year.count, &row.previous_year.by_gender) };
    match gender {
        None => count,
        Some(g) => by.get(g).map(|c| c.count).unwrap_or(0),
    }
}

/// A flow figure for a year (this or the previous) and a gender column.
fn flow_figures(r: &Report, this_year: bool, gender: Option<&str>) -> FlowFigures {
    let p = &r.participants;
    match (this_year, gender) {
        (true, None) => {
            FlowFigures { total: p.total, at_start: p.at_start, entries: p.entries, exits: p.exits, at_end: p.at_end }
        }
        (true, Some(g)) => p.by_gender.get(g).copied().unwrap_or_default(),
        (false, None) => p.previous_year.figures,
        (false, Some(g)) => p.previous_year.by_gender.get(g).copied().unwrap_or_default(),
    }
}

/// What a distribution's rows count and what they are shares of, for protection: tags are
/// `{prefix}{row tag}` and `{total}`, `total_of` gives the column total.
struct Dist<'a> {
    prefix: String,
    total: String,
    total_of: &'a dyn Fn(bool, Option<&str>) -> i64,
    /// The rows are a partition of the total (not for multi-choice values).
    partition: bool,
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
    /// Each group with this year and the previous: (gender, this year?, year).
    fn cells(&self) -> Vec<(Option<String>, bool, i32)> {
        self.groups()
            .into_iter()
            .flat_map(|(_, g)| [(g.clone(), true, self.r.year), (g, false, self.r.previous_year)])
            .collect()
    }
    fn columns(&self, measure: Measure) -> Vec<Column> {
        self.groups()
            .into_iter()
            .flat_map(|(group, _)| {
                [self.r.year, self.r.previous_year].map(|y| Column { group: group.clone(), year: Some(y), measure })
            })
            .collect()
    }
    /// A row of the participant flow; `tag` gives the field's tag and year for a report year.
    fn flow_row(&self, label: &str, pick: fn(&FlowFigures) -> i64, tag: &dyn Fn(i32) -> (String, i32)) -> TableRow {
        let mut row = TableRow::new(label, Vec::new(), Vec::new());
        for (g, this, y) in self.cells() {
            let n = pick(&flow_figures(self.r, this, g.as_deref()));
            let (base, period) = tag(y);
            row.cells.push(Value::Count(n));
            row.basis.push(Basis::Count(Q::new(&base, period, g.as_deref(), n)));
        }
        row.problem = row.cells.iter().any(|v| matches!(v, Value::Count(n) if *n < 0));
        row
    }
    fn dist_row(&self, row: &Row, d: &Dist) -> TableRow {
        let mut out = TableRow::new(row.label.clone(), Vec::new(), Vec::new());
        for (g, this, y) in self.cells() {
            let g = g.as_deref();
            let (count, share) = match (this, g) {
                (true, None) => (row.count, row.share),
                (false, None) => (row.previous_year.count, row.previous_year.share),
                (true, Some(k)) => row.by_gender.get(k).map(|c| (c.count, c.share)).unwrap_or((0, None)),
                (false, Some(k)) => row.previous_year.by_gender.get(k).map(|c| (c.count, c.share)).unwrap_or((0, None)),
            };
            out.cells.push(Value::CountShare(count, share));
            out.basis.push(Basis::CountShare(
                Q::new(&format!("{}{}", d.prefix, row.tag), y, g, count),
                Q::new(&d.total, y, g, (d.total_of)(this, g)),
            ));
        }
        out.problem = row.count < 0 || row.by_gender.values().any(|c| c.count < 0);
        out.emphasis = row.group || row.unstated;
        out
    }
    /// The sums a distribution declares: its rows add up to the total, a group to its members.
    fn dist_sums(&self, rows: &[Row], d: &Dist) -> Vec<Sum> {
        let mut sums = Vec::new();
        for (g, this, y) in self.cells() {
            let g = g.as_deref();
            let q = |tag: &str, n: i64| Q::new(&format!("{}{tag}", d.prefix), y, g, n);
            if d.partition {
                sums.push(Sum {
                    total: Q::new(&d.total, y, g, (d.total_of)(this, g)),
                    parts: rows.iter().filter(|r| !r.group).map(|r| q(&r.tag, row_count(r, this, g))).collect(),
                });
            }
            for group in rows.iter().filter(|r| r.group) {
                let parts = group
                    .parts
                    .iter()
                    .map(|t| q(t, rows.iter().find(|r| &r.tag == t).map(|r| row_count(r, this, g)).unwrap_or(0)))
                    .collect();
                sums.push(Sum { total: q(&group.tag, row_count(group, this, g)), parts });
            }
        }
        sums
    }
    /// One column per year of the report's five years, headed by the year alone.
    fn year_columns(&self) -> Vec<Column> {
        self.r.years.iter().map(|y| Column { group: y.to_string(), year: None, measure: Measure::Count }).collect()
    }
    /// Tallies of a kind this year and the year before, per gender.
    fn section_total_row(&self, s: &KindSection) -> TableRow {
        let mut row = TableRow::new("Alla registreringar", Vec::new(), Vec::new()).emphasis();
        for (g, this, y) in self.cells() {
            let n = section_total(s, this, g.as_deref());
            row.cells.push(Value::CountShare(n, None));
            row.basis.push(Basis::Count(Q::new(&format!("c:{}::*", s.key), y, g.as_deref(), n)));
        }
        row
    }
    fn choice_table(&self, s: &KindSection, t: &ChoiceTable) -> Table {
        let note = if t.multiple {
            "Flera val per registrering: andelen är andelen av registreringarna med valet.".to_string()
        } else {
            "Andel av registreringarna i samma kolumn.".into()
        };
        let total_of = |this: bool, g: Option<&str>| section_total(s, this, g);
        let d = Dist {
            prefix: format!("c:{}::", s.key),
            total: format!("c:{}::*", s.key),
            total_of: &total_of,
            partition: !t.multiple,
        };
        let mut table = self.dist_table(
            &format!("{}_{}", s.key, t.key),
            format!("{} – {}", s.label, t.label),
            Some(note),
            &t.label,
            &t.rows,
            &d,
        );
        table.rows.push(self.section_total_row(s));
        if let Some(choices) = t.choices {
            // The number of values chosen in all: only this year's total is known.
            let all = Q::new(&format!("c:{}::{}.*", s.key, t.key), self.r.year, None, choices);
            let mut row = TableRow::new("Antal val", Vec::new(), Vec::new()).emphasis();
            for (g, this, _) in self.cells() {
                if this && g.is_none() {
                    row.cells.push(Value::CountShare(choices, None));
                    row.basis.push(Basis::Count(all.clone()));
                } else {
                    row.cells.push(Value::Text(String::new()));
                    row.basis.push(Basis::None);
                }
            }
            table.rows.push(row);
            table.sums.push(Sum {
                total: all,
                parts: t
                    .rows
                    .iter()
                    .filter(|r| !r.group && !r.unstated)
                    .map(|r| Q::new(&format!("c:{}::{}", s.key, r.tag), self.r.year, None, r.count))
                    .collect(),
            });
        }
        table
    }
    /// Survey questions × answers, positive answers per gender and in all, and the share positive
    /// over the report's five years.
    fn survey_table(&self, s: &KindSection, g: &SurveyGroup) -> Table {
        let r = self.r;
        let y = Some(r.year);
        let scope = if g.key == "alla" { "" } else { g.key.as_str() };
        let base = |set: &str| format!("c:{}:{scope}:{set}", s.key);
        let mut columns = vec![Column { group: "Svar".into(), year: y, measure: Measure::Count }];
        for (group, _) in self.groups() {
            columns.push(Column { group, year: y, measure: Measure::CountShare });
        }
        columns.extend(r.years.iter().map(|ty| Column {
            group: "Andel positiva".into(),
            year: Some(*ty),
            measure: Measure::Share,
        }));
        let respondents = Q::new(&base("*"), r.year, None, g.respondents);
        let mut first = TableRow::new(
            "Besvarade enkäter",
            vec![Value::Count(g.respondents)],
            vec![Basis::Count(respondents.clone())],
        )
        .emphasis();
        for (_, key) in self.groups() {
            let n = match &key {
                Some(k) => g.respondents_by_gender.get(k).copied().unwrap_or(0),
                None => g.respondents,
            };
            first.cells.push(Value::CountShare(n, None));
            first.basis.push(Basis::Count(Q::new(&base("*"), r.year, key.as_deref(), n)));
        }
        for _ in &r.years {
            first.cells.push(Value::Text(String::new()));
            first.basis.push(Basis::None);
        }
        let mut rows = vec![first];
        let sums = self.survey_sums(s, g);
        rows.extend(g.questions.iter().map(|q| {
            let answered = |year: i32, gender: Option<&str>, n: i64| Q::new(&base(&q.answered_tag), year, gender, n);
            let positive = |year: i32, gender: Option<&str>, n: i64| Q::new(&base(&q.positive_tag), year, gender, n);
            let mut row = TableRow::new(
                q.label.clone(),
                vec![Value::Count(q.answered)],
                vec![Basis::Count(answered(r.year, None, q.answered))],
            );
            for (_, key) in self.groups() {
                let (cell, a) = match &key {
                    Some(k) => (
                        q.by_gender.get(k).copied().unwrap_or_default(),
                        q.answered_by_gender.get(k).copied().unwrap_or(0),
                    ),
                    None => (Cell { count: q.positive, share: q.share }, q.answered),
                };
                row.cells.push(Value::CountShare(cell.count, cell.share));
                row.basis.push(Basis::CountShare(
                    positive(r.year, key.as_deref(), cell.count),
                    answered(r.year, key.as_deref(), a),
                ));
            }
            // The trend follows the report's years; a year missing from it had no answers.
            for ty in &r.years {
                let t = q.trend.iter().find(|t| t.year == *ty);
                row.cells.push(Value::Share(t.and_then(|t| t.share)));
                row.basis.push(Basis::Share {
                    num: positive(*ty, None, t.map(|t| t.positive).unwrap_or(0)),
                    den: answered(*ty, None, t.map(|t| t.answered).unwrap_or(0)),
                });
            }
            row
        }));
        let note = "Svar: hur många som svarade på frågan. Per kön och totalt: antal positiva svar och andelen av dem som svarade. Ofta, för det mesta och alltid räknas som positiva; för ja/nej-frågor ja.".to_string();
        let (key, title) = if g.key == "alla" {
            (format!("{}_svar", s.key), format!("{} – frågor", s.label))
        } else {
            (format!("{}_svar_{}", s.key, g.key), format!("{} – {}", s.label, g.label))
        };
        Table { columns, rows, sums, ..Table::new(key, title, Some(note), "Fråga") }
    }
    /// What a reader knows of a survey table beyond its cells: its respondents are the respondent
    /// group's row in the scope's table, and per gender no question has more positive answers
    /// than answers, nor more answers than respondents (as sums with a never-shown remainder).
    fn survey_sums(&self, s: &KindSection, g: &SurveyGroup) -> Vec<Sum> {
        let r = self.r;
        let scope = if g.key == "alla" { "" } else { g.key.as_str() };
        let base = |set: &str| format!("c:{}:{scope}:{set}", s.key);
        let group_row =
            s.tables.iter().filter(|t| !t.multiple).flat_map(|t| &t.rows).find(|row| {
                !row.group && !scope.is_empty() && row.tag.rsplit_once('.').is_some_and(|(_, v)| v == scope)
            });
        let mut sums = Vec::new();
        for (_, key) in self.groups() {
            let gender = key.as_deref();
            let respondents = match gender {
                Some(k) => g.respondents_by_gender.get(k).copied().unwrap_or(0),
                None => g.respondents,
            };
            let resp = Q::new(&base("*"), r.year, gender, respondents);
            if let Some(row) = group_row {
                let n = match gender {
                    Some(k) => row.by_gender.get(k).map(|c| c.count).unwrap_or(0),
                    None => row.count,
                };
                sums.push(Sum {
                    total: Q::new(&format!("c:{}::{}", s.key, row.tag), r.year, gender, n),
                    parts: vec![resp.clone()],
                });
            }
            for q in &g.questions {
                let (p, a) = match gender {
                    Some(k) => (
                        q.by_gender.get(k).map(|c| c.count).unwrap_or(0),
                        q.answered_by_gender.get(k).copied().unwrap_or(0),
                    ),
                    None => (q.positive, q.answered),
                };
                let answered = Q::new(&base(&q.answered_tag), r.year, gender, a);
                let rest = |what: &str, n: i64| Q::new(&base(&format!("{what}~{}", q.key)), r.year, gender, n);
                sums.push(Sum {
                    total: answered.clone(),
                    parts: vec![Q::new(&base(&q.positive_tag), r.year, gender, p), rest("ej_positiva", a - p)],
                });
                sums.push(Sum { total: resp.clone(), parts: vec![answered, rest("ej_svar", respondents - a)] });
            }
        }
        sums
    }
    /// A rated activity: count and mean per half-year, then the ratings' distribution.
    fn rating_tables(&self, s: &KindSection, t: &RatingTable) -> [Table; 2] {
        let r = self.r;
        let blank = || Value::Text(String::new());
        let base = |what: &str| format!("c:{}:{}:{what}", s.key, t.scope);
        let score = |label: &str| base(&format!("{}#{label}", t.dimension));
        let half = |h: u8| format!("{}h{h}", r.year);
        let mean_id = |period: &str| Some(format!("mean:{}:{}:{}@{period}", s.key, t.scope, t.dimension));
        let labels: Vec<&String> =
            t.halves.first().map(|h| h.distribution.iter().map(|(l, _)| l).collect()).unwrap_or_default();
        let dist_of = |h: &super::sections::HalfRating| -> Vec<Q> {
            h.distribution.iter().map(|(l, n)| Q::new(&score(l), half(h.half), None, *n)).collect()
        };
        let year_n = |label: &str| -> i64 {
            t.halves.iter().map(|h| h.distribution.iter().find(|(l, _)| l == label).map(|(_, n)| *n).unwrap_or(0)).sum()
        };
        let year_dist: Vec<Q> = labels.iter().map(|l| Q::new(&score(l), r.year, None, year_n(l))).collect();
        // The score of each label, for a mean computed from published counts.
        let scores: Vec<f64> = labels.iter().map(|l| l.trim().parse().unwrap_or(f64::NAN)).collect();
        let mut columns = vec![
            Column { group: "Antal betyg".into(), year: None, measure: Measure::Count },
            Column { group: "Medelbetyg".into(), year: None, measure: Measure::Count },
        ];
        columns.extend(r.genders.iter().map(|g| Column {
            group: format!("Medelbetyg {}", g.label.to_lowercase()),
            year: None,
            measure: Measure::Count,
        }));
        let mut sums = Vec::new();
        let mut rows: Vec<TableRow> = t
            .halves
            .iter()
            .map(|h| {
                let count = Q::new(&base("*"), half(h.half), None, h.count);
                let dist = dist_of(h);
                sums.push(Sum { total: count.clone(), parts: dist.clone() });
                let mut row = TableRow::new(
                    format!("{} {}", h.label, r.year),
                    vec![Value::Count(h.count), Value::Mean(h.mean)],
                    vec![
                        Basis::Count(count.clone()),
                        Basis::Derived {
                            id: mean_id(&half(h.half)),
                            den: Some(count.clone()),
                            deps: dist.clone(),
                            weights: scores.clone(),
                        },
                    ],
                );
                for g in &r.genders {
                    let n = h.count_by_gender.get(&g.key).copied().unwrap_or(0);
                    row.cells.push(Value::Mean(h.mean_by_gender.get(&g.key).copied().flatten()));
                    let mut deps = dist.clone();
                    deps.push(count.clone());
                    row.basis.push(Basis::Derived {
                        id: None,
                        den: Some(Q::new(&base("*"), half(h.half), Some(&g.key), n)),
                        deps,
                        weights: Vec::new(),
                    });
                }
                row
            })
            .collect();
        let year_count = Q::new(&base("*"), r.year, None, t.count);
        sums.push(Sum {
            total: year_count.clone(),
            parts: t.halves.iter().map(|h| Q::new(&base("*"), half(h.half), None, h.count)).collect(),
        });
        sums.push(Sum { total: year_count.clone(), parts: year_dist.clone() });
        let mut year = TableRow::new(
            format!("Hela {}", r.year),
            vec![Value::Count(t.count), Value::Mean(t.mean)],
            vec![
                Basis::Count(year_count.clone()),
                Basis::Derived {
                    id: mean_id(&r.year.to_string()),
                    den: Some(year_count),
                    deps: year_dist.clone(),
                    weights: scores.clone(),
                },
            ],
        )
        .emphasis();
        for _ in &r.genders {
            year.cells.push(blank());
            year.basis.push(Basis::None);
        }
        rows.push(year);
        let mut previous = TableRow::new(
            format!("Hela {}", r.previous_year),
            vec![blank(), Value::Mean(t.previous_mean)],
            vec![
                Basis::None,
                Basis::Derived {
                    id: mean_id(&r.previous_year.to_string()),
                    den: Some(Q::new(&base("*"), r.previous_year, None, t.previous_count)),
                    deps: vec![],
                    weights: vec![],
                },
            ],
        );
        for _ in &r.genders {
            previous.cells.push(blank());
            previous.basis.push(Basis::None);
        }
        rows.push(previous);
        let key = format!("{}_betyg_{}", s.key, t.key);
        let means = Table {
            columns,
            rows,
            sums,
            ..Table::new(
                key.clone(),
                format!("{} – {}", s.label, t.label),
                Some("Betyg från 0 till 10. Medelbetyget visas med en decimal.".into()),
                "Period",
            )
        };
        let mut columns: Vec<Column> =
            t.halves.iter().map(|h| Column { group: h.label.clone(), year: None, measure: Measure::Count }).collect();
        columns.push(Column { group: "Hela året".into(), year: None, measure: Measure::Count });
        let mut sums = Vec::new();
        let rows = labels
            .iter()
            .zip(&year_dist)
            .map(|(label, year_q)| {
                let mut row = TableRow::new((*label).clone(), Vec::new(), Vec::new());
                let mut parts = Vec::new();
                for h in &t.halves {
                    let n = h.distribution.iter().find(|(l, _)| l == *label).map(|(_, n)| *n).unwrap_or(0);
                    let q = Q::new(&score(label), half(h.half), None, n);
                    row.cells.push(Value::Count(n));
                    row.basis.push(Basis::Count(q.clone()));
                    parts.push(q);
                }
                row.cells.push(Value::Count(year_q.n));
                row.basis.push(Basis::Count(year_q.clone()));
                sums.push(Sum { total: year_q.clone(), parts });
                row
            })
            .collect();
        let distribution = Table {
            columns,
            rows,
            sums,
            ..Table::new(
                format!("{key}_fordelning"),
                format!("{} – {}: antal per betyg {}", s.label, t.label, r.year),
                None,
                "Betyg",
            )
        };
        [means, distribution]
    }
    fn dist_table(
        &self,
        key: &str,
        title: String,
        note: Option<String>,
        heading: &str,
        rows: &[Row],
        d: &Dist,
    ) -> Table {
        Table {
            columns: self.columns(Measure::CountShare),
            rows: rows.iter().map(|r| self.dist_row(r, d)).collect(),
            sums: self.dist_sums(rows, d),
            ..Table::new(key, title, note, heading)
        }
    }
}

/// Tallies of a kind in a year (this or the previous) and gender column.
fn section_total(s: &KindSection, this: bool, g: Option<&str>) -> i64 {
    match (this, g) {
        (true, None) => s.total,
        (false, None) => s.previous_year.count,
        (true, Some(k)) => s.by_gender.get(k).map(|c| c.count).unwrap_or(0),
        (false, Some(k)) => s.previous_year.by_gender.get(k).map(|c| c.count).unwrap_or(0),
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
    let Some((entry, exit)) = r.flow_kinds.clone().filter(|_| r.has_flow) else { return out };
    let entries_tag = format!("c:{entry}::*");
    let exits_tag = format!("c:{exit}::*");

    let mut flow = Table {
        columns: c.columns(Measure::Count),
        rows: vec![
            // Enrolled at the start of a year is the same number as at the end of the one before.
            c.flow_row("Inskrivna vid årets början", |f| f.at_start, &|y| ("e:*".into(), y - 1)),
            c.flow_row("Nya inskrivningar", |f| f.entries, &|y| (entries_tag.clone(), y)),
            c.flow_row("Deltagare under året", |f| f.total, &|y| ("p:*".into(), y)).emphasis(),
            c.flow_row("Avslutade", |f| f.exits, &|y| (exits_tag.clone(), y)),
            c.flow_row("Inskrivna vid årets slut", |f| f.at_end, &|y| ("e:*".into(), y)).emphasis(),
        ],
        ..Table::new(
            "deltagare",
            "Deltagare",
            Some("Deltagare under året = inskrivna vid årets början + nya inskrivningar.".into()),
            "",
        )
    };
    for (g, this, y) in c.cells() {
        let f = flow_figures(r, this, g.as_deref());
        let q = |base: &str, period: i32, n: i64| Q::new(base, period, g.as_deref(), n);
        let total = q("p:*", y, f.total);
        flow.sums.push(Sum {
            total: total.clone(),
            parts: vec![q("e:*", y - 1, f.at_start), q(&entries_tag, y, f.entries)],
        });
        flow.sums.push(Sum { total, parts: vec![q("e:*", y, f.at_end), q(&exits_tag, y, f.exits)] });
    }
    out.push(flow);

    let participants = |this: bool, g: Option<&str>| flow_figures(r, this, g).total;
    let entries = |this: bool, g: Option<&str>| flow_figures(r, this, g).entries;
    let exits = |this: bool, g: Option<&str>| flow_figures(r, this, g).exits;
    let by_participants =
        || Dist { prefix: "p:".into(), total: "p:*".into(), total_of: &participants, partition: true };
    let by_exits = Dist { prefix: format!("c:{exit}::"), total: exits_tag.clone(), total_of: &exits, partition: true };

    if let Some(area) = r.area.as_ref().filter(|_| !r.participants.by_municipality.is_empty()) {
        out.push(c.dist_table(
            "deltagare_kommun",
            format!("Deltagare under året per {}", area.label.to_lowercase()),
            Some("Andel av deltagarna i samma kolumn.".into()),
            &area.label,
            &r.participants.by_municipality,
            &by_participants(),
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
        &Dist { partition: !e.by_reason.is_empty(), ..by_exits },
    );
    let mut total_row = TableRow::new("Alla avslut", Vec::new(), Vec::new()).emphasis();
    let mut share_row = TableRow::new("Andel av deltagarna som avslutats", Vec::new(), Vec::new());
    for (g, this, y) in c.cells() {
        let f = flow_figures(r, this, g.as_deref());
        let x = Q::new(&exits_tag, y, g.as_deref(), f.exits);
        total_row.cells.push(Value::CountShare(f.exits, None));
        total_row.basis.push(Basis::Count(x.clone()));
        share_row.cells.push(Value::Share((f.total != 0).then(|| f.exits as f64 / f.total as f64)));
        share_row.basis.push(Basis::Share { num: x, den: Q::new("p:*", y, g.as_deref(), f.total) });
    }
    exits_table.rows.push(total_row);
    exits_table.rows.push(share_row);
    out.push(exits_table);

    if !e.duration.is_empty() {
        let by_exits =
            Dist { prefix: format!("c:{exit}::"), total: exits_tag.clone(), total_of: &exits, partition: true };
        let mut t = c.dist_table(
            "avslut_tid",
            "Tid i insatsen vid avslut".into(),
            Some("Genomsnittet räknas på mitten av varje tidsintervall och är en uppskattning.".into()),
            "Tid i insatsen",
            &e.duration,
            &by_exits,
        );
        let mut row = TableRow::new("Genomsnittlig tid (månader)", Vec::new(), Vec::new()).emphasis();
        for (g, this, y) in c.cells() {
            let gk = g.as_deref();
            let mean = match (this, gk) {
                (true, None) => e.mean_months,
                (false, None) => e.previous_year.mean_months,
                (true, Some(k)) => e.mean_months_by_gender.get(k).copied().flatten(),
                (false, Some(k)) => e.previous_year.mean_months_by_gender.get(k).copied().flatten(),
            };
            row.cells.push(Value::Months(mean));
            // The mean is a weighted sum of the duration counts: shown only when they all are.
            let deps = e
                .duration
                .iter()
                .map(|d| Q::new(&format!("c:{exit}::{}", d.tag), y, gk, row_count(d, this, gk)))
                .collect();
            let weights = e.duration.iter().map(|d| d.months.unwrap_or(f64::NAN)).collect();
            let den = Some(Q::new(&exits_tag, y, gk, exits(this, gk)));
            row.basis.push(Basis::Derived { id: None, den, deps, weights });
        }
        t.rows.push(row);
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
                &by_participants(),
            ));
        }
        out.push(c.dist_table(
            &format!("{}_nya", cat.key),
            format!("{} – nya inskrivningar", cat.label),
            None,
            &cat.label,
            &cat.entries,
            &Dist { prefix: format!("c:{entry}::"), total: entries_tag.clone(), total_of: &entries, partition: true },
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
            columns: c.columns(Measure::CountShare),
            rows: vec![c.section_total_row(s)],
            ..Table::new(format!("{}_antal", s.key), format!("{} – antal", s.label), None, "")
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
                vec![Value::Text(goal_target(g)), goal_value(g, g.actual), goal_value(g, g.previous_actual)],
                vec![Basis::None, figure(r.year, "*"), figure(r.previous_year, "*")],
            );
            for k in &r.genders {
                row.cells.push(goal_value(g, g.actual_by_gender.get(&k.key).copied().flatten()));
                row.basis.push(figure(r.year, &k.key));
            }
            row.cells.push(Value::Text(
                match g.met {
                    Some(true) => "Ja",
                    Some(false) => "Nej",
                    None => "Kan inte mätas",
                }
                .into(),
            ));
            row.basis.push(Basis::None);
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
