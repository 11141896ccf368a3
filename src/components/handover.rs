//! What the user did in the loader's preview of the order form before this wasm ran
//! (`_prefetch.preview` on the config: `js/screening_widget_order_preview.js`'s `state()`),
//! carried into the order form's first render so nothing they did is lost: the package and
//! add-ons chosen, the fields typed in (kept over a later prefill, as typing here is) and
//! left (their errors show), the focus and caret, and a submit (sent through the form's own
//! submit, with its checks).
//!
//! Read once, at the mount, and only what fits this form: a package or add-on that is not in
//! the list shown, or a field that is not one of the form's, is dropped.

use screening_wire::{Applicant, PackageList};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement, HtmlInputElement};

use crate::applicant::{set_field, FIELDS};
use crate::js::get;

/// The choices and fields the first render starts from (the order form's own state).
#[derive(Default)]
pub struct Start {
    pub selected: Option<String>,
    pub add_ons: Vec<String>,
    /// The host's prefill, with what was typed over it.
    pub applicant: Applicant,
    pub edited: Vec<&'static str>,
    pub touched: Vec<&'static str>,
}

/// What the first render's effects do with the preview's state (see [`resume`]).
#[derive(Default)]
pub struct Resume {
    /// The focused element's id, and its caret or selection when it has one.
    focus: Option<(String, Option<u32>, Option<u32>)>,
    submitted: bool,
}

/// Whether `list` (a JS array) holds the string `s`.
fn has(list: &JsValue, s: &str) -> bool {
    list.dyn_ref::<js_sys::Array>()
        .is_some_and(|a| a.includes(&JsValue::from_str(s), 0))
}

fn position(v: &JsValue) -> Option<u32> {
    v.as_f64()
        .filter(|n| n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(n))
        .map(|n| n as u32)
}

/// The form's starting state for `applicant` (the host's prefill) and the handover in
/// `prefetch` (the config's `_prefetch`), for a form showing `list` (`None` while it loads:
/// then no package or add-on is taken, the fields and focus are).
pub fn start(
    prefetch: &JsValue,
    list: Option<&PackageList>,
    applicant: Applicant,
) -> (Start, Resume) {
    let mut start = Start {
        applicant,
        ..Start::default()
    };
    let p = if prefetch.is_object() {
        get(prefetch, "preview")
    } else {
        JsValue::UNDEFINED
    };
    if !p.is_object() {
        return (start, Resume::default());
    }
    if let Some(list) = list {
        start.selected = get(&p, "selected")
            .as_string()
            .filter(|id| list.packages.iter().any(|x| x.id == *id));
        let chosen = get(&p, "addOns");
        start.add_ons = list
            .add_on_packages
            .iter()
            .filter(|a| has(&chosen, &a.id))
            .map(|a| a.id.clone())
            .collect();
    }
    let (fields, touched) = (get(&p, "fields"), get(&p, "touched"));
    for &(key, ..) in FIELDS.iter() {
        if let Some(value) = get(&fields, key).as_string() {
            set_field(&mut start.applicant, key, value);
            start.edited.push(key);
        }
        if has(&touched, key) {
            start.touched.push(key);
        }
    }
    let f = get(&p, "focus");
    let focus = get(&f, "id")
        .as_string()
        .filter(|id| !id.is_empty())
        .map(|id| (id, position(&get(&f, "start")), position(&get(&f, "end"))));
    let submitted = get(&p, "submitted").as_bool() == Some(true);
    (start, Resume { focus, submitted })
}

/// In the first render's DOM (`root`, the order form's own element): focus what had the
/// focus in the preview, with its caret, then submit when the preview was submitted (the
/// form's submit button, so it goes through the same checks as a click now would).
pub fn resume(root: &Element, h: &Resume) {
    if let Some((id, start, end)) = &h.focus {
        let list = root.query_selector_all("[id]").ok();
        let found = list.and_then(|l| {
            (0..l.length())
                .filter_map(|i| l.get(i)?.dyn_into::<Element>().ok())
                .find(|e| e.id() == *id)
        });
        if let Some(el) = found.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
            let _ = el.focus();
            if let (Some(input), Some(start), Some(end)) =
                (el.dyn_ref::<HtmlInputElement>(), start, end)
            {
                // Not every input type has a caret (email does not): nothing to restore then.
                let _ = input.set_selection_range(*start, *end);
            }
        }
    }
    if h.submitted {
        let submit = root.query_selector(".sw-submit").ok().flatten();
        if let Some(button) = submit.and_then(|b| b.dyn_into::<HtmlElement>().ok()) {
            button.click();
        }
    }
}
