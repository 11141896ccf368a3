#!/usr/bin/env python3
"""Render pkg-scripts/bench results (JSON lines) as the side-by-side table: print it and
write BENCHMARKS.md.

    report.py RESULTS.jsonl OUT.md "KNOBS"
"""
import json
import sys

results_path, out_path, knobs = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [json.loads(l) for l in open(results_path) if l.strip()]
one = lambda kind: next((r for r in rows if r.get("kind") == kind), None)
wrk = {r["name"]: r for r in rows if r.get("kind") == "wrk"}
m = one("machine") or {}


def kb(b):
    return f"{b:,} B ({b / 1024:.1f} KiB)"


def ms(us):
    return f"{us / 1000:.2f} ms"


def ratio(a, b):
    return f"{a / b:.2f}×" if b else "n/a"


table = []  # (figure, ours, reference, ratio)

d = one("download")
if d:
    table.append(("Widget download, gzip -9 (" + " + ".join(d["files"]) + ")", kb(d["gzip"]),
                  f"budget {kb(d['budget_gzip'])}", ratio(d["gzip"], d["budget_gzip"]) + " of budget"))
    if "sdk_gzip" in d:
        table.append(("Widget download, gzip -9, vs Yardstik's embed SDK", kb(d["gzip"]),
                      f"@yardstik/embeddable-sdk 1.3.9 + lodash + events {kb(d['sdk_gzip'])} (SDK's own JS alone {kb(d['sdk_own_gzip'])})",
                      ratio(d["gzip"], d["sdk_gzip"])))
    table.append(("Widget download, raw", kb(d["raw"]),
                  f"SDK bundle {kb(d['sdk_raw'])}" if "sdk_raw" in d else "—",
                  ratio(d["raw"], d["sdk_raw"]) if "sdk_raw" in d else "—"))

s = one("start")
if s:
    for k, label in (("cold", "new context, empty cache"), ("warm", "same context, caches hot")):
        w, p = s[k]["widget"], s[k]["plain"]
        table.append((f"Widget start → package list interactive, {label} (median of {w['n']}; p90)",
                      f"{w['median']:.1f} ms (p90 {w['p90']:.1f})",
                      f"plain JS page {p['median']:.1f} ms (p90 {p['p90']:.1f})", ratio(w["median"], p["median"])))

i, ir, c = wrk.get("ingest"), wrk.get("ingest_ref"), one("ingest_counts")
if i and ir:
    note = f"; server counted {c['accepted']:,} accepted, {c['duplicate']:,} duplicate" if c else ""
    bad = i["non2xx"] + i["connect_errors"] + i["read_errors"] + i["timeouts"]
    table.append(("Webhook ingest, signed Yardstik webhooks/s (verify, persist, 200)",
                  f"{i['rps']:,.0f}/s ({i['requests']:,} requests, {bad} errors{note})",
                  f"trivial axum handler {ir['rps']:,.0f}/s", ratio(i["rps"], ir["rps"])))
    table.append(("Webhook ingest latency p50 / p99", f"{ms(i['p50_us'])} / {ms(i['p99_us'])}",
                  f"{ms(ir['p50_us'])} / {ms(ir['p99_us'])}",
                  f"{ratio(i['p50_us'], ir['p50_us'])} / {ratio(i['p99_us'], ir['p99_us'])}"))

o, orf = wrk.get("intake"), wrk.get("intake_ref")
if o and orf:
    table.append(("Order intake, ATS orders/s (POST /ats/orders → sandbox)",
                  f"{o['rps']:,.1f}/s ({o['requests']:,} requests, {o['non2xx']} non-2xx)",
                  f"sandbox POST /candidates alone {orf['rps']:,.1f}/s", ratio(o["rps"], orf["rps"])))
    table.append(("Order intake latency p50 / p99", f"{ms(o['p50_us'])} / {ms(o['p99_us'])}",
                  f"{ms(orf['p50_us'])} / {ms(orf['p99_us'])}",
                  f"{ratio(o['p50_us'], orf['p50_us'])} / {ratio(o['p99_us'], orf['p99_us'])}"))

