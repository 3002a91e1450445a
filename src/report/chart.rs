//! The report's charts as server-rendered SVG (no script, no chart crate): exits against the
//! goals, participants per municipality and gender, five-year trends and survey answers.
//!
//! Charts are drawn from the same (protected) tables as the page: a figure hidden by small-number
//! protection is never drawn, only marked ("..") where it would be. Every chart states each
//! figure it draws in a plain Swedish text alternative. Series differ by colour (Okabe–Ito) and
//! by a second channel: hatching for bars, dashes and marker shapes for lines.

use super::Report;
use super::tables::{Measure, Table, Value, goal_target};
use crate::sv;
use maud::{Markup, html};

pub struct Chart {
    /// Unique among a report's charts; every element id of the chart starts with `diagram-{key}`.
    pub key: String,
    pub title: String,
    pub svg: Markup,
    /// The text alternative: every figure drawn, in plain Swedish.
    pub text: String,
    /// The table the chart shows (`#tabell-{table_key}` on the page).
    pub table_key: String,
}

const COLOURS: [&str; 7] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"];
const DASHES: [&str; 7] = ["none", "9 4", "2 3", "10 3 2 3", "5 5", "14 4 3 4 3 4", "1 6"];
/// Hatching per series: (rotation, kind) with kind 0 solid, 1 stripes, 2 dots, 3 crosshatch.
const HATCH: [(i32, u8); 7] = [(0, 0), (45, 1), (0, 2), (90, 1), (-45, 1), (45, 3), (0, 1)];
/// Marker shapes after the first series' circle: square, triangles, diamond and two bow ties.
const SHAPES: [&[(f64, f64)]; 6] = [
    &[(-0.9, -0.9), (0.9, -0.9), (0.9, 0.9), (-0.9, 0.9)],
    &[(0.0, -1.2), (1.1, 0.9), (-1.1, 0.9)],
    &[(0.0, -1.3), (1.3, 0.0), (0.0, 1.3), (-1.3, 0.0)],
    &[(0.0, 1.2), (1.1, -0.9), (-1.1, -0.9)],
    &[(-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0)],
    &[(-1.0, -1.0), (1.0, -1.0), (-1.0, 1.0), (1.0, 1.0)],
];
/// The viewBox width: about the text width of an A4 page, so 14 units print as about 10 pt.
const W: f64 = 720.0;
const BAR: f64 = 17.0;
const HIDDEN: &str = "visas inte";

/// A figure to draw: its value and label, hidden by small-number protection, or absent.
#[derive(Debug, Clone, PartialEq)]
enum Fig {
    Shown(f64, String),
    Hidden(String),
    Absent,
}

impl Fig {
    fn share(v: &Value) -> Fig {
        match v {
            Value::CountShare(_, Some(s)) | Value::Share(Some(s)) => Fig::Shown(*s, sv::percent(*s)),
            Value::ShareAgainst(s, shown, _) => Fig::Shown(*s, shown.clone()),
            // No share to compute (nothing to take it of): missing, not hidden.
            Value::CountShare(_, None) | Value::Share(None) => Fig::Absent,
            Value::Hidden(h) => Fig::Hidden(h.display().into()),
            _ => Fig::Absent,
        }
    }
    fn count(v: &Value) -> Fig {
        match v {
            Value::Count(n) | Value::CountShare(n, _) => Fig::Shown(*n as f64, sv::count(*n)),
            Value::Hidden(h) => Fig::Hidden(h.display().into()),
            _ => Fig::Absent,
        }
    }
    fn value(&self) -> Option<f64> {
        if let Fig::Shown(v, _) = self { Some(*v) } else { None }
    }
    /// As the text alternative says it.
    fn said(&self) -> String {
        match self {
            Fig::Shown(_, l) => l.clone(),
            Fig::Hidden(m) => format!("{HIDDEN} ({m})"),
            Fig::Absent => "saknas".into(),
        }
    }
}

/// One row of a bar chart: a bar per series, and perhaps a goal (value, label) to mark.
struct Group {
    label: String,
    figs: Vec<Fig>,
    goal: Option<(f64, String)>,
}

