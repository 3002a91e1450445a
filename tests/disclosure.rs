//! The attacker: given every published table of every report of an insats (as a reader sees them
//! through the API), try to work out each hidden figure by linear differencing: row and column
//! totals, the tables of the same report (gender tables against municipality tables), the previous
//! year beside each year, and the reports of other years. It must fail on the demo data and on
//! hand-made small-number scenarios, and it must succeed against tables that hide only the small
//! counts themselves (so it is an attacker that can win).
//!
//! The attacker's knowledge of how the tables add up is written here from what the tables say
//! (headings, labels and the category system), independently of the protection code.

mod common;

use common::{TestApp, bulk, exit, now, person};
use pinne::domain::account::Role;
use pinne::domain::event::{self, RawEvent};
use pinne::store;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// A figure the attacker reads: known, or hidden ("<3" small or ".." other).
#[derive(Debug, Clone, PartialEq)]
enum Fig {
    Known(f64),
    Small,
    Other,
}

/// Every published report of one insats, year by year.
struct Published {
    /// (variable name) → figure; a name is the same number wherever it appears.
    figs: BTreeMap<String, Fig>,
    /// Σ parts − total = 0, as lists of (name, coefficient).
    equations: Vec<Vec<(String, f64)>>,
    /// Hidden counts whose share is published beside a known total: given away.
    leaked_by_share: Vec<String>,
}

/// The category system the attacker knows: value groups (label → member labels) and gender labels.
struct Knowledge {
    groups: HashMap<String, Vec<String>>,
    genders: Vec<String>,
}

fn knowledge(app: &TestApp) -> Knowledge {
    let cfg = app.store.config();
    let mut groups = HashMap::new();
    for d in &cfg.dimensions {
        for g in &d.groups {
            let members = g.value_ids.iter().filter_map(|id| d.value_by_id(*id)).map(|v| v.label.clone()).collect();
            groups.insert(g.label.clone(), members);
        }
    }
    let mut genders: Vec<String> =
        cfg.gender().map(|d| d.values.iter().map(|v| v.column_label().to_string()).collect()).unwrap_or_default();
    genders.push("Uppgift saknas".into());
    Knowledge { groups, genders }
}

fn fig(cell: &Value) -> Option<Fig> {
    if let Some(h) = cell["hidden"].as_str() {
        return Some(if h == ".." { Fig::Other } else { Fig::Small });
    }
    cell["value"].as_f64().map(Fig::Known)
}

/// The name of a count cell. Columns headed with a year are the same number in every report;
/// the start of a year is the end of the year before; all exits are the exits of the flow table.
fn name(report_year: i32, table: &str, row: &str, group: &str, year: Option<i32>) -> String {
    match (table, row, year) {
        ("deltagare", "Inskrivna vid årets början", Some(y)) => {
            format!("deltagare|Inskrivna vid årets slut|{group}|{}", y - 1)
        }
        ("avslut_orsak", "Alla avslut", Some(y)) => format!("deltagare|Avslutade|{group}|{y}"),
        (_, _, Some(y)) => format!("{table}|{row}|{group}|{y}"),
        _ if table.ends_with("_per_ar") || table == "kostnad" => format!("{table}|{row}|{group}"),
        _ => format!("{report_year}|{table}|{row}|{group}"),
    }
}

impl Published {
    fn new() -> Published {
        Published { figs: BTreeMap::new(), equations: Vec::new(), leaked_by_share: Vec::new() }
    }

    fn sum(&mut self, total: &str, parts: &[String]) {
        if parts.is_empty() || !self.figs.contains_key(total) || parts.iter().any(|p| !self.figs.contains_key(p)) {
            return;
        }
        let mut eq: Vec<(String, f64)> = parts.iter().map(|p| (p.clone(), 1.0)).collect();
        eq.push((total.to_string(), -1.0));
        self.equations.push(eq);
    }

