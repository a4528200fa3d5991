#!/usr/bin/env bash
# Ingestion throughput and latency of `manyi serve` over loopback, measured with wrk (Debian),
# on SQLite and PostgreSQL, next to the raw insert rate of the same rows into the same database.
#
#   bench/ingest.sh            # both engines
#   bench/ingest.sh sqlite     # one
#   MANYI_OLD=$(bench/build-old.sh 250547b^) bench/ingest.sh   # also an older build, same run
#
# Scenarios (each on a fresh database): batches of 500 responses (2 connections, 10 s); single
# responses as fast as 8 connections go (10 s); single responses paced at 200 requests/s
# (4 connections, each waiting 18 ms after every reply, a little over 200 requests/s, 20 s) for
# p50/p99 latency. Every request comes from one of 500 branches (one kiosk's outbox: a batch
# shares its branch, counter and channel) and is submitted now. The server runs with the rate
# limit off. wrk and the server share the machine's 2 cores.
#
# With MANYI_OLD set to another build's `manyi`, each API scenario runs ROUNDS times (default 2)
# with each build, interleaved (old, new, then new, old), and the lines say which build ran.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export WRK_DIR="$ROOT/bench/wrk"
ENGINES=("${@:-sqlite postgres}")
read -r -a ENGINES <<< "${ENGINES[*]}"
PG_ADMIN="${MANYI_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"

command -v wrk >/dev/null || { echo "installing wrk"; apt-get install -y wrk; }
cargo build --profile bench-fast -p manyi --bin manyi >&2
cargo build --profile bench-fast -p manyi-server --example bench_raw_insert >&2
BIN="$ROOT/target/bench-fast"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

fresh_db() { # engine name -> URL of an empty database
  case "$1" in
    sqlite)
      # A name is used again in every round and by every build: its database must not survive.
      rm -f "$WORK/$2.db" "$WORK/$2.db-wal" "$WORK/$2.db-shm" "$WORK/$2.db-journal"
      echo "sqlite://$WORK/$2.db?mode=rwc" ;;
    postgres)
      psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS manyi_bench_$2" -c "CREATE DATABASE manyi_bench_$2" >&2
      echo "${PG_ADMIN%/*}/manyi_bench_$2" ;;
  esac
}

count_rows() { # engine url
  case "$1" in
    sqlite)
      local path=${2#sqlite://}
      python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from responses').fetchone()[0])" "${path%%\?*}" ;;
    postgres) psql "$2" -Atc "select count(*) from responses" ;;
  esac
}

start_server() { # url [binary]; sets SERVER_PID and BASE (not in a subshell, so both survive)
  # The previous server's output must not be mistaken for this one's.
  rm -f "$WORK/server.out"
  "${2:-$BIN/manyi}" serve --addr 127.0.0.1:0 --rate-limit 0 --byte-rate 0 --dist "$WORK/no-app" --database "$1" \
    > "$WORK/server.out" 2> "$WORK/server.err" &
  SERVER_PID=$!
  BASE=""
  while [ -z "$BASE" ]; do
    kill -0 "$SERVER_PID" || { cat "$WORK/server.err" >&2; exit 1; }
    sleep 0.1
    BASE=$(sed -n 's|^manyi is running at \(http://[^/]*\)/$|\1|p' "$WORK/server.out" 2>/dev/null)
  done
}

pending_rows() { # engine url -> responses not yet folded into the rollups (0 for a build before the folder)
  case "$1" in
    sqlite)
      local path=${2#sqlite://}
      python3 -c "
import sqlite3, sys
try: print(sqlite3.connect(sys.argv[1]).execute('select count(*) from rollup_pending').fetchone()[0])
except sqlite3.OperationalError: print(0)" "${path%%\?*}" ;;
    postgres) psql "$2" -Atc "select count(*) from rollup_pending" 2>/dev/null || echo 0 ;;
  esac
}

drain_ms() { # engine url -> milliseconds until the server's folder has folded every stored response
  local t0; t0=$(date +%s%N)
  while [ "$(pending_rows "$1" "$2")" != 0 ]; do sleep 0.05; done
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}

stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }

run_wrk() { # label url script threads conns seconds [env...]
  local label=$1 url=$2 script=$3 threads=$4 conns=$5 secs=$6
  shift 6
  env "$@" wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s -s "$WRK_DIR/$script" "$url" \
    | grep '^RESULT' | sed "s/^RESULT/$label/"
}

