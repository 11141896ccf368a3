// The widget's loader: `init`, `mount`, `initSync` and `WidgetHandle` over one wasm build per
// group of modes, so a page downloads only the code of the modes it shows.
// `pkg-scripts/build-widget` makes the builds (cargo features of the same names) that
// `js/builds.json` lists with their modes: `screening_widget_<build>.js`, each the
// wasm-bindgen glue of its `screening_widget_<build>_bg.wasm`. The builds are loaded
// with `import()` of a literal path, so bundlers split each into its own chunk and emit its
// wasm (the glue names it with `new URL('./…_bg.wasm', import.meta.url)`).
// Nothing here touches the DOM when the module loads (server-side rendering imports it).

// The builds and the modes each has are written once, in `js/builds.json`;
// `pkg-scripts/build-widget` writes them in here, replacing the next line, as
//   BUILDS   build → `import()` of its glue, a literal path;
//   WASM     build → its wasm's URL, by literal path too (bundlers emit it once): requested
//            while the glue is imported, instead of after it;
//   BUILD_OF mode → build.
const BUILDS = {}, WASM = {}, BUILD_OF = {};
// The order form drawn from the early package list while the order build's wasm is still
// on its way (see that file): a literal path too, its own small chunk.
const PREVIEW = () => import('./screening_widget_order_preview.js');
const MODES = Object.keys(BUILD_OF).join(', ');

/** build → the promise of its glue module, initialised (a failed load is forgotten, so a
 *  later call tries again). */
const loading = {};
/** build → its glue module, once imported. */
const glues = {};
/** build → its glue module once initialised (what `mount` uses synchronously). */
const ready = {};
/** build → what its glue's `init` resolved to (the wasm's exports). */
const exportsOf = {};

// The mode as the wasm reads it: a trimmed string or number, empty or absent = order.
function modeOf(mode) {
  const m = typeof mode == 'string' || typeof mode == 'number' ? String(mode).trim() : '';
  return m || 'order';
}

function buildOf(mode) {
  const build = BUILD_OF[modeOf(mode)];
  if (!build) throw new Error(`screening-widget: mode must be one of ${MODES}`);
  return build;
}

const plain = (o) => o != null && typeof o == 'object' && Object.getPrototypeOf(o) === Object.prototype;

// The default wasm of `build`, requested now, while its glue is imported (a promise of the
// response, which the glue compiles as it streams in, or from the compiled-code cache);
// `undefined` where the glue's own default is better (no `fetch`, a `file:` URL in Node).
function wasmOf(build) {
  let url;
  try { url = WASM[build](); } catch { return undefined; }
  if (!/^https?:$/.test(url.protocol) || typeof fetch != 'function') return undefined;
  return fetch(url);
}

// `after`: the wasm is requested and the glue imported once it settles (at once, without
// it): the wasm's bytes then stream in while the glue is imported.
function load(build, source, after) {
  if (!loading[build]) {
    let wasm;
    loading[build] = Promise.resolve(after)
      .then(() => {
        wasm = source === undefined ? wasmOf(build) : undefined;
        if (wasm) wasm.catch(() => {}); // awaited by the glue's init below
        return BUILDS[build]();
      })
      .then(async (glue) => {
        glues[build] = glue;
        exportsOf[build] = await glue.default(wasm ? { module_or_path: wasm } : source);
        ready[build] = glue;
        return glue;
      })
      .catch((err) => {
        delete loading[build];
        throw err;
      });
  }
  return loading[build];
}

// The first requests of a widget mounted while its build still downloads, started now: the
// session (POST `sessionUrl`, when there is no `token`) and, in order mode, the package list
// (GET `/widget/packages` with that token). Internal: handed to the wasm on the config as the
// non-enumerable `_prefetch` ({ session, packages }: promises of { key, status, text }, or of
// { key, timeout: true } past `requestTimeout`; `settled`: those already resolved). The wasm
// uses an answer only when its `key` (method, URL, headers, body) is the request it would
// send itself, and sends its own on a rejection; the answer goes through the same checks as
// its own (errors, token renewal).
/** How long a mount waits, at most, for the early package list once the wasm is there (ms). */
const EARLY_WAIT = 30;
/** How long, at most, the order build's JS waits for the form to be drawn first (ms). */
const LIST_FIRST = 150;
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const JSON_HEADERS = [['Accept', 'application/json'], ['Content-Type', 'application/json']];
const CAPABILITY = { order: 'order', report: 'review', review: 'review', apply: 'candidate', disclosures: 'disclosures' };

