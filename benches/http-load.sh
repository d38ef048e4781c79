#!/usr/bin/env bash
# Load bench of the HTTP API: requests per second on read endpoints (GET a number, a
# balance, a customer), on the quote endpoint (POST /v1/quotes) and on the SIP engine's
# routing decision (GET /v1/engine/route), beside a bare poem handler served by the same
# binary in the same run, and each one's ratio to it.
#
#   bash benches/http-load.sh            # 10 s per measurement
#   DURATION=5 CONNECTIONS=64 bash benches/http-load.sh
#
# Loopback only. Uses oha if installed, else wrk (installed with apt-get when missing and
# possible), else installs oha with cargo. The target: a read endpoint reaches at least 50 %
# of the bare handler's requests per second.
set -euo pipefail

cd "$(dirname "$0")/.."
DURATION="${DURATION:-10}"
# Each endpoint's DURATION is split into ROUNDS slices, interleaved with the other
# endpoints, so that a burst of other work on a shared machine hits every endpoint alike.
ROUNDS="${ROUNDS:-3}"
SLICE=$(( (DURATION + ROUNDS - 1) / ROUNDS ))
CONNECTIONS="${CONNECTIONS:-32}"
PORT="${PORT:-18090}"
BASE="http://127.0.0.1:${PORT}"
# What the quote endpoint is asked: three numbers of the demo's first offer for a year.
QUOTE_BODY='{"lines":[{"offer":1,"quantity":3,"term_months":12}]}'

pick_tool() {
    if command -v oha >/dev/null; then echo oha; return; fi
    if command -v wrk >/dev/null; then echo wrk; return; fi
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        (apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }) \
            && { echo wrk; return; }
    fi
    cargo install oha --locked >&2 && echo oha
}

# Prints the requests per second of `$1` (a URL) with an optional bearer token `$2`; a
# JSON body `$3` makes it a POST.
measure() {
    local url="$1" token="${2:-}" body="${3:-}"
    local auth=()
    [ -n "$token" ] && auth=(-H "Authorization: Bearer ${token}")
    case "$TOOL" in
        oha)
            local post=()
            [ -n "$body" ] && post=(-m POST -T application/json -d "$body")
            oha --no-tui --output-format json -z "${SLICE}s" -c "$CONNECTIONS" "${auth[@]}" "${post[@]}" "$url" \
                | jq -r '.summary.requestsPerSec | floor'
            ;;
        wrk)
            local post=()
            if [ -n "$body" ]; then
                local script="${DATA}/post.lua"
                printf 'wrk.method = "POST"\nwrk.body = [[%s]]\nwrk.headers["Content-Type"] = "application/json"\n' \
                    "$body" >"$script"
                post=(-s "$script")
            fi
            wrk -t 1 -c "$CONNECTIONS" -d "${SLICE}s" "${auth[@]}" "${post[@]}" "$url" \
                | awk '/^Requests\/sec:/ { printf "%d\n", $2 }'
            ;;
    esac
}

TOOL="$(pick_tool)"
cargo build --release -p vnum-server >&2

LOG="$(mktemp)"
# A fresh SQLite file, the server's default kind of database, unless DATABASE_URL says
# otherwise (postgres://… measures PostgreSQL).
DATA="$(mktemp -d)"
DATABASE_URL="${DATABASE_URL:-sqlite://${DATA}/bench.sqlite?mode=rwc}" \
VNUM_LISTEN="127.0.0.1:${PORT}" VNUM_BENCH_ENDPOINT=true RUST_LOG=warn \
VNUM_RATE_LIMIT_PER_MINUTE=0 VNUM_ANONYMOUS_RATE_LIMIT_PER_MINUTE=0 VNUM_MAX_CONNECTIONS=65536 \
    ./target/release/vnum-server >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; rm -rf "$LOG" "$DATA"' EXIT

for _ in $(seq 50); do
    curl -fs "${BASE}/health" >/dev/null && break
    sleep 0.1
