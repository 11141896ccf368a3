// Widget start benchmark: navigation → package list interactive (a package radio in the DOM
// and enabled), in headless Chromium, for the widget page and the plain-JS reference page,
// interleaved in one run. "cold": a new browser context (empty cache) per load; "warm": one
// context, the page loaded again (HTTP and compiled-wasm caches hot).
//
//   node e2e/bench/start.mjs BASE_URL [loads=25]   → one JSON object on stdout
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../lib/browser.mjs';

const BASE = process.argv[2];
const LOADS = Number(process.argv[3] || 25);
if (!BASE) { console.error('usage: start.mjs BASE_URL [loads]'); process.exit(2); }
const PAGES = { widget: `${BASE}/widget.html`, plain: `${BASE}/plain.html` };

// Records performance.now() (ms since navigation start) when the first enabled package
// radio appears, in the document or in any shadow root (the widget renders in one).
function detector() {
  const roots = [document];
  const check = () => {
    if (window.__interactiveAt != null) return;
    for (const r of roots) {
      if (r.querySelector('input[name="sw-package"]:not([disabled])')) {
        window.__interactiveAt = performance.now();
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

async function once(context, url) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  try {
    await page.goto(url, { waitUntil: 'commit', timeout: 30_000 });
    await page.waitForFunction(() => window.__interactiveAt != null, null, { timeout: 30_000, polling: 50 });
    return await page.evaluate(() => window.__interactiveAt);
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
const out = { loads: LOADS, cold: { widget: [], plain: [] }, warm: { widget: [], plain: [] } };
try {
  // One throw-away load of each first (Chromium's own start-up costs land on neither).
  {
    const c = await browser.newContext();
    await c.addInitScript(detector);
    for (const u of Object.values(PAGES)) await once(c, u);
    await c.close();
  }
  for (let i = 0; i < LOADS; i++) {
    const order = i % 2 ? ['plain', 'widget'] : ['widget', 'plain'];
    for (const which of order) {
      const c = await browser.newContext();
      await c.addInitScript(detector);
      out.cold[which].push(await once(c, PAGES[which]));
      await c.close();
    }
  }
  const warm = {};
  for (const which of Object.keys(PAGES)) {
    warm[which] = await browser.newContext();
    await warm[which].addInitScript(detector);
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
