//! Short signed tokens: widget sessions and result links.
//!
//! `base64url(claims JSON) "." base64url(HMAC-SHA256(subkey(purpose), claims part))`.
//! The subkey is derived from the master key per purpose, so a result-link token can never
//! be used as a widget session and vice versa.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use screening_wire::Capability;
use serde::{Deserialize, Serialize};

use screening_model::crypto::{ct_eq, hmac_bytes, MasterKey};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    WidgetSession,
    ResultLink,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Purpose::WidgetSession => "token:widget-session:v1",
            Purpose::ResultLink => "token:result-link:v1",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Tenant id (internal uuid).
    pub t: String,
    /// Scope: one ATS applicant id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a: Option<String>,
    /// Scope: one background_check_id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub o: Option<String>,
    /// Expiry, unix seconds. Result links carry none (0): they do not expire.
    #[serde(default)]
    pub exp: i64,
    /// What the session may do (widget sessions; a result link opens as `review`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub c: Vec<Capability>,
    /// The tenant's credential generation when issued (`Tenant::generation`): rotating the
    /// tenant's secret ends every session and result link issued before.
    #[serde(default)]
    pub g: String,
    /// The reviewer (the host's user id), recorded with decisions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r: Option<String>,
    /// Result links: the order's `result_link_epoch` when issued (revocation moves it on).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub v: i64,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is malformed or its signature is wrong")]
    Invalid,
    #[error("token has expired")]
    Expired,
}

#[derive(Clone, Debug)]
pub struct Signer {
    session_key: [u8; 32],
    link_key: [u8; 32],
}

impl Signer {
    pub fn new(master: &MasterKey) -> Self {
        Self {
            session_key: master.subkey(Purpose::WidgetSession.label()),
            link_key: master.subkey(Purpose::ResultLink.label()),
        }
    }

    fn key(&self, p: Purpose) -> &[u8; 32] {
        match p {
            Purpose::WidgetSession => &self.session_key,
            Purpose::ResultLink => &self.link_key,
        }
    }

    pub fn sign(&self, purpose: Purpose, claims: &Claims) -> String {
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialise"));
        let mac = hmac_bytes(self.key(purpose), body.as_bytes());
        format!("{body}.{}", URL_SAFE_NO_PAD.encode(mac))
    }

    pub fn verify(
        &self,
        purpose: Purpose,
        token: &str,
        now_secs: i64,
    ) -> Result<Claims, TokenError> {
        let (body, sig) = token.split_once('.').ok_or(TokenError::Invalid)?;
        let sig = URL_SAFE_NO_PAD
            .decode(sig)
            .map_err(|_| TokenError::Invalid)?;
        let expected = hmac_bytes(self.key(purpose), body.as_bytes());
        if !ct_eq(&sig, &expected) {
            return Err(TokenError::Invalid);
        }
        let raw = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| TokenError::Invalid)?;
        let claims: Claims = serde_json::from_slice(&raw).map_err(|_| TokenError::Invalid)?;
        // A result link lasts while its order exists (and is not revoked): its expiry, if
        // an older link carries one, is not enforced. A session always expires.
        if purpose == Purpose::WidgetSession && claims.exp <= now_secs {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            t: "tenant".into(),
            a: None,
            o: Some("224466".into()),
            exp,
            c: vec![Capability::Review],
            g: "gen".into(),
            r: None,
            v: 0,
        }
    }

    #[test]
    fn round_trip_expiry_and_purpose_separation() {
        let s = Signer::new(&MasterKey::generate());
        let tok = s.sign(Purpose::WidgetSession, &claims(100));
        assert_eq!(
            s.verify(Purpose::WidgetSession, &tok, 99).unwrap(),
            claims(100)
        );
        assert_eq!(
            s.verify(Purpose::WidgetSession, &tok, 100),
            Err(TokenError::Expired)
        );
        assert_eq!(
            s.verify(Purpose::ResultLink, &tok, 99),
            Err(TokenError::Invalid)
        );
        let other = Signer::new(&MasterKey::generate());
        assert_eq!(
            other.verify(Purpose::WidgetSession, &tok, 99),
            Err(TokenError::Invalid)
        );
        // A result link does not expire.
        let link = s.sign(Purpose::ResultLink, &claims(0));
        assert_eq!(
            s.verify(Purpose::ResultLink, &link, 10_000_000_000)
                .unwrap(),
            claims(0)
        );
        assert_eq!(
            s.verify(Purpose::WidgetSession, "garbage", 0),
            Err(TokenError::Invalid)
        );
        let (body, _) = tok.split_once('.').unwrap();
        let forged = format!("{body}.{}", URL_SAFE_NO_PAD.encode([0u8; 32]));
        assert_eq!(
            s.verify(Purpose::WidgetSession, &forged, 0),
            Err(TokenError::Invalid)
        );
    }
}
