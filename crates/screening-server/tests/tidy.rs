//! Source rules of the server, checked on its text (no tool needed beyond `cargo test`):
//!
//! - the HTTP layer (`src/http/`) and the jobs (`src/jobs/`) never name the store or the
//!   Yardstik client crates: they go through the domain (`src/orders/`);
//! - nothing imports the wiring (`src/app.rs`) but the crate root;
//! - no two files of `src/` import each other, directly or round a longer circle.
//!
//! The import graph is read from `crate::…`, `super::…` and `self::…` paths and from
//! `use` lines naming a child module; each path is resolved to the file of the longest
//! module it names. Test modules (`#[cfg(test)]` items) are not part of the graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, relative to `src/`.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p.strip_prefix(src()).unwrap().to_path_buf());
        }
    }
}

/// The module path of a file: `http/mod.rs` → `["http"]`, `orders/place.rs` →
/// `["orders", "place"]`, `lib.rs` → `[]`.
fn module_of(file: &Path) -> Vec<String> {
    let mut parts: Vec<String> = file
        .with_extension("")
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The code of a file without its comments and its test modules (`#[cfg(test)]` and the
/// item after it, to its closing brace).
fn code(text: &str) -> String {
    let text: String = text
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        // The item ends at the `;` of `mod x;` or at the brace closing its first `{`.
        let (mut depth, mut end) = (0usize, after.len());
        for (k, c) in after.char_indices() {
            match c {
                ';' if depth == 0 => {
                    end = k + 1;
                    break;
                }
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = k + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Module paths named by `code`, absolute (`crate::a::b` → `[a, b]`).
fn named_paths(code: &str, here: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < bytes.len() {
        let at_word = i == 0 || !ident(bytes[i - 1]);
        let rest = &bytes[i..];
        let (base, skip): (Vec<String>, usize) = if at_word && rest.starts_with(b"crate::") {
            (Vec::new(), 7)
        } else if at_word && rest.starts_with(b"super::") {
            // `here` is the file's module (a mod.rs file's is its folder), so each
            // `super` is one level up from it.
            let mut b = here.to_vec();
            let mut s = 0;
            while bytes[i + s..].starts_with(b"super::") {
                b.pop();
                s += 7;
            }
            (b, s)
        } else if at_word && rest.starts_with(b"self::") {
            (here.to_vec(), 6)
        } else {
            i += 1;
            continue;
        };
        let mut j = i + skip;
        let mut path = base;
        // Segments, and one level of `{a, b::c}` groups.
        let seg_end = |from: usize| {
            let mut k = from;
            while k < bytes.len() && ident(bytes[k]) {
                k += 1;
            }
            k
        };
        loop {
            if j < bytes.len() && bytes[j] == b'{' {
                let close = code[j..].find('}').map(|c| j + c).unwrap_or(bytes.len());
                for part in code[j + 1..close].split(',') {
                    let mut p = path.clone();
                    for s in part.trim().split("::") {
                        let s = s.split_whitespace().next().unwrap_or("");
                        if s.is_empty() || s == "self" || s == "*" {
                            break;
                        }
                        p.push(s.to_string());
                    }
                    out.push(p);
                }
                j = close;
                break;
            }
            let k = seg_end(j);
            if k == j {
                break;
            }
            path.push(code[j..k].to_string());
            j = k;
            if code[j..].starts_with("::") {
                j += 2;
            } else {
                break;
            }
        }
        out.push(path);
        i = j.max(i + 1);
    }
    out
}

struct Tree {
    /// module path → file
    modules: BTreeMap<Vec<String>, PathBuf>,
    /// file → its code
    code: BTreeMap<PathBuf, String>,
}

fn tree() -> Tree {
    let mut all = Vec::new();
    files(&src(), &mut all);
    let mut modules = BTreeMap::new();
    let mut code_of = BTreeMap::new();
    for f in all {
        if f == Path::new("main.rs") {
            continue; // the binary: a crate of its own
        }
        let text = std::fs::read_to_string(src().join(&f)).unwrap();
        modules.insert(module_of(&f), f.clone());
        code_of.insert(f, code(&text));
    }
    Tree {
        modules,
        code: code_of,
    }
}

impl Tree {
    /// The file of the longest module `path` names.
    fn resolve(&self, path: &[String]) -> Option<&PathBuf> {
        (1..=path.len())
            .rev()
            .find_map(|n| self.modules.get(&path[..n]))
    }

    /// file → files it imports (itself and the crate root left out).
    fn graph(&self) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
        let mut g = BTreeMap::new();
        for (file, code) in &self.code {
            let here = module_of(file);
            let is_mod = file.ends_with("mod.rs") || file == Path::new("lib.rs");
            let mut to = BTreeSet::new();
            for p in named_paths(code, &here) {
                if let Some(t) = self.resolve(&p) {
                    if t != file && t != Path::new("lib.rs") {
                        to.insert(t.clone());
                    }
                }
            }
            // `use child::…` in a mod.rs names a child module without `self::`.
            if is_mod {
                for line in code.lines() {
                    let l = line.trim();
                    let Some(rest) = l
                        .strip_prefix("pub use ")
                        .or_else(|| l.strip_prefix("use "))
                    else {
                        continue;
                    };
                    let first = rest.split("::").next().unwrap_or("").trim();
                    let mut p = here.clone();
                    p.push(first.to_string());
                    if let Some(t) = self.modules.get(&p) {
                        to.insert(t.clone());
                    }
                }
            }
            g.insert(file.clone(), to);
        }
        g
    }
}

/// The strongly connected components with more than one file (Tarjan).
fn circles(g: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    struct S<'a> {
        g: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        index: BTreeMap<&'a PathBuf, usize>,
        low: BTreeMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on: BTreeSet<&'a PathBuf>,
        next: usize,
        out: Vec<Vec<PathBuf>>,
    }
    fn visit<'a>(s: &mut S<'a>, v: &'a PathBuf) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on.insert(v);
        for w in &s.g[v] {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut c = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                c.push(w.clone());
                if w == v {
                    break;
                }
            }
            if c.len() > 1 {
                c.sort();
                s.out.push(c);
            }
        }
    }
    let mut s = S {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in g.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

/// Lines of `code` that name one of `crates`.
fn naming(code: &str, crates: &[&str]) -> Vec<String> {
    code.lines()
        .filter(|l| {
            crates.iter().any(|c| {
                l.match_indices(c).any(|(i, _)| {
                    let before = l[..i].chars().last();
                    let after = l[i + c.len()..].chars().next();
                    !before.is_some_and(|b| b.is_alphanumeric() || b == '_')
                        && !after.is_some_and(|a| a.is_alphanumeric() || a == '_')
                })
            })
        })
        .map(|l| l.trim().to_string())
        .collect()
}

/// Every breach of the layer rules in `tree`.
fn layer_breaches(tree: &Tree) -> Vec<String> {
    let mut out = Vec::new();
    for (file, code) in &tree.code {
        let top = file.iter().next().unwrap().to_string_lossy();
        if top == "http" || top == "jobs" {
            for l in naming(code, &["screening_store", "yardstik_client"]) {
                out.push(format!(
                    "{}: names the store or the Yardstik client (go through orders/): {l}",
                    file.display()
                ));
            }
        }
        if file != Path::new("lib.rs") && file != Path::new("app.rs") {
            for p in named_paths(code, &module_of(file)) {
                if p.first().map(String::as_str) == Some("app") {
                    out.push(format!(
                        "{}: imports app (only the crate root may): {}",
                        file.display(),
                        p.join("::")
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn http_and_jobs_go_through_the_domain_and_nothing_imports_app() {
    let breaches = layer_breaches(&tree());
    assert!(breaches.is_empty(), "{}", breaches.join("\n"));
}

#[test]
fn no_import_circles() {
    let tree = tree();
    let found = circles(&tree.graph());
    let text: Vec<String> = found
        .iter()
        .map(|c| {
            c.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" ⇄ ")
        })
        .collect();
    assert!(found.is_empty(), "import circles:\n{}", text.join("\n"));
}

/// The rules catch what they are for: a handler naming the store, a job importing app,
/// two files importing each other.
#[test]
fn the_rules_fail_on_breaches() {
    let mut tree = tree();
    let handler = PathBuf::from("http/ats.rs");
    tree.code
        .get_mut(&handler)
        .unwrap()
        .push_str("\nuse screening_store::Db;\n");
    let job = PathBuf::from("jobs/resumer.rs");
    tree.code
        .get_mut(&job)
        .unwrap()
        .push_str("\nuse crate::app::Parts;\n");
    let breaches = layer_breaches(&tree);
    assert!(
        breaches
            .iter()
            .any(|b| b.starts_with("http/ats.rs: names the store")),
        "{breaches:?}"
    );
    assert!(
        breaches
            .iter()
            .any(|b| b.starts_with("jobs/resumer.rs: imports app")),
        "{breaches:?}"
    );

    let view = PathBuf::from("orders/view.rs");
    tree.code
        .get_mut(&view)
        .unwrap()
        .push_str("\nuse crate::http::error::Error;\n");
    let error = PathBuf::from("http/error.rs");
    tree.code
        .get_mut(&error)
        .unwrap()
        .push_str("\nuse crate::orders::view::load_state;\n");
    let found = circles(&tree.graph());
    assert!(
        found
            .iter()
            .any(|c| c.contains(&view) && c.contains(&error)),
        "{found:?}"
    );
}

#[test]
fn paths_resolve_to_the_files_they_name() {
    let here = vec!["orders".to_string(), "place".to_string()];
    let got = named_paths(
        "use super::catalog;\nuse crate::http::{auth::X, error};\nlet a = self::f();",
        &here,
    );
    assert!(
        got.contains(&vec!["orders".into(), "catalog".into()]),
        "{got:?}"
    );
    assert!(
        got.contains(&vec!["http".into(), "auth".into(), "X".into()]),
        "{got:?}"
    );
    assert!(
        got.contains(&vec!["http".into(), "error".into()]),
        "{got:?}"
    );
}

/// The crates at the bottom stay pure: no database, HTTP or async runtime crate anywhere
/// in the dependency tree of the model or of the metrics (read from `cargo tree`, offline,
/// from the lockfile).
#[test]
fn the_model_and_the_metrics_depend_on_no_io_crate() {
    for krate in ["screening-model", "screening-metrics"] {
        let out = std::process::Command::new(env!("CARGO"))
            .args([
                "tree",
                "--offline",
                "-p",
                krate,
                "-e",
                "normal",
                "--prefix",
                "none",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo tree runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let tree = String::from_utf8(out.stdout).unwrap();
        let names: BTreeSet<&str> = tree
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        assert!(names.contains(krate), "{tree}");
        for banned in ["sqlx", "axum", "reqwest", "tokio", "hyper"] {
            assert!(
                !names.iter().any(|n| n.starts_with(banned)),
                "{krate} depends on {banned}:\n{tree}"
            );
        }
    }
}

#[test]
fn test_modules_are_left_out_and_code_after_them_is_read() {
    let c = code("use crate::a;\n#[cfg(test)]\nmod tests {\n    use crate::b;\n    fn f() { g() }\n}\nuse crate::c; // use crate::d;\n#[cfg(test)]\nmod more;\n");
    assert!(c.contains("crate::a") && c.contains("crate::c"), "{c}");
    assert!(
        !c.contains("crate::b") && !c.contains("crate::d") && !c.contains("more"),
        "{c}"
    );
}
