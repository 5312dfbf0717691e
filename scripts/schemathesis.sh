#!/usr/bin/env bash
# Runs schemathesis (PyPI) with every check against a live Retour API: a server on a temporary
# DuckDB seeded with the API fixture and an admin key (scripts/api/serve-api-fixture.ts). Exits
# non-zero when schemathesis finds a server error or a schema violation.
#
# The Python venv lives in a cache folder outside the repository (RETOUR_SCHEMATHESIS_VENV, default
# ${XDG_CACHE_HOME:-~/.cache}/retour/schemathesis-venv-VERSION). Extra arguments go to
# `schemathesis run`, e.g. scripts/schemathesis.sh --max-examples 20
set -euo pipefail

VERSION="${RETOUR_SCHEMATHESIS_VERSION:-4.32.5}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${RETOUR_SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/retour/schemathesis-venv-$VERSION}"

if [[ ! -x "$VENV/bin/schemathesis" ]]; then
  echo "[schemathesis] creating $VENV (schemathesis==$VERSION)" >&2
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "schemathesis==$VERSION"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/retour-schemathesis-XXXXXX")"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

node "$ROOT/bin/run-ts.mjs" "$ROOT/scripts/api/serve-api-fixture.ts" --ready-file "$WORK/ready.json" 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 1 120); do
  [[ -s "$WORK/ready.json" ]] && break
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "[schemathesis] the API server exited before it was ready:" >&2
    cat "$WORK/server.log" >&2
    exit 1
  fi
  sleep 0.5
done
[[ -s "$WORK/ready.json" ]] || { echo "[schemathesis] the API server was not ready within 60 s" >&2; exit 1; }
BASE_URL="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["baseUrl"])' "$WORK/ready.json")"
KEY="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["key"])' "$WORK/ready.json")"
echo "[schemathesis] server at $BASE_URL" >&2

set +e
"$VENV/bin/schemathesis" run "$BASE_URL/docs/json" \
  --url "$BASE_URL" \
  --checks all \
  --header "Authorization: Bearer $KEY" \
  --workers 1 \
  --max-examples "${RETOUR_SCHEMATHESIS_MAX_EXAMPLES:-50}" \
  --seed "${RETOUR_SCHEMATHESIS_SEED:-7}" \
  --no-color \
  "$@"
STATUS=$?
set -e
if grep -q '"level":50' "$WORK/server.log"; then
  echo "[schemathesis] the server logged errors:" >&2
  grep '"level":50' "$WORK/server.log" | cut -c1-400 | head -5 >&2
fi
exit "$STATUS"
