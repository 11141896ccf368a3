//! A release binary carries the widget and the demo page: with `SCREENING_EMBED_DIR` set
//! (by `pkg-scripts/release`) to a directory holding `widget/` (prepared by
//! `screening-assets prepare`: `manifest.tsv` and `files/`) and `www/`, this writes
//! `embedded.rs` into `OUT_DIR` with their bytes and sets the `embedded_files` cfg
//! (`src/embedded.rs`). Without it nothing is embedded and the build is unchanged.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rustc-check-cfg=cfg(embedded_files)");
    println!("cargo:rerun-if-env-changed=SCREENING_EMBED_DIR");
    let Some(dir) = std::env::var_os("SCREENING_EMBED_DIR").map(PathBuf::from) else {
        return;
    };
    let dir = dir.canonicalize().unwrap_or_else(|e| {
        panic!("SCREENING_EMBED_DIR={}: {e}", dir.display());
    });
    let widget = dir.join("widget");
    let manifest_path = widget.join("manifest.tsv");
    println!("cargo:rerun-if-changed={}", manifest_path.display());
    let manifest = std::fs::read_to_string(&manifest_path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run `screening-assets prepare` first)",
            manifest_path.display()
        )
    });
    let lit = |s: &str| format!("{s:?}");
    let bytes = |p: &Path| {
        println!("cargo:rerun-if-changed={}", p.display());
        format!("include_bytes!({:?})", p.display().to_string())
    };
    let mut out = String::from("pub static WIDGET: &[Embedded] = &[\n");
    for line in manifest.lines().filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            f.len(),
            7,
            "{}: a line of 7 fields: {line}",
            manifest_path.display()
        );
        let file = |name: &str| match name {
            "-" => "None".to_string(),
            n => format!("Some({})", bytes(&widget.join("files").join(n))),
        };
        writeln!(
            out,
            "    Embedded {{ name: {}, hashed: {}, content_type: {}, hash: {}, identity: {}, gzip: {}, brotli: {} }},",
            lit(f[0]),
            lit(f[1]),
            lit(f[2]),
            lit(f[3]),
            bytes(&widget.join("files").join(f[4])),
            file(f[5]),
            file(f[6]),
        )
        .unwrap();
    }
    out.push_str("];\n\npub static WWW: &[(&str, &[u8])] = &[\n");
    let www = dir.join("www");
    let mut stack = vec![(www.clone(), String::new())];
    let mut files = Vec::new();
    while let Some((path, prefix)) = stack.pop() {
        println!("cargo:rerun-if-changed={}", path.display());
        for entry in std::fs::read_dir(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with('.') {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                stack.push((entry.path(), format!("{prefix}{name}/")));
            } else {
                files.push((format!("{prefix}{name}"), entry.path()));
            }
        }
    }
    files.sort();
    for (name, path) in files {
        writeln!(out, "    ({}, {}),", lit(&name), bytes(&path)).unwrap();
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("embedded.rs");
    std::fs::write(dest, out).unwrap();
    println!("cargo:rustc-cfg=embedded_files");
}
