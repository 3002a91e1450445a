//! Reports over a span of years (Ciceron's 36 months, "800 individer 2015–2023"): the yearly
//! report's arithmetic on the span's tallies as if they were one year (`store::span_inputs_until`),
//! so a participant enrolled through the whole span is counted once: those enrolled at its start
//! plus its entries. The tables leave out the year before (it stands for everything before the
//! span) and name the span; for publication their quantities are tagged with the span and tied to
//! the yearly figures they add up to, so the same protection that keeps each year's small counts
//! hidden sees the span beside them (see `publish::Cache::publish_span`).

use super::protect::{Basis, Q, Sum};
use super::tables::Table;
use std::collections::HashMap;

/// A span of whole years, `first` < `last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub first: i32,
    pub last: i32,
}

/// The longest span a report covers.
pub const MAX_YEARS: i32 = 25;

impl Span {
    /// "2024-2027" (or with an en dash); at least two and at most `MAX_YEARS` years.
    pub fn parse(s: &str) -> Option<Span> {
        let (a, b) = s.split_once('-').or_else(|| s.split_once('–'))?;
        let year = |t: &str| (t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse::<i32>().ok())?;
        let (first, last) = (year(a)?, year(b)?);
        ((2000..=2999).contains(&first) && first < last && last - first < MAX_YEARS).then_some(Span { first, last })
    }
    /// "2024–2027".
    pub fn label(&self) -> String {
        format!("{}–{}", self.first, self.last)
    }
    /// "2024-2027": in URLs, file names and quantity tags.
    pub fn key(&self) -> String {
        format!("{}-{}", self.first, self.last)
    }
    fn years(&self) -> std::ops::RangeInclusive<i32> {
        self.first..=self.last
    }
}

/// The report of a span's inputs (`store::span_inputs_until`): the yearly report of its last year,
/// with its events counted in that year but listed in the months they were held.
pub fn report(
    config: &crate::domain::Config,
    insats: &crate::domain::Insats,
    span: Span,
    inputs: &super::Inputs,
) -> super::Report {
    let mut shaped = inputs.clone();
    for e in &mut shaped.events {
        e.period = crate::domain::Period::new(span.last, e.period.month).unwrap_or(e.period);
    }
    let mut r = super::yearly(config, insats, span.last, &shaped);
    for section in &mut r.events {
        for row in &mut section.events {
            if let Some(e) = inputs.events.iter().find(|e| e.id == row.id) {
                row.period = e.period.to_string();
            }
        }
    }
    r
}

/// The span report's tables from the report of its inputs (made for year `last`).
pub fn tables(tables: Vec<Table>, span: Span) -> Vec<Table> {
    tables.into_iter().filter(|t| t.key != "dataproblem").filter_map(|t| adapt(t, span)).collect()
}

/// One table of the span: the columns of the year before the span left out, the text naming the
/// span, the quantities tagged with it. `None` for a table with nothing of the span left.
pub fn adapt(mut t: Table, span: Span) -> Option<Table> {
    let before = span.last - 1;
    // Columns of other years (the year before, a survey's earlier years, events per year) go.
    let drop: Vec<bool> = t
        .columns
        .iter()
        .map(|c| c.year.is_some_and(|y| y != span.last) || c.group.contains(&before.to_string()))
        .collect();
    if drop.iter().all(|d| *d) {
        return None;
    }
    let keep = |i: usize| !drop.get(i).copied().unwrap_or(false);
    t.columns = t.columns.into_iter().enumerate().filter(|(i, _)| keep(*i)).map(|(_, c)| c).collect();
    for c in &mut t.columns {
        // The page and the title name the span: a column is "Kvinnor", not "Kvinnor 2027".
        c.group = words(&c.group, span);
        if c.year == Some(span.last) {
            c.year = None;
        }
    }
    for row in &mut t.rows {
        row.cells =
            std::mem::take(&mut row.cells).into_iter().enumerate().filter(|(i, _)| keep(*i)).map(|(_, v)| v).collect();
        if !row.basis.is_empty() {
            row.basis = std::mem::take(&mut row.basis)
                .into_iter()
                .enumerate()
                .filter(|(i, _)| keep(*i))
                .map(|(_, b)| b)
                .collect();
        }
        for b in &mut row.basis {
            retag_basis(b, span);
        }
        row.label = words(&row.label, span);
    }
    // Rows of other years (a rating table's "Hela 2026", the cost of earlier years) go: told by
    // what their figures count, never by their text.
    t.rows.retain(|r| r.basis.iter().flat_map(Basis::quantities).all(|q| of_span(q, span)));
    for s in &mut t.sums {
        retag(&mut s.total, span);
        for q in &mut s.parts {
            retag(q, span);
        }
    }
    t.sums.retain(|s| std::iter::once(&s.total).chain(&s.parts).all(|q| of_span(q, span)));
    t.title = words(&t.title, span);
    t.note = t.note.map(|n| words(&n, span));
    t.earlier.clear();
    Some(t)
}

