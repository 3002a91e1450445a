//! Figures from earlier annual reports: the published marginal tables of years before Pinne was
//! used (participants by gender and by category, exits by reason, survey shares), and the number
//! enrolled at the start of the first tallied year. They are figures, not tallies: nothing is
//! cross-tabulated that was never counted, and only the enrolled-at-start counts enter the flow
//! arithmetic (see `report::earlier`).

use super::{Config, Flow, Insats, Role};
use serde::{Deserialize, Serialize};

/// What an earlier figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Participants during the year (in total, or with a person category's value).
    Deltagare,
    /// Exits during the year (in total, or with an exit reason or another category of exits).
    Avslut,
    /// The share of positive answers to a survey question (of a respondent group).
    Positiva,
    /// Enrolled at the start of the first tallied year: enters the flow arithmetic.
    Inskrivna,
}

impl Measure {
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Deltagare => "deltagare",
            Measure::Avslut => "avslut",
            Measure::Positiva => "positiva",
            Measure::Inskrivna => "inskrivna",
        }
    }
    pub fn parse(s: &str) -> Option<Measure> {
        [Measure::Deltagare, Measure::Avslut, Measure::Positiva, Measure::Inskrivna]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
    fn label(self) -> &'static str {
        match self {
            Measure::Deltagare => "Deltagare",
            Measure::Avslut => "Avslut",
            Measure::Positiva => "Andel positiva svar",
            Measure::Inskrivna => "Inskrivna vid årets början",
        }
    }
}

/// One figure as stored (ids of the configuration; 0 for "all").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub measure: Measure,
    /// The survey kind (`Positiva`); else 0.
    pub kind_id: i64,
    /// The category (`Positiva`: the question); 0 for all.
    pub dimension_id: i64,
    /// The category's value; 0 for all.
    pub value_id: i64,
    /// The respondent group (`Positiva`); 0 for all.
    pub scope_value_id: i64,
    /// The gender; 0 for all.
    pub gender_value_id: i64,
    pub count: Option<i64>,
    /// 0–1.
    pub share: Option<f64>,
}

impl Figure {
    /// What the figure is about, without its number: equal for the same cell.
    pub fn identity(&self) -> (Measure, i64, i64, i64, i64, i64) {
        (self.measure, self.kind_id, self.dimension_id, self.value_id, self.scope_value_id, self.gender_value_id)
    }
}

/// One figure named by keys: the API's form (in and out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FigureKeys {
    pub measure: Measure,
    /// `positiva`: the survey kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// A category (`deltagare`, `inskrivna`: a person category; `avslut`: a category of exits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<String>,
    /// The category's value (with `dimension`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `positiva`: the question (a dimension with role `question`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// `positiva`: the respondent group (a value of the kind's scope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// A gender value; absent for all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// A count (whole number), or
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// a share 0–1 (exactly one of the two).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
}

/// A problem with one figure: the form field it belongs to and a Swedish message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

/// The largest count accepted.
pub const MAX_COUNT: i64 = 1_000_000;

/// The form field of a figure (`measure.dimension.value.gender`, `positiva.kind.scope.question`;
/// `_` for all): the page's inputs and the API's problems use it.
pub fn field(config: &Config, f: &Figure) -> String {
    let dim = |id: i64| config.dimension_by_id(id).map(|d| d.key.clone()).unwrap_or_else(|| "_".into());
    let value = |id: i64| {
        config.dimensions.iter().find_map(|d| d.value_by_id(id)).map(|v| v.key.clone()).unwrap_or_else(|| "_".into())
    };
    match f.measure {
        Measure::Positiva => format!(
            "positiva.{}.{}.{}",
            config.kind_by_id(f.kind_id).map(|k| k.key.as_str()).unwrap_or("_"),
            value(f.scope_value_id),
            dim(f.dimension_id)
        ),
        m => format!("{}.{}.{}.{}", m.as_str(), dim(f.dimension_id), value(f.value_id), value(f.gender_value_id)),
    }
}

/// The figure in words: "Deltagare, Karlskoga, kvinnor".
pub fn describe(config: &Config, f: &Figure) -> String {
    let mut parts = vec![f.measure.label().to_string()];
    if let Some(k) = config.kind_by_id(f.kind_id) {
        parts.push(k.label.clone());
    }
    let value = |id: i64| config.dimensions.iter().find_map(|d| d.value_by_id(id));
    if let Some(v) = value(f.scope_value_id) {
        parts.push(v.label.clone());
    }
    if f.measure == Measure::Positiva {
        if let Some(d) = config.dimension_by_id(f.dimension_id) {
            parts.push(format!("”{}”", d.label));
        }
    } else if let Some(v) = value(f.value_id) {
        parts.push(v.label.clone());
    }
    if let Some(v) = value(f.gender_value_id) {
        parts.push(v.column_label().to_lowercase());
    }
    parts.join(", ")
}

