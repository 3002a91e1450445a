//! The association's configuration as loaded from the database: insatser, kinds, dimensions,
//! values and value groups. Report code reads meaning from `Role` and `Flow`, never from keys.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = DimensionRole, description = "What a dimension is for: what the report does with it.")]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The column split of every table.
    Gender,
    /// Municipality.
    Area,
    /// Any other person category, carried by entries and exits alike.
    Person,
    /// Exit reason.
    Outcome,
    /// Time in the programme; values carry a representative number of months.
    Duration,
    /// Any other category of a tally that is not a participant flow (next step, answer, group, …).
    Choice,
    /// A survey question: the values are the answers, some flagged positive.
    Question,
    /// A score: each value carries its number (`score`).
    Rating,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "gender" => Role::Gender,
            "area" => Role::Area,
            "person" => Role::Person,
            "outcome" => Role::Outcome,
            "duration" => Role::Duration,
            "choice" => Role::Choice,
            "question" => Role::Question,
            "rating" => Role::Rating,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Gender => "gender",
            Role::Area => "area",
            Role::Person => "person",
            Role::Outcome => "outcome",
            Role::Duration => "duration",
            Role::Choice => "choice",
            Role::Question => "question",
            Role::Rating => "rating",
        }
    }

    /// Whether the dimension describes the person (and so balances between entries and exits).
    pub fn is_person(self) -> bool {
        matches!(self, Role::Gender | Role::Area | Role::Person)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    Entry,
    Exit,
}

impl Flow {
    pub fn parse(s: &str) -> Option<Flow> {
        match s {
            "entry" => Some(Flow::Entry),
            "exit" => Some(Flow::Exit),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::Entry => "entry",
            Flow::Exit => "exit",
        }
    }
}

#[derive(Debug, Clone)]
pub struct DimensionValue {
    pub id: i64,
    pub key: String,
    pub label: String,
    /// Heading when the value is a table column (e.g. "Kvinnor"); falls back to `label`.
    pub column_label: Option<String>,
    /// Representative months of a duration band.
    pub months: Option<f64>,
    /// The number a rating value stands for.
    pub score: Option<f64>,
    /// A positive answer to a survey question (ofta, för det mesta, alltid; ja).
    pub positive: bool,
    pub retired: bool,
}

impl DimensionValue {
    pub fn column_label(&self) -> &str {
        self.column_label.as_deref().unwrap_or(&self.label)
    }
}

#[derive(Debug, Clone)]
pub struct ValueGroup {
    pub id: i64,
    pub key: String,
    pub label: String,
    pub value_ids: Vec<i64>,
    /// No longer shown in reports. A group is a view over its values, so this changes no figure.
    pub retired: bool,
}

#[derive(Debug, Clone)]
pub struct Dimension {
    pub id: i64,
    pub key: String,
    pub label: String,
    pub role: Role,
    pub hint: Option<String>,
    /// A retired dimension (e.g. a survey question no longer asked) takes no new tallies but stays
    /// in past reports.
    pub retired: bool,
    /// All values in order, retired ones included (they stay in history and past reports).
    pub values: Vec<DimensionValue>,
    pub groups: Vec<ValueGroup>,
}

impl Dimension {
    pub fn value_by_key(&self, key: &str) -> Option<&DimensionValue> {
        self.values.iter().find(|v| v.key == key)
    }
    pub fn value_by_id(&self, id: i64) -> Option<&DimensionValue> {
        self.values.iter().find(|v| v.id == id)
    }
    /// Values that can be chosen for new tallies.
    pub fn active_values(&self) -> impl Iterator<Item = &DimensionValue> {
        self.values.iter().filter(|v| !v.retired)
    }
    /// The value groups reports show (retired ones left out).
    pub fn shown_groups(&self) -> impl Iterator<Item = &ValueGroup> {
        self.groups.iter().filter(|g| !g.retired)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct KindDimension {
    pub dimension_id: i64,
    pub required: bool,
    /// Several values may be chosen in one tally (e.g. agency contacts).
    pub multiple: bool,
}

/// How a kind is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// One tally per thing counted, with one value per dimension.
    Tally,
    /// A structural activity: a name, an organiser and a number of attendees (table `event`).
    Event,
}

impl Shape {
    pub fn parse(s: &str) -> Option<Shape> {
        match s {
            "tally" => Some(Shape::Tally),
            "event" => Some(Shape::Event),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Tally => "tally",
            Shape::Event => "event",
        }
    }
}

/// Who a kind's tallies are about or come from. The tally form offers the two apart, so a board's
/// survey questions are never asked among a participant's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The insats' participants (and everything tallied about its work with them).
    Participants,
    /// The association's collaboration: board (styrelse), beredningsgrupp and the insatser's staff.
    Collaboration,
}

