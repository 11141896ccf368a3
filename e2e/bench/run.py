#!/usr/bin/env python3
"""The benchmark run behind pkg-scripts/bench: starts the processes, takes every figure beside
its reference, checks what it measured, and writes results.json for report.py.

    run.py --rel DIR --work DIR [--quick] [--pg-url URL] [--pg-admin URL]

Everything on 127.0.0.1; every process it starts is stopped at the end (newest first, SIGTERM,
then SIGKILL after 15 s). Fails (exit 1) on any error on either side of a pair, or when a
check of what was measured does not hold.
"""
import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ap = argparse.ArgumentParser()
ap.add_argument("--rel", required=True)
ap.add_argument("--work", required=True)
ap.add_argument("--quick", action="store_true")
ap.add_argument("--pg-url", default="")
ap.add_argument("--pg-admin", default="")
ap.add_argument("--haproxy", default="")
args = ap.parse_args()

ROOT = os.environ["ROOT"]
REL, WORK, QUICK = args.rel, args.work, args.quick
NCPU = os.cpu_count() or 1
PIN = NCPU >= 2 and shutil.which("taskset") is not None
SERVER_CORE, LOAD_CORE = "0", ("1" if NCPU >= 2 else "0")
ACCOUNT = "7d3f5a4e-1c2b-4e8f-9a6d-0b1c2d3e4f50"
YS_KEY = "demo-yardstik-key"
YS_SIG = "demo-webhook-signature"
PKG_BASIC = "11111111-aaaa-4aaa-8aaa-000000000001"
# The intake reference runs in the sandbox's second account: same work in the sandbox, but its
# webhooks do not reach the server (which would retry them as events for unknown orders).
REF_KEY = "demo-yardstik-key-2"
REF_PKG = "22222222-bbbb-4bbb-8bbb-000000000001"
CLK = os.sysconf("SC_CLK_TCK")
NO_WIDGET = os.environ.get("BENCH_NO_WIDGET") == "1"  # development: leave the widget rows out

# Durations and repetitions: --quick checks the script, the default is the published run.
C = dict(
    dur=3 if QUICK else 8,          # each closed-loop throughput run, seconds
    open_dur=3 if QUICK else 6,     # each open-loop latency run
    reps=1 if QUICK else 3,         # pairs, in ABBA order
    warmup=1 if QUICK else 2,
    loads=4 if QUICK else 25,       # widget page loads per variant
    orders=150 if QUICK else 500,   # delivery benchmark orders
    rate=25,                        # delivery: reports moved to clear per second
    cap_step=3 if QUICK else 8,     # seconds per step of the order-rate ladder
    cap_rates=[5, 50] if QUICK else [1, 2, 5, 10, 20, 50, 80, 120, 160, 200],
    flood=300,                      # concurrent bad logins
    flood_rate=50,                  # valid requests per second during the flood
    startups=1 if QUICK else 3,
    conns=16,                       # wrk connections (ingest)
    order_conns=8,                  # closed-loop connections (intake)
)
R = {"quick": QUICK, "settings": C, "pinned": PIN, "phases": [], "checks": []}
os.makedirs(WORK, exist_ok=True)
NOPROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


T0 = time.monotonic()


