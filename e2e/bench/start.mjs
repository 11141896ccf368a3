// Widget start benchmark: navigation → package list interactive (a package radio in the DOM
// and enabled), in headless Chromium, for the widget page and the plain-JS reference page,
// interleaved in one run. "cold": a new browser context (empty cache) per load; "warm": one
// context, the page loaded again (its HTTP cache hot; V8 caches compiled wasm only for code
// hot enough to be optimised, which a start does not reach, so each load compiles again).
//
//   node e2e/bench/start.mjs BASE_URL [loads=25]   → one JSON object on stdout
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../lib/browser.mjs';

const BASE = process.argv[2];
const LOADS = Number(process.argv[3] || 25);
if (!BASE) { console.error('usage: start.mjs BASE_URL [loads]'); process.exit(2); }
const PAGES = { widget: `${BASE}/widget.html`, plain: `${BASE}/plain.html` };

// Records performance.now() (ms since navigation start) when the first enabled package
// radio appears, in the document or in any shadow root (the widget renders in one), and
// reports it as a console message. The harness waits for that message instead of polling
// the page: a poll (Playwright's waitForFunction) runs Playwright's injected script in the
// page's renderer while it loads, 20–40 ms of main-thread work on the critical path of
// both pages, which adds the same time to each and pulls their ratio towards 1.
const MARK = 'screening-bench:interactive';
function detector(mark) {
  const roots = [document];
  let reported = false;
  const check = () => {
    if (reported) return;
    for (const r of roots) {
      if (r.querySelector('input[name="sw-package"]:not([disabled])')) {
        reported = true;
        console.debug(mark, performance.now());
        obs.disconnect();
        return;
      }
    }
  };
  const obs = new MutationObserver(check);
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    roots.push(root);
    obs.observe(root, { subtree: true, childList: true, attributes: true });
    return root;
  };
  obs.observe(document, { subtree: true, childList: true, attributes: true });
}

// Bytes of the widget's own files (/static/widget/…) as the browser received them: the
// encoded body size Chromium reports (after any content-encoding), per URL.
async function wireSizes(page, sink) {
  page.on('requestfinished', (req) => {
    const u = new URL(req.url());
    if (!u.pathname.startsWith('/static/widget/')) return;
    sink.push((async () => {
      const sizes = await req.sizes();
      const res = await req.response();
      // The decoded file, compressed here as the reference: gzip -9 and brotli 11.
      const body = res ? await res.body() : Buffer.alloc(0);
      return { path: u.pathname, body_bytes: sizes.responseBodySize, header_bytes: sizes.responseHeadersSize,
        encoding: (res && (await res.allHeaders())['content-encoding']) || 'identity', status: res ? res.status() : 0,
        raw: body.length, gzip9: zlib.gzipSync(body, { level: 9 }).length,
        brotli11: zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length };
    })());
  });
}

async function once(context, url, wire = null) {
  const page = await context.newPage();
  if (wire) await wireSizes(page, wire);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  try {
    const seen = page.waitForEvent('console', { predicate: (m) => m.text().startsWith(`${MARK} `), timeout: 30_000 });
    seen.catch(() => {}); // awaited below, unless the navigation fails first
    await page.goto(url, { waitUntil: 'commit', timeout: 30_000 });
    const at = Number((await seen).text().slice(MARK.length + 1));
    if (!Number.isFinite(at)) throw new Error('the detector reported no time');
    if (wire) await page.waitForLoadState('networkidle', { timeout: 30_000 }).catch(() => {});
    return at;
  } catch (err) {
    throw new Error(`${url}: the package list did not become interactive (${err.message}); ${problems.join('; ') || 'no page errors'}`);
  } finally {
    await page.close();
  }
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
const summary = (a) => ({ n: a.length, median: +median(a).toFixed(1), p90: +pct(a, 90).toFixed(1), min: +Math.min(...a).toFixed(1), max: +Math.max(...a).toFixed(1) });

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
const out = { loads: LOADS, cold: { widget: [], plain: [] }, warm: { widget: [], plain: [] }, wire: null };
try {
  // One throw-away load of each first (Chromium's own start-up costs land on neither).
  {
    const c = await browser.newContext();
    await c.addInitScript(detector, MARK);
    for (const u of Object.values(PAGES)) await once(c, u);
    await c.close();
  }
  // The widget's files on the wire, from a cold load (empty cache) of its page.
  {
    const c = await browser.newContext();
    await c.addInitScript(detector, MARK);
    const pending = [];
    await once(c, PAGES.widget, pending);
    const files = await Promise.all(pending);
    await c.close();
    const sum = (k) => files.reduce((a, f) => a + f[k], 0);
    out.wire = { files, body_bytes: sum('body_bytes'), raw: sum('raw'), gzip9: sum('gzip9'), brotli11: sum('brotli11') };
  }
  for (let i = 0; i < LOADS; i++) {
    const order = i % 2 ? ['plain', 'widget'] : ['widget', 'plain'];
    for (const which of order) {
      const c = await browser.newContext();
      await c.addInitScript(detector, MARK);
      out.cold[which].push(await once(c, PAGES[which]));
      await c.close();
    }
  }
  const warm = {};
  for (const which of Object.keys(PAGES)) {
    warm[which] = await browser.newContext();
    await warm[which].addInitScript(detector, MARK);
    await once(warm[which], PAGES[which]);
  }
  for (let i = 0; i < LOADS; i++) {
    const order = i % 2 ? ['plain', 'widget'] : ['widget', 'plain'];
    for (const which of order) out.warm[which].push(await once(warm[which], PAGES[which]));
  }
  for (const c of Object.values(warm)) await c.close();
} finally {
  await browser.close();
}
for (const k of ['cold', 'warm']) for (const w of ['widget', 'plain']) out[k][w] = summary(out[k][w]);
console.log(JSON.stringify(out));