impl Audience {
    pub fn parse(s: &str) -> Option<Audience> {
        match s {
            "participants" => Some(Audience::Participants),
            "collaboration" => Some(Audience::Collaboration),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Participants => "participants",
            Audience::Collaboration => "collaboration",
        }
    }
    /// Swedish, for the settings page.
    pub fn label(self) -> &'static str {
        match self {
            Audience::Participants => "Deltagare",
            Audience::Collaboration => "Styrelse, beredningsgrupp och personal",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Kind {
    pub id: i64,
    pub key: String,
    pub label: String,
    pub flow: Option<Flow>,
    pub shape: Shape,
    /// The dimension whose value keys every count row besides gender (a survey's respondent group,
    /// a rating's group activity), so the report can cross it with the other dimensions.
    pub scope_dimension_id: Option<i64>,
    /// The dimensions this kind takes, in form order.
    pub dimensions: Vec<KindDimension>,
    /// Who the tallies are about or come from (participants for entries, exits and events).
    pub audience: Audience,
    /// No longer used: takes no new tallies or events, stays in reports.
    pub retired: bool,
}

impl Kind {
    pub fn takes(&self, dimension_id: i64) -> Option<KindDimension> {
        self.dimensions.iter().copied().find(|d| d.dimension_id == dimension_id)
    }
}

#[derive(Debug, Clone)]
pub struct Insats {
    pub id: i64,
    pub key: String,
    pub label: String,
    pub retired: bool,
    pub kind_ids: Vec<i64>,
    /// How Uppföljning Finsam takes the insats; `None`: as its tallies suggest (`national()`).
    pub national: Option<National>,
}

/// How the national follow-up system (Uppföljning Finsam) takes an insats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum National {
    /// Participants during the year, by gender.
    Participants,
    /// Volume: people met, counted as the insats' tallies (meetings, not people).
    Volume,
    /// Not reported there (its structural activities still are).
    None,
}

impl National {
    pub fn parse(s: &str) -> Option<National> {
        match s {
            "participants" => Some(National::Participants),
            "volume" => Some(National::Volume),
            "none" => Some(National::None),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            National::Participants => "participants",
            National::Volume => "volume",
            National::None => "none",
        }
    }
    /// "Deltagare", "Volym", "Redovisas inte".
    pub fn label(self) -> &'static str {
        match self {
            National::Participants => "Deltagare",
            National::Volume => "Volym (personer som mötts)",
            National::None => "Redovisas inte",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    pub association: String,
    /// Small-number protection of published outputs.
    pub privacy: Privacy,
    pub insatser: Vec<Insats>,
    pub kinds: Vec<Kind>,
    pub dimensions: Vec<Dimension>,
}

/// How published outputs protect small counts (see docs/PRIVACY.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Privacy {
    /// Counts from 1 up to `threshold − 1` are small: never published as they are.
    pub threshold: i64,
    /// The symbol of a hidden figure (suppression); default "..".
    pub form: Option<String>,
    pub method: PrivacyMethod,
    /// The Cell Key Method's largest change of a count (D).
    pub max_deviation: i64,
    /// The Cell Key Method's variance of the change of a count not near the threshold (V).
    pub variance: f64,
}

/// Suppression hides small counts and what gives them away; the Cell Key Method perturbs every
/// count a little, with the same noise for the same tallies everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivacyMethod {
    Suppression,
    CellKey,
}

impl PrivacyMethod {
    pub fn key(self) -> &'static str {
        match self {
            PrivacyMethod::Suppression => "suppression",
            PrivacyMethod::CellKey => "cell_key",
        }
    }
    pub fn parse(s: &str) -> Option<PrivacyMethod> {
        match s {
            "suppression" => Some(PrivacyMethod::Suppression),
            "cell_key" => Some(PrivacyMethod::CellKey),
            _ => None,
        }
    }
}

impl Privacy {
    pub const MIN_THRESHOLD: i64 = 2;
    pub const MAX_THRESHOLD: i64 = 20;
    pub const DEFAULT_MAX_DEVIATION: i64 = 2;
    pub const DEFAULT_VARIANCE: f64 = 1.0;
    pub const MAX_DEVIATION_LIMIT: i64 = 10;

    /// The largest variance a perturbation table with largest change `d` can have (its changes
    /// weighted 1/|e|): d(d+1) / (2·H(d)).
    pub fn max_variance(d: i64) -> f64 {
        let h: f64 = (1..=d.max(1)).map(|e| 1.0 / e as f64).sum();
        (d * (d + 1)) as f64 / (2.0 * h)
    }

