//! The app-origin pages: `/embed/report/{id}?jwt=`, `/embed/signDisclosures/{account_id}?jwt=`
//! (+ its consent POST), the candidate apply page `/candidates/{id}/apply?report_id=…`, and their
//! static scripts/styles under `/assets/`. Pages carry a strict CSP (scripts only from
//! `/assets/`, no inline script) and may be framed by anyone (`frame-ancestors *`, no
//! `X-Frame-Options`).

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::{json_response, query_get, ApiError, Ids};
use crate::jwt::{verify, Claims, JwtError};
use crate::store::{new_id, now, ts, Consent, Store};
use crate::Shared;

const EMBED_JS: &str = include_str!("../../assets/embed.js");
const APPLY_JS: &str = include_str!("../../assets/apply.js");
const CSS: &str = include_str!("../../assets/sandbox.css");

pub const CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors *";

pub async fn asset(ids: Ids) -> Response {
    let (body, ct) = match ids.first() {
        "embed.js" => (EMBED_JS, "text/javascript; charset=utf-8"),
        "apply.js" => (APPLY_JS, "text/javascript; charset=utf-8"),
        "sandbox.css" => (CSS, "text/css; charset=utf-8"),
        other => return ApiError::route_not_found(&format!("/assets/{other}")).into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, ct),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

fn page(status: StatusCode, title: &str, body_attrs: &str, script: &str, main: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{}</title><link rel=\"stylesheet\" href=\"/assets/sandbox.css\">{}</head>\
<body{}><main><span class=\"sandbox-tag\">Yardstik sandbox</span>\n{}</main></body></html>\n",
        esc(title),
        if script.is_empty() {
            String::new()
        } else {
            format!("<script src=\"/assets/{script}\" defer></script>")
        },
        body_attrs,
        main
    );
    let mut r = (status, html).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    r
}

fn token_error_page(e: &JwtError) -> Response {
    match e {
        JwtError::Expired(exp) => page(
            StatusCode::UNAUTHORIZED,
            "Session expired",
            &format!(" data-token-expired=\"1\" data-exp=\"{exp}\""),
            "embed.js",
            "<div id=\"expired-banner\">Your session has expired. Please reload to continue.</div>",
        ),
        _ => page(StatusCode::UNAUTHORIZED, "Invalid token", "", "", "<h1>Invalid or missing token</h1><p>This page needs a valid web token (<code>?jwt=</code>).</p>"),
    }
}

fn check_token(s: &Shared, raw_query: Option<&str>) -> Result<(Claims, String), JwtError> {
    let jwt = query_get(raw_query, "jwt").unwrap_or_default();
    let claims = verify(&jwt, &s.jwt_secret, chrono::Utc::now().timestamp())?;
    Ok((claims, jwt))
}

fn expiry_banner() -> &'static str {
    "<div id=\"expired-banner\" hidden>Your session has expired. Please reload to continue.</div>"
}

fn not_found_page(what: &str) -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Not found",
        "",
        "",
        &format!("<h1>{} not found</h1>", esc(what)),
    )
}

fn opt(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) if s.is_empty() => "—".into(),
        Value::String(s) => esc(s),
        other => esc(&other.to_string()),
    }
}

