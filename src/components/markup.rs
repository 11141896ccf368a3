//! Markup written as a string: server values escaped with [`esc`], the result one node
//! ([`raw`]). The candidate's views render the server's answers this way (one raw node and
//! one delegated click handler instead of an `html!` tree per record, which costs several kB
//! of wasm). Imports nothing of the widget.

use yew::prelude::*;

/// Append `s` to `out`, escaped for HTML text and attribute values.
pub fn esc(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Raw markup built by [`esc`] (every server value escaped), as one node.
pub fn raw(html: String) -> Html {
    Html::from_html_unchecked(AttrValue::from(html))
}
