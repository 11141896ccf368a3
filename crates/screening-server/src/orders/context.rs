//! What the ATS sent about an order beyond what is placed at Yardstik: whether its
//! `background_check_id` was a JSON number (the result webhook writes it back the same way),
//! who ordered (`hiring_manager_user_id`, `hiring_manager`) and for which requisition
//! (`job`), kept as sent with the order (`orders.ats_context`) and shown in
//! `GET /ats/orders/{id}`.

use serde::{Deserialize, Serialize};

use screening_wire::{AtsId, HiringManager, Job};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderContext {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub numeric_id: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hiring_manager_user_id: Option<AtsId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hiring_manager: Option<HiringManager>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<Job>,
}

impl OrderContext {
    /// `None` when there is nothing to keep.
    pub fn to_json(&self) -> Option<String> {
        (*self != OrderContext::default()).then(|| serde_json::to_string(self).expect("serialise"))
    }

    /// A stored value; a row without one (or an unreadable one) has none.
    pub fn from_json(stored: Option<&str>) -> Self {
        stored
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }

    /// The order's id as the ATS sent it.
    pub fn ats_id(&self, bcid: &str) -> AtsId {
        AtsId {
            text: bcid.to_string(),
            numeric: self.numeric_id,
        }
    }
}
