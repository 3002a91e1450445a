//! A configuration preset: the whole configuration of an association as a TOML document
//! (see `schema/presets/`). Parsed and checked here; written to the database by `store::config`.

use serde::Deserialize;
use std::collections::HashSet;

/// Presets shipped in the binary, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("degerfors-karlskoga", include_str!("../../schema/presets/degerfors-karlskoga.toml")),
    ("sydnarke", include_str!("../../schema/presets/sydnarke.toml")),
    ("ornskoldsvik", include_str!("../../schema/presets/ornskoldsvik.toml")),
];

/// The preset seeded into a new database.
pub const DEFAULT: &str = "degerfors-karlskoga";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    pub association: String,
    pub insatser: Vec<PresetInsats>,
    pub kinds: Vec<PresetKind>,
    pub dimensions: Vec<PresetDimension>,
    /// Answer scales shared by survey questions (`scale = "…"` on a dimension).
    #[serde(default)]
    pub scales: Vec<PresetScale>,
    #[serde(default)]
    pub goals: Vec<PresetGoal>,
    /// Budgets and outcomes per insats and year.
    #[serde(default)]
    pub budgets: Vec<PresetBudget>,
    /// How `pinne demo` generates data for this association.
    pub demo: Option<PresetDemo>,
    /// Small-number protection (default: counts below 3 hidden, shown as "..").
    pub privacy: Option<PresetPrivacy>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetPrivacy {
    pub threshold: i64,
    /// How a hidden figure is shown; default "..".
    pub form: Option<String>,
    /// "suppression" (default) or "cell_key".
    pub method: Option<String>,
    /// The Cell Key Method's largest change of a count (D); default 2.
    pub max_deviation: Option<i64>,
    /// The Cell Key Method's variance (V); default 1.
    pub variance: Option<f64>,
}