/// Whether a retagged quantity belongs to the span's report: of the span (or one of its halves),
/// or the enrolled at its start or end. Anything else is another year's figure.
fn of_span(q: &Q, span: Span) -> bool {
    let Some((base, rest)) = q.tag.split_once('@') else { return true };
    let period = rest.split_once(':').map(|(p, _)| p).unwrap_or(rest);
    period.starts_with(&span.key())
        || (enrolled(base) && (period == (span.first - 1).to_string() || period == span.last.to_string()))
}

/// The yearly report's words for the span: "under året" → "under perioden", the year → the span.
fn words(text: &str, span: Span) -> String {
    text.replace("Saknas i år", "Saknas för perioden")
        .replace("vid årets början", "vid periodens början")
        .replace("vid årets slut", "vid periodens slut")
        .replace("under året", "under perioden")
        .replace("Årets", "Periodens")
        .replace("årets", "periodens")
        .replace(&span.last.to_string(), &span.label())
}

/// Whether a quantity is the number enrolled at the end of a year: the same quantity in the span's
/// report (at its start: the end of the year before it; at its end: the end of its last year).
fn enrolled(base: &str) -> bool {
    base.starts_with("e:")
}

/// Tags a quantity of the span's report with what it is among all years' quantities. Periods are
/// a year ("2027") or a half-year ("2027h1").
fn retag(q: &mut Q, span: Span) {
    let Some((base, rest)) = q.tag.split_once('@') else { return };
    let Some((period, gender)) = rest.split_once(':') else { return };
    let (year, half) = match period.split_once('h') {
        Some((y, h)) => (y, format!("h{h}")),
        None => (period, String::new()),
    };
    let period = match year.parse::<i32>() {
        Ok(y) if y == span.last && enrolled(base) && half.is_empty() => return,
        Ok(y) if y == span.last - 1 && enrolled(base) && half.is_empty() => (span.first - 1).to_string(),
        Ok(y) if y == span.last => format!("{}{half}", span.key()),
        // Everything before the span, folded into the year before it.
        Ok(y) if y == span.last - 1 => format!("<{}{half}", span.first),
        _ => return,
    };
    q.tag = format!("{base}@{period}:{gender}");
}

fn retag_basis(b: &mut Basis, span: Span) {
    match b {
        Basis::None => {}
        Basis::Count(q) => retag(q, span),
        Basis::CountShare(q, d) => {
            retag(q, span);
            retag(d, span);
        }
        Basis::Share { num, den } => {
            retag(num, span);
            retag(den, span);
        }
        Basis::Derived { id, den, deps, .. } => {
            if let Some(id) = id {
                *id = id.replace(&format!("@{}", span.last), &format!("@{}", span.key()));
            }
            den.iter_mut().chain(deps.iter_mut()).for_each(|q| retag(q, span));
        }
    }
}

