// `screening-widget/react`: the <ScreeningWidget> component, and JSX typing for the
// <screening-widget> element in React.
import type { CSSProperties, DetailedHTMLProps, HTMLAttributes, JSX as ReactJSX } from 'react';
import type {
  ScreeningWidgetConfig, ScreeningEventMap, ScreeningEventName, ScreeningEventDetail,
  LoadedDetail, OrderCreatedDetail, OrderFailedDetail, TokenRefreshedDetail, IframeLoadedDetail,
  FormSubmittedDetail, DecisionDetail, ErrorDetail, SessionExpiredDetail, ClosedDetail,
} from './screening-widget.js';
import type { ScreeningWidgetElement, ScreeningWidgetAttributes } from './screening-widget-element.js';

/** `onEvent`'s arguments: narrowing `name` narrows `detail`. */
export type ScreeningEventArgs = {
  [K in ScreeningEventName]: [name: K, detail: ScreeningEventDetail<K>];
}[ScreeningEventName];

type Handler<D> = (detail: D, event: CustomEvent<D>) => void;

export interface ScreeningWidgetProps {
  /** The widget's config, compared by value: an equal new object (an inline `config={{...}}`)
   *  keeps the mounted widget; a new `token` goes to it (`setToken`); any other changed value
   *  too (`update`: theme, applicant prefill, ...), unless it needs a new widget (`mode`,
   *  `serverUrl`, the session, `backgroundCheckId`, `reportId`, ...): then it remounts.
   *  Functions in it (`onEvent`, `fetch`) may be new on every render. */
  config: ScreeningWidgetConfig;
  /** Every `screening:*` event: `(name, detail)`. */
  onEvent?: (...args: ScreeningEventArgs) => void;
  onLoaded?: Handler<LoadedDetail>;
  onOrderCreated?: Handler<OrderCreatedDetail>;
  onOrderFailed?: Handler<OrderFailedDetail>;
  onTokenRefreshed?: Handler<TokenRefreshedDetail>;
  onIframeLoaded?: Handler<IframeLoadedDetail>;
  onFormSubmitted?: Handler<FormSubmittedDetail>;
  onDecision?: Handler<DecisionDetail>;
  onError?: Handler<ErrorDetail>;
  onSessionExpired?: Handler<SessionExpiredDetail>;
  onClosed?: Handler<ClosedDetail>;
  /** On the <div> the widget mounts into. */
  id?: string;
  className?: string;
  style?: CSSProperties;
}

/** Event name → the prop that receives it. */
export declare const EVENT_PROPS: { readonly [K in ScreeningEventName]: keyof ScreeningWidgetProps };

/** Equal as config (what decides an update or a remount): same values; any two functions
 *  are equal. */
export declare function sameConfig(a: unknown, b: unknown): boolean;

export declare function ScreeningWidget(props: ScreeningWidgetProps): ReactJSX.Element;
export default ScreeningWidget;

/** `<screening-widget>` in React's JSX (register it with `import 'screening-widget/element'`). */
export type ScreeningWidgetJSXProps = DetailedHTMLProps<HTMLAttributes<ScreeningWidgetElement>, ScreeningWidgetElement>
  & ScreeningWidgetAttributes
  & { config?: Partial<ScreeningWidgetConfig>; class?: string };

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'screening-widget': ScreeningWidgetJSXProps;
    }
  }
}
