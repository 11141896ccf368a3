import type { ScreeningWidgetConfig } from './screening-widget';

/** `<screening-widget>`: registered when this module is imported. */
export declare class ScreeningWidgetElement extends HTMLElement {
  /** Extra config (onEvent, fetch, ...) merged under the attributes. */
  config: Partial<ScreeningWidgetConfig>;
}

declare global {
  interface HTMLElementTagNameMap {
    'screening-widget': ScreeningWidgetElement;
  }
}
