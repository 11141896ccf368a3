//! Configuration: command line, environment, and an optional TOML file.
//!
//! Precedence: command-line flag > environment variable > config file (`--config`,
//! `SCREENING_CONFIG`) > default. clap reads the first two (`cli`); figment stacks them over
//! the file over the defaults (`settings`), and each value is read by its type (`parse`)
//! before the rules between values are checked (`validate`); `resolved` holds the types the
//! server reads. The files depend on each other in that order and never round a circle:
//! each names its siblings, never this file. The file uses the long option
//! names in snake_case with typed values, e.g. `bind = "127.0.0.1:8080"`,
//! `delivery_workers = 8`, `request_timeout = "30s"`. Every bad value is reported with the
//! name of the setting and what a good value looks like.

use screening_model::crypto::MasterKey;

mod cli;
mod layers;
mod parse;
mod resolved;
mod settings;
mod validate;

pub use cli::{Cli, Command, DeliveriesCmd, EventsCmd, ServeArgs, StoreArgs, TenantCmd};
pub use layers::Layers;
pub use parse::parse_duration;
pub use resolved::{
    Config, ConfigError, ConnectionLimits, DeliveryConfig, LifecycleConfig, LogFormat, SpendLimits,
    StoreConfig,
};
use settings::{Serve, Settings};

fn redact_url(u: &str) -> String {
    match u.split_once('@') {
        Some((_, rest)) => format!("…@{rest}"),
        None => u.to_string(),
    }
}

/// `user:password@` in a URL's authority.
fn url_has_password(u: &str) -> bool {
    let rest = u.split_once("://").map_or(u, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .is_some_and(|(user, _)| user.contains(':'))
}

/// Secrets are never taken from the command line, where every user of the host can read
/// them (`ps`, `/proc/<pid>/cmdline`) and shells keep them in their history: a secret given
/// as a flag stops the command with the variable and file to use instead. A database URL is
/// refused as a flag only when it carries a password.
pub fn refuse_secret_flags(m: &clap::ArgMatches) -> Result<(), ConfigError> {
    use clap::parser::ValueSource;
    let from_flag = |m: &clap::ArgMatches, id: &str| {
        m.try_get_raw(id).ok().flatten().is_some()
            && m.value_source(id) == Some(ValueSource::CommandLine)
    };
    let refuse = |flag: &str, env: &str| {
        Err(ConfigError(format!(
            "--{flag} is not accepted on the command line, where other users of the host can \
             read it: set {env} or {env}_FILE (or the config file) instead"
        )))
    };
    let mut levels = vec![m];
    if let Some((_, sub)) = m.subcommand() {
        levels.push(sub);
    }
    for m in levels {
        if from_flag(m, "master_key") {
            return refuse("master-key", "SCREENING_MASTER_KEY");
        }
        if from_flag(m, "ops_token") {
            return refuse("ops-token", "SCREENING_OPS_TOKEN");
        }
        if from_flag(m, "database_url") {
            let url: Option<&String> = m.get_one("database_url");
            if url.is_some_and(|u| url_has_password(u)) {
                return refuse("database-url", "DATABASE_URL");
            }
        }
    }
    Ok(())
}

/// A secret given directly or as a file (`SCREENING_X` or `SCREENING_X_FILE`, not both).
/// The file's contents are read once, surrounding whitespace removed.
fn secret_or_file(
    layers: &Layers,
    key: &str,
    value: Option<String>,
    file: Option<std::path::PathBuf>,
) -> Result<Option<String>, ConfigError> {
    match (value, file) {
        (Some(_), Some(_)) => Err(ConfigError(format!(
            "{} and {} are both set: give the secret one way",
            layers.name(key),
            layers.name(&format!("{key}_file"))
        ))),
        (Some(v), None) => Ok(Some(v)),
        (None, Some(path)) => match std::fs::read_to_string(&path) {
            Ok(text) if !text.trim().is_empty() => Ok(Some(text.trim().to_string())),
            Ok(_) => Err(layers.bad(
                &format!("{key}_file"),
                &format!("{:?}", path.display().to_string()),
                "the file is empty",
            )),
            Err(e) => Err(layers.bad(
                &format!("{key}_file"),
                &format!("{:?}", path.display().to_string()),
                &format!("cannot read it: {e}"),
            )),
        },
        (None, None) => Ok(None),
    }
}

/// Where the master key comes from when `resolve_store_with` is asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// Every command but `init`: a missing key is an error.
    Existing,
    /// `init`: `<data dir>/master.key` is created when no key is given.
    CreateIfMissing,
}

/// Storage settings (every subcommand), and the layers `resolve` reads `serve` from.
pub fn resolve_store(args: &StoreArgs) -> Result<(StoreConfig, Layers), ConfigError> {
    let (store, layers, _) = resolve_store_with(args, KeySource::Existing)?;
    Ok((store, layers))
}

/// `resolve_store`, saying whether `<data dir>/master.key` was created (only with
/// [`KeySource::CreateIfMissing`]).
pub fn resolve_store_with(
    args: &StoreArgs,
    source: KeySource,
) -> Result<(StoreConfig, Layers, bool), ConfigError> {
    let layers = Layers::new(args);
    let s: Settings<serde::de::IgnoredAny> = layers.extract()?;
    let data_dir = s.data_dir;
    let database_url =
        secret_or_file(&layers, "database_url", s.database_url, s.database_url_file)?;
    let database_url = match database_url {
        Some(u)
            if u.starts_with("sqlite:")
                || u.starts_with("postgres://")
                || u.starts_with("postgresql://") =>
        {
            u
        }
        Some(u) => {
            let want = "use sqlite://<path> or postgres://user:pass@host/db";
            return Err(layers.bad("database_url", &format!("{:?}", redact_url(&u)), want));
        }
        None => settings::default_database_url(&data_dir),
    };
    let key_err = |e: screening_model::crypto::KeyError| ConfigError(e.to_string());
    let (master_key, created) = match (s.master_key, s.master_key_file) {
        (Some(_), Some(_)) => {
            return Err(ConfigError(format!(
                "{} and {} are both set: give the key one way",
                layers.name("master_key"),
                layers.name("master_key_file")
            )))
        }
        (Some(k), None) => (MasterKey::parse(&k).map_err(key_err)?, false),
        (None, Some(path)) => (MasterKey::read_file(&path).map_err(key_err)?, false),
        (None, None) if source == KeySource::CreateIfMissing => {
            MasterKey::load_or_create(&data_dir).map_err(key_err)?
        }
        (None, None) => (MasterKey::load(&data_dir).map_err(key_err)?, false),
    };
    Ok((
        StoreConfig {
            data_dir,
            database_url,
            master_key,
        },
        layers,
        created,
    ))
}

pub fn resolve(store_args: &StoreArgs, args: ServeArgs) -> Result<Config, ConfigError> {
    let (store, layers) = resolve_store(store_args)?;
    let layers = layers.with_serve(&args);
    let mut s: Settings<Serve> = layers.extract()?;
    let (token, file) = (s.serve.ops_token.take(), s.serve.ops_token_file.take());
    s.serve.ops_token = secret_or_file(&layers, "serve.ops_token", token, file)?;
    validate::validate(&s.serve, &layers)?;
    Ok(s.serve.into_config(store))
}

#[cfg(test)]
mod docs_tests;
#[cfg(test)]
mod tests;