ROUNDS="${ROUNDS:-2}"
builds=(new)
[ -n "${MANYI_OLD:-}" ] && builds=(old new)
binary() { [ "$1" = old ] && echo "$MANYI_OLD" || echo "$BIN/manyi"; }
# The builds in turn, reversed every other round, so neither always runs first.
order() { # round
  if [ "${#builds[@]}" = 1 ]; then echo new
  elif [ $(( $1 % 2 )) = 0 ]; then echo old new
  else echo new old; fi
}

printf '%-9s %-5s %-26s %s\n' engine build scenario result
for engine in "${ENGINES[@]}"; do
  for round in $(seq 0 $(( ${#builds[@]} == 1 ? 0 : ROUNDS - 1 ))); do
    for build in $(order "$round"); do
      url=$(fresh_db "$engine" batched); start_server "$url" "$(binary "$build")"; base=$BASE
      line=$(run_wrk batched "$base" batch.lua 2 2 10 BATCH=500); drain=$(drain_ms "$engine" "$url"); stop_server
      req=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<< "$line"); us=$(sed 's/.*duration_us=\([0-9]*\).*/\1/' <<< "$line")
      rows=$(count_rows "$engine" "$url")
      # The rate counts the time the folder took after the last request to fold the backlog.
      printf '%-9s %-5s %-26s %s responses/s (%s requests of 500; %s rows stored; folded %s ms after) %s\n' "$engine" "$build" "batched via API" \
        "$(( req * 500 * 1000000 / (us + drain * 1000) ))" "$req" "$rows" "$drain" "$(grep -o 'errors_[a-z]*=[1-9][0-9]*' <<< "$line" | tr '\n' ' ')"

      url=$(fresh_db "$engine" single); start_server "$url" "$(binary "$build")"; base=$BASE
      line=$(run_wrk single "$base" single.lua 2 8 10); drain=$(drain_ms "$engine" "$url"); stop_server
      req=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<< "$line"); us=$(sed 's/.*duration_us=\([0-9]*\).*/\1/' <<< "$line")
      printf '%-9s %-5s %-26s %s responses/s (p50 %s µs, p99 %s µs; %s rows stored; folded %s ms after)\n' "$engine" "$build" "single via API, 8 conns" \
        "$(( req * 1000000 / (us + drain * 1000) ))" "$(sed 's/.*p50_us=\([0-9]*\).*/\1/' <<< "$line")" \
        "$(sed 's/.*p99_us=\([0-9]*\).*/\1/' <<< "$line")" "$(count_rows "$engine" "$url")" "$drain"

      url=$(fresh_db "$engine" paced); start_server "$url" "$(binary "$build")"; base=$BASE
      line=$(run_wrk paced "$base" paced.lua 1 4 20 PACE_MS=18); stop_server
      req=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<< "$line"); us=$(sed 's/.*duration_us=\([0-9]*\).*/\1/' <<< "$line")
      printf '%-9s %-5s %-26s %s requests/s: p50 %s µs, p99 %s µs\n' "$engine" "$build" "single at 200 req/s" \
        "$(( req * 1000000 / us ))" "$(sed 's/.*p50_us=\([0-9]*\).*/\1/' <<< "$line")" \
        "$(sed 's/.*p99_us=\([0-9]*\).*/\1/' <<< "$line")"
    done
  done

  # Without and with rollups, in the same run on fresh databases: the cost of keeping them,
  # for batches from one kiosk each and for batches mixing every branch (an import's worst case).
  for shape in "500 kiosk" "500 mixed" "1 kiosk"; do
    read -r batch origin <<< "$shape"
    rows=$([ "$batch" = 1 ] && echo 5000 || echo 100000)
    for rollups in off on; do
      url=$(fresh_db "$engine" "raw$batch$origin$rollups")
      printf '%-9s %-5s %-26s %s\n' "$engine" new "raw insert, batch $batch" \
        "$("$BIN/examples/bench_raw_insert" --database "$url" --rows "$rows" --batch "$batch" --origin "$origin" --rollups "$rollups")"
    done
  done
  if [ "$engine" = postgres ]; then
    for name in batched single paced raw500kioskoff raw500kioskon raw500mixedoff raw500mixedon raw1kioskoff raw1kioskon; do psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS manyi_bench_$name WITH (FORCE)"; done
  fi
done
