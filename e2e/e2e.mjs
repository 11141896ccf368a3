// End-to-end test of the whole flow against a running demo system (started by e2e/run):
// hiring manager orders through the widget on the demo ATS page, the candidate completes
// Yardstik's intake, the test ATS receives the result webhook, the candidate follows the
// order to done and reads the report in the candidate portal, the report opens in-page from
// `result_link_url`, and an expired Yardstik token is renewed without a page reload.
// Three runs: a clear report; a consider report the hiring manager proceeds with (the ATS
// then receives Pass); a consider report the hiring manager takes through an adverse action
// (refused without violations and without the explanation a California candidate needs; then
// pre-adverse with two violations; the sandbox's clock moved; final adverse: Fail). Then an
// apply link Yardstik turned into a `javascript:` URL is refused and no script runs.
// With E2E_REFERENCE_ONLY=1 the sandbox serves only what Yardstik's reference shows (no
// adverse-action list, query predicates only on dates) and its apply pages are on a second
// origin (SANDBOX_PROFILE_URL, standing for profile.yardstik.com): every step still passes.
//
// Env: SERVER_URL, SANDBOX_URL, SANDBOX_PROFILE_URL, E2E_REFERENCE_ONLY, RECEIVER_PORT,
// E2E_ARTIFACTS, E2E_TOKEN_TTL_SECS.
import fs from 'node:fs';
import path from 'node:path';
import { launch } from './lib/browser.mjs';
import { startReceiver } from './lib/receiver.mjs';

const SERVER = need('SERVER_URL');
const SANDBOX = need('SANDBOX_URL');
const PROFILE = process.env.SANDBOX_PROFILE_URL || SANDBOX;
const REFERENCE_ONLY = process.env.E2E_REFERENCE_ONLY === '1';
const RECEIVER_PORT = Number(need('RECEIVER_PORT'));
const ARTIFACTS = process.env.E2E_ARTIFACTS || path.resolve('target/e2e-artifacts');
const TOKEN_TTL = Number(process.env.E2E_TOKEN_TTL_SECS || 15);
const RUN_ID = Date.now().toString(36);

// Bounded waits (ms). Nothing here is a timed assertion: these only stop a hung run.
const T = { ui: 20_000, nav: 30_000, webhook: 60_000, expiry: (TOKEN_TTL + 30) * 1000 };

function need(name) {
  const v = process.env[name];
  if (!v) { console.error(`e2e: ${name} is not set (run e2e/run)`); process.exit(2); }
  return v;
}

const FOUR_FIELDS = ['background_check_id', 'result', 'result_link_url', 'status'];
// The demo's Yardstik account (the sandbox's default fixture).
const DEMO_ACCOUNT = '7d3f5a4e-1c2b-4e8f-9a6d-0b1c2d3e4f50';
// What step 1 orders (the demo tenant's catalog, crates/screening-server/fixtures/demo-tenant.json).
const ORDERED_ITEMS = [{ package_id: 'PKG002', add_on: false }, { package_id: 'DRG01', add_on: true }];
// The demo tenant's ATS credentials (pkg-scripts/demo seeds the fixture), to read orders back.
const ATS_AUTH = `Basic ${Buffer.from('demo-ats:demo-ats-secret').toString('base64')}`;
const passed = [];

class StepError extends Error {}

let currentPage = null;
let shot = 0;
async function screenshot(name) {
  if (!currentPage) return;
  shot += 1;
  const file = path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  try { await currentPage.screenshot({ path: file, fullPage: true, timeout: 10_000 }); } catch { /* best effort */ }
}

