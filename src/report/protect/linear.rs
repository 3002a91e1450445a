//! Which unknowns a system of linear equations fixes, over the reals (a quick first check; the
//! integer attacker in `solve` is the real one).

/// Columns `c` of the linear system `rows · x = b` whose unknown `x_c` is fixed by it: those whose
/// unit vector lies in the row space, i.e. a row of the reduced row echelon form with a single
/// non-zero entry.
pub fn determined_columns(mut rows: Vec<Vec<f64>>, n: usize) -> Vec<usize> {
    const EPS: f64 = 1e-9;
    let mut pivot_row = 0;
    for c in 0..n {
        let Some(p) = (pivot_row..rows.len()).find(|r| rows[*r][c].abs() > EPS) else { continue };
        rows.swap(pivot_row, p);
        let lead = rows[pivot_row][c];
        for v in rows[pivot_row].iter_mut() {
            *v /= lead;
        }
        let pivot = rows[pivot_row].clone();
        for (r, row) in rows.iter_mut().enumerate() {
            if r != pivot_row && row[c].abs() > EPS {
                let f = row[c];
                for (v, p) in row.iter_mut().zip(&pivot) {
                    *v -= f * p;
                }
            }
        }
        pivot_row += 1;
        if pivot_row == rows.len() {
            break;
        }
    }
    rows.iter()
        .filter_map(|row| {
            let mut nz = row.iter().enumerate().filter(|(_, v)| v.abs() > EPS);
            match (nz.next(), nz.next()) {
                (Some((c, _)), None) => Some(c),
                _ => None,
            }
        })
        .collect()
}
