// The wasm builds of the installed package, in plain Node: each build takes the config of its
// own modes and refuses every other mode with a config error that names the build to load,
// and the loader (`screening-widget`) picks the build by mode. Node has no DOM, so a mode a
// build accepts gets as far as the element ("element has no document"): the config passed.
// Prints one line per check ("ok   " or "FAIL ") and a count last; exits 1 on any failure.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = dirname(createRequire(import.meta.url).resolve('screening-widget/package.json'));
// build → its modes, as the build script and the loader have them (the one table).
const BUILDS = JSON.parse(await readFile(new URL('../../js/builds.json', import.meta.url), 'utf8'));
const MODES = Object.values(BUILDS).flat();
const config = (mode) => ({ mode, token: 't', backgroundCheckId: 'w-1', reportId: 'r-1' });
const wasm = (build) => readFile(join(dir, `screening_widget_${build}_bg.wasm`));

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push(true);
    console.log(`ok   ${name}`);
  } catch (err) {
    results.push(false);
    console.log(`FAIL ${name}: ${err && err.message || err}`);
  }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
const thrown = (fn) => { try { fn(); } catch (err) { return String(err && err.message || err); } return null; };

for (const [build, own] of Object.entries(BUILDS)) {
  await check(`the ${build} build has ${own.join(', ')} and refuses the other modes`, async () => {
    const glue = await import(pathToFileURL(join(dir, `screening_widget_${build}.js`)).href);
    glue.initSync({ module: await wasm(build) });
    for (const mode of MODES) {
      const message = thrown(() => glue.mount({}, config(mode)));
      if (own.includes(mode)) {
        assert(/element has no document/.test(message), `${mode}: ${message}`);
      } else {
        const other = Object.keys(BUILDS).find((b) => BUILDS[b].includes(mode));
        assert(new RegExp(`this build has no ${mode} mode.*\`${other}\` build`).test(message), `${mode}: ${message}`);
      }
    }
  });
}

await check('the loader mounts a mode with the build init loaded for it', async () => {
  const m = await import('screening-widget');
  await m.default({ mode: 'report', module_or_path: await wasm('frames') });
  // Loaded: mount is synchronous and the wasm reads the config (disclosures shares the build).
  assert(/element has no document/.test(thrown(() => m.mount({}, config('disclosures')))),
    'mount of disclosures after init({ mode: report }) did not reach the wasm');
  const unknown = thrown(() => m.mount({}, config('orders')));
  assert(/mode must be one of/.test(unknown), 'an unknown mode was not refused');
  // The loader's table is js/builds.json's: its refusal names every mode of it.
  assert(unknown.endsWith(`one of ${MODES.join(', ')}`), `the loader's modes are not js/builds.json's: ${unknown}`);
  assert(/config must be an object/.test(thrown(() => m.mount({}, 'mode=order'))), 'a string config was not refused');
  let refused = null;
  await m.default({ mode: 'nope' }).catch((err) => { refused = err.message; });
  assert(/mode must be one of/.test(refused), `init of an unknown mode: ${refused}`);
});

await check('a mode whose build is not loaded: mount returns at once, the failure comes as screening:error', async () => {
  const m = await import('screening-widget');
  const el = new EventTarget();
  const events = [];
  el.addEventListener('screening:error', (e) => events.push(e.detail));
  // Node's fetch cannot read the build's file: URL, so the load fails, as a missing file would.
  const handle = m.mount(el, config('apply'));
  assert(handle instanceof m.WidgetHandle && handle.listenerCount() === 0, 'no pending handle');
  let rejected = false;
  await handle.ready.catch(() => { rejected = true; });
  await new Promise((r) => setTimeout(r, 0));
  assert(rejected, 'handle.ready did not reject');
  assert(events.length === 1 && events[0].stage === 'config', `events: ${JSON.stringify(events)}`);
  assert(handle.update(config('apply')) === false, 'update of a handle that never mounted did not return false');
  handle.free();
});

const passed = results.filter(Boolean).length;
console.log(`builds: ${passed} of ${results.length} checks ok`);
process.exit(passed === results.length ? 0 : 1);
