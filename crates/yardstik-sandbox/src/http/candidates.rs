//! Candidates: create (201; 200 "already exists" for the same email in the account; 422 field
//! errors), get, update (PATCH/PUT), list.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::{json_response, ok, opt_str, ApiError, ApiResult, Auth, FieldErrors, Ids, JsonBody};
use crate::store::{new_id, now, Address, Candidate, Event};
use crate::Shared;

pub fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.contains(char::is_whitespace)
}

/// Apply the known candidate fields of `body` to `c`; type errors go into `errors`.
/// Returns whether anything changed.
pub fn apply_fields(
    c: &mut Candidate,
    body: &Map<String, Value>,
    errors: &mut FieldErrors,
) -> bool {
    let mut changed = false;
    macro_rules! required {
        ($f:ident) => {
            if let Some(v) = opt_str(body, stringify!($f), errors) {
                match v {
                    Some(s) if !s.is_empty() => {
                        if c.$f != s {
                            c.$f = s;
                            changed = true;
                        }
                    }
                    _ => errors.add(stringify!($f), "can't be blank"),
                }
            }
        };
    }
    macro_rules! optional {
        ($f:ident) => {
            if let Some(v) = opt_str(body, stringify!($f), errors) {
                let v = v.filter(|s| !s.is_empty());
                if c.$f != v {
                    c.$f = v;
                    changed = true;
                }
            }
        };
    }
    required!(first_name);
    required!(last_name);
    required!(email);
    optional!(middle_name);
    optional!(phone);
    optional!(ssn);
    optional!(date_of_birth);
    optional!(gender);
    optional!(driver_license_number);
    optional!(driver_license_state);
    optional!(previous_driver_license_number);
    optional!(previous_driver_license_state);
    optional!(external_id);
    match body.get("no_middle_name") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => {
            if c.no_middle_name != *b {
                c.no_middle_name = *b;
                changed = true;
            }
        }
        Some(_) => errors.add("no_middle_name", "must be a boolean"),
    }
    if !c.email.is_empty() && !valid_email(&c.email) {
        errors.add("email", "is invalid");
    }
    if let Some(ssn) = &c.ssn {
        let digits = ssn.chars().filter(|ch| ch.is_ascii_digit()).count();
        if digits != 9 && digits != 4
            || ssn
                .chars()
                .any(|ch| !(ch.is_ascii_digit() || ch == '-' || ch == ' '))
        {
            errors.add("ssn", "is invalid");
        }
    }
    if let Some(dob) = &c.date_of_birth {
        let d = dob.get(..10).unwrap_or(dob);
        if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
            errors.add("date_of_birth", "is invalid");
        }
    }
    match body.get("addresses") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            let mut addrs = vec![];
            for (n, a) in items.iter().enumerate() {
                let Some(o) = a.as_object() else {
                    errors.add("addresses", &format!("[{n}] must be an object"));
                    continue;
                };
                let mut e2 = FieldErrors::default();
                let get = |k: &str, e: &mut FieldErrors| {
                    opt_str(o, k, e).flatten().filter(|s| !s.is_empty())
                };
                let addr = Address {
                    id: new_id(),
                    line1: get("line1", &mut e2),
                    line2: get("line2", &mut e2),
                    city: get("city", &mut e2),
                    state: get("state", &mut e2),
                    zip_code: get("zip_code", &mut e2),
                    country: get("country", &mut e2),
                };
                for k in e2.0.keys() {
                    errors.add("addresses", &format!("[{n}].{k} must be a string"));
                }
                addrs.push(addr);
            }
            c.addresses = addrs;
            changed = true;
        }
        Some(_) => errors.add("addresses", "must be an array"),
    }
    match body.get("custom_fields") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                c.custom_fields.insert(k.clone(), v.clone());
            }
            changed = true;
        }
        Some(_) => errors.add("custom_fields", "must be an object"),
    }
    changed
}

pub fn blank(account_id: &str) -> Candidate {
    let t = now();
    Candidate {
        id: new_id(),
        account_id: account_id.into(),
        first_name: String::new(),
        middle_name: None,
        no_middle_name: false,
        last_name: String::new(),
        email: String::new(),
        phone: None,
        ssn: None,
        date_of_birth: None,
        gender: None,
        driver_license_number: None,
        driver_license_state: None,
        previous_driver_license_number: None,
        previous_driver_license_state: None,
        external_id: None,
        addresses: vec![],
        custom_fields: Map::new(),
        consented_at: None,
        created_at: t,
        updated_at: t,
    }
}

pub async fn create(State(s): State<Shared>, auth: Auth, JsonBody(body): JsonBody) -> ApiResult {
    auth.require("create:candidates")?;
    let mut c = blank(&auth.account_id);
    let mut errors = FieldErrors::default();
    apply_fields(&mut c, &body, &mut errors);
    for f in ["first_name", "last_name", "email"] {
        if !body.contains_key(f) {
            errors.add(f, "can't be blank");
        }
    }
    errors.into_result("Candidate not created")?;
    c.email = c.email.to_lowercase();
    let mut st = s.store();
    if let Some(existing) = st
        .candidates
        .iter()
        .find(|x| x.account_id == auth.account_id && x.email == c.email)
    {
        // "Candidate already exists." — 200 with the existing candidate, unchanged.
        return ok(st.render_candidate(existing));
    }
    let v = st.render_candidate(&c);
    let ev = Event::new(&auth.account_id, "candidate", "created", &c.id);
    st.candidates.push(c);
    drop(st);
    s.sender.emit(vec![ev]);
    Ok(json_response(StatusCode::CREATED, v))
}

pub async fn get(State(s): State<Shared>, auth: Auth, ids: Ids) -> ApiResult {
    auth.require("view:candidates")?;
    let st = s.store();
    match st.candidate(&auth.account_id, ids.first()) {
        Some(c) => ok(st.render_candidate(c)),
        None => Err(ApiError::not_found("candidate", ids.first())),
    }
}

pub async fn update(
    State(s): State<Shared>,
    auth: Auth,
    ids: Ids,
    JsonBody(body): JsonBody,
) -> ApiResult {
    auth.require("create:candidates")?;
    let id = ids.first().to_string();
    let mut st = s.store();
    let Some(existing) = st.candidate(&auth.account_id, &id).cloned() else {
        return Err(ApiError::not_found("candidate", &id));
    };
    let mut c = existing.clone();
    let mut errors = FieldErrors::default();
    let changed = apply_fields(&mut c, &body, &mut errors);
    c.email = c.email.to_lowercase();
    if c.email != existing.email
        && st
            .candidates
            .iter()
            .any(|x| x.account_id == auth.account_id && x.email == c.email && x.id != id)
    {
        errors.add("email", "has already been taken");
    }
    errors.into_result("Resource not updated")?;
    if changed {
        c.updated_at = now();
    }
    let v = st.render_candidate(&c);
    if let Some(slot) = st.candidate_mut(&auth.account_id, &id) {
        *slot = c;
    }
    drop(st);
    if changed {
        s.sender.emit(vec![Event::new(
            &auth.account_id,
            "candidate",
            "updated",
            &id,
        )]);
    }
    ok(v)
}

pub async fn list(State(s): State<Shared>, auth: Auth, RawQuery(q): RawQuery) -> ApiResult {
    auth.require("view:candidates")?;
    let st = s.store();
    let items: Vec<Value> = st
        .candidates
        .iter()
        .filter(|c| c.account_id == auth.account_id)
        .map(|c| st.render_candidate(c))
        .collect();
    ok(super::list_params(&s, q.as_deref()).apply(items))
}
