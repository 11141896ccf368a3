//! The master key cannot be mixed up: the real binary, run as an operator would, is stopped
//! with a clear message before it writes anything when it holds no key or another key than
//! the database's, or when a secret is given as a flag.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use screening_model::crypto::MasterKey;
use screening_store::{Db, StoreConfig};

const BIN: &str = env!("CARGO_BIN_EXE_screening-server");

/// Run the binary with only the given environment (nothing inherited that configures it),
/// killed if it runs past 60 s (a wrongly started server would otherwise never return).
fn run(data: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SCREENING_DATA_DIR", data)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start screening-server");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{args:?} still running after 60 s: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn fixture() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/demo-tenant.json")
        .display()
        .to_string()
}

/// The database file's bytes and its tenants' rows: what "nothing written" is held to. The
/// write-ahead log is checkpointed into the file first (closing a connection does not
/// always do it), so both snapshots compare the whole database rather than the file with
/// or without the log's last pages.
async fn snapshot(data: &Path, key: &MasterKey) -> (Vec<u8>, Vec<(String, i64)>) {
    let db = Db::connect(&StoreConfig {
        data_dir: data.to_path_buf(),
        database_url: format!("sqlite://{}/screening.db", data.display()),
        master_key: key.clone(),
    })
    .await
    .unwrap();
    let rows = sqlx::query_as("SELECT ats_account_id, updated_at FROM tenants ORDER BY 1")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let (busy,): (i64,) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(busy, 0, "the checkpoint ran to the end");
    db.pool.close().await;
    let bytes = std::fs::read(data.join("screening.db")).unwrap();
    (bytes, rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_or_missing_master_key_stops_every_command_before_it_writes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_s = data.display().to_string();

    // No key anywhere: every command but `init` refuses, naming `init`, and writes nothing.
    for args in [
        &["tenant", "list"][..],
        &["serve", "--bind", "127.0.0.1:0"][..],
    ] {
        let o = run(&data, &[], args);
        assert!(!o.status.success(), "{args:?} ran without a key");
        assert!(
            stderr(&o).contains("screening-server init"),
            "{}",
            stderr(&o)
        );
        assert!(!data.exists(), "{args:?} wrote into {data_s}");
    }

    // `init` creates the key (0600), the database and its check value, once.
    let o = run(&data, &[], &["init"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("created the master key"),
        "{}",
        stdout(&o)
    );
    let key_path = data.join("master.key");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let key = MasterKey::load(&data).unwrap();
    assert!(stdout(&o).contains(&key.check_value()), "{}", stdout(&o));
    let o = run(&data, &[], &["init"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !stdout(&o).contains("created"),
        "a second init keeps the key"
    );
    assert_eq!(MasterKey::load(&data).unwrap().to_hex(), key.to_hex());

    let o = run(&data, &[], &["tenant", "add", "--from-file", &fixture()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = snapshot(&data, &key).await;
    assert_eq!(before.1.len(), 1);

    // Another key, from the environment or a file: stopped before anything is written.
    let other = MasterKey::generate().to_hex();
    let other_file = dir.path().join("other.key");
    std::fs::write(&other_file, &other).unwrap();
    let other_file = other_file.display().to_string();
    let wrong: [&[(&str, &str)]; 2] = [
        &[("SCREENING_MASTER_KEY", &other)],
        &[("SCREENING_MASTER_KEY_FILE", &other_file)],
    ];
    for env in wrong {
        for args in [
            &["tenant", "add", "--replace", "--from-file", &fixture()][..],
            &["tenant", "rotate-secret", "demo-ats"][..],
            &["deliveries", "redeliver", "--all"][..],
            &["init"][..],
            &["serve", "--bind", "127.0.0.1:0"][..],
        ] {
            let o = run(&data, env, args);
            assert!(!o.status.success(), "{args:?} ran with another key");
            let e = stderr(&o);
            assert!(
                e.contains("does not match this database") && e.contains("Nothing was written"),
                "{args:?}: {e}"
            );
            assert!(!e.contains(&other), "the key is not printed: {e}");
        }
    }
    assert_eq!(
        snapshot(&data, &key).await,
        before,
        "the database is unchanged"
    );

    // A secret on the command line is refused before the key is even read.
    let o = run(&data, &[], &["--master-key", &other, "tenant", "list"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("SCREENING_MASTER_KEY_FILE"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains(&other), "{}", stderr(&o));

    // The right key, from a file, works.
    let key_file = dir.path().join("real.key");
    std::fs::write(&key_file, key.to_hex()).unwrap();
    let o = run(
        &data,
        &[("SCREENING_MASTER_KEY_FILE", &key_file.display().to_string())],
        &["tenant", "list"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("demo-ats"), "{}", stdout(&o));
}

/// A database from before the check value was recorded: the tenants' sealed credentials
/// decide, and the right key's value is then recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_without_a_check_value_is_held_to_its_sealed_tenants() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = MasterKey::generate();
    let hex = key.to_hex();
    let o = run(&data, &[("SCREENING_MASTER_KEY", &hex)], &["init"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        &data,
        &[("SCREENING_MASTER_KEY", &hex)],
        &["tenant", "add", "--from-file", &fixture()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let url = format!("sqlite://{}/screening.db", data.display());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::query("DELETE FROM key_check")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let other = MasterKey::generate().to_hex();
    let o = run(
        &data,
        &[("SCREENING_MASTER_KEY", &other)],
        &["tenant", "list"],
    );
    assert!(!o.status.success(), "another key opened the tenants");
    assert!(
        stderr(&o).contains("does not open this database's tenant credentials"),
        "{}",
        stderr(&o)
    );
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM key_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0, "the other key's value was not recorded");
    pool.close().await;

    let o = run(
        &data,
        &[("SCREENING_MASTER_KEY", &hex)],
        &["tenant", "list"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let v: String = sqlx::query_scalar("SELECT check_value FROM key_check WHERE id = 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(v, key.check_value());
}
