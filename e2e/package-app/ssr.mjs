// Server-side safety: every entry of the installed package imports in plain Node (no DOM)
// without throwing, registers nothing, and the React component renders to HTML.
// Prints one line per check ("ok   " or "FAIL ") and a count last; exits 1 on any failure.
import { pathToFileURL } from 'node:url';

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push(true);
    console.log(`ok   ${name}`);
  } catch (err) {
    results.push(false);
    console.log(`FAIL ${name}: ${err && err.stack || err}`);
  }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }

const noDom = () => assert(typeof window === 'undefined' && typeof HTMLElement === 'undefined'
  && typeof customElements === 'undefined', 'a DOM global appeared in Node');

await check("import 'screening-widget' (init, mount, define; no side effect)", async () => {
  const m = await import('screening-widget');
  assert(typeof m.default === 'function' && typeof m.mount === 'function' && typeof m.define === 'function',
    `exports are ${Object.keys(m)}`);
  assert(m.define() === undefined, 'define() without a DOM did not return undefined');
  noDom();
});
await check("import 'screening-widget/element' (registers only where there is a DOM)", async () => {
  const m = await import('screening-widget/element');
  assert('ScreeningWidgetElement' in m && m.ScreeningWidgetElement === undefined,
    'ScreeningWidgetElement should be undefined without a DOM');
  noDom();
});
await check("import 'screening-widget/react' and render it to HTML on the server", async () => {
  const { ScreeningWidget } = await import('screening-widget/react');
  const { createElement } = await import('react');
  const { renderToString } = await import('react-dom/server');
  const html = renderToString(createElement(ScreeningWidget, {
    id: 'w', className: 'c', config: { sessionUrl: '/session', mode: 'order' }, onEvent() {} }));
  assert(html === '<div id="w" class="c"></div>', `server HTML is ${html}`);
  noDom();
});
if (process.env.ONE_TAG_LOADER) {
  await check('the one-tag loader (screening-widget-element.js) imports without a DOM', async () => {
    const m = await import(pathToFileURL(process.env.ONE_TAG_LOADER).href);
    assert(typeof m.define === 'function', 'the loader does not export define');
    noDom();
  });
}

const passed = results.filter(Boolean).length;
console.log(`ssr: ${passed} of ${results.length} checks ok`);
process.exit(passed === results.length ? 0 : 1);