done
KEY="$(awk '/demo customer/ { print $NF }' "$LOG")"
CUSTOMER="$(awk '/demo customer/ { sub(":", "", $3); print $3 }' "$LOG")"
[ -n "$KEY" ] || { echo "the server printed no demo key:" >&2; cat "$LOG" >&2; exit 1; }
# The demo customer buys a number of the demo's first offer (mobile, DE, connected at
# once), the number the read endpoint is asked for.
ORDER="$(curl -fsS -H "Authorization: Bearer ${KEY}" -H 'Content-Type: application/json' \
    -d '{"lines":[{"offer":1,"term_months":1}],"end_user":"personal"}' \
    "${BASE}/v1/customers/${CUSTOMER}/orders")"
NUMBER="$(jq -r '.numbers[0].id' <<<"$ORDER")"
NUMBER_URL="${BASE}/v1/customers/${CUSTOMER}/numbers/${NUMBER}"
OPERATOR="$(awk '/operator key/ { print $NF }' "$LOG")"
ROUTE_URL="${BASE}/v1/engine/route?to=$(jq -r '.numbers[0]["e164"] | sub("\\+"; "%2B")' <<<"$ORDER")"
curl -fs -H "Authorization: Bearer ${OPERATOR}" "$ROUTE_URL" >/dev/null
curl -fs -H "Authorization: Bearer ${KEY}" "$NUMBER_URL" >/dev/null
curl -fs -H "Authorization: Bearer ${KEY}" -H 'Content-Type: application/json' \
    -d "$QUOTE_BODY" "${BASE}/v1/quotes" >/dev/null

echo "tool: ${TOOL}, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${SLICE} s per endpoint, $(nproc) cores shared with the load generator"
BARE=0 HEALTH=0 NUMBER_RPS=0 QUOTE=0 BALANCE=0 CUSTOMER_RPS=0 ROUTE=0
for _ in $(seq "$ROUNDS"); do
    BARE=$(( BARE + $(measure "${BASE}/bench/bare") ))
    # The API's own stack (routing, middleware, JSON) without authentication or storage.
    HEALTH=$(( HEALTH + $(measure "${BASE}/health") ))
    NUMBER_RPS=$(( NUMBER_RPS + $(measure "$NUMBER_URL" "$KEY") ))
    QUOTE=$(( QUOTE + $(measure "${BASE}/v1/quotes" "$KEY" "$QUOTE_BODY") ))
    BALANCE=$(( BALANCE + $(measure "${BASE}/v1/customers/${CUSTOMER}/balance" "$KEY") ))
    CUSTOMER_RPS=$(( CUSTOMER_RPS + $(measure "${BASE}/v1/customers/${CUSTOMER}" "$KEY") ))
    ROUTE=$(( ROUTE + $(measure "$ROUTE_URL" "$OPERATOR") ))
done
BARE=$(( BARE / ROUNDS )) HEALTH=$(( HEALTH / ROUNDS )) NUMBER_RPS=$(( NUMBER_RPS / ROUNDS ))
QUOTE=$(( QUOTE / ROUNDS )) BALANCE=$(( BALANCE / ROUNDS )) CUSTOMER_RPS=$(( CUSTOMER_RPS / ROUNDS ))
ROUTE=$(( ROUTE / ROUNDS ))

report() { # name rps
    awk -v name="$1" -v rps="$2" -v bare="$BARE" \
        'BEGIN { printf "%-36s %10d req/s  %5.1f %% of bare\n", name, rps, 100 * rps / bare }'
}
report "GET /bench/bare (poem)" "$BARE"
report "GET /health (API stack)" "$HEALTH"
report "GET /v1/customers/{id}/numbers/{id}" "$NUMBER_RPS"
report "POST /v1/quotes" "$QUOTE"
report "GET /v1/customers/{id}/balance" "$BALANCE"
report "GET /v1/customers/{id}" "$CUSTOMER_RPS"
report "GET /v1/engine/route" "$ROUTE"
awk -v rps="$NUMBER_RPS" -v bare="$BARE" 'BEGIN {
    ratio = rps / bare
    printf "read endpoint (GET a number) / bare = %.2f (target >= 0.50: %s)\n", ratio, (ratio >= 0.5 ? "met" : "NOT met")
}'
