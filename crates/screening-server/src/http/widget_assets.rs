//! The widget's files served at `/static/widget/`: the ones a release binary carries
//! (prepared when it was built: see `embedded`), or `SCREENING_WIDGET_DIR` read, content-hashed
//! and precompressed once at start-up.
//!
//! A directory is read once. Every file gets a second, content-hashed name
//! (`screening_widget_bg.<hash>.wasm`); references between the files are rewritten in
//! memory so the chain loader → glue → wasm uses the hashed names: the wasm is hashed
//! first, the glue's reference to it is rewritten and then the glue is hashed, and so on
//! (a file is hashed only after every file it names). Hashed names are served
//! `Cache-Control: public, max-age=31536000, immutable`; the plain names (the loader's
//! entry URL `/static/widget/screening-widget-element.js`, and every other old URL) stay
//! valid with `private, max-age=60` and an `ETag`: a page shown again within a minute
//! starts the widget without a request before its first ones (the loader, then the glue
//! and wasm it names, all from the browser's cache), later a page revalidates the small
//! loader (304) and never the wasm it leads to. A browser's copy of a plain name is at most
//! a minute older than the server's files (never a shared cache's: `private`). No build
//! step changes.
//!
//! Compressible files are kept gzip'd (level 9) and brotli'd (quality 11) besides the
//! plain bytes; the answer follows `Accept-Encoding` (brotli first, then gzip, then none),
//! with `Content-Encoding`, `Vary: Accept-Encoding` and the real `Content-Type`
//! (`application/wasm` for the wasm). Start-up only reads and hashes the files; a
//! background thread then compresses them, gzip first (well under a second) and brotli
//! next (quality 11: seconds), each served as soon as it is ready (until then the next
//! best encoding). The files are read when the server starts: restart it after rebuilding
//! the widget.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

use axum::body::Body;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The plain names: the browser may reuse its copy for a minute, then revalidates it.
pub const SHORT: &str = "private, max-age=60";

/// One file as served under one URL name.
#[derive(Debug)]
pub struct Asset {
    pub content_type: &'static str,
    /// Served under its content-hashed name.
    pub immutable: bool,
    /// Hex content hash of the served (rewritten) bytes.
    pub hash: String,
    pub identity: Bytes,
    pub gzip: Option<Bytes>,
    pub brotli: Option<Bytes>,
}

/// Name → file, under both the plain and the hashed names.
#[derive(Debug, Default)]
pub struct AssetSet {
    files: HashMap<String, Arc<Asset>>,
    /// Plain name → hashed name.
    hashed: HashMap<String, String>,
}

impl AssetSet {
    pub fn get(&self, name: &str) -> Option<Arc<Asset>> {
        self.files.get(name).cloned()
    }

    /// The content-hashed name of a plain file name.
    pub fn hashed_name(&self, plain: &str) -> Option<&str> {
        self.hashed.get(plain).map(String::as_str)
    }
}

/// The served set; swapped whole when brotli bodies are ready.
#[derive(Clone, Default)]
pub struct WidgetAssets {
    set: Arc<RwLock<Arc<AssetSet>>>,
}

impl WidgetAssets {
    /// Read `dir` (a missing directory gives an empty set: every URL answers 404) and
    /// start compressing with brotli in the background.
    pub fn load(dir: &Path) -> WidgetAssets {
        let set = match build(dir) {
            Ok(set) => set,
            Err(e) => {
                tracing::warn!(dir = %dir.display(), error = %e, "widget files not served");
                AssetSet::default()
            }
        };
        let assets = WidgetAssets {
            set: Arc::new(RwLock::new(Arc::new(set))),
        };
        let bg = assets.clone();
        if !bg.current().files.is_empty() {
            std::thread::spawn(move || {
                bg.compress(Encoding::Gzip);
                bg.compress(Encoding::Brotli);
            });
        }
        assets
    }

    /// The files a release binary carries, already compressed: nothing to do at start-up.
    pub fn embedded(files: &'static [screening_assets::Embedded]) -> WidgetAssets {
        WidgetAssets {
            set: Arc::new(RwLock::new(Arc::new(AssetSet::from_embedded(files)))),
        }
    }

    pub fn current(&self) -> Arc<AssetSet> {
        self.set.read().expect("widget assets").clone()
    }

    /// Compress every compressible file once (shared between its plain and hashed
    /// names), then swap the set: gzip first (quick), brotli next (slow at quality 11).
    fn compress(&self, encoding: Encoding) {
        let old = self.current();
        let mut done: HashMap<String, Option<Bytes>> = HashMap::new();
        let mut files = HashMap::with_capacity(old.files.len());
        for (name, a) in &old.files {
            let worth = screening_assets::worth_compressing(a.content_type, a.identity.len());
            let packed = done
                .entry(a.hash.clone())
                .or_insert_with(|| {
                    worth
                        .then(|| match encoding {
                            Encoding::Gzip => Bytes::from(screening_assets::gzip(&a.identity)),
                            _ => Bytes::from(screening_assets::brotli(&a.identity)),
                        })
                        .filter(|b| b.len() < a.identity.len())
                })
                .clone();
            let (gzip, brotli) = match encoding {
                Encoding::Gzip => (packed, a.brotli.clone()),
                _ => (a.gzip.clone(), packed),
            };
            files.insert(
                name.clone(),
                Arc::new(Asset {
                    content_type: a.content_type,
                    immutable: a.immutable,
                    hash: a.hash.clone(),
                    identity: a.identity.clone(),
                    gzip,
                    brotli,
                }),
            );
        }
        let set = AssetSet {
            files,
            hashed: old.hashed.clone(),
        };
        *self.set.write().expect("widget assets") = Arc::new(set);
    }
}

