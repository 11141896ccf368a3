#!/usr/bin/env python3
"""Render pkg-scripts/bench's results.json: print the tables and write the Markdown report.

    report.py RESULTS.json OUT.md

Renders whatever the run measured (a failed run still shows its figures so far, and says it
failed at the top).
"""
import json
import os
import sys

R = json.load(open(sys.argv[1]))
out_path = sys.argv[2]
m = R.get("machine", {})
Q = R.get("quick")


def kb(b):
    return f"{b:,} B ({b / 1024:.1f} KiB)"


def mid(s, fmt="{:,.1f}", unit=""):
    """median (min–max, n) of a stats dict"""
    if not s or s.get("median") is None:
        return "n/a"
    f = lambda x: fmt.format(x) + unit
    if s["n"] == 1:
        return f(s["median"])
    return f"{f(s['median'])} ({f(s['min'])}–{f(s['max'])}, n={s['n']})"


def x(v):
    return f"{v:.2f}×" if v is not None else "n/a"


def verdict(ok):
    return "n/a" if ok is None else ("**pass**" if ok else "**FAIL**")


rows = []  # figure, this, reference, ratio, target, verdict


def row(*a):
    rows.append(tuple(str(v) for v in a))


ing = R.get("ingest", {})
intake = R.get("intake", {})
dl = R.get("delivery", {})

# ---- the targets ---------------------------------------------------------------------------
i = ing.get("sqlite")
if i:
    half = next((o for o in i["open"] if o["fraction"] == 0.5), None)
    p99 = half["this_p99_ms"]["median"] if half else None
    ok = i["ratios"]["median"] >= 0.15 and p99 is not None and p99 <= 25
    row("Webhook ingest, signed + persisted (SQLite), max throughput; p99 open loop at 50 % of it",
        f"{mid(i['this'], '{:,.0f}', '/s')}; p99 {mid(half['this_p99_ms'], '{:.1f}', ' ms') if half else '?'} at {half['rate'] if half else '?'}/s",
        f"trivial axum handler {mid(i['reference'], '{:,.0f}', '/s')}; p99 {mid(half['reference_p99_ms'], '{:.1f}', ' ms') if half else '?'}",
        mid(i["ratios"], "{:.3f}", "×"), "≥ 0.15×, p99 ≤ 25 ms", verdict(ok))
for label in ("sqlite", "postgres", "postgres-2"):
    b = dl.get(label, {}).get("after_burst")
    q = dl.get(label, {}).get("quiet")
    if b and b.get("delivery"):
        d = b["delivery"]
        ok = d["p99"] <= 250 and d["over_1s"] == 0
        row(f"Delivery latency p99 right after the order-intake burst ({label}; {d['n']} results at {b['rate']}/s)",
            f"{d['p99']:.1f} ms (p50 {d['p50']:.1f}, max {d['max']:.1f}; {d['over_1s']} over 1 s)",
            f"same on a quiet server: {q['delivery']['p99']:.1f} ms" if q and q.get("delivery") else "—",
            x(d["p99"] / q["delivery"]["p99"]) if q and q.get("delivery") and q["delivery"]["p99"] else "n/a",
            "≤ 250 ms, none over 1 s", verdict(ok))
q = dl.get("sqlite", {}).get("quiet")
if q and q.get("delivery"):
    st = q.get("stages", {})
    bl = dl.get("sqlite", {}).get("after_burst", {}).get("backlog")
    parts = [f"{k.replace('_ms', '').replace('_', ' ')} p50 {v['p50']:.1f} ms" for k, v in st.items() if v]
    if not bl:
        drain = ""
    elif bl["inbox_pending_at_burst_end"] == 0 and bl["sandbox_queue_at_burst_end"] == 0:
        # Nothing queued when the burst ended: there was no backlog to drain.
        drain = (f"; no backlog after the burst: 0 pending in the inbox and 0 in the sandbox's queue when it ended "
                 f"(at most {bl['peak_inbox_pending']:,.0f} and {bl['peak_sandbox_queue']:,.0f} while its results were delivered)")
    else:
        drain = (f"; inbox drain after the burst {bl['drain_events_per_s']:,.0f} events/s ({bl['events_processed']:,.0f} events, "
                 f"{bl['inbox_pending_at_burst_end']:,.0f} pending in the inbox and {bl['sandbox_queue_at_burst_end']:,.0f} in the sandbox's queue at the end of the burst)")
    row("Delivery latency p50, quiet server (SQLite): Yardstik webhook arrival → ATS result",
        f"{q['delivery']['p50']:.1f} ms (p99 {q['delivery']['p99']:.1f})",
        "stages: " + ", ".join(parts) + f"; sandbox hop p50 {q['sandbox_hop']['p50']:.1f} ms" + drain, "—", "—", "—")
