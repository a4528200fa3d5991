#!/usr/bin/env bash
# Report latency of `manyi serve` on PostgreSQL with N `rq` responses generated in the database
# (not posted): 30 answers from a respondent's mood, a year of submissions, three channels and
# 500 branches as `location`, like bench/fill_rq's. Then `manyi rollup rebuild` builds the
# rollups (timed), and each report kind is timed as in bench/report_server.sh.
#
#   bench/report_pg.sh 10000000
#
# Uses the PostgreSQL server at MANYI_BENCH_POSTGRES (default the test one) and a database
# manyi_bench_rq that it drops and creates.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ROWS="${1:-10000000}"
ADMIN="${MANYI_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"
DB="${ADMIN%/*}/manyi_bench_rq"
# One build for both, so cargo resolves their features once and builds the server crate once.
cargo build --profile bench-fast -p manyi --bin manyi -p manyi-server --example fill_rq >&2
BIN="$ROOT/target/bench-fast"
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

psql "$ADMIN" -qc "DROP DATABASE IF EXISTS manyi_bench_rq WITH (FORCE)" -c "CREATE DATABASE manyi_bench_rq"
# The schema and the templates, with no responses.
"$BIN/examples/fill_rq" --database "$DB" --rows 0 >&2

# The answers as SQL: each item is the respondent's mood give or take one, within 1–7, and one
# answer in twenty is left out, as fill_rq makes them.
ANSWERS=$(python3 - <<'PY'
import json
t = json.load(open("crates/manyi-core/templates/rq.json"))
items = [q["id"] for p in t["pages"] for q in p["questions"]]
parts = []
for k, item in enumerate(items):
    r = f"hashint8(g * 64 + {k})"
    parts.append(
        f"'{item}', CASE WHEN abs({r}) % 20 = 0 THEN NULL "
        f"ELSE greatest(1, least(7, mood + abs({r} / 20) % 3 - 1)) END"
    )
print("json_strip_nulls(json_build_object(" + ", ".join(parts) + "))")
PY
)
START=$(date +%s.%N)
psql "$DB" -q <<SQL
INSERT INTO responses (id, survey_id, survey_version, submitted_at, received_at, body, scores)
SELECT id, 'rq', 1, at, at,
       json_build_object('id', id, 'survey_id', 'rq', 'survey_version', 1, 'submitted_at', at,
                         'locale', 'zh-CN', 'answers', $ANSWERS,
                         'meta', json_build_object('channel', channel, 'location', location))::text,
       '{}'
FROM (
  SELECT g,
         '00005eed-0000-4000-8000-' || lpad(to_hex(g), 12, '0') AS id,
         to_char(timestamp '2025-12-31 16:00:00' + (abs(hashint8(g)) % (365 * 86400)) * interval '1 second',
                 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
         (ARRAY['web', 'kiosk', 'app'])[1 + abs(hashint8(g * 3)) % 3] AS channel,
         'b' || lpad((abs(hashint8(g * 5)) % 500)::text, 3, '0') AS location,
         1 + abs(hashint8(g * 7)) % 7 AS mood
  FROM generate_series(1, $ROWS) AS g
) AS generated;
ANALYZE responses;
SQL
echo "generated $ROWS rows in $(echo "$(date +%s.%N) - $START" | bc) s" >&2
TOKEN=$("$BIN/manyi" token create --name bench --role admin --database "$DB" 2>/dev/null)
"$BIN/manyi" rollup rebuild --survey rq --database "$DB"
psql "$DB" -Atc "SELECT 'database ' || pg_size_pretty(pg_database_size(current_database())) || '; ' || count(*) || ' rollup rows holding ' || pg_size_pretty(sum(length(headline) + length(stats))) || ' of statistics' FROM rollups"

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
timed "report, unfiltered" "/api/v1/surveys/rq/report"
timed "report, one month" "/api/v1/surveys/rq/report?from=2026-03-01&to=2026-04-01&utc_offset=%2B08:00"
timed "report, filter channel:web" "/api/v1/surveys/rq/report?filter=channel:web"
timed "report, filter location:b007 (one of 500)" "/api/v1/surveys/rq/report?filter=location:b007"
timed "report, a year by week, segment channel" "/api/v1/surveys/rq/report?bucket=week&segment=channel&utc_offset=%2B08:00"
timed "report, a year by day, +05:30" "/api/v1/surveys/rq/report?bucket=day&utc_offset=%2B05:30"
timed "report, weekly trend and previous period" "/api/v1/surveys/rq/report?from=2026-07-01&to=2026-10-01&bucket=week&utc_offset=%2B08:00"
timed "open texts, newest 100" "/api/v1/surveys/rq/texts"
echo "server peak RSS after the reports: $(awk '/VmHWM/ { print $2, $3 }' /proc/$SERVER_PID/status)"
