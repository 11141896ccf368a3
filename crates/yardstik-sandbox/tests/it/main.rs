//! Contract tests for the Yardstik sandbox. One module per area; every test starts its own
//! sandbox in-process on an ephemeral port.

mod accounts;
mod adverse;
mod browser;
mod candidates;
mod common;
mod control;
mod embed;
mod faults;
mod garbage;
mod invitations;
mod isolation;
mod list;
mod progression;
mod reference;
mod reports;
mod smoke;
mod webhooks;
