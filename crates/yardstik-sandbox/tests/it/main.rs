//! Contract tests for the Yardstik sandbox. One module per area; every test starts its own
//! sandbox in-process on an ephemeral port.

mod common;
mod smoke;
