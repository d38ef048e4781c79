#!/usr/bin/env bash
# The OpenAPI document as a contract, on a fresh server on a fresh SQLite file:
#
# 1. openapi-python-client generates a client from /openapi.json (settings:
#    tests/api/client.yaml); any warning fails, and the demo story (sign up, pay, order a
#    number, set forwarding) runs through the generated client (tests/api/client_story.py);
# 2. schemathesis generates requests from the document, as the operator and as the demo
#    customer (hooks: tests/api/hooks.py; settings: tests/api/schemathesis.toml), with the
#    checks in CHECKS; both runs go on when the first finds something, and the script
#    fails when either did.
#
#   bash tests/api-fuzz.sh                        # 60 examples per operation, every check
#   EXAMPLES=200 bash tests/api-fuzz.sh
#   CHECKS=not_a_server_error,response_schema_conformance bash tests/api-fuzz.sh
#   SERVER=target/release/vnum-server bash tests/api-fuzz.sh   # another build
#   ST_ARGS="--phases examples,coverage" bash tests/api-fuzz.sh  # more st arguments
#
# Python packages (pinned) go into a virtual environment under .ci/venv-api, on CPython 3.12
# or later where one is installed: schemathesis 4.32.5 crashes now and then on CPython 3.11.7
# (an AST recursion error while hypothesis describes a filter's lambda). The server is the
# debug build `cargo test` makes, built here when it is missing.
set -euo pipefail

cd "$(dirname "$0")/.."
EXAMPLES="${EXAMPLES:-60}"
CHECKS="${CHECKS:-all}"
PORT="${PORT:-18190}"
BASE="http://127.0.0.1:${PORT}"
VENV=".ci/venv-api"
if [ -z "${PYTHON:-}" ]; then
    for candidate in python3.13 python3.12 "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 python3; do
        if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            PYTHON="$candidate"
            break
        fi
    done
fi
PYTHON="${PYTHON:-python3}"
TARGET="${CARGO_TARGET_DIR:-target}"
SERVER="${SERVER:-${TARGET}/debug/vnum-server}"

if [ ! -x "${VENV}/bin/st" ] || [ ! -x "${VENV}/bin/openapi-python-client" ]; then
    "$PYTHON" -m venv "$VENV"
    "${VENV}/bin/pip" install --quiet "schemathesis==4.32.5" "openapi-python-client==0.29.1"
fi
if [ ! -x "$SERVER" ]; then
    cargo build -p vnum-server >&2
fi

DATA="$(mktemp -d)"
DATABASE_URL="sqlite://${DATA}/fuzz.sqlite?mode=rwc" VNUM_LISTEN="127.0.0.1:${PORT}" \
    VNUM_SELF_REGISTRATION=true VNUM_PAYMENT_WEBHOOK_SECRET="api-fuzz-webhook-secret" \
    VNUM_CARRIER_SECRET="api-fuzz-carrier-secret" \
    VNUM_RATE_LIMIT_PER_MINUTE=0 VNUM_ANONYMOUS_RATE_LIMIT_PER_MINUTE=0 \
    RUST_LOG=warn "$SERVER" >"${DATA}/server.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 100); do
    curl -fs "${BASE}/health" >/dev/null && break
    sleep 0.1
done
OPERATOR="$(awk '/operator key/ { print $NF }' "${DATA}/server.log")"
CUSTOMER="$(awk '/demo customer/ { print $NF }' "${DATA}/server.log")"
[ -n "$OPERATOR" ] && [ -n "$CUSTOMER" ] || { cat "${DATA}/server.log" >&2; exit 1; }

echo "== a client generated from ${BASE}/openapi.json"
curl -fs "${BASE}/openapi.json" >"${DATA}/openapi.json"
(cd "$DATA" && "${OLDPWD}/${VENV}/bin/openapi-python-client" generate --path openapi.json \
    --meta none --output-path vnum_client --config "${OLDPWD}/tests/api/client.yaml") \
    >"${DATA}/generate.log" 2>&1 || { cat "${DATA}/generate.log" >&2; exit 1; }
cat "${DATA}/generate.log"
if grep -qi "warning\|error" "${DATA}/generate.log"; then
    echo "openapi-python-client warned: the document is not whole" >&2
    exit 1
fi
PYTHONPATH="$DATA" "${VENV}/bin/python" tests/api/client_story.py "$BASE" "$OPERATOR"

# The keys that exist now (the operator's, the demo customer's, the story's) are the runs'
# own: the hooks never revoke them, so that a run does not lock itself or the next one out.
VNUM_FUZZ_KEEP_KEY_IDS="$(curl -fs -H "Authorization: Bearer ${OPERATOR}" "${BASE}/v1/keys?limit=500" |
    "${VENV}/bin/python" -c 'import json, sys; print(",".join(str(k["id"]) for k in json.load(sys.stdin)["items"]))')"
export VNUM_FUZZ_KEEP_KEY_IDS

echo "== schemathesis (${CHECKS}, ${EXAMPLES} examples; settings: tests/api/schemathesis.toml)"
failed=0
for key in "$OPERATOR" "$CUSTOMER"; do
    SCHEMATHESIS_HOOKS=hooks PYTHONPATH=tests/api "${VENV}/bin/st" \
        --config-file tests/api/schemathesis.toml run "${BASE}/openapi.json" \
        -H "Authorization: Bearer ${key}" --checks "$CHECKS" --max-examples "$EXAMPLES" \
        --workers 2 --seed 1 ${ST_ARGS:-} || failed=1
done
exit "$failed"