fn render_report_html(r: &Value) -> String {
    let status = r["status"].as_str().unwrap_or("");
    let mut h = format!(
        "<h1>Background report</h1><p>Status: <span class=\"status status-{s}\" id=\"report-status\">{s}</span></p>\
<dl class=\"facts\"><dt>Candidate</dt><dd>{}</dd><dt>Email</dt><dd>{}</dd><dt>Package</dt><dd>{}</dd>\
<dt>Account</dt><dd>{}</dd><dt>Report id</dt><dd>{}</dd><dt>Submitted</dt><dd>{}</dd><dt>Completed</dt><dd>{}</dd></dl>",
        opt(&r["candidate"]["full_name"]),
        opt(&r["candidate"]["email"]),
        opt(&r["package_name"]),
        opt(&r["account_name"]),
        opt(&r["id"]),
        opt(&r["submitted_at"]),
        opt(&r["completed_at"]),
        s = esc(status),
    );
    h.push_str("<h2>Screenings</h2>");
    let screenings = r["report_screenings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if screenings.is_empty() {
        h.push_str("<p>No screenings.</p>");
    }
    for s in screenings {
        let st = s["status"].as_str().unwrap_or("");
        h.push_str(&format!(
            "<section class=\"screening\"><h3>{}</h3><p>Status: <span class=\"status status-{st}\">{st}</span></p>",
            opt(&s["label"]),
            st = esc(st)
        ));
        let records = s["records"].as_array().cloned().unwrap_or_default();
        if records.is_empty() && matches!(st, "created" | "processing" | "pending") {
            h.push_str("<p>Results are not available yet.</p>");
        }
        for rec in records {
            let violations = rec["violations"].as_array().cloned().unwrap_or_default();
            h.push_str(&format!(
                "<div class=\"record\"><strong>{}: {}</strong>",
                opt(&rec["category"]["key"]),
                opt(&rec["category"]["value"])
            ));
            if violations.is_empty() {
                h.push_str("<p>No records found.</p>");
            }
            for v in violations {
                h.push_str(&format!(
                    "<div class=\"violation\"><strong>{}</strong>",
                    opt(&v["description"])
                ));
                for (label, key) in [
                    ("Offense", "count_offense"),
                    ("Case", "case_number"),
                    ("Jurisdiction", "jurisdiction"),
                    ("Filed", "file_date"),
                    ("Disposition", "disposition"),
                    ("Disposition date", "disposition_date"),
                    ("Sentence", "sentence"),
                    ("Name on record", "name_on_record"),
                    ("DOB on record", "dob_on_record"),
                ] {
                    if let Some(x) = v.get(key).and_then(Value::as_str).filter(|x| !x.is_empty()) {
                        h.push_str(&format!("<br>{label}: {}", esc(x)));
                    }
                }
                h.push_str("</div>");
            }
            h.push_str("</div>");
        }
        h.push_str("</section>");
    }
    h
}

/// `GET /embed/report/{report_id}?jwt=…` — the token must be valid, unexpired, and its
/// `account_id` must own the report (else 404 page).
pub async fn report_page(State(s): State<Shared>, ids: Ids, RawQuery(q): RawQuery) -> Response {
    let (claims, _) = match check_token(&s, q.as_deref()) {
        Ok(c) => c,
        Err(e) => return token_error_page(&e),
    };
    let body = {
        let st = s.store();
        match st.report(&claims.account_id, ids.first()) {
            Some(r) => render_report_html(&st.render_report(r)),
            None => return not_found_page("Report"),
        }
    };
    page(
        StatusCode::OK,
        "Background report",
        &format!(" data-loaded=\"1\" data-exp=\"{}\"", claims.exp),
        "embed.js",
        &format!("{}{}", expiry_banner(), body),
    )
}

fn disclosures_html(st: &Store, account_id: &str) -> String {
    let Some(a) = st.account(account_id) else {
        return String::new();
    };
    a.disclosures
        .iter()
        .map(|d| {
            format!(
                "<section class=\"disclosure\"><h2>{}</h2><p>{}</p></section>",
                esc(&d.title),
                esc(&d.text.replace("{account_name}", &a.account_name))
            )
        })
        .collect()
}

/// `GET /embed/signDisclosures/{account_id}?jwt=…` — the account's disclosures with an Agree
/// button that records consent for the token's user.
pub async fn disclosures_page(
    State(s): State<Shared>,
    ids: Ids,
    RawQuery(q): RawQuery,
) -> Response {
    let (claims, jwt) = match check_token(&s, q.as_deref()) {
        Ok(c) => c,
        Err(e) => return token_error_page(&e),
    };
    let account_id = ids.first();
    if claims.account_id != account_id {
        return not_found_page("Account");
    }
    let (main, consented) = {
        let st = s.store();
        let Some(a) = st.account(account_id) else {
            return not_found_page("Account");
        };
        let consent = st
            .consents
            .iter()
            .rev()
            .find(|c| c.account_id == account_id && c.user_email == claims.user_email)
            .cloned();
        (
            format!(
                "<h1>{} — account disclosures</h1><p>Signed in as {}.</p>{}",
                esc(&a.account_name),
                esc(&claims.user_email),
                disclosures_html(&st, account_id)
            ),
            consent,
        )
    };
    let consent_url = format!(
        "/embed/signDisclosures/{}/consent?jwt={}",
        account_id,
        form_urlencoded::byte_serialize(jwt.as_bytes()).collect::<String>()
    );
    let action = match &consented {
        Some(c) => format!("<p id=\"consent-status\">Agreed on {}.</p>", esc(&ts(&c.created_at))),
        None => "<p><button id=\"agree\" type=\"button\">Agree</button></p><p id=\"consent-status\" role=\"status\"></p>".into(),
    };
    page(
        StatusCode::OK,
        "Account disclosures",
        &format!(
            " data-loaded=\"1\" data-exp=\"{}\" data-consent-url=\"{}\"",
            claims.exp,
            esc(&consent_url)
        ),
        "embed.js",
        &format!("{}{}{}", expiry_banner(), main, action),
    )
}

