//! Backup and restore: a backup taken while orders flow restores to a server that delivers
//! every result that was pending in it; a restore checks the file and the key first.

use std::collections::BTreeSet;
use std::sync::Arc;

use screening_store::backup::BackupError;

use crate::support::*;

/// The background check ids whose result is still to be delivered, in a database file.
async fn pending_in(file: &std::path::Path) -> BTreeSet<String> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&format!("sqlite://{}?mode=ro", file.display()))
        .await
        .unwrap();
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT background_check_id FROM outbox WHERE state = 'pending' AND payload LIKE '%\"complete\"%'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    rows.into_iter().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_orders_flow_restores_and_delivers_every_pending_result() {
    // No delivery worker on the first server: every result stays pending in its outbox.
    let env = Arc::new(
        Env::start(Opts {
            delivery_workers: 0,
            ..Opts::default()
        })
        .await,
    );
    let flow = {
        let env = env.clone();
        tokio::spawn(async move {
            for i in 0..16 {
                place_cleared(&env, &format!("bk-{i}"), &env.receiver.url()).await;
            }
        })
    };
    // Wait until results are arriving, then take the backup with orders still flowing.
    for _ in 0..1200 {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox")
            .fetch_one(&env.db().pool)
            .await
            .unwrap();
        if n >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let store_a = store(&env.data_dir(), &env.master);
    let backups = tempfile::tempdir().unwrap();
    let file = backups.path().join("screening.backup");
    let mut out = Vec::new();
    screening_server::cli::backup(&store_a, &file, &mut out)
        .await
        .unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains(&env.master.check_value()), "{out}");
    flow.await.unwrap();
    let pending = pending_in(&file).await;
    assert!(!pending.is_empty(), "the backup holds pending results");
    eprintln!(
        "backup taken with {} of 16 results pending in it",
        pending.len()
    );

    // A second backup to the same file is refused (never overwritten).
    let e = env.db().backup_into(&file).await.unwrap_err();
    assert!(matches!(e, BackupError::Exists(_)), "{e}");

    // Restore into a new data directory and start a server there, delivering.
    let restored = tempfile::tempdir().unwrap();
    let store_b = store(restored.path(), &env.master);
    let mut out = Vec::new();
    screening_server::cli::restore(&store_b, &file, false, &mut out)
        .await
        .unwrap();
    let cfg = config(restored.path(), &env.master, &env.sandbox, &Opts::default());
    let server = screening_server::start(cfg).await.unwrap();
    let seen = env
        .receiver
        .wait_for("every pending result of the backup", |bodies| {
            let got: BTreeSet<String> = bodies
                .iter()
                .filter(|b| b["status"] == "complete")
                .map(|b| b["background_check_id"].as_str().unwrap().to_string())
                .collect();
            pending.is_subset(&got)
        })
        .await;
    assert!(seen.iter().all(|b| b["result"] == "Pass"));
    server.shutdown().await;
    assert!(
        pending_in(&restored.path().join("screening.db"))
            .await
            .is_empty(),
        "nothing left pending in the restored database"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_checks_the_file_and_the_key_before_it_replaces_anything() {
    let env = Env::start(Opts::default()).await;
    let backups = tempfile::tempdir().unwrap();
    let file = backups.path().join("b.db");
    env.db().backup_into(&file).await.unwrap();
    let target = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/screening.db", target.path().display());

    let other = screening_model::crypto::MasterKey::generate();
    let e = screening_store::backup::restore_sqlite(&file, &url, &other, false)
        .await
        .unwrap_err();
    assert!(matches!(e, BackupError::OtherKey { .. }), "{e}");
    assert!(
        !target.path().join("screening.db").exists(),
        "nothing placed"
    );

    let junk = backups.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all, just bytes").unwrap();
    let e = screening_store::backup::restore_sqlite(&junk, &url, &env.master, false)
        .await
        .unwrap_err();
    assert!(matches!(e, BackupError::Invalid { .. }), "{e}");
    let e = screening_store::backup::restore_sqlite(
        &backups.path().join("absent"),
        &url,
        &env.master,
        false,
    )
    .await
    .unwrap_err();
    assert!(matches!(e, BackupError::Invalid { .. }), "{e}");

    screening_store::backup::restore_sqlite(&file, &url, &env.master, false)
        .await
        .unwrap();
    let e = screening_store::backup::restore_sqlite(&file, &url, &env.master, false)
        .await
        .unwrap_err();
    assert!(matches!(e, BackupError::WouldReplace(_)), "{e}");
    std::fs::write(target.path().join("screening.db-wal"), b"stale").unwrap();
    screening_store::backup::restore_sqlite(&file, &url, &env.master, true)
        .await
        .unwrap();
    assert!(
        !target.path().join("screening.db-wal").exists(),
        "the replaced database's log is gone"
    );
    let e = screening_store::backup::restore_sqlite(&file, "postgres://u@db/x", &env.master, true)
        .await
        .unwrap_err();
    assert!(matches!(e, BackupError::Postgres(_)), "{e}");
}
