//! The settings against their documentation: each has a flag, a variable, `--help` text with
//! its default, and a row in the README's configuration table showing the code's default.

use std::path::Path;

use clap::CommandFactory;
use figment::value::{Dict, Value};
use figment::Figment;

use super::cli::Cli;
use super::layers::{arg_names, Given};
use super::settings::{self, Serve, Settings};

/// Every key of the settings, with its default (`null` for none).
fn all_keys() -> Vec<(String, serde_json::Value)> {
    let v = serde_json::to_value(Settings::<Serve>::default()).unwrap();
    let mut out = Vec::new();
    for (k, v) in v.as_object().unwrap() {
        match v.as_object() {
            Some(serve) => out.extend(serve.iter().map(|(s, v)| (format!("{k}.{s}"), v.clone()))),
            None => out.push((k.clone(), v.clone())),
        }
    }
    out
}

#[test]
fn every_setting_has_a_flag_a_variable_and_help_with_its_default() {
    let keys = all_keys();
    for (key, _) in &keys {
        assert!(arg_names(key).is_some(), "{key} has no flag or variable");
    }
    let cmd = Cli::command();
    let serve = cmd.find_subcommand("serve").unwrap();
    for arg in serve.get_arguments().filter(|a| a.get_env().is_some()) {
        let key = format!("serve.{}", arg.get_id());
        assert!(
            keys.iter().any(|(k, _)| *k == key),
            "{key} is not a setting"
        );
    }
    let help = |id: &str| {
        let a = serve.get_arguments().find(|a| a.get_id() == id).unwrap();
        a.get_help().unwrap().to_string()
    };
    assert!(
        help("session_ttl").ends_with("[default: 15m]"),
        "{}",
        help("session_ttl")
    );
    assert!(help("delivery_schedule").contains("[default: 5s,5m,30m,2h,5h,10h,10h]"));
    assert!(!help("ops_token").contains("default"));
}

/// The README's configuration table is the settings' documentation: every setting has a row
/// with its variable and flag, and the default it shows is the one the code uses.
#[test]
fn readme_table_matches_the_defaults() {
    let readme = include_str!("../../README.md");
    let section = &readme[readme.find("## Configuration").unwrap()..];
    let rows: Vec<Vec<&str>> = section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| l.split('|').map(str::trim).collect())
        .collect();
    let code = all_keys();
    let code_default = |key: &str| code.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let mut shown = Vec::new();
    let mut documented = Vec::new();
    let mut top = Dict::new();
    let mut serve = Dict::new();
    for row in rows {
        let (env, flag, default) = (row[1].trim_matches('`'), row[2].trim_matches('`'), row[3]);
        let flag = flag.trim_start_matches("serve ").trim_start_matches("--");
        let id = flag.replace('-', "_");
        let key = match arg_names(&id) {
            Some(_) => id.clone(),
            None => format!("serve.{id}"),
        };
        let names = Some((env.to_string(), flag.to_string()));
        assert_eq!(
            arg_names(&key),
            names,
            "README row {env}: not the code's names"
        );
        documented.push(key.clone());
        let literal = default
            .strip_prefix('`')
            .and_then(|d| d.strip_suffix('`'))
            .filter(|d| !d.contains(['<', '`']));
        let Some(text) = literal else {
            // A description (`generated into …`, `none`): the code has no value either.
            let none = key == "config" || code_default(&key) == Some(serde_json::Value::Null);
            assert!(
                none,
                "README: {env} has no default ({default}), the code {:?}",
                code_default(&key)
            );
            if key == "database_url" {
                let derived = settings::default_database_url(Path::new("<data dir>"));
                assert_eq!(default, format!("`{derived}`"), "README: {env}");
            }
            continue;
        };
        // `./data` is how a shell user reads the relative path `data`.
        let value = Value::from(text.strip_prefix("./").unwrap_or(text).to_string());
        match key.strip_prefix("serve.") {
            Some(k) => serve.insert(k.into(), value),
            None => top.insert(key.clone(), value),
        };
        shown.push((key, env.to_string(), text.to_string()));
    }
    for (key, _) in &code {
        assert!(
            documented.contains(key),
            "{key} is missing from the README table"
        );
    }
    // Read the README's values as the server reads a flag, and compare value by value.
    top.insert("serve".into(), Value::from(serve));
    let from_readme: Settings<Serve> = Figment::from(Given(top)).extract().unwrap();
    let from_readme = serde_json::to_value(&from_readme).unwrap();
    for (key, env, text) in shown {
        let at = format!("/{}", key.replace('.', "/"));
        assert_eq!(
            from_readme.pointer(&at).cloned(),
            code_default(&key),
            "README: {env} defaults to {text}; the code's default differs"
        );
    }
    assert_eq!(
        serde_json::to_value(Settings::<Serve>::default()).unwrap(),
        from_readme
    );
}

/// The README's example config file is one the server accepts.
#[test]
fn readme_example_file_resolves() {
    let readme = include_str!("../../README.md");
    let start = readme.find("```toml\n").unwrap() + "```toml\n".len();
    let example = &readme[start..start + readme[start..].find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("screening.toml");
    std::fs::write(&path, example).unwrap();
    let store = super::StoreArgs {
        config: Some(path),
        data_dir: Some(dir.path().to_path_buf()),
        master_key: Some("11".repeat(32)),
        ..Default::default()
    };
    let c = super::resolve(&store, super::ServeArgs::default()).unwrap();
    assert_eq!(c.delivery.workers, 8);
    assert!(c.store.database_url.starts_with("postgres://"));
}