fn build(dir: &Path) -> std::io::Result<AssetSet> {
    let mut set = AssetSet::default();
    for p in screening_assets::prepare(screening_assets::read_dir(dir)?) {
        let identity = Bytes::from(p.bytes);
        let asset = |immutable| Asset {
            content_type: p.content_type,
            immutable,
            hash: p.hash.clone(),
            identity: identity.clone(),
            gzip: None,
            brotli: None,
        };
        set.files.insert(p.hashed.clone(), Arc::new(asset(true)));
        set.files.insert(p.name.clone(), Arc::new(asset(false)));
        set.hashed.insert(p.name, p.hashed);
    }
    Ok(set)
}

impl AssetSet {
    fn from_embedded(files: &'static [screening_assets::Embedded]) -> AssetSet {
        let mut set = AssetSet::default();
        for f in files {
            let asset = |immutable| Asset {
                content_type: f.content_type,
                immutable,
                hash: f.hash.to_string(),
                identity: Bytes::from_static(f.identity),
                gzip: f.gzip.map(Bytes::from_static),
                brotli: f.brotli.map(Bytes::from_static),
            };
            set.files
                .insert(f.hashed.to_string(), Arc::new(asset(true)));
            set.files.insert(f.name.to_string(), Arc::new(asset(false)));
            set.hashed.insert(f.name.to_string(), f.hashed.to_string());
        }
        set
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

/// The best encoding the client accepts (`q=0` refuses one): brotli, then gzip.
pub fn negotiate(accept: &str) -> Encoding {
    let mut br = None;
    let mut gz = None;
    let mut star = None;
    for part in accept.split(',') {
        let mut it = part.split(';');
        let coding = it.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = it
            .filter_map(|p| p.trim().strip_prefix("q=").map(str::to_string))
            .next()
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match coding.as_str() {
            "br" => br = Some(q > 0.0),
            "gzip" | "x-gzip" => gz = Some(q > 0.0),
            "*" => star = Some(q > 0.0),
            _ => {}
        }
    }
    if br.or(star).unwrap_or(false) {
        Encoding::Brotli
    } else if gz.or(star).unwrap_or(false) {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

fn etag(hash: &str, enc: Encoding) -> String {
    match enc {
        Encoding::Brotli => format!("\"{hash}-br\""),
        Encoding::Gzip => format!("\"{hash}-gz\""),
        Encoding::Identity => format!("\"{hash}\""),
    }
}

/// Does `If-None-Match` name this file (in any of its encodings)?
fn not_modified(headers: &HeaderMap, hash: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/").trim_matches('"'))
        .any(|t| t == "*" || t.split('-').next() == Some(hash))
}

/// `GET /static/widget/{*path}`.
pub async fn serve(
    State(assets): State<WidgetAssets>,
    UrlPath(path): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let Some(asset) = assets.current().get(&path) else {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    };
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (enc, body) = match negotiate(accept) {
        Encoding::Brotli if asset.brotli.is_some() => {
            (Encoding::Brotli, asset.brotli.clone().expect("checked"))
        }
        Encoding::Brotli | Encoding::Gzip if asset.gzip.is_some() => {
            (Encoding::Gzip, asset.gzip.clone().expect("checked"))
        }
        _ => (Encoding::Identity, asset.identity.clone()),
    };
    let mut res = if not_modified(&headers, &asset.hash) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(Body::from(body));
        let h = r.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        );
        match enc {
            Encoding::Brotli => {
                h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
            }
            Encoding::Gzip => {
                h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            Encoding::Identity => {}
        }
        r
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag(&asset.hash, enc)) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if asset.immutable { IMMUTABLE } else { SHORT }),
    );
    if screening_assets::worth_compressing(asset.content_type, asset.identity.len()) {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    static FILES: &[screening_assets::Embedded] = &[screening_assets::Embedded {
        name: "screening_widget_bg.wasm",
        hashed: "screening_widget_bg.0123456789abcdef.wasm",
        content_type: "application/wasm",
        hash: "0123456789abcdef",
        identity: b"\0asm plain",
        gzip: Some(b"gz"),
        brotli: None,
    }];

    /// A release's files are served under both names, with the encodings it carries and
    /// nothing compressed at start-up.
    #[test]
    fn embedded_files_are_served_as_prepared() {
        let set = WidgetAssets::embedded(FILES).current();
        let plain = set.get("screening_widget_bg.wasm").unwrap();
        let hashed = set
            .get("screening_widget_bg.0123456789abcdef.wasm")
            .unwrap();
        assert!(!plain.immutable && hashed.immutable);
        assert_eq!(&plain.identity[..], b"\0asm plain");
        assert_eq!(plain.gzip.as_deref(), Some(&b"gz"[..]));
        assert_eq!(plain.brotli, None);
        assert_eq!(
            set.hashed_name("screening_widget_bg.wasm"),
            Some("screening_widget_bg.0123456789abcdef.wasm")
        );
        assert!(set.get("other.js").is_none());
    }

    #[test]
    fn negotiation() {
        assert_eq!(negotiate("gzip, deflate, br"), Encoding::Brotli);
        assert_eq!(negotiate("gzip"), Encoding::Gzip);
        assert_eq!(negotiate("br;q=0, gzip;q=0.5"), Encoding::Gzip);
        assert_eq!(negotiate(""), Encoding::Identity);
        assert_eq!(negotiate("identity"), Encoding::Identity);
        assert_eq!(negotiate("*"), Encoding::Brotli);
        assert_eq!(negotiate("gzip;q=0, br;q=0"), Encoding::Identity);
    }
}
