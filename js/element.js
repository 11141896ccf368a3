// `import 'screening-widget/element'` registers <screening-widget> (where there is a DOM).
import { define } from './define.js';

/** The element's class; undefined where there is no DOM. */
export const ScreeningWidgetElement = define();
