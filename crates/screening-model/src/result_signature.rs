//! Result webhooks signed as Standard Webhooks specifies, so that an ATS can tell the
//! server's deliveries from anyone else's posts to its URL.
//!
//! The rule: a signing secret is `whsec_` and the base64 of 32 random bytes; the signed
//! content is `{webhook-id}.{webhook-timestamp}.{body}` (the id stable across retries, the
//! timestamp in unix seconds of this attempt, the body's exact bytes); each signature is
//! `v1,` and the base64 of its HMAC-SHA256 under the secret's bytes. A tenant may hold
//! more than one secret while it rotates (the new one, and the old one until its overlap
//! ends): the `webhook-signature` header then carries one signature per secret, separated
//! by spaces, and a receiver accepts the delivery when any of them verifies — so the ATS
//! can switch its secret at any moment of the overlap.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;

use crate::crypto::hmac_bytes;

const PREFIX: &str = "whsec_";

/// A signing secret as the ATS configures it (`whsec_…`). Debug never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret(String);

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(<redacted>)")
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("a signing secret is `whsec_` followed by base64 (at least 24 bytes)")]
pub struct BadSecret;

impl SigningSecret {
    pub fn generate() -> Self {
        let mut b = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut b);
        Self(format!("{PREFIX}{}", STANDARD.encode(b)))
    }

    pub fn parse(s: &str) -> Result<Self, BadSecret> {
        let raw = s.strip_prefix(PREFIX).ok_or(BadSecret)?;
        match STANDARD.decode(raw) {
            Ok(b) if b.len() >= 24 => Ok(Self(s.to_string())),
            _ => Err(BadSecret),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    fn key(&self) -> Vec<u8> {
        STANDARD
            .decode(&self.0[PREFIX.len()..])
            .expect("checked when made")
    }

    /// `v1,<base64 HMAC-SHA256>` of one delivery.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut content = format!("{id}.{timestamp}.").into_bytes();
        content.extend_from_slice(body);
        format!("v1,{}", STANDARD.encode(hmac_bytes(&self.key(), &content)))
    }
}

/// The `webhook-signature` header: one signature per secret, space separated; `None` when
/// the tenant signs nothing.
pub fn signature_header(
    secrets: &[SigningSecret],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Option<String> {
    if secrets.is_empty() {
        return None;
    }
    let sigs: Vec<String> = secrets
        .iter()
        .map(|s| s.sign(id, timestamp, body))
        .collect();
    Some(sigs.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification.
    #[test]
    fn the_specifications_example() {
        let s = SigningSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            s.sign(
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn one_signature_per_secret_and_none_without() {
        let (a, b) = (SigningSecret::generate(), SigningSecret::generate());
        assert_ne!(a, b);
        assert_eq!(signature_header(&[], "d1", 1, b"{}"), None);
        let h = signature_header(&[a.clone(), b.clone()], "d1", 1, b"{}").unwrap();
        let parts: Vec<&str> = h.split(' ').collect();
        assert_eq!(parts, [a.sign("d1", 1, b"{}"), b.sign("d1", 1, b"{}")]);
        assert_ne!(
            a.sign("d1", 1, b"{}"),
            a.sign("d1", 2, b"{}"),
            "the timestamp counts"
        );
        assert_ne!(
            a.sign("d1", 1, b"{}"),
            a.sign("d2", 1, b"{}"),
            "the id counts"
        );
        assert_ne!(
            a.sign("d1", 1, b"{}"),
            a.sign("d1", 1, b"{ }"),
            "every byte counts"
        );
    }

    #[test]
    fn secrets_parse_and_never_print() {
        let s = SigningSecret::generate();
        assert!(s.expose().starts_with("whsec_"));
        assert_eq!(SigningSecret::parse(s.expose()).unwrap(), s);
        assert_eq!(
            SigningSecret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            Err(BadSecret)
        );
        assert_eq!(SigningSecret::parse("whsec_c2hvcnQ="), Err(BadSecret));
        assert_eq!(SigningSecret::parse("whsec_!!"), Err(BadSecret));
        assert!(!format!("{s:?}").contains("whsec_"));
    }
}
