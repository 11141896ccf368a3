//! The rules a well-formed value must also meet, each with the reason it exists.
//!
//! `parse` only decides whether a value reads as its type; everything else the server
//! refuses to start with is here, in one function, so the rules can be read (and kept) as a
//! list. Messages name the setting the way `Layers` does (variable, flag, file) and, for one
//! value, show it with an example of a good one.

use std::time::Duration;

use super::layers::Layers;
use super::parse::format_duration;
use super::resolved::ConfigError;
use super::settings::Serve;

const KIB: usize = 1024;

pub(super) fn validate(s: &Serve, at: &Layers) -> Result<(), ConfigError> {
    let fail = |key: &str, shown: String, want: &str| Err(at.bad(key, &shown, want));
    let rule = |text: String| Err(ConfigError(text));

    // Bodies are read whole into memory: the cap bounds each request, and under 1 KiB
    // ordinary orders would be refused.
    if !(KIB..=16 * KIB * KIB).contains(&s.body_limit_bytes) {
        let want = "use a number of bytes between 1024 and 16777216";
        return fail(
            "serve.body_limit_bytes",
            s.body_limit_bytes.to_string(),
            want,
        );
    }
    // The default lifetime must be one a caller may also ask for, and a session must last.
    if s.session_ttl.is_zero() || s.session_ttl > s.session_max_ttl {
        return rule(format!(
            "{} must be positive and at most {}",
            at.name("serve.session_ttl"),
            at.name("serve.session_max_ttl")
        ));
    }
    // Its length is the retry budget: an empty list (only a file can write one) would
    // dead-letter a delivery on its first failure.
    if s.delivery_schedule.is_empty() {
        let want = "use comma-separated durations like 5s,5m,30m,2h";
        return fail("serve.delivery_schedule", "[]".into(), want);
    }
    // The range the server has always accepted; 0 turns deliveries off on this instance.
    if s.delivery_workers > 64 {
        let want = "use a number from 0 (disabled) to 64";
        return fail(
            "serve.delivery_workers",
            s.delivery_workers.to_string(),
            want,
        );
    }
    // Inbox work waits on Yardstik, not on the CPU; with none, events would never settle.
    if !(1..=256).contains(&s.inbox_workers) {
        let want = "use a number from 1 to 256";
        return fail("serve.inbox_workers", s.inbox_workers.to_string(), want);
    }
    // Zero would retry a failing event without pause.
    if s.inbox_backoff_max.is_zero() {
        return rule(format!(
            "{} must be positive",
            at.name("serve.inbox_backoff_max")
        ));
    }
    // Processed events are kept to recognise Yardstik delivering them again; a shorter
    // time forgets events Yardstik may still deliver.
    if !s.inbox_keep.is_zero() && s.inbox_keep < Duration::from_secs(3600) {
        let want = "use 0 (keep every event) or at least 1h: a shorter time forgets events \
                    Yardstik may still deliver again";
        return fail(
            "serve.inbox_keep",
            format!("{:?}", format_duration(s.inbox_keep)),
            want,
        );
    }
    // The resumer's polling period and first retry delay: zero would poll without pause.
    if s.resume_interval.is_zero() {
        return rule(format!(
            "{} must be positive",
            at.name("serve.resume_interval")
        ));
    }
    // Frames are shown only from these origins: plain http is loopback only (the demo and
    // the tests), anything else must be https.
    for key in ["yardstik_app_origin", "yardstik_profile_origin"] {
        let value = match key {
            "yardstik_app_origin" => &s.yardstik_app_origin,
            _ => &s.yardstik_profile_origin,
        };
        if !crate::orders::frames::secure_origin(value) {
            let want = "use an https origin like https://app.yardstik.com (http only on loopback)";
            return fail(&format!("serve.{key}"), value.clone(), want);
        }
    }
    // A short bearer token can be guessed; the message never shows the token.
    if s.ops_token.as_ref().is_some_and(|t| t.len() < 16) {
        return rule(format!(
            "{} must be at least 16 characters",
            at.name("serve.ops_token")
        ));
    }
    // Zero would close every connection before its first request.
    for (key, d) in [
        ("serve.header_read_timeout", s.header_read_timeout),
        ("serve.idle_timeout", s.idle_timeout),
    ] {
        if d.is_zero() {
            return rule(format!("{} must be positive", at.name(key)));
        }
    }
    // No connection could be served; a client may not hold more than the whole server.
    if s.max_connections == 0 {
        let want = "use a number of connections of at least 1";
        return fail("serve.max_connections", "0".into(), want);
    }
    if s.max_connections_per_client == 0 || s.max_connections_per_client > s.max_connections {
        return rule(format!(
            "{} must be from 1 to {}",
            at.name("serve.max_connections_per_client"),
            at.name("serve.max_connections")
        ));
    }
    // The same bounds as a tenant's own limits (`RateLimit::problem`).
    for (key, v) in [
        ("session_spend_per_minute", s.session_spend_per_minute),
        ("tenant_spend_per_minute", s.tenant_spend_per_minute),
    ] {
        if !(1..=60_000).contains(&v) {
            let want = "use a number of requests a minute from 1 to 60000";
            return fail(&format!("serve.{key}"), v.to_string(), want);
        }
    }
    for (key, v) in [
        ("session_spend_burst", s.session_spend_burst),
        ("tenant_spend_burst", s.tenant_spend_burst),
    ] {
        if !(1..=10_000).contains(&v) {
            let want = "use a number of requests from 1 to 10000";
            return fail(&format!("serve.{key}"), v.to_string(), want);
        }
    }
    Ok(())
}
