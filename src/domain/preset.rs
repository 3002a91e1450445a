//! A configuration preset: the whole configuration of an association as a TOML document
//! (see `schema/presets/`). Parsed and checked here; written to the database by `store::config`.

use serde::Deserialize;
use std::collections::HashSet;

/// Presets shipped in the binary, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("degerfors-karlskoga", include_str!("../../schema/presets/degerfors-karlskoga.toml")),
    ("sydnarke", include_str!("../../schema/presets/sydnarke.toml")),
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
    #[serde(default)]
    pub goals: Vec<PresetGoal>,
    /// How `pinne demo` generates data for this association.
    pub demo: Option<PresetDemo>,
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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetInsats {
    pub key: String,
    pub label: String,
    pub kinds: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetKind {
    pub key: String,
    pub label: String,
    pub flow: Option<String>,
    pub dimensions: Vec<String>,
    /// Dimensions of this kind that may be left out.
    #[serde(default)]
    pub optional: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetDimension {
    pub key: String,
    pub label: String,
    pub role: String,
    pub hint: Option<String>,
    pub values: Vec<PresetValue>,
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
    pub year: i32,
    pub key: String,
    pub label: String,
    pub kind: String,
    pub dimension: String,
    pub values: Vec<String>,
    pub comparator: String,
    pub target_percent: f64,
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

    fn check(&self) -> Result<(), String> {
        let mut keys = HashSet::new();
        for d in &self.dimensions {
            if !is_slug(&d.key) || !keys.insert(d.key.as_str()) {
                return Err(format!("dimension key {:?} is not a unique slug", d.key));
            }
            if super::Role::parse(&d.role).is_none() {
                return Err(format!("dimension {}: unknown role {:?}", d.key, d.role));
            }
            let mut vkeys = HashSet::new();
            for v in &d.values {
                if !is_slug(&v.key) || !vkeys.insert(v.key.as_str()) {
                    return Err(format!("dimension {}: value key {:?} is not a unique slug", d.key, v.key));
                }
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
            if let Some(bad) = k.dimensions.iter().chain(&k.optional).find(|d| !keys.contains(d.as_str())) {
                return Err(format!("kind {} refers to unknown dimension {bad}", k.key));
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
        }
        for g in &self.goals {
            if !ikeys.contains(g.insats.as_str()) || !kkeys.contains(g.kind.as_str()) {
                return Err(format!("goal {} refers to an unknown insats or kind", g.key));
            }
            let Some(d) = self.dimensions.iter().find(|d| d.key == g.dimension) else {
                return Err(format!("goal {} refers to unknown dimension {}", g.key, g.dimension));
            };
            if let Some(bad) = g.values.iter().find(|v| !d.values.iter().any(|dv| &dv.key == *v)) {
                return Err(format!("goal {} refers to unknown value {bad}", g.key));
            }
            let kind = self.kinds.iter().find(|k| k.key == g.kind).expect("checked above");
            if kind.flow.as_deref() != Some("exit") || d.role != "outcome" || !kind.dimensions.contains(&g.dimension) {
                return Err(format!(
                    "goal {}: goals are shares of exits by an exit-reason dimension of that kind",
                    g.key
                ));
            }
            if super::Comparator::parse(&g.comparator).is_none() || !(0.0..=100.0).contains(&g.target_percent) {
                return Err(format!("goal {}: bad comparator or target", g.key));
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
        let goals_2026: Vec<_> =
            p.goals.iter().filter(|g| g.year == 2026).map(|g| (g.key.as_str(), g.target_percent)).collect();
        assert_eq!(
            goals_2026,
            [("anstallning", 15.0), ("studier", 25.0), ("arbetsmarknaden", 5.0), ("rehabilitering", 40.0)]
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
}
