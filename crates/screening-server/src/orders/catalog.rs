//! `GET /ats/packages`: the tenant's catalog merged with its live Yardstik account packages.
//!
//! The live list is cached per tenant for `SCREENING_PACKAGES_TTL`; when Yardstik fails
//! the last good copy is served (and only with none at all does the call fail with 503).
//! A catalog entry whose Yardstik package is no longer offered is left out; screenings come
//! from Yardstik (label, else name).

use screening_wire::{AddOnPackage, FieldError, Package, PackageList};

pub use super::package_cache::PackageCache;
use std::sync::Arc;

use screening_model::tenant::Tenant;
use screening_model::NewItem;
use yardstik_client::types::AccountPackage;
use yardstik_client::{Yardstik, YardstikError};

/// The tenant's live Yardstik packages, from the cache while it is fresh.
pub async fn live_packages(
    cache: &PackageCache,
    yardstik: &Yardstik,
    ttl: std::time::Duration,
    tenant: &Tenant,
) -> Result<Arc<Vec<AccountPackage>>, YardstikError> {
    let cached = cache.get(&tenant.id, ttl).await;
    if let Some((true, v)) = &cached {
        return Ok(v.clone());
    }
    match yardstik.account_packages(&tenant.credentials).await {
        Ok(v) => Ok(cache.put(&tenant.id, v).await),
        Err(e) => match cached {
            Some((_, v)) => {
                tracing::warn!(tenant = %tenant.ats_account_id, error = %e.summary(), "serving the last good package list");
                Ok(v)
            }
            None => Err(e),
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

impl super::Orders {
    /// The tenant's catalog with Yardstik's live names and prices (cached for the
    /// configured time; the last good list stands in while Yardstik is unreachable).
    pub async fn package_list(&self, tenant: &Tenant) -> Result<PackageList, YardstikError> {
        let live = live_packages(
            &self.packages,
            &self.yardstik,
            self.settings.packages_ttl,
            tenant,
        )
        .await?;
        Ok(merge(tenant, &live))
    }
}

/// Catalog checks of an order: the package must be a (non add-on) catalog package, each
/// add-on an add-on. The items to place, package first, or one error per bad field.
pub fn resolve_items(
    tenant: &Tenant,
    package_id: &str,
    add_ons: &[String],
) -> Result<Vec<NewItem>, Vec<FieldError>> {
    let catalog = &tenant.settings.catalog;
    let names = |add_on: bool| {
        catalog
            .iter()
            .filter(|e| e.add_on == add_on)
            .map(|e| e.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut errors = Vec::new();
    let mut items = Vec::new();
    let item = |e: &screening_model::tenant::CatalogEntry| NewItem {
        package_id: e.id.clone(),
        yardstik_package_id: e.yardstik_account_package_id.clone(),
        add_on: e.add_on,
    };
    match tenant.entry(package_id).filter(|e| !e.add_on) {
        Some(e) => items.push(item(e)),
        None => errors.push(FieldError {
            field: "package_id".into(),
            message: format!(
                "Unknown package {package_id}. Available packages: {}.",
                names(false)
            ),
        }),
    }
    for (i, a) in add_ons.iter().enumerate() {
        match tenant.entry(a).filter(|e| e.add_on) {
            Some(e) => items.push(item(e)),
            None => errors.push(FieldError {
                field: format!("add_on_package_ids[{i}]"),
                message: format!(
                    "Unknown add-on package {a}. Available add-ons: {}.",
                    names(true)
                ),
            }),
        }
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(errors)
    }
}