/// The figure by keys.
pub fn keys(config: &Config, f: &Figure) -> FigureKeys {
    let dim = |id: i64| config.dimension_by_id(id).map(|d| d.key.clone());
    let value = |id: i64| config.dimensions.iter().find_map(|d| d.value_by_id(id)).map(|v| v.key.clone());
    let positiva = f.measure == Measure::Positiva;
    FigureKeys {
        measure: f.measure,
        kind: config.kind_by_id(f.kind_id).map(|k| k.key.clone()),
        dimension: if positiva { None } else { dim(f.dimension_id) },
        value: value(f.value_id),
        question: if positiva { dim(f.dimension_id) } else { None },
        scope: value(f.scope_value_id),
        gender: value(f.gender_value_id),
        count: f.count,
        share: f.share,
    }
}

/// The dimensions a measure may be split by, for an insats: person categories of entries
/// (participants, enrolled), or the exit reason and time in the programme (exits).
pub fn dimensions<'a>(config: &'a Config, insats: &Insats, measure: Measure) -> Vec<&'a super::Dimension> {
    let kind = match measure {
        Measure::Deltagare | Measure::Inskrivna => config.flow_kind(insats, Flow::Entry),
        Measure::Avslut => config.flow_kind(insats, Flow::Exit),
        Measure::Positiva => None,
    };
    let Some(kind) = kind else { return Vec::new() };
    let exit = config.flow_kind(insats, Flow::Exit);
    config
        .dimensions
        .iter()
        .filter(|d| d.role != Role::Gender && kind.takes(d.id).is_some())
        .filter(|d| match measure {
            // Participants per category need exits to carry it too (as the report's tables do).
            Measure::Deltagare | Measure::Inskrivna => {
                d.role.is_person() && exit.is_none_or(|x| x.takes(d.id).is_some())
            }
            // Exits are shown by reason and by time in the programme.
            _ => matches!(d.role, Role::Outcome | Role::Duration),
        })
        .collect()
}

/// The survey kinds of an insats with their questions.
pub fn surveys<'a>(config: &'a Config, insats: &'a Insats) -> Vec<(&'a super::Kind, Vec<&'a super::Dimension>)> {
    config
        .kinds_of(insats)
        .filter(|k| k.shape == super::Shape::Tally)
        .map(|k| {
            let questions = k
                .dimensions
                .iter()
                .filter_map(|kd| config.dimension_by_id(kd.dimension_id))
                .filter(|d| d.role == Role::Question)
                .collect::<Vec<_>>();
            (k, questions)
        })
        .filter(|(_, q)| !q.is_empty())
        .collect()
}

