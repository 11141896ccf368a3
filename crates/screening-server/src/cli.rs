//! `tenant add|list|rotate-secret|remove`, `deliveries dead|redeliver` and
//! `events failed|replay`.

use std::io::Write;

use crate::config::{DeliveriesCmd, EventsCmd, StoreConfig, TenantCmd};
use crate::crypto::random_secret;
use crate::db::inbox::InboxState;
use crate::db::outbox::OutboxState;
use crate::db::{ms_to_rfc3339, Db};
use crate::tenant::{Secret, TenantSpec};

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
        TenantCmd::Remove {
            ats_account_id,
            yardstik_api_base,
            public_url,
        } => {
            match (yardstik_api_base, public_url) {
                (Some(base), Some(url)) => {
                    let n = unsubscribe(&db, &ats_account_id, &base, &url).await?;
                    writeln!(out, "{n} Yardstik webhook subscriptions deleted")?;
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

/// Delete the tenant's Yardstik webhook subscriptions that point at this server.
async fn unsubscribe(
    db: &Db,
    ats_account_id: &str,
    base: &str,
    public_url: &str,
) -> anyhow::Result<usize> {
    let Some(t) = db.tenant_by_ats_account(ats_account_id).await? else {
        anyhow::bail!("no tenant {ats_account_id}");
    };
    let yardstik = crate::yardstik::Yardstik::new(
        base,
        std::time::Duration::from_secs(15),
        crate::metrics::Metrics::default(),
    );
    let ours = format!("{}/webhooks/yardstik", public_url.trim_end_matches('/'));
    let mut n = 0;
    for w in yardstik.webhooks(&t.credentials).await? {
        if w.url == ours {
            yardstik.delete_webhook(&t.credentials, &w.id).await?;
            n += 1;
        }
    }
    Ok(n)
}
