#!/usr/bin/env bash
# The whole test suite: set up what it needs (packages, dockerd, test image), run the unit and
# live tests, and stop the dockerd only if this script started it.
set -uo pipefail
cd "$(dirname "$0")/.."
STATE=${PORTDOCTOR_TEST_STATE:-/run/portdoctor-test}
bash scripts/test-env.sh || exit 1
stop_ours() {
  if [ -f "$STATE/dockerd.pid" ]; then
    pid=$(cat "$STATE/dockerd.pid")
    echo "[test] stopping the dockerd this run started (pid $pid)" >&2
    kill "$pid" 2>/dev/null
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    rm -f "$STATE/dockerd.pid"
  fi
}
trap stop_ours EXIT
echo "[test] format check (prettier)" >&2
npx prettier --check . >&2 || { echo "[test] run: npm run format" >&2; exit 1; }
echo "[test] lint (eslint: typescript-eslint and the layer boundaries)" >&2
npx eslint . >&2 || exit 1
npx tsc -p tsconfig.json --noEmit || exit 1
npx vitest run "$@"
