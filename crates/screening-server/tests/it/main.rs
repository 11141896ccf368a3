//! Integration tests: the server against the Yardstik sandbox in-process, on a real SQLite
//! file in a temp dir. One binary, one module per area.

mod backup;
mod candidate;
mod capabilities;
mod cli;
mod concurrency;
mod contract;
mod decision;
mod delivery;
mod e2e;
mod errors;
mod ingest;
mod lifecycle;
mod limits;
mod logs;
mod master_key;
mod ops;
mod postgres;
mod reference;
mod routes;
mod signed_webhooks;
mod status_mapping;
mod support;
mod webhooks_in;
mod widget;
mod widget_assets;
