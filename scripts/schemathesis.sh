#!/usr/bin/env bash
# Tests the HTTP API against its own OpenAPI document with schemathesis: requests generated from
# the document (valid and invalid parameters and bodies, and sequences of calls that follow its
# links) go to a real `manyi serve` on a throwaway SQLite database, and every reply must be no
# server error (5xx) and must match what the document says of it (status code, content type,
# headers and body schema). It runs twice: without a token, as a respondent or an attacker
# calls the API (staff operations must answer 401, as documented), and with a staff token.
#
#   scripts/schemathesis.sh                 # 10 test cases per operation and phase, as CI runs it
#   scripts/schemathesis.sh 200             # more
#   SCHEMATHESIS_EXAMPLES=200 scripts/schemathesis.sh
#
# The server binary is $MANYI_BIN if set (scripts/test.sh passes the one `cargo test` built),
# else it is built here. schemathesis comes from scripts/setup.sh, in target/venv.
#
# One of schemathesis's health checks is off: filter_too_much, which stops an operation whose
# generated values it mostly discards before sending. It judged DELETE /api/v1/responses/{id}
# so in one run of several, with a plain string id; it says nothing of the API's replies.
#
# Three of schemathesis's checks do not fit this API and are left out:
# - positive_data_acceptance: definitions and origin lists are checked beyond their JSON Schema
#   (a survey needs pages, an origin a host), and such problems are 422 with every one listed;
# - negative_data_rejection: a batch of responses is taken response by response, so a malformed
#   one is `rejected` inside a 200 reply rather than failing the request;
# - ensure_resource_availability: it links POST /api/v1/responses to DELETE …/{id} and then
#   expects a rejected response to exist.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
EXAMPLES="${1:-${SCHEMATHESIS_EXAMPLES:-10}}"
ST="$ROOT/target/venv/bin/schemathesis"
if [ ! -x "$ST" ]; then
    echo "schemathesis: $ST is missing; run scripts/setup.sh" >&2
    exit 1
fi
BIN="${MANYI_BIN:-}"
if [ -z "$BIN" ]; then
    cargo build -p manyi --bin manyi
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/manyi"
fi

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

DB="sqlite://$WORK/manyi.db?mode=rwc"
# An administrator's token, which may call every staff operation.
TOKEN="$("$BIN" token create --name schemathesis --role admin --database "$DB" 2>/dev/null)"
# Port 0: the system picks a free port, which the server prints, so runs side by side on one
# machine never collide. The rate limits are off: schemathesis sends hundreds of requests a
# second from one address, and 429 replies would only stop its requests from reaching the
# handlers. There is no built app, so only the API is served.
"$BIN" serve --addr 127.0.0.1:0 --database "$DB" --rate-limit 0 --byte-rate 0 \
    --dist "$WORK/no-app" > "$WORK/server.out" 2> "$WORK/server.err" &
SERVER_PID=$!

server_log() {
    echo "schemathesis: the end of the server's log:" >&2
    tail -n 40 "$WORK/server.err" >&2
}
# Wait, at most 30 s, for the address line and then for /healthz to answer.
BASE=""
for _ in $(seq 300); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "schemathesis: the server exited" >&2
        server_log
        exit 1
    fi
    [ -n "$BASE" ] || BASE="$(sed -n 's|^manyi is running at \(http://[^/]*\)/$|\1|p' "$WORK/server.out")"
    if [ -n "$BASE" ] && curl -fsS -o /dev/null --max-time 2 "$BASE/healthz"; then
        break
    fi
    sleep 0.1
done
if ! curl -fsS -o /dev/null --max-time 2 "$BASE/healthz" 2>/dev/null; then
    echo "schemathesis: the server did not answer /healthz within 30 s" >&2
    server_log
    exit 1
fi

# The example responses to the nps template, so that the with-token run's reports, exports and
# texts are computed from real answers rather than from none.
SEEDED="$(curl -fsS --max-time 10 -H 'Content-Type: application/json' \
    --data-binary @examples/nps-responses.json "$BASE/api/v1/responses" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["accepted"])')"
echo "schemathesis: the server at $BASE holds $SEEDED example responses to the nps template"

FAILED=0
run() {
    local name="$1"
    shift
    local status=0
    echo "schemathesis: $name: $BASE/api/v1/openapi.json, $EXAMPLES examples per operation"
    # Run in the work directory: schemathesis writes its files to the current one.
    (
        cd "$WORK"
        "$ST" "${CONFIG[@]}" run "$BASE/api/v1/openapi.json" "$@" \
            --checks all \
            --exclude-checks positive_data_acceptance,negative_data_rejection,ensure_resource_availability \
            --max-examples "$EXAMPLES" --request-timeout 10 --generation-database none \
            --suppress-health-check filter_too_much \
            --no-color --report json --report-json-path "$WORK/$name.json"
    ) > "$WORK/$name.log" 2>&1 || status=$?
    # The figures come from schemathesis's JSON report; the whole log is shown on failure.
    if ! python3 - "$WORK/$name.json" "$name" <<'PY'; then
import json, sys
report = json.load(open(sys.argv[1]))
ops, cases = report["operations"], report["test_cases"]
print(
    f"schemathesis: {sys.argv[2]}: {ops['tested']} of {ops['total']} operations tested, "
    f"{cases['generated']} test cases, {cases['with_failures']} failing "
    f"({cases['unique_failures']} distinct failures), {cases['errored']} errored, "
    f"seed {report['seed']}"
)
PY
        status=1
    fi
    if [ "$status" -ne 0 ]; then
        echo "schemathesis: $name FAILED (exit $status); its output:"
        cat "$WORK/$name.log"
        server_log
        FAILED=1
    fi
}

CONFIG=()
# The run without a token leaves out the stateful phase, which chains calls along the links
# schemathesis infers between operations: without a token most of those calls are staff
# operations that answer 401, so the phase would spend CI's time on little. The run with a
# token does it.
run without-token --phases examples,coverage,fuzzing
CONFIG=(--config-file "$ROOT/scripts/schemathesis.toml")
run with-token --header "Authorization: Bearer $TOKEN"
exit "$FAILED"