/// The report's charts, each only when its data exists. `tables`: the report's tables for its year
/// (possibly protected); `trend`: (year, that year's tables) for the report's five years, oldest first.
pub fn charts(r: &Report, tables: &[Table], trend: &[(i32, Vec<Table>)]) -> Vec<Chart> {
    let mut out: Vec<Chart> = exits_chart(r, tables).into_iter().collect();
    out.extend(municipality_chart(r, tables));
    out.extend(trend_chart("trend_deltagare", "Deltagare under året", trend));
    out.extend(trend_chart("trend_avslut", "Avslutade", trend));
    out.extend(tables.iter().filter(|t| t.key.contains("_svar")).filter_map(|t| survey_chart(r, t)));
    out
}

/// A chart in a `<figure>`: caption, the SVG, its text alternative and a link to its table.
pub fn figure(c: &Chart) -> Markup {
    html! {
        figure.chart {
            figcaption { (c.title) }
            (c.svg)
            p.chart-text { (c.text) }
            p { a href=(format!("#tabell-{}", c.table_key)) { "Se tabellen" } }
        }
    }
}

fn column(t: &Table, pick: impl Fn(&super::tables::Column) -> bool) -> Vec<usize> {
    t.columns.iter().enumerate().filter(|(_, c)| pick(c)).map(|(i, _)| i).collect()
}

/// The value keys a row of the exit table counts: its own key, or a combination's members.
fn value_set(r: &Report, label: &str) -> Option<Vec<String>> {
    let mut set: Vec<String> = match r.exits.by_reason.iter().find(|x| x.label == label) {
        Some(row) => vec![row.key.clone()],
        None => {
            let row = r.exits.combined.iter().find(|x| x.label == label)?;
            row.parts.iter().map(|p| p.split_once('.').map_or(p.as_str(), |(_, v)| v).to_string()).collect()
        }
    };
    set.sort();
    Some(set)
}

fn exits_chart(r: &Report, tables: &[Table]) -> Option<Chart> {
    let t = tables.iter().find(|t| t.key == "avslut_orsak")?;
    let c = *column(t, |c| c.group == "Totalt" && c.year == Some(r.year)).first()?;
    let groups = t
        .rows
        .iter()
        .filter(|row| !matches!(row.label.as_str(), "Alla avslut" | "Andel av deltagarna som avslutats"))
        .map(|row| {
            let set = value_set(r, &row.label);
            let goal = r.goals.iter().find(|g| {
                let mut values = g.values.clone();
                values.sort();
                g.goal_type == "share" && set.as_ref() == Some(&values)
            });
            Group {
                label: row.label.clone(),
                figs: vec![row.cells.get(c).map_or(Fig::Absent, Fig::share)],
                goal: goal.map(|g| {
                    (g.target, format!("{} {}", if g.expectation { "förväntan" } else { "mål" }, goal_target(g)))
                }),
            }
        })
        .collect();
    let title = format!("Andel av avsluten per avslutsorsak {}", r.year);
    bar_chart("avslut_mal", title, &t.key, &["Andel av avsluten".into()], groups, true)
}

fn municipality_chart(r: &Report, tables: &[Table]) -> Option<Chart> {
    let t = tables.iter().find(|t| t.key == "deltagare_kommun")?;
    let mut cols = column(t, |c| c.year == Some(r.year) && c.group != "Totalt");
    if cols.is_empty() {
        cols = column(t, |c| c.year == Some(r.year));
    }
    let series: Vec<String> = cols.iter().map(|c| t.columns[*c].group.clone()).collect();
    let groups = t
        .rows
        .iter()
        .map(|row| Group {
            label: row.label.clone(),
            figs: cols.iter().map(|c| row.cells.get(*c).map_or(Fig::Absent, Fig::count)).collect(),
            goal: None,
        })
        .collect();
    bar_chart("deltagare_kommun", format!("{} {}, per kön", t.title, r.year), &t.key, &series, groups, false)
}

fn survey_chart(r: &Report, t: &Table) -> Option<Chart> {
    let cols = column(t, |c| c.year == Some(r.year) && c.measure == Measure::CountShare);
    let series: Vec<String> = cols.iter().map(|c| t.columns[*c].group.clone()).collect();
    let groups = t
        .rows
        .iter()
        // The table's total rows (respondents, all tallies, choices made) are counts, not shares.
        .filter(|row| !row.emphasis)
        .map(|row| Group {
            label: row.label.clone(),
            figs: cols.iter().map(|c| row.cells.get(*c).map_or(Fig::Absent, Fig::share)).collect(),
            goal: None,
        })
        .collect();
    // A survey's questions are shares of positive answers; a choice (such as the answers to the
    // questions about violence) is a share of the tallies.
    let what = if t.survey { "andel positiva svar" } else { "andel av registreringarna" };
    let title = format!("{}: {what} {}", t.title, r.year);
    bar_chart(&format!("enkat_{}", t.key), title, &t.key, &series, groups, true)
}

