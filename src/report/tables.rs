//! The report as a list of plain tables: what the HTML page, the CSV and later exports render.
//! One place decides which tables exist, their headings and their order.

use super::{Cell, Figure, FlowFigures, Report, Row};
use crate::sv;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Count,
    /// A count with its share of the column total: two CSV columns.
    CountShare,
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
            Value::Months(m) => m.map(sv::decimal).unwrap_or_else(|| "–".into()),
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

/// Every table of the report, in reading order.
pub fn tables(r: &Report) -> Vec<Table> {
    let c = Cols { r };
    let mut out = Vec::new();

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

    if !r.goals.is_empty() {
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
            Column { group: "Saknas av årets avslut".into(), year: None, measure: Measure::Count },
            Column { group: "Behövs fler avslut".into(), year: None, measure: Measure::Count },
        ]);
        let rows = r
            .goals
            .iter()
            .map(|g| {
                let mut cells = vec![
                    Value::Text(format!(
                        "{} {}",
                        g.comparator.label(),
                        sv::percent_exact((g.target * 10_000.0).round() as i64)
                    )),
                    Value::Share(g.actual),
                    Value::Share(g.previous_actual),
                ];
                for k in &r.genders {
                    cells.push(Value::Share(g.actual_by_gender.get(&k.key).copied().flatten()));
                }
                cells.push(Value::Text(
                    match g.met {
                        Some(true) => "Ja",
                        Some(false) => "Nej",
                        None => "Kan inte mätas",
                    }
                    .into(),
                ));
                cells.push(g.short_by.map(Value::Count).unwrap_or(Value::Text("–".into())));
                cells.push(g.needed_more.map(Value::Count).unwrap_or(Value::Text("–".into())));
                TableRow { label: g.label.clone(), cells, emphasis: false, problem: false }
            })
            .collect();
        out.push(Table {
            key: "mal".into(),
            title: format!("Mål {}", r.year),
            note: r
                .goals_year
                .filter(|y| *y != r.year)
                .map(|y| format!("Inga egna mål är satta för {}; målen från {y} gäller.", r.year)),
            row_heading: "Mål".into(),
            columns,
            rows,
        });
    }

    if !r.flow_problems.is_empty() {
        out.push(Table {
            key: "dataproblem".into(),
            title: "Dataproblem".into(),
            note: Some("Fler avslut än deltagare i en kategori betyder att något är felregistrerat. Siffrorna visas som de är.".into()),
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
        });
    }
    out
}