/// `POST /embed/signDisclosures/{account_id}/consent?jwt=…` → 201 `{id, account_id, user_email, consented_at}`.
pub async fn disclosures_consent(
    State(s): State<Shared>,
    ids: Ids,
    RawQuery(q): RawQuery,
) -> Response {
    let (claims, _) = match check_token(&s, q.as_deref()) {
        Ok(c) => c,
        Err(JwtError::Expired(_)) => {
            return ApiError::new(
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "The token has expired",
            )
            .into_response()
        }
        Err(_) => {
            return ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorized", "Invalid token")
                .into_response()
        }
    };
    if claims.account_id != ids.first() {
        return ApiError::not_found("account", ids.first()).into_response();
    }
    let c = Consent {
        id: new_id(),
        account_id: claims.account_id.clone(),
        user_email: claims.user_email.clone(),
        created_at: now(),
    };
    s.store().consents.push(c.clone());
    json_response(
        StatusCode::CREATED,
        json!({ "id": c.id, "account_id": c.account_id, "user_email": c.user_email, "consented_at": ts(&c.created_at) }),
    )
}

/// `GET /` — a human-readable landing page: what this is, the accounts and their packages.
pub async fn index(State(s): State<Shared>) -> Response {
    let mut h = String::from(
        "<h1>Yardstik sandbox</h1><p>A local emulator of the Yardstik API, its signed webhooks, its embed pages and the \
candidate apply page. See <code>crates/yardstik-sandbox/README.md</code>.</p>",
    );
    h.push_str(&format!(
        "<dl class=\"facts\"><dt>API base</dt><dd>{}</dd><dt>App origin</dt><dd>{}</dd></dl><h2>Accounts</h2>",
        esc(&s.base_url),
        esc(&s.app_origin)
    ));
    let st = s.store();
    for a in &st.accounts {
        h.push_str(&format!(
            "<section class=\"screening\"><h3>{}</h3><p>id <code>{}</code></p><ul>",
            esc(&a.account_name),
            esc(&a.id)
        ));
        for p in &a.account_packages {
            h.push_str(&format!(
                "<li>{} <code>{}</code> ({}): {}</li>",
                esc(&p.name),
                esc(&p.id),
                esc(&p.action_type),
                esc(&p
                    .screenings
                    .iter()
                    .map(|x| x.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", "))
            ));
        }
        h.push_str("</ul></section>");
    }
    page(StatusCode::OK, "Yardstik sandbox", "", "", &h)
}

// ---------------- apply page ----------------

#[derive(Default, Clone)]
struct ApplyForm {
    first_name: String,
    middle_name: String,
    last_name: String,
    email: String,
    phone: String,
    date_of_birth: String,
    ssn: String,
    line1: String,
    line2: String,
    city: String,
    state: String,
    zip_code: String,
    consent: bool,
}

struct ApplyCtx {
    account_id: String,
    account_name: String,
    report_id: String,
    package_name: String,
    invitation_status: Option<String>,
    report_status: String,
    confirmation_code: Option<String>,
    disclosures: String,
    form: ApplyForm,
}

