// Types for the screening widget: the package's main entry (`screening-widget`: `init`,
// `mount`, `define`) and everything the widget's config and events carry.

import type { ScreeningWidgetElement } from './screening-widget-element.js';

export type Mode = 'order' | 'report' | 'review' | 'disclosures' | 'apply';

// The wire shapes (what the companion server answers, and what the widget's config shares
// with its order request) are generated from the Rust types: `screening-wire.d.ts`.
import type { Applicant, CheckStatus, FieldError, HiringManager, OrderState } from './screening-wire.js';
export type {
  Applicant, CheckResult, CheckStatus, FieldError, HiringManager, OrderEvent, OrderItem, OrderState,
} from './screening-wire.js';

export interface ScreeningWidgetConfig {
  /** Base URL of the companion server; omit for the page's own origin. */
  serverUrl?: string;
  /** A widget session token (from your backend's `POST /widget/sessions`). */
  token?: string;
  /** A URL on your backend that answers a POST with `{ token, expires_at, expires_in }`;
   *  called when there is no token and again whenever the server says it expired. */
  sessionUrl?: string;
  /** Extra headers for the `sessionUrl` request (e.g. a CSRF token). */
  sessionHeaders?: Record<string, string>;
  /** Body POSTed to `sessionUrl` (default: `{ capabilities: [<the mode's>], background_check_id? }`;
   *  review mode: `{ background_check_id, capabilities: ['review'] }`). */
  sessionBody?: Record<string, unknown>;
  /** Default `order`. */
  mode?: Mode;
  /** Order mode: prefills the applicant form (any of its fields; `state` is a two-letter
   *  US state code). */
  applicant?: Partial<Applicant>;
  /** Order mode: sent with the order (`id` required). */
  hiringManager?: Pick<HiringManager, 'id'> & Partial<HiringManager>;
  /** Report, review and apply modes: the order (required in review and apply mode);
   *  order mode: the id to give the new order. */
  backgroundCheckId?: string;
  /** Report mode: a Yardstik report id (instead of `backgroundCheckId`). */
  reportId?: string;
  /** Iframe width / height, as in Yardstik's SDK. Defaults `800` / `600`. */
  width?: string | number;
  height?: string | number;
  /** Iframe fills the viewport, as in Yardstik's SDK. */
  fullScreen?: boolean;
  /** CSS custom properties: `{ accent: '#0a7' }` or `{ '--sw-accent': '#0a7' }`. */
  theme?: Record<string, string>;
  /** CSP nonce for the widget's `<style>`; without it a constructable stylesheet is used. */
  nonce?: string;
  /** Called with every `screening:*` CustomEvent, after it is dispatched on the element. */
  onEvent?: (event: ScreeningEvent) => void;
  /** A `fetch` replacement (same signature), e.g. for tests or custom credentials. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Milliseconds before a request to the server or the session endpoint is aborted
   *  (1 to 600000; default 20000). */
  requestTimeout?: number;
  /** Milliseconds to wait for Yardstik's page to say it loaded before offering it in a new
   *  tab (1 to 600000; default 20000). */
  loadTimeout?: number;
}

/** What `mount` returns. */
export declare class WidgetHandle {
  private constructor();
  /** Resolves once the widget is mounted (at once when its build was loaded before `mount`);
   *  rejects with the reason it could not be (its wasm did not load, the config was refused). */
  readonly ready: Promise<void>;
  /** Remove the widget, its window listeners and pending events. Idempotent. */
  unmount(): void;
  /** Window listeners held by this widget (0 after unmount, and before it is mounted). */
  listenerCount(): number;
  /** Give the widget a new session token (answering `screening:session-expired` when there
   *  is no `sessionUrl`); a request waiting for one continues with it. */
  setToken(token: string): void;
  /** Apply a changed config to the mounted widget without a remount: `theme`, `applicant`
   *  (fields the user has not typed in; what they typed stays), `hiringManager`, `width`,
   *  `height`, `fullScreen`, `loadTimeout`, `onEvent`, `token`. Returns `false`, changing
   *  nothing, when the change needs a new widget (`mode`, `serverUrl`, `sessionUrl`,
   *  `sessionHeaders`, `sessionBody`, `backgroundCheckId`, `reportId`, `applicant.id`, `fetch`,
   *  `requestTimeout`, `nonce`), or when the widget is not mounted (yet, or any more):
   *  `unmount()` and `mount` it again. Throws, changing nothing, on a config `mount` would
   *  refuse (one for another mode returns `false`: `mount` says what is wrong with it). */
  update(config: ScreeningWidgetConfig): boolean;
  /** Release the wasm-side handle (also unmounts). */
  free(): void;
}

export type LoadedDetail =
  | { mode: 'order'; packages: number; addOns: number }
  | { mode: 'report' | 'review' | 'disclosures' | 'apply'; domain: string };
