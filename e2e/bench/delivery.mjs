// Delivery-latency benchmark. Places N ATS orders (one package each) on the server, then,
// at a fixed rate, moves each order's Yardstik report to `clear` with the sandbox's control
// endpoint. The sandbox sends its signed `report.*` webhooks both to the server and — through
// a second registration for the same account — straight to this process, so in one run:
//   delivery latency  = ATS result webhook (status complete) received here
//                       − the same Yardstik webhook received here directly
//   reference         = the direct Yardstik webhook received here − the control call sent
//                       (the sandbox's own hop: what any receiver pays before the server starts)
//
//   node e2e/bench/delivery.mjs SERVER_URL SANDBOX_URL RECEIVER_PORT [orders=1000] [rate=25/s]
// → one JSON object on stdout; progress on stderr.
import { startReceiver } from '../lib/receiver.mjs';

const [SERVER, SANDBOX, PORT, N_ARG, RATE_ARG] = process.argv.slice(2);
if (!SERVER || !SANDBOX || !PORT) { console.error('usage: delivery.mjs SERVER_URL SANDBOX_URL RECEIVER_PORT [orders] [rate]'); process.exit(2); }
const N = Number(N_ARG || 1000);
const RATE = Number(RATE_ARG || 25);
const ACCOUNT = '7d3f5a4e-1c2b-4e8f-9a6d-0b1c2d3e4f50';
const ATS_AUTH = `Basic ${Buffer.from('demo-ats:demo-ats-secret').toString('base64')}`;
const YS_AUTH = 'Account demo-yardstik-key';
const RUN = `bench-${Date.now().toString(36)}`;
const log = (...a) => console.error('[delivery]', ...a);

const now = () => performance.timeOrigin + performance.now();
// Arrival times, taken as each webhook arrives.
const direct = new Map(); // report id → first Yardstik webhook arrival
const result = new Map(); // background_check_id → ATS "complete" arrival
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

async function post(url, body, auth) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: auth },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url} → ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

async function pool(items, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) { const i = next++; await fn(items[i], i); }
  }));
}

// The direct registration: the same report events the server subscribes to, to this process.
for (const type of ['report.updated', 'report.completed']) {
  await post(`${SANDBOX}/accounts/${ACCOUNT}/webhooks`, { webhook_type: type, url: `${receiver.url}/yardstik` }, YS_AUTH);
}

// 1. The orders (not timed here: order intake has its own figure).
const orders = [];
const t0 = Date.now();
await pool(Array.from({ length: N }, (_, i) => i), 8, async (i) => {
  const id = `${RUN}-${i}`;
  const state = await post(`${SERVER}/ats/orders`, {
    account_id: 'demo-ats', background_check_id: id, package_id: 'PKG001', add_on_package_ids: [],
    webhook_url: `${receiver.url}/ats`,
    applicant: { id: `a-${id}`, first_name: 'Bench', last_name: 'Clearly', phone: '888-555-1234',
      email: `${id}@example.com`, address: '123 Main St.', city: 'Springfield', state: 'IL', zip: '12345' },
  }, ATS_AUTH);
  let reportId = state && state.items && state.items[0] && state.items[0].report_id;
  for (let tries = 0; !reportId && tries < 50; tries++) {
    await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(`${SERVER}/ats/orders/${id}`, { headers: { authorization: ATS_AUTH } });
    const s = await res.json();
    reportId = s.items && s.items[0] && s.items[0].report_id;
  }
  if (!reportId) throw new Error(`order ${id} has no report_id`);
  orders.push({ id, reportId });
});
log(`${orders.length} orders placed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
// Let invitation/report.created traffic settle before timing anything.
await new Promise((r) => setTimeout(r, 2000));

// 2. The triggers, open loop at RATE per second.
const gap = 1000 / RATE;
const start = now();
await pool(orders, 4, async (o, i) => {
  const due = start + i * gap;
  const wait = due - now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  sent.set(o.reportId, now());
  await post(`${SANDBOX}/sandbox/reports/${o.reportId}/status`, { status: 'clear' }, YS_AUTH);
});
log(`${orders.length} reports moved to clear in ${((now() - start) / 1000).toFixed(1)} s`);

// 3. Wait (bounded) for every result.
const deadline = Date.now() + 120_000;
while (result.size < orders.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
await receiver.close();

const hop = [], delivery = [];
let missingDirect = 0, missingResult = 0;
for (const o of orders) {
  const d = direct.get(o.reportId), r = result.get(o.id), s = sent.get(o.reportId);
  if (d == null) { missingDirect++; continue; }
  if (r == null) { missingResult++; continue; }
  hop.push(d - s);
  delivery.push(r - d);
}
const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : null; };
const sum = (a) => ({ n: a.length, p50: +(pct(a, 50) ?? NaN).toFixed(2), p90: +(pct(a, 90) ?? NaN).toFixed(2),
  p99: +(pct(a, 99) ?? NaN).toFixed(2), max: a.length ? +Math.max(...a).toFixed(2) : null, over_1s: a.filter((x) => x > 1000).length });
console.log(JSON.stringify({ orders: orders.length, rate: RATE, missing_direct: missingDirect, missing_result: missingResult,
  delivery: sum(delivery), reference_hop: sum(hop) }));
process.exit(0);