/// A figure named by keys, checked against the configuration and the insats.
pub fn resolve(config: &Config, insats: &Insats, k: &FigureKeys, at: &str) -> Result<Figure, Problem> {
    let err = |message: String| Problem { field: at.to_string(), message };
    let mut f = Figure {
        measure: k.measure,
        kind_id: 0,
        dimension_id: 0,
        value_id: 0,
        scope_value_id: 0,
        gender_value_id: 0,
        count: k.count,
        share: k.share,
    };
    if let Some(g) = &k.gender {
        if k.measure == Measure::Positiva {
            return Err(err("Andelar positiva svar anges för alla svarande, utan kön.".into()));
        }
        let d = config.gender().ok_or_else(|| err("Föreningen delar inte upp på kön.".into()))?;
        f.gender_value_id = d.value_by_key(g).ok_or_else(|| err(format!("”{g}” är inget kön i inställningarna.")))?.id;
    }
    match k.measure {
        Measure::Positiva => {
            if k.dimension.is_some() || k.value.is_some() {
                return Err(err("En andel positiva svar anges per fråga (question), inte per kategori.".into()));
            }
            let kind_key = k.kind.as_deref().ok_or_else(|| err("Ange vilken enkät (kind) andelen gäller.".into()))?;
            let (kind, questions) = surveys(config, insats)
                .into_iter()
                .find(|(kd, _)| kd.key == kind_key)
                .ok_or_else(|| err(format!("”{kind_key}” är ingen enkät i {}.", insats.label)))?;
            f.kind_id = kind.id;
            let q = k.question.as_deref().ok_or_else(|| err("Ange vilken fråga (question) andelen gäller.".into()))?;
            f.dimension_id = questions
                .iter()
                .find(|d| d.key == q)
                .ok_or_else(|| err(format!("”{q}” är ingen fråga i {}.", kind.label)))?
                .id;
            if let Some(s) = &k.scope {
                let d = kind
                    .scope_dimension_id
                    .and_then(|id| config.dimension_by_id(id))
                    .ok_or_else(|| err(format!("{} delas inte upp på svarandegrupp.", kind.label)))?;
                f.scope_value_id =
                    d.value_by_key(s).ok_or_else(|| err(format!("”{s}” är ingen grupp i {}.", d.label)))?.id;
            }
            if k.scope.is_none() && kind.scope_dimension_id.is_some() {
                return Err(err(format!("Ange vilken svarandegrupp (scope) andelen gäller i {}.", kind.label)));
            }
            if f.count.is_some() {
                return Err(err("Ange andelen positiva svar i procent, inte ett antal.".into()));
            }
        }
        m => {
            if k.kind.is_some() || k.question.is_some() || k.scope.is_some() {
                return Err(err("Enkät, fråga och svarandegrupp hör bara till andelar positiva svar.".into()));
            }
            match (&k.dimension, &k.value) {
                (None, None) => {}
                (Some(dk), Some(vk)) => {
                    let d = dimensions(config, insats, m)
                        .into_iter()
                        .find(|d| &d.key == dk)
                        .ok_or_else(|| err(format!("”{dk}” är ingen kategori för {}.", m.label().to_lowercase())))?;
                    f.dimension_id = d.id;
                    f.value_id =
                        d.value_by_key(vk).ok_or_else(|| err(format!("”{vk}” är inget värde i {}.", d.label)))?.id;
                }
                _ => return Err(err("Ange både kategori (dimension) och värde (value), eller ingen av dem.".into())),
            }
            if m == Measure::Inskrivna {
                if f.share.is_some() {
                    return Err(err("Inskrivna vid årets början anges som antal, inte andel.".into()));
                }
                if f.gender_value_id == 0 && config.gender().is_some() {
                    return Err(err("Inskrivna vid årets början anges per kön.".into()));
                }
            }
        }
    }
    match (f.count, f.share) {
        (Some(n), None) if (0..=MAX_COUNT).contains(&n) => {}
        (Some(_), None) => return Err(err(format!("Ett antal är ett heltal från 0 till {MAX_COUNT}."))),
        (None, Some(s)) if s.is_finite() && (0.0..=1.0).contains(&s) => {}
        (None, Some(_)) => return Err(err("En andel är mellan 0 och 100 procent.".into())),
        _ => return Err(err("Ange antingen ett antal eller en andel.".into())),
    }
    Ok(f)
}

/// A count or a share, as read from a form cell.
pub type Cell = (Option<i64>, Option<f64>);

/// Reads a figure as typed in a form: a whole number is a count, a number with `%` a share
/// (`percent`: every number is a share in per cent). Empty: no figure.
pub fn parse_cell(text: &str, percent: bool) -> Result<Option<Cell>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let (number, is_share) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (t, percent),
    };
    let cleaned: String = number.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect();
    if is_share {
        let p: f64 = cleaned
            .replace(',', ".")
            .parse()
            .ok()
            .filter(|p: &f64| p.is_finite())
            .ok_or_else(|| format!("”{t}” är ingen andel. Skriv till exempel 78 %."))?;
        if !(0.0..=100.0).contains(&p) {
            return Err(format!("”{t}”: en andel är mellan 0 och 100 %."));
        }
        return Ok(Some((None, Some(p / 100.0))));
    }
    match cleaned.parse::<i64>() {
        Ok(n) if (0..=MAX_COUNT).contains(&n) => Ok(Some((Some(n), None))),
        _ => Err(format!("”{t}” är inget antal. Skriv ett heltal, till exempel 114, eller en andel som 78 %.")),
    }
}