export interface OrderCreatedDetail {
  backgroundCheckId: string;
  status: CheckStatus;
  idempotencyKey: string;
  order: OrderState;
}
export interface OrderFailedDetail {
  message: string;
  /** The server's `code` (`validation`, `upstream_rejected`, ...), `network`, or null. */
  code: string | null;
  /** HTTP status, null for a network failure. */
  status: number | null;
  /** The same request may succeed if retried (network error, 5xx, 429). */
  retryable: boolean;
  fieldErrors: FieldError[];
  idempotencyKey: string;
}
export interface TokenRefreshedDetail {
  kind: 'session' | 'report' | 'disclosures';
  expiresAt?: string;
  domain?: string;
}
export interface IframeLoadedDetail { mode: 'report' | 'review' | 'disclosures' | 'apply' }
/** Apply mode: one intake form (of `total`, one per Yardstik invitation of the order) was
 *  submitted; `step` counts from 1. After `step === total` the "what happens next" panel shows. */
export interface FormSubmittedDetail { backgroundCheckId: string; step: number; total: number }
export interface ErrorDetail {
  stage: 'config' | 'packages' | 'token' | 'apply_link' | 'decision';
  message: string;
  code: string | null;
}
/** Review mode: a decision was taken in the widget (the server answered 2xx). */
export type DecisionDetail =
  | { backgroundCheckId: string; decision: 'proceed'; reportStatus: string }
  | {
      backgroundCheckId: string;
      decision: 'adverse_action';
      /** Yardstik's report status after it, e.g. `pre_adverse`. */
      reportStatus: string;
      /** When the final adverse notice goes out (RFC 3339), while the action is pending. */
      scheduledFinalAt?: string;
    }
  | { backgroundCheckId: string; decision: 'cancel'; reportStatus: string };

/** The session token expired and there is no `sessionUrl`: call `handle.setToken(newToken)`. */
export type SessionExpiredDetail = Record<string, never>;
/** Full screen was closed (Escape or the close button). */
export interface ClosedDetail { mode: 'report' | 'review' | 'disclosures' | 'apply' }

export interface ScreeningEventMap {
  'screening:loaded': CustomEvent<LoadedDetail>;
  'screening:order-created': CustomEvent<OrderCreatedDetail>;
  'screening:order-failed': CustomEvent<OrderFailedDetail>;
  'screening:token-refreshed': CustomEvent<TokenRefreshedDetail>;
  'screening:iframe-loaded': CustomEvent<IframeLoadedDetail>;
  'screening:form-submitted': CustomEvent<FormSubmittedDetail>;
  'screening:decision': CustomEvent<DecisionDetail>;
  'screening:error': CustomEvent<ErrorDetail>;
  'screening:session-expired': CustomEvent<SessionExpiredDetail>;
  'screening:closed': CustomEvent<ClosedDetail>;
}
/** Every event name: `'screening:loaded' | 'screening:order-created' | ...`. */
export type ScreeningEventName = keyof ScreeningEventMap;
/** The `detail` of the event named `K`. */
export type ScreeningEventDetail<K extends ScreeningEventName> = ScreeningEventMap[K]['detail'];
/** Any widget event; narrow it with `event.type`. */
export type ScreeningEvent = {
  [K in keyof ScreeningEventMap]: ScreeningEventMap[K] & { readonly type: K };
}[keyof ScreeningEventMap];

declare global {
  interface HTMLElementEventMap extends ScreeningEventMap {}
}

/** Mount the widget into `element` (in its shadow root). With the build of `config.mode`
 *  loaded (`await init({ mode })`) it mounts at once and throws on an invalid config;
 *  otherwise it loads that build and mounts when it arrives (a config refused then comes as
 *  `screening:error`, stage `config`, and rejects `handle.ready`). Throws on an unknown mode. */
export declare function mount(element: HTMLElement, config: ScreeningWidgetConfig): WidgetHandle;

/** Where the wasm comes from: a URL (a bundler's asset URL), a fetch `Response`, its bytes,
 *  or a compiled module. */
export type WasmSource = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** Load the wasm build of `mode` (default `order`; `report` and `disclosures` share one
 *  build), from `module_or_path` (default: `screening_widget_<build>_bg.wasm` next to its
 *  module, found through `new URL(..., import.meta.url)`). Call before `mount`; the first call
 *  for a build loads it, every later or concurrent call for it gets the same promise. */
export default function init(
  options?: { mode?: Mode; module_or_path?: WasmSource | Promise<WasmSource> },
): Promise<unknown>;

/** Synchronous `init` of the build of `mode` (default `order`) from its wasm's bytes or
 *  compiled module; that build's JS must be loaded already (else it throws: use
 *  `await init({ mode, module_or_path })`). */
export declare function initSync(source: { module: BufferSource | WebAssembly.Module; mode?: Mode }): unknown;

/** Register `<screening-widget>` (once) and return its class; `undefined` where there is no
 *  DOM (server-side rendering). The element loads the wasm itself (`init()`). */
export declare function define(): typeof ScreeningWidgetElement | undefined;