async function step(name, fn) {
  const t0 = Date.now();
  process.stdout.write(`e2e: step ${name} … `);
  try {
    const out = await fn();
    await screenshot(name.replace(/[^a-z0-9]+/gi, '-').toLowerCase());
    console.log(`ok (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    passed.push(name);
    return out;
  } catch (err) {
    console.log('FAILED');
    await screenshot(`FAILED-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`);
    const e = new StepError(`step "${name}" failed: ${err && err.message ? err.message : err}`);
    e.cause = err;
    throw e;
  }
}

function check(cond, message) {
  if (!cond) throw new Error(message);
}

/** Runs in every document before its scripts: records the widget's CustomEvents
 *  (they bubble and are composed, so the document sees them) and main-frame loads. */
function initScript() {
  const names = ['screening:loaded', 'screening:order-created', 'screening:order-failed',
    'screening:token-refreshed', 'screening:iframe-loaded', 'screening:form-submitted', 'screening:decision',
    'screening:error'];
  const w = window;
  w.__e2eEvents = [];
  for (const n of names) {
    document.addEventListener(n, (e) => {
      let detail = null;
      try { detail = JSON.parse(JSON.stringify(e.detail ?? null)); } catch { detail = String(e.detail); }
      w.__e2eEvents.push({ type: e.type, detail, at: Date.now() });
    }, true);
  }
}

async function events(page, type) {
  const all = await page.evaluate(() => window.__e2eEvents || []);
  return type ? all.filter((e) => e.type === type) : all;
}

async function waitEvent(page, type, { after = 0, count = 1, timeout = T.ui, pred = null } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const list = (await events(page, type)).filter((e) => e.at >= after && (!pred || pred(e.detail)));
    if (list.length >= count) return list[count - 1];
    if (Date.now() > deadline) {
      const errs = (await events(page, 'screening:error')).map((e) => JSON.stringify(e.detail));
      throw new Error(`no ${type} event within ${timeout / 1000} s` + (errs.length ? `; widget errors: ${errs.join('; ')}` : ''));
    }
    await page.waitForTimeout(100);
  }
}

/** The first of `selectors` present on the page (CSS pierces open shadow roots). */
async function firstPresent(page, selectors, timeout = T.ui) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const s of selectors) {
      const loc = page.locator(s).first();
      if (await loc.count()) return loc;
    }
    if (Date.now() > deadline) throw new Error(`none of ${selectors.join(' | ')} on the page within ${timeout / 1000} s`);
    await page.waitForTimeout(150);
  }
}

/** Click a tab/button/link of the demo page that reveals `what`, if the page has one. */
async function reveal(page, namePattern) {
  for (const role of ['tab', 'button', 'link']) {
    const loc = page.getByRole(role, { name: namePattern });
    if (await loc.count()) {
      const first = loc.first();
      if (await first.isVisible()) { await first.click(); return true; }
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// The steps

async function signDisclosures(page, { alreadySigned }) {
  const frameSel = 'iframe[title="Background check disclosures"]';
  if (!(await page.locator(frameSel).count())) await reveal(page, /disclosure/i);
  await page.locator(frameSel).first().waitFor({ state: 'attached', timeout: T.ui });
  await waitEvent(page, 'screening:iframe-loaded', { pred: (d) => d && d.mode === 'disclosures', timeout: T.ui });
  const frame = page.frameLocator(frameSel).first();
  const status = frame.locator('#consent-status');
  if (alreadySigned) {
    await status.filter({ hasText: /Agreed on/ }).waitFor({ timeout: T.ui });
    return;
  }
  // The token may expire (short TTL in this test) between load and click: the widget then
  // reloads the iframe with a fresh one, and we click again.
  for (let attempt = 1; ; attempt++) {
    const agree = frame.getByRole('button', { name: 'Agree' });
    await agree.click({ timeout: T.ui });
    try {
      await status.filter({ hasText: /Agreed on/ }).waitFor({ timeout: 5_000 });
      return;
    } catch (err) {
      if (attempt >= 3) throw new Error(`the disclosures were not signed: ${await status.textContent().catch(() => '?')}`);
    }
  }
}

async function orderWidget(page) {
  const host = page.locator('screening-widget[mode="order"]');
  if (!(await host.count())) await reveal(page, /order/i);
  await host.first().waitFor({ state: 'attached', timeout: T.ui });
  const n = await host.count();
  check(n === 1, `the demo page has ${n} <screening-widget mode="order"> elements, expected exactly 1`);
  return host.first();
}

/** The order's items as [{package_id, add_on}], in order. */
function itemsOf(order) {
  return ((order && order.items) || []).map((i) => ({ package_id: i.package_id, add_on: i.add_on }));
}

/** The order that was placed is the one that was picked: the package and the add-on, both in
 *  the widget's `screening:order-created` detail and in the server's stored order. */
async function checkOrderedItems(page, id, order) {
  const want = JSON.stringify(ORDERED_ITEMS);
  check(order && order.background_check_id === id,
    `screening:order-created detail.order is for ${order && order.background_check_id}, not ${id}`);
  check(JSON.stringify(itemsOf(order)) === want,
    `screening:order-created ordered ${JSON.stringify(itemsOf(order))}, expected ${want}`);
  const res = await page.request.get(`${SERVER}/ats/orders/${encodeURIComponent(id)}`,
    { headers: { authorization: ATS_AUTH, accept: 'application/json' } });
  check(res.status() === 200, `server GET /ats/orders/${id} → ${res.status()}`);
  const stored = await res.json();
  check(JSON.stringify(itemsOf(stored)) === want,
    `the server stored order ${id} with ${JSON.stringify(itemsOf(stored))}, expected ${want}`);
}

async function placeOrder(page, applicant) {
  const w = await orderWidget(page);
  // 1b. pick a package and an add-on.
  const pkg = w.getByRole('radio', { name: /Standard Package/ });
  await pkg.waitFor({ state: 'attached', timeout: T.ui });
  await pkg.check();
  check(await pkg.isChecked(), 'the Standard Package card did not become selected');
  const addOn = w.getByRole('checkbox', { name: /Basic Drug Screening/ });
  await addOn.check();
  check(await addOn.isChecked(), 'the Basic Drug Screening add-on did not become checked');
  const total = await w.locator('output').first().textContent();
  check(/79\.98/.test(total || ''), `running total is "${total}", expected $79.98 (49.99 + 29.99)`);

  // 1c. the applicant, with one invalid field that the form must flag.
  const field = (label) => w.getByLabel(label, { exact: true });
  await field('First name').fill(applicant.first_name);
  await field('Last name').fill(applicant.last_name);
  await field('Email').fill(applicant.email);
  await field('Phone').fill(applicant.phone);
  await field('Street address').fill(applicant.address);
  await field('City').fill(applicant.city);
  await field('State (2 letters)').fill(applicant.state);
  const zip = field('ZIP code');
  await zip.fill('9410');
  const submit = w.getByRole('button', { name: /Order background check/ });
  await submit.click();
  await w.locator('[aria-invalid="true"]').first().waitFor({ timeout: T.ui });
  check((await zip.getAttribute('aria-invalid')) === 'true', 'ZIP "9410" was not flagged invalid');
  const errId = await zip.getAttribute('aria-describedby');
  const errText = errId ? await w.locator(`[id="${errId}"]`).textContent() : '';
  check(errText && errText.trim().length > 0, 'the invalid ZIP has no message next to it');
  check((await events(page, 'screening:order-created')).length === 0, 'an order was placed with an invalid ZIP');
  await screenshot(`${applicant.tag}-zip-flagged`);
  await zip.fill(applicant.zip);
  await zip.blur();
  check((await zip.getAttribute('aria-invalid')) !== 'true', 'ZIP still flagged after correcting it');

  // 1d. submit and see the created order.
  const before = Date.now();
  await submit.click();
  const created = await waitEvent(page, 'screening:order-created', { after: before - 1000, timeout: T.nav });
  const id = created.detail.backgroundCheckId;
  check(id, 'screening:order-created has no backgroundCheckId');
  check(id.startsWith('w-'), `the widget order id ${id} does not start with "w-"`);
  await checkOrderedItems(page, id, created.detail.order);
  await w.getByText('Background check ordered').waitFor({ timeout: T.ui });
  await w.getByText(id, { exact: true }).waitFor({ timeout: T.ui });
  return { id, order: created.detail.order };
}

/** The order build's wasm, as served (a content-hashed name). */
const ORDER_WASM = /\/screening_widget_order_bg[.\w]*\.wasm(\?|$)/;

/** The order widget's shadow root: how many of its own roots it holds, and the id of what has
 *  the focus in it. */
async function widgetDom(w) {
  return w.evaluate((el) => ({
    roots: el.shadowRoot ? el.shadowRoot.querySelectorAll('.sw-root').length : 0,
    radios: el.shadowRoot ? el.shadowRoot.querySelectorAll('input[name="sw-package"]').length : 0,
    focused: el.shadowRoot && el.shadowRoot.activeElement ? el.shadowRoot.activeElement.id : null,
  }));
}

const orderLoaded = (page) => events(page, 'screening:loaded')
  .then((list) => list.filter((e) => e.detail && e.detail.mode === 'order'));

/** The demo page with the order build's wasm held back until `release()` (then sent, or
 *  refused with `abort`): `fn(page, w, release)` runs once the loader has drawn the order
 *  form's packages in `w`, the order widget. */
async function withWasmHeld(context, { abort = false } = {}, fn) {
  const page = await context.newPage();
  currentPage = page;
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route(ORDER_WASM, async (route) => {
    await held;
    await (abort ? route.abort('failed') : route.continue());
  });
  try {
    await page.goto(`${SERVER}/`, { timeout: T.nav });
    const w = await orderWidget(page);
    await w.getByRole('radio', { name: /Standard Package/ }).waitFor({ state: 'attached', timeout: T.ui });
    return await fn(page, w, release);
  } finally {
    release();
    await page.close();
  }
}

/** With the order build's wasm held back, the loader draws the form from the package list;
 *  a package, an add-on, typed fields and the focus chosen there are all in the widget once
 *  the wasm runs. */
function drawnBeforeWasm(context) {
  return withWasmHeld(context, {}, async (page, w, release) => {
    const pkg = w.getByRole('radio', { name: /Standard Package/ });
    check((await orderLoaded(page)).length === 0, 'the order widget mounted while its wasm was held back');
    await pkg.check();
    const addOn = w.getByRole('checkbox', { name: /Basic Drug Screening/ });
    await addOn.check();
    const total = await w.locator('output').first().textContent();
    check(/79\.98/.test(total || ''), `the drawn form's total is "${total}", expected $79.98`);
    const field = (label) => w.getByLabel(label, { exact: true });
    await field('First name').fill('Drawn');
    await field('City').fill('Oakland');
    check((await widgetDom(w)).focused === 'sw-f-city', 'City does not have the focus in the drawn form');
    check((await orderLoaded(page)).length === 0, 'the wasm ran before it was released');
    release();
    await waitEvent(page, 'screening:loaded', { pred: (d) => d && d.mode === 'order' });
    const dom = await widgetDom(w);
    check(dom.roots === 1 && dom.radios === 3, `after the wasm: ${JSON.stringify(dom)}, expected one widget with 3 packages`);
    check(await pkg.isChecked(), 'the package chosen before the wasm is not checked in the widget');
    check(await addOn.isChecked(), 'the add-on chosen before the wasm is not checked in the widget');
    check(/79\.98/.test((await w.locator('output').first().textContent()) || ''), 'the total changed at the takeover');
    check((await field('First name').inputValue()) === 'Drawn', 'the first name typed before the wasm was lost');
    check((await field('City').inputValue()) === 'Oakland', 'the city typed before the wasm was lost');
    check(dom.focused === 'sw-f-city', `the focus moved at the takeover (to ${dom.focused})`);
  });
}

