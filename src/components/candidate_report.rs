//! A finished package's report for the candidate, rendered by the widget from
//! `screening_wire::CandidateReport` (`GET …/report`): a heading per screening, its records
//! in plain language with dates in the reader's locale, "What you can do" (the FCRA rights in
//! short, how to dispute with Yardstik, whom to contact), and a print layout without the
//! buttons (`@media print` in `candidate.css`).

use wasm_bindgen::JsValue;
use yew::prelude::*;

use super::load::Load;
use super::markup::{esc, raw};
use super::status::{loading, notice};
use crate::js::{get, list, obj, s, text};

/// A date in the reader's locale ("March 20, 2021"). A bare date (`2021-03-20`) is a
/// calendar day, not an instant: formatted in UTC so that no time zone moves it.
pub fn date_label(raw: &str) -> String {
    let date = js_sys::Date::new(&s(raw));
    if date.get_time().is_nan() {
        return raw.to_string();
    }
    let utc = if raw.len() == 10 {
        s("UTC")
    } else {
        JsValue::UNDEFINED
    };
    let opts = obj(&[("dateStyle", s("long")), ("timeZone", utc)]);
    date.to_locale_date_string("default", &opts).into()
}

/// What the report's status means for the candidate.
fn outcome(status: &str) -> &'static str {
    match status {
        "clear" => "The checks are complete and found nothing for the employer to review.",
        "consider" => "The checks are complete and found records the employer will review before deciding.",
        "proceed" => "The employer reviewed this report and decided to proceed.",
        "pre_adverse" => "The employer is considering a decision against you based on this report. You should have received a notice by email; you have time to respond or to dispute the report before the decision is final.",
        "final_adverse" => "The employer made a decision against you based on this report. You may dispute it and ask for a free copy of your file (see below).",
        "dispute" => "Yardstik is handling your dispute of this report.",
        _ => "",
    }
}

fn screening_status(status: &str) -> &str {
    match status {
        "clear" => "Clear",
        "consider" => "Records found",
        other => other,
    }
}

/// `<tag class="class">text</tag>`, the text escaped.
fn el(h: &mut String, open: &str, text: &str, close: &str) {
    h.push_str(open);
    esc(h, text);
    h.push_str(close);
}

/// A definition row, only when the fact is given.
fn row(h: &mut String, label: &str, value: Option<String>) {
    if let Some(v) = value {
        h.push_str("<dt>");
        h.push_str(label);
        el(h, "</dt><dd>", &v, "</dd>");
    }
}

/// A screening: its heading and status, then the records that report something (a record
/// without violations is a search that found nothing), each violation in plain words.
fn screening(h: &mut String, sc: &JsValue) {
    el(
        h,
        "<section class=\"sw-screening\"><h3>",
        &text(sc, "name").unwrap_or_default(),
        "</h3>",
    );
    if let Some(st) = text(sc, "status") {
        el(
            h,
            "<p class=\"sw-muted\">Status: ",
            screening_status(&st),
            "</p>",
        );
    }
    let records: Vec<JsValue> = list(sc, "records")
        .iter()
        .filter(|r| list(r, "violations").length() > 0)
        .collect();
    if records.is_empty() {
        h.push_str("<p>No records found.</p>");
    } else {
        h.push_str("<ul class=\"sw-records\">");
        for rec in &records {
            h.push_str("<li class=\"sw-record\"><p class=\"sw-record-src\">");
            match text(rec, "source") {
                Some(src) => el(h, "Record from ", &src, ""),
                None => h.push_str("A record"),
            }
            h.push_str("</p><ul class=\"sw-violations\">");
            for v in list(rec, "violations").iter() {
                el(
                    h,
                    "<li class=\"sw-violation\"><p class=\"sw-violation-h\">",
                    &text(&v, "description").unwrap_or_default(),
                    "</p><dl class=\"sw-dl\">",
                );
                row(h, "Offense", text(&v, "offense"));
                row(h, "Outcome", text(&v, "disposition"));
                row(h, "Date", text(&v, "date").map(|d| date_label(&d)));
                row(h, "Where", text(&v, "jurisdiction"));
                h.push_str("</dl></li>");
            }
            h.push_str("</ul></li>");
        }
        h.push_str("</ul>");
    }
    h.push_str("</section>");
}