    /// Reads one report's tables and writes down everything the attacker knows about them.
    fn read(&mut self, k: &Knowledge, report_year: i32, tables: &[Value]) {
        for t in tables {
            let key = t["key"].as_str().unwrap();
            if key == "mal" {
                continue;
            }
            let columns = t["columns"].as_array().unwrap();
            let rows = t["rows"].as_array().unwrap();
            let col = |i: usize| (columns[i]["group"].as_str().unwrap(), columns[i]["year"].as_i64().map(|y| y as i32));
            for r in rows {
                let label = r["label"].as_str().unwrap();
                // Shares and means are not counts: the attacker uses them only through shares.
                if label.starts_with("Andel") || label.starts_with("Genomsnittlig") {
                    continue;
                }
                for (i, c) in r["cells"].as_array().unwrap().iter().enumerate() {
                    let measure = columns[i]["measure"].as_str().unwrap();
                    let group = columns[i]["group"].as_str().unwrap();
                    if !matches!(measure, "count" | "count_share")
                        || group.starts_with("Medelbetyg")
                        || group.starts_with("Kostnad")
                    {
                        continue;
                    }
                    let (group, year) = col(i);
                    if let Some(f) = fig(c) {
                        let n = name(report_year, key, label, group, year);
                        // The same number shown twice must be shown the same way.
                        if let Some(old) = self.figs.get(&n) {
                            assert_eq!(old, &f, "{n} is shown as {old:?} in one place and {f:?} in another");
                        }
                        self.figs.insert(n.clone(), f);
                    }
                    // A share published beside a hidden count gives the count away.
                    if c["hidden"].is_string() && c["share"].is_number() {
                        self.leaked_by_share.push(name(report_year, key, label, group, year));
                    }
                }
            }
            // Within each row: the gender columns of a year add up to its total column.
            let mut years: Vec<Option<i32>> = columns.iter().map(|c| c["year"].as_i64().map(|y| y as i32)).collect();
            years.dedup();
            let total_group = if key.ends_with("_aktiviteter") { "Deltagare" } else { "Totalt" };
            for r in rows {
                let label = r["label"].as_str().unwrap();
                for y in &years {
                    let has =
                        |g: &str| columns.iter().any(|c| c["group"] == g && c["year"].as_i64().map(|v| v as i32) == *y);
                    if !has(total_group) {
                        continue;
                    }
                    let parts: Vec<String> =
                        k.genders.iter().filter(|g| has(g)).map(|g| name(report_year, key, label, g, *y)).collect();
                    // An event row with a gender left blank does not add up.
                    if parts.len() >= 2 || key.ends_with("_aktiviteter") {
                        let gender_cols = k.genders.iter().filter(|g| has(g)).count();
                        if parts.iter().filter(|p| self.figs.contains_key(*p)).count() == gender_cols {
                            self.sum(&name(report_year, key, label, total_group, *y), &parts);
                        }
                    }
                }
            }
            // Rows that partition a total, per column.
            let members: Vec<&str> = rows
                .iter()
                .filter(|r| !r["emphasis"].as_bool().unwrap() || r["label"] == "Uppgift saknas")
                .map(|r| r["label"].as_str().unwrap())
                .collect();
            let partition_of = |group: &str, year: Option<i32>| -> Option<String> {
                let flow = |row: &str| Some(name(report_year, "deltagare", row, group, year));
                match key {
                    "deltagare_kommun" => flow("Deltagare under året"),
                    "avslut_orsak" | "avslut_tid" => flow("Avslutade"),
                    k if k.ends_with("_deltagare") => flow("Deltagare under året"),
                    k if k.ends_with("_nya") => flow("Nya inskrivningar"),
                    k if k.ends_with("_aktiviteter") => {
                        let total = rows.iter().find(|r| r["emphasis"] == true)?;
                        Some(name(report_year, key, total["label"].as_str().unwrap(), group, year))
                    }
                    _ if rows.iter().any(|r| r["label"] == "Antal val") => None,
                    _ if rows.iter().any(|r| r["label"] == "Alla registreringar") => {
                        Some(name(report_year, key, "Alla registreringar", group, year))
                    }
                    _ => None,
                }
            };
            for (i, c) in columns.iter().enumerate() {
                if !matches!(c["measure"].as_str().unwrap(), "count" | "count_share") {
                    continue;
                }
                let (group, year) = col(i);
                if let Some(total) = partition_of(group, year) {
                    let parts: Vec<String> = members
                        .iter()
                        .filter(|m| !m.starts_with("Totalt"))
                        .map(|m| name(report_year, key, m, group, year))
                        .filter(|n| self.figs.contains_key(n))
                        .collect();
                    self.sum(&total, &parts);
                }
                // Groups of values (e.g. egen försörjning) are the sum of their members.
                for r in rows {
                    let label = r["label"].as_str().unwrap();
                    if let Some(m) = k.groups.iter().find(|(g, _)| label.starts_with(g.as_str())).map(|(_, m)| m) {
                        let parts: Vec<String> = m.iter().map(|m| name(report_year, key, m, group, year)).collect();
                        self.sum(&name(report_year, key, label, group, year), &parts);
                    }
                }
                // Several choices per tally: the values add up to the number of choices.
                if rows.iter().any(|r| r["label"] == "Antal val") && group == "Totalt" {
                    let parts: Vec<String> = rows
                        .iter()
                        .filter(|r| !r["emphasis"].as_bool().unwrap())
                        .map(|r| name(report_year, key, r["label"].as_str().unwrap(), group, year))
                        .collect();
                    self.sum(&name(report_year, key, "Antal val", group, year), &parts);
                }
            }
            // The flow: participants = at start + entries = at end + exits.
            if key == "deltagare" {
                for (i, _) in columns.iter().enumerate() {
                    let (group, year) = col(i);
                    let n = |row: &str| name(report_year, key, row, group, year);
                    let during = n("Deltagare under året");
                    self.sum(&during, &[n("Inskrivna vid årets början"), n("Nya inskrivningar")]);
                    self.sum(&during, &[n("Inskrivna vid årets slut"), n("Avslutade")]);
                }
            }
            // Ratings: halves add up to the year, scores to their half.
            if key.contains("_betyg_") && !key.ends_with("_fordelning") {
                let halves: Vec<String> = rows
                    .iter()
                    .filter(|r| !r["emphasis"].as_bool().unwrap() && !r["label"].as_str().unwrap().starts_with("Hela"))
                    .map(|r| name(report_year, key, r["label"].as_str().unwrap(), "Antal betyg", None))
                    .collect();
                self.sum(&name(report_year, key, &format!("Hela {report_year}"), "Antal betyg", None), &halves);
            }
            if key.ends_with("_fordelning") {
                let means = key.trim_end_matches("_fordelning");
                for c in columns {
                    let group = c["group"].as_str().unwrap();
                    let parts: Vec<String> = rows
                        .iter()
                        .map(|r| name(report_year, key, r["label"].as_str().unwrap(), group, None))
                        .collect();
                    let total = if group == "Hela året" {
                        format!("Hela {report_year}")
                    } else {
                        format!("{group} {report_year}")
                    };
                    self.sum(&name(report_year, means, &total, "Antal betyg", None), &parts);
                }
                for r in rows {
                    let label = r["label"].as_str().unwrap();
                    let halves: Vec<String> = columns
                        .iter()
                        .filter(|c| c["group"] != "Hela året")
                        .map(|c| name(report_year, key, label, c["group"].as_str().unwrap(), None))
                        .collect();
                    self.sum(&name(report_year, key, label, "Hela året", None), &halves);
                }
            }
        }
    }

