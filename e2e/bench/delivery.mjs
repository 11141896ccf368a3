// Delivery-latency benchmark, driven by pkg-scripts/bench over stdin/stdout.
//
//   node e2e/bench/delivery.mjs SERVER_URL SANDBOX_URL RECEIVER_PORT ORDERS RATE
//
// 1. Places ORDERS ATS orders (one package each) on the server, result webhooks to its own
//    receiver, and registers that receiver with the sandbox for the account's `report.*`
//    webhooks (a second registration beside the server's). Prints `READY` and waits for a
//    `GO` line on stdin: the caller decides what happens in between (wait until idle, or an
//    order-intake burst right before).
// 2. Moves each order's report to `clear` with the sandbox's control route, open loop at
//    RATE per second, and waits (bounded) for every ATS result (`status: complete`).
// 3. Prints `RESULT <json>`: per order the times (epoch ms) of the control call, of the
//    Yardstik webhook arriving here directly, and of the ATS result arriving here; the caller
//    joins them with the server's own inbox/outbox timestamps. Then removes its registrations.
// Fails (exit 1) on any error, or when a result does not arrive within 120 s.
import { startReceiver } from '../lib/receiver.mjs';

const [SERVER, SANDBOX, PORT, N_ARG, RATE_ARG] = process.argv.slice(2);
if (!SERVER || !SANDBOX || !PORT) { console.error('usage: delivery.mjs SERVER_URL SANDBOX_URL RECEIVER_PORT ORDERS RATE'); process.exit(2); }
const N = Number(N_ARG || 1000);
const RATE = Number(RATE_ARG || 25);
const ACCOUNT = '7d3f5a4e-1c2b-4e8f-9a6d-0b1c2d3e4f50';
const ATS_AUTH = `Basic ${Buffer.from('demo-ats:demo-ats-secret').toString('base64')}`;
const YS_AUTH = 'Account demo-yardstik-key';
const RUN = `dl-${Date.now().toString(36)}-${process.pid}`;
const log = (...a) => console.error('[delivery]', ...a);
const now = () => performance.timeOrigin + performance.now();
// Lines from the caller (GO, DONE), kept from the start so none is lost.
let stdinText = '';
let stdinEnded = false;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { stdinText += d; });
process.stdin.on('end', () => { stdinEnded = true; });
async function waitFor(word) {
  while (!stdinText.split('\n').some((l) => l.trim() === word)) {
    if (stdinEnded) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

const direct = new Map(); // report id → first Yardstik webhook arrival here
const result = new Map(); // background_check_id → ATS "complete" arrival here
const sent = new Map(); // report id → control call sent
const receiver = await startReceiver(Number(PORT), {
  keep: false,
  onEntry(e) {
    const t = now();
    if (e.url.startsWith('/yardstik') && e.body && e.body.resource_type === 'report' && sent.has(e.body.resource_id) && !direct.has(e.body.resource_id)) {
      direct.set(e.body.resource_id, t);
    } else if (e.url.startsWith('/ats') && e.body && e.body.status === 'complete' && !result.has(e.body.background_check_id)) {
      result.set(e.body.background_check_id, t);
    }
  },
});

async function call(method, url, body, auth) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: auth },
    body: body == null ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

async function pool(items, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) { const i = next++; await fn(items[i], i); }
  }));
}

const hooks = [];
async function unregister() {
  for (const id of hooks.splice(0)) {
    await call('DELETE', `${SANDBOX}/accounts/${ACCOUNT}/webhooks/${id}`, null, YS_AUTH).catch((e) => log(`could not remove webhook ${id}: ${e.message}`));
  }
}

try {
  const orders = [];
  const t0 = Date.now();
  await pool(Array.from({ length: N }, (_, i) => i), 8, async (i) => {
    const id = `${RUN}-${i}`;
    const state = await call('POST', `${SERVER}/ats/orders`, {
      account_id: 'demo-ats', background_check_id: id, package_id: 'PKG001', add_on_package_ids: [],
      webhook_url: `${receiver.url}/ats`,
      applicant: { id: `a-${id}`, first_name: 'Bench', last_name: 'Clearly', phone: '888-555-1234',
        email: `${id}@example.com`, address: '123 Main St.', city: 'Springfield', state: 'IL', zip: '12345' },
    }, ATS_AUTH);
    let reportId = state?.items?.[0]?.report_id;
    for (let tries = 0; !reportId && tries < 50; tries++) {
      await new Promise((r) => setTimeout(r, 100));
      reportId = (await call('GET', `${SERVER}/ats/orders/${id}`, null, ATS_AUTH))?.items?.[0]?.report_id;
    }
    if (!reportId) throw new Error(`order ${id} has no report_id`);
    orders.push({ id, reportId });
  });
  log(`${orders.length} orders placed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  for (const type of ['report.updated', 'report.completed']) {
    const w = await call('POST', `${SANDBOX}/accounts/${ACCOUNT}/webhooks`, { webhook_type: type, url: `${receiver.url}/yardstik` }, YS_AUTH);
    hooks.push(w.id);
  }

  console.log('READY');
  if (!(await waitFor('GO'))) throw new Error('stdin closed before GO');

  const gap = 1000 / RATE;
  const start = now();
  await pool(orders, 16, async (o, i) => {
    const due = start + i * gap;
    const wait = due - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sent.set(o.reportId, due);
    await call('POST', `${SANDBOX}/sandbox/reports/${o.reportId}/status`, { status: 'clear' }, YS_AUTH);
  });
  log(`${orders.length} reports moved to clear in ${((now() - start) / 1000).toFixed(1)} s`);
  const deadline = Date.now() + 120_000;
  while ((result.size < orders.length || direct.size < orders.length) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const rows = orders.map((o) => ({ id: o.id, report: o.reportId, sent: sent.get(o.reportId), direct: direct.get(o.reportId) ?? null, result: result.get(o.id) ?? null }));
  const missing = rows.filter((r) => r.direct == null || r.result == null).length;
  console.log(`RESULT ${JSON.stringify({ orders: orders.length, rate: RATE, missing, rows })}`);
  await unregister();
  // Late webhooks still reach the receiver until the caller says DONE (or closes stdin).
  await waitFor('DONE');
  await receiver.close();
  if (missing) { log(`${missing} of ${orders.length} results missing after 120 s`); process.exit(1); }
  process.exit(0);
} catch (e) {
  log(e.stack || String(e));
  await unregister();
  process.exit(1);
}
