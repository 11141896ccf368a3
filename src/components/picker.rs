//! Package cards (a radio group in a fieldset), add-on checkboxes, and the running total.

use std::rc::Rc;

use screening_wire::PackageList;
use yew::prelude::*;

use crate::money::{self, Total};

pub struct PickerProps {
    pub list: Rc<PackageList>,
    pub selected: Option<String>,
    pub add_ons: Vec<String>,
    pub on_select: Callback<String>,
    pub on_toggle_add_on: Callback<String>,
    pub disabled: bool,
    pub error: Option<String>,
}

/// Class strings built by hand: `classes!` would bring an `IndexSet` (and its hashing) in.
fn card_class(checked: bool, disabled: bool) -> &'static str {
    match (checked, disabled) {
        (false, false) => "sw-card",
        (true, false) => "sw-card is-selected",
        (false, true) => "sw-card is-disabled",
        (true, true) => "sw-card is-selected is-disabled",
    }
}

/// The total of the chosen package and add-ons, in exact decimal arithmetic.
pub fn total_of(list: &PackageList, selected: Option<&str>, add_ons: &[String]) -> Total {
    let pkg = list
        .packages
        .iter()
        .filter(|p| Some(p.id.as_str()) == selected);
    let adds = list
        .add_on_packages
        .iter()
        .filter(|a| add_ons.contains(&a.id));
    Total::of(
        pkg.map(|p| p.price.as_deref())
            .chain(adds.map(|a| Some(a.price.as_str()))),
    )
}

/// The package and add-on choice (a plain function: no component of its own).
pub fn picker(props: PickerProps) -> Html {
    let props = &props;
    let disabled = props.disabled;
    let packages = props.list.packages.iter().map(|p| {
        let checked = props.selected.as_deref() == Some(p.id.as_str());
        let id = p.id.clone();
        let on_select = props.on_select.clone();
        let onchange = Callback::from(move |_: Event| on_select.emit(id.clone()));
        let input_id = format!("sw-pkg-{}", p.id);
        html! {
            <label key={p.id.clone()} for={input_id.clone()}
                   class={card_class(checked, disabled)}>
                <input type="radio" name="sw-package" id={input_id} value={p.id.clone()}
                       {checked} {disabled} {onchange} required=true
                       aria-describedby={props.error.as_ref().map(|_| "sw-err-package")} />
                <span class="sw-card-body">
                    <span class="sw-card-top">
                        <span class="sw-name">{ &p.name }</span>
                        <span class="sw-price">{ money::display(p.price.as_deref()) }</span>
                    </span>
                    if let Some(d) = &p.description { <span class="sw-desc">{ d }</span> }
                    if !p.screenings.is_empty() {
                        <ul class="sw-screenings">
                            { for p.screenings.iter().map(|s| html! { <li>{ s }</li> }) }
                        </ul>
                    }
                </span>
            </label>
        }
    });
    let add_ons = props.list.add_on_packages.iter().map(|a| {
        let checked = props.add_ons.contains(&a.id);
        let id = a.id.clone();
        let on_toggle = props.on_toggle_add_on.clone();
        let onchange = Callback::from(move |_: Event| on_toggle.emit(id.clone()));
        let input_id = format!("sw-addon-{}", a.id);
        html! {
            <label key={a.id.clone()} for={input_id.clone()}
                   class={card_class(checked, disabled)}>
                <input type="checkbox" id={input_id} value={a.id.clone()} {checked} {disabled} {onchange} />
                <span class="sw-card-body">
                    <span class="sw-card-top">
                        <span class="sw-name">{ &a.name }</span>
                        <span class="sw-price">{ format!("+{}", money::display(Some(&a.price))) }</span>
                    </span>
                    <span class="sw-desc">{ &a.description }</span>
                </span>
            </label>
        }
    });
    let total = total_of(&props.list, props.selected.as_deref(), &props.add_ons);
    html! {
        <>
            <fieldset class="sw-packages" tabindex="-1">
                <legend>{ "Background check package" }</legend>
                <div class="sw-cards">{ for packages }</div>
                if let Some(e) = &props.error {
                    <p class="sw-field-error" id="sw-err-package">{ e }</p>
                }
            </fieldset>
            if !props.list.add_on_packages.is_empty() {
                <fieldset class="sw-add-ons">
                    <legend>{ "Add-ons" }</legend>
                    <div class="sw-cards">{ for add_ons }</div>
                </fieldset>
            }
            <div class="sw-total">
                <span id="sw-total-label">{ "Total" }</span>
                <output aria-labelledby="sw-total-label" aria-live="polite">{ total.label() }</output>
            </div>
        </>
    }
}
