#!/usr/bin/env bash
# The OpenAPI document as client developers use it: fetched from a started app (its own embedded
# PostgreSQL), linted with Redocly (zero errors), turned into types with openapi-typescript, and a
# small client using those types (login, a sale, the merchant dashboard) compiled with tsc --strict.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=test/openapi/generated
mkdir -p "$OUT"
WORK=$(mktemp -d)
chmod 755 "$WORK" # the embedded server runs as another user when CI runs as root
PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
EMBEDDED_PG_DIR="$WORK/pg" PORT=$PORT ADMIN_PANEL=false SEED_ON_FIRST_START=false LOG_LEVEL=warn \
  node dist/src/main.js >"$WORK/app.log" 2>&1 &
APP=$!
cleanup() {
  kill -TERM "$APP" 2>/dev/null && wait "$APP" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
  kill -0 "$APP" 2>/dev/null || { cat "$WORK/app.log" >&2; exit 1; }
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/docs-json" -o "$OUT/openapi.json"
curl -fsS "http://127.0.0.1:$PORT/docs/v1-json" -o "$OUT/openapi-v1.json"

echo "== redocly lint (v2) =="
npx redocly lint --config redocly.yaml --format=stylish "$OUT/openapi.json"
echo "== openapi-typescript =="
npx openapi-typescript "$OUT/openapi.json" -o "$OUT/api.d.ts"
if grep -n 'Record<string, never>' "$OUT/api.d.ts" | grep -v -E '^[0-9]+:export type (webhooks|\$defs) ='; then
  echo "a field of the document has no type (see above)" >&2
  exit 1
fi
echo "== tsc --strict on a client that uses the generated types =="
npx tsc -p test/openapi/tsconfig.json
echo "OpenAPI checks passed"