fn apply_ctx(s: &Shared, candidate_id: &str, raw_query: Option<&str>) -> Option<ApplyCtx> {
    let report_id = query_get(raw_query, "report_id")?;
    let st = s.store();
    let r = st.report_any(&report_id)?;
    if r.candidate_id != candidate_id {
        return None;
    }
    let c = st.candidate(&r.account_id, candidate_id)?;
    let inv = st.invitation_for_report(&report_id);
    let a = st.account(&r.account_id)?;
    let addr = c.addresses.first();
    Some(ApplyCtx {
        account_id: r.account_id.clone(),
        account_name: a.account_name.clone(),
        report_id: report_id.clone(),
        package_name: st
            .package(&r.account_id, &r.account_package_id)
            .map(|p| p.name.clone())
            .unwrap_or_default(),
        // past `expires_at` but not swept yet: already expired for the candidate
        invitation_status: inv.map(|i| {
            if i.expires_at <= now()
                && crate::http::invitations::OPEN_STATUSES.contains(&i.status.as_str())
            {
                "expired".to_string()
            } else {
                i.status.clone()
            }
        }),
        report_status: r.status.clone(),
        confirmation_code: inv.map(|i| i.confirmation_code.clone()),
        disclosures: disclosures_html(&st, &r.account_id),
        form: ApplyForm {
            first_name: c.first_name.clone(),
            middle_name: c.middle_name.clone().unwrap_or_default(),
            last_name: c.last_name.clone(),
            email: c.email.clone(),
            phone: c.phone.clone().unwrap_or_default(),
            date_of_birth: c
                .date_of_birth
                .clone()
                .unwrap_or_default()
                .chars()
                .take(10)
                .collect(),
            ssn: String::new(),
            line1: addr.and_then(|a| a.line1.clone()).unwrap_or_default(),
            line2: addr.and_then(|a| a.line2.clone()).unwrap_or_default(),
            city: addr.and_then(|a| a.city.clone()).unwrap_or_default(),
            state: addr.and_then(|a| a.state.clone()).unwrap_or_default(),
            zip_code: addr.and_then(|a| a.zip_code.clone()).unwrap_or_default(),
            consent: false,
        },
    })
}

fn closed_reason(ctx: &ApplyCtx) -> Option<(StatusCode, String)> {
    match ctx.invitation_status.as_deref() {
        Some("canceled") => {
            return Some((
                StatusCode::GONE,
                "This invitation has been canceled.".into(),
            ))
        }
        Some("expired") => return Some((StatusCode::GONE, "This invitation has expired.".into())),
        _ => {}
    }
    if ctx.invitation_status.as_deref() == Some("completed") || ctx.report_status != "created" {
        return Some((
            StatusCode::OK,
            format!(
                "Your information has already been submitted.{}",
                ctx.confirmation_code
                    .as_ref()
                    .map(|c| format!(" Confirmation code: {}.", esc(c)))
                    .unwrap_or_default()
            ),
        ));
    }
    None
}

fn field(
    label: &str,
    name: &str,
    value: &str,
    kind: &str,
    extra: &str,
    errors: &Map<String, Value>,
) -> String {
    let err = errors
        .get(name)
        .and_then(|e| e.as_array())
        .map(|a| {
            format!(
                "<div class=\"error\" id=\"{name}-error\">{}</div>",
                esc(&a
                    .iter()
                    .filter_map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", "))
            )
        })
        .unwrap_or_default();
    format!(
        "<div><label for=\"{name}\">{}</label><input type=\"{kind}\" id=\"{name}\" name=\"{name}\" value=\"{}\" {extra}>{err}</div>",
        esc(label),
        esc(value)
    )
}

