//! Reports: `POST /reports` (candidate_id, account_package_id, external_id), get, list.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use serde_json::Value;

use super::{json_response, ok, opt_str, ApiError, ApiResult, Auth, FieldErrors, Ids, JsonBody};
use crate::store::Event;
use crate::Shared;

/// Creates a report in status `created`; its `meta.apply` is the candidate's intake page.
pub async fn create(State(s): State<Shared>, auth: Auth, JsonBody(body): JsonBody) -> ApiResult {
    auth.require("create:reports")?;
    let mut errors = FieldErrors::default();
    let candidate_id = opt_str(&body, "candidate_id", &mut errors)
        .flatten()
        .unwrap_or_default();
    let package_id = opt_str(&body, "account_package_id", &mut errors)
        .flatten()
        .unwrap_or_default();
    let external_id = opt_str(&body, "external_id", &mut errors)
        .flatten()
        .filter(|s| !s.is_empty());
    let _account_id = opt_str(&body, "account_id", &mut errors);
    if candidate_id.is_empty() {
        errors.add("candidate_id", "can't be blank");
    }
    if package_id.is_empty() {
        errors.add("account_package_id", "can't be blank");
    }
    errors.into_result("Report not created")?;
    let mut st = s.store();
    if st.candidate(&auth.account_id, &candidate_id).is_none() {
        return Err(ApiError::not_found("candidate", &candidate_id));
    }
    if st.package(&auth.account_id, &package_id).is_none() {
        return Err(ApiError::not_found("account package", &package_id));
    }
    let r = st.new_report(
        &auth.account_id,
        &candidate_id,
        &package_id,
        None,
        external_id,
        None,
    );
    let v = st.render_report(&r);
    drop(st);
    s.sender.emit(vec![Event::new(
        &auth.account_id,
        "report",
        "created",
        &r.id,
    )]);
    Ok(json_response(StatusCode::CREATED, v))
}

pub async fn get(State(s): State<Shared>, auth: Auth, ids: Ids) -> ApiResult {
    auth.require("view:reports")?;
    let st = s.store();
    match st.report(&auth.account_id, ids.first()) {
        Some(r) => ok(st.render_report(r)),
        None => Err(ApiError::not_found("report", ids.first())),
    }
}

pub async fn list(State(s): State<Shared>, auth: Auth, RawQuery(q): RawQuery) -> ApiResult {
    auth.require("view:reports")?;
    let st = s.store();
    let items: Vec<Value> = st
        .reports
        .iter()
        .filter(|r| r.account_id == auth.account_id)
        .map(|r| st.render_report(r))
        .collect();
    ok(super::list_params(&s, q.as_deref()).apply(items))
}
