//! Integration tests: the server against the Yardstik sandbox in-process, on a real SQLite
//! file in a temp dir. One binary, one module per area.

mod candidate;
mod capabilities;
mod cli;
mod concurrency;
mod decision;
mod delivery;
mod e2e;
mod errors;
mod ingest;
mod lifecycle;
mod logs;
mod ops;
mod postgres;
mod routes;
mod status_mapping;
mod support;
mod webhooks_in;
mod widget;
mod widget_assets;