for dl in [r for r in rows if r.get("kind") == "delivery"]:
    a, h = dl["delivery"], dl["reference_hop"]
    miss = dl["missing_direct"] + dl["missing_result"]
    when = {"quiet": "quiet server", "after_burst": "right after the order-intake burst"}.get(dl.get("name"), dl.get("name", ""))
    slow = f"; {a['over_1s']} over 1 s" if a.get("over_1s") else ""
    table.append((f"Delivery latency p50 / p99, Yardstik webhook arrival → ATS result, {when} ({a['n']:,} of {dl['orders']:,} orders at {dl['rate']}/s{', ' + str(miss) + ' missing' if miss else ''})",
                  f"{a['p50']:.2f} ms / {a['p99']:.2f} ms (p90 {a.get('p90', float('nan')):.2f} ms{slow})",
                  f"sandbox's own hop (status change → its webhook) {h['p50']:.2f} ms / {h['p99']:.2f} ms",
                  f"{ratio(a['p50'], h['p50'])} / {ratio(a['p99'], h['p99'])}"))


def md_table():
    out = ["| Figure | This project | Reference (same run) | Ratio |", "|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in table]
    return "\n".join(out)


machine = (f"{m.get('nproc_cmd') or m.get('nproc')} CPUs (`nproc`), {m.get('cpu')}, {m.get('mem_gib')} GiB RAM, "
           f"Linux {m.get('kernel')}; load average at start {m.get('load')}; {m.get('rustc')}; {m.get('chromium')}; "
           f"{m.get('wrk')}; node {m.get('node')}")
commit = f"{m.get('commit')}{' (with uncommitted changes)' if m.get('dirty') else ''}"

# The console table.
w = [max(len(r[k]) for r in table + [("Figure", "This project", "Reference", "Ratio")]) for k in range(4)]
w = [min(x, 70) for x in w]
print()
print(f"Benchmarks, {m.get('date')}, commit {commit}")
print(f"Machine: {machine}")
print()
for r in [("Figure", "This project", "Reference (same run)", "Ratio")] + table:
    print("  ".join(str(r[k])[:w[k]].ljust(w[k]) for k in range(4)))
print()

doc = f"""# Benchmarks

Written by `pkg-scripts/bench` on {m.get('date')} at commit {commit}. Every figure is measured
side by side with its reference **in the same run on the same machine**; the ratio is this
project ÷ reference (for throughput, higher is better; for sizes and latencies, lower is better).

**Machine:** {machine}.
This is a shared development machine (2 cores, other builds may run at the same time): treat
absolute numbers as indicative and compare ratios, which are taken under the same conditions.

{md_table()}

## How each figure is taken

- **Widget download**: the files a host downloads from `pkg/` after `pkg-scripts/build-widget`
  (release, wasm-pack `--target web`): the wasm, the wasm-bindgen JS glue, the custom-element
  loader, and any CSS file (the widget's CSS is compiled into the wasm). Raw bytes and
  `gzip -9` (Python's `gzip.compress(…, 9)`), each file compressed on its own as it is served.
  References: the widget's 120 KB gzip budget, and Yardstik's own embed SDK as a host
  bundles it: `@yardstik/embeddable-sdk` 1.3.9 from npm (its runtime JS under `dist/libs`,
  without tests, maps or types) plus the two modules it `require`s at run time,
  `lodash` 4.17.21 (`lodash.min.js`: the SDK imports all of lodash) and `events` 3.3.0,
  concatenated as one bundle (fetched with `npm pack` into `target/bench-cache/`). That SDK
  only mounts the report/disclosures iframes; the widget also carries the package picker and
  the validated order form, so this is a reference point, not a like-for-like.
- **Widget start**: `e2e/bench/start.mjs` drives headless Debian Chromium with playwright-core.
  Time from navigation start to the first enabled package radio (`input[name=sw-package]`)
  in the DOM, recorded in-page by a MutationObserver (the widget renders in a shadow root,
  which the observer follows by wrapping `attachShadow`). Pages, served by the release server
  from a temp `SCREENING_WWW_DIR` (`e2e/bench/www/`): `widget.html` (the loader plus
  `<screening-widget mode="order" session-url="/demo/session">`) and `plain.html` +
  `plain.js`, hand-written JS that does the same work (POST `/demo/session`, GET
  `/widget/packages` with the token, render the same cards, add-ons, total and applicant form
  with the same CSS, wire the change handler). Loads alternate between the two pages; one
  discarded warm-up load each. Cold = a new browser context (empty HTTP cache) per load;
  warm = the same context reloaded.
- **Webhook ingest**: `wrk` with `e2e/bench/wrk/ingest.lua` POSTs `/webhooks/yardstik`,
  cycling through a corpus of distinct bodies signed with the demo tenant's
  WEBHOOK_SIGNATURE (`e2e/bench/corpus.py`: the sandbox's exact body shape and key order, one
  real report as the resource, a new event `id` each), so every request is verified,
  de-duplicated, persisted (SQLite, WAL) and answered 200; the server's `/metrics` counts how
  many were accepted vs duplicate. The server's asynchronous inbox worker processes those
  events (fetching the report from the sandbox) during and after the run, on the same 2 cores.
  Reference: `bench-reference` (`crates/screening-bench`), a trivial axum handler that reads
  the body and answers the same 200 JSON — same corpus, same wrk settings.
- **Order intake**: `wrk` with `e2e/bench/wrk/orders.lua` POSTs the ATS document's order
  payload to `/ats/orders` (HTTP Basic, a new `background_check_id` and applicant email per
  request, one package, no add-ons): each order creates a Yardstik candidate and invitation in
  the sandbox before its 201. Reference: the first of those upstream calls alone,
  `POST /candidates` straight to the sandbox (`candidates.lua`), same connections and
  duration — the floor the server's order path sits on.
- **Delivery latency**: `e2e/bench/delivery.mjs` places {'{'}ORDERS{'}'} ATS orders, then moves each report to
  `clear` with the sandbox control endpoint `POST /sandbox/reports/{{id}}/status`, open loop at
  a fixed rate. The sandbox sends its signed `report.*` webhooks to the server *and*, through
  a second registration for the same account, straight to the benchmark's own receiver. The
  figure is the time from that direct Yardstik webhook arriving to the ATS result webhook
  (`status: complete`) arriving at the same receiver: the server's verify → persist → fetch
  report → map → outbox → POST path. Reference: the sandbox's own hop (control call sent →
  its webhook received), which every receiver pays before the server starts. Taken twice:
  on a quiet server, and again right after the order-intake run, whose thousands of orders
  left Yardstik events (`invitation.created`, `report.created`, …) queued in the server's
  inbox — the second figure shows how a backlog delays results (the inbox worker processes
  events one at a time).
- Everything runs on 127.0.0.1 with release builds (`cargo build --release`), `RUST_LOG=warn`
  for the server, sandbox and reference; all processes are stopped at the end.

## Reproduce

```sh
pkg-scripts/bench                      # builds (release), runs everything, rewrites this file
BENCH_SKIP_BUILD=1 BENCH_LOADS=40 pkg-scripts/bench   # reuse the builds, more loads
```

Settings of this run: `{knobs}`. Raw results: `target/bench/results.jsonl`; wrk outputs and
process logs: `target/bench/`.
"""
dls = [r for r in rows if r.get("kind") == "delivery"]
doc = doc.replace("{ORDERS}", str(dls[0]["orders"]) if dls else "N")
open(out_path, "w").write(doc)