/// Lines over the years of one row of each year's participant table, per gender and in all.
fn trend_chart(key: &str, label: &str, trend: &[(i32, Vec<Table>)]) -> Option<Chart> {
    let years: Vec<i32> = trend.iter().map(|(y, _)| *y).collect();
    let mut series: Vec<(String, Vec<Fig>)> = Vec::new();
    for (i, (y, tables)) in trend.iter().enumerate() {
        let Some(t) = tables.iter().find(|t| t.key == "deltagare") else { continue };
        let Some(row) = t.rows.iter().find(|r| r.label == label) else { continue };
        for c in column(t, |c| c.year == Some(*y)) {
            let group = &t.columns[c].group;
            let s = series.iter().position(|(g, _)| g == group).unwrap_or_else(|| {
                series.push((group.clone(), vec![Fig::Absent; years.len()]));
                series.len() - 1
            });
            series[s].1[i] = row.cells.get(c).map_or(Fig::Absent, Fig::count);
        }
    }
    series.sort_by_key(|(g, _)| g == "Totalt");
    if series.iter().all(|(_, f)| f.iter().all(|f| *f == Fig::Absent)) {
        return None;
    }
    let title = format!("{label} {}–{}", years[0], years[years.len() - 1]);
    let said: Vec<String> = series
        .iter()
        .map(|(s, figs)| {
            let figs: Vec<String> = years.iter().zip(figs).map(|(y, f)| format!("{y} {}", f.said())).collect();
            format!("{s}: {}", figs.join(", "))
        })
        .collect();
    let text = format!("{title}. {}.", said.join("; "));
    let svg = lines(key, &title, &text, &years, &series);
    Some(Chart { key: key.into(), title, svg, text, table_key: "deltagare".into() })
}

fn bar_chart(
    key: &str,
    title: String,
    table: &str,
    series: &[String],
    groups: Vec<Group>,
    share: bool,
) -> Option<Chart> {
    if groups.iter().all(|g| g.figs.iter().all(|f| *f == Fig::Absent)) {
        return None;
    }
    let one = series.len() == 1;
    let said: Vec<String> = groups
        .iter()
        .map(|g| {
            let figs: Vec<String> = g
                .figs
                .iter()
                .zip(series)
                .map(|(f, s)| if one { f.said() } else { format!("{s} {}", f.said()) })
                .collect();
            let goal = g.goal.as_ref().map(|(_, l)| format!(" ({l})")).unwrap_or_default();
            format!("{}{} {}{goal}", g.label, if one { "" } else { ":" }, figs.join(", "))
        })
        .collect();
    let text = format!("{title}. {}.", said.join(if one { ", " } else { "; " }));
    let svg = bars(key, &title, &text, series, &groups, share);
    Some(Chart { key: key.into(), title, svg, text, table_key: table.into() })
}

fn n(x: f64) -> String {
    format!("{x:.1}")
}

fn id(key: &str) -> String {
    format!("diagram-{key}")
}

/// A round axis maximum at or above `v`, in four equal steps.
fn nice(v: f64) -> f64 {
    let raw = (v / 4.0).max(1.0);
    let p = 10f64.powf(raw.log10().floor());
    // Steps of 2.5 only from 25 up, so that count ticks stay whole.
    let steps = [1.0, 2.0, if p >= 10.0 { 2.5 } else { 2.0 }, 5.0, 10.0];
    steps.iter().map(|m| m * p).find(|s| *s >= raw).unwrap_or(10.0 * p) * 4.0
}

/// Words into lines of at most `width` characters (a longer word gets a line of its own).
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for w in s.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + w.chars().count() <= width => {
                l.push(' ');
                l.push_str(w);
            }
            _ => lines.push(w.to_string()),
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