function prefetch(config) {
  if (typeof window == 'undefined') return undefined;
  const str = (v) => (typeof v == 'string' || typeof v == 'number' ? String(v).trim() : '');
  const f = typeof config.fetch == 'function' ? config.fetch : window.fetch;
  const ms = config.requestTimeout === undefined ? 20000 : config.requestTimeout;
  const mode = modeOf(config.mode);
  if (typeof f != 'function' || !(ms >= 1 && ms <= 600000) || !CAPABILITY[mode]) return undefined;
  const server = str(config.serverUrl).replace(/\/+$/, '');
  const send = (method, url, headers, body) => {
    const key = JSON.stringify([method, url, headers, body === undefined ? null : body]);
    const h = {};
    for (const [k, v] of headers) h[k] = v;
    const abort = typeof AbortController == 'function' ? new AbortController() : null;
    let timer;
    const deadline = new Promise((resolve) => {
      timer = setTimeout(() => { if (abort) abort.abort(); resolve({ key, timeout: true }); }, ms);
    });
    // Sent now (a throwing `fetch` rejects like a failed one).
    let sent;
    try {
      sent = Promise.resolve(f.call(window, url, { method, headers: h, body, signal: abort ? abort.signal : undefined }));
    } catch (err) {
      sent = Promise.reject(err);
    }
    const answer = sent.then(async (res) => ({ key, status: res.status, text: await res.text() }));
    const out = Promise.race([answer, deadline]);
    out.then(() => clearTimeout(timer), () => clearTimeout(timer));
    return out;
  };
  const out = {};
  let token = str(config.token);
  let session;
  if (!token) {
    const url = str(config.sessionUrl);
    if (!url) return undefined;
    const b = config.sessionBody;
    const bcid = mode == 'disclosures' ? '' : str(config.backgroundCheckId);
    const body = typeof b == 'object' && b !== null ? JSON.stringify(b)
      : JSON.stringify({ ...(bcid ? { background_check_id: bcid } : {}), capabilities: [CAPABILITY[mode]] });
    const extra = config.sessionHeaders && typeof config.sessionHeaders == 'object'
      ? Object.entries(config.sessionHeaders).filter(([, v]) => typeof v == 'string') : [];
    session = out.session = send('POST', url, [...JSON_HEADERS, ...extra], body);
  }
  if (mode == 'order') {
    const tokenOf = token ? Promise.resolve(token) : session.then((a) => {
      const t = a.status >= 200 && a.status < 300 && !a.timeout ? str(JSON.parse(a.text).token) : '';
      if (!t) throw new Error('no session token');
      return t;
    });
    out.packages = tokenOf.then((t) => send('GET', `${server}/widget/packages`,
      [['Accept', 'application/json'], ['Authorization', `Bearer ${t}`]]));
  }
  // The answers come by the mount are also in `settled` (the wasm reads them at once); an
  // unused promise must not report an unhandled rejection.
  const settled = {};
  for (const [k, p] of Object.entries(out)) p.then((v) => { settled[k] = v; }, () => {});
  out.settled = settled;
  return out;
}

/** @internal what `mount` hands to a widget whose build is still loading (tests use it). */
export { prefetch as _prefetch };

/** Load the build of `mode` (default `order`), once: every later or concurrent call for the
 *  same build gets the same promise. `module_or_path`: where that build's wasm comes from
 *  (default: `screening_widget_<build>_bg.wasm` next to its glue). */
