//! Minimal HS256 JWTs for web tokens (`POST /web_tokens`) and their verification by the embed
//! pages. Claims: `sub` (user email), `user_email`, `account_id`, `iat`, `exp`, `iss`, `jti`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub user_email: String,
    pub account_id: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub jti: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("malformed token")]
    Malformed,
    #[error("bad signature")]
    BadSignature,
    /// Valid signature but past `exp` (the `exp` is kept for the expiration page).
    #[error("token expired")]
    Expired(i64),
}

pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

pub fn sign(claims: &Claims, secret: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let input = format!("{header}.{payload}");
    let sig = URL_SAFE_NO_PAD.encode(hmac_sha256(secret, input.as_bytes()));
    format!("{input}.{sig}")
}

/// Verify signature and algorithm, then expiry against `now` (unix seconds).
pub fn verify(token: &str, secret: &[u8], now: i64) -> Result<Claims, JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let header: serde_json::Value = URL_SAFE_NO_PAD
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(JwtError::Malformed)?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(JwtError::Malformed);
    }
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwtError::Malformed)?;
    let expected = hmac_sha256(secret, format!("{h}.{p}").as_bytes());
    if !ct_eq(&sig, &expected) {
        return Err(JwtError::BadSignature);
    }
    let claims: Claims = URL_SAFE_NO_PAD
        .decode(p)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(JwtError::Malformed)?;
    if claims.exp <= now {
        return Err(JwtError::Expired(claims.exp));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            sub: "u@x".into(),
            user_email: "u@x".into(),
            account_id: "a".into(),
            iat: 0,
            exp,
            iss: "t".into(),
            jti: "j".into(),
        }
    }

    #[test]
    fn roundtrip_and_expiry() {
        let t = sign(&claims(100), b"k");
        assert_eq!(verify(&t, b"k", 99).unwrap().account_id, "a");
        assert!(matches!(verify(&t, b"k", 100), Err(JwtError::Expired(_))));
        assert_eq!(verify(&t, b"other", 99), Err(JwtError::BadSignature));
        assert_eq!(verify("a.b", b"k", 0), Err(JwtError::Malformed));
        assert_eq!(verify("", b"k", 0), Err(JwtError::Malformed));
    }
}
