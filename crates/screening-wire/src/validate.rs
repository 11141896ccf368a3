//! Validation rules shared by the widget's inline messages and the server's 422 answers.
//!
//! Every function returns all problems at once (not the first), each tied to the dotted
//! path of the field, with a message a person can act on.

use crate::ats::{Applicant, HiringManager, OrderRequest};
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

/// A phone number in E.164 (`+18885551234`), as Yardstik stores it (its "primary SMS
/// capable phone number"): a US number in any usual form, or an international one written
/// with its `+` country code (`+44 20 7946 0958`: 8 to 15 digits). `None` when it cannot
/// be told which country a number is in (`020 7946 0958`): it is then not sent, and
/// Yardstik's intake asks the candidate.
pub fn phone_e164(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    if is_us_phone(s) {
        return Some(if digits.len() == 10 {
            format!("+1{digits}")
        } else {
            format!("+{digits}")
        });
    }
    let t = s.trim();
    let phone_chars = t
        .chars()
        .all(|c| c.is_ascii_digit() || " -().+".contains(c));
    (t.starts_with('+')
        && phone_chars
        && t.matches('+').count() == 1
        && (8..=15).contains(&digits.len())
        && !digits.starts_with('0'))
    .then(|| format!("+{digits}"))
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

/// A character a name or address line must not hold: control characters (NUL, CR, LF,
/// tab…), the bidirectional overrides, embeddings, isolates and marks (which make text
/// read differently from what it is), and invisible zero-width characters.
pub fn is_hidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
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
    } else if value.chars().any(is_hidden_char) {
        err(
            out,
            field,
            &format!("{label} must not contain line breaks, control, direction-changing or invisible characters."),
        );
    }
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

/// Validate an applicant entered in the widget's order form. `prefix` is the path of the
/// applicant object (`"applicant"`). Names, email, a US phone, street address, city, state
/// and ZIP are required. ATS orders use [`validate_ats_applicant`].
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

/// Validate the applicant of an ATS order: only what Yardstik needs to invite the candidate
/// (first name, last name, email: its reference's required candidate attributes for the
/// invitation flow) is required; the intake form collects the rest. Phone, address, city,
/// state and ZIP are sent to Yardstik when present, in any country's format, and only
/// their length is bounded. `prefix` is the path of the applicant object.
pub fn validate_ats_applicant(a: &Applicant, prefix: &str) -> Vec<FieldError> {
    let mut out = Vec::new();
    let f = |name: &str| format!("{prefix}.{name}");
    if a.id.chars().count() > MAX_ID_LEN {
        err(
            &mut out,
            &f("id"),
            &format!("The applicant id must be at most {MAX_ID_LEN} characters."),
        );
    }
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
    for (key, label, value) in [
        ("phone", "Phone", &a.phone),
        ("address", "Street address", &a.address),
        ("address_2", "Address line 2", &a.address_2),
        ("city", "City", &a.city),
        ("state", "State", &a.state),
        ("zip", "Postal code", &a.zip),
    ] {
        text(&mut out, &f(key), label, opt(value), false);
    }
    out
}

fn optional_text(out: &mut Vec<FieldError>, field: &str, value: &Option<String>) {
    if value
        .as_deref()
        .is_some_and(|v| v.chars().count() > MAX_TEXT_LEN)
    {
        err(
            out,
            field,
            &format!("{field} must be at most {MAX_TEXT_LEN} characters."),
        );
    }
}

fn optional_id(out: &mut Vec<FieldError>, field: &str, value: Option<&str>) {
    if let Some(v) = value {
        if v.chars().count() > MAX_ID_LEN || v.chars().any(|c| c.is_control()) {
            err(
                out,
                field,
                &format!(
                    "{field} must be at most {MAX_ID_LEN} characters without control characters."
                ),
            );
        }
    }
}

/// What the ATS sent about the hiring manager: every field optional, each bounded.
fn validate_hiring_manager(out: &mut Vec<FieldError>, h: &HiringManager) {
    optional_id(out, "hiring_manager.id", h.id.as_ref().map(|i| i.as_str()));
    optional_text(out, "hiring_manager.first_name", &h.first_name);
    optional_text(out, "hiring_manager.last_name", &h.last_name);
    optional_text(out, "hiring_manager.email", &h.email);
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
        o.background_check_id.as_str(),
    );
    id(&mut out, "package_id", "package_id", &o.package_id);
    optional_id(
        &mut out,
        "hiring_manager_user_id",
        o.hiring_manager_user_id.as_ref().map(|i| i.as_str()),
    );
    if let Some(h) = &o.hiring_manager {
        validate_hiring_manager(&mut out, h);
    }
    if let Some(j) = &o.job {
        optional_id(&mut out, "job.id", j.id.as_ref().map(|i| i.as_str()));
    }
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
    out.extend(validate_ats_applicant(&o.applicant, "applicant"));
    out
}

