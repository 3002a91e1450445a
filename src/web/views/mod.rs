//! HTML views (maud): the page shell, shared components, and one module per page.

pub mod account;
pub mod admin;
pub mod components;
pub mod earlier;
pub mod goals;
pub mod import;
pub mod layout;
pub mod report;
pub mod span;
pub mod tally;