/// "What you can do": the FCRA rights in short and how to dispute.
const RIGHTS: &str = "<section class=\"sw-rights\" aria-labelledby=\"sw-rights-h\">\
<h3 id=\"sw-rights-h\">What you can do</h3>\
<p>Under the Fair Credit Reporting Act (FCRA) you have the right to:</p><ul>\
<li>know what is in your file and get a copy of this report;</li>\
<li>be told before an employer acts against you because of a report: it must first send you a notice with a copy of the report and a summary of your rights, and give you time to respond;</li>\
<li>dispute anything that is incomplete or wrong: the consumer reporting agency must investigate, usually within 30 days, and correct or remove what it cannot verify;</li>\
<li>have outdated negative information left out (in most cases after seven years);</li>\
<li>a free copy of your file if you ask within 60 days of an adverse action notice;</li>\
<li>seek damages from anyone who breaks these rules.</li></ul>\
<p>The full \u{201c}A Summary of Your Rights Under the Fair Credit Reporting Act\u{201d} is published by the Consumer Financial Protection Bureau (consumerfinance.gov).</p>\
<h4>How to dispute this report</h4>\
<p>Yardstik, the consumer reporting agency that prepared this report, handles disputes. Tell them which item is wrong and why, and include any documents that show it. The employer did not prepare the report and cannot change it.</p>\
<dl class=\"sw-dl sw-contact\">";

/// The finished package `package_id` of `report` (a `CandidateReport`), as markup; `None`
/// when the report does not have it finished.
fn report_html(report: &JsValue, package_id: &str) -> Option<String> {
    let p = list(report, "packages")
        .iter()
        .find(|p| text(p, "package_id").as_deref() == Some(package_id))
        .filter(|p| get(p, "complete").is_truthy())?;
    let mut h = String::from("<div>");
    if let Some(at) = text(&p, "completed_at") {
        el(
            &mut h,
            "<p class=\"sw-muted\">Completed <time datetime=\"",
            &at,
            "\">",
        );
        esc(&mut h, &date_label(&at));
        h.push_str("</time></p>");
    }
    h.push_str("<p class=\"sw-outcome\">");
    h.push_str(outcome(&text(&p, "report_status").unwrap_or_default()));
    h.push_str("</p>");
    for sc in list(&p, "screenings").iter() {
        screening(&mut h, &sc);
    }
    h.push_str(RIGHTS);
    let c = get(report, "contact");
    row(&mut h, "Contact", text(&c, "name"));
    for (label, key, scheme) in [("Email", "email", "mailto:"), ("Phone", "phone", "tel:")] {
        if let Some(v) = text(&c, key) {
            h.push_str("<dt>");
            h.push_str(label);
            h.push_str("</dt><dd><a href=\"");
            h.push_str(scheme);
            esc(&mut h, &v);
            el(&mut h, "\">", &v, "</a></dd>");
        }
    }
    h.push_str("</dl></section></div>");
    Some(h)
}

/// The report of `pkg` (a `CandidateProgress`; or its loading / error state), with Back and
/// Print.
pub fn report_view(
    pkg: &JsValue,
    report: &Load,
    close: Callback<MouseEvent>,
    retry: Callback<MouseEvent>,
) -> Html {
    let print = Callback::from(|_: MouseEvent| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    });
    let body = match report {
        Load::Loading => loading("Loading your report…".into()),
        Load::Failed(e) => notice(
            true,
            "Your report could not be loaded".into(),
            e.message().into(),
            Some((retry, "Try again")),
            Html::default(),
        ),
        Load::Ready(r) => match report_html(r, &text(pkg, "package_id").unwrap_or_default()) {
            Some(h) => raw(h),
            None => {
                html! { <p>{ "This report is not finished yet. Please look again later." }</p> }
            }
        },
    };
    html! {
        <article class="sw-report" aria-labelledby="sw-report-h">
            <div class="sw-actions sw-report-bar sw-noprint">
                <button type="button" class="sw-btn is-secondary" id="sw-report-back" onclick={close}>{ "Back to your background check" }</button>
                <button type="button" class="sw-btn" id="sw-print" onclick={print}>{ "Print / Save as PDF" }</button>
            </div>
            <h2 class="sw-h" id="sw-report-h" tabindex="-1">{ "Your background check report" }</h2>
            <p class="sw-report-pkg">{ text(pkg, "name").unwrap_or_default() }</p>
            { body }
        </article>
    }
}