fn apply_form_page(
    status: StatusCode,
    ctx: &ApplyCtx,
    action: &str,
    started_url: &str,
    errors: &Map<String, Value>,
) -> Response {
    let f = &ctx.form;
    let mut h = format!(
        "<h1>Background check for {}</h1><p>Package: <strong>{}</strong>. Please confirm your details, read the disclosures and give your consent.</p>",
        esc(&ctx.account_name),
        esc(&ctx.package_name)
    );
    if !errors.is_empty() {
        h.push_str(
            "<div class=\"errors\" role=\"alert\">Please correct the highlighted fields.</div>",
        );
    }
    h.push_str(&format!(
        "<form id=\"apply-form\" class=\"apply\" method=\"post\" action=\"{}\" novalidate>",
        esc(action)
    ));
    h.push_str("<div class=\"row\">");
    h.push_str(&field(
        "First name",
        "first_name",
        &f.first_name,
        "text",
        "required autocomplete=\"given-name\"",
        errors,
    ));
    h.push_str(&field(
        "Middle name",
        "middle_name",
        &f.middle_name,
        "text",
        "autocomplete=\"additional-name\"",
        errors,
    ));
    h.push_str(&field(
        "Last name",
        "last_name",
        &f.last_name,
        "text",
        "required autocomplete=\"family-name\"",
        errors,
    ));
    h.push_str("</div><div class=\"row\">");
    h.push_str(&field(
        "Email", "email", &f.email, "email", "readonly", errors,
    ));
    h.push_str(&field(
        "Phone",
        "phone",
        &f.phone,
        "tel",
        "autocomplete=\"tel\"",
        errors,
    ));
    h.push_str("</div><div class=\"row\">");
    h.push_str(&field(
        "Date of birth",
        "date_of_birth",
        &f.date_of_birth,
        "date",
        "required",
        errors,
    ));
    h.push_str(&field(
        "Social Security Number (9 digits, or the last 4 in the sandbox)",
        "ssn",
        &f.ssn,
        "text",
        "required inputmode=\"numeric\" autocomplete=\"off\"",
        errors,
    ));
    h.push_str("</div>");
    h.push_str(&field(
        "Address",
        "line1",
        &f.line1,
        "text",
        "required autocomplete=\"address-line1\"",
        errors,
    ));
    h.push_str(&field(
        "Address line 2",
        "line2",
        &f.line2,
        "text",
        "autocomplete=\"address-line2\"",
        errors,
    ));
    h.push_str("<div class=\"row\">");
    h.push_str(&field(
        "City",
        "city",
        &f.city,
        "text",
        "required autocomplete=\"address-level2\"",
        errors,
    ));
    h.push_str(&field(
        "State (2 letters)",
        "state",
        &f.state,
        "text",
        "required maxlength=\"2\" autocomplete=\"address-level1\"",
        errors,
    ));
    h.push_str(&field(
        "ZIP code",
        "zip_code",
        &f.zip_code,
        "text",
        "required inputmode=\"numeric\" autocomplete=\"postal-code\"",
        errors,
    ));
    h.push_str("</div><h2>Disclosures</h2>");
    h.push_str(&ctx.disclosures);
    let cerr = if errors.contains_key("consent") {
        "<div class=\"error\" id=\"consent-error\">You must consent to continue.</div>"
    } else {
        ""
    };
    h.push_str(&format!(
        "<p class=\"consent\"><input type=\"checkbox\" id=\"consent\" name=\"consent\" value=\"yes\" required{}> \
<label for=\"consent\">I have read the disclosures and I authorize {} to obtain a background report about me.</label>{}</p>",
        if f.consent { " checked" } else { "" },
        esc(&ctx.account_name),
        cerr
    ));
    h.push_str("<p><input type=\"submit\" id=\"submit\" value=\"Submit\"></p></form>");
    h.push_str(
        "<p class=\"hint\">Sandbox: the report's outcome follows the last name — it contains <code>consider</code> → consider, \
<code>exception</code> → exception, <code>inforequested</code> → info_requested, <code>pending</code> → pending; otherwise clear.</p>",
    );
    page(
        status,
        "Candidate intake",
        &format!(" data-started-url=\"{}\"", esc(started_url)),
        "apply.js",
        &h,
    )
}

fn urls(candidate_id: &str, raw_query: Option<&str>) -> (String, String) {
    let q = raw_query.unwrap_or("");
    (
        format!("/candidates/{candidate_id}/apply?{q}"),
        format!("/candidates/{candidate_id}/apply/started?{q}"),
    )
}

/// `GET /candidates/{id}/apply?report_id=…` — the intake form; opening it marks the
/// invitation `viewed`.
pub async fn apply_page(State(s): State<Shared>, ids: Ids, RawQuery(q): RawQuery) -> Response {
    let Some(ctx) = apply_ctx(&s, ids.first(), q.as_deref()) else {
        return not_found_page("Application");
    };
    if let Some((status, msg)) = closed_reason(&ctx) {
        return page(
            status,
            "Candidate intake",
            "",
            "",
            &format!("<h1>Background check</h1><p id=\"closed\">{msg}</p>"),
        );
    }
    crate::progression::touch_invitation(&s, &ctx.report_id, "viewed");
    let (action, started) = urls(ids.first(), q.as_deref());
    apply_form_page(StatusCode::OK, &ctx, &action, &started, &Map::new())
}

/// `POST /candidates/{id}/apply/started?report_id=…` — first interaction: invitation `clicked`.
pub async fn apply_started(State(s): State<Shared>, ids: Ids, RawQuery(q): RawQuery) -> Response {
    let Some(ctx) = apply_ctx(&s, ids.first(), q.as_deref()) else {
        return ApiError::not_found(
            "report",
            &query_get(q.as_deref(), "report_id").unwrap_or_default(),
        )
        .into_response();
    };
    crate::progression::touch_invitation(&s, &ctx.report_id, "clicked");
    StatusCode::NO_CONTENT.into_response()
}