    /// What is wrong with the settings, in Swedish, if anything: the Cell Key Method must be able
    /// to move a small count to 0 or to the threshold, so D is at least threshold − 1.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if !(Self::MIN_THRESHOLD..=Self::MAX_THRESHOLD).contains(&self.threshold) {
            out.push((
                "threshold",
                format!("Gränsen är ett heltal från {} till {}.", Self::MIN_THRESHOLD, Self::MAX_THRESHOLD),
            ));
        }
        if self.form.as_deref().is_some_and(|f| f.chars().count() > 20) {
            out.push(("form", "Skriv högst 20 tecken.".to_string()));
        } else if let Some(m) = self.form.as_deref().and_then(super::sensitive::free_text) {
            out.push(("form", m.to_string()));
        }
        if self.method == PrivacyMethod::CellKey {
            let low = (self.threshold - 1).max(1);
            if !(low..=Self::MAX_DEVIATION_LIMIT).contains(&self.max_deviation) {
                out.push((
                    "max_deviation",
                    format!(
                        "Största störningen är ett heltal från {low} (gränsen minus ett) till {}.",
                        Self::MAX_DEVIATION_LIMIT
                    ),
                ));
            } else {
                let top = Self::max_variance(self.max_deviation);
                if !(self.variance.is_finite() && self.variance > 0.0 && self.variance <= top + 1e-9) {
                    out.push((
                        "variance",
                        format!(
                            "Variansen är ett tal över 0 och högst {} när största störningen är {}.",
                            format!("{top:.2}").replace('.', ","),
                            self.max_deviation
                        ),
                    ));
                }
            }
        }
        out
    }
}

impl Default for Privacy {
    fn default() -> Privacy {
        Privacy {
            threshold: 3,
            form: None,
            method: PrivacyMethod::Suppression,
            max_deviation: Self::DEFAULT_MAX_DEVIATION,
            variance: Self::DEFAULT_VARIANCE,
        }
    }
}

impl Config {
    pub fn insats(&self, key: &str) -> Option<&Insats> {
        self.insatser.iter().find(|i| i.key == key)
    }
    pub fn insats_by_id(&self, id: i64) -> Option<&Insats> {
        self.insatser.iter().find(|i| i.id == id)
    }
    pub fn kind(&self, key: &str) -> Option<&Kind> {
        self.kinds.iter().find(|k| k.key == key)
    }
    pub fn kind_by_id(&self, id: i64) -> Option<&Kind> {
        self.kinds.iter().find(|k| k.id == id)
    }
    pub fn dimension(&self, key: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.key == key)
    }
    pub fn dimension_by_id(&self, id: i64) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.id == id)
    }
    /// The kinds an insats takes, in configured order.
    pub fn kinds_of<'a>(&'a self, insats: &'a Insats) -> impl Iterator<Item = &'a Kind> + 'a {
        self.kinds.iter().filter(|k| insats.kind_ids.contains(&k.id))
    }
    /// The kinds of an insats that take new tallies or events (not retired), in configured order.
    pub fn active_kinds_of<'a>(&'a self, insats: &'a Insats) -> impl Iterator<Item = &'a Kind> + 'a {
        self.kinds_of(insats).filter(|k| !k.retired)
    }
    /// Insatser open for new tallies (not retired, at least one kind in use).
    pub fn active_insatser(&self) -> impl Iterator<Item = &Insats> {
        self.insatser.iter().filter(|i| !i.retired && self.active_kinds_of(i).next().is_some())
    }
    /// The dimension that splits every table into columns, if one is configured.
    pub fn gender(&self) -> Option<&Dimension> {
        self.dimensions.iter().find(|d| d.role == Role::Gender)
    }
    /// How Uppföljning Finsam takes an insats: as set, else participants for an insats with entries
    /// and exits and volume for one that tallies anything else.
    pub fn national(&self, insats: &Insats) -> National {
        insats.national.unwrap_or(
            if self.flow_kind(insats, Flow::Entry).is_some() && self.flow_kind(insats, Flow::Exit).is_some() {
                National::Participants
            } else if self.kinds_of(insats).any(|k| k.shape == Shape::Tally) {
                National::Volume
            } else {
                National::None
            },
        )
    }
    /// The kind of an insats with the given flow (entries or exits).
    pub fn flow_kind(&self, insats: &Insats, flow: Flow) -> Option<&Kind> {
        self.kinds.iter().find(|k| k.flow == Some(flow) && insats.kind_ids.contains(&k.id))
    }
}
