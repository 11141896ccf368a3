//! `GET /webhook_types` and `POST/GET/DELETE /accounts/{id}/webhooks`.

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{json_response, ok, ApiError, ApiResult, Auth, FieldErrors, Ids, JsonBody};
use crate::store::{new_id, now, Webhook};
use crate::Shared;

/// Webhook types with stable ids. The first two ids are the reference's own
/// (`candidate.created`, `report.completed` in its `GET /webhook_types` sample); the rest are
/// fixed sandbox ids.
pub const WEBHOOK_TYPES: &[(&str, &str, &str)] = &[
    (
        "2c188600-e7ff-4039-bcb2-03a6dab99c13",
        "candidate.created",
        "A candidate has been created.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000002",
        "candidate.updated",
        "A candidate has been updated.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000003",
        "candidate.deleted",
        "A candidate has been deleted.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000004",
        "candidate.consented",
        "A candidate has signed disclosures and given consent to the background check.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000005",
        "candidate.paid",
        "Candidate has paid for their background check.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000006",
        "transaction.created",
        "A payment transaction has been created.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000007",
        "transaction.updated",
        "A payment transaction has been updated.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000008",
        "transaction.deleted",
        "A payment transaction has been deleted.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000009",
        "invitation.created",
        "An invitation has been created.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000010",
        "invitation.updated",
        "An invitation has been updated.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000011",
        "invitation.deleted",
        "An invitation has been deleted.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000012",
        "report.created",
        "A report has been created.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000013",
        "report.updated",
        "A report has been updated.",
    ),
    (
        "48a9b600-e7ff-4039-bcb2-04cddab97ba8",
        "report.completed",
        "A report has been completed.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000015",
        "report.deleted",
        "A report has been deleted.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000016",
        "monitor.created",
        "A monitor has been created.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000017",
        "monitor.updated",
        "A monitor has been updated.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000018",
        "monitor.deleted",
        "A monitor has been deleted.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000019",
        "monitor_record.created",
        "A monitor record has been created.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000020",
        "monitor_record.updated",
        "A monitor record has been updated.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000021",
        "monitor_record.deleted",
        "A monitor record has been deleted.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000022",
        "account.updated",
        "An account has been updated.",
    ),
    (
        "5a0c0001-0000-4000-8000-000000000023",
        "sub_account.active",
        "The Subaccount was activated by Yardstik support.",
    ),
];

pub fn type_description(system_name: &str) -> Option<&'static str> {
    WEBHOOK_TYPES
        .iter()
        .find(|t| t.1 == system_name)
        .map(|t| t.2)
}

pub async fn types(_auth: Auth) -> ApiResult {
    ok(Value::Array(
        WEBHOOK_TYPES
            .iter()
            .map(|(id, n, d)| json!({ "id": id, "system_name": n, "description": d }))
            .collect(),
    ))
}

fn own_account(auth: &Auth, id: &str) -> Result<(), ApiError> {
    if id == auth.account_id {
        Ok(())
    } else {
        Err(ApiError::not_found("account", id))
    }
}

pub async fn list(State(s): State<Shared>, auth: Auth, ids: Ids) -> ApiResult {
    own_account(&auth, ids.first())?;
    let st = s.store();
    ok(Value::Array(
        st.webhooks
            .iter()
            .filter(|w| w.account_id == auth.account_id)
            .map(Webhook::render)
            .collect(),
    ))
}

pub async fn get(State(s): State<Shared>, auth: Auth, ids: Ids) -> ApiResult {
    own_account(&auth, ids.first())?;
    let st = s.store();
    st.webhooks
        .iter()
        .find(|w| w.account_id == auth.account_id && w.id == ids.second())
        .map(|w| ok(w.render()))
        .unwrap_or_else(|| Err(ApiError::not_found("webhook", ids.second())))
}

/// Body `{"webhook_type_id": <id>, "url": ...}` or `{"webhook_type": "<system_name>", "url": ...}`.
/// The URL must be http(s). Registering the same type + URL twice answers the existing one (200).
pub async fn create(
    State(s): State<Shared>,
    auth: Auth,
    ids: Ids,
    JsonBody(body): JsonBody,
) -> ApiResult {
    own_account(&auth, ids.first())?;
    auth.require("create:account_webhooks")?;
    let mut errors = FieldErrors::default();
    let by_id = super::opt_str(&body, "webhook_type_id", &mut errors).flatten();
    let by_name = super::opt_str(&body, "webhook_type", &mut errors).flatten();
    let url = super::opt_str(&body, "url", &mut errors)
        .flatten()
        .unwrap_or_default();
    let ty = match (by_id, by_name) {
        (Some(id), _) => WEBHOOK_TYPES.iter().find(|t| t.0 == id).map(|t| t.1),
        (None, Some(n)) => WEBHOOK_TYPES.iter().find(|t| t.1 == n).map(|t| t.1),
        (None, None) => {
            errors.add("webhook_type_id", "can't be blank");
            None
        }
    };
    if ty.is_none() && errors.is_empty() {
        errors.add("webhook_type_id", "is not a known webhook type");
    }
    match reqwest::Url::parse(&url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
        _ => errors.add("url", "must be an http(s) URL"),
    }
    errors.into_result("Webhook not created")?;
    let ty = ty.unwrap_or_default().to_string();
    let mut st = s.store();
    if let Some(w) = st
        .webhooks
        .iter()
        .find(|w| w.account_id == auth.account_id && w.webhook_type == ty && w.url == url)
    {
        return ok(w.render());
    }
    let w = Webhook {
        id: new_id(),
        account_id: auth.account_id.clone(),
        webhook_type: ty,
        url,
        enabled: true,
        created_at: now(),
    };
    st.webhooks.push(w.clone());
    Ok(json_response(StatusCode::CREATED, w.render()))
}

pub async fn delete(State(s): State<Shared>, auth: Auth, ids: Ids) -> ApiResult {
    own_account(&auth, ids.first())?;
    auth.require("create:account_webhooks")?;
    let mut st = s.store();
    let before = st.webhooks.len();
    let wid = ids.second().to_string();
    st.webhooks
        .retain(|w| !(w.account_id == auth.account_id && w.id == wid));
    if st.webhooks.len() == before {
        return Err(ApiError::not_found("webhook", &wid));
    }
    Ok(axum::response::IntoResponse::into_response(
        StatusCode::NO_CONTENT,
    ))
}
