// Type-checked with `tsc --noEmit` against the installed package's .d.ts files (never run).
// Each `@ts-expect-error` must meet an error, so a type that stopped catching a mistake
// fails the check too.
import init, { mount, define, type ScreeningWidgetConfig, type WidgetHandle,
  type ScreeningEventName, type ScreeningEventDetail, type CheckStatus, type OrderState,
  type Applicant } from 'screening-widget';
import { ScreeningWidgetElement } from 'screening-widget/element';
import { ScreeningWidget, type ScreeningWidgetProps } from 'screening-widget/react';

export async function mountIt(el: HTMLElement): Promise<WidgetHandle> {
  await init();
  await init({ mode: 'report' });
  // @ts-expect-error: not a mode (each mode's build is loaded by its name)
  await init({ mode: 'frames' });
  const config: ScreeningWidgetConfig = {
    serverUrl: 'https://screening.example', sessionUrl: '/session', sessionHeaders: { 'X-CSRF': 't' },
    sessionBody: { capabilities: ['order'] }, mode: 'order',
    applicant: { id: '1', first_name: 'A', state: 'CA' }, hiringManager: { id: 'hm' },
    backgroundCheckId: 'w-1', reportId: 'r', width: 800, height: '600', fullScreen: false,
    theme: { accent: '#0a7' }, nonce: 'n', token: 't', requestTimeout: 20_000, loadTimeout: 20_000,
    onEvent: (e) => { if (e.type === 'screening:order-created') e.detail.order.background_check_id.toUpperCase(); },
    fetch: (input, init) => fetch(input, init),
  };
  // @ts-expect-error: not a mode
  const bad: ScreeningWidgetConfig = { mode: 'orders' };
  void bad;
  const handle = mount(el, config);
  handle.listenerCount().toFixed();
  await handle.ready;
  el.addEventListener('screening:session-expired', () => handle.setToken('new-token'));
  const inPlace: boolean = handle.update({ ...config, theme: { accent: '#123' } });
  void inPlace;
  return handle;
}

// The wire shapes, generated from the Rust types (screening-wire.d.ts).
export function wire(order: OrderState, applicant: Applicant): CheckStatus[] {
  const reports: (string | null | undefined)[] = order.items.map((i) => i.report_status);
  // @ts-expect-error: not a status of the wire's vocabulary
  const done: CheckStatus = 'done';
  // @ts-expect-error: a server's applicant always has its email
  const noEmail: Applicant = { id: 'a', first_name: 'A', last_name: 'B' };
  void [reports, done, noEmail, applicant.email.toLowerCase()];
  return [order.status, ...order.history.map((e) => e.status)];
}

export function events(el: HTMLElement) {
  el.addEventListener('screening:order-failed', (e) => e.detail.fieldErrors.map((f) => f.field));
  const name: ScreeningEventName = 'screening:decision';
  const detail: ScreeningEventDetail<'screening:form-submitted'> = { backgroundCheckId: 'b', step: 1, total: 2 };
  // @ts-expect-error: no such event
  const wrong: ScreeningEventName = 'order:created';
  return [name, detail, wrong];
}

export function element() {
  const Klass = define();
  // @ts-expect-error: define() registers the one tag name, it takes no argument
  define('x-widget');
  const el = document.createElement('screening-widget');
  el.config = { mode: 'review', backgroundCheckId: 'b' };
  // @ts-expect-error: config is an object, not a string
  el.config = 'mode=review';
  return [Klass, ScreeningWidgetElement, el];
}

export function App() {
  const props: ScreeningWidgetProps = { config: { mode: 'order' } };
  return (
    <>
      <ScreeningWidget
        {...props}
        config={{ sessionUrl: '/session', mode: 'apply', backgroundCheckId: 'b' }}
        className="w"
        onEvent={(name, detail) => {
          if (name === 'screening:order-created') detail.backgroundCheckId.toUpperCase();
          if (name === 'screening:form-submitted') detail.total.toFixed();
        }}
        onOrderCreated={(detail) => detail.order.items.map((i) => i.package_id)}
        onDecision={(detail) => detail.decision === 'adverse_action' && detail.scheduledFinalAt}
        onError={(detail) => detail.stage}
        onSessionExpired={() => undefined}
        onClosed={(detail) => detail.mode}
      />
      {/* @ts-expect-error: config is required */}
      <ScreeningWidget />
      {/* @ts-expect-error: mode must be one of the widget's modes */}
      <ScreeningWidget config={{ mode: 'orders' }} />
      {/* @ts-expect-error: onOrderCreated gets the detail, whose backgroundCheckId is a string */}
      <ScreeningWidget config={{}} onOrderCreated={(d: { backgroundCheckId: number }) => d} />
      <screening-widget mode="report" background-check-id="b" session-url="/session" class="w" />
      {/* @ts-expect-error: not a mode */}
      <screening-widget mode="reports" />
    </>
  );
}
