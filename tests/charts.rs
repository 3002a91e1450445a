//! The report's SVG charts, drawn from the demo data's protected tables.

mod common;

use common::{TestApp, now};
use pinne::report::chart::{self, Chart};
use pinne::report::tables::{Hidden, Table, Value};
use pinne::{demo, report, store};
use std::collections::HashSet;

/// The charts of Coachingteamet's 2023 report from the demo data, protected as on the page or
/// not; `edit` may change the report year's tables first.
fn demo_charts(protect: bool, edit: impl FnOnce(&mut Vec<Table>)) -> Vec<Chart> {
    let app = TestApp::new();
    demo::fill(&app.store, now()).unwrap();
    let cfg = app.store.config();
    let insats = cfg.insats("coachingteamet").unwrap().clone();
    let report_of = |y: i32| {
        let inputs = app.store.read_blocking(|c| store::report_inputs(c, insats.id, y)).unwrap();
        report::yearly(&cfg, &insats, y, &inputs)
    };
    let r = report_of(2023);
    let reports: Vec<_> = r.years.iter().map(|y| report_of(*y)).collect();
    let mut protected: Vec<Vec<Table>> = match protect {
        true => report::publish::protect_reports(reports.clone(), &[], &report::rule(&cfg))
            .trend
            .into_iter()
            .map(|(_, t)| t)
            .collect(),
        false => reports.iter().map(report::tables::tables).collect(),
    };
    let trend: Vec<(i32, Vec<Table>)> = r.years.iter().copied().zip(protected.clone()).collect();
    let mut tables = protected.pop().unwrap();
    edit(&mut tables);
    chart::charts(&r, &tables, &trend)
}

/// The contents of every element with class `class` (value labels "v", hidden markers "h").
fn texts(svg: &str, class: &str) -> Vec<String> {
    let tag = format!(r#"class="{class}""#);
    svg.split(&tag).skip(1).map(|s| s[s.find('>').unwrap() + 1..s.find('<').unwrap()].replace("&lt;", "<")).collect()
}

/// The values of an attribute across an SVG.
fn attrs<'a>(svg: &'a str, name: &str) -> Vec<&'a str> {
    let at = format!(r#" {name}=""#);
    svg.split(&at).skip(1).map(|s| &s[..s.find('"').unwrap()]).collect()
}

