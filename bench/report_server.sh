#!/usr/bin/env bash
# Report latency and server memory of `manyi serve` over loopback on SQLite, with N stored `rq`
# responses (30 items, a year of submissions, three channels, 500 branches as `location`).
#
#   bench/report_server.sh 100000
#
# Fills the database, builds the rollups with `manyi rollup rebuild` (timed), prints the
# database's size, then, per request kind, the median of 5 timed requests (after one untimed),
# the server's peak resident memory (VmHWM) after the reports, and for each full export (CSV,
# JSON, XLSX) its time, its size and the server's peak resident memory through it. The peak is
# reset before each export (`echo 5 > /proc/PID/clear_refs`), so each figure is that export's
# own; where the kernel refuses the reset, the figures are cumulative and the script says so.
#
#   BENCH_SKIP_REPORTS=1 bench/report_server.sh 1000000    # the exports only
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ROWS="${1:-100000}"
# One build for both, so cargo resolves their features once and builds the server crate once.
cargo build --profile bench-fast -p manyi --bin manyi -p manyi-server --example fill_rq >&2
BIN="$ROOT/target/bench-fast"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
DB="sqlite://$WORK/rq.db"

START=$(date +%s.%N)
"$BIN/examples/fill_rq" --database "$DB" --rows "$ROWS" >&2
echo "filled $ROWS rows in $(echo "$(date +%s.%N) - $START" | bc) s" >&2
TOKEN=$("$BIN/manyi" token create --name bench --role admin --database "$DB" 2>/dev/null)
"$BIN/manyi" rollup rebuild --survey rq --database "$DB"
python3 - "$WORK/rq.db" <<'PY'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
size = sum(os.path.getsize(sys.argv[1] + s) for s in ("", "-wal") if os.path.exists(sys.argv[1] + s))
rows = db.execute("select count(*), sum(length(headline) + length(stats)) from rollups").fetchone()
print(f"database {size / 1e6:.0f} MB; {rows[0]} rollup rows holding {rows[1] / 1e6:.0f} MB of statistics")
PY

"$BIN/manyi" serve --addr 127.0.0.1:0 --database "$DB" > "$WORK/serve.out" 2> "$WORK/serve.err" &
SERVER_PID=$!
for _ in $(seq 1 100); do
  URL=$(grep -o 'http://[0-9.:]*' "$WORK/serve.out" | head -n1 || true)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { cat "$WORK/serve.err"; exit 1; }

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
timed() { # name path
  curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL$2"
  for _ in 1 2 3 4 5; do
    curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$URL$2"
  done | median | awk -v name="$1" '{ printf "%-48s median %6.1f ms\n", name, $1 * 1000 }'
}
if [ -z "${BENCH_SKIP_REPORTS:-}" ]; then
  timed "report, unfiltered" "/api/v1/surveys/rq/report"
  timed "report, one month" "/api/v1/surveys/rq/report?from=2026-03-01&to=2026-04-01&utc_offset=%2B08:00"
  timed "report, filter channel:web" "/api/v1/surveys/rq/report?filter=channel:web"
  timed "report, filter location:b007 (one of 500)" "/api/v1/surveys/rq/report?filter=location:b007"
  timed "report, a year by week, segment channel" "/api/v1/surveys/rq/report?bucket=week&segment=channel&utc_offset=%2B08:00"
  timed "report, a year by day, +05:30" "/api/v1/surveys/rq/report?bucket=day&utc_offset=%2B05:30"
  timed "report, weekly trend and previous period" "/api/v1/surveys/rq/report?from=2026-07-01&to=2026-10-01&bucket=week&utc_offset=%2B08:00"
  timed "open texts, newest 100" "/api/v1/surveys/rq/texts"
  echo "server peak RSS after the reports: $(awk '/VmHWM/ { print $2, $3 }' /proc/$SERVER_PID/status)"
else
  echo "server RSS before the exports: $(awk '/VmRSS/ { print $2, $3 }' /proc/$SERVER_PID/status)"
fi
export_peak() { # format
  local note=""
  echo 5 2>/dev/null > "/proc/$SERVER_PID/clear_refs" || note=" (cumulative: the peak could not be reset)"
  curl -sf -o /dev/null -w '%{time_starttransfer} %{time_total} %{size_download}\n' \
    -H "Authorization: Bearer $TOKEN" "$URL/api/v1/surveys/rq/responses?format=$1" |
    awk -v name="$1" '{ printf "%-4s export: first byte %.2f s, total %.2f s, %.1f MB\n", name, $1, $2, $3 / 1e6 }'
  echo "server peak RSS through a full $1 export: $(awk '/VmHWM/ { print $2, $3 }' /proc/$SERVER_PID/status)$note"
}
export_peak csv
export_peak json
export_peak xlsx