/** A wasm that does not load: the drawn form goes (nothing stays that cannot be sent) and the
 *  page hears why. */
function drawnThenWasmFails(context) {
  return withWasmHeld(context, { abort: true }, async (page, w, release) => {
    release();
    const err = await waitEvent(page, 'screening:error', { pred: (d) => d && d.stage === 'config' });
    check(err.detail.message, 'screening:error without a message');
    const dom = await widgetDom(w);
    check(dom.roots === 0 && dom.radios === 0, `the drawn form stayed after the wasm failed: ${JSON.stringify(dom)}`);
    check((await orderLoaded(page)).length === 0, 'screening:loaded for a widget whose wasm failed');
  });
}

/** A widget removed from the page while its wasm is on its way: the drawn form goes with it,
 *  and the wasm, when it comes, mounts nothing. */
function drawnThenRemoved(context) {
  return withWasmHeld(context, {}, async (page, w, release) => {
    // Detached and kept, so its shadow root can still be read.
    await page.evaluate(() => {
      const el = document.querySelector('screening-widget[mode="order"]');
      window.__removedWidget = el;
      el.remove();
    });
    const left = await page.evaluate(() => window.__removedWidget.shadowRoot.childNodes.length);
    check(left === 0, `the removed widget's shadow root still holds ${left} nodes`);
    const wasm = page.waitForResponse(ORDER_WASM, { timeout: T.ui });
    release();
    await wasm;
    await page.waitForTimeout(500); // time for a mount that must not happen
    const after = await page.evaluate(() => window.__removedWidget.shadowRoot.childNodes.length);
    check(after === 0 && (await orderLoaded(page)).length === 0, 'the wasm mounted into a removed widget');
  });
}

/** The order build's wasm is requested once the loader has drawn the form from the package
 *  list (at most 150 ms after the widget's session request), so its download does not
 *  compete with the list's: with the list's answer held back 80 ms, the wasm's request comes
 *  after that answer. */
