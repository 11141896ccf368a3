// <screening-widget> custom element: one tag for hosts without a build step.
//   <script type="module" src="/static/widget/screening-widget-element.js"></script>
//   <screening-widget mode="order" server="https://screening.example" session-url="/session"
//                     applicant='{"first_name":"John",...}'></screening-widget>
// Attributes: mode, server, token, session-url, session-headers (JSON), session-body (JSON),
// background-check-id, report-id, applicant (JSON), hiring-manager (JSON), width, height,
// full-screen, theme (JSON), nonce. Anything else (onEvent, fetch) via the `config` property.
// Events (screening:*) are dispatched on the element itself. No eval, no inline script.
import init, { mount } from './screening_widget.js';

let ready;
const boot = () => (ready ??= init());

const JSON_ATTRS = { applicant: 'applicant', 'hiring-manager': 'hiringManager',
  'session-headers': 'sessionHeaders', 'session-body': 'sessionBody', theme: 'theme' };
const TEXT_ATTRS = { mode: 'mode', server: 'serverUrl', token: 'token', 'session-url': 'sessionUrl',
  'background-check-id': 'backgroundCheckId', 'report-id': 'reportId', width: 'width', height: 'height' };
const ATTRS = [...Object.keys(JSON_ATTRS), ...Object.keys(TEXT_ATTRS), 'full-screen', 'nonce'];

export class ScreeningWidgetElement extends HTMLElement {
  static get observedAttributes() { return ATTRS; }

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
    if (this.#handle) { this.#handle.unmount(); this.#handle.free(); this.#handle = null; }
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
      await boot();
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

if (!customElements.get('screening-widget')) {
  customElements.define('screening-widget', ScreeningWidgetElement);
}
