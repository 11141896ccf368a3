//! Validation rules shared by the widget's inline messages and the server's 422 answers.
//!
//! Every function returns all problems at once (not the first), each tied to the dotted
//! path of the field, with a message a person can act on.

use crate::ats::{Applicant, OrderRequest};
use crate::widget::WidgetOrderRequest;
use crate::FieldError;

/// Longest id we accept from the ATS (background_check_id, package ids, applicant id).
pub const MAX_ID_LEN: usize = 128;
/// Longest free-text field (names, address lines, city).
pub const MAX_TEXT_LEN: usize = 200;

/// USPS two-letter codes: the 50 states, DC, and the territories Yardstik screens in.
pub const US_STATE_CODES: [&str; 56] = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "PR", "GU", "VI", "AS", "MP",
];

fn err(out: &mut Vec<FieldError>, field: &str, message: &str) {
    out.push(FieldError {
        field: field.to_string(),
        message: message.to_string(),
    });
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// A pragmatic email check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn is_email(s: &str) -> bool {
    let s = s.trim();
    if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let mut parts = s.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && domain.len() >= 3
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// A US phone number: 10 digits, optionally prefixed by country code 1, with the usual
/// separators (`888-555-1234`, `(888) 555-1234`, `+1 888 555 1234`).
pub fn is_us_phone(s: &str) -> bool {
    let s = s.trim();
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || " -().+".contains(c))
    {
        return false;
    }
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    match digits.len() {
        10 => !digits.starts_with('0') && !digits.starts_with('1'),
        11 => {
            digits.starts_with('1')
                && !digits[1..].starts_with('0')
                && !digits[1..].starts_with('1')
        }
        _ => false,
    }
}

/// Normalise a valid US phone number to E.164 (`+18885551234`), as Yardstik stores it.
pub fn phone_e164(s: &str) -> Option<String> {
    if !is_us_phone(s) {
        return None;
    }
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    Some(if digits.len() == 10 {
        format!("+1{digits}")
    } else {
        format!("+{digits}")
    })
}

pub fn is_us_state(s: &str) -> bool {
    let s = s.trim();
    s.len() == 2 && US_STATE_CODES.contains(&s.to_ascii_uppercase().as_str())
}

/// `12345` or `12345-6789`.
pub fn is_us_zip(s: &str) -> bool {
    let b = s.trim().as_bytes();
    match b.len() {
        5 => b.iter().all(u8::is_ascii_digit),
        10 => b[5] == b'-' && b[..5].iter().chain(&b[6..]).all(u8::is_ascii_digit),
        _ => false,
    }
}