async function wasmAfterList(context) {
  const page = await context.newPage();
  currentPage = page;
  await page.route(/\/widget\/packages(\?|$)/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 80));
    await route.continue();
  });
  try {
    await page.goto(`${SERVER}/`, { timeout: T.nav });
    await waitEvent(page, 'screening:loaded', { pred: (d) => d && d.mode === 'order' });
    const t = await page.evaluate((wasm) => {
      const all = performance.getEntriesByType('resource');
      const path = (e) => new URL(e.name).pathname;
      const one = (test) => all.filter((e) => test(path(e)));
      return {
        sessions: one((p) => p === '/demo/session').map((e) => e.startTime),
        packages: one((p) => p === '/widget/packages').map((e) => e.responseEnd),
        wasm: one((p) => new RegExp(wasm).test(p)).map((e) => e.startTime),
      };
    }, ORDER_WASM.source);
    check(t.packages.length === 1 && t.wasm.length === 1 && t.sessions.length >= 1,
      `expected one package list, one order wasm and a session request: ${JSON.stringify(t)}`);
    // The earliest session request is at or before the order widget's own.
    const bound = Math.min(t.packages[0], Math.min(...t.sessions) + 150);
    check(t.wasm[0] >= bound - 2,
      `the order wasm was requested at ${t.wasm[0].toFixed(1)} ms, before the package list's answer `
      + `(${t.packages[0].toFixed(1)} ms; first session request ${Math.min(...t.sessions).toFixed(1)} ms)`);
  } finally {
    await page.close();
  }
}

async function fillIntake(frame, applicant) {
  await frame.getByLabel('Date of birth').fill('1990-04-12');
  await frame.getByLabel(/Social Security Number/).fill('6789');
  await frame.getByLabel('Address', { exact: true }).fill(applicant.address);
  await frame.getByLabel('City').fill(applicant.city);
  await frame.getByLabel('State (2 letters)').fill(applicant.state);
  await frame.getByLabel('ZIP code').fill(applicant.zip);
  await frame.getByLabel(/I have read the disclosures/).check();
  await frame.getByRole('button', { name: 'Submit' }).click();
}

/** Open invitations of the candidate, from the sandbox (what Yardstik emails the candidate).
 *  Filtered here: the reference shows list predicates on dates only. */
async function openInvitations(page, email) {
  const auth = { authorization: 'Account demo-yardstik-key', accept: 'application/json' };
  const c = await page.request.get(`${SANDBOX}/candidates?per_page=200`, { headers: auth });
  check(c.ok(), `sandbox GET /candidates → ${c.status()}`);
  const cand = (await c.json()).data.find((x) => x.email === email);
  check(cand, `the sandbox has no candidate with email ${email}`);
  const i = await page.request.get(`${SANDBOX}/invitations?per_page=200`, { headers: auth });
  check(i.ok(), `sandbox GET /invitations → ${i.status()}`);
  return (await i.json()).data.filter((inv) => inv.candidate && inv.candidate.id === cand.id
    && ['invite_sent', 'viewed', 'clicked'].includes(inv.status));
}

/** The candidate completes every intake of the order in the widget's apply mode (the demo
 *  page's "Open candidate portal"): one form per Yardstik invitation, the package's then the
 *  add-on's, shown one after the other as "Form N of 2" with a `screening:form-submitted`
 *  (`step`, `total`) after each; then the "what happens next" panel. The sandbox is only
 *  read to check that no invitation of the candidate is left open. */
async function candidateApplies(page, id, applicant) {
  const portal = page.locator('#orders li', { hasText: id }).getByRole('button', { name: /candidate portal/i });
  check(await portal.count(), `the demo page has no "Open candidate portal" for ${id}`);
  const before = Date.now();
  await portal.first().click();
  const host = page.locator('screening-widget[mode="apply"]').first();
  await host.waitFor({ state: 'attached', timeout: T.ui });
  const frameSel = 'iframe[title="Background check form"]';
  const total = 2; // the package and the one add-on ordered in step 1
  for (let n = 1; n <= total; n += 1) {
    await host.getByText(`Form ${n} of ${total}`, { exact: true }).waitFor({ timeout: T.ui });
    await page.locator(frameSel).first().waitFor({ state: 'attached', timeout: T.ui });
    // Each form on the origin of its own link: the profile origin when the apply pages are
    // on one (reference-only), and messages accepted from there.
    const src = (await page.locator(frameSel).first().getAttribute('src')) || '';
    check(src.startsWith(`${PROFILE}/candidates/`), `form ${n} is framed from ${src}, expected the profile origin ${PROFILE}`);
    if (REFERENCE_ONLY) check(PROFILE !== SANDBOX, 'reference-only mode without a second origin');
    await fillIntake(page.frameLocator(frameSel).first(), applicant);
    const ev = await waitEvent(page, 'screening:form-submitted', {
      after: before, pred: (d) => d && d.backgroundCheckId === id && d.step === n,
    });
    check(ev.detail.total === total, `form-submitted detail ${JSON.stringify(ev.detail)}: expected total ${total}`);
    await screenshot(`${applicant.tag}-intake-${n}-of-${total}-submitted-in-widget`);
  }
  await host.getByText(/your information was submitted/i).first().waitFor({ timeout: T.ui });
  const left = await openInvitations(page, applicant.email);
  check(left.length === 0, `${left.length} invitation(s) still open after the intake: ${left.map((x) => x.status).join(', ')}`);
  console.log(`\ne2e:   ${total} intakes completed in the widget's apply mode`);
}

/** The candidate's own view of the finished order, in the demo page's candidate portal (the
 *  widget's apply mode): first in the portal still open from the intake (its progress
 *  refreshes by itself until both packages are done), then opened afresh (no intake left:
 *  the progress alone); the package's report rendered by the widget — the screenings, the
 *  violation in the consider run, "What you can do" — focus on its heading, a print layout
 *  without the buttons, and back. Never an iframe, never a Yardstik token. */
