# A throwaway PostgreSQL cluster on loopback (Debian's postgresql package). Source after
# common.sh; call pg_throwaway_start [taskset-cpu-list], then pg_throwaway_stop (e.g. in an
# EXIT trap). PG_THROWAWAY_FSYNC=on keeps fsync (benchmarks); tests run with it off. Sets PG_BIN, PG_DIR, PG_PORT and PG_URL (postgres://postgres@127.0.0.1:PORT/postgres).
# shellcheck shell=bash

PG_THROWAWAY_DIR=""

pg_as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_throwaway_start() {
  local cpus="${1:-}" pin=()
  [ -n "$cpus" ] && command -v taskset >/dev/null && pin=(taskset -c "$cpus")
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$PG_BIN" ] || { warn "PostgreSQL is not installed (pkg-scripts/setup installs it)"; return 1; }
  PG_DIR="$(mktemp -d /tmp/screening-pg.XXXXXX)"
  PG_THROWAWAY_DIR="$PG_DIR"
  [ "$(id -u)" != 0 ] || chown postgres "$PG_DIR"
  PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres >/dev/null
  pg_as_owner "${pin[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 30 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=${PG_THROWAWAY_FSYNC:-off} -c max_connections=200" start >/dev/null
  PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  export PG_BIN PG_DIR PG_PORT PG_URL
  say "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (throwaway)"
}

pg_throwaway_stop() {
  [ -n "$PG_THROWAWAY_DIR" ] || return 0
  pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_THROWAWAY_DIR"
  PG_THROWAWAY_DIR=""
}