/// Shape checks on a widget order. The widget's own form asks for the full US address (it
/// is the employer's form, and a complete address spares the candidate steps), so its
/// applicant rules are [`validate_applicant`]'s.
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
    if let Some(h) = &o.hiring_manager {
        validate_hiring_manager(&mut out, h);
    }
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
    use crate::ats::AtsId;

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
    fn names_refuse_hidden_and_control_characters() {
        for bad in [
            "Jo\u{0}hn",
            "John\r\nBcc: x",
            "John\n",
            "\u{202E}nhoJ",
            "Jo\u{2066}hn",
            "Jo\u{200B}hn",
            "Jo\u{FEFF}hn",
            "Jo\u{200D}hn",
        ] {
            let mut a = seed_applicant();
            a.first_name = bad.into();
            let errors = validate_applicant(&a, "applicant");
            assert_eq!(errors.len(), 1, "{bad:?}: {errors:?}");
            assert_eq!(errors[0].field, "applicant.first_name");
            assert!(errors[0].message.contains("invisible"), "{errors:?}");
        }
        for good in ["José", "O'Brien-Smith", "Zoë Ann", "李", "محمد"] {
            let mut a = seed_applicant();
            a.first_name = good.into();
            assert!(validate_applicant(&a, "applicant").is_empty(), "{good}");
        }
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
        o.background_check_id = "x".repeat(MAX_ID_LEN + 1).into();
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

    fn parse(json: &str) -> OrderRequest {
        serde_json::from_str(json).expect("the order parses")
    }

    const BASE: &str = r#""account_id": "ACCT123", "package_id": "PKG001", "webhook_url": "https://ats.example.com/hook""#;

    #[test]
    fn the_documents_variations_parse_and_validate() {
        // null add-ons, numeric ids, no contact or address, hiring manager without id, job {}.
        let o = parse(&format!(
            r#"{{{BASE}, "background_check_id": 224466, "hiring_manager_user_id": 67890,
                "add_on_package_ids": null,
                "hiring_manager": {{"first_name": "Jill", "last_name": null}},
                "applicant": {{"id": 12345, "first_name": "John", "last_name": "Doe", "email": "john@example.com", "phone": null}},
                "job": {{}}}}"#
        ));
        assert_eq!(validate_order(&o), vec![]);
        assert_eq!(o.background_check_id.as_str(), "224466");
        assert!(o.background_check_id.numeric);
        assert_eq!(o.applicant.id, "12345");
        assert!(o.add_on_package_ids.is_empty());
        assert_eq!(o.hiring_manager.as_ref().unwrap().id, None);
        assert_eq!(o.job.as_ref().unwrap().id, None);
        // A number is written back as a number, a string as a string.
        assert_eq!(
            serde_json::to_string(&o.background_check_id).unwrap(),
            "224466"
        );
        assert_eq!(
            serde_json::to_string(&AtsId::from("224466")).unwrap(),
            "\"224466\""
        );
    }

    #[test]
    fn a_uk_applicant_is_valid_and_its_phone_becomes_e164() {
        let o = parse(&format!(
            r#"{{{BASE}, "background_check_id": "uk-1",
                "applicant": {{"first_name": "Amelia", "last_name": "Hughes", "email": "amelia@example.co.uk",
                  "phone": "+44 20 7946 0958", "address": "10 Downing Street", "city": "London",
                  "state": "Greater London", "zip": "SW1A 2AA"}}}}"#
        ));
        assert_eq!(validate_order(&o), vec![]);
        assert_eq!(
            phone_e164(o.applicant.phone.as_deref().unwrap()).as_deref(),
            Some("+442079460958")
        );
        assert_eq!(phone_e164("020 7946 0958"), None);
    }

    #[test]
    fn an_ats_order_is_refused_only_for_what_cannot_be_ordered() {
        let o = parse(&format!(
            r#"{{{BASE}, "background_check_id": "x", "applicant": {{"first_name": " ", "email": "nope"}}}}"#
        ));
        let fields: Vec<String> = validate_order(&o).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "applicant.first_name",
                "applicant.last_name",
                "applicant.email"
            ]
        );
        // Objects are objects: not the array of their fields.
        let arr = format!(
            r#"{{{BASE}, "background_check_id": "a", "hiring_manager": [null, null], "applicant": {{}}}}"#
        );
        assert!(serde_json::from_str::<OrderRequest>(&arr).is_err());
        let arr = format!(r#"{{{BASE}, "background_check_id": "a", "applicant": ["J", "D"]}}"#);
        assert!(serde_json::from_str::<OrderRequest>(&arr).is_err());
        // A fraction is not an id; a whole number however written is.
        let bad = format!(r#"{{{BASE}, "background_check_id": 1.5, "applicant": {{}}}}"#);
        let e = serde_json::from_str::<OrderRequest>(&bad).unwrap_err();
        assert!(e.to_string().contains("whole number"), "{e}");
        let whole = format!(r#"{{{BASE}, "background_check_id": 2.2e5, "applicant": {{}}}}"#);
        let o = serde_json::from_str::<OrderRequest>(&whole).unwrap();
        assert_eq!(o.background_check_id.as_str(), "220000");
        assert!(o.background_check_id.numeric);
        // Over-long optional fields are bounded, and named.
        let long = "x".repeat(MAX_TEXT_LEN + 1);
        let o = parse(&format!(
            r#"{{{BASE}, "background_check_id": "x", "hiring_manager": {{"email": "{long}"}},
                "applicant": {{"first_name": "a", "last_name": "b", "email": "a@b.co", "city": "{long}"}}}}"#
        ));
        let fields: Vec<String> = validate_order(&o).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["hiring_manager.email", "applicant.city"]);
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
