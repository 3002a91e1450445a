//! A plain-Swedish summary of a yearly report for the annual report, e.g. "Under 2023 deltog 183
//! personer (114 kvinnor och 69 män). 63 avslutades (34 % av deltagarna)." Every figure is read
//! from the report's tables, so a protected table gives a protected summary: a hidden figure is
//! never written out, the sentence says it is not shown instead.

use super::tables::{Table, Value};
use super::{GoalStatus, Report, tables};
use crate::domain::Verdict;
use crate::sv;

/// A cell of a table by table key, row label and column (group and year).
pub fn cell<'a>(t: &'a [Table], key: &str, row: &str, group: &str, year: Option<i32>) -> Option<&'a Value> {
    let table = t.iter().find(|x| x.key == key)?;
    let col = table.columns.iter().position(|c| c.group == group && c.year == year)?;
    table.rows.iter().find(|r| r.label == row)?.cells.get(col)
}

/// A shown count, `None` when hidden or absent.
fn count(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Count(n) | Value::CountShare(n, _) => Some(*n),
        _ => None,
    }
}

/// A shown share.
fn share(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Share(s) | Value::CountShare(_, s) => *s,
        Value::ShareAgainst(s, ..) => Some(*s),
        _ => None,
    }
}

const NOT_SHOWN: &str = "visas inte, så att ingen enskild person kan pekas ut";

/// The summary's paragraphs.
pub fn paragraphs(r: &Report, t: &[Table]) -> Vec<String> {
    let mut out = Vec::new();
    let y = Some(r.year);
    if r.has_flow {
        let total = count(cell(t, "deltagare", "Deltagare under året", "Totalt", y));
        // When a gender column with a few people is hidden, so is the total beside it: the
        // genders that are shown are still worth saying.
        let by_gender = |row: &str| -> Vec<String> {
            r.genders
                .iter()
                .filter_map(|g| count(cell(t, "deltagare", row, &g.label, y)).map(|n| (g, n)))
                .filter(|(_, n)| *n != 0)
                .map(|(g, n)| format!("{} {}", sv::count(n), g.label.to_lowercase()))
                .collect()
        };
        let mut s = match total {
            Some(n) => format!("Under {} deltog {}", r.year, sv::plural(n, "person", "personer")),
            None if !by_gender("Deltagare under året").is_empty() => format!(
                "Under {} deltog {} och några få med annat eller inget angivet kön (totalen visas inte för att de ska vara skyddade)",
                r.year,
                join(&by_gender("Deltagare under året"))
            ),
            None => format!("Antalet deltagare under {} {NOT_SHOWN}", r.year),
        };
        // A gender column with nobody in it says nothing about participants.
        // A gender without a column of its own (the folded one, in a publication) is not
        // missing from the split: it is the rest of the total.
        let genders: Vec<(String, Option<i64>)> = r
            .genders
            .iter()
            .filter_map(|g| {
                let v = cell(t, "deltagare", "Deltagare under året", &g.label, y)?;
                Some((g.label.to_lowercase(), count(Some(v))))
            })
            .filter(|(_, n)| *n != Some(0))
            .collect();
        if let Some(total) = total
            && !genders.is_empty()
        {
            if genders.iter().all(|(_, n)| n.is_some()) {
                let mut parts: Vec<String> =
                    genders.iter().map(|(l, n)| format!("{} {l}", sv::count(n.unwrap_or(0)))).collect();
                let rest = total - genders.iter().map(|(_, n)| n.unwrap_or(0)).sum::<i64>();
                if rest > 0 {
                    parts.push(format!(
                        "{} med annat eller ej angivet kön",
                        // The figure follows from the others, but a small one is not written out
                        // under any threshold an association can set.
                        if rest < crate::domain::Privacy::MAX_THRESHOLD {
                            "några".to_string()
                        } else {
                            sv::count(rest)
                        }
                    ));
                }
                s += &format!(" ({})", join(&parts));
            } else {
                s += " (uppdelningen per kön visas inte: för små tal)";
            }
        }
        s += ".";
        match count(cell(t, "deltagare", "Avslutade", "Totalt", y)) {
            Some(n) => {
                s += &format!(" {} avslutades", sv::count(n));
                if let Some(p) = share(cell(t, "avslut_orsak", "Andel av deltagarna som avslutats", "Totalt", y)) {
                    s += &format!(" ({} av deltagarna)", sv::percent(p));
                }
                s += ".";
            }
            None if !by_gender("Avslutade").is_empty() => {
                s += &format!(
                    " Bland dem som avslutades var {} (övriga antal visas inte för att skydda små tal).",
                    join(&by_gender("Avslutade"))
                )
            }
            None => s += &format!(" Antalet avslut {NOT_SHOWN}."),
        }
        if let Some(n) = count(cell(t, "deltagare", "Inskrivna vid årets slut", "Totalt", y)) {
            s += &format!(" Vid årets slut var {} inskrivna.", sv::count(n));
        }
        let prev = Some(r.previous_year);
        if let (Some(p), Some(x)) = (
            count(cell(t, "deltagare", "Deltagare under året", "Totalt", prev)),
            count(cell(t, "deltagare", "Avslutade", "Totalt", prev)),
        ) {
            s += &format!(" Året innan: {} deltagare och {} avslut.", sv::count(p), sv::count(x));
        }
        out.push(s);
    }
    for s in r.sections.iter().filter(|s| s.total != 0) {
        out.push(section_line(r, t, &s.key, &s.label));
    }
    for e in &r.events {
        let row = format!("Totalt {} ({})", r.year, sv::plural(e.count, "aktivitet", "aktiviteter"));
        let key = format!("{}_aktiviteter", e.key);
        out.push(match count(cell(t, &key, &row, "Deltagare", None)) {
            Some(n) => format!(
                "{}: {} deltagare vid {} under {}.",
                e.label,
                sv::count(n),
                sv::plural(e.count, "aktivitet", "aktiviteter"),
                r.year
            ),
            None => format!(
                "{}: {} under {}; antalet deltagare {NOT_SHOWN}.",
                e.label,
                sv::plural(e.count, "aktivitet", "aktiviteter"),
                r.year
            ),
        });
    }
    if let Some(c) = &r.cost
        && let Some(v) = t
            .iter()
            .find(|x| x.key == "kostnad")
            .and_then(|x| x.rows.iter().find(|row| row.label == r.year.to_string()))
            .and_then(|row| row.cells.get(3))
    {
        match v {
            Value::Kronor(Some(k)) => {
                out.push(format!("Kostnaden per {} var {} under {}.", c.per, sv::kronor(*k), r.year))
            }
            Value::Hidden(_) => out.push(format!("Kostnaden per {} {NOT_SHOWN}.", c.per)),
            _ => {}
        }
    }
    let goals: Vec<String> = r.goals.iter().map(|g| goal_sentence(r, t, g)).collect();
    if !goals.is_empty() {
        out.push(goals.join(" "));
    }
    out
}

