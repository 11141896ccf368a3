// `import 'screening-widget/element'` registers <screening-widget> where there is a DOM.
import type { ScreeningWidgetElement as Element } from './screening-widget-element.js';
export type { ScreeningWidgetAttributes } from './screening-widget-element.js';

/** The registered element's class; `undefined` where there is no DOM (server-side rendering). */
export declare const ScreeningWidgetElement: typeof Element | undefined;
