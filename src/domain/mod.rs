//! Pure types and rules: configuration, periods, tallies, goals and their validation.
//! No I/O, no SQL, no HTTP.

pub mod account;
pub mod config;
pub mod earlier;
pub mod event;
pub mod goal;
pub mod period;
pub mod preset;
pub mod sensitive;
pub mod tally;

pub use config::{
    Audience, Config, Dimension, DimensionValue, Flow, Insats, Kind, Privacy, PrivacyMethod, Role, Shape, ValueGroup,
};
pub use goal::{Comparator, Goal, GoalSpec, Measure, Verdict};
pub use period::Period;
pub use tally::{FieldError, NewTally, RawTally, StoredTally, VoidReason};