/// Tags the quantities a report's goals rest on as `adapt` tags its tables', so that goals
/// recomputed from the published figures (the Cell Key Method) read the span's, not the last
/// year's.
pub fn retag_goals(report: &mut super::Report, span: Span) {
    for g in &mut report.goals {
        for f in g.basis.figures.values_mut() {
            f.den.iter_mut().chain(f.deps.iter_mut()).for_each(|q| retag(q, span));
        }
        for s in &mut g.basis.sums {
            retag(&mut s.total, span);
            s.parts.iter_mut().for_each(|q| retag(q, span));
        }
    }
}

/// For each count of the span's tables that adds up over years (tallies `c:`, attendees `ev:`):
/// span = Σ its years, with the yearly values the protector already holds (`known`). Years that no
/// yearly table showed are one quantity of their own (their total, never published). And for the
/// participants of each category (`p:kommun.degerfors`), counted once per span, what ties them to
/// the first year: both are those of the category enrolled at the span's start (never published)
/// plus its entries (`entry`: the entry kind's key), the span's or the first year's, so the span's
/// participants less the first year's are the later years' entries, as a reader could work out.
pub fn links(tables: &[Table], span: Span, known: &HashMap<String, i64>, entry: Option<&str>) -> Vec<Sum> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    let quantities: Vec<&Q> = tables
        .iter()
        .flat_map(|t| {
            t.rows
                .iter()
                .flat_map(|r| r.basis.iter().flat_map(Basis::quantities))
                .chain(t.sums.iter().flat_map(|s| s.parts.iter().chain([&s.total])))
        })
        .collect();
    let values: HashMap<&str, i64> = quantities.iter().map(|q| (q.tag.as_str(), q.n)).collect();
    for q in &quantities {
        let Some((base, rest)) = q.tag.split_once('@') else { continue };
        let Some((period, gender)) = rest.split_once(':') else { continue };
        // The span, or one of its halves ("2024-2027h1": the first halves of its years).
        let Some(half) = period.strip_prefix(&span.key()).filter(|h| matches!(*h, "" | "h1" | "h2")) else {
            continue;
        };
        if !seen.insert(q.tag.clone()) {
            continue;
        }
        if let (Some(set), Some(entry), "") = (base.strip_prefix("p:").filter(|s| *s != "*"), entry, half) {
            let first_p = format!("{base}@{}:{gender}", span.first);
            let first_e = format!("c:{entry}::{set}@{}:{gender}", span.first);
            let span_e = format!("c:{entry}::{set}@{}:{gender}", span.key());
            let (Some(pf), Some(ef), Some(es)) =
                (known.get(&first_p), known.get(&first_e), values.get(span_e.as_str()))
            else {
                continue;
            };
            let opening = Q { tag: format!("e:{set}@{}:{gender}", span.first - 1), n: pf - ef };
            if q.n - es != opening.n {
                tracing::warn!(tag = %q.tag, "a span's participants do not follow from its first year's; left out");
                continue;
            }
            out.push(Sum { total: (*q).clone(), parts: vec![opening.clone(), Q { tag: span_e, n: *es }] });
            out.push(Sum { total: Q { tag: first_p, n: *pf }, parts: vec![opening, Q { tag: first_e, n: *ef }] });
            continue;
        }
        if !(base.starts_with("c:") || base.starts_with("ev:")) {
            continue;
        }
        let mut parts = Vec::new();
        let mut rest = q.n;
        for y in span.years() {
            let tag = format!("{base}@{y}{half}:{gender}");
            if let Some(n) = known.get(&tag) {
                rest -= n;
                parts.push(Q { tag, n: *n });
            }
        }
        if parts.is_empty() {
            continue;
        }
        // Years no table showed add up to the rest; when that is 0, each of them is 0 (counts
        // are never negative), and the sum of the known years is the whole fact.
        if rest != 0 {
            parts.push(Q { tag: format!("{base}@{}{half}r:{gender}", span.key()), n: rest });
        }
        out.push(Sum { total: (*q).clone(), parts });
    }
    out
}