fn pattern(key: &str, i: usize) -> Markup {
    let (rot, kind) = HATCH[i % 7];
    html! {
        pattern id=(format!("{}-p{i}", id(key))) width="8" height="8" patternUnits="userSpaceOnUse"
            patternTransform=(format!("rotate({rot})")) {
            rect width="8" height="8" fill=(COLOURS[i % 7]) {}
            @if kind == 1 || kind == 3 { line x1="4" y1="0" x2="4" y2="8" stroke="#fff" stroke-width="2.5" {} }
            @if kind == 3 { line x1="0" y1="4" x2="8" y2="4" stroke="#fff" stroke-width="2.5" {} }
            @if kind == 2 { circle cx="4" cy="4" r="1.8" fill="#fff" {} }
        }
    }
}

fn marker(i: usize, x: f64, y: f64) -> Markup {
    let (i, c) = (i % 7, COLOURS[i % 7]);
    if i == 0 {
        return html! { circle cx=(n(x)) cy=(n(y)) r="5" fill=(c) stroke="#fff" {} };
    }
    let points: Vec<String> =
        SHAPES[i - 1].iter().map(|(dx, dy)| format!("{},{}", n(x + dx * 5.0), n(y + dy * 5.0))).collect();
    html! { polygon points=(points.join(" ")) fill=(c) stroke="#fff" {} }
}

/// Legend items (label, swatch 28 × 14) in rows across the width; returns the height used.
fn legend(items: &[(String, Markup)]) -> (Markup, f64) {
    let (mut x, mut y, mut at) = (0.0, 4.0, Vec::new());
    for (label, _) in items {
        let w = 52.0 + label.chars().count() as f64 * 7.5;
        if x > 0.0 && x + w > W {
            (x, y) = (0.0, y + 22.0);
        }
        at.push((x, y));
        x += w;
    }
    let markup = html! {
        @for ((label, swatch), (x, y)) in items.iter().zip(&at) {
            g transform=(format!("translate({} {})", n(*x), n(*y))) { (swatch) text x="34" y="12.5" { (label) } }
        }
    };
    (markup, y + 34.0)
}

fn svg(key: &str, title: &str, text: &str, height: f64, defs: Markup, body: Markup) -> Markup {
    let id = id(key);
    html! {
        svg xmlns="http://www.w3.org/2000/svg" id=(id) role="img" aria-labelledby=(format!("{id}-title {id}-desc"))
            viewBox=(format!("0 0 {W} {}", n(height))) width="100%" font-family="inherit"
            font-size="14" {
            title id=(format!("{id}-title")) { (title) }
            desc id=(format!("{id}-desc")) { (text) }
            defs { (defs) }
            (body)
        }
    }
}

