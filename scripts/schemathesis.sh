#!/usr/bin/env bash
# Schemathesis (PyPI) with every check against a fresh demo server, as a förbundschef and as a
# coach: the OpenAPI document must say what the server does (issue 11). Report endpoints are
# included. Usage: scripts/schemathesis.sh [path/to/pinne] [examples per operation]
# Needs `pip install schemathesis`; prints each run's summary and exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-target/release/pinne}"
EXAMPLES="${2:-100}"
DIR="$(mktemp -d)"
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$DIR"' EXIT
"$BIN" --data-dir "$DIR" demo 2>/dev/null
CHEF="$("$BIN" --data-dir "$DIR" token create forbundschef 2>/dev/null)"
COACH="$("$BIN" --data-dir "$DIR" token create coach 2>/dev/null)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
# --dev: plain HTTP on loopback and no TOTP for the förbundschef's token.
"$BIN" --data-dir "$DIR" serve --dev --listen "127.0.0.1:$PORT" 2>"$DIR/server.log" &
SERVER=$!
for _ in $(seq 1 600); do
  curl -fs -o /dev/null -H "Authorization: Bearer $CHEF" "http://127.0.0.1:$PORT/api/v1/config" && break
  sleep 0.1
done
# Protection is computed once per data version and start (a minute or more for the demo's eight
# years of Coachingteamet); schemathesis times every answer, so the publication version of every
# report it can ask for is made first, as the server's background preparation does for the
# running year.
until grep -q "publication versions prepared" "$DIR/server.log"; do sleep 1; done
YEAR="$(date +%Y)"
for insats in coachingteamet mottagningsteamet strukturarbete; do
  for year in $(seq 2019 $((YEAR + 1))); do
    curl -fs -o /dev/null -H "Authorization: Bearer $CHEF" \
      "http://127.0.0.1:$PORT/api/v1/reports/$insats/$year/tables?publicering=ja" || true
  done
done
status=0
for who in CHEF COACH; do
  echo "== schemathesis as ${who,,}"
  schemathesis --config-file schemathesis.toml run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
    --url "http://127.0.0.1:$PORT/api/v1" --checks all -H "Authorization: Bearer ${!who}" \
    -n "$EXAMPLES" --request-timeout 120 --generation-deterministic > "$DIR/$who.out" 2>&1 || status=1
  # The failures in full (if any), then the summary.
  sed -n '/^=* FAILURES =*$/,/^=* SUMMARY =*$/p' "$DIR/$who.out"
  sed -n '/^=* SUMMARY =*$/,$p' "$DIR/$who.out"
done
exit $status