o = intake.get("sqlite")
if o:
    row("Order intake, orders/s (SQLite), closed loop",
        f"{mid(o['this'], '{:,.1f}', '/s')}; p99 {mid(o['this_p99_ms'], '{:.1f}', ' ms')}",
        f"the same two sandbox calls made directly {mid(o['reference'], '{:,.1f}', '/s')}; p99 {mid(o['reference_p99_ms'], '{:.1f}', ' ms')}",
        mid(o["ratios"], "{:.3f}", "×"), "≥ 0.25×", verdict(o["ratios"]["median"] >= 0.25))
s = R.get("start")
if s:
    for k, lim in (("cold", 1.25), ("warm", 1.15)):
        w, p = s[k]["widget"], s[k]["plain"]
        r = w["median"] / p["median"]
        row(f"Widget start → package list interactive, {k} (median of {w['n']}, min–max)",
            f"{w['median']:.1f} ms ({w['min']:.1f}–{w['max']:.1f})", f"hand-written JS page {p['median']:.1f} ms ({p['min']:.1f}–{p['max']:.1f})",
            x(r), f"≤ {lim}×", verdict(r <= lim))
d = R.get("download")
if d:
    worst = max(d.get("groups") or [{"group": "all", "files": [f["name"] for f in d["files"]], "gzip": d["gzip"]}], key=lambda g: g["gzip"])
    d.setdefault("groups", [worst])
    row("Widget download, gzip -9, every mode: the largest group of modes a page downloads (" + " + ".join(worst["files"]) + ")",
        kb(worst["gzip"]),
        "budget " + kb(d["budget_gzip"]) + "; per group: " + ", ".join(f"{g['group']} {kb(g['gzip'])}" for g in d["groups"])
        + f"; every file of every mode together {kb(d['gzip'])} (brotli 11 {kb(d['brotli'])}, raw {kb(d['raw'])})",
        x(worst["gzip"] / d["budget_gzip"]) + " of budget", "≤ 100 KiB", verdict(worst["gzip"] <= d["budget_gzip"]))
if d and s and s.get("wire"):
    w = s["wire"]
    gz, br = w["gzip9"], w["brotli11"]
    enc = ", ".join(sorted({f["encoding"] for f in w["files"]}))
    ok = bool(w["files"]) and w["body_bytes"] <= 1.02 * gz
    row("Widget bytes on the wire, cold load (Chromium's encoded body sizes of " + ", ".join(f["path"].rsplit('/', 1)[-1] for f in w["files"]) + f"; content-encoding {enc})",
        kb(w["body_bytes"]), f"the same files, gzip -9 {kb(gz)}, brotli 11 {kb(br)}, raw {kb(w['raw'])}", x(w["body_bytes"] / gz) + " of gzip -9" if gz else "n/a",
        "= the gzip or brotli figure (≤ 1.02× gzip -9)", verdict(ok))
c = R.get("capacity")
if c:
    last = c["steps"][-1] if c["steps"] else {}
    steps = "; ".join(f"{st['rate']}/s p99 {st['p99_ms']} ms" + ("" if st["pass"] else f" ({st['errors']} errors, {st['missing']} missing)") for st in c["steps"])
    bound = f" (the ladder's top, {c['max_step']}/s, was reached)" if c["bounded"] else ""
    row("Highest order rate with results within 5 s at p99, 100 ms added to every sandbox call (SQLite)",
        f"{c['best_rate']}/s{bound}", steps, "—", "≥ 50/s", verdict(c["best_rate"] >= 50))

f = R.get("flood")
if f and f.get("rss_after_kib"):
    after, before = f["rss_after_kib"] / 1024, f["rss_before_kib"] / 1024
    row("Server memory after the login floods (RSS, lowest over the 5 s after they end)",
        f"{after:,.1f} MiB", f"before the floods {before:,.1f} MiB; peak during them {f['peak_rss_kib'] / 1024:,.1f} MiB",
        x(after / before) if before else "n/a", "≤ 100 MiB", verdict(after <= 100))

