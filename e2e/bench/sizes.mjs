// Widget download size: every file the server can send a browser from the widget directory
// (wasm, JS, CSS — all modes; not type declarations, package metadata or precompressed
// copies), each compressed on its own as it is served: gzip -9 and brotli at quality 11.
// Identical contents (e.g. a content-hashed copy of a file) count once. Also per group of
// modes: what a page using that group downloads.
//
//   node e2e/bench/sizes.mjs WIDGET_DIR   → one JSON object on stdout
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';

const dir = process.argv[2];
if (!dir) { console.error('usage: sizes.mjs WIDGET_DIR'); process.exit(2); }
const served = (f) => /\.(wasm|js|mjs|css)$/.test(f) && !f.endsWith('.d.ts');
const files = [];
const seen = new Set();
for (const name of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
  const full = path.join(dir, name);
  if (!fs.statSync(full).isFile() || !served(name)) continue;
  const data = fs.readFileSync(full);
  const hash = crypto.createHash('sha256').update(data).digest('hex');
  if (seen.has(hash)) continue;
  seen.add(hash);
  const gzip = zlib.gzipSync(data, { level: 9 }).length;
  const brotli = zlib.brotliCompressSync(data, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  }).length;
  files.push({ name, raw: data.length, gzip, brotli });
}
if (!files.length) { console.error(`no widget files in ${dir}`); process.exit(1); }
const sum = (k, fs = files) => fs.reduce((a, f) => a + f[k], 0);
// What a page using one group of modes downloads: the custom-element loader, that group's
// wasm-bindgen glue and its wasm (one wasm per group of modes; `screening_widget_bg.wasm`
// alone when every mode is in one build), and the group's preview module where it has one
// (the order form the loader draws before the wasm runs).
const byName = new Map(files.map((f) => [f.name, f]));
const groups = [];
for (const f of files) {
  const m = /^screening_widget(?:_(\w+))?_bg\.wasm$/.exec(f.name);
  if (!m) continue;
  const glue = m[1] ? `screening_widget_${m[1]}.js` : 'screening_widget.js';
  const preview = m[1] ? `screening_widget_${m[1]}_preview.js` : '';
  const parts = ['screening-widget-element.js', glue, preview, f.name].map((n) => byName.get(n)).filter(Boolean);
  groups.push({ group: m[1] || 'all', files: parts.map((p) => p.name), raw: sum('raw', parts), gzip: sum('gzip', parts), brotli: sum('brotli', parts) });
}
if (!groups.length) { console.error(`no widget wasm in ${dir}`); process.exit(1); }
console.log(JSON.stringify({ files, groups, raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli'), budget_gzip: 100 * 1024 }));
