#![cfg(target_arch = "wasm32")]
//! Prices are decimal strings summed as integer cents.

use screening_widget::money::{display, format_cents, parse_cents, Total};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn parses_decimal_price_strings() {
    assert_eq!(parse_cents("29.99"), Some(2999));
    assert_eq!(parse_cents("29.9"), Some(2990));
    assert_eq!(parse_cents("29"), Some(2900));
    assert_eq!(parse_cents(" $1,029.50 "), Some(102950));
    assert_eq!(parse_cents(".5"), Some(50));
    for bad in ["", ".", "29.999", "-1.00", "abc", "1e3", "12.3.4"] {
        assert_eq!(parse_cents(bad), None, "{bad}");
    }
}

#[wasm_bindgen_test]
fn formats_and_sums_without_float_error() {
    assert_eq!(format_cents(0), "$0.00");
    assert_eq!(format_cents(5), "$0.05");
    assert_eq!(format_cents(123456789), "$1,234,567.89");
    // 0.1 + 0.2 style traps: 29.99 + 39.99 + 49.99 = 119.97 exactly.
    let t = Total::of([Some("29.99"), Some("39.99"), Some("49.99")]);
    assert_eq!(
        t,
        Total {
            cents: 11997,
            unpriced: 0
        }
    );
    assert_eq!(t.label(), "$119.97");
    let t = Total::of([Some("10.10"), None, Some("n/a")]);
    assert_eq!(t.label(), "$10.10 + 2 items priced on request");
    assert_eq!(display(Some("49.99")), "$49.99");
    assert_eq!(display(Some("call us")), "call us");
    assert_eq!(display(None), "Price on request");
}