async function candidateReadsReport(page, id, { tag, considered }) {
  const done = 'screening-widget[mode="apply"] .sw-cand-item[data-stage="done"]';
  // The portal from step 2 is still open: its 12 s refresh shows both packages done.
  await page.locator(done).nth(1).waitFor({ timeout: 45_000 });
  await screenshot(`candidate-${tag}-progress-after-intake`);

  // Opened again later: nothing left to fill, so the progress alone (409 is not an error).
  await page.goto(`${SERVER}/`, { timeout: T.nav });
  const before = Date.now();
  const portal = page.locator('#orders li', { hasText: id }).getByRole('button', { name: /candidate portal/i });
  await portal.first().click();
  const host = page.locator('#portal screening-widget[mode="apply"]');
  await host.waitFor({ state: 'attached', timeout: T.ui });
  await page.locator(done).nth(1).waitFor({ timeout: T.ui });
  check(await host.locator('.sw-cand-item').count() === 2, 'the portal does not list the package and the add-on');
  check(await host.locator('iframe').count() === 0, 'the portal shows an intake although none is open');
  const errors = (await events(page, 'screening:error')).filter((e) => e.at >= before);
  check(errors.length === 0, `the portal reported errors: ${JSON.stringify(errors)}`);
  await screenshot(`candidate-${tag}-progress`);

  // The package's report, rendered by the widget.
  await host.getByRole('button', { name: 'View your report' }).first().click();
  const heading = host.getByRole('heading', { name: 'Your background check report', level: 2 });
  await heading.waitFor({ timeout: T.ui });
  await host.locator('.sw-screening').first().waitFor({ timeout: T.ui });
  const focusedId = await page.evaluate(() => {
    const w = document.querySelector('#portal screening-widget');
    const a = w && w.shadowRoot && w.shadowRoot.activeElement;
    return a ? a.id : null;
  });
  check(focusedId === 'sw-report-h', `focus is on #${focusedId}, not on the report's heading`);
  const outcome = (await host.locator('.sw-outcome').textContent()) || '';
  const violations = host.locator('.sw-violation');
  if (considered) {
    check(/employer will review/.test(outcome), `the consider report says "${outcome}"`);
    check(await violations.count() >= 1, 'the consider report shows no violation');
    const v = (await violations.first().textContent()) || '';
    check(/Felony/.test(v), `the first violation reads "${v}"`);
  } else {
    check(/found nothing/.test(outcome), `the clear report says "${outcome}"`);
    check(await violations.count() === 0, 'the clear report shows violations');
    await host.getByText('No records found.').first().waitFor({ timeout: T.ui });
  }
  await host.getByRole('heading', { name: 'What you can do' }).waitFor({ timeout: T.ui });
  await host.locator('.sw-contact').getByText('Demo Staffing Co').waitFor({ timeout: T.ui });
  check(await host.locator('iframe').count() === 0, 'the candidate report is an iframe');
  await screenshot(`candidate-${tag}-report`);

  // Print: the report without the buttons or the rest of the ATS page.
  await page.emulateMedia({ media: 'print' });
  try {
    check(await host.locator('#sw-print').isHidden(), 'the Print button shows in print');
    check(await host.locator('#sw-report-back').isHidden(), 'the Back button shows in print');
    check(await heading.isVisible(), 'the report heading is hidden in print');
    check(await page.locator('#order-h').isHidden(), 'the ATS page prints with the report');
    await screenshot(`candidate-${tag}-report-print`);
  } finally {
    await page.emulateMedia({ media: null });
  }

  // Back to the progress, focus on the button that opened the report.
  await host.getByRole('button', { name: 'Back to your background check' }).click();
  await page.locator(done).first().waitFor({ timeout: T.ui });
  const back = await page.evaluate(() => {
    const a = document.querySelector('#portal screening-widget').shadowRoot.activeElement;
    return a ? a.id : null;
  });
  check(back === 'sw-open-0', `after Back focus is on #${back}, not on "View your report"`);
}

function checkWebhook(entry, id, expected) {
  const body = entry.body;
  check(body && typeof body === 'object', `webhook body is not JSON: ${entry.raw}`);
  const keys = Object.keys(body).sort();
  check(JSON.stringify(keys) === JSON.stringify(FOUR_FIELDS),
    `webhook has fields ${JSON.stringify(keys)}, expected exactly ${JSON.stringify(FOUR_FIELDS)}: ${entry.raw}`);
  check(body.background_check_id === id, `webhook background_check_id ${body.background_check_id} ≠ ${id}`);
  check(body.result === expected, `webhook result is ${JSON.stringify(body.result)}, expected "${expected}": ${entry.raw}`);
  check(typeof body.result_link_url === 'string' && body.result_link_url.startsWith(`${SERVER}/`),
    `result_link_url ${JSON.stringify(body.result_link_url)} is not a link to the server ${SERVER}`);
  check(/application\/json/.test(entry.headers['content-type'] || ''), `webhook content-type is ${entry.headers['content-type']}`);
}

async function openReport(page, link, expectedStatus) {
  const before = Date.now();
  await page.goto(link, { timeout: T.nav });
  await page.locator('screening-widget').first().waitFor({ state: 'attached', timeout: T.ui });
  const frameSel = 'iframe[title="Background check report"]';
  await page.locator(frameSel).first().waitFor({ state: 'attached', timeout: T.ui });
  await waitEvent(page, 'screening:iframe-loaded', { after: before - 1000, pred: (d) => d && d.mode === 'report' });
  // Visible state: the spinner is gone and the frame shows the report.
  await page.locator(`${frameSel}:not(.is-loading)`).first().waitFor({ timeout: T.ui });
  // The report's own status element (the sandbox's embed page: <span id="report-status">),
  // not any text of the page: the page also shows the candidate's name and email.
  const statusEl = page.frameLocator(frameSel).first().locator('#report-status');
  await statusEl.first().waitFor({ state: 'attached', timeout: T.ui });
  const n = await statusEl.count();
  check(n === 1, `the report iframe has ${n} #report-status elements, expected 1`);
  const shown = ((await statusEl.textContent()) || '').trim();
  check(shown === expectedStatus, `the report iframe shows status "${shown}", expected "${expectedStatus}"`);
}

