//! The widget's files (`SCREENING_WIDGET_DIR`, served at `/static/widget/`), content-hashed
//! and precompressed once at start-up.
//!
//! The directory is read once. Every file gets a second, content-hashed name
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
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, RwLock};

use axum::body::Body;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Largest file and largest directory read (a widget build is well under a megabyte).
const MAX_FILE: u64 = 16 * 1024 * 1024;
const MAX_TOTAL: u64 = 64 * 1024 * 1024;
/// Smaller files are not worth compressing.
const MIN_COMPRESS: usize = 256;

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
            let worth = compressible(a.content_type) && a.identity.len() >= MIN_COMPRESS;
            let packed = done
                .entry(a.hash.clone())
                .or_insert_with(|| {
                    worth
                        .then(|| match encoding {
                            Encoding::Gzip => gzip_compress(&a.identity),
                            _ => brotli_compress(&a.identity),
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

fn content_type(name: &str) -> &'static str {
    let ext = name.rsplit('.').next().unwrap_or("");
    match ext {
        "wasm" => "application/wasm",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ts" | "md" | "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("application/wasm")
        || content_type.starts_with("application/json")
        || content_type.starts_with("image/svg")
}

/// `screening_widget_bg.wasm` → `screening_widget_bg.<hash>.wasm`.
fn hashed_name(name: &str, hash: &str) -> String {
    let (dir, file) = match name.rsplit_once('/') {
        Some((d, f)) => (format!("{d}/"), f),
        None => (String::new(), name),
    };
    match file.split_once('.') {
        Some((stem, ext)) => format!("{dir}{stem}.{hash}.{ext}"),
        None => format!("{dir}{file}.{hash}"),
    }
}

fn sha_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))[..16].to_string()
}

/// Every regular file under `dir` (relative names with `/`), bounded.
fn read_dir(dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut total = 0u64;
    let mut stack = vec![(dir.to_path_buf(), String::new(), 0)];
    while let Some((path, prefix, depth)) = stack.pop() {
        for entry in std::fs::read_dir(&path)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            let meta = entry.metadata()?;
            let rel = format!("{prefix}{name}");
            if meta.is_dir() && depth < 4 {
                stack.push((entry.path(), format!("{rel}/"), depth + 1));
            } else if meta.is_file() && meta.len() <= MAX_FILE && total + meta.len() <= MAX_TOTAL {
                total += meta.len();
                out.push((rel, std::fs::read(entry.path())?));
            }
        }
    }
    Ok(out)
}

/// The quoted forms under which a file in the same directory names another: an import
/// (`"./x.js"`) or a `new URL('x.wasm', import.meta.url)`.
fn reference_forms(name: &str) -> [String; 4] {
    [
        format!("\"./{name}\""),
        format!("'./{name}'"),
        format!("\"{name}\""),
        format!("'{name}'"),
    ]
}

fn references(text: &str, name: &str) -> bool {
    reference_forms(name).iter().any(|f| text.contains(f))
}

fn rewrite(text: &str, name: &str, hashed: &str) -> String {
    let mut t = text.to_string();
    for (from, to) in reference_forms(name).iter().zip(reference_forms(hashed)) {
        t = t.replace(from, &to);
    }
    t
}

fn build(dir: &Path) -> std::io::Result<AssetSet> {
    let raw = read_dir(dir)?;
    let top_level = |n: &str| !n.contains('/');
    // Text files that name another top-level file are rewritten after that file is hashed.
    let names: Vec<String> = raw
        .iter()
        .map(|(n, _)| n.clone())
        .filter(|n| top_level(n))
        .collect();
    let mut pending: HashMap<String, Vec<u8>> = raw.into_iter().collect();
    let mut finals: HashMap<String, (Vec<u8>, String)> = HashMap::new(); // name → (bytes, hashed name)
    loop {
        let mut progressed = false;
        let keys: Vec<String> = pending.keys().cloned().collect();
        for name in keys {
            let bytes = &pending[&name];
            let deps: Vec<&String> = match (top_level(&name), std::str::from_utf8(bytes)) {
                (true, Ok(text)) if name.ends_with(".js") || name.ends_with(".mjs") => names
                    .iter()
                    .filter(|o| **o != name && references(text, o))
                    .collect(),
                _ => vec![],
            };
            if deps.iter().any(|d| pending.contains_key(*d)) {
                continue; // a file it names is not hashed yet
            }
            let mut bytes = pending.remove(&name).expect("present");
            if !deps.is_empty() {
                let mut text = String::from_utf8(bytes).expect("checked utf-8");
                for d in deps {
                    text = rewrite(&text, d, &finals[d].1);
                }
                bytes = text.into_bytes();
            }
            let hashed = hashed_name(&name, &sha_hex(&bytes));
            finals.insert(name, (bytes, hashed));
            progressed = true;
        }
        if pending.is_empty() || !progressed {
            break;
        }
    }
    // Files in a reference cycle (none in a wasm-pack build) are served as they are.
    for (name, bytes) in pending {
        let hashed = hashed_name(&name, &sha_hex(&bytes));
        finals.insert(name, (bytes, hashed));
    }
    let mut set = AssetSet::default();
    for (name, (bytes, hashed)) in finals {
        let ct = content_type(&name);
        let hash = sha_hex(&bytes);
        let identity = Bytes::from(bytes);
        let asset = |immutable| Asset {
            content_type: ct,
            immutable,
            hash: hash.clone(),
            identity: identity.clone(),
            gzip: None,
            brotli: None,
        };
        set.files.insert(hashed.clone(), Arc::new(asset(true)));
        set.files.insert(name.clone(), Arc::new(asset(false)));
        set.hashed.insert(name, hashed);
    }
    Ok(set)
}

fn gzip_compress(b: &[u8]) -> Bytes {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(b).expect("in-memory gzip");
    Bytes::from(enc.finish().expect("in-memory gzip"))
}

fn brotli_compress(b: &[u8]) -> Bytes {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &b[..], &mut out, &params).expect("in-memory brotli");
    Bytes::from(out)
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
    if compressible(asset.content_type) && asset.identity.len() >= MIN_COMPRESS {
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

    #[test]
    fn hashed_names() {
        assert_eq!(hashed_name("a_bg.wasm", "ff"), "a_bg.ff.wasm");
        assert_eq!(hashed_name("x.d.ts", "ff"), "x.ff.d.ts");
        assert_eq!(
            hashed_name("snippets/s/inline0.js", "ff"),
            "snippets/s/inline0.ff.js"
        );
        assert_eq!(hashed_name("LICENSE", "ff"), "LICENSE.ff");
    }
}
