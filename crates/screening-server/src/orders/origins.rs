//! The widget origins of every tenant, held in memory for CORS.
//!
//! A preflight carries no credentials, so answering it must cost no database work: the set
//! is loaded at startup and reloaded when the tenants table changes (a cheap count/max
//! query every couple of seconds, since the CLI that edits tenants is another process).
//! Only the plain settings are read, so a tenant whose sealed data cannot be opened does
//! not break CORS for the others.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::tenants::TenantDirectory;

#[derive(Clone, Default)]
pub struct Origins {
    inner: Arc<RwLock<HashMap<String, Vec<String>>>>,
}

fn norm(o: &str) -> String {
    o.trim_end_matches('/').to_ascii_lowercase()
}

impl Origins {
    pub fn set(&self, tenants: Vec<(String, Vec<String>)>) {
        let map = tenants
            .into_iter()
            .map(|(id, os)| (id, os.iter().map(|o| norm(o)).collect()))
            .collect();
        *self.inner.write().expect("origins") = map;
    }

    /// Is `origin` a widget origin of any tenant?
    pub fn any_allows(&self, origin: &str) -> bool {
        let o = norm(origin);
        self.inner
            .read()
            .expect("origins")
            .values()
            .any(|os| os.contains(&o))
    }

    /// Is `origin` a widget origin of this tenant?
    pub fn tenant_allows(&self, tenant_id: &str, origin: &str) -> bool {
        let o = norm(origin);
        self.inner
            .read()
            .expect("origins")
            .get(tenant_id)
            .is_some_and(|os| os.contains(&o))
    }

    pub async fn load(&self, tenants: &TenantDirectory) -> sqlx::Result<()> {
        self.set(tenants.widget_origins().await?);
        Ok(())
    }

    /// Reload whenever the tenants change, until shutdown.
    pub async fn refresh(
        self,
        tenants: TenantDirectory,
        every: Duration,
        shutdown: CancellationToken,
    ) {
        let mut seen = tenants.fingerprint().await.ok();
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(every) => {}
            }
            match tenants.fingerprint().await {
                Ok(fp) if Some(fp) != seen => match self.load(&tenants).await {
                    Ok(()) => seen = Some(fp),
                    Err(e) => tracing::error!(error = %e, "cannot reload widget origins"),
                },
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "cannot check tenants for changes"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_tenant_and_any() {
        let o = Origins::default();
        o.set(vec![
            ("t1".into(), vec!["https://ats.example.com/".into()]),
            ("t2".into(), vec!["https://other.example.org".into()]),
        ]);
        assert!(o.any_allows("https://ATS.example.com"));
        assert!(o.tenant_allows("t1", "https://ats.example.com"));
        assert!(!o.tenant_allows("t2", "https://ats.example.com"));
        assert!(!o.any_allows("https://evil.example.net"));
        assert!(!o.tenant_allows("t3", "https://ats.example.com"));
    }
}