/// Checks a year's figures together (or the enrolled-at-start counts): no cell twice, the genders
/// add up to the total, a category's values to no more than their column's total, shares to no
/// more than 100 %, exits to no more than participants. Totals that the genders give are added
/// (arithmetic, not invention). Returns the figures to store.
pub fn check(config: &Config, mut figures: Vec<Figure>) -> Result<Vec<Figure>, Vec<Problem>> {
    let mut problems = Vec::new();
    let problem = |f: &Figure, message: String| Problem { field: field(config, f), message };
    let mut seen = std::collections::HashSet::new();
    for f in &figures {
        if !seen.insert(f.identity()) {
            problems.push(problem(f, format!("{} finns med två gånger.", describe(config, f))));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let genders: Vec<i64> = config.gender().map(|d| d.values.iter().map(|v| v.id).collect()).unwrap_or_default();
    // Woman and man must both be given for their sum to be the total; another gender left empty
    // counts as none (as in most published reports).
    let required: Vec<i64> = config
        .gender()
        .map(|d| {
            let main: Vec<i64> =
                d.values.iter().filter(|v| matches!(v.key.as_str(), "kvinna" | "man")).map(|v| v.id).collect();
            if main.is_empty() { d.values.iter().map(|v| v.id).collect() } else { main }
        })
        .unwrap_or_default();
    let find = |figures: &[Figure], m: Measure, dim: i64, value: i64, gender: i64| -> Option<Figure> {
        figures
            .iter()
            .find(|f| f.measure == m && f.dimension_id == dim && f.value_id == value && f.gender_value_id == gender)
            .copied()
    };
    // Genders against their total, per cell of a count measure.
    let mut cells: Vec<(Measure, i64, i64)> = figures
        .iter()
        .filter(|f| f.measure != Measure::Positiva)
        .map(|f| (f.measure, f.dimension_id, f.value_id))
        .collect();
    cells.sort();
    cells.dedup();
    for (m, dim, value) in cells {
        let parts: Vec<Figure> = genders.iter().filter_map(|g| find(&figures, m, dim, value, *g)).collect();
        let complete = required.iter().all(|g| parts.iter().any(|f| f.gender_value_id == *g));
        let counts: Option<i64> = parts.iter().map(|f| f.count).sum();
        let total = find(&figures, m, dim, value, 0);
        match (total.and_then(|t| t.count), counts) {
            (Some(t), Some(sum)) if complete && !parts.is_empty() && sum != t => problems.push(problem(
                &total.expect("matched"),
                format!("{}: könen blir tillsammans {sum}, inte {t}.", describe(config, &total.expect("matched"))),
            )),
            (Some(t), _) => {
                let sum: i64 = parts.iter().filter_map(|f| f.count).sum();
                if sum > t {
                    problems.push(problem(
                        &total.expect("matched"),
                        format!(
                            "{}: könen blir tillsammans {sum}, fler än {t}.",
                            describe(config, &total.expect("matched"))
                        ),
                    ));
                }
            }
            // The enrolled are stored per gender only: their total is always the sum.
            (None, Some(sum)) if complete && !parts.is_empty() && m != Measure::Inskrivna => {
                figures.push(Figure { gender_value_id: 0, count: Some(sum), share: None, ..parts[0] });
            }
            _ => {}
        }
    }
    // A category's values against their column's total.
    let columns: Vec<(Measure, i64, i64)> = {
        let mut c: Vec<_> = figures
            .iter()
            .filter(|f| f.measure != Measure::Positiva && f.dimension_id != 0)
            .map(|f| (f.measure, f.dimension_id, f.gender_value_id))
            .collect();
        c.sort();
        c.dedup();
        c
    };
    for (m, dim, gender) in columns {
        let values: Vec<&Figure> =
            figures.iter().filter(|f| f.measure == m && f.dimension_id == dim && f.gender_value_id == gender).collect();
        let all = find(&figures, m, 0, 0, gender).and_then(|f| f.count);
        let multiple = matches!(m, Measure::Avslut | Measure::Deltagare | Measure::Inskrivna)
            && config.kinds.iter().any(|k| k.takes(dim).is_some_and(|kd| kd.multiple));
        for f in &values {
            if let (Some(n), Some(a)) = (f.count, all)
                && n > a
            {
                problems.push(problem(f, format!("{}: {n} är fler än alla ({a}).", describe(config, f))));
            }
        }
        if multiple {
            continue;
        }
        let count_sum: i64 = values.iter().filter_map(|f| f.count).sum();
        if let Some(a) = all
            && count_sum > a
        {
            problems.push(problem(
                values[0],
                format!("{}: värdena blir tillsammans {count_sum}, fler än alla ({a}).", describe(config, values[0])),
            ));
        }
        let shares: Vec<f64> = values.iter().filter_map(|f| f.share).collect();
        // Published shares are rounded: half a per cent each is allowed.
        if shares.iter().sum::<f64>() > 1.0 + 0.005 * shares.len() as f64 + 1e-9 {
            problems.push(problem(
                values.iter().find(|f| f.share.is_some()).expect("a share"),
                format!(
                    "{}: andelarna blir tillsammans {} %, mer än 100 %.",
                    describe(config, values[0]),
                    (shares.iter().sum::<f64>() * 100.0).round()
                ),
            ));
        }
    }
    // Exits against participants.
    for f in figures.iter().filter(|f| f.measure == Measure::Avslut && f.dimension_id == 0) {
        if let (Some(x), Some(p)) =
            (f.count, find(&figures, Measure::Deltagare, 0, 0, f.gender_value_id).and_then(|p| p.count))
            && x > p
        {
            problems.push(problem(f, format!("{}: {x} avslut är fler än deltagarna ({p}).", describe(config, f))));
        }
    }
    if problems.is_empty() { Ok(figures) } else { Err(problems) }
}
