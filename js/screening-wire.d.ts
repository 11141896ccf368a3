// Generated from the Rust types of crates/screening-wire: do not edit by hand.
// Regenerate with `UPDATE_TS=1 cargo test -p screening-wire --lib typescript`.

/**
 * Where a background check is. Serialised in snake_case (`"complete"`).
 */
export type CheckStatus = "pending" | "invited" | "form_completed" | "processing" | "action_required" | "complete" | "canceled" | "expired" | "failed";

/**
 * The outcome of a complete check, capitalised as in the partner guide (`"Pass"`).
 */
export type CheckResult = "Pass" | "Consider" | "Fail";

/**
 * An id as the ATS sent it: a JSON string, or a whole number (the partner guide writes
 * both). `text` is its decimal string, under which the order is known; a number is written
 * back as a number.
 */
export type AtsId = string | number;

/**
 * The applicant as the ATS sends it. Everything may be absent or `null` on the wire;
 * [`crate::validate::validate_order`] decides what an order needs (names and email: the
 * Yardstik intake collects the rest).
 */
export type Applicant = { 
/**
 * The ATS's applicant id (a string or a whole number on the wire; kept as its decimal
 * string).
 */
id: string, first_name: string, last_name: string, phone?: string | null, email: string, address?: string | null, address_2?: string | null, city?: string | null, state?: string | null, zip?: string | null, };

/**
 * Who ordered, as the ATS sent it (every field optional). Kept with the order.
 */
export type HiringManager = { id?: AtsId | null, first_name?: string | null, last_name?: string | null, email?: string | null, };

/**
 * The requisition the order is for, as the ATS sent it (`{}` is fine). Kept with the order.
 */
export type Job = { id?: AtsId | null, };

/**
 * One invalid field: `field` is the dotted path in the request (`applicant.zip`).
 */
export type FieldError = { field: string, message: string, };

export type OrderItem = { 
/**
 * The ATS package or add-on id.
 */
package_id: string, add_on: boolean, status: CheckStatus, result: CheckResult | null, 
/**
 * Yardstik's own invitation and report statuses, verbatim.
 */
invitation_status?: string | null, report_status?: string | null, report_id?: string | null, };

export type OrderEvent = { 
/**
 * RFC 3339.
 */
at: string, status: CheckStatus, result?: CheckResult | null, detail?: string | null, };

/**
 * The order's state: the 201 body of `POST /ats/orders` and the body of
 * `GET /ats/orders/{id}` / `GET /widget/orders/{id}`.
 */
export type OrderState = { background_check_id: string, status: CheckStatus, result: CheckResult | null, result_link_url: string | null, package_id: string, add_on_package_ids: Array<string>, 
/**
 * One line per Yardstik invitation/report behind this order (the package and each
 * add-on).
 */
items: Array<OrderItem>, 
/**
 * Every status change, oldest first.
 */
history: Array<OrderEvent>, 
/**
 * What the ATS sent about who ordered and for which job, as it sent it.
 */
hiring_manager_user_id?: AtsId | null, hiring_manager?: HiringManager | null, job?: Job | null, 
/**
 * RFC 3339.
 */
created_at: string, updated_at: string, };
