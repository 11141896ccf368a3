//! The configuration's tests: defaults, layers, typed file values, messages, and the README.

use std::path::Path;
use std::time::Duration;

use clap::Parser;

use super::*;

fn store(dir: &Path) -> StoreArgs {
    StoreArgs {
        data_dir: Some(dir.to_path_buf()),
        master_key: Some("11".repeat(32)),
        ..Default::default()
    }
}

#[test]
fn durations() {
    assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
    assert_eq!(parse_duration("5m"), Some(Duration::from_secs(300)));
    assert_eq!(parse_duration("7"), Some(Duration::from_secs(7)));
    assert_eq!(parse_duration("5 parsecs"), None);
    assert_eq!(parse_duration(""), None);
}

#[test]
fn defaults_and_bad_values_name_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let c = resolve(&store(dir.path()), ServeArgs::default()).unwrap();
    assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
    assert!(c.store.database_url.ends_with("/screening.db"));
    assert_eq!(c.delivery.schedule.len(), 7);

    let e = resolve(
        &store(dir.path()),
        ServeArgs {
            bind: Some("nope".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("SCREENING_BIND"), "{e}");
    let e = resolve(
        &store(dir.path()),
        ServeArgs {
            delivery_schedule: Some("5s,x".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("SCREENING_DELIVERY_SCHEDULE"), "{e}");
    let e = resolve(
        &store(dir.path()),
        ServeArgs {
            yardstik_api_base: Some("ftp://x".into()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("YARDSTIK_API_BASE"), "{e}");
    let mut s = store(dir.path());
    s.master_key = Some("short".into());
    assert!(resolve(&s, ServeArgs::default())
        .unwrap_err()
        .to_string()
        .contains("SCREENING_MASTER_KEY"));
    s.master_key = None;
    s.database_url = Some("mysql://u:pw@h/db".into());
    let e = resolve(&s, ServeArgs::default()).unwrap_err().to_string();
    assert!(e.contains("DATABASE_URL") && !e.contains("pw"), "{e}");
}

#[test]
fn inbox_keep_is_zero_or_at_least_an_hour() {
    let dir = tempfile::tempdir().unwrap();
    let keep = |v: Option<&str>| {
        resolve(
            &store(dir.path()),
            ServeArgs {
                inbox_keep: v.map(String::from),
                ..Default::default()
            },
        )
        .map(|c| c.lifecycle.inbox_keep)
    };
    assert_eq!(keep(None).unwrap(), Duration::from_secs(30 * 86_400));
    assert_eq!(keep(Some("0")).unwrap(), Duration::ZERO);
    assert_eq!(keep(Some("1h")).unwrap(), Duration::from_secs(3600));
    for bad in ["59m", "10s", "soon"] {
        let e = keep(Some(bad)).unwrap_err().to_string();
        assert!(e.contains("SCREENING_INBOX_KEEP"), "{bad}: {e}");
    }
}

#[test]
fn file_values_apply_below_flags() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(
        &path,
        "[serve]\nbind = \"127.0.0.1:9999\"\ndemo = \"1\"\npackages_ttl = \"10s\"\n",
    )
    .unwrap();
    let mut s = store(dir.path());
    s.config = Some(path.clone());
    let c = resolve(
        &s,
        ServeArgs {
            packages_ttl: Some("20s".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(c.bind.port(), 9999);
    assert!(c.demo);
    assert_eq!(c.packages_ttl, Duration::from_secs(20));
    std::fs::write(&path, "[serve]\nbnd = \"x\"\n").unwrap();
    assert!(resolve(&s, ServeArgs::default())
        .unwrap_err()
        .to_string()
        .contains("c.toml"));
}

#[test]
fn durations_read_humantime_and_bare_seconds() {
    assert_eq!(parse_duration("0"), Some(Duration::ZERO));
    assert_eq!(parse_duration("5s"), Some(Duration::from_secs(5)));
    assert_eq!(parse_duration("5 s"), Some(Duration::from_secs(5)));
    assert_eq!(
        parse_duration("30d"),
        Some(Duration::from_secs(30 * 86_400))
    );
    assert_eq!(parse_duration("1h 30m"), Some(Duration::from_secs(5400)));
    assert_eq!(parse_duration("2hours"), Some(Duration::from_secs(7200)));
    assert_eq!(parse_duration("+7"), None);
    assert_eq!(parse_duration("99999999999999999999"), None);
    for d in [0, 1, 59, 60, 90, 3600, 48 * 3600, 30 * 86_400] {
        let d = Duration::from_secs(d);
        assert_eq!(parse_duration(&parse::format_duration(d)), Some(d), "{d:?}");
    }
    let d = Duration::from_millis(1500);
    assert_eq!(parse_duration(&parse::format_duration(d)), Some(d));
}

fn with_file(dir: &Path, toml: &str) -> StoreArgs {
    let path = dir.join("c.toml");
    std::fs::write(&path, toml).unwrap();
    let mut s = store(dir);
    s.config = Some(path);
    s
}

#[test]
fn file_values_are_typed() {
    let dir = tempfile::tempdir().unwrap();
    let s = with_file(
        dir.path(),
        "data_dir = \"d\"\n[serve]\ndelivery_workers = 8\ndemo = true\nrequest_timeout = \"45s\"\n\
         inbox_keep = 0\nbody_limit_bytes = 2048\nregister_webhooks = false\n\
         delivery_schedule = [\"1s\", \"2m\", 30]\nyardstik_api_base = \"http://h:1/\"\n",
    );
    let c = resolve(&s, ServeArgs::default()).unwrap();
    assert_eq!(c.delivery.workers, 8);
    assert!(c.demo && !c.register_webhooks);
    assert_eq!(c.request_timeout, Duration::from_secs(45));
    assert_eq!(c.lifecycle.inbox_keep, Duration::ZERO);
    assert_eq!(c.body_limit, 2048);
    assert_eq!(c.delivery.schedule, [1, 120, 30].map(Duration::from_secs));
    assert_eq!(c.yardstik_api_base, "http://h:1");
    // The flag's data dir wins over the file's.
    assert_eq!(c.store.data_dir, dir.path());

    // The text forms the file always took still read.
    let s = with_file(
        dir.path(),
        "[serve]\ndelivery_workers = \"8\"\ndemo = \"1\"\ndelivery_schedule = \"5s,1m\"\n",
    );
    let c = resolve(&s, ServeArgs::default()).unwrap();
    assert_eq!(c.delivery.workers, 8);
    assert!(c.demo);
    assert_eq!(c.delivery.schedule, [5, 60].map(Duration::from_secs));
}

#[test]
fn bad_values_name_the_setting_and_show_a_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let err = |s: &StoreArgs, a: ServeArgs| resolve(s, a).unwrap_err().to_string();
    let e = err(
        &store(dir.path()),
        ServeArgs {
            delivery_workers: Some("x".into()),
            ..Default::default()
        },
    );
    assert!(
        e.contains("SCREENING_DELIVERY_WORKERS (--delivery-workers) = \"x\""),
        "{e}"
    );
    assert!(e.contains("like 8"), "{e}");
    let e = err(
        &store(dir.path()),
        ServeArgs {
            request_timeout: Some("soon".into()),
            ..Default::default()
        },
    );
    assert!(
        e.contains("SCREENING_REQUEST_TIMEOUT") && e.contains("15s"),
        "{e}"
    );

    // From the file: the message also names the file and its key.
    let s = with_file(dir.path(), "[serve]\ndelivery_workers = 100\n");
    let e = err(&s, ServeArgs::default());
    assert!(
        e.contains("SCREENING_DELIVERY_WORKERS") && e.contains("c.toml"),
        "{e}"
    );
    assert!(
        e.contains("= 100: use a number from 0 (disabled) to 64"),
        "{e}"
    );
    let s = with_file(dir.path(), "[serve]\nbind = 8080\n");
    let e = err(&s, ServeArgs::default());
    assert!(
        e.contains("`bind` in config file") && e.contains("127.0.0.1:8080"),
        "{e}"
    );
    let s = with_file(dir.path(), "databse_url = \"x\"\n");
    let e = err(&s, ServeArgs::default());
    assert!(e.contains("c.toml") && e.contains("databse_url"), "{e}");
    let s = with_file(dir.path(), "[serve\n");
    assert!(err(&s, ServeArgs::default()).contains("c.toml"));
    let mut s = store(dir.path());
    s.config = Some(dir.path().join("missing.toml"));
    assert!(err(&s, ServeArgs::default()).contains("missing.toml"));
}

#[test]
fn rules_between_values() {
    let dir = tempfile::tempdir().unwrap();
    let check = |toml: &str| {
        let s = with_file(dir.path(), &format!("[serve]\n{toml}\n"));
        resolve(&s, ServeArgs::default())
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    let e = check("session_ttl = \"2h\"").unwrap_err();
    assert!(
        e.contains("SCREENING_SESSION_TTL") && e.contains("SCREENING_SESSION_MAX_TTL"),
        "{e}"
    );
    check("session_ttl = \"2h\"\nsession_max_ttl = \"2h\"").unwrap();
    for (name, toml) in [
        ("SCREENING_SESSION_TTL", "session_ttl = 0"),
        ("SCREENING_INBOX_BACKOFF_MAX", "inbox_backoff_max = \"0\""),
        ("SCREENING_RESUME_INTERVAL", "resume_interval = 0"),
        ("SCREENING_INBOX_WORKERS", "inbox_workers = 0"),
        ("SCREENING_INBOX_WORKERS", "inbox_workers = 257"),
        ("SCREENING_DELIVERY_WORKERS", "delivery_workers = 65"),
        ("SCREENING_DELIVERY_WORKERS", "delivery_workers = -1"),
        ("SCREENING_BODY_LIMIT_BYTES", "body_limit_bytes = 1023"),
        ("SCREENING_OPS_TOKEN", "ops_token = \"short-token\""),
        ("SCREENING_LOG_FORMAT", "log_format = \"xml\""),
        ("SCREENING_DEMO", "demo = \"maybe\""),
        ("SCREENING_PUBLIC_URL", "public_url = \"\""),
        ("SCREENING_DELIVERY_SCHEDULE", "delivery_schedule = []"),
    ] {
        let e = check(toml).unwrap_err();
        assert!(e.contains(name) && e.contains("c.toml"), "{toml}: {e}");
        assert!(!e.contains("short-token"), "{e}");
    }
}

#[test]
fn flags_from_the_command_line_beat_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(
        &path,
        "[serve]\npackages_ttl = \"10s\"\nsession_ttl = \"20m\"\n",
    )
    .unwrap();
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, "11".repeat(32)).unwrap();
    let argv = [
        "screening-server",
        "--config",
        path.to_str().unwrap(),
        "--master-key-file",
        key_file.to_str().unwrap(),
    ];
    let cli =
        Cli::try_parse_from(argv.into_iter().chain(["serve", "--packages-ttl", "20s"])).unwrap();
    let Command::Serve(args) = cli.command else {
        panic!("serve")
    };
    let mut store = cli.store;
    store.data_dir = Some(dir.path().to_path_buf());
    let c = resolve(&store, *args).unwrap();
    assert_eq!(c.packages_ttl, Duration::from_secs(20));
    assert_eq!(c.session_ttl, Duration::from_secs(20 * 60));
}

#[test]
fn secrets_given_as_flags_are_refused_with_the_variable_to_use() {
    use clap::CommandFactory;
    let key = "11".repeat(32);
    let refused = |argv: &[&str]| {
        let m = Cli::command()
            .try_get_matches_from(std::iter::once("screening-server").chain(argv.iter().copied()))
            .unwrap();
        refuse_secret_flags(&m).err().map(|e| e.to_string())
    };
    let e = refused(&["--master-key", &key, "tenant", "list"]).expect("refused");
    assert!(
        e.contains("--master-key") && e.contains("SCREENING_MASTER_KEY_FILE"),
        "{e}"
    );
    assert!(
        !e.contains(&key),
        "the message does not repeat the secret: {e}"
    );
    let e = refused(&["tenant", "--master-key", &key, "list"]).expect("after the subcommand");
    assert!(e.contains("SCREENING_MASTER_KEY"), "{e}");
    let e = refused(&["serve", "--ops-token", "a-long-enough-token"]).expect("ops token");
    assert!(e.contains("SCREENING_OPS_TOKEN"), "{e}");
    let e = refused(&["--database-url", "postgres://u:pw@db/x", "tenant", "list"])
        .expect("a URL with a password");
    assert!(e.contains("DATABASE_URL") && !e.contains("pw"), "{e}");
    // What is not a secret stays a flag.
    assert_eq!(
        refused(&["--database-url", "postgres://u@db/x", "tenant", "list"]),
        None
    );
    assert_eq!(
        refused(&["--master-key-file", "/run/key", "tenant", "list"]),
        None
    );
    assert_eq!(refused(&["serve", "--bind", "127.0.0.1:0"]), None);
}

#[test]
fn secrets_from_files() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, format!("{}\n", "22".repeat(32))).unwrap();
    let args = StoreArgs {
        data_dir: Some(dir.path().to_path_buf()),
        master_key_file: Some(key_file.clone()),
        ..Default::default()
    };
    let (store, _) = resolve_store(&args).unwrap();
    let want = screening_model::crypto::MasterKey::parse(&"22".repeat(32)).unwrap();
    assert_eq!(store.master_key.to_hex(), want.to_hex());

    let both = StoreArgs {
        master_key: Some("11".repeat(32)),
        ..args.clone()
    };
    let e = resolve_store(&both).err().unwrap().to_string();
    assert!(
        e.contains("SCREENING_MASTER_KEY (") && e.contains("SCREENING_MASTER_KEY_FILE"),
        "{e}"
    );
    let absent = StoreArgs {
        master_key_file: Some(dir.path().join("absent")),
        ..args.clone()
    };
    let e = resolve_store(&absent).err().unwrap().to_string();
    assert!(e.contains("absent"), "{e}");

    let url_file = dir.path().join("db-url");
    std::fs::write(&url_file, "postgres://u:pw@db.internal/screening\n").unwrap();
    let with_url = StoreArgs {
        database_url_file: Some(url_file.clone()),
        ..args.clone()
    };
    let (store, _) = resolve_store(&with_url).unwrap();
    assert_eq!(store.database_url, "postgres://u:pw@db.internal/screening");
    std::fs::write(&url_file, "  \n").unwrap();
    let e = resolve_store(&with_url).err().unwrap().to_string();
    assert!(
        e.contains("DATABASE_URL_FILE") && e.contains("empty"),
        "{e}"
    );

    let token_file = dir.path().join("ops-token");
    std::fs::write(&token_file, "an-ops-token-of-some-length\n").unwrap();
    let c = resolve(
        &args,
        ServeArgs {
            ops_token_file: Some(token_file.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(c.ops_token.unwrap().0, "an-ops-token-of-some-length");
    let e = resolve(
        &args,
        ServeArgs {
            ops_token: Some("another-token-of-length".into()),
            ops_token_file: Some(token_file),
            ..Default::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("SCREENING_OPS_TOKEN_FILE"), "{e}");
}

#[test]
fn a_missing_key_is_created_only_by_init() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let args = StoreArgs {
        data_dir: Some(data.clone()),
        ..Default::default()
    };
    let e = resolve_store(&args).err().unwrap().to_string();
    assert!(e.contains("screening-server init"), "{e}");
    assert!(!data.exists(), "nothing written: {}", data.display());
    let (first, _, created) = resolve_store_with(&args, KeySource::CreateIfMissing).unwrap();
    assert!(created && data.join("master.key").exists());
    let (again, _, created) = resolve_store_with(&args, KeySource::CreateIfMissing).unwrap();
    assert!(!created);
    assert_eq!(first.master_key.to_hex(), again.master_key.to_hex());
    let (store, _) = resolve_store(&args).unwrap();
    assert_eq!(store.master_key.to_hex(), first.master_key.to_hex());
}

#[test]
fn yardstik_frame_origins_are_https_or_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let c = resolve(&store(dir.path()), ServeArgs::default()).unwrap();
    assert_eq!(c.yardstik_profile_origin, "https://profile.yardstik.com");
    assert_eq!(c.subscription_check_interval, Duration::from_secs(3600));
    let with = |app: &str, profile: &str| {
        resolve(
            &store(dir.path()),
            ServeArgs {
                yardstik_app_origin: Some(app.into()),
                yardstik_profile_origin: Some(profile.into()),
                ..Default::default()
            },
        )
    };
    let c = with("http://127.0.0.1:8090", "http://localhost:8091").unwrap();
    assert_eq!(c.yardstik_profile_origin, "http://localhost:8091");
    let e = with("https://app.yardstik.com", "http://profile.example.com")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("YARDSTIK_PROFILE_ORIGIN") && e.contains("http only on loopback"),
        "{e}"
    );
    let e = with("http://10.0.0.5:8090", "https://profile.yardstik.com")
        .unwrap_err()
        .to_string();
    assert!(e.contains("YARDSTIK_APP_ORIGIN"), "{e}");
}
