// One step of the order-rate ladder (pkg-scripts/bench sets the sandbox's latency fault first).
//
//   node e2e/bench/capacity.mjs SERVER_URL SANDBOX_URL RECEIVER_PORT RATE SECONDS
//
// Places ATS orders open loop at RATE per second for SECONDS (order i is due at start + i/RATE,
// sent then whatever happened to earlier ones). As soon as an order is answered, its report is
// completed (`clear`, the sandbox's control route, which no fault delays). The latency of an
// order is from its due time to its ATS result (`status: complete`) arriving at this process's
// receiver. Waits at most 60 s after the last order for the results; prints one JSON object:
// orders, errors (any failed call, samples kept), missing results, p50/p90/p99/max in ms.
import { startReceiver } from '../lib/receiver.mjs';

const [SERVER, SANDBOX, PORT, RATE_ARG, SECS_ARG] = process.argv.slice(2);
if (!SERVER || !SANDBOX || !PORT || !RATE_ARG) { console.error('usage: capacity.mjs SERVER_URL SANDBOX_URL RECEIVER_PORT RATE SECONDS'); process.exit(2); }
const RATE = Number(RATE_ARG);
const SECS = Number(SECS_ARG || 10);
const ATS_AUTH = `Basic ${Buffer.from('demo-ats:demo-ats-secret').toString('base64')}`;
const YS_AUTH = 'Account demo-yardstik-key';
const RUN = `cap-${Date.now().toString(36)}-${process.pid}`;
const now = () => performance.timeOrigin + performance.now();

const result = new Map();
const receiver = await startReceiver(Number(PORT), {
  keep: false,
  onEntry(e) {
    if (e.url.startsWith('/ats') && e.body?.status === 'complete' && !result.has(e.body.background_check_id)) {
      result.set(e.body.background_check_id, now());
    }
  },
});

async function call(method, url, body, auth) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: auth },
    body: body == null ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url.replace(/^https?:\/\/[^/]+/, '')} → ${res.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : null;
}

const n = Math.max(1, Math.round(RATE * SECS));
const due = new Map();
const errors = [];
const start = now() + 20;
const tasks = [];
for (let i = 0; i < n; i++) {
  const at = start + (i * 1000) / RATE;
  const wait = at - now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const id = `${RUN}-${i}`;
  due.set(id, at);
  tasks.push((async () => {
    try {
      const state = await call('POST', `${SERVER}/ats/orders`, {
        account_id: 'demo-ats', background_check_id: id, package_id: 'PKG001', add_on_package_ids: [],
        webhook_url: `${receiver.url}/ats`,
        applicant: { id: `a-${id}`, first_name: 'Rate', last_name: 'Clearly', phone: '888-555-1234',
          email: `${id}@example.com`, address: '123 Main St.', city: 'Springfield', state: 'IL', zip: '12345' },
      }, ATS_AUTH);
      let reportId = state?.items?.[0]?.report_id;
      for (let tries = 0; !reportId && tries < 100; tries++) {
        await new Promise((r) => setTimeout(r, 50));
        reportId = (await call('GET', `${SERVER}/ats/orders/${id}`, null, ATS_AUTH))?.items?.[0]?.report_id;
      }
      if (!reportId) throw new Error(`order ${id} has no report_id`);
      await call('POST', `${SANDBOX}/sandbox/reports/${reportId}/status`, { status: 'clear' }, YS_AUTH);
    } catch (e) {
      errors.push(e.message);
    }
  })());
}
await Promise.all(tasks);
const deadline = Date.now() + 60_000;
while (result.size + errors.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

const lat = [...due].filter(([id]) => result.has(id)).map(([id, at]) => result.get(id) - at).sort((a, b) => a - b);
const pct = (p) => (lat.length ? +lat[Math.min(lat.length - 1, Math.max(0, Math.ceil((p / 100) * lat.length) - 1))].toFixed(1) : null);
console.log('RESULT ' + JSON.stringify({
  rate: RATE, seconds: SECS, orders: n, errors: errors.length, error_samples: errors.slice(0, 5),
  missing: n - lat.length, p50_ms: pct(50), p90_ms: pct(90), p99_ms: pct(99), max_ms: lat.length ? +lat[lat.length - 1].toFixed(1) : null,
  elapsed_s: +((now() - start) / 1000).toFixed(2),
}));
// Late webhooks (progress updates) still reach the receiver until the caller says DONE.
let stdinText = '';
await new Promise((resolve) => {
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d) => { stdinText += d; if (stdinText.includes('DONE')) resolve(); });
  process.stdin.on('end', resolve);
});
await receiver.close();
process.exit(0);