/// `POST /candidates/{id}/apply?report_id=…` (form) — validates, completes the intake, and
/// answers a confirmation page that posts `yardstik:form_submitted` to the parent.
pub async fn apply_submit(
    State(s): State<Shared>,
    ids: Ids,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let Some(mut ctx) = apply_ctx(&s, ids.first(), q.as_deref()) else {
        return not_found_page("Application");
    };
    if let Some((status, msg)) = closed_reason(&ctx) {
        return page(
            status,
            "Candidate intake",
            "",
            "",
            &format!("<h1>Background check</h1><p id=\"closed\">{msg}</p>"),
        );
    }
    let mut f = ctx.form.clone();
    f.consent = false;
    for (k, v) in form_urlencoded::parse(&body) {
        let v = v.trim().to_string();
        match k.as_ref() {
            "first_name" => f.first_name = v,
            "middle_name" => f.middle_name = v,
            "last_name" => f.last_name = v,
            "phone" => f.phone = v,
            "date_of_birth" => f.date_of_birth = v,
            "ssn" => f.ssn = v,
            "line1" => f.line1 = v,
            "line2" => f.line2 = v,
            "city" => f.city = v,
            "state" => f.state = v.to_uppercase(),
            "zip_code" => f.zip_code = v,
            "consent" => f.consent = matches!(v.as_str(), "yes" | "on" | "true" | "1"),
            _ => {}
        }
    }
    let mut errors = super::FieldErrors::default();
    for (name, v) in [
        ("first_name", &f.first_name),
        ("last_name", &f.last_name),
        ("line1", &f.line1),
        ("city", &f.city),
    ] {
        if v.is_empty() {
            errors.add(name, "can't be blank");
        }
    }
    match chrono::NaiveDate::parse_from_str(&f.date_of_birth, "%Y-%m-%d") {
        Ok(d)
            if d < chrono::Utc::now().date_naive()
                && d.format("%Y").to_string().as_str() > "1900" => {}
        _ => errors.add("date_of_birth", "must be a valid past date (YYYY-MM-DD)"),
    }
    let ssn_digits: String = f.ssn.chars().filter(|c| c.is_ascii_digit()).collect();
    if !(ssn_digits.len() == 9 || ssn_digits.len() == 4)
        || f.ssn
            .chars()
            .any(|c| !(c.is_ascii_digit() || c == '-' || c == ' '))
    {
        errors.add("ssn", "must be 9 digits (or the last 4)");
    }
    if f.state.len() != 2 || !f.state.chars().all(|c| c.is_ascii_alphabetic()) {
        errors.add("state", "must be a two-letter state code");
    }
    if !(f.zip_code.len() == 5 && f.zip_code.chars().all(|c| c.is_ascii_digit())) {
        errors.add("zip_code", "must be 5 digits");
    }
    if !f.consent {
        errors.add("consent", "is required");
    }
    let (action, started) = urls(ids.first(), q.as_deref());
    if !errors.is_empty() {
        f.ssn.clear();
        ctx.form = f;
        return apply_form_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ctx,
            &action,
            &started,
            &errors.0,
        );
    }
    let overrides = json!({
        "first_name": f.first_name,
        "middle_name": if f.middle_name.is_empty() { Value::Null } else { json!(f.middle_name) },
        "last_name": f.last_name,
        "phone": if f.phone.is_empty() { Value::Null } else { json!(f.phone) },
        "date_of_birth": f.date_of_birth,
        "ssn": f.ssn,
        "addresses": [{
            "line1": f.line1, "line2": if f.line2.is_empty() { Value::Null } else { json!(f.line2) },
            "city": f.city, "state": f.state, "zip_code": f.zip_code, "country": "US"
        }],
    });
    let overrides = overrides.as_object().cloned().unwrap_or_default();
    crate::progression::touch_invitation(&s, &ctx.report_id, "clicked");
    if let Err(e) =
        crate::progression::complete_intake(&s, &ctx.account_id, &ctx.report_id, &overrides)
    {
        let mut m = Map::new();
        if let Some(errs) = e.meta.get("errors").and_then(|v| v.as_object()) {
            m = errs.clone();
        } else {
            m.insert("first_name".into(), json!([e.detail]));
        }
        f.ssn.clear();
        ctx.form = f;
        return apply_form_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ctx,
            &action,
            &started,
            &m,
        );
    }
    page(
        StatusCode::OK,
        "Submitted",
        " data-submitted=\"1\"",
        "apply.js",
        &format!(
            "<h1>Thank you</h1><p id=\"submitted\">Your information was submitted to {}.{}</p>",
            esc(&ctx.account_name),
            ctx.confirmation_code
                .as_ref()
                .map(|c| format!(" Confirmation code: <strong>{}</strong>.", esc(c)))
                .unwrap_or_default()
        ),
    )
}
