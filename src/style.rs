//! Scoped styles: the widget renders into a shadow root on the host element, so host CSS
//! cannot reach it and its CSS cannot reach the host. The stylesheet goes in as a `<style>`
//! carrying the host's nonce when one is given, else as a constructable stylesheet
//! (`adoptedStyleSheets`, not an inline `<style>`, so a strict `style-src` is not involved).
//! Theme values are set through the CSSOM (`style.setProperty`), never as a style attribute.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, Document, Element, HtmlElement, ShadowRoot};

/// Every mode's rules, in sections marked `/*@<tag>*/` (until the next marker): `base`
/// (every mode), `form` (package cards, fields: order and review), `frame` (Yardstik's
/// iframe: report, disclosures, review, apply), `review` (the decision panel).
const ALL: &str = include_str!("widget.css");

/// The sections this build's modes use.
const TAGS: &[&str] = &[
    "base",
    #[cfg(any(feature = "order", feature = "review"))]
    "form",
    #[cfg(any(feature = "frames", feature = "review", feature = "apply"))]
    "frame",
    #[cfg(feature = "review")]
    "review",
];
const CANDIDATE: &str = if cfg!(feature = "apply") {
    include_str!("components/candidate.css")
} else {
    ""
};
const LEN: usize = picked(ALL, TAGS, None) + CANDIDATE.len();
/// Built at compile time: only the chosen sections' bytes are in the wasm.
const BYTES: [u8; LEN] = {
    let mut out = [0u8; LEN];
    let n = picked(ALL, TAGS, Some(&mut out));
    let css = CANDIDATE.as_bytes();
    let mut i = 0;
    while i < css.len() {
        out[n + i] = css[i];
        i += 1;
    }
    out
};
/// This build's stylesheet.
pub const CSS: &str = match core::str::from_utf8(&BYTES) {
    Ok(css) => css,
    Err(_) => panic!("widget.css is not UTF-8"),
};

const fn starts_with(s: &[u8], at: usize, p: &[u8]) -> bool {
    if at + p.len() > s.len() {
        return false;
    }
    let mut i = 0;
    while i < p.len() {
        if s[at + i] != p[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The length of the sections of `css` tagged with one of `tags`, in file order (their
/// markers left out); with `out`, also copied there.
const fn picked(css: &str, tags: &[&str], mut out: Option<&mut [u8]>) -> usize {
    let s = css.as_bytes();
    let marker = b"/*@";
    assert!(
        starts_with(s, 0, marker),
        "widget.css starts with a section marker"
    );
    let mut n = 0;
    let mut i = 0;
    let mut keep = false;
    while i < s.len() {
        if starts_with(s, i, marker) {
            keep = false;
            let mut t = 0;
            while t < tags.len() {
                let tag = tags[t].as_bytes();
                if starts_with(s, i + 3, tag) && starts_with(s, i + 3 + tag.len(), b"*/") {
                    keep = true;
                }
                t += 1;
            }
            while !starts_with(s, i, b"*/") {
                i += 1;
            }
            i += 2;
            if i < s.len() && s[i] == b'\n' {
                i += 1;
            }
            continue;
        }
        if keep {
            if let Some(o) = &mut out {
                o[n] = s[i];
            }
            n += 1;
        }
        i += 1;
    }
    n
}

/// Install the stylesheet into `root`.
pub fn install(doc: &Document, root: &ShadowRoot, nonce: Option<&str>) -> Result<(), JsValue> {
    if nonce.is_none() {
        if let Ok(sheet) = CssStyleSheet::new() {
            if sheet.replace_sync(CSS).is_ok() {
                root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
                return Ok(());
            }
        }
    }
    let style = doc.create_element("style")?;
    if let Some(n) = nonce {
        style.set_attribute("nonce", n)?;
        // Also the IDL property: browsers hide the attribute once connected.
        let _ = js_sys::Reflect::set(&style, &"nonce".into(), &n.into());
    }
    style.set_text_content(Some(CSS));
    root.append_child(&style)?;
    Ok(())
}

/// Set `--sw-*` custom properties on the widget's root element.
pub fn apply_theme(el: &Element, theme: &[(String, String)]) {
    if let Some(el) = el.dyn_ref::<HtmlElement>() {
        let style = el.style();
        for (k, v) in theme {
            if k.starts_with("--sw-") {
                let _ = style.set_property(k, v);
            }
        }
    }
}

/// Remove every `--sw-*` custom property set on `el` (before a new theme is applied).
pub fn clear_theme(el: &Element) {
    if let Some(el) = el.dyn_ref::<HtmlElement>() {
        let style = el.style();
        let names: Vec<String> = (0..style.length())
            .map(|i| style.item(i))
            .filter(|k| k.starts_with("--sw-"))
            .collect();
        for k in names {
            let _ = style.remove_property(&k);
        }
    }
}
