// <ScreeningWidget config={...} onEvent={(name, detail) => ...} onOrderCreated={...} />
// Mounts the widget into a <div> at once, as the custom element does: while its build
// downloads, the loader sends the session and package list requests and, in order mode,
// draws the form from the list (see screening_widget.js). The config is compared by value:
// a new object with the same values (an inline `config={{...}}`) keeps the mounted widget
// and what the user typed in it. A new `token` goes to the mounted widget
// (`handle.setToken`); any other changed value goes to it too (`handle.update`), unless it
// needs a new widget (mode, server, session, the check shown): then it remounts. Functions
// in the config (`onEvent`, `fetch`) are called through the latest props, so a new function
// never remounts. Events reach the props through listeners on the <div>.
// On a server it renders the empty <div> and nothing else.
import { createElement, useEffect, useRef } from 'react';
import { mount, WidgetHandle } from './screening_widget.js';

/** Event name → the prop that receives its `detail`. */
export const EVENT_PROPS = {
  'screening:loaded': 'onLoaded',
  'screening:order-created': 'onOrderCreated',
  'screening:order-failed': 'onOrderFailed',
  'screening:token-refreshed': 'onTokenRefreshed',
  'screening:iframe-loaded': 'onIframeLoaded',
  'screening:form-submitted': 'onFormSubmitted',
  'screening:decision': 'onDecision',
  'screening:error': 'onError',
  'screening:session-expired': 'onSessionExpired',
  'screening:closed': 'onClosed',
};

// A mounted widget takes a new session token without a remount.
const SET_TOKEN = typeof WidgetHandle.prototype.setToken == 'function';
const withoutToken = (c) => (SET_TOKEN && c ? { ...c, token: undefined } : c);

/** Equal as config: same primitives, same keys with equal values (undefined = absent);
 *  two functions count as equal (they are called through the latest props). */
export function sameConfig(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a == 'function' && typeof b == 'function') return true;
  if (!a || !b || typeof a != 'object' || typeof b != 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = (o) => Object.keys(o).filter((k) => o[k] !== undefined);
  const ka = keys(a);
  const kb = keys(b);
  return ka.length === kb.length && ka.every((k) => sameConfig(a[k], b[k]));
}

export function ScreeningWidget(props) {
  const host = useRef(null);
  const handle = useRef(null);
  const latest = useRef(props);
  latest.current = props;
  // The config's functions as the widget gets them: the same ones for its whole life.
  const fns = useRef(null);
  if (!fns.current) {
    fns.current = {
      onEvent: (e) => latest.current.config.onEvent(e),
      fetch: (input, init) => latest.current.config.fetch(input, init),
    };
  }
  const widgetConfig = (c) => {
    const cfg = { ...(c || {}) };
    const now = latest.current.config || {};
    if (now.token !== undefined) cfg.token = now.token;
    if (typeof cfg.onEvent == 'function') cfg.onEvent = fns.current.onEvent;
    if (typeof cfg.fetch == 'function') cfg.fetch = fns.current.fetch;
    return cfg;
  };
  const configError = (err) => {
    const message = String((err && err.message) || err);
    host.current.dispatchEvent(new CustomEvent('screening:error', {
      bubbles: true, composed: true, detail: { stage: 'config', message, code: 'config' } }));
  };

  // The config the widget is mounted with changes only when its value does (the token
  // aside, which the mounted widget takes as it is).
  const config = useRef(props.config);
  if (!sameConfig(withoutToken(config.current), withoutToken(props.config))) config.current = props.config;
  const current = config.current;
  const token = props.config && props.config.token;

  // Events → props, for the life of the <div>.
  useEffect(() => {
    const el = host.current;
    const listener = (event) => {
      if (event.target !== el) return; // a widget nested inside this one has its own props
      const p = latest.current;
      if (p.onEvent) p.onEvent(event.type, event.detail);
      const handler = p[EVENT_PROPS[event.type]];
      if (handler) handler(event.detail, event);
    };
    const names = Object.keys(EVENT_PROPS);
    for (const name of names) el.addEventListener(name, listener);
    return () => { for (const name of names) el.removeEventListener(name, listener); };
  }, []);

  // Unmount on removal. free() unmounts: the widget's DOM and window listeners go.
  useEffect(() => () => {
    if (handle.current) { handle.current.free(); handle.current = null; }
  }, []);

  // When the config's value changes: the mounted widget takes it in place (what the user
  // typed stays), or, when it cannot (`update` → false, as for one still waiting for its
  // wasm), is mounted afresh. A config it refuses leaves it as it was and comes as `onError`.
  useEffect(() => {
    const mounted = handle.current;
    if (mounted && typeof mounted.update == 'function') {
      try {
        if (mounted.update(widgetConfig(current))) return;
      } catch (err) {
        configError(err);
        return;
      }
    }
    if (mounted) { mounted.free(); handle.current = null; }
    // Mounts now, or, while the build of the config's mode loads (once; see
    // screening_widget.js), when it comes; a config refused then, or a build that does not
    // load, comes as `screening:error` on the <div> (so as `onError`).
    try {
      handle.current = mount(host.current, widgetConfig(current));
    } catch (err) {
      configError(err);
    }
  }, [current]);

  // A new token for the mounted widget (one mounted later reads the latest token itself).
  useEffect(() => {
    if (SET_TOKEN && token && handle.current) handle.current.setToken(token);
  }, [token]);

  return createElement('div', { ref: host, id: props.id, className: props.className, style: props.style });
}

export default ScreeningWidget;