/// Horizontal bars, a group per row and a bar per series, with goal marks.
fn bars(key: &str, title: &str, text: &str, series: &[String], groups: &[Group], share: bool) -> Markup {
    let max =
        if share { 1.0 } else { nice(groups.iter().flat_map(|g| &g.figs).filter_map(Fig::value).fold(0.0, f64::max)) };
    let labels: Vec<Vec<String>> = groups.iter().map(|g| wrap(&g.label, 34)).collect();
    let widest = labels.iter().flatten().map(|l| l.chars().count()).max().unwrap_or(0);
    let (x0, x1) = ((widest as f64 * 7.5).clamp(60.0, 250.0) + 12.0, W - 64.0);
    let x = |v: f64| x0 + v.max(0.0) / max * (x1 - x0);
    let fill = |i: usize| format!("url(#{}-p{i})", id(key));
    let mut items: Vec<(String, Markup)> = (series.iter().enumerate())
        .map(|(i, s)| (s.clone(), html! { rect width="28" height="14" fill=(fill(i)) stroke=(COLOURS[i % 7]) {} }))
        .collect();
    if groups.iter().any(|g| g.goal.is_some()) {
        items.push(("Mål".into(), html! { line x1="7" x2="7" y1="-2" y2="16" stroke="#000" stroke-width="2" {} }));
    }
    let (legend, top) = legend(&items);
    let mut y = top;
    let mut body = Vec::new();
    for (g, lines) in groups.iter().zip(&labels) {
        y += if g.goal.is_some() { 14.0 } else { 0.0 };
        let bars_h = g.figs.len() as f64 * (BAR + 3.0) - 3.0;
        let h = bars_h.max(lines.len() as f64 * 16.0);
        let by = |i: usize| y + (h - bars_h) / 2.0 + i as f64 * (BAR + 3.0);
        body.push(html! {
            text x=(n(x0 - 8.0)) y=(n(y + h / 2.0 - (lines.len() - 1) as f64 * 8.0 + 5.0)) text-anchor="end" {
                @for (i, l) in lines.iter().enumerate() { tspan x=(n(x0 - 8.0)) dy=(if i == 0 { "0" } else { "16" }) { (l) } }
            }
            @for (i, f) in g.figs.iter().enumerate() {
                @match f {
                    Fig::Shown(v, l) => {
                        rect.bar x=(n(x0)) y=(n(by(i))) width=(n(x(*v) - x0)) height=(BAR) fill=(fill(i)) stroke=(COLOURS[i % 7]) {}
                        text.v x=(n(x(*v) + 4.0)) y=(n(by(i) + BAR - 4.0)) font-size="13" { (l) }
                    }
                    Fig::Hidden(m) => {
                        text.h x=(n(x0 + 4.0)) y=(n(by(i) + BAR - 4.0)) font-size="13" font-style="italic" { (m) }
                    }
                    Fig::Absent => {}
                }
            }
            @if let Some((v, l)) = &g.goal {
                line.goal x1=(n(x(*v))) x2=(n(x(*v))) y1=(n(y - 4.0)) y2=(n(y + h + 4.0)) stroke="#000" stroke-width="2" {}
                text x=(n(x(*v))) y=(n(y - 6.0)) text-anchor="middle" font-size="12" { (l) }
            }
        });
        y += h + 14.0;
    }
    let tick = |v: f64| if share { sv::percent(v) } else { sv::count(v.round() as i64) };
    let body = html! {
        (legend)
        @for k in 0..=4 {
            @let v = max * k as f64 / 4.0;
            line x1=(n(x(v))) x2=(n(x(v))) y1=(n(top - 4.0)) y2=(n(y)) stroke=(if k == 0 { "#000" } else { "#ccc" }) {}
            text x=(n(x(v))) y=(n(y + 14.0)) text-anchor="middle" font-size="12" { (tick(v)) }
        }
        @for b in &body { (b) }
    };
    svg(key, title, text, y + 24.0, html! { @for i in 0..series.len() { (pattern(key, i)) } }, body)
}

