//! How each kind of value is written, in every layer alike.
//!
//! Flags and environment variables are always text; the config file may write numbers,
//! booleans and durations typed (`delivery_workers = 8`, `demo = true`) or as the same text
//! (`"8"`, `"1"`). So every setting parses from text, and a typed file value is read as its
//! text. Durations are humantime's (`500ms`, `15s`, `1h 30m`, `30d`) plus bare seconds (`0`,
//! `7`), which the settings always accepted. A value that does not parse fails with an
//! example of a good one; `Layers::render` prefixes the setting's variable and flag.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Serializer;

use super::resolved::LogFormat;

pub(super) const DURATION: &str = "use a duration like 500ms, 15s, 5m, 2h or 1d";
const SCHEDULE: &str = "use comma-separated durations like 5s,5m,30m,2h";

/// `500ms`, `5s`, `5m`, `2h`, `1d` (any humantime duration), or a bare number of seconds.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok().map(Duration::from_secs);
    }
    humantime::parse_duration(s).ok()
}

/// The shortest text `parse_duration` reads back as `d`: `90s`, `15m`, `2d`, `250ms`.
pub(super) fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms % 1000 != 0 {
        return format!("{ms}ms");
    }
    let s = d.as_secs();
    [(86_400, "d"), (3600, "h"), (60, "m")]
        .into_iter()
        .find(|(unit, _)| s != 0 && s % unit == 0)
        .map_or_else(
            || format!("{s}s"),
            |(unit, name)| format!("{}{name}", s / unit),
        )
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" | "" => Some(false),
        _ => None,
    }
}

/// An absolute http(s) URL with a host, without its trailing `/`.
fn parse_origin(s: &str) -> Option<String> {
    let t = s.trim_end_matches('/');
    let host = t
        .strip_prefix("http://")
        .or_else(|| t.strip_prefix("https://"))?;
    (!host.is_empty()).then(|| t.to_string())
}

/// Reads a value from its text (a file's number or boolean is read as its text too).
struct Text<T> {
    parse: fn(&str) -> Option<T>,
    want: &'static str,
}

impl<T> Text<T> {
    fn read<E: de::Error>(&self, text: &str, shown: &dyn fmt::Display) -> Result<T, E> {
        (self.parse)(text).ok_or_else(|| E::custom(format!("{shown}: {}", self.want)))
    }
}

impl<'de, T> Visitor<'de> for Text<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.want)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        self.read(v, &format_args!("{v:?}"))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        self.read(&v.to_string(), &v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        self.read(&v.to_string(), &v)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        self.read(&v.to_string(), &v)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
        self.read(&v.to_string(), &v)
    }
}

fn text<'de, D: Deserializer<'de>, T>(
    d: D,
    parse: fn(&str) -> Option<T>,
    want: &'static str,
) -> Result<T, D::Error> {
    d.deserialize_any(Text { parse, want })
}

pub(super) fn addr<'de, D: Deserializer<'de>>(d: D) -> Result<SocketAddr, D::Error> {
    let want = "use host:port with an IP, like 127.0.0.1:8080";
    text(d, |s| s.parse().ok(), want)
}

pub(super) fn origin<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let want = "use an absolute http(s) URL like https://api.yardstik.com";
    text(d, parse_origin, want)
}

pub(super) fn opt_origin<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    origin(d).map(Some)
}

pub(super) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    text(d, parse_bool, "use 1 or 0 (true or false)")
}

pub(super) fn number<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    text(d, |s| s.trim().parse().ok(), "use a whole number like 8")
}

pub(super) fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    text(d, parse_duration, DURATION)
}

pub(super) fn duration_text<S: Serializer>(v: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_duration(*v))
}

/// Delivery delays: `"5s,5m,30m"`, or in the file also a list: `["5s", "5m", 1800]`.
struct Delays;

impl<'de> Visitor<'de> for Delays {
    type Value = Vec<Duration>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(SCHEDULE)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        v.split(',')
            .map(parse_duration)
            .collect::<Option<_>>()
            .ok_or_else(|| E::custom(format!("{v:?}: {SCHEDULE}")))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(d) = seq.next_element_seed(OneDelay)? {
            out.push(d);
        }
        Ok(out)
    }
}

struct OneDelay;

impl<'de> de::DeserializeSeed<'de> for OneDelay {
    type Value = Duration;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Duration, D::Error> {
        duration(d)
    }
}

pub(super) fn schedule<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Duration>, D::Error> {
    d.deserialize_any(Delays)
}

pub(super) fn schedule_text<S: Serializer>(v: &[Duration], s: S) -> Result<S::Ok, S::Error> {
    let texts: Vec<String> = v.iter().map(|d| format_duration(*d)).collect();
    s.serialize_str(&texts.join(","))
}

pub(super) fn log_format<'de, D: Deserializer<'de>>(d: D) -> Result<LogFormat, D::Error> {
    let parse = |s: &str| match s {
        "text" => Some(LogFormat::Text),
        "json" => Some(LogFormat::Json),
        _ => None,
    };
    text(d, parse, "use text or json")
}

pub(super) fn log_format_text<S: Serializer>(v: &LogFormat, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(match v {
        LogFormat::Text => "text",
        LogFormat::Json => "json",
    })
}

/// Comma-separated IP addresses (`10.0.0.5,10.0.0.6`); an empty text is none.
fn parse_addresses(s: &str) -> Option<Option<Vec<IpAddr>>> {
    let s = s.trim();
    if s.is_empty() {
        return Some(None);
    }
    s.split(',')
        .map(|a| a.trim().parse().ok())
        .collect::<Option<Vec<_>>>()
        .map(Some)
}

pub(super) fn opt_addresses<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<IpAddr>>, D::Error> {
    let want = "use comma-separated IP addresses like 10.0.0.5,10.0.0.6";
    text(d, parse_addresses, want)
}

pub(super) fn opt_addresses_text<S: Serializer>(
    v: &Option<Vec<IpAddr>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        None => s.serialize_none(),
        Some(list) => {
            let texts: Vec<String> = list.iter().map(IpAddr::to_string).collect();
            s.serialize_str(&texts.join(","))
        }
    }
}