async function renewalWithoutReload(page) {
  const frameSel = 'iframe[title="Background check report"]';
  const jwtOf = async () => {
    const src = await page.locator(frameSel).first().getAttribute('src');
    return new URL(src).searchParams.get('jwt');
  };
  const jwt1 = await jwtOf();
  check(jwt1, 'the report iframe src has no jwt');
  const marker = `marker-${Math.random()}`;
  await page.evaluate((m) => { window.__e2eMarker = m; }, marker);
  let mainNavigations = 0;
  const onNav = (f) => { if (f === page.mainFrame()) mainNavigations += 1; };
  page.on('framenavigated', onNav);
  const start = Date.now();
  try {
    // The sandbox's page posts yardstik:tokenExpiration when the JWT's exp passes (TTL
    // E2E_TOKEN_TTL_SECS); the widget must fetch a new token and point the iframe at it.
    const deadline = start + T.expiry;
    let jwt2 = jwt1;
    while (jwt2 === jwt1) {
      if (Date.now() > deadline) throw new Error(`the iframe jwt did not change within ${T.expiry / 1000} s of the token's ${TOKEN_TTL} s lifetime`);
      await page.waitForTimeout(250);
      jwt2 = await jwtOf().catch(() => jwt1);
    }
    await waitEvent(page, 'screening:token-refreshed', { pred: (d) => d && d.kind === 'report', timeout: T.ui });
    await waitEvent(page, 'screening:iframe-loaded', { after: start, pred: (d) => d && d.mode === 'report', timeout: T.ui });
    const still = await page.evaluate(() => window.__e2eMarker);
    check(still === marker, 'the page was reloaded: the window marker is gone');
    check(mainNavigations === 0, `the main frame navigated ${mainNavigations} time(s) during renewal`);
    const frame = page.frameLocator(frameSel).first();
    const banner = frame.locator('#expired-banner');
    const banners = await banner.count();
    check(banners === 1, `the renewed report has ${banners} #expired-banner elements, expected 1`);
    check(await banner.isHidden(), 'the renewed report still shows the expiry banner');
    check((await frame.locator('#report-status').count()) === 1, 'the renewed report has no #report-status');
    check(((await frame.locator('body').textContent()) || '').trim().length > 0, 'the renewed report is empty');
  } finally {
    page.off('framenavigated', onNav);
  }
}

/** The hiring manager opens the order in the demo page's review mode (the report beside the
 *  decision panel). */
async function openReview(page, id) {
  await page.goto(`${SERVER}/`, { timeout: T.nav });
  const decide = page.locator('#orders li', { hasText: id }).getByRole('button', { name: /review and decide/i });
  check(await decide.count() === 1, `the demo page has no "Review and decide" for ${id}`);
  await decide.click();
  const host = page.locator('screening-widget[mode="review"]');
  await host.waitFor({ state: 'attached', timeout: T.ui });
  check(await host.count() === 1, 'expected exactly one review widget');
  await host.getByRole('button', { name: 'Proceed with candidate', exact: true }).waitFor({ timeout: T.ui });
  return host;
}

/** Proceed with the candidate: confirmation, the panel's state, the event, and Pass at the ATS. */
async function proceedInReview(page, receiver, id) {
  const host = await openReview(page, id);
  const before = Date.now();
  await host.getByRole('button', { name: 'Proceed with candidate', exact: true }).click();
  const yes = host.getByRole('button', { name: 'Yes, proceed with candidate', exact: true });
  await yes.waitFor({ timeout: T.ui });
  await yes.click();
  await host.getByText('Proceeded', { exact: true }).first().waitFor({ timeout: T.ui });
  const ev = await waitEvent(page, 'screening:decision', { after: before, pred: (d) => d && d.backgroundCheckId === id });
  check(ev.detail.decision === 'proceed' && ev.detail.reportStatus === 'proceed', `decision event ${JSON.stringify(ev.detail)}`);
  const entry = await receiver.waitFor(
    (e) => e.body && e.body.background_check_id === id && e.body.result === 'Pass', T.webhook, `Pass for ${id}`);
  checkWebhook(entry, id, 'Pass');
  const order = await atsOrder(id);
  check(order.history.some((h) => /^Decision: proceed with the candidate, by reviewer demo-hiring-manager/.test(h.detail || '')),
    `the order's history has no proceed decision: ${JSON.stringify(order.history)}`);
}

async function atsOrder(id) {
  const res = await fetch(`${SERVER}/ats/orders/${encodeURIComponent(id)}`, { headers: { authorization: ATS_AUTH } });
  check(res.ok, `GET /ats/orders/${id} → ${res.status}`);
  return res.json();
}

/** The demo account's `adverse_action_settings.mandatory_selection_of_violations` (a sandbox
 *  control: in Yardstik the account owner sets it). */
async function setMandatoryViolations(on) {
  const res = await fetch(`${SANDBOX}/sandbox/accounts/${DEMO_ACCOUNT}/adverse_action_settings`, {
    method: 'POST',
    headers: { authorization: 'Account demo-yardstik-key', 'content-type': 'application/json' },
    body: JSON.stringify({ mandatory_selection_of_violations: on }),
  });
  check(res.ok, `setting mandatory violations → ${res.status} ${await res.text()}`);
}

/** An adverse action through the panel: the refusals first (this account requires
 *  violations; the candidate is in California), then a violation from each report. */
async function adverseInReview(page, id) {
  await setMandatoryViolations(true);
  try {
    return await adverseSteps(page, id);
  } finally {
    await setMandatoryViolations(false);
  }
}

