// The demo ATS page: logs the widgets' events, lists the orders placed here, and opens an
// order's report (hiring manager) or candidate portal (apply mode) in-page.
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

function open(mode, id) {
  const viewer = $('#viewer');
  viewer.replaceChildren();
  const h = document.createElement('h3');
  h.textContent = {
    report: `Report for ${id}`,
    review: `Review and decide ${id} (hiring manager)`,
    apply: `Candidate portal for ${id} (what the candidate sees)`,
  }[mode];
  const w = document.createElement('screening-widget');
  w.setAttribute('mode', mode);
  w.setAttribute('session-url', '/demo/session');
  w.setAttribute('background-check-id', id);
  viewer.append(h, w);
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
