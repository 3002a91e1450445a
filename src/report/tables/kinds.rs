//! The tables of the other kinds of tallies: choices, surveys and ratings.

use super::{Cols, Column, Dist, Measure, Table, TableRow, Value, section_total};
use crate::report::Cell;
use crate::report::protect::{Basis, Q, Sum};
use crate::report::sections::{self, ChoiceTable, KindSection, RatingTable, SurveyGroup};

/// What the tables of a kind other than entries and exits count.
pub(super) const NOT_PEOPLE: &str = "Antalen är registreringar (till exempel möten eller besvarade enkäter), inte personer: samma person kan finnas med flera gånger.";

impl Cols<'_> {
    pub(super) fn choice_table(&self, s: &KindSection, t: &ChoiceTable) -> Table {
        let what = if t.multiple {
            "Flera val per registrering: andelen är andelen av registreringarna med valet."
        } else {
            "Andel av registreringarna i samma kolumn."
        };
        let note = format!("{NOT_PEOPLE} {what}");
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
    pub(super) fn survey_table(&self, s: &KindSection, g: &SurveyGroup) -> Table {
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
        Table { columns, rows, sums, survey: true, ..Table::new(key, title, Some(note), "Fråga") }
    }
    /// What a reader knows of a survey table beyond its cells: its respondents are the respondent
    /// group's row in the scope's table, and per gender no question has more positive answers
    /// than answers, nor more answers than respondents (as sums with a never-shown remainder).
    pub(super) fn survey_sums(&self, s: &KindSection, g: &SurveyGroup) -> Vec<Sum> {
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
    pub(super) fn rating_tables(&self, s: &KindSection, t: &RatingTable) -> [Table; 2] {
        let r = self.r;
        let blank = || Value::Text(String::new());
        let base = |what: &str| format!("c:{}:{}:{what}", s.key, t.scope);
        let score = |label: &str| base(&format!("{}#{label}", t.dimension));
        let half = |h: u8| format!("{}h{h}", r.year);
        let mean_id = |period: &str| Some(format!("mean:{}:{}:{}@{period}", s.key, t.scope, t.dimension));
        let labels: Vec<&String> =
            t.halves.first().map(|h| h.distribution.iter().map(|(l, _)| l).collect()).unwrap_or_default();
        let dist_of = |h: &sections::HalfRating| -> Vec<Q> {
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
}