async function adverseSteps(page, id) {
  const host = await openReview(page, id);
  const start = host.getByRole('button', { name: 'Start pre-adverse action', exact: true });
  await host.getByText('Choose at least one violation: this account requires it for an adverse action.', { exact: true })
    .first().waitFor({ timeout: T.ui });
  // A custom reason alone: refused in the page (violations are mandatory here), no confirmation.
  await host.locator('#sw-reason').fill('The role handles controlled substances.');
  await start.click();
  await host.getByText('Choose at least one violation: this account requires it.', { exact: true }).first().waitFor({ timeout: T.ui });
  check(await host.getByRole('button', { name: 'Yes, send the pre-adverse notice' }).count() === 0,
    'a confirmation appeared although no violation was chosen');
  const boxes = host.locator('input[name="sw-violation"]');
  check(await boxes.count() >= 2, `expected at least two violations, found ${await boxes.count()}`);
  // One violation from the package's report and one from the add-on's: the decision covers
  // every report of the order in consider.
  await boxes.first().check();
  await boxes.last().check();
  // A California candidate: the explanation is required.
  await host.getByText(/California/).first().waitFor({ timeout: T.ui });
  await start.click();
  await host.getByText('Enter an explanation for the candidate.').first().waitFor({ timeout: T.ui });
  check(await host.locator('#sw-explanation[aria-invalid="true"]').count() === 1, 'the explanation is not marked invalid');
  await host.locator('#sw-explanation').fill('The offenses are recent and relate to the duties of the role.');
  const before = Date.now();
  await start.click();
  const yes = host.getByRole('button', { name: 'Yes, send the pre-adverse notice', exact: true });
  await yes.waitFor({ timeout: T.ui });
  await yes.click();
  await host.getByText('Pre-adverse notice sent', { exact: true }).first().waitFor({ timeout: T.ui });
  // The schedule comes from Yardstik's list of the report's actions, which the reference does
  // not have: without it the panel shows the notice from the report's status alone.
  if (!REFERENCE_ONLY) await host.getByText(/Final notice scheduled for/).first().waitFor({ timeout: T.ui });
  const ev = await waitEvent(page, 'screening:decision', { after: before, pred: (d) => d && d.backgroundCheckId === id });
  check(ev.detail.decision === 'adverse_action' && ev.detail.reportStatus === 'pre_adverse'
    && (REFERENCE_ONLY || ev.detail.scheduledFinalAt),
    `decision event ${JSON.stringify(ev.detail)}`);
  await screenshot('adverse-decision-panel');
  const order = await atsOrder(id);
  check(order.result === 'Consider', `during the pre-adverse notice the order is ${order.result}, expected Consider`);
  check(order.history.some((h) => /^Decision: adverse action started by reviewer demo-hiring-manager \(2 violation\(s\), custom reason\); pre-adverse notice sent; the final notice is scheduled for /.test(h.detail || '')),
    `the order's history has no adverse-action decision: ${JSON.stringify(order.history)}`);
  return order;
}

/** The waiting period passes (the sandbox's clock for this report), the final notice goes
 *  out, and the ATS receives Fail. */
async function finalNotice(receiver, id, order) {
  const report = order.items[0].report_id;
  const res = await fetch(`${SANDBOX}/sandbox/reports/${report}/advance`, {
    method: 'POST',
    headers: { authorization: 'Account demo-yardstik-key', 'content-type': 'application/json' },
    body: JSON.stringify({ to_final: true }),
  });
  check(res.ok, `moving the sandbox clock → ${res.status} ${await res.text()}`);
  const entry = await receiver.waitFor(
    (e) => e.body && e.body.background_check_id === id && e.body.result === 'Fail', T.webhook, `Fail for ${id}`);
  checkWebhook(entry, id, 'Fail');
}

async function run(context, receiver, { tag, lastName, expectedResult, expectedReportStatus, disclosuresSigned, expiry, decide, candidatePortal }) {
  const applicant = {
    tag,
    first_name: 'Jordan',
    last_name: lastName,
    email: `e2e-${tag}-${RUN_ID}@example.com`,
    phone: '415-555-0134',
    address: '123 Market St',
    city: 'San Francisco',
    state: 'CA',
    zip: '94105',
  };
  const page = await context.newPage();
  currentPage = page;
  page.on('pageerror', (e) => console.log(`\n  [page error] ${e.message}`));

  await step(`1 (${tag}). hiring manager opens the demo ATS page`, async () => {
    const res = await page.goto(`${SERVER}/`, { timeout: T.nav });
    check(res && res.ok(), `GET / → ${res && res.status()}`);
    await firstPresent(page, ['screening-widget', '[data-screening-widget]']);
  });
  await step(`1 (${tag}). signs the account disclosures in the iframe`, () =>
    signDisclosures(page, { alreadySigned: disclosuresSigned }));
  const { id } = await step(`1 (${tag}). picks a package and an add-on, corrects an invalid field, submits, sees the order`, async () => {
    currentPage = page;
    return placeOrder(page, applicant);
  });
  console.log(`e2e:   order ${id}`);
  await step(`2 (${tag}). candidate completes both intake forms in the widget`, () => candidateApplies(page, id, applicant));
  const hook = await step(`3 (${tag}). the ATS receives the result webhook (${expectedResult})`, async () => {
    const entry = await receiver.waitFor(
      (e) => e.body && e.body.background_check_id === id && e.body.status === 'complete',
      T.webhook, `"complete" webhook for ${id}`);
    checkWebhook(entry, id, expectedResult);
    for (const other of receiver.received.filter((e) => e.body && e.body.background_check_id === id)) {
      const keys = Object.keys(other.body).sort();
      check(JSON.stringify(keys) === JSON.stringify(FOUR_FIELDS), `an update webhook has fields ${JSON.stringify(keys)}: ${other.raw}`);
    }
    return entry.body;
  });
  if (candidatePortal) {
    await step(`3 (${tag}). the candidate follows the order to done in the candidate portal and reads the report there`, () =>
      candidateReadsReport(page, id, { tag, considered: expectedReportStatus === 'consider' }));
  }
  await step(`4 (${tag}). the report opens in-page from result_link_url`, () =>
    openReport(page, hook.result_link_url, expectedReportStatus));
  if (expiry) {
    await step(`5 (${tag}). an expired report token is renewed without a page reload`, () => renewalWithoutReload(page));
  }
  if (decide === 'proceed') {
    await step(`6 (${tag}). the hiring manager proceeds in review mode; the ATS receives Pass`, () =>
      proceedInReview(page, receiver, id));
  }
  if (decide === 'adverse') {
    const order = await step(`6 (${tag}). pre-adverse action: refused with no violation chosen (this account requires one) and without the California explanation, then sent with a violation from each report`, () =>
      adverseInReview(page, id));
    await step(`7 (${tag}). the final notice goes out after the waiting period (sandbox clock); the ATS receives Fail`, () =>
      finalNotice(receiver, id, order));
  }
  await page.close();
}

