//! The report as a list of plain tables: what the HTML page, the CSV and later exports render.
//! One place decides which tables exist, their headings and their order.

use super::protect::{Basis, Q, Sum};
use super::sections::KindSection;
use super::{FlowFigures, Report, Row};
use crate::sv;

mod kinds;
mod other;

pub use other::{cost_table, event_tables, goal_actual, goal_table, goal_target, goal_value, problem_table};

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
    /// A goal's share, shown so that it reads as its verdict: (share, as counted, as published).
    /// As counted with the decimals it takes ("84,8 %" against "minst 85 %",
    /// `sv::percent_against`); published, the whole percent where that agrees, else only the side
    /// of the target ("under 85 %"), which the verdict tells anyway. Files and JSON take the share;
    /// protection rounds it and keeps only the published text.
    ShareAgainst(f64, String, String),
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
            Value::ShareAgainst(_, shown, _) => shown.clone(),
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
    /// The years whose columns hold figures from earlier annual reports (`report::earlier`).
    pub earlier: Vec<i32>,
    /// A survey's questions with their shares of positive answers (`tables::kinds::survey_table`).
    pub survey: bool,
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
            earlier: Vec::new(),
            survey: false,
        }
    }

    /// Column `i`'s heading, marked when its figures come from an earlier annual report.
    pub fn heading(&self, i: usize) -> String {
        let c = &self.columns[i];
        match c.year {
            Some(y) if self.earlier.contains(&y) => format!("{} (tidigare årsrapport)", c.heading()),
            _ => c.heading(),
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
    super::earlier::overlay(r, &mut out);
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
            ..Table::new(format!("{}_antal", s.key), format!("{} – antal", s.label), Some(kinds::NOT_PEOPLE.into()), "")
        });
    }
    out.extend(s.surveys.iter().map(|g| c.survey_table(s, g)));
    for t in &s.ratings {
        out.extend(c.rating_tables(s, t));
    }
    out
}
