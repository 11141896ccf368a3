// The <screening-widget> custom element. `define()` registers it (once) and returns its
// class; where there is no DOM (server-side rendering, plain Node) it does nothing and
// returns undefined, so importing this module never throws.
// `pkg-scripts/build-widget` also ships this file with a `define()` call appended as
// `screening-widget-element.js`, the one-tag loader for hosts without a build step:
//   <script type="module" src="/static/widget/screening-widget-element.js"></script>
//   <screening-widget mode="order" server="https://screening.example" session-url="/session"
//                     applicant='{"first_name":"John",...}'></screening-widget>
// Attributes: mode, server, token, session-url, session-headers (JSON), session-body (JSON),
// background-check-id, report-id, applicant (JSON), hiring-manager (JSON), width, height,
// full-screen, theme (JSON), nonce. Anything else (onEvent, fetch) via the `config` property.
// Events (screening:*) are dispatched on the element itself. No eval, no inline script.
// Only the wasm build of the element's `mode` is downloaded (see screening_widget.js).
import init, { mount } from './screening_widget.js';

const TEXT_ATTRS = ['mode', 'server', 'token', 'session-url', 'background-check-id', 'report-id', 'width', 'height'];
const JSON_ATTRS = ['applicant', 'hiring-manager', 'session-headers', 'session-body', 'theme'];
const ATTRS = [...TEXT_ATTRS, ...JSON_ATTRS, 'full-screen', 'nonce'];
// The config key of an attribute: `session-url` → `sessionUrl`; `server` → `serverUrl`.
const key = (attr) => attr == 'server' ? 'serverUrl' : attr.replace(/-./g, (m) => m[1].toUpperCase());

export function define() {
  if (typeof customElements == 'undefined') return;
  if (customElements.get('screening-widget')) return customElements.get('screening-widget');

  class ScreeningWidgetElement extends HTMLElement {
    static observedAttributes = ATTRS;

    #handle = null;
    #config = {};
    #queued = false;

    /** Extra config (onEvent, fetch, ...) merged under the attributes. */
    get config() { return this.#config; }
    set config(value) { this.#config = value || {}; this.#schedule(); }

    connectedCallback() { this.#schedule(); }
    disconnectedCallback() { this.#unmount(); }
    attributeChangedCallback() { this.#schedule(); } // #render skips a disconnected element

    #schedule() {
      if (this.#queued) return;
      this.#queued = true;
      queueMicrotask(() => { this.#queued = false; this.#render(); });
    }

    #unmount() {
      // free() drops the handle, which unmounts.
      if (this.#handle) { this.#handle.free(); this.#handle = null; }
    }

    #readConfig() {
      const config = { ...this.#config };
      for (const attr of TEXT_ATTRS) {
        if (this.hasAttribute(attr)) config[key(attr)] = this.getAttribute(attr);
      }
      for (const attr of JSON_ATTRS) {
        const raw = this.getAttribute(attr);
        if (raw) config[key(attr)] = JSON.parse(raw);
      }
      if (this.hasAttribute('full-screen')) config.fullScreen = this.getAttribute('full-screen') !== 'false';
      // Browsers hide a nonce attribute once parsed; the IDL property keeps it.
      const nonce = this.nonce || this.getAttribute('nonce');
      if (nonce) config.nonce = nonce;
      return config;
    }

    async #render() {
      if (!this.isConnected) return;
      try {
        if (!this.#handle) {
          // A first widget: mounted at once, so its build's wasm, the session and the
          // package list download together (see mount); it appears when its build is
          // loaded, and a config refused then comes as screening:error (stage config).
          const handle = mount(this, this.#readConfig());
          this.#handle = handle;
          handle.ready.catch((err) => {
            if (this.#handle === handle) console.error('screening-widget:', String(err && err.message || err));
          });
          return;
        }
        // Loads the wasm build of the element's mode once, however often and concurrently
        // it is asked for (an unknown mode rejects here, as a config error).
        await init({ mode: this.#readConfig().mode });
        if (!this.isConnected) return;
        const config = this.#readConfig();
        // In place when the widget can take it (what the user typed stays), else afresh.
        if (this.#handle && this.#handle.update(config)) return;
        this.#unmount();
        this.#handle = mount(this, config);
      } catch (err) {
        const message = String(err && err.message || err);
        console.error('screening-widget:', message);
        this.dispatchEvent(new CustomEvent('screening:error', {
          bubbles: true, composed: true, detail: { stage: 'config', message, code: 'config' } }));
      }
    }
  }

  customElements.define('screening-widget', ScreeningWidgetElement);
  return ScreeningWidgetElement;
}