/** An apply link Yardstik returns as a `javascript:` URL (a compromised or spoofed upstream,
 *  played by the sandbox): the server refuses it (502) and the widget's apply mode shows the
 *  refusal; no iframe, no link to it, no script run in the page. */
async function refusedApplyLink(context) {
  const page = await context.newPage();
  currentPage = page;
  const applicant = {
    tag: 'refused', first_name: 'Jordan', last_name: 'Clearwater', email: `e2e-refused-${RUN_ID}@example.com`,
    phone: '415-555-0134', address: '123 Market St', city: 'San Francisco', state: 'CA', zip: '94105',
  };
  await page.goto(`${SERVER}/`, { timeout: T.nav });
  await firstPresent(page, ['screening-widget', '[data-screening-widget]']);
  const { id } = await placeOrder(page, applicant);
  const invitations = await openInvitations(page, applicant.email);
  check(invitations.length === 2, `expected the order's two invitations, found ${invitations.length}`);
  for (const inv of invitations) {
    const r = await page.request.post(`${SANDBOX}/sandbox/invitations/${inv.id}/apply_url`, {
      headers: { authorization: 'Account demo-yardstik-key' },
      data: { url: 'javascript:window.top.__swPwned=1' },
    });
    check(r.ok(), `setting the apply link → ${r.status()}`);
  }
  // The server hears of it by Yardstik's webhook: wait until its apply link is refused.
  const session = await page.request.post(`${SERVER}/demo/session`, {
    data: { capabilities: ['candidate'], background_check_id: id },
  });
  check(session.ok(), `POST /demo/session → ${session.status()}`);
  const { token } = await session.json();
  let last = 0;
  for (let i = 0; i < 200 && last !== 502; i += 1) {
    const r = await page.request.get(`${SERVER}/widget/orders/${encodeURIComponent(id)}/apply`, {
      headers: { authorization: `Bearer ${token}` },
    });
    last = r.status();
    if (last === 502) {
      const body = await r.json();
      check(/not an http\(s\) URL/.test(body.error_message) && !JSON.stringify(body).includes('javascript:'),
        `the refusal ${JSON.stringify(body)}`);
    } else {
      await page.waitForTimeout(100);
    }
  }
  check(last === 502, `the server still answers ${last} for the apply link`);
  const before = Date.now();
  const portal = page.locator('#orders li', { hasText: id }).getByRole('button', { name: /candidate portal/i });
  await portal.first().click();
  const host = page.locator('screening-widget[mode="apply"]').first();
  await host.waitFor({ state: 'attached', timeout: T.ui });
  await host.locator('.sw-panel.is-error').first().waitFor({ timeout: T.ui });
  const err = await waitEvent(page, 'screening:error', { after: before, pred: (d) => d && d.stage === 'apply_link' });
  check(err.detail.code === 'upstream_rejected', `screening:error ${JSON.stringify(err.detail)}`);
  await page.waitForTimeout(500);
  check(await host.locator('iframe').count() === 0, 'an iframe was rendered for the refused link');
  check(await page.locator('a[href^="javascript"]').count() === 0, 'a javascript: link is on the page');
  const pwned = await page.evaluate(() => window.__swPwned);
  check(pwned === undefined, 'the javascript: link ran in the page');
  await screenshot('refused-apply-link');
  await page.close();
}

async function main() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const receiver = await startReceiver(RECEIVER_PORT);
  const { context, close } = await launch();
  await context.addInitScript(initScript);
  const started = Date.now();
  let ok = false;
  try {
    await step('0. with its wasm held back, the order form is drawn from the package list; a package, an add-on, typed fields and the focus chosen there are kept by the widget', () =>
      drawnBeforeWasm(context));
    await step('0. a wasm that does not load takes the drawn order form away and reports screening:error', () =>
      drawnThenWasmFails(context));
    await step('0. a widget removed while its wasm is on its way takes its drawn form with it', () =>
      drawnThenRemoved(context));
    await step('0. the order wasm is requested once the form is drawn from the package list, not alongside the list', () =>
      wasmAfterList(context));
    await run(context, receiver, { tag: 'clear', lastName: 'Clearwater', expectedResult: 'Pass',
      expectedReportStatus: 'clear', disclosuresSigned: false, expiry: true, candidatePortal: true });
    await run(context, receiver, { tag: 'consider', lastName: 'Considerman', expectedResult: 'Consider',
      expectedReportStatus: 'consider', disclosuresSigned: true, expiry: false, decide: 'proceed', candidatePortal: true });
    await run(context, receiver, { tag: 'adverse', lastName: 'Considerman', expectedResult: 'Consider',
      expectedReportStatus: 'consider', disclosuresSigned: true, expiry: false, decide: 'adverse' });
    await step('8. an apply link Yardstik returns as a javascript: URL is refused in Chromium, and no script runs', () =>
      refusedApplyLink(context));
    ok = true;
  } catch (err) {
    console.error(`\ne2e: ${err instanceof StepError ? err.message : `unexpected error: ${err && err.stack || err}`}`);
    if (err.cause && err.cause.stack && process.env.E2E_VERBOSE) console.error(err.cause.stack);
    console.error(`e2e: screenshots in ${ARTIFACTS}`);
  } finally {
    fs.writeFileSync(path.join(ARTIFACTS, 'webhooks.json'), JSON.stringify(receiver.received.map((e) => ({ at: e.at, body: e.body ?? e.raw })), null, 2));
    await close();
    await receiver.close();
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (ok) {
    console.log(`test result: ok. ${passed.length} passed; 0 failed; finished in ${secs}s`);
    process.exit(0);
  }
  console.log(`test result: FAILED. ${passed.length} passed; 1 failed; finished in ${secs}s`);
  process.exit(1);
}

main();