/// The tallies of a kind this year and the year before.
pub fn section_line(r: &Report, t: &[Table], kind: &str, label: &str) -> String {
    let table = t
        .iter()
        .find(|x| x.key.starts_with(&format!("{kind}_")) && x.rows.iter().any(|r| r.label == "Alla registreringar"));
    let key = table.map(|x| x.key.as_str()).unwrap_or_default();
    let this = count(cell(t, key, "Alla registreringar", "Totalt", Some(r.year)));
    let prev = count(cell(t, key, "Alla registreringar", "Totalt", Some(r.previous_year)));
    let mut s = match this {
        Some(n) => format!("{label}: {} under {}", sv::plural(n, "registrering", "registreringar"), r.year),
        None => format!("{label}: antalet registreringar under {} {NOT_SHOWN}", r.year),
    };
    if let Some(p) = prev {
        s += &format!(" (året innan {})", sv::count(p));
    }
    s + "."
}

/// A goal in one sentence: "Egen försörjning: 40 % 2023 (mål minst 45 %); inte uppfyllt, 4 fler
/// hade behövts."
pub fn goal_sentence(r: &Report, t: &[Table], g: &GoalStatus) -> String {
    let target = tables::goal_target(g);
    let row = t.iter().find(|x| x.key == "mal").and_then(|x| x.rows.iter().find(|row| row.label == g.label));
    let actual = row.and_then(|row| row.cells.get(1)).filter(|v| !v.is_hidden());
    let Some(actual) = actual else {
        // The verdict would tell the hidden figure's side of the target and the band: not said.
        let word = if g.expectation { "förväntan" } else { "mål" };
        return format!("{}: {word} {target}; utfallet {}.", g.label, NOT_SHOWN);
    };
    let word = if g.expectation { "förväntan" } else { "mål" };
    let mut s = format!("{}: {} {} ({word} {target})", g.label, actual.display(), r.year);
    let short = row.and_then(|row| row.cells.iter().rev().nth(1)).filter(|v| !v.is_hidden());
    if g.verdict != Verdict::Unknown {
        s += &format!("; {}", g.verdict.label().to_lowercase());
    }
    match (g.verdict, short) {
        (Verdict::PartlyMet | Verdict::NotMet, Some(Value::Count(n)))
            if g.goal_type != "cost_per_participant" && !g.expectation =>
        {
            let word = if g.comparator == crate::domain::Comparator::AtMost { "färre" } else { "fler" };
            s += &format!(", {} {word} hade behövts", sv::count(*n))
        }
        _ => {}
    }
    s + "."
}

fn join(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} och {last}", init.join(", ")),
    }
}
