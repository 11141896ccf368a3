//! The layers a setting's value comes from, and how messages name a setting.
//!
//! figment merges, lowest first, the TOML file and what clap read from the flags or
//! environment; a key no layer has takes `Settings::default()` through serde. Both layers
//! are kept apart from the defaults so that a message can say where a bad value came from:
//! `SCREENING_BIND (--bind)` for a flag or variable, plus the file's key and path when the
//! file set it. A setting's variable and flag are read from the clap definitions, never
//! written a second time.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use figment::providers::{Format, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use serde::Serialize;

use super::cli::{Cli, ServeArgs, StoreArgs};
use super::resolved::ConfigError;

/// The layers of the configuration, lowest first: the config file, then what clap read from
/// the flags or environment. Keys missing from both take `Settings::default()`.
pub struct Layers {
    figment: Figment,
    file: Option<PathBuf>,
}

/// What clap read: each given flag or, failing that, environment variable (always text).
pub(super) struct Given(pub Dict);

impl Provider for Given {
    fn metadata(&self) -> Metadata {
        Metadata::named("command line or environment")
    }
    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.0.clone()))
    }
}

/// The given (`Some`) fields of clap's arguments, by id.
fn given(args: &impl Serialize) -> Dict {
    match Value::serialize(args) {
        Ok(Value::Dict(_, d)) => d
            .into_iter()
            .filter(|(_, v)| !matches!(v, Value::Empty(..)))
            .collect(),
        _ => Dict::new(),
    }
}

impl Layers {
    pub(super) fn new(store: &StoreArgs) -> Self {
        let mut figment = Figment::new();
        if let Some(path) = &store.config {
            figment = figment.merge(Toml::file_exact(path));
        }
        Self {
            figment: figment.merge(Given(given(store))),
            file: store.config.clone(),
        }
    }

    pub(super) fn with_serve(mut self, serve: &ServeArgs) -> Self {
        let serve = given(serve);
        if !serve.is_empty() {
            let layer = Given(Dict::from([("serve".into(), Value::from(serve))]));
            self.figment = self.figment.merge(layer);
        }
        self
    }

    pub(super) fn extract<T: serde::de::DeserializeOwned>(&self) -> Result<T, ConfigError> {
        self.figment.extract().map_err(|e| self.render(e))
    }

    /// How messages name a setting (`serve.bind`): its variable and flag, and the file's key
    /// when the file set it.
    pub(super) fn name(&self, key: &str) -> String {
        let md = self.figment.find_metadata(key);
        self.label(key, md.and_then(|m| m.source.as_ref()?.file_path()))
    }

    fn label(&self, key: &str, file: Option<&Path>) -> String {
        let id = key.strip_prefix("serve.").unwrap_or(key);
        let named = match arg_names(key) {
            Some((env, flag)) => format!("{env} (--{flag})"),
            None => id.to_string(),
        };
        match file {
            Some(f) => format!("{named}, `{id}` in config file {}", f.display()),
            None => named,
        }
    }

    /// `SETTING = value: what a good value looks like`.
    pub(super) fn bad(&self, key: &str, shown: &str, want: &str) -> ConfigError {
        ConfigError(format!("{} = {shown}: {want}", self.name(key)))
    }

    fn render(&self, e: figment::Error) -> ConfigError {
        use figment::error::Kind;
        let file = e
            .metadata
            .as_ref()
            .and_then(|m| m.source.as_ref()?.file_path());
        // The setting is the longest prefix of the path that is one (`serve.delivery_schedule.0`).
        let setting = (1..=e.path.len())
            .rev()
            .map(|n| e.path[..n].join("."))
            .find(|k| arg_names(k).is_some());
        let Some(key) = setting else {
            // Not a setting: the file's syntax, or a key no setting has.
            let file = file
                .or(self.file.as_deref())
                .map(|f| f.display().to_string());
            let file = file.unwrap_or_default();
            return ConfigError(match &e.kind {
                Kind::UnknownField(k, known) => {
                    let table = e.path.iter().take_while(|p| *p != k).cloned();
                    let table: Vec<_> = table.collect();
                    let at = if table.is_empty() {
                        "the top level".into()
                    } else {
                        format!("[{}]", table.join("."))
                    };
                    format!(
                        "config file {file}: {at} has no setting `{k}` (the settings are {})",
                        known.join(", ")
                    )
                }
                kind => format!("config file {file}: {kind}"),
            });
        };
        let label = self.label(&key, file);
        ConfigError(match &e.kind {
            Kind::Message(m) => format!("{label} = {m}"),
            Kind::InvalidType(found, want) if want.starts_with("use ") => {
                format!("{label} = {found}: {want}")
            }
            kind => format!("{label}: {kind}"),
        })
    }
}

/// A setting's environment variable and flag, from the clap definitions (`serve.bind` →
/// `SCREENING_BIND`, `bind`).
pub(super) fn arg_names(key: &str) -> Option<(String, String)> {
    let root = Cli::command();
    let (cmd, id) = match key.split_once('.') {
        Some(("serve", id)) => (root.find_subcommand("serve")?, id),
        Some(_) => return None,
        None => (&root, key),
    };
    let arg = cmd.get_arguments().find(|a| a.get_id() == id)?;
    let env = arg.get_env()?.to_string_lossy().into_owned();
    Some((env, arg.get_long()?.to_string()))
}
