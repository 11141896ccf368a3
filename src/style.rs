//! Scoped styles: the widget renders into a shadow root on the host element, so host CSS
//! cannot reach it and its CSS cannot reach the host. The stylesheet goes in as a `<style>`
//! carrying the host's nonce when one is given, else as a constructable stylesheet
//! (`adoptedStyleSheets`, not an inline `<style>`, so a strict `style-src` is not involved).
//! Theme values are set through the CSSOM (`style.setProperty`), never as a style attribute.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, Document, Element, HtmlElement, ShadowRoot};

#[cfg(feature = "apply")]
pub const CSS: &str = concat!(
    include_str!("widget.css"),
    include_str!("components/candidate.css")
);
/// A build without apply mode has no candidate view to style.
#[cfg(not(feature = "apply"))]
pub const CSS: &str = include_str!("widget.css");

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
