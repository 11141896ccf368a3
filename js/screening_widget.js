// The widget's loader: `init`, `mount`, `initSync` and `WidgetHandle` over one wasm build per
// group of modes, so a page downloads only the code of the modes it shows.
// `pkg-scripts/build-widget` makes the builds (cargo features of the same names):
//   screening_widget_order.js    order                  (package picker, order form)
//   screening_widget_review.js   review                 (report beside the decision panel)
//   screening_widget_frames.js   report, disclosures    (Yardstik's pages in an iframe)
//   screening_widget_apply.js    apply                  (intake forms, the candidate's view)
// each the wasm-bindgen glue of its `screening_widget_<build>_bg.wasm`. The builds are loaded
// with `import()` of a literal path, so bundlers split each into its own chunk and emit its
// wasm (the glue names it with `new URL('./…_bg.wasm', import.meta.url)`).
// Nothing here touches the DOM when the module loads (server-side rendering imports it).

const BUILDS = {
  order: () => import('./screening_widget_order.js'),
  review: () => import('./screening_widget_review.js'),
  frames: () => import('./screening_widget_frames.js'),
  apply: () => import('./screening_widget_apply.js'),
};
const BUILD_OF = { order: 'order', review: 'review', report: 'frames', disclosures: 'frames', apply: 'apply' };
const MODES = 'order, report, review, disclosures, apply';

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

function load(build, source) {
  if (!loading[build]) {
    loading[build] = BUILDS[build]()
      .then(async (glue) => {
        glues[build] = glue;
        exportsOf[build] = await glue.default(source);
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

  /** @internal */
  constructor(ready, inner) {
    this.#inner = inner || null;
    this.#ready = ready;
  }

  /** @internal the pending handle's mount, once the build is loaded. */
  static _pending(element, config, build) {
    let handle;
    const ready = load(build).then((glue) => {
      if (handle.#gone) return;
      const cfg = handle.#token !== undefined ? { ...config, token: handle.#token } : config;
      handle.#inner = glue.mount(element, cfg);
    });
    handle = new WidgetHandle(ready);
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
