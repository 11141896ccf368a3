//! `GET /ats/packages`: the tenant's catalog merged with its live Yardstik account packages.
//!
//! The live list is cached per tenant for `SCREENING_PACKAGES_TTL`; when Yardstik fails
//! the last good copy is served (and only with none at all does the call fail with 503).
//! A catalog entry whose Yardstik package is no longer offered is left out; screenings come
//! from Yardstik (label, else name).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use screening_wire::{AddOnPackage, Package, PackageList};

use crate::app::ApiContext;
use crate::http::error::Error;
use crate::tenant::Tenant;
use crate::yardstik::types::AccountPackage;

type Cached = (Instant, Arc<Vec<AccountPackage>>);

#[derive(Clone, Default)]
pub struct PackageCache(Arc<Mutex<HashMap<String, Cached>>>);

impl PackageCache {
    /// Mark every cached list stale (the next call goes to Yardstik; the copy stays as the
    /// fallback).
    pub fn expire_all(&self) {
        let old = Instant::now().checked_sub(std::time::Duration::from_secs(365 * 86400));
        for (at, _) in self.0.lock().expect("package cache").values_mut() {
            if let Some(old) = old {
                *at = old;
            }
        }
    }
    fn get(&self, tenant_id: &str) -> Option<(Instant, Arc<Vec<AccountPackage>>)> {
        self.0
            .lock()
            .expect("package cache")
            .get(tenant_id)
            .cloned()
    }
    fn put(&self, tenant_id: &str, v: Vec<AccountPackage>) -> Arc<Vec<AccountPackage>> {
        let v = Arc::new(v);
        self.0
            .lock()
            .expect("package cache")
            .insert(tenant_id.to_string(), (Instant::now(), v.clone()));
        v
    }
}

pub async fn live_packages(
    ctx: &ApiContext,
    tenant: &Tenant,
) -> Result<Arc<Vec<AccountPackage>>, Error> {
    let cached = ctx.packages.get(&tenant.id);
    if let Some((at, v)) = &cached {
        if at.elapsed() < ctx.config.packages_ttl {
            return Ok(v.clone());
        }
    }
    match ctx.yardstik.account_packages(&tenant.credentials).await {
        Ok(v) => Ok(ctx.packages.put(&tenant.id, v)),
        Err(e) => match cached {
            Some((_, v)) => {
                tracing::warn!(tenant = %tenant.ats_account_id, error = %e, "serving the last good package list");
                Ok(v)
            }
            None => Err(e.into()),
        },
    }
}

pub fn merge(tenant: &Tenant, live: &[AccountPackage]) -> PackageList {
    let mut out = PackageList::default();
    for e in &tenant.settings.catalog {
        let Some(p) = live.iter().find(|p| p.id == e.yardstik_account_package_id) else {
            continue;
        };
        if e.add_on {
            out.add_on_packages.push(AddOnPackage {
                id: e.id.clone(),
                name: e.name.clone(),
                price: e.price.clone(),
                description: e.description.clone(),
            });
        } else {
            out.packages.push(Package {
                id: e.id.clone(),
                name: e.name.clone(),
                price: Some(e.price.clone()),
                description: Some(e.description.clone()),
                screenings: p.screenings.iter().filter_map(|s| s.display()).collect(),
            });
        }
    }
    out
}

pub async fn package_list(ctx: &ApiContext, tenant: &Tenant) -> Result<PackageList, Error> {
    let live = live_packages(ctx, tenant).await?;
    Ok(merge(tenant, &live))
}
