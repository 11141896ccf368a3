//! `GET /accounts`, `GET /accounts/{id}`, `GET /accounts/{id}/account_packages`.
//! An API key sees only its own account: any other id answers 404.

use axum::extract::{RawQuery, State};
use serde_json::Value;

use super::{ok, ApiError, ApiResult, Auth, Ids};
use crate::list::ListParams;
use crate::Shared;

/// Plain array (as in the reference), filtered/ordered by `query[...]`/`order_by`.
pub async fn list(State(s): State<Shared>, auth: Auth, RawQuery(q): RawQuery) -> ApiResult {
    let st = s.store();
    let items: Vec<Value> = st
        .accounts
        .iter()
        .filter(|a| a.id == auth.account_id)
        .map(|a| st.render_account(a))
        .collect();
    ok(Value::Array(
        ListParams::parse(q.as_deref()).filter_and_order(items),
    ))
}

pub async fn get(State(s): State<Shared>, auth: Auth, ids: Ids) -> ApiResult {
    let id = ids.first();
    let st = s.store();
    match st.account(id).filter(|a| a.id == auth.account_id) {
        Some(a) => ok(st.render_account(a)),
        None => Err(ApiError::not_found("account", id)),
    }
}

/// Plain array (as in the reference). Without an `action_type` predicate only `report` packages
/// are listed ("Defaults to listing all report packages"); `query[action_type_eq]=monitor`
/// lists monitor packages.
pub async fn packages(
    State(s): State<Shared>,
    auth: Auth,
    ids: Ids,
    RawQuery(q): RawQuery,
) -> ApiResult {
    let id = ids.first();
    let st = s.store();
    let Some(a) = st.account(id).filter(|a| a.id == auth.account_id) else {
        return Err(ApiError::not_found("account", id));
    };
    let mut params = ListParams::parse(q.as_deref());
    if !params.filters.iter().any(|f| f.field == "action_type") {
        params.filters.push(crate::list::Filter {
            field: "action_type".into(),
            predicate: "eq".into(),
            values: vec!["report".into()],
        });
    }
    let items: Vec<Value> = a
        .account_packages
        .iter()
        .map(|p| st.render_package(p))
        .collect();
    // Packages have no created_at: keep fixture order unless order_by is given.
    if params.order_by.is_none() {
        params.order_by = Some("__fixture_order".into());
    }
    ok(Value::Array(params.filter_and_order(items)))
}
