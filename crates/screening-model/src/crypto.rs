//! Secrets at rest and keyed hashes.
//!
//! - Tenant credentials (Yardstik API key, account id, WEBHOOK_SIGNATURE) are sealed with
//!   XChaCha20-Poly1305 under `SCREENING_MASTER_KEY` (32 bytes, hex or base64).
//! - The ATS API secret is stored only as an argon2id hash.
//! - Lookups by Yardstik account id use an HMAC of the id (the id itself stays sealed).
//! - Widget sessions and result links are signed with subkeys derived from the master key.

use std::path::Path;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// The key file's name under the data directory.
pub const KEY_FILE: &str = "master.key";

/// The 32-byte key everything else derives from. Debug never prints it.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("SCREENING_MASTER_KEY must be 32 bytes written as 64 hex characters or base64 (got {0} bytes after decoding)")]
    Length(usize),
    #[error("SCREENING_MASTER_KEY is neither hex nor base64")]
    Encoding,
    #[error("no master key: set SCREENING_MASTER_KEY or SCREENING_MASTER_KEY_FILE to the key the database was created with, or run `screening-server init` once to create {path}")]
    Missing { path: String },
    #[error("cannot read or create the master key file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
    #[error("the master key file {path} can be read by other users (mode {mode:o}); run `chmod 600 {path}`")]
    LoosePermissions { path: String, mode: u32 },
}

impl MasterKey {
    pub fn parse(s: &str) -> Result<Self, KeyError> {
        let s = s.trim();
        let bytes = if s.len() == 64 && s.chars().all(|c| c.is_ascii_hexdigit()) {
            hex::decode(s).map_err(|_| KeyError::Encoding)?
        } else {
            STANDARD
                .decode(s)
                .or_else(|_| URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')))
                .map_err(|_| KeyError::Encoding)?
        };
        let arr: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::Length(bytes.len()))?;
        Ok(Self(arr))
    }