# ---- PostgreSQL and two instances ----------------------------------------------------------
pg_rows = []
for label, name in (("sqlite", "SQLite, one instance"), ("postgres", "PostgreSQL, one instance"), ("postgres-2", "PostgreSQL, two instances behind haproxy")):
    i, o, b = ing.get(label), intake.get(label), dl.get(label, {}).get("after_burst")
    if not (i or o):
        continue
    pg_rows.append((name,
                    f"{mid(i['this'], '{:,.0f}', '/s')} = {mid(i['ratios'], '{:.3f}', '×')} of trivial" if i else "—",
                    f"{mid(i['cpu_us_per_webhook'], '{:,.0f}', ' µs')}" if i else "—",
                    f"{mid(o['this'], '{:,.1f}', '/s')} = {mid(o['ratios'], '{:.3f}', '×')} of direct" if o else "—",
                    f"{mid(o['cpu_us_per_order'], '{:,.0f}', ' µs')}" if o else "—",
                    f"p99 {b['delivery']['p99']:.1f} ms, {b['delivery']['over_1s']} over 1 s" if b and b.get("delivery") else "—",
                    f"{max(i['peak_rss_kib'] if i else 0, o['peak_rss_kib'] if o else 0) / 1024:,.1f} MiB"))

# ---- the rest ------------------------------------------------------------------------------
extra = []
lad = R.get("ladder")
if lad and ing.get("sqlite"):
    t = lad.get("trivial", ing["sqlite"]["reference"])["median"]
    chain = [("trivial handler", t), ("+ parse, HMAC", lad["hmac"]["median"]), ("+ insert, same PRAGMAs", lad["insert"]["median"]),
             ("full server (SQLite)", ing["sqlite"]["this"]["median"])]
    extra.append(("Ingest ladder, closed loop, medians", " → ".join(f"{n} {v:,.0f}/s ({v / t:.2f}×)" for n, v in chain)))
for label in ("sqlite", "postgres", "postgres-2"):
    i = ing.get(label)
    if i:
        extra.append((f"Ingest open loop ({label}): p50 / p99 this vs trivial",
                      "; ".join(f"{int(o['fraction'] * 100)} % = {o['rate']:,}/s: {o['this']['p50_ms']:.2f} / {o['this']['p99_ms']:.2f} ms vs {o['reference']['p50_ms']:.2f} / {o['reference']['p99_ms']:.2f} ms" for o in i["open"])))
        extra.append((f"Ingest ({label}): server CPU per webhook (incl. inbox processing); wait until idle after each run",
                      f"{mid(i['cpu_us_per_webhook'], '{:,.0f}', ' µs')}; {mid(i['drain_s'], '{:.1f}', ' s')}"))
for label in ("sqlite", "postgres", "postgres-2"):
    o = intake.get(label)
    if o:
        extra.append((f"Order intake ({label}): server CPU per order (incl. its Yardstik events)", mid(o["cpu_us_per_order"], "{:,.0f}", " µs")))
for label in ("postgres", "postgres-2"):
    q = dl.get(label, {}).get("quiet")
    if q and q.get("delivery"):
        extra.append((f"Delivery quiet ({label}): p50 / p99", f"{q['delivery']['p50']:.1f} / {q['delivery']['p99']:.1f} ms; " + ", ".join(
            f"{k.replace('_ms', '').replace('_', ' ')} p50 {v['p50']:.1f} ms" for k, v in q.get("stages", {}).items() if v)))
f = R.get("flood")
if f:
    fl = f["runs"]["B"][-1]["flood"]
    extra.append((f"Valid ATS requests ({R['settings']['flood_rate']}/s, open loop) during {fl['connections']} concurrent bad logins: p50 / p99",
                  f"{mid(f['this_p50'], '{:.2f}', ' ms')} / {mid(f['this_p99'], '{:.2f}', ' ms')} vs without the flood {mid(f['reference_p50'], '{:.2f}', ' ms')} / {mid(f['reference_p99'], '{:.2f}', ' ms')}; "
                  f"bad logins answered: {', '.join(f'{k}: {v:,}' for k, v in fl['by_status'].items())}; peak RSS {f['peak_rss_kib'] / 1024:,.1f} MiB"))