fn text(out: &mut Vec<FieldError>, field: &str, label: &str, value: &str, required: bool) {
    if blank(value) {
        if required {
            err(out, field, &format!("{label} is required."));
        }
    } else if value.chars().count() > MAX_TEXT_LEN {
        err(
            out,
            field,
            &format!("{label} must be at most {MAX_TEXT_LEN} characters."),
        );
    }
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

/// Validate an applicant for ordering. `prefix` is the path of the applicant object
/// (`"applicant"`). Names, email, phone, street address, city, state and ZIP are required:
/// Yardstik's address-based screenings cannot run without them.
pub fn validate_applicant(a: &Applicant, prefix: &str) -> Vec<FieldError> {
    let mut out = Vec::new();
    let f = |name: &str| format!("{prefix}.{name}");
    text(
        &mut out,
        &f("first_name"),
        "First name",
        &a.first_name,
        true,
    );
    text(&mut out, &f("last_name"), "Last name", &a.last_name, true);
    if blank(&a.email) {
        err(&mut out, &f("email"), "Email is required.");
    } else if !is_email(&a.email) {
        err(
            &mut out,
            &f("email"),
            "Enter an email address like name@example.com.",
        );
    }
    if blank(opt(&a.phone)) {
        err(&mut out, &f("phone"), "Phone is required.");
    } else if !is_us_phone(opt(&a.phone)) {
        err(
            &mut out,
            &f("phone"),
            "Enter a 10-digit US phone number, like 888-555-1234.",
        );
    }
    text(
        &mut out,
        &f("address"),
        "Street address",
        opt(&a.address),
        true,
    );
    text(
        &mut out,
        &f("address_2"),
        "Address line 2",
        opt(&a.address_2),
        false,
    );
    text(&mut out, &f("city"), "City", opt(&a.city), true);
    if blank(opt(&a.state)) {
        err(&mut out, &f("state"), "State is required.");
    } else if !is_us_state(opt(&a.state)) {
        err(
            &mut out,
            &f("state"),
            "Enter a two-letter US state code, like IL.",
        );
    }
    if blank(opt(&a.zip)) {
        err(&mut out, &f("zip"), "ZIP code is required.");
    } else if !is_us_zip(opt(&a.zip)) {
        err(
            &mut out,
            &f("zip"),
            "Enter a 5-digit ZIP code, like 12345 (or 12345-6789).",
        );
    }
    out
}

fn id(out: &mut Vec<FieldError>, field: &str, label: &str, value: &str) {
    if blank(value) {
        err(out, field, &format!("{label} is required."));
    } else if value.chars().count() > MAX_ID_LEN {
        err(
            out,
            field,
            &format!("{label} must be at most {MAX_ID_LEN} characters."),
        );
    } else if value.chars().any(|c| c.is_control()) {
        err(
            out,
            field,
            &format!("{label} must not contain control characters."),
        );
    }
}

fn add_ons(out: &mut Vec<FieldError>, ids: &[String]) {
    for (i, v) in ids.iter().enumerate() {
        id(
            out,
            &format!("add_on_package_ids[{i}]"),
            "Add-on package id",
            v,
        );
    }
    for (i, v) in ids.iter().enumerate() {
        if ids[..i].contains(v) {
            err(
                out,
                &format!("add_on_package_ids[{i}]"),
                &format!("Add-on {v} is listed twice."),
            );
        }
    }
}

/// Shape checks on an ATS order. Whether the package ids exist, whether `account_id` is the
/// caller's, and whether `webhook_url` is an allowed target are the server's business.
pub fn validate_order(o: &OrderRequest) -> Vec<FieldError> {
    let mut out = Vec::new();
    id(&mut out, "account_id", "account_id", &o.account_id);
    id(
        &mut out,
        "background_check_id",
        "background_check_id",
        &o.background_check_id,
    );
    id(&mut out, "package_id", "package_id", &o.package_id);
    add_ons(&mut out, &o.add_on_package_ids);
    let url = o.webhook_url.trim();
    if url.is_empty() {
        err(&mut out, "webhook_url", "webhook_url is required.");
    } else if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.chars().count() > 2048
    {
        err(
            &mut out,
            "webhook_url",
            "webhook_url must be an http(s) URL of at most 2048 characters.",
        );
    }
    out.extend(validate_applicant(&o.applicant, "applicant"));
    out
}

/// Shape checks on a widget order.
pub fn validate_widget_order(o: &WidgetOrderRequest) -> Vec<FieldError> {
    let mut out = Vec::new();
    if let Some(b) = &o.background_check_id {
        id(&mut out, "background_check_id", "background_check_id", b);
    }
    if blank(&o.package_id) {
        err(&mut out, "package_id", "Choose a package.");
    } else {
        id(&mut out, "package_id", "package_id", &o.package_id);
    }
    add_ons(&mut out, &o.add_on_package_ids);
    out.extend(validate_applicant(&o.applicant, "applicant"));
    out
}

/// Join field errors into one sentence for `error_message`.
pub fn summary(errors: &[FieldError]) -> String {
    let parts: Vec<String> = errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect();
    format!("Invalid order: {}", parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_applicant() -> Applicant {
        Applicant {
            id: "12345".into(),
            first_name: "John".into(),
            last_name: "Doe".into(),
            phone: Some("888-555-1234".into()),
            email: "john.doe@example.com".into(),
            address: Some("123 Main St.".into()),
            address_2: Some("Apt. 1".into()),
            city: Some("Springfield".into()),
            state: Some("IL".into()),
            zip: Some("12345".into()),
        }
    }

    #[test]
    fn seed_applicant_is_valid() {
        assert_eq!(validate_applicant(&seed_applicant(), "applicant"), vec![]);
    }

    #[test]
    fn every_missing_field_is_reported_with_its_path() {
        let errors = validate_applicant(&Applicant::default(), "applicant");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "applicant.first_name",
                "applicant.last_name",
                "applicant.email",
                "applicant.phone",
                "applicant.address",
                "applicant.city",
                "applicant.state",
                "applicant.zip"
            ]
        );
        assert!(errors.iter().all(|e| e.message.ends_with("is required.")));
    }

    #[test]
    fn bad_values_get_actionable_messages() {
        let mut a = seed_applicant();
        a.email = "john@".into();
        a.phone = Some("555-1234".into());
        a.state = Some("ZZ".into());
        a.zip = Some("1234".into());
        let errors = validate_applicant(&a, "applicant");
        assert_eq!(errors.len(), 4);
        assert_eq!(
            errors[0].message,
            "Enter an email address like name@example.com."
        );
        assert_eq!(errors[2].field, "applicant.state");
        assert!(errors[3].message.contains("5-digit ZIP"));
    }

    #[test]
    fn email_rules() {
        for ok in ["a@b.co", "john.doe+x@mail.example.com"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@@b.co", "a b@c.co", "a@.co", "a@b.co.", "a@b..co",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn phone_rules_and_e164() {
        assert_eq!(phone_e164("888-555-1234").as_deref(), Some("+18885551234"));
        assert_eq!(
            phone_e164("(888) 555-1234").as_deref(),
            Some("+18885551234")
        );
        assert_eq!(
            phone_e164("+1 888 555 1234").as_deref(),
            Some("+18885551234")
        );
        for bad in [
            "555-1234",
            "088-555-1234",
            "2-888-555-1234",
            "888-555-123x",
            "+44 20 7946 0958",
        ] {
            assert!(!is_us_phone(bad), "{bad}");
        }
    }

    #[test]
    fn state_and_zip_rules() {
        assert!(is_us_state("IL") && is_us_state("il") && is_us_state("DC"));
        assert!(!is_us_state("ZZ") && !is_us_state("ILL") && !is_us_state(""));
        assert!(is_us_zip("12345") && is_us_zip("12345-6789"));
        assert!(
            !is_us_zip("1234")
                && !is_us_zip("123456")
                && !is_us_zip("12345-678")
                && !is_us_zip("abcde")
        );
    }

    #[test]
    fn order_checks_ids_addons_and_webhook_url() {
        let mut o = OrderRequest {
            account_id: "ACCT123".into(),
            hiring_manager_user_id: None,
            background_check_id: "224466".into(),
            package_id: "PKG001".into(),
            add_on_package_ids: vec!["DRG02".into()],
            webhook_url: "https://api.applicant-tracking.com/yourco_webhooks".into(),
            hiring_manager: None,
            applicant: seed_applicant(),
            job: None,
        };
        assert_eq!(validate_order(&o), vec![]);
        o.add_on_package_ids = vec!["DRG02".into(), "DRG02".into()];
        o.webhook_url = "ftp://x".into();
        o.background_check_id = "x".repeat(MAX_ID_LEN + 1);
        let fields: Vec<String> = validate_order(&o).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "background_check_id",
                "add_on_package_ids[1]",
                "webhook_url"
            ]
        );
    }

    #[test]
    fn widget_order_requires_a_package() {
        let o = WidgetOrderRequest {
            applicant: seed_applicant(),
            ..Default::default()
        };
        let errors = validate_widget_order(&o);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "Choose a package.");
    }
}
