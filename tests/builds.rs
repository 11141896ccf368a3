#![cfg(target_arch = "wasm32")]
//! The mode → build table is written once, in `js/builds.json` (the loader and
//! `pkg-scripts/build-widget` read it): the widget's own `build_of`, its builds and the
//! cargo features, one per build, agree with it.

use screening_widget::mode::{build_of, Build, Mode};
use serde_json::{Map, Value};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const TABLE: &str = include_str!("../js/builds.json");
const CARGO_TOML: &str = include_str!("../Cargo.toml");

fn table() -> Map<String, Value> {
    match serde_json::from_str(TABLE).expect("js/builds.json is JSON") {
        Value::Object(t) => t,
        other => panic!("js/builds.json is not an object of build → modes: {other}"),
    }
}

/// The build `js/builds.json` gives `mode`.
fn build_in_table(t: &Map<String, Value>, mode: &str) -> Option<String> {
    t.iter()
        .find(|(_, modes)| {
            modes
                .as_array()
                .is_some_and(|m| m.iter().any(|v| v.as_str() == Some(mode)))
        })
        .map(|(build, _)| build.clone())
}

#[wasm_bindgen_test]
fn build_of_is_the_tables() {
    let t = table();
    for mode in Mode::ALL {
        assert_eq!(
            build_in_table(&t, mode.as_str()).as_deref(),
            Some(build_of(mode).name()),
            "mode {}: js/builds.json and src/mode.rs's build_of disagree",
            mode.as_str()
        );
    }
    // Every mode of the table is one the widget knows.
    for (build, modes) in &t {
        for m in modes.as_array().expect("a list of modes") {
            let m = m.as_str().expect("a mode name");
            assert!(
                Mode::parse(m).is_some(),
                "js/builds.json: {build} has mode {m}, which the widget does not know"
            );
        }
    }
}

#[wasm_bindgen_test]
fn every_build_is_the_tables_and_a_cargo_feature() {
    let t = table();
    let mut names: Vec<&str> = Build::ALL.iter().map(|b| b.name()).collect();
    names.sort_unstable();
    // serde_json's map is sorted by key.
    let in_table: Vec<&str> = t.keys().map(String::as_str).collect();
    assert_eq!(
        names, in_table,
        "src/mode.rs's Build::ALL and js/builds.json's builds"
    );
    // `[features]` of the root Cargo.toml: one `<build> = []` per build, all of them default.
    let features = CARGO_TOML
        .split("\n[features]\n")
        .nth(1)
        .expect("Cargo.toml has [features]")
        .split("\n[")
        .next()
        .unwrap();
    for name in &names {
        assert!(
            features.lines().any(|l| l.trim() == format!("{name} = []")),
            "Cargo.toml has no feature `{name} = []` for the build of that name"
        );
    }
    let default = features
        .lines()
        .find(|l| l.starts_with("default = "))
        .expect("a default feature set");
    for name in &names {
        assert!(
            default.contains(&format!("\"{name}\"")),
            "the default features (what the widget's tests build) lack {name}"
        );
    }
}
