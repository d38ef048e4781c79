#!/usr/bin/env bash
# Fuzzes the HTTP API from its own OpenAPI document with schemathesis: a fresh server on a
# fresh SQLite file, then generated requests as the operator and as the demo customer.
#
#   bash tests/api-fuzz.sh                 # 60 examples per operation and key
#   EXAMPLES=200 bash tests/api-fuzz.sh
#
# Fails on a 5xx, a response that breaks its schema, an undocumented status code, content
# type or header, or a 405 without `Allow`. Not part of `cargo test`: it needs Python and
# downloads schemathesis (pinned) into a virtual environment under target/.
set -euo pipefail

cd "$(dirname "$0")/.."
EXAMPLES="${EXAMPLES:-60}"
PORT="${PORT:-18190}"
BASE="http://127.0.0.1:${PORT}"
VENV="target/api-fuzz-venv"

if [ ! -x "${VENV}/bin/st" ]; then
    python3 -m venv "$VENV"
    "${VENV}/bin/pip" install --quiet "schemathesis==4.32.5"
fi
cargo build --release -p vnum-server >&2

DATA="$(mktemp -d)"
DATABASE_URL="sqlite://${DATA}/fuzz.sqlite?mode=rwc" VNUM_LISTEN="127.0.0.1:${PORT}" RUST_LOG=warn \
    ./target/release/vnum-server >"${DATA}/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 50); do
    curl -fs "${BASE}/health" >/dev/null && break
    sleep 0.1
done
OPERATOR="$(awk '/operator key/ { print $NF }' "${DATA}/server.log")"
CUSTOMER="$(awk '/demo customer/ { print $NF }' "${DATA}/server.log")"
[ -n "$OPERATOR" ] && [ -n "$CUSTOMER" ] || { cat "${DATA}/server.log" >&2; exit 1; }

CHECKS=not_a_server_error,response_schema_conformance,status_code_conformance
CHECKS="${CHECKS},content_type_conformance,response_headers_conformance,unsupported_method"
for key in "$OPERATOR" "$CUSTOMER"; do
    "${VENV}/bin/st" run "${BASE}/openapi.json" -H "Authorization: Bearer ${key}" \
        --checks "$CHECKS" --max-examples "$EXAMPLES" --workers 2
done
