//! The widget's files: content-hashed names (loader → glue → wasm rewritten in memory),
//! precompressed gzip and brotli chosen by `Accept-Encoding`, immutable caching for hashed
//! names, a minute's browser caching + ETag (304) for the plain ones, which keep working.

use std::io::Read;
use std::time::Duration;

use crate::support::*;

const LOADER: &str = r#"import e,{mount as t}from"./screening_widget.js";let n;export class W extends HTMLElement{connectedCallback(){(n??=e()).then(()=>t(this,{}))}disconnectedCallback(){this.replaceChildren()}attributeChangedCallback(){this.isConnected&&this.connectedCallback()}static get observedAttributes(){return["mode","server","token","session-url","background-check-id"]}}customElements.get("screening-widget")||customElements.define("screening-widget",W);"#;

fn glue() -> String {
    // Shaped like wasm-bindgen's output: the wasm named relative to the module's own URL.
    let mut g = String::from("let wasm;\nasync function __wbg_init(module_or_path) {\n    if (typeof module_or_path === 'undefined') {\n        module_or_path = new URL('screening_widget_bg.wasm', import.meta.url);\n    }\n    return module_or_path;\n}\n");
    for i in 0..60 {
        g.push_str(&format!(
            "export function __wbg_f{i}(arg0) {{ return getObject(arg0).value{i}; }}\n"
        ));
    }
    g.push_str("export default __wbg_init;\n");
    g
}

fn wasm() -> Vec<u8> {
    let mut w = b"\0asm\x01\0\0\0".to_vec();
    for i in 0..4000u32 {
        w.extend_from_slice(&(i % 97).to_le_bytes());
    }
    w
}

fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(b)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn unbrotli(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(b, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn unpack(g: &Got) -> Vec<u8> {
    match g.h("content-encoding") {
        "gzip" => gunzip(&g.body),
        "br" => unbrotli(&g.body),
        _ => g.body.clone(),
    }
}

struct Got {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Got {
    fn h(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }
}

async fn get(base: &str, path: &str, headers: &[(&str, &str)]) -> Got {
    // No automatic decompression: the bytes on the wire are checked.
    let mut req = reqwest::Client::new().get(format!("{base}{path}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    Got {
        status: res.status().as_u16(),
        headers: res.headers().clone(),
        body: res.bytes().await.unwrap().to_vec(),
    }
}

/// The `./name.<hash>.ext` a file names `name` with.
fn hashed_ref(text: &str, stem: &str, ext: &str) -> String {
    let start = text
        .find(&format!("{stem}."))
        .unwrap_or_else(|| panic!("{stem} not named in {text}"));
    let rest = &text[start..];
    let end = rest.find(ext).expect("extension") + ext.len();
    rest[..end].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashed_precompressed_and_revalidated() {
    let sandbox = yardstik_sandbox::spawn(yardstik_sandbox::SandboxConfig::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("screening-widget-element.js"), LOADER).unwrap();
    std::fs::write(pkg.join("screening_widget.js"), glue()).unwrap();
    std::fs::write(pkg.join("screening_widget_bg.wasm"), wasm()).unwrap();
    std::fs::write(pkg.join("tiny.txt"), "hi").unwrap();
    let master = screening_model::crypto::MasterKey::generate();
    let mut cfg = config(dir.path(), &master, &sandbox, &Opts::default());
    cfg.widget_dir = pkg;
    cfg.register_webhooks = false;
    let server = screening_server::start(cfg).await.unwrap();
    let base = server.base_url();

    // The entry URL: short-cached, names the hashed glue.
    let loader = get(&base, "/static/widget/screening-widget-element.js", &[]).await;
    assert_eq!(loader.status, 200);
    assert_eq!(loader.h("cache-control"), "private, max-age=60");
    assert_eq!(loader.h("content-type"), "text/javascript; charset=utf-8");
    assert_eq!(
        loader.h("content-encoding"),
        "",
        "identity without Accept-Encoding"
    );
    let etag = loader.h("etag").to_string();
    assert!(etag.starts_with('"'), "{etag}");
    let text = String::from_utf8(loader.body.clone()).unwrap();
    let glue_name = hashed_ref(&text, "screening_widget", ".js");
    assert!(
        glue_name.len() > "screening_widget..js".len() + 8,
        "{glue_name}"
    );
    assert_eq!(
        text,
        LOADER.replace("./screening_widget.js", &format!("./{glue_name}")),
        "only the reference is rewritten"
    );
    let again = get(
        &base,
        "/static/widget/screening-widget-element.js",
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(again.h("cache-control"), "private, max-age=60");

    // The hashed glue: immutable, gzip'd on request (once the background compression got
    // to it: the plain bytes until then), names the hashed wasm.
    let glue_path = format!("/static/widget/{glue_name}");
    let mut g = get(&base, &glue_path, &[("accept-encoding", "gzip")]).await;
    for _ in 0..600 {
        if g.h("content-encoding") == "gzip" {
            break;
        }
        assert_eq!(g.h("content-encoding"), "", "identity until gzip is ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
        g = get(&base, &glue_path, &[("accept-encoding", "gzip")]).await;
    }
    assert_eq!(g.status, 200);
    assert_eq!(g.h("cache-control"), "public, max-age=31536000, immutable");
    assert_eq!(g.h("content-encoding"), "gzip");
    assert_eq!(g.h("vary").to_ascii_lowercase(), "accept-encoding");
    let glue_text = String::from_utf8(gunzip(&g.body)).unwrap();
    let wasm_name = hashed_ref(&glue_text, "screening_widget_bg", ".wasm");
    assert_eq!(
        glue_text,
        glue().replace("'screening_widget_bg.wasm'", &format!("'{wasm_name}'"))
    );
    // The plain glue URL still works and leads to the same hashed wasm.
    let plain_glue = get(&base, "/static/widget/screening_widget.js", &[]).await;
    assert_eq!(plain_glue.h("cache-control"), "private, max-age=60");
    assert_eq!(String::from_utf8(plain_glue.body).unwrap(), glue_text);

    // The hashed wasm: application/wasm, brotli once ready (computed in the background).
    let path = format!("/static/widget/{wasm_name}");
    let mut br = None;
    for _ in 0..600 {
        let w = get(&base, &path, &[("accept-encoding", "gzip, deflate, br")]).await;
        if w.h("content-encoding") == "br" {
            br = Some(w);
            break;
        }
        assert!(
            ["", "gzip"].contains(&w.h("content-encoding")),
            "the next best encoding until brotli is ready"
        );
        assert_eq!(unpack(&w), wasm());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let br = br.expect("brotli served within 30 s");
    assert_eq!(br.h("content-type"), "application/wasm");
    assert_eq!(br.h("cache-control"), "public, max-age=31536000, immutable");
    assert_eq!(br.h("vary").to_ascii_lowercase(), "accept-encoding");
    assert!(br.body.len() < wasm().len());
    assert_eq!(unbrotli(&br.body), wasm());
    let gz = get(&base, &path, &[("accept-encoding", "br;q=0, gzip")]).await;
    assert_eq!(gz.h("content-encoding"), "gzip");
    assert_eq!(gunzip(&gz.body), wasm());
    let plain = get(&base, &path, &[("accept-encoding", "identity")]).await;
    assert_eq!(plain.h("content-encoding"), "");
    assert_eq!(plain.body, wasm());
    assert_ne!(
        br.h("etag"),
        plain.h("etag"),
        "each encoding has its own strong ETag"
    );
    let not_modified = get(&base, &path, &[("if-none-match", br.h("etag"))]).await;
    assert_eq!(not_modified.status, 304);
    // The brotli'd loader decompresses to the rewritten loader.
    let l = get(
        &base,
        "/static/widget/screening-widget-element.js",
        &[("accept-encoding", "br")],
    )
    .await;
    assert_eq!(l.h("content-encoding"), "br");
    assert_eq!(String::from_utf8(unbrotli(&l.body)).unwrap(), text);
    // The old wasm URL keeps working, short-cached.
    let old = get(&base, "/static/widget/screening_widget_bg.wasm", &[]).await;
    assert_eq!(
        (old.status, old.h("cache-control")),
        (200, "private, max-age=60")
    );
    assert_eq!(old.body, wasm());
    // Too small to compress: served as is, whatever is accepted.
    let tiny = get(
        &base,
        "/static/widget/tiny.txt",
        &[("accept-encoding", "br")],
    )
    .await;
    assert_eq!(
        (tiny.h("content-encoding"), tiny.body.as_slice()),
        ("", &b"hi"[..])
    );
    assert_eq!(get(&base, "/static/widget/nope.js", &[]).await.status, 404);
    assert_eq!(
        get(&base, "/static/widget/../Cargo.toml", &[]).await.status,
        404
    );
    server.shutdown().await;
}