#[test]
fn every_chart_of_the_demo_report_is_accessible() {
    for protect in [true, false] {
        let charts = demo_charts(protect, |_| {});
        let keys: Vec<&str> = charts.iter().map(|c| c.key.as_str()).collect();
        for key in ["avslut_mal", "deltagare_kommun", "trend_deltagare", "trend_avslut"] {
            assert!(keys.contains(&key), "{key} missing: {keys:?}");
        }
        assert!(keys.iter().any(|k| k.starts_with("enkat_") && k.contains("_svar")), "{keys:?}");
        for c in &charts {
            let svg = c.svg.clone().into_string();
            let id = format!("diagram-{}", c.key);
            assert!(svg.starts_with("<svg") && svg.contains(r#"role="img""#) && svg.contains("viewBox="), "{}", c.key);
            assert!(svg.contains(&format!(r#"aria-labelledby="{id}-title {id}-desc""#)), "{}", c.key);
            assert!(svg.contains(&format!(r#"<title id="{id}-title">"#)));
            assert!(svg.contains(&format!(r#"<desc id="{id}-desc">"#)));
            // The text alternative states every figure drawn, and every one hidden.
            for v in texts(&svg, "v") {
                assert!(c.text.contains(&v), "{}: {v} not in {}", c.key, c.text);
            }
            for m in texts(&svg, "h") {
                let marker = m.rsplit(' ').next().unwrap();
                assert!(c.text.contains(&format!("visas inte ({marker})")), "{}", c.text);
            }
            let fig = chart::figure(c).into_string();
            assert!(fig.contains("<figcaption>") && fig.contains(&format!(r##"href="#tabell-{}""##, c.table_key)));
        }
    }
    // Unprotected, the exit chart draws every share and marks the 2023 goals on their rows (the
    // care exits as the expectation the 2023 report treats them as).
    let charts = demo_charts(false, |_| {});
    let exits = charts.iter().find(|c| c.key == "avslut_mal").unwrap();
    let svg = exits.svg.clone().into_string();
    assert_eq!(svg.matches(r#"class="goal""#).count(), 3, "{}", exits.text);
    assert!(svg.contains("mål minst 45\u{a0}%") && svg.contains("förväntan minst 15\u{a0}%"));
    assert!(
        exits.text.contains("Egen försörjning (anställning, studier, arbetsmarknaden) 35\u{a0}% (mål minst 45\u{a0}%)")
    );
    assert!(exits.text.contains("Vård 28\u{a0}% (förväntan minst 15\u{a0}%)"), "{}", exits.text);
}

#[test]
fn ids_are_unique_and_every_reference_resolves() {
    let charts = demo_charts(true, |_| {});
    let page: String = charts.iter().map(|c| chart::figure(c).into_string()).collect();
    let ids = attrs(&page, "id");
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicate ids");
    for r in attrs(&page, "aria-labelledby").iter().flat_map(|a| a.split(' ')) {
        assert!(unique.contains(r), "{r}");
    }
    for f in attrs(&page, "fill").into_iter().filter_map(|f| f.strip_prefix("url(#")) {
        assert!(unique.contains(f.trim_end_matches(')')), "{f}");
    }
}

#[test]
fn no_series_is_told_apart_by_colour_alone() {
    for c in demo_charts(false, |_| {}) {
        let svg = c.svg.into_string();
        let series = svg.matches("<g transform").count();
        if c.key.starts_with("trend_") {
            // Lines: each series its own dashes and marker shape.
            let dashes: HashSet<&str> = attrs(&svg, "stroke-dasharray").into_iter().collect();
            assert_eq!(dashes.len(), series, "{}", c.key);
            assert!(series >= 3 && svg.contains("<circle") && svg.contains("<polygon"), "{}", c.key);
            continue;
        }
        // Bars: each series its own pattern, and the patterns still differ with colour and id taken out.
        let patterns: HashSet<String> = svg
            .split("<pattern ")
            .skip(1)
            .map(|p| {
                let mut p = p[p.find('"').unwrap() + 1..p.find("</pattern>").unwrap()].to_string();
                p = p[p.find('"').unwrap()..].to_string();
                while let Some(at) = p.find("fill=\"#") {
                    p.replace_range(at..at + 14, "");
                }
                p
            })
            .collect();
        let legend_goal = usize::from(svg.contains(">Mål</text>"));
        assert_eq!(patterns.len(), series - legend_goal, "{}: {patterns:?}", c.key);
        assert!(svg.contains(r#"class="bar""#), "{}", c.key);
    }
}

#[test]
fn a_hidden_figure_is_marked_where_its_bar_would_be() {
    let shown = demo_charts(false, |_| {});
    let hidden = demo_charts(false, |tables| {
        let t = tables.iter_mut().find(|t| t.key == "avslut_orsak").unwrap();
        let col = t.columns.iter().position(|c| c.group == "Totalt" && c.year == Some(2023)).unwrap();
        t.rows[0].cells[col] = Value::Hidden(Hidden("..".into()));
    });
    let find = |charts: &[Chart]| charts.iter().find(|c| c.key == "avslut_mal").unwrap().svg.clone().into_string();
    let (before, after) = (find(&shown), find(&hidden));
    assert_eq!(after.matches(r#"class="bar""#).count() + 1, before.matches(r#"class="bar""#).count());
    assert_eq!(texts(&after, "h"), vec!["..".to_string()]);
    let text = &hidden.iter().find(|c| c.key == "avslut_mal").unwrap().text;
    assert!(
        text.starts_with("Andel av avsluten per avslutsorsak 2023. Anställning visas inte (..), Studier 20\u{a0}%"),
        "{text}"
    );
}

/// Each survey and answer chart says what its table holds: its title names the table and what the
/// bars are (positive answers for a survey's questions, shares of the tallies for a choice such as
/// the answers to the questions about violence); its text gives, for every row of the table that is
/// not a total, each series' figure as the table has it; totals are not drawn as shares; and in the
/// version as counted nothing is called hidden.
#[test]
fn every_answer_chart_says_what_its_table_holds() {
    for protect in [false, true] {
        let mut tables = Vec::new();
        let charts = demo_charts(protect, |t| tables = t.clone());
        let answers: Vec<&Chart> = charts.iter().filter(|c| c.key.starts_with("enkat_")).collect();
        assert!(answers.iter().any(|c| c.key.contains("fov")), "the answers about violence are drawn");
        for c in answers {
            let t = tables.iter().find(|t| t.key == c.table_key).unwrap_or_else(|| panic!("{}: no table", c.key));
            let what = if t.survey { "andel positiva svar" } else { "andel av registreringarna" };
            assert_eq!(c.title, format!("{}: {what} 2023", t.title), "protect {protect}");
            if !protect {
                assert!(!c.text.contains("visas inte"), "{}: nothing is hidden as counted: {}", c.key, c.text);
            }
            let cols: Vec<usize> = (0..t.columns.len())
                .filter(|i| {
                    t.columns[*i].year == Some(2023) && t.columns[*i].measure == report::tables::Measure::CountShare
                })
                .collect();
            for row in &t.rows {
                if row.emphasis {
                    assert!(!c.text.contains(&format!("{}:", row.label)), "{}: total row {} drawn", c.key, row.label);
                    continue;
                }
                let said: Vec<String> = cols
                    .iter()
                    .map(|i| {
                        let fig = match &row.cells[*i] {
                            Value::CountShare(_, Some(s)) => pinne::sv::percent(*s),
                            Value::CountShare(_, None) => "saknas".into(),
                            Value::Hidden(h) => format!("visas inte ({})", h.display()),
                            other => panic!("{}: unexpected {other:?}", c.key),
                        };
                        format!("{} {fig}", t.columns[*i].group)
                    })
                    .collect();
                let expected = format!("{}: {}", row.label, said.join(", "));
                assert!(c.text.contains(&expected), "{} (protect {protect}): {expected:?} not in {:?}", c.key, c.text);
            }
        }
    }
}

/// The exit, municipality and trend charts say what their tables hold: each figure in the text is
/// the table's (as counted: nothing called hidden; protected: hidden exactly where the table is).
#[test]
fn every_other_chart_says_what_its_table_holds() {
    for protect in [false, true] {
        let mut tables = Vec::new();
        let charts = demo_charts(protect, |t| tables = t.clone());
        let table = |key: &str| tables.iter().find(|t| t.key == key).unwrap().clone();
        let fig = |v: &Value, share: bool| match v {
            Value::CountShare(_, Some(s)) if share => pinne::sv::percent(*s),
            Value::CountShare(n, _) | Value::Count(n) if !share => pinne::sv::count(*n),
            Value::CountShare(_, None) => "saknas".into(),
            Value::Hidden(h) => format!("visas inte ({})", h.display()),
            other => panic!("unexpected {other:?}"),
        };
        for c in &charts {
            if !protect {
                assert!(!c.text.contains("visas inte"), "{}: nothing is hidden as counted: {}", c.key, c.text);
            }
            assert!(c.text.starts_with(&format!("{}.", c.title)), "{}: the text begins with the title", c.key);
        }
        // Exits: one bar per reason, the share of the year's exits.
        let exits = charts.iter().find(|c| c.key == "avslut_mal").unwrap();
        assert_eq!(exits.title, "Andel av avsluten per avslutsorsak 2023");
        let t = table("avslut_orsak");
        let total = t.columns.iter().position(|c| c.group == "Totalt" && c.year == Some(2023)).unwrap();
        for row in
            t.rows.iter().filter(|r| !matches!(r.label.as_str(), "Alla avslut" | "Andel av deltagarna som avslutats"))
        {
            let said = format!("{} {}", row.label, fig(&row.cells[total], true));
            assert!(exits.text.contains(&said), "protect {protect}: {said:?} not in {:?}", exits.text);
        }
        // Municipalities: participants per gender, as in the table.
        let kommun = charts.iter().find(|c| c.key == "deltagare_kommun").unwrap();
        let t = table("deltagare_kommun");
        assert_eq!(kommun.title, format!("{} 2023, per kön", t.title));
        let cols: Vec<usize> = (0..t.columns.len())
            .filter(|i| t.columns[*i].year == Some(2023) && t.columns[*i].group != "Totalt")
            .collect();
        for row in &t.rows {
            let said: Vec<String> =
                cols.iter().map(|i| format!("{} {}", t.columns[*i].group, fig(&row.cells[*i], false))).collect();
            let said = format!("{}: {}", row.label, said.join(", "));
            assert!(kommun.text.contains(&said), "protect {protect}: {said:?} not in {:?}", kommun.text);
        }
        // The trend: the year's own participants per gender and in total, the report year last.
        let trend = charts.iter().find(|c| c.key == "trend_deltagare").unwrap();
        assert_eq!(trend.title, "Deltagare under året 2019–2023");
        let t = table("deltagare");
        let row = t.rows.iter().find(|r| r.label == "Deltagare under året").unwrap();
        for (i, col) in t.columns.iter().enumerate().filter(|(_, c)| c.year == Some(2023)) {
            let series = trend
                .text
                .split("; ")
                .find(|s| s.starts_with(&format!("{}: ", col.group)) || s.contains(&format!(". {}: ", col.group)));
            let series = series.unwrap_or_else(|| panic!("no series {} in {:?}", col.group, trend.text));
            assert!(series.contains(&format!("2023 {}", fig(&row.cells[i], false))), "protect {protect}: {series:?}");
        }
    }
}