for kind, st in R.get("startup", {}).items():
    extra.append((f"Server start-up, fresh {kind} database (migrations included), exec → /healthz",
                  f"{mid(st['server_ms'], '{:.0f}', ' ms')} vs the trivial handler's {mid(st['reference_ms'], '{:.0f}', ' ms')}"))
    extra.append((f"Cold password check ({kind}): first ATS call after start vs the next (cached)",
                  f"{mid(st['first_call_ms'], '{:.1f}', ' ms')} vs {mid(st['second_call_ms'], '{:.1f}', ' ms')}"))
if c:
    extra.append(("Peak RSS during the order-rate ladder", ", ".join(f"{st['rate']}/s {(st['peak_rss_kib'] or 0) / 1024:,.1f} MiB" for st in c["steps"])))
peaks = [(p["name"], max(v or 0 for v in p["peak_rss_kib"].values())) for p in R.get("phases", []) if p.get("peak_rss_kib")]
if peaks:
    best = {}
    for n, v in peaks:
        best[n] = max(best.get(n, 0), v)
    extra.append(("Server peak RSS by load (largest instance, largest run)", ", ".join(f"{n} {v / 1024:,.1f} MiB" for n, v in best.items())))
noisy = [p for p in R.get("phases", []) if p.get("noisy")]
phases = R.get("phases", [])

# ---- output --------------------------------------------------------------------------------
commit = f"{m.get('commit')}{' (with uncommitted changes)' if m.get('dirty') else ''}"
machine = (f"{m.get('nproc')} CPUs, {m.get('cpu')}, {m.get('mem_gib')} GiB RAM, Linux {m.get('kernel')}; load average at start "
           f"{' '.join(m.get('load_start', []))}; {m.get('rustc')}; {m.get('chromium')}; {m.get('wrk')}; node {m.get('node')}; "
           f"{m.get('postgres')}; {m.get('haproxy') or 'no haproxy'}")
status = f"**This run failed:** {R['error']}\n\n" if R.get("error") else ""
quick = "**Quick run (`--quick`): short durations, one repetition — these figures check the script, they are not benchmarks.**\n\n" if Q else ""


def md(header, rs):
    o = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    o += ["| " + " | ".join(r) + " |" for r in rs]
    return "\n".join(o)


noise = ("Phases where other processes used more than a fifth of a core or time was stolen: "
         + "; ".join(f"{p['name']} (others {p['other_cpu_s']:.1f} CPU-s in {p['wall_s']:.1f} s, steal {p['steal_s']:.1f} s, load {p['load1']})" for p in noisy)
         + ". Figures from those phases are less trustworthy.") if noisy else "No phase saw other processes use more than a fifth of a core, nor stolen time."
s = R.get("settings", {})
abuse_path = os.path.join(os.path.dirname(os.path.abspath(sys.argv[1])), "abuse.md")
abuse = (open(abuse_path).read().strip() + "\n\nFrom `cargo test --release -p screening-server --test abuse` (the real server "
         "process; attackers on other loopback addresses than the valid callers; header-read and idle timeouts 3 s; "
         "other settings at their defaults).") if os.path.exists(abuse_path) else "Not measured in this run."
