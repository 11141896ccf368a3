// The order form drawn before the order build's wasm runs: the loader often has the package
// list before the wasm is compiled, and this draws, from that list, the markup the wasm's
// first render draws (same elements, attributes, text and stylesheet), so the list can be
// used at once. Its controls are the browser's own (radios, checkboxes, text fields): what
// the user picks or types works without the wasm. When the wasm mounts, the loader reads
// `state()` (package and add-ons chosen, fields typed in or left, the focus, a submit) and
// hands it to the wasm, whose first render carries it on; the wasm's mount then replaces
// this markup with its own in the same task (no frame shows neither). Anything the wasm
// would show differently (an error, another list) is the wasm's to show: the preview is
// drawn only for a 200 answer with a well-formed, non-empty list.
// `pkg-scripts/build-widget` writes the order build's stylesheet (widget.css's base and
// form sections, the same bytes the wasm installs) into CSS below.
// Nothing here touches the DOM when the module loads.

/** The order build's stylesheet. */
export const CSS = '';

let prepared = null;
/** Parse the stylesheet ahead of the drawing (once per page): the loader calls this while
 *  the package list is on its way. */
export function prepare() {
  if (prepared || typeof CSSStyleSheet != 'function') return;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    prepared = sheet;
  } catch { prepared = null; }
}

// The applicant's fields in form order: key, label, autocomplete, input type, wide (as the
// wasm's order form has them).
const FIELDS = [
  ['first_name', 'First name', 'given-name', 'text', false],
  ['last_name', 'Last name', 'family-name', 'text', false],
  ['email', 'Email', 'email', 'email', false],
  ['phone', 'Phone', 'tel', 'tel', false],
  ['address', 'Street address', 'address-line1', 'text', true],
  ['address_2', 'Address line 2 (optional)', 'address-line2', 'text', true],
  ['city', 'City', 'address-level2', 'text', false],
  ['state', 'State (2 letters)', 'address-level1', 'text', false],
  ['zip', 'ZIP code', 'postal-code', 'text', false],
];
const KEYS = FIELDS.map((f) => f[0]);

// Prices as the wasm shows them: decimal strings summed as integer cents, never as floats.
// "29.99", "29.9", "29", "$1,029.99" parse; more than two decimals, negatives and anything
// else do not (shown verbatim, and counted as "priced on request" in the total).
function parseCents(price) {
  let s = price.trim();
  if (s.startsWith('$')) s = s.slice(1);
  const dot = s.indexOf('.');
  const whole = (dot < 0 ? s : s.slice(0, dot)).replaceAll(',', '');
  const frac = dot < 0 ? '' : s.slice(dot + 1);
  if ((whole === '' && frac === '') || whole.length > 12 || frac.length > 2
    || !/^[0-9]*$/.test(whole) || !/^[0-9]*$/.test(frac)) return null;
  return Number(whole || '0') * 100 + Number(frac.padEnd(2, '0') || '0');
}

function formatCents(cents) {
  const whole = String(Math.floor(cents / 100)).replace(/\B(?=(\d{3})+$)/g, ',');
  return `$${whole}.${String(cents % 100).padStart(2, '0')}`;
}

function display(price) {
  if (price == null) return 'Price on request';
  const c = parseCents(price);
  return c == null ? price : formatCents(c);
}

function totalLabel(prices) {
  let cents = 0;
  let unpriced = 0;
  for (const p of prices) {
    const c = p == null ? null : parseCents(p);
    if (c == null) unpriced += 1; else cents += c;
  }
  const sum = formatCents(cents);
  return unpriced === 0 ? sum : `${sum} + ${unpriced} item${unpriced === 1 ? '' : 's'} priced on request`;
}

const str = (v) => typeof v == 'string';
const optStr = (v) => v === undefined || v === null || str(v);

// The list when it is one the wasm shows as a form (PackageList on the wire); else null.
function listOf(text) {
  let list;
  try { list = JSON.parse(text); } catch { return null; }
  if (list === null || typeof list != 'object') return null;
  const { packages } = list;
  const addOns = list.add_on_packages === undefined ? [] : list.add_on_packages;
  if (!Array.isArray(packages) || packages.length === 0 || !Array.isArray(addOns)) return null;
  const pkgOk = (p) => p !== null && typeof p == 'object' && str(p.id) && str(p.name)
    && optStr(p.price) && optStr(p.description)
    && (p.screenings === undefined || (Array.isArray(p.screenings) && p.screenings.every(str)));
  const addOk = (a) => a !== null && typeof a == 'object' && str(a.id) && str(a.name) && str(a.price)
    && str(a.description);
  if (!packages.every(pkgOk) || !addOns.every(addOk)) return null;
  return { packages, addOns };
}

