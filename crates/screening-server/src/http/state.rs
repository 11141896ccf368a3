//! What the HTTP handlers share, built by the wiring (`app`) and handed to the router.
//!
//! One pointer, so cloning it (axum clones the state for every request, once per layer) is
//! one reference count. A handler that needs one part takes it alone: each part is a
//! substate extracted with [`FromRef`] (`State<Orders>`, `State<WebhookIntake>`, …), so a
//! handler's signature says what it uses.

use std::sync::{Arc, Mutex};

use axum::extract::FromRef;

use super::auth_cache::AuthCache;
use crate::config::Config;
use crate::orders::candidate_report::CandidateReportCache;
use crate::orders::health::Health;
use crate::orders::origins::Origins;
use crate::orders::tenants::TenantDirectory;
use crate::orders::webhooks::WebhookIntake;
use crate::orders::Orders;
use crate::tokens::Signer;
use screening_metrics::Metrics;

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct Shared {
    pub config: Arc<Config>,
    /// The order domain (placement, views, decisions, the package catalog).
    pub orders: Orders,
    pub tenants: TenantDirectory,
    pub signer: Signer,
    pub metrics: Metrics,
    /// Password verifications remembered, and the bounds on their cost.
    pub auth_cache: AuthCache,
    /// The spending limits per widget session and per tenant.
    pub spend: super::spend::SpendLimiter,
    /// Every tenant's widget origins, in memory (CORS costs no database work).
    pub origins: Origins,
    /// Candidates' reports, for a short while.
    pub candidate_reports: CandidateReportCache,
    /// Verifies and stores Yardstik's webhooks.
    pub intake: WebhookIntake,
    /// Readiness and queue depths for the ops routes.
    pub health: Health,
    /// This server's external base URL (no trailing slash).
    pub public_url: String,
    /// Demo mode only: result webhooks received at `/demo/ats-webhooks`.
    pub demo_received: Arc<Mutex<Vec<serde_json::Value>>>,
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }

    pub fn now_secs(&self) -> i64 {
        self.orders.now_secs()
    }
}

macro_rules! substate {
    ($($field:ident: $ty:ty),* $(,)?) => {$(
        impl FromRef<AppState> for $ty {
            fn from_ref(s: &AppState) -> $ty {
                s.$field.clone()
            }
        }
    )*};
}

substate!(
    config: Arc<Config>,
    orders: Orders,
    tenants: TenantDirectory,
    signer: Signer,
    metrics: Metrics,
    origins: Origins,
    intake: WebhookIntake,
    health: Health,
);