/// Lines over the years, a marker at each figure shown and the value at each line's end.
fn lines(key: &str, title: &str, text: &str, years: &[i32], series: &[(String, Vec<Fig>)]) -> Markup {
    let items: Vec<(String, Markup)> = (series.iter().enumerate())
        .map(|(i, (s, _))| {
            let swatch = html! {
                line x1="0" x2="28" y1="7" y2="7" stroke=(COLOURS[i % 7]) stroke-width="2.5" stroke-dasharray=(DASHES[i % 7]) {}
                (marker(i, 14.0, 7.0))
            };
            (s.clone(), swatch)
        })
        .collect();
    let (legend, top) = legend(&items);
    let (x0, x1, top, bottom) = (60.0, W - 160.0, top + 8.0, top + 268.0);
    let max = nice(series.iter().flat_map(|(_, f)| f).filter_map(Fig::value).fold(0.0, f64::max));
    let span = years.len().max(2) as f64 - 1.0;
    let x = |i: usize| if years.len() < 2 { (x0 + x1) / 2.0 } else { x0 + i as f64 * (x1 - x0) / span };
    let y = |v: f64| bottom - v.max(0.0) / max * (bottom - top);
    // Each line's last figure, pushed apart so that the labels do not overlap.
    let mut ends: Vec<(f64, f64, &str, &str)> = (series.iter())
        .filter_map(|(s, figs)| {
            figs.iter().enumerate().rev().find_map(|(i, f)| match f {
                Fig::Shown(v, l) => Some((x(i), y(*v), s.as_str(), l.as_str())),
                _ => None,
            })
        })
        .collect();
    ends.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut last = f64::MIN;
    for e in &mut ends {
        e.1 = e.1.max(last + 15.0);
        last = e.1;
    }
    let mut next = bottom;
    for e in ends.iter_mut().rev() {
        e.1 = e.1.min(next);
        next = e.1 - 15.0;
    }
    let mut hidden = Vec::new();
    let mut stacked = vec![0.0; years.len()];
    for (s, figs) in series {
        for (i, f) in figs.iter().enumerate() {
            if let Fig::Hidden(m) = f {
                hidden.push((x(i), bottom - 6.0 - stacked[i] * 15.0, format!("{s} {m}")));
                stacked[i] += 1.0;
            }
        }
    }
    // The runs of consecutive figures shown: a hidden figure breaks its line.
    let runs = |figs: &[Fig]| -> Vec<String> {
        let at: Vec<_> =
            figs.iter().enumerate().map(|(i, f)| f.value().map(|v| format!("{},{}", n(x(i)), n(y(v))))).collect();
        at.split(Option::is_none)
            .filter(|r| r.len() > 1)
            .map(|r| r.iter().flatten().cloned().collect::<Vec<_>>().join(" "))
            .collect()
    };
    let body = html! {
        (legend)
        @for k in 0..=4 {
            @let v = max * k as f64 / 4.0;
            line x1=(n(x0)) x2=(n(x1)) y1=(n(y(v))) y2=(n(y(v))) stroke=(if k == 0 { "#000" } else { "#ccc" }) {}
            text x=(n(x0 - 6.0)) y=(n(y(v) + 4.0)) text-anchor="end" font-size="12" { (sv::count(v.round() as i64)) }
        }
        @for (i, year) in years.iter().enumerate() {
            text x=(n(x(i))) y=(n(bottom + 18.0)) text-anchor="middle" { (year) }
        }
        @for (i, (_, figs)) in series.iter().enumerate() {
            @for run in runs(figs) {
                polyline points=(run) fill="none" stroke=(COLOURS[i % 7]) stroke-width="2.5"
                    stroke-dasharray=(DASHES[i % 7]) {}
            }
            @for (j, f) in figs.iter().enumerate() {
                @if let Some(v) = f.value() { (marker(i, x(j), y(v))) }
            }
        }
        @for (ex, ey, s, l) in &ends {
            text x=(n(ex + 10.0)) y=(n(ey + 4.0)) { (s) " " tspan.v { (l) } }
        }
        @for (hx, hy, m) in &hidden {
            text.h x=(n(*hx)) y=(n(*hy)) text-anchor="middle" font-size="12" font-style="italic" { (m) }
        }
    };
    svg(key, title, text, bottom + 30.0, html! {}, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(label: &str, figs: Vec<Fig>) -> Group {
        Group { label: label.into(), figs, goal: None }
    }

    #[test]
    fn a_hidden_bar_is_marked_not_drawn() {
        let shown = |v: f64| Fig::Shown(v, sv::percent(v));
        let mut studier = group("Studier", vec![shown(0.21), Fig::Hidden("..".into())]);
        studier.goal = Some((0.25, "mål 25\u{a0}%".into()));
        let groups = vec![studier, group("Arbete", vec![shown(0.13), shown(0.4)])];
        let c =
            bar_chart("t", "Avslut".into(), "avslut_orsak", &["Kvinnor".into(), "Män".into()], groups, true).unwrap();
        let svg = c.svg.into_string();
        assert_eq!(svg.matches(r#"class="bar""#).count(), 3, "{svg}");
        assert!(svg.contains(r#"<text class="h""#) && svg.contains(".."), "{svg}");
        assert!(svg.contains(r#"class="goal""#) && svg.contains("mål 25\u{a0}%"));
        assert_eq!(
            c.text,
            "Avslut. Studier: Kvinnor 21\u{a0}%, Män visas inte (..) (mål 25\u{a0}%); Arbete: Kvinnor 13\u{a0}%, Män 40\u{a0}%."
        );
        assert!(svg.contains(r#"aria-labelledby="diagram-t-title diagram-t-desc""#));
        assert!(svg.contains(r#"<pattern id="diagram-t-p0""#) && svg.contains(r#"<pattern id="diagram-t-p1""#));
    }

    #[test]
    fn a_chart_with_nothing_to_draw_is_left_out() {
        assert!(bar_chart("t", "x".into(), "t", &["Totalt".into()], vec![], true).is_none());
        assert!(trend_chart("t", "Avslutade", &[(2023, vec![])]).is_none());
    }

    #[test]
    fn series_differ_by_more_than_colour() {
        for i in 0..7 {
            for j in 0..i {
                assert_ne!(HATCH[i], HATCH[j]);
                assert_ne!(DASHES[i], DASHES[j]);
            }
        }
        assert_eq!(nice(190.0), 200.0);
        assert_eq!(nice(0.0), 4.0);
        assert_eq!(wrap("1. Får du stöd på ett sätt som är till stor nytta för dig?", 34).len(), 2);
    }
}
