//! Prices are decimal strings on the wire ("29.99"). They are summed as integer cents, never
//! as floats, so 29.99 + 39.99 is exactly 69.98.

/// Parse `"29.99"`, `"29.9"`, `"29"`, `"$1,029.99"` into cents. More than two decimals,
/// negatives and anything else are refused (`None`): the UI then shows the raw string.
pub fn parse_cents(price: &str) -> Option<i64> {
    let s = price.trim();
    let s = s.strip_prefix('$').unwrap_or(s);
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    let whole: String = whole.chars().filter(|c| *c != ',').collect();
    if whole.is_empty() && frac.is_empty()
        || whole.len() > 12
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    Some(whole * 100 + frac)
}

/// `2999` → `"$29.99"`, `102999` → `"$1,029.99"`.
pub fn format_cents(cents: i64) -> String {
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("${}.{:02}", grouped, cents % 100)
}

/// A price for display: formatted when it parses, verbatim otherwise, or "Price on request".
pub fn display(price: Option<&str>) -> String {
    match price {
        Some(p) => parse_cents(p)
            .map(format_cents)
            .unwrap_or_else(|| p.to_string()),
        None => "Price on request".to_string(),
    }
}

/// The running total of the selected items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Total {
    pub cents: i64,
    /// Selected items whose price is missing or unreadable (not in `cents`).
    pub unpriced: usize,
}

impl Total {
    pub fn of<'a>(prices: impl IntoIterator<Item = Option<&'a str>>) -> Total {
        let mut t = Total::default();
        for p in prices {
            match p.and_then(parse_cents) {
                Some(c) => t.cents += c,
                None => t.unpriced += 1,
            }
        }
        t
    }

    pub fn label(&self) -> String {
        match self.unpriced {
            0 => format_cents(self.cents),
            n => format!(
                "{} + {} item{} priced on request",
                format_cents(self.cents),
                n,
                if n == 1 { "" } else { "s" }
            ),
        }
    }
}