    pub fn generate() -> Self {
        let mut k = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut k);
        Self(k)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Read `<data dir>/master.key`, used when neither `SCREENING_MASTER_KEY` nor
    /// `SCREENING_MASTER_KEY_FILE` is set. It is never created here: a missing key is an
    /// error naming `screening-server init`, so a process started without the real key cannot
    /// invent one and seal data the real servers cannot open.
    pub fn load(data_dir: &Path) -> Result<Self, KeyError> {
        let path = data_dir.join(KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(s) => {
                check_private(&path)?;
                Self::parse(&s)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(KeyError::Missing {
                path: path.display().to_string(),
            }),
            Err(source) => Err(KeyError::File {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    /// `screening-server init`: read `<data dir>/master.key`, or create it (mode 0600) if
    /// absent. `true` when it was created.
    pub fn load_or_create(data_dir: &Path) -> Result<(Self, bool), KeyError> {
        match Self::load(data_dir) {
            Err(KeyError::Missing { .. }) => {
                let path = data_dir.join(KEY_FILE);
                let err = |source| KeyError::File {
                    path: path.display().to_string(),
                    source,
                };
                std::fs::create_dir_all(data_dir).map_err(err)?;
                let key = Self::generate();
                write_private(&path, &key.to_hex()).map_err(err)?;
                Ok((key, true))
            }
            other => other.map(|k| (k, false)),
        }
    }

    /// Read a key from a file named by `SCREENING_MASTER_KEY_FILE` (a mounted secret or a
    /// systemd credential): its contents, surrounding whitespace ignored.
    pub fn read_file(path: &Path) -> Result<Self, KeyError> {
        let s = std::fs::read_to_string(path).map_err(|source| KeyError::File {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&s)
    }

    /// The key's check value, stored in the database so that a process holding another key
    /// is stopped before it writes: `kcv1:` and the first 16 bytes of HMAC(master,
    /// "key-check:v1") in hex. It reveals nothing of the key (a keyed hash of a constant)
    /// and doubles as the key's id in messages.
    pub fn check_value(&self) -> String {
        format!("kcv1:{}", hex::encode(&self.subkey("key-check:v1")[..16]))
    }

    /// A purpose-bound subkey: HMAC(master, label).
    pub fn subkey(&self, label: &str) -> [u8; 32] {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0).expect("any key length");
        mac.update(label.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// Encrypt `plaintext` bound to `context` (associated data, e.g. the row's id): the
    /// sealed value opens only with the same context, so it cannot be moved to another row.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> String {
        let cipher = XChaCha20Poly1305::new((&self.subkey("seal:v1")).into());
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .expect("encryption cannot fail");
        let mut out = nonce.to_vec();
        out.extend(ct);
        format!("v2:{}", STANDARD.encode(out))
    }

    /// Open a value sealed for `context`. Values written before sealing was bound to a
    /// context (`v1:`) still open, without one; they are re-sealed when next written.
    pub fn open(&self, sealed: &str, context: &[u8]) -> Option<Vec<u8>> {
        let (aad, b64) = match sealed.split_once(':')? {
            ("v2", rest) => (context, rest),
            ("v1", rest) => (&[][..], rest),
            _ => return None,
        };
        let raw = STANDARD.decode(b64).ok()?;
        if raw.len() < 24 {
            return None;
        }
        let cipher = XChaCha20Poly1305::new((&self.subkey("seal:v1")).into());
        cipher
            .decrypt(
                XNonce::from_slice(&raw[..24]),
                Payload {
                    msg: &raw[24..],
                    aad,
                },
            )
            .ok()
    }

    /// Keyed hash used to find a tenant by its (sealed) Yardstik account id.
    pub fn lookup_hash(&self, value: &str) -> String {
        hmac_hex(&self.subkey("lookup:v1"), value.as_bytes())
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents.as_bytes())
}

/// A key file others can read is refused rather than used.
#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), KeyError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|source| KeyError::File {
            path: path.display().to_string(),
            source,
        })?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyError::LoosePermissions {
            path: path.display().to_string(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &Path) -> Result<(), KeyError> {
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

pub fn hmac_bytes(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

pub fn hmac_hex(key: &[u8], data: &[u8]) -> String {
    hex::encode(hmac_bytes(key, data))
}

pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A new API secret: 32 random bytes, base64url.
pub fn random_secret() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

pub fn hash_secret(secret: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .expect("argon2 hashing")
        .to_string()
}

/// Constant-time (argon2) verification of an API secret against its stored hash.
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2::Argon2::default()
            .verify_password(secret.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_round_trip_and_tamper() {
        let k = MasterKey::generate();
        let s = k.seal(b"demo-yardstik-key", b"tenant-1");
        assert!(!s.contains("demo"));
        assert_eq!(k.open(&s, b"tenant-1").unwrap(), b"demo-yardstik-key");
        assert!(k.open(&s, b"tenant-2").is_none(), "bound to its row");
        let other = MasterKey::generate();
        assert!(other.open(&s, b"tenant-1").is_none());
        let mut t = s.clone();
        t.replace_range(10..11, if &s[10..11] == "A" { "B" } else { "A" });
        assert!(k.open(&t, b"tenant-1").is_none());
        // A value sealed before binding (v1: no associated data) still opens.
        let cipher = XChaCha20Poly1305::new((&k.subkey("seal:v1")).into());
        let nonce = [3u8; 24];
        let mut raw = nonce.to_vec();
        raw.extend(
            cipher
                .encrypt(XNonce::from_slice(&nonce), &b"old"[..])
                .unwrap(),
        );
        let v1 = format!("v1:{}", STANDARD.encode(raw));
        assert_eq!(k.open(&v1, b"anything").unwrap(), b"old");
    }

    #[test]
    fn key_parsing_messages() {
        let k = MasterKey::generate();
        assert!(MasterKey::parse(&k.to_hex()).is_ok());
        assert!(MasterKey::parse(&STANDARD.encode([7u8; 32])).is_ok());
        assert!(matches!(
            MasterKey::parse("abcd"),
            Err(KeyError::Length(_)) | Err(KeyError::Encoding)
        ));
        assert!(format!("{:?}", k).contains("redacted"));
    }

    #[test]
    fn secrets_hash_and_verify() {
        let h = hash_secret("demo-ats-secret");
        assert!(verify_secret("demo-ats-secret", &h));
        assert!(!verify_secret("demo-ats-secreT", &h));
        assert!(!verify_secret("x", "not a hash"));
    }

    #[test]
    fn a_readable_key_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (k, created) = MasterKey::load_or_create(dir.path()).unwrap();
        assert!(created);
        let (again, created) = MasterKey::load_or_create(dir.path()).unwrap();
        assert!(!created);
        assert_eq!(k.to_hex(), again.to_hex(), "created 0600 and read back");
        assert_eq!(MasterKey::load(dir.path()).unwrap().to_hex(), k.to_hex());
        let path = dir.path().join("master.key");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = MasterKey::load(dir.path()).unwrap_err();
        assert!(
            matches!(e, KeyError::LoosePermissions { mode: 0o644, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("chmod 600"), "{e}");
    }

    #[test]
    fn a_missing_key_is_never_created_by_load() {
        let dir = tempfile::tempdir().unwrap();
        let e = MasterKey::load(dir.path()).unwrap_err();
        assert!(matches!(e, KeyError::Missing { .. }), "{e}");
        assert!(e.to_string().contains("screening-server init"), "{e}");
        assert!(!dir.path().join("master.key").exists(), "nothing written");
    }

    #[test]
    fn key_files_and_check_values() {
        let dir = tempfile::tempdir().unwrap();
        let k = MasterKey::generate();
        let path = dir.path().join("key");
        std::fs::write(&path, format!("{}\n", k.to_hex())).unwrap();
        assert_eq!(MasterKey::read_file(&path).unwrap().to_hex(), k.to_hex());
        let e = MasterKey::read_file(&dir.path().join("absent")).unwrap_err();
        assert!(matches!(e, KeyError::File { .. }), "{e}");

        let cv = k.check_value();
        assert!(cv.starts_with("kcv1:") && cv.len() == 5 + 32, "{cv}");
        assert_eq!(cv, MasterKey::parse(&k.to_hex()).unwrap().check_value());
        assert_ne!(cv, MasterKey::generate().check_value());
        assert!(!cv.contains(&k.to_hex()[..16]), "no part of the key");
    }
}