// A config value as the wasm reads a string: a string or number, trimmed; '' when absent.
function strOf(obj, key) {
  if (obj === null || (typeof obj != 'object' && typeof obj != 'function')) return '';
  const v = obj[key];
  return typeof v == 'string' || typeof v == 'number' ? String(v).trim() : '';
}

function el(doc, tag, attrs, ...children) {
  const e = doc.createElement(tag);
  for (const [k, v] of attrs) e.setAttribute(k, v);
  for (const c of children) if (c != null) e.append(c);
  return e;
}

/** Draw the order form for the package list in `text` (the body of a 200 answer to
 *  GET /widget/packages) into `element`'s shadow root. Returns null, drawing nothing, when
 *  the list is not one the wasm shows as a form or there is no shadow root to draw in;
 *  else { state(), remove() }: `state()` stops following the form and says what the user
 *  did in it; `remove()` takes the drawing away (when the wasm will not mount). */
export function preview(element, config, text) {
  const list = listOf(text);
  const doc = element && element.ownerDocument;
  if (!list || !doc || typeof element.attachShadow != 'function') return null;
  let root = element.shadowRoot;
  if (!root) {
    try { root = element.attachShadow({ mode: 'open' }); } catch { return null; }
  }
  if (root.childNodes.length) return null;
  const nonce = strOf(config, 'nonce');

  const h = (tag, attrs, ...children) => el(doc, tag, attrs, ...children);
  const card = (p, addOn) => {
    const id = `sw-${addOn ? 'addon' : 'pkg'}-${p.id}`;
    const input = addOn
      ? h('input', [['type', 'checkbox'], ['id', id], ['value', p.id]])
      : h('input', [['type', 'radio'], ['name', 'sw-package'], ['id', id], ['required', 'required'], ['value', p.id]]);
    const price = addOn ? `+${display(p.price)}` : display(p.price);
    const screenings = !addOn && p.screenings && p.screenings.length
      ? h('ul', [['class', 'sw-screenings']], ...p.screenings.map((s) => h('li', [], s))) : null;
    return h('label', [['for', id], ['class', 'sw-card']], input,
      h('span', [['class', 'sw-card-body']],
        h('span', [['class', 'sw-card-top']], h('span', [['class', 'sw-name']], p.name), h('span', [['class', 'sw-price']], price)),
        p.description != null ? h('span', [['class', 'sw-desc']], p.description) : null,
        screenings));
  };
  const applicant = config && config.applicant;
  const inputs = {};
  const fields = FIELDS.map(([key, label, autocomplete, type, wide]) => {
    const input = h('input', [['id', `sw-f-${key}`], ['name', key], ['type', type], ['autocomplete', autocomplete],
      ...(key === 'address_2' ? [] : [['aria-required', 'true']]), ['aria-invalid', 'false'],
      ['maxlength', key === 'state' ? '2' : '200']]);
    input.value = strOf(applicant, key);
    inputs[key] = input;
    return h('div', [['class', wide ? 'sw-field is-wide' : 'sw-field']], h('label', [['for', `sw-f-${key}`]], label), input);
  });
  const output = h('output', [['aria-labelledby', 'sw-total-label'], ['aria-live', 'polite']], totalLabel([]));
  const submit = h('button', [['type', 'submit'], ['class', 'sw-btn sw-submit']], 'Order background check');
  const form = h('form', [['novalidate', 'novalidate']],
    h('fieldset', [['tabindex', '-1'], ['class', 'sw-packages']], h('legend', [], 'Background check package'),
      h('div', [['class', 'sw-cards']], ...list.packages.map((p) => card(p, false)))),
    list.addOns.length ? h('fieldset', [['class', 'sw-add-ons']], h('legend', [], 'Add-ons'),
      h('div', [['class', 'sw-cards']], ...list.addOns.map((a) => card(a, true)))) : null,
    h('div', [['class', 'sw-total']], h('span', [['id', 'sw-total-label']], 'Total'), output),
    h('fieldset', [['class', 'sw-applicant']], h('legend', [], 'Applicant'), h('div', [['class', 'sw-fields']], ...fields)),
    h('div', [['class', 'sw-actions']], submit));
  const container = h('div', [['class', 'sw-root'], ['data-mode', 'order']],
    h('div', [['class', 'sw-order']],
      h('p', [['role', 'status'], ['aria-live', 'polite'], ['aria-atomic', 'true'], ['class', 'sw-status']]),
      form));
  // The theme as the wasm sets it: `--sw-*` custom properties through the CSSOM.
  const theme = config && config.theme;
  if (theme !== null && typeof theme == 'object') {
    for (const [k, v] of Object.entries(theme)) {
      const name = k.startsWith('--') ? k : `--sw-${k}`;
      if (str(v) && name.startsWith('--sw-')) container.style.setProperty(name, v);
    }
  }

  // The stylesheet as the wasm installs it: a <style> with the host's nonce, else adopted.
  let style = null;
  let adopted = false;
  if (!nonce && 'adoptedStyleSheets' in root) {
    prepare();
    try {
      root.adoptedStyleSheets = [prepared];
      adopted = true;
    } catch { adopted = false; } // a sheet from another document, or none
  }
  if (!adopted) {
    style = h('style', nonce ? [['nonce', nonce]] : []);
    if (nonce) style.nonce = nonce;
    style.textContent = CSS;
    root.append(style);
  }
  root.append(container);

  // What the user does before the wasm: followed here, handed over by state().
  let selected = null;
  const addOns = [];
  const edited = new Set();
  const touched = new Set();
  let submitted = false;
  let following = true;
  const prices = new Map([...list.packages, ...list.addOns].map((p) => [p.id, p.price]));
  const onChange = (e) => {
    const t = e.target;
    if (!following || !t || t.tagName !== 'INPUT') return;
    if (t.type === 'radio' && t.name === 'sw-package' && t.checked) selected = t.value;
    else if (t.type === 'checkbox') {
      const i = addOns.indexOf(t.value);
      if (t.checked && i < 0) addOns.push(t.value);
      if (!t.checked && i >= 0) addOns.splice(i, 1);
    } else return;
    for (const c of form.querySelectorAll('.sw-card')) {
      c.className = c.querySelector('input').checked ? 'sw-card is-selected' : 'sw-card';
    }
    const label = totalLabel([selected, ...addOns].filter((id) => id != null).map((id) => prices.get(id)));
    output.textContent = label;
    submit.textContent = selected == null ? 'Order background check' : `Order background check · ${label}`;
  };
  const onInput = (e) => {
    if (following && e.target && KEYS.includes(e.target.name) && inputs[e.target.name] === e.target) edited.add(e.target.name);
  };
  const onLeave = (e) => {
    if (following && e.target && KEYS.includes(e.target.name) && inputs[e.target.name] === e.target) touched.add(e.target.name);
  };
  const onSubmit = (e) => {
    e.preventDefault();
    if (following) submitted = true;
  };
  form.addEventListener('change', onChange);
  form.addEventListener('input', onInput);
  form.addEventListener('focusout', onLeave);
  form.addEventListener('submit', onSubmit);
  const stop = () => {
    following = false;
    form.removeEventListener('change', onChange);
    form.removeEventListener('input', onInput);
    form.removeEventListener('focusout', onLeave);
    form.removeEventListener('submit', onSubmit);
  };

  return {
    state() {
      stop();
      const active = root.activeElement;
      let focus = null;
      if (active && active.id && container.contains(active)) {
        let start = null;
        let end = null;
        try { start = active.selectionStart; end = active.selectionEnd; } catch { /* no selection */ }
        focus = { id: active.id, start: typeof start == 'number' ? start : null, end: typeof end == 'number' ? end : null };
      }
      const typed = {};
      for (const key of edited) typed[key] = inputs[key].value;
      return { selected, addOns: addOns.slice(), fields: typed, touched: [...touched], focus, submitted };
    },
    remove() {
      stop();
      container.remove();
      if (style) style.remove();
      if (adopted) root.adoptedStyleSheets = [];
    },
  };
}
