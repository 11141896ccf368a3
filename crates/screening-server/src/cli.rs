//! `init`, `tenant add|list|rotate-secret|signing-secret|revoke-links|remove`,
//! `deliveries dead|redeliver`, `events failed|replay`, `backup` and `restore`. Each opens
//! the database through `Db::connect`, which holds the master key against the database's
//! check value before anything is written.

use std::io::Write;

use crate::config::{DeliveriesCmd, EventsCmd, StoreConfig, TenantCmd};
use screening_model::crypto::random_secret;
use screening_model::tenant::{Secret, TenantSpec};
use screening_store::inbox::InboxState;
use screening_store::outbox::OutboxState;
use screening_store::{ms_to_rfc3339, Db};

/// `healthcheck --url URL`: `/healthz` answers 200 within 5 s. It reads no configuration and
/// opens no database, so it runs in any container or unit beside the server.
pub async fn healthcheck(url: &str) -> anyhow::Result<()> {
    let target = format!("{}/healthz", url.trim_end_matches('/'));
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()?;
    let status = client
        .get(&target)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{target}: {e}"))?
        .status();
    anyhow::ensure!(
        status == reqwest::StatusCode::OK,
        "{target} answered {status}"
    );
    Ok(())
}

/// `backup --to FILE`: a consistent snapshot of the SQLite database, taken online.
pub async fn backup(
    store: &StoreConfig,
    to: &std::path::Path,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let db = Db::connect(store).await?;
    let bytes = db.backup_into(to).await?;
    db.pool.close().await;
    writeln!(
        out,
        "backup written to {} ({bytes} bytes), made under master key {}: keep the key with it (it is not in the file)",
        to.display(),
        store.master_key.check_value()
    )?;
    Ok(())
}

/// `restore --from FILE [--replace]`: the backup checked, then put in place of the database.
/// It does not open the database it replaces (that may be the damaged one).
pub async fn restore(
    store: &StoreConfig,
    from: &std::path::Path,
    replace: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    screening_store::backup::restore_sqlite(from, &store.database_url, &store.master_key, replace)
        .await?;
    writeln!(
        out,
        "restored {} as the database; start the server: pending deliveries and events resume from the backup's state",
        from.display()
    )?;
    Ok(())
}

/// `init`: the database created or migrated and the key's check value recorded (a key that
/// is not the database's stops here, as it does every other command).
pub async fn init(
    store: &StoreConfig,
    key_created: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let db = Db::connect(store).await?;
    if key_created {
        writeln!(
            out,
            "created the master key {} (mode 0600): keep a copy with every backup of the database; without it the tenants' credentials cannot be opened",
            store.data_dir.join(screening_model::crypto::KEY_FILE).display()
        )?;
    }
    writeln!(
        out,
        "database ready ({}), master key {}",
        match db.backend {
            screening_store::Backend::Sqlite => "SQLite",
            screening_store::Backend::Postgres => "PostgreSQL",
        },
        store.master_key.check_value()
    )?;
    Ok(())
}

