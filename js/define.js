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
import init, { mount } from './screening_widget.js';

const JSON_ATTRS = { applicant: 'applicant', 'hiring-manager': 'hiringManager',
  'session-headers': 'sessionHeaders', 'session-body': 'sessionBody', theme: 'theme' };
const TEXT_ATTRS = { mode: 'mode', server: 'serverUrl', token: 'token', 'session-url': 'sessionUrl',
  'background-check-id': 'backgroundCheckId', 'report-id': 'reportId', width: 'width', height: 'height' };
const ATTRS = [...Object.keys(JSON_ATTRS), ...Object.keys(TEXT_ATTRS), 'full-screen', 'nonce'];

export function define(tag = 'screening-widget') {
  if (typeof customElements == 'undefined') return;
  const known = customElements.get(tag);
  if (known) return known;

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
    attributeChangedCallback() { if (this.isConnected) this.#schedule(); }

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
      for (const [attr, key] of Object.entries(TEXT_ATTRS)) {
        if (this.hasAttribute(attr)) config[key] = this.getAttribute(attr);
      }
      for (const [attr, key] of Object.entries(JSON_ATTRS)) {
        const raw = this.getAttribute(attr);
        if (raw) config[key] = JSON.parse(raw);
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
        // wasm-bindgen's init loads the wasm once, however often and concurrently it is called.
        await init();
        if (!this.isConnected) return;
        const config = this.#readConfig();
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

  customElements.define(tag, ScreeningWidgetElement);
  return ScreeningWidgetElement;
}
