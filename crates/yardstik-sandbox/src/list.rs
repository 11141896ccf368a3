//! Listing: `page`/`per_page` pagination, `query[field_predicate]` filters and
//! `order_by`/`order`, applied to rendered resources (JSON objects, top-level fields).

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};

pub const DEFAULT_PER_PAGE: usize = 50;
pub const MAX_PER_PAGE: usize = 200;
/// The fields the reference's own examples filter lists by (`query[created_at_lt]`,
/// `query[updated_at_gteq]`, …); reference-only mode ignores predicates on any other.
pub const REFERENCE_FILTER_FIELDS: [&str; 2] = ["created_at", "updated_at"];

/// Predicate suffixes, longest-first so `_not_eq` wins over `_eq`, `_not_null` over `_null`.
const PREDICATES: &[&str] = &[
    "not_start",
    "not_null",
    "not_cont",
    "not_end",
    "not_eq",
    "not_in",
    "start",
    "false",
    "lteq",
    "gteq",
    "null",
    "cont",
    "true",
    "end",
    "eq",
    "lt",
    "gt",
    "in",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub field: String,
    pub predicate: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListParams {
    pub page: usize,
    pub per_page: usize,
    pub filters: Vec<Filter>,
    pub order_by: Option<String>,
    pub desc: bool,
}

impl Default for ListParams {
    fn default() -> Self {
        ListParams {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            filters: vec![],
            order_by: None,
            desc: false,
        }
    }
}

impl ListParams {
    /// Parse a raw query string. Never fails: invalid `page` → 1, invalid `per_page` → 50,
    /// `per_page` above 200 → 200, unknown predicates ignored (as Ransack does).
    pub fn parse(raw: Option<&str>) -> ListParams {
        let mut p = ListParams::default();
        let Some(raw) = raw else { return p };
        for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
            let (k, v) = (k.into_owned(), v.into_owned());
            match k.as_str() {
                "page" => {
                    p.page = v
                        .trim()
                        .parse::<usize>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .unwrap_or(1)
                }
                "per_page" => {
                    p.per_page = v
                        .trim()
                        .parse::<usize>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .map(|n| n.min(MAX_PER_PAGE))
                        .unwrap_or(DEFAULT_PER_PAGE)
                }
                "order_by" => p.order_by = Some(v).filter(|s| !s.is_empty()),
                "order" => p.desc = v.eq_ignore_ascii_case("desc"),
                _ => {
                    let Some(inner) = k.strip_prefix("query[") else {
                        continue;
                    };
                    // `query[status_in][]`, `query[status_in][0]` or `query[status_in]`
                    let Some(close) = inner.find(']') else {
                        continue;
                    };
                    let name = &inner[..close];
                    let Some((field, pred)) = split_predicate(name) else {
                        continue;
                    };
                    if let Some(f) = p
                        .filters
                        .iter_mut()
                        .find(|f| f.field == field && f.predicate == pred)
                    {
                        f.values.push(v);
                    } else {
                        p.filters.push(Filter {
                            field,
                            predicate: pred,
                            values: vec![v],
                        });
                    }
                }
            }
        }
        p
    }

    /// Filter, order, paginate; returns the list envelope.
    pub fn apply(&self, items: Vec<Value>) -> Value {
        let (total, data) = self.apply_raw(items);
        let total_pages = total.div_ceil(self.per_page);
        json!({
            "object": "list",
            "meta": { "page": self.page, "per_page": self.per_page, "total_count": total, "total_pages": total_pages },
            "data": data,
        })
    }

    /// Filter + order only (for endpoints that answer plain arrays).
    pub fn filter_and_order(&self, items: Vec<Value>) -> Vec<Value> {
        let mut items: Vec<Value> = items
            .into_iter()
            .filter(|it| self.filters.iter().all(|f| f.matches(it)))
            .collect();
        self.sort(&mut items);
        items
    }

    fn apply_raw(&self, items: Vec<Value>) -> (usize, Vec<Value>) {
        let items = self.filter_and_order(items);
        let total = items.len();
        let start = (self.page - 1).saturating_mul(self.per_page);
        let data = items.into_iter().skip(start).take(self.per_page).collect();
        (total, data)
    }

    fn sort(&self, items: &mut [Value]) {
        let field = self.order_by.clone().unwrap_or_else(|| "created_at".into());
        let desc = self.desc;
        if desc {
            // ties keep reverse insertion order (newest first)
            items.reverse();
        }
        items.sort_by(|a, b| {
            let (x, y) = (lookup(a, &field), lookup(b, &field));
            // NULLs last ascending, first descending (PostgreSQL's default).
            let o = match (is_null(x), is_null(y)) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare(x.unwrap_or(&Value::Null), y.unwrap_or(&Value::Null)),
            };
            if desc {
                o.reverse()
            } else {
                o
            }
        });
    }
}

fn split_predicate(name: &str) -> Option<(String, String)> {
    for p in PREDICATES {
        if let Some(field) = name.strip_suffix(&format!("_{p}")) {
            if !field.is_empty() {
                return Some((field.to_string(), p.to_string()));
            }
        }
    }
    None
}