doc = f"""# Benchmarks

{status}{quick}Written by `pkg-scripts/bench{' --quick' if Q else ''}` on {m.get('date')} at commit {commit}, in {R.get('elapsed_s', '?')} s.
Every figure is measured beside its reference **in the same run on the same machine**; the
ratio is this project ÷ reference. Pairs run {s.get('reps')}× in ABBA order (reference, this,
this, reference, …) after a warm-up; a figure shown as `median (min–max, n=…)` is over those runs.

**Machine:** {machine}. Processes pinned: {'yes — servers, reference handlers and PostgreSQL on CPU 0; load generators, the sandbox, haproxy and node on CPU 1' if R.get('pinned') else 'no (one CPU)'}.
{noise}

## Targets

{md(("Figure", "This project", "Reference (same run)", "Ratio", "Target", "Result"), rows)}

## PostgreSQL and two instances, beside SQLite

{md(("Configuration", "Webhook ingest (max)", "CPU per webhook", "Order intake (max)", "CPU per order", "Delivery after the burst", "Peak RSS (ingest, intake)"), pg_rows) if pg_rows else "Not measured in this run."}

## More figures

{md(("Figure", "Value"), extra)}

## One client against the server

{abuse}

## How each figure is taken

- **Idle before timing.** Before every timed run the bench waits until the server's
  `/metrics` gauges `screening_inbox_pending` and `screening_outbox_pending` are 0 (each
  instance) and the sandbox's `GET /sandbox/webhook_queue` (deliveries queued, in flight or
  awaiting a retry) is 0, three polls in a row. The wait after each run is reported (it is
  the time the server needs to finish the work the run left queued).
- **CPU and noise.** With two or more CPUs, `taskset` pins the servers, the reference handlers
  and PostgreSQL to CPU 0 and the load generators, the sandbox, haproxy and node to CPU 1.
  Each phase reads utime+stime of every process from `/proc/<pid>/stat`, the generators' from
  `getrusage(RUSAGE_CHILDREN)`, and the machine's from `/proc/stat`; the remainder is other
  processes' CPU, and phases where it exceeds a fifth of a core (or where time is stolen) are
  listed above. Server CPU per webhook / per order counts from the start of a run until the
  server is idle again (the inbox processing the run caused is included).
- **Peak RSS** is `VmHWM` from `/proc/<pid>/status`, reset (`clear_refs` 5) at the start of each
  phase.
- **Webhook ingest.** `wrk` (closed loop, 1 thread, {s.get('conns')} connections, {s.get('dur')} s) POSTs
  `/webhooks/yardstik` with distinct bodies in the sandbox's exact shape, each signed with the
  tenant's webhook signature (`bench-load corpus`, a fresh corpus every run), so every request is
  verified, persisted and answered 200. Checks: no errors;
  no duplicates; the run's own `inbox` rows (its event ids carry a tag) number wrk's 2xx count
  (up to the connections in flight at the end), and the server counted each answered one as
  accepted. Reference: `bench-reference` (`crates/screening-bench`), a trivial axum
  handler on the same runtime. The ladder adds one piece of the server's work per level: parse +
  HMAC, then the insert into an inbox table of SQLite opened with the server's PRAGMAs (one
  connection, WAL, `synchronous = NORMAL`); its three levels run in rotating order (ABC, CBA, …).
  Latency: `bench-load` open loop at 25, 50 and 75 %
  of the server's measured capacity, {s.get('open_dur')} s each, the reference at the same rate;
  the p99 target is checked at 50 %, which runs {s.get('reps')} pairs in ABBA order (its p99 is
  the median of those runs, min–max beside it; the per-fraction row shows the median run).
- **Open loop.** `bench-load` (Rust, tokio + reqwest) sends request *i* at start + *i*/rate
  whatever happened to the earlier ones and measures its latency from that scheduled time, so a
  stalled server is charged for every request it delayed (no coordinated omission).
- **Order intake.** `bench-load` closed loop, {s.get('order_conns')} connections, {s.get('dur')} s:
  `POST /ats/orders` (a new order and applicant email each) — each order creates a Yardstik
  candidate and invitation in the sandbox before its 201. Reference: the same two calls
  (`POST /candidates` with the server's exact body, then `POST /invitations`) made straight to
  the sandbox, with emails in their own namespace so none takes the sandbox's cheap "already
  exists" path, in the sandbox's second account (the same work there, but its webhooks do not
  reach the server, which would otherwise keep retrying events for orders it never placed). Checks: no errors; the server's `screening_orders_created_total` grew by the
  orders answered; the sandbox's invitation count grew by exactly the orders (and by the
  reference's pairs).
- **Delivery latency.** `e2e/bench/delivery.mjs` places {s.get('orders')} orders, registers its own
  receiver for the account's `report.*` webhooks beside the server's, and — on a signal — moves
  each report to `clear` with the sandbox's control route, open loop at {s.get('rate')}/s. The
  figure is from the Yardstik webhook reaching the receiver directly to the ATS result
  (`status: complete`) reaching it; every result must arrive. *After the burst*: the signal is
  given the moment the last order-intake run ends, with that run's Yardstik events still queued
  (in the sandbox and the server's inbox); the inbox drain rate is the server's processed-events
  counter over the time until the inbox and the sandbox's queue are empty. *Quiet*: after
  waiting for idle. Stages come from the server's own timestamps read from its database: control
  call → first event received (`inbox.received_at`), → result queued (`outbox.created_at`), →
  result at the receiver.
- **Order-rate ladder.** With a sandbox latency fault adding 100 ms to every Yardstik API call
  (not the control routes), `e2e/bench/capacity.mjs` places orders open loop at a steady rate
  for {s.get('cap_step')} s and completes each report as soon as its order is answered; latency
  is from the order's scheduled time to its result. Rates {', '.join(str(r) for r in s.get('cap_rates', []))}/s, stopping
  at the first rate whose p99 exceeds 5 s or that has any error or missing result.
- **Widget start.** `e2e/bench/start.mjs`, headless Debian Chromium via playwright-core: from
  navigation start to the first enabled package radio (MutationObserver, following the shadow
  root), widget page vs a hand-written JS page doing the same work (session, package list, same
  markup and CSS); {s.get('loads')} loads each, interleaved ABBA, after a discarded load of each.
  The page reports the time in a console message; the harness does not poll the page while it
  loads (a poll would run Playwright's injected script on both pages' critical path).
  Cold = a new browser context per load; warm = the same context reloaded (HTTP cache hot; the
  wasm is compiled again on every load: V8's code cache keeps only optimised code). The
  widget's first package radio is usually the order form its loader draws from the package
  list before the wasm runs (a form that works with the browser's own controls and that the
  wasm takes over, choices and typing included, a frame later; see WIDGET.md), so the figure
  is when the user can pick a package, not when the wasm has mounted.
- **Widget download and wire.** `e2e/bench/sizes.mjs`: every wasm/JS/CSS file of the built
  widget (all modes; identical contents once), each compressed on its own, gzip -9 and brotli 11;
  the target applies to each group of modes built together (the custom-element loader + that
  group's glue + its wasm, and order's preview module: what a page using any of those modes
  downloads), the largest shown.
  On the wire: the encoded body sizes Chromium reports for `/static/widget/*` during a cold load,
  compared with the gzip -9 figure of the same files.
- **PostgreSQL.** A throwaway cluster on loopback (`pkg-scripts/lib/postgres.sh`) with its
  default durability (fsync on, each commit waits for its WAL flush — SQLite's
  `synchronous = NORMAL` in WAL mode does not flush per commit), fresh database; the same ingest, intake and delivery runs. Two instances: both servers on the
  same database and CPU, behind Debian's haproxy (round robin, health-checked), which the
  sandbox's webhooks and the load generators go through.
- **Authentication flood.** `bench-load --flood {s.get('flood')}`: that many concurrent bad logins
  (half unknown accounts, half wrong secrets for the real one) from distinct loopback source
  addresses, while valid requests (`GET /ats/packages`, cached credentials) run open loop at
  {s.get('flood_rate')}/s; reference: the same valid requests without the flood. No bad login may succeed.
  Memory after the floods: the server's lowest RSS over the 5 s after the last run, beside the
  same before the first (each Argon2 check takes a 19 MiB buffer; they must be given back).
- **Start-up.** Exec → `/healthz` 200 on a fresh database (migrations included), then the first
  ATS call (Argon2 password check) and the next (cached), {s.get('startups')}×.
- Everything runs on 127.0.0.1 with release builds and `RUST_LOG=warn`; every process is
  stopped at the end; any error on either side of a pair fails the run.

## Reproduce

```sh
pkg-scripts/bench            # the full run (~20 min): builds, measures, rewrites this file
pkg-scripts/bench --quick    # short runs, one repetition: checks the script (target/bench/)
```

Raw results: `target/bench/results.json`; process logs: `target/bench/`.
"""
open(out_path, "w").write(doc)

# The console.
print()
print(f"Benchmarks{' (quick)' if Q else ''}, {m.get('date')}, commit {commit}")
if R.get("error"):
    print(f"FAILED: {R['error']}")
for r in rows:
    print(f"- {r[0]}\n    this {r[1]}\n    ref  {r[2]}\n    ratio {r[3]}  target {r[4]}  {r[5].replace('*', '')}")
for r in pg_rows:
    print(f"- {r[0]}: ingest {r[1]}, {r[2]}/webhook; intake {r[3]}, {r[4]}/order; delivery {r[5]}; RSS {r[6]}")
for a, b in extra:
    print(f"- {a}: {b}")
print(noise)
