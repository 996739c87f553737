#!/usr/bin/env bash
# The whole test suite: format check, typecheck and unit tests once, then the live suite on each engine in
# turn, each dockerd started by scripts/test-env.sh and never next to the other: Debian 12's docker.io 20.10,
# then Debian sid's docker.io 28.5.2 (unpacked by scripts/engines.sh, its own data-root and exec-root).
# The host is left as found: a 20.10 dockerd this project had started before the run runs again afterwards,
# one this run started is stopped, and a dockerd someone else started is never touched (the 28.5 pass is
# then skipped with a loud message; on CI, where there is none, that is a failure).
# Usage: npm test [-- vitest args, e.g. a test file]    PORTDOCTOR_TEST_ENGINES="20.10 28.5" (the default)
set -uo pipefail
cd "$(dirname "$0")/.."
STATE=${PORTDOCTOR_TEST_STATE:-/run/portdoctor-test}
ENGINES=${PORTDOCTOR_TEST_ENGINES:-20.10 28.5}
say() { printf '[test] %s\n' "$*" >&2; }
t0=$(date +%s)
stamp() { printf '%dm%02ds' $((($(date +%s) - t0) / 60)) $((($(date +%s) - t0) % 60)); }

running_ours() { [ -f "$1" ] && [ "$(cat "/proc/$(cat "$1")/comm" 2>/dev/null)" = dockerd ]; }
had20=0
running_ours "$STATE/dockerd.pid" && had20=1
restore() {
  bash scripts/test-env.sh --stop 28.5 || true
  if [ "$had20" = 1 ]; then
    say "starting again the 20.10 dockerd that was running before this run"
    bash scripts/test-env.sh --engine 20.10 >/dev/null 2>&1 || say "could not restart the 20.10 dockerd: see $STATE/dockerd.log"
  else
    bash scripts/test-env.sh --stop 20.10 || true
  fi
}
trap restore EXIT

bash scripts/test-env.sh --engine 20.10 || exit 1
failed=()
skipped=()
say "format check (prettier)"
npx prettier --check . >&2 || { say "run: npm run format"; failed+=(format); }
say "lint (eslint: typescript-eslint and the layer boundaries)"
npx eslint . >&2 || failed+=(lint)
say "typecheck (tsc)"
npx tsc -p tsconfig.json --noEmit || failed+=(typecheck)
# each vitest run's output is kept so its failures can be said again at the end: a log's tail shows
# only the last run's
logs=$(mktemp -d -t portdoctor-test.XXXXXX)
say "unit tests"
npx vitest run --project unit --passWithNoTests "$@" 2>&1 | tee "$logs/unit" || failed+=(unit)

for engine in $ENGINES; do
  say "live tests on dockerd $engine ($(stamp) so far)"
  bash scripts/test-env.sh --engine "$engine"
  rc=$?
  if [ "$rc" = 3 ] && [ -z "${CI:-}" ]; then
    say "!!!!! SKIPPED the live tests on dockerd $engine: test-env.sh said why above. NOT a full run. !!!!!"
    skipped+=("live-$engine")
    continue
  elif [ "$rc" != 0 ]; then
    failed+=("live-$engine (no dockerd)")
    continue
  fi
  (
    set -a
    # shellcheck disable=SC1091
    . "$STATE/engine.env"
    set +a
    [ -n "$PORTDOCTOR_TEST_ENGINE_PATH" ] && PATH="$PORTDOCTOR_TEST_ENGINE_PATH:$PATH"
    PORTDOCTOR_TEST=1 exec npx vitest run --project live --passWithNoTests "$@"
  ) 2>&1 | tee "$logs/live-$engine" || failed+=("live-$engine")
done

for part in "${failed[@]}"; do
  [ -f "$logs/$part" ] || continue
  say "the $part failures again (whole output: $logs/$part):"
  awk '/Failed Tests|FAIL /{on=1} on{print; if (++n >= 200) exit} /Test Files/{if (on) exit}' "$logs/$part" >&2
done
[ ${#failed[@]} -eq 0 ] && rm -rf "$logs"
say "done in $(stamp)${skipped[*]:+; skipped: ${skipped[*]}}${failed[*]:+; FAILED: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
