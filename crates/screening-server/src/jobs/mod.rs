//! Background jobs: loops that decide *when* work is done — result-webhook delivery
//! (outbox), Yardstik event processing (inbox), the deletion of old processed events
//! (inbox_retention), reconciliation with Yardstik, resumption of interrupted placements,
//! and Yardstik webhook registration. *What* is done is the domain's (`crate::orders`):
//! each job takes an explicit dependency struct of domain parts and never names the store
//! or the Yardstik client. Delivery and inbox share one leased loop ([`leased`]); every
//! retry uses `screening_model::retry`.

pub mod delivery;
pub mod inbox;
pub mod inbox_retention;
pub mod leased;
pub mod reconciler;
pub mod resumer;
pub mod subscriptions;