pub async fn tenant(
    store: &StoreConfig,
    cmd: TenantCmd,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let db = Db::connect(store).await?;
    match cmd {
        TenantCmd::Add {
            from_file,
            replace,
            default_webhook_url,
        } => {
            let text = std::fs::read_to_string(&from_file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", from_file.display()))?;
            let mut spec: TenantSpec = serde_json::from_str(&text).map_err(|e| {
                anyhow::anyhow!("{}: not a valid tenant file: {e}", from_file.display())
            })?;
            if let Some(url) = default_webhook_url {
                spec.settings.default_webhook_url = Some(url).filter(|u| !u.is_empty());
            }
            spec.validate()
                .map_err(|e| anyhow::anyhow!("{}: {e}", from_file.display()))?;
            let (secret, generated) = match &spec.api_secret {
                Some(Secret(s)) => (s.clone(), false),
                None => (random_secret(), true),
            };
            let id = db.upsert_tenant(&spec, &secret, replace).await?;
            writeln!(
                out,
                "tenant {} ({}) saved as {id}",
                spec.ats_account_id, spec.name
            )?;
            if generated {
                writeln!(out, "API secret (shown once, store it now): {secret}")?;
            }
        }
        TenantCmd::List => {
            for t in db.list_tenants().await? {
                let s = &t.settings;
                writeln!(
                    out,
                    "{}\t{}\tyardstik={}\tpackages={}\twebhook_hosts={}\twidget_origins={}\tprogress_updates={}\tallow_loopback={}",
                    t.ats_account_id,
                    t.name,
                    t.credentials.yardstik_account_id,
                    s.catalog.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(","),
                    s.allowed_webhook_hosts.join(","),
                    s.widget_origins.join(","),
                    s.progress_updates,
                    s.allow_loopback
                )?;
            }
        }
        TenantCmd::RotateSecret { ats_account_id } => {
            let secret = random_secret();
            db.set_tenant_secret(&ats_account_id, &secret).await?;
            writeln!(
                out,
                "new API secret for {ats_account_id} (shown once, store it now): {secret}"
            )?;
        }
        TenantCmd::SigningSecret {
            ats_account_id,
            disable: true,
            ..
        } => {
            if db.remove_signing_secrets(&ats_account_id).await? {
                writeln!(
                    out,
                    "result webhooks of {ats_account_id} are no longer signed"
                )?;
            } else {
                writeln!(out, "result webhooks of {ats_account_id} were not signed")?;
            }
        }
        TenantCmd::SigningSecret {
            ats_account_id,
            overlap,
            disable: false,
        } => {
            let secret = db
                .add_signing_secret(&ats_account_id, overlap.as_millis() as i64)
                .await?;
            writeln!(
                out,
                "new result-webhook signing secret for {ats_account_id} (shown once, store it now): {}",
                secret.expose()
            )?;
            writeln!(
                out,
                "deliveries carry Webhook-Signature under it from now on; a previous secret keeps signing for {}",
                humantime::format_duration(overlap)
            )?;
        }
        TenantCmd::RevokeLinks {
            ats_account_id,
            background_check_ids,
            all,
        } => {
            let tenant = db
                .tenant_by_ats_account(&ats_account_id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no tenant {ats_account_id}"))?;
            match (all, background_check_ids.is_empty()) {
                (true, true) => {
                    let n = db.revoke_result_links(&tenant.id, None).await?;
                    writeln!(out, "result links of {n} orders revoked")?;
                }
                (false, false) => {
                    for id in &background_check_ids {
                        if db.revoke_result_links(&tenant.id, Some(id)).await? == 0 {
                            anyhow::bail!("no order {id} for tenant {ats_account_id}");
                        }
                        writeln!(out, "result links of {id} revoked")?;
                    }
                }
                _ => anyhow::bail!(
                    "name the orders whose result links to revoke, or give --all (not both)"
                ),
            }
        }
        TenantCmd::Remove {
            ats_account_id,
            yardstik_api_base,
            public_url,
        } => {
            match (yardstik_api_base, public_url) {
                (Some(base), Some(url)) => {
                    match unsubscribe(&db, &ats_account_id, &base, &url).await? {
                        Some(n) => writeln!(out, "{n} Yardstik webhook subscriptions deleted")?,
                        None => writeln!(
                            out,
                            "warning: Yardstik does not list webhook subscriptions: the tenant's subscriptions to this server are left in place (delete them in Yardstik's dashboard)"
                        )?,
                    }
                }
                _ => writeln!(
                    out,
                    "warning: YARDSTIK_API_BASE and SCREENING_PUBLIC_URL not given: the tenant's Yardstik webhook subscriptions to this server are left in place"
                )?,
            }
            db.remove_tenant(&ats_account_id).await?;
            writeln!(out, "tenant {ats_account_id} removed")?;
        }
    }
    db.pool.close().await;
    Ok(())
}

pub async fn deliveries(
    store: &StoreConfig,
    cmd: DeliveriesCmd,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let db = Db::connect(store).await?;
    match cmd {
        DeliveriesCmd::Dead => {
            let rows = db.deliveries_in_state(OutboxState::Dead).await?;
            if rows.is_empty() {
                writeln!(out, "no dead deliveries")?;
            }
            for r in rows {
                writeln!(
                    out,
                    "{}\tbackground_check_id={}\turl={}\tattempts={}\tlast_status={}\tlast_error={}\tcreated={}",
                    r.id,
                    r.background_check_id,
                    r.url,
                    r.attempts,
                    r.last_status.map(|s| s.to_string()).unwrap_or_else(|| "-".into()),
                    r.last_error.unwrap_or_default(),
                    ms_to_rfc3339(r.created_at)
                )?;
            }
        }
        DeliveriesCmd::Redeliver { ids, all } => {
            if all != ids.is_empty() {
                anyhow::bail!("give delivery ids or --all (not both)");
            }
            let (mut n, mut old) = (0, 0);
            if all {
                (n, old) = db.redeliver(None).await?;
            }
            for id in &ids {
                let (k, s) = db.redeliver(Some(id)).await?;
                if s > 0 {
                    writeln!(
                        out,
                        "{id}: superseded by a newer delivery of its order; not sent"
                    )?;
                } else if k == 0 {
                    writeln!(out, "{id}: not a dead delivery")?;
                }
                n += k;
                old += s;
            }
            writeln!(out, "{n} deliveries queued again")?;
            if old > 0 {
                writeln!(
                    out,
                    "{old} older deliveries superseded (their orders have a newer state to send)"
                )?;
            }
        }
    }
    db.pool.close().await;
    Ok(())
}

pub async fn events(
    store: &StoreConfig,
    cmd: EventsCmd,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let db = Db::connect(store).await?;
    match cmd {
        EventsCmd::Failed => {
            let rows = db.events_in_state(InboxState::Failed).await?;
            if rows.is_empty() {
                writeln!(out, "no failed events")?;
            }
            for r in rows {
                writeln!(
                    out,
                    "{}\tresource={} {}\tattempts={}\tlast_error={}\treceived={}",
                    r.event_id,
                    r.resource_type,
                    r.resource_id,
                    r.attempts,
                    r.last_error.unwrap_or_default(),
                    ms_to_rfc3339(r.received_at)
                )?;
            }
        }
        EventsCmd::Replay { ids, all } => {
            if all != ids.is_empty() {
                anyhow::bail!("give event ids or --all (not both)");
            }
            let mut n = 0;
            if all {
                n = db.replay_events(None).await?;
            }
            for id in &ids {
                let k = db.replay_events(Some(id)).await?;
                if k == 0 {
                    writeln!(out, "{id}: not a failed event")?;
                }
                n += k;
            }
            writeln!(out, "{n} events queued again")?;
        }
    }
    db.pool.close().await;
    Ok(())
}

/// Delete the tenant's Yardstik webhook subscriptions that point at this server; `None` when
/// Yardstik does not list them (the list is not in its reference: 404/405), so none is known.
async fn unsubscribe(
    db: &Db,
    ats_account_id: &str,
    base: &str,
    public_url: &str,
) -> anyhow::Result<Option<usize>> {
    let Some(t) = db.tenant_by_ats_account(ats_account_id).await? else {
        anyhow::bail!("no tenant {ats_account_id}");
    };
    let yardstik = yardstik_client::Yardstik::new(
        base,
        std::time::Duration::from_secs(15),
        screening_metrics::Metrics::default(),
    );
    let ours = format!("{}/webhooks/yardstik", public_url.trim_end_matches('/'));
    let listed = match yardstik.webhooks(&t.credentials).await {
        Ok(list) => list,
        Err(yardstik_client::YardstikError::Rejected {
            status: 404 | 405, ..
        }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut n = 0;
    for w in listed {
        if w.url == ours {
            yardstik.delete_webhook(&t.credentials, &w.id).await?;
            n += 1;
        }
    }
    Ok(Some(n))
}
