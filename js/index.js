// The package's main entry: `init` (loads the wasm once), `mount(element, config)` and
// `define()` (registers <screening-widget>). Importing it has no side effect, on a page or
// on a server.
export { default, initSync, mount, WidgetHandle } from './screening_widget.js';
export { define } from './define.js';