export default function init(options) {
  let mode;
  let source;
  if (plain(options)) {
    mode = options.mode;
    if (options.module_or_path !== undefined) source = { module_or_path: options.module_or_path };
  } else if (options !== undefined) {
    source = { module_or_path: options };
  }
  try {
    const build = buildOf(mode);
    return load(build, source).then(() => exportsOf[build]);
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Synchronous `init` of the build of `mode` (default `order`) from its wasm's bytes or
 *  compiled module. The build's JS must already be imported (an earlier `init` or `mount` of
 *  it): otherwise this throws; `await init({ mode, module_or_path: module })` does both. */
export function initSync(options) {
  const opts = plain(options) ? options : { module: options };
  const build = buildOf(opts.mode);
  const glue = glues[build];
  if (!glue) {
    throw new Error(`screening-widget: initSync: the ${build} build's JS is not loaded; `
      + 'use await init({ mode, module_or_path }) instead');
  }
  exportsOf[build] = glue.initSync({ module: opts.module });
  ready[build] = glue;
  return exportsOf[build];
}

/** What `mount` returns: the mounted widget, or one still waiting for its build's wasm (it
 *  mounts when the wasm arrives, unless unmounted before). */
export class WidgetHandle {
  #inner = null;
  #gone = false;
  #token;
  #ready;
  /** Removes the loader's drawing of the form (a widget still waiting for its wasm). */
  #undraw = null;

  /** @internal */
  constructor(ready, inner) {
    this.#inner = inner || null;
    this.#ready = ready;
  }

  /** @internal the pending handle's mount, once the build is loaded. */
  static _pending(element, config, build) {
    let handle;
    // The session request first (the list waits for it), then the build; the wasm asks for
    // neither again once it runs.
    let early;
    try { early = prefetch(config); } catch { early = undefined; }
    // In order mode, the form drawn from the early package list as soon as it comes, if the
    // wasm has not mounted by then: usable at once, a frame before the wasm's mount (a long
    // task) replaces it; what the user does in it goes to the wasm, whose first render
    // carries it on. A failed load or a refused config removes it.
    let drawn = null;
    let painted = null;
    let mounting = false;
    const undraw = () => {
      if (drawn) drawn.remove();
      drawn = null;
    };
    const module = early && early.packages && build == 'order' && typeof document != 'undefined'
      ? PREVIEW().then((m) => { m.prepare(); return m; }) : null;
    const drawing = module
      ? Promise.all([early.packages, module]).then(([answer, m]) => {
        if (handle.#gone || mounting || answer.timeout || answer.status !== 200) return;
        drawn = m.preview(element, config, answer.text);
        // Shown before the mount: after the next frame (or a moment, where frames do not
        // come, as in a hidden tab).
        if (drawn) painted = new Promise((resolve) => {
          if (typeof requestAnimationFrame == 'function') requestAnimationFrame(() => setTimeout(resolve, 0));
          setTimeout(resolve, 100);
        });
      }).catch(() => {})
      : null;
    // The build's JS and wasm compete with the early requests and the drawing for the
    // network and the main thread (reading, decoding and compiling 300 kB): they are
    // requested once the form is drawn (or cannot be), at most LIST_FIRST ms on. The user
    // has the drawn form meanwhile; the wasm takes over what was done in it.
    const loaded = load(build, undefined, drawing ? Promise.race([drawing, wait(LIST_FIRST)]) : undefined);
    // Before the mount: in order mode, the early package list's answer (or the form drawn
    // from it) when it comes within EARLY_WAIT ms of the wasm: the first render then shows
    // the list (one layout, not a loading state and then the list); otherwise the answers
    // that came meanwhile get their turn (the package list goes out once the session is
    // there).
    const answered = early && early.packages
      ? (drawing || Promise.resolve()).then(() => early.packages).then(() => {}, () => {}) : null;
    const before = () => (answered ? Promise.race([answered, wait(EARLY_WAIT)]) : wait(0))
      .then(() => painted);
    const ready = loaded
      .then((glue) => (early ? before().then(() => glue) : glue))
      .then((glue) => {
        mounting = true;
        if (handle.#gone) return;
        let cfg = handle.#token !== undefined ? { ...config, token: handle.#token } : config;
        // The early answers are for the config's session; a token given since has its own
        // (what was done in the drawn form is handed over all the same).
        const preview = drawn ? drawn.state() : undefined;
        if (early) {
          cfg = { ...cfg };
          const handed = handle.#token === undefined ? { ...early, preview } : { preview };
          Object.defineProperty(cfg, '_prefetch', { value: handed });
        }
        try {
          handle.#inner = glue.mount(element, cfg);
        } catch (err) {
          undraw();
          throw err;
        }
        drawn = null; // replaced by the wasm's own
      }, (err) => {
        mounting = true;
        undraw();
        throw err;
      });
    handle = new WidgetHandle(ready);
    handle.#undraw = undraw;
    // A config error also goes out as the event the wasm sends for it: nobody may await this.
    ready.catch((err) => {
      if (handle.#gone || typeof element.dispatchEvent != 'function') return;
      const message = String((err && err.message) || err);
      const event = new CustomEvent('screening:error', {
        bubbles: true, composed: true, detail: { stage: 'config', message, code: 'config' } });
      element.dispatchEvent(event);
      if (config && typeof config.onEvent == 'function') config.onEvent(event);
    });
    return handle;
  }

  /** Resolves once the widget is mounted (at once for a build already loaded); rejects with
   *  the reason it could not be (its wasm did not load, or the config was refused). */
  get ready() { return this.#ready; }

  /** Remove the widget, its window listeners and pending events. Idempotent. */
  unmount() {
    this.#gone = true;
    if (this.#inner) this.#inner.unmount();
    else if (this.#undraw) this.#undraw();
  }

  /** Window listeners held by this widget (0 after unmount, and before it is mounted). */
  listenerCount() { return this.#inner ? this.#inner.listenerCount() : 0; }

  /** Give the widget a new session token (one still waiting for its wasm mounts with it). */
  setToken(token) {
    if (this.#inner) this.#inner.setToken(token);
    else this.#token = token;
  }

  /** Give the mounted widget a changed config in place (what the user typed stays); `false`
   *  when the change needs a new widget (another mode, server, session, ...), when it is
   *  not mounted yet or any more: then mount again. Throws on an invalid config. */
  update(config) {
    const inner = this.#inner;
    return !this.#gone && inner != null && typeof inner.update == 'function' && inner.update(config);
  }

  /** Release the wasm-side handle (also unmounts). */
  free() {
    this.#gone = true;
    const inner = this.#inner;
    this.#inner = null;
    if (inner) inner.free();
    else if (this.#undraw) this.#undraw();
  }
}

/** Mount the widget into `element`. With its mode's build loaded (`await init({ mode })`) it
 *  mounts at once and throws on an invalid config, as the wasm does; otherwise it loads that
 *  build and mounts when it arrives: a config refused then comes as `screening:error` (stage
 *  `config`) and rejects `handle.ready`. */
export function mount(element, config) {
  if (config === null || typeof config != 'object') {
    throw new Error('screening-widget: config must be an object');
  }
  const build = buildOf(config.mode);
  const glue = ready[build];
  if (glue) return new WidgetHandle(Promise.resolve(), glue.mount(element, config));
  return WidgetHandle._pending(element, config, build);
}
