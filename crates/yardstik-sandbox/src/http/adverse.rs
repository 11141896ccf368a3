//! Decisions on reports: proceed (`PATCH /candidates/{id}/approve_by_report`) and adverse
//! actions (`/reports/{id}/adverse_actions…`). The rules live in [`crate::adverse`].

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{json_response, ok, ApiResult, Auth, Ids, JsonBody};
use crate::Shared;

/// `PATCH /candidates/{id}/approve_by_report {"report_id": …}` → 200 with the candidate.
pub async fn approve_by_report(
    State(s): State<Shared>,
    auth: Auth,
    ids: Ids,
    JsonBody(body): JsonBody,
) -> ApiResult {
    auth.require("create:reports")?;
    let (v, events) = {
        let mut st = s.store();
        crate::adverse::proceed(&mut st, &auth.account_id, ids.first(), &body)?
    };
    s.sender.emit(events);
    ok(v)
}

/// `POST /reports/{id}/adverse_actions` → 201 with the adverse action.
pub async fn create(
    State(s): State<Shared>,
    auth: Auth,
    ids: Ids,
    JsonBody(body): JsonBody,
) -> ApiResult {
    auth.require("create:reports")?;
    let (v, events) = {
        let mut st = s.store();
        crate::adverse::create(&mut st, &auth.account_id, ids.first(), &body)?
    };
    s.sender.emit(events);
    Ok(json_response(StatusCode::CREATED, v))
}

/// `GET /reports/{id}/adverse_actions` → `{"object": "list", "data": […]}`, oldest first.
pub async fn list(State(s): State<Shared>, auth: Auth, ids: Ids) -> ApiResult {
    auth.require("view:reports")?;
    let st = s.store();
    let data: Vec<Value> = crate::adverse::list(&st, &auth.account_id, ids.first())?;
    ok(json!({ "object": "list", "data": data }))
}

/// `GET /reports/{id}/adverse_actions/{aa_id}`.
pub async fn get(State(s): State<Shared>, auth: Auth, ids: Ids) -> ApiResult {
    auth.require("view:reports")?;
    let st = s.store();
    ok(crate::adverse::get(
        &st,
        &auth.account_id,
        ids.first(),
        ids.second(),
    )?)
}

/// `POST /reports/{id}/adverse_actions/{aa_id}/cancel` → 200 with the canceled action.
pub async fn cancel(State(s): State<Shared>, auth: Auth, ids: Ids) -> ApiResult {
    auth.require("create:reports")?;
    let (v, events) = {
        let mut st = s.store();
        crate::adverse::cancel(&mut st, &auth.account_id, ids.first(), ids.second())?
    };
    s.sender.emit(events);
    ok(v)
}

/// `POST /sandbox/reports/{id}/advance {"days": n}` or `{"to_final": true}` (sandbox control)
/// → 200 with the pending action, rescheduled; the sweep finalizes it once due.
pub async fn advance(
    State(s): State<Shared>,
    auth: Auth,
    ids: Ids,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let mut st = s.store();
    ok(crate::adverse::advance(
        &mut st,
        &auth.account_id,
        ids.first(),
        &body,
    )?)
}