/// A top-level field, or a dotted path (`report.status`, `candidate.email`).
fn lookup<'a>(item: &'a Value, field: &str) -> Option<&'a Value> {
    if let Some(v) = item.get(field) {
        return Some(v);
    }
    let mut cur = item;
    for part in field.split('.') {
        cur = cur.get(part)?;
    }
    Some(cur)
}

fn is_null(v: Option<&Value>) -> bool {
    matches!(v, None | Some(Value::Null))
}

fn truthy(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "true" | "1" | "t" | "yes"
    )
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn as_bool(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "true" => Some(true),
        Value::String(s) if s == "false" => Some(false),
        _ => None,
    }
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

/// Compare a field value with a query value: as times when both parse as times, as numbers when
/// both are numbers, otherwise as strings.
fn compare_with(v: &Value, q: &str) -> Ordering {
    let text = as_text(v);
    if let (Some(a), Some(b)) = (parse_time(&text), parse_time(q)) {
        return a.cmp(&b);
    }
    if let (Some(a), Ok(b)) = (
        v.as_f64().or_else(|| text.parse::<f64>().ok()),
        q.trim().parse::<f64>(),
    ) {
        return a.partial_cmp(&b).unwrap_or(Ordering::Equal);
    }
    text.cmp(&q.to_string())
}

fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .partial_cmp(&y.as_f64().unwrap_or(0.0))
            .unwrap_or(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => compare_with(a, &as_text(b)),
    }
}

fn eq(v: Option<&Value>, q: &str) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => {
            (*b && truthy(q))
                || (!*b
                    && matches!(
                        q.trim().to_ascii_lowercase().as_str(),
                        "false" | "0" | "f" | "no"
                    ))
        }
        Some(v) => {
            let t = as_text(v);
            t == q
                || compare_with(v, q) == Ordering::Equal
                    && (parse_time(&t).is_some() || v.is_number())
        }
    }
}

impl Filter {
    pub fn matches(&self, item: &Value) -> bool {
        let v = lookup(item, &self.field);
        let q = self.values.last().map(String::as_str).unwrap_or("");
        let text = v.map(as_text).unwrap_or_default();
        let present = !is_null(v);
        match self.predicate.as_str() {
            "eq" => eq(v, q),
            "not_eq" => !eq(v, q),
            "lt" => present && compare_with(v.unwrap_or(&Value::Null), q) == Ordering::Less,
            "lteq" => present && compare_with(v.unwrap_or(&Value::Null), q) != Ordering::Greater,
            "gt" => present && compare_with(v.unwrap_or(&Value::Null), q) == Ordering::Greater,
            "gteq" => present && compare_with(v.unwrap_or(&Value::Null), q) != Ordering::Less,
            "null" => truthy(q) != present,
            "not_null" => truthy(q) == present,
            "in" => self.values.iter().any(|q| eq(v, q)),
            "not_in" => !self.values.iter().any(|q| eq(v, q)),
            "start" => present && text.starts_with(q),
            "not_start" => !(present && text.starts_with(q)),
            "end" => present && text.ends_with(q),
            "not_end" => !(present && text.ends_with(q)),
            "cont" => present && text.contains(q),
            "not_cont" => !(present && text.contains(q)),
            "true" => {
                let want = truthy(q);
                as_bool(v) == Some(want)
            }
            "false" => {
                let want = truthy(q);
                as_bool(v) == Some(!want)
            }
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_params() {
        let p = ListParams::parse(Some("page=2&per_page=25&query[status_in][]=clear&query[status_in][]=consider&query[created_at_not_eq]=x&order_by=updated_at&order=desc"));
        assert_eq!(p.page, 2);
        assert_eq!(p.per_page, 25);
        assert_eq!(
            p.filters[0],
            Filter {
                field: "status".into(),
                predicate: "in".into(),
                values: vec!["clear".into(), "consider".into()]
            }
        );
        assert_eq!(p.filters[1].predicate, "not_eq");
        assert_eq!(p.filters[1].field, "created_at");
        assert!(p.desc);
        let p = ListParams::parse(Some("page=abc&per_page=-3"));
        assert_eq!((p.page, p.per_page), (1, 50));
        let p = ListParams::parse(Some("per_page=1000&page=0"));
        assert_eq!((p.page, p.per_page), (1, 200));
        assert_eq!(
            split_predicate("completed_at_not_null"),
            Some(("completed_at".into(), "not_null".into()))
        );
        assert_eq!(
            split_predicate("active_true"),
            Some(("active".into(), "true".into()))
        );
        assert_eq!(split_predicate("eq"), None);
    }

    #[test]
    fn date_compare() {
        let v = json!("2021-03-25T10:00:00.000Z");
        assert_eq!(compare_with(&v, "2021-04-01"), Ordering::Less);
        assert_eq!(compare_with(&v, "2021-03-23"), Ordering::Greater);
    }
}
