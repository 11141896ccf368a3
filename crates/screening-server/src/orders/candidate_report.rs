//! The candidate's own report, read from Yardstik with the tenant's key on the server, so a
//! candidate never holds a Yardstik user token. Only what the FCRA entitles the candidate to
//! see: per ordered package the report status, each screening's status and, once the report
//! is finished, its records and violations; whom to contact. Nothing the employer wrote, no
//! Yardstik ids. Kept in memory for a short while (a reload does not call Yardstik again),
//! never stored.

use std::time::Duration;

use super::{OrderError, Orders};
use crate::cache::Cache;
use screening_model::tenant::Tenant;
use screening_model::yardstik_status::ReportStatus;
use screening_wire::{
    CandidatePackage, CandidateRecord, CandidateReport, CandidateScreening, CandidateViolation,
    Contact,
};
use yardstik_client::types::{nonempty, Report};

/// How long a candidate's report is served from memory.
pub const CACHE_TTL: Duration = Duration::from_secs(30);

/// Candidates' reports remembered at most.
const MAX_REPORTS: u64 = 10_000;

/// (tenant, order) → the report, for [`CACHE_TTL`].
#[derive(Clone)]
pub struct CandidateReportCache(Cache<(String, String), CandidateReport>);

impl Default for CandidateReportCache {
    fn default() -> Self {
        CandidateReportCache(Cache::new(MAX_REPORTS, Some(CACHE_TTL)))
    }
}

/// A report with results: its records are what the candidate may read.
fn finished(status: Option<&str>) -> bool {
    use ReportStatus as R;
    matches!(
        status.map(ReportStatus::parse),
        Some(R::Clear | R::Consider | R::Proceed | R::PreAdverse | R::FinalAdverse | R::Dispute)
    )
}

fn package(package_id: &str, add_on: bool, report: Option<&Report>) -> CandidatePackage {
    let status = report.and_then(|r| r.status.clone());
    let complete = finished(status.as_deref());
    CandidatePackage {
        package_id: package_id.to_string(),
        add_on,
        complete,
        completed_at: report
            .and_then(|r| r.completed_at.clone())
            .filter(|_| complete),
        report_status: status,
        screenings: report
            .map(|r| {
                r.report_screenings
                    .iter()
                    .map(|s| CandidateScreening {
                        name: s.display(),
                        status: s.status.clone(),
                        records: if complete {
                            s.records
                                .iter()
                                .map(|rec| CandidateRecord {
                                    source: rec.category.as_ref().and_then(|c| nonempty(&c.value)),
                                    violations: rec
                                        .violations
                                        .iter()
                                        .map(|v| CandidateViolation {
                                            description: nonempty(&v.description)
                                                .unwrap_or_else(|| "Record".into()),
                                            offense: nonempty(&v.count_offense),
                                            disposition: nonempty(&v.disposition),
                                            date: v.date(),
                                            jurisdiction: nonempty(&v.jurisdiction),
                                        })
                                        .collect(),
                                })
                                .collect()
                        } else {
                            Vec::new()
                        },
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// The candidate's report for one order.
pub async fn candidate_report(
    orders: &Orders,
    cache: &CandidateReportCache,
    tenant: &Tenant,
    bcid: &str,
) -> Result<CandidateReport, OrderError> {
    let key = (tenant.id.clone(), bcid.to_string());
    // Reloads within the cache's time, and concurrent ones, read Yardstik once.
    cache
        .0
        .try_get_with(key, read_report(orders, tenant, bcid))
        .await
        .map_err(OrderError::shared)
}

async fn read_report(
    orders: &Orders,
    tenant: &Tenant,
    bcid: &str,
) -> Result<CandidateReport, OrderError> {
    let items = orders.db.order_items(&tenant.id, bcid).await?;
    if items.is_empty() {
        return Err(OrderError::NotFound(bcid.to_string()));
    }
    let creds = &tenant.credentials;
    let mut packages = Vec::new();
    for item in &items {
        let report = match &item.report_id {
            Some(id) => Some(orders.yardstik.report(creds, id).await?),
            None => None,
        };
        packages.push(package(&item.package_id, item.add_on, report.as_ref()));
    }
    let account = orders.yardstik.account_contact(creds).await?;
    Ok(CandidateReport {
        background_check_id: bcid.to_string(),
        packages,
        contact: Contact {
            name: account.account_name,
            email: account.support_email_address,
            phone: account.support_phone,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_only_once_the_report_is_finished() {
        let report: Report = serde_json::from_value(serde_json::json!({
            "id": "r1", "status": "processing",
            "report_screenings": [{"name": "Criminal", "status": "processing", "records": [
                {"category": {"value": "NEW YORK"}, "violations": [{"description": "Felony", "comments": "employer note"}]}
            ]}]
        }))
        .unwrap();
        let p = package("PKG001", false, Some(&report));
        assert!(!p.complete);
        assert!(
            p.screenings[0].records.is_empty(),
            "nothing before the report is final"
        );
        let mut done = report.clone();
        done.status = Some("consider".into());
        let p = package("PKG001", false, Some(&done));
        assert!(p.complete);
        let v = &p.screenings[0].records[0].violations[0];
        assert_eq!(v.description, "Felony");
        assert_eq!(
            p.screenings[0].records[0].source.as_deref(),
            Some("NEW YORK")
        );
        let json = serde_json::to_string(&p).unwrap();
        assert!(
            !json.contains("employer note") && !json.contains("r1"),
            "{json}"
        );
    }
}
