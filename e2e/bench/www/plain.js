// The reference for the widget-start benchmark: no framework, no wasm. It does what the
// widget's order mode does before the package list is interactive: get a session from the
// host backend, GET /widget/packages with it, render the same cards/add-ons/total/applicant
// form markup, and wire the change handlers.
const FIELDS = [
  ['first_name', 'First name', 'given-name', 'text'], ['last_name', 'Last name', 'family-name', 'text'],
  ['email', 'Email', 'email', 'email'], ['phone', 'Phone', 'tel', 'tel'],
  ['address', 'Street address', 'address-line1', 'text'], ['address_2', 'Address line 2 (optional)', 'address-line2', 'text'],
  ['city', 'City', 'address-level2', 'text'], ['state', 'State (2 letters)', 'address-level1', 'text'],
  ['zip', 'ZIP code', 'postal-code', 'text'],
];

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

const cents = (p) => Math.round(parseFloat(p || '0') * 100);
const money = (c) => `$${(c / 100).toFixed(2)}`;

function card(p, type, name) {
  const id = `sw-${type === 'radio' ? 'pkg' : 'addon'}-${p.id}`;
  const body = el('span', { class: 'sw-card-body' },
    el('span', { class: 'sw-card-top' },
      el('span', { class: 'sw-name' }, p.name),
      el('span', { class: 'sw-price' }, type === 'radio' ? money(cents(p.price)) : `+${money(cents(p.price))}`)),
    p.description ? el('span', { class: 'sw-desc' }, p.description) : null,
    p.screenings && p.screenings.length
      ? el('ul', { class: 'sw-screenings', 'aria-label': `Screenings in ${p.name}` }, ...p.screenings.map((s) => el('li', {}, s)))
      : null);
  return el('label', { class: 'sw-card', for: id },
    el('input', { type, id, value: p.id, name: name || false, required: type === 'radio' }), body);
}

async function main() {
  const app = document.getElementById('app');
  app.append(el('div', { class: 'sw-order', 'aria-busy': 'true' }, el('p', { role: 'status' }, 'Loading packages…')));
  const session = await (await fetch('/demo/session', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"capabilities":["order"]}',
  })).json();
  const list = await (await fetch('/widget/packages', { headers: { authorization: `Bearer ${session.token}` } })).json();

  const output = el('output', { 'aria-labelledby': 'sw-total-label', 'aria-live': 'polite' }, money(0));
  const form = el('form', { class: 'sw-order', novalidate: true },
    el('div', { role: 'status', 'aria-live': 'polite', class: 'sw-sr' }),
    el('fieldset', { class: 'sw-packages' }, el('legend', {}, 'Background check package'),
      el('div', { class: 'sw-cards' }, ...list.packages.map((p) => card(p, 'radio', 'sw-package')))),
    (list.add_on_packages || []).length
      ? el('fieldset', { class: 'sw-add-ons' }, el('legend', {}, 'Add-ons'),
        el('div', { class: 'sw-cards' }, ...list.add_on_packages.map((p) => card(p, 'checkbox'))))
      : null,
    el('div', { class: 'sw-total' }, el('span', { id: 'sw-total-label' }, 'Total'), output),
    el('fieldset', { class: 'sw-applicant' }, el('legend', {}, 'Applicant'),
      el('div', { class: 'sw-fields' }, ...FIELDS.map(([key, label, ac, type]) =>
        el('div', { class: 'sw-field' }, el('label', { for: `sw-f-${key}` }, label),
          el('input', { id: `sw-f-${key}`, name: key, type, autocomplete: ac, maxlength: key === 'state' ? '2' : '200' }))))),
    el('div', { class: 'sw-actions' }, el('button', { type: 'submit', class: 'sw-btn sw-submit' }, 'Order background check · $0.00')));
  const prices = new Map([...list.packages, ...(list.add_on_packages || [])].map((p) => [p.id, cents(p.price)]));
  form.addEventListener('change', () => {
    let total = 0;
    for (const i of form.querySelectorAll('.sw-cards input:checked')) total += prices.get(i.value) || 0;
    for (const l of form.querySelectorAll('.sw-card')) l.classList.toggle('is-selected', l.querySelector('input').checked);
    output.textContent = money(total);
    form.querySelector('.sw-submit').textContent = `Order background check · ${money(total)}`;
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  app.replaceChildren(form);
}

main();
