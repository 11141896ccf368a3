//! The files a release binary carries: the widget (prepared when the binary was built:
//! content-hashed, references rewritten, gzip and brotli kept) and the demo ATS page.
//!
//! `pkg-scripts/release` builds with `SCREENING_EMBED_DIR` naming a directory with `widget/`
//! (what `screening-assets prepare` wrote) and `www/`; the build script (`build.rs`) turns
//! them into static bytes and sets the `embedded_files` cfg. Any other build carries none
//! and serves the directories the configuration names.

use screening_assets::Embedded;

#[cfg(embedded_files)]
mod files {
    use screening_assets::Embedded;
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// Does this binary carry the widget and the demo page?
pub fn present() -> bool {
    cfg!(embedded_files)
}

/// The widget's files, prepared (empty in a build that carries none).
pub fn widget() -> &'static [Embedded] {
    #[cfg(embedded_files)]
    {
        files::WIDGET
    }
    #[cfg(not(embedded_files))]
    {
        &[]
    }
}

/// A file of the demo page by its URL path (`""` or a directory: its `index.html`).
pub fn www(path: &str) -> Option<(&'static str, &'static [u8])> {
    #[cfg(embedded_files)]
    let all: &[(&str, &[u8])] = files::WWW;
    #[cfg(not(embedded_files))]
    let all: &[(&str, &[u8])] = &[];
    let path = path.trim_start_matches('/');
    let find = |p: &str| all.iter().find(|(n, _)| *n == p).map(|(_, b)| *b);
    let (name, bytes) = if path.is_empty() || path.ends_with('/') {
        let index = format!("{path}index.html");
        (index.clone(), find(&index)?)
    } else {
        (path.to_string(), find(path)?)
    };
    Some((screening_assets::content_type(&name), bytes))
}