    /// The hidden figures the attacker works out: by differencing one equation at a time until
    /// nothing more follows, by eliminating over all equations together, by a total that pins
    /// its small parts to 1 (or every hidden part to 0), and through shares.
    fn attack(&self) -> Vec<String> {
        let mut known: HashMap<&str, f64> = self
            .figs
            .iter()
            .filter_map(|(n, f)| if let Fig::Known(x) = f { Some((n.as_str(), *x)) } else { None })
            .collect();
        let mut recovered: Vec<String> = self.leaked_by_share.clone();
        loop {
            let mut progress = false;
            for eq in &self.equations {
                let unknown: Vec<&(String, f64)> = eq.iter().filter(|(n, _)| !known.contains_key(n.as_str())).collect();
                if unknown.len() == 1 {
                    let (n, coef) = unknown[0];
                    let rest: f64 = eq.iter().filter(|(m, _)| m != n).map(|(m, c)| c * known[m.as_str()]).sum();
                    known.insert(n.as_str(), -rest / coef);
                    recovered.push(n.clone());
                    progress = true;
                }
            }
            if !progress {
                break;
            }
        }
        // All equations at once.
        let hidden: Vec<&str> = self.figs.keys().map(String::as_str).filter(|n| !known.contains_key(n)).collect();
        let index: HashMap<&str, usize> = hidden.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let rows: Vec<Vec<f64>> = self
            .equations
            .iter()
            .filter_map(|eq| {
                let mut row = vec![0.0; hidden.len()];
                let mut any = false;
                for (n, c) in eq {
                    if let Some(i) = index.get(n.as_str()) {
                        row[*i] += c;
                        any = true;
                    }
                }
                any.then_some(row)
            })
            .collect();
        recovered.extend(
            pinne::report::protect::determined_columns(rows, hidden.len()).into_iter().map(|i| hidden[i].to_string()),
        );
        // Bounds: a small figure is at least 1, any figure at least 0.
        for eq in &self.equations {
            let (total, parts) = eq.split_last().unwrap();
            if !known.contains_key(total.0.as_str()) {
                continue;
            }
            let unknown: Vec<&String> =
                parts.iter().map(|(n, _)| n).filter(|n| !known.contains_key(n.as_str())).collect();
            if unknown.is_empty() {
                continue;
            }
            let rest = known[total.0.as_str()] - parts.iter().filter_map(|(n, _)| known.get(n.as_str())).sum::<f64>();
            let small = unknown.iter().filter(|n| self.figs[n.as_str()] == Fig::Small).count() as f64;
            if rest <= small + 0.5 {
                recovered.extend(unknown.iter().map(|n| format!("{n} (pinned by {})", total.0)));
            }
        }
        recovered.sort();
        recovered.dedup();
        recovered
    }