/// Under suppression, shows again every hidden figure of a span's tables that a reader can work out
/// exactly from published figures anyway (a sum all of whose other members are known, applied until
/// nothing more follows): the span's entries when every year's entries are published, its
/// participants from its start and its entries. Showing what already follows from the published
/// figures tells nothing new; hiding it only makes the span unreadable. `counted`: the tables as
/// they were before protection.
pub fn reveal_derivable(tables: &mut [Table], counted: &[Table], p: &super::protect::Protector) {
    let mut known: std::collections::HashSet<String> =
        p.quantities().into_iter().filter(|(_, _, st)| !st.hidden()).map(|(tag, _, _)| tag).collect();
    let sums = p.sums();
    loop {
        let mut more = false;
        for (total, parts) in &sums {
            let members: Vec<&String> = std::iter::once(total).chain(parts).collect();
            let unknown: Vec<&&String> = members.iter().filter(|m| !known.contains(**m)).collect();
            // A part that appears twice (a sum over one quantity) cannot be solved for.
            if let [one] = unknown[..]
                && members.iter().filter(|m| **m == *one).count() == 1
            {
                known.insert((*one).clone());
                more = true;
            }
        }
        if !more {
            break;
        }
    }
    for t in tables.iter_mut() {
        // The counted table by row and column heading (protection may leave the folded gender
        // column out, so positions differ).
        let Some(c) = counted.iter().find(|c| c.key == t.key) else { continue };
        let heads: Vec<String> = t.columns.iter().map(|col| col.heading()).collect();
        for row in &mut t.rows {
            let Some(crow) = c.rows.iter().find(|r| r.label == row.label) else { continue };
            for (i, (cell, basis)) in row.cells.iter_mut().zip(&row.basis).enumerate() {
                if !cell.is_hidden() {
                    continue;
                }
                let Some(j) = c.columns.iter().position(|col| Some(&col.heading()) == heads.get(i)) else { continue };
                let (Some(original), Some(cbasis)) = (crow.cells.get(j), crow.basis.get(j)) else { continue };
                if cbasis != basis {
                    continue;
                }
                match (basis, original) {
                    (Basis::Count(q), v) if known.contains(&q.tag) => *cell = v.clone(),
                    (Basis::CountShare(q, den), super::tables::Value::CountShare(n, s)) if known.contains(&q.tag) => {
                        *cell = super::tables::Value::CountShare(*n, s.filter(|_| known.contains(&den.tag)))
                    }
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_two_or_more_whole_years() {
        assert_eq!(Span::parse("2024-2027"), Some(Span { first: 2024, last: 2027 }));
        assert_eq!(Span::parse("2015–2023"), Some(Span { first: 2015, last: 2023 }));
        for bad in ["2024", "2024-2024", "2027-2024", "24-27", "2024-20277", "1999-2001", "2000-2030", "a-b"] {
            assert_eq!(Span::parse(bad), None, "{bad}");
        }
        assert_eq!(Span { first: 2024, last: 2027 }.label(), "2024–2027");
    }

    #[test]
    fn quantities_are_tagged_with_the_span_and_the_enrolled_with_their_year() {
        let span = Span { first: 2024, last: 2027 };
        let tag = |t: &str| {
            let mut q = Q { tag: t.into(), n: 1 };
            retag(&mut q, span);
            q.tag
        };
        assert_eq!(tag("c:avslut::*@2027:kvinna"), "c:avslut::*@2024-2027:kvinna");
        assert_eq!(tag("p:*@2027:*"), "p:*@2024-2027:*");
        assert_eq!(tag("e:*@2027:man"), "e:*@2027:man");
        assert_eq!(tag("e:*@2026:man"), "e:*@2023:man");
        assert_eq!(tag("c:avslut::*@2026:*"), "c:avslut::*@<2024:*");
        assert_eq!(tag("c:betyg::*@2027h1:*"), "c:betyg::*@2024-2027h1:*");
        assert_eq!(tag("c:betyg::*@2026h2:*"), "c:betyg::*@<2024h2:*");
    }
}
