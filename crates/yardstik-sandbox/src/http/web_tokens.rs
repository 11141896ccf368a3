//! `POST /web_tokens {"user_email"}` → `{"token": <JWT HS256>}` (201).
//!
//! Only users of the calling account get a token. An email that is not a user of the
//! account answers 422 ("Web token not created"): the request is well-formed but cannot be
//! processed (the reference's 403 is for keys lacking permission, which the sandbox never has).

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use super::{json_response, opt_str, ApiError, ApiResult, Auth, FieldErrors, JsonBody};
use crate::jwt::{sign, Claims};
use crate::Shared;

pub async fn create(State(s): State<Shared>, auth: Auth, JsonBody(body): JsonBody) -> ApiResult {
    auth.require("create:web_tokens")?;
    let mut errors = FieldErrors::default();
    let email = opt_str(&body, "user_email", &mut errors)
        .flatten()
        .unwrap_or_default()
        .to_lowercase();
    if email.is_empty() {
        errors.add("user_email", "can't be blank");
    }
    errors.into_result("Web token not created")?;
    let is_user = {
        let st = s.store();
        st.account(&auth.account_id)
            .map(|a| a.users.iter().any(|u| u.eq_ignore_ascii_case(&email)))
            .unwrap_or(false)
    };
    if !is_user {
        return Err(ApiError::unprocessable(
            "Web token not created",
            "The user was not found in this account",
        )
        .with_meta(json!({ "errors": { "user_email": ["is not a user of this account"] } })));
    }
    let iat = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: email.clone(),
        user_email: email,
        account_id: auth.account_id.clone(),
        iat,
        exp: iat + s.web_token_ttl.as_secs() as i64,
        iss: "yardstik-sandbox".into(),
        jti: crate::store::new_id(),
    };
    Ok(json_response(
        StatusCode::CREATED,
        json!({ "token": sign(&claims, &s.jwt_secret) }),
    ))
}
