//! The applicant's fields as the order form shows them and the host's `applicant` fills them:
//! the table of fields in form order, and reading and writing one field of a
//! `screening_wire::Applicant` by its key. Shared by the config (the host's prefill), the
//! order form and the handover from the loader's preview; imports nothing of the widget.

use screening_wire::Applicant;

/// The applicant's fields in form order: (key, label, autocomplete, input type, wide).
pub const FIELDS: [(&str, &str, &str, &str, bool); 9] = [
    ("first_name", "First name", "given-name", "text", false),
    ("last_name", "Last name", "family-name", "text", false),
    ("email", "Email", "email", "email", false),
    ("phone", "Phone", "tel", "tel", false),
    ("address", "Street address", "address-line1", "text", true),
    (
        "address_2",
        "Address line 2 (optional)",
        "address-line2",
        "text",
        true,
    ),
    ("city", "City", "address-level2", "text", false),
    (
        "state",
        "State (2 letters)",
        "address-level1",
        "text",
        false,
    ),
    ("zip", "ZIP code", "postal-code", "text", false),
];

pub fn field_value(a: &Applicant, key: &str) -> String {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    match key {
        "first_name" => a.first_name.clone(),
        "last_name" => a.last_name.clone(),
        "email" => a.email.clone(),
        "phone" => o(&a.phone),
        "address" => o(&a.address),
        "address_2" => o(&a.address_2),
        "city" => o(&a.city),
        "state" => o(&a.state),
        "zip" => o(&a.zip),
        _ => String::new(),
    }
}

pub fn set_field(a: &mut Applicant, key: &str, v: String) {
    let o = (!v.trim().is_empty()).then(|| v.clone());
    match key {
        "first_name" => a.first_name = v,
        "last_name" => a.last_name = v,
        "email" => a.email = v,
        "phone" => a.phone = o,
        "address" => a.address = o,
        "address_2" => a.address_2 = o,
        "city" => a.city = o,
        "state" => a.state = o,
        "zip" => a.zip = o,
        _ => {}
    }
}