def log(*a):
    print(f"[bench {time.monotonic() - T0:6.0f} s]", *a, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


def check(ok, what):
    R["checks"].append({"ok": bool(ok), "what": what})
    if not ok:
        raise BenchError(f"check failed: {what}")


# ---- HTTP -----------------------------------------------------------------------------------
def http(method, url, body=None, headers=None, timeout=10):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json", **(headers or {})})
    try:
        with NOPROXY.open(req, timeout=timeout) as r:
            raw = r.read()
            return r.status, raw
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def http_json(method, url, body=None, headers=None, ok=(200, 201, 204), timeout=60):
    status, raw = http(method, url, body, headers, timeout=timeout)
    if status not in ok:
        raise BenchError(f"{method} {url} → {status} {raw[:300]!r}")
    return json.loads(raw) if raw else None


YS = {"authorization": f"Account {YS_KEY}"}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# ---- processes ------------------------------------------------------------------------------
class Procs:
    def __init__(self):
        self.items = []

    def start(self, name, cmd, env=None, core=None, ready=None):
        full = (["taskset", "-c", core] if PIN and core is not None else []) + cmd
        out = open(os.path.join(WORK, f"{name}.log"), "ab")
        p = subprocess.Popen(full, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        p.bench_name = name
        self.items.append(p)
        if ready:
            wait_http(ready, name, p)
        return p

    def stop(self, p):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                log(f"{p.bench_name} did not stop within 15 s of SIGTERM; killing it")
                p.kill()
                p.wait()
        if p in self.items:
            self.items.remove(p)

    def stop_all(self):
        for p in reversed(list(self.items)):
            self.stop(p)


PROCS = Procs()
CURRENT_DB = []  # the running server's database, for diagnostics
EXTRA_PROCS = {}  # also accounted in every phase while they run: PostgreSQL, haproxy


def wait_http(url, name, p, bound=30.0):
    end = time.monotonic() + bound
    while time.monotonic() < end:
        if p.poll() is not None:
            raise BenchError(f"{name} exited during start-up (log: {WORK}/{name}.log)")
        try:
            if http("GET", url, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.005)
    raise BenchError(f"{name} did not answer 200 at {url} within {bound:.0f} s")


# ---- CPU, memory, load ----------------------------------------------------------------------
def cpu_s(pid):
    if isinstance(pid, str) and pid.startswith("comm:"):
        # Every process of that name (PostgreSQL's backends, checkpointer, …).
        total = 0.0
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    if open(f"/proc/{d}/comm").read().strip() == pid[5:]:
                        total += cpu_s(int(d))
                except OSError:
                    pass
        return total
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / CLK
    except OSError:
        return 0.0


def sys_cpu():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (f + [0] * 8)[:8]
    return (user + nice + system + irq + softirq) / CLK, steal / CLK


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def reset_peak(pid):
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def rss_kib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def settled_rss_kib(pid, seconds=5):
    """The lowest RSS over `seconds` once a load has ended (what the process gave back)."""
    seen = []
    for _ in range(seconds):
        time.sleep(1)
        seen.append(rss_kib(pid) or 0)
    return min(seen)


def peak_rss_kib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


class Phase:
    """CPU time of our processes, of the load generator (our finished children) and of
    everything else on the machine during one timed phase; peak RSS of the servers."""

    def __init__(self, name, procs, servers=()):
        self.name, self.procs, self.servers = name, {**EXTRA_PROCS, **dict(procs)}, list(servers)

    def __enter__(self):
        for pid in self.servers:
            reset_peak(pid)
        self.t0 = time.monotonic()
        self.cpu0 = {k: cpu_s(p) for k, p in self.procs.items()}
        self.sys0 = sys_cpu()
        self.ch0 = children_cpu()
        return self

    def __exit__(self, *exc):
        dt = time.monotonic() - self.t0
        cpu = {k: round(cpu_s(p) - self.cpu0[k], 3) for k, p in self.procs.items()}
        busy, steal = (a - b for a, b in zip(sys_cpu(), self.sys0))
        gen = children_cpu() - self.ch0
        other = max(0.0, busy - sum(cpu.values()) - gen)
        load1 = float(open("/proc/loadavg").read().split()[0])
        self.result = {
            "name": self.name, "wall_s": round(dt, 3), "cpu_s": cpu, "generator_cpu_s": round(gen, 3),
            "other_cpu_s": round(other, 3), "steal_s": round(steal, 3), "load1": load1,
            "peak_rss_kib": {str(p): peak_rss_kib(p) for p in self.servers},
            # Other processes used more than a fifth of one core, or the hypervisor stole time.
            "noisy": other > 0.2 * dt or steal > 0.05 * dt,
        }
        R["phases"].append(self.result)
        return False


def server_cpu(ph, names):
    return sum(ph.result["cpu_s"].get(n, 0.0) for n in names)


# ---- metrics and idle -----------------------------------------------------------------------
def metrics(url):
    status, raw = http("GET", f"{url}/metrics", timeout=60)
    if status != 200:
        raise BenchError(f"{url}/metrics → {status}")
    out = {}
    for line in raw.decode().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        k, v = line.rsplit(" ", 1)
        out[k] = float(v)
    return out


def msum(m, name, label=""):
    return sum(v for k, v in m.items() if k.split("{")[0] == name and label in k)


def sandbox_queue():
    return http_json("GET", f"{SANDBOX}/sandbox/webhook_queue")["pending"]


def wait_idle(servers, bound=240.0, what=""):
    """Until every server's inbox and outbox and the sandbox's webhook queue are empty (three
    polls in a row); returns the seconds waited. Fails past `bound`."""
    t0 = time.monotonic()
    zeros = 0
    while time.monotonic() - t0 < bound:
        busy = sandbox_queue()
        for s in servers:
            m = metrics(s)
            busy += max(0, msum(m, "screening_inbox_pending")) + max(0, msum(m, "screening_outbox_pending"))
            if msum(m, "screening_inbox_pending") < 0 or msum(m, "screening_outbox_pending") < 0:
                busy += 1
        zeros = zeros + 1 if busy == 0 else 0
        if zeros >= 3:
            return round(time.monotonic() - t0, 2)
        time.sleep(0.1)
    diag = ""
    if CURRENT_DB:
        try:
            now_ms = int(time.time() * 1000)
            diag = "; inbox by state (count, due in ms, max attempts, an error): " + str(db_rows(
                CURRENT_DB[0], f"SELECT state, COUNT(*), MIN(next_attempt_at) - {now_ms}, MAX(attempts), MAX(last_error) FROM inbox GROUP BY state"))
        except Exception as e:  # noqa: BLE001 — diagnostics only
            diag = f"; (inbox unreadable: {e})"
    raise BenchError(f"not idle within {bound:.0f} s {what}{diag}: sandbox queue {sandbox_queue()}, "
                     + ", ".join(f"{s} inbox {msum(metrics(s), 'screening_inbox_pending')} outbox {msum(metrics(s), 'screening_outbox_pending')}" for s in servers))


def invitations_total(key=YS_KEY):
    return http_json("GET", f"{SANDBOX}/invitations?per_page=1", headers={"authorization": f"Account {key}"})["meta"]["total_count"]


def unregister(url_prefix):
    """Remove the sandbox's webhook registrations pointing at a server about to stop (else
    the sandbox would keep retrying a dead URL and never be idle)."""
    hooks = http_json("GET", f"{SANDBOX}/accounts/{ACCOUNT}/webhooks?per_page=100", headers=YS)
    hooks = hooks["data"] if isinstance(hooks, dict) else hooks
    for h in hooks:
        if h.get("url", "").startswith(url_prefix):
            http_json("DELETE", f"{SANDBOX}/accounts/{ACCOUNT}/webhooks/{h['id']}", headers=YS)


# ---- load generators ------------------------------------------------------------------------
def gen_cmd(cmd):
    return (["taskset", "-c", LOAD_CORE] if PIN else []) + cmd


def bench_load(scenario, url, extra, rate=None, conns=None, duration=None, flood=0, timeout=600):
    out = os.path.join(WORK, "load.json")
    cmd = [f"{REL}/bench-load", "run", scenario, "--url", url, "--duration", str(duration or C["open_dur"]), "--out", out]
    cmd += ["--rate", str(rate)] if rate else ["--connections", str(conns)]
    if flood:
        cmd += ["--flood", str(flood)]
    cmd += extra
    p = subprocess.run(gen_cmd(cmd), capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise BenchError(f"bench-load {scenario} failed: {p.stderr[-800:]}")
    return json.load(open(out))


CORPUS_TAGS = [0x0BE7C000]


def corpus(n):
    """A fresh corpus; its event ids start with a tag of their own (`corpus.tag`)."""
    CORPUS_TAGS[0] += 1
    tag = f"{CORPUS_TAGS[0]:08x}"
    path = os.path.join(WORK, "corpus.txt")
    subprocess.run([f"{REL}/bench-load", "corpus", "--out", path, "--n", str(n), "--account", ACCOUNT,
                    "--key", YS_SIG, "--report", REPORT_ID, "--base", SANDBOX, "--tag", tag], check=True)
    return Corpus(path, tag)


class Corpus(str):
    def __new__(cls, path, tag):
        o = str.__new__(cls, path)
        o.tag = tag
        return o


def wrk(url, path, duration):
    script = os.path.join(WORK, "ingest.lua")
    with open(script, "w") as f:
        for part in ("ingest.lua", "report.lua"):
            f.write(open(os.path.join(ROOT, "e2e/bench/wrk", part)).read() + "\n")
    cmd = gen_cmd(["wrk", "-t", "1", "-c", str(C["conns"]), "-d", f"{duration}s", "--timeout", "10s", "-s", script, url, "--", path, "1"])
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120)
    line = next((l[8:] for l in p.stdout.splitlines() if l.startswith("WRKJSON ")), None)
    if p.returncode != 0 or not line:
        raise BenchError(f"wrk failed: {p.stdout[-500:]} {p.stderr[-500:]}")
    r = json.loads(line)
    r["errors"] = r["non2xx"] + r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"]
    return r


def abba(n):
    """Reference (A) and this (B) in ABBA order, n of each: A B B A A B …"""
    seq = []
    for i in range(n):
        seq += ["A", "B"] if i % 2 == 0 else ["B", "A"]
    return seq


def stats(values):
    v = sorted(values)
    return {"min": v[0], "median": statistics.median(v), "max": v[-1], "n": len(v), "all": v}


class NodeSession:
    """A node benchmark driver talking over stdin/stdout (READY / GO / RESULT / DONE)."""

    def __init__(self, script, argv, name):
        self.name = name
        self.err = open(os.path.join(WORK, f"{name}.err"), "ab")
        self.p = subprocess.Popen(gen_cmd(["node", os.path.join(ROOT, "e2e/bench", script)] + argv), cwd=os.path.join(ROOT, "e2e"),
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err, text=True)

    def expect(self, prefix, timeout=600):
        box = {}

        def read():
            for line in self.p.stdout:
                if line.startswith(prefix):
                    box["line"] = line[len(prefix):].strip()
                    return

        t = threading.Thread(target=read, daemon=True)
        t.start()
        t.join(timeout)
        if "line" not in box:
            self.p.kill()
            raise BenchError(f"{self.name}: no {prefix.strip()} (see {WORK}/{self.name}.err)")
        return box["line"]

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def finish(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        rc = self.p.wait(60)
        if rc != 0:
            raise BenchError(f"{self.name} exited {rc} (see {WORK}/{self.name}.err)")


# ---- the stack ------------------------------------------------------------------------------
DATA = tempfile.mkdtemp(prefix="screening-bench.")
MASTER = os.urandom(32).hex()
SANDBOX_PORT, REF_PORT, HMAC_PORT, INSERT_PORT = (free_port() for _ in range(4))
SANDBOX = f"http://127.0.0.1:{SANDBOX_PORT}"
TRIVIAL = f"http://127.0.0.1:{REF_PORT}"
WWW = os.path.join(DATA, "www")
WIDGET_DIR = os.path.join(DATA, "widget")
REPORT_ID = ""


def server_env(db_url, port, public, data_dir):
    return {
        "SCREENING_MASTER_KEY": MASTER, "SCREENING_DATA_DIR": data_dir, "DATABASE_URL": db_url,
        "YARDSTIK_API_BASE": SANDBOX, "YARDSTIK_APP_ORIGIN": SANDBOX, "SCREENING_PUBLIC_URL": public,
        "SCREENING_BIND": f"127.0.0.1:{port}", "SCREENING_WWW_DIR": WWW, "SCREENING_WIDGET_DIR": WIDGET_DIR,
        "SCREENING_DEMO": "1", "RUST_LOG": "warn",
        # Every load generator here is one loopback address, and the figures are of
        # throughput: the per-client connection cap and the spending limits (tested on
        # their own, in the abuse test) would measure themselves instead.
        "SCREENING_MAX_CONNECTIONS_PER_CLIENT": "4096",
        "SCREENING_SESSION_SPEND_PER_MINUTE": "60000", "SCREENING_SESSION_SPEND_BURST": "10000",
        "SCREENING_TENANT_SPEND_PER_MINUTE": "60000", "SCREENING_TENANT_SPEND_BURST": "10000",
    }


def add_tenant(env):
    p = subprocess.run([f"{REL}/screening-server", "tenant", "add", "--from-file",
                        os.path.join(ROOT, "crates/screening-server/fixtures/demo-tenant.json"), "--replace"],
                       env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise BenchError(f"tenant add failed: {p.stdout[-400:]} {p.stderr[-400:]}")


def start_server(name, db_url, public=None, port=None, data_dir=None, core=SERVER_CORE):
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    env = server_env(db_url, port, public or url, data_dir or os.path.join(DATA, name))
    p = PROCS.start(name, [f"{REL}/screening-server", "serve"], env=env, core=core, ready=f"{url}/healthz")
    p.url, p.env = url, env
    return p


def stop_server(p, public=None):
    PROCS.stop(p)
    unregister(public or p.url)


def db_rows(db, sql):
    """Read-only queries on the server's database (SQLite file or PostgreSQL URL)."""
    if db.startswith("sqlite://"):
        con = sqlite3.connect(f"file:{db[len('sqlite://'):]}?mode=ro", uri=True, timeout=30)
        try:
            return [tuple(r) for r in con.execute(sql)]
        finally:
            con.close()
    p = subprocess.run(["psql", db, "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", "SET default_transaction_read_only = on; " + sql],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise BenchError(f"psql: {p.stderr[-300:]}")
    return [tuple(l.split("\t")) for l in p.stdout.splitlines() if l and l != "SET"]


def seed_report(url, bcid):
    auth = {"authorization": "Basic ZGVtby1hdHM6ZGVtby1hdHMtc2VjcmV0"}
    for _ in range(100):
        st = http_json("GET", f"{url}/ats/orders/{bcid}", headers=auth)
        rid = ((st or {}).get("items") or [{}])[0].get("report_id")
        if rid:
            return rid
        time.sleep(0.1)
    raise BenchError(f"order {bcid} has no report id")


def count(db, table):
    return int(db_rows(db, f"SELECT COUNT(*) FROM {table}")[0][0])


# ---- figures --------------------------------------------------------------------------------
def widget_download():
    p = subprocess.run(["node", os.path.join(ROOT, "e2e/bench/sizes.mjs"), WIDGET_DIR], capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise BenchError(f"sizes.mjs: {p.stderr[-500:]}")
    R["download"] = json.loads(p.stdout)


def widget_start(server):
    p = subprocess.run(["node", "bench/start.mjs", server.url, str(C["loads"])], cwd=os.path.join(ROOT, "e2e"),
                       capture_output=True, text=True, timeout=1200)
    if p.returncode != 0:
        raise BenchError(f"start.mjs: {p.stderr[-800:]}")
    R["start"] = json.loads(p.stdout)


def startup(kind, make_db_url):
    """Exec → /healthz 200 on a fresh database (migrations included), then the first ATS call
    (the cold password check) and the next (cached), each `startups` times; the reference is
    the trivial handler's own start-up."""
    out = {"server_ms": [], "reference_ms": [], "first_call_ms": [], "second_call_ms": []}
    for i in range(C["startups"]):
        db_url, data_dir = make_db_url(i)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = server_env(db_url, port, url, data_dir)
        t0 = time.monotonic()
        p = PROCS.start(f"startup-{kind}-{i}", [f"{REL}/screening-server", "serve"], env=env, core=SERVER_CORE, ready=f"{url}/healthz")
        out["server_ms"].append(round((time.monotonic() - t0) * 1000, 1))
        add_tenant(env)
        auth = {"authorization": "Basic ZGVtby1hdHM6ZGVtby1hdHMtc2VjcmV0"}
        for k in ("first_call_ms", "second_call_ms"):
            t = time.monotonic()
            status, raw = http("GET", f"{url}/ats/packages", headers=auth)
            check(status == 200, f"{kind} start-up: GET /ats/packages answered {status}")
            out[k].append(round((time.monotonic() - t) * 1000, 1))
        PROCS.stop(p)
        unregister(url)
        rport = free_port()
        t0 = time.monotonic()
        rp = PROCS.start(f"startup-ref-{i}", [f"{REL}/bench-reference", "--bind", f"127.0.0.1:{rport}"], core=SERVER_CORE,
                         ready=f"http://127.0.0.1:{rport}/healthz")
        out["reference_ms"].append(round((time.monotonic() - t0) * 1000, 1))
        PROCS.stop(rp)
    R.setdefault("startup", {})[kind] = {k: stats(v) for k, v in out.items()}


def ingest_pair(label, server_procs, url, db, ref_url=TRIVIAL, ref_name="trivial", ladder=True):
    """Closed-loop maximum throughput (wrk), this vs the trivial handler, ABBA; then the ladder
    levels; then open-loop latency at fractions of the measured capacity."""
    names = [p.bench_name for p in server_procs]
    servers = [p.url for p in server_procs]
    procs = {p.bench_name: p.pid for p in server_procs}
    procs.update({n: p.pid for n, p in REFS.items()})
    procs["sandbox"] = SANDBOX_P.pid
    per_run = max(20000, 40000 * C["dur"])
    # Warm-up: both sides, not recorded.
    wait_idle(servers)
    wrk(url, corpus(5000), C["warmup"])
    wrk(ref_url, corpus(5000), C["warmup"])
    runs = {"A": [], "B": []}
    cpu_per = []
    for side in abba(C["reps"]):
        waited = wait_idle(servers, what=f"before ingest {label}")
        path = corpus(per_run)
        if side == "B":
            m0 = [metrics(s) for s in servers]
            with Phase(f"ingest {label}", procs, [p.pid for p in server_procs]) as ph:
                r = wrk(url, path, C["dur"])
                r["drain_s"] = wait_idle(servers, what="after ingest")
            m1 = [metrics(s) for s in servers]
            acc = sum(msum(b, "screening_yardstik_webhooks_total", 'outcome="accepted"') - msum(a, "screening_yardstik_webhooks_total", 'outcome="accepted"') for a, b in zip(m0, m1))
            dup = sum(msum(b, "screening_yardstik_webhooks_total", 'outcome="duplicate"') - msum(a, "screening_yardstik_webhooks_total", 'outcome="duplicate"') for a, b in zip(m0, m1))
            rows = int(db_rows(db, f"SELECT COUNT(*) FROM inbox WHERE event_id LIKE '{path.tag}-%'")[0][0])
            ok = r["requests"] - r["non2xx"]
            check(r["errors"] == 0, f"ingest {label}: wrk saw no errors ({r['errors']})")
            check(dup == 0, f"ingest {label}: no duplicates ({dup:.0f})")
            # The counter also counts the sandbox's own webhooks; the rows are this run's only.
            check(ok <= rows <= ok + C["conns"], f"ingest {label}: one inbox row per webhook wrk saw answered ({rows} rows, {ok} answered)")
            # (A request in flight when wrk stops may be committed without its answer being
            # counted: the connection closed under it.)
            check(acc >= ok, f"ingest {label}: the server counted every answered webhook as accepted ({acc:.0f} accepted, {ok} answered)")
            r["accepted"], r["rows"] = acc, rows
            r["server_cpu_us_per_webhook"] = round(server_cpu(ph, names) * 1e6 / max(1, acc), 1)
            r["phase"] = ph.result
        else:
            c0 = json.loads(http("GET", f"{ref_url}/count")[1])
            r = wrk(ref_url, path, C["dur"])
            c1 = json.loads(http("GET", f"{ref_url}/count")[1])
            check(r["errors"] == 0, f"ingest reference ({ref_name}): wrk saw no errors ({r['errors']})")
            check(c1["accepted"] - c0["accepted"] >= r["requests"], f"ingest reference ({ref_name}) answered every request")
        r["idle_wait_s"] = waited
        runs[side].append(r)
        log(f"ingest {label}, {'this' if side == 'B' else ref_name}: {r['rps']:,.0f}/s")
    res = {"this": stats([r["rps"] for r in runs["B"]]), "reference": stats([r["rps"] for r in runs["A"]]),
           "this_p99_ms": stats([r["p99_us"] / 1000 for r in runs["B"]]), "reference_p99_ms": stats([r["p99_us"] / 1000 for r in runs["A"]]),
           "cpu_us_per_webhook": stats([r["server_cpu_us_per_webhook"] for r in runs["B"]]),
           "peak_rss_kib": max(max(v or 0 for v in r["phase"]["peak_rss_kib"].values()) for r in runs["B"]),
           "drain_s": stats([r["drain_s"] for r in runs["B"]]), "runs": runs}
    res["ratios"] = stats([b["rps"] / a["rps"] for a, b in zip(runs["A"], runs["B"])])
    # Open-loop latency at fractions of this side's measured capacity, the reference at the
    # same absolute rate.
    # The 50 % point, which the p99 target reads, runs C["reps"] pairs in ABBA order (one run's
    # p99 is a handful of stalls); its entry shows the run with the median p99 of each side.
    cap = res["this"]["median"]
    res["open"] = []
    for frac in (0.25, 0.5, 0.75):
        rate = max(1, round(cap * frac))
        sides = {"A": [], "B": []}
        for side in (abba(C["reps"]) if frac == 0.5 else ["A", "B"]):
            wait_idle(servers)
            path = corpus(int(rate * C["open_dur"]) + 10)
            o = bench_load("ingest", url if side == "B" else ref_url, ["--corpus", path], rate=rate, duration=C["open_dur"])
            check(o["errors"] == 0, f"ingest open loop {label} at {rate}/s ({'this' if side == 'B' else 'reference'}): no errors ({o['errors']}: {o['error_samples'][:2]})")
            sides[side].append(o)
        median_run = lambda runs: sorted(runs, key=lambda o: o["p99_ms"])[(len(runs) - 1) // 2]
        res["open"].append({"fraction": frac, "rate": rate, "this": median_run(sides["B"]), "reference": median_run(sides["A"]),
                            "this_p99_ms": stats([o["p99_ms"] for o in sides["B"]]),
                            "reference_p99_ms": stats([o["p99_ms"] for o in sides["A"]])})
    R.setdefault("ingest", {})[label] = res


def ingest_ladder(server_procs, url):
    """trivial → + parse/HMAC → + insert (same PRAGMAs), closed loop, the three levels in
    rotating order each repetition (ABC, CBA, …); the full server's figure is the pair's."""
    servers = [p.url for p in server_procs]
    levels = [("trivial", TRIVIAL), ("hmac", REF_URLS["hmac"]), ("insert", REF_URLS["insert"])]
    for _, ref_url in levels[1:]:
        wrk(ref_url, corpus(5000), C["warmup"])
    vals = {k: [] for k, _ in levels}
    for rep in range(C["reps"]):
        for level, ref_url in (levels if rep % 2 == 0 else levels[::-1]):
            wait_idle(servers)
            path = corpus(max(20000, 40000 * C["dur"]))
            c0 = json.loads(http("GET", f"{ref_url}/count")[1])
            r = wrk(ref_url, path, C["dur"])
            c1 = json.loads(http("GET", f"{ref_url}/count")[1])
            check(r["errors"] == 0, f"ladder {level}: no errors ({r['errors']})")
            acc = c1["accepted"] - c0["accepted"]
            check(acc >= r["requests"] - r["non2xx"], f"ladder {level}: every answered request accepted")
            if level == "insert":
                check(c1["rows"] - c0["rows"] == acc, f"ladder insert: one row per accepted event ({c1['rows'] - c0['rows']} vs {acc})")
            vals[level].append(r["rps"])
    R["ladder"] = {k: stats(v) for k, v in vals.items()}


def intake_pair(label, server_procs, url, db, delivery=None):
    """Closed-loop order intake vs the same two sandbox calls made directly, ABBA; the
    delivery session (if any) is triggered right after the last server run."""
    names = [p.bench_name for p in server_procs]
    servers = [p.url for p in server_procs]
    procs = {p.bench_name: p.pid for p in server_procs}
    procs["sandbox"] = SANDBOX_P.pid
    run_id = f"i{int(time.time() * 1000):x}"
    wait_idle(servers)
    bench_load("orders", url, ["--run", run_id + "w", "--webhook", f"{TRIVIAL}/webhooks/yardstik"], conns=C["order_conns"], duration=C["warmup"])
    bench_load("intake-ref", SANDBOX, ["--run", run_id + "w", "--package", REF_PKG, "--key", REF_KEY], conns=C["order_conns"], duration=C["warmup"])
    runs = {"A": [], "B": []}
    seq = abba(C["reps"])
    burst = None
    for i, side in enumerate(seq):
        last_b = side == "B" and "B" not in seq[i + 1:]
        waited = wait_idle(servers, what=f"before intake {label}")
        inv0 = invitations_total(YS_KEY if side == "B" else REF_KEY)
        rid = f"{run_id}-{i}"
        if side == "B":
            m0 = [metrics(s) for s in servers]
            ph = Phase(f"intake {label}", procs, [p.pid for p in server_procs])
            ph.__enter__()
            r = bench_load("orders", url, ["--run", rid, "--webhook", f"{TRIVIAL}/webhooks/yardstik"], conns=C["order_conns"], duration=C["dur"])
            if last_b and delivery:
                # Right after the burst; this run's CPU then includes the delivery run, so
                # it is left out of the CPU-per-order figure.
                burst = delivery_after_burst(delivery, servers)
            r["drain_s"] = wait_idle(servers, what="after intake")
            ph.__exit__(None, None, None)
            r["with_delivery"] = bool(last_b and delivery)
            m1 = [metrics(s) for s in servers]
            created = sum(msum(b, "screening_orders_created_total") - msum(a, "screening_orders_created_total") for a, b in zip(m0, m1))
            check(r["errors"] == 0, f"intake {label}: no errors ({r['errors']}: {r['error_samples'][:2]})")
            check(created == r["ok"], f"intake {label}: the server counted {created:.0f} orders created for {r['ok']} answered")
            inv = invitations_total() - inv0
            check(inv == r["ok"], f"intake {label}: {inv} invitations created in the sandbox for {r['ok']} orders")
            r["server_cpu_us_per_order"] = round(server_cpu(ph, names) * 1e6 / max(1, r["ok"]), 1)
            r["phase"] = ph.result
        else:
            r = bench_load("intake-ref", SANDBOX, ["--run", rid, "--package", REF_PKG, "--key", REF_KEY], conns=C["order_conns"], duration=C["dur"])
            check(r["errors"] == 0, f"intake reference: no errors ({r['errors']}: {r['error_samples'][:2]})")
            inv = invitations_total(REF_KEY) - inv0
            check(inv == r["ok"], f"intake reference: {inv} invitations created for {r['ok']} pairs of calls")
        r["idle_wait_s"] = waited
        runs[side].append(r)
        log(f"intake {label}, {'this' if side == 'B' else 'the direct calls'}: {r['rps']:,.1f}/s")
    res = {"this": stats([r["rps"] for r in runs["B"]]), "reference": stats([r["rps"] for r in runs["A"]]),
           "this_p99_ms": stats([r["p99_ms"] for r in runs["B"]]), "reference_p99_ms": stats([r["p99_ms"] for r in runs["A"]]),
           "ratios": stats([b["rps"] / a["rps"] for a, b in zip(runs["A"], runs["B"])]),
           "cpu_us_per_order": stats([r["server_cpu_us_per_order"] for r in runs["B"] if not r["with_delivery"]] or [None]),
           "peak_rss_kib": max(max(v or 0 for v in r["phase"]["peak_rss_kib"].values()) for r in runs["B"]),
           "runs": runs}
    R.setdefault("intake", {})[label] = res
    return burst


def delivery_prepare(server_url, name):
    port = free_port()
    s = NodeSession("delivery.mjs", [server_url, SANDBOX, str(port), str(C["orders"]), str(C["rate"])], name)
    s.expect("READY", timeout=900)
    s.orders = C["orders"]
    return s


def drain_monitor(servers, stop):
    """Inbox pending and events processed, every 100 ms, until `stop`."""
    samples = []
    while not stop.is_set():
        t = time.monotonic()
        ms = [metrics(s) for s in servers]
        samples.append((t, sum(msum(m, "screening_inbox_pending") for m in ms),
                        sum(msum(m, "screening_yardstik_events_total") for m in ms), sandbox_queue()))
        stop.wait(0.1)
    return samples


def delivery_run(session, servers, db):
    session.send("GO")
    res = json.loads(session.expect("RESULT ", timeout=900))
    wait_idle(servers, what="after delivery")
    session.send("DONE")
    session.finish()
    rows = res.pop("rows")
    check(res["missing"] == 0, f"delivery: every result arrived ({res['missing']} missing)")
    delivery = sorted(r["result"] - r["direct"] for r in rows)
    hop = sorted(r["direct"] - r["sent"] for r in rows)
    total = sorted(r["result"] - r["sent"] for r in rows)
    # The server's own timestamps (ms): when each report's first event was received, when its
    # final result was queued (outbox) and delivered.
    ids = ",".join(f"'{r['report']}'" for r in rows)
    bcids = ",".join(f"'{r['id']}'" for r in rows)
    inbox = {}
    for rid, at in db_rows(db, f"SELECT resource_id, received_at FROM inbox WHERE resource_id IN ({ids})"):
        inbox.setdefault(rid, []).append(int(at))
    outbox = {}
    for bcid, created, delivered in db_rows(db, f"SELECT background_check_id, created_at, delivered_at FROM outbox WHERE background_check_id IN ({bcids})"):
        if delivered not in (None, "", "None"):
            outbox.setdefault(bcid, []).append((int(created), int(delivered)))
    stages = {"to_server_ms": [], "inbox_to_outbox_ms": [], "outbox_to_receiver_ms": []}
    for r in rows:
        recv = [t for t in inbox.get(r["report"], []) if t >= r["sent"] - 5]
        outs = [o for o in outbox.get(r["id"], []) if o[0] >= r["sent"] - 5]
        if not recv or not outs:
            continue
        first_recv, (created, _) = min(recv), min(outs)
        stages["to_server_ms"].append(first_recv - r["sent"])
        stages["inbox_to_outbox_ms"].append(created - first_recv)
        stages["outbox_to_receiver_ms"].append(r["result"] - created)

    def summ(a):
        a = sorted(a)
        if not a:
            return None
        p = lambda q: round(a[min(len(a) - 1, max(0, -(-int(q * len(a)) // 100) - 1))], 2)
        return {"n": len(a), "p50": p(50), "p90": p(90), "p99": p(99), "max": round(a[-1], 2), "over_1s": sum(1 for x in a if x > 1000)}

    res.update({"delivery": summ(delivery), "sandbox_hop": summ(hop), "total": summ(total),
                "stages": {k: summ(v) for k, v in stages.items()}})
    return res


def delivery_after_burst(session, servers):
    stop = threading.Event()
    box = {}
    t = threading.Thread(target=lambda: box.update(samples=drain_monitor(servers, stop)), daemon=True)
    t.start()
    res = delivery_run(session, servers, session.db)
    stop.set()
    t.join()
    s = box.get("samples", [])
    if s:
        t0, pend0, ev0, q0 = s[0]
        empty = next((x for x in s if x[1] == 0 and x[3] == 0), s[-1])
        dt = max(1e-9, empty[0] - t0)
        res["backlog"] = {"inbox_pending_at_burst_end": pend0, "sandbox_queue_at_burst_end": q0,
                          "events_processed": empty[2] - ev0, "seconds_to_empty": round(dt, 2),
                          "drain_events_per_s": round((empty[2] - ev0) / dt, 1),
                          "peak_inbox_pending": max(x[1] for x in s), "peak_sandbox_queue": max(x[3] for x in s)}
    return res


def delivery_quiet(server_url, servers, db, label):
    s = delivery_prepare(server_url, f"delivery-quiet-{label}")
    s.db = db
    wait_idle(servers, what="before quiet delivery")
    pids = {p.bench_name: p.pid for p in PROCS.items if p.bench_name.startswith("server")}
    with Phase(f"delivery quiet {label}", {**pids, "sandbox": SANDBOX_P.pid}, list(pids.values())):
        res = delivery_run(s, servers, db)
    R.setdefault("delivery", {}).setdefault(label, {})["quiet"] = res


def capacity(server):
    """Highest steady order rate whose results arrive within 5 s at p99 with 100 ms added to
    every sandbox API call."""
    http_json("POST", f"{SANDBOX}/sandbox/faults", [{"kind": "latency", "latency_ms": 100, "rate": 1.0}], headers=YS)
    steps = []
    try:
        for rate in C["cap_rates"]:
            wait_idle([server.url], what=f"before order rate {rate}/s")
            port = free_port()
            s = NodeSession("capacity.mjs", [server.url, SANDBOX, str(port), str(rate), str(C["cap_step"])], f"capacity-{rate}")
            with Phase(f"order rate {rate}/s", {server.bench_name: server.pid, "sandbox": SANDBOX_P.pid}, [server.pid]) as ph:
                r = json.loads(s.expect("RESULT ", timeout=C["cap_step"] + 180))
                wait_idle([server.url], what=f"after order rate {rate}/s")
            s.send("DONE")
            s.finish()
            r["pass"] = r["errors"] == 0 and r["missing"] == 0 and r["p99_ms"] is not None and r["p99_ms"] <= 5000
            r["peak_rss_kib"] = ph.result["peak_rss_kib"].get(str(server.pid))
            steps.append(r)
            log(f"order rate {rate}/s: p99 {r['p99_ms']} ms, {r['errors']} errors, {r['missing']} missing → {'ok' if r['pass'] else 'over'}")
            if not r["pass"]:
                break
    finally:
        http("DELETE", f"{SANDBOX}/sandbox/faults", headers=YS)
    check(steps and steps[0]["pass"], f"order-rate ladder: the first step ({C['cap_rates'][0]}/s) meets 5 s at p99")
    best = max((s["rate"] for s in steps if s["pass"]), default=0)
    R["capacity"] = {"steps": steps, "best_rate": best, "bounded": all(s["pass"] for s in steps), "max_step": C["cap_rates"][-1]}


def auth_flood(server):
    runs = {"A": [], "B": []}
    bench_load("ats-get", server.url, [], rate=C["flood_rate"], duration=C["warmup"])
    rss_before = settled_rss_kib(server.pid)
    for side in abba(C["reps"]):
        wait_idle([server.url])
        with Phase("auth flood" if side == "B" else "auth quiet", {server.bench_name: server.pid}, [server.pid]) as ph:
            r = bench_load("ats-get", server.url, [], rate=C["flood_rate"], duration=C["open_dur"], flood=C["flood"] if side == "B" else 0)
        check(r["errors"] == 0, f"auth {'flood' if side == 'B' else 'quiet'}: every valid request answered 200 ({r['errors']}: {r['error_samples'][:2]})")
        if side == "B":
            check((r["flood"] or {}).get("sent", 0) > 0, "auth flood: bad logins were sent")
            bad_ok = (r["flood"]["by_status"] or {}).get("200", 0)
            check(bad_ok == 0, f"auth flood: no bad login succeeded ({bad_ok})")
        r["peak_rss_kib"] = ph.result["peak_rss_kib"].get(str(server.pid))
        runs[side].append(r)
    R["flood"] = {"this_p50": stats([r["p50_ms"] for r in runs["B"]]), "this_p99": stats([r["p99_ms"] for r in runs["B"]]),
                  "reference_p50": stats([r["p50_ms"] for r in runs["A"]]), "reference_p99": stats([r["p99_ms"] for r in runs["A"]]),
                  "peak_rss_kib": max(r["peak_rss_kib"] or 0 for r in runs["B"]), "runs": runs,
                  "rss_before_kib": rss_before, "rss_after_kib": settled_rss_kib(server.pid)}


def machine():
    def sh(c):
        try:
            return subprocess.run(c, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
        except Exception:
            return ""
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
    mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    R["machine"] = {
        "nproc": NCPU, "cpu": cpu, "mem_gib": round(mem / 1048576, 1), "kernel": platform.release(),
        "load_start": open("/proc/loadavg").read().split()[:3], "rustc": sh("rustc --version"),
        "chromium": sh("/usr/bin/chromium --version"), "wrk": sh("wrk -v 2>&1 | head -1"), "node": sh("node --version"),
        "postgres": sh("psql --version"), "haproxy": sh("haproxy -v 2>/dev/null | head -1"),
        "commit": sh(f"git -C {ROOT} rev-parse --short HEAD"),
        "dirty": bool(sh(f"git -C {ROOT} status --porcelain --untracked-files=no")),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def main():
    global SANDBOX_P, REFS, REF_URLS, REPORT_ID
    t_start = time.monotonic()
    machine()
    os.makedirs(WWW)
    for f in os.listdir(os.path.join(ROOT, "e2e/bench/www")):
        shutil.copy(os.path.join(ROOT, "e2e/bench/www", f), WWW)
    shutil.copytree(os.path.join(ROOT, "pkg"), WIDGET_DIR)
    if not NO_WIDGET and not any(f.endswith(".wasm") for f in os.listdir(WIDGET_DIR)):
        raise BenchError("pkg/ holds no built widget (.wasm): run pkg-scripts/build-widget (or the bench without BENCH_SKIP_BUILD)")
    css = os.path.join(ROOT, "src/widget.css")
    if os.path.exists(css):
        shutil.copy(css, os.path.join(WWW, "widget.css"))

    if not NO_WIDGET:
        log("widget download size")
        widget_download()

    SANDBOX_P = PROCS.start("sandbox", [f"{REL}/yardstik-sandbox"], core=LOAD_CORE, ready=f"{SANDBOX}/sandbox/health",
                            env={"SANDBOX_BIND": f"127.0.0.1:{SANDBOX_PORT}", "SANDBOX_APP_ORIGIN": SANDBOX,
                                 "SANDBOX_REPORT_DELAY_MS": "200", "RUST_LOG": "warn"})
    REFS = {
        "trivial": PROCS.start("ref-trivial", [f"{REL}/bench-reference", "--bind", f"127.0.0.1:{REF_PORT}"], core=SERVER_CORE, ready=f"{TRIVIAL}/healthz"),
        "hmac": PROCS.start("ref-hmac", [f"{REL}/bench-reference", "--bind", f"127.0.0.1:{HMAC_PORT}", "--level", "hmac", "--account", ACCOUNT, "--key", YS_SIG],
                            core=SERVER_CORE, ready=f"http://127.0.0.1:{HMAC_PORT}/healthz"),
        "insert": PROCS.start("ref-insert", [f"{REL}/bench-reference", "--bind", f"127.0.0.1:{INSERT_PORT}", "--level", "insert", "--account", ACCOUNT,
                                             "--key", YS_SIG, "--db", os.path.join(DATA, "ref-insert.db")], core=SERVER_CORE,
                              ready=f"http://127.0.0.1:{INSERT_PORT}/healthz"),
    }
    REF_URLS = {"trivial": TRIVIAL, "hmac": f"http://127.0.0.1:{HMAC_PORT}", "insert": f"http://127.0.0.1:{INSERT_PORT}"}

    log("start-up time, fresh SQLite database, and the cold password check")
    startup("sqlite", lambda i: (f"sqlite://{DATA}/startup-{i}/screening.db", os.path.join(DATA, f"startup-{i}")))

    # ---- SQLite, one instance --------------------------------------------------------------
    sqlite_dir = os.path.join(DATA, "sqlite")
    db = f"sqlite://{sqlite_dir}/screening.db"
    add_tenant(server_env(db, 0, "http://127.0.0.1", sqlite_dir))
    srv = start_server("server", db, data_dir=sqlite_dir)
    CURRENT_DB[:] = [db]
    # The ingest corpus's events are for the report of a real order of this server, so each is
    # processed as Yardstik's would be (fetch the report, apply it), not retried as unmatched.
    bench_load("orders", srv.url, ["--run", "seed", "--webhook", f"{TRIVIAL}/webhooks/yardstik"], rate=1, duration=1)
    REPORT_ID = seed_report(srv.url, "seed-0")

    if not NO_WIDGET:
        log("widget start: cold and warm loads in headless Chromium")
        widget_start(srv)

    log("webhook ingest (SQLite)")
    ingest_pair("sqlite", [srv], srv.url, db)
    log("ingest ladder")
    ingest_ladder([srv], srv.url)

    log("order intake (SQLite), then delivery right after the burst")
    d = delivery_prepare(srv.url, "delivery-burst-sqlite")
    d.db = db
    burst = intake_pair("sqlite", [srv], srv.url, db, delivery=d)
    R.setdefault("delivery", {}).setdefault("sqlite", {})["after_burst"] = burst
    log("delivery on a quiet server (SQLite)")
    delivery_quiet(srv.url, [srv.url], db, "sqlite")

    log("order-rate ladder with 100 ms added to every sandbox call")
    capacity(srv)
    log("authentication flood")
    auth_flood(srv)
    stop_server(srv)

    # ---- PostgreSQL ------------------------------------------------------------------------
    if args.pg_url:
        admin = args.pg_admin
        n = [0]

        def fresh_pg(i):
            n[0] += 1
            name = f"bench_startup_{n[0]}"
            subprocess.run(["psql", admin, "-q", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
            return admin.rsplit("/", 1)[0] + "/" + name, os.path.join(DATA, f"pg-startup-{i}")

        log("start-up time, fresh PostgreSQL database")
        startup("postgres", fresh_pg)
        pg = args.pg_url
        EXTRA_PROCS["postgres"] = "comm:postgres"
        lb_port = free_port()
        lb = f"http://127.0.0.1:{lb_port}"
        add_tenant(server_env(pg, 0, "http://127.0.0.1", os.path.join(DATA, "pg")))
        p1 = start_server("server-pg", pg, data_dir=os.path.join(DATA, "pg"))
        CURRENT_DB[:] = [pg]
        bench_load("orders", p1.url, ["--run", "seed-pg", "--webhook", f"{TRIVIAL}/webhooks/yardstik"], rate=1, duration=1)
        REPORT_ID = seed_report(p1.url, "seed-pg-0")
        log("webhook ingest, order intake and delivery (PostgreSQL, one instance)")
        ingest_pair("postgres", [p1], p1.url, pg)
        d = delivery_prepare(p1.url, "delivery-burst-pg")
        d.db = pg
        R.setdefault("delivery", {}).setdefault("postgres", {})["after_burst"] = intake_pair("postgres", [p1], p1.url, pg, delivery=d)
        delivery_quiet(p1.url, [p1.url], pg, "postgres")
        stop_server(p1)

        if args.haproxy:
            log("two instances on PostgreSQL behind haproxy")
            p1 = start_server("server-pg-1", pg, public=lb, data_dir=os.path.join(DATA, "pg1"))
            p2 = start_server("server-pg-2", pg, public=lb, data_dir=os.path.join(DATA, "pg2"))
            cfg = os.path.join(WORK, "haproxy.cfg")
            with open(cfg, "w") as f:
                f.write(f"""global
    maxconn 4096
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option http-keep-alive
frontend bench
    bind 127.0.0.1:{lb_port}
    default_backend servers
backend servers
    balance roundrobin
    option httpchk GET /healthz
    server s1 127.0.0.1:{p1.url.rsplit(':', 1)[1]} check inter 1s
    server s2 127.0.0.1:{p2.url.rsplit(':', 1)[1]} check inter 1s
""")
            hp = PROCS.start("haproxy", [args.haproxy, "-db", "-f", cfg], core=LOAD_CORE, ready=f"{lb}/healthz")
            EXTRA_PROCS["haproxy"] = hp.pid
            ingest_pair("postgres-2", [p1, p2], lb, pg)
            d = delivery_prepare(lb, "delivery-burst-pg2")
            d.db = pg
            R["delivery"].setdefault("postgres-2", {})["after_burst"] = intake_pair("postgres-2", [p1, p2], lb, pg, delivery=d)
            delivery_quiet(lb, [p1.url, p2.url], pg, "postgres-2")
            PROCS.stop(hp)
            EXTRA_PROCS.pop("haproxy", None)
            stop_server(p2, lb)
            stop_server(p1, lb)
    R["elapsed_s"] = round(time.monotonic() - t_start, 1)


if __name__ == "__main__":
    rc = 0
    try:
        main()
    except Exception as e:  # noqa: BLE001 — any failure ends the run, with what was measured so far
        import traceback
        traceback.print_exc()
        log(f"error: {e}")
        R["error"] = str(e)
        rc = 1
    finally:
        PROCS.stop_all()
        shutil.rmtree(DATA, ignore_errors=True)
        with open(os.path.join(WORK, "results.json"), "w") as f:
            json.dump(R, f, indent=1)
    sys.exit(rc)
