//! Pinne: anonymous tally statistics for Swedish coordination associations (Finsam).
//!
//! Data flows one way: `web` validates input into `domain` types, `store` writes and reads SQLite,
//! `report` turns count rows into figures, `web::views` renders HTML (or `report::csv` CSV).

pub mod auth;
pub mod bench;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod oidc;
pub mod report;
pub mod store;
pub mod sv;
pub mod transfer;
pub mod web;

use domain::Period;
use std::sync::Arc;

/// Where "now" comes from: the wall clock in Swedish time, or a fixed month (tests, demo).
#[derive(Clone)]
pub enum Clock {
    System,
    Fixed(Period),
}

impl Clock {
    /// The current month in Europe/Stockholm.
    pub fn now(&self) -> Period {
        match self {
            Clock::Fixed(p) => *p,
            Clock::System => {
                use chrono::Datelike;
                let now = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Stockholm);
                Period::new(now.year(), now.month()).expect("current date is within range")
            }
        }
    }
}

/// Shared state of the web app.
#[derive(Clone)]
pub struct AppState {
    pub store: store::Store,
    pub clock: Arc<Clock>,
    pub auth: Arc<web::auth::AuthSettings>,
    /// Protection decisions of published reports, reused until their data changes.
    pub published: Arc<report::publish::Cache>,
    /// Imports being read, checked or stored (`web::import`).
    pub imports: Arc<web::import::Jobs>,
    /// Sign-in with the municipality's account, when the operator configured it.
    pub oidc: Option<Arc<oidc::Oidc>>,
}

impl AppState {
    /// With the default (production) authentication settings.
    pub fn new(store: store::Store, clock: Clock) -> AppState {
        AppState::with_auth(store, clock, web::auth::AuthSettings::default())
    }

    pub fn with_auth(store: store::Store, clock: Clock, auth: web::auth::AuthSettings) -> AppState {
        AppState {
            store,
            clock: Arc::new(clock),
            auth: Arc::new(auth),
            published: Default::default(),
            imports: Default::default(),
            oidc: None,
        }
    }

    /// With sign-in through an OpenID Connect provider.
    pub fn with_oidc(mut self, oidc: oidc::Oidc) -> AppState {
        self.oidc = Some(Arc::new(oidc));
        self
    }
}

/// The whole web application: pages, API and assets. Tests call this directly.
pub fn app(state: AppState) -> axum::Router {
    web::router(state)
}
