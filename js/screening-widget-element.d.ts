// `screening-widget/element`: importing it registers <screening-widget>.
import type { ScreeningWidgetConfig } from './screening-widget.js';

/** `<screening-widget>`. Attributes: `mode`, `server`, `token`, `session-url`,
 *  `session-headers` (JSON), `session-body` (JSON), `background-check-id`, `report-id`,
 *  `applicant` (JSON), `hiring-manager` (JSON), `width`, `height`, `full-screen`, `theme`
 *  (JSON), `nonce`. Its `screening:*` events are dispatched on it. */
export declare class ScreeningWidgetElement extends HTMLElement {
  /** Extra config (onEvent, fetch, ...) merged under the attributes. */
  config: Partial<ScreeningWidgetConfig>;
}

/** The element's attributes, as strings (the JSON ones as JSON text). */
export interface ScreeningWidgetAttributes {
  mode?: ScreeningWidgetConfig['mode'];
  server?: string;
  token?: string;
  'session-url'?: string;
  'session-headers'?: string;
  'session-body'?: string;
  'background-check-id'?: string;
  'report-id'?: string;
  applicant?: string;
  'hiring-manager'?: string;
  width?: string | number;
  height?: string | number;
  'full-screen'?: boolean | 'true' | 'false' | '';
  theme?: string;
  nonce?: string;
}

declare global {
  interface HTMLElementTagNameMap {
    'screening-widget': ScreeningWidgetElement;
  }
}