impl PresetPrivacy {
    /// The settings these stand for, or what is wrong with them.
    pub fn privacy(&self) -> Result<crate::domain::Privacy, String> {
        use crate::domain::{Privacy, PrivacyMethod};
        let method = match self.method.as_deref() {
            None => PrivacyMethod::Suppression,
            Some(m) => PrivacyMethod::parse(m)
                .ok_or_else(|| format!("privacy.method must be \"suppression\" or \"cell_key\", not {m:?}"))?,
        };
        let p = Privacy {
            threshold: self.threshold,
            form: self.form.clone().filter(|f| !f.trim().is_empty()),
            method,
            max_deviation: self.max_deviation.unwrap_or(Privacy::DEFAULT_MAX_DEVIATION),
            variance: self.variance.unwrap_or(Privacy::DEFAULT_VARIANCE),
        };
        match p.problems().first() {
            Some((field, why)) => Err(format!("privacy.{field}: {why}")),
            None => Ok(p),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetDemo {
    /// The insats to fill (default: the first with entries and exits).
    pub insats: Option<String>,
    /// The first year with tallies; participants enrolled before it are recorded as entries in
    /// December of the year before (the documented way to start).
    pub start_year: Option<i32>,
    /// New participants per month: uniformly between the two numbers.
    pub entries_per_month: Option<[u32; 2]>,
    /// Tallies of other kinds per insats and month: `{ insats, kind, per_month = [lo, hi] }`.
    #[serde(default)]
    pub kinds: Vec<PresetDemoKind>,
    /// Structural events the demo data repeats every year.
    #[serde(default)]
    pub events: Vec<PresetDemoEvent>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetDemoKind {
    pub insats: String,
    pub kind: String,
    pub per_month: [u32; 2],
    /// Months of the year with tallies (default all); e.g. ratings twice a year.
    pub months: Option<Vec<u32>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetDemoEvent {
    pub insats: String,
    pub kind: String,
    pub name: String,
    pub organiser: String,
    pub month: u32,
    pub attendees: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetScale {
    pub key: String,
    pub values: Vec<PresetValue>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetBudget {
    pub insats: String,
    pub year: i32,
    pub budget_kr: Option<i64>,
    pub outcome_kr: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetInsats {
    pub key: String,
    pub label: String,
    pub kinds: Vec<String>,
    /// How Uppföljning Finsam takes it: `participants`, `volume` or `none` (default: as its
    /// kinds suggest).
    pub national: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetKind {
    pub key: String,
    pub label: String,
    pub flow: Option<String>,
    /// `tally` (default) or `event`.
    pub shape: Option<String>,
    /// A dimension of the kind whose value keys every count row (see `Kind::scope_dimension_id`).
    pub scope: Option<String>,
    /// `participants` (default) or `collaboration` (board, beredningsgrupp, staff; see `Audience`).
    pub audience: Option<String>,
    #[serde(default)]
    pub dimensions: Vec<String>,
    /// Dimensions of this kind that may be left out.
    #[serde(default)]
    pub optional: Vec<String>,
    /// Dimensions of this kind that take several values in one tally.
    #[serde(default)]
    pub multiple: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetDimension {
    pub key: String,
    pub label: String,
    pub role: String,
    pub hint: Option<String>,
    /// The values, or (for survey questions) `scale`: the key of a shared answer scale.
    #[serde(default)]
    pub values: Vec<PresetValue>,
    pub scale: Option<String>,
    #[serde(default)]
    pub groups: Vec<PresetGroup>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetValue {
    pub key: String,
    pub label: String,
    pub column_label: Option<String>,
    pub months: Option<f64>,
    /// The number a rating value stands for.
    pub score: Option<f64>,
    /// A positive survey answer.
    #[serde(default)]
    pub positive: bool,
    /// Relative frequency in demo data (default 1).
    pub weight: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetGroup {
    pub key: String,
    pub label: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetGoal {
    pub insats: String,
    /// The first year of a span of years the goal is for (default: `year`, a yearly goal).
    pub first_year: Option<i32>,
    /// The year (the last year of a span) the goal is for.
    pub year: i32,
    pub key: String,
    pub label: String,
    /// `share` (default), `count` or `cost_per_participant`.
    #[serde(rename = "type")]
    pub goal_type: Option<String>,
    pub kind: Option<String>,
    /// For a count: `participants`, `tallies` or `attendees`.
    pub measure: Option<String>,
    /// With `values`: the dimension the value keys belong to.
    pub dimension: Option<String>,
    #[serde(default)]
    pub values: Vec<String>,
    /// Numerator values as `dimension.value`; `dimension.+` is every positive answer of a question.
    #[serde(default)]
    pub numerator: Vec<String>,
    /// Denominator values, same form; `dimension.*` is every value. Empty: all tallies of the kind.
    #[serde(default)]
    pub denominator: Vec<String>,
    /// Only tallies with this value of the kind's scope dimension, as `dimension.value`.
    pub scope: Option<String>,
    pub comparator: String,
    pub target_percent: Option<f64>,
    /// For a count: the number; for a cost per participant: kronor.
    pub target: Option<i64>,
    /// A share goal's "delvis uppfyllt" band: from this percentage to the target.
    pub partial_percent: Option<f64>,
    /// A count or cost goal's band: from this number to the target.
    pub partial: Option<i64>,
    /// The figure is an expected outcome, not a floor or a ceiling (default false).
    #[serde(default)]
    pub expectation: bool,
    /// A share of survey answers: `answers` (default) or `respondents`.
    pub unit: Option<String>,
}

impl PresetGoal {
    /// The band end in the stored unit (basis points for a share).
    pub fn partial_stored(&self) -> Option<i64> {
        self.partial_percent.map(|p| (p * 100.0).round() as i64).or(self.partial)
    }
    /// The target in the stored unit.
    pub fn target_stored(&self) -> Option<i64> {
        self.target_percent.map(|t| (t * 100.0).round() as i64).or(self.target)
    }
}

/// A goal's value references resolved to (dimension key, value key) pairs.
impl PresetGoal {
    pub fn value_refs<'a>(&'a self, p: &'a Preset, part: &'a [String]) -> Result<Vec<(&'a str, &'a str)>, String> {
        let mut out = Vec::new();
        for r in part {
            let (dk, vk) =
                r.split_once('.').ok_or_else(|| format!("goal {}: {r:?} is not dimension.value", self.key))?;
            let d = p
                .dimensions
                .iter()
                .find(|d| d.key == dk)
                .ok_or_else(|| format!("goal {} refers to unknown dimension {dk}", self.key))?;
            let values = p.values_of(d);
            match vk {
                "*" => out.extend(values.iter().map(|v| (dk, v.key.as_str()))),
                "+" => out.extend(values.iter().filter(|v| v.positive).map(|v| (dk, v.key.as_str()))),
                _ if values.iter().any(|v| v.key == vk) => out.push((dk, vk)),
                _ => return Err(format!("goal {} refers to unknown value {r}", self.key)),
            }
        }
        Ok(out)
    }

    /// The numerator as (dimension key, value key) pairs, from `numerator` or `dimension` + `values`.
    pub fn numerator_refs<'a>(&'a self, p: &'a Preset) -> Result<Vec<(&'a str, &'a str)>, String> {
        let mut out = self.value_refs(p, &self.numerator)?;
        if let Some(dk) = &self.dimension {
            let d = p
                .dimensions
                .iter()
                .find(|d| &d.key == dk)
                .ok_or_else(|| format!("goal {} refers to unknown dimension {dk}", self.key))?;
            for v in &self.values {
                if !p.values_of(d).iter().any(|dv| &dv.key == v) {
                    return Err(format!("goal {} refers to unknown value {v}", self.key));
                }
                out.push((dk.as_str(), v.as_str()));
            }
        }
        Ok(out)
    }
}

fn is_slug(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Preset {
    /// A built-in preset by name.
    pub fn builtin(name: &str) -> Option<Preset> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        Some(Preset::parse(text).expect("built-in presets are valid (tested)"))
    }

    /// Parses and checks a preset: every reference resolves, keys are slugs, roles and flows exist.
    pub fn parse(text: &str) -> Result<Preset, String> {
        let p: Preset = toml::from_str(text).map_err(|e| e.to_string())?;
        p.check()?;
        Ok(p)
    }

    /// A dimension's values: its own, or those of its scale.
    pub fn values_of<'a>(&'a self, d: &'a PresetDimension) -> &'a [PresetValue] {
        match &d.scale {
            Some(k) => self.scales.iter().find(|s| &s.key == k).map(|s| s.values.as_slice()).unwrap_or(&[]),
            None => &d.values,
        }
    }

    fn check(&self) -> Result<(), String> {
        if let Some(p) = &self.privacy {
            p.privacy()?;
        }
        let mut skeys = HashSet::new();
        for sc in &self.scales {
            if !is_slug(&sc.key) || !skeys.insert(sc.key.as_str()) {
                return Err(format!("scale key {:?} is not a unique slug", sc.key));
            }
        }
        let mut keys = HashSet::new();
        for d in &self.dimensions {
            if !is_slug(&d.key) || !keys.insert(d.key.as_str()) {
                return Err(format!("dimension key {:?} is not a unique slug", d.key));
            }
            if super::Role::parse(&d.role).is_none() {
                return Err(format!("dimension {}: unknown role {:?}", d.key, d.role));
            }
            match &d.scale {
                Some(k) if !skeys.contains(k.as_str()) => {
                    return Err(format!("dimension {} refers to unknown scale {k}", d.key));
                }
                Some(_) if !d.values.is_empty() => {
                    return Err(format!("dimension {}: give values or a scale, not both", d.key));
                }
                _ => {}
            }
            let values = self.values_of(d);
            if values.is_empty() {
                return Err(format!("dimension {} has no values", d.key));
            }
            let mut vkeys = HashSet::new();
            for v in values {
                if !is_slug(&v.key) || !vkeys.insert(v.key.as_str()) {
                    return Err(format!("dimension {}: value key {:?} is not a unique slug", d.key, v.key));
                }
                if d.role == "rating" && v.score.is_none() {
                    return Err(format!("dimension {}: rating value {} needs a score", d.key, v.key));
                }
            }
            if d.role == "question" && !values.iter().any(|v| v.positive) {
                return Err(format!("question {} has no positive answer", d.key));
            }
            for g in &d.groups {
                if let Some(bad) = g.values.iter().find(|v| !vkeys.contains(v.as_str())) {
                    return Err(format!("group {} refers to unknown value {bad}", g.key));
                }
            }
        }
        if self.dimensions.iter().filter(|d| d.role == "gender").count() > 1 {
            return Err("at most one dimension may have the role gender".into());
        }
        let mut kkeys = HashSet::new();
        for k in &self.kinds {
            if !is_slug(&k.key) || !kkeys.insert(k.key.as_str()) {
                return Err(format!("kind key {:?} is not a unique slug", k.key));
            }
            if let Some(f) = &k.flow
                && super::Flow::parse(f).is_none()
            {
                return Err(format!("kind {}: unknown flow {f:?}", k.key));
            }
            let shape = k.shape.as_deref().map_or(Some(super::Shape::Tally), super::Shape::parse);
            match shape {
                None => return Err(format!("kind {}: unknown shape", k.key)),
                Some(super::Shape::Event) if k.flow.is_some() || k.scope.is_some() => {
                    return Err(format!("kind {}: an event kind has no flow or scope", k.key));
                }
                _ => {}
            }
            match k.audience.as_deref().map(super::Audience::parse) {
                Some(None) => return Err(format!("kind {}: unknown audience", k.key)),
                Some(Some(super::Audience::Collaboration)) if k.flow.is_some() => {
                    return Err(format!("kind {}: an entry or exit kind is about participants", k.key));
                }
                _ => {}
            }
            if let Some(bad) = k.dimensions.iter().chain(&k.optional).find(|d| !keys.contains(d.as_str())) {
                return Err(format!("kind {} refers to unknown dimension {bad}", k.key));
            }
            if let Some(bad) = k.optional.iter().chain(&k.multiple).chain(&k.scope).find(|d| !k.dimensions.contains(d))
            {
                return Err(format!("kind {}: {bad} is not among its dimensions", k.key));
            }
            if let Some(bad) =
                k.multiple.iter().find(|m| self.dimensions.iter().any(|d| &d.key == *m && d.role != "choice"))
            {
                return Err(format!("kind {}: only a dimension of role choice can take several values ({bad})", k.key));
            }
            if let Some(sc) = &k.scope
                && (k.multiple.contains(sc) || k.optional.contains(sc))
            {
                return Err(format!("kind {}: the scope dimension must be required and single", k.key));
            }
        }
        let mut ikeys = HashSet::new();
        for i in &self.insatser {
            if !is_slug(&i.key) || !ikeys.insert(i.key.as_str()) {
                return Err(format!("insats key {:?} is not a unique slug", i.key));
            }
            if let Some(bad) = i.kinds.iter().find(|k| !kkeys.contains(k.as_str())) {
                return Err(format!("insats {} refers to unknown kind {bad}", i.key));
            }
            let flows = |f: &str| {
                i.kinds
                    .iter()
                    .filter(|k| self.kinds.iter().any(|x| &x.key == *k && x.flow.as_deref() == Some(f)))
                    .count()
            };
            if flows("entry") > 1 || flows("exit") > 1 {
                return Err(format!("insats {} has more than one entry or exit kind", i.key));
            }
            match i.national.as_deref() {
                None | Some("volume") | Some("none") => {}
                Some("participants") if flows("entry") == 1 && flows("exit") == 1 => {}
                Some(other) => {
                    return Err(format!(
                        "insats {}: national is participants (for an insats with entries and exits), volume or none, not {other:?}",
                        i.key
                    ));
                }
            }
        }
        let mut goal_keys = HashSet::new();
        for g in &self.goals {
            if !(2000..=2999).contains(&g.year) || g.target.is_some_and(|t| !(0..=10_000_000_000).contains(&t)) {
                return Err(format!("goal {}: the year must be 2000–2999 and a target 0–10 000 000 000", g.key));
            }
            if g.first_year.is_some_and(|f| !(2000..g.year).contains(&f)) {
                return Err(format!("goal {}: first_year comes before year", g.key));
            }
            if !is_slug(&g.key) || !goal_keys.insert((g.insats.as_str(), g.first_year, g.year, g.key.as_str())) {
                return Err(format!("goal key {:?} is not a unique slug for its insats and year", g.key));
            }
            let Some(insats) = self.insatser.iter().find(|i| i.key == g.insats) else {
                return Err(format!("goal {} refers to unknown insats {}", g.key, g.insats));
            };
            let kind = match &g.kind {
                None => None,
                Some(k) => match self.kinds.iter().find(|x| &x.key == k) {
                    Some(kind) if insats.kinds.contains(k) => Some(kind),
                    _ => return Err(format!("goal {}: kind {k} is not one of insats {}", g.key, g.insats)),
                },
            };
            let numerator = g.numerator_refs(self)?;
            let denominator = g.value_refs(self, &g.denominator)?;
            let scope = g.value_refs(self, g.scope.as_slice())?;
            for (d, _) in numerator.iter().chain(&denominator) {
                if kind.is_none_or(|k| !k.dimensions.iter().any(|x| x == d)) {
                    return Err(format!("goal {}: {d} is not a dimension of its kind", g.key));
                }
            }
            if let Some((d, _)) = scope.first()
                && kind.and_then(|k| k.scope.as_deref()) != Some(d)
            {
                return Err(format!("goal {}: scope {d} is not the scope of its kind", g.key));
            }
            if super::Comparator::parse(&g.comparator).is_none() {
                return Err(format!("goal {}: bad comparator", g.key));
            }
            let ok = match g.goal_type.as_deref().unwrap_or("share") {
                "share" => {
                    kind.is_some_and(|k| k.shape.as_deref() != Some("event"))
                        && !numerator.is_empty()
                        && g.target_percent.is_some_and(|t| (0.0..=100.0).contains(&t))
                        && g.target.is_none()
                }
                "count" => {
                    let measure_fits = match g.measure.as_deref() {
                        Some("participants") => kind.is_none() && numerator.is_empty(),
                        Some("tallies") => kind.is_some_and(|k| k.shape.as_deref() != Some("event")),
                        Some("attendees") => kind.is_some_and(|k| k.shape.as_deref() == Some("event")),
                        _ => false,
                    };
                    measure_fits && g.target.is_some_and(|t| t >= 0) && g.target_percent.is_none()
                }
                "cost_per_participant" => {
                    kind.is_none() && numerator.is_empty() && g.target.is_some_and(|t| t >= 0) && g.measure.is_none()
                }
                _ => false,
            };
            let share = g.goal_type.as_deref().unwrap_or("share") == "share";
            let band_ok = match (g.partial_stored(), g.target_stored(), super::Comparator::parse(&g.comparator)) {
                (None, ..) => g.partial_percent.is_none() && g.partial.is_none(),
                (Some(p), Some(t), Some(c)) => {
                    (share == g.partial_percent.is_some())
                        && !(g.partial_percent.is_some() && g.partial.is_some())
                        && p >= 0
                        && super::goal::band_fits(c, t, p)
                        && (!share || p <= 10_000)
                }
                _ => false,
            };
            if !band_ok {
                return Err(format!(
                    "goal {}: the band (partial_percent for a share, partial otherwise) lies below the target \
                     of an at_least goal and above that of an at_most goal",
                    g.key
                ));
            }
            if !matches!(g.unit.as_deref(), None | Some("answers") | Some("respondents"))
                || (g.unit.as_deref() == Some("respondents") && !share)
            {
                return Err(format!("goal {}: unit is answers or respondents, for a share", g.key));
            }
            if !ok {
                return Err(format!(
                    "goal {}: a share needs a kind, numerator values and target_percent; a count a measure \
                     (participants; tallies or attendees with a kind) and a target; a cost_per_participant a target",
                    g.key
                ));
            }
        }
        for b in &self.budgets {
            if !ikeys.contains(b.insats.as_str()) {
                return Err(format!("budget for unknown insats {}", b.insats));
            }
            let amount_ok = |a: Option<i64>| a.is_none_or(|a| (0..=10_000_000_000).contains(&a));
            if !(2000..=2999).contains(&b.year) || !amount_ok(b.budget_kr) || !amount_ok(b.outcome_kr) {
                return Err(format!(
                    "budget {} {}: the year must be 2000–2999 and amounts 0–10 000 000 000",
                    b.insats, b.year
                ));
            }
        }
        if let Some(demo) = &self.demo {
            for dk in &demo.kinds {
                if !self.insatser.iter().any(|i| i.key == dk.insats && i.kinds.contains(&dk.kind)) {
                    return Err(format!("demo: insats {} has no kind {}", dk.insats, dk.kind));
                }
            }
            for e in &demo.events {
                if !self.insatser.iter().any(|i| i.key == e.insats && i.kinds.contains(&e.kind)) {
                    return Err(format!("demo: insats {} has no kind {}", e.insats, e.kind));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_presets_parse() {
        for (name, _) in BUILTIN {
            assert!(Preset::builtin(name).is_some(), "{name}");
        }
    }

    #[test]
    fn default_preset_has_what_the_backbone_needs() {
        let p = Preset::builtin(DEFAULT).unwrap();
        let dim = |k: &str| p.dimensions.iter().find(|d| d.key == k).unwrap();
        let keys = |k: &str| dim(k).values.iter().map(|v| v.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys("kon"), ["kvinna", "man", "ej_angivet"]);
        assert_eq!(keys("kommun"), ["karlskoga", "degerfors"]);
        assert_eq!(
            keys("avslutsorsak"),
            ["anstallning", "studier", "arbetsmarknaden", "rehabilitering", "vard", "foraldraledig_flytt", "ovrigt"]
        );
        assert!(p.insatser.iter().any(|i| i.key == "coachingteamet"));
        assert!(p.insatser.iter().any(|i| i.key == "mottagningsteamet"));
        let exit_goals_2026: Vec<_> = p
            .goals
            .iter()
            .filter(|g| g.year == 2026 && g.kind.as_deref() == Some("avslut"))
            .map(|g| (g.key.as_str(), g.target_percent))
            .collect();
        assert_eq!(
            exit_goals_2026,
            [
                ("anstallning", Some(15.0)),
                ("studier", Some(25.0)),
                ("arbetsmarknaden", Some(5.0)),
                ("rehabilitering", Some(40.0))
            ]
        );
    }

    #[test]
    fn broken_references_are_refused() {
        let text = include_str!("../../schema/presets/sydnarke.toml").replace("\"kumla\"]", "\"kumla\"]");
        assert!(Preset::parse(&text).is_ok());
        let bad = text.replace("kinds = [\"inskrivning\", \"avslut\"]", "kinds = [\"inskrivning\", \"nope\"]");
        assert!(Preset::parse(&bad).unwrap_err().contains("unknown kind nope"));
        let bad = text.replace("role = \"area\"", "role = \"kommun\"");
        assert!(Preset::parse(&bad).unwrap_err().contains("unknown role"));
    }

    #[test]
    fn a_kind_is_about_participants_or_the_collaboration() {
        let text = include_str!("../../schema/presets/sydnarke.toml");
        let board = text.replace("key = \"fov\"\n", "key = \"fov\"\naudience = \"collaboration\"\n");
        let p = Preset::parse(&board).unwrap();
        assert_eq!(p.kinds.iter().find(|k| k.key == "fov").unwrap().audience.as_deref(), Some("collaboration"));
        let bad = text.replace("key = \"fov\"\n", "key = \"fov\"\naudience = \"styrelsen\"\n");
        assert!(Preset::parse(&bad).unwrap_err().contains("unknown audience"));
        let bad = text.replace("flow = \"entry\"\n", "flow = \"entry\"\naudience = \"collaboration\"\n");
        assert!(Preset::parse(&bad).unwrap_err().contains("about participants"));
    }
}