    fn hidden(&self) -> usize {
        self.figs.values().filter(|f| !matches!(f, Fig::Known(_))).count()
    }

    /// Hides what the attacker's tables hide no more: only the counts 1 and 2 (what protection
    /// without secondary suppression would publish).
    fn primary_only(&self, truth: &Published) -> Published {
        let mut figs = truth.figs.clone();
        for f in figs.values_mut() {
            if let Fig::Known(x) = f
                && *x > 0.0
                && *x < 3.0
            {
                *f = Fig::Small;
            }
        }
        Published { figs, equations: truth.equations.clone(), leaked_by_share: Vec::new() }
    }
}

/// The published tables of every year of an insats: (as a reader, as the förbundschef).
async fn publications(app: &TestApp, insats: &str, years: std::ops::RangeInclusive<i32>) -> (Published, Published) {
    let k = knowledge(app);
    let reader = app.client(&format!("lasare-{insats}"), Role::Lasare, &[]);
    let mut protected = Published::new();
    let mut truth = Published::new();
    for y in years {
        let path = format!("/api/v1/reports/{insats}/{y}/tables");
        let p = reader.get(&path).await.json();
        assert_eq!(p["protected"], true, "a reader always gets the protected version");
        protected.read(&k, y, p["tables"].as_array().unwrap());
        let t = app.get(&path).await.json();
        assert_eq!(t["protected"], false);
        truth.read(&k, y, t["tables"].as_array().unwrap());
    }
    (protected, truth)
}

/// The attacker fails on the protected tables, every hidden figure is one that is hidden in the
/// truth too, and the same attacker wins against tables with only the small counts hidden.
fn assert_safe(protected: &Published, truth: &Published, expect_primary_leak: bool) {
    let recovered = protected.attack();
    assert!(recovered.is_empty(), "the attacker worked out {} hidden figures: {recovered:#?}", recovered.len());
    for (n, f) in &protected.figs {
        match (f, truth.figs.get(n)) {
            (Fig::Small, Some(Fig::Known(x))) => assert!(*x > 0.0 && *x < 3.0, "{n} = {x} shown as small"),
            (Fig::Known(a), Some(Fig::Known(b))) => assert_eq!(a, b, "{n} published wrong"),
            (Fig::Known(_), None) | (_, Some(Fig::Small | Fig::Other)) => panic!("{n} not in the truth"),
            _ => {}
        }
        if let Some(Fig::Known(x)) = truth.figs.get(n) {
            assert!(!(*x > 0.0 && *x < 3.0) || *f == Fig::Small, "{n} = {x} is published");
        }
    }
    let naive = protected.primary_only(truth);
    if expect_primary_leak {
        assert!(naive.hidden() > 0 && !naive.attack().is_empty(), "the attacker should beat primary suppression alone");
    }
}

#[tokio::test]
async fn the_attacker_recovers_nothing_from_the_demo_reports() {
    let app = TestApp::new();
    pinne::demo::fill(&app.store, now()).unwrap();
    let cfg = app.store.config();
    for insats in cfg.insatser.iter().filter(|i| !i.kind_ids.is_empty()) {
        let (protected, truth) = publications(&app, &insats.key, 2022..=now().year).await;
        assert!(!protected.equations.is_empty());
        assert_safe(&protected, &truth, insats.key == "coachingteamet");
        if insats.key == "coachingteamet" {
            assert!(protected.hidden() > 0, "the demo has small counts to hide");
        }
    }
}

