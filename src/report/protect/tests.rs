use super::*;
use crate::report::tables::{Column, Measure, TableRow, Value};

fn q(tag: &str, n: i64) -> Q {
    Q { tag: tag.into(), n }
}

/// A gender × municipality table with row and column totals.
fn table(cells: [[i64; 2]; 2]) -> Table {
    let g = ["k", "m"];
    let mut rows = Vec::new();
    let mut sums = Vec::new();
    for (r, name) in ["a", "b"].iter().enumerate() {
        let parts: Vec<Q> = (0..2).map(|c| q(&format!("{name}:{}", g[c]), cells[r][c])).collect();
        let total = q(&format!("{name}:*"), cells[r][0] + cells[r][1]);
        let mut basis: Vec<Basis> = parts.iter().cloned().map(Basis::Count).collect();
        basis.push(Basis::Count(total.clone()));
        rows.push(TableRow {
            label: name.to_string(),
            cells: basis
                .iter()
                .map(|b| if let Basis::Count(q) = b { Value::Count(q.n) } else { unreachable!() })
                .collect(),
            basis,
            emphasis: false,
            problem: false,
        });
    }
    for c in 0..2 {
        sums.push(Sum {
            total: q(&format!("t:{}", g[c]), cells[0][c] + cells[1][c]),
            parts: vec![q(&format!("a:{}", g[c]), cells[0][c]), q(&format!("b:{}", g[c]), cells[1][c])],
        });
    }
    let all = cells.iter().flatten().sum();
    sums.push(Sum {
        total: q("t:*", all),
        parts: vec![q("a:*", cells[0][0] + cells[0][1]), q("b:*", cells[1][0] + cells[1][1])],
    });
    Table {
        key: "t".into(),
        title: "t".into(),
        note: None,
        row_heading: String::new(),
        columns: vec![Column { group: "x".into(), year: None, measure: Measure::Count }; 3],
        rows,
        sums,
        protected: false,
        earlier: Vec::new(),
        survey: false,
    }
}

fn shown(t: &Table) -> Vec<Vec<String>> {
    t.rows.iter().map(|r| r.cells.iter().map(|c| c.display()).collect()).collect()
}

#[test]
fn a_lone_small_cell_takes_a_partner_in_its_row_and_column() {
    let mut t = [table([[1, 20], [30, 40]])];
    Protector::new(Rule::default()).protect(&mut t, &Default::default());
    let s = shown(&t[0]);
    assert_eq!(s[0][0], "..");
    // Its row total is published, so a second cell in the row hides; the column total is in
    // a sum only (never shown), so the column needs no partner.
    assert_eq!(s[0].iter().filter(|c| *c == "..").count(), 2, "{s:?}");
    assert_eq!(s.iter().filter(|r| r[0] == "..").count(), 1, "{s:?}");
}

#[test]
fn nothing_small_nothing_hidden() {
    let mut t = [table([[5, 20], [30, 0]])];
    Protector::new(Rule::default()).protect(&mut t, &Default::default());
    assert!(shown(&t[0]).iter().flatten().all(|c| c != ".."), "{:?}", shown(&t[0]));
}

#[test]
fn threshold_and_form_are_configurable() {
    let mut t = [table([[4, 20], [30, 40]])];
    Protector::new(Rule::new(5, Some("färre än 5"))).protect(&mut t, &Default::default());
    assert_eq!(shown(&t[0])[0][0], "färre än 5");
    assert_eq!(Rule::new(5, None).form, "..");
}

#[test]
fn the_system_check_finds_what_single_sums_miss() {
    // x + y = 5, x - z = 1 and y + z = 4 fix nothing alone but the first two with the third do not
    // fix x either; x + y = 5 and x = 2 (second row) does.
    let d = determined_columns(vec![vec![1.0, 1.0, 0.0], vec![1.0, 0.0, 0.0]], 3);
    assert_eq!(d.len(), 2);
    let d = determined_columns(vec![vec![1.0, 1.0, 0.0], vec![0.0, 1.0, 1.0]], 3);
    assert!(d.is_empty());
}
