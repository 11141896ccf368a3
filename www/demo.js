// The demo ATS page: logs the widgets' events, lists the orders placed here, and opens an
// order's report or review (hiring manager) in-page, and the candidate portal (apply mode:
// the candidate's forms, progress and report) in its own section.
const $ = (sel) => document.querySelector(sel);
const KEY = 'screening-demo-orders';
const orders = JSON.parse(localStorage.getItem(KEY) || '[]');

function log(type, detail) {
  const li = document.createElement('li');
  const t = document.createElement('code');
  t.textContent = type;
  li.append(t, ' ', JSON.stringify(detail, (k, v) => (k === 'order' ? undefined : v)));
  $('#events').prepend(li);
}

for (const name of ['loaded', 'order-created', 'order-failed', 'token-refreshed', 'iframe-loaded',
  'form-submitted', 'decision', 'error']) {
  document.addEventListener(`screening:${name}`, (e) => log(e.type, e.detail));
}

function widget(mode, id) {
  const w = document.createElement('screening-widget');
  w.setAttribute('mode', mode);
  w.setAttribute('session-url', '/demo/session');
  w.setAttribute('background-check-id', id);
  return w;
}

// The candidate's own view of their order, in its own section: a real ATS shows it on the
// candidate's side, with a session that has only the `candidate` capability for this order.
function openPortal(id) {
  $('#portal-empty').hidden = true;
  const label = $('#portal-for');
  label.hidden = false;
  label.textContent = `Signed in as the candidate of background check ${id}.`;
  $('#portal').replaceChildren(widget('apply', id));
  $('#candidate-portal').scrollIntoView({ block: 'start' });
}

function open(mode, id) {
  if (mode === 'apply') { openPortal(id); return; }
  const viewer = $('#viewer');
  viewer.replaceChildren();
  const h = document.createElement('h3');
  h.textContent = {
    report: `Report for ${id}`,
    review: `Review and decide ${id} (hiring manager)`,
  }[mode];
  viewer.append(h, widget(mode, id));
}

function render() {
  $('#no-orders').hidden = orders.length > 0;
  const ul = $('#orders');
  ul.replaceChildren();
  for (const o of orders) {
    const li = document.createElement('li');
    const id = document.createElement('code');
    id.textContent = o.id;
    li.append(id, ` · ${o.status} · ordered ${new Date(o.at).toLocaleString()} `);
    for (const [mode, label] of [['report', 'Open report'], ['review', 'Review and decide'], ['apply', 'Open candidate portal']]) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      b.addEventListener('click', () => open(mode, o.id));
      li.append(b);
    }
    ul.append(li);
  }
}

document.addEventListener('screening:order-created', (e) => {
  orders.unshift({ id: e.detail.backgroundCheckId, status: e.detail.status, at: Date.now() });
  orders.splice(20);
  localStorage.setItem(KEY, JSON.stringify(orders));
  render();
});

$('#open-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const id = $('#open-id').value.trim();
  if (id) open(e.submitter ? e.submitter.value : 'report', id);
});

render();