/// One woman from Degerfors among 35 from Karlskoga, with exits in 2025 and 2026.
#[tokio::test]
async fn one_woman_from_degerfors_cannot_be_worked_out() {
    let app = TestApp::new();
    bulk(
        &app,
        "coachingteamet",
        &[
            ("inskrivning", "2025-02", person("kvinna", "karlskoga"), 20),
            ("inskrivning", "2025-02", person("man", "karlskoga"), 15),
            ("inskrivning", "2025-03", person("kvinna", "degerfors"), 1),
            ("avslut", "2025-10", exit("kvinna", "karlskoga", "studier"), 6),
            ("avslut", "2025-10", exit("man", "karlskoga", "anstallning"), 4),
            ("avslut", "2025-11", exit("kvinna", "degerfors", "vard"), 1),
            ("inskrivning", "2026-01", person("man", "degerfors"), 2),
            ("inskrivning", "2026-01", person("kvinna", "karlskoga"), 9),
            ("avslut", "2026-03", exit("man", "karlskoga", "studier"), 2),
        ],
    );
    let (protected, truth) = publications(&app, "coachingteamet", 2025..=2026).await;
    assert!(protected.figs.values().any(|f| *f == Fig::Small));
    assert!(protected.figs.values().any(|f| *f == Fig::Other), "secondary suppression hid something");
    assert_safe(&protected, &truth, true);
}

/// Three exit reasons with one exit each and three exits in all: the total would pin each to 1.
#[tokio::test]
async fn a_total_made_only_of_small_counts_is_hidden_too() {
    let app = TestApp::new();
    bulk(
        &app,
        "coachingteamet",
        &[
            ("inskrivning", "2026-01", person("kvinna", "karlskoga"), 12),
            ("inskrivning", "2026-01", person("man", "karlskoga"), 10),
            ("avslut", "2026-02", exit("kvinna", "karlskoga", "studier"), 1),
            ("avslut", "2026-02", exit("kvinna", "karlskoga", "anstallning"), 1),
            ("avslut", "2026-02", exit("kvinna", "karlskoga", "vard"), 1),
        ],
    );
    let (protected, truth) = publications(&app, "coachingteamet", 2026..=2026).await;
    assert_safe(&protected, &truth, true);
    assert_ne!(protected.figs["deltagare|Avslutade|Kvinnor|2026"], Fig::Known(3.0));
}

/// A small survey, a rating of one, and an event with one man: everything small, nothing leaks.
#[tokio::test]
async fn surveys_ratings_and_events_with_few_people_are_protected() {
    let app = TestApp::new();
    let answers = |kon: &'static str, nytta: &'static str| {
        vec![("respondentgrupp", "deltagare_pagaende"), ("kon", kon), ("nns_nytta", nytta)]
    };
    bulk(
        &app,
        "coachingteamet",
        &[
            ("enkat", "2026-03", answers("kvinna", "alltid"), 4),
            ("enkat", "2026-03", answers("man", "sallan"), 1),
            ("enkat", "2025-03", answers("man", "alltid"), 2),
            ("aktivitetsbetyg", "2026-02", vec![("gruppaktivitet", "cv_grupp"), ("kon", "kvinna"), ("betyg", "8")], 5),
            ("aktivitetsbetyg", "2026-02", vec![("gruppaktivitet", "cv_grupp"), ("kon", "man"), ("betyg", "2")], 1),
        ],
    );
    let cfg = app.store.config();
    for (name, attendees, women, men) in [("Finsammässan", "40", "39", "1"), ("Kanonverkstan", "16", "12", "4")] {
        let raw = RawEvent {
            insats: Some("strukturarbete".into()),
            period: Some("2026-04".into()),
            name: Some(name.into()),
            organiser: Some("Finsam".into()),
            attendees: Some(attendees.into()),
            by_gender: vec![("kvinna".into(), women.into()), ("man".into(), men.into())],
            ..Default::default()
        };
        let e = event::validate(&cfg, &raw, now()).expect("valid event");
        app.store.write_blocking(|tx| store::event::insert(tx, &e, None)).unwrap();
    }
    let (protected, truth) = publications(&app, "coachingteamet", 2025..=2026).await;
    assert!(protected.figs.values().any(|f| *f == Fig::Small));
    assert_safe(&protected, &truth, false);
    let (protected, truth) = publications(&app, "strukturarbete", 2026..=2026).await;
    assert_eq!(protected.figs["2026|strukturaktivitet_aktiviteter|Finsammässan|Män"], Fig::Small);
    assert_safe(&protected, &truth, true);
}
