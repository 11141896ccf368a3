//! Background workers: result-webhook delivery (outbox), group commit of received Yardstik
//! webhooks (ingest), Yardstik event processing (inbox) and the deletion of old processed
//! events (inbox_retention), reconciliation with Yardstik, resumption of interrupted
//! placements, and Yardstik webhook registration. Their retries all use [`crate::retry`].

pub mod delivery;
pub mod inbox;
pub mod inbox_pace;
pub mod inbox_retention;
pub mod ingest;
pub mod reconciler;
pub mod resumer;
pub mod subscriptions;
