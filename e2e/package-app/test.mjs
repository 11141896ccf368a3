// The built package app (Vite + React + the widget's npm package) in Debian's Chromium,
// served by the companion server in demo mode. Checks: the picker renders, and is drawn
// before the wasm arrives (held back); the widget's events reach the React props (rendered
// into the app's DOM); a parent re-render with an inline config object of the same value
// does not remount (typed text survives), nor does a
// new token (it goes to the mounted widget, which sends it), nor a new theme (applied in
// place, `handle.update`); a new backgroundCheckId does; an order placed through it reaches
// the server; from an origin not in the tenant's widget_origins the widget reports the CORS
// refusal.
// Env: SERVER_URL (the app at `/`), ARTIFACTS (screenshots). One "ok   "/"FAIL " line per check.
import { launch } from '../lib/browser.mjs';

const SERVER_URL = process.env.SERVER_URL;
const ARTIFACTS = process.env.ARTIFACTS || '.';
const ATS_AUTH = `Basic ${Buffer.from('demo-ats:demo-ats-secret').toString('base64')}`;
const T = 20_000; // bounded waits (ms); nothing here is a timed assertion

const results = [];
function pass(name) { results.push(true); console.log(`ok   ${name}`); }
function check(cond, msg) { if (!cond) throw new Error(msg); }

const { context, close } = await launch();
const page = context.pages()[0] || (await context.newPage());
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(String(e)));
page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });

const eventsNamed = (name) => page.locator(`#events li[data-name="${name}"]`);
const widget = page.locator('#widget');
const field = (label) => widget.getByLabel(label, { exact: true });

