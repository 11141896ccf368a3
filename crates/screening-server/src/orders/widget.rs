//! What the widget's routes ask of orders: who an order belongs to (sessions may see only
//! their own), the candidate's open intake steps, which report a reviewer may open, and
//! the Yardstik user token the report and disclosures frames need.

use screening_model::{ItemIntake, OrderKey, Tenant, YardstikRef};
use screening_store::orders as stored;
use screening_wire::ApplyStep;

use super::frames::frame_origin;
use super::{OrderError, Orders};

/// The report a review session asked for, resolved against its order.
#[derive(Debug, PartialEq, Eq)]
pub enum ReportPick {
    Report(String),
    /// The named report is another order's.
    NotThisOrders,
    /// The order has no report yet.
    NoneYet,
}

impl Orders {
    /// The applicant id of order `id`, if the order exists (`Some(None)`: it has none).
    pub async fn order_applicant(
        &self,
        tenant_id: &str,
        id: &str,
    ) -> Result<Option<Option<String>>, OrderError> {
        let key = OrderKey::new(tenant_id, id);
        Ok(stored::order(&self.db.pool, &key)
            .await?
            .map(|o| o.applicant_id))
    }

    /// The order's result-link epoch, if the order exists (a link opens only under the
    /// current one).
    pub async fn result_link_epoch(
        &self,
        tenant_id: &str,
        id: &str,
    ) -> Result<Option<i64>, OrderError> {
        let key = OrderKey::new(tenant_id, id);
        Ok(stored::order(&self.db.pool, &key)
            .await?
            .map(|o| o.result_link_epoch))
    }

    /// Revoke result links: one order's (`Some(id)`) or every order's of the tenant. The
    /// number of orders affected.
    pub async fn revoke_result_links(
        &self,
        tenant_id: &str,
        id: Option<&str>,
    ) -> Result<u64, OrderError> {
        Ok(self.db.revoke_result_links(tenant_id, id).await?)
    }

    /// The order's intake steps still open (package first, then add-ons in order), each
    /// with the origin of its own link. The stored state may lag a just-submitted form by a
    /// webhook; the widget walks its own list, so that is fine. A link Yardstik gave that is
    /// not http(s) on a configured Yardstik origin refuses the whole answer: none is shown.
    pub async fn open_intake_steps(
        &self,
        tenant_id: &str,
        id: &str,
    ) -> Result<Vec<ApplyStep>, OrderError> {
        let allowed = &self.settings.frame_origins;
        stored::items(&self.db.pool, &OrderKey::new(tenant_id, id))
            .await?
            .into_iter()
            .filter(|i| {
                ItemIntake {
                    invitation: i.invitation_status.as_ref(),
                    status: i.state.status,
                }
                .is_open()
            })
            .filter_map(|i| Some((i.apply_url.clone()?, i)))
            .map(|(url, i)| match frame_origin(&url, allowed) {
                Ok(origin) => Ok(ApplyStep {
                    apply_url: url,
                    origin,
                    package_id: i.package_id,
                    add_on: i.add_on,
                }),
                Err(why) => {
                    tracing::warn!(background_check_id = id, package = %i.package_id, reason = %why, "yardstik apply link refused");
                    Err(OrderError::RefusedLink(format!(
                        "Yardstik returned an intake link for package {} that is not shown: {why} (allowed: {}).",
                        i.package_id,
                        allowed.join(", ")
                    )))
                }
            })
            .collect()
    }

    /// The Yardstik origins frames may come from.
    pub fn frame_origins(&self) -> &[String] {
        &self.settings.frame_origins
    }

    /// The report of order `bcid` a reviewer may open: `report_id` if it is the order's,
    /// else the order's first report.
    pub async fn pick_report(
        &self,
        tenant_id: &str,
        bcid: &str,
        report_id: Option<&str>,
    ) -> Result<ReportPick, OrderError> {
        let items = stored::items(&self.db.pool, &OrderKey::new(tenant_id, bcid)).await?;
        let id = report_id
            .map(str::to_string)
            .or_else(|| items.iter().find_map(|i| i.report_id.clone()));
        Ok(match id {
            Some(r) if items.iter().any(|i| i.report_id.as_deref() == Some(&r)) => {
                ReportPick::Report(r)
            }
            Some(_) => ReportPick::NotThisOrders,
            None => ReportPick::NoneYet,
        })
    }

    /// The order (`background_check_id`) a Yardstik report belongs to.
    pub async fn order_of_report(
        &self,
        tenant_id: &str,
        report_id: &str,
    ) -> Result<Option<String>, OrderError> {
        Ok(self
            .db
            .item_by_yardstik(tenant_id, YardstikRef::Report, report_id)
            .await?
            .map(|i| i.background_check_id))
    }

    /// A short-lived Yardstik user token for the tenant's embed pages.
    pub async fn yardstik_web_token(&self, tenant: &Tenant) -> Result<String, OrderError> {
        Ok(self
            .yardstik
            .web_token(&tenant.credentials, &tenant.settings.web_token_user_email)
            .await?
            .token)
    }
}