let step = 'open the app';
try {
  await page.goto(`${SERVER_URL}/`, { timeout: T });
  await page.locator('h1', { hasText: 'Package test app' }).waitFor({ timeout: T });
  const wasm = await page.evaluate(() => performance.getEntriesByType('resource')
    .map((e) => e.name).filter((n) => n.endsWith('.wasm')));
  pass('the app built by Vite loads');

  step = 'the picker renders';
  const standard = widget.getByRole('radio', { name: /Standard Package/ });
  await standard.waitFor({ state: 'attached', timeout: T });
  check((await widget.getByRole('radio').count()) === 3, 'the picker does not list the 3 packages');
  // The radios may be the form drawn from the package list before the wasm is requested:
  // the build's wasm is known only once the widget has mounted.
  await eventsNamed('screening:loaded').first().waitFor({ timeout: T });
  // The wasm came from the bundler's emitted asset (hashed name), not from /static/widget/,
  // and only the order build's: the other modes' builds are not downloaded.
  const wasmNow = await page.evaluate(() => performance.getEntriesByType('resource')
    .map((e) => e.name).filter((n) => n.endsWith('.wasm')));
  check(wasmNow.length === 1 && /\/assets\/screening_widget_order_bg-[^/]+\.wasm$/.test(wasmNow[0]),
    `the wasm was fetched from ${JSON.stringify(wasmNow.length ? wasmNow : wasm)}`);
  pass('the package picker renders (only the order build\'s wasm, from the bundle\'s assets)');

  step = 'the React component draws the order form before its wasm';
  {
    // A second page of the app with the order build's wasm held back: the loader's early
    // requests and drawn form serve the React component as they serve the custom element.
    const held = await context.newPage();
    let release;
    const gate = new Promise((resolve) => { release = resolve; });
    await held.route(/\.wasm(\?|$)/, async (route) => { await gate; await route.continue(); });
    try {
      await held.goto(`${SERVER_URL}/`, { timeout: T });
      const w = held.locator('#widget');
      const drawn = w.getByRole('radio', { name: /Standard Package/ });
      await drawn.waitFor({ state: 'attached', timeout: T });
      const heldLoaded = held.locator('#events li[data-name="screening:loaded"]');
      check((await heldLoaded.count()) === 0, 'the widget mounted while its wasm was held back');
      await drawn.check();
      release();
      await heldLoaded.first().waitFor({ timeout: T });
      check(await drawn.isChecked(), 'the package chosen in the drawn form is not chosen in the mounted widget');
      check((await heldLoaded.count()) === 1, `screening:loaded fired ${await heldLoaded.count()} times`);
    } finally {
      release();
      await held.close();
    }
  }
  pass('with its wasm held back, the React component shows the order form drawn from the package list; a package chosen there stays chosen');

  step = 'events reach the React props';
  await eventsNamed('screening:loaded').first().waitFor({ timeout: T });
  const loaded = await eventsNamed('screening:loaded').first().textContent();
  check(/"mode":"order"/.test(loaded) && /"packages":3/.test(loaded), `screening:loaded rendered as ${loaded}`);
  check(Number(await page.evaluate(() => document.body.dataset.configEvents)) >= 1,
    'config.onEvent (a new function on every render) was not called');
  pass('screening:loaded reached onEvent and is rendered by the app');

  step = 'an inline config re-render keeps the widget';
  await standard.check();
  check((await field('First name').inputValue()) === 'Prefilled', 'the applicant prefill is missing');
  await field('First name').fill('Typed By User');
  for (let i = 1; i <= 3; i++) {
    await page.locator('#rerender').click();
    await page.locator('#renders', { hasText: String(i) }).waitFor({ timeout: T });
  }
  await page.waitForTimeout(300); // a remount would have run by now
  check((await field('First name').inputValue()) === 'Typed By User',
    `after 3 parent re-renders the first name is "${await field('First name').inputValue()}"`);
  check(await standard.isChecked(), 'after re-renders the package choice is lost');
  check((await eventsNamed('screening:loaded').count()) === 1,
    `screening:loaded fired ${await eventsNamed('screening:loaded').count()} times: the widget remounted`);
  pass('3 parent re-renders with a new inline config object of the same value: no remount, typed text kept');

  step = 'a new token goes to the mounted widget';
  await page.locator('#new-token').click();
  const token = await page.locator('#token').getAttribute('data-token', { timeout: T });
  check(token, 'the app got no token');
  await page.waitForTimeout(300);
  check((await field('First name').inputValue()) === 'Typed By User', 'a new token wiped the form');
  check((await eventsNamed('screening:loaded').count()) === 1, 'a new token remounted the widget');
  pass('a new config token: no remount, typed text kept');

  step = 'a theme change applies in place';
  const accent = () => widget.evaluate((el) => {
    const root = el.shadowRoot && el.shadowRoot.querySelector('.sw-root');
    return root ? getComputedStyle(root).getPropertyValue('--sw-accent').trim() : '';
  });
  check((await accent()) === '#0a7d55', `the first theme's accent is "${await accent()}"`);
  await page.locator('#change-theme').click();
  for (let i = 0; i < 100 && (await accent()) !== '#7a1fa2'; i++) await page.waitForTimeout(50);
  check((await accent()) === '#7a1fa2', `after the theme change the accent is "${await accent()}"`);
  await page.waitForTimeout(300); // a remount would have run by now
  check((await field('First name').inputValue()) === 'Typed By User',
    `after a theme change the first name is "${await field('First name').inputValue()}"`);
  check(await standard.isChecked(), 'after a theme change the package choice is lost');
  check((await eventsNamed('screening:loaded').count()) === 1, 'a theme change remounted the widget');
  pass('a new theme: applied in place (handle.update), no remount, typed text kept');

  step = 'place an order';
  const orderAuth = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/widget/orders') orderAuth.push(r.headers().authorization);
  });
  await field('Last name').fill('Package');
  await field('Email').fill('typed.package@example.com');
  await field('Phone').fill('4155550100');
  await field('Street address').fill('1 Market St');
  await field('City').fill('San Francisco');
  await field('State (2 letters)').fill('CA');
  await field('ZIP code').fill('94105');
  await widget.getByRole('button', { name: /Order background check/ }).click();
  const created = page.locator('#created');
  await created.waitFor({ timeout: T });
  const id = await created.getAttribute('data-id');
  check(id, 'onOrderCreated got no backgroundCheckId');
  check((await eventsNamed('screening:order-created').count()) === 1, 'screening:order-created is not in the event list');
  const res = await fetch(`${SERVER_URL}/ats/orders/${encodeURIComponent(id)}`, { headers: { authorization: ATS_AUTH } });
  check(res.status === 200, `GET /ats/orders/${id} answered ${res.status}`);
  const order = await res.json();
  check(order.package_id === 'PKG002', `the server stored package ${order.package_id}, expected PKG002`);
  pass(`an order placed in the widget (${id}) reached onOrderCreated and the server`);
  check(orderAuth.length === 1 && orderAuth[0] === `Bearer ${token}`,
    `the order was sent with ${orderAuth.length} request(s), not with the new token`);
  pass('the order went out with the token the app passed in config (handle.setToken)');
  await page.screenshot({ path: `${ARTIFACTS}/package-app-ordered.png`, fullPage: true });

  step = 'a new backgroundCheckId remounts';
  await page.locator('#new-check').click();
  await eventsNamed('screening:loaded').nth(1).waitFor({ timeout: T });
  await field('First name').waitFor({ timeout: T });
  check((await field('First name').inputValue()) === 'Prefilled',
    'after a new backgroundCheckId the widget was not mounted afresh');
  check((await accent()) === '#7a1fa2', `the widget mounted afresh has the accent "${await accent()}"`);
  pass('a new backgroundCheckId (a value that defines the session) remounts the widget');

  step = 'no page errors';
  check(pageErrors.length === 0, `page errors: ${pageErrors.join(' | ')}`);
  pass('no page or console errors');

  step = 'a page origin not in widget_origins';
  // The same app at http://localhost:<port> talking to http://127.0.0.1:<port>: the demo
  // tenant's widget_origins do not list that origin, so the browser refuses the answers.
  const other = SERVER_URL.replace('127.0.0.1', 'localhost');
  await page.goto(`${other}/?server=${encodeURIComponent(SERVER_URL)}`, { timeout: T });
  await eventsNamed('screening:error').first().waitFor({ timeout: T });
  const err = await eventsNamed('screening:error').first().textContent();
  check(/"stage":"packages"/.test(err) && /"code":"cors"/.test(err) && /widget_origins/.test(err),
    `the refused origin was reported as ${err}`);
  check((await eventsNamed('screening:loaded').count()) === 0, 'the widget loaded packages from a refused origin');
  pass('a page origin not in widget_origins: screening:error with code cors, no packages');
} catch (err) {
  results.push(false);
  console.log(`FAIL ${step}: ${err && err.message || err}`);
  try { await page.screenshot({ path: `${ARTIFACTS}/package-app-failed.png`, fullPage: true }); } catch { /* closed */ }
} finally {
  await close();
}
const passed = results.filter(Boolean).length;
console.log(`browser: ${passed} of ${results.length} checks ok`);
process.exit(results.every(Boolean) ? 0 : 1);
